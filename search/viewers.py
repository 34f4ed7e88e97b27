"""Who may see a document: each document carries one visibility, and each viewer a set of them.

"public" is everyone's; "agency:<id>" is that agency's officials' (drafts); "member:<id>" is one
member's own (a post or statement held for review); "moderators" is what moderation took down."""

from __future__ import annotations

from sqlmodel import Session

from core import accounts
from core.accounts import Member, Role

from .model import PUBLIC

MODERATORS = "moderators"


def agency(agency_id: int | None) -> str:
    return f"agency:{agency_id}"


def member(member_id: int | None) -> str:
    return f"member:{member_id}"


def visibilities(session: Session, viewer: Member | None, roles: set[str]) -> set[str]:
    """Every visibility this viewer may see; admins see everything."""
    seen = {PUBLIC}
    if viewer is None:
        return seen
    seen.add(member(viewer.id))
    if Role.agency_official in roles and viewer.agency_id is not None:
        seen.add(agency(viewer.agency_id))
    if roles & {Role.moderator, Role.admin}:
        seen.add(MODERATORS)
    if Role.admin in roles:
        seen |= {agency(a.id) for a in accounts.list_agencies(session)}
    return seen
