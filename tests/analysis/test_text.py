"""The text pipeline: language, normal form, tokens in both languages."""

import pytest

from analysis.text import detect_language, pipeline


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("長照喘息服務應該增加", "zh"),
        ("长期照顾服务法", "zh"),
        ("我支持 AI 法案", "zh"),
        ("Care workers deserve a fair wage.", "en"),
        ("こんにちは", "other"),
        ("Привет мир", "other"),
        ("+1 !!!", "other"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_simplified_and_full_width_text_match_traditional_and_half_width() -> None:
    nlp = pipeline()
    assert nlp.normalise("长期照顾　ＡＩ") == nlp.normalise("長期照顧 AI") == "長期照顧 ai"
    assert nlp.tokens("长期照顾服务") == nlp.tokens("長期照顧服務")


def test_chinese_keeps_policy_terms_whole_and_drops_stop_words() -> None:
    tokens = pipeline().tokens("我們希望長照的喘息服務每年可以增加到三十日")
    assert "長照" in tokens and "喘息服務" in tokens
    assert not {"我們", "的", "希望", "可以"} & set(tokens)
    # A two-character query finds its comments only if the comment's tokens hold it whole.
    assert "長照" in pipeline().tokens("長照2.0之後的長照政策")


def test_english_is_lemmatised_without_stop_words() -> None:
    tokens = pipeline().tokens("The agencies are proposing new rules for children and care workers.")
    assert tokens == ["agency", "propose", "new", "rule", "child", "care", "worker"]


def test_spacy_pipelines_agree_with_the_bulk_tokens() -> None:
    nlp = pipeline()
    doc = nlp.nlp["zh"]("長照喘息服務")
    assert [t.text for t in doc] == ["長照", "喘息服務"]
    assert [t.text for t in nlp.nlp["en"]("care workers")] == ["care", "workers"]
    texts = ["長照喘息服務不足", "Care workers need pay", "Привет мир"]
    assert nlp.tokens_many(texts) == [nlp.tokens(t) for t in texts]


def test_already_normalised_texts_give_the_same_tokens() -> None:
    nlp = pipeline()
    texts = ["长期照顾服务　ＡＩ", "Care Workers need PAY"]
    normalised = [nlp.normalise(t) for t in texts]
    assert nlp.tokens_many(normalised, normalised=True) == nlp.tokens_many(texts)


def test_a_batch_is_normalised_as_each_text_alone() -> None:
    nlp = pipeline()
    texts = [
        "长期照顾服务，ＡＩ！",
        "Ａ\u0301 and ，\u0301",  # a full-width letter composing with the accent after it
        "  多行\n\n文字\u3000…  ",
        "",
        "   ",
        "한국어 텍스트",
        "Café: 20％ off／day",
        "我支持 AI 法案（第五條）；對嗎？",
    ]
    assert nlp.normalise_many(texts) == [nlp.normalise(t) for t in texts]
    assert nlp.normalise_many(texts)[1] == "á and ,\u0301"
    # A text holding the character that joins a batch is normalised as well.
    joined = [*texts, "长\x01期"]
    assert nlp.normalise_many(joined) == [nlp.normalise(t) for t in joined]
    assert nlp.tokens_many(joined) == [nlp.tokens(t) for t in joined]
