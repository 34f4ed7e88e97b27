"""Drafts as articles: splitting a Markdown draft at its headings, and comparing texts.

Plain functions on strings, so the same code splits consultation drafts, diffs versions, and
shows a suggested amendment against the article it would replace.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# A heading line starts an article: Markdown's "## ..." or a law's "第三條" / "第 3 條".
_HEADING = re.compile(
    r"^(?:#{1,4}\s+(?P<md>.+?)\s*#*\s*$"
    r"|(?P<law>第\s*[0-9一二三四五六七八九十百零〇]+\s*條(?:之[0-9一二三四五六七八九十]+)?)(?P<rest>.*)$)"
)
# Diff tokens: a run of Latin letters or digits, a run of spaces, or any single other character
# (so Chinese compares character by character, English word by word).
_TOKEN = re.compile(r"[A-Za-z0-9]+|\s+|.", re.S)


@dataclass(frozen=True)
class ArticleText:
    number: int
    heading: str
    body: str


def split_articles(text: str) -> list[ArticleText]:
    """Split at each heading. Articles count from 1; text before the first heading is a preamble,
    numbered 0, so that in a law-style draft #art-3 is 第三條."""
    articles: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    preamble: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        match = _HEADING.match(line.strip())
        if match:
            heading = match.group("md") or match.group("law")
            current = (heading.strip(), [])
            articles.append(current)
            rest = (match.group("rest") or "").strip()
            if rest:
                current[1].append(rest)
        elif current is None:
            preamble.append(line)
        else:
            current[1].append(line)
    found = [ArticleText(n, heading, "\n".join(lines).strip()) for n, (heading, lines) in enumerate(articles, 1)]
    if "\n".join(preamble).strip():
        found.insert(0, ArticleText(0, "", "\n".join(preamble).strip()))
    return found


@dataclass(frozen=True)
class Segment:
    op: str  # "same", "del" or "ins"
    text: str


def diff_text(old: str, new: str) -> list[Segment]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    # Readers see "二十一" -> "三十" more easily than 二->三, 十, 一 deleted: a single token left
    # equal between two changes is folded into them.
    merged: list[tuple[str, int, int, int, int]] = []
    for op, i1, i2, j1, j2 in opcodes:
        tag: str = op
        if tag != "equal" and merged:
            last = merged[-1]
            if last[0] != "equal":
                merged[-1] = ("replace", last[1], i2, last[3], j2)
                continue
            if len(merged) >= 2 and last[2] - last[1] <= 1:
                before = merged[-2]
                merged[-2:] = [("replace", before[1], i2, before[3], j2)]
                continue
        merged.append((tag, i1, i2, j1, j2))
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in merged:
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            segments.append(Segment("same", old_part))
            continue
        if old_part:
            segments.append(Segment("del", old_part))
        if new_part:
            segments.append(Segment("ins", new_part))
    return segments


@dataclass(frozen=True)
class ArticleChange:
    status: str  # "same", "changed", "added", "removed"
    old: ArticleText | None
    new: ArticleText | None
    heading: list[Segment]
    body: list[Segment]


def diff_articles(old: list[ArticleText], new: list[ArticleText]) -> list[ArticleChange]:
    """Pair articles by heading where the heading survives, else by position, and diff each pair."""
    old_by_heading = {a.heading: a for a in old if a.heading}
    paired: set[int] = set()
    changes: list[ArticleChange] = []
    for index, article in enumerate(new):
        partner = old_by_heading.get(article.heading) if article.heading else None
        if partner is None and index < len(old) and old[index].number not in paired:
            candidate = old[index]
            if not candidate.heading or candidate.heading not in {a.heading for a in new}:
                partner = candidate
        if partner is None or partner.number in paired:
            changes.append(
                ArticleChange("added", None, article, [Segment("ins", article.heading)], [Segment("ins", article.body)])
            )
            continue
        paired.add(partner.number)
        same = partner.heading == article.heading and partner.body == article.body
        changes.append(
            ArticleChange(
                "same" if same else "changed",
                partner,
                article,
                diff_text(partner.heading, article.heading),
                diff_text(partner.body, article.body),
            )
        )
    for article in old:
        if article.number not in paired:
            changes.append(
                ArticleChange(
                    "removed", article, None, [Segment("del", article.heading)], [Segment("del", article.body)]
                )
            )
    return changes
