"""Structured responses: themes, what was decided about each and why, which comments each one
answers, and the per-article matrix. One mechanism for consultations and bills (subject_kind)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from core.accounts import Member
from core.db import pk, utcnow
from core.errors import N_, Invalid, NotFound
from core.input import whole_number
from feedback.models import (
    Comment,
    Decision,
    Response,
    ResponseTheme,
    ThemeComment,
)

THEME_TITLE_MAX = 200
TEXT_MAX = 20_000


def response_for(session: Session, subject_kind: str, subject_id: int, create: bool = False) -> Response | None:
    response = session.exec(
        select(Response).where(Response.subject_kind == subject_kind, Response.subject_id == subject_id)
    ).first()
    if response is None and create:
        response = Response(subject_kind=subject_kind, subject_id=subject_id)
        session.add(response)
        session.commit()
    return response


def latest_published(session: Session, limit: int = 5) -> list[Response]:
    """The newest published responses, on any subject."""
    query = select(Response).where(col(Response.published_at).is_not(None))
    return list(session.exec(query.order_by(col(Response.published_at).desc()).limit(limit)))


def set_summary(session: Session, response: Response, summary: str) -> None:
    if len(summary) > TEXT_MAX:
        raise Invalid({"summary": N_("The summary is too long.")})
    response.summary = summary.strip()
    session.add(response)
    session.commit()


def _check_theme(title: str, decision: str, reasoning: str, article_changes: str) -> dict[str, str]:
    errors = {}
    if not title.strip():
        errors["title"] = N_("Give the theme a title.")
    elif len(title.strip()) > THEME_TITLE_MAX:
        errors["title"] = N_("The title is too long (200 characters at most).")
    if decision not in Decision.__members__:
        errors["decision"] = N_("Choose a decision from the list.")
    if len(reasoning) > TEXT_MAX or len(article_changes) > TEXT_MAX:
        errors["reasoning"] = N_("This field is too long.")
    return errors


def add_theme(
    session: Session,
    response: Response,
    title: str,
    decision: str = Decision.under_consideration,
    reasoning: str = "",
    article_changes: str = "",
) -> ResponseTheme:
    errors = _check_theme(title, decision, reasoning, article_changes)
    if errors:
        raise Invalid(errors)
    last = session.exec(select(func.max(ResponseTheme.position)).where(ResponseTheme.response_id == pk(response))).one()
    theme = ResponseTheme(
        response_id=pk(response),
        position=(last or 0) + 1,
        title=title.strip(),
        decision=decision,
        reasoning=reasoning.strip(),
        article_changes=article_changes.strip(),
    )
    session.add(theme)
    session.commit()
    return theme


def update_theme(
    session: Session, theme: ResponseTheme, title: str, decision: str, reasoning: str, article_changes: str
) -> ResponseTheme:
    errors = _check_theme(title, decision, reasoning, article_changes)
    if errors:
        raise Invalid(errors)
    theme.title, theme.decision = title.strip(), decision
    theme.reasoning, theme.article_changes = reasoning.strip(), article_changes.strip()
    session.add(theme)
    session.commit()
    return theme


def delete_theme(session: Session, theme: ResponseTheme) -> None:
    """Its comments go back to unassigned; they are not deleted."""
    session.exec(delete(ThemeComment).where(col(ThemeComment.theme_id) == theme.id))
    session.delete(theme)
    session.commit()


def get_theme(session: Session, response: Response, theme_id: int) -> ResponseTheme:
    theme = session.get(ResponseTheme, theme_id)
    if theme is None or theme.response_id != response.id:
        raise NotFound(str(theme_id))
    return theme


def themes_of(session: Session, response: Response) -> list[ResponseTheme]:
    query = select(ResponseTheme).where(ResponseTheme.response_id == pk(response))
    return list(session.exec(query.order_by(col(ResponseTheme.position), col(ResponseTheme.id))))


def assign(session: Session, response: Response, comment_ids: list[int], theme: ResponseTheme | None) -> int:
    """Place comments in `theme` (None: take them out of any theme). Returns how many moved.

    Only comments on the response's own subject are touched; other ids are ignored."""
    valid: set[int] = {
        comment_id
        for comment_id in session.exec(
            select(Comment.id).where(
                Comment.subject_kind == response.subject_kind,
                Comment.subject_id == response.subject_id,
                col(Comment.id).in_(comment_ids),
            )
        )
        if comment_id is not None
    }
    if not valid:
        return 0
    session.exec(
        delete(ThemeComment).where(
            col(ThemeComment.response_id) == response.id, col(ThemeComment.comment_id).in_(valid)
        )
    )
    if theme is not None:
        for comment_id in sorted(valid):
            session.add(ThemeComment(response_id=pk(response), theme_id=pk(theme), comment_id=comment_id))
    session.commit()
    return len(valid)


def set_representative(session: Session, response: Response, comment_id: int, representative: bool) -> None:
    link = session.exec(
        select(ThemeComment).where(ThemeComment.response_id == pk(response), ThemeComment.comment_id == comment_id)
    ).first()
    if link is None:
        raise Invalid({"": N_("Place the comment in a theme first.")})
    link.representative = representative
    session.add(link)
    session.commit()


@dataclass
class ThemeSummary:
    theme: ResponseTheme
    comments: int = 0
    people: int = 0
    quotes: list[Comment] = field(default_factory=list)
    articles: dict[int | None, dict[str, int]] = field(default_factory=dict)


