"""Bills in the JSON API: the filtered list, and one bill with its timeline, articles, linked
consultations and the feedback it has received per article."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bills import links, services
from bills.models import Bill
from bills.routes import filters_from
from core.api import PREFIX, paged, paging
from core.db import pk
from core.web import Ctx, page
from feedback import comments


def _summary(bill: Bill, comments: int) -> dict[str, Any]:
    return {
        "id": bill.id,
        **services.fields_json(bill),
        "last_action_on": bill.last_action_on.isoformat() if bill.last_action_on else None,
        "comments": comments,
        "url": f"/bills/{bill.id}",
    }


@page
def api_bills(ctx: Ctx) -> Response:
    """Bills, latest action first.
    ---
    summary: Bills, filtered as on the bill list, latest action first
    tags: [bills]
    parameters:
      - {name: stage, in: query, schema: {type: string}, description: "A stage key from /stages"}
      - {name: source, in: query, schema: {type: string, enum: [tw-ly, us-congress, manual]}}
      - {name: committee, in: query, schema: {type: string}}
      - {name: sponsor, in: query, schema: {type: string}, description: "Sponsor or co-signer"}
      - {name: since, in: query, schema: {type: string, format: date}, description: "Last action on or after"}
      - {name: until, in: query, schema: {type: string, format: date}, description: "Last action on or before"}
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
    responses:
      200:
        description: A page of bills, each with its count of public comments.
      400:
        description: A bad filter or paging parameter.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    filters = filters_from(ctx)
    number, per_page = paging(ctx)
    found = services.list_bills(ctx.db, limit=per_page, offset=(number - 1) * per_page, **filters)
    counts = services.feedback_counts(ctx.db, [pk(b) for b in found])
    items = [_summary(b, counts.get(pk(b), 0)) for b in found]
    return JSONResponse(paged(items, number, per_page, services.count_bills(ctx.db, **filters)))


@page
def api_bill(ctx: Ctx) -> Response:
    """One bill.
    ---
    summary: One bill with its timeline, articles, linked consultations and feedback per article
    tags: [bills]
    parameters:
      - {name: bill_id, in: path, required: true, schema: {type: integer}}
    responses:
      200:
        description: The bill.
      404:
        description: No such bill.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    bill = services.get_bill(ctx.db, ctx.request.path_params["bill_id"])
    counts = comments.comment_counts(ctx.db, "bill", pk(bill))
    return JSONResponse(
        {
            **_summary(bill, sum(sum(by_stance.values()) for by_stance in counts.values())),
            **services.as_json(ctx.db, bill),
            "summary": bill.summary,
            "introduced_on": bill.introduced_on.isoformat() if bill.introduced_on else None,
            "official_url": bill.url,
            "related": bill.names("related"),
            "articles": [
                {
                    "number": a.number,
                    "heading": a.heading,
                    "proposed": a.proposed,
                    "current": a.current,
                    "explanation": a.explanation,
                    "feedback": counts.get(a.number, {}),
                }
                for a in services.articles_of(ctx.db, bill)
            ],
            "feedback_on_whole_bill": counts.get(None, {}),
            "consultations": [
                {"slug": c.ref, "title": c.title, "url": c.path} for c in links.consultations_of(ctx.db, bill)
            ],
        }
    )


routes = [
    Route(f"{PREFIX}/bills", api_bills, name="api:bills"),
    Route(f"{PREFIX}/bills/{{bill_id:int}}", api_bill, name="api:bill"),
]
