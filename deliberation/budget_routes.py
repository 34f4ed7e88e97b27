"""Budget pages: creating a budget with its projects, adding projects (typed, or from the agency's
accepted proposals) before it opens, its results explained, and the outcome as CSV. Voting, the
live count, receipts, paper codes and the ballot file are the poll's pages (`poll_routes`)."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from core.errors import N_, Invalid
from core.web import Ctx, csv_download, page
from deliberation import budgets, polls
from deliberation.poll_models import ELIGIBILITY, Poll

FORM_FIELDS = (
    *("title", "description", "total", "rule", "method", "max_projects", "projects"),
    *("opens_at", "closes_at", "eligibility", "places"),
)
PROJECT_FIELDS = ("title", "cost", "place_code", "description")


def _budget(ctx: Ctx) -> Poll:
    poll = polls.get_poll(ctx.db, ctx.request.path_params["slug"])
    if not budgets.is_budget(poll):
        raise HTTPException(404, detail=N_("This poll is not a budget."))
    return poll


def _managed(ctx: Ctx) -> Poll:
    ctx.require_member()
    poll = _budget(ctx)
    if not polls.can_manage(ctx.member, ctx.roles, poll):
        raise HTTPException(403, detail=N_("Only the poll's agency can do this."))
    return poll


def _labels() -> dict[str, Any]:
    return {"method_labels": budgets.METHOD_LABELS, "rule_labels": budgets.RULE_LABELS}


@page
def budget_new(ctx: Ctx) -> Response:
    member = ctx.require_member()
    if not polls.can_create(ctx.db, member, ctx.roles, None):
        raise HTTPException(403, detail=N_("Your account does not have the role needed for this."))
    values = {name: ctx.text(name) for name in FORM_FIELDS}
    context = {"values": values, "eligibility_labels": ELIGIBILITY, **_labels()}
    if ctx.request.method == "GET":
        return ctx.render("deliberation/budgets/new.html", errors={}, **context)
    try:
        poll = budgets.create_budget(
            ctx.db,
            member,
            title=values["title"],
            description=values["description"],
            total=ctx.int_field("total"),
            rule=values["rule"],
            method=values["method"],
            max_projects=ctx.int_field("max_projects"),
            projects=budgets.parse_projects(values["projects"]),
            opens_at=ctx.local_datetime("opens_at"),
            closes_at=ctx.local_datetime("closes_at"),
            eligibility=values["eligibility"] or "members",
            places=values["places"],
            hide_results=bool(ctx.text("hide_results")),
            allow_change=not ctx.text("no_change"),
        )
    except Invalid as invalid:
        errors = {("projects" if key == "options" else key): msg for key, msg in invalid.errors.items()}
        return ctx.render("deliberation/budgets/new.html", 400, errors=errors, error_params=invalid.params, **context)
    ctx.flash(N_("The budget is saved. It opens at the time you gave."))
    return ctx.redirect(ctx.url("deliberation:budget_projects", slug=poll.slug))


def _projects_page(ctx: Ctx, poll: Poll, status: int = 200, **extra: Any) -> Response:
    return ctx.render(
        "deliberation/budgets/projects.html",
        status,
        poll=poll,
        options=polls.options_of(ctx.db, poll),
        params=polls.params_of(poll),
        state=polls.status(poll),
        importable=budgets.importable_proposals(ctx.db, poll),
        **{"errors": {}, "error_params": {}, "values": dict.fromkeys(PROJECT_FIELDS, ""), **_labels(), **extra},
    )


@page
def budget_projects(ctx: Ctx) -> Response:
    poll = _managed(ctx)
    if ctx.request.method == "GET":
        return _projects_page(ctx, poll)
    values = {name: ctx.text(name) for name in PROJECT_FIELDS}
    draft = budgets.ProjectDraft(values["title"], ctx.int_field("cost"), values["description"], values["place_code"])
    try:
        budgets.add_projects(ctx.db, poll, [draft])
    except Invalid as invalid:
        return _projects_page(ctx, poll, 400, errors=invalid.errors, error_params=invalid.params, values=values)
    ctx.flash(N_("The project is added."))
    return ctx.redirect(ctx.url("deliberation:budget_projects", slug=poll.slug))


@page
def budget_import(ctx: Ctx) -> Response:
    poll = _managed(ctx)
    chosen = [raw for raw in ctx.form.getlist("proposal") if isinstance(raw, str)]
    if not all(raw.isdigit() and len(raw) <= 10 for raw in chosen):
        raise HTTPException(400, detail=N_("Choose proposals of this agency that are not projects yet."))
    costs = {int(raw): ctx.int_field(f"cost-{raw}") for raw in chosen}
    try:
        budgets.import_proposals(ctx.db, poll, costs)
    except Invalid as invalid:
        return _projects_page(ctx, poll, 400, errors=invalid.errors, error_params=invalid.params)
    ctx.flash(N_("The proposals are added as projects."))
    return ctx.redirect(ctx.url("deliberation:budget_projects", slug=poll.slug))


def _visible_outcome(ctx: Ctx, poll: Poll) -> dict[str, Any] | None:
    return budgets.outcome(ctx.db, poll) if polls.results_visible(poll) else None


@page
def budget_results(ctx: Ctx) -> Response:
    poll = _budget(ctx)
    return ctx.render(
        "deliberation/budgets/results.html",
        poll=poll,
        outcome=_visible_outcome(ctx, poll),
        labels={o.key: o.label for o in polls.options_of(ctx.db, poll)},
        state=polls.status(poll),
        full=True,
        **_labels(),
    )


@page
def budget_outcome_csv(ctx: Ctx) -> Response:
    poll = _budget(ctx)
    if not polls.results_visible(poll):
        raise HTTPException(404, detail=N_("Results are hidden until the poll closes."))
    return csv_download(f"{poll.slug}-outcome.csv", budgets.OUTCOME_HEADER, budgets.outcome_rows(ctx.db, poll))


routes = [
    Route("/budgets/new", budget_new, methods=["GET", "POST"], name="deliberation:budget_new"),
    Route("/budgets/{slug}/projects", budget_projects, methods=["GET", "POST"], name="deliberation:budget_projects"),
    Route("/budgets/{slug}/import", budget_import, methods=["POST"], name="deliberation:budget_import"),
    Route("/budgets/{slug}/results", budget_results, name="deliberation:budget_results"),
    Route("/budgets/{slug}/outcome.csv", budget_outcome_csv, name="deliberation:budget_outcome_csv"),
]
