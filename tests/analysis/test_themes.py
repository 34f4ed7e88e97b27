"""Themes on small inputs built here, and on the shared Traditional Chinese Pol.is statements."""

import csv

import numpy as np
import pytest

from analysis.themes import Item, _trim, find_themes
from tests.helpers import SHARED_DATA

RESPITE = [
    "喘息服務的天數太少，家庭照顧者需要更多喘息服務",
    "喘息服務每年三十日仍然不夠照顧者使用",
    "希望喘息服務可以增加天數並簡化申請",
]
WAGES = ["照顧服務員薪資太低，應訂定薪資基準", "提高照顧服務員薪資才能留住照顧人力", "照顧服務員的薪資基準應分區訂定"]
ENGLISH = ["Care worker wages are too low to keep staff", "Raise care worker wages to keep good staff"]


def _items(texts: list[str], **fields) -> list[Item]:  # type: ignore[no-untyped-def]
    return [Item(i, text, **fields) for i, text in enumerate(texts)]


def test_comments_about_different_things_fall_into_different_themes() -> None:
    items = _items(RESPITE * 3 + WAGES * 3)
    result = find_themes(items, k=2)
    assert result.k == 2 and not result.automatic
    groups = [set(t.members) for t in result.themes]
    respite = {i for i, item in enumerate(items) if "喘息" in item.text}
    assert respite in groups and set(range(len(items))) - respite in groups
    labels = {t.label for t in result.themes}
    assert any("喘息服務" in label for label in labels) and any("薪資" in label for label in labels)
    for theme in result.themes:
        assert theme.size == 9 and len(theme.representative) == 3 and set(theme.representative) <= set(theme.members)


def test_the_number_of_themes_is_chosen_when_not_given_and_the_result_is_deterministic() -> None:
    items = _items(
        RESPITE * 4
        + WAGES * 4
        + ["交通安全需要改善路口設計，保護行人", "行人安全與路口設計應優先改善", "路口設計要保護行人安全"] * 4
    )
    first = find_themes(items)
    assert first.automatic and 2 <= first.k <= 5 and first.silhouette is not None and first.modularity is not None
    again = find_themes(items)
    assert [t.members for t in first.themes] == [t.members for t in again.themes]
    assert [t.label for t in first.themes] == [t.label for t in again.themes]


def test_stance_authors_articles_and_content_free_comments() -> None:
    items = [
        Item(i, text, author=i % 2, stance="support" if i < 3 else "oppose", article=1 + i % 2)
        for i, text in enumerate(RESPITE * 2)
    ]
    items.append(Item("plus-one", "+1"))
    result = find_themes(items, k=1)
    theme = result.themes[0]
    assert theme.authors == 2 and theme.stances == {"support": 3, "oppose": 3} and theme.articles == {1: 3, 2: 3}
    assert result.unthemed == ["plus-one"]
    assert find_themes([]).themes == []


def test_a_campaign_counts_once_and_its_copies_follow_it() -> None:
    letter = "照顧服務員薪資太低，應訂定薪資基準"
    items = _items(RESPITE * 2) + [Item(f"copy-{i}", letter, campaign=0) for i in range(200)] + _items(WAGES)
    result = find_themes(items, k=2)
    sizes = sorted(t.size for t in result.themes)
    assert sizes == [6, 203]  # the 200 copies joined their theme as one unit
    wages = next(t for t in result.themes if t.campaigns)
    assert wages.campaigns == {0: 200} and wages.individual == 3
    assert sum(1 for r in wages.representative if str(r).startswith("copy-")) <= 1


def test_a_theme_is_named_from_the_middle_of_its_comments_not_of_its_units() -> None:
    # 120 letters and three other comments on wages: the letter is what most people said, so the
    # theme is named by it, though in the graph the campaign is one unit of four.
    letter = "照顧服務員的薪資基準太低，請提高到每月三萬五千元，並每年依物價調整。"
    items = [Item(f"copy-{i}", letter, campaign=0) for i in range(120)] + _items(WAGES) + _items(RESPITE * 2)
    result = find_themes(items, k=2)
    wages = next(t for t in result.themes if t.campaigns)
    assert wages.label == _trim(letter, 30) and wages.representative[0].startswith("copy-")


def test_a_theme_is_not_named_by_a_comment_as_near_to_another_theme() -> None:
    # Vectors laid out by hand: two themes of Chinese comments along axes 0 and 1, and two English
    # comments in the first. The general one is the nearer to its centre (0.8), but nearly as
    # near the other theme (0.6); the plain one is a little farther (0.75) and near no other.
    rng = np.random.default_rng(0)
    vectors = np.zeros((14, 512), dtype=np.float32)
    for i in range(6):
        vectors[i, 0], vectors[6 + i, 1] = 1.0, 1.0
        vectors[i, 10 + i] = vectors[6 + i, 20 + i] = 0.3 + 0.05 * rng.random()
    vectors[12, [0, 1]] = 0.8, 0.6
    vectors[13, [0, 2]] = 0.75, 0.66
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    general, plain = "We support this draft and thank you", "The wage standard is overdue for carers"
    texts = [f"照顧服務員薪資基準{i}" for i in range(6)] + [f"喘息服務天數太少{i}" for i in range(6)] + [general, plain]
    result = find_themes([Item(i, text) for i, text in enumerate(texts)], k=2, embeddings=vectors)
    first = next(t for t in result.themes if 0 in t.members)
    assert {12, 13} <= set(first.members) and first.labels["en"] == plain


