"""Comments on any subject: the one way a member's comment is written, edited and read, whatever
it comments on. A comment is on the whole text or one article, with a stance, and an amendment
when the stance is "amend"; the subject's kind says which articles exist and whether it is open."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from core import accounts, caches, moderation, places
from core.accounts import Member
from core.db import utcnow
from core.errors import N_, Forbidden, Invalid, NotFound
from feedback import subjects
from feedback.models import AnalysisThemeComment, Comment, CommentSupport, Stance
from feedback.subjects import Subject

COMMENT_MAX = 5000
NEWEST, SUPPORTED = "newest", "supported"  # the orders of a comment list
EDIT_WINDOW = timedelta(minutes=15)


def _check_comment(stance: str, text: str, article: int | None, amendment: str, articles: set[int]) -> dict[str, str]:
    errors = {}
    if stance not in Stance.__members__:
        errors["stance"] = N_("Choose support, oppose, neutral or amend.")
    if not text.strip():
        errors["text"] = N_("Write your comment.")
    elif len(text) > COMMENT_MAX:
        errors["text"] = N_("The comment is too long (5,000 characters at most).")
    if article is not None and article not in articles:
        errors["article"] = N_("There is no such article in this draft.")
    if stance == Stance.amend:
        if article is None:
            errors["article"] = N_("An amendment needs the article it would change.")
        if not amendment.strip():
            errors["amendment"] = N_("Write the text you suggest for the article.")
    if len(amendment) > COMMENT_MAX:
        errors["amendment"] = N_("The suggested text is too long (5,000 characters at most).")
    return errors


def add_comment(
    session: Session,
    subject_kind: str,
    subject_id: int,
    author: Member,
    stance: str,
    text: str,
    article: int | None,
    amendment: str,
    articles: set[int],
    version: int | None = None,
) -> Comment:
    """The one way a member's comment is written, on any subject; `submit` applies the subject's rules."""
    errors = _check_comment(stance, text, article, amendment, articles)
    if errors:
        raise Invalid(errors)
    comment = Comment(
        subject_kind=subject_kind,
        subject_id=subject_id,
        article=article,
        version=version,
        stance=stance,
        text=text.strip(),
        amendment=amendment.strip() if stance == Stance.amend else "",
        author_id=author.id,
        dedupe_key=secrets.token_hex(16),
        place_code=author.place_code,  # where the author said they live now; a later move leaves it
    )
    session.add(comment)
    comments_changed(session, subject_kind, subject_id)
    session.commit()
    return comment


OFFLINE_NAME_MAX = 120
VILLAGE_MAX = 20


def submit_offline(
    session: Session,
    subject: Subject,
    collector: Member,
    entry: dict[str, str],
    article: int | None = None,
) -> Comment:
    """A village chief or community liaison types in a comment collected on paper or at a
    meeting, for a named resident or anonymously (an empty name), with the township and village
    it came from. The comment is marked offline; who typed it in is kept, not shown.
    `entry` holds stance, text, amendment, resident_name, place_code (or postal_code) and village."""
    kind = subjects.kind_of(subject.kind)
    closed = kind.closed_message(subject)
    if closed:
        raise Invalid({"": closed})
    numbers, version = kind.commentable(session, subject)
    stance, text, amendment = entry.get("stance", ""), entry.get("text", ""), entry.get("amendment", "")
    errors = _check_comment(stance, text, article, amendment, numbers)
    resident, village = entry.get("resident_name", "").strip(), entry.get("village", "").strip()
    if len(resident) > OFFLINE_NAME_MAX:
        errors["resident_name"] = N_("The name is too long (120 characters at most).")
    if len(village) > VILLAGE_MAX:
        errors["village"] = N_("The village name is too long (20 characters at most).")
    place_code = None
    try:
        place_code = places.choose_place(session, entry.get("place_code", ""), entry.get("postal_code", ""))
    except Invalid as invalid:
        errors.update(invalid.errors)
    if place_code is None and "place_code" not in errors and "postal_code" not in errors:
        errors["place_code"] = N_("Choose the township the comment was collected in.")
    if errors:
        raise Invalid(errors)
    assert place_code is not None
    if village:
        place_code = places.village_in(session, place_code[:8], village) or place_code[:8]
    comment = Comment(
        subject_kind=subject.kind,
        subject_id=subject.id,
        article=article,
        version=version,
        stance=stance,
        text=text.strip(),
        amendment=amendment.strip() if stance == Stance.amend else "",
        author_name=resident,
        source="offline",
        dedupe_key=secrets.token_hex(16),
        place_code=place_code,
        offline=True,
        collected_by_id=collector.id,
        collected_village=village,
    )
    session.add(comment)
    comments_changed(session, subject.kind, subject.id)
    session.commit()
    return comment


def comments_changed(session: Session, subject_kind: str, subject_id: int) -> None:
    """What is cached about the subject's comments, and about all comments, is stale once the
    caller's transaction commits: every writer of a comment calls this."""
    caches.changed(session, caches.comments_scope(subject_kind, subject_id), caches.ALL_COMMENTS)


