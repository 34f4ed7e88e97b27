"""Search: one interface (`SearchBackend`: index, remove, rebuild, search), an embedded SQLite FTS5
backend by default and a Meilisearch one when SEARCH_URL says so. See `backend_from_settings`."""

from .backend import SearchBackend, backend_from_settings
from .model import DEFAULT_FACETS, KIND, PUBLIC, Document, Filters, Hit, Results, SearchUnavailable, Sort

__all__ = [
    "DEFAULT_FACETS",
    "KIND",
    "PUBLIC",
    "Document",
    "Filters",
    "Hit",
    "Results",
    "SearchBackend",
    "SearchUnavailable",
    "Sort",
    "backend_from_settings",
]
