"""Conversation pages: the list, opening one, voting one statement at a time (HTMX swaps the card;
without JavaScript the form posts and the page reloads), adding statements, my votes, the
opinion map that refreshes itself, and the hosts' moderation of new statements."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from core import accounts
from core.accounts import Role
from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, page
from deliberation import services
from deliberation.models import STATUS_LABELS, Conversation, Statement

MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 640, 420, 24


def _conversation(ctx: Ctx) -> Conversation:
    return services.get_conversation(ctx.db, ctx.request.path_params["slug"])


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The convex hull (monotone chain), for drawing a group's outline."""
    ordered = sorted(set(points))
    if len(ordered) <= 2:
        return ordered

    def turn(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in ordered:
        while len(lower) >= 2 and turn(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(ordered):
        while len(upper) >= 2 and turn(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _drawing(result: dict[str, Any], me: str) -> dict[str, Any]:
    """The stored projection scaled into the map, with each group's hull."""
    points = result.get("points", [])
    if not points:
        return {"points": [], "hulls": [], "me": None}
    xs, ys = [p[1] for p in points], [p[2] for p in points]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0

    def place(x: float, y: float) -> tuple[float, float]:
        return (
            round(MAP_MARGIN + (x - min(xs)) / span_x * (MAP_WIDTH - 2 * MAP_MARGIN), 1),
            round(MAP_MARGIN + (y - min(ys)) / span_y * (MAP_HEIGHT - 2 * MAP_MARGIN), 1),
        )

    drawn = [(*place(x, y), group, voter == me) for voter, x, y, group in points]
    hulls = []
    for group in range(result.get("k", 0)):
        outline = _hull([(px, py) for px, py, g, _me in drawn if g == group])
        hulls.append((group, " ".join(f"{x},{y}" for x, y in outline)))
    mine = next(((x, y, group) for x, y, group, is_me in drawn if is_me), None)
    return {"points": drawn, "hulls": hulls, "me": mine, "width": MAP_WIDTH, "height": MAP_HEIGHT}


def _map_context(ctx: Ctx, conversation: Conversation) -> dict[str, Any]:
    found = services.opinion_map(ctx.db, conversation)
    result = services.map_result(found)
    # Accepted statements only: one moderated out after the map was computed must not show in it.
    texts = {pk(s): s.text for s in services.statements_of(ctx.db, conversation, "accepted")}
    me = services.voter_key(ctx.member) if ctx.member else ""
    my_group = next((p[3] for p in result.get("points", []) if p[0] == me), None)
    return {
        "opinion": found,
        "result": result,
        "texts": texts,
        "drawing": _drawing(result, me),
        "my_group": my_group,
        "consensus": [(s, result["gic"].get(str(s), 0)) for s in result.get("consensus", [])],
        "votes_now": services.vote_count(ctx.db, conversation),
    }


def _card_context(ctx: Ctx, conversation: Conversation) -> dict[str, Any]:
    if ctx.member is None:
        return {"statement": None, "voted": 0, "remaining": 0}
    statement, voted, remaining = services.next_statement(ctx.db, conversation, services.voter_key(ctx.member))
    return {"statement": statement, "voted": voted, "remaining": remaining}


def _detail(ctx: Ctx, conversation: Conversation, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    return ctx.render(
        "deliberation/detail.html",
        status,
        conversation=conversation,
        agency=ctx.db.get(accounts.Agency, conversation.agency_id) if conversation.agency_id else None,
        hosting=services.can_host(ctx.member, ctx.roles, conversation),
        pending=len(services.statements_of(ctx.db, conversation, "pending")),
        errors=errors or {},
        text=ctx.text("text") if errors else "",
        **_card_context(ctx, conversation),
        **_map_context(ctx, conversation),
    )


@page
def conversation_list(ctx: Ctx) -> Response:
    return ctx.render(
        "deliberation/list.html",
        conversations=services.list_conversations(ctx.db),
        hosting=services.can_host(ctx.member, ctx.roles),
    )


@page
def conversation_new(ctx: Ctx) -> Response:
    member = ctx.require_role(Role.agency_official, Role.moderator)
    values = {name: ctx.text(name) for name in ("topic", "description", "seeds")}
    if ctx.request.method == "GET":
        return ctx.render("deliberation/new.html", values=values, errors={})
    agency = ctx.db.get(accounts.Agency, member.agency_id) if member.agency_id else None
    try:
        conversation = services.create_conversation(
            ctx.db, member, values["topic"], values["description"], values["seeds"].splitlines(), agency
        )
    except Invalid as invalid:
        return ctx.render("deliberation/new.html", 400, values=values, errors=invalid.errors)
    ctx.flash(N_("The conversation is open. Share its address so people can vote."))
    return ctx.redirect(ctx.url("deliberation:detail", slug=conversation.slug))


@page
def conversation_detail(ctx: Ctx) -> Response:
    return _detail(ctx, _conversation(ctx))


@page
def vote(ctx: Ctx) -> Response:
    member = ctx.contributor("vote")
    conversation = _conversation(ctx)
    statement, raw_vote = ctx.int_field("statement"), ctx.text("vote")
    if statement is None or raw_vote not in services.VOTES:
        raise HTTPException(400, detail=N_("Choose agree, disagree or pass."))
    try:
        services.cast_vote(ctx.db, conversation, member, statement, services.VOTES[raw_vote])
    except Invalid as invalid:
        return _detail(ctx, conversation, invalid.errors, 400)
    services.request_map(ctx.db, ctx.queue, conversation)
    if ctx.text("next") == "mine":
        return ctx.redirect(ctx.url("deliberation:mine", slug=conversation.slug))
    if ctx.htmx:
        return ctx.render("deliberation/_vote_card.html", conversation=conversation, **_card_context(ctx, conversation))
    return ctx.redirect(ctx.url("deliberation:detail", slug=conversation.slug) + "#vote-card")


@page
def statement_add(ctx: Ctx) -> Response:
    member = ctx.contributor()
    conversation = _conversation(ctx)
    try:
        statement = services.add_statement(ctx.db, conversation, member, ctx.roles, ctx.text("text"))
    except Invalid as invalid:
        return _detail(ctx, conversation, invalid.errors, 400)
    ctx.flash(
        N_("Your statement is added.")
        if statement.status == "accepted"
        else N_("Thank you. Your statement will be shown once a moderator has read it.")
    )
    return ctx.redirect(ctx.url("deliberation:detail", slug=conversation.slug))


@page
def mine(ctx: Ctx) -> Response:
    member = ctx.require_member()
    conversation = _conversation(ctx)
    votes = services.votes_of(ctx.db, conversation, services.voter_key(member))
    statements = [s for s in services.statements_of(ctx.db, conversation, "accepted") if pk(s) in votes]
    return ctx.render("deliberation/mine.html", conversation=conversation, statements=statements, votes=votes)


@page
def opinion_map(ctx: Ctx) -> Response:
    """The map fragment, polled by the conversation page."""
    conversation = _conversation(ctx)
    response = ctx.render("deliberation/_map.html", conversation=conversation, **_map_context(ctx, conversation))
    response.headers["Vary"] = "HX-Request"
    return response


def _hosted(ctx: Ctx) -> Conversation:
    ctx.require_member()
    conversation = _conversation(ctx)
    if not services.can_host(ctx.member, ctx.roles, conversation):
        raise HTTPException(403, detail=N_("Only the conversation's hosts and moderators can do this."))
    return conversation


@page
def moderation(ctx: Ctx) -> Response:
    conversation = _hosted(ctx)
    if ctx.request.method == "POST":
        statement = ctx.int_field("statement")
        if statement is None or ctx.text("decision") not in ("accept", "reject"):
            raise HTTPException(400)
        services.moderate(ctx.db, conversation, statement, ctx.text("decision") == "accept")
        services.request_map(ctx.db, ctx.queue, conversation, force=True)
        ctx.flash(N_("Saved."))
        return ctx.redirect(ctx.url("deliberation:moderate", slug=conversation.slug))
    statements: list[Statement] = services.statements_of(ctx.db, conversation)
    return ctx.render(
        "deliberation/moderate.html",
        conversation=conversation,
        pending=[s for s in statements if s.status == "pending"],
        decided=[s for s in statements if s.status != "pending" and not s.seed][-50:],
        status_labels=STATUS_LABELS,
    )


routes = [
    Route("/conversations", conversation_list, name="deliberation:list"),
    Route("/conversations/new", conversation_new, methods=["GET", "POST"], name="deliberation:new"),
    Route("/conversations/{slug}", conversation_detail, name="deliberation:detail"),
    Route("/conversations/{slug}/vote", vote, methods=["POST"], name="deliberation:vote"),
    Route("/conversations/{slug}/statements", statement_add, methods=["POST"], name="deliberation:statement_add"),
    Route("/conversations/{slug}/mine", mine, name="deliberation:mine"),
    Route("/conversations/{slug}/map", opinion_map, name="deliberation:map"),
    Route("/conversations/{slug}/moderate", moderation, methods=["GET", "POST"], name="deliberation:moderate"),
]
