"""Bills linked to the consultations behind them: the consultation on the draft an agency later
sent to the legislature, or one on how an enacted bill will be carried out."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bills.models import Bill, BillConsultation
from core.accounts import Member, Role
from core.db import pk
from core.errors import N_, Invalid
from participation import services as participation_services
from participation.models import Consultation


def can_link(member: Member | None, roles: set[str], consultation: Consultation) -> bool:
    """Legislative staff link any consultation; officials link their own agency's."""
    if member is None:
        return False
    if Role.legislative_staff in roles:
        return True
    return participation_services.can_manage(member, roles, consultation)


def consultations_of(session: Session, bill: Bill) -> list[Consultation]:
    query = (
        select(Consultation)
        .join(BillConsultation, col(BillConsultation.consultation_id) == Consultation.id)
        .where(BillConsultation.bill_id == pk(bill), col(Consultation.published_at).is_not(None))
        .order_by(col(Consultation.opens_at))
    )
    return list(session.exec(query))


def bills_of(session: Session, consultation: Consultation) -> list[Bill]:
    query = (
        select(Bill)
        .join(BillConsultation, col(BillConsultation.bill_id) == Bill.id)
        .where(BillConsultation.consultation_id == pk(consultation))
        .order_by(col(Bill.last_action_on).desc())
    )
    return list(session.exec(query))


def link(session: Session, bill: Bill, slug: str, member: Member, roles: set[str]) -> Consultation:
    consultation = session.exec(select(Consultation).where(Consultation.slug == slug.strip())).first()
    if consultation is None or consultation.published_at is None:
        raise Invalid({"consultation": N_("There is no published consultation at that address.")})
    if not can_link(member, roles, consultation):
        raise Invalid({"consultation": N_("Only the consultation's agency or legislative staff can link it.")})
    known = session.exec(
        select(BillConsultation).where(
            BillConsultation.bill_id == pk(bill), BillConsultation.consultation_id == pk(consultation)
        )
    ).first()
    if known is None:
        session.add(BillConsultation(bill_id=pk(bill), consultation_id=pk(consultation), linked_by_id=member.id))
        session.commit()
    return consultation


def unlink(session: Session, bill: Bill, consultation: Consultation, member: Member, roles: set[str]) -> None:
    if not can_link(member, roles, consultation):
        raise Invalid({"consultation": N_("Only the consultation's agency or legislative staff can link it.")})
    for row in session.exec(
        select(BillConsultation).where(
            BillConsultation.bill_id == pk(bill), BillConsultation.consultation_id == pk(consultation)
        )
    ):
        session.delete(row)
    session.commit()
