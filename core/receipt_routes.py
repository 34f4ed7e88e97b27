"""A member's activity (`/me`): everything they contributed, newest first, each with what became
of it and its receipt code; and the receipt check (`/receipt/<code>`), open to anyone, which
shows a contribution and its fate but never who made it."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import receipts
from core.api import PREFIX
from core.errors import N_
from core.web import Ctx, page

PER_PAGE = 30


@page
def activity(ctx: Ctx) -> Response:
    member = ctx.require_member()
    number = ctx.int_query("page") or 1
    entries, total = receipts.activity(ctx.db, ctx.settings.secret_key, member, (number - 1) * PER_PAGE, PER_PAGE)
    return ctx.render(
        "core/activity.html",
        entries=entries,
        total=total,
        page=number,
        more=number * PER_PAGE < total,
    )


@page
def receipt_form(ctx: Ctx) -> Response:
    """Type a code (or arrive from a link with ?code=)."""
    typed = ctx.query("code").strip()
    if typed:
        return ctx.redirect(f"/receipt/{typed.upper()}")
    return ctx.render("core/receipt.html", fate=None, code="")


@page
def receipt(ctx: Ctx) -> Response:
    code = ctx.request.path_params["code"].upper()
    fate = receipts.check(ctx.db, ctx.settings.secret_key, code)
    if fate is None:
        raise HTTPException(404, detail=N_("No contribution has this receipt code. Check the code and try again."))
    return ctx.render("core/receipt.html", fate=fate, code=code)


@page
def api_receipt(ctx: Ctx) -> Response:
    """Check a receipt.
    ---
    summary: A contribution and what became of it, by its receipt code (never who made it)
    tags: [receipts]
    parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
    responses:
      200:
        description: The contribution, what it is on, and its fate.
      404:
        description: No contribution has this code.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    code = ctx.request.path_params["code"].upper()
    fate = receipts.check(ctx.db, ctx.settings.secret_key, code)
    if fate is None:
        raise HTTPException(404, detail=N_("No contribution has this receipt code. Check the code and try again."))
    return JSONResponse(receipts.as_json(receipts.Entry(code, fate)))


routes = [
    Route("/me", activity, name="core:activity"),
    Route("/receipt", receipt_form, name="core:receipt_form"),
    Route("/receipt/{code}", receipt, name="core:receipt"),
    Route(f"{PREFIX}/receipts/{{code}}", api_receipt, name="api:receipt"),
]
