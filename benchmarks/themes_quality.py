"""Theme quality against known topics: the adjusted Rand index and normalised mutual information
of (a) the old method (TF-IDF, k-means, k by silhouette in 2..min(20, sqrt(n/2))), (b) plain
sentence embeddings and k-means with the true k (the baseline), (c) ours with k chosen
automatically (TF-IDF mixed into Chinese pairs' similarity), (d) ours with the true k, (e) ours
on embeddings alone (lexical=False), and (f) ours on embeddings with TF-IDF mixed into every
pair (each comment's embedding and TF-IDF row side by side, each scaled by 1/sqrt(2)), with the k
each used: (c) against (e) and (f) is the measurement behind using TF-IDF for Chinese only.

    uv run python benchmarks/themes_quality.py
    uv run python benchmarks/themes_quality.py --subsets 5   # also: random 60% subsets, and subsets
                                                             # of at most 60 texts per topic
    uv run python benchmarks/themes_quality.py --mixed       # also: both languages in one subject

Data (skipped when absent): ../shared/data/comments/polis-talkto-tw-zh (Traditional Chinese
Pol.is statements, label = conversation) and ../shared/data/comments/ibm-claim-stance-train
(English claims, label = debate topic). The subsets are a rough guide to how much a figure
moves on other data of the same kind; nothing here is tuned on them.
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from analysis.embeddings import embed
from analysis.text import pipeline
from analysis.themes import Item, find_themes

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "comments"


def chinese() -> tuple[list[str], list[str]] | None:
    folder = SHARED / "polis-talkto-tw-zh"
    if not folder.exists():
        return None
    texts, labels = [], []
    for path in sorted(folder.glob("*-tally.csv")):
        with path.open(encoding="utf-8") as file:
            for row in csv.DictReader(file):
                texts.append(row["comment_body"])
                labels.append(path.stem)
    return texts, labels


def english() -> tuple[list[str], list[str]] | None:
    path = SHARED / "ibm-claim-stance-train" / "claims.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return [r["claim"] for r in rows], [r["topic"] for r in rows]


def old_method(texts: list[str]) -> np.ndarray:
    """The TF-IDF themes this module had before sentence embeddings, as they were."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import silhouette_score

    tokens = pipeline().tokens_many(texts)
    matrix = TfidfVectorizer(analyzer=lambda words: words, min_df=2, max_df=0.5, sublinear_tf=True).fit_transform(
        tokens
    )
    best_k, best_score, best_labels = 2, -1.0, None
    for k in range(2, max(2, min(20, int(math.sqrt(len(texts) / 2)))) + 1):
        labels = KMeans(n_clusters=k, n_init=1, random_state=0).fit_predict(matrix)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(matrix, labels, metric="cosine", random_state=0))
        if score > best_score:
            best_k, best_score, best_labels = k, score, labels
    if best_labels is None:
        return np.zeros(len(texts), dtype=int)
    return KMeans(n_clusters=best_k, n_init=3, random_state=0).fit_predict(matrix)


def with_tfidf(texts: list[str], vectors: np.ndarray) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    tokens = pipeline().tokens_many(texts)
    matrix = TfidfVectorizer(analyzer=lambda words: words, min_df=2, sublinear_tf=True).fit_transform(tokens)
    rows = matrix.toarray().astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    rows = np.where(norms > 0, rows / np.maximum(norms, 1e-12), 0.0)
    mixed = np.hstack([vectors, rows]) / np.sqrt(2)
    return (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)


def ours(texts: list[str], vectors: np.ndarray, k: int | None, lexical: bool = True) -> np.ndarray:
    items = [Item(i, t) for i, t in enumerate(texts)]
    result = find_themes(items, k=k, embeddings=vectors, lexical=lexical)
    labels = np.full(len(texts), -1)  # comments without content words: a group of their own
    for number, theme in enumerate(result.themes):
        labels[[int(str(m)) for m in theme.members]] = number
    return labels


def scores(truth: list[str], labels: np.ndarray) -> str:
    return (
        f"ARI {adjusted_rand_score(truth, labels):.3f}  NMI {normalized_mutual_info_score(truth, labels):.3f}"
        f"  k {len(set(labels.tolist()) - {-1})}"
    )


