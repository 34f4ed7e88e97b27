"""Consultations and proposals scoped to places: a county government's draft, a township's
petition. The agency sets a consultation's scope when opening or editing it, the proposer a
proposal's when submitting it; both are shown on the page. One place per form for now; the
tables hold several."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core import places
from core.db import pk
from core.errors import N_
from participation.models import Consultation, ConsultationPlace, Proposal, ProposalPlace


def check_scope(session: Session, code: str) -> dict[str, str]:
    """{} when `code` is empty (the whole country) or a known place; else the error for the field."""
    if code and places.get_place(session, code) is None:
        return {"scope": N_("Choose a place from the list, or the whole country.")}
    return {}


def set_consultation_scope(session: Session, consultation: Consultation, codes: list[str]) -> None:
    """Replace the consultation's places (the caller commits, with the rest of its change)."""
    session.exec(delete(ConsultationPlace).where(col(ConsultationPlace.consultation_id) == pk(consultation)))
    session.add_all(
        ConsultationPlace(consultation_id=pk(consultation), place_code=code) for code in dict.fromkeys(codes)
    )


def set_proposal_scope(session: Session, proposal: Proposal, codes: list[str]) -> None:
    session.exec(delete(ProposalPlace).where(col(ProposalPlace.proposal_id) == pk(proposal)))
    session.add_all(ProposalPlace(proposal_id=pk(proposal), place_code=code) for code in dict.fromkeys(codes))


def consultation_scope(session: Session, consultation: Consultation) -> list[str]:
    query = select(ConsultationPlace.place_code).where(ConsultationPlace.consultation_id == consultation.id)
    return sorted(session.exec(query))


def proposal_scope(session: Session, proposal: Proposal) -> list[str]:
    return sorted(session.exec(select(ProposalPlace.place_code).where(ProposalPlace.proposal_id == proposal.id)))


def scope_labels(session: Session, codes: list[str], lang: str) -> list[str]:
    return [places.place_label(session, code, lang) for code in codes]


def scope_choices(session: Session, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """For a <select>: per county, the county as a whole and then each of its townships."""
    english = not lang.startswith("zh")
    groups = []
    for county in places.places(session, places.Level.county):
        label = county.name_en if english and county.name_en else county.name
        townships = [
            (t.code, t.name_en if english and t.name_en else t.name)
            for t in places.places(session, places.Level.township, county.code)
        ]
        groups.append((label, [(county.code, label), *townships]))
    return groups
