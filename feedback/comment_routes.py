"""The comment pages, mounted by every kind of subject under its own path (`routes_for`): the
filtered, paged list (HTMX asks for the next slice), posting a comment, the comments as open data
(CSV, JSON, the API); and, once for all subjects, an author's edit of their own comment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import i18n, moderation, places, receipts
from core.accounts import Role
from core.api import PREFIX, add_schemas, paged, paging, path_parameter
from core.db import pk
from core.errors import N_, Invalid
from core.i18n import article_label
from core.input import whole_number
from core.web import Ctx, csv_download, json_download, page
from feedback import articles, comments, report, responses, subjects, supports
from feedback.access import visible_subject
from feedback.models import DECISION_LABELS, STANCE_LABELS, Comment
from feedback.subjects import Subject, SubjectKind
from search import viewers
from search.backend import SearchBackend
from search.model import KIND, Filters, SearchUnavailable

PAGE_SIZE = 30
SORT_LABELS = {comments.NEWEST: N_("Newest first"), comments.SUPPORTED: N_("Most supported first")}
# The subject's own page, shown again with the comment form's values and errors.
DetailPage = Callable[[Ctx, Subject, dict[str, str], dict[str, str], int], Response]


def letters_of(ctx: Ctx, subject: Subject) -> tuple[int, list[report.LetterGroup]]:
    """The subject's form letters, to show each as one entry instead of a wall of copies."""
    can_manage = subjects.kind_of(subject.kind).can_manage(ctx.member, ctx.roles, subject)
    return report.letter_groups(ctx.db, subject.kind, subject.id, can_manage)


def listed(
    ctx: Ctx, subject: Subject, filters: dict[str, Any], before: int | None = None, number: int = 1
) -> tuple[list[Comment], list[report.LetterGroup]]:
    """A page of the subject's comments, newest first (or most supported first, page `number`).
    Once an analysis has found form letters, their senders are left out (each letter is shown
    once, above), unless `letter` asks for one letter's senders or `letters=all` for every comment."""
    analysis_id, groups = letters_of(ctx, subject)
    letters: tuple[int, int | None] | None = None
    if groups and filters.get("letter") is not None:
        letters = (analysis_id, filters["letter"])
    elif groups and filters.get("letters") != "all":
        letters = (analysis_id, None)
    sort = filters.get("sort") or comments.NEWEST
    shown = comments.list_comments(
        ctx.db,
        subject.kind,
        subject.id,
        article=filters.get("article"),
        stance=filters.get("stance") or None,
        before=before,
        limit=PAGE_SIZE,
        letters=letters,
        sort=sort,
        offset=(number - 1) * PAGE_SIZE,
    )
    if letters != (analysis_id, None):
        return shown, []
    if sort == comments.SUPPORTED:  # the letters too, by the people who support any copy of each
        supporters = supports.letter_supporters(ctx.db, analysis_id)
        for group in groups:
            group.supporters = supporters.get(group.number, 0)
        groups.sort(key=lambda g: (-g.supporters, -g.size))
    return shown, groups


def comment_context(
    ctx: Ctx,
    subject: Subject,
    shown: list[Comment],
    filters: dict[str, Any] | None = None,
    more: str | None = None,
    letters: list[report.LetterGroup] | None = None,
) -> dict[str, Any]:
    """What `feedback/_comment_page.html` needs, on the subject's page and on its comment list."""
    # "Where did my comment go": once the response is out, each comment shows the theme it is in.
    response = responses.response_for(ctx.db, subject.kind, subject.id)
    placed = {}
    if response is not None and response.published_at is not None:
        placed = responses.theme_of_comments(ctx.db, response, [pk(c) for c in shown])
    posted = ctx.request.session.pop("posted_comment", None)
    return {
        "subject": subject,
        "posted": posted,
        "posted_receipt": receipts.code(ctx.settings.secret_key, "C", posted) if posted else "",
        "placed": placed,
        "decision_labels": DECISION_LABELS,
        "comments": shown,
        "supports": supports.support_counts(ctx.db, (c.id for c in shown)),
        "supported": supports.supported_by(ctx.db, ctx.member, (c.id for c in shown)),
        "support_open": not subjects.kind_of(subject.kind).closed_message(subject),
        "authors": comments.authors_of(ctx.db, shown),
        "article_texts": subjects.kind_of(subject.kind).article_texts(ctx.db, subject),
        "stance_labels": STANCE_LABELS,
        "diff_text": articles.diff_text,
        "can_edit": comments.can_edit,
        "more_url": more if more is not None else _older(subject, shown, filters or {}),
        "filters": filters or {"article": None, "stance": "", "q": "", "sort": comments.NEWEST},
        "sorts": SORT_LABELS,
        "letters": letters or [],
    }


