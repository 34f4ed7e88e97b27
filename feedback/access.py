"""Who may see and answer a subject, for the page handlers that every subject mounts."""

from __future__ import annotations

from starlette.exceptions import HTTPException

from core.web import Ctx
from feedback.subjects import Subject, SubjectKind


def visible_subject(ctx: Ctx, kind: SubjectKind) -> Subject:
    """The subject in the path; one that is not public yet exists only for those who manage it."""
    subject = kind.from_path(ctx.db, ctx.request.path_params)
    if not subject.public and not kind.can_manage(ctx.member, ctx.roles, subject):
        raise HTTPException(404)
    return subject


def managed_subject(ctx: Ctx, kind: SubjectKind) -> Subject:
    """The subject in the path, for those who answer it only (sign in first)."""
    ctx.require_member()
    subject = visible_subject(ctx, kind)
    if not kind.can_manage(ctx.member, ctx.roles, subject):
        raise HTTPException(403, detail=kind.manager_only)
    return subject
