"""Discussions: threads on a consultation or one of its articles, a bill, a proposal, or in the
forum. Posts are Markdown (sanitised when shown), reply a few levels deep, can quote, collect
reactions, keep their edit history, and when deleted by their author leave "deleted" in the
thread so the replies still make sense. Followers of a discussion and the person answered are told."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from core import accounts, moderation, notify
from core.accounts import Member
from core.db import pk, utcnow
from core.errors import N_, Invalid, NotFound
from core.jobs import Queue
from deliberation.models import REACTIONS, Discussion, Post, PostRevision, Reaction

MAX_DEPTH = 3
TITLE_MAX = 200
BODY_MAX = 10_000
SUBJECT_KINDS = ("forum", "consultation", "bill", "proposal")


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise Invalid({"body": N_("Write your post.")})
    if len(body) > BODY_MAX:
        raise Invalid({"body": N_("The post is too long (10,000 characters at most).")})
    return body


def subject_of(session: Session, discussion: Discussion) -> tuple[str, str] | None:
    """(title, path) of what the discussion is about; None for the forum."""
    if discussion.subject_kind == "forum" or discussion.subject_id is None:
        return None
    # Everything that can be discussed can be followed, and says its title and path for that.
    return notify.followable[discussion.subject_kind](session, discussion.subject_id)


def must_hold(session: Session, member: Member, first_posts: int) -> bool:
    """Whether this member's next post waits for a moderator: while they have fewer than
    `first_posts` posts that others can see (HOLD_FIRST_POSTS; 0 holds nothing)."""
    if first_posts <= 0:
        return False
    published = session.exec(
        select(func.count()).select_from(Post).where(Post.author_id == member.id, col(Post.held).is_(False))
    ).one()
    return int(published) < first_posts


def _add_post(session: Session, post: Post, held: bool) -> None:
    post.held = held
    session.add(post)
    if held:
        session.flush()
        moderation.hold(session, "post", pk(post))


def start(
    session: Session,
    member: Member,
    title: str,
    body: str,
    subject_kind: str = "forum",
    subject_id: int | None = None,
    article: int | None = None,
    held: bool = False,
) -> Discussion:
    errors = {}
    title = title.strip()
    if not title:
        errors["title"] = N_("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = N_("The title is too long (200 characters at most).")
    known = subject_kind == "forum" or (
        subject_kind in SUBJECT_KINDS
        and subject_id is not None
        and notify.followable[subject_kind](session, subject_id) is not None
    )
    if not known:
        errors[""] = N_("That cannot be discussed here.")
    try:
        body = _check_body(body)
    except Invalid as invalid:
        errors.update(invalid.errors)
    if errors:
        raise Invalid(errors)
    discussion = Discussion(
        subject_kind=subject_kind,
        subject_id=subject_id if subject_kind != "forum" else None,
        article=article if subject_kind == "consultation" else None,
        title=title,
        created_by_id=member.id,
    )
    session.add(discussion)
    session.flush()
    _add_post(session, Post(discussion_id=pk(discussion), author_id=member.id, body=body), held)
    session.commit()
    notify.follow(session, member, "discussion", pk(discussion))
    return discussion


def get_discussion(session: Session, discussion_id: int) -> Discussion:
    discussion = session.get(Discussion, discussion_id)
    if discussion is None:
        raise NotFound(str(discussion_id))
    return discussion


def get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(str(post_id))
    return post


def reply(
    session: Session, member: Member, discussion: Discussion, body: str, parent_id: int | None, held: bool = False
) -> Post:
    body = _check_body(body)
    parent = None
    if parent_id is not None:
        parent = session.get(Post, parent_id)
        if parent is None or parent.discussion_id != discussion.id or parent.held:
            raise Invalid({"": N_("The post you answered is not in this discussion.")})
    post = Post(
        discussion_id=pk(discussion),
        parent_id=parent.id if parent else None,
        depth=min(parent.depth + 1, MAX_DEPTH) if parent else 0,
        author_id=member.id,
        body=body,
    )
    discussion.last_post_at = utcnow()
    _add_post(session, post, held)
    session.add(discussion)
    session.commit()
    notify.follow(session, member, "discussion", pk(discussion))
    return post


def tell_about_reply(session: Session, queue: Queue, post: Post) -> int:
    """The discussion's followers and the person answered hear of a reply (not its author; not
    while it is held for review)."""
    if post.held:
        return 0
    discussion = get_discussion(session, post.discussion_id)
    told = notify.followers(session, "discussion", pk(discussion))
    parent = session.get(Post, post.parent_id) if post.parent_id else None
    if parent is not None and parent.author_id and parent.deleted_at is None:
        told.add(parent.author_id)
    author = session.get(Member, post.author_id) if post.author_id else None
    told.discard(post.author_id or 0)
    return notify.notify(
        session,
        queue,
        told,
        N_("%(name)s replied in the discussion “%(title)s”."),
        {"name": author.display_name if author else "", "title": discussion.title},
        f"/discussions/{discussion.id}#post-{post.id}",
        queue.settings.base_url,
    )


def edit(session: Session, member: Member, post: Post, body: str) -> None:
    if post.author_id != member.id or post.deleted_at is not None:
        raise Invalid({"": N_("Only the author can edit a post.")})
    if post.hidden_reason:
        raise Invalid({"": moderation.HIDDEN_IS_FIXED})
    body = _check_body(body)
    if body == post.body:
        return
    session.add(PostRevision(post_id=pk(post), body=post.body, created_at=post.edited_at or post.created_at))
    post.body, post.edited_at = body, utcnow()
    session.add(post)
    session.commit()


def delete(session: Session, member: Member, post: Post) -> None:
    """The author's own delete: the words go, the place in the thread stays."""
    if post.author_id != member.id:
        raise Invalid({"": N_("Only the author can delete a post.")})
    if post.hidden_reason:
        raise Invalid({"": moderation.HIDDEN_IS_FIXED})
    for revision in session.exec(select(PostRevision).where(PostRevision.post_id == pk(post))):
        session.delete(revision)
    post.body, post.deleted_at = "", utcnow()
    session.add(post)
    session.commit()


