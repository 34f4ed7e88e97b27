"""The database: an engine from DATABASE_URL (SQLite by default, PostgreSQL in production),
sessions, and the entry point to Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from core import caches
from core.settings import ROOT

MIGRATIONS = ROOT / "migrations"
# Seconds to wait for PostgreSQL to accept a connection: a server that takes the TCP connection and
# then never answers would otherwise hold the thread (and the request behind it) forever.
CONNECT_TIMEOUT = 10


def utcnow() -> datetime:
    """Aware UTC; SQLModel stores datetimes as UTC and hands them back aware on every database."""
    return datetime.now(UTC)


def normalise_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        caches.watch(engine)
        return engine
    # psycopg prepares a statement on the server after five runs, and PostgreSQL may then switch
    # to a generic plan that ignores the actual values. For our skewed tables (one consultation
    # with 100,000 comments beside many small ones) that picked an index plus a sort and made a
    # 30-comment page 50x slower; planning each query with its real values avoids it.
    engine = create_engine(
        url, pool_pre_ping=True, connect_args={"prepare_threshold": None, "connect_timeout": CONNECT_TIMEOUT}
    )
    caches.watch(engine)  # every write renews the site token, for the anonymous readers' page cache
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web process read while the worker writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that rolls back whatever was not committed, so a failure never half-writes."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (the latest schema by default)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def pk(row: Any) -> int:
    """The primary key of a saved row (SQLModel types it optional because new rows have none)."""
    assert row.id is not None, f"{type(row).__name__} is not saved yet"
    return int(row.id)
