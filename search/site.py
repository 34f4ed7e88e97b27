"""The site's search, as every process builds it: the facets its documents carry, the names of
its kinds of document, and the backend the settings choose."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from core.errors import N_
from core.settings import Settings

from .backend import SearchBackend, backend_from_settings

# What documents are counted and filtered by, besides their kind. `subject` ("consultation:3")
# narrows a search to one subject's comments; `stance` and `article` filter those comments.
FACETS = ("agency", "status", "stage", "tag", "article", "subject", "stance")

KIND_LABELS = {
    "consultation": N_("Consultation"),
    "article": N_("Article"),
    "comment": N_("Comment"),
    "response": N_("Structured response"),
    "proposal": N_("Proposal"),
    "bill": N_("Bill"),
    "conversation": N_("Conversation"),
    "statement": N_("Statement"),
    "discussion": N_("Discussion"),
    "post": N_("Post"),
    "agency": N_("Agency"),
}


def backend(settings: Settings) -> SearchBackend:
    return backend_from_settings(settings, FACETS)


# facet -> value -> label (a msgid), filled by the packages that index those values.
facet_labels: dict[str, dict[str, str]] = {"kind": KIND_LABELS}

# What a hit is on, for display: each resolver turns "subject" facet values ("consultation:3")
# into titles; the packages that own those subjects add theirs.
SubjectTitles = Callable[[Session, list[str]], dict[str, str]]
subject_titles: list[SubjectTitles] = []


def titles_of(session: Session, values: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for resolve in subject_titles:
        found.update(resolve(session, [v for v in values if v not in found]))
    return found


def excerpt(text: str, length: int = 40) -> str:
    """A document's own opening words as its title, when what it is on must not match for it:
    a comment does not mention 長照 just because its consultation's title does."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
