"""Who may see and manage a consultation, for the page handlers: feedback's rules for any subject,
answered with the consultation itself."""

from __future__ import annotations

from core.accounts import Role
from core.web import Ctx
from feedback.access import managed_subject, visible_subject
from participation.models import Consultation
from participation.subject import CONSULTATIONS


def visible_consultation(ctx: Ctx) -> Consultation:
    """The consultation in the path; a draft exists only for those who manage it."""
    consultation: Consultation = visible_subject(ctx, CONSULTATIONS).record
    return consultation


def managed_consultation(ctx: Ctx) -> Consultation:
    """The consultation in the path, for officials of its agency (and admins) only."""
    ctx.require_role(Role.agency_official)
    consultation: Consultation = managed_subject(ctx, CONSULTATIONS).record
    return consultation
