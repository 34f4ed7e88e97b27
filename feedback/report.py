"""The analysis report's read queries: themes with their size, people, stances, articles and
campaigns; the campaigns with what each sender changed; the paraphrase groups apart from them; the
edits; the network for export."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from core import accounts
from core.db import pk
from feedback import analyses
from feedback.models import Analysis, AnalysisEdit, AnalysisTheme, AnalysisThemeComment, Comment
from feedback.review import themes_of


@dataclass
class ThemeCounts:
    """A theme's comments by stance and by article: all that the stance-by-article table reads."""

    theme: AnalysisTheme
    size: int
    stances: dict[str, int]
    articles: dict[int, dict[str, int]]  # article -> stance -> comments

    def name(self, locale: str) -> str:
        """The theme's name for a reader of `locale`: in Chinese or English where its comments
        hold a sentence in that language, otherwise the name it was given (an analyst's, or the
        sentence of its most central comment)."""
        names = json.loads(self.theme.labels or "{}")
        return str(names.get("zh" if locale.startswith("zh") else "en") or self.theme.label)


@dataclass
class ThemeView(ThemeCounts):
    people: int
    campaigns: dict[int, int]  # campaign index -> its comments in the theme
    individual: int
    representative: list[Comment]
    member_ids: list[int]  # every comment in the theme, oldest first
    members: list[Comment] = field(default_factory=list)  # the first few, for the review

    @property
    def key_terms(self) -> list[str]:
        return list(json.loads(self.theme.key_terms))


_placed = col(AnalysisThemeComment.theme_id)
_joined = (col(Comment.id) == AnalysisThemeComment.comment_id,)


def _placed_in(analysis: Analysis) -> tuple[Any, ...]:
    """The analysis's comments that are in a theme."""
    return (AnalysisThemeComment.analysis_id == pk(analysis), col(_placed).is_not(None))


