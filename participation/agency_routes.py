"""Public pages about agencies: an agency's page, Atom feeds, and participation indicators
(site-wide and per agency, with their numbers as CSV)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from core import accounts, notify
from core.db import pk
from core.feeds import atom_response
from core.web import Ctx, csv_download, page
from participation import feeds, indicators, proposals, services
from participation.access import visible_consultation
from participation.models import PHASE_LABELS, PROPOSAL_STATE_LABELS


@page
def agency_page(ctx: Ctx) -> Response:
    agency = accounts.get_agency(ctx.db, ctx.request.path_params["slug"])
    consultations = services.list_consultations(ctx.db, agency=agency)
    items = [p for p in proposals.public_proposals(ctx.db) if p.agency_id == agency.id]
    late = [p for p in proposals.overdue(ctx.db) if p.agency_id == agency.id]
    return ctx.render(
        "participation/agency.html",
        agency=agency,
        consultations=consultations,
        proposals=items,
        overdue=late,
        phase_labels=PHASE_LABELS,
        state_labels=PROPOSAL_STATE_LABELS,
        following=notify.is_following(ctx.db, ctx.member, "agency", pk(agency)),
    )


@page
def agency_feed(ctx: Ctx) -> Response:
    agency = accounts.get_agency(ctx.db, ctx.request.path_params["slug"])
    return atom_response(
        ctx,
        agency.name,
        f"/agencies/{agency.slug}/feed.atom",
        f"/agencies/{agency.slug}",
        feeds.agency_entries(ctx.db, agency),
        agency.name,
    )


@page
def consultation_feed(ctx: Ctx) -> Response:
    consultation = visible_consultation(ctx)
    owner = ctx.db.get(accounts.Agency, consultation.agency_id)
    return atom_response(
        ctx,
        consultation.title,
        f"/c/{consultation.slug}/feed.atom",
        f"/c/{consultation.slug}",
        feeds.consultation_entries(ctx.db, consultation),
        owner.name if owner else "",
    )


def _indicator_page(ctx: Ctx, agency: accounts.Agency | None) -> Response:
    data = indicators.compute(ctx.db, agency)
    peak = max([m.comments for m in data.months] + [1])
    csv_url = f"/agencies/{agency.slug}/indicators.csv" if agency else "/indicators.csv"
    return ctx.render("participation/indicators.html", data=data, agency=agency, peak=peak, csv_url=csv_url)


def _indicator_csv(ctx: Ctx, agency: accounts.Agency | None) -> Response:
    """Long format (indicator, period, value): one table that any spreadsheet can pivot."""
    data = indicators.compute(ctx.db, agency)
    rows: list[list[object]] = []
    for month in data.months:
        rows += [[name, month.month, getattr(month, name)] for name in ("consultations", "comments", "participants")]
    totals = (
        "consultations",
        "comments",
        "participants",
        "closed",
        "answered",
        "median_days_to_response",
        "proposals_due",
        "proposals_on_time",
        "themes",
        "themes_changing_text",
    )
    rows += [[name, "all", getattr(data, name)] for name in totals]
    return csv_download(f"indicators-{agency.slug if agency else 'all'}.csv", ["indicator", "period", "value"], rows)


@page
def site_indicators(ctx: Ctx) -> Response:
    return _indicator_page(ctx, None)


@page
def site_indicators_csv(ctx: Ctx) -> Response:
    return _indicator_csv(ctx, None)


@page
def agency_indicators(ctx: Ctx) -> Response:
    return _indicator_page(ctx, accounts.get_agency(ctx.db, ctx.request.path_params["slug"]))


@page
def agency_indicators_csv(ctx: Ctx) -> Response:
    return _indicator_csv(ctx, accounts.get_agency(ctx.db, ctx.request.path_params["slug"]))


routes = [
    Route("/indicators", site_indicators, name="participation:indicators"),
    Route("/indicators.csv", site_indicators_csv, name="participation:indicators_csv"),
    Route("/agencies/{slug}/indicators", agency_indicators, name="participation:indicators_agency"),
    Route("/agencies/{slug}/indicators.csv", agency_indicators_csv, name="participation:indicators_agency_csv"),
    Route("/agencies/{slug}", agency_page, name="participation:agency"),
    Route("/agencies/{slug}/feed.atom", agency_feed, name="participation:agency_feed"),
    Route("/c/{slug}/feed.atom", consultation_feed, name="participation:consultation_feed"),
]