def summarise(session: Session, response: Response) -> list[ThemeSummary]:
    """Each theme with how many comments and distinct people raised it, its quotes, and its articles."""
    themes = themes_of(session, response)
    summaries = {pk(t): ThemeSummary(t) for t in themes}
    rows = session.exec(
        select(ThemeComment, Comment)
        .join(Comment, col(Comment.id) == col(ThemeComment.comment_id))
        .where(ThemeComment.response_id == pk(response))
    )
    people: dict[int, set[str]] = defaultdict(set)
    for link, comment in rows:
        summary = summaries[link.theme_id]
        summary.comments += 1
        people[link.theme_id].add(person_key(comment))
        by_stance = summary.articles.setdefault(comment.article, {})
        by_stance[comment.stance] = by_stance.get(comment.stance, 0) + 1
        if link.representative:
            summary.quotes.append(comment)
    for theme_id, who in people.items():
        summaries[theme_id].people = len(who)
    return [summaries[pk(t)] for t in themes]


def person_key(comment: Comment) -> str:
    """Who wrote it, as far as we can tell: the account, else the name given, else the comment itself."""
    if comment.author_id:
        return f"member:{comment.author_id}"
    if comment.author_name:
        return f"name:{comment.author_name}"
    return f"comment:{comment.id}"


def theme_of_comments(session: Session, response: Response, comment_ids: list[int]) -> dict[int, ResponseTheme]:
    """comment id -> its theme, for "where did my comment go"."""
    if not comment_ids:
        return {}
    rows = session.exec(
        select(ThemeComment.comment_id, ResponseTheme)
        .join(ResponseTheme, col(ResponseTheme.id) == col(ThemeComment.theme_id))
        .where(ThemeComment.response_id == pk(response), col(ThemeComment.comment_id).in_(comment_ids))
    )
    return dict(rows.all())


def unassigned_comments(session: Session, response: Response, limit: int = 100) -> tuple[list[Comment], int]:
    placed = select(ThemeComment.comment_id).where(ThemeComment.response_id == pk(response))
    where = (
        Comment.subject_kind == response.subject_kind,
        Comment.subject_id == response.subject_id,
        col(Comment.id).not_in(placed),
    )
    total = session.exec(select(func.count()).select_from(Comment).where(*where)).one()
    comments = session.exec(select(Comment).where(*where).order_by(col(Comment.id)).limit(limit))
    return list(comments), total


def comments_in_theme(session: Session, theme: ResponseTheme, limit: int = 100) -> list[Comment]:
    query = (
        select(Comment)
        .join(ThemeComment, col(ThemeComment.comment_id) == col(Comment.id))
        .where(ThemeComment.theme_id == pk(theme))
        .order_by(col(Comment.id))
        .limit(limit)
    )
    return list(session.exec(query))


def representative_ids(session: Session, response: Response) -> set[int]:
    query = select(ThemeComment.comment_id).where(
        ThemeComment.response_id == pk(response), col(ThemeComment.representative).is_(True)
    )
    return set(session.exec(query))


def publish(session: Session, response: Response, by: Member) -> None:
    if not themes_of(session, response):
        raise Invalid({"": N_("Add at least one theme before publishing the response.")})
    response.published_at = utcnow()
    response.published_by_id = by.id
    session.add(response)
    session.commit()


THEME_FIELDS = [
    "position",
    "theme",
    "comments",
    "people",
    "decision",
    "reasoning",
    "article_changes",
    "articles",
    "quotes",
]


def theme_rows(session: Session, response: Response) -> list[dict[str, Any]]:
    """The published themes as plain rows, for CSV and JSON exports."""
    return [
        {
            "position": s.theme.position,
            "theme": s.theme.title,
            "comments": s.comments,
            "people": s.people,
            "decision": s.theme.decision,
            "reasoning": s.theme.reasoning,
            "article_changes": s.theme.article_changes,
            "articles": sorted(a for a in s.articles if a is not None),
            "quotes": [q.text for q in s.quotes],
        }
        for s in summarise(session, response)
    ]


def theme_csv_rows(session: Session, response: Response) -> list[list[Any]]:
    return [
        [*(row[f] for f in THEME_FIELDS[:7]), " ".join(map(str, row["articles"])), "\n".join(row["quotes"])]
        for row in theme_rows(session, response)
    ]


def _number(raw: str) -> int:
    number = whole_number(raw)
    if number is None:
        raise Invalid({"": N_("The form was not filled in as expected. Reload the page and try again.")})
    return number


def save_theme(session: Session, response: Response, theme_id: str, action: str, fields: dict[str, str]) -> None:
    """The theme form of every response editor: add a theme (no id), change one, or delete one."""
    if not theme_id:
        add_theme(session, response, **{k: v for k, v in fields.items() if v or k == "title"})
        return
    theme = get_theme(session, response, _number(theme_id))
    if action == "delete":
        delete_theme(session, theme)
    else:
        update_theme(session, theme, **fields)


def place_comments(
    session: Session,
    response: Response,
    action: str,
    comment_ids: list[str],
    theme_id: str,
    comment: str,
    quote: bool,
) -> None:
    """The placing form of every response editor: quote one comment, or move ticked ones into a theme."""
    if action == "quote":
        set_representative(session, response, _number(comment), quote)
        return
    if not comment_ids:
        raise Invalid({"comment": N_("Tick at least one comment.")})
    theme = get_theme(session, response, _number(theme_id)) if theme_id else None
    assign(session, response, [_number(c) for c in comment_ids], theme)
