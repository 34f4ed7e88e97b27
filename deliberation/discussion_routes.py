"""Discussion pages: the forum, starting a discussion (on a subject or in the forum), a thread with
replies, quotes and reactions, and a post's edit, history and delete."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from core import moderation, notify
from core.accounts import Role
from core.db import pk
from core.errors import N_, Invalid
from core.input import whole_number
from core.web import Ctx, page
from deliberation import discussions
from deliberation.models import REACTIONS, Discussion, Post


def _discussion(ctx: Ctx) -> Discussion:
    return discussions.get_discussion(ctx.db, ctx.request.path_params["discussion_id"])


def _own_post(ctx: Ctx) -> Post:
    return discussions.get_post(ctx.db, ctx.request.path_params["post_id"])


def _quote(ctx: Ctx, discussion: Discussion) -> str:
    """?quote=<post> starts the reply with that post as a Markdown quotation."""
    ident = ctx.int_query("quote")
    if ident is None:
        return ""
    quoted = ctx.db.get(Post, ident)
    if quoted is None or quoted.discussion_id != discussion.id or quoted.deleted_at or quoted.hidden_reason:
        return ""
    return "\n".join(f"> {line}" for line in quoted.body.splitlines()) + "\n\n"


def _thread(
    ctx: Ctx, discussion: Discussion, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    moderating = bool(ctx.roles & {Role.moderator, Role.admin})
    roots = discussions.thread(ctx.db, discussion, ctx.member, moderating)
    counts, mine = discussions.reactions_of(ctx.db, discussion, ctx.member)
    return ctx.render(
        "deliberation/discussion.html",
        status,
        discussion=discussion,
        subject=discussions.subject_of(ctx.db, discussion),
        roots=roots,
        authors=discussions.authors(ctx.db, roots),
        counts=counts,
        mine=mine,
        reactions=REACTIONS,
        following=notify.is_following(ctx.db, ctx.member, "discussion", pk(discussion)),
        values=values,
        errors=errors,
    )


@page
def forum(ctx: Ctx) -> Response:
    return ctx.render("deliberation/forum.html", discussions=discussions.list_discussions(ctx.db))


def _start_values(ctx: Ctx) -> dict[str, str]:
    return {name: ctx.text(name) or ctx.query(name) for name in ("on", "id", "article", "title", "body")}


@page
def start(ctx: Ctx) -> Response:
    member = ctx.require_member()
    values = _start_values(ctx)
    subject: Any = None
    kind = values["on"] or "forum"
    ident, article = whole_number(values["id"]), whole_number(values["article"])
    if values["article"] and article is None:
        raise HTTPException(400)
    if kind != "forum":
        if kind not in discussions.SUBJECT_KINDS or ident is None:
            raise HTTPException(400)
        subject = notify.followable[kind](ctx.db, ident)
        if subject is None:
            raise HTTPException(404)
    if ctx.request.method == "GET":
        return ctx.render("deliberation/discussion_new.html", values=values, subject=subject, errors={})
    ctx.contributor()
    try:
        discussion = discussions.start(
            ctx.db,
            member,
            values["title"],
            values["body"],
            kind,
            ident if kind != "forum" else None,
            article,
            discussions.must_hold(ctx.db, member, ctx.settings.hold_first_posts),
        )
    except Invalid as invalid:
        return ctx.render(
            "deliberation/discussion_new.html", 400, values=values, subject=subject, errors=invalid.errors
        )
    return ctx.redirect(ctx.url("deliberation:discussion", discussion_id=discussion.id))


@page
def discussion_page(ctx: Ctx) -> Response:
    discussion = _discussion(ctx)
    return _thread(ctx, discussion, {"body": _quote(ctx, discussion), "parent": ctx.query("reply_to")}, {})


@page
def post_reply(ctx: Ctx) -> Response:
    member = ctx.contributor()
    discussion = _discussion(ctx)
    values = {"body": ctx.text("body"), "parent": ctx.text("parent")}
    parent = ctx.int_field("parent")
    try:
        held = discussions.must_hold(ctx.db, member, ctx.settings.hold_first_posts)
        post = discussions.reply(ctx.db, member, discussion, values["body"], parent, held)
    except Invalid as invalid:
        return _thread(ctx, discussion, values, invalid.errors, 400)
    discussions.tell_about_reply(ctx.db, ctx.queue, post)
    if post.held:
        ctx.flash(N_("Thank you. As a new member, your first posts are shown once a moderator has read them."))
    return ctx.redirect(ctx.url("deliberation:discussion", discussion_id=discussion.id) + f"#post-{post.id}")


@page
def post_edit(ctx: Ctx) -> Response:
    member = ctx.require_member()
    post = _own_post(ctx)
    if post.author_id != member.id or post.deleted_at is not None:
        raise HTTPException(403, detail=N_("Only the author can edit a post."))
    if post.hidden_reason:
        raise HTTPException(403, detail=moderation.HIDDEN_IS_FIXED)
    values = {"body": post.body}
    if ctx.request.method == "POST":
        values = {"body": ctx.text("body")}
        try:
            discussions.edit(ctx.db, member, post, values["body"])
        except Invalid as invalid:
            return ctx.render("deliberation/post_edit.html", 400, post=post, values=values, errors=invalid.errors)
        return ctx.redirect(ctx.url("deliberation:discussion", discussion_id=post.discussion_id) + f"#post-{post.id}")
    return ctx.render("deliberation/post_edit.html", post=post, values=values, errors={})


@page
def post_history(ctx: Ctx) -> Response:
    post = _own_post(ctx)
    if post.hidden_reason:
        raise HTTPException(404)
    return ctx.render("deliberation/post_history.html", post=post, revisions=discussions.revisions(ctx.db, post))


@page
def post_delete(ctx: Ctx) -> Response:
    member = ctx.require_member()
    post = _own_post(ctx)
    try:
        discussions.delete(ctx.db, member, post)
    except Invalid as invalid:
        raise HTTPException(403, detail=next(iter(invalid.errors.values()))) from None
    return ctx.redirect(ctx.url("deliberation:discussion", discussion_id=post.discussion_id) + f"#post-{post.id}")


@page
def post_react(ctx: Ctx) -> Response:
    member = ctx.contributor("vote")
    post = _own_post(ctx)
    try:
        discussions.react(ctx.db, member, post, ctx.text("kind"))
    except Invalid as invalid:
        raise HTTPException(400, detail=next(iter(invalid.errors.values()))) from None
    return ctx.redirect(ctx.url("deliberation:discussion", discussion_id=post.discussion_id) + f"#post-{post.id}")


routes = [
    Route("/discussions", forum, name="deliberation:forum"),
    Route("/discussions/new", start, methods=["GET", "POST"], name="deliberation:discussion_new"),
    Route("/discussions/{discussion_id:int}", discussion_page, name="deliberation:discussion"),
    Route("/discussions/{discussion_id:int}/posts", post_reply, methods=["POST"], name="deliberation:reply"),
    Route("/posts/{post_id:int}/edit", post_edit, methods=["GET", "POST"], name="deliberation:post_edit"),
    Route("/posts/{post_id:int}/history", post_history, name="deliberation:post_history"),
    Route("/posts/{post_id:int}/delete", post_delete, methods=["POST"], name="deliberation:post_delete"),
    Route("/posts/{post_id:int}/react", post_react, methods=["POST"], name="deliberation:post_react"),
]
