"""Conversations and discussions as open data: the JSON API (conversations with their accepted
statements, vote counts and latest opinion groups; forum threads with their posts) and the CSV
downloads beside the pages that list them."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import accounts
from core.api import PREFIX, add_schemas, agency_json, page_of, paged, paging
from core.db import pk
from core.web import Ctx, csv_download, page
from deliberation import discussions, services
from deliberation.discussions import Node
from deliberation.models import Conversation, Discussion, Statement, StatementStatus

_STRING, _INTEGER, _MOMENT = {"type": "string"}, {"type": "integer"}, {"type": "string", "format": "date-time"}
_COUNTS = {"agree": _INTEGER, "disagree": _INTEGER, "pass": _INTEGER}
add_schemas(
    Conversation={
        "type": "object",
        "properties": {
            "slug": _STRING,
            "topic": _STRING,
            "agency": {"allOf": [{"$ref": "#/components/schemas/Agency"}], "nullable": True},
            "source": {"type": "string", "enum": ["web", "polis"]},
            "created_at": _MOMENT,
            "closed_at": {**_MOMENT, "nullable": True},
            "statement_count": {**_INTEGER, "description": "Accepted statements"},
            "participants": _INTEGER,
            "url": _STRING,
        },
    },
    ConversationDetail={
        "allOf": [
            {"$ref": "#/components/schemas/Conversation"},
            {
                "type": "object",
                "properties": {
                    "description": {"type": "string", "description": "Markdown"},
                    "statements": {"type": "array", "items": {"$ref": "#/components/schemas/Statement"}},
                    "groups": {"allOf": [{"$ref": "#/components/schemas/OpinionGroups"}], "nullable": True},
                },
            },
        ]
    },
    Statement={
        "type": "object",
        "properties": {"id": _INTEGER, "text": _STRING, "seed": {"type": "boolean"}, **_COUNTS},
    },
    OpinionGroups={
        "type": "object",
        "description": "The groups last computed from the votes (Pol.is's method), null before the first",
        "properties": {
            "computed_at": _MOMENT,
            "votes": {**_INTEGER, "description": "The votes they were computed from"},
            "groups": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "group": _INTEGER,
                        "participants": _INTEGER,
                        "representative": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "statement": _INTEGER,
                                    "text": _STRING,
                                    "direction": {"type": "string", "enum": ["agree", "disagree"]},
                                    "probability": {"type": "number"},
                                },
                            },
                        },
                    },
                },
            },
            "consensus": {"type": "array", "items": _INTEGER, "description": "Statements every group agrees on"},
        },
    },
    Discussion={
        "type": "object",
        "properties": {
            "id": _INTEGER,
            "title": _STRING,
            "created_at": _MOMENT,
            "last_post_at": _MOMENT,
            "post_count": _INTEGER,
            "url": _STRING,
        },
    },
    DiscussionDetail={
        "allOf": [
            {"$ref": "#/components/schemas/Discussion"},
            {
                "type": "object",
                "properties": {
                    "about": {
                        "type": "object",
                        "nullable": True,
                        "description": "What the thread discusses; null in the forum",
                        "properties": {"title": _STRING, "url": _STRING},
                    },
                    "posts": {"type": "array", "items": {"$ref": "#/components/schemas/Post"}},
                },
            },
        ]
    },
    Post={
        "type": "object",
        "description": "Posts deleted by their author, hidden by a moderator or held for review are left out",
        "properties": {
            "id": _INTEGER,
            "parent_id": {**_INTEGER, "nullable": True},
            "author_id": {**_INTEGER, "nullable": True, "description": "See /api/v1/members/{member_id}"},
            "body": {"type": "string", "description": "Markdown"},
            "created_at": _MOMENT,
            "edited_at": {**_MOMENT, "nullable": True},
        },
    },
)

# --- conversations ---------------------------------------------------------------------------------

CONVERSATION_FIELDS = [
    "slug", "topic", "agency", "source", "created_at", "closed_at", "statement_count", "participants", "url",
]  # fmt: skip
STATEMENT_FIELDS = ["id", "text", "seed", "agree", "disagree", "pass"]


def _conversation_rows(ctx: Ctx) -> list[dict[str, Any]]:
    agencies = {a.id: a for a in accounts.list_agencies(ctx.db)}
    return [
        {
            "slug": c.slug,
            "topic": c.topic,
            "agency": agency_json(agencies[c.agency_id]) if c.agency_id in agencies else None,
            "source": c.source,
            "created_at": c.created_at.isoformat(),
            "closed_at": c.closed_at.isoformat() if c.closed_at else None,
            "statement_count": statements,
            "participants": voters,
            "url": f"/conversations/{c.slug}",
        }
        for c, statements, voters in services.list_conversations(ctx.db)
    ]


def _accepted(ctx: Ctx, conversation: Conversation) -> list[Statement]:
    """Pending and moderated-out statements are not public."""
    return services.statements_of(ctx.db, conversation, StatementStatus.accepted)


def _statement_rows(ctx: Ctx, conversation: Conversation, accepted: list[Statement]) -> list[dict[str, Any]]:
    counts = services.tallies(ctx.db, conversation)
    return [
        {"id": s.id, "text": s.text, "seed": s.seed, **counts.get(pk(s), dict.fromkeys(services.VOTES, 0))}
        for s in accepted
    ]


def _groups(ctx: Ctx, conversation: Conversation, accepted: list[Statement]) -> dict[str, Any] | None:
    found = services.opinion_map(ctx.db, conversation)
    result = services.map_result(found)
    if found is None or not result:
        return None
    texts = {pk(s): s.text for s in accepted}
    return {
        "computed_at": found.computed_at.isoformat() if found.computed_at else None,
        "votes": found.votes,
        "groups": [
            {
                "group": group,
                "participants": size,
                "representative": [
                    {**r, "text": texts[r["statement"]]}
                    for r in result.get("repness", {}).get(str(group), [])
                    if r["statement"] in texts
                ],
            }
            for group, size in enumerate(result.get("sizes", []))
        ],
        "consensus": [s for s in result.get("consensus", []) if s in texts],
    }


@page
def conversations_csv(ctx: Ctx) -> Response:
    rows = _conversation_rows(ctx)
    for row in rows:
        row["agency"] = row["agency"]["name"] if row["agency"] else ""
    return csv_download(
        "conversations.csv", CONVERSATION_FIELDS, ([row[f] for f in CONVERSATION_FIELDS] for row in rows)
    )


@page
def statements_csv(ctx: Ctx) -> Response:
    conversation = services.get_conversation(ctx.db, ctx.request.path_params["slug"])
    statements = _statement_rows(ctx, conversation, _accepted(ctx, conversation))
    rows = ([row[f] for f in STATEMENT_FIELDS] for row in statements)
    return csv_download(f"{conversation.slug}-statements.csv", STATEMENT_FIELDS, rows)


@page
def api_conversations(ctx: Ctx) -> Response:
    """Conversations.
    ---
    summary: Conversations, newest first, with their accepted statements and participants counted
    tags: [conversations]
    parameters:
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
    responses:
      200:
        description: A page of conversations.
        content:
          application/json:
            schema:
              type: object
              properties:
                items:
                  type: array
                  items: {$ref: '#/components/schemas/Conversation'}
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
    everything = _conversation_rows(ctx)
    return JSONResponse(paged(page_of(everything, number, per_page), number, per_page, len(everything)))


