"""Atom feeds: one entry shape and one renderer for every package's feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.responses import Response

from core.db import utcnow
from core.web import Ctx, render


@dataclass(frozen=True)
class Entry:
    id: str  # a tag: URI, stable forever
    title: str
    updated: datetime
    url: str
    summary: str


def atom_response(ctx: Ctx, title: str, self_path: str, page_path: str, entries: list[Entry], author: str) -> Response:
    entries = sorted(entries, key=lambda e: e.updated, reverse=True)
    body = render(
        ctx.request,
        "feeds/atom.xml",
        feed_title=title,
        self_path=self_path,
        page_path=page_path,
        entries=entries,
        author=author,
        base_url=ctx.settings.base_url,
        now=utcnow(),
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")
