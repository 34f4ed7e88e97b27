"""Consultation pages: list, create and revise (agency officials), read article by article,
compare versions, comment (citizens), and the comments as open data."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bills import links as bill_links
from core import accounts, notify
from core.accounts import Role
from core.api import PREFIX, paged, paging
from core.db import pk
from core.errors import N_, Invalid
from core.web import Ctx, csv_download, json_download, page
from deliberation import discussions
from participation import analyses, analysis_views, drafts, events, importing, responses, services
from participation.access import managed_consultation, visible_consultation
from participation.models import DECISION_LABELS, PHASE_LABELS, STANCE_LABELS, Article, Comment, Consultation, Phase

PAGE_SIZE = 30


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


def _article_texts(session: Session, consultation: Consultation) -> dict[tuple[int, int], Article]:
    """(version, article number) -> article, to show each amendment against the text it amends."""
    found = {}
    for version in services.versions_of(session, consultation):
        for article in services.articles_of(session, version):
            found[(version.number, article.number)] = article
    return found


def _comment_context(ctx: Ctx, consultation: Consultation, comments: list[Comment]) -> dict[str, Any]:
    # "Where did my comment go": once the response is out, each comment shows the theme it is in.
    response = responses.response_for(ctx.db, "consultation", pk(consultation))
    placed = {}
    if response is not None and response.published_at is not None:
        placed = responses.theme_of_comments(ctx.db, response, [pk(c) for c in comments])
    return {
        "placed": placed,
        "decision_labels": DECISION_LABELS,
        "comments": comments,
        "authors": services.authors_of(ctx.db, comments),
        "article_texts": _article_texts(ctx.db, consultation),
        "stance_labels": STANCE_LABELS,
        "diff_text": drafts.diff_text,
        "can_edit": services.can_edit,
        "next_before": comments[-1].id if len(comments) == PAGE_SIZE else None,
    }


def _detail_page(
    ctx: Ctx, consultation: Consultation, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    version = services.latest_version(ctx.db, consultation)
    comments = services.list_comments(ctx.db, "consultation", pk(consultation), limit=PAGE_SIZE)
    counts = services.comment_counts(ctx.db, "consultation", pk(consultation))
    return ctx.render(
        "participation/detail.html",
        status,
        consultation=consultation,
        agency=ctx.db.get(accounts.Agency, consultation.agency_id),
        version=version,
        versions=services.versions_of(ctx.db, consultation),
        articles=services.articles_of(ctx.db, version),
        counts=counts,
        total_comments=sum(sum(by_stance.values()) for by_stance in counts.values()),
        phase=consultation.phase(),
        phase_labels=PHASE_LABELS,
        can_manage=services.can_manage(ctx.member, ctx.roles, consultation),
        response=responses.response_for(ctx.db, "consultation", pk(consultation)),
        following=notify.is_following(ctx.db, ctx.member, "consultation", pk(consultation)),
        bills=bill_links.bills_of(ctx.db, consultation),
        discussions=discussions.list_discussions(ctx.db, "consultation", pk(consultation)),
        analysis_published=analyses.is_published(ctx.db, "consultation", pk(consultation)),
        values=values,
        errors=errors,
        filters={"article": None, "stance": ""},
        **_comment_context(ctx, consultation, comments),
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
def comment_list(ctx: Ctx) -> Response:
    """The comment list, filtered and paged; HTMX asks for just the next slice of items."""
    consultation = visible_consultation(ctx)
    article, stance = ctx.int_query("article"), ctx.query("stance")
    if stance and stance not in STANCE_LABELS:
        raise HTTPException(400)
    comments = services.list_comments(
        ctx.db,
        "consultation",
        pk(consultation),
        article=article,
        stance=stance or None,
        before=ctx.int_query("before"),
        limit=PAGE_SIZE,
    )
    context = _comment_context(ctx, consultation, comments)
    return ctx.render(
        "participation/comments.html",
        partial="participation/_comment_page.html",
        consultation=consultation,
        filters={"article": article, "stance": stance},
        **context,
    )


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
        {"path": str(path), "consultation": consultation.slug, "columns": dataclasses.asdict(columns)},
        requested_by=pk(ctx.require_member()),
    )
    return ctx.redirect(ctx.url("core:job", job_id=job.id))


# --- citizens' comments ------------------------------------------------------------------------------------


@page
def comment_create(ctx: Ctx) -> Response:
    member = ctx.contributor()
    consultation = visible_consultation(ctx)
    raw_article = ctx.text("article")
    values = {k: ctx.text(k) for k in ("article", "stance", "text", "amendment")}
    try:
        article = int(raw_article) if raw_article else None
    except ValueError:
        article = -1  # not an article: the service says so
    try:
        comment = services.comment_on_consultation(
            ctx.db, consultation, member, ctx.text("stance"), ctx.text("text"), article, ctx.text("amendment")
        )
    except Invalid as invalid:
        return _detail_page(ctx, consultation, values, invalid.errors, 400)
    ctx.flash(N_("Thank you. Your comment is published."))
    return ctx.redirect(ctx.url("participation:detail", slug=consultation.slug) + f"#comment-{comment.id}")


@page
def comment_edit(ctx: Ctx) -> Response:
    member = ctx.require_member()
    comment = services.get_comment(ctx.db, ctx.request.path_params["comment_id"])
    if comment.subject_kind != "consultation" or comment.author_id != member.id:
        raise HTTPException(403)
    consultation = ctx.db.get(Consultation, comment.subject_id)
    assert consultation is not None
    values = {"stance": comment.stance, "text": comment.text, "amendment": comment.amendment}
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        values = {k: ctx.text(k) for k in ("stance", "text", "amendment")}
        version = services.latest_version(ctx.db, consultation)
        numbers = {a.number for a in services.articles_of(ctx.db, version)}
        try:
            services.edit_comment(
                ctx.db, comment, member, values["stance"], values["text"], values["amendment"], numbers
            )
        except Invalid as invalid:
            errors = invalid.errors
        else:
            ctx.flash(N_("Your comment is updated."))
            return ctx.redirect(ctx.url("participation:detail", slug=consultation.slug) + f"#comment-{comment.id}")
    return ctx.render(
        "participation/comment_edit.html",
        400 if errors else 200,
        comment=comment,
        consultation=consultation,
        values=values,
        errors=errors,
        stance_labels=STANCE_LABELS,
        editable=services.can_edit(comment),
    )


# --- open data ---------------------------------------------------------------------------------------------------

OPEN_DATA_FIELDS = ["id", "created_at", "author", "article", "version", "stance", "text", "amendment", "source"]


def _open_rows(ctx: Ctx, consultation: Consultation) -> list[dict[str, Any]]:
    comments = services.list_comments(ctx.db, "consultation", pk(consultation), limit=10**9)
    comments.reverse()
    return [_open_row(ctx, consultation, c) for c in comments]


def _open_row(ctx: Ctx, consultation: Consultation, comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "created_at": comment.created_at.isoformat(),
        "author": services.pseudonym(ctx.settings.secret_key, "consultation", pk(consultation), comment),
        "article": comment.article,
        "version": comment.version,
        "stance": comment.stance,
        "text": comment.text,
        "amendment": comment.amendment,
        "source": comment.source,
    }


@page
def comments_csv(ctx: Ctx) -> Response:
    consultation = visible_consultation(ctx)
    rows = ([row[field] for field in OPEN_DATA_FIELDS] for row in _open_rows(ctx, consultation))
    return csv_download(f"{consultation.slug}-comments.csv", OPEN_DATA_FIELDS, rows)


@page
def comments_json(ctx: Ctx) -> Response:
    consultation = visible_consultation(ctx)
    body = {"consultation": _consultation_json(consultation), "comments": _open_rows(ctx, consultation)}
    return json_download(f"{consultation.slug}-comments.json", body)


def _consultation_json(consultation: Consultation) -> dict[str, Any]:
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "summary": consultation.summary,
        "phase": consultation.phase().value,
        "tags": consultation.tag_list,
        "opens_at": consultation.opens_at.isoformat(),
        "closes_at": consultation.closes_at.isoformat(),
        "url": f"/c/{consultation.slug}",
    }


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
      400:
        description: Bad paging parameters.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    number, per_page = paging(ctx)
    everything = services.list_consultations(ctx.db)
    start = (number - 1) * per_page
    items = [_consultation_json(c) for c in everything[start : start + per_page]]
    return JSONResponse(paged(items, number, per_page, len(everything)))


@page
def api_comments(ctx: Ctx) -> Response:
    """A consultation's comments.
    ---
    summary: A consultation's comments with pseudonymous authors, oldest first
    tags: [consultations]
    parameters:
      - {name: slug, in: path, required: true, schema: {type: string}}
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
    responses:
      200:
        description: A page of comments.
      404:
        description: No such consultation.
    """
    consultation = visible_consultation(ctx)
    number, per_page = paging(ctx)
    page_items, total = services.comment_page(ctx.db, "consultation", pk(consultation), number, per_page)
    items = [_open_row(ctx, consultation, c) for c in page_items]
    return JSONResponse(paged(items, number, per_page, total))


def _analysis_subject(ctx: Ctx) -> analysis_views.Subject:
    consultation = visible_consultation(ctx)
    articles = services.articles_of(ctx.db, services.latest_version(ctx.db, consultation))
    return analysis_views.Subject(
        "consultation",
        pk(consultation),
        consultation.title,
        f"/c/{consultation.slug}",
        services.can_manage(ctx.member, ctx.roles, consultation),
        {a.number: a.heading for a in articles if a.heading},
    )


routes = [
    Route("/c", consultation_list, name="participation:list"),
    Route("/c/new", consultation_new, methods=["GET", "POST"], name="participation:new"),
    Route("/c/{slug}", consultation_detail, name="participation:detail"),
    Route("/c/{slug}/edit", consultation_edit, methods=["GET", "POST"], name="participation:edit"),
    Route("/c/{slug}/publish", consultation_publish, methods=["POST"], name="participation:publish"),
    Route("/c/{slug}/import", comments_import, methods=["GET", "POST"], name="participation:import"),
    Route("/c/{slug}/versions", versions, name="participation:versions"),
    Route("/c/{slug}/comments", comment_list, name="participation:comments"),
    Route("/c/{slug}/comments", comment_create, methods=["POST"], name="participation:comment"),
    Route("/c/{slug}/comments.csv", comments_csv, name="participation:comments_csv"),
    Route("/c/{slug}/comments.json", comments_json, name="participation:comments_json"),
    Route("/comments/{comment_id:int}/edit", comment_edit, methods=["GET", "POST"], name="participation:comment_edit"),
    Route(f"{PREFIX}/consultations", api_consultations, name="api:consultations"),
    Route(f"{PREFIX}/consultations/{{slug}}/comments", api_comments, name="api:consultation_comments"),
    *analysis_views.routes_for("/c/{slug}", "participation", _analysis_subject),
]