@page
def api_conversation(ctx: Ctx) -> Response:
    """One conversation.
    ---
    summary: One conversation, its accepted statements with their votes, and the opinion groups last computed
    tags: [conversations]
    parameters:
      - {name: slug, in: path, required: true, schema: {type: string}}
    responses:
      200:
        description: The conversation.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ConversationDetail'}
      404:
        description: No such conversation.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    conversation = services.get_conversation(ctx.db, ctx.request.path_params["slug"])
    summary = next(row for row in _conversation_rows(ctx) if row["slug"] == conversation.slug)
    accepted = _accepted(ctx, conversation)
    return JSONResponse(
        {
            **summary,
            "description": conversation.description,
            "statements": _statement_rows(ctx, conversation, accepted),
            "groups": _groups(ctx, conversation, accepted),
        }
    )


# --- discussions -----------------------------------------------------------------------------------

DISCUSSION_FIELDS = ["id", "title", "created_at", "last_post_at", "post_count", "url"]


def _discussion_row(discussion: Discussion, posts: int) -> dict[str, Any]:
    return {
        "id": discussion.id,
        "title": discussion.title,
        "created_at": discussion.created_at.isoformat(),
        "last_post_at": discussion.last_post_at.isoformat(),
        "post_count": posts,
        "url": f"/discussions/{discussion.id}",
    }


def _forum(ctx: Ctx) -> list[dict[str, Any]]:
    """The forum's threads, most recently active first, as the forum page lists them (but all)."""
    return [_discussion_row(d, n) for d, n in discussions.list_discussions(ctx.db, limit=10**9)]


