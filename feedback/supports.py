"""Supports: a member backs someone else's comment ("I think so too"), once, and may withdraw it.

The unique constraint on (comment, member) is what keeps it to one support each, however many
clicks arrive at once. Counts are read in one grouped query for the comments of a page, through
that constraint's index; supports are taken only while the subject takes comments, so the numbers
the answering agency reads are final once it closes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import accounts, receipts
from core.accounts import Member
from core.db import pk
from core.errors import N_, Invalid
from feedback import subjects
from feedback.models import AnalysisThemeComment, Comment, CommentSupport
from feedback.subjects import Subject

OWN_COMMENT = N_("You cannot support your own comment.")
HIDDEN_COMMENT = N_("A comment hidden by a moderator cannot be supported.")
CLOSED = N_("Comments can be supported only while the text is open for comments.")


def toggle_support(session: Session, subject: Subject, comment: Comment, member: Member) -> bool:
    """Support the comment, or withdraw the member's support of it: True when it is now supported."""
    if comment.author_id == member.id:
        raise Invalid({"": OWN_COMMENT})
    if comment.hidden_reason:
        raise Invalid({"": HIDDEN_COMMENT})
    if subjects.kind_of(subject.kind).closed_message(subject):
        raise Invalid({"": CLOSED})
    mine = (col(CommentSupport.comment_id) == pk(comment), col(CommentSupport.member_id) == pk(member))
    if session.exec(select(CommentSupport.id).where(*mine)).first() is not None:
        session.execute(delete(CommentSupport).where(*mine))
        session.commit()
        return False
    try:
        session.add(CommentSupport(comment_id=pk(comment), member_id=pk(member)))
        session.commit()
    except IntegrityError:  # a second click that arrived at the same moment: it is supported once
        session.rollback()
    return True


def support_counts(session: Session, comment_ids: Iterable[int | None]) -> dict[int, int]:
    """comment id -> its supports, for the comments of a page, in one grouped query."""
    wanted = {i for i in comment_ids if i is not None}
    if not wanted:
        return {}
    query = (
        select(CommentSupport.comment_id, func.count())
        .where(col(CommentSupport.comment_id).in_(wanted))
        .group_by(col(CommentSupport.comment_id))
    )
    return {int(i): int(n) for i, n in session.exec(query)}


def supported_by(session: Session, member: Member | None, comment_ids: Iterable[int | None]) -> set[int]:
    """Which of these comments the member supports."""
    wanted = {i for i in comment_ids if i is not None}
    if member is None or not wanted:
        return set()
    query = select(CommentSupport.comment_id).where(
        CommentSupport.member_id == pk(member), col(CommentSupport.comment_id).in_(wanted)
    )
    return set(session.exec(query))


def supports_of_subject(session: Session, subject_kind: str, subject_id: int) -> dict[int, int]:
    """comment id -> its supports, for every comment of a subject (open data)."""
    query = (
        select(CommentSupport.comment_id, func.count())
        .join(Comment, col(Comment.id) == col(CommentSupport.comment_id))
        .where(Comment.subject_kind == subject_kind, Comment.subject_id == subject_id)
        .group_by(col(CommentSupport.comment_id))
    )
    return {int(i): int(n) for i, n in session.exec(query)}


def letter_supporters(session: Session, analysis_id: int) -> dict[int, int]:
    """form letter number -> how many people support one or more of its copies.

    A collapsed letter is not a comment of its own, so it has no supports of its own; and summing
    its copies' supports would count twice a reader who backed two copies of the same text. The
    distinct people who support any copy is the letter's support."""
    query = (
        select(AnalysisThemeComment.campaign, func.count(func.distinct(CommentSupport.member_id)))
        .join(CommentSupport, col(CommentSupport.comment_id) == col(AnalysisThemeComment.comment_id))
        .where(AnalysisThemeComment.analysis_id == analysis_id, col(AnalysisThemeComment.campaign).is_not(None))
        .group_by(col(AnalysisThemeComment.campaign))
    )
    return {int(number): int(n) for number, n in session.exec(query) if number is not None}


# --- a member's own: the activity page, the receipt and the data export ----------------------------


def _mine(session: Session, member: Member) -> list[tuple[int, datetime]]:
    query = select(CommentSupport.id, CommentSupport.created_at).where(CommentSupport.member_id == member.id)
    return [(int(i), when) for i, when in session.exec(query) if i is not None]


def _fates(session: Session, ids: list[int]) -> dict[int, receipts.Fate]:
    """A support's receipt shows the comment supported and where; its fate is the comment's own
    state as the public sees it (hidden, or standing)."""
    rows = session.exec(
        select(CommentSupport, Comment)
        .join(Comment, col(Comment.id) == col(CommentSupport.comment_id))
        .where(col(CommentSupport.id).in_(ids))
    )
    fates = {}
    for support, comment in rows:
        subject = subjects.get(session, comment.subject_kind, comment.subject_id)
        if subject is None:
            continue
        fate = receipts.Fate(
            N_("Support"), comment.text, subject.title,
            f"{subject.path}#comment-{comment.id}", support.created_at, N_("Received"),
        )  # fmt: skip
        if comment.hidden_reason:
            fate.status, fate.detail, fate.tone = N_("Hidden by a moderator"), comment.hidden_reason, "hidden"
        fates[pk(support)] = fate
    return fates


receipts.register(receipts.ReceiptKind("U", _mine, _fates))


def _my_supports(session: Session, member: Member) -> list[dict[str, object]]:
    query = select(CommentSupport).where(CommentSupport.member_id == member.id).order_by(col(CommentSupport.id))
    return [{"comment": s.comment_id, "created_at": s.created_at.isoformat()} for s in session.exec(query)]


accounts.exporters["comment_supports"] = _my_supports
