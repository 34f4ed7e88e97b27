"""Themes: a consultation's or a bill's comments grouped by what they mean.

Each comment is a multilingual sentence embedding (analysis.embeddings: USE multilingual v3), so
a Chinese and an English comment that say the same thing sit close together and share a theme.
The encoder also keeps each sentence's language in its vector, so the comments of a subject's
minority language are first moved into its main language's frame (analysis.language_frames):
without that, English comments in a Chinese consultation form a theme of their own.
The comments become a k-nearest-neighbour graph (each joined to its ceil(log2 n) most similar
comments by cosine, the order of neighbours a kNN graph needs to stay connected: von Luxburg,
"A tutorial on spectral clustering", 2007, section 8.1), each edge weighed against the local
density of the comments it joins (the self-tuning affinity: see _graph), and the themes are that
graph's communities: Louvain, maximising modularity at its standard resolution of 1, the best of a few
seeded runs. Modularity chooses the number of themes itself, with no cap: a consultation of 30
topics can have 30 themes. An analyst's k is met by searching the resolution whose communities
number k (a coarser or finer cut of the same graph), then, if none is exact, by merging the
closest communities (cosine of their centres) or splitting the largest (2-means).

TF-IDF helps where the encoder is weakest. Measured on the shared sets
(benchmarks/themes_quality.py): mixing TF-IDF similarity into the graph raised ARI on the
Chinese statements (0.46 -> 0.59 on all of them; 0.50 -> 0.57 and 0.61 -> 0.69 over five random
and five topic-capped subsets) and lowered it on the English claims (0.77 -> 0.65); with the
self-tuning edge weights the Chinese gain is smaller (0.627 -> 0.636) and the English loss
remains (0.758 -> 0.667), so TF-IDF stays for Chinese pairs only; the
encoder's own Chinese is weaker too (a Chinese rewording scores 0.57-0.72 cosine where an
English one scores 0.86-0.92). So for a pair of Chinese comments the similarity is the mean of
the embedding cosine and the TF-IDF cosine of their content tokens; for any other pair
(English, or across languages, where TF-IDF cannot see a shared word) it is half the embedding
cosine, so an English comment's nearest comments are chosen by meaning alone, in either
language. TF-IDF also names the themes: key terms are the words a theme uses more than the
others (class-based TF-IDF), and each theme's label is the most central comment's most telling
sentence, in Chinese and in English when the theme has comments in both. "Central" is measured
from the middle of a theme's comments, a campaign's copies each counted, so a theme that is
mostly one form letter is named by it; and the name comes from the central comment nearest its
own theme's centre against the next theme's, so a general "I support the draft" names none.

Above SAMPLE units the graph is built on a fixed random sample; every other unit joins the
theme of its nearest prototype (k-means centres within each sampled theme, about one per
PROTOTYPE_EVERY members), in chunks, so a million comments take a few seconds more than the
sample. A form-letter campaign takes part as one unit, so a thousand copies of one letter cannot
become a theme of their own by weight alone; its members all land in the theme of their
campaign. Every random choice is seeded: the same input gives the same themes."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis import language_frames
from analysis.text import detect_language, pipeline

SEED = 0
LOUVAIN_RUNS = 5  # seeded Louvain runs; the one of highest modularity is kept
RESOLUTION = 1.0  # modularity's own resolution (Newman and Girvan)
SAMPLE = 10_000  # units in the graph; the rest are assigned to the nearest prototype
PROTOTYPE_EVERY = 50  # sampled members per prototype when assigning the rest
SAMPLE_FOR_SILHOUETTE = 2_000
CHUNK = 50_000  # rows per block when assigning or scoring
REPRESENTATIVES = 3
LABEL_CHARACTERS = {"zh": 30, "en": 80, "other": 60}

LONG_ENOUGH = 20  # letters or Han characters: no comment this long is all stop words
# LONG_ENOUGH letters or more (a letter: a word character that is not a digit or "_"), matched
# from the start and stopping at the LONG_ENOUGH-th: 3x faster than counting every letter.
_LONG_ENOUGH = re.compile(rf"[\W\d_]*(?:[^\W\d_][\W\d_]*){{{LONG_ENOUGH}}}")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])\s*|(?<=[.])\s+|\n+")


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
    label: str  # a short readable phrase: the central comment's telling sentence, trimmed
    key_terms: list[str]
    members: list[Hashable]  # every comment, campaign copies included
    representative: list[Hashable]  # most central first
    authors: int
    stances: dict[str, int]
    articles: dict[int, int]
    campaigns: dict[int, int]  # campaign index -> its comments in this theme
    individual: int  # comments in no campaign
    labels: dict[str, str] = field(default_factory=dict)  # "zh" / "en" -> label in that language, where present
    key_phrase: str = ""  # the theme's most distinctive term
    languages: dict[str, int] = field(default_factory=dict)  # comments per detected language

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class ThemeResult:
    themes: list[Theme]
    k: int
    automatic: bool  # k was chosen (by modularity) rather than set
    silhouette: float | None  # cosine silhouette of the themes over a fixed sample of units
    unthemed: list[Hashable]  # comments with no content words ("+1", "同意")
    parameters: dict[str, Any] = field(default_factory=dict)
    modularity: float | None = None  # of the sampled graph's communities, before any merge or split


def find_themes(
    items: Sequence[Item],
    k: int | None = None,
    tokens: list[list[str]] | None = None,
    embeddings: np.ndarray | None = None,
    lexical: bool = True,
) -> ThemeResult:
    """Group `items` into themes; `k` overrides the automatic choice. `tokens` (the pipeline's
    `tokens_many` of the texts) and `embeddings` (analysis.embeddings.embed of the texts, one
    unit-length row per item, float32 or float16) may be handed in when the caller has them
    already; without `embeddings` the comments that take part are embedded here. `lexical`
    False groups Chinese comments by their embeddings alone (see the module's docstring)."""
    words = _Tokens(items, tokens)
    if embeddings is not None and len(embeddings) != len(items):
        raise ValueError(f"{len(embeddings)} embeddings for {len(items)} items")
    # One unit per individual comment with words, and one per campaign (its first member), as
    # arrays: a million small lists would cost more memory than the embeddings' tenth.
    unit_of_item = np.full(len(items), -1, dtype=np.int64)
    unit_of_campaign: dict[int, int] = {}
    has_words = words.content()
    head_list: list[int] = []
    for index, item in enumerate(items):
        if item.campaign is not None and item.campaign in unit_of_campaign:
            unit_of_item[index] = unit_of_campaign[item.campaign]
        elif has_words[index]:
            if item.campaign is not None:
                unit_of_campaign[item.campaign] = len(head_list)
            unit_of_item[index] = len(head_list)
            head_list.append(index)
    unthemed = [items[i].id for i in np.flatnonzero(unit_of_item < 0).tolist()]
    heads = np.array(head_list, dtype=np.int64)
    del head_list, has_words
    parameters: dict[str, Any] = {
        "algorithm": "sentence embeddings (USE multilingual v3), kNN graph, Louvain communities (modularity)",
        "lexical": lexical,
        "seed": SEED,
    }
    if not len(heads):
        return ThemeResult([], 0, k is None, None, unthemed, parameters)
    if embeddings is None:
        from analysis.embeddings import embed

        space = embed([items[i].text for i in heads.tolist()])
        rows = np.arange(len(heads))
    else:
        space, rows = embeddings, heads  # unit u is row rows[u] of space; nothing copied
    language = [detect_language(item.text) for item in items]  # once: the move, TF-IDF and names read it
    # The subject's minority language moved into its main language's frame (analysis.language_frames),
    # so that an English and a Chinese comment on one topic are as near as two Chinese ones. From
    # here on `space` is only read as space[row_indexes], which an Aligned answers too.
    space = language_frames.align(space, rows, [language[i] for i in heads.tolist()])  # type: ignore[assignment]
    automatic = k is None
    if k is not None:
        k = max(1, min(k, len(heads)))
    chinese = (lambda sampled: _chinese_tfidf(language, heads[sampled], words)) if lexical else None
    labels, modularity, found = _group(space, rows, parameters, k, chinese)
    if k is not None and int(labels.max()) + 1 != k:
        labels = _to_k(space, rows, labels, k)
    k = int(labels.max()) + 1
    parameters.update(k=k, communities=found)
    silhouette = _silhouette(space, rows, labels)
    themes = _describe(items, language, heads, unit_of_item, words, space, rows, labels, k)
    return ThemeResult(themes, k, automatic, silhouette, unthemed, parameters, modularity)


def _sample(count: int, size: int) -> np.ndarray:
    if count <= size:
        return np.arange(count)
    return np.sort(np.random.default_rng(SEED).choice(count, size, replace=False))


def _neighbours(points: np.ndarray, count: int, words: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's `count` most similar other rows and their similarity: the cosine of the unit
    rows of `points`, or with `words` (sparse unit TF-IDF rows, empty for comments not in
    Chinese) the mean of that cosine and the TF-IDF one."""
    n = len(points)
    index = np.empty((n, count), dtype=np.int64)
    similarity = np.empty((n, count), dtype=np.float32)
    block = max(1, 4_000_000 // max(n, 1))
    for start in range(0, n, block):
        scores = points[start : start + block] @ points.T
        if words is not None:
            scores = 0.5 * scores + 0.5 * (words[start : start + block] @ words.T).toarray().astype(np.float32)
        scores[np.arange(len(scores)), np.arange(start, start + len(scores))] = -np.inf
        nearest = np.argpartition(-scores, count - 1, axis=1)[:, :count]
        index[start : start + block] = nearest
        similarity[start : start + block] = np.take_along_axis(scores, nearest, axis=1)
    return index, similarity


def _graph(points: np.ndarray, words: Any = None) -> Any:
    """The symmetric kNN graph of `points` (unit rows), as its scipy sparse adjacency matrix. An
    edge weighs exp(-d^2 / (s_i s_j)), d^2 = 2 - 2 x similarity (the squared distance of unit rows;
    similarity as _neighbours gives it) and s_i the distance from i to the farthest of its
    neighbours in the graph: the self-tuning affinity of Zelnik-Manor and Perona ("Self-tuning
    spectral clustering", 2004; they take the 7th neighbour, here the graph's own k), which
    measures each distance against the density where it lies, so a loose topic's comments hold
    together as firmly as a tight one's and a dense topic does not swallow its sparser neighbour
    through its many middling similarities."""
    from scipy import sparse

    n = len(points)
    neighbours = _neighbour_count(n)
    index, similarity = _neighbours(points, neighbours, words)
    distance = np.maximum(2.0 - 2.0 * similarity.astype(np.float64), 0.0)  # squared
    scale = np.sqrt(np.maximum(distance.max(axis=1), 1e-12))
    rows = np.repeat(np.arange(n), neighbours)
    affinity = np.exp(-distance.ravel() / (scale[rows] * scale[index.ravel()]))
    weights = np.maximum(affinity, 1e-6)  # a kNN edge always counts a little
    matrix = sparse.coo_matrix((weights, (rows, index.ravel())), shape=(n, n)).tocsr()
    return matrix.maximum(matrix.T).tocsr()


def _neighbour_count(n: int) -> int:
    return min(n - 1, max(2, math.ceil(math.log2(n)))) if n > 2 else 0


def _modularity(matrix: Any, labels: np.ndarray, resolution: float) -> float:
    """Newman's modularity of `labels` on the weighted adjacency `matrix` (each edge stored both
    ways): the sum over communities of their share of edge weight inside, less resolution times
    their squared share of degree."""
    degree = np.asarray(matrix.sum(axis=1)).ravel()
    total = degree.sum()
    if total <= 0:
        return 0.0
    rows, cols = matrix.nonzero()
    weights = np.asarray(matrix[rows, cols]).ravel()
    inside = np.bincount(labels[rows], weights=weights * (labels[rows] == labels[cols]), minlength=labels.max() + 1)
    spread = np.bincount(labels, weights=degree, minlength=labels.max() + 1)
    return float((inside / total).sum() - resolution * ((spread / total) ** 2).sum())


def _louvain(matrix: Any, resolution: float, runs: int = LOUVAIN_RUNS) -> tuple[np.ndarray, float]:
    """The best of `runs` seeded Louvain runs by modularity (each visiting the nodes in its own
    seeded order), communities numbered largest first. scikit-network's Louvain (Blondel et al.
    2008) is compiled; networkx's, in Python, took 70% of the themes' time on 30,000 comments."""
    from sknetwork.clustering import Louvain

    best: tuple[float, np.ndarray] | None = None
    for seed in range(SEED, SEED + runs):
        found = Louvain(
            resolution=resolution, modularity="newman", shuffle_nodes=True, random_state=seed, return_probs=False
        ).fit_predict(matrix)
        labels = _largest_first(np.asarray(found, dtype=np.int64))
        quality = _modularity(matrix, labels, resolution)
        if best is None or quality > best[0] + 1e-12:
            best = (quality, labels)
    assert best is not None
    return best[1], round(best[0], 4)


def _communities(points: np.ndarray, k: int | None, words: Any = None) -> tuple[np.ndarray, float | None, float]:
    """Louvain communities of the kNN graph at modularity's own resolution; for an analyst's k,
    the resolution (searched by bisection on a log scale) whose communities number closest to k."""
    n = len(points)
    if n < 3:
        return np.zeros(n, dtype=np.int64), None, RESOLUTION
    matrix = _graph(points, words)
    labels, modularity = _louvain(matrix, RESOLUTION)
    if k is None or int(labels.max()) + 1 == k:
        return labels, modularity, RESOLUTION
    low, high = (RESOLUTION, 64.0) if int(labels.max()) + 1 < k else (1 / 64, RESOLUTION)
    best = (abs(int(labels.max()) + 1 - k), labels, modularity, RESOLUTION)
    for _step in range(12):
        resolution = math.sqrt(low * high)
        found, quality = _louvain(matrix, resolution, runs=1)
        count = int(found.max()) + 1
        if abs(count - k) < best[0]:
            best = (abs(count - k), found, quality, resolution)
        if count == k:
            break
        low, high = (resolution, high) if count < k else (low, resolution)
    return best[1], best[2], best[3]


def _group(
    space: np.ndarray,
    rows: np.ndarray,
    parameters: dict[str, Any],
    k: int | None,
    chinese: Any = None,
) -> tuple[np.ndarray, float | None, int]:
    """A theme for every unit: communities of a sample's graph, the rest by nearest prototype.
    `chinese(sampled)` gives the TF-IDF rows that sharpen the sample's Chinese similarities."""
    sampled = _sample(len(rows), SAMPLE)
    points = np.asarray(space[rows[sampled]], dtype=np.float32)
    words = chinese(sampled) if chinese is not None else None
    if words is not None:
        parameters["tfidf"] = (
            f"mixed into the similarity of {int(words.getnnz(axis=1).astype(bool).sum())} Chinese comments"
        )
    sample_labels, modularity, resolution = _communities(points, k, words)
    parameters["graph"] = {
        "units": len(sampled),
        "neighbours": _neighbour_count(len(sampled)),
        "resolution": round(resolution, 4),
        "louvain_runs": LOUVAIN_RUNS,
        "modularity": modularity,
    }
    found = int(sample_labels.max()) + 1
    if len(sampled) == len(rows):
        return sample_labels, modularity, found
    prototypes, owner = _prototypes(points, sample_labels, found)
    labels = np.empty(len(rows), dtype=np.int64)
    for start in range(0, len(rows), CHUNK):
        chunk = np.asarray(space[rows[start : start + CHUNK]], dtype=np.float32)
        labels[start : start + CHUNK] = owner[np.argmax(chunk @ prototypes.T, axis=1)]
    labels[sampled] = sample_labels  # the sampled units keep their community
    parameters["assigned"] = f"{len(rows) - len(sampled)} units to the nearest of {len(prototypes)} prototypes"
    return labels, modularity, found


def _prototypes(points: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k-means centres within each community, about one per PROTOTYPE_EVERY members, unit length."""
    from sklearn.cluster import KMeans

    centres, owner = [], []
    for community in range(k):
        members = points[labels == community]
        count = max(1, min(len(members), math.ceil(len(members) / PROTOTYPE_EVERY)))
        if count == 1:
            found = members.mean(axis=0, keepdims=True)
        else:
            model = KMeans(n_clusters=count, init="random", n_init=1, max_iter=25, random_state=SEED)
            found = model.fit(members).cluster_centers_
        centres.append(found)
        owner += [community] * len(found)
    prototypes = np.vstack(centres).astype(np.float32)
    prototypes /= np.maximum(np.linalg.norm(prototypes, axis=1, keepdims=True), 1e-12)
    return prototypes, np.array(owner, dtype=np.int64)


def _chinese_tfidf(language: list[str], indexes: np.ndarray, tokens: _Tokens) -> Any:
    """Unit TF-IDF rows of the Chinese comments among `indexes` (content tokens, sublinear term
    frequency, words in two comments or more), an empty row for every other comment; None when
    fewer than two are Chinese."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    chinese = [n for n, i in enumerate(indexes.tolist()) if language[i] == "zh"]
    if len(chinese) < 2:
        return None
    tokens.load([int(indexes[n]) for n in chinese])
    documents = [tokens[int(indexes[n])] for n in chinese]
    try:
        matrix = TfidfVectorizer(analyzer=_given, min_df=2, sublinear_tf=True).fit_transform(documents)
    except ValueError:  # no word in two comments
        return None
    rows = sparse.csr_matrix((len(indexes), matrix.shape[1]), dtype=np.float32)
    placed = sparse.csr_matrix(
        (np.ones(len(chinese), dtype=np.float32), (np.array(chinese), np.arange(len(chinese)))),
        shape=(len(indexes), len(chinese)),
    )
    rows = (placed @ matrix).astype(np.float32).tocsr()
    return rows


def _given(words: list[str]) -> list[str]:
    return words


def _centres(
    space: np.ndarray, rows: np.ndarray, labels: np.ndarray, k: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """The unit-length mean of each theme's rows, each row counted `weights` times (default once)."""
    from scipy import sparse

    sums = np.zeros((k, space.shape[1]), dtype=np.float64)
    for start in range(0, len(rows), CHUNK):
        chunk = np.asarray(space[rows[start : start + CHUNK]], dtype=np.float32)
        chosen = labels[start : start + CHUNK]
        counted = np.ones(len(chosen)) if weights is None else weights[start : start + CHUNK]
        membership = sparse.csr_matrix(
            (counted.astype(np.float32), (chosen, np.arange(len(chosen)))), shape=(k, len(chosen))
        )
        sums += membership @ chunk
    return (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _to_k(space: np.ndarray, rows: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """The analyst's k: merge the two closest themes (cosine of their centres, sizes weighted as
    average linkage would) while there are too many; split the largest by 2-means while too few."""
    from sklearn.cluster import KMeans

    labels = labels.copy()
    while int(labels.max()) + 1 > k:
        count = int(labels.max()) + 1
        centres = _centres(space, rows, labels, count)
        similarity = centres @ centres.T
        np.fill_diagonal(similarity, -np.inf)
        a, b = sorted(np.unravel_index(int(np.argmax(similarity)), similarity.shape))
        labels[labels == b] = a
        labels[labels > b] -= 1
    while int(labels.max()) + 1 < k:
        sizes = np.bincount(labels)
        largest = int(np.argmax(sizes))
        if sizes[largest] < 2:
            break
        members = np.flatnonzero(labels == largest)
        points = np.asarray(space[rows[members]], dtype=np.float32)
        halves = KMeans(n_clusters=2, n_init=3, random_state=SEED).fit_predict(points)
        if len(set(halves.tolist())) < 2:
            break
        labels[members[halves == 1]] = int(labels.max()) + 1
    return _largest_first(labels)


def _largest_first(labels: np.ndarray) -> np.ndarray:
    """`labels` renumbered largest community first, ties by first unit, so that the numbers do
    not depend on how the communities were found."""
    sizes = np.bincount(labels)
    first = np.full(len(sizes), len(labels))
    np.minimum.at(first, labels, np.arange(len(labels)))
    order = sorted(range(len(sizes)), key=lambda c: (-sizes[c], first[c]))
    renumber = np.empty(len(sizes), dtype=np.int64)
    renumber[order] = np.arange(len(sizes))
    return renumber[labels]


def _silhouette(space: np.ndarray, rows: np.ndarray, labels: np.ndarray) -> float | None:
    from sklearn.metrics import silhouette_score

    chosen = _sample(len(rows), SAMPLE_FOR_SILHOUETTE)
    picked = labels[chosen]
    if not 2 <= len(set(picked.tolist())) < len(chosen):
        return None
    points = np.asarray(space[rows[chosen]], dtype=np.float32)
    return round(float(silhouette_score(points, picked, metric="cosine")), 4)


def _describe(
    items: Sequence[Item],
    language: list[str],  # each item's, as detect_language tells it
    heads: np.ndarray,
    unit_of_item: np.ndarray,
    tokens: _Tokens,
    space: np.ndarray,
    rows: np.ndarray,
    labels: np.ndarray,
    k: int,
) -> list[Theme]:
    # A theme is named and shown from the middle of its comments, not of its units: a campaign of
    # 140 letters weighs as 140 there (in the graph it is one unit, so it cannot pull others in).
    comments_of_unit = np.bincount(unit_of_item[unit_of_item >= 0], minlength=len(rows))
    centres = _centres(space, rows, labels, k, comments_of_unit)
    closeness = np.empty(len(rows), dtype=np.float32)
    # How much nearer each unit is to its own theme's centre than to the next theme's: a comment
    # that says something general ("I support the draft") is near every centre and names none.
    margin = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), CHUNK):
        chunk = np.asarray(space[rows[start : start + CHUNK]], dtype=np.float32)
        own = labels[start : start + CHUNK]
        to_centres = chunk @ centres.T
        closeness[start : start + CHUNK] = to_centres[np.arange(len(own)), own]
        to_centres[np.arange(len(own)), own] = -np.inf
        next_nearest = to_centres.max(axis=1) if k > 1 else np.zeros(len(own), dtype=np.float32)
        margin[start : start + CHUNK] = closeness[start : start + CHUNK] - next_nearest
    terms = _key_terms(heads, tokens, labels, k)
    order = np.lexsort((-closeness, labels))  # units by theme, most central first
    bounds = np.searchsorted(labels[order], np.arange(k + 1))
    themed = np.flatnonzero(unit_of_item >= 0)
    theme_of_item = labels[unit_of_item[themed]]
    by_theme = themed[np.argsort(theme_of_item, kind="stable")]  # items by theme, in input order
    item_bounds = np.searchsorted(np.sort(theme_of_item, kind="stable"), np.arange(k + 1))
    themes = []
    for theme in range(k):
        chosen = order[bounds[theme] : bounds[theme + 1]]
        if not len(chosen):
            continue
        indexes = by_theme[item_bounds[theme] : item_bounds[theme + 1]].tolist()
        members = [items[i] for i in indexes]
        campaigns = Counter(m.campaign for m in members if m.campaign is not None)
        nearest = chosen[: max(REPRESENTATIVES, 50)]
        central = heads[nearest].tolist()
        languages = Counter(language[i] for i in central)
        # Named by the central comment of each language that belongs most plainly to this theme.
        telling = heads[nearest[np.argsort(-margin[nearest], kind="stable")]].tolist()
        labels_by_language = _labels(items, language, telling, terms[theme])
        main = max(labels_by_language, key=lambda lang: (languages[lang], lang == "zh")) if labels_by_language else ""
        themes.append(
            Theme(
                label=labels_by_language.get(main, ""),
                key_terms=terms[theme],
                members=[m.id for m in members],
                representative=[items[i].id for i in central[:REPRESENTATIVES]],
                authors=len({m.author if m.author is not None else ("comment", m.id) for m in members}),
                stances=dict(Counter(m.stance for m in members if m.stance)),
                articles=dict(sorted(Counter(m.article for m in members if m.article is not None).items())),
                campaigns=dict(campaigns),
                individual=sum(1 for m in members if m.campaign is None),
                labels=labels_by_language,
                key_phrase=_key_phrase(terms[theme]),
                languages=dict(Counter(language[i] for i in indexes).most_common()),
            )
        )
        del members
    themes.sort(key=lambda t: (-t.size, t.label))
    return themes


def _key_terms(heads: np.ndarray, tokens: _Tokens, labels: np.ndarray, k: int) -> list[list[str]]:
    """Class-based TF-IDF: each term's share of a theme's words, times log(1 + the average
    words per theme / the term's words across all themes); words and adjacent word pairs."""
    counts: list[Counter[str]] = [Counter() for _ in range(k)]
    limit = max(REPRESENTATIVES, SAMPLE // max(k, 1))
    seen = np.zeros(k, dtype=np.int64)
    counted = []
    for unit, theme in enumerate(labels.tolist()):
        if seen[theme] >= limit:  # enough to name a theme; a million units need not all be counted
            continue
        seen[theme] += 1
        counted.append(unit)
    tokens.load([int(heads[unit]) for unit in counted])
    for unit in counted:
        theme = int(labels[unit])
        words = tokens[int(heads[unit])]
        counts[theme].update(set(words) | {_pair(a, b) for a, b in itertools.pairwise(words)})
    overall: Counter[str] = Counter()
    for found in counts:
        overall.update(found)
    average = sum(overall.values()) / max(k, 1)
    result = []
    for theme, found in enumerate(counts):
        total = sum(found.values()) or 1
        scored = [
            (count / total * math.log(1 + average / overall[term]), term)
            for term, count in found.items()
            if count >= 2 or seen[theme] < 5
        ]
        scored.sort(key=lambda s: (-s[0], s[1]))
        kept: list[str] = []
        for _score, term in scored:
            if any(term in other or other in term for other in kept):
                continue  # a pair and its own words say the same thing
            kept.append(term)
            if len(kept) == 8:
                break
        result.append(kept)
    return result


class _Tokens:
    """The content tokens of items, taken from the caller's `tokens` or made here only where
    needed: for the comments that name a theme, and to tell a comment without content words
    ("+1", "同意") from the rest, which a text of LONG_ENOUGH letters or Han characters never is."""

    def __init__(self, items: Sequence[Item], given: list[list[str]] | None) -> None:
        if given is not None and len(given) != len(items):
            raise ValueError(f"{len(given)} token lists for {len(items)} items")
        self.items, self.given, self.made = items, given, dict[int, list[str]]()

    def load(self, indexes: list[int]) -> None:
        if self.given is not None:
            return
        missing = [i for i in indexes if i not in self.made]
        for i, words in zip(missing, pipeline().tokens_many(self.items[i].text for i in missing), strict=True):
            self.made[i] = words

    def __getitem__(self, index: int) -> list[str]:
        if self.given is not None:
            return self.given[index]
        self.load([index])
        return self.made[index]

    def content(self) -> np.ndarray:
        """Whether each item has a content word."""
        if self.given is not None:
            return np.fromiter((bool(words) for words in self.given), dtype=bool, count=len(self.given))
        found = np.ones(len(self.items), dtype=bool)
        short = [i for i, item in enumerate(self.items) if _LONG_ENOUGH.match(item.text) is None]
        self.load(short)
        found[short] = [bool(self.made[i]) for i in short]
        return found


def _pair(a: str, b: str) -> str:
    return f"{a} {b}" if a.isascii() and b.isascii() else a + b


def _key_phrase(terms: list[str]) -> str:
    """The first key term of two or more characters (one Chinese character says little alone)."""
    return next((t for t in terms if len(t) > 1), terms[0] if terms else "")


def _labels(items: Sequence[Item], language: list[str], telling: list[int], terms: list[str]) -> dict[str, str]:
    """For zh and en (and other), the sentence of the first comment in `telling` in that language
    that holds most of the theme's key terms, trimmed to a readable length."""
    found: dict[str, str] = {}
    for index in telling:
        if language[index] in found:
            continue
        sentences = [s.strip() for s in _SENTENCE_END.split(items[index].text) if s and s.strip()]
        if not sentences:
            continue
        folded = [s.lower() for s in sentences]
        best = max(
            range(len(sentences)),
            key=lambda i: (sum(term.replace(" ", "") in folded[i].replace(" ", "") for term in terms), -i),
        )
        found[language[index]] = _trim(sentences[best], LABEL_CHARACTERS[language[index]])
    return found


_HEDGE = re.compile(
    r"^(?:(?:但是?|所以|其實|個人|我個人|我)?(?:覺得|認為|想|相信)[，,：:\s]*"
    r"|(?:but |so )?i (?:think|believe|feel) (?:that )?|in my (?:opinion|view),? )",
    re.IGNORECASE,
)
# Openers that tie a sentence to what came before ("另外，", "個人意見：", "Also, "): a theme's name
# reads on its own.
_OPENER = re.compile(
    r"^(?:另外|還有|此外|而且|再者|首先|其次|最後|補充|個人意見|我的意見)[，,：:\s]+"
    r"|^(?:also|additionally|furthermore|moreover|finally),\s*",
    re.IGNORECASE,
)


def _trim(sentence: str, limit: int) -> str:
    """White space folded, a leading opener (另外，) and "I think" (我覺得, 我認為) dropped, cut at `limit` characters
    (at a word in English) with an ellipsis."""
    sentence = " ".join(sentence.split()).rstrip("。.，,；;：:")
    shorter = _HEDGE.sub("", _OPENER.sub("", sentence))
    if len(shorter) >= 4:
        sentence = shorter[0].upper() + shorter[1:] if shorter[0].isascii() and sentence[0].isupper() else shorter
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit]
    if cut.isascii() and " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip("，,、 ") + "…"
