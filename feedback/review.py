"""The analyst's review of a finished analysis: rename, merge, split and move themes, each edit
recorded with who made it; and publishing, which makes the report public and puts its themes into
the subject's draft structured response."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from core.accounts import Member
from core.db import pk, utcnow
from core.errors import N_, Invalid, NotFound
from feedback import responses
from feedback.analyses import LABEL_MAX
from feedback.models import Analysis, AnalysisEdit, AnalysisTheme, AnalysisThemeComment


def themes_of(session: Session, analysis: Analysis) -> list[AnalysisTheme]:
    query = select(AnalysisTheme).where(AnalysisTheme.analysis_id == pk(analysis))
    return list(session.exec(query.order_by(col(AnalysisTheme.position), col(AnalysisTheme.id))))


def get_theme(session: Session, analysis: Analysis, theme_id: int) -> AnalysisTheme:
    theme = session.get(AnalysisTheme, theme_id)
    if theme is None or theme.analysis_id != analysis.id:
        raise NotFound(str(theme_id))
    return theme


def _record(session: Session, analysis: Analysis, member: Member, action: str, detail: str) -> None:
    session.add(AnalysisEdit(analysis_id=pk(analysis), member_id=member.id, action=action, detail=detail))
    session.commit()


def _check_label(label: str) -> str:
    label = label.strip()
    if not label:
        raise Invalid({"label": N_("Enter a name for the theme.")})
    if len(label) > LABEL_MAX:
        raise Invalid({"label": N_("The name is too long (200 characters at most).")})
    return label


def rename_theme(session: Session, analysis: Analysis, member: Member, theme: AnalysisTheme, label: str) -> None:
    label = _check_label(label)
    before, theme.label, theme.labels = theme.label, label, "{}"  # the analyst's one name, in every language
    session.add(theme)
    _record(session, analysis, member, "rename", f"{before} → {label}")


def merge_themes(
    session: Session, analysis: Analysis, member: Member, theme: AnalysisTheme, into: AnalysisTheme
) -> None:
    if theme.id == into.id:
        raise Invalid({"into": N_("Choose another theme to merge into.")})
    for placed in session.exec(select(AnalysisThemeComment).where(AnalysisThemeComment.theme_id == theme.id)):
        placed.theme_id = into.id
        session.add(placed)
    session.flush()
    kept = json.loads(into.representative) + json.loads(theme.representative)
    into.representative = json.dumps(kept[:5])
    session.add(into)
    session.delete(theme)
    _record(session, analysis, member, "merge", f"{theme.label} → {into.label}")


def move_comments(
    session: Session,
    analysis: Analysis,
    member: Member,
    comment_ids: list[int],
    into: AnalysisTheme | None,
    new_label: str = "",
) -> AnalysisTheme:
    """Move the ticked comments into a theme, or (split) into a new theme named `new_label`."""
    if not comment_ids:
        raise Invalid({"comment": N_("Tick at least one comment.")})
    if into is None:
        label = _check_label(new_label)
        into = AnalysisTheme(analysis_id=pk(analysis), label=label, position=len(themes_of(session, analysis)))
        session.add(into)
        session.flush()
    placed = list(
        session.exec(
            select(AnalysisThemeComment).where(
                AnalysisThemeComment.analysis_id == pk(analysis), col(AnalysisThemeComment.comment_id).in_(comment_ids)
            )
        )
    )
    if len(placed) != len(set(comment_ids)):
        session.rollback()
        raise Invalid({"comment": N_("Some of those comments are not in this analysis.")})
    for row in placed:
        row.theme_id = into.id
        session.add(row)
    action = "split" if new_label else "move"
    _record(session, analysis, member, action, f"{len(placed)} → {into.label}")
    return into


def publish(session: Session, analysis: Analysis, member: Member) -> int:
    """Publish the reviewed themes: the report becomes public, and each theme becomes a theme of
    the subject's structured response (a draft until that is published) with its comments placed."""
    if analysis.status != "done":
        raise Invalid({"": N_("Wait for the analysis to finish before publishing it.")})
    response = responses.response_for(session, analysis.subject_kind, analysis.subject_id, create=True)
    assert response is not None
    if response.published_at is not None:
        raise Invalid({"": N_("The response is already published; its themes can no longer change.")})
    existing = {t.title for t in responses.themes_of(session, response)}
    added = 0
    for theme in themes_of(session, analysis):
        if theme.label in existing:
            continue
        target = responses.add_theme(session, response, title=theme.label)
        members = [placed.comment_id for placed in placed_in(session, theme)]
        if members:
            responses.assign(session, response, members, target)
        added += 1
    analysis.published_at = utcnow()
    session.add(analysis)
    _record(session, analysis, member, "publish", str(added))
    return added


def placed_in(session: Session, theme: AnalysisTheme) -> list[AnalysisThemeComment]:
    query = select(AnalysisThemeComment).where(AnalysisThemeComment.theme_id == theme.id)
    return list(session.exec(query.order_by(col(AnalysisThemeComment.comment_id))))
