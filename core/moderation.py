"""Moderation: anyone flags content with a reason; moderators work the queue (hide with a public
reason, restore, dismiss, warn or suspend the author, lift a suspension); every action goes to a
public log that names the moderator's role, never the moderator.

Content is judged by what it says, whoever wrote it. Members are acted on only by someone who
outranks them (`accounts.RANKS`: admin > moderator > staff and officials > citizen), never by
themselves: so a moderator cannot suspend an admin or another moderator.

Content belongs to the domain packages, which register each kind they have (`moderatable`):
how to show it, hide it and restore it. The kernel knows nothing else about comments or
statements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Field, Session, SQLModel, col, select

from core import notify
from core.accounts import Member, Role, rank, roles_of
from core.db import pk, utcnow
from core.errors import N_, Forbidden, Invalid, NotFound
from core.jobs import Queue

REASONS = {
    "abuse": N_("Abuse or harassment"),
    "hate": N_("Hate or discrimination"),
    "spam": N_("Spam or advertising"),
    "privacy": N_("Someone's private information"),
    "off_topic": N_("Off topic"),
    "other": N_("Something else"),
    "held": N_("A new account's first posts, held for review"),
}
ACTION_LABELS = {
    "hide": N_("Hidden"),
    "restore": N_("Restored"),
    "dismiss": N_("Flags dismissed"),
    "warn": N_("Member warned"),
    "suspend": N_("Member suspended"),
    "lift": N_("Suspension lifted"),
}
ROLE_SHOWN = {Role.admin: N_("Administrator"), Role.moderator: N_("Moderator")}
NOTE_MAX = 500
# Its author may no longer edit or delete what a moderator hid: the hidden words stay as they
# were judged, for an appeal and for the log.
HIDDEN_IS_FIXED = N_("A moderator hid this, so it can no longer be changed.")


class Flag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    content_kind: str = Field(max_length=20, index=True)
    content_id: int = Field(index=True)
    reason: str = Field(max_length=20)
    note: str = Field(default="", max_length=NOTE_MAX)
    member_id: int | None = Field(default=None, foreign_key="member.id")  # None: the site itself held it
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class ModerationAction(SQLModel, table=True):
    """One line of the public moderation log."""

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=20)  # hide, restore, dismiss, warn, suspend, lift
    content_kind: str = Field(default="", max_length=20)
    content_id: int | None = None
    member_id: int | None = Field(default=None, foreign_key="member.id")  # the member warned, suspended or lifted
    moderator_id: int = Field(foreign_key="member.id")  # kept for accountability; the log shows the role
    moderator_role: str = Field(max_length=30)
    reason: str = Field(max_length=NOTE_MAX)
    until: datetime | None = None  # a suspension's end
    created_at: datetime = Field(default_factory=utcnow)


@dataclass
class Content:
    text: str
    author_id: int | None
    url: str
    hidden: bool


@dataclass
class Moderatable:
    label: str  # msgid: "Comment", "Statement"
    describe: Callable[[Session, int], Content | None]
    hide: Callable[[Session, int, str], None]  # (session, id, public reason); no commit
    restore: Callable[[Session, int], None]


moderatable: dict[str, Moderatable] = {}


def _content(session: Session, kind: str, content_id: int) -> Content:
    if kind not in moderatable:
        raise Invalid({"": N_("That cannot be flagged.")})
    found = moderatable[kind].describe(session, content_id)
    if found is None:
        raise NotFound(f"{kind} {content_id}")
    return found


def hold(session: Session, kind: str, content_id: int) -> None:
    """Put content in the queue as held (no commit): a moderator restores it to publish it."""
    session.add(Flag(content_kind=kind, content_id=content_id, reason="held"))


def flag(session: Session, member: Member, kind: str, content_id: int, reason: str, note: str) -> Flag:
    _content(session, kind, content_id)
    if reason not in REASONS or reason == "held":
        raise Invalid({"reason": N_("Choose a reason.")})
    if len(note) > NOTE_MAX:
        raise Invalid({"note": N_("This field is too long.")})
    known = session.exec(
        select(Flag).where(
            Flag.content_kind == kind,
            Flag.content_id == content_id,
            Flag.member_id == pk(member),
            col(Flag.resolved_at).is_(None),
        )
    ).first()
    if known is not None:  # one open flag per member and content; a second click changes nothing
        return known
    found = Flag(content_kind=kind, content_id=content_id, reason=reason, note=note.strip(), member_id=pk(member))
    session.add(found)
    session.commit()
    return found


@dataclass
class QueueItem:
    kind: str
    content_id: int
    content: Content
    flags: list[Flag]


def open_queue(session: Session, limit: int = 100) -> list[QueueItem]:
    """Flagged content not yet dealt with, most flagged first."""
    grouped: dict[tuple[str, int], list[Flag]] = {}
    for found in session.exec(select(Flag).where(col(Flag.resolved_at).is_(None)).order_by(col(Flag.id))):
        grouped.setdefault((found.content_kind, found.content_id), []).append(found)
    items = []
    for (kind, content_id), flags in grouped.items():
        described = moderatable[kind].describe(session, content_id) if kind in moderatable else None
        if described is not None:
            items.append(QueueItem(kind, content_id, described, flags))
    items.sort(key=lambda item: (-len(item.flags), item.flags[0].id or 0))
    return items[:limit]


def _shown_role(session: Session, moderator: Member) -> str:
    return Role.admin if Role.admin in roles_of(session, moderator) else Role.moderator


def _resolve_flags(session: Session, kind: str, content_id: int) -> None:
    for found in session.exec(
        select(Flag).where(Flag.content_kind == kind, Flag.content_id == content_id, col(Flag.resolved_at).is_(None))
    ):
        found.resolved_at = utcnow()
        session.add(found)


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid({"reason": N_("Give the reason; it is published in the moderation log.")})
    if len(reason) > NOTE_MAX:
        raise Invalid({"reason": N_("This field is too long.")})
    return reason


def act_on_content(session: Session, moderator: Member, kind: str, content_id: int, action: str, reason: str) -> None:
    """Hide, restore or dismiss the flags on one piece of content, with a public reason."""
    _content(session, kind, content_id)
    if action not in ("hide", "restore", "dismiss"):
        raise Invalid({"": N_("The form was not filled in as expected. Reload the page and try again.")})
    reason = _check_reason(reason)
    if action == "hide":
        moderatable[kind].hide(session, content_id, reason)
    elif action == "restore":
        moderatable[kind].restore(session, content_id)
    _resolve_flags(session, kind, content_id)
    session.add(
        ModerationAction(
            action=action,
            content_kind=kind,
            content_id=content_id,
            moderator_id=pk(moderator),
            moderator_role=_shown_role(session, moderator),
            reason=reason,
        )
    )
    session.commit()


def act_on_member(
    session: Session,
    queue: Queue,
    moderator: Member,
    member: Member,
    action: str,
    reason: str,
    days: int = 0,
) -> None:
    """Warn a member, suspend them for `days`, or lift their suspension; they are told why, in
    their own language. Raises Forbidden when the member's role is not below the moderator's."""
    reason = _check_reason(reason)
    if member.id == moderator.id:
        raise Invalid({"": N_("Moderators cannot act on their own account.")})
    if rank(roles_of(session, member)) >= rank(roles_of(session, moderator)):
        raise Forbidden(N_("You can act only on members whose role is below yours."))
    until = None
    if action == "suspend":
        if not 1 <= days <= 365:
            raise Invalid({"days": N_("A suspension lasts from 1 to 365 days.")})
        until = utcnow() + timedelta(days=days)
        member.suspended_until = until
        session.add(member)
        message = N_("A moderator suspended your account until %(until)s: %(reason)s")
    elif action == "warn":
        message = N_("A moderator warned you: %(reason)s")
    elif action == "lift":
        if not member.suspended():
            raise Invalid({"": N_("This member is not suspended.")})
        member.suspended_until = None
        session.add(member)
        message = N_("A moderator lifted your suspension: %(reason)s")
    else:
        raise Invalid({"": N_("The form was not filled in as expected. Reload the page and try again.")})
    session.add(
        ModerationAction(
            action=action,
            member_id=pk(member),
            moderator_id=pk(moderator),
            moderator_role=_shown_role(session, moderator),
            reason=reason,
            until=until,
        )
    )
    session.commit()
    params = {"reason": reason, "until": until.date().isoformat() if until else ""}
    notify.notify(session, queue, {pk(member)}, message, params, "/moderation/log", queue.settings.base_url)


def log(session: Session, limit: int = 200) -> list[ModerationAction]:
    query = select(ModerationAction).order_by(col(ModerationAction.id).desc()).limit(limit)
    return list(session.exec(query))
