"""Proposal pages: the public list, submitting, the moderators' review queue, signing, the
agency's response and extension, and the public list of overdue responses by agency."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from core import accounts, notify
from core.accounts import Role
from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, page
from deliberation import discussions
from participation import events, proposals
from participation.models import PROPOSAL_STATE_LABELS, Proposal


def _visible(ctx: Ctx) -> Proposal:
    proposal = proposals.get(ctx.db, ctx.request.path_params["proposal_id"])
    if not proposals.can_see(proposal, ctx.member, ctx.roles):
        raise HTTPException(404)
    return proposal


def _progress(count: int, threshold: int) -> dict[str, Any]:
    """The bar's fill in thousandths, and the share and the signatures still needed as text. Any
    signature shows as at least a sliver (1.5%): 5 of 5,000 is a start, not an empty bar."""
    share = count / threshold if threshold else 0.0
    filled = min(1000, round(1000 * share))
    return {
        "filled": max(filled, 15) if count else 0,
        "share": share,
        "needed": max(0, threshold - count),
    }


def _detail(ctx: Ctx, proposal: Proposal, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    count = proposals.signature_count(ctx.db, proposal)
    return ctx.render(
        "participation/proposal.html",
        status,
        proposal=proposal,
        count=count,
        **_progress(count, proposal.threshold),
        state=proposal.state(),
        state_labels=PROPOSAL_STATE_LABELS,
        clock=proposals.clock(proposal),
        clock_labels=proposals.CLOCK_LABELS,
        history=proposals.history(ctx.db, proposal),
        event_labels=proposals.EVENT_LABELS,
        agency=ctx.db.get(accounts.Agency, proposal.agency_id),
        signed=proposals.has_signed(ctx.db, proposal, ctx.member),
        can_answer=proposals.can_answer(proposal, ctx.member, ctx.roles),
        can_review=bool(ctx.roles & {Role.moderator, Role.admin}),
        errors=errors or {},
        following=notify.is_following(ctx.db, ctx.member, "proposal", pk(proposal)),
        discussions=discussions.list_discussions(ctx.db, "proposal", pk(proposal)),
    )


@page
def proposal_list(ctx: Ctx) -> Response:
    items = proposals.public_proposals(ctx.db)
    return ctx.render(
        "participation/proposals.html",
        items=items,
        state_labels=PROPOSAL_STATE_LABELS,
        counts={pk(p): proposals.signature_count(ctx.db, p) for p in items},
        agencies={a.id: a for a in accounts.list_agencies(ctx.db)},
        clocks={pk(p): proposals.clock(p) for p in items},
        clock_labels=proposals.CLOCK_LABELS,
    )


@page
def proposal_new(ctx: Ctx) -> Response:
    member = ctx.require_member()
    agencies = accounts.list_agencies(ctx.db)
    values = {"agency": ctx.text("agency"), "title": ctx.text("title"), "body": ctx.text("body")}
    if ctx.request.method == "POST":
        ctx.contributor()
        try:
            agency = accounts.get_agency(ctx.db, values["agency"]) if values["agency"] else None
            if agency is None:
                raise Invalid({"agency": N_("Choose the agency your proposal is for.")})
            proposal = proposals.submit(ctx.db, member, agency, values["title"], values["body"])
        except Invalid as invalid:
            return ctx.render(
                "participation/proposal_new.html", 400, values=values, errors=invalid.errors, agencies=agencies
            )
        ctx.flash(N_("Your proposal is submitted. A moderator reviews it within a few working days."))
        return ctx.redirect(ctx.url("participation:proposal", proposal_id=proposal.id))
    return ctx.render("participation/proposal_new.html", values=values, errors={}, agencies=agencies)


@page
def proposal_detail(ctx: Ctx) -> Response:
    return _detail(ctx, _visible(ctx))


@page
def proposal_sign(ctx: Ctx) -> Response:
    member = ctx.contributor()
    proposal = _visible(ctx)
    try:
        reached_now = proposals.sign(ctx.db, proposal, member, ctx.settings)
    except Invalid as invalid:
        return _detail(ctx, proposal, invalid.errors, 400)
    if reached_now:
        events.threshold_reached(ctx.db, ctx.queue, proposal)
    ctx.flash(N_("Thank you for signing."))
    return ctx.redirect(ctx.url("participation:proposal", proposal_id=proposal.id))


@page
def proposal_review_queue(ctx: Ctx) -> Response:
    ctx.require_role(Role.moderator)
    items = proposals.pending_review(ctx.db)
    return ctx.render(
        "participation/proposal_review.html", items=items, agencies={a.id: a for a in accounts.list_agencies(ctx.db)}
    )


@page
def proposal_review(ctx: Ctx) -> Response:
    ctx.require_role(Role.moderator)
    proposal = proposals.get(ctx.db, ctx.request.path_params["proposal_id"])
    decision = ctx.text("decision")
    if decision not in ("accept", "reject"):
        raise HTTPException(400)
    try:
        proposals.review(ctx.db, proposal, ctx.settings, decision == "accept", ctx.text("note"))
    except Invalid as invalid:
        return _detail(ctx, proposal, invalid.errors, 400)
    if decision == "accept":
        events.proposal_accepted(ctx.db, ctx.queue, proposal)
    else:
        events.proposal_rejected(ctx.db, ctx.queue, proposal)
    ctx.flash(N_("Review recorded."))
    return ctx.redirect(ctx.url("participation:proposal_review_queue"))


@page
def proposal_answer(ctx: Ctx) -> Response:
    """The agency responds, or announces its one extension."""
    ctx.require_role(Role.agency_official)
    proposal = _visible(ctx)
    if not proposals.can_answer(proposal, ctx.member, ctx.roles):
        raise HTTPException(403, detail=N_("Only officials of the agency this proposal is for can answer it."))
    try:
        if ctx.text("action") == "extend":
            proposals.extend(ctx.db, proposal, ctx.settings, ctx.text("reason"))
        else:
            proposals.respond(ctx.db, proposal, ctx.text("response"))
            events.proposal_answered(ctx.db, ctx.queue, proposal)
    except Invalid as invalid:
        return _detail(ctx, proposal, invalid.errors, 400)
    ctx.flash(N_("Saved."))
    return ctx.redirect(ctx.url("participation:proposal", proposal_id=proposal.id))


@page
def overdue(ctx: Ctx) -> Response:
    late = proposals.overdue(ctx.db)
    agencies = {a.id: a for a in accounts.list_agencies(ctx.db)}
    by_agency: dict[int, list[Proposal]] = {}
    for proposal in late:
        by_agency.setdefault(proposal.agency_id, []).append(proposal)
    return ctx.render("participation/proposals_overdue.html", by_agency=by_agency, agencies=agencies)


routes = [
    Route("/proposals", proposal_list, name="participation:proposals"),
    Route("/proposals/new", proposal_new, methods=["GET", "POST"], name="participation:proposal_new"),
    Route("/proposals/review", proposal_review_queue, name="participation:proposal_review_queue"),
    Route("/proposals/overdue", overdue, name="participation:proposals_overdue"),
    Route("/proposals/{proposal_id:int}", proposal_detail, name="participation:proposal"),
    Route("/proposals/{proposal_id:int}/sign", proposal_sign, methods=["POST"], name="participation:proposal_sign"),
    Route(
        "/proposals/{proposal_id:int}/review", proposal_review, methods=["POST"], name="participation:proposal_review"
    ),
    Route(
        "/proposals/{proposal_id:int}/answer", proposal_answer, methods=["POST"], name="participation:proposal_answer"
    ),
]
