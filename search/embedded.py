"""The embedded backend: SQLite FTS5 in a file of its own (`<var_dir>/search.db`), beside whatever
database the app uses, so it works with PostgreSQL too.

Several processes (web workers, the job worker) share the file: WAL lets readers go on while one
writer writes, every write takes the lock up front (BEGIN IMMEDIATE, so two writers never deadlock
upgrading a read), and a busy writer is waited for up to `busy_timeout` before SearchUnavailable.
Each thread has its own connection (sqlite3 connections are not for sharing), reopened after a fork.
Tokenising happens before the write lock is taken, so writers hold it only to write."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import fts, labels, rows
from .model import (
    DEFAULT_FACETS,
    KIND,
    Document,
    Filters,
    Hit,
    Results,
    SearchUnavailable,
    Sort,
    check_facet_names,
    check_page,
    from_epoch,
    ordered_counts,
)
from .snippets import snippet
from .terms import Term, parse

SCHEMA_VERSION = 3
BATCH = 5000  # documents tokenised, then written (one transaction), at a time
RANK_WINDOW = 1000  # relevance orders at most this many matches, the newest (see _page)
MAX_FACET_VALUES = 100  # per facet, the most frequent (as Meilisearch's maxValuesPerFacet)

_SCHEMA = f"""
CREATE TABLE documents (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, title TEXT NOT NULL,
    body TEXT NOT NULL, url TEXT NOT NULL, lang TEXT NOT NULL, visibility TEXT NOT NULL,
    date INTEGER, facets TEXT NOT NULL
);
{labels.SCHEMA};
CREATE VIRTUAL TABLE fts USING fts5({", ".join(fts.COLUMNS)}, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO fts(fts, rank) VALUES ('rank', '{fts.RANK}');
PRAGMA user_version = {SCHEMA_VERSION};
"""
# FTS5's own defaults, which suit small writes; rebuild() sets them aside while it writes, bounded
# because FTS5 refuses a 2,001st segment (a million comments make a few hundred).
_AUTOMERGE, _CRISISMERGE, _RARELY = 4, 16, 200
_MERGES = """
INSERT INTO fts(fts, rank) VALUES ('automerge', {automerge});
INSERT INTO fts(fts, rank) VALUES ('crisismerge', {crisismerge})
"""
_DROP = "DROP TABLE IF EXISTS documents; DROP TABLE IF EXISTS facet_codes; DROP TABLE IF EXISTS fts;"


def _script(db: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits the open transaction first, and these run inside one.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


_UNAVAILABLE = ("locked", "busy", "unable to open", "disk", "readonly", "no such table")


class EmbeddedBackend:
    def __init__(
        self,
        path: Path | str,
        facets: Sequence[str] = DEFAULT_FACETS,
        busy_timeout: float = 10.0,
        rank_window: int = RANK_WINDOW,
    ) -> None:
        self.path = Path(path)
        self.rank_window = rank_window
        self.facet_names = check_facet_names(facets)
        self.busy_timeout = busy_timeout
        self._local = threading.local()

    # -- connections -------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.db, local.pid, local.labels = self._connect(), os.getpid(), labels.Labels()
        db: sqlite3.Connection = local.db
        return db

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # a power cut may lose the last commits, never corrupts
            db.execute("PRAGMA cache_size = -65536")  # 64 MiB of pages per connection
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                db.execute("BEGIN IMMEDIATE")
                if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:  # no one beat us to it
                    _script(db, _DROP + "DROP TABLE IF EXISTS labels;" + _SCHEMA)  # another version: reindex
                db.execute("COMMIT")
            return db
        except (sqlite3.OperationalError, OSError) as error:
            raise SearchUnavailable(f"search index {self.path}: {error}") from error

    @contextmanager
    def _failures(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as error:
            if any(word in str(error) for word in _UNAVAILABLE):
                raise SearchUnavailable(f"search index {self.path}: {error}") from error
            raise

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        with self._failures():
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                self._local.labels.rolled_back()
                raise
            db.execute("COMMIT")
            self._local.labels.changed()

    def close(self) -> None:
        if getattr(self._local, "pid", None) == os.getpid():
            self._local.db.close()
        self._local = threading.local()

    # -- writing -----------------------------------------------------------------------------------

    def index(self, docs: Iterable[Document], workers: int = 1) -> None:
        """Add documents, replacing any of the same id; committed a batch at a time. `workers` > 1
        tokenises in that many other processes (worth it for tens of thousands of documents)."""
        for batch in rows.made(docs, self.facet_names, BATCH, workers):
            with self._write() as db:
                self._delete(db, [str(row[1][0]) for row in batch])
                self._insert(db, batch, {}, look=True)

    def remove(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), BATCH):
            with self._write() as db:
                self._delete(db, ids[start : start + BATCH])

    def rebuild(self, docs: Iterable[Document], workers: int = 1) -> int:
        """Replace the whole index by `docs` in one transaction: readers see the old index until the
        new one is complete; writers wait (or time out, and their outbox retries). `workers` as for
        index(). Returns the number of documents."""
        count = 0
        with self._write() as db:
            _script(db, _DROP + _SCHEMA)
            # No merging of segments while the new index is written: the one merge at the end (into
            # one segment, the fastest to query) does it all once (measured on 100,000 comments: a quarter less time).
            _script(db, _MERGES.format(automerge=0, crisismerge=_RARELY))
            slots: dict[int, int] = {}  # the table is new: row keys are counted here, not looked up
            for batch in rows.made(docs, self.facet_names, BATCH, workers):
                self._delete(db, [str(row[1][0]) for row in batch])  # an id in two batches
                self._insert(db, batch, slots, look=False)
                count += len(batch)
            db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            _script(db, _MERGES.format(automerge=_AUTOMERGE, crisismerge=_CRISISMERGE))  # index() merges as it goes
        with self._failures():
            self._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return count

    def _delete(self, db: sqlite3.Connection, ids: Sequence[str]) -> None:
        marks = ",".join("?" * len(ids))
        rowids = [r for (r,) in db.execute(f"SELECT rowid FROM documents WHERE id IN ({marks})", ids)]
        if rowids:
            marks = ",".join("?" * len(rowids))
            for table in ("fts", "facet_codes", "documents"):
                db.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", rowids)

    def _insert(self, db: sqlite3.Connection, batch: list[rows.Row], slots: dict[int, int], look: bool) -> None:
        documents: list[tuple[object, ...]] = []
        texts: list[tuple[object, ...]] = []
        codes: list[tuple[int, bytes]] = []
        blobs = self._local.labels.encode(db, [pairs for _, _, _, pairs in batch])
        if look:
            self._seed_slots(db, {first for first, _, _, _ in batch} - slots.keys(), slots)
        for (first, document, text, _), blob in zip(batch, blobs, strict=True):
            key = slots.get(first, first)
            slots[first] = key + 1
            documents.append((key, *document))
            texts.append((key, *text))
            codes.append((key, blob))
        # In key order: FTS5 writes its pending terms out as a new segment whenever a row key is lower
        # than the last one, so dates in random order would make a segment of nearly every document.
        db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sorted(documents))
        db.executemany(f"INSERT INTO fts(rowid, {', '.join(fts.COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", sorted(texts))
        db.executemany("INSERT INTO facet_codes VALUES (?, ?)", sorted(codes))

    @staticmethod
    def _seed_slots(db: sqlite3.Connection, seconds: Collection[int], slots: dict[int, int]) -> None:
        """The next free row key of each second, from the table: one statement for the whole batch
        (a query per second cost a sixth of the indexing time, documents rarely sharing a second)."""
        firsts = sorted(seconds)
        for start in range(0, len(firsts), 500):
            chunk = firsts[start : start + 500]
            values = ",".join("(?)" for _ in chunk)
            sql = (
                f"WITH s(first) AS (VALUES {values}) SELECT first,"
                f" (SELECT max(rowid) FROM documents WHERE rowid BETWEEN first AND first + {fts.SLOT}) FROM s"
            )
            slots.update((first, first if last is None else last + 1) for first, last in db.execute(sql, chunk))

    # -- searching ---------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        filters: Filters,
        sort: Sort = "relevance",
        limit: int = 20,
        offset: int = 0,
        facets: Sequence[str] | None = None,
    ) -> Results:
        check_page(sort, limit, offset)
        names = (KIND, *self.facet_names) if facets is None else tuple(facets)
        if not filters.visibility:
            return Results(0, [], {name: {} for name in names})
        terms = parse(query)
        match = fts.match_expression(terms, filters.visibility, filters.facets)
        where, params = "fts MATCH ?", list[object]([match])
        if (keys := fts.key_range(filters.date_from, filters.date_to)) is not None:
            where += " AND fts.rowid BETWEEN ? AND ?"
            params.extend(keys)
        db = self._db()
        with self._failures():
            db.execute("BEGIN")  # one snapshot: total, facets and page agree with each other
            try:
                if names:  # the facet rows are one per match: they count the total too
                    total, counts = self._local.labels.count(db, where, params, names, MAX_FACET_VALUES)
                else:
                    total, counts = db.execute(f"SELECT count(*) FROM fts WHERE {where}", params).fetchone()[0], {}
                ranked = sort == "relevance" and bool(terms)
                page = self._page(db, where, params, total if ranked else 0, limit, offset)
                hits = self._hits(db, page, terms, filters.visibility)
            finally:
                db.execute("COMMIT")
        return Results(total, hits, ordered_counts(counts, names))

    def _page(
        self, db: sqlite3.Connection, where: str, params: list[object], ranked: int, limit: int, offset: int
    ) -> list[int]:
        """Row keys of one page. Newest first is free (FTS5 walks keys backwards and stops). Relevance
        (bm25) costs every match it orders, so when more than `rank_window` match it orders the newest
        `rank_window` of them and lists the older ones after, newest first: on a participation site the
        recent contributions matter most, and ranking a hundred thousand matches would take a second."""

        def run(sql: str, *extra: object) -> list[int]:
            return [r for (r,) in db.execute(f"SELECT rowid FROM fts WHERE {where}{sql}", [*params, *extra])]

        window = self.rank_window
        if not ranked:
            return run(" ORDER BY rowid DESC LIMIT ? OFFSET ?", limit, offset)
        if ranked <= window:
            return run(" ORDER BY rank LIMIT ? OFFSET ?", limit, offset)
        (edge,) = run(" ORDER BY rowid DESC LIMIT 1 OFFSET ?", window - 1)
        page = run(" AND fts.rowid >= ? ORDER BY rank LIMIT ? OFFSET ?", edge, limit, offset) if offset < window else []
        if len(page) < limit:
            rest = max(0, offset - window)
            page += run(" AND fts.rowid < ? ORDER BY rowid DESC LIMIT ? OFFSET ?", edge, limit - len(page), rest)
        return page

    def _hits(
        self, db: sqlite3.Connection, rowids: list[int], terms: list[Term], allowed: Collection[str]
    ) -> list[Hit]:
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        found = db.execute(
            "SELECT rowid, id, kind, title, body, url, lang, visibility, date, facets"
            f" FROM documents WHERE rowid IN ({marks})",
            rowids,
        )
        by_rowid = {row[0]: row for row in found}
        hits = []
        for rowid in rowids:
            _, id, kind, title, body, url, lang, visibility, when, values = by_rowid[rowid]
            if visibility not in allowed:  # the MATCH already excluded it; a second lock on the door
                continue
            facets = {name: tuple(v) for name, v in json.loads(values).items()}
            hits.append(Hit(id, kind, title, url, snippet(body or title, terms), lang, from_epoch(when), facets))
        return hits
