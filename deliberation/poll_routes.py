"""Poll pages: the list, creating one, the ballot (radio, checkbox, rank select or number inputs:
no JavaScript needed), the live count (a fragment HTMX polls every second; a plain reload without
JavaScript), receipts, paper codes and the kiosk that takes them, publishing and the ballot file."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from core import accounts, notify
from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, page
from deliberation import budgets, poll_results, polls
from deliberation.poll_models import ELIGIBILITY, SUBJECT_KINDS, Poll

BAR_WIDTH = 360
METHOD_LABELS = {**polls.METHOD_LABELS, **budgets.METHOD_LABELS}  # for showing; polls/new offers polls' own


def _poll(ctx: Ctx) -> Poll:
    return polls.get_poll(ctx.db, ctx.request.path_params["slug"])


def _managed(ctx: Ctx) -> Poll:
    ctx.require_member()
    poll = _poll(ctx)
    if not polls.can_manage(ctx.member, ctx.roles, poll):
        raise HTTPException(403, detail=N_("Only the poll's agency can do this."))
    return poll


def _bars(poll: Poll, result: dict[str, Any]) -> list[dict[str, Any]]:
    """One bar per option, scaled to the largest: votes, final-round votes or the score's sum."""
    key = {"ranked": "final_votes", "score": "sum"}.get(poll.method, "votes")
    rows = result["results"]
    top = max((row.get(key, 0) for row in rows), default=0) or 1
    return [{**row, "value": row.get(key, 0), "width": round(BAR_WIDTH * row.get(key, 0) / top)} for row in rows]


def _results_context(ctx: Ctx, poll: Poll) -> dict[str, Any]:
    visible = polls.results_visible(poll)
    result = polls.current_tally(ctx.db, poll) if visible else None
    labels = {o.key: o.label for o in polls.options_of(ctx.db, poll)}
    return {
        "visible": visible,
        "result": result,
        "bars": _bars(poll, result) if result else [],
        "labels": labels,
        "ballots": polls.ballot_count(ctx.db, poll),
        "state": polls.status(poll),
        "bar_width": BAR_WIDTH,
        "outcome": budgets.outcome(ctx.db, poll, compare=False) if result and budgets.is_budget(poll) else None,
        "rule_labels": budgets.RULE_LABELS,
        "full": False,
    }


def _detail(
    ctx: Ctx, poll: Poll, errors: dict[str, str] | None = None, params: Any = None, status: int = 200, **extra: Any
) -> Response:
    ballot = polls.ballot_of(ctx.db, poll, ctx.member)
    mine = polls.choice_of(ctx.db, poll, ballot.receipt) if ballot else None
    mine = extra.pop("mine", mine)  # a refused ballot is shown again as it was sent
    return ctx.render(
        "deliberation/polls/detail.html",
        status,
        poll=poll,
        options=polls.options_of(ctx.db, poll),
        params=polls.params_of(poll),
        subject=polls.subject_of(ctx.db, poll),
        agency=ctx.db.get(accounts.Agency, poll.agency_id) if poll.agency_id else None,
        managing=polls.can_manage(ctx.member, ctx.roles, poll),
        ballot=ballot,
        mine=mine,
        problem=polls.eligibility_problem(ctx.member, poll) if ctx.member else None,
        errors=errors or {},
        error_params=params or {},
        following=notify.is_following(ctx.db, ctx.member, "poll", pk(poll)),
        method_labels=METHOD_LABELS,
        status_labels=polls.STATUS_LABELS,
        eligibility_labels=ELIGIBILITY,
        codes=polls.codes_issued(ctx.db, poll),
        **_results_context(ctx, poll),
        **{"receipt_code": None, "changed": False, **extra},
    )


@page
def poll_list(ctx: Ctx) -> Response:
    found = polls.list_polls(ctx.db)
    return ctx.render(
        "deliberation/polls/list.html",
        polls=[(p, polls.status(p)) for p in found],
        creating=polls.can_create(ctx.db, ctx.member, ctx.roles, None),
        method_labels=METHOD_LABELS,
        status_labels=polls.STATUS_LABELS,
    )


FORM_FIELDS = (
    *("question", "description", "options", "method", "max_choices", "min_score", "max_score"),
    *("opens_at", "closes_at", "eligibility", "places", "on", "id"),
)


