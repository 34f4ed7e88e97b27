"""Markdown written by people, rendered to HTML that is safe to show.

markdown-it-py renders CommonMark with raw HTML switched off; nh3 (the Rust ammonia sanitiser)
then keeps only the tags and attributes below, so neither a script nor an event handler nor a
javascript: link survives, whatever the input.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> Markup:
    """Markdown as safe HTML. Remembered by its text (a draft's articles are rendered on every view
    of it): the result depends on nothing else, so a new version, being new text, is never stale."""
    html = _markdown.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return Markup(clean)


def markdown_text(text: str) -> str:
    """The words of Markdown without its marks, for search and excerpts: block elements become lines."""
    html = nh3.clean(_markdown.render(text), tags=set())  # every tag dropped, entities kept
    return " ".join(Markup(html).unescape().split())
