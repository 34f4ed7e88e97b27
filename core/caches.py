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

Whole pages for anonymous readers (core.response_cache) need a token that no writer can forget:
`watch(engine)` (every engine core.db makes) notes each INSERT, UPDATE or DELETE of one of our
tables on a connection, and just before that transaction commits writes a new *site* token in it.
That covers the web, the worker's jobs, imports and the command line alike. The site token is
spread over SITE_SHARDS rows, each writer renewing one at random: a row written in a transaction
stays locked until the commit, and one row for every writer would queue concurrent commits on
PostgreSQL. A reader reads them all in one query; any one of them changing is a change.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, Session, SQLModel, select

T = TypeVar("T")
KEPT = 2_000  # values per process, least recently used dropped first

ALL_COMMENTS = "comments"  # any comment anywhere: the home page's counts


class CacheGeneration(SQLModel, table=True):
    __tablename__ = "cache_generation"
    scope: str = Field(primary_key=True, max_length=80)
    generation: str = Field(max_length=32)


SITE = "site"  # anything on any page: the anonymous readers' page cache (core.response_cache)
SITE_SHARDS = 8
_SITE_SCOPES = [f"{SITE}:{n}" for n in range(SITE_SHARDS)]
# Tables no page shows to an anonymous reader, which change without anything else changing:
# sessions touched while a member reads, failed sign-ins, and the tokens themselves.
NOT_CONTENT = frozenset({"cache_generation", "member_session", "sign_in_failure"})
_WROTE = "thinktank_wrote_content"  # in Connection.info until its transaction ends


def comments_scope(subject_kind: str, subject_id: int) -> str:
    """The comments on one subject: new, edited, hidden or shown again, imported."""
    return f"comments:{subject_kind}:{subject_id}"


def changed(session: Session, *scopes: str) -> None:
    """Everything cached under `scopes` is stale once this transaction commits (not before)."""
    for scope in scopes:
        session.execute(_renewal(session.get_bind().dialect.name, scope))


def _renewal(dialect: str, scope: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    token = secrets.token_hex(16)
    statement = insert(CacheGeneration).values(scope=scope, generation=token)
    return statement.on_conflict_do_update(index_elements=["scope"], set_={"generation": token})


def watch(engine: Engine) -> None:
    """Renew the site token in every transaction on `engine` that writes one of our tables."""
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "commit", _renew_site_token)
    event.listen(engine, "rollback", _forget_write)


_CONTENT_TABLES: frozenset[str] | None = None


def _content_tables() -> frozenset[str]:
    global _CONTENT_TABLES
    if _CONTENT_TABLES is None:  # read once every model is imported, at the first write
        _CONTENT_TABLES = frozenset(SQLModel.metadata.tables) - NOT_CONTENT
    return _CONTENT_TABLES


def _note_write(connection: Connection, _cursor: Any, _sql: str, _params: Any, context: Any, _many: bool) -> None:
    if context is None or not (context.isinsert or context.isupdate or context.isdelete):
        return  # a read, DDL, or SQL text (migrations' own UPDATEs, TRUNCATE between tests)
    table = getattr(getattr(context.compiled, "statement", None), "table", None)
    if getattr(table, "name", None) in _content_tables():
        connection.info[_WROTE] = True


def _renew_site_token(connection: Connection) -> None:
    """Runs just before the COMMIT is sent, inside the transaction, so the new token commits (or
    fails) with the write and holds its row lock only for the commit itself."""
    if connection.info.pop(_WROTE, False):
        connection.execute(_renewal(connection.dialect.name, random.choice(_SITE_SCOPES)))


def _forget_write(connection: Connection) -> None:
    connection.info.pop(_WROTE, None)


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


# The reader's query, as the driver's own SQL: read on every anonymous page view, where building
# a SQLAlchemy statement would cost more than the answer. The scopes are our own constants.
_SITE_SQL = "SELECT scope, generation FROM cache_generation WHERE scope IN ({}) ORDER BY scope".format(
    ", ".join(f"'{scope}'" for scope in _SITE_SCOPES)
)


def site_generation(connection: Connection) -> tuple[str, ...] | None:
    """The site token now (None before the first write: nothing may be kept yet). `connection`
    should be in autocommit mode, so that each call sees the latest commit."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_SITE_SQL)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return tuple(f"{scope}={token}" for scope, token in rows) or None
