"""Counting by place without naming anyone: small-count merging, representativeness against the
population, and a population-weighted stance. Plain data in and out (place codes are strings).

Small counts. No place is shown with fewer than `FLOOR` people (or comments). A place too small
is merged into a remainder ("other places in 臺東縣", or "elsewhere"), and a remainder is itself
kept at zero or at least `FLOOR`: when it would hold 1 to 4, the smallest shown place joins it.
That stops differencing within a table: the county's total minus its shown townships is the
remainder, never one small township. A filtered view (one theme, one article) is compared with
the unfiltered one: a place is shown there only when what the filter leaves out of it is also zero
or at least `FLOOR`, so the unfiltered count minus the filtered one reveals no small number either.
The same rule suppresses small cells of any table (`hide_small`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

FLOOR = 5
OVER = 1.25  # a place with 25% more participants than its share of the population
UNDER = 0.8


@dataclass(frozen=True)
class Count:
    """What one place holds: comments and people, and for a filtered view, the same counted unfiltered."""

    code: str
    comments: int
    people: int
    all_comments: int | None = None  # None: this view is unfiltered
    all_people: int | None = None

    def parts(self) -> tuple[int, ...]:
        """Every number a reader could work out for this place from the pages."""
        if self.all_comments is None or self.all_people is None:
            return (self.comments, self.people, 0, 0)
        return (self.comments, self.people, self.all_comments - self.comments, self.all_people - self.people)


@dataclass
class Group:
    """A row as shown: one place, or a remainder standing for several (`codes`)."""

    code: str  # the place's code; a remainder's is "other:<parent>" or "elsewhere"
    comments: int = 0
    people: int = 0
    codes: list[str] = field(default_factory=list)
    remainder: bool = False
    all_comments: int = 0
    all_people: int = 0

    def add(self, count: Count) -> None:
        self.codes.append(count.code)
        self.comments += count.comments
        self.people += count.people
        self.all_comments += count.comments if count.all_comments is None else count.all_comments
        self.all_people += count.people if count.all_people is None else count.all_people

    def parts(self) -> tuple[int, ...]:
        return (self.comments, self.people, self.all_comments - self.comments, self.all_people - self.people)


def safe(parts: Iterable[int], floor: int = FLOOR) -> bool:
    """Each number is zero or at least the floor."""
    return all(n == 0 or n >= floor for n in parts)


def _sum(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _size(count: Count) -> tuple[int, int, str]:
    return (count.people, count.comments, count.code)


def merge(counts: Sequence[Count], remainder_code: str, floor: int = FLOOR) -> list[Group]:
    """The places safe to show on their own, largest first, then the remainder when it holds anything.

    The remainder holds every unsafe place, and what has no place (code ""); while its own numbers
    are unsafe, a shown place joins it: the smallest that makes it safe, or else the smallest that
    holds anything. A place where nobody spoke is shown with its zero (who is missing matters).
    A remainder that ends up holding everything is still returned: the caller decides whether the
    whole is safe to show (it is the parent's own count)."""
    shown = sorted((c for c in counts if c.code and safe(c.parts(), floor)), key=_size, reverse=True)
    rest = Group(remainder_code, remainder=True)
    for count in counts:
        if count not in shown:
            rest.add(count)
    while not safe(rest.parts(), floor):
        holding = [c for c in shown if any(c.parts())]
        if not holding:
            break
        joins = next((c for c in reversed(holding) if safe(_sum(rest.parts(), c.parts()), floor)), holding[-1])
        shown.remove(joins)
        rest.add(joins)
    groups = []
    for count in shown:
        group = Group(count.code)
        group.add(count)
        groups.append(group)
    if any(rest.parts()) or rest.all_comments:
        groups.append(rest)
    return groups


def merge_within(
    counts: Sequence[Count], parent_of: Mapping[str, str], shown_parents: set[str], floor: int = FLOOR
) -> list[Group]:
    """Small places merged within their parent (townships within a county): each parent in
    `shown_parents` (those safe at their own level) gets its safe children and an "other:<parent>"
    remainder; the children of every other parent go to "elsewhere", with what no parent holds."""
    by_parent: dict[str, list[Count]] = {}
    for count in counts:
        parent = parent_of.get(count.code, "")
        by_parent.setdefault(parent if parent in shown_parents else "", []).append(count)
    groups: list[Group] = []
    for parent in sorted(p for p in by_parent if p):
        groups.extend(merge(by_parent[parent], f"other:{parent}", floor))
    elsewhere = Group("elsewhere", remainder=True)
    for count in by_parent.get("", []):
        elsewhere.add(count)
    if elsewhere.codes and (elsewhere.comments or elsewhere.all_comments):
        groups.append(elsewhere)
    return groups


def hide_small(cells: Mapping[str, int], floor: int = FLOOR) -> set[str]:
    """The cells of one row to hide so that neither a cell nor the row total minus the shown cells
    is a number from 1 to floor - 1: the small cells, then the smallest others until what is hidden
    adds up to zero or at least the floor."""
    hidden = {key for key, n in cells.items() if 0 < n < floor}
    others = sorted((n, key) for key, n in cells.items() if key not in hidden and n > 0)
    while others and not safe([sum(cells[k] for k in hidden)], floor):
        hidden.add(others.pop(0)[1])
    return hidden


@dataclass(frozen=True)
class Representation:
    code: str
    people: int
    population: int
    share: float  # of all participants placed
    population_share: float
    ratio: float  # share / population_share: 1 is exactly representative
    verdict: str  # "over", "under" or "even"


def representation(people: Mapping[str, int], population: Mapping[str, int]) -> list[Representation]:
    """Participants per place against its share of the population, for places with a population,
    most under-represented first. People from places without a population are left out of the shares."""
    counted = {code: n for code, n in people.items() if population.get(code)}
    total_people = sum(counted.values())
    total_population = sum(population[code] for code in counted) if counted else 0
    if not total_people or not total_population:
        return []
    found = []
    for code, n in counted.items():
        share, population_share = n / total_people, population[code] / total_population
        ratio = share / population_share
        verdict = "over" if ratio >= OVER else "under" if ratio < UNDER else "even"
        found.append(Representation(code, n, population[code], share, population_share, ratio, verdict))
    return sorted(found, key=lambda r: (r.ratio, r.code))


def stance_shares(by_place: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """The raw share of each stance over every comment counted."""
    totals: dict[str, int] = {}
    for stances in by_place.values():
        for stance, n in stances.items():
            totals[stance] = totals.get(stance, 0) + n
    whole = sum(totals.values())
    return {stance: n / whole for stance, n in sorted(totals.items())} if whole else {}


def weighted_stance_shares(
    by_place: Mapping[str, Mapping[str, int]], population: Mapping[str, int]
) -> dict[str, float]:
    """Each stance's share as if every place had spoken in proportion to its population: the
    stance shares within each place, averaged with the places' populations as weights. Places
    without a population or without comments carry no weight."""
    weighted: dict[str, float] = {}
    weight = 0
    for code, stances in by_place.items():
        whole = sum(stances.values())
        people = population.get(code, 0)
        if not whole or not people:
            continue
        weight += people
        for stance, n in stances.items():
            weighted[stance] = weighted.get(stance, 0.0) + people * n / whole
    return {stance: value / weight for stance, value in sorted(weighted.items())} if weight else {}
