"""The JSON API under /api/v1/: paging rules shared by every list, the kernel's endpoints, and
the OpenAPI document generated from the endpoints' docstrings (the YAML after ``---``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.schemas import SchemaGenerator

from core import accounts
from core.errors import N_
from core.input import whole_number
from core.web import Ctx, page

PREFIX = "/api/v1"
T = TypeVar("T")
MAX_PER_PAGE = 200


def paging(ctx: Ctx, default_per_page: int = 50) -> tuple[int, int]:
    """(page, per_page) from the query string; nonsense is a 400, not a guess."""
    number = whole_number(ctx.query("page", "1"))
    per_page = whole_number(ctx.query("per_page", str(default_per_page)))
    if number is None or per_page is None:
        raise HTTPException(400, detail=N_("page and per_page must be whole numbers."))
    if number < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise HTTPException(400, detail=N_("page starts at 1; per_page is between 1 and 200."))
    return number, per_page


def paged(items: list[Any], number: int, per_page: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": number, "per_page": per_page, "total": total}


def page_of(everything: Sequence[T], number: int, per_page: int) -> list[T]:
    """Page `number` of a list that was read whole."""
    start = (number - 1) * per_page
    return list(everything[start : start + per_page])


def path_parameter(parameter: tuple[str, str]) -> str:
    """A path parameter (name, OpenAPI type) as one line of YAML flow style, for an endpoint's docstring."""
    name, type_ = parameter
    return f"{{name: {name}, in: path, required: true, schema: {{type: {type_}}}}}"


def agency_json(agency: accounts.Agency) -> dict[str, Any]:
    return {"slug": agency.slug, "name": agency.name, "name_en": agency.name_en}


@page
def list_agencies(ctx: Ctx) -> Response:
    """List the agencies.
    ---
    summary: The agencies that hold consultations and answer proposals
    tags: [agencies]
    responses:
      200:
        description: Every agency, by short name.
        content:
          application/json:
            schema:
              type: object
              properties:
                items:
                  type: array
                  items: {$ref: '#/components/schemas/Agency'}
    """
    return JSONResponse({"items": [agency_json(a) for a in accounts.list_agencies(ctx.db)]})


@page
def get_member(ctx: Ctx) -> Response:
    """A member's public profile.
    ---
    summary: A member's public profile (never their e-mail address)
    tags: [members]
    parameters:
      - {name: member_id, in: path, required: true, schema: {type: integer}}
    responses:
      200:
        description: The public profile.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Member'}
      404:
        description: No such member.
    """
    member = accounts.get_member(ctx.db, ctx.request.path_params["member_id"])
    organisation = {"name": member.org_name, "type": member.org_type} if member.org_name else None
    return JSONResponse({"id": member.id, "display_name": member.display_name, "organisation": organisation})


COMPONENTS: dict[str, dict[str, Any]] = {
    "schemas": {
        "Agency": {
            "type": "object",
            "properties": {"slug": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"}},
        },
        "Member": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "display_name": {"type": "string"},
                "organisation": {
                    "type": "object",
                    "nullable": True,
                    "properties": {"name": {"type": "string"}, "type": {"type": "string"}},
                },
            },
        },
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
                }
            },
        },
    }
}


def add_schemas(**schemas: dict[str, Any]) -> None:
    """Each package names the shapes its endpoints return, for the document's components."""
    COMPONENTS["schemas"].update(schemas)


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    generator = SchemaGenerator(
        {
            "openapi": "3.0.3",
            "info": {"title": "thinktank API", "version": "1"},
            "components": COMPONENTS,
        }
    )
    schema = generator.get_schema(routes)
    schema["paths"] = {path: ops for path, ops in schema["paths"].items() if path.startswith(PREFIX)}
    return schema


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(openapi_document(request.app.routes))


routes = [
    Route(f"{PREFIX}/openapi.json", openapi, include_in_schema=False, name="api:openapi"),
    Route(f"{PREFIX}/agencies", list_agencies, name="api:agencies"),
    Route(f"{PREFIX}/members/{{member_id:int}}", get_member, name="api:member"),
]