def react(session: Session, member: Member, post: Post, kind: str) -> bool:
    """Toggle a reaction; returns whether it is now on."""
    if kind not in REACTIONS:
        raise Invalid({"": N_("That is not a reaction.")})
    if post.deleted_at is not None or post.hidden_reason:
        raise Invalid({"": N_("This post cannot be reacted to.")})
    existing = session.exec(
        select(Reaction).where(Reaction.post_id == pk(post), Reaction.member_id == pk(member), Reaction.kind == kind)
    ).first()
    if existing is not None:
        session.delete(existing)
        session.commit()
        return False
    session.add(Reaction(post_id=pk(post), member_id=pk(member), kind=kind))
    try:
        session.commit()
    except IntegrityError:  # a double click: the first one counted
        session.rollback()
    return True


def revisions(session: Session, post: Post) -> list[PostRevision]:
    query = select(PostRevision).where(PostRevision.post_id == pk(post)).order_by(col(PostRevision.id).desc())
    return list(session.exec(query))


@dataclass
class Node:
    post: Post
    children: list[Node] = field(default_factory=list)


def thread(
    session: Session, discussion: Discussion, viewer: Member | None = None, moderating: bool = False
) -> list[Node]:
    """The posts as a tree. Held posts are seen only by their author and by moderators."""
    posts = [
        p
        for p in session.exec(select(Post).where(Post.discussion_id == pk(discussion)).order_by(col(Post.id)))
        if not p.held or moderating or (viewer is not None and p.author_id == viewer.id)
    ]
    nodes = {pk(p): Node(p) for p in posts}
    roots = []
    for post in posts:
        if post.parent_id in nodes:
            nodes[post.parent_id].children.append(nodes[pk(post)])
        else:
            roots.append(nodes[pk(post)])
    return roots


def reactions_of(session: Session, discussion: Discussion, member: Member | None) -> tuple[dict, dict]:
    """({post: {kind: count}}, {post: {kinds this member gave}})."""
    rows = session.exec(
        select(Reaction.post_id, Reaction.kind, Reaction.member_id)
        .join(Post, col(Post.id) == Reaction.post_id)
        .where(Post.discussion_id == pk(discussion))
    ).all()
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    mine: dict[int, set[str]] = defaultdict(set)
    for post_id, kind, member_id in rows:
        counts[post_id][kind] += 1
        if member is not None and member_id == member.id:
            mine[post_id].add(kind)
    return counts, mine


def list_discussions(
    session: Session, subject_kind: str = "forum", subject_id: int | None = None, limit: int = 50
) -> list[tuple[Discussion, int]]:
    """Discussions on one subject (or the forum), most recently active first, with their post
    counts; one whose every post is held for review is not listed yet."""
    query = select(Discussion).where(Discussion.subject_kind == subject_kind)
    if subject_kind != "forum":
        query = query.where(Discussion.subject_id == subject_id)
    discussions = list(session.exec(query.order_by(col(Discussion.last_post_at).desc()).limit(limit)))
    counts = dict(
        session.exec(
            select(Post.discussion_id, func.count())
            .where(col(Post.discussion_id).in_([pk(d) for d in discussions]), col(Post.held).is_(False))
            .group_by(col(Post.discussion_id))
        ).all()
    ) if discussions else {}  # fmt: skip
    return [(d, counts[pk(d)]) for d in discussions if counts.get(pk(d))]


def authors(session: Session, roots: list[Node]) -> dict[int, Member]:
    ids: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.post.author_id:
            ids.add(node.post.author_id)
        stack.extend(node.children)
    return accounts.members_by_id(session, ids)


# --- registrations: follows, moderation, data export ---------------------------------------------


def _followable(session: Session, discussion_id: int) -> tuple[str, str] | None:
    discussion = session.get(Discussion, discussion_id)
    return (discussion.title, f"/discussions/{discussion.id}") if discussion else None


def _describe(session: Session, post_id: int) -> moderation.Content | None:
    post = session.get(Post, post_id)
    if post is None:
        return None
    url = f"/discussions/{post.discussion_id}#post-{post.id}"
    return moderation.Content(post.body, post.author_id, url, bool(post.hidden_reason) or post.held)


def _hide(session: Session, post_id: int, reason: str) -> None:
    post = get_post(session, post_id)
    post.hidden_reason, post.held = reason[:500], False
    session.add(post)


def _restore(session: Session, post_id: int) -> None:
    post = get_post(session, post_id)
    post.hidden_reason, post.held = "", False
    session.add(post)


def _my_posts(session: Session, member: Member) -> list[dict[str, object]]:
    query = select(Post).where(Post.author_id == member.id).order_by(col(Post.id))
    return [
        {"discussion": p.discussion_id, "post": p.id, "body": p.body, "created_at": p.created_at.isoformat()}
        for p in session.exec(query)
    ]


notify.followable["discussion"] = _followable
moderation.moderatable["post"] = moderation.Moderatable(N_("Post"), _describe, _hide, _restore)
accounts.exporters["posts"] = _my_posts