def _older(subject: Subject, shown: list[Comment], filters: dict[str, Any]) -> str | None:
    """The next slice of a full page: newest first, the comments before the last one shown; most
    supported first, the next page."""
    if len(shown) < PAGE_SIZE:
        return None
    params = {k: v for k, v in filters.items() if v not in (None, "") and k != "page"}
    if filters.get("sort") == comments.SUPPORTED:
        params["page"] = filters.get("page", 1) + 1
    else:
        params["before"] = shown[-1].id
    return f"{subject.path}/comments?{urlencode(params)}"


def _found(
    ctx: Ctx, subject: Subject, query: str, article: int | None, stance: str, number: int
) -> tuple[list[Comment], int]:
    """The subject's comments that the search finds for `query`, newest first, a page at a time."""
    facets: dict[str, list[str]] = {KIND: ["comment"], "subject": [f"{subject.kind}:{subject.id}"]}
    if article is not None:
        facets["article"] = [str(article)]
    if stance:
        facets["stance"] = [stance]
    visible = viewers.visibilities(ctx.db, ctx.member, ctx.roles)
    backend: SearchBackend = ctx.request.app.state.search
    results = backend.search(query, Filters(visible, facets), "newest", PAGE_SIZE, (number - 1) * PAGE_SIZE, ())
    ids = [int(hit.id.partition(":")[2]) for hit in results.hits]
    by_id = {c.id: c for c in ctx.db.exec(select(Comment).where(col(Comment.id).in_(ids)))} if ids else {}
    return [by_id[i] for i in ids if i in by_id], results.total


def comment_form(ctx: Ctx, subject: Subject) -> dict[str, Any]:
    """What `feedback/_comment_form.html` needs beside `comment_context`, the values and the errors."""
    kind = subjects.kind_of(subject.kind)
    return {
        "closed_message": kind.closed_message(subject),
        "whole_text": kind.whole_text,
        "form_articles": kind.articles(ctx.db, subject),
    }


Labels = dict[tuple[int | None, int], str]  # (version, article) -> the heading the text gives it
OPEN_DATA_FIELDS = [
    "id", "created_at", "author", "article", "article_label", "version", "stance", "text", "amendment", "source",
    "supports", "hidden",
]  # fmt: skip


def _open_row(ctx: Ctx, subject: Subject, comment: Comment, labels: Labels, counts: dict[int, int]) -> dict[str, Any]:
    return {
        "id": comment.id,
        "created_at": comment.created_at.isoformat(),
        "author": comments.pseudonym(ctx.settings.secret_key, subject.kind, subject.id, comment),
        "article": comment.article,
        "article_label": label_of(labels, comment),
        "version": comment.version,
        "stance": comment.stance,
        # A comment a moderator hid (personal data, abuse) is listed, so the counts add up, without its words.
        "text": "" if comment.hidden_reason else comment.text,
        "amendment": "" if comment.hidden_reason else comment.amendment,
        "source": comment.source,
        "supports": counts.get(pk(comment), 0),
        "hidden": bool(comment.hidden_reason),
    }


def article_labels(session: Session, subject: Subject) -> Labels:
    """(version, article) -> the heading the text gives it (第十三條之一), for open data."""
    texts = subjects.kind_of(subject.kind).article_texts(session, subject)
    return {key: text.heading for key, text in texts.items() if text.heading}


def label_of(labels: Labels, comment: Comment) -> str:
    """The comment's article as the text heads it, else as the law would (第五條, "Article 5")."""
    if comment.article is None:
        return ""
    return labels.get((comment.version, comment.article)) or article_label(comment.article)


def _open_rows(ctx: Ctx, subject: Subject) -> list[dict[str, Any]]:
    every = comments.list_comments(ctx.db, subject.kind, subject.id, limit=10**9)
    labels = article_labels(ctx.db, subject)
    counts = supports.supports_of_subject(ctx.db, subject.kind, subject.id)
    return [_open_row(ctx, subject, c, labels, counts) for c in reversed(every)]