def test_themes_are_named_by_a_readable_sentence_in_each_language() -> None:
    result = find_themes(_items(ENGLISH * 3 + RESPITE * 3), k=2)
    english = next(t for t in result.themes if t.languages.get("en"))
    assert english.label in ENGLISH and english.labels == {"en": english.label}
    assert english.key_phrase and english.key_phrase.isascii()
    chinese = next(t for t in result.themes if t.languages.get("zh"))
    assert chinese.labels["zh"] in [s.rstrip("。") for s in RESPITE] and "、" not in chinese.label
    assert "喘息服務" in chinese.key_phrase


def test_a_label_drops_a_leading_i_think_but_not_a_negation() -> None:
    from analysis.themes import _trim

    assert _trim("我覺得鞭刑會造成當事人仇視社會。", 30) == "鞭刑會造成當事人仇視社會"
    assert _trim("但我不認為學校是為了企業而存在", 30) == "但我不認為學校是為了企業而存在"
    assert _trim("I think the EPA must keep the 2015 rule in place.", 80) == "The EPA must keep the 2015 rule in place"
    assert (
        _trim("照顧服務員薪資太低，應訂定薪資基準，並且每年檢討一次以上的調整方式與時程", 20)
        == "照顧服務員薪資太低，應訂定薪資基準，並且…"
    )


CROSS_LINGUAL = {
    "respite": [
        "喘息服務的天數太少，家庭照顧者需要更多喘息服務",
        "喘息服務每年三十日仍然不夠照顧者使用",
        "希望喘息服務可以增加天數並簡化申請",
        "家庭照顧者很累，喘息服務應該更容易申請",
        "Family caregivers need more days of respite care",
    ],
    "wages": [
        "照顧服務員薪資太低，應訂定薪資基準",
        "提高照顧服務員薪資才能留住照顧人力",
        "照顧服務員的薪資基準應分區訂定",
        "應該調高照顧服務員的時薪",
        "Care workers are paid too little; raise their wages",
    ],
    "crossings": [
        "路口設計要保護行人安全",
        "行人安全與路口設計應優先改善",
        "交通安全需要改善路口設計，保護行人",
        "斑馬線前車輛應該禮讓行人",
        "Crossings must be redesigned to keep pedestrians safe",
    ],
}


def test_a_chinese_and_an_english_comment_on_the_same_topic_share_a_theme() -> None:
    items = [Item(f"{topic}-{i}", text) for topic, texts in CROSS_LINGUAL.items() for i, text in enumerate(texts)]
    result = find_themes(items)
    assert result.automatic and result.k == 3
    theme_of = {member: n for n, theme in enumerate(result.themes) for member in theme.members}
    for topic in CROSS_LINGUAL:
        assert theme_of[f"{topic}-4"] == theme_of[f"{topic}-0"]  # the English comment joined its topic
    for theme in result.themes:
        assert set(theme.labels) == {"zh", "en"} and theme.label == theme.labels["zh"]  # mostly Chinese


MORE_ENGLISH = {
    "respite": "Respite services should let a tired caregiver rest for more days each year",
    "wages": "Home care staff leave because the pay is low; set a wage floor",
    "crossings": "Drivers must stop for people on the zebra crossing",
}


def test_english_comments_join_their_topics_rather_than_a_theme_of_their_own() -> None:
    # A third of the comments in English, two per topic: enough to form an English theme, were
    # the themes split by language rather than by meaning.
    texts = {topic: [*CROSS_LINGUAL[topic], MORE_ENGLISH[topic]] for topic in CROSS_LINGUAL}
    items = [Item(f"{topic}-{i}", text) for topic, found in texts.items() for i, text in enumerate(found)]
    result = find_themes(items)
    theme_of = {member: n for n, theme in enumerate(result.themes) for member in theme.members}
    for topic in texts:
        assert theme_of[f"{topic}-4"] == theme_of[f"{topic}-5"] == theme_of[f"{topic}-0"]
    assert all(theme.languages.get("zh") for theme in result.themes)  # no theme of English alone
    again = find_themes(items)
    assert [t.members for t in again.themes] == [t.members for t in result.themes]


def test_precomputed_embeddings_give_the_same_themes() -> None:
    from analysis.embeddings import embed

    items = [Item(f"{topic}-{i}", text) for topic, texts in CROSS_LINGUAL.items() for i, text in enumerate(texts)]
    given = find_themes(items, embeddings=embed([item.text for item in items]))
    assert [t.members for t in given.themes] == [t.members for t in find_themes(items).themes]
    with pytest.raises(ValueError, match="embeddings for"):
        find_themes(items, embeddings=embed(["one"]))


POLIS_ZH = SHARED_DATA / "comments" / "polis-talkto-tw-zh" / "po25-12-01-tally.csv"


@pytest.mark.skipif(not POLIS_ZH.exists(), reason="../shared/data/comments/polis-talkto-tw-zh is absent")
def test_themes_of_a_real_traditional_chinese_conversation() -> None:
    with POLIS_ZH.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    result = find_themes([Item(r["id"], r["comment_body"]) for r in rows])
    assert 2 <= result.k <= 15 and sum(t.size for t in result.themes) + len(result.unthemed) == len(rows)
    # The conversation is about caning drunk drivers and sex offenders: those words lead themes.
    terms = {term for t in result.themes for term in t.key_terms}
    assert {"酒駕", "性侵"} <= terms


def test_theme_names_drop_openers_and_hedges_so_they_read_on_their_own() -> None:
    from analysis.themes import _trim

    assert _trim("另外，居服員薪水太低，年輕人都不願意做。", 40) == "居服員薪水太低，年輕人都不願意做"
    assert _trim("個人意見：喘息服務的問題不是天數", 40) == "喘息服務的問題不是天數"
    assert _trim("Also, I think the fees are too high.", 40) == "The fees are too high"
    assert _trim("我不認為應該延後", 40) == "我不認為應該延後"  # a negation is the point, never dropped
