"""Citizens' proposals: submission, a moderator's review, co-signing with a threshold, and the
agency's duty to respond by a deadline (with one announced extension)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import notify
from core.accounts import Agency, Member, MemberRole, Role
from core.db import pk, utcnow
from core.errors import N_, Invalid, NotFound
from core.jobs import JobContext, handler, periodic
from core.settings import Settings
from deliberation import polls
from feedback import analyses
from feedback.analyses import Tie
from participation.models import Proposal, ProposalEvent, ProposalState, Signature

TITLE_MAX = 200
BODY_MAX = 20_000
DUE_SOON = timedelta(days=7)

EVENT_LABELS = {
    "submitted": N_("Submitted"),
    "accepted": N_("Accepted by a moderator for signing"),
    "rejected": N_("Not accepted by a moderator"),
    "threshold_reached": N_("Reached the signature threshold: the agency must respond"),
    "extended": N_("The agency extended its deadline"),
    "responded": N_("The agency responded"),
}


class Clock(StrEnum):
    on_time = "on_time"
    due_soon = "due_soon"
    overdue = "overdue"


CLOCK_LABELS = {Clock.on_time: N_("On time"), Clock.due_soon: N_("Due soon"), Clock.overdue: N_("Overdue")}


def _event(session: Session, proposal: Proposal, kind: str, note: str = "", at: datetime | None = None) -> None:
    session.add(ProposalEvent(proposal_id=pk(proposal), kind=kind, note=note, created_at=at or utcnow()))


def submit(session: Session, author: Member, agency: Agency, title: str, body: str) -> Proposal:
    errors = {}
    if not title.strip():
        errors["title"] = N_("Enter a title.")
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = N_("The title is too long (200 characters at most).")
    if not body.strip():
        errors["body"] = N_("Explain your proposal.")
    elif len(body) > BODY_MAX:
        errors["body"] = N_("The proposal is too long.")
    if errors:
        raise Invalid(errors)
    proposal = Proposal(agency_id=pk(agency), author_id=pk(author), title=title.strip(), body=body.strip())
    session.add(proposal)
    session.flush()
    _event(session, proposal, "submitted")
    session.commit()
    return proposal


def review(session: Session, proposal: Proposal, settings: Settings, accept: bool, note: str) -> None:
    """A moderator accepts (with an optional note) or rejects (with a reason the author sees)."""
    if proposal.review != "pending":
        raise Invalid({"": N_("This proposal has been reviewed already.")})
    if not accept and not note.strip():
        raise Invalid({"note": N_("Give the author the reason it is not accepted.")})
    now = utcnow()
    proposal.review = "accepted" if accept else "rejected"
    proposal.review_note, proposal.reviewed_at = note.strip(), now
    if accept:
        proposal.signing_ends_at = now + timedelta(days=settings.proposal_signing_days)
        proposal.threshold = settings.proposal_threshold
    session.add(proposal)
    _event(session, proposal, "accepted" if accept else "rejected", note.strip())
    session.commit()


def sign(session: Session, proposal: Proposal, member: Member, settings: Settings) -> bool:
    """Add the member's signature. A second signature is refused by the database's unique
    constraint, so concurrent clicks cannot count twice. True when this signature is the one that
    reached the threshold (exactly one signature is, however many arrive together)."""
    if proposal.state() not in (ProposalState.collecting, ProposalState.awaiting_response) or (
        proposal.signing_ends_at is not None and utcnow() >= proposal.signing_ends_at
    ):
        raise Invalid({"": N_("This proposal is not collecting signatures.")})
    try:
        session.add(Signature(proposal_id=pk(proposal), member_id=pk(member)))
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Invalid({"": N_("You have signed this proposal already.")}) from None
    reached_now = False
    if signature_count(session, proposal) >= proposal.threshold and proposal.threshold_reached_at is None:
        now = utcnow()
        # Only the first transaction to see the threshold sets the deadline.
        reached = session.execute(
            update(Proposal)
            .where(col(Proposal.id) == proposal.id, col(Proposal.threshold_reached_at).is_(None))
            .values(threshold_reached_at=now, response_due_at=now + timedelta(days=settings.proposal_response_days))
        )
        if reached.rowcount:  # type: ignore[attr-defined]
            reached_now = True
            _event(session, proposal, "threshold_reached")
        session.commit()
        session.refresh(proposal)
    return reached_now


def has_signed(session: Session, proposal: Proposal, member: Member | None) -> bool:
    if member is None:
        return False
    query = select(Signature.id).where(Signature.proposal_id == pk(proposal), Signature.member_id == pk(member))
    return session.exec(query).first() is not None


def signature_count(session: Session, proposal: Proposal) -> int:
    query = select(func.count()).select_from(Signature).where(Signature.proposal_id == pk(proposal))
    return session.exec(query).one()


def signature_counts(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    """proposal id -> its signatures, in one query for a whole list."""
    if not proposal_ids:
        return {}
    query = (
        select(Signature.proposal_id, func.count())
        .where(col(Signature.proposal_id).in_(proposal_ids))
        .group_by(col(Signature.proposal_id))
    )
    found = dict(session.exec(query).all())
    return {proposal_id: int(found.get(proposal_id, 0)) for proposal_id in proposal_ids}


def extend(session: Session, proposal: Proposal, settings: Settings, reason: str) -> None:
    if proposal.state() != ProposalState.awaiting_response or proposal.response_due_at is None:
        raise Invalid({"": N_("Only a proposal awaiting the agency's response can be extended.")})
    if proposal.extension_reason:
        raise Invalid({"": N_("The deadline has been extended once already.")})
    if not reason.strip():
        raise Invalid({"reason": N_("Give the reason for the extension.")})
    proposal.extension_reason = reason.strip()
    proposal.response_due_at = proposal.response_due_at + timedelta(days=settings.proposal_extension_days)
    session.add(proposal)
    _event(session, proposal, "extended", reason.strip())
    session.commit()


def respond(session: Session, proposal: Proposal, text: str) -> None:
    if proposal.state() not in (ProposalState.awaiting_response, ProposalState.collecting, ProposalState.expired):
        raise Invalid({"": N_("This proposal cannot be answered now.")})
    if not text.strip():
        raise Invalid({"response": N_("Write the agency's response.")})
    proposal.response, proposal.responded_at = text.strip(), utcnow()
    session.add(proposal)
    _event(session, proposal, "responded")
    session.commit()


def clock(proposal: Proposal, now: datetime | None = None) -> Clock | None:
    """On time, due soon or overdue: for proposals the agency must answer."""
    if proposal.response_due_at is None or proposal.state() != ProposalState.awaiting_response:
        return None
    now = now or utcnow()
    if now > proposal.response_due_at:
        return Clock.overdue
    return Clock.due_soon if proposal.response_due_at - now <= DUE_SOON else Clock.on_time


def get(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(str(proposal_id))
    return proposal


def can_see(proposal: Proposal, member: Member | None, roles: set[str]) -> bool:
    """Accepted proposals are public; before that, the author, moderators and the agency see it."""
    if proposal.review == "accepted":
        return True
    if member is None:
        return False
    return (
        member.id == proposal.author_id
        or bool(roles & {Role.moderator, Role.admin})
        or (Role.agency_official in roles and member.agency_id == proposal.agency_id)
    )


def can_answer(proposal: Proposal, member: Member | None, roles: set[str]) -> bool:
    if member is None:
        return False
    return Role.admin in roles or (Role.agency_official in roles and member.agency_id == proposal.agency_id)


def public_proposals(session: Session) -> list[Proposal]:
    query = select(Proposal).where(Proposal.review == "accepted").order_by(col(Proposal.reviewed_at).desc())
    return list(session.exec(query))


def collecting(session: Session, now: datetime | None = None) -> list[tuple[Proposal, int]]:
    """Proposals open for signatures, the soonest to close first, each with its signature count."""
    now = now or utcnow()
    query = (
        select(Proposal, func.count(col(Signature.id)))
        .outerjoin(Signature, col(Signature.proposal_id) == Proposal.id)
        .where(
            Proposal.review == "accepted",
            col(Proposal.threshold_reached_at).is_(None),
            col(Proposal.responded_at).is_(None),
            col(Proposal.signing_ends_at) > now,
        )
        .group_by(col(Proposal.id))
        .order_by(col(Proposal.signing_ends_at))
    )
    return [(proposal, int(n)) for proposal, n in session.exec(query)]


def pending_review(session: Session) -> list[Proposal]:
    return list(session.exec(select(Proposal).where(Proposal.review == "pending").order_by(col(Proposal.id))))


def overdue(session: Session, now: datetime | None = None) -> list[Proposal]:
    now = now or utcnow()
    query = select(Proposal).where(
        Proposal.review == "accepted",
        col(Proposal.responded_at).is_(None),
        col(Proposal.response_due_at).is_not(None),
        col(Proposal.response_due_at) < now,
    )
    return list(session.exec(query.order_by(col(Proposal.response_due_at))))


def history(session: Session, proposal: Proposal) -> list[ProposalEvent]:
    query = select(ProposalEvent).where(ProposalEvent.proposal_id == pk(proposal))
    return list(session.exec(query.order_by(col(ProposalEvent.created_at), col(ProposalEvent.id))))


def due_for_reminder(session: Session, now: datetime | None = None) -> list[Proposal]:
    """Awaiting a response, due within a week, and the agency not yet reminded."""
    now = now or utcnow()
    query = select(Proposal).where(
        Proposal.review == "accepted",
        col(Proposal.responded_at).is_(None),
        col(Proposal.reminded_at).is_(None),
        col(Proposal.response_due_at).is_not(None),
        col(Proposal.response_due_at) <= now + DUE_SOON,
    )
    return list(session.exec(query))


def officials_of(session: Session, agency_id: int) -> set[int]:
    query = (
        select(Member.id)
        .join(MemberRole, col(MemberRole.member_id) == col(Member.id))
        .where(Member.agency_id == agency_id, MemberRole.role == Role.agency_official)
    )
    return {member_id for member_id in session.exec(query) if member_id is not None}


@handler("remind_proposal_deadlines")
def remind_deadlines(job: JobContext) -> dict[str, int]:
    """Daily: tell each agency's officials about proposals whose response is due within a week."""
    reminded = 0
    for proposal in due_for_reminder(job.session):
        notify.notify(
            job.session,
            job.queue,
            officials_of(job.session, proposal.agency_id),
            N_("The response to the proposal “%(title)s” is due on %(due)s."),
            {"title": proposal.title, "due": f"{proposal.response_due_at:%Y-%m-%d}"},
            f"/proposals/{proposal.id}",
            job.settings.base_url,
        )
        proposal.reminded_at = utcnow()
        job.session.add(proposal)
        job.session.commit()
        reminded += 1
    return {"reminded": reminded}


periodic("remind_proposal_deadlines", minute="0", hour="1")  # 09:00 in Taipei


def cosigned_by(session: Session, member_ids: set[int]) -> list[Tie]:
    """The proposals two or more of these members co-signed: what ties commenters together in an
    analysis's stakeholder network."""
    signed = list(session.exec(select(Signature).where(col(Signature.member_id).in_(member_ids))))
    shared = {p for p, n in Counter(s.proposal_id for s in signed).items() if n >= 2}
    return [
        Tie(s.member_id, f"proposal:{s.proposal_id}", "proposal", str(s.proposal_id), "signed")
        for s in signed
        if s.proposal_id in shared
    ]


analyses.ties.append(cosigned_by)


def _for_polls(session: Session, proposal_id: int) -> tuple[str, str, Proposal] | None:
    proposal = session.get(Proposal, proposal_id)
    return (proposal.title, f"/proposals/{proposal.id}", proposal) if proposal else None


# A poll on a proposal: how deliberation finds the proposal and who may attach one (its answerers).
polls.proposal_finder[:] = [_for_polls]
polls.proposal_manager[:] = [lambda proposal, member, roles: can_answer(proposal, member, roles)]