def _on(ctx: Ctx) -> tuple[str, int] | None:
    kind = ctx.text("on") or ctx.query("on")
    raw = ctx.text("id") or ctx.query("id")
    if not kind:
        return None
    if kind not in SUBJECT_KINDS or not raw.isdigit() or len(raw) > 10:
        raise HTTPException(400, detail=N_("There is nothing of that kind to attach a poll to."))
    return kind, int(raw)


def _params(ctx: Ctx) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in ("max_choices", "min_score", "max_score"):
        value = ctx.int_field(name)
        if value is not None:
            params[name] = value
    return params


@page
def poll_new(ctx: Ctx) -> Response:
    member = ctx.require_member()
    on = _on(ctx)
    if not polls.can_create(ctx.db, member, ctx.roles, on):
        raise HTTPException(403, detail=N_("Your account does not have the role needed for this."))
    values = {name: ctx.text(name) for name in FORM_FIELDS}
    if on:
        values["on"], values["id"] = on[0], str(on[1])
    context: dict[str, Any] = {
        "values": values,
        "method_labels": polls.METHOD_LABELS,
        "eligibility_labels": ELIGIBILITY,
    }
    if ctx.request.method == "GET":
        return ctx.render("deliberation/polls/new.html", errors={}, **context)
    lines = [line for line in values["options"].splitlines() if line.strip()]
    options = [[*line.split("|", 1), ""][:2] for line in lines]
    try:
        poll = polls.create_poll(
            ctx.db,
            member,
            question=values["question"],
            description=values["description"],
            options=[(label, alt) for label, alt in options],
            method=values["method"],
            params=_params(ctx),
            opens_at=ctx.local_datetime("opens_at"),
            closes_at=ctx.local_datetime("closes_at"),
            eligibility=values["eligibility"] or "members",
            places=values["places"],
            hide_results=bool(ctx.text("hide_results")),
            allow_change=not ctx.text("no_change"),
            on=on,
        )
    except Invalid as invalid:
        return ctx.render(
            "deliberation/polls/new.html", 400, errors=invalid.errors, error_params=invalid.params, **context
        )
    ctx.flash(N_("The poll is saved. It opens at the time you gave."))
    return ctx.redirect(ctx.url("deliberation:poll", slug=poll.slug))


@page
def poll_detail(ctx: Ctx) -> Response:
    return _detail(ctx, _poll(ctx))


def _choice(ctx: Ctx, poll: Poll) -> Any:
    """The ballot as the form sent it, in the shape `analysis.voting` checks."""
    if poll.method in ("multiple", "approval") or budgets.is_budget(poll):
        return [value for value in ctx.form.getlist("choice") if isinstance(value, str)]
    keys = [o.key for o in polls.options_of(ctx.db, poll)]
    if poll.method == "ranked":
        ranks = {key: ctx.int_field(f"rank-{key}") for key in keys}
        given = {key: rank for key, rank in ranks.items() if rank is not None}
        if len(set(given.values())) != len(given):
            raise Invalid({"choice": N_("Please give each rank to one option only, and each option one rank.")})
        return sorted(given, key=lambda key: given[key])
    if poll.method == "score":
        return {key: ctx.text(f"score-{key}") for key in keys}
    return ctx.text("choice")


@page
def poll_vote(ctx: Ctx) -> Response:
    member = ctx.contributor("vote")
    poll = _poll(ctx)
    try:
        code = polls.cast_ballot(ctx.db, poll, member, _choice(ctx, poll))
    except Invalid as invalid:
        # a budget's refused selection (over the budget, say) stays ticked, to be trimmed
        kept = {"mine": _choice(ctx, poll)} if budgets.is_budget(poll) else {}
        return _detail(ctx, poll, invalid.errors, invalid.params, 400, **kept)
    # The receipt code is on this one answer only: a redirect would have to keep it somewhere.
    return _detail(ctx, poll, receipt_code=code, changed=code is None)


@page
def poll_tally(ctx: Ctx) -> Response:
    """The live count, polled by the poll page every second."""
    poll = _poll(ctx)
    response = ctx.render("deliberation/polls/_tally.html", poll=poll, **_results_context(ctx, poll))
    response.headers["Vary"] = "HX-Request"
    response.headers["Cache-Control"] = "no-store"
    return response


