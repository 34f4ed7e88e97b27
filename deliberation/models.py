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
    place_code: str | None = Field(default=None, max_length=11, index=True)  # the voter's place when voting
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


class Discussion(SQLModel, table=True):
    """A thread on a consultation (or one of its articles), a bill, a proposal, or in the forum."""

    __table_args__ = (Index("ix_discussion_subject", "subject_kind", "subject_id"),)
    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(default="forum", max_length=20)  # forum, consultation, bill, proposal
    subject_id: int | None = None
    article: int | None = None
    title: str = Field(max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)
    last_post_at: datetime = Field(default_factory=utcnow)


class Post(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    discussion_id: int = Field(foreign_key="discussion.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="post.id")
    depth: int = 0  # replies nest up to MAX_DEPTH; deeper answers join the deepest level
    author_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    body: str  # Markdown, sanitised when shown
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    deleted_at: datetime | None = None  # deleted by its author: the thread shows "deleted"
    hidden_reason: str = Field(default="", max_length=500)  # hidden by a moderator
    held: bool = False  # a new account's post, waiting for a moderator (HOLD_FIRST_POSTS)


class PostRevision(SQLModel, table=True):
    """An earlier wording of an edited post, kept so the edit history is visible."""

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    body: str
    created_at: datetime = Field(default_factory=utcnow)


class Reaction(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("post_id", "member_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    kind: str = Field(max_length=20)  # agree, helpful, question


REACTIONS = {"agree": N_("Agree"), "helpful": N_("Helpful"), "question": N_("Needs evidence")}
