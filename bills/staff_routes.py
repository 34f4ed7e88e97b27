"""What legislative staff do to bills beyond answering feedback: read a bill's feedback dashboard
(and its CSV), enter a bill by hand, record the steps of a hand-entered bill, and link bills to
the consultations behind them (which the consultation's own agency may do too)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from bills import dashboard, links, manual, services, stages
from bills.models import Bill
from bills.subject import BILLS
from core import charts
from core.accounts import Role
from core.db import pk, utcnow
from core.errors import N_, Forbidden, Invalid
from core.i18n import article_label
from core.i18n import gettext as translate
from core.web import Ctx, csv_download, page
from feedback import analyses, comments, report, subjects
from feedback.articles import diff_text
from feedback.models import STANCE_LABELS

STAGE_OPTIONS = {stage.key: stage.label for stage in stages.STAGES}


@page
def bill_dashboard(ctx: Ctx) -> Response:
    """Feedback on the bill and on the consultations it came from, each source counted; feedback
    per day on a dated axis; positions by article; and the suggested amendments beside the text
    they would change. Each chart is drawn beside a table of the same numbers."""
    ctx.require_role(Role.legislative_staff)
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    sources = dashboard.sources(ctx.db, bill)
    days = dashboard.by_day(ctx.db, sources)
    counts = comments.comment_counts(ctx.db, "bill", pk(bill))
    articles = services.articles_of(ctx.db, bill)
    headings: list[tuple[int | None, str]] = [(None, translate(BILLS.whole_text))]
    headings += [(a.number, a.heading or article_label(a.number)) for a in articles]
    analysis = analyses.analysis_for(ctx.db, "bill", pk(bill))
    done = analysis is not None and analysis.status == "done"
    return ctx.render(
        "bills/dashboard.html",
        top_themes=report.theme_views(ctx.db, analysis, members_shown=0)[:5] if analysis and done else [],
        bill=bill,
        sources=sources,
        days=days,
        over_time=charts.time_chart([(day, sum(by_source.values())) for day, by_source in days]),
        headings=headings,
        counts=counts,
        by_article=charts.stacked_bars([(label, counts.get(n, {})) for n, label in headings], list(STANCE_LABELS)),
        peak_cell=max([n for by_stance in counts.values() for n in by_stance.values()] + [1]),
        article_by_number={a.number: a for a in articles},
        amendments=services.amendments(ctx.db, bill),
        stance_labels=STANCE_LABELS,
        diff_text=diff_text,
    )


@page
def bill_dashboard_csv(ctx: Ctx) -> Response:
    """The dashboard's comments for staff: every source's, with the names and article labels the
    pages show (the public open data keeps pseudonyms)."""
    ctx.require_role(Role.legislative_staff)
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    rows = dashboard.csv_rows(ctx.db, dashboard.sources(ctx.db, bill))
    return csv_download(f"bill-{bill.number}-feedback.csv", dashboard.CSV_HEADER, rows)


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
    Route("/bills/{bill_id:int}/dashboard", bill_dashboard, name="bills:dashboard"),
    Route("/bills/{bill_id:int}/dashboard.csv", bill_dashboard_csv, name="bills:dashboard_csv"),
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
