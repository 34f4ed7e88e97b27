"""Bills linked to the consultations behind them: the consultation on the draft an agency later
sent to the legislature, or one on how an enacted bill will be carried out.

A consultation is another package's; bills know it only as a feedback subject of kind
"consultation" (`feedback.subjects`), and add the linked bills to its page as related items."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bills.models import Bill, BillConsultation
from core.accounts import Member, Role
from core.db import pk
from core.errors import N_, Forbidden, Invalid
from feedback import subjects
from feedback.subjects import Related, Subject

CONSULTATION = "consultation"
NOT_YOURS = N_("Only the consultation's agency or legislative staff can link it.")


def can_link(member: Member | None, roles: set[str], consultation: Subject) -> bool:
    """Legislative staff link any consultation; officials link their own agency's."""
    if member is None:
        return False
    if Role.legislative_staff in roles:
        return True
    return subjects.kind_of(CONSULTATION).can_manage(member, roles, consultation)


def consultations_of(session: Session, bill: Bill) -> list[Subject]:
    """The public consultations linked to the bill, oldest first."""
    ids = session.exec(select(BillConsultation.consultation_id).where(BillConsultation.bill_id == pk(bill)))
    found = [subjects.get(session, CONSULTATION, consultation_id) for consultation_id in ids]
    return [s for s in found if s is not None and s.public]


def linkable(session: Session, member: Member | None, roles: set[str]) -> list[Subject]:
    """The published consultations this member may link: all for staff, their agency's for officials."""
    return [s for s in subjects.kind_of(CONSULTATION).listing(session) if can_link(member, roles, s)]


def bills_of(session: Session, consultation: Subject) -> list[Bill]:
    query = (
        select(Bill)
        .join(BillConsultation, col(BillConsultation.bill_id) == Bill.id)
        .where(BillConsultation.consultation_id == consultation.id)
        .order_by(col(Bill.last_action_on).desc())
    )
    return list(session.exec(query))


def _related_bills(session: Session, subject: Subject) -> list[Related]:
    if subject.kind != CONSULTATION:
        return []
    heading = N_("Bills from this consultation")
    return [Related(heading, b.title or b.number, f"/bills/{b.id}") for b in bills_of(session, subject)]


subjects.related_items.append(_related_bills)


def find_consultation(session: Session, ref: str) -> Subject:
    consultation = subjects.kind_of(CONSULTATION).find(session, ref)
    if consultation is None or not consultation.public:
        raise Invalid({"consultation": N_("There is no published consultation at that address.")})
    return consultation


def link(session: Session, bill: Bill, ref: str, member: Member, roles: set[str]) -> Subject:
    """Raises Invalid for no such published consultation, Forbidden for one this member may not link."""
    consultation = find_consultation(session, ref)
    if not can_link(member, roles, consultation):
        raise Forbidden(NOT_YOURS)
    known = session.exec(
        select(BillConsultation).where(
            BillConsultation.bill_id == pk(bill), BillConsultation.consultation_id == consultation.id
        )
    ).first()
    if known is None:
        session.add(BillConsultation(bill_id=pk(bill), consultation_id=consultation.id, linked_by_id=member.id))
        session.commit()
    return consultation


def unlink(session: Session, bill: Bill, consultation: Subject, member: Member, roles: set[str]) -> None:
    if not can_link(member, roles, consultation):
        raise Forbidden(NOT_YOURS)
    for row in session.exec(
        select(BillConsultation).where(
            BillConsultation.bill_id == pk(bill), BillConsultation.consultation_id == consultation.id
        )
    ):
        session.delete(row)
    session.commit()
