"""Signed-in sessions, kept on the server so that signing out ends them.

The session cookie is signed but lives on the client: a copy taken before sign-out would work
until it expires. So the cookie carries only a random token and the table its hash; a session
whose row is gone is refused. Signing out deletes the row, and a member can end any of their
other sessions (or all of them) from the sessions page; a new password ends them all.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Field, Session, SQLModel, col, select

from core.db import utcnow

IDLE_LIMIT = timedelta(days=14)  # as long as the session cookie lives: unused this long, it ends
# Last seen is rewritten at most this often, so reading pages does not write on every request.
TOUCH_EVERY = timedelta(minutes=5)
DEVICE_MAX = 80


class MemberSession(SQLModel, table=True):
    __tablename__ = "member_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)  # only the hash is stored
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    device: str = Field(default="", max_length=DEVICE_MAX)  # "Firefox · Windows", from the User-Agent


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, member_id: int, user_agent: str) -> str:
    """A new session for the member; the caller puts the returned token in the cookie."""
    db.exec(
        delete(MemberSession).where(
            col(MemberSession.member_id) == member_id, col(MemberSession.last_seen_at) < utcnow() - IDLE_LIMIT
        )
    )
    token = secrets.token_urlsafe(32)
    db.add(MemberSession(token_hash=_hash(token), member_id=member_id, device=device_of(user_agent)))
    db.commit()
    return token


def find(db: Session, token: str) -> MemberSession | None:
    """The live session with this token (its last-seen time brought up to date), or None."""
    row = db.exec(select(MemberSession).where(MemberSession.token_hash == _hash(token))).first()
    if row is None:
        return None
    now = utcnow()
    if row.last_seen_at < now - IDLE_LIMIT:
        db.delete(row)
        db.commit()
        return None
    if row.last_seen_at < now - TOUCH_EVERY:
        row.last_seen_at = now
        db.add(row)
        db.commit()
    return row


def end(db: Session, token: str) -> None:
    db.exec(delete(MemberSession).where(col(MemberSession.token_hash) == _hash(token)))
    db.commit()


def end_one(db: Session, member_id: int, session_id: int) -> bool:
    """End one of the member's sessions; False when they have none with this id."""
    result = db.exec(
        delete(MemberSession).where(col(MemberSession.id) == session_id, col(MemberSession.member_id) == member_id)
    )
    db.commit()
    return bool(result.rowcount)


def end_all(db: Session, member_id: int, keep: MemberSession | None = None) -> None:
    """End every session of the member but `keep`, committing with whatever else is pending, so
    a new password and the end of the old sessions are stored together."""
    statement = delete(MemberSession).where(col(MemberSession.member_id) == member_id)
    if keep is not None:
        statement = statement.where(col(MemberSession.id) != keep.id)
    db.exec(statement)
    db.commit()


def of_member(db: Session, member_id: int) -> list[MemberSession]:
    """The member's live sessions, the most recently used first."""
    statement = (
        select(MemberSession)
        .where(MemberSession.member_id == member_id, col(MemberSession.last_seen_at) >= utcnow() - IDLE_LIMIT)
        .order_by(col(MemberSession.last_seen_at).desc(), col(MemberSession.id).desc())
    )
    return list(db.exec(statement))


# The first name that matches wins: Edge and Opera also say Chrome, Chrome also says Safari,
# Android also says Linux.
_BROWSERS = [
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
]


def device_of(user_agent: str) -> str:
    """A short name for the browser and system a User-Agent names ("" when it names neither),
    enough for a member to tell their sessions apart; the full header is not kept."""
    names = [
        next((name for name, pattern in table if re.search(pattern, user_agent)), "") for table in (_BROWSERS, _SYSTEMS)
    ]
    return " · ".join(name for name in names if name)[:DEVICE_MAX]
