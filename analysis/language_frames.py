"""Where each language sits in the encoder's space, so that themes group by topic, not by language.

A multilingual encoder keeps part of a sentence's language in its vector: the vectors of one
language share a centroid, a little apart from another language's (Libovický, Rosa and Fraser,
"On the Language Neutrality of Pre-trained Multilingual Representations", 2020, who remove it by
subtracting each language's centroid). On USE multilingual v3 this is large: a consultation's
English comments are nearer one another than to the Chinese comments on their own topic, and
form a theme of their own.

The centroids must not come from the comments at hand: where the English comments are all on one
topic, their centroid holds that topic as well as the language, and subtracting it would merge
topics. So they are measured once on parallel text, where the two sides say the same things and
differ only in language: the interface's own catalog (locales/zh_TW), English message ids beside
their Traditional Chinese translations. Its difference is a pure language shift.

`align` moves the vectors of a subject's minority language (English, in most consultations here)
by that difference, into the frame of its main language, and leaves the main language's vectors
as they are, so an all-Chinese or all-English analysis is exactly what it was. Measured
(benchmarks/themes_quality.py --mixed): on the shared Chinese and English sets together, whose
topics never cross languages, ARI 0.707 -> 0.710; with 300 English claims added to the Chinese
statements, 0.714 -> 0.724. There every theme holding both languages joins topics that should
stay apart: 5 such themes before the move and 6 after (9 and 9; 2 and 3 for English with 300
Chinese statements), the price of comments that do cross languages finding each other.

The stored centroids belong to one encoder and one catalog: `python -m analysis.language_frames`
measures them again (after a model change; a catalog's growth moves them little) and writes
analysis/data/language_centroids.npz."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import numpy as np

LANGUAGES = ("en", "zh")  # the languages of the parallel catalog; any other is left where it is
CENTROIDS = Path(__file__).with_name("data") / "language_centroids.npz"
CATALOG = Path(__file__).resolve().parents[1] / "locales" / "zh_TW" / "LC_MESSAGES" / "messages.po"


@functools.cache
def centroids() -> dict[str, np.ndarray]:
    """Each language's centroid (float32, 512), as stored."""
    with np.load(CENTROIDS) as stored:
        return {language: stored[language].astype(np.float32) for language in LANGUAGES}


def main_language(languages: list[str]) -> str | None:
    """The subject's main language: the one of LANGUAGES most of its texts are in (zh on a tie)."""
    counts = Counter(language for language in languages if language in LANGUAGES)
    if not counts:
        return None
    return max(LANGUAGES, key=lambda language: (counts[language], language == "zh"))


class Aligned:
    """`space` as `align` hands it on: indexed like the array (`aligned[row_indexes]`, float32
    rows), each row of a minority-language unit moved as it is read, so that nothing the size of
    `space` is copied (a million float16 vectors are 1 GB)."""

    def __init__(self, space: np.ndarray, shift_of_row: np.ndarray, shifts: np.ndarray) -> None:
        self.space, self.shift_of_row, self.shifts = space, shift_of_row, shifts
        self.shape = space.shape

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        found = np.array(self.space[rows], dtype=np.float32)
        which = self.shift_of_row[rows]
        moved = np.flatnonzero(which)
        if len(moved):
            shifted = found[moved] + self.shifts[which[moved]]
            found[moved] = shifted / np.maximum(np.linalg.norm(shifted, axis=1, keepdims=True), 1e-12)
        return found


def align(space: np.ndarray, rows: np.ndarray, languages: list[str]) -> np.ndarray | Aligned:
    """`space[rows[u]]` is unit u's unit-length vector and `languages[u]` its language. Returns
    `space` as the themes read it: each unit of a minority language moved by its language's
    distance to the main one and made unit-length again (an `Aligned`), or `space` itself when
    there is no minority. Vectors of another width than the encoder's (a benchmark's embeddings
    with TF-IDF beside them) are left alone."""
    main = main_language(languages)
    frames = centroids()
    if main is None or space.shape[1] != len(frames[main]):
        return space
    minorities = [language for language in LANGUAGES if language != main and language in languages]
    if not minorities:
        return space
    spoken = np.array(languages)
    shift_of_row = np.zeros(len(space), dtype=np.int8)  # 0: stays; n: moved by shifts[n]
    shifts = np.zeros((len(minorities) + 1, space.shape[1]), dtype=np.float32)
    for n, language in enumerate(minorities, start=1):
        shifts[n] = frames[main] - frames[language]
        shift_of_row[rows[spoken == language]] = n
    return Aligned(space, shift_of_row, shifts)


def measure(catalog: Path = CATALOG) -> tuple[dict[str, np.ndarray], int]:
    """The centroids of the catalog's English ids and their Chinese translations, and the pairs
    they were measured on (messages with words beyond their placeholders)."""
    import re

    from babel.messages.pofile import read_po

    from analysis.embeddings import embed

    with catalog.open("rb") as file:
        messages = read_po(file)
    pairs = [
        (m.id, m.string)
        for m in messages
        if m.id
        and isinstance(m.id, str)
        and isinstance(m.string, str)
        and m.string
        and len(re.sub(r"%\(\w+\)s|\{\w+\}", "", m.id).strip()) > 3
    ]
    english = embed([en for en, _zh in pairs])
    chinese = embed([zh for _en, zh in pairs])
    return {"en": english.mean(axis=0), "zh": chinese.mean(axis=0)}, len(pairs)


if __name__ == "__main__":
    found, count = measure()
    np.savez(CENTROIDS, en=found["en"], zh=found["zh"])
    gap = float(np.linalg.norm(found["zh"] - found["en"]))
    print(f"{CENTROIDS}: centroids of {count} English/Chinese pairs; distance between them {gap:.3f}")
