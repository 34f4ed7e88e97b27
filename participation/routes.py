"""Consultation pages: list, create and revise (agency officials), read article by article,
compare versions, import comments received elsewhere; and feedback's shared pages (comments,
the structured response, the analysis) mounted under /c/<slug>."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import accounts, notify
from core.accounts import Role
from core.api import PREFIX, add_schemas, page_of, paged, paging
from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, csv_download, page
from deliberation import discussions, polls
from feedback import (
    analyses,
    analysis_routes,
    comment_routes,
    comments,
    importing,
    response_routes,
    responses,
    subjects,
)
from feedback.subjects import Subject
from participation import events, services
from participation.access import managed_consultation, visible_consultation
from participation.models import PHASE_LABELS, Consultation, Phase
from participation.subject import CONSULTATIONS


def _form_input(ctx: Ctx) -> services.ConsultationInput:
    return services.ConsultationInput(
        title=ctx.text("title"),
        summary=ctx.text("summary"),
        background=ctx.text("background"),
        text=ctx.text("text"),
        opens_at=ctx.local_datetime("opens_at"),
        closes_at=ctx.local_datetime("closes_at"),
        tags=ctx.text("tags"),
        contact=ctx.text("contact"),
        slug=ctx.text("slug").strip().lower(),
    )


def _form_values(ctx: Ctx) -> dict[str, str]:
    names = ("title", "summary", "background", "text", "opens_at", "closes_at", "tags", "contact", "slug", "note")
    return {name: ctx.text(name) for name in names}


# --- reading -------------------------------------------------------------------------------------------


@page
def consultation_list(ctx: Ctx) -> Response:
    agency_id = ctx.member.agency_id if ctx.member and Role.agency_official in ctx.roles else None
    consultations = services.list_consultations(ctx.db, include_drafts_of=agency_id)
    agencies = {a.id: a for a in accounts.list_agencies(ctx.db)}
    order = [Phase.open, Phase.upcoming, Phase.closed, Phase.responded, Phase.draft]
    grouped = {phase: [c for c in consultations if c.phase() == phase] for phase in order}
    return ctx.render(
        "participation/list.html",
        grouped=grouped,
        agencies=agencies,
        phase_labels=PHASE_LABELS,
        can_create=Role.agency_official in ctx.roles and ctx.member is not None and ctx.member.agency_id is not None,
    )


def _detail_page(
    ctx: Ctx, consultation: Consultation, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    subject = services.subject_of(consultation)
    version = services.latest_version(ctx.db, consultation)
    shown, letters = comment_routes.listed(ctx, subject, {})
    counts = comments.comment_counts(ctx.db, "consultation", pk(consultation))
    return ctx.render(
        "participation/detail.html",
        status,
        consultation=consultation,
        agency=ctx.db.get(accounts.Agency, consultation.agency_id),
        version=version,
        versions=services.versions_of(ctx.db, consultation),
        articles=services.articles_of(ctx.db, version),
        counts=counts,
        folded=ctx.query("draft") == "headings",
        total_comments=sum(sum(by_stance.values()) for by_stance in counts.values()),
        phase=consultation.phase(),
        phase_labels=PHASE_LABELS,
        can_manage=services.can_manage(ctx.member, ctx.roles, consultation),
        response=responses.response_for(ctx.db, "consultation", pk(consultation)),
        following=notify.is_following(ctx.db, ctx.member, "consultation", pk(consultation)),
        related=subjects.related(ctx.db, subject),
        discussions=discussions.list_discussions(ctx.db, "consultation", pk(consultation)),
        subject_polls=polls.polls_on(ctx.db, "consultation", pk(consultation)),
        analysis_published=analyses.is_published(ctx.db, "consultation", pk(consultation)),
        values=values,
        errors=errors,
        **comment_routes.comment_context(ctx, subject, shown, letters=letters),
        **comment_routes.comment_form(ctx, subject),
    )


@page
def consultation_detail(ctx: Ctx) -> Response:
    consultation = visible_consultation(ctx)
    chosen = ctx.int_query("article")
    # "Comment on this article" links here with ?article=N: the form starts on that article,
    # with its text ready to edit into an amendment.
    articles = services.articles_of(ctx.db, services.latest_version(ctx.db, consultation))
    prefill = next((a.body for a in articles if a.number == chosen), "")
    values = {"article": "" if chosen is None else str(chosen), "stance": "", "text": "", "amendment": prefill}
    return _detail_page(ctx, consultation, values, {})


@page
def versions(ctx: Ctx) -> Response:
    consultation = visible_consultation(ctx)
    all_versions = services.versions_of(ctx.db, consultation)
    newest = all_versions[-1].number
    to_number = ctx.int_query("to") or newest
    from_number = ctx.int_query("from") or max(1, to_number - 1)
    old = services.get_version(ctx.db, consultation, from_number)
    new = services.get_version(ctx.db, consultation, to_number)
    return ctx.render(
        "participation/versions.html",
        consultation=consultation,
        versions=all_versions,
        old=old,
        new=new,
        changes=services.compare_versions(ctx.db, old, new),
    )


# --- agency officials ------------------------------------------------------------------------------------


def _form_page(
    ctx: Ctx,
    agency: accounts.Agency | None,
    consultation: Consultation | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return ctx.render(
        "participation/form.html", status, values=values, errors=errors, agency=agency, consultation=consultation
    )


@page
def consultation_new(ctx: Ctx) -> Response:
    member = ctx.require_role(Role.agency_official)
    if member.agency_id is None:
        raise HTTPException(403, detail=N_("Your account is not attached to an agency."))
    agency = ctx.db.get(accounts.Agency, member.agency_id)
    assert agency is not None
    if ctx.request.method == "GET":
        return _form_page(ctx, agency, None, {}, {})
    try:
        consultation = services.create_consultation(ctx.db, agency, member, _form_input(ctx))
    except Invalid as invalid:
        return _form_page(ctx, agency, None, _form_values(ctx), invalid.errors, 400)
    ctx.flash(N_("The consultation is saved as a draft. Publish it when it is ready."))
    return ctx.redirect(ctx.url("participation:detail", slug=consultation.slug))


@page
def consultation_edit(ctx: Ctx) -> Response:
    consultation = managed_consultation(ctx)
    agency = ctx.db.get(accounts.Agency, consultation.agency_id)
    if ctx.request.method == "GET":
        values = {
            "title": consultation.title,
            "summary": consultation.summary,
            "background": consultation.background,
            "text": services.latest_version(ctx.db, consultation).text,
            "opens_at": consultation.opens_at,
            "closes_at": consultation.closes_at,
            "tags": consultation.tags,
            "contact": consultation.contact,
            "slug": consultation.slug,
            "note": "",
        }
        return _form_page(ctx, agency, consultation, values, {})
    try:
        version = services.update_consultation(
            ctx.db, consultation, ctx.require_member(), _form_input(ctx), note=ctx.text("note")
        )
    except Invalid as invalid:
        return _form_page(ctx, agency, consultation, _form_values(ctx), invalid.errors, 400)
    if version is not None and consultation.published_at is not None:
        events.draft_revised(ctx.db, ctx.queue, consultation, version.number)
    ctx.flash(N_("A new version of the draft is published.") if version else N_("Saved."))
    return ctx.redirect(ctx.url("participation:detail", slug=consultation.slug))


@page
def consultation_publish(ctx: Ctx) -> Response:
    consultation = managed_consultation(ctx)
    if consultation.published_at is None:
        services.publish_consultation(ctx.db, consultation)
        events.consultation_published(ctx.db, ctx.queue, consultation)
    ctx.flash(N_("The consultation is public."))
    return ctx.redirect(ctx.url("participation:detail", slug=consultation.slug))


@page
def comments_import(ctx: Ctx) -> Response:
    """Officials upload comments received by e-mail or on paper; the worker imports them."""
    consultation = managed_consultation(ctx)
    names = ("text_column", "id_column", "author_column", "article_column", "stance_column")
    values = {name: ctx.text(name) for name in names}
    if ctx.request.method == "GET":
        return ctx.render("participation/import.html", consultation=consultation, values=values, errors={}, params={})
    upload = ctx.form.get("file")
    errors: dict[str, str] = {}
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = N_("Choose a CSV file.")
    if not values["text_column"].strip():
        errors["text_column"] = N_("Name the column that holds the comment text.")
    columns = importing.Columns(*(values[name].strip() for name in names))
    params: dict[str, object] = {}
    if not errors and isinstance(upload, UploadFile):
        data = upload.file.read()
        try:
            importing.check_columns(importing.decode(data), columns)
        except Invalid as invalid:
            errors, params = invalid.errors, invalid.params
    if errors or not isinstance(upload, UploadFile):
        return ctx.render(
            "participation/import.html", 400, consultation=consultation, values=values, errors=errors, params=params
        )
    folder = ctx.settings.var_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}.csv"
    path.write_bytes(data)
    job = ctx.queue.submit(
        ctx.db,
        "import_comments",
        {
            "path": str(path),
            "subject_kind": "consultation",
            "subject_id": pk(consultation),
            "columns": dataclasses.asdict(columns),
        },
        requested_by=pk(ctx.require_member()),
    )
    return ctx.redirect(ctx.url("core:job", job_id=job.id))


add_schemas(
    Consultation={
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "phase": {"type": "string", "enum": [p.value for p in Phase if p != Phase.draft]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "opens_at": {"type": "string", "format": "date-time"},
            "closes_at": {"type": "string", "format": "date-time"},
            "url": {"type": "string"},
        },
    }
)
CSV_FIELDS = ["slug", "title", "agency", "phase", "tags", "opens_at", "closes_at", "url"]


@page
def consultation_list_csv(ctx: Ctx) -> Response:
    """The published consultations, as the list page shows them to the public."""
    agencies = {a.id: a.name for a in accounts.list_agencies(ctx.db)}
    rows = []
    for c in services.list_consultations(ctx.db):
        row = {**services.consultation_json(c), "agency": agencies[c.agency_id]}
        rows.append([*(row[f] for f in CSV_FIELDS[:4]), "; ".join(row["tags"]), *(row[f] for f in CSV_FIELDS[5:])])
    return csv_download("consultations.csv", CSV_FIELDS, rows)


@page
def api_consultations(ctx: Ctx) -> Response:
    """Published consultations.
    ---
    summary: Published consultations, newest first
    tags: [consultations]
    parameters:
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
    responses:
      200:
        description: A page of consultations.
        content:
          application/json:
            schema:
              type: object
              properties:
                items:
                  type: array
                  items: {$ref: '#/components/schemas/Consultation'}
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
    everything = services.list_consultations(ctx.db)
    items = [services.consultation_json(c) for c in page_of(everything, number, per_page)]
    return JSONResponse(paged(items, number, per_page, len(everything)))


def _shown_again(ctx: Ctx, subject: Subject, values: dict[str, str], errors: dict[str, str], status: int) -> Response:
    return _detail_page(ctx, subject.record, values, errors, status)


routes = [
    Route("/c", consultation_list, name="participation:list"),
    Route("/c.csv", consultation_list_csv, name="participation:list_csv"),
    Route("/c/new", consultation_new, methods=["GET", "POST"], name="participation:new"),
    Route("/c/{slug}", consultation_detail, name="participation:detail"),
    Route("/c/{slug}/edit", consultation_edit, methods=["GET", "POST"], name="participation:edit"),
    Route("/c/{slug}/publish", consultation_publish, methods=["POST"], name="participation:publish"),
    Route("/c/{slug}/import", comments_import, methods=["GET", "POST"], name="participation:import"),
    Route("/c/{slug}/versions", versions, name="participation:versions"),
    Route(f"{PREFIX}/consultations", api_consultations, name="api:consultations"),
    *comment_routes.routes_for(CONSULTATIONS, _shown_again),
    *response_routes.routes_for(CONSULTATIONS),
    *analysis_routes.routes_for(CONSULTATIONS),
]
