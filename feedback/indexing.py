"""What feedback puts into search: every comment, on whatever subject, and every published
structured response. A comment hidden by moderation is seen by moderators only; one on a subject
that is not public yet, by those who answer it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.accounts import Agency
from core.markup import markdown_text
from feedback import subjects
from feedback.models import STANCE_LABELS, Comment, Response, ResponseTheme
from feedback.subjects import Subject
from search import outbox, site, viewers
from search.model import PUBLIC, Document


class _Subjects:
    """Subjects and agency short names looked up once per batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.found: dict[tuple[str, int], Subject | None] = {}
        self.agencies: dict[int, str] = {}

    def get(self, kind: str, subject_id: int) -> Subject | None:
        key = (kind, subject_id)
        if key not in self.found:
            self.found[key] = subjects.get(self.session, kind, subject_id)
        return self.found[key]

    def agency(self, subject: Subject) -> dict[str, str]:
        if subject.agency_id is None:
            return {}
        if subject.agency_id not in self.agencies:
            found = self.session.get(Agency, subject.agency_id)
            self.agencies[subject.agency_id] = found.slug if found else ""
        return {"agency": self.agencies[subject.agency_id]} if self.agencies[subject.agency_id] else {}


def subject_visibility(subject: Subject) -> str:
    return PUBLIC if subject.public else viewers.agency(subject.agency_id)


def _comments(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Comment, ids)
    lookup = _Subjects(session)
    built = outbox.Built()
    for comment_id in ids:
        comment = found.get(comment_id)
        subject = lookup.get(comment.subject_kind, comment.subject_id) if comment else None
        if comment is None or subject is None:
            continue
        facets = {"subject": f"{subject.kind}:{subject.id}", "stance": comment.stance, **lookup.agency(subject)}
        if comment.article is not None:
            facets["article"] = str(comment.article)
        built.documents.append(
            Document(
                id=f"comment:{comment_id}",
                kind="comment",
                title=site.excerpt(comment.text),
                body="\n".join(part for part in (comment.text, comment.amendment) if part),
                lang="",
                url=f"{subject.path}#comment-{comment_id}",
                facets=facets,
                visibility=viewers.MODERATORS if comment.hidden_reason else subject_visibility(subject),
                date=comment.created_at,
            )
        )
    return built


def _responses(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Response, ids)
    themes: dict[int, list[ResponseTheme]] = {}
    for theme in session.exec(select(ResponseTheme).where(col(ResponseTheme.response_id).in_(ids))):
        themes.setdefault(theme.response_id, []).append(theme)
    lookup = _Subjects(session)
    built = outbox.Built()
    for response_id in ids:
        response = found.get(response_id)
        subject = lookup.get(response.subject_kind, response.subject_id) if response else None
        if response is None or subject is None or response.published_at is None:
            continue
        parts = [response.summary] + [
            f"{t.title}\n{t.reasoning}\n{t.article_changes}" for t in themes.get(response_id, [])
        ]
        built.documents.append(
            Document(
                id=f"response:{response_id}",
                kind="response",
                title=subject.title,
                body=markdown_text("\n\n".join(p for p in parts if p.strip())),
                lang="",
                url=f"{subject.path}/response",
                facets={"subject": f"{subject.kind}:{subject.id}", **lookup.agency(subject)},
                visibility=subject_visibility(subject),
                date=response.published_at,
            )
        )
    return built


def _titles(session: Session, values: list[str]) -> dict[str, str]:
    """Titles of the consultations and bills that "subject" facet values name."""
    found = {}
    for value in values:
        kind, _, ident = value.partition(":")
        subject = subjects.get(session, kind, int(ident)) if kind in subjects.kinds and ident.isdigit() else None
        if subject is not None:
            found[value] = subject.title
    return found


site.subject_titles.append(_titles)
site.facet_labels.setdefault("stance", {}).update({str(k): v for k, v in STANCE_LABELS.items()})
outbox.register(outbox.Source("comment", _comments, outbox.every_id(Comment)))
outbox.register(outbox.Source("response", _responses, outbox.every_id(Response)))
outbox.watch(Comment, lambda c: [f"comment:{c.id}"])
outbox.watch(Response, lambda r: [f"response:{r.id}"])
outbox.watch(ResponseTheme, lambda t: [f"response:{t.response_id}"])
