"""How writes reach search: an outbox table in the main database, filled in the same transaction
as the write and drained by the worker, so a search outage delays results and loses nothing.

Each package's `indexing.py` registers a `Source` for each kind of thing it puts into search, and
says which of its tables touch which sources (`watch`). After every flush, the rows of those
tables that were added, changed or deleted leave one outbox row each ("comment:12") on the same
connection, so they commit, or roll back, with the write. `drain` builds the documents again from
the database (a source leaves out, or removes, what is gone or no longer visible) and hands them
to the backend; the rows go only once the backend has taken them."""

from __future__ import annotations

import logging
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, col, delete, func, select

from core.db import utcnow

from .backend import SearchBackend
from .model import Document, SearchUnavailable

log = logging.getLogger(__name__)
Row = TypeVar("Row", bound=SQLModel)
BATCH = 500


class SearchOutbox(SQLModel, table=True):
    __tablename__ = "search_outbox"
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=80)  # "comment:12": a source's kind and the id it builds from
    created_at: datetime = Field(default_factory=utcnow)


@dataclass
class Built:
    """What a source made of some ids: documents to index, and any further document ids to forget.
    An id that makes no document "<kind>:<id>" (its row is gone, or no longer searchable) is
    forgotten without being listed."""

    documents: list[Document] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    kind: str  # the first part of an outbox row, "comment"
    build: Callable[[Session, list[int]], Built]
    every: Callable[[Session], Iterable[int]]  # every id, for a reindex


sources: dict[str, Source] = {}
_watched: list[tuple[type, Callable[[Any], Iterable[str]]]] = []


def register(source: Source) -> Source:
    sources[source.kind] = source
    return source


def rows(session: Session, model: type[Row], ids: Iterable[int]) -> dict[int, Row]:
    """The rows of `model` with these ids, by id: what a source's `build` starts from."""
    column = col(getattr(model, "id"))  # noqa: B009  (every indexed table has an id; the type does not say so)
    return {row.id: row for row in session.exec(select(model).where(column.in_(list(ids))))}  # type: ignore[attr-defined]


def every_id(model: type[SQLModel]) -> Callable[[Session], list[int]]:
    """A source's `every` for a table whose ids are the source's ids."""
    column = col(getattr(model, "id"))  # noqa: B009  (every indexed table has an id; the type does not say so)

    def every(session: Session) -> list[int]:
        return [int(i) for i in session.exec(select(column).order_by(column))]

    return every


def watch(model: type, keys: Callable[[Any], Iterable[str]]) -> None:
    """After a row of `model` is written, rebuild the sources `keys(row)` names ("consultation:3")."""
    _watched.append((model, keys))


@event.listens_for(OrmSession, "after_flush")
def _record(session: OrmSession, _context: Any) -> None:
    touched: set[str] = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        for model, keys in _watched:
            if isinstance(row, model):
                touched.update(keys(row))
    if touched:  # a core insert on the flush's own connection: part of the same transaction
        session.connection().execute(insert(SearchOutbox), [{"source": key} for key in sorted(touched)])
        session.info["search_outbox"] = True  # this transaction left rows to drain


def drain(session: Session, backend: SearchBackend, batch: int = BATCH) -> int:
    """Index what the oldest `batch` outbox rows name; returns how many rows went. A backend that is
    down raises SearchUnavailable and leaves every row for the next try."""
    rows = list(session.exec(select(SearchOutbox).order_by(col(SearchOutbox.id)).limit(batch)))
    if not rows:
        return 0
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        kind, _, ident = row.source.partition(":")
        if kind in sources and ident.isdigit():
            wanted[kind].add(int(ident))
    built = Built()
    for kind, ids in wanted.items():
        part = sources[kind].build(session, sorted(ids))
        made = {doc.id for doc in part.documents}
        built.documents += part.documents
        built.gone += part.gone + [f"{kind}:{i}" for i in sorted(ids) if f"{kind}:{i}" not in made]
    if built.gone:
        backend.remove(built.gone)
    if built.documents:
        backend.index(built.documents)
    session.exec(delete(SearchOutbox).where(col(SearchOutbox.id).in_([row.id for row in rows])))
    session.commit()
    return len(rows)


def drain_all(session: Session, backend: SearchBackend) -> int:
    total = 0
    while moved := drain(session, backend):
        total += moved
    return total


def pending(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(SearchOutbox)).one())


def documents(session: Session, progress: Callable[[int], None] | None = None) -> Iterator[Document]:
    """Every document of every source, built from the database a batch of ids at a time."""
    for source in sources.values():
        ids = list(source.every(session))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            yield from source.build(session, chunk).documents
            if progress:
                progress(len(chunk))


def count_sources(session: Session) -> int:
    return sum(len(list(source.every(session))) for source in sources.values())


def reindex(session: Session, backend: SearchBackend, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database; the outbox rows written before are done with."""
    last = session.exec(select(func.max(SearchOutbox.id))).one()
    count = backend.rebuild(documents(session, progress))
    if last is not None:
        session.exec(delete(SearchOutbox).where(col(SearchOutbox.id) <= last))
        session.commit()
    return count


_drain_on_commit: weakref.WeakKeyDictionary[Engine, SearchBackend] = weakref.WeakKeyDictionary()
_draining = threading.local()


def drain_after_commit(engine: Engine, backend: SearchBackend) -> None:
    """Drain at once after each commit on `engine`: for tests and in-process jobs, where no worker
    runs. Search being down is logged, and the rows wait for the next commit."""
    _drain_on_commit[engine] = backend


@event.listens_for(OrmSession, "after_commit")
def _drain_now(session: OrmSession) -> None:
    if not session.info.pop("search_outbox", False):
        return
    engine = session.bind
    backend = _drain_on_commit.get(engine) if isinstance(engine, Engine) else None
    if backend is None or getattr(_draining, "on", False):
        return
    _draining.on = True
    try:
        with Session(engine) as own:
            drain_all(own, backend)
    except SearchUnavailable as error:
        log.warning("search is unavailable; the outbox keeps its rows: %s", error)
    finally:
        _draining.on = False


class Drainer(threading.Thread):
    """The worker's loop: drain the outbox every `interval` seconds until stopped."""

    def __init__(self, engine: Engine, backend: SearchBackend, interval: float = 1.0) -> None:
        super().__init__(name="search-outbox", daemon=True)
        self.engine, self.backend, self.interval = engine, backend, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                with Session(self.engine) as session:
                    drain_all(session, self.backend)
            except SearchUnavailable as error:
                log.warning("search is unavailable; the outbox keeps its rows: %s", error)
            except Exception:  # a bad row must not stop search for good: log it and go on
                log.exception("draining the search outbox failed")
