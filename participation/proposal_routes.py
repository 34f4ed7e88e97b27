"""Proposal pages: the public list (and its CSV), submitting, the moderators' review queue,
signing, the agency's response and extension, and the public list of overdue responses by agency;
proposals in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import accounts, notify
from core.accounts import Role
from core.api import PREFIX, add_schemas, agency_json, page_of, paged, paging
from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, csv_download, page
from deliberation import discussions, polls
from participation import events, proposals
from participation.models import PROPOSAL_STATE_LABELS, Proposal, ProposalState


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
        subject_polls=polls.polls_on(ctx.db, "proposal", pk(proposal)),
    )


@page
def proposal_list(ctx: Ctx) -> Response:
    items = proposals.public_proposals(ctx.db)
    return ctx.render(
        "participation/proposals.html",
        items=items,
        state_labels=PROPOSAL_STATE_LABELS,
        counts=proposals.signature_counts(ctx.db, [pk(p) for p in items]),
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


# --- open data ---------------------------------------------------------------------------------------

OPEN_DATA_FIELDS = [
    "id",
    "title",
    "agency",
    "status",
    "signatures",
    "threshold",
    "signing_ends_at",
    "response_due_at",
    "answered",
    "responded_at",
    "url",
]


_STRING, _INTEGER, _MOMENT = {"type": "string"}, {"type": "integer"}, {"type": "string", "format": "date-time"}
_PUBLIC_STATES = [s.value for s in ProposalState if s not in (ProposalState.pending, ProposalState.rejected)]
add_schemas(
    Proposal={
        "type": "object",
        "properties": {
            "id": _INTEGER,
            "title": _STRING,
            "agency": {"$ref": "#/components/schemas/Agency"},
            "status": {"type": "string", "enum": _PUBLIC_STATES},
            "signatures": _INTEGER,
            "threshold": _INTEGER,
            "signing_ends_at": {**_MOMENT, "nullable": True},
            "response_due_at": {**_MOMENT, "nullable": True, "description": "Set once the threshold is reached"},
            "answered": {"type": "boolean"},
            "responded_at": {**_MOMENT, "nullable": True},
            "url": _STRING,
        },
    },
    ProposalDetail={
        "allOf": [
            {"$ref": "#/components/schemas/Proposal"},
            {
                "type": "object",
                "properties": {
                    "body": {"type": "string", "description": "Markdown"},
                    "response": {"type": "string", "description": "Markdown; empty until answered"},
                    "extension_reason": _STRING,
                    "history": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"event": _STRING, "note": _STRING, "at": _MOMENT},
                        },
                    },
                },
            },
        ]
    },
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _open_rows(ctx: Ctx, items: list[Proposal]) -> list[dict[str, Any]]:
    """The public proposals as the API and the CSV give them: one shape for both."""
    counts = proposals.signature_counts(ctx.db, [pk(p) for p in items])
    agencies = {a.id: a for a in accounts.list_agencies(ctx.db)}
    return [
        {
            "id": p.id,
            "title": p.title,
            "agency": agency_json(agencies[p.agency_id]),
            "status": p.state().value,
            "signatures": counts[pk(p)],
            "threshold": p.threshold,
            "signing_ends_at": _iso(p.signing_ends_at),
            "response_due_at": _iso(p.response_due_at),
            "answered": p.responded_at is not None,
            "responded_at": _iso(p.responded_at),
            "url": f"/proposals/{p.id}",
        }
        for p in items
    ]


@page
def proposal_list_csv(ctx: Ctx) -> Response:
    rows = _open_rows(ctx, proposals.public_proposals(ctx.db))
    for row in rows:
        row["agency"] = row["agency"]["name"]
    return csv_download("proposals.csv", OPEN_DATA_FIELDS, ([row[f] for f in OPEN_DATA_FIELDS] for row in rows))


@page
def api_proposals(ctx: Ctx) -> Response:
    """Public proposals.
    ---
    summary: Proposals accepted for signing, newest first, with signature counts and deadlines
    tags: [proposals]
    parameters:
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
    responses:
      200:
        description: A page of proposals.
        content:
          application/json:
            schema:
              type: object
              properties:
                items:
                  type: array
                  items: {$ref: '#/components/schemas/Proposal'}
                page: {type: integer}
                per_page: {type: integer}
                total: {type: integer}
      400:
        description: Bad paging parameters.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    number, per_page = paging(ctx)
    everything = proposals.public_proposals(ctx.db)
    items = _open_rows(ctx, page_of(everything, number, per_page))
    return JSONResponse(paged(items, number, per_page, len(everything)))


@page
def api_proposal(ctx: Ctx) -> Response:
    """One public proposal.
    ---
    summary: One proposal with its text, the agency's response and its history
    tags: [proposals]
    parameters:
      - {name: proposal_id, in: path, required: true, schema: {type: integer}}
    responses:
      200:
        description: The proposal.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ProposalDetail'}
      404:
        description: No such proposal, or it is not public.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    proposal = proposals.get(ctx.db, ctx.request.path_params["proposal_id"])
    if proposal.review != "accepted":  # what the public sees, whoever asks
        raise HTTPException(404)
    history = [
        {"event": e.kind, "note": e.note, "at": e.created_at.isoformat()} for e in proposals.history(ctx.db, proposal)
    ]
    body = {"body": proposal.body, "response": proposal.response, "extension_reason": proposal.extension_reason}
    return JSONResponse({**_open_rows(ctx, [proposal])[0], **body, "history": history})


routes = [
    Route("/proposals", proposal_list, name="participation:proposals"),
    Route("/proposals.csv", proposal_list_csv, name="participation:proposals_csv"),
    Route(f"{PREFIX}/proposals", api_proposals, name="api:proposals"),
    Route(f"{PREFIX}/proposals/{{proposal_id:int}}", api_proposal, name="api:proposal"),
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
