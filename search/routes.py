"""The search page (a plain GET form, and results as you type through HTMX) and the search API.
Both show a viewer only what they may see; when the backend is down they say so (503)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import accounts
from core.api import PREFIX, paging
from core.errors import N_
from core.web import Ctx, page

from . import viewers
from .backend import SearchBackend
from .model import KIND, SORTS, Filters, Results, SearchUnavailable
from .site import FACETS, facet_labels, titles_of

PER_PAGE = 20
LIVE = 5  # hits in the header box's list; the page has the rest
QUERY_MAX = 200
SHOWN_FACETS = (KIND, "subject", "article", "agency", "status", "stage", "tag")
FACET_NAMES = {
    KIND: N_("Kind"),
    "subject": N_("Part of:"),
    "article": N_("Article"),
    "agency": N_("Agency"),
    "status": N_("Status"),
    "stage": N_("Stage"),
    "tag": N_("Policy area"),
}


@dataclass
class Asked:
    query: str
    facets: dict[str, list[str]]
    date_from: date | None
    date_to: date | None
    sort: str


def asked(ctx: Ctx) -> Asked:
    """The query string as a search; nonsense is a 400 with the reason."""
    query = ctx.query("q").strip()
    if len(query) > QUERY_MAX:
        raise HTTPException(400, detail=N_("The search is too long (200 characters at most)."))
    sort = ctx.query("sort") or "relevance"
    if sort not in SORTS:
        raise HTTPException(400, detail=N_("Sort by relevance or newest."))
    facets = {
        name: [v for v in ctx.request.query_params.getlist(name) if v][:20]
        for name in (KIND, *FACETS)
        if ctx.request.query_params.getlist(name)
    }
    return Asked(query, {k: v for k, v in facets.items() if v}, ctx.date_query("from"), ctx.date_query("to"), sort)


def run_search(ctx: Ctx, wanted: Asked, number: int, per_page: int, counted: bool = True) -> Results:
    """`counted=False` asks for no facet counts (the header's list shows none): counting is most of
    the time of a query with many matches."""
    backend: SearchBackend = ctx.request.app.state.search
    filters = Filters(
        visibility=viewers.visibilities(ctx.db, ctx.member, ctx.roles),
        facets=wanted.facets,
        date_from=wanted.date_from,
        date_to=wanted.date_to,
    )
    offset = (number - 1) * per_page
    return backend.search(wanted.query, filters, wanted.sort, per_page, offset, None if counted else ())  # type: ignore[arg-type]


def _facet_views(ctx: Ctx, results: Results, wanted: Asked) -> list[dict[str, Any]]:
    """Each shown facet with its values, counts, labels and whether it is chosen."""
    # Names looked up rather than translated: agencies, and what hits are part of.
    named = {
        "agency": {a.slug: a.name for a in accounts.list_agencies(ctx.db)},
        "subject": titles_of(ctx.db, list(results.facets.get("subject", {}))),
    }
    views = []
    for name in SHOWN_FACETS:
        counts = results.facets.get(name, {})
        if not counts or (name == "article" and len(wanted.facets.get("subject", [])) != 1):
            continue  # article numbers mean something within one consultation or bill only
        labels = facet_labels.get(name, {})
        values = [
            {
                "value": value,
                "label": named[name].get(value, value) if name in named else labels.get(value, value),
                "translate": name not in named and value in labels,
                "article": value if name == "article" else None,
                "count": n,
                "chosen": value in wanted.facets.get(name, []),
                "link": _toggle(wanted, name, value),
            }
            for value, n in counts.items()
        ]
        views.append({"name": name, "values": values})
    return views


def _toggle(wanted: Asked, name: str, value: str) -> str:
    """The search with `value` of facet `name` chosen, or no longer chosen; back to page 1."""
    chosen = wanted.facets.get(name, [])
    kept = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
    return _link(Asked(wanted.query, {**wanted.facets, name: kept}, wanted.date_from, wanted.date_to, wanted.sort))


def html_lang(lang: str) -> str:
    """A document's detected language as an HTML lang attribute, so each renders in its own script."""
    return {"zh": "zh-Hant", "en": "en"}.get(lang[:2], "")


def _context(ctx: Ctx, results: Results) -> dict[str, str]:
    """hit id -> the title of what it is on (a comment's consultation, a post's discussion)."""
    values = {hit.id: hit.facets["subject"][0] for hit in results.hits if hit.facets.get("subject")}
    titles = titles_of(ctx.db, sorted(set(values.values())))
    return {hit_id: titles[value] for hit_id, value in values.items() if value in titles}


def _link(wanted: Asked, **changes: Any) -> str:
    params: list[tuple[str, str]] = [("q", wanted.query)]
    for name, values in wanted.facets.items():
        params += [(name, v) for v in values]
    if wanted.date_from:
        params.append(("from", wanted.date_from.isoformat()))
    if wanted.date_to:
        params.append(("to", wanted.date_to.isoformat()))
    if wanted.sort != "relevance":
        params.append(("sort", wanted.sort))
    params += [(k, str(v)) for k, v in changes.items()]
    return "/search?" + urlencode(params)


@page
def search_page(ctx: Ctx) -> Response:
    wanted = asked(ctx)
    number = ctx.int_query("page") or 1
    live = ctx.htmx and ctx.request.headers.get("hx-target") == "search-live"
    context: dict[str, Any] = {"wanted": wanted, "results": None, "unavailable": False, "page": number}
    status = 200
    if wanted.query or wanted.facets:
        try:
            results = run_search(ctx, wanted, number, LIVE if live else PER_PAGE, counted=not live)
        except SearchUnavailable:
            context["unavailable"], status = True, 503
        else:
            context.update(
                results=results,
                facets=_facet_views(ctx, results, wanted),
                kind_labels=facet_labels[KIND],
                previous=_link(wanted, page=number - 1) if number > 1 else None,
                next=_link(wanted, page=number + 1) if number * PER_PAGE < results.total else None,
                newest=_link(Asked(wanted.query, wanted.facets, wanted.date_from, wanted.date_to, "newest"))
                if wanted.sort == "relevance"
                else None,
                see_all=_link(wanted),
                langs={hit.id: html_lang(hit.lang) for hit in results.hits},
                on=_context(ctx, results),
            )
    partial = "search/_live.html" if live else "search/_results.html"
    return ctx.render("search/search.html", status, partial=partial, htmx=ctx.htmx, facet_names=FACET_NAMES, **context)


@page
def api_search(ctx: Ctx) -> Response:
    """Search everything public.
    ---
    summary: Search everything public, in Chinese (either script) or English
    tags: [search]
    parameters:
      - {name: q, in: query, required: true, schema: {type: string, maxLength: 200}}
      - name: kind
        in: query
        schema: {type: string}
        description: One kind of document (consultation, article, comment, bill, proposal, post...)
      - {name: agency, in: query, schema: {type: string}, description: "An agency's short name"}
      - {name: status, in: query, schema: {type: string}}
      - {name: stage, in: query, schema: {type: string}}
      - {name: tag, in: query, schema: {type: string}}
      - {name: article, in: query, schema: {type: string}}
      - {name: subject, in: query, schema: {type: string}, description: "consultation:<id> or bill:<id>"}
      - {name: from, in: query, schema: {type: string, format: date}}
      - {name: to, in: query, schema: {type: string, format: date}}
      - {name: sort, in: query, schema: {type: string, enum: [relevance, newest]}}
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
    responses:
      200:
        description: "A page of hits: total (every match), items (kind, id, title, url, snippet) and facet counts."
      400:
        description: A bad parameter.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
      503:
        description: Search is unavailable for now.
    """
    wanted = asked(ctx)
    number, per_page = paging(ctx, PER_PAGE)
    try:
        results = run_search(ctx, wanted, number, per_page)
    except SearchUnavailable:
        raise HTTPException(503, detail=N_("Search is unavailable for now. Please try again later.")) from None
    return JSONResponse(
        {
            "total": results.total,
            "page": number,
            "per_page": per_page,
            "items": [hit_json(h) for h in results.hits],
            "facets": results.facets,
        }
    )


def hit_json(hit: Any) -> dict[str, Any]:
    return {"kind": hit.kind, "id": hit.id, "title": hit.title, "url": hit.url, "snippet": str(hit.snippet)}


routes = [
    Route("/search", search_page, name="search:search"),
    Route(f"{PREFIX}/search", api_search, name="api:search"),
]