def submit(
    session: Session,
    subject: Subject,
    author: Member,
    stance: str,
    text: str,
    article: int | None = None,
    amendment: str = "",
) -> Comment:
    """A member comments on a subject, within the subject's own rules (open or closed, its articles)."""
    kind = subjects.kind_of(subject.kind)
    closed = kind.closed_message(subject)
    if closed:
        raise Invalid({"": closed})
    numbers, version = kind.commentable(session, subject)
    return add_comment(session, subject.kind, subject.id, author, stance, text, article, amendment, numbers, version)


def edit_comment(
    session: Session, comment: Comment, author: Member, stance: str, text: str, amendment: str, articles: set[int]
) -> Comment:
    """Authors may correct a comment for a short while; then it is fixed, as others may have read it."""
    if comment.author_id != author.id:
        raise Forbidden("not the author")
    if comment.hidden_reason:
        raise Invalid({"": moderation.HIDDEN_IS_FIXED})
    if not can_edit(comment):
        raise Invalid({"": N_("The time for editing this comment has passed.")})
    errors = _check_comment(stance, text, comment.article, amendment, articles)
    if errors:
        raise Invalid(errors)
    comment.stance, comment.text = stance, text.strip()
    comment.amendment = amendment.strip() if stance == Stance.amend else ""
    comment.edited_at = utcnow()
    session.add(comment)
    comments_changed(session, comment.subject_kind, comment.subject_id)
    session.commit()
    return comment


def can_edit(comment: Comment, now: datetime | None = None) -> bool:
    """Within the edit window, and never once a moderator hid it."""
    fresh = (now or utcnow()) - comment.created_at < EDIT_WINDOW
    return comment.source == "web" and not comment.hidden_reason and fresh


def get_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(str(comment_id))
    return comment


def list_comments(
    session: Session,
    subject_kind: str,
    subject_id: int,
    article: int | None = None,
    stance: str | None = None,
    before: int | None = None,
    limit: int = 30,
    letters: tuple[int, int | None] | None = None,
    sort: str = NEWEST,
    offset: int = 0,
) -> list[Comment]:
    """Newest first, paged by id (keyset): as fast on page 3,000 as on page 1. Or, with `sort`
    SUPPORTED, the most supported first (the newest first among equals), paged by `offset`: the
    subject's supports counted in one grouped query that the page's sort joins.

    `letters` is (analysis id, form letter number): only that letter's senders, or with None
    only the comments that are in no form letter of that analysis."""
    query = select(Comment).where(Comment.subject_kind == subject_kind, Comment.subject_id == subject_id)
    if letters is not None:
        analysis_id, number = letters
        senders = select(AnalysisThemeComment.comment_id).where(AnalysisThemeComment.analysis_id == analysis_id)
        if number is None:
            query = query.where(col(Comment.id).not_in(senders.where(col(AnalysisThemeComment.campaign).is_not(None))))
        else:
            query = query.where(col(Comment.id).in_(senders.where(AnalysisThemeComment.campaign == number)))
    if article is not None:
        query = query.where(Comment.article == article)
    if stance:
        query = query.where(Comment.stance == stance)
    if sort == SUPPORTED:
        query = _most_supported_first(query, subject_kind, subject_id)
        return list(session.exec(query.order_by(col(Comment.id).desc()).offset(offset).limit(limit)))
    if before:
        query = query.where(col(Comment.id) < before)
    return list(session.exec(query.order_by(col(Comment.id).desc()).limit(limit)))


def _most_supported_first(
    query: SelectOfScalar[Comment], subject_kind: str, subject_id: int
) -> SelectOfScalar[Comment]:
    """The query ordered by each comment's supports, most first: the subject's supports counted in
    one grouped query, joined (comments nobody supports count 0)."""
    counted = (
        select(CommentSupport.comment_id, func.count().label("n"))
        .join(Comment, col(Comment.id) == col(CommentSupport.comment_id))
        .where(Comment.subject_kind == subject_kind, Comment.subject_id == subject_id)
        .group_by(col(CommentSupport.comment_id))
        .subquery()
    )
    query = query.outerjoin(counted, counted.c.comment_id == col(Comment.id))
    return query.order_by(func.coalesce(counted.c.n, 0).desc())


