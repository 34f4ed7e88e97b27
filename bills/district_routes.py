"""For legislative staff: a bill's feedback from one legislator's district against everywhere else
(positions by article, amendments among them, themes, and the linked consultations' comments), and
a district's page listing the bills with the most feedback from it.

bills/ has no legislators of its own (a bill names its sponsors as text), so the district is what
staff pick. Every count from a district hides numbers below five, with everywhere else's beside
it hidden too (`feedback.places.district_cells`); no comment is listed by place, since a comment is
public with its author's name and its place must not be."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from bills import links, services
from bills.models import Bill
from bills.subject import BILLS
from core import i18n
from core import places as place_data
from core.accounts import Role
from core.db import pk
from core.errors import N_
from core.web import Ctx, page
from feedback import analyses, report
from feedback import places as counting
from feedback.models import STANCE_LABELS
from feedback.subjects import Subject

NO_DISTRICT = N_("There is no such legislator's district.")
FEW = 5


def _district(ctx: Ctx, code: str) -> place_data.Constituency | None:
    if not code:
        return None
    found = ctx.db.get(place_data.Constituency, code)
    if found is None:
        raise HTTPException(404, detail=NO_DISTRICT)
    return found


def _summed(by_article: dict[int | None, dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for stances in by_article.values():
        for stance, n in stances.items():
            total[stance] = total.get(stance, 0) + n
    return total


def _linked_rows(ctx: Ctx, bill: Bill, codes: list[str]) -> list[tuple[Subject, dict[str, counting.Cell]]]:
    rows = []
    for consultation in links.consultations_of(ctx.db, bill):
        source = [(consultation.kind, consultation.id)]
        everywhere = _summed(counting.stance_by_article(ctx.db, source))
        here = _summed(counting.stance_by_article(ctx.db, source, codes))
        rows.append((consultation, counting.district_cells(here, everywhere)))
    return rows


def _themes(ctx: Ctx, bill: Bill, codes: list[str]) -> list[tuple[Any, counting.Cell]]:
    analysis = analyses.analysis_for(ctx.db, "bill", pk(bill))
    if analysis is None or analysis.status != "done":
        return []
    views = report.theme_views(ctx.db, analysis, members_shown=0)
    everywhere = {str(k): n for k, n in counting.theme_counts(ctx.db, pk(analysis), None).items()}
    here = {str(k): n for k, n in counting.theme_counts(ctx.db, pk(analysis), codes).items()}
    cells = counting.district_cells(here, everywhere)
    return [(view, cells.get(str(view.theme.id), counting.Cell(0, 0))) for view in views]


@page
def bill_districts(ctx: Ctx) -> Response:
    ctx.require_role(Role.legislative_staff)
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    district = _district(ctx, ctx.query("district"))
    context: dict[str, Any] = {}
    if district is not None:
        codes = place_data.constituency_parts(ctx.db, district.code)
        sources = BILLS.feedback_sources(ctx.db, services.subject_of(bill))
        comments, people = counting.district_total(ctx.db, sources, codes)
        shown = people >= FEW and comments >= FEW
        everywhere = counting.stance_by_article(ctx.db, [("bill", pk(bill))])
        here = counting.stance_by_article(ctx.db, [("bill", pk(bill))], codes)
        context = {
            "comments": comments if shown else None,
            "people": people if shown else None,
            "by_article": {a: counting.district_cells(here.get(a, {}), s) for a, s in everywhere.items()}
            if shown
            else {},
            "linked": _linked_rows(ctx, bill, codes) if shown else [],
            "themes": _themes(ctx, bill, codes) if shown else [],
        }
    articles = services.articles_of(ctx.db, bill)
    return ctx.render(
        "bills/districts.html",
        bill=bill,
        district=district,
        districts=place_data.constituencies(ctx.db),
        articles=articles,
        article_by_number={a.number: a for a in articles},
        stance_labels=STANCE_LABELS,
        **context,
    )


@page
def district_page(ctx: Ctx) -> Response:
    """A district's page: the bills with the most feedback from it."""
    ctx.require_role(Role.legislative_staff)
    district = _district(ctx, ctx.request.path_params["code"])
    if district is None:
        raise HTTPException(404, detail=NO_DISTRICT)
    codes = place_data.constituency_parts(ctx.db, district.code)
    busiest = counting.busiest_subjects(ctx.db, "bill", codes)
    bills = {pk(b): b for b in services.bills_by_id(ctx.db, [bill_id for bill_id, _c, _p in busiest])}
    return ctx.render(
        "bills/district.html",
        district=district,
        places=[place_data.place_label(ctx.db, code, i18n.get_locale()) for code in codes],
        busiest=[(bills[bill_id], c, p) for bill_id, c, p in busiest if bill_id in bills],
    )


@page
def district_list(ctx: Ctx) -> Response:
    ctx.require_role(Role.legislative_staff)
    return ctx.render("bills/district_list.html", districts=place_data.constituencies(ctx.db))


routes = [
    Route("/bills/{bill_id:int}/districts", bill_districts, name="bills:districts"),
    Route("/districts", district_list, name="bills:district_list"),
    Route("/districts/{code}", district_page, name="bills:district"),
]
