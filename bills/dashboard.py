"""The legislative staff's feedback dashboard of a bill: its feedback counted with the feedback on
the consultations it came from (`bills.links`), each source shown; feedback per day; and the
comments as a CSV that names articles and authors as the pages do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, and_, cast, func, or_
from sqlmodel import Session, col, select

from bills import links, services
from bills.models import Bill
from core import accounts, caches, i18n
from core.errors import N_
from feedback import comment_routes, comments
from feedback.models import STANCE_LABELS, Comment
from feedback.subjects import Subject

ANONYMOUS = N_("Anonymous")


@dataclass(frozen=True)
class Source:
    """A subject whose comments count as feedback on the bill: the bill, or a linked consultation."""

    subject: Subject
    stances: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.stances.values())


def sources(session: Session, bill: Bill) -> list[Source]:
    """The bill first, then its linked consultations, each with its comments by stance."""
    found = []
    for subject in [services.subject_of(bill), *links.consultations_of(session, bill)]:
        stances: Counter[str] = Counter()
        for by_stance in comments.comment_counts(session, subject.kind, subject.id).values():
            stances.update(by_stance)
        found.append(Source(subject, {key: stances.get(key, 0) for key in STANCE_LABELS}))
    return found


def _of(found: list[Source]) -> ColumnElement[bool]:
    return or_(
        *(and_(col(Comment.subject_kind) == s.subject.kind, col(Comment.subject_id) == s.subject.id) for s in found)
    )


QUARTER_HOUR = 900  # seconds; every time zone's offset from UTC is a whole number of quarter hours


def by_day(session: Session, found: list[Source]) -> list[tuple[date, dict[tuple[str, int], int]]]:
    """Each day (in the site's time zone) with comments on any source, and how many on each.
    The database counts each source's comments per UTC quarter hour, which lies within one local
    day whatever the zone's offset, so only those counts (not 100,000 rows) reach Python, and they
    are kept until a comment on that source changes."""
    zone = ZoneInfo(i18n.get_timezone())
    days: dict[date, Counter[tuple[str, int]]] = {}
    for source in found:
        kind, subject_id = source.subject.kind, source.subject.id
        for quarter, count in caches.remembered(
            session,
            caches.comments_scope(kind, subject_id),
            "quarter_hours",
            partial(_quarter_hours, session, kind, subject_id),
        ):
            day = datetime.fromtimestamp(quarter * QUARTER_HOUR, UTC).astimezone(zone).date()
            days.setdefault(day, Counter())[(kind, subject_id)] += count
    return [(day, dict(days[day])) for day in sorted(days)]


def _quarter_hours(session: Session, kind: str, subject_id: int) -> list[tuple[int, int]]:
    """(UTC quarter hour since the epoch, comments) on one subject, in the database's own SQL."""
    if session.get_bind().dialect.name == "postgresql":
        bucket: ColumnElement[Any] = func.floor(func.extract("epoch", col(Comment.created_at)) / QUARTER_HOUR)
    else:
        bucket = cast(func.strftime("%s", col(Comment.created_at)), Integer) / QUARTER_HOUR
    query = (
        select(bucket, func.count())
        .where(Comment.subject_kind == kind, Comment.subject_id == subject_id)
        .group_by(bucket)
    )
    return [(int(quarter), count) for quarter, count in session.exec(query)]


CSV_HEADER = [
    "source", "source_title", "id", "created_at", "author", "article", "article_label", "stance", "text",
    "amendment", "hidden",
]  # fmt: skip


def shown_name(comment: Comment, authors: dict[int, accounts.Member]) -> str:
    """The author's name as the comment lists show it: the member's public name, the name given
    with an offline or imported comment, else "Anonymous"."""
    if comment.author_id and comment.author_id in authors:
        member = authors[comment.author_id]
        return i18n.gettext(accounts.FORMER_MEMBER) if member.deleted_at else member.display_name
    return comment.author_name or i18n.gettext(ANONYMOUS)


def csv_rows(session: Session, found: list[Source]) -> Iterator[list[object]]:
    """Every comment on every source, oldest first, its article as the text heads it (第十三條之一)."""
    for source in found:
        subject = source.subject
        every = comments.list_comments(session, subject.kind, subject.id, limit=10**9)[::-1]
        labels = comment_routes.article_labels(session, subject)
        authors = comments.authors_of(session, every)
        for comment in every:
            hidden = bool(comment.hidden_reason)
            yield [
                subject.kind,
                subject.title,
                comment.id,
                comment.created_at.isoformat(),
                shown_name(comment, authors),
                "" if comment.article is None else comment.article,
                comment_routes.label_of(labels, comment),
                comment.stance,
                "" if hidden else comment.text,
                "" if hidden else comment.amendment,
                hidden,
            ]
