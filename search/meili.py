"""The Meilisearch backend, through the official client (`meilisearch` on PyPI).

Every HTTP call has the client's timeout; a call that fails for want of a server (connection refused,
timeout, 5xx, 429) is tried again after 0.2 s, 0.4 s..., and then raises SearchUnavailable. Writes
wait for their task, so a write that returns is searchable and the outbox may forget it; a task that
fails raises SearchUnavailable with Meilisearch's reason. The index and its settings are made (or
brought up to date) on first use, once per process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import islice
from typing import Any, TypeVar

import meilisearch
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError

from . import meili_wire as wire
from .model import (
    DEFAULT_FACETS,
    KIND,
    Document,
    Filters,
    Results,
    SearchUnavailable,
    Sort,
    check_facet_names,
    check_page,
)
from .terms import parse, prepare_many

T = TypeVar("T")
BATCH = 1000


def _transient(error: Exception) -> bool:
    if isinstance(error, MeilisearchCommunicationError | MeilisearchTimeoutError):
        return True
    return isinstance(error, MeilisearchApiError) and (error.status_code >= 500 or error.status_code == 429)


def _missing(error: BaseException | None) -> bool:
    return isinstance(error, MeilisearchApiError) and error.code == "index_not_found"


class MeiliBackend:
    def __init__(
        self,
        url: str,
        api_key: str = "",
        facets: Sequence[str] = DEFAULT_FACETS,
        index_uid: str = "thinktank",
        timeout: int = 5,
        retries: int = 3,
        backoff: float = 0.2,
        task_timeout: float = 120.0,
    ) -> None:
        self.facet_names = check_facet_names(facets)
        self.index_uid = index_uid
        self.client = meilisearch.Client(url.rstrip("/"), api_key or None, timeout=timeout)
        self.retries, self.backoff, self.task_timeout = retries, backoff, task_timeout
        self._ready = False

    def _call(self, what: str, call: Callable[[], T]) -> T:
        for attempt in range(self.retries + 1):
            try:
                return call()
            except (MeilisearchCommunicationError, MeilisearchTimeoutError, MeilisearchApiError) as error:
                # A refused key or a rejected request will not mend by waiting: unavailable at once.
                if attempt == self.retries or not _transient(error):
                    raise SearchUnavailable(f"Meilisearch {what}: {error}") from error
                time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def _wait(self, what: str, task: Any, missing_ok: bool = False) -> None:
        done = self._call(
            f"waiting for {what}",
            lambda: self.client.wait_for_task(task.task_uid, timeout_in_ms=int(self.task_timeout * 1000)),
        )
        error = done.error or {}
        if done.status != "succeeded" and not (missing_ok and error.get("code") == "index_not_found"):
            raise SearchUnavailable(f"Meilisearch {what} {done.status}: {error.get('message')}")

    def _drop(self, uid: str) -> None:
        self._wait("cleanup", self._call("cleanup", lambda: self.client.index(uid).delete()), missing_ok=True)

    def _prepare(self, uid: str) -> None:
        """Make the index if it is missing and give it our settings if they differ."""
        try:
            current = self._call("settings", lambda: self.client.index(uid).get_settings())
        except SearchUnavailable as error:
            if not _missing(error.__cause__):
                raise
            self._wait(
                "index creation", self._call("create", lambda: self.client.create_index(uid, {"primaryKey": "uid"}))
            )
            current = {}
        wanted = wire.index_settings(self.facet_names)
        if wire.settings_differ(wanted, current):
            self._wait("settings", self._call("settings", lambda: self.client.index(uid).update_settings(wanted)))

    def _index(self) -> Any:
        if not self._ready:
            self._prepare(self.index_uid)
            self._ready = True
        return self.client.index(self.index_uid)

    def _add(self, index: Any, docs: Iterable[Document]) -> int:
        count, iterator = 0, iter(docs)
        while batch := list(islice(iterator, BATCH)):
            payload = [wire.document(p, self.facet_names) for p in prepare_many(batch)]
            self._wait("indexing", self._call("indexing", partial(index.add_documents, payload, primary_key="uid")))
            count += len(batch)
        return count

    def index(self, docs: Iterable[Document]) -> None:
        self._add(self._index(), docs)

    def remove(self, ids: Iterable[str]) -> None:
        index, ids = self._index(), list(ids)
        for start in range(0, len(ids), BATCH):
            clause = wire.filter_ids(ids[start : start + BATCH])
            self._wait("removal", self._call("removal", partial(index.delete_documents, filter=clause)))

    def rebuild(self, docs: Iterable[Document]) -> int:
        """Index everything into a fresh index, then swap it in: searches use the old one until then.
        Writes made to the live index meanwhile are lost with it; pause the outbox, or replay it after."""
        self._index()
        fresh = f"{self.index_uid}_rebuild"
        self._drop(fresh)
        self._prepare(fresh)
        count = self._add(self.client.index(fresh), docs)
        swap = [{"indexes": [self.index_uid, fresh]}]
        self._wait("swap", self._call("swap", lambda: self.client.swap_indexes(swap)))  # type: ignore[arg-type]
        self._drop(fresh)
        return count

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
        if not filters.visibility or any(not values for values in filters.facets.values()):
            return Results(0, [], {name: {} for name in names})
        terms = parse(query)
        params, skip = wire.search_params(terms, filters, self.facet_names, names, sort, limit, offset)
        index = self._index()
        response = self._call("search", lambda: index.search(wire.query_string(terms), params))
        return wire.results(response, terms, names, skip, filters)

    def close(self) -> None:
        pass
