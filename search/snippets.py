"""Snippets: a window of the original text around the first match, escaped, matches in <mark>.

Both backends use this one highlighter, so a hit reads the same whichever answered, and the HTML
safety lives in one place: every character of the document passes through `escape`, and only our
own `<mark>` tags are added. Matching is done on a folded copy of the text (the pipeline's normal
form, character by character) so that a Simplified or full-width query marks the Traditional or
half-width text as it was written."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from analysis.text import pipeline

from .terms import Term, lemma

WIDTH = 140  # characters of text in a snippet
_SPACES = re.compile(r"(\s+)")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_UNEVEN_SPACE = re.compile(r"\s\s|^\s|\s$|[^\S ]")  # what normalise would squeeze or change


def fold(text: str) -> tuple[str, range | list[int]]:
    """The text in normal form, and for each of its characters the index of the original character.
    Most texts fold whole, character for character (one call); otherwise word by word, which keeps
    the white space (which `normalise` squeezes) in place, and a word whose normal form changes
    length (a ligature, a rare conversion) character by character."""
    normalise = pipeline().normalise
    if not _UNEVEN_SPACE.search(text) and len(folded := normalise(text)) == len(text):
        return folded, range(len(text))
    out: list[str] = []
    where: list[int] = []
    position = 0
    for part in _SPACES.split(text):
        if not part:
            continue
        folded = " " * len(part) if part.isspace() else normalise(part)
        if len(folded) == len(part):
            out.append(folded)
            where.extend(range(position, position + len(part)))
        else:
            for offset, char in enumerate(part):
                one = normalise(char) or " "
                out.append(one)
                where.extend([position + offset] * len(one))
        position += len(part)
    return "".join(out), where


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as written, words separated by anything that is not a word character; Latin words
    only whole (the index matches whole words there, and "care" must not mark "careful")."""
    pattern = r"[\W_]+".join(re.escape(word) for word in phrase.split())
    if phrase[:1].isascii() and phrase[:1].isalnum():
        pattern = r"(?<![a-z0-9])" + pattern
    if phrase[-1:].isascii() and phrase[-1:].isalnum():
        pattern += r"(?![a-z0-9])"
    return re.compile(pattern)


def spans(folded: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    """Where the terms match in the folded text, overlaps merged, in order."""
    found: list[tuple[int, int]] = []
    lemmas = {lem for term in terms if not term.cjk for lem in term.lemmas}
    for term in terms:
        found.extend(m.span() for m in _phrase_pattern(term.phrase).finditer(folded))
    if lemmas:
        initials = {lem[0] for lem in lemmas}  # irregular forms share their first letter: ran/run, went/go aside
        for m in _ASCII_WORD.finditer(folded):
            if m.group()[0] in initials and lemma(m.group()) in lemmas:
                found.append(m.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, terms: Sequence[Term], width: int = WIDTH) -> Markup:
    if not text:
        return Markup("")
    folded, where = fold(text)
    marks = [(where[a], where[b - 1] + 1) for a, b in spans(folded, terms)]
    start = max(0, min(marks[0][0] - width // 5, len(text) - width)) if marks else 0  # context before the match
    if start and " " in text[start : marks[0][0]]:  # Latin text: start on a word
        start = text.index(" ", start) + 1
    end = min(len(text), start + width)
    if end < len(text) and " " in text[max(start + 1, end - 20) : end]:  # and end on one
        end = text.rindex(" ", max(start + 1, end - 20), end)
    out = [Markup("…")] if start else []
    cursor = start
    for a, b in marks:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(escape(text[cursor:a]))
        out.append(Markup("<mark>%s</mark>") % text[a:b])
        cursor = b
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)
