"""What became of a signature, for its receipt and its signer's activity page: pending while the
signer's e-mail address is not verified, then the proposal's state (collecting, over its
threshold and awaiting the agency, answered, closed)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core import receipts
from core.accounts import Member
from core.errors import N_
from participation.models import PROPOSAL_STATE_LABELS, Proposal, ProposalState, Signature

PENDING = N_("Pending: counted once the signer's e-mail address is confirmed")
TONES = {ProposalState.responded: "adopted", ProposalState.expired: "declined", ProposalState.rejected: "declined"}


def _mine(session: Session, member: Member) -> list[tuple[int, datetime]]:
    query = select(Signature.id, Signature.created_at).where(Signature.member_id == member.id)
    return [(int(i), when) for i, when in session.exec(query) if i is not None]


def _fates(session: Session, ids: list[int]) -> dict[int, receipts.Fate]:
    rows = session.exec(
        select(Signature, Proposal, Member.email_verified_at)
        .join(Proposal, col(Proposal.id) == Signature.proposal_id)
        .join(Member, col(Member.id) == Signature.member_id)
        .where(col(Signature.id).in_(ids))
    )
    fates = {}
    for signature, proposal, verified_at in rows:
        state = proposal.state()
        if verified_at is None:
            fates[int(signature.id or 0)] = receipts.Fate(
                N_("Signature"), proposal.title, proposal.title, f"/proposals/{proposal.id}", signature.created_at,
                PENDING,
            )  # fmt: skip
            continue
        fates[int(signature.id or 0)] = receipts.Fate(
            N_("Signature"),
            proposal.title,
            proposal.title,
            f"/proposals/{proposal.id}",
            signature.created_at,
            PROPOSAL_STATE_LABELS[state],
            detail=proposal.response if state == ProposalState.responded else "",
            tone=TONES.get(state, "progress"),
        )
    return fates


receipts.register(receipts.ReceiptKind("S", _mine, _fates))
