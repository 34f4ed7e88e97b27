"""What a document becomes in the embedded backend's tables, and making those rows in other
processes: tokenising is most of the cost of indexing, and a rebuild of a million documents can
spread it over the cores while one process writes (SQLite has one writer at a time anyway)."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from multiprocessing import get_context

from . import fts
from .model import Document, epoch
from .terms import char_pairs, prepare_many

# (first row key of its second, the documents row without its key, the fts row without its key,
# the facet (name, value) pairs): the key itself is given out by the writer, which alone sees the table.
Row = tuple[int, tuple[object, ...], tuple[str, ...], list[tuple[str, str]]]


def batches(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield list({doc.id: doc for doc in batch}.values())  # the last of one id wins, as separate calls would


def rows(batch: list[Document], facet_names: Sequence[str]) -> list[Row]:
    made: list[Row] = []
    for p in prepare_many(batch):
        doc = p.doc
        pairs = list(dict.fromkeys(doc.facet_pairs(facet_names)))
        values: dict[str, list[str]] = {}
        for name, value in pairs[1:]:
            values.setdefault(name, []).append(value)
        when = None if doc.date is None else epoch(doc.date)
        document = (doc.id, doc.kind, doc.title, doc.body, doc.url, doc.lang, doc.visibility, when, json.dumps(values))
        texts = (
            " ".join(p.title_tokens),
            " ".join(p.body_tokens),
            char_pairs(p.title),
            char_pairs(p.body),
            fts.meta(doc.visibility, pairs),
        )
        made.append((fts.slot(doc.date), document, texts, pairs))
    return made


def made(docs: Iterable[Document], facet_names: Sequence[str], size: int, workers: int) -> Iterator[list[Row]]:
    """Rows a batch at a time, in order; with workers > 1, made that many batches ahead in worker
    processes (spawned, not forked: the caller may hold connections and threads; so a script that
    calls this must guard its main code with `if __name__ == "__main__":`)."""
    chunks = batches(docs, size)
    head = list(islice(chunks, 2))
    if workers <= 1 or len(head) < 2:  # one batch is not worth starting processes for
        for batch in chain(head, chunks):
            yield rows(batch, facet_names)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        pending: deque[Future[list[Row]]] = deque()
        for batch in chain(head, chunks):
            pending.append(pool.submit(rows, batch, facet_names))
            if len(pending) > 2 * workers:  # bounded: a million documents are not all in flight at once
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
