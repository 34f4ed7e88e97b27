"""Who may see and manage a consultation, for the page handlers."""

from __future__ import annotations

from starlette.exceptions import HTTPException

from core.accounts import Role
from core.errors import N_
from core.web import Ctx
from participation import services
from participation.models import Consultation


def visible_consultation(ctx: Ctx) -> Consultation:
    """The consultation in the path; a draft exists only for those who manage it."""
    consultation = services.get_consultation(ctx.db, ctx.request.path_params["slug"])
    if consultation.published_at is None and not services.can_manage(ctx.member, ctx.roles, consultation):
        raise HTTPException(404)
    return consultation


def managed_consultation(ctx: Ctx) -> Consultation:
    """The consultation in the path, for officials of its agency (and admins) only."""
    ctx.require_role(Role.agency_official)
    consultation = visible_consultation(ctx)
    if not services.can_manage(ctx.member, ctx.roles, consultation):
        raise HTTPException(403, detail=N_("Only officials of the agency that holds this consultation can do this."))
    return consultation
