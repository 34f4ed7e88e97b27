"""The structured response pages: the agency's editor (themes, decisions, placing comments,
quotes), the published response with its per-article matrix, and its CSV and JSON exports."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, csv_download, json_download, page
from participation import events, responses, services
from participation.access import managed_consultation, visible_consultation
from participation.models import DECISION_LABELS, STANCE_LABELS, Consultation, Phase
from participation.models import Response as AgencyResponse


def _response(ctx: Ctx, consultation: Consultation) -> AgencyResponse | None:
    return responses.response_for(ctx.db, "consultation", pk(consultation))


def _framing(consultation: Consultation) -> dict[str, Any]:
    """What the shared response templates need to know about their subject."""
    base = f"/c/{consultation.slug}/response"
    return {"paths": {"subject": f"/c/{consultation.slug}", "base": base}, "subject_title": consultation.title}


def _editable(ctx: Ctx) -> tuple[Consultation, AgencyResponse]:
    """The consultation in the path and its response (made on first use), for its agency only."""
    consultation = managed_consultation(ctx)
    response = responses.response_for(ctx.db, "consultation", pk(consultation), create=True)
    assert response is not None
    return consultation, response


def article_matrix(
    ctx: Ctx, consultation: Consultation, summaries: list[responses.ThemeSummary]
) -> list[dict[str, Any]]:
    """For each article: comments for, against and amending; the decisions of the themes that
    answer comments on it; and how its text changed from the first version to the last."""
    versions = services.versions_of(ctx.db, consultation)
    changes = {
        (change.new or change.old).number: change  # type: ignore[union-attr]
        for change in services.compare_versions(ctx.db, versions[0], versions[-1])
        if change.new is not None
    }
    counts = services.comment_counts(ctx.db, "consultation", pk(consultation))
    rows = []
    for article in services.articles_of(ctx.db, versions[-1]):
        decisions = sorted({s.theme.decision for s in summaries if article.number in s.articles})
        rows.append(
            {
                "article": article,
                "counts": counts.get(article.number, {}),
                "decisions": decisions,
                "change": changes.get(article.number),
            }
        )
    return rows


@page
def response_page(ctx: Ctx) -> Response:
    consultation = visible_consultation(ctx)
    response = _response(ctx, consultation)
    can_manage = services.can_manage(ctx.member, ctx.roles, consultation)
    if response is None or (response.published_at is None and not can_manage):
        raise HTTPException(404)
    summaries = responses.summarise(ctx.db, response)
    return ctx.render(
        "participation/response.html",
        **_framing(consultation),
        consultation=consultation,
        response=response,
        summaries=summaries,
        matrix=article_matrix(ctx, consultation, summaries),
        decision_labels=DECISION_LABELS,
        stance_labels=STANCE_LABELS,
        can_manage=can_manage,
        total=sum(sum(v.values()) for v in services.comment_counts(ctx.db, "consultation", pk(consultation)).values()),
    )


def _editor(
    ctx: Ctx,
    consultation: Consultation,
    response: AgencyResponse,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    unassigned, unassigned_total = responses.unassigned_comments(ctx.db, response)
    summaries = responses.summarise(ctx.db, response)
    placed = {pk(s.theme): responses.comments_in_theme(ctx.db, s.theme) for s in summaries}
    articles = {a.number: a for a in services.articles_of(ctx.db, services.latest_version(ctx.db, consultation))}
    return ctx.render(
        "participation/response_edit.html",
        status,
        **_framing(consultation),
        consultation=consultation,
        response=response,
        summaries=summaries,
        placed=placed,
        unassigned=unassigned,
        unassigned_total=unassigned_total,
        quotes=responses.representative_ids(ctx.db, response),
        articles=articles,
        decision_labels=DECISION_LABELS,
        stance_labels=STANCE_LABELS,
        errors=errors or {},
        can_publish=consultation.phase() in (Phase.closed, Phase.responded),
    )


@page
def response_edit(ctx: Ctx) -> Response:
    consultation, response = _editable(ctx)
    if ctx.request.method == "POST":
        try:
            responses.set_summary(ctx.db, response, ctx.text("summary"))
        except Invalid as invalid:
            return _editor(ctx, consultation, response, invalid.errors, 400)
        ctx.flash(N_("Saved."))
        return ctx.redirect(ctx.url("participation:response_edit", slug=consultation.slug))
    return _editor(ctx, consultation, response)


@page
def theme_save(ctx: Ctx) -> Response:
    consultation, response = _editable(ctx)
    fields = {k: ctx.text(k) for k in ("title", "decision", "reasoning", "article_changes")}
    try:
        responses.save_theme(ctx.db, response, ctx.text("theme"), ctx.text("action"), fields)
    except Invalid as invalid:
        return _editor(ctx, consultation, response, invalid.errors, 400)
    ctx.flash(N_("Saved."))
    return ctx.redirect(ctx.url("participation:response_edit", slug=consultation.slug) + "#themes")


@page
def assign_comments(ctx: Ctx) -> Response:
    consultation, response = _editable(ctx)
    ids = [value for value in ctx.form.getlist("comment") if isinstance(value, str)]
    try:
        responses.place_comments(
            ctx.db, response, ctx.text("action"), ids, ctx.text("theme"), ctx.text("comment"), ctx.text("value") == "1"
        )
    except Invalid as invalid:
        return _editor(ctx, consultation, response, invalid.errors, 400)
    ctx.flash(N_("Saved."))
    return ctx.redirect(ctx.url("participation:response_edit", slug=consultation.slug) + "#unassigned")


@page
def response_publish(ctx: Ctx) -> Response:
    consultation, response = _editable(ctx)
    if consultation.phase() not in (Phase.closed, Phase.responded):
        return _editor(
            ctx,
            consultation,
            response,
            {"": N_("The response can be published once the consultation has closed.")},
            400,
        )
    try:
        responses.publish(ctx.db, response, ctx.require_member())
    except Invalid as invalid:
        return _editor(ctx, consultation, response, invalid.errors, 400)
    consultation.responded_at = response.published_at
    ctx.db.add(consultation)
    ctx.db.commit()
    events.response_published(ctx.db, ctx.queue, consultation)
    ctx.flash(N_("The response is published and everyone who commented has been told."))
    return ctx.redirect(ctx.url("participation:response", slug=consultation.slug))


# --- exports -------------------------------------------------------------------------------------------


def _published(ctx: Ctx) -> tuple[Consultation, AgencyResponse]:
    consultation = visible_consultation(ctx)
    response = _response(ctx, consultation)
    if response is None or response.published_at is None:
        raise HTTPException(404)
    return consultation, response


@page
def response_csv(ctx: Ctx) -> Response:
    consultation, response = _published(ctx)
    rows = responses.theme_csv_rows(ctx.db, response)
    return csv_download(f"{consultation.slug}-response.csv", responses.THEME_FIELDS, rows)


@page
def response_json(ctx: Ctx) -> Response:
    consultation, response = _published(ctx)
    summaries = responses.summarise(ctx.db, response)
    body = {
        "consultation": consultation.slug,
        "title": consultation.title,
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
            for row in article_matrix(ctx, consultation, summaries)
        ],
    }
    return json_download(f"{consultation.slug}-response.json", body)


routes = [
    Route("/c/{slug}/response", response_page, name="participation:response"),
    Route("/c/{slug}/response/edit", response_edit, methods=["GET", "POST"], name="participation:response_edit"),
    Route("/c/{slug}/response/themes", theme_save, methods=["POST"], name="participation:theme_save"),
    Route("/c/{slug}/response/assign", assign_comments, methods=["POST"], name="participation:assign"),
    Route("/c/{slug}/response/publish", response_publish, methods=["POST"], name="participation:response_publish"),
    Route("/c/{slug}/response.csv", response_csv, name="participation:response_csv"),
    Route("/c/{slug}/response.json", response_json, name="participation:response_json"),
]
