"""What pages keep between requests, and how a write makes it stale at once, in every process.

A cached value lives in this process's memory under a *scope* ("comments:consultation:5") and the
scope's *generation*, a random token kept in the main database. The writer of anything a scope
covers calls `changed(session, scope)` in its own transaction, so the new token commits, or rolls
back, with the write; a reader reads the token first (one primary-key lookup), then computes, so
it never gets a value computed before a write it could already see, whichever web process
answers. A scope without a token yet (no write through the services since the table was made,
or a database emptied under a running process) is never cached: a token is random, not a count,
so that a database emptied and filled again never meets values kept from its former contents.

Values that depend on their input alone need no scope: rendered Markdown is remembered by its
text (core.markup), so a new draft version, being new text, renders anew.

Only shared values are kept here: counts and the like, the same for every reader. Nothing that
depends on who is asking (a CSRF token, "you" markers, what is hidden from whom) is ever cached.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, select

T = TypeVar("T")
KEPT = 2_000  # values per process, least recently used dropped first

ALL_COMMENTS = "comments"  # any comment anywhere: the home page's counts


class CacheGeneration(SQLModel, table=True):
    __tablename__ = "cache_generation"
    scope: str = Field(primary_key=True, max_length=80)
    generation: str = Field(max_length=32)


def comments_scope(subject_kind: str, subject_id: int) -> str:
    """The comments on one subject: new, edited, hidden or shown again, imported."""
    return f"comments:{subject_kind}:{subject_id}"


def changed(session: Session, *scopes: str) -> None:
    """Everything cached under `scopes` is stale once this transaction commits (not before)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for scope in scopes:
        token = secrets.token_hex(16)
        statement = insert(CacheGeneration).values(scope=scope, generation=token)
        session.execute(statement.on_conflict_do_update(index_elements=["scope"], set_={"generation": token}))


def generation(session: Session, scope: str) -> str | None:
    return session.exec(select(CacheGeneration.generation).where(CacheGeneration.scope == scope)).first()


_values: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
_lock = threading.Lock()


def remembered(session: Session, scope: str, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave before under `scope`'s current generation and `key`. The value
    is shared by every caller: treat it as read-only."""
    token = generation(session, scope)
    if token is None:
        return compute()
    full = (scope, token, key)
    with _lock:
        if full in _values:
            _values.move_to_end(full)
            return _values[full]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _values[full] = value
        while len(_values) > KEPT:
            _values.popitem(last=False)
    return value


def forget_all() -> None:
    """Empty this process's cache (tests that swap databases; a restore from backup)."""
    with _lock:
        _values.clear()
