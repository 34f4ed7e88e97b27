"""What became of a vote, a statement and a post, for their receipts and their authors' activity
page: a vote is counted in its conversation; a statement waits for moderation, is in the
conversation, or was moderated out; a post is published, held for review, hidden or deleted."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core import receipts
from core.accounts import Member
from core.errors import N_
from deliberation.models import STATUS_LABELS, Conversation, Discussion, Post, Statement, StatementStatus, Vote
from deliberation.services import voter_key

VOTE_STATUS = {
    1: N_("Counted in the conversation: agree"),
    -1: N_("Counted in the conversation: disagree"),
    0: N_("Counted in the conversation: pass"),
}
STATEMENT_TONES = {StatementStatus.accepted: "progress", StatementStatus.rejected: "hidden"}


def _votes_mine(session: Session, member: Member) -> list[tuple[int, datetime]]:
    query = select(Vote.id, Vote.updated_at).where(Vote.voter == voter_key(member))
    return [(int(i), when) for i, when in session.exec(query) if i is not None]


def _vote_fates(session: Session, ids: list[int]) -> dict[int, receipts.Fate]:
    rows = session.exec(
        select(Vote, Statement, Conversation)
        .join(Statement, col(Statement.id) == Vote.statement_id)
        .join(Conversation, col(Conversation.id) == Vote.conversation_id)
        .where(col(Vote.id).in_(ids))
    )
    return {
        int(vote.id or 0): receipts.Fate(
            N_("Vote"),
            statement.text,
            conversation.topic,
            f"/conversations/{conversation.slug}",
            vote.updated_at,
            VOTE_STATUS[vote.vote],
            tone="progress",
        )
        for vote, statement, conversation in rows
    }


def _statements_mine(session: Session, member: Member) -> list[tuple[int, datetime]]:
    query = select(Statement.id, Statement.created_at).where(Statement.author_id == member.id)
    return [(int(i), when) for i, when in session.exec(query) if i is not None]


def _statement_fates(session: Session, ids: list[int]) -> dict[int, receipts.Fate]:
    rows = session.exec(
        select(Statement, Conversation)
        .join(Conversation, col(Conversation.id) == Statement.conversation_id)
        .where(col(Statement.id).in_(ids))
    )
    return {
        int(statement.id or 0): receipts.Fate(
            N_("Statement"),
            statement.text,
            conversation.topic,
            f"/conversations/{conversation.slug}",
            statement.created_at,
            STATUS_LABELS[StatementStatus(statement.status)],
            tone=STATEMENT_TONES.get(StatementStatus(statement.status), "received"),
        )
        for statement, conversation in rows
    }


def _posts_mine(session: Session, member: Member) -> list[tuple[int, datetime]]:
    query = select(Post.id, Post.created_at).where(Post.author_id == member.id)
    return [(int(i), when) for i, when in session.exec(query) if i is not None]


def _post_fates(session: Session, ids: list[int]) -> dict[int, receipts.Fate]:
    rows = session.exec(
        select(Post, Discussion).join(Discussion, col(Discussion.id) == Post.discussion_id).where(col(Post.id).in_(ids))
    )
    fates = {}
    for post, discussion in rows:
        fate = receipts.Fate(
            N_("Post"),
            post.body,
            discussion.title,
            f"/discussions/{discussion.id}#post-{post.id}",
            post.created_at,
            N_("Published"),
            tone="progress",
        )
        if post.deleted_at is not None:
            fate.status, fate.text, fate.tone = N_("Deleted by its author"), "", "hidden"
        elif post.hidden_reason:
            fate.status, fate.detail, fate.tone = N_("Hidden by a moderator"), post.hidden_reason, "hidden"
        elif post.held:
            fate.status, fate.tone = N_("Waiting for a moderator"), "received"
        fates[int(post.id or 0)] = fate
    return fates


receipts.register(receipts.ReceiptKind("V", _votes_mine, _vote_fates))
receipts.register(receipts.ReceiptKind("T", _statements_mine, _statement_fates))
receipts.register(receipts.ReceiptKind("P", _posts_mine, _post_fates))
