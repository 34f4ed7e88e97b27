"""What the Meilisearch backend sends and reads: index settings, documents, query, filter, results.

Pure functions (tested without a server). Meilisearch segments Chinese with a Simplified-Chinese
dictionary, so every Chinese field also goes in as a Simplified copy (OpenCC t2s of our normal form)
pinned to the `cmn` locale, and the query's Chinese is made Simplified the same way; English goes in
as written (`eng`) and as the pipeline's lemmas, and the query asks for lemmas, since Meilisearch
stems nothing. Typo tolerance is off: "protest" must not find "protect", as in the embedded backend.
Snippets are ours (search.snippets), from the stored original text, so both backends mark alike."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from .model import KIND, Filters, Hit, Results, Sort, date_bounds, epoch, from_epoch, ordered_counts
from .snippets import snippet
from .terms import CJK, HAS_CJK, Prepared, Term

MAX_TOTAL_HITS = 10_000  # Meilisearch counts and pages no further (its default is 1,000)
MAX_FACET_VALUES = 100
_CJK_RUN = re.compile(f"[{CJK}]+")
_LATIN = re.compile(r"[a-z0-9]")
RETRIEVED = ["id", "kind", "title", "body", "url", "lang", "visibility", "date", "facets"]


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return str(_t2s().convert(text))


def uid(doc_id: str) -> str:
    """Meilisearch ids allow only [A-Za-z0-9_-]; ours ("comment:12") do not. The id itself is kept in
    a filterable field and removal goes by it."""
    return hashlib.blake2b(doc_id.encode(), digest_size=16).hexdigest()


def field(name: str) -> str:
    return KIND if name == KIND else f"facet_{name}"


def index_settings(facet_names: Sequence[str]) -> dict[str, Any]:
    return {
        "searchableAttributes": ["zh_title", "en_title", "zh_body", "en_body", "lemmas"],
        "filterableAttributes": ["id", "visibility", "date", KIND, *(field(n) for n in facet_names)],
        "sortableAttributes": ["date"],
        "localizedAttributes": [
            {"attributePatterns": ["zh_*"], "locales": ["cmn"]},
            {"attributePatterns": ["en_*", "lemmas"], "locales": ["eng"]},
        ],
        "typoTolerance": {"enabled": False},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "faceting": {"maxValuesPerFacet": MAX_FACET_VALUES, "sortFacetValuesBy": {"*": "count"}},
    }


def settings_differ(wanted: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """Whether an update is needed; order matters only for searchableAttributes (it ranks)."""
    for key, value in wanted.items():
        have = current.get(key)
        if key in ("filterableAttributes", "sortableAttributes"):
            if sorted(map(str, value)) != sorted(map(str, have or [])):
                return True
        elif isinstance(value, dict) and isinstance(have, dict):
            if any(have.get(k) != v for k, v in value.items()):
                return True
        elif have != value:
            return True
    return False


def document(p: Prepared, facet_names: Sequence[str]) -> dict[str, Any]:
    doc = p.doc
    out: dict[str, Any] = {
        "uid": uid(doc.id),
        "id": doc.id,
        KIND: doc.kind,
        "title": doc.title,
        "body": doc.body,
        "url": doc.url,
        "lang": doc.lang,
        "visibility": doc.visibility,
        "date": None if doc.date is None else epoch(doc.date),
    }
    facets: dict[str, list[str]] = {}
    for name, value in dict.fromkeys(doc.facet_pairs(facet_names)):
        if name != KIND:
            facets.setdefault(name, []).append(value)
    out["facets"] = facets  # as stored, for the hit
    out.update({field(name): values for name, values in facets.items()})  # flat, for filters and counts
    for name, normal in (("title", p.title), ("body", p.body)):
        if HAS_CJK.search(normal):
            out[f"zh_{name}"] = simplified(normal)
        latin = _CJK_RUN.sub(" ", normal)
        if _LATIN.search(latin):
            out[f"en_{name}"] = latin
    out["lemmas"] = " ".join(t for t in [*p.title_tokens, *p.body_tokens] if t.isascii())
    return out


def query_string(terms: Sequence[Term]) -> str:
    parts = []
    for term in terms:
        if " " in term.phrase:  # a quoted phrase: Meilisearch's phrase search
            phrase = simplified(term.phrase) if term.cjk else term.phrase
            parts.append('"' + phrase.replace('"', " ") + '"')
        elif term.cjk:
            parts.append(simplified(term.phrase))
        else:
            parts.append(" ".join(term.lemmas) or term.phrase)
    return " ".join(parts)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _any_of(name: str, values: Sequence[str]) -> str:
    return f"{name} IN [{', '.join(_quoted(v) for v in values)}]"


def filter_ids(ids: Sequence[str]) -> str:
    return _any_of("id", ids)


def filter_expression(filters: Filters, facet_names: Sequence[str]) -> list[str]:
    """Clauses Meilisearch ANDs. The caller has made sure visibility and every facet filter are
    non-empty (an empty one matches nothing, answered without asking)."""
    clauses = [_any_of("visibility", sorted(filters.visibility))]
    for name, values in sorted(filters.facets.items()):
        if name != KIND and name not in facet_names:
            raise ValueError(f"cannot filter on facet {name!r}: not one of {list(facet_names)}")
        clauses.append(_any_of(field(name), sorted(values)))
    low, high = date_bounds(filters.date_from, filters.date_to)
    if low is not None:
        clauses.append(f"date >= {low}")
    if high is not None:
        clauses.append(f"date <= {high}")
    return clauses


def search_params(
    terms: Sequence[Term],
    filters: Filters,
    facet_names: Sequence[str],
    names: Sequence[str],
    sort: Sort,
    limit: int,
    offset: int,
) -> tuple[dict[str, Any], int]:
    """Parameters, and how many leading hits to drop: totals are exact only in Meilisearch's page mode
    (hitsPerPage/page), so an offset that is not a whole number of pages asks for more and drops."""
    params: dict[str, Any] = {
        "filter": filter_expression(filters, facet_names),
        "facets": [field(n) for n in names],
        "matchingStrategy": "all",
        "attributesToRetrieve": RETRIEVED,
    }
    if limit and offset % limit == 0:
        params.update(hitsPerPage=limit, page=offset // limit + 1)
        skip = 0
    else:
        params.update(hitsPerPage=offset + limit, page=1)
        skip = offset
    if sort == "newest" or not terms:
        params["sort"] = ["date:desc"]
    if terms:
        cjk = any(t.cjk for t in terms)
        latin = any(not t.cjk for t in terms)
        params["locales"] = ["cmn", "eng"] if cjk and latin else ["cmn"] if cjk else ["eng"]
    return params, skip


def results(
    response: Mapping[str, Any], terms: Sequence[Term], names: Sequence[str], skip: int, filters: Filters
) -> Results:
    hits = []
    for doc in response.get("hits", [])[skip:]:
        if doc.get("visibility") not in filters.visibility:  # the filter already excluded it; a second lock
            continue
        when: datetime | None = from_epoch(doc.get("date"))
        facets = {name: tuple(values) for name, values in (doc.get("facets") or {}).items()}
        body = doc.get("body") or doc.get("title") or ""
        hits.append(
            Hit(doc["id"], doc[KIND], doc["title"], doc["url"], snippet(body, terms), doc["lang"], when, facets)
        )
    by_field = {field(n): n for n in names}
    counts = {
        (by_field[f], value): n
        for f, values in (response.get("facetDistribution") or {}).items()
        if f in by_field
        for value, n in values.items()
    }
    return Results(int(response.get("totalHits", 0)), hits, ordered_counts(counts, names))
