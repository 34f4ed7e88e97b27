"""Bill pages: the list (filterable, with feedback counts, as CSV for staff), a bill with its
timeline and text article by article, comments per article, and the page explaining the stages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from bills import links, services, stages
from bills.models import Bill
from core import notify
from core.accounts import Role
from core.db import pk
from core.errors import N_, Invalid
from core.feeds import Entry, atom_response
from core.i18n import gettext as translate
from core.web import Ctx, csv_download, page
from deliberation import discussions
from participation import analyses, analysis_views, drafts, responses
from participation import services as participation_services
from participation.models import STANCE_LABELS

PAGE_SIZE = 50
SOURCES = ("tw-ly", "us-congress", "manual")


def _date(ctx: Ctx, name: str) -> date | None:
    raw = ctx.query(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise HTTPException(400, detail=N_("Dates are written as YYYY-MM-DD.")) from None


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
        "since": _date(ctx, "since"),
        "until": _date(ctx, "until"),
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
    articles = services.articles_of(ctx.db, bill)
    comments = participation_services.list_comments(ctx.db, "bill", pk(bill), limit=50)
    return ctx.render(
        "bills/detail.html",
        status,
        bill=bill,
        stage=stages.BY_KEY.get(bill.stage),
        stage_by_key=stages.BY_KEY,
        actions=services.actions_of(ctx.db, bill),
        articles=articles,
        article_by_number={a.number: a for a in articles},
        diff_text=drafts.diff_text,
        counts=participation_services.comment_counts(ctx.db, "bill", pk(bill)),
        comments=comments,
        authors=participation_services.authors_of(ctx.db, comments),
        stance_labels=STANCE_LABELS,
        open_for_comments=services.open_for_comments(bill),
        values=values,
        errors=errors,
        following=notify.is_following(ctx.db, ctx.member, "bill", pk(bill)),
        related=services.related_bills(ctx.db, bill),
        consultations=links.consultations_of(ctx.db, bill),
        can_manage=bool(ctx.roles & {Role.legislative_staff, Role.agency_official, Role.admin}),
        analysis_published=analyses.is_published(ctx.db, "bill", pk(bill)),
        discussions=discussions.list_discussions(ctx.db, "bill", pk(bill)),
        response=responses.response_for(ctx.db, "bill", pk(bill)),
    )


@page
def bill_detail(ctx: Ctx) -> Response:
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    chosen = ctx.int_query("article")
    prefill = next((a.proposed for a in services.articles_of(ctx.db, bill) if a.number == chosen), "")
    values = {"article": "" if chosen is None else str(chosen), "stance": "", "text": "", "amendment": prefill}
    return _detail(ctx, bill, values, {})


@page
def bill_comment(ctx: Ctx) -> Response:
    member = ctx.contributor()
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    values = {k: ctx.text(k) for k in ("article", "stance", "text", "amendment")}
    article = int(values["article"]) if values["article"].isdigit() else (None if not values["article"] else -1)
    try:
        comment = services.comment_on_bill(
            ctx.db, bill, member, values["stance"], values["text"], article, values["amendment"]
        )
    except Invalid as invalid:
        return _detail(ctx, bill, values, invalid.errors, 400)
    ctx.flash(N_("Thank you. Your comment is published."))
    return ctx.redirect(ctx.url("bills:detail", bill_id=bill.id) + f"#comment-{comment.id}")


@page
def dashboard(ctx: Ctx) -> Response:
    """For legislative staff: feedback over time, a heat map by article and stance, and the
    suggested amendments beside the text they would change."""
    ctx.require_role(Role.legislative_staff)
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    counts = participation_services.comment_counts(ctx.db, "bill", pk(bill))
    peak_cell = max([n for by_stance in counts.values() for n in by_stance.values()] + [1])
    days = services.feedback_by_day(ctx.db, bill)
    articles = services.articles_of(ctx.db, bill)
    analysis = analyses.analysis_for(ctx.db, "bill", pk(bill))
    done = analysis is not None and analysis.status == "done"
    return ctx.render(
        "bills/dashboard.html",
        top_themes=analyses.theme_views(ctx.db, analysis, members_shown=0)[:5] if analysis and done else [],
        bill=bill,
        counts=counts,
        peak_cell=peak_cell,
        days=days,
        peak_day=max([n for _d, n in days] + [1]),
        articles=articles,
        article_by_number={a.number: a for a in articles},
        amendments=services.amendments(ctx.db, bill),
        stance_labels=STANCE_LABELS,
        diff_text=drafts.diff_text,
    )


@page
def comments_csv(ctx: Ctx) -> Response:
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    comments = participation_services.list_comments(ctx.db, "bill", pk(bill), limit=10**9)
    secret = ctx.settings.secret_key
    rows = (
        [
            c.id,
            c.created_at.isoformat(),
            participation_services.pseudonym(secret, "bill", pk(bill), c),
            c.article,
            c.stance,
            c.text,
            c.amendment,
        ]
        for c in reversed(comments)
    )
    header = ["id", "created_at", "author", "article", "stance", "text", "amendment"]
    return csv_download(f"bill-{bill.number}-comments.csv", header, rows)


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


def _analysis_subject(ctx: Ctx) -> analysis_views.Subject:
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    return analysis_views.Subject(
        "bill",
        pk(bill),
        bill.title or bill.number,
        f"/bills/{bill.id}",
        bool(ctx.roles & {Role.legislative_staff, Role.admin}),
        {a.number: a.heading for a in services.articles_of(ctx.db, bill) if a.heading},
    )


routes = [
    Route("/bills", bill_list, name="bills:list"),
    Route("/bills.csv", bill_list_csv, name="bills:list_csv"),
    Route("/bills/{bill_id:int}", bill_detail, name="bills:detail"),
    Route("/bills/{bill_id:int}/comments", bill_comment, methods=["POST"], name="bills:comment"),
    Route("/bills/{bill_id:int}/dashboard", dashboard, name="bills:dashboard"),
    Route("/bills/{bill_id:int}/comments.csv", comments_csv, name="bills:comments_csv"),
    Route("/bills/{bill_id:int}/feed.atom", bill_feed, name="bills:feed"),
    Route("/stages", stage_page, name="bills:stages"),
    *analysis_views.routes_for("/bills/{bill_id:int}", "bills", _analysis_subject),
]
