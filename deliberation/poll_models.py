"""Polls' tables: the poll and its options, the chain of ballots (no voter in it), each member's
one current ballot (the database refuses a second), and one-time paper codes for voting in person.

A budget is a poll too: its method is a budget method and its options are projects, with the
columns the budgets package adds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import utcnow
from core.errors import N_

ELIGIBILITY = {
    "members": N_("Any member"),
    "verified": N_("Members with a verified e-mail address"),
    "places": N_("Residents of the places listed"),
}
SUBJECT_KINDS = ("consultation", "bill", "proposal")


class Poll(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    question: str = Field(max_length=300)
    description: str = Field(default="")  # Markdown
    method: str = Field(max_length=30)  # a name in analysis.voting.METHODS
    params: str = Field(default="{}")  # the method's parameters, JSON
    eligibility: str = Field(default="members", max_length=20)  # a key of ELIGIBILITY
    places: str = Field(default="", max_length=2000)  # MOI place codes, comma-separated, for "places"
    hide_results: bool = False  # until it closes
    allow_change: bool = True  # a voter may change their ballot until it closes
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    subject_kind: str | None = Field(default=None, max_length=20)  # consultation, bill, proposal, or standalone
    subject_id: int | None = None
    opens_at: datetime
    closes_at: datetime
    created_at: datetime = Field(default_factory=utcnow)
    # The chain's end, moved only under the lock that appending takes (an UPDATE of this row).
    chain_length: int = 0
    chain_head: str = Field(default="", max_length=64)
    opened_notice_at: datetime | None = None  # followers told it opened
    closed_notice_at: datetime | None = None  # followers told it closed
    published_at: datetime | None = None  # the agency published the result and the ballot file


class PollOption(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("poll_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    key: str = Field(max_length=20)  # the id ballots name: "1", "2", ...
    position: int = 0
    label: str = Field(max_length=300)
    image_alt: str = Field(default="", max_length=300)
    # A budget's project (deliberation.budgets): what it costs, what it is, where, and the proposal
    # it came from. None/empty on a plain poll's option.
    cost: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    description: str = Field(default="", max_length=2000)
    place_code: str = Field(default="", max_length=20)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)


class PollEntry(SQLModel, table=True):
    """One link of the append-only chain: `core.ballots` defines what is hashed."""

    __table_args__ = (UniqueConstraint("poll_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    seq: int
    receipt: str = Field(max_length=64, index=True)  # sha256 of the receipt code
    choice: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    in_person: bool = False
    prev: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    cast_at: datetime = Field(default_factory=utcnow)


class PollBallot(SQLModel, table=True):
    """A member's one ballot on a poll: the row the unique constraint keeps single. It knows the
    receipt's hash, so a changed ballot continues the same receipt; the published file never names
    the member."""

    __table_args__ = (UniqueConstraint("poll_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    receipt: str = Field(max_length=64)
    cast_at: datetime = Field(default_factory=utcnow)
    changed_at: datetime | None = None


class PollCode(SQLModel, table=True):
    """A one-time paper code for voting in person; its hash is the ballot's receipt."""

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = None