_STRING, _INTEGER, _MAYBE_INTEGER = {"type": "string"}, {"type": "integer"}, {"type": "integer", "nullable": True}
add_schemas(
    Comment={
        "type": "object",
        "properties": {
            "id": _INTEGER,
            "created_at": {"type": "string", "format": "date-time"},
            "author": {**_STRING, "description": "A pseudonym, stable within this subject only"},
            "article": _MAYBE_INTEGER,
            "article_label": {**_STRING, "description": "The article's heading as the text gives it (第十三條之一)"},
            "version": _MAYBE_INTEGER,
            "stance": {"type": "string", "enum": [s.value for s in STANCE_LABELS]},
            "text": _STRING,
            "amendment": _STRING,
            "source": {"type": "string", "enum": ["web", "import", "offline"]},
            "supports": {**_INTEGER, "description": "How many members support the comment"},
            "hidden": {"type": "boolean", "description": "Hidden by a moderator: listed without its text"},
        },
    }
)

API_DOC = """{title}'s comments.
---
summary: A {kind}'s comments with pseudonymous authors and their supports, oldest or most supported first
tags: [{tag}]
parameters:
  - {parameter}
  - {{name: page, in: query, schema: {{type: integer, minimum: 1}}}}
  - {{name: per_page, in: query, schema: {{type: integer, minimum: 1, maximum: 200}}}}
  - {{name: sort, in: query, schema: {{type: string, enum: [oldest, supported], default: oldest}}}}
responses:
  200:
    description: A page of comments.
    content:
      application/json:
        schema:
          type: object
          properties:
            items:
              type: array
              items: {{$ref: '#/components/schemas/Comment'}}
            page: {{type: integer}}
            per_page: {{type: integer}}
            total: {{type: integer}}
  400:
    description: Bad paging or sort parameters.
  404:
    description: No such {kind}.
"""


def routes_for(kind: SubjectKind, detail: DetailPage) -> list[Route]:
    """The comment pages under the kind's path; `detail` shows the subject's page again when a
    posted comment breaks a rule."""
    prefix, names = kind.route_prefix, kind.route_names

    @page
    def comment_list(ctx: Ctx) -> Response:
        subject = visible_subject(ctx, kind)
        article, stance, query = ctx.int_query("article"), ctx.query("stance"), ctx.query("q").strip()[:200]
        sort = ctx.query("sort") or comments.NEWEST
        if (stance and stance not in STANCE_LABELS) or sort not in SORT_LABELS:
            raise HTTPException(400)
        filters: dict[str, Any] = {"article": article, "stance": stance, "q": query, "sort": sort}
        if ctx.query("letters") == "all":
            filters["letters"] = "all"
        if (letter := ctx.int_query("letter")) is not None:
            filters["letter"] = letter
        if not query:
            if sort == comments.SUPPORTED:
                filters["page"] = ctx.int_query("page") or 1
            shown, letters = listed(ctx, subject, filters, ctx.int_query("before"), filters.get("page", 1))
            context = comment_context(ctx, subject, shown, filters, letters=letters)
        else:  # words to look for: the search index finds them, in either script
            number = ctx.int_query("page") or 1
            try:
                shown, total = _found(ctx, subject, query, article, stance, number)
            except SearchUnavailable:
                raise HTTPException(503, detail=N_("Search is unavailable for now. Please try again later.")) from None
            params = {k: v for k, v in filters.items() if v not in (None, "")}
            more = f"{subject.path}/comments?{urlencode({**params, 'page': number + 1})}"
            context = comment_context(ctx, subject, shown, filters, more if number * PAGE_SIZE < total else "")
            context["found"] = total
        return ctx.render("feedback/comments.html", partial="feedback/_comment_page.html", **context)

    @page
    def comment_create(ctx: Ctx) -> Response:
        member = ctx.contributor()
        subject = visible_subject(ctx, kind)
        values = {k: ctx.text(k) for k in ("article", "stance", "text", "amendment")}
        raw = values["article"]
        number = whole_number(raw)
        # -1: no such article, and the service says so
        article = number if number is not None else (None if not raw else -1)
        try:
            comment = comments.submit(
                ctx.db, subject, member, values["stance"], values["text"], article, values["amendment"]
            )
        except Invalid as invalid:
            return detail(ctx, subject, values, invalid.errors, 400)
        ctx.flash(N_("Thank you. Your comment is published."))
        ctx.request.session["posted_comment"] = comment.id  # shown, highlighted, where the page lands
        return ctx.redirect(f"{subject.path}#comment-{comment.id}")

    @page
    def comments_csv(ctx: Ctx) -> Response:
        subject = visible_subject(ctx, kind)
        rows = ([row[field] for field in OPEN_DATA_FIELDS] for row in _open_rows(ctx, subject))
        return csv_download(f"{kind.export_name(subject)}-comments.csv", OPEN_DATA_FIELDS, rows)

    @page
    def comments_json(ctx: Ctx) -> Response:
        subject = visible_subject(ctx, kind)
        body = {
            kind.name: kind.as_json(subject),
            "comments": _open_rows(ctx, subject),
        }
        return json_download(f"{kind.export_name(subject)}-comments.json", body)

    @page
    def comment_offline(ctx: Ctx) -> Response:
        """A village chief or community liaison types in comments collected on paper or at a meeting."""
        member = ctx.require_role(Role.village_chief)
        subject = visible_subject(ctx, kind)
        values = {name: ctx.text(name) for name in OFFLINE_FIELDS}
        if ctx.request.method == "GET":
            values["place_code"] = member.place_code or ""
            return _offline_page(ctx, subject, values, {})
        number = whole_number(values["article"])
        article = number if number is not None else (None if not values["article"] else -1)
        try:
            comment = comments.submit_offline(ctx.db, subject, member, values, article)
        except Invalid as invalid:
            return _offline_page(ctx, subject, values, invalid.errors, 400)
        ctx.flash(N_("Recorded as collected offline. You can type in the next one."))
        ctx.request.session["posted_comment"] = comment.id
        return ctx.redirect(f"{subject.path}/comments/offline")

    def api_comments(ctx: Ctx) -> Response:
        subject = visible_subject(ctx, kind)
        number, per_page = paging(ctx)
        sort = ctx.query("sort") or "oldest"
        if sort not in ("oldest", comments.SUPPORTED):
            raise HTTPException(400, detail=N_("Sort by oldest or supported."))
        page_items, total = comments.comment_page(ctx.db, subject.kind, subject.id, number, per_page, sort)
        labels, counts = article_labels(ctx.db, subject), supports.support_counts(ctx.db, (c.id for c in page_items))
        rows = [_open_row(ctx, subject, c, labels, counts) for c in page_items]
        return JSONResponse(paged(rows, number, per_page, total))

    api_comments.__doc__ = API_DOC.format(
        title=f"A {kind.name}", kind=kind.name, tag=f"{kind.name}s", parameter=path_parameter(kind.api_parameter)
    )
    return [
        Route(f"{prefix}/comments", comment_list, name=f"{names}:comments"),
        Route(f"{prefix}/comments", comment_create, methods=["POST"], name=f"{names}:comment"),
        Route(f"{prefix}/comments/offline", comment_offline, methods=["GET", "POST"], name=f"{names}:comment_offline"),
        Route(f"{prefix}/comments.csv", comments_csv, name=f"{names}:comments_csv"),
        Route(f"{prefix}/comments.json", comments_json, name=f"{names}:comments_json"),
        Route(f"{PREFIX}{kind.api_prefix}/comments", page(api_comments), name=f"api:{kind.name}_comments"),
    ]


