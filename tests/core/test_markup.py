"""Markdown from members is rendered, and nothing dangerous survives."""

from html.parser import HTMLParser

import pytest

from core.markup import markdown_text, render_markdown


def test_markdown_is_rendered() -> None:
    html = render_markdown("## 第一條\n\n本法**適用**於長期照顧。\n\n- 甲\n- 乙\n\n[說明](https://example.tw)")
    assert "<h2>第一條</h2>" in html
    assert "<strong>適用</strong>" in html
    assert "<li>甲</li>" in html
    assert 'href="https://example.tw"' in html and 'rel="nofollow noopener ugc"' in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_nothing_executable_survives(attack: str) -> None:
    tags = _tags(render_markdown(attack))
    names = {name for name, _attrs in tags}
    assert not names & {"script", "img", "iframe"}
    for _name, attrs in tags:
        for attribute, value in attrs:
            assert not attribute.startswith("on") and attribute != "style"
            assert not (value or "").strip().lower().startswith("javascript:")


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The real elements in the HTML (escaped text such as &lt;script&gt; is harmless text)."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_markdown_text_keeps_the_words_and_drops_the_marks() -> None:
    text = markdown_text("## 提案內容\n\n喘息服務**每年三十日**，見 [說明](https://example.tw)。\n\n- 甲 &amp; 乙")
    assert text == "提案內容 喘息服務每年三十日，見 說明。 甲 & 乙"
