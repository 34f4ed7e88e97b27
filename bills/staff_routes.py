"""What legislative staff do to bills beyond answering feedback: enter a bill by hand, record the
steps of a hand-entered bill, and link bills to the consultations behind them (which the
consultation's own agency may do too)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from bills import links, manual, services, stages
from bills.models import Bill
from core.accounts import Role
from core.db import pk, utcnow
from core.errors import N_, Forbidden, Invalid
from core.web import Ctx, page
from feedback import subjects

STAGE_OPTIONS = {stage.key: stage.label for stage in stages.STAGES}


def _new_page(ctx: Ctx, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    return ctx.render("bills/new.html", status, values=values, errors=errors, stage_options=STAGE_OPTIONS)


@page
def bill_new(ctx: Ctx) -> Response:
    ctx.require_role(Role.legislative_staff)
    if ctx.request.method == "GET":
        return _new_page(ctx, {"on": utcnow().date().isoformat(), "stage": "introduced"}, {})
    fields = ("title", "number", "bill_type", "sponsors", "cosponsors", "committees", "summary", "text", "stage", "on")
    values = {name: ctx.text(name) for name in fields}
    try:
        bill = manual.create_bill(ctx.db, manual.ManualBill(**values))
    except Invalid as invalid:
        return _new_page(ctx, values, invalid.errors, 400)
    ctx.flash(N_("The bill is saved."))
    return ctx.redirect(ctx.url("bills:detail", bill_id=bill.id))


def _manage_page(ctx: Ctx, bill: Bill, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    values = {name: ctx.text(name) for name in ("on", "stage", "body", "text")} if errors else {}
    return ctx.render(
        "bills/manage.html",
        status,
        bill=bill,
        linked=links.consultations_of(ctx.db, bill),
        linkable=links.linkable(ctx.db, ctx.member, ctx.roles),
        can_record=bill.source == manual.SOURCE and bool(ctx.roles & {Role.legislative_staff, Role.admin}),
        stage_options=STAGE_OPTIONS,
        values={"on": utcnow().date().isoformat(), "stage": bill.stage, **values},
        errors=errors or {},
    )


@page
def bill_manage(ctx: Ctx) -> Response:
    ctx.require_role(Role.legislative_staff, Role.agency_official)
    return _manage_page(ctx, services.get_bill(ctx.db, ctx.request.path_params["bill_id"]))


@page
def step_add(ctx: Ctx) -> Response:
    ctx.require_role(Role.legislative_staff)
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    try:
        before, after = manual.record_step(
            ctx.db, bill, manual.parse_date(ctx.text("on")), ctx.text("stage"), ctx.text("body"), ctx.text("text")
        )
    except Invalid as invalid:
        return _manage_page(ctx, bill, invalid.errors, 400)
    if before != after:
        services.announce_stage_changes(ctx.db, ctx.queue, [(pk(bill), before, after)])
    ctx.flash(N_("The step is recorded."))
    return ctx.redirect(ctx.url("bills:detail", bill_id=bill.id) + "#timeline-title")


@page
def consultation_link(ctx: Ctx) -> Response:
    member = ctx.require_role(Role.legislative_staff, Role.agency_official)
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    try:
        links.link(ctx.db, bill, ctx.text("consultation"), member, ctx.roles)
    except Invalid as invalid:
        return _manage_page(ctx, bill, invalid.errors, 400)
    except Forbidden as refused:
        return _manage_page(ctx, bill, {"consultation": str(refused)}, 403)
    ctx.flash(N_("The consultation is linked to the bill."))
    return ctx.redirect(ctx.url("bills:manage", bill_id=bill.id))


@page
def consultation_unlink(ctx: Ctx) -> Response:
    member = ctx.require_role(Role.legislative_staff, Role.agency_official)
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    consultation = subjects.kind_of(links.CONSULTATION).from_path(ctx.db, ctx.request.path_params)
    try:
        links.unlink(ctx.db, bill, consultation, member, ctx.roles)
    except Forbidden as refused:
        return _manage_page(ctx, bill, {"consultation": str(refused)}, 403)
    ctx.flash(N_("The link is removed."))
    return ctx.redirect(ctx.url("bills:manage", bill_id=bill.id))


routes = [
    Route("/bills/new", bill_new, methods=["GET", "POST"], name="bills:new"),
    Route("/bills/{bill_id:int}/manage", bill_manage, name="bills:manage"),
    Route("/bills/{bill_id:int}/steps", step_add, methods=["POST"], name="bills:step_add"),
    Route("/bills/{bill_id:int}/consultations", consultation_link, methods=["POST"], name="bills:link"),
    Route(
        "/bills/{bill_id:int}/consultations/{slug}/unlink",
        consultation_unlink,
        methods=["POST"],
        name="bills:unlink",
    ),
]
