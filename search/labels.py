"""Facet values as small integers, for counting them fast.

Every (name, value) pair gets a number in the `labels` table (numbers are never reused or changed
once committed, and a rebuild keeps them), and each document's numbers sit in one small blob in
`facet_codes`. Counting the facets of N matches then reads N tiny rows and lets numpy count, instead
of grouping N x (facets per document) text rows in SQL (measured on 100,000 comments: 3 ms instead
of 23 ms for 6,700 matches)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, value TEXT NOT NULL, UNIQUE (name, value)
);
CREATE TABLE facet_codes (rowid INTEGER PRIMARY KEY, codes BLOB NOT NULL)
"""
_CODE = "<i4"  # numpy's dtype; numpy is imported where numbers are packed or counted, not to start the site


Counts = tuple[int, dict[tuple[str, str], int]]
REMEMBERED = 64  # counts of this many recent queries, per connection


class Labels:
    """One per connection. `ids` may hold numbers given out in a transaction not yet committed, so
    the writer calls `rolled_back()` when one is undone; `names` holds only what a read has seen.

    Counts are remembered for as long as the index is unchanged: the next page of a query, or the
    same query sorted newest first, costs no counting (a query matching 400,000 of a million
    documents takes a quarter of a second to count)."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self.names: dict[int, tuple[str, str]] = {}
        self.seen = 0  # every label up to this number is in `names`
        self.remembered: dict[tuple[object, ...], Counts] = {}
        self.version: int | None = None  # PRAGMA data_version when `remembered` was filled

    def changed(self) -> None:
        """This connection wrote: what it remembered may be wrong (data_version sees only others' writes)."""
        self.remembered.clear()

    def encode(self, db: sqlite3.Connection, pairs: Sequence[Sequence[tuple[str, str]]]) -> list[bytes]:
        """Each document's pairs as a blob of numbers; inside the writer's transaction."""
        import numpy as np

        new = {pair for doc in pairs for pair in doc if pair not in self.ids}
        if new:
            db.executemany("INSERT OR IGNORE INTO labels (name, value) VALUES (?, ?)", sorted(new))
            for name in {name for name, _ in new}:
                values = [value for n, value in new if n == name]
                for start in range(0, len(values), 500):
                    chunk = values[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    sql = f"SELECT id, value FROM labels WHERE name = ? AND value IN ({marks})"
                    self.ids.update(((name, value), id) for id, value in db.execute(sql, [name, *chunk]))
        return [np.array([self.ids[pair] for pair in doc], dtype=_CODE).tobytes() for doc in pairs]

    def rolled_back(self) -> None:
        self.ids.clear()  # a number given out and rolled back may go to another label next time

    def count(
        self, db: sqlite3.Connection, where: str, params: Sequence[object], names: Sequence[str], most: int
    ) -> Counts:
        """How many documents match, and (name, value) -> matches, the `most` largest of each asked name.
        Inside a read transaction, so that data_version and the counts are of one snapshot."""
        (version,) = db.execute("PRAGMA data_version").fetchone()
        if version != self.version:
            self.remembered.clear()
            self.version = version
        key = (where, *params, *names, most)
        if (known := self.remembered.get(key)) is None:
            if len(self.remembered) >= REMEMBERED:
                del self.remembered[next(iter(self.remembered))]  # the oldest
            known = self.remembered[key] = self._count(db, where, params, names, most)
        return known[0], dict(known[1])

    def _count(
        self, db: sqlite3.Connection, where: str, params: Sequence[object], names: Sequence[str], most: int
    ) -> Counts:
        import numpy as np

        # One row back, the blobs joined in SQL as hex (a fifth faster than fetching a row per match).
        sql = (
            "SELECT count(*), group_concat(hex(c.codes), '')"
            f" FROM fts JOIN facet_codes AS c ON c.rowid = fts.rowid WHERE {where}"
        )
        total, joined = db.execute(sql, params).fetchone()
        codes = np.frombuffer(bytes.fromhex(joined or ""), dtype=_CODE)
        if not len(codes):
            return total, {}
        tally = np.bincount(codes)
        present = np.flatnonzero(tally)
        if present[-1] > self.seen:
            rows = db.execute("SELECT id, name, value FROM labels WHERE id > ?", (self.seen,))
            self.names.update((id, (name, value)) for id, name, value in rows)
            self.seen = max(self.names, default=0)
        wanted = set(names)
        by_name: dict[str, list[tuple[int, str]]] = {}
        for code in present.tolist():
            name, value = self.names[code]
            if name in wanted:
                by_name.setdefault(name, []).append((int(tally[code]), value))
        counts: dict[tuple[str, str], int] = {}
        for name, values in by_name.items():
            values.sort(key=lambda item: (-item[0], item[1]))
            counts.update(((name, value), n) for n, value in values[:most])
        return total, counts
