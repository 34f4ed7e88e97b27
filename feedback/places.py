"""Feedback by place: comments and people per county, township or legislator's district, for one
subject or several (a bill with its linked consultations), with small counts merged so no place
shows fewer than five (`analysis.places`), representativeness against the population, and the
stance raw and weighted by population.

Each count is one grouped query on the comments' place snapshot, by code prefix (a county is the
first 5 characters, a township the first 8); districts are counted from the full codes, which
are few. Comments without a place count toward "elsewhere or not given"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlmodel import Session, col, select

from analysis import places as arithmetic
from analysis.places import Count, Group
from core import places as place_data
from core.errors import N_
from feedback.models import AnalysisThemeComment, Comment


class Level(StrEnum):
    county = "county"
    township = "township"
    constituency = "constituency"


LEVEL_LABELS = {
    Level.county: N_("County or city"),
    Level.township: N_("Township or district"),
    Level.constituency: N_("Legislator's district"),
}
ELSEWHERE = "elsewhere"
BAD_LEVEL = N_("level is county, township or constituency.")

Source = tuple[str, int]  # (subject_kind, subject_id)


@dataclass(frozen=True)
class Filter:
    """One filter at a time, so two filtered views are never compared with each other."""

    article: int | None = None
    theme_id: int | None = None  # an analysis theme

    @property
    def active(self) -> bool:
        return self.article is not None or self.theme_id is not None


@dataclass
class Row:
    code: str
    name: str
    name_en: str
    comments: int
    people: int
    population: int | None
    ratio: float | None  # share of people over share of population; None without a population
    verdict: str = ""  # over, under, even
    remainder: bool = False
    parent_name: str = ""  # for "other places in 臺東縣"
    parent_name_en: str = ""
    codes: list[str] = field(default_factory=list)  # the places a remainder stands for


@dataclass
class PlaceTable:
    level: Level
    rows: list[Row]
    comments: int
    people: int
    stance: dict[str, float] = field(default_factory=dict)
    weighted_stance: dict[str, float] = field(default_factory=dict)

    @property
    def by_code(self) -> dict[str, Row]:
        return {row.code: row for row in self.rows}

    def over_under(self) -> tuple[list[Row], list[Row]]:
        named = [r for r in self.rows if r.ratio is not None and r.people]
        over = sorted((r for r in named if r.verdict == "over"), key=lambda r: -(r.ratio or 0))
        under = sorted((r for r in self.rows if r.verdict == "under"), key=lambda r: r.ratio or 0)
        return over, under


def _where(sources: Sequence[Source], only: Filter | None = None) -> list[ColumnElement[bool]]:
    subject = (
        and_(col(Comment.subject_kind) == kind, col(Comment.subject_id) == subject_id) for kind, subject_id in sources
    )
    clauses: list[ColumnElement[bool]] = [or_(*subject)]
    if only is not None and only.article is not None:
        clauses.append(col(Comment.article) == only.article)
    if only is not None and only.theme_id is not None:
        themed = select(AnalysisThemeComment.comment_id).where(AnalysisThemeComment.theme_id == only.theme_id)
        clauses.append(col(Comment.id).in_(themed))
    return clauses


def _people() -> ColumnElement[int]:
    """Distinct members, and each comment without an account (imported, collected offline) as one person."""
    anonymous = func.sum(case((col(Comment.author_id).is_(None), 1), else_=0))
    return func.count(func.distinct(Comment.author_id)) + func.coalesce(anonymous, 0)


def grouped(
    session: Session, sources: Sequence[Source], length: int | None, only: Filter | None = None
) -> dict[str, tuple[int, int]]:
    """{code prefix ("" for no place): (comments, people)} in one grouped query; `length` None
    groups by the whole code."""
    code = func.coalesce(func.substr(Comment.place_code, 1, length) if length else Comment.place_code, "")
    query = select(code, func.count(), _people()).where(*_where(sources, only)).group_by(code)
    return {str(prefix): (int(comments), int(people)) for prefix, comments, people in session.exec(query)}


def stance_by_county(
    session: Session, sources: Sequence[Source], only: Filter | None = None
) -> dict[str, dict[str, int]]:
    code = func.coalesce(func.substr(Comment.place_code, 1, place_data.COUNTY_LEN), "")
    query = select(code, Comment.stance, func.count()).where(*_where(sources, only)).group_by(code, col(Comment.stance))
    found: dict[str, dict[str, int]] = {}
    for prefix, stance, n in session.exec(query):
        found.setdefault(str(prefix), {})[stance] = int(n)
    return found


def _counts(
    session: Session,
    sources: Sequence[Source],
    length: int | None,
    only: Filter,
    codes: Sequence[str],
    key: dict[str, str] | None = None,
) -> list[Count]:
    """A Count for every place at the level (zero where nobody spoke), and one for what has no
    known place. `key` maps full codes to districts when counting by district."""

    def regroup(found: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        if key is None:
            return found
        summed: dict[str, tuple[int, int]] = {}
        for code, (c, p) in found.items():
            district = key.get(code) or key.get(code[: place_data.TOWNSHIP_LEN], "")
            old = summed.get(district, (0, 0))
            summed[district] = (old[0] + c, old[1] + p)
        return summed

    mine = regroup(grouped(session, sources, length, only))
    every = regroup(grouped(session, sources, length)) if only.active else None
    known = set(codes)
    counts = []
    for code in [*codes, ""]:
        if code == "":  # no place given, or a code no longer in the place list
            pairs = [v for k, v in mine.items() if k not in known]
            alls = [v for k, v in (every or {}).items() if k not in known]
            c, p = sum(x[0] for x in pairs), sum(x[1] for x in pairs)
            ac, ap = sum(x[0] for x in alls), sum(x[1] for x in alls)
        else:
            c, p = mine.get(code, (0, 0))
            ac, ap = (every or {}).get(code, (0, 0))
        counts.append(Count(code, c, p, ac if every is not None else None, ap if every is not None else None))
    return counts


def _districts(session: Session) -> tuple[dict[str, str], dict[str, int | None]]:
    """{township or village code: district} and {district: population, None when a part has none},
    from two queries."""
    population = {p.code: p.population for p in session.exec(select(place_data.Place))}
    key: dict[str, str] = {}
    totals: dict[str, int | None] = {c.code: 0 for c in place_data.constituencies(session)}
    for part in session.exec(select(place_data.ConstituencyPart)):
        key[part.place_code] = part.constituency_code
        people, total = population.get(part.place_code), totals.get(part.constituency_code)
        totals[part.constituency_code] = None if people is None or total is None else total + people
    return key, totals


def table(session: Session, sources: Sequence[Source], level: Level, only: Filter | None = None) -> PlaceTable:
    """The rows to show at `level`, small counts merged, with representativeness and stance."""
    only = only or Filter()
    counties = {p.code: p for p in place_data.places(session, place_data.Level.county)}
    county_counts = _counts(session, sources, place_data.COUNTY_LEN, only, list(counties))
    county_groups = arithmetic.merge(county_counts, ELSEWHERE)
    names: dict[str, tuple[str, str, int | None]] = {
        code: (p.name, p.name_en, p.population) for code, p in counties.items()
    }
    if level == Level.county:
        groups = county_groups
    elif level == Level.township:
        townships = place_data.places(session, place_data.Level.township)
        names.update({p.code: (p.name, p.name_en, p.population) for p in townships})
        shown_counties = {g.code for g in county_groups if not g.remainder}
        counts = _counts(session, sources, place_data.TOWNSHIP_LEN, only, [p.code for p in townships])
        groups = arithmetic.merge_within(counts, {p.code: p.parent_code or "" for p in townships}, shown_counties)
    else:
        key, populations = _districts(session)
        for constituency in place_data.constituencies(session):
            names[constituency.code] = (constituency.name, constituency.name_en, populations[constituency.code])
        counts = _counts(session, sources, None, only, list(populations), key)
        groups = arithmetic.merge(counts, ELSEWHERE)
    rows = _rows(groups, names)
    stances = stance_by_county(session, sources, only)
    by_group = {g.code: _sum_stances(stances, g.codes) for g in county_groups if not g.remainder}
    population = {code: counties[code].population or 0 for code in by_group}
    return PlaceTable(
        level,
        rows,
        sum(g.comments for g in groups),
        sum(g.people for g in groups),
        arithmetic.stance_shares({k: v for k, v in stances.items()}),
        arithmetic.weighted_stance_shares(by_group, population),
    )


def _sum_stances(stances: dict[str, dict[str, int]], codes: list[str]) -> dict[str, int]:
    summed: dict[str, int] = {}
    for code in codes:
        for stance, n in stances.get(code, {}).items():
            summed[stance] = summed.get(stance, 0) + n
    return summed


def _rows(groups: list[Group], names: dict[str, tuple[str, str, int | None]]) -> list[Row]:
    populations: dict[str, int] = {}
    for group in groups:
        population = _group_population(group, names, groups)
        if population:
            populations[group.code] = population
    judged = {r.code: r for r in arithmetic.representation({g.code: g.people for g in groups}, populations)}
    rows = []
    for group in groups:
        parent = group.code.removeprefix("other:") if group.code.startswith("other:") else ""
        name, name_en, _population = names.get(group.code, ("", "", None))
        parent_name, parent_name_en, _ = names.get(parent, ("", "", None))
        judgement = judged.get(group.code)
        rows.append(
            Row(
                group.code,
                name,
                name_en,
                group.comments,
                group.people,
                populations.get(group.code),
                round(judgement.ratio, 2) if judgement else None,
                judgement.verdict if judgement else "",
                group.remainder,
                parent_name,
                parent_name_en,
                list(group.codes),
            )
        )
    named = sorted((r for r in rows if not r.remainder), key=lambda r: (-r.people, r.code))
    return named + [r for r in rows if r.remainder]


def _group_population(group: Group, names: dict[str, tuple[str, str, int | None]], groups: list[Group]) -> int | None:
    """A place's population; "other places in X" holds X's population less its shown townships';
    "elsewhere" mixes places with people of no known place, so it has none."""
    if not group.remainder:
        return names.get(group.code, ("", "", None))[2]
    if not group.code.startswith("other:"):
        return None
    parent = group.code.removeprefix("other:")
    whole = names.get(parent, ("", "", None))[2]
    if whole is None:
        return None
    shown = [names.get(g.code, ("", "", None))[2] or 0 for g in groups if not g.remainder and g.code.startswith(parent)]
    return whole - sum(shown)


# --- one district against everywhere else (the bill dashboard's district view) --------------------


def in_places(codes: Sequence[str]) -> ColumnElement[bool]:
    """Comments from these places: counties and townships by their code's first 5 or 8
    characters, villages whole. A comment giving only a township that a district splits belongs
    to no district."""
    counties = [c for c in codes if len(c) == place_data.COUNTY_LEN]
    townships = [c for c in codes if len(c) == place_data.TOWNSHIP_LEN]
    villages = [c for c in codes if len(c) == place_data.VILLAGE_LEN]
    return or_(
        func.substr(Comment.place_code, 1, place_data.COUNTY_LEN).in_(counties or [""]),
        func.substr(Comment.place_code, 1, place_data.TOWNSHIP_LEN).in_(townships or [""]),
        col(Comment.place_code).in_(villages or [""]),
    )


def stance_by_article(
    session: Session, sources: Sequence[Source], codes: Sequence[str] | None = None
) -> dict[int | None, dict[str, int]]:
    """{article: {stance: comments}} in one grouped query, from `codes` only when given."""
    clauses = _where(sources)
    if codes is not None:
        clauses.append(in_places(codes))
    query = (
        select(Comment.article, Comment.stance, func.count())
        .where(*clauses)
        .group_by(col(Comment.article), col(Comment.stance))
    )
    found: dict[int | None, dict[str, int]] = {}
    for article, stance, n in session.exec(query):
        found.setdefault(article, {})[stance] = int(n)
    return found


def theme_counts(session: Session, analysis_id: int, codes: Sequence[str] | None = None) -> dict[int, int]:
    """{theme id: comments} of one analysis, from `codes` only when given."""
    query = (
        select(AnalysisThemeComment.theme_id, func.count())
        .join(Comment, col(Comment.id) == AnalysisThemeComment.comment_id)
        .where(AnalysisThemeComment.analysis_id == analysis_id, col(AnalysisThemeComment.theme_id).is_not(None))
    )
    if codes is not None:
        query = query.where(in_places(codes))
    found = session.exec(query.group_by(col(AnalysisThemeComment.theme_id)))
    return {int(theme): int(n) for theme, n in found if theme is not None}


def busiest_subjects(session: Session, kind: str, codes: Sequence[str], limit: int = 20) -> list[tuple[int, int, int]]:
    """(subject id, comments, people) from these places, most comments first, only those with at
    least five people (one grouped query)."""
    query = (
        select(Comment.subject_id, func.count(), _people())
        .where(Comment.subject_kind == kind, in_places(codes))
        .group_by(col(Comment.subject_id))
        .order_by(func.count().desc())
    )
    found = [(int(s), int(c), int(p)) for s, c, p in session.exec(query)]
    return [row for row in found if arithmetic.safe(row[1:])][:limit]


def inside_and_outside(
    session: Session, sources: Sequence[Source], codes: Sequence[str], only: Filter | None = None
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(comments, people) from inside a scope and from everywhere else (no place given included),
    or None when either holds 1 to 4 people or comments (the total is public, so one gives the
    other away)."""
    where = _where(sources, only)
    here_comments, here_people = session.exec(select(func.count(), _people()).where(*where, in_places(codes))).one()
    all_comments, all_people = session.exec(select(func.count(), _people()).where(*where)).one()
    inside_counts = (int(here_comments), int(here_people or 0))
    outside_counts = (int(all_comments) - inside_counts[0], int(all_people or 0) - inside_counts[1])
    if not arithmetic.safe([*inside_counts, *outside_counts]):
        return None
    return inside_counts, outside_counts


def district_total(session: Session, sources: Sequence[Source], codes: Sequence[str]) -> tuple[int, int]:
    query = select(func.count(), _people()).where(*_where(sources), in_places(codes))
    comments, people = session.exec(query).one()
    return int(comments), int(people or 0)


@dataclass
class Cell:
    here: int | None  # None: hidden (too few)
    elsewhere: int | None


def district_cells(here: dict[str, int], everywhere: dict[str, int]) -> dict[str, Cell]:
    """One row (an article, or the themes): the district's counts with small ones hidden (and as
    many others as it takes, `analysis.places.hide_small`), and everywhere else's, hidden with
    them, since the whole minus everywhere else would give the district's back."""
    hidden = arithmetic.hide_small(here)
    return {
        key: Cell(None, None) if key in hidden else Cell(here.get(key, 0), total - here.get(key, 0))
        for key, total in everywhere.items()
    }
