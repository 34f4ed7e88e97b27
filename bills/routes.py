"""Bill pages: the list (filterable, with feedback counts, as CSV for staff), a bill with its
timeline and text article by article, comments per article, and the page explaining the stages."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from bills import links, services, stages
from bills.models import Bill
from bills.subject import BILLS
from core import notify
from core.accounts import Role
from core.db import pk
from core.errors import N_
from core.feeds import Entry, atom_response
from core.i18n import gettext as translate
from core.web import Ctx, csv_download, page
from deliberation import discussions, polls
from feedback import (
    analyses,
    analysis_routes,
    comment_routes,
    comments,
    place_routes,
    response_routes,
    responses,
)
from feedback.subjects import Subject

PAGE_SIZE = 50
SOURCES = ("tw-ly", "us-congress", "manual")


def filters_from(ctx: Ctx) -> dict[str, Any]:
    stage = ctx.query("stage") or None
    if stage and stage not in stages.BY_KEY:
        raise HTTPException(400, detail=N_("Unknown stage: see /stages for the stages."))
    source = ctx.query("source") or None
    if source and source not in SOURCES:
        raise HTTPException(400, detail=N_("The source is one of tw-ly, us-congress or manual."))
    return {
        "stage": stage,
        "source": source,
        "committee": ctx.query("committee") or None,
        "sponsor": ctx.query("sponsor").strip() or None,
        "since": ctx.date_query("since"),
        "until": ctx.date_query("until"),
    }


@page
def bill_list(ctx: Ctx) -> Response:
    filters = filters_from(ctx)
    number = ctx.int_query("page") or 1
    found = services.list_bills(ctx.db, **filters, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
    shown = found[:PAGE_SIZE]
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return ctx.render(
        "bills/list.html",
        partial="bills/_rows.html",
        bills=shown,
        filters=filters,
        stages=stages.STAGES,
        stage_by_key=stages.BY_KEY,
        committees=services.committees(ctx.db),
        page=number,
        has_more=len(found) > PAGE_SIZE,
        query=query,
        feedback=services.feedback_counts(ctx.db, [pk(b) for b in shown]),
    )


@page
def bill_list_csv(ctx: Ctx) -> Response:
    filters = filters_from(ctx)
    found = services.list_bills(ctx.db, **filters)
    feedback = services.feedback_counts(ctx.db, [pk(b) for b in found])
    header = [
        "source",
        "number",
        "title",
        "stage",
        "status_raw",
        "committees",
        "sponsors",
        "last_action_on",
        "comments",
    ]
    rows = (
        [
            b.source,
            b.number,
            b.title,
            b.stage,
            b.status_raw,
            "; ".join(b.names("committees")),
            "; ".join(b.names("sponsors")),
            b.last_action_on or "",
            feedback.get(pk(b), 0),
        ]
        for b in found
    )
    return csv_download("bills.csv", header, rows)


def _detail(ctx: Ctx, bill: Bill, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    subject = services.subject_of(bill)
    articles = services.articles_of(ctx.db, bill)
    shown, letters = comment_routes.listed(ctx, subject, {})
    return ctx.render(
        "bills/detail.html",
        status,
        bill=bill,
        stage=stages.BY_KEY.get(bill.stage),
        stage_by_key=stages.BY_KEY,
        actions=services.actions_of(ctx.db, bill),
        articles=articles,
        counts=comments.comment_counts(ctx.db, "bill", pk(bill)),
        folded=ctx.query("draft") == "headings",
        open_for_comments=services.open_for_comments(bill),
        values=values,
        errors=errors,
        following=notify.is_following(ctx.db, ctx.member, "bill", pk(bill)),
        related=services.related_bills(ctx.db, bill),
        consultations=links.consultations_of(ctx.db, bill),
        can_manage=bool(ctx.roles & {Role.legislative_staff, Role.agency_official, Role.admin}),
        analysis_published=analyses.is_published(ctx.db, "bill", pk(bill)),
        discussions=discussions.list_discussions(ctx.db, "bill", pk(bill)),
        subject_polls=polls.polls_on(ctx.db, "bill", pk(bill)),
        response=responses.response_for(ctx.db, "bill", pk(bill)),
        **comment_routes.comment_context(ctx, subject, shown, letters=letters),
        **comment_routes.comment_form(ctx, subject),
    )


@page
def bill_detail(ctx: Ctx) -> Response:
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    chosen = ctx.int_query("article")
    prefill = next((a.proposed for a in services.articles_of(ctx.db, bill) if a.number == chosen), "")
    values = {"article": "" if chosen is None else str(chosen), "stance": "", "text": "", "amendment": prefill}
    return _detail(ctx, bill, values, {})


@page
def bill_feed(ctx: Ctx) -> Response:
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    tag = f"tag:thinktank,2026:bill:{bill.id}"
    entries = [
        Entry(
            f"{tag}:action:{action.id}",
            translate(stages.BY_KEY[action.stage].label) if action.stage in stages.BY_KEY else action.status_raw,
            datetime.combine(action.on, time(), tzinfo=UTC),
            f"/bills/{bill.id}",
            " · ".join(part for part in (action.body, action.text) if part),
        )
        for action in services.actions_of(ctx.db, bill)
    ]
    title = bill.title or bill.number
    return atom_response(ctx, title, f"/bills/{bill.id}/feed.atom", f"/bills/{bill.id}", entries, title)


@page
def stage_page(ctx: Ctx) -> Response:
    return ctx.render(
        "bills/stages.html", stages=stages.STAGES, counts=services.stage_counts(ctx.db), ly_status=stages.LY_STATUS
    )


def _followable(session: Session, bill_id: int) -> tuple[str, str] | None:
    bill = session.get(Bill, bill_id)
    return (bill.title or bill.number, f"/bills/{bill.id}") if bill else None


notify.followable["bill"] = _followable


def _shown_again(ctx: Ctx, subject: Subject, values: dict[str, str], errors: dict[str, str], status: int) -> Response:
    return _detail(ctx, subject.record, values, errors, status)


routes = [
    Route("/bills", bill_list, name="bills:list"),
    Route("/bills.csv", bill_list_csv, name="bills:list_csv"),
    Route("/bills/{bill_id:int}", bill_detail, name="bills:detail"),
    Route("/bills/{bill_id:int}/feed.atom", bill_feed, name="bills:feed"),
    Route("/stages", stage_page, name="bills:stages"),
    *comment_routes.routes_for(BILLS, _shown_again),
    *response_routes.routes_for(BILLS),
    *analysis_routes.routes_for(BILLS),
    *place_routes.routes_for(BILLS),
]
