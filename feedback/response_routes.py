"""The structured response pages, mounted by every kind of subject under its own path
(`routes_for`): the editor of those who answer (themes, decisions, placing comments, quotes), the
published response with its per-article matrix, and its CSV and JSON exports; and every published
response, on any subject, in the JSON API and one CSV."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.api import PREFIX, add_schemas, page_of, paged, paging
from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, csv_download, json_download, page
from feedback import comments, responses, subjects
from feedback.access import managed_subject, visible_subject
from feedback.models import DECISION_LABELS, STANCE_LABELS, Decision
from feedback.models import Response as PublicResponse
from feedback.subjects import Subject, SubjectKind


def _framing(subject: Subject) -> dict[str, Any]:
    """What the response templates need to know about their subject."""
    return {"paths": {"subject": subject.path, "base": f"{subject.path}/response"}, "subject_title": subject.title}


def article_matrix(
    ctx: Ctx, kind: SubjectKind, subject: Subject, summaries: list[responses.ThemeSummary]
) -> list[dict[str, Any]]:
    """For each article: comments for, against and amending; the decisions of the themes that
    answer comments on it; and, for subjects with versions, how its text changed."""
    changes = kind.article_changes(ctx.db, subject)
    counts = comments.comment_counts(ctx.db, subject.kind, subject.id)
    return [
        {
            "article": article,
            "counts": counts.get(article.number, {}),
            "decisions": sorted({s.theme.decision for s in summaries if article.number in s.articles}),
            "change": changes.get(article.number),
        }
        for article in kind.articles(ctx.db, subject)
    ]


def routes_for(kind: SubjectKind) -> list[Route]:
    """The response pages under the kind's path, named `<its route names>:response...`."""
    prefix, names = kind.route_prefix, kind.route_names

    def editable(ctx: Ctx) -> tuple[Subject, PublicResponse]:
        """The subject in the path and its response (made on first use), for those who answer it."""
        subject = managed_subject(ctx, kind)
        response = responses.response_for(ctx.db, subject.kind, subject.id, create=True)
        assert response is not None
        return subject, response

    def editor(
        ctx: Ctx, subject: Subject, response: PublicResponse, errors: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        unassigned, unassigned_total = responses.unassigned_comments(ctx.db, response)
        summaries = responses.summarise(ctx.db, response)
        return ctx.render(
            "feedback/response_edit.html",
            status,
            **_framing(subject),
            response=response,
            summaries=summaries,
            placed={pk(s.theme): responses.comments_in_theme(ctx.db, s.theme) for s in summaries},
            unassigned=unassigned,
            unassigned_total=unassigned_total,
            quotes=responses.representative_ids(ctx.db, response),
            articles={a.number: a for a in kind.articles(ctx.db, subject)},
            decision_labels=DECISION_LABELS,
            stance_labels=STANCE_LABELS,
            errors=errors or {},
            publish_blocker=kind.response_blocker(subject),
        )

    def saved(ctx: Ctx, subject: Subject, anchor: str = "") -> Response:
        ctx.flash(N_("Saved."))
        return ctx.redirect(f"{subject.path}/response/edit{anchor}")

    @page
    def response_page(ctx: Ctx) -> Response:
        subject = visible_subject(ctx, kind)
        response = responses.response_for(ctx.db, subject.kind, subject.id)
        can_manage = kind.can_manage(ctx.member, ctx.roles, subject)
        if response is None or (response.published_at is None and not can_manage):
            raise HTTPException(404)
        summaries = responses.summarise(ctx.db, response)
        counts = comments.comment_counts(ctx.db, subject.kind, subject.id)
        return ctx.render(
            "feedback/response.html",
            **_framing(subject),
            response=response,
            summaries=summaries,
            matrix=article_matrix(ctx, kind, subject, summaries),
            decision_labels=DECISION_LABELS,
            stance_labels=STANCE_LABELS,
            can_manage=can_manage,
            total=sum(sum(by_stance.values()) for by_stance in counts.values()),
        )

    @page
    def response_edit(ctx: Ctx) -> Response:
        subject, response = editable(ctx)
        if ctx.request.method == "POST":
            try:
                responses.set_summary(ctx.db, response, ctx.text("summary"))
            except Invalid as invalid:
                return editor(ctx, subject, response, invalid.errors, 400)
            return saved(ctx, subject)
        return editor(ctx, subject, response)

    @page
    def theme_save(ctx: Ctx) -> Response:
        subject, response = editable(ctx)
        fields = {k: ctx.text(k) for k in ("title", "decision", "reasoning", "article_changes")}
        try:
            responses.save_theme(ctx.db, response, ctx.text("theme"), ctx.text("action"), fields)
        except Invalid as invalid:
            return editor(ctx, subject, response, invalid.errors, 400)
        return saved(ctx, subject, "#themes")

    @page
    def assign_comments(ctx: Ctx) -> Response:
        subject, response = editable(ctx)
        ids = [value for value in ctx.form.getlist("comment") if isinstance(value, str)]
        quote = ctx.text("value") == "1"
        try:
            responses.place_comments(
                ctx.db, response, ctx.text("action"), ids, ctx.text("theme"), ctx.text("comment"), quote
            )
        except Invalid as invalid:
            return editor(ctx, subject, response, invalid.errors, 400)
        return saved(ctx, subject, "#unassigned")

    @page
    def response_publish(ctx: Ctx) -> Response:
        subject, response = editable(ctx)
        blocker = kind.response_blocker(subject)
        try:
            if blocker:
                raise Invalid({"": blocker})
            responses.publish(ctx.db, response, ctx.require_member())
        except Invalid as invalid:
            return editor(ctx, subject, response, invalid.errors, 400)
        kind.response_published(ctx.db, ctx.queue, subject)
        ctx.flash(N_("The response is published and everyone who commented has been told."))
        return ctx.redirect(f"{subject.path}/response")

    def published(ctx: Ctx) -> tuple[Subject, PublicResponse]:
        subject = visible_subject(ctx, kind)
        response = responses.response_for(ctx.db, subject.kind, subject.id)
        if response is None or response.published_at is None:
            raise HTTPException(404)
        return subject, response

    @page
    def response_csv(ctx: Ctx) -> Response:
        subject, response = published(ctx)
        rows = responses.theme_csv_rows(ctx.db, response)
        return csv_download(f"{kind.export_name(subject)}-response.csv", responses.THEME_FIELDS, rows)

    @page
    def response_json(ctx: Ctx) -> Response:
        subject, response = published(ctx)
        summaries = responses.summarise(ctx.db, response)
        body = {
            **kind.export_ref(subject),
            "title": subject.title,
            "published_at": response.published_at.isoformat() if response.published_at else None,
            "summary": response.summary,
            "themes": responses.theme_rows(ctx.db, response),
            "articles": [
                {
                    "number": row["article"].number,
                    "heading": row["article"].heading,
                    "counts": row["counts"],
                    "decisions": row["decisions"],
                    "text_changed": bool(row["change"] and row["change"].status != "same"),
                }
                for row in article_matrix(ctx, kind, subject, summaries)
            ],
        }
        return json_download(f"{kind.export_name(subject)}-response.json", body)

    return [
        Route(f"{prefix}/response", response_page, name=f"{names}:response"),
        Route(f"{prefix}/response/edit", response_edit, methods=["GET", "POST"], name=f"{names}:response_edit"),
        Route(f"{prefix}/response/themes", theme_save, methods=["POST"], name=f"{names}:theme_save"),
        Route(f"{prefix}/response/assign", assign_comments, methods=["POST"], name=f"{names}:assign"),
        Route(f"{prefix}/response/publish", response_publish, methods=["POST"], name=f"{names}:response_publish"),
        Route(f"{prefix}/response.csv", response_csv, name=f"{names}:response_csv"),
        Route(f"{prefix}/response.json", response_json, name=f"{names}:response_json"),
    ]


# --- every published response, as open data --------------------------------------------------------

_STRING, _INTEGER = {"type": "string"}, {"type": "integer"}
add_schemas(
    PublishedResponse={
        "type": "object",
        "properties": {
            "id": _INTEGER,
            "subject": {
                "type": "object",
                "description": "What the response answers: a consultation or a bill",
                "properties": {"kind": _STRING, "id": _INTEGER, "title": _STRING, "url": _STRING},
            },
            "published_at": {"type": "string", "format": "date-time"},
            "summary": {"type": "string", "description": "Markdown"},
            "themes": {"type": "array", "items": {"$ref": "#/components/schemas/ResponseTheme"}},
            "url": _STRING,
        },
    },
    ResponseTheme={
        "type": "object",
        "properties": {
            "position": _INTEGER,
            "theme": _STRING,
            "comments": {**_INTEGER, "description": "Comments that raised it"},
            "people": {**_INTEGER, "description": "Distinct people who raised it"},
            "decision": {"type": "string", "enum": [d.value for d in Decision]},
            "reasoning": {"type": "string", "description": "Markdown: why it was decided so"},
            "article_changes": {"type": "string", "description": "Markdown: what changed in the text"},
            "articles": {"type": "array", "items": _INTEGER},
        },
    },
)
RESPONSE_FIELDS = [
    "subject_kind", "subject_id", "subject_title", "url", "published_at",
    "position", "theme", "comments", "people", "decision", "reasoning", "article_changes",
]  # fmt: skip


def _public_responses(ctx: Ctx) -> list[tuple[Subject, PublicResponse]]:
    """Published responses on subjects the public can see, newest first."""
    found = []
    for response in responses.latest_published(ctx.db, limit=10**9):
        subject = subjects.get(ctx.db, response.subject_kind, response.subject_id)
        if subject is not None and subject.public:
            found.append((subject, response))
    return found


def _response_json(ctx: Ctx, subject: Subject, response: PublicResponse) -> dict[str, Any]:
    return {
        "id": response.id,
        "subject": {"kind": subject.kind, "id": subject.id, "title": subject.title, "url": subject.path},
        "published_at": response.published_at.isoformat() if response.published_at else None,
        "summary": response.summary,
        "themes": [
            {
                "position": s.theme.position,
                "theme": s.theme.title,
                "comments": s.comments,
                "people": s.people,
                "decision": s.theme.decision,
                "reasoning": s.theme.reasoning,
                "article_changes": s.theme.article_changes,
                "articles": sorted(a for a in s.articles if a is not None),
            }
            for s in responses.summarise(ctx.db, response)
        ],
        "url": f"{subject.path}/response",
    }


@page
def api_responses(ctx: Ctx) -> Response:
    """Published structured responses.
    ---
    summary: Published structured responses on any subject, newest first, each with its themes
    tags: [responses]
    parameters:
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
    responses:
      200:
        description: A page of responses.
        content:
          application/json:
            schema:
              type: object
              properties:
                items:
                  type: array
                  items: {$ref: '#/components/schemas/PublishedResponse'}
                page: {type: integer}
                per_page: {type: integer}
                total: {type: integer}
      400:
        description: Bad paging parameters.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    number, per_page = paging(ctx)
    everything = _public_responses(ctx)
    items = [_response_json(ctx, subject, response) for subject, response in page_of(everything, number, per_page)]
    return JSONResponse(paged(items, number, per_page, len(everything)))


@page
def responses_csv(ctx: Ctx) -> Response:
    """One row per theme of every published response."""
    rows: list[list[Any]] = []
    for subject, response in _public_responses(ctx):
        data = _response_json(ctx, subject, response)
        about = [subject.kind, subject.id, subject.title, data["url"], data["published_at"]]
        rows.extend([*about, *(theme[f] for f in RESPONSE_FIELDS[5:])] for theme in data["themes"])
    return csv_download("responses.csv", RESPONSE_FIELDS, rows)


routes = [
    Route("/responses.csv", responses_csv, name="feedback:responses_csv"),
    Route(f"{PREFIX}/responses", api_responses, name="api:responses"),
]
