"""Atom feeds: one entry shape and one renderer for every package's feeds."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from starlette.responses import Response

from core.db import utcnow
from core.web import Ctx, render

# What XML 1.0 forbids even escaped (C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF):
# one in a title would make the whole feed unreadable to every feed reader.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class Entry:
    id: str  # a tag: URI, stable forever
    title: str
    updated: datetime
    url: str
    summary: str


def atom_response(ctx: Ctx, title: str, self_path: str, page_path: str, entries: list[Entry], author: str) -> Response:
    entries = [
        replace(e, id=xml_text(e.id), title=xml_text(e.title), url=xml_text(e.url), summary=xml_text(e.summary))
        for e in sorted(entries, key=lambda e: e.updated, reverse=True)
    ]
    body = render(
        ctx.request,
        "feeds/atom.xml",
        feed_title=xml_text(title),
        self_path=xml_text(self_path),
        page_path=xml_text(page_path),
        entries=entries,
        author=xml_text(author),
        base_url=ctx.settings.base_url,
        now=utcnow(),
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")
