"""Participation's tables: consultations on drafts (with versions split into articles), proposals
and signatures. Comments and responses on a consultation are feedback's (`feedback.models`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import utcnow
from core.errors import N_


class Phase(StrEnum):
    draft = "draft"
    upcoming = "upcoming"
    open = "open"
    closed = "closed"
    responded = "responded"


PHASE_LABELS = {
    Phase.draft: N_("Draft (not yet public)"),
    Phase.upcoming: N_("Opens soon"),
    Phase.open: N_("Open for comments"),
    Phase.closed: N_("Closed, awaiting the response"),
    Phase.responded: N_("Responded"),
}


class Consultation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    title: str = Field(max_length=200)
    summary: str = Field(max_length=1000)
    background: str = Field(default="")  # Markdown
    tags: str = Field(default="", max_length=300)  # comma-separated policy areas
    contact: str = Field(default="", max_length=300)
    opens_at: datetime
    closes_at: datetime
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    responded_at: datetime | None = None
    announced_phase: str = Field(default="", max_length=12)  # the last phase followers were told of

    def phase(self, now: datetime | None = None) -> Phase:
        now = now or utcnow()
        if self.published_at is None:
            return Phase.draft
        if self.responded_at is not None:
            return Phase.responded
        if now < self.opens_at:
            return Phase.upcoming
        if now < self.closes_at:
            return Phase.open
        return Phase.closed

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class DraftVersion(SQLModel, table=True):
    """One revision of a consultation's draft; the newest is the one people comment on."""

    __table_args__ = (UniqueConstraint("consultation_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    number: int
    text: str  # Markdown, split into articles at each heading
    note: str = Field(default="", max_length=1000)  # what changed, and why
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)


class Article(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("version_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="draftversion.id", index=True)
    number: int  # position in the draft, 1-based: the #art-N anchor
    heading: str = Field(max_length=200)
    body: str


class ProposalState(StrEnum):
    pending = "pending"  # waiting for a moderator's review
    rejected = "rejected"
    collecting = "collecting"  # accepted, collecting signatures
    expired = "expired"  # the signing period ended below the threshold
    awaiting_response = "awaiting_response"  # threshold reached: the agency must respond
    responded = "responded"


PROPOSAL_STATE_LABELS = {
    ProposalState.pending: N_("Waiting for review"),
    ProposalState.rejected: N_("Not accepted"),
    ProposalState.collecting: N_("Collecting signatures"),
    ProposalState.expired: N_("Closed without enough signatures"),
    ProposalState.awaiting_response: N_("Awaiting the agency's response"),
    ProposalState.responded: N_("Answered by the agency"),
}


class Proposal(SQLModel, table=True):
    """A citizen's proposal (petition) to an agency."""

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    author_id: int = Field(foreign_key="member.id", index=True)
    title: str = Field(max_length=200)
    body: str  # Markdown
    created_at: datetime = Field(default_factory=utcnow)
    review: str = Field(default="pending", max_length=10)  # pending, accepted, rejected
    review_note: str = Field(default="")
    reviewed_at: datetime | None = None
    signing_ends_at: datetime | None = None
    threshold: int = 0  # fixed when accepted, so a later settings change does not move the goal
    threshold_reached_at: datetime | None = None
    response_due_at: datetime | None = None
    extension_reason: str = Field(default="")
    response: str = Field(default="")  # Markdown
    responded_at: datetime | None = None
    reminded_at: datetime | None = None  # the agency was told the deadline is near
    place_code: str | None = Field(default=None, max_length=11, index=True)  # the author's place when written

    def state(self, now: datetime | None = None) -> ProposalState:
        now = now or utcnow()
        if self.review == "pending":
            return ProposalState.pending
        if self.review == "rejected":
            return ProposalState.rejected
        if self.responded_at is not None:
            return ProposalState.responded
        if self.threshold_reached_at is not None:
            return ProposalState.awaiting_response
        if self.signing_ends_at is not None and now < self.signing_ends_at:
            return ProposalState.collecting
        return ProposalState.expired


class Signature(SQLModel, table=True):
    # The constraint, not application code, is what keeps it to one signature per member,
    # however many clicks arrive at once.
    __table_args__ = (UniqueConstraint("proposal_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    place_code: str | None = Field(default=None, max_length=11, index=True)  # the signer's place when signing


class ProposalEvent(SQLModel, table=True):
    """The proposal's public history. The actor is shown by role, not by name."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    kind: str = Field(max_length=30)
    note: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow)


class ConsultationPlace(SQLModel, table=True):
    """A consultation scoped to places (a county government's draft): the agency sets it when opening it."""

    __tablename__ = "consultation_place"
    consultation_id: int = Field(primary_key=True, foreign_key="consultation.id")
    place_code: str = Field(primary_key=True, max_length=11, foreign_key="place.code", index=True)


class ProposalPlace(SQLModel, table=True):
    """A proposal scoped to places (a township's petition): the proposer sets it."""

    __tablename__ = "proposal_place"
    proposal_id: int = Field(primary_key=True, foreign_key="proposal.id")
    place_code: str = Field(primary_key=True, max_length=11, foreign_key="place.code", index=True)
