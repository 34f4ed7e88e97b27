"""Flagging, the moderators' queue and their actions, and the public moderation log."""

from __future__ import annotations

from urllib.parse import urlparse

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from core import accounts, moderation
from core.accounts import Role
from core.errors import N_, Forbidden, Invalid
from core.web import Ctx, page


def _back(ctx: Ctx) -> str:
    """Where the flag form was: a path on this site only."""
    target = ctx.text("next")
    parsed = urlparse(target)
    return target if target.startswith("/") and not target.startswith("//") and not parsed.netloc else "/"


@page
def flag(ctx: Ctx) -> Response:
    member = ctx.contributor()
    ident = ctx.int_field("id")
    if ident is None:
        raise HTTPException(400)
    try:
        moderation.flag(ctx.db, member, ctx.text("kind"), ident, ctx.text("reason"), ctx.text("note"))
    except Invalid as invalid:
        raise HTTPException(400, detail=next(iter(invalid.errors.values()))) from None
    ctx.flash(N_("Thank you. A moderator will look at it."))
    return ctx.redirect(_back(ctx))


def _queue_page(ctx: Ctx, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    items = moderation.open_queue(ctx.db)
    authors = accounts.members_by_id(ctx.db, (i.content.author_id for i in items))
    return ctx.render(
        "core/moderation.html",
        status,
        items=items,
        authors=authors,
        reasons=moderation.REASONS,
        kinds={kind: m.label for kind, m in moderation.moderatable.items()},
        errors=errors or {},
    )


@page
def queue(ctx: Ctx) -> Response:
    ctx.require_role(Role.moderator)
    return _queue_page(ctx)


@page
def content_action(ctx: Ctx) -> Response:
    moderator = ctx.require_role(Role.moderator)
    ident = ctx.int_field("id")
    if ident is None:
        raise HTTPException(400)
    try:
        moderation.act_on_content(ctx.db, moderator, ctx.text("kind"), ident, ctx.text("action"), ctx.text("reason"))
    except Invalid as invalid:
        return _queue_page(ctx, invalid.errors, 400)
    ctx.flash(N_("Done. The action is in the moderation log."))
    return ctx.redirect(ctx.url("core:moderation"))


@page
def member_action(ctx: Ctx) -> Response:
    moderator = ctx.require_role(Role.moderator)
    member = accounts.get_member(ctx.db, ctx.request.path_params["member_id"])
    days = ctx.int_field("days") or 0
    try:
        moderation.act_on_member(
            ctx.db,
            ctx.queue,
            moderator,
            member,
            ctx.text("action"),
            ctx.text("reason"),
            days,
        )
    except Invalid as invalid:
        return _queue_page(ctx, invalid.errors, 400)
    except Forbidden as refused:
        return _queue_page(ctx, {"": str(refused)}, 403)
    ctx.flash(N_("Done. The action is in the moderation log."))
    return ctx.redirect(ctx.url("core:moderation"))


@page
def public_log(ctx: Ctx) -> Response:
    return ctx.render(
        "core/moderation_log.html",
        actions=moderation.log(ctx.db),
        action_labels=moderation.ACTION_LABELS,
        role_labels=moderation.ROLE_SHOWN,
        kinds={kind: m.label for kind, m in moderation.moderatable.items()},
    )


routes = [
    Route("/flag", flag, methods=["POST"], name="core:flag"),
    Route("/moderation", queue, name="core:moderation"),
    Route("/moderation/content", content_action, methods=["POST"], name="core:moderation_content"),
    Route("/moderation/members/{member_id:int}", member_action, methods=["POST"], name="core:moderation_member"),
    Route("/moderation/log", public_log, name="core:moderation_log"),
]
