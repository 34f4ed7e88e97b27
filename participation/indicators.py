"""Participation indicators, for the whole site or one agency: how much people took part and how
well agencies answered, in total and month by month."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.accounts import Agency
from core.db import pk, utcnow
from feedback.models import Comment, Response, ResponseTheme
from participation.models import Consultation, Proposal


@dataclass
class Month:
    month: str  # YYYY-MM
    consultations: int = 0
    comments: int = 0
    participants: int = 0


@dataclass
class Indicators:
    consultations: int = 0
    comments: int = 0
    participants: int = 0
    closed: int = 0
    answered: int = 0
    median_days_to_response: float | None = None
    proposals_due: int = 0
    proposals_on_time: int = 0
    themes: int = 0
    themes_changing_text: int = 0
    months: list[Month] = field(default_factory=list)

    @property
    def share_answered(self) -> float | None:
        return self.answered / self.closed if self.closed else None

    @property
    def share_on_time(self) -> float | None:
        return self.proposals_on_time / self.proposals_due if self.proposals_due else None

    @property
    def share_changing_text(self) -> float | None:
        return self.themes_changing_text / self.themes if self.themes else None


def _month(session: Session, column: object) -> object:
    """YYYY-MM of a timestamp column, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _published(session: Session, agency: Agency | None) -> list[Consultation]:
    query = select(Consultation).where(col(Consultation.published_at).is_not(None))
    if agency is not None:
        query = query.where(Consultation.agency_id == pk(agency))
    return list(session.exec(query))


def on_time(session: Session, agency: Agency | None = None) -> Indicators:
    """Only how well agencies answer (consultations answered, proposals answered by their deadline):
    queries on consultations and proposals alone, cheap whatever the number of comments."""
    return _answering(session, _published(session, agency), agency)


def _answering(session: Session, consultations: list[Consultation], agency: Agency | None) -> Indicators:
    now = utcnow()
    result = Indicators(consultations=len(consultations))
    closed = [c for c in consultations if c.closes_at <= now]
    result.closed = len(closed)
    responded = [c for c in closed if c.responded_at is not None]
    result.answered = len(responded)
    waits = [(c.responded_at - c.closes_at).total_seconds() / 86400 for c in responded if c.responded_at]
    if waits:
        result.median_days_to_response = statistics.median(max(0.0, days) for days in waits)
    proposal_query = select(Proposal).where(col(Proposal.response_due_at).is_not(None))
    if agency is not None:
        proposal_query = proposal_query.where(Proposal.agency_id == pk(agency))
    for proposal in session.exec(proposal_query):
        assert proposal.response_due_at is not None
        if proposal.responded_at is not None or proposal.response_due_at < now:
            result.proposals_due += 1
            if proposal.responded_at is not None and proposal.responded_at <= proposal.response_due_at:
                result.proposals_on_time += 1
    return result


def compute(session: Session, agency: Agency | None = None) -> Indicators:
    consultations = _published(session, agency)
    ids = [pk(c) for c in consultations]
    result = _answering(session, consultations, agency)
    months: dict[str, Month] = {}
    for c in consultations:
        key = f"{c.opens_at:%Y-%m}"
        months.setdefault(key, Month(key)).consultations += 1
    if ids:
        on_these = (Comment.subject_kind == "consultation", col(Comment.subject_id).in_(ids))
        result.comments = session.exec(select(func.count()).select_from(Comment).where(*on_these)).one()
        people = session.exec(select(Comment.author_id, Comment.author_name).where(*on_these).distinct()).all()
        result.participants = len({(a, "" if a else n) for a, n in people if a or n})
        month = _month(session, Comment.created_at)
        grouped = session.exec(select(month, func.count()).where(*on_these).group_by(month))  # type: ignore[call-overload]
        for key, comments in grouped:
            months.setdefault(key, Month(key)).comments = comments
        per_month_people = session.exec(
            select(month, Comment.author_id, Comment.author_name).where(*on_these).distinct()  # type: ignore[call-overload]
        ).all()
        seen: dict[str, set[tuple[int | None, str]]] = {}
        for key, author_id, name in per_month_people:
            if author_id or name:
                seen.setdefault(key, set()).add((author_id, "" if author_id else name))
        for key, who in seen.items():
            months[key].participants = len(who)
        themes = session.exec(
            select(ResponseTheme.article_changes)
            .join(Response, col(Response.id) == col(ResponseTheme.response_id))
            .where(
                Response.subject_kind == "consultation",
                col(Response.subject_id).in_(ids),
                col(Response.published_at).is_not(None),
            )
        ).all()
        result.themes = len(themes)
        result.themes_changing_text = sum(1 for changes in themes if changes.strip())
    result.months = [months[key] for key in sorted(months)]
    return result