@page
def poll_receipt(ctx: Ctx) -> Response:
    """Anyone, signed in or not, checks one receipt code against the chain."""
    poll = _poll(ctx)
    code = ctx.query("code")
    checked = poll_results.check_receipt(ctx.db, poll, code) if code.strip() else None
    labels = {o.key: o.label for o in polls.options_of(ctx.db, poll)}
    return ctx.render(
        "deliberation/polls/receipt.html",
        poll=poll,
        code=code,
        checked=checked,
        labels=labels,
        state=polls.status(poll),
    )


@page
def poll_codes(ctx: Ctx) -> Response:
    poll = _managed(ctx)
    if ctx.request.method == "GET":
        return ctx.render(
            "deliberation/polls/codes.html", poll=poll, codes=[], errors={}, issued=polls.codes_issued(ctx.db, poll)
        )
    try:
        codes = polls.issue_codes(ctx.db, poll, ctx.int_field("count") or 0)
    except Invalid as invalid:
        return ctx.render(
            "deliberation/polls/codes.html",
            400,
            poll=poll,
            codes=[],
            errors=invalid.errors,
            issued=polls.codes_issued(ctx.db, poll),
        )
    return ctx.render(
        "deliberation/polls/codes.html", poll=poll, codes=codes, errors={}, issued=polls.codes_issued(ctx.db, poll)
    )


def _kiosk(ctx: Ctx, poll: Poll, status: int = 200, **extra: Any) -> Response:
    return ctx.render(
        "deliberation/polls/kiosk.html",
        status,
        poll=poll,
        options=polls.options_of(ctx.db, poll),
        params=polls.params_of(poll),
        state=polls.status(poll),
        **{"errors": {}, "error_params": {}, "done": False, **extra},
    )


@page
def poll_kiosk(ctx: Ctx) -> Response:
    """Voting with a paper code, signed in or not; nothing about the voter stays behind."""
    poll = _poll(ctx)
    if ctx.request.method == "GET":
        return _kiosk(ctx, poll)
    ctx.limit("vote", "kiosk", ctx.client_ip)
    try:
        polls.cast_with_code(ctx.db, poll, ctx.text("code"), _choice(ctx, poll))
    except Invalid as invalid:
        return _kiosk(ctx, poll, 400, errors=invalid.errors, error_params=invalid.params)
    return _kiosk(ctx, poll, done=True)


@page
def poll_publish(ctx: Ctx) -> Response:
    poll = _managed(ctx)
    try:
        poll_results.publish_result(ctx.db, ctx.queue, poll)
    except Invalid as invalid:
        return _detail(ctx, poll, invalid.errors, invalid.params, 400)
    ctx.flash(N_("The result is published, with its ballot file."))
    return ctx.redirect(ctx.url("deliberation:poll", slug=poll.slug))


@page
def poll_ballot_file(ctx: Ctx) -> Response:
    poll = _poll(ctx)
    try:
        text = poll_results.ballot_file(ctx.db, poll)
    except Invalid:
        raise HTTPException(404, detail=N_("The ballot file is written once the poll has closed.")) from None
    return Response(
        text,
        media_type="application/x-ndjson; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{poll.slug}.ballots.jsonl"'},
    )


routes = [
    Route("/polls", poll_list, name="deliberation:polls"),
    Route("/polls/new", poll_new, methods=["GET", "POST"], name="deliberation:poll_new"),
    Route("/polls/{slug}", poll_detail, name="deliberation:poll"),
    Route("/polls/{slug}/vote", poll_vote, methods=["POST"], name="deliberation:poll_vote"),
    Route("/polls/{slug}/tally", poll_tally, name="deliberation:poll_tally"),
    Route("/polls/{slug}/receipt", poll_receipt, name="deliberation:poll_receipt"),
    Route("/polls/{slug}/codes", poll_codes, methods=["GET", "POST"], name="deliberation:poll_codes"),
    Route("/polls/{slug}/in-person", poll_kiosk, methods=["GET", "POST"], name="deliberation:poll_kiosk"),
    Route("/polls/{slug}/publish", poll_publish, methods=["POST"], name="deliberation:poll_publish"),
    Route("/polls/{slug}/ballots.jsonl", poll_ballot_file, name="deliberation:poll_ballots"),
]