def _public_posts(roots: list[Node]) -> list[dict[str, Any]]:
    """The thread in reading order, without what its author deleted or a moderator hid."""
    shown: list[dict[str, Any]] = []

    def walk(nodes: list[Node]) -> None:
        for node in nodes:
            post = node.post
            if post.deleted_at is None and not post.hidden_reason:
                shown.append(
                    {
                        "id": post.id,
                        "parent_id": post.parent_id,
                        "author_id": post.author_id,
                        "body": post.body,
                        "created_at": post.created_at.isoformat(),
                        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
                    }
                )
            walk(node.children)

    walk(roots)
    return shown


@page
def discussions_csv(ctx: Ctx) -> Response:
    rows = ([row[f] for f in DISCUSSION_FIELDS] for row in _forum(ctx))
    return csv_download("discussions.csv", DISCUSSION_FIELDS, rows)


@page
def api_discussions(ctx: Ctx) -> Response:
    """The forum's discussions.
    ---
    summary: The forum's discussions, most recently active first, with their post counts
    tags: [discussions]
    parameters:
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200}}
    responses:
      200:
        description: A page of discussions.
        content:
          application/json:
            schema:
              type: object
              properties:
                items:
                  type: array
                  items: {$ref: '#/components/schemas/Discussion'}
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
    everything = _forum(ctx)
    return JSONResponse(paged(page_of(everything, number, per_page), number, per_page, len(everything)))


@page
def api_discussion(ctx: Ctx) -> Response:
    """One discussion.
    ---
    summary: One discussion (in the forum or on a subject) with its public posts in reading order
    tags: [discussions]
    parameters:
      - {name: discussion_id, in: path, required: true, schema: {type: integer}}
    responses:
      200:
        description: The discussion.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/DiscussionDetail'}
      404:
        description: No such discussion.
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Error'}
    """
    discussion = discussions.get_discussion(ctx.db, ctx.request.path_params["discussion_id"])
    about = discussions.subject_of(ctx.db, discussion)
    if discussion.subject_kind != "forum" and about is None:  # on something the public cannot see
        raise HTTPException(404)
    roots = discussions.thread(ctx.db, discussion)  # held posts are left out for everyone
    if not roots:
        raise HTTPException(404)
    posts = _public_posts(roots)
    return JSONResponse(
        {
            **_discussion_row(discussion, len(posts)),
            "about": {"title": about[0], "url": about[1]} if about else None,
            "posts": posts,
        }
    )


routes = [
    Route("/conversations.csv", conversations_csv, name="deliberation:list_csv"),
    Route("/conversations/{slug}/statements.csv", statements_csv, name="deliberation:statements_csv"),
    Route("/discussions.csv", discussions_csv, name="deliberation:forum_csv"),
    Route(f"{PREFIX}/conversations", api_conversations, name="api:conversations"),
    Route(f"{PREFIX}/conversations/{{slug}}", api_conversation, name="api:conversation"),
    Route(f"{PREFIX}/discussions", api_discussions, name="api:discussions"),
    Route(f"{PREFIX}/discussions/{{discussion_id:int}}", api_discussion, name="api:discussion"),
]
