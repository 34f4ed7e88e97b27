"""Polls in the JSON API: the list, and one poll with its result once the result may be seen."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.api import PREFIX, add_schemas, page_of, paged, paging
from core.web import Ctx, page
from deliberation import budgets, polls
from deliberation.poll_models import Poll

add_schemas(
    Poll={
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "question": {"type": "string"},
            "method": {
                "type": "string",
                "description": "single, multiple, approval, ranked, score, or a budget method: budget_knapsack"
                " (a ballot's projects must fit params.total) or budget_approval (at most params.max_projects)",
            },
            "status": {"type": "string", "enum": ["upcoming", "open", "closed"]},
            "opens_at": {"type": "string", "format": "date-time"},
            "closes_at": {"type": "string", "format": "date-time"},
            "hide_results": {"type": "boolean"},
            "ballots": {"type": "integer"},
            "url": {"type": "string"},
        },
    },
    PollDetail={
        "allOf": [
            {"$ref": "#/components/schemas/Poll"},
            {
                "type": "object",
                "properties": {
                    "options": {
                        "type": "array",
                        "items": {"type": "object"},
                        "description": "id, label, image_alt; a budget's projects also cost, description, place_code,"
                        " proposal_id",
                    },
                    "params": {"type": "object"},
                    "results_visible": {"type": "boolean"},
                    "result": {
                        "type": "object",
                        "nullable": True,
                        "description": "{method, ballots, results, rounds, head}; null while results are hidden",
                    },
                    "ballot_file": {"type": "string", "nullable": True},
                },
            },
        ]
    },
)


def _row(ctx: Ctx, poll: Poll) -> dict[str, Any]:
    return {
        "slug": poll.slug,
        "question": poll.question,
        "method": poll.method,
        "status": polls.status(poll),
        "opens_at": poll.opens_at.isoformat(),
        "closes_at": poll.closes_at.isoformat(),
        "hide_results": poll.hide_results,
        "ballots": polls.ballot_count(ctx.db, poll),
        "url": f"/polls/{poll.slug}",
    }


@page
def api_polls(ctx: Ctx) -> Response:
    """Polls.
    ---
    summary: Polls, newest first, each with its method and status (no results here)
    tags: [polls]
    parameters:
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
    responses:
      200:
        description: A page of polls.
        content:
          application/json:
            schema:
              type: object
              properties:
                items:
                  type: array
                  items: {$ref: '#/components/schemas/Poll'}
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
    everything = polls.list_polls(ctx.db)
    items = [_row(ctx, poll) for poll in page_of(everything, number, per_page)]
    return JSONResponse(paged(items, number, per_page, len(everything)))


@page
def api_poll(ctx: Ctx) -> Response:
    """One poll.
    ---
    summary: One poll, its options, and its result when it may be seen (hidden results stay null until it closes)
    tags: [polls]
    parameters:
      - {name: slug, in: path, required: true, schema: {type: string}}
    responses:
      200:
        description: The poll.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/PollDetail'}
      404:
        description: No such poll.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    poll = polls.get_poll(ctx.db, ctx.request.path_params["slug"])
    visible = polls.results_visible(poll)
    closed = polls.status(poll) == "closed"
    options = [
        {"id": o.key, "label": o.label, "image_alt": o.image_alt, **budgets.project_fields(o)}
        for o in polls.options_of(ctx.db, poll)
    ]
    return JSONResponse(
        {
            **_row(ctx, poll),
            "description": poll.description,
            "options": options,
            "params": polls.params_of(poll),
            "results_visible": visible,
            "result": polls.current_tally(ctx.db, poll) if visible else None,
            "ballot_file": f"/polls/{poll.slug}/ballots.jsonl" if closed else None,
            "published_at": poll.published_at.isoformat() if poll.published_at else None,
        }
    )


routes = [
    Route(f"{PREFIX}/polls", api_polls, name="api:polls"),
    Route(f"{PREFIX}/polls/{{slug}}", api_poll, name="api:poll"),
]
