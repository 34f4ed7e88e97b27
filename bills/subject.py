"""A bill as a subject of feedback: legislative staff answer it, a comment may be on any of its
articles while its path has not ended, and commenters and followers are told of the answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from bills import links, services
from bills.models import Bill
from core import notify
from core.accounts import Member, Role
from core.errors import N_
from core.jobs import Queue
from feedback import comments, subjects
from feedback.articles import ArticleText
from feedback.subjects import Subject


def _bill(subject: Subject) -> Bill:
    bill: Bill = subject.record
    return bill


class Bills(subjects.SubjectKind):
    name = "bill"
    route_prefix = "/bills/{bill_id:int}"
    route_names = "bills"
    api_prefix = "/bills/{bill_id:int}"
    api_parameter = ("bill_id", "integer")
    whole_text = N_("The whole bill")
    manager_only = N_("Your account does not have the role needed for this.")

    def from_path(self, session: Session, params: Mapping[str, Any]) -> Subject:
        return services.subject_of(services.get_bill(session, params["bill_id"]))

    def get(self, session: Session, subject_id: int) -> Subject | None:
        bill = session.get(Bill, subject_id)
        return services.subject_of(bill) if bill else None

    def can_manage(self, member: Member | None, roles: set[str], subject: Subject) -> bool:
        return member is not None and bool(roles & {Role.legislative_staff, Role.admin})

    def articles(self, session: Session, subject: Subject) -> list[ArticleText]:
        return [ArticleText(a.number, a.heading, a.proposed) for a in services.articles_of(session, _bill(subject))]

    def feedback_sources(self, session: Session, subject: Subject) -> list[tuple[str, int]]:
        """The bill's comments and those on the consultations it came from."""
        linked = links.consultations_of(session, _bill(subject))
        return [(self.name, subject.id), *((c.kind, c.id) for c in linked)]

    def closed_message(self, subject: Subject) -> str | None:
        if services.open_for_comments(_bill(subject)):
            return None
        return N_("This bill's path has ended; comments are closed.")

    def response_published(self, session: Session, queue: Queue, subject: Subject) -> None:
        people = comments.commenter_ids(session, self.name, subject.id)
        people |= notify.followers(session, self.name, subject.id)
        notify.notify(
            session,
            queue,
            people,
            N_("Legislative staff answered the feedback on “%(title)s”."),
            {"title": subject.title},
            f"{subject.path}/response",
            queue.settings.base_url,
        )

    def export_name(self, subject: Subject) -> str:
        return f"bill-{_bill(subject).number}"

    def export_ref(self, subject: Subject) -> dict[str, Any]:
        return {"bill": _bill(subject).number}


BILLS = subjects.register(Bills())
