"""Whole pages for anonymous readers, kept in each web process as the bytes once sent, the way
a site puts Varnish in front of its pages.

A GET from a reader whose session holds nothing but a CSRF token (no one signed in, no message
waiting, nothing just posted) is answered from what an earlier anonymous reader got for the same
address, language and HTMX target, as long as the site token (core.caches.site_generation, which
every committed write renews) is the same and the copy is younger than TTL (relative times and
deadlines on a page move on without any write). That costs one small query per request. While
one request renders a page, others asking for it wait for that copy rather than render it too;
if the old copy is only past TTL (no write since), they get the old copy meanwhile.

Only answers that are the same for every such reader are kept: 200, no cookie of their own, no
`Cache-Control: private/no-store`, varying on nothing but HX-Request, not marked per-reader by
the handler (`keep_private`, which every rate limit calls, so a limit is still counted). Each
reader keeps their own CSRF token: the stored page holds a placeholder where the token was, and
each answer puts the reader's own token there (a new reader gets a new one, and its cookie, from
SessionMiddleware as usual).

The cache sits inside SessionMiddleware and LocaleMiddleware (it needs the session and the
language) and outside everything that renders; security headers are added around it, as for
every answer.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import caches
from core.security import csrf_token

TTL = 30.0  # seconds a copy is served at most, writes or not
KEPT_BYTES = 64 * 1024 * 1024  # per process, least recently used dropped first
LARGEST = 2 * 1024 * 1024  # a larger page is not kept
NOT_KEPT = ("/static/", "/healthz")
_PRIVATE = "thinktank_private"  # in scope["state"]: this answer belongs to its reader
# Where the reader's token goes; random per process, so no text on a page can be mistaken for it.
_PLACEHOLDER = secrets.token_urlsafe(32).encode()
_connections: dict[Engine, Connection] = {}  # used from the event loop's thread only


def keep_private(scope: Scope) -> None:
    """This request's answer is not to be kept or served to anyone else (it counted towards a
    rate limit, or says something about who asked)."""
    scope.setdefault("state", {})[_PRIVATE] = True


@dataclass
class _Copy:
    generation: tuple[str, ...]
    made: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    session_read: bool  # the page read the session (so the answer says Vary: Cookie)
    has_token: bool  # the body holds _PLACEHOLDER where the reader's CSRF token goes


class ResponseCache:
    def __init__(self, app: ASGIApp, ttl: float = TTL, kept_bytes: int = KEPT_BYTES) -> None:
        self.app = app
        self.ttl = ttl
        self.kept_bytes = kept_bytes
        self.copies: OrderedDict[tuple[Any, ...], _Copy] = OrderedDict()
        self.size = 0
        self.rendering: dict[tuple[Any, ...], asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("session")
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"].startswith(NOT_KEPT)
            or session is None
            or not set(session.keys()) <= {"csrf"}
        ):
            await self.app(scope, receive, send)
            return
        generation = self._generation(scope["app"].state.engine)
        if generation is None:  # nothing written yet, or the database cannot say
            await self.app(scope, receive, send)
            return
        key = _key(scope)
        if await self._serve_kept(key, generation, scope, send):
            return
        if key in self.rendering:  # another reader's request is rendering this page
            if await self._serve_kept(key, generation, scope, send, expired_too=True):
                return  # only older than TTL, with no write since: good while the new one renders
            await self.rendering[key].wait()
            if await self._serve_kept(key, generation, scope, send):
                return
            await self.app(scope, receive, send)
            return
        self.rendering[key] = done = asyncio.Event()
        try:
            await self._render_and_keep(key, generation, scope, receive, send)
        finally:
            del self.rendering[key]
            done.set()

    def _generation(self, engine: Engine) -> tuple[str, ...] | None:
        """The site token, on a connection kept open in autocommit mode (one per engine and
        process, not one per app: tests make an app per test), so each read sees the latest commit
        and checking costs one round trip, not a pool checkout and its ping."""
        for _attempt in range(2):
            connection = _connections.get(engine)
            try:
                if connection is None:
                    connection = _connections[engine] = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                return caches.site_generation(connection)
            except Exception:  # a dropped connection: open another once, else do without the cache
                _connections.pop(engine, None)
                if connection is not None:
                    connection.invalidate()
                    connection.close()
        return None

    async def _serve_kept(
        self, key: tuple[Any, ...], generation: tuple[str, ...], scope: Scope, send: Send, expired_too: bool = False
    ) -> bool:
        copy = self.copies.get(key)
        if copy is None or copy.generation != generation:
            return False
        if time.monotonic() - copy.made > self.ttl and not expired_too:
            return False
        self.copies.move_to_end(key)
        session = scope["session"]
        if copy.session_read and hasattr(session, "mark_accessed"):
            session.mark_accessed()
        body = copy.body
        if copy.has_token:
            body = body.replace(_PLACEHOLDER, csrf_token(session).encode())
        headers = [(name, value) for name, value in copy.headers if name != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": copy.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    async def _render_and_keep(
        self, key: tuple[Any, ...], generation: tuple[str, ...], scope: Scope, receive: Receive, send: Send
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])  # copied now: outer middleware adds to the list
                start = {**message, "headers": [(bytes(n).lower(), bytes(v)) for n, v in headers]}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        made = time.monotonic()
        await self.app(scope, receive, keeping_send)
        if start is None:
            return
        body = b"".join(chunks)
        session = scope["session"]
        if not _shared(start, body, scope, session):
            return
        token = session.get("csrf")
        has_token = bool(token) and token.encode() in body
        if has_token:
            body = body.replace(token.encode(), _PLACEHOLDER)
        copy = _Copy(
            generation,
            made,
            start["status"],
            start["headers"],
            body,
            bool(getattr(session, "accessed", True)),
            has_token,
        )
        self._keep(key, copy)

    def _keep(self, key: tuple[Any, ...], copy: _Copy) -> None:
        old = self.copies.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.copies[key] = copy
        self.size += len(copy.body)
        while self.size > self.kept_bytes:
            _, dropped = self.copies.popitem(last=False)
            self.size -= len(dropped.body)


def _key(scope: Scope) -> tuple[Any, ...]:
    """What the answer depends on besides the database: the address (with host and scheme, which
    absolute links carry), the reader's language and what HTMX asks for."""
    headers = dict(scope["headers"])
    return (
        scope["scheme"],
        headers.get(b"host", b""),
        scope.get("root_path", ""),
        scope["path"],
        scope["query_string"],
        scope.get("state", {}).get("locale"),
        headers.get(b"hx-request", b""),
        headers.get(b"hx-target", b""),
    )


def _shared(start: Message, body: bytes, scope: Scope, session: Any) -> bool:
    """Whether this answer may go to every anonymous reader who asks the same."""
    if start["status"] != 200 or len(body) > LARGEST or scope.get("state", {}).get(_PRIVATE):
        return False
    if not set(session.keys()) <= {"csrf"}:  # the page left something for this reader
        return False
    for name, value in start["headers"]:
        if name == b"set-cookie":
            return False
        if name == b"cache-control" and (b"private" in value or b"no-store" in value):
            return False
        if name == b"vary" and {v.strip().lower() for v in value.split(b",")} - {b"hx-request"}:
            return False
    return True
