"""Who is told what: followers, commenters, signers and agencies, when something happens to a
consultation or a proposal. Also says how to find each followable thing for core's follow pages."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core import accounts, notify
from core.accounts import Agency, Member
from core.db import pk
from core.errors import N_
from core.jobs import JobContext, Queue, handler, periodic
from feedback import comments
from participation import proposals
from participation.models import Consultation, Phase, Proposal, Signature


def _consultation(session: Session, target_id: int) -> tuple[str, str] | None:
    found = session.get(Consultation, target_id)
    return (found.title, f"/c/{found.slug}") if found and found.published_at else None


def _proposal(session: Session, target_id: int) -> tuple[str, str] | None:
    found = session.get(Proposal, target_id)
    return (found.title, f"/proposals/{found.id}") if found and found.review == "accepted" else None


def _agency(session: Session, target_id: int) -> tuple[str, str] | None:
    found = session.get(Agency, target_id)
    return (found.name, f"/agencies/{found.slug}") if found else None


notify.followable.update({"consultation": _consultation, "proposal": _proposal, "agency": _agency})


def _tell(session: Session, queue: Queue, people: set[int], message: str, params: dict[str, str], url: str) -> int:
    return notify.notify(session, queue, people, message, params, url, queue.settings.base_url)


def consultation_published(session: Session, queue: Queue, consultation: Consultation) -> None:
    _tell(
        session,
        queue,
        notify.followers(session, "agency", consultation.agency_id),
        N_("A new consultation: “%(title)s”."),
        {"title": consultation.title},
        f"/c/{consultation.slug}",
    )


def draft_revised(session: Session, queue: Queue, consultation: Consultation, number: int) -> None:
    _tell(
        session,
        queue,
        notify.followers(session, "consultation", pk(consultation)),
        N_("Version %(number)s of the draft “%(title)s” is out."),
        {"number": str(number), "title": consultation.title},
        f"/c/{consultation.slug}/versions",
    )


def response_published(session: Session, queue: Queue, consultation: Consultation) -> int:
    people = comments.commenter_ids(session, "consultation", pk(consultation))
    people |= notify.followers(session, "consultation", pk(consultation))
    return _tell(
        session,
        queue,
        people,
        N_("The agency has answered the consultation “%(title)s”."),
        {"title": consultation.title},
        f"/c/{consultation.slug}/response",
    )


@handler("announce_consultation_phases")
def announce_phases(job: JobContext) -> dict[str, int]:
    """Hourly: tell followers when comments open and when they close (the phases follow the clock)."""
    told = 0
    published = select(Consultation).where(col(Consultation.published_at).is_not(None))
    for consultation in job.session.exec(published):
        phase = consultation.phase()
        if phase not in (Phase.open, Phase.closed) or consultation.announced_phase == phase:
            continue
        message = (
            N_("Comments are open on “%(title)s”.")
            if phase == Phase.open
            else N_("Comments have closed on “%(title)s”; the agency will respond.")
        )
        people = notify.followers(job.session, "consultation", pk(consultation))
        people |= notify.followers(job.session, "agency", consultation.agency_id)
        told += _tell(job.session, job.queue, people, message, {"title": consultation.title}, f"/c/{consultation.slug}")
        consultation.announced_phase = phase
        job.session.add(consultation)
        job.session.commit()
    return {"told": told}


periodic("announce_consultation_phases", minute="5", hour="*")


def proposal_accepted(session: Session, queue: Queue, proposal: Proposal) -> None:
    people = notify.followers(session, "agency", proposal.agency_id) | {proposal.author_id}
    _tell(
        session,
        queue,
        people,
        N_("The proposal “%(title)s” is open for signatures."),
        {"title": proposal.title},
        f"/proposals/{proposal.id}",
    )


def proposal_rejected(session: Session, queue: Queue, proposal: Proposal) -> None:
    _tell(
        session,
        queue,
        {proposal.author_id},
        N_("Your proposal “%(title)s” was not accepted; see the reason."),
        {"title": proposal.title},
        f"/proposals/{proposal.id}",
    )


def threshold_reached(session: Session, queue: Queue, proposal: Proposal) -> None:
    people = notify.followers(session, "proposal", pk(proposal)) | {proposal.author_id}
    people |= proposals.officials_of(session, proposal.agency_id)
    _tell(
        session,
        queue,
        people,
        N_("The proposal “%(title)s” reached its signature threshold."),
        {"title": proposal.title},
        f"/proposals/{proposal.id}",
    )


def pending_signatures_counted(session: Session, queue: Queue, member: Member) -> None:
    """The member's address is verified: their pending signatures count, and each proposal that
    this takes over its threshold is announced as if the last signature had just arrived."""
    for proposal in proposals.count_pending(session, member, queue.settings):
        threshold_reached(session, queue, proposal)


accounts.when_email_verified.append(pending_signatures_counted)


def proposal_answered(session: Session, queue: Queue, proposal: Proposal) -> None:
    signers = set(session.exec(select(Signature.member_id).where(Signature.proposal_id == pk(proposal))))
    people = signers | notify.followers(session, "proposal", pk(proposal)) | {proposal.author_id}
    _tell(
        session,
        queue,
        people,
        N_("The agency answered the proposal “%(title)s”."),
        {"title": proposal.title},
        f"/proposals/{proposal.id}",
    )
