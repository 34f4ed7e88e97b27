"""Deliberation's tables: conversations of short statements that participants vote on, and the
opinion groups last computed from those votes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import utcnow
from core.errors import N_


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    topic: str = Field(max_length=200)
    description: str = Field(default="")  # Markdown
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    source: str = Field(default="web", max_length=20)  # web, polis (imported)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class StatementStatus(StrEnum):
    pending = "pending"  # written by a participant, waiting for a moderator
    accepted = "accepted"
    rejected = "rejected"  # moderated out: not shown, and zeroed in the mathematics


STATUS_LABELS = {
    StatementStatus.pending: N_("Waiting for moderation"),
    StatementStatus.accepted: N_("Accepted"),
    StatementStatus.rejected: N_("Moderated out"),
}


class Statement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    text: str = Field(max_length=1000)
    author_id: int | None = Field(default=None, foreign_key="member.id")
    seed: bool = False  # written by the conversation's hosts
    status: str = Field(default=StatementStatus.pending, max_length=10)
    external_id: str = Field(default="", max_length=40)  # the Pol.is comment id of an imported statement
    created_at: datetime = Field(default_factory=utcnow)


class Vote(SQLModel, table=True):
    """One participant's current vote on one statement; changing it updates the row."""

    __table_args__ = (
        UniqueConstraint("statement_id", "voter"),
        Index("ix_vote_conversation_voter", "conversation_id", "voter"),
    )
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    statement_id: int = Field(foreign_key="statement.id", index=True)
    voter: str = Field(max_length=60)  # "member:<id>", or "polis:<participant>" for imported votes
    vote: int  # +1 agree, -1 disagree, 0 pass
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OpinionMap(SQLModel, table=True):
    """The opinion groups last computed for a conversation (JSON), and when."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", unique=True)
    status: str = Field(default="queued", max_length=10)  # queued, running, done, failed
    votes: int = 0  # votes the last result was computed from
    result: str = Field(default="{}")
    requested_at: datetime = Field(default_factory=utcnow)
    computed_at: datetime | None = None
