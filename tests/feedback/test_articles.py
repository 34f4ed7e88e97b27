"""Splitting drafts into articles and comparing texts: plain functions on strings."""

from feedback.articles import diff_articles, diff_text, split_articles


def test_law_style_articles_keep_their_numbers_after_a_preamble() -> None:
    articles = split_articles("說明文字。\n\n第一條 目的。\n\n第二條 定義：\n一、甲。\n\n第 3 條 罰則。")
    assert [(a.number, a.heading) for a in articles] == [(0, ""), (1, "第一條"), (2, "第二條"), (3, "第 3 條")]
    assert articles[2].body == "定義：\n一、甲。"
    assert articles[1].body == "目的。"


def test_markdown_headings_start_articles() -> None:
    articles = split_articles("## Purpose\nTo protect privacy.\n\n## Scope\nAll agencies.\n")
    assert [(a.number, a.heading, a.body) for a in articles] == [
        (1, "Purpose", "To protect privacy."),
        (2, "Scope", "All agencies."),
    ]


def test_text_without_headings_is_one_preamble() -> None:
    assert [(a.number, a.heading) for a in split_articles("只有一段文字。")] == [(0, "")]
    assert split_articles("   \n ") == []


def test_chinese_is_compared_character_by_character_and_english_by_word() -> None:
    segments = diff_text("以二十一日為上限", "以三十日為上限")
    assert [(s.op, s.text) for s in segments if s.op != "same"] == [("del", "二十一"), ("ins", "三十")]
    segments = diff_text("limit of 21 days", "limit of 30 days")
    assert [(s.op, s.text) for s in segments if s.op != "same"] == [("del", "21"), ("ins", "30")]


def test_versions_are_compared_article_by_article() -> None:
    old = split_articles("第一條 甲。\n第二條 乙。\n第三條 丙。")
    new = split_articles("第一條 甲。\n第三條 丙丙。\n第四條 丁。")
    changes = {(c.new or c.old).heading: c.status for c in diff_articles(old, new)}  # type: ignore[union-attr]
    assert changes == {"第一條": "same", "第三條": "changed", "第四條": "added", "第二條": "removed"}
