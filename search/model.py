"""What goes into search and what comes out, the same for every backend.

A `Document` is what a domain package's `indexing.py` hands over; `search()` takes a query, the
viewer's `Filters` (always with the visibilities the viewer may see: there is no default, so no
caller can forget them) and returns `Results` of `Hit`s whose snippets are already safe HTML."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Literal

from markupsafe import Markup

Sort = Literal["relevance", "newest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest")

PUBLIC = "public"

# The facets a backend counts and filters on unless told otherwise. Meilisearch must declare its
# filterable attributes before indexing, so both backends take the list at construction and refuse
# a document whose facets fall outside it, rather than let one backend count what the other drops.
DEFAULT_FACETS: tuple[str, ...] = ("agency", "status", "stage", "tag", "article", "subject")

# "kind" is a facet too (counted and filtered like the others) but comes from Document.kind.
KIND = "kind"

_FACET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SearchUnavailable(Exception):
    """The backend cannot be reached (or answers with an error): a page says search is down for now
    instead of failing, and the outbox keeps the writes to retry."""


def check_facet_names(names: Iterable[str]) -> tuple[str, ...]:
    """Facet names end up in SQL and in Meilisearch filter expressions: letters, digits, underscores."""
    names = tuple(names)
    for name in names:
        if not _FACET_NAME.match(name) or name == KIND:
            raise ValueError(f"facet name {name!r} must match {_FACET_NAME.pattern} and not be {KIND!r}")
    return names


@dataclass(frozen=True)
class Document:
    id: str  # unique across kinds, e.g. "comment:123"
    kind: str  # "comment", "bill", "post"...; also counted and filtered as the facet "kind"
    title: str
    body: str
    lang: str  # "zh" or "en" (a tag like "zh-TW" is fine); "" to detect it from the text
    url: str
    facets: Mapping[str, str | int | Sequence[str | int]]  # e.g. {"agency": 12, "tag": ["長照", "健保"]}
    visibility: str  # "public", "agency:12", "hidden"...: matched exactly against Filters.visibility
    date: datetime | date | None = None  # for newest-first and date ranges; naive means UTC

    def facet_pairs(self, allowed: Collection[str]) -> list[tuple[str, str]]:
        """(name, value) for every facet value, "kind" first; a name outside `allowed` is an error."""
        pairs = [(KIND, self.kind)]
        for name, values in self.facets.items():
            if name not in allowed:
                raise ValueError(f"document {self.id!r}: facet {name!r} is not one of {sorted(allowed)}")
            for value in [values] if isinstance(values, str | int) else values:  # an agency's number as is
                pairs.append((name, str(value)))
        return pairs


@dataclass(frozen=True)
class Filters:
    """`visibility`: every visibility the viewer may see ("public" for everyone; add "agency:12" for
    that agency's staff...). `facets`: name -> accepted values; a document passes when, for each
    name, it has one of the values ("kind" filters Document.kind). Dates are inclusive."""

    visibility: Collection[str]
    facets: Mapping[str, Collection[str]] = field(default_factory=dict)
    date_from: datetime | date | None = None
    date_to: datetime | date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.visibility, str):
            raise TypeError("Filters.visibility is a collection of visibilities, not one string")
        object.__setattr__(self, "visibility", frozenset(self.visibility))
        object.__setattr__(self, "facets", {name: frozenset(values) for name, values in self.facets.items()})


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    title: str
    url: str
    snippet: Markup  # escaped text of the body with the matches in <mark>
    lang: str
    date: datetime | None
    facets: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Results:
    total: int  # every matching document the viewer may see, not just this page
    hits: list[Hit]
    facets: dict[str, dict[str, int]]  # name -> value -> count over all matches, largest first


def epoch(value: datetime | date) -> int:
    """Whole seconds since 1970 (UTC); a naive datetime or a bare date is taken as UTC."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def date_bounds(date_from: datetime | date | None, date_to: datetime | date | None) -> tuple[int | None, int | None]:
    """A date range as inclusive epoch seconds; a bare `date_to` means the end of that day."""
    low = None if date_from is None else epoch(date_from)
    high = None if date_to is None else epoch(date_to) + (0 if isinstance(date_to, datetime) else 86_399)
    return low, high


def from_epoch(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def check_page(sort: str, limit: int, offset: int) -> None:
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")


def ordered_counts(counts: Mapping[tuple[str, str], int], names: Iterable[str]) -> dict[str, dict[str, int]]:
    """{(name, value): n} as name -> value -> n, largest count first (ties by value), every asked name present."""
    result: dict[str, dict[str, int]] = {name: {} for name in names}
    for (name, value), n in sorted(counts.items(), key=lambda item: (-item[1], item[0][1])):
        if name in result:
            result[name][value] = n
    return result
