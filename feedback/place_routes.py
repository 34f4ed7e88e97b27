"""The places pages, mounted by every kind of subject under its own path (`routes_for`): comments
and people by county, township or legislator's district, as a map, a table, CSV, JSON and the API,
filtered by one article or one theme at a time, with who is over- and under-represented.

They are as public as the subject: the counts are aggregates with every number below five merged
away (`analysis.places`), the same open data as the comments themselves, which anyone may
download; a draft consultation's are seen only by those who manage it."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import i18n
from core import places as place_data
from core.api import PREFIX, add_schemas, path_parameter
from core.errors import N_
from core.web import Ctx, csv_download, json_download, page
from feedback import analyses, place_map
from feedback import places as counting
from feedback.access import visible_subject
from feedback.models import STANCE_LABELS, AnalysisTheme
from feedback.places import Filter, Level, PlaceTable, Row
from feedback.subjects import Subject, SubjectKind

ONE_FILTER = N_("Filter by an article or by a theme, not both at once.")
NO_THEME = N_("There is no such theme in this analysis.")
FIELDS = ["code", "name", "comments", "people", "population", "ratio"]


def level_of(ctx: Ctx, default: Level = Level.county) -> Level:
    raw = ctx.query("level") or default
    if raw not in Level.__members__:
        raise HTTPException(400, detail=counting.BAD_LEVEL)
    return Level(raw)


def themes_of(ctx: Ctx, kind: SubjectKind, subject: Subject) -> list[AnalysisTheme]:
    """The analysis themes this reader may filter by: analysts always, others once published."""
    analysis = analyses.analysis_for(ctx.db, subject.kind, subject.id)
    if analysis is None or analysis.status != "done":
        return []
    if analysis.published_at is None and not kind.can_manage(ctx.member, ctx.roles, subject):
        return []
    query = select(AnalysisTheme).where(AnalysisTheme.analysis_id == analysis.id)
    return list(ctx.db.exec(query.order_by(col(AnalysisTheme.position))))


def filter_of(ctx: Ctx, themes: list[AnalysisTheme], articles: set[int]) -> Filter:
    article, theme = ctx.int_query("article"), ctx.int_query("theme")
    if article is not None and theme is not None:
        raise HTTPException(400, detail=ONE_FILTER)
    if article is not None and article not in articles:
        raise HTTPException(400, detail=N_("There is no such article in this draft."))
    if theme is not None and theme not in {t.id for t in themes}:
        raise HTTPException(400, detail=NO_THEME)
    return Filter(article=article, theme_id=theme)


def row_name(row: Row) -> str:
    """The row's name in the reader's language; a remainder says what it holds."""
    english = not i18n.get_locale().startswith("zh")
    if row.code == counting.ELSEWHERE:
        return i18n.gettext(N_("Elsewhere, or no place given"))
    if row.remainder:
        parent = row.parent_name_en if english and row.parent_name_en else row.parent_name
        return i18n.gettext(N_("Other places in %(place)s")) % {"place": parent}
    return row.name_en if english and row.name_en else row.name


def as_json(places: PlaceTable) -> dict[str, Any]:
    return {
        "level": places.level.value,
        "places": [
            {
                "code": row.code,
                "name": row_name(row),
                "comments": row.comments,
                "people": row.people,
                "population": row.population,
                "ratio": row.ratio,
            }
            for row in places.rows
        ],
    }


API_DOC = """Comments and people by place.
---
summary: {title}'s comments and people by county, township or legislator's district
description: Places with fewer than five people are merged into "other places in" their county, or into "elsewhere"
  (which also holds comments with no place), so no number below five is shown. ratio is the place's share of
  the people against its share of the population (1 is exactly representative).
tags: [{tag}]
parameters:
  - {parameter}
  - {{name: level, in: query, required: false, schema: {{type: string, enum: [county, township, constituency]}}}}
responses:
  200:
    description: The places.
    content:
      application/json:
        schema: {{$ref: '#/components/schemas/Places'}}
  400:
    description: An unknown level.
    content:
      application/json:
        schema: {{$ref: '#/components/schemas/Error'}}
  404:
    description: No such {kind}.
"""


add_schemas(
    Places={
        "type": "object",
        "properties": {
            "level": {"type": "string", "enum": [level.value for level in Level]},
            "places": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "comments": {"type": "integer"},
                        "people": {"type": "integer"},
                        "population": {"type": "integer", "nullable": True},
                        "ratio": {"type": "number", "nullable": True},
                    },
                },
            },
        },
    }
)


def routes_for(kind: SubjectKind) -> list[Route]:
    prefix, names = kind.route_prefix, kind.route_names

    def _table(ctx: Ctx, default: Level = Level.county) -> tuple[Subject, PlaceTable, Filter, list[AnalysisTheme]]:
        subject = visible_subject(ctx, kind)
        level = level_of(ctx, default)
        themes = themes_of(ctx, kind, subject)
        only = filter_of(ctx, themes, {a.number for a in kind.articles(ctx.db, subject)})
        return subject, counting.table(ctx.db, kind.feedback_sources(ctx.db, subject), level, only), only, themes

    @page
    def places_page(ctx: Ctx) -> Response:
        subject, places, only, themes = _table(ctx)
        over, under = places.over_under()
        scope = kind.scope(ctx.db, subject)
        sources = kind.feedback_sources(ctx.db, subject)
        return ctx.render(
            "feedback/places.html",
            subject=subject,
            places=places,
            drawing=place_map.draw(places),
            rate=place_map.rate,
            row_name=row_name,
            over=over[:5],
            under=under[:5],
            only=only,
            themes=themes,
            articles=kind.articles(ctx.db, subject),
            is_open=kind.closed_message(subject) is None,
            levels=counting.LEVEL_LABELS,
            stance_labels=STANCE_LABELS,
            query=ctx.request.url.query,
            scope=[place_data.place_label(ctx.db, code, i18n.get_locale()) for code in scope],
            inside=counting.inside_and_outside(ctx.db, sources, scope, only) if scope else None,
        )

    @page
    def places_csv(ctx: Ctx) -> Response:
        subject, places, _only, _themes = _table(ctx)
        rows = ([row[f] for f in FIELDS] for row in as_json(places)["places"])
        return csv_download(f"{kind.export_name(subject)}-places-{places.level.value}.csv", FIELDS, rows)

    @page
    def places_json(ctx: Ctx) -> Response:
        subject, places, _only, _themes = _table(ctx)
        body = {kind.name: kind.as_json(subject), **as_json(places)}
        return json_download(f"{kind.export_name(subject)}-places-{places.level.value}.json", body)

    def api_places(ctx: Ctx) -> Response:
        _subject, places, _only, _themes = _table(ctx)
        return JSONResponse(as_json(places))

    api_places.__doc__ = API_DOC.format(
        title=f"A {kind.name}", kind=kind.name, tag=f"{kind.name}s", parameter=path_parameter(kind.api_parameter)
    )
    return [
        Route(f"{prefix}/places", places_page, name=f"{names}:places"),
        Route(f"{prefix}/places.csv", places_csv, name=f"{names}:places_csv"),
        Route(f"{prefix}/places.json", places_json, name=f"{names}:places_json"),
        Route(f"{PREFIX}{kind.api_prefix}/places", page(api_places), name=f"api:{kind.name}_places"),
    ]
