"""Legislative staff publish a structured response to a bill's feedback, the same way agencies
answer consultations: the same services and templates, framed for a bill."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from bills import services
from bills.models import Bill
from core import notify
from core.accounts import Role
from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, csv_download, json_download, page
from participation import responses
from participation import services as participation_services
from participation.models import DECISION_LABELS, STANCE_LABELS
from participation.models import Response as PublicResponse


def _framing(bill: Bill) -> dict[str, Any]:
    return {
        "paths": {"subject": f"/bills/{bill.id}", "base": f"/bills/{bill.id}/response"},
        "subject_title": bill.title or bill.number,
    }


def _editable(ctx: Ctx) -> tuple[Bill, PublicResponse]:
    ctx.require_role(Role.legislative_staff)
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    response = responses.response_for(ctx.db, "bill", pk(bill), create=True)
    assert response is not None
    return bill, response


def _editor(
    ctx: Ctx, bill: Bill, response: PublicResponse, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    unassigned, total = responses.unassigned_comments(ctx.db, response)
    summaries = responses.summarise(ctx.db, response)
    return ctx.render(
        "participation/response_edit.html",
        status,
        **_framing(bill),
        response=response,
        summaries=summaries,
        placed={pk(s.theme): responses.comments_in_theme(ctx.db, s.theme) for s in summaries},
        unassigned=unassigned,
        unassigned_total=total,
        quotes=responses.representative_ids(ctx.db, response),
        articles={a.number: a for a in services.articles_of(ctx.db, bill)},
        decision_labels=DECISION_LABELS,
        stance_labels=STANCE_LABELS,
        errors=errors or {},
        can_publish=True,
    )


@page
def response_page(ctx: Ctx) -> Response:
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    response = responses.response_for(ctx.db, "bill", pk(bill))
    staff = bool(ctx.roles & {Role.legislative_staff, Role.admin})
    if response is None or (response.published_at is None and not staff):
        raise HTTPException(404)
    summaries = responses.summarise(ctx.db, response)
    counts = participation_services.comment_counts(ctx.db, "bill", pk(bill))
    matrix = [
        {
            "article": a,
            "counts": counts.get(a.number, {}),
            "change": None,
            "decisions": sorted({s.theme.decision for s in summaries if a.number in s.articles}),
        }
        for a in services.articles_of(ctx.db, bill)
    ]
    return ctx.render(
        "participation/response.html",
        **_framing(bill),
        response=response,
        summaries=summaries,
        matrix=matrix,
        decision_labels=DECISION_LABELS,
        stance_labels=STANCE_LABELS,
        can_manage=staff,
        total=sum(sum(v.values()) for v in counts.values()),
    )


@page
def response_edit(ctx: Ctx) -> Response:
    bill, response = _editable(ctx)
    if ctx.request.method == "POST":
        try:
            responses.set_summary(ctx.db, response, ctx.text("summary"))
        except Invalid as invalid:
            return _editor(ctx, bill, response, invalid.errors, 400)
        ctx.flash(N_("Saved."))
        return ctx.redirect(f"/bills/{bill.id}/response/edit")
    return _editor(ctx, bill, response)


@page
def theme_save(ctx: Ctx) -> Response:
    bill, response = _editable(ctx)
    fields = {k: ctx.text(k) for k in ("title", "decision", "reasoning", "article_changes")}
    try:
        responses.save_theme(ctx.db, response, ctx.text("theme"), ctx.text("action"), fields)
    except Invalid as invalid:
        return _editor(ctx, bill, response, invalid.errors, 400)
    ctx.flash(N_("Saved."))
    return ctx.redirect(f"/bills/{bill.id}/response/edit#themes")


@page
def assign_comments(ctx: Ctx) -> Response:
    bill, response = _editable(ctx)
    ids = [value for value in ctx.form.getlist("comment") if isinstance(value, str)]
    try:
        responses.place_comments(
            ctx.db, response, ctx.text("action"), ids, ctx.text("theme"), ctx.text("comment"), ctx.text("value") == "1"
        )
    except Invalid as invalid:
        return _editor(ctx, bill, response, invalid.errors, 400)
    ctx.flash(N_("Saved."))
    return ctx.redirect(f"/bills/{bill.id}/response/edit#unassigned")


@page
def response_publish(ctx: Ctx) -> Response:
    bill, response = _editable(ctx)
    try:
        responses.publish(ctx.db, response, ctx.require_member())
    except Invalid as invalid:
        return _editor(ctx, bill, response, invalid.errors, 400)
    people = participation_services.commenter_ids(ctx.db, "bill", pk(bill)) | notify.followers(ctx.db, "bill", pk(bill))
    notify.notify(
        ctx.db,
        ctx.queue,
        people,
        N_("Legislative staff answered the feedback on “%(title)s”."),
        {"title": bill.title or bill.number},
        f"/bills/{bill.id}/response",
        ctx.settings.base_url,
    )
    ctx.flash(N_("The response is published and everyone who commented has been told."))
    return ctx.redirect(f"/bills/{bill.id}/response")


def _published(ctx: Ctx) -> tuple[Bill, PublicResponse]:
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    response = responses.response_for(ctx.db, "bill", pk(bill))
    if response is None or response.published_at is None:
        raise HTTPException(404)
    return bill, response


@page
def response_csv(ctx: Ctx) -> Response:
    bill, response = _published(ctx)
    return csv_download(
        f"bill-{bill.number}-response.csv", responses.THEME_FIELDS, responses.theme_csv_rows(ctx.db, response)
    )


@page
def response_json(ctx: Ctx) -> Response:
    bill, response = _published(ctx)
    body = {
        "bill": bill.number,
        "title": bill.title,
        "summary": response.summary,
        "published_at": response.published_at.isoformat() if response.published_at else None,
        "themes": responses.theme_rows(ctx.db, response),
    }
    return json_download(f"bill-{bill.number}-response.json", body)


routes = [
    Route("/bills/{bill_id:int}/response", response_page, name="bills:response"),
    Route("/bills/{bill_id:int}/response/edit", response_edit, methods=["GET", "POST"], name="bills:response_edit"),
    Route("/bills/{bill_id:int}/response/themes", theme_save, methods=["POST"], name="bills:theme_save"),
    Route("/bills/{bill_id:int}/response/assign", assign_comments, methods=["POST"], name="bills:assign"),
    Route("/bills/{bill_id:int}/response/publish", response_publish, methods=["POST"], name="bills:response_publish"),
    Route("/bills/{bill_id:int}/response.csv", response_csv, name="bills:response_csv"),
    Route("/bills/{bill_id:int}/response.json", response_json, name="bills:response_json"),
]
