"""Atom feeds: what happened to a consultation, and what an agency has been doing."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.accounts import Agency
from core.db import pk, utcnow
from core.feeds import Entry
from core.i18n import gettext as _
from feedback import responses
from participation import services
from participation.models import Consultation, Proposal


def consultation_entries(session: Session, consultation: Consultation) -> list[Entry]:
    base = f"/c/{consultation.slug}"
    tag = f"tag:thinktank,2026:consultation:{consultation.id}"
    entries = []
    for version in services.versions_of(session, consultation):
        if (consultation.published_at and version.created_at >= consultation.published_at) or version.number == 1:
            entries.append(
                Entry(
                    f"{tag}:version:{version.number}",
                    _("Version %(number)s of the draft") % {"number": version.number},
                    max(version.created_at, consultation.published_at or version.created_at),
                    f"{base}/versions?to={version.number}",
                    version.note,
                )
            )
    now = utcnow()
    if consultation.published_at and consultation.opens_at <= now:
        entries.append(Entry(f"{tag}:open", _("Comments open"), consultation.opens_at, base, consultation.summary))
    if consultation.published_at and consultation.closes_at <= now:
        entries.append(Entry(f"{tag}:closed", _("Comments close"), consultation.closes_at, base, ""))
    response = responses.response_for(session, "consultation", pk(consultation))
    if response is not None and response.published_at is not None:
        entries.append(
            Entry(
                f"{tag}:response",
                _("The agency's response"),
                response.published_at,
                f"{base}/response",
                response.summary[:500],
            )
        )
    return sorted(entries, key=lambda e: e.updated, reverse=True)


def agency_entries(session: Session, agency: Agency) -> list[Entry]:
    entries = []
    for consultation in services.list_consultations(session, agency=agency):
        assert consultation.published_at is not None
        entries.append(
            Entry(
                f"tag:thinktank,2026:consultation:{consultation.id}",
                consultation.title,
                consultation.responded_at or consultation.published_at,
                f"/c/{consultation.slug}",
                consultation.summary,
            )
        )
    accepted = select(Proposal).where(Proposal.agency_id == pk(agency), Proposal.review == "accepted")
    for proposal in session.exec(accepted.order_by(col(Proposal.id))):
        entries.append(
            Entry(
                f"tag:thinktank,2026:proposal:{proposal.id}",
                proposal.title,
                proposal.responded_at or proposal.reviewed_at or proposal.created_at,
                f"/proposals/{proposal.id}",
                proposal.body[:500],
            )
        )
    return sorted(entries, key=lambda e: e.updated, reverse=True)[:50]
