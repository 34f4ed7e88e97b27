"""Supporting a comment, on any subject: a plain form that sends the reader back to the comment,
or with HTMX the button and the count swapped in place."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, page
from feedback import comments, subjects, supports


def _back(ctx: Ctx, subject: subjects.Subject) -> str:
    """Where the form was: the subject's page or its comment list (never another site)."""
    back = ctx.text("back")
    if back == subject.path or back.startswith(f"{subject.path}/comments?") or back == f"{subject.path}/comments":
        return back
    return subject.path


@page
def comment_support(ctx: Ctx) -> Response:
    """Support a comment, or withdraw one's support: a toggle."""
    member = ctx.contributor("vote")
    comment = comments.get_comment(ctx.db, ctx.request.path_params["comment_id"])
    subject = subjects.get(ctx.db, comment.subject_kind, comment.subject_id)
    kind = subjects.kind_of(comment.subject_kind)
    if subject is None or not (subject.public or kind.can_manage(member, ctx.roles, subject)):
        raise HTTPException(404)
    try:
        now_supported = supports.toggle_support(ctx.db, subject, comment, member)
    except Invalid as invalid:
        raise HTTPException(400, detail=next(iter(invalid.errors.values()))) from None
    if ctx.htmx:
        counts = supports.support_counts(ctx.db, [comment.id])
        return ctx.render(
            "feedback/_support.html",
            comment=comment,
            subject=subject,
            supports=counts,
            supported={pk(comment)} if now_supported else set(),
            support_open=True,
            back=_back(ctx, subject),
        )
    ctx.flash(N_("Thank you for your support.") if now_supported else N_("Your support is withdrawn."))
    return ctx.redirect(f"{_back(ctx, subject)}#comment-{comment.id}")


routes = [
    Route("/comments/{comment_id:int}/support", comment_support, methods=["POST"], name="feedback:comment_support"),
]