def comment_counts(session: Session, subject_kind: str, subject_id: int) -> dict[int | None, dict[str, int]]:
    """{article (None for the whole text): {stance: count}} from one grouped query, kept until a
    comment on the subject changes (a scan of every comment on it, read on each of its pages)."""

    def count() -> dict[int | None, dict[str, int]]:
        rows = session.exec(
            select(Comment.article, Comment.stance, func.count())
            .where(Comment.subject_kind == subject_kind, Comment.subject_id == subject_id)
            .group_by(col(Comment.article), col(Comment.stance))
        )
        counts: dict[int | None, dict[str, int]] = defaultdict(dict)
        for article, stance, n in rows:
            counts[article][stance] = n
        return dict(counts)

    kept = caches.remembered(session, caches.comments_scope(subject_kind, subject_id), "counts", count)
    return {article: dict(by_stance) for article, by_stance in kept.items()}  # the caller's own copy


def authors_of(session: Session, comments: list[Comment]) -> dict[int, Member]:
    return accounts.members_by_id(session, (c.author_id for c in comments))


def pseudonym(secret: str, subject_kind: str, subject_id: int, comment: Comment) -> str:
    """A stable per-consultation pseudonym: counts distinct people in open data without linking
    them across consultations or back to an account."""
    who = f"member:{comment.author_id}" if comment.author_id else f"name:{comment.author_name or comment.dedupe_key}"
    digest = hmac.new(secret.encode(), f"{subject_kind}:{subject_id}:{who}".encode(), hashlib.sha256)
    return "p-" + digest.hexdigest()[:12]


def comment_page(
    session: Session, subject_kind: str, subject_id: int, number: int, per_page: int, sort: str = "oldest"
) -> tuple[list[Comment], int]:
    """Oldest first, by page number: for the API, where a stable order matters more than depth; or
    with `sort` SUPPORTED the most supported first (the oldest first among equals)."""
    where = (Comment.subject_kind == subject_kind, Comment.subject_id == subject_id)
    total = caches.remembered(
        session,
        caches.comments_scope(subject_kind, subject_id),
        "total",
        lambda: session.exec(select(func.count()).select_from(Comment).where(*where)).one(),
    )
    query = select(Comment).where(*where)
    if sort == SUPPORTED:
        query = _most_supported_first(query, subject_kind, subject_id)
    query = query.order_by(col(Comment.id)).offset((number - 1) * per_page).limit(per_page)
    return list(session.exec(query)), total


def count_since(session: Session, since: datetime) -> int:
    """Comments on every subject since `since`: the home page's headline number, kept until any
    comment changes."""
    query = select(func.count()).select_from(Comment).where(col(Comment.created_at) >= since)
    return caches.remembered(session, caches.ALL_COMMENTS, ("since", since), lambda: int(session.exec(query).one()))


def commenter_ids(session: Session, subject_kind: str, subject_id: int) -> set[int]:
    query = select(Comment.author_id).where(
        Comment.subject_kind == subject_kind, Comment.subject_id == subject_id, col(Comment.author_id).is_not(None)
    )
    return {member_id for member_id in session.exec(query.distinct()) if member_id is not None}


# --- moderation: comments are one kind of content moderators can hide ----------------------------


def _describe_comment(session: Session, comment_id: int) -> moderation.Content | None:
    comment = session.get(Comment, comment_id)
    if comment is None:
        return None
    subject = subjects.get(session, comment.subject_kind, comment.subject_id)
    where = subject.path if subject else "/"
    return moderation.Content(
        comment.text, comment.author_id, f"{where}#comment-{comment.id}", bool(comment.hidden_reason)
    )


def _hide_comment(session: Session, comment_id: int, reason: str) -> None:
    comment = get_comment(session, comment_id)
    comment.hidden_reason = reason[:500]
    session.add(comment)
    comments_changed(session, comment.subject_kind, comment.subject_id)


def _restore_comment(session: Session, comment_id: int) -> None:
    comment = get_comment(session, comment_id)
    comment.hidden_reason = ""
    session.add(comment)
    comments_changed(session, comment.subject_kind, comment.subject_id)


moderation.moderatable["comment"] = moderation.Moderatable(
    N_("Comment"), _describe_comment, _hide_comment, _restore_comment
)


def _my_comments(session: Session, member: Member) -> list[dict[str, object]]:
    query = select(Comment).where(Comment.author_id == member.id).order_by(col(Comment.id))
    return [
        {
            "id": c.id,
            "on": f"{c.subject_kind}:{c.subject_id}",
            "article": c.article,
            "stance": c.stance,
            "text": c.text,
            "amendment": c.amendment,
            "created_at": c.created_at.isoformat(),
            "hidden_by_moderator": c.hidden_reason or None,
        }
        for c in session.exec(query)
    ]


accounts.exporters["comments"] = _my_comments
