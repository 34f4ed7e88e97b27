"""A consultation as a subject of feedback: how feedback finds it, who answers it, which articles
a comment may be on (those of the newest version), when it takes comments, and who is told when
the agency answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from core.accounts import Member
from core.errors import N_
from core.jobs import Queue
from feedback import responses, subjects
from feedback.articles import ArticleChange, ArticleText
from feedback.subjects import Subject
from participation import events, scopes, services
from participation.models import Consultation, Phase


def _consultation(subject: Subject) -> Consultation:
    consultation: Consultation = subject.record
    return consultation


class Consultations(subjects.SubjectKind):
    name = "consultation"
    route_prefix = "/c/{slug}"
    route_names = "participation"
    api_prefix = "/consultations/{slug}"
    api_parameter = ("slug", "string")
    whole_text = N_("The whole draft")
    manager_only = N_("Only officials of the agency that holds this consultation can do this.")

    def from_path(self, session: Session, params: Mapping[str, Any]) -> Subject:
        return services.subject_of(services.get_consultation(session, params["slug"]))

    def get(self, session: Session, subject_id: int) -> Subject | None:
        consultation = session.get(Consultation, subject_id)
        return services.subject_of(consultation) if consultation else None

    def find(self, session: Session, ref: str) -> Subject | None:
        found = services.find_consultation(session, ref.strip())
        return services.subject_of(found) if found else None

    def listing(self, session: Session) -> list[Subject]:
        return [services.subject_of(c) for c in services.list_consultations(session)]

    def can_manage(self, member: Member | None, roles: set[str], subject: Subject) -> bool:
        return services.can_manage(member, roles, _consultation(subject))

    def articles(self, session: Session, subject: Subject) -> list[ArticleText]:
        version = services.latest_version(session, _consultation(subject))
        return [ArticleText(a.number, a.heading, a.body) for a in services.articles_of(session, version)]

    def article_texts(self, session: Session, subject: Subject) -> dict[tuple[int | None, int], ArticleText]:
        found: dict[tuple[int | None, int], ArticleText] = {}
        for version in services.versions_of(session, _consultation(subject)):
            for a in services.articles_of(session, version):
                found[(version.number, a.number)] = ArticleText(a.number, a.heading, a.body)
        return found

    def current_version(self, session: Session, subject: Subject) -> int | None:
        return services.latest_version(session, _consultation(subject)).number

    def commentable(self, session: Session, subject: Subject) -> tuple[set[int], int | None]:
        return services.latest_article_numbers(session, _consultation(subject))

    def article_changes(self, session: Session, subject: Subject) -> dict[int, ArticleChange]:
        versions = services.versions_of(session, _consultation(subject))
        return {
            change.new.number: change
            for change in services.compare_versions(session, versions[0], versions[-1])
            if change.new is not None
        }

    def scope(self, session: Session, subject: Subject) -> list[str]:
        return scopes.consultation_scope(session, _consultation(subject))

    def closed_message(self, subject: Subject) -> str | None:
        phase = _consultation(subject).phase()
        if phase == Phase.open:
            return None
        if phase in (Phase.draft, Phase.upcoming):
            return N_("This consultation is not open for comments yet.")
        return N_("This consultation has closed; comments are no longer accepted.")

    def response_blocker(self, subject: Subject) -> str | None:
        if _consultation(subject).phase() in (Phase.closed, Phase.responded):
            return None
        return N_("The response can be published once the consultation has closed.")

    def response_published(self, session: Session, queue: Queue, subject: Subject) -> None:
        consultation = _consultation(subject)
        response = responses.response_for(session, self.name, subject.id)
        consultation.responded_at = response.published_at if response else None
        session.add(consultation)
        session.commit()
        events.response_published(session, queue, consultation)

    def export_name(self, subject: Subject) -> str:
        return _consultation(subject).slug

    def export_ref(self, subject: Subject) -> dict[str, Any]:
        return {"consultation": _consultation(subject).slug}

    def as_json(self, subject: Subject) -> dict[str, Any]:
        return services.consultation_json(_consultation(subject))


CONSULTATIONS = subjects.register(Consultations())
