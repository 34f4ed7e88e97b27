"""Text into search terms, at index time and at query time, through analysis.text (the one pipeline:
NFKC, OpenCC s2tw, rjieba, spaCy lookup lemmas), so that both sides agree by construction.

Two views of every text serve two needs:
- its content tokens (segmented Chinese words, English lemmas, no stop words): ranking, and English
  word forms ("protesting" finds "protests": both are the lemma "protest");
- its normal form with each run of CJK characters written as its overlapping character pairs and
  then its last character (`char_pairs`: "長照服務" -> "長照 照服 服務 務"): a query's Chinese is looked up
  as a run of consecutive pairs, which is an exact substring match, so it finds the text however the
  segmenter happened to cut either side; a two-character word is a single token (one short list to
  read, not two long ones of single characters to line up), and a single character is the prefix
  query "照"*, which meets every pair it begins and every run it ends.

Lemmas rather than Porter stems: the same lemmas feed the Meilisearch backend (which stems nothing),
irregular forms meet ("children"/"child", "ran"/"run"), and unrelated words are not conflated
the way Porter conflates "organ"/"organization" or "general"/"generous"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from analysis.text import detect_language, pipeline

from .model import Document

# Han, plus kana: scripts written without spaces, where a character is the unit a reader can search by.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK}]+")
_SCRIPTS = re.compile(f"([{CJK}]+)")
HAS_CJK = re.compile(f"[{CJK}]")
_WORD = re.compile(r"[^\W_]")  # a letter or digit: something unicode61 indexes
_QUOTED = re.compile(r'["“”「」『』]([^"“”「」『』]*)["“”「」『』]')


def char_pairs(normal: str) -> str:
    """The normal form for the character index: each CJK run as its pairs and its last character."""
    return _CJK_RUN.sub(_run_pairs, normal)


def _run_pairs(run: re.Match[str]) -> str:
    text = run.group()
    return " " + " ".join([text[i : i + 2] for i in range(len(text) - 1)] + [text[-1]]) + " "


def segments(phrase: str) -> list[str]:
    """A phrase cut where it changes between CJK and other scripts ("長照2.0" -> "長照", "2.0")."""
    return [part for part in _SCRIPTS.split(phrase) if _WORD.search(part)]


def language(declared: str, text: str) -> str:
    """The pipeline's language (zh, en, other) from a declared tag ("zh-TW"), else detected."""
    short = declared.split("-")[0].split("_")[0].lower()
    if short in ("zh", "en"):
        return short
    return detect_language(text) if text else "other"


@dataclass(frozen=True)
class Prepared:
    """One document as the backends index it: the normal forms and the content tokens of its fields."""

    doc: Document
    title: str
    body: str
    title_tokens: list[str]
    body_tokens: list[str]


def prepare_many(docs: Sequence[Document]) -> list[Prepared]:
    nlp = pipeline()
    normal = [nlp.normalise(d.title) for d in docs] + [nlp.normalise(d.body) for d in docs]
    declared = [d.lang for d in docs] * 2
    languages = [language(lang, text) for lang, text in zip(declared, normal, strict=True)]
    tokens = nlp.tokens_many(normal, languages, normalised=True)
    n = len(docs)
    return [Prepared(d, normal[i], normal[n + i], tokens[i], tokens[n + i]) for i, d in enumerate(docs)]


@dataclass(frozen=True)
class Term:
    """One thing the query asks for; a document must match every term. `phrase` (normal form) matches
    as a substring where it is CJK and as whole words elsewhere; `lemmas` match the content tokens."""

    phrase: str
    lemmas: tuple[str, ...]

    @property
    def cjk(self) -> bool:
        return bool(HAS_CJK.search(self.phrase))


def parse(query: str) -> list[Term]:
    """Quoted text is one exact phrase; Chinese is cut into words, each found as a substring; any other
    chunk is a word found by its lemma or as written. Stop words alone ("the", "的") are dropped when
    the query has something better, and kept (matched as written) when they are all it has."""
    nlp = pipeline()
    normal = nlp.normalise(query)
    terms = [Term(p.strip(), ()) for p in _QUOTED.findall(normal) if _WORD.search(p)]
    for chunk in _QUOTED.sub(" ", normal).split():
        chunk = chunk.strip("\"'.,;:!?()[]{}<>、，。；：！？（）")
        if not _WORD.search(chunk):
            continue
        if HAS_CJK.search(chunk):
            tokens = nlp.tokens(chunk, "zh")
            terms.extend(Term(t, (t,)) for t in tokens)
            if not tokens:
                terms.append(Term(chunk, ()))
        else:
            terms.append(Term(chunk, tuple(nlp.tokens(chunk, "en"))))
    content = [t for t in terms if t.lemmas or t.phrase not in nlp.stop_words]
    unique = dict.fromkeys(content or terms)  # "長照 長照" asks once
    return list(unique)


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The content token of one English word, or the word itself (a stop word, a number): snippets
    ask this of the words near a match, the same words again and again."""
    tokens = pipeline().tokens(word, "en")
    return tokens[0] if len(tokens) == 1 else word
