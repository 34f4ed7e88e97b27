"""What became of a comment, for its receipt and its author's activity page: hidden by moderation
(with the reason); answered (the theme it was placed in, the decision and the reason); in a theme
of a published analysis; its article changed in a later version of the draft; or received."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core import receipts
from core.accounts import Member
from core.errors import N_
from feedback import subjects
from feedback.models import DECISION_LABELS, Analysis, AnalysisTheme, AnalysisThemeComment, Comment, Decision, Response
from feedback.responses import theme_of_comments
from feedback.subjects import Subject

TONES = {"adopted": "adopted", "partly_adopted": "partly", "not_adopted": "declined", "out_of_scope": "declined"}


def _mine(session: Session, member: Member) -> list[tuple[int, datetime]]:
    query = select(Comment.id, Comment.created_at).where(Comment.author_id == member.id)
    return [(int(i), when) for i, when in session.exec(query) if i is not None]


def _answers(session: Session, by_subject: dict[tuple[str, int], list[Comment]]) -> dict[int, tuple[str, str, str]]:
    """comment id -> (decision, theme title, reasoning) where the subject's response is published."""
    found: dict[int, tuple[str, str, str]] = {}
    for (kind, subject_id), shown in by_subject.items():
        query = select(Response).where(Response.subject_kind == kind, Response.subject_id == subject_id)
        response = session.exec(query).first()
        if response is None or response.published_at is None:
            continue
        for comment_id, theme in theme_of_comments(session, response, [c.id for c in shown if c.id]).items():
            found[comment_id] = (theme.decision, theme.title, theme.reasoning)
    return found


def _analysed(session: Session, ids: list[int]) -> dict[int, str]:
    """comment id -> the label of its theme in a published analysis."""
    query = (
        select(AnalysisThemeComment.comment_id, AnalysisTheme.label)
        .join(AnalysisTheme, col(AnalysisTheme.id) == col(AnalysisThemeComment.theme_id))
        .join(Analysis, col(Analysis.id) == col(AnalysisThemeComment.analysis_id))
        .where(col(AnalysisThemeComment.comment_id).in_(ids), col(Analysis.published_at).is_not(None))
    )
    return dict(session.exec(query).all())


def _changed_in(session: Session, subject: Subject, comment: Comment) -> int | None:
    """The newer version whose text of the comment's article differs from the one commented on."""
    kind = subjects.kind_of(subject.kind)
    current = kind.current_version(session, subject)
    if comment.article is None or comment.version is None or current is None or current <= comment.version:
        return None
    texts = kind.article_texts(session, subject)
    then, now = texts.get((comment.version, comment.article)), texts.get((current, comment.article))
    return current if then is None or now is None or then.body != now.body else None


def _fates(session: Session, ids: list[int]) -> dict[int, receipts.Fate]:
    found = list(session.exec(select(Comment).where(col(Comment.id).in_(ids))))
    by_subject: dict[tuple[str, int], list[Comment]] = {}
    for comment in found:
        by_subject.setdefault((comment.subject_kind, comment.subject_id), []).append(comment)
    answers = _answers(session, by_subject)
    analysed = _analysed(session, ids)
    fates = {}
    for comment in found:
        subject = subjects.get(session, comment.subject_kind, comment.subject_id)
        if subject is None or comment.id is None:
            continue
        fate = receipts.Fate(
            N_("Comment"), comment.text, subject.title, f"{subject.path}#comment-{comment.id}", comment.created_at,
            N_("Received"),
        )  # fmt: skip
        if comment.hidden_reason:
            fate.status, fate.detail, fate.tone = N_("Hidden by a moderator"), comment.hidden_reason, "hidden"
        elif comment.id in answers:
            decision, theme, reasoning = answers[comment.id]
            fate.status, fate.params = N_("Answered in the theme “%(theme)s”"), {"theme": theme}
            fate.detail, fate.tone = reasoning, TONES.get(decision, "progress")
            fate.decision = (
                DECISION_LABELS.get(Decision(decision), decision) if decision in Decision.__members__ else ""
            )
        elif comment.id in analysed:
            fate.status, fate.params = N_("In the theme “%(theme)s”"), {"theme": analysed[comment.id]}
            fate.tone = "progress"
        elif (version := _changed_in(session, subject, comment)) is not None:
            fate.status, fate.params = N_("The article changed in version %(n)s"), {"n": str(version)}
            fate.tone = "progress"
        fates[comment.id] = fate
    return fates


receipts.register(receipts.ReceiptKind("C", _mine, _fates))
