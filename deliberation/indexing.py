"""What deliberation puts into search: conversations and their statements, and discussions with
their posts. A statement waiting for moderation, or a post held for review, is its author's
alone; what moderation took down is the moderators'; a deleted post is forgotten."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.markup import markdown_text
from deliberation.models import Conversation, Discussion, Post, Statement, StatementStatus
from search import outbox, site, viewers
from search.model import PUBLIC, Document


def _conversations(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Conversation, ids)
    built = outbox.Built()
    for conversation_id in ids:
        conversation = found.get(conversation_id)
        if conversation is None:
            continue
        built.documents.append(
            Document(
                id=f"conversation:{conversation_id}",
                kind="conversation",
                title=conversation.topic,
                body=markdown_text(conversation.description),
                lang="",
                url=f"/conversations/{conversation.slug}",
                facets={},
                visibility=PUBLIC,
                date=conversation.created_at,
            )
        )
    return built


def _statement_visibility(statement: Statement) -> str:
    if statement.status == StatementStatus.accepted:
        return PUBLIC
    if statement.status == StatementStatus.rejected:
        return viewers.MODERATORS
    return viewers.member(statement.author_id)


def _statements(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Statement, ids)
    conversations = {
        c.id: c
        for c in session.exec(
            select(Conversation).where(col(Conversation.id).in_({s.conversation_id for s in found.values()}))
        )
    }
    built = outbox.Built()
    for statement_id in ids:
        statement = found.get(statement_id)
        conversation = conversations.get(statement.conversation_id) if statement else None
        if statement is None or conversation is None:
            continue
        built.documents.append(
            Document(
                id=f"statement:{statement_id}",
                kind="statement",
                title=site.excerpt(statement.text),
                body=statement.text,
                lang="",
                url=f"/conversations/{conversation.slug}",
                facets={"subject": f"conversation:{conversation.id}"},
                visibility=_statement_visibility(statement),
                date=statement.created_at,
            )
        )
    return built


def _post_visibility(post: Post) -> str:
    if post.hidden_reason:
        return viewers.MODERATORS
    return viewers.member(post.author_id) if post.held else PUBLIC


def _subject(discussion: Discussion) -> dict[str, str]:
    return {"subject": f"{discussion.subject_kind}:{discussion.subject_id}"} if discussion.subject_id else {}


def _discussions(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Discussion, ids)
    built = outbox.Built()
    for discussion_id in ids:
        discussion = found.get(discussion_id)
        if discussion is None:
            continue
        built.documents.append(
            Document(
                id=f"discussion:{discussion_id}",
                kind="discussion",
                title=discussion.title,
                body="",
                lang="",
                url=f"/discussions/{discussion_id}",
                facets=_subject(discussion),
                visibility=PUBLIC,
                date=discussion.last_post_at,
            )
        )
    return built


def _posts(session: Session, ids: list[int]) -> outbox.Built:
    found = outbox.rows(session, Post, ids)
    discussions = {
        d.id: d
        for d in session.exec(
            select(Discussion).where(col(Discussion.id).in_({p.discussion_id for p in found.values()}))
        )
    }
    built = outbox.Built()
    for post_id in ids:
        post = found.get(post_id)
        discussion = discussions.get(post.discussion_id) if post else None
        if post is None or discussion is None or post.deleted_at is not None:
            continue
        built.documents.append(
            Document(
                id=f"post:{post_id}",
                kind="post",
                title=site.excerpt(markdown_text(post.body)),
                body=markdown_text(post.body),
                lang="",
                url=f"/discussions/{discussion.id}#post-{post_id}",
                facets={"subject": f"discussion:{discussion.id}"},
                visibility=_post_visibility(post),
                date=post.created_at,
            )
        )
    return built


def _ids(values: list[str], kind: str) -> dict[int, str]:
    return {int(i): v for v in values for k, _, i in [v.partition(":")] if k == kind and i.isdigit()}


def _titles(session: Session, values: list[str]) -> dict[str, str]:
    """Topics of the conversations, and titles of the discussions, that "subject" facet values name."""
    found: dict[str, str] = {}
    if conversations := _ids(values, "conversation"):
        topics = session.exec(select(Conversation).where(col(Conversation.id).in_(conversations)))
        found |= {conversations[c.id]: c.topic for c in topics if c.id is not None}
    if discussions := _ids(values, "discussion"):
        threads = session.exec(select(Discussion).where(col(Discussion.id).in_(discussions)))
        found |= {discussions[d.id]: d.title for d in threads if d.id is not None}
    return found


site.subject_titles.append(_titles)
outbox.register(outbox.Source("conversation", _conversations, outbox.every_id(Conversation)))
outbox.register(outbox.Source("statement", _statements, outbox.every_id(Statement)))
outbox.register(outbox.Source("discussion", _discussions, outbox.every_id(Discussion)))
outbox.register(outbox.Source("post", _posts, outbox.every_id(Post)))
outbox.watch(Conversation, lambda c: [f"conversation:{c.id}"])
outbox.watch(Statement, lambda s: [f"statement:{s.id}"])
outbox.watch(Discussion, lambda d: [f"discussion:{d.id}"])
outbox.watch(Post, lambda p: [f"post:{p.id}"])
