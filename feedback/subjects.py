"""What feedback needs to know about the thing people comment on: its subject.

A subject is a consultation, a bill, or whatever a domain package adds later. Feedback stores
`(subject_kind, subject_id)` and never imports the package behind it: each domain package
subclasses `SubjectKind` once and registers it here, and feedback's services and shared pages ask
that kind how to find the subject, who manages it, what its articles are and who is told.

`related` is the other way round: a domain package adds what it links to a subject (the bills that
came from a consultation), so a subject's page lists it without importing that package."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from core.accounts import Member
from core.errors import N_, NotFound

if TYPE_CHECKING:
    from core.jobs import Queue
    from feedback.articles import ArticleChange, ArticleText


@dataclass(frozen=True)
class Subject:
    kind: str  # "consultation", "bill"
    id: int
    title: str
    path: str  # the subject's own page; feedback's pages hang below it ("/c/ltc/response")
    ref: str = ""  # how people name it (a consultation's slug, a bill's number): what `SubjectKind.find` takes
    public: bool = True  # False while a consultation is a draft: only its managers see it
    agency_id: int | None = None  # the agency that answers it, if an agency does
    record: Any = field(default=None, compare=False, repr=False)  # the domain row, for the kind's own hooks


class SubjectKind:
    """One kind of subject, implemented once by the domain package that owns it."""

    name = ""  # the subject_kind stored on feedback rows
    route_prefix = ""  # where its pages are mounted: "/c/{slug}"
    route_names = ""  # the namespace of those pages' route names: "participation"
    api_prefix = ""  # under /api/v1: "/consultations/{slug}"
    api_parameter = ("id", "integer")  # the path parameter's name and OpenAPI type
    whole_text = N_("The whole text")  # what a comment on no article is about
    manager_only = N_("Only the people answering these comments can do this.")

    # --- finding it

    def from_path(self, session: Session, params: Mapping[str, Any]) -> Subject:
        """The subject named by a request's path parameters; NotFound when there is none."""
        raise NotImplementedError

    def get(self, session: Session, subject_id: int) -> Subject | None:
        raise NotImplementedError

    def find(self, session: Session, ref: str) -> Subject | None:
        """The subject a person typed (a consultation's address, a bill's number)."""
        return None

    def listing(self, session: Session) -> list[Subject]:
        """Every public subject of this kind, newest first."""
        return []

    # --- who may do what

    def can_manage(self, member: Member | None, roles: set[str], subject: Subject) -> bool:
        """Who answers its comments: runs analyses, writes and publishes the response."""
        raise NotImplementedError

    # --- its text

    def articles(self, session: Session, subject: Subject) -> list[ArticleText]:
        """The current text, article by article: what a new comment may be on."""
        raise NotImplementedError

    def article_texts(self, session: Session, subject: Subject) -> dict[tuple[int | None, int], ArticleText]:
        """(version, article number) -> the article as it was, to show each comment against its text.
        Kinds without versions use None."""
        return {(None, a.number): a for a in self.articles(session, subject)}

    def current_version(self, session: Session, subject: Subject) -> int | None:
        """The version a new comment's article number refers to, for kinds that keep versions."""
        return None

    def commentable(self, session: Session, subject: Subject) -> tuple[set[int], int | None]:
        """What a new comment is checked against: the numbers of `articles` and `current_version`.
        A kind may answer both from one small query instead of reading the articles' text."""
        return {a.number for a in self.articles(session, subject)}, self.current_version(session, subject)

    def article_changes(self, session: Session, subject: Subject) -> dict[int, ArticleChange]:
        """How each current article changed from the first version to the last (none without versions)."""
        return {}

    # --- its rules

    def closed_message(self, subject: Subject) -> str | None:
        """Why comments are not accepted now (a msgid), or None while they are."""
        return None

    def response_blocker(self, subject: Subject) -> str | None:
        """Why the response cannot be published yet (a msgid), or None."""
        return None

    def response_published(self, session: Session, queue: Queue, subject: Subject) -> None:
        """Record the answer on the subject and tell whoever should hear of it."""

    def export_name(self, subject: Subject) -> str:
        """The stem of download file names."""
        return f"{self.name}-{subject.id}"

    def export_ref(self, subject: Subject) -> dict[str, Any]:
        """How exports name the subject, beside its title."""
        return {self.name: subject.id}

    def feedback_sources(self, session: Session, subject: Subject) -> list[tuple[str, int]]:
        """Whose comments its places pages count: its own, and for a bill its linked consultations'."""
        return [(subject.kind, subject.id)]

    def scope(self, session: Session, subject: Subject) -> list[str]:
        """The place codes (counties, townships) the subject concerns; none for everywhere."""
        return []

    def as_json(self, subject: Subject) -> dict[str, Any]:
        """The subject in open data, above its comments."""
        return {"id": subject.id, "title": subject.title, "url": subject.path}


kinds: dict[str, SubjectKind] = {}


def register(kind: SubjectKind) -> SubjectKind:
    kinds[kind.name] = kind
    return kind


def kind_of(name: str) -> SubjectKind:
    try:
        return kinds[name]
    except KeyError:
        raise NotFound(name) from None


def get(session: Session, kind: str, subject_id: int) -> Subject | None:
    found = kinds.get(kind)
    return found.get(session, subject_id) if found else None


@dataclass(frozen=True)
class Related:
    heading: str  # a msgid: what the items are ("Bills from this consultation")
    title: str
    path: str


RelatedItems = Callable[[Session, Subject], list[Related]]
related_items: list[RelatedItems] = []


def related(session: Session, subject: Subject) -> dict[str, list[Related]]:
    """heading -> the items every registered provider links to the subject."""
    found: dict[str, list[Related]] = {}
    for provider in related_items:
        for item in provider(session, subject):
            found.setdefault(item.heading, []).append(item)
    return found
