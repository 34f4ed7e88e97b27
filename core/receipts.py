"""Receipts: every contribution (a comment, a signature, a vote, a statement, a post) has a code
that anyone can check, without signing in, to see the contribution and what became of it, never
who made it. A member's activity page lists their contributions with the same fates.

A code is `<letter><id>-<mac>`: the kind's letter, the row's id, and eight characters of an HMAC
under the site's secret, so a code cannot be guessed from another and no table is needed. The
domain packages own the contributions: each registers a `ReceiptKind` that lists a member's own
and says, for some ids, what became of them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from core.accounts import Member

_CODE = re.compile(r"^([A-Z])(\d{1,12})-([A-Z2-7]{8})$")


@dataclass
class Fate:
    """A contribution and what became of it, as its receipt shows it."""

    kind: str  # msgid: "Comment"
    text: str  # the contribution itself (for a vote, the statement voted on)
    where: str  # the title of what it is on
    url: str  # where it stands
    created_at: datetime
    status: str  # msgid: "Received", "Answered: %(decision)s"...
    params: dict[str, str] = field(default_factory=dict)  # for the status msgid
    detail: str = ""  # people's words: the agency's reason, the moderator's reason
    decision: str = ""  # msgid: the answer's decision ("Adopted"), when there is one
    tone: str = "received"  # a badge class: received, progress, adopted, partly, declined, hidden


@dataclass(frozen=True)
class ReceiptKind:
    letter: str  # one capital letter, unique
    mine: Callable[[Session, Member], list[tuple[int, datetime]]]  # (id, when) of the member's own
    fates: Callable[[Session, list[int]], dict[int, Fate]]  # what became of each (absent: gone)


kinds: dict[str, ReceiptKind] = {}


def register(kind: ReceiptKind) -> ReceiptKind:
    if kind.letter in kinds and kinds[kind.letter] is not kind:
        raise RuntimeError(f"two receipt kinds use the letter {kind.letter!r}")
    kinds[kind.letter] = kind
    return kind


def _mac(secret: str, letter: str, ident: int) -> str:
    digest = hmac.new(secret.encode(), f"receipt:{letter}:{ident}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:8]


def code(secret: str, letter: str, ident: int) -> str:
    return f"{letter}{ident}-{_mac(secret, letter, ident)}"


def read(secret: str, text: str) -> tuple[ReceiptKind, int] | None:
    """The kind and id a code names, or None for a code this site did not issue."""
    match = _CODE.match(text.strip().upper())
    if not match or match.group(1) not in kinds:
        return None
    letter, ident = match.group(1), int(match.group(2))
    if not hmac.compare_digest(match.group(3), _mac(secret, letter, ident)):
        return None
    return kinds[letter], ident


def check(session: Session, secret: str, text: str) -> Fate | None:
    found = read(secret, text)
    if found is None:
        return None
    kind, ident = found
    return kind.fates(session, [ident]).get(ident)


@dataclass
class Entry:
    code: str
    fate: Fate


def activity(session: Session, secret: str, member: Member, offset: int, limit: int) -> tuple[list[Entry], int]:
    """A member's contributions, newest first, a page at a time, with their fates; and how many."""
    everything: list[tuple[datetime, str, int]] = []
    for kind in kinds.values():
        everything += [(when, kind.letter, ident) for ident, when in kind.mine(session, member)]
    everything.sort(reverse=True)
    shown = everything[offset : offset + limit]
    wanted: dict[str, list[int]] = {}
    for _when, letter, ident in shown:
        wanted.setdefault(letter, []).append(ident)
    fates = {letter: kinds[letter].fates(session, ids) for letter, ids in wanted.items()}
    entries = [
        Entry(code(secret, letter, ident), fates[letter][ident])
        for _when, letter, ident in shown
        if ident in fates[letter]
    ]
    return entries, len(everything)


def as_json(entry: Entry) -> dict[str, Any]:
    fate = entry.fate
    return {
        "receipt": entry.code,
        "kind": fate.kind,
        "text": fate.text,
        "on": fate.where,
        "url": fate.url,
        "created_at": fate.created_at.isoformat(),
        "status": fate.status % fate.params if fate.params else fate.status,
        "detail": fate.detail,
        "decision": fate.decision,
    }