def evaluate(name: str, texts: list[str], truth: list[str], subsets: int) -> None:
    from sklearn.cluster import KMeans

    started = time.perf_counter()
    vectors = embed(texts)
    took = time.perf_counter() - started
    print(f"{name}: {len(texts)} texts, {len(set(truth))} true topics (embedded in {took:.1f} s)")
    true_k = len(set(truth))
    print(f"  (a) old TF-IDF, k by silhouette      {scores(truth, old_method(texts))}")
    baseline = KMeans(n_clusters=true_k, n_init=10, random_state=0).fit_predict(vectors)
    print(f"  (b) embeddings + k-means, true k     {scores(truth, baseline)}")
    started = time.perf_counter()
    automatic = ours(texts, vectors, None)
    took = time.perf_counter() - started
    print(f"  (c) ours, k chosen automatically     {scores(truth, automatic)}  ({took:.1f} s)")
    print(f"  (d) ours, true k                     {scores(truth, ours(texts, vectors, true_k))}")
    print(f"  (e) ours, embeddings alone           {scores(truth, ours(texts, vectors, None, lexical=False))}")
    mixed = with_tfidf(texts, vectors)
    print(f"  (f) ours, TF-IDF mixed for all       {scores(truth, ours(texts, mixed, None, lexical=False))}")
    if subsets:
        rng = np.random.default_rng(1)
        topics = np.array(truth)
        for kind in ("random 60%", "at most 60 per topic"):
            found = []
            for _ in range(subsets):
                if kind == "random 60%":
                    chosen = rng.choice(len(texts), int(len(texts) * 0.6), replace=False)
                else:
                    chosen = np.concatenate(
                        [rng.permutation(np.flatnonzero(topics == topic))[:60] for topic in sorted(set(truth))]
                    )
                chosen = np.sort(chosen)
                picked = [truth[i] for i in chosen]
                labels = ours([texts[i] for i in chosen], vectors[chosen], None)
                base = KMeans(n_clusters=len(set(picked)), n_init=10, random_state=0).fit_predict(vectors[chosen])
                found.append(
                    (
                        adjusted_rand_score(picked, labels),
                        normalized_mutual_info_score(picked, labels),
                        adjusted_rand_score(picked, base),
                    )
                )
            ari, nmi, base_ari = np.mean(found, axis=0)
            low = min(f[0] for f in found)
            print(
                f"  (c) on {subsets} subsets, {kind}: mean ARI {ari:.3f} (lowest {low:.3f}), NMI {nmi:.3f};"
                f" (b) mean ARI {base_ari:.3f}"
            )


def both_languages(zh: tuple[list[str], list[str]], en: tuple[list[str], list[str]]) -> None:
    """Both languages in one subject, whose topics never cross languages: the case where moving
    the minority language (analysis.language_frames) could merge topics, if it moved them by topic
    rather than by language. Each set with the move and without it (align replaced by the identity
    for this comparison only), with the number of themes holding both languages."""
    from analysis import language_frames
    from analysis.text import detect_language

    rng = np.random.default_rng(0)
    some_en = rng.choice(len(en[0]), 300, replace=False).tolist()
    some_zh = rng.choice(len(zh[0]), 300, replace=False).tolist()
    sets = {
        "zh + en, all": (zh[0] + en[0], zh[1] + en[1]),
        "zh + 300 en": (zh[0] + [en[0][i] for i in some_en], zh[1] + [en[1][i] for i in some_en]),
        "en + 300 zh": (en[0] + [zh[0][i] for i in some_zh], en[1] + [zh[1][i] for i in some_zh]),
    }
    align = language_frames.align
    for name, (texts, truth) in sets.items():
        vectors = embed(texts)
        languages = np.array([detect_language(t) for t in texts])
        for moved in (False, True):
            language_frames.align = align if moved else (lambda space, _rows, _languages: space)
            try:
                labels = ours(texts, vectors, None)
            finally:
                language_frames.align = align
            both = sum(1 for c in set(labels.tolist()) if len(set(languages[labels == c].tolist())) > 1)
            frame = "moved" if moved else "as encoded"
            print(f"{name:14} {frame:10}  {scores(truth, labels)}  themes of both languages {both}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subsets", type=int, default=0)
    parser.add_argument("--mixed", action="store_true", help="also: both sets in one subject, moved and not")
    args = parser.parse_args()
    if args.mixed:
        zh, en = chinese(), english()
        if zh is None or en is None:
            print("mixed: a shared set is absent, skipped")
        else:
            both_languages(zh, en)
    for name, data in (("zh polis-talkto-tw-zh", chinese()), ("en ibm-claim-stance-train", english())):
        if data is None:
            print(f"{name}: absent, skipped")
            continue
        evaluate(name, *data, subsets=args.subsets)


if __name__ == "__main__":
    main()
