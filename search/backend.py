"""The one interface every backend offers, and the choice between them from Settings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from core.settings import Settings, SettingsError

from .model import DEFAULT_FACETS, Document, Filters, Results, Sort


class SearchBackend(Protocol):
    facet_names: tuple[str, ...]

    def index(self, docs: Iterable[Document]) -> None:
        """Add or replace (by id) documents."""

    def remove(self, ids: Iterable[str]) -> None:
        """Forget documents; unknown ids are ignored."""

    def rebuild(self, docs: Iterable[Document]) -> int:
        """Replace everything by `docs`; searches see the old index until the new one is whole."""

    def search(
        self,
        query: str,
        filters: Filters,
        sort: Sort = "relevance",
        limit: int = 20,
        offset: int = 0,
        facets: Sequence[str] | None = None,
    ) -> Results:
        """Matches the viewer may see, a page of them, and facet counts (`facets=None`: "kind" and
        every facet the backend was made with; `()` for none)."""

    def close(self) -> None: ...


def backend_from_settings(settings: Settings, facets: Sequence[str] = DEFAULT_FACETS) -> SearchBackend:
    """SEARCH_URL unset: the embedded backend in `<var_dir>/search.db`; http(s)://: Meilisearch
    there, with MEILI_API_KEY."""
    url = settings.search_url
    if not url:
        from .embedded import EmbeddedBackend

        return EmbeddedBackend(settings.var_dir / "search.db", facets)
    if url.startswith(("http://", "https://")):
        from .meili import MeiliBackend

        return MeiliBackend(url, settings.meili_api_key, facets)
    raise SettingsError(f"SEARCH_URL must be empty or an http(s):// Meilisearch address, not {url!r}")
