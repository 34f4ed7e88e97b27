"""Themes: a consultation's or a bill's comments clustered by what they talk about.

TF-IDF over the text pipeline's tokens (rows of unit length, so k-means on them groups by cosine
similarity), then k-means: full k-means for small inputs, mini-batch k-means beyond. The number
of themes is chosen by the silhouette score over a fixed sample, unless the analyst sets it.
A form-letter campaign takes part as one unit, so a thousand copies of one letter cannot become a
theme of their own by weight alone; its members all land in the theme of their campaign. Every
random choice is seeded: the same input gives the same themes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.text import pipeline

SEED = 0
SAMPLE_FOR_K = 5_000  # units clustered per candidate k while choosing k
SAMPLE_FOR_SILHOUETTE = 2_000
FULL_KMEANS_UP_TO = 20_000  # above this, mini-batch k-means
MAX_AUTO_K = 20
REPRESENTATIVES = 3


@dataclass(frozen=True)
class Item:
    """One comment, as plain data."""

    id: Hashable
    text: str
    author: Hashable | None = None
    stance: str | None = None
    article: int | None = None
    campaign: int | None = None  # the index of its form-letter campaign, if it belongs to one


@dataclass
class Theme:
    label: str
    key_terms: list[str]
    members: list[Hashable]  # every comment, campaign copies included
    representative: list[Hashable]
    authors: int
    stances: dict[str, int]
    articles: dict[int, int]
    campaigns: dict[int, int]  # campaign index -> its comments in this theme
    individual: int  # comments in no campaign

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class ThemeResult:
    themes: list[Theme]
    k: int
    automatic: bool  # k was chosen by silhouette rather than set
    silhouette: float | None
    unthemed: list[Hashable]  # comments with no content words ("+1", "同意")
    parameters: dict[str, Any] = field(default_factory=dict)


def find_themes(items: Sequence[Item], k: int | None = None, tokens: list[list[str]] | None = None) -> ThemeResult:
    """Cluster `items` into themes; `k` overrides the automatic choice. `tokens` may be handed in
    when the caller has them already (the pipeline's `tokens_many` of the texts)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    tokens = tokens if tokens is not None else pipeline().tokens_many(item.text for item in items)
    # One unit per individual comment with words, and one per campaign (its first member's words).
    units: list[list[int]] = []
    unit_of_campaign: dict[int, int] = {}
    unthemed: list[Hashable] = []
    for index, (item, words) in enumerate(zip(items, tokens, strict=True)):
        if item.campaign is not None and item.campaign in unit_of_campaign:
            units[unit_of_campaign[item.campaign]].append(index)
        elif not words:
            unthemed.append(item.id)
        else:
            if item.campaign is not None:
                unit_of_campaign[item.campaign] = len(units)
            units.append([index])
    parameters: dict[str, Any] = {"algorithm": "tf-idf, k-means (cosine)", "seed": SEED}
    if not units:
        return ThemeResult([], 0, k is None, None, unthemed, parameters)
    documents = [tokens[members[0]] for members in units]
    many = len(units) >= 20
    vectorizer = TfidfVectorizer(
        analyzer=_given, min_df=2 if many else 1, max_df=0.5 if many else 1.0, sublinear_tf=True, max_features=200_000
    )
    try:
        matrix = vectorizer.fit_transform(documents)
    except ValueError:  # every word was too rare or too common: fall back to every word
        vectorizer = TfidfVectorizer(analyzer=_given, sublinear_tf=True)
        matrix = vectorizer.fit_transform(documents)
    terms = vectorizer.get_feature_names_out()
    parameters.update(tfidf={"min_df": vectorizer.min_df, "max_df": vectorizer.max_df, "terms": len(terms)})
    silhouette = None
    if k is None:
        k, silhouette = _choose_k(matrix)
        parameters["k_candidates"] = f"2..{_max_k(len(units))}"
    k = max(1, min(k, len(units)))
    labels, centres = _cluster(matrix, k)
    parameters["k"] = k
    themes = _describe(items, units, labels, centres, matrix, terms, k)
    return ThemeResult(themes, k, "k_candidates" in parameters, silhouette, unthemed, parameters)


def _given(words: list[str]) -> list[str]:
    return words


def _max_k(units: int) -> int:
    return max(2, min(MAX_AUTO_K, int(np.sqrt(units / 2))))


def _sample(count: int, size: int) -> np.ndarray:
    if count <= size:
        return np.arange(count)
    return np.sort(np.random.default_rng(SEED).choice(count, size, replace=False))


def _choose_k(space: Any) -> tuple[int, float | None]:
    """The k in 2..max whose clustering of a fixed sample has the best silhouette (cosine)."""
    from sklearn.metrics import silhouette_score

    count = space.shape[0]
    if count < 4:
        return 1, None
    sample = space[_sample(count, SAMPLE_FOR_K)]
    scored = sample[_sample(sample.shape[0], SAMPLE_FOR_SILHOUETTE)]
    best_k, best_score = 2, -1.0
    for candidate in range(2, min(_max_k(count), sample.shape[0] - 1) + 1):
        labels, _ = _cluster(sample, candidate, n_init=1)
        chosen = labels[_sample(sample.shape[0], SAMPLE_FOR_SILHOUETTE)]
        if len(set(chosen.tolist())) < 2:
            continue
        score = float(silhouette_score(scored, chosen, metric="cosine", random_state=SEED))
        if score > best_score + 1e-9:
            best_k, best_score = candidate, score
    return best_k, round(best_score, 4)


def _cluster(space: Any, k: int, n_init: int = 3) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if k == 1:
        centre = np.asarray(space.mean(axis=0)).reshape(1, -1)
        return np.zeros(space.shape[0], dtype=int), centre
    if space.shape[0] <= FULL_KMEANS_UP_TO:
        model: Any = KMeans(n_clusters=k, n_init=n_init, random_state=SEED)
    else:
        model = MiniBatchKMeans(n_clusters=k, n_init=n_init, random_state=SEED, batch_size=4096)
    labels = model.fit_predict(space)
    return labels, model.cluster_centers_


def _describe(
    items: Sequence[Item],
    units: list[list[int]],
    labels: np.ndarray,
    centres: np.ndarray,
    matrix: Any,
    terms: np.ndarray,
    k: int,
) -> list[Theme]:
    from scipy import sparse

    # Mean TF-IDF weight of each term in each cluster: the key terms.
    membership = sparse.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
    weights = np.asarray((membership @ matrix).todense())
    # How close each unit is to its own cluster's centre: the representatives.
    themes = []
    for cluster in range(k):
        chosen = np.flatnonzero(labels == cluster)
        if not len(chosen):
            continue
        top = [str(terms[i]) for i in np.argsort(-weights[cluster], kind="stable")[:8] if weights[cluster, i] > 0]
        closeness = np.asarray(matrix[chosen] @ centres[cluster]).ravel()
        order = chosen[np.argsort(-closeness, kind="stable")]
        member_indexes = [i for unit in chosen for i in units[unit]]
        members = [items[i] for i in sorted(member_indexes)]
        campaigns = Counter(m.campaign for m in members if m.campaign is not None)
        themes.append(
            Theme(
                label=_label(top),
                key_terms=top,
                members=[m.id for m in members],
                representative=[items[units[unit][0]].id for unit in order[:REPRESENTATIVES]],
                authors=len({m.author if m.author is not None else ("comment", m.id) for m in members}),
                stances=dict(Counter(m.stance for m in members if m.stance)),
                articles=dict(sorted(Counter(m.article for m in members if m.article is not None).items())),
                campaigns=dict(campaigns),
                individual=sum(1 for m in members if m.campaign is None),
            )
        )
    themes.sort(key=lambda t: (-t.size, t.label))
    return themes


def _label(terms: list[str]) -> str:
    """The first three key terms, joined the way their language joins a list. Single Chinese
    characters (應, 太) say little alone, so words of two or more come first."""
    shown = ([t for t in terms if len(t) > 1] + [t for t in terms if len(t) == 1])[:3]
    if not shown:
        return ""
    separator = ", " if all(term.isascii() for term in shown) else "、"
    return separator.join(shown)