OFFLINE_FIELDS = ("article", "stance", "text", "amendment", "resident_name", "place_code", "postal_code", "village")


def _offline_page(
    ctx: Ctx, subject: Subject, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return ctx.render(
        "feedback/offline.html",
        status,
        subject=subject,
        values=values,
        errors=errors,
        stance_labels=STANCE_LABELS,
        townships=places.township_choices(ctx.db, i18n.get_locale()),
        **comment_form(ctx, subject),
    )


@page
def comment_edit(ctx: Ctx) -> Response:
    """Authors correct their own comment, on any subject, within the edit window."""
    member = ctx.require_member()
    comment = comments.get_comment(ctx.db, ctx.request.path_params["comment_id"])
    subject = subjects.get(ctx.db, comment.subject_kind, comment.subject_id)
    if subject is None or comment.author_id != member.id:
        raise HTTPException(403)
    if comment.hidden_reason:
        raise HTTPException(403, detail=moderation.HIDDEN_IS_FIXED)
    values = {"stance": comment.stance, "text": comment.text, "amendment": comment.amendment}
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        values = {k: ctx.text(k) for k in ("stance", "text", "amendment")}
        numbers = {a.number for a in subjects.kind_of(subject.kind).articles(ctx.db, subject)}
        try:
            comments.edit_comment(
                ctx.db, comment, member, values["stance"], values["text"], values["amendment"], numbers
            )
        except Invalid as invalid:
            errors = invalid.errors
        else:
            ctx.flash(N_("Your comment is updated."))
            return ctx.redirect(f"{subject.path}#comment-{comment.id}")
    return ctx.render(
        "feedback/comment_edit.html",
        400 if errors else 200,
        comment=comment,
        subject=subject,
        values=values,
        errors=errors,
        stance_labels=STANCE_LABELS,
        editable=comments.can_edit(comment),
    )


routes = [
    Route("/comments/{comment_id:int}/edit", comment_edit, methods=["GET", "POST"], name="feedback:comment_edit"),
]