def _by_stance_and_article(
    session: Session, analysis: Analysis
) -> tuple[dict[int | None, Counter[str]], dict[int | None, dict[int, Counter[str]]]]:
    """Each theme's comments by stance, and by article and stance, in one grouped query."""
    stances: dict[int | None, Counter[str]] = defaultdict(Counter)
    articles: dict[int | None, dict[int, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for theme_id, article, stance, n in session.exec(
        select(_placed, Comment.article, Comment.stance, func.count())
        .join(Comment, *_joined)
        .where(*_placed_in(analysis))
        .group_by(_placed, col(Comment.article), col(Comment.stance))
    ):
        stances[theme_id][stance] += n
        if article is not None:
            articles[theme_id][article][stance] += n
    return stances, articles


Counted = TypeVar("Counted", bound=ThemeCounts)


def _largest_first(views: list[Counted]) -> list[Counted]:
    return sorted(views, key=lambda v: (-v.size, v.theme.position))


def theme_counts(session: Session, analysis: Analysis) -> list[ThemeCounts]:
    """The themes, largest first, with their comments by stance and article alone: what the
    stance-by-article table needs, without the people, letters and quotes `theme_views` reads."""
    stances, articles = _by_stance_and_article(session, analysis)
    return _largest_first(
        [
            ThemeCounts(
                theme=theme,
                size=sum(stances[pk(theme)].values()),
                stances=dict(stances[pk(theme)]),
                articles={a: dict(s) for a, s in sorted(articles[pk(theme)].items())},
            )
            for theme in themes_of(session, analysis)
        ]
    )


def theme_views(
    session: Session, analysis: Analysis, members_shown: int = 30, with_member_ids: bool = False
) -> list[ThemeView]:
    """The themes, largest first, counted in grouped queries: a theme of 50,000 comments costs what
    one of 50 does, and only the comments shown are read (its representatives and, for the review,
    its first `members_shown`). `with_member_ids` lists every comment of each theme, for export."""
    themes = themes_of(session, analysis)
    placed, of_analysis, joined = _placed, _placed_in(analysis), _joined
    stances, articles = _by_stance_and_article(session, analysis)
    letters: dict[int | None, dict[int, int]] = defaultdict(dict)
    individual: Counter[int | None] = Counter()
    for theme_id, campaign, n in session.exec(
        select(placed, AnalysisThemeComment.campaign, func.count())
        .where(*of_analysis)
        .group_by(placed, col(AnalysisThemeComment.campaign))
    ):
        if campaign is None:
            individual[theme_id] += n
        else:
            letters[theme_id][campaign] = n
    # People as `responses.person_key` tells them apart: each account, each name given without
    # one, and each comment with neither.
    no_account = col(Comment.author_id).is_(None)
    named = case((no_account & (Comment.author_name != ""), Comment.author_name), else_=None)
    nameless = func.sum(case((no_account & (Comment.author_name == ""), 1), else_=0))
    people = {
        theme_id: int(accounts_ + names + (unnamed or 0))
        for theme_id, accounts_, names, unnamed in session.exec(
            select(placed, func.count(func.distinct(Comment.author_id)), func.count(func.distinct(named)), nameless)
            .join(Comment, *joined)
            .where(*of_analysis)
            .group_by(placed)
        )
    }
    shown_ids = {i for theme in themes for i in json.loads(theme.representative)}
    first: dict[int, list[Comment]] = {}
    if members_shown:
        for theme in themes:
            query = select(Comment).join(AnalysisThemeComment, *joined).where(*of_analysis, placed == theme.id)
            # In the placement's comment order (the same ids): the report index then yields the
            # first few without sorting a theme of 50,000.
            in_order = query.order_by(col(AnalysisThemeComment.comment_id)).limit(members_shown)
            first[pk(theme)] = list(session.exec(in_order))
    shown = {pk(c): c for c in session.exec(select(Comment).where(col(Comment.id).in_(shown_ids)))} if shown_ids else {}
    every: dict[int | None, list[int]] = defaultdict(list)
    if with_member_ids:
        for theme_id, comment_id in session.exec(
            select(placed, AnalysisThemeComment.comment_id)
            .where(*of_analysis)
            .order_by(col(AnalysisThemeComment.comment_id))
        ):
            every[theme_id].append(comment_id)
    views = []
    for theme in themes:
        key = pk(theme)
        views.append(
            ThemeView(
                theme=theme,
                size=sum(stances[key].values()),
                people=people.get(key, 0),
                stances=dict(stances[key]),
                articles={a: dict(s) for a, s in sorted(articles[key].items())},
                campaigns=dict(sorted(letters[key].items())),
                individual=individual[key],
                representative=[
                    shown[i] for i in json.loads(theme.representative) if i in shown and not shown[i].hidden_reason
                ],
                member_ids=every[key],
                members=first.get(key, []),
            )
        )
    return _largest_first(views)


def unthemed_count(session: Session, analysis: Analysis) -> int:
    query = select(func.count()).where(
        AnalysisThemeComment.analysis_id == pk(analysis), col(AnalysisThemeComment.theme_id).is_(None)
    )
    return int(session.exec(query).one())


@dataclass
class CampaignView:
    number: int
    template: str
    size: int
    first_at: datetime | None
    last_at: datetime | None
    exact_copies: int
    changed: list[tuple[int, list[str]]]  # members (comment ids) who changed or added something, with what


CHANGES_SCANNED = 500  # senders of one letter read for what they changed: a page, not a 100,000-letter campaign


def campaign_views(
    session: Session, analysis: Analysis, changes_shown: int = 50, start: int = 0, count: int | None = None
) -> list[CampaignView]:
    """The campaigns `start` to `start + count` (all by default), each with what up to
    `changes_shown` of its first CHANGES_SCANNED senders changed or added."""
    from analysis.campaigns import changes

    stored = stored_campaigns(analysis)["campaigns"][start : None if count is None else start + count]
    wanted = {i for c in stored for i in c["members"][:CHANGES_SCANNED]}
    # The texts alone, not whole comments: the printable report reads 500 senders of each letter.
    query = select(Comment.id, Comment.text).where(col(Comment.id).in_(wanted), Comment.hidden_reason == "")
    texts = {i: text for i, text in session.exec(query) if i is not None} if wanted else {}
    views = []
    for number, campaign in enumerate(stored, start=start):
        changed = []
        for member in campaign["members"][:CHANGES_SCANNED]:
            if member not in texts:  # hidden (or deleted) since the analysis ran
                continue
            found = changes(campaign["template"], texts[member])
            if found:
                changed.append((member, found))
            if len(changed) >= changes_shown:
                break
        views.append(
            CampaignView(
                number=number + 1,
                template=campaign["template"],
                size=len(campaign["members"]),
                first_at=_moment(campaign["first_at"]),
                last_at=_moment(campaign["last_at"]),
                exact_copies=campaign["exact_copies"],
                changed=changed,
            )
        )
    return views


def _moment(stored: str | None) -> datetime | None:
    """A first or last date as the analysis stores it (ISO text, or null for no dated comment)."""
    return datetime.fromisoformat(stored) if stored else None


def stored_campaigns(analysis: Analysis) -> dict[str, list[dict[str, Any]]]:
    """The analysis's stored tiers: {"campaigns": [...], "paraphrases": [...]}. A run from before
    the paraphrase tier stored the campaigns' list alone."""
    stored = json.loads(analysis.campaigns)
    if isinstance(stored, list):
        return {"campaigns": stored, "paraphrases": []}
    return {"campaigns": stored["campaigns"], "paraphrases": stored.get("paraphrases", [])}


@dataclass
class ParaphraseView:
    number: int
    template: str  # the group's most central text
    size: int  # its comments, those in the campaigns it joins included
    first_at: datetime | None
    last_at: datetime | None
    campaigns: list[int]  # the numbers of the form letters it joins, as the report shows them


def paraphrase_views(analysis: Analysis, start: int = 0, count: int | None = None) -> list[ParaphraseView]:
    """The paraphrase groups `start` to `start + count` (all by default): comments that say the same
    thing in other words. They are leads for the analyst, never counted as form letters."""
    stored = stored_campaigns(analysis)["paraphrases"][start : None if count is None else start + count]
    return [
        ParaphraseView(
            number=number + 1,
            template=group["template"],
            size=len(group["members"]),
            first_at=_moment(group["first_at"]),
            last_at=_moment(group["last_at"]),
            campaigns=[index + 1 for index in group["campaigns"]],
        )
        for number, group in enumerate(stored, start=start)
    ]


@dataclass
class LetterGroup:
    number: int  # the campaign's index in the analysis, as stored on AnalysisThemeComment
    template: str
    size: int
    supporters: int = 0  # people who support one or more of its copies, when the list is so sorted


def letter_groups(
    session: Session, subject_kind: str, subject_id: int, can_manage: bool
) -> tuple[int, list[LetterGroup]]:
    """The form letters of the subject's finished analysis, largest first, for collapsing its comment
    lists: (analysis id, groups). The public sees them once the analysis is published."""
    query = select(Analysis).where(Analysis.subject_kind == subject_kind, Analysis.subject_id == subject_id)
    analysis = session.exec(query).first()
    if analysis is None or analysis.status != "done" or not (can_manage or analysis.published_at is not None):
        return 0, []
    stored = stored_campaigns(analysis)["campaigns"]
    groups = [LetterGroup(n, c["template"], len(c["members"])) for n, c in enumerate(stored) if len(c["members"]) > 2]
    return pk(analysis), sorted(groups, key=lambda g: -g.size)


def counts_line(analysis: Analysis) -> dict[str, int]:
    """ "N comments from M campaigns and K individual comments", as numbers, and the number of
    paraphrase groups apart (their comments are counted where they are: in a campaign or individual)."""
    stored = stored_campaigns(analysis)
    in_campaigns = sum(len(c["members"]) for c in stored["campaigns"])
    return {
        "comments": analysis.comments,
        "in_campaigns": in_campaigns,
        "campaigns": len(stored["campaigns"]),
        "individual": analysis.comments - in_campaigns,
        "paraphrases": len(stored["paraphrases"]),
    }


def edits_of(session: Session, analysis: Analysis) -> list[tuple[AnalysisEdit, str]]:
    """Each edit with the name of the analyst who made it."""
    edits = list(
        session.exec(
            select(AnalysisEdit).where(AnalysisEdit.analysis_id == pk(analysis)).order_by(col(AnalysisEdit.id))
        )
    )
    analysts = accounts.members_by_id(session, (edit.member_id for edit in edits))
    return [(edit, analysts[edit.member_id].display_name if edit.member_id in analysts else "") for edit in edits]


def network_page(analysis: Analysis) -> dict[str, Any]:
    """What the report's network section shows (feedback.analyses.network_page): as the analysis
    job stored it, or, for an analysis stored before that or with a table of another length,
    derived from the whole network."""
    if analysis.network_page:
        stored: dict[str, Any] = json.loads(analysis.network_page)
        if stored.get("table_rows") == analyses.NETWORK_TABLE_ROWS:
            return stored
    return analyses.network_page(json.loads(analysis.network))


def network_export(analysis: Analysis) -> Any:
    """The stored network rebuilt as a networkx graph for GraphML and GEXF (the same seeded
    algorithms give the same communities)."""
    from analysis.network import Link, Node, build_network

    stored = json.loads(analysis.network)
    nodes = [Node(n["id"], n["kind"], n["label"]) for n in stored.get("nodes", [])]
    links = [Link(s, t, r, w) for s, t, r, w in stored.get("all_links", [])]
    return build_network(nodes, links)
