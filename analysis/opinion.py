"""Opinion groups from agree/disagree/pass votes on statements, following the mathematics of
Pol.is (set out with its sources in ../shared/docs/polis-math.md), written here from the formulas.

Votes use the export convention: +1 agree, -1 disagree, 0 pass. Steps:
1. The vote matrix (the latest vote per participant and statement); moderated-out statements'
   columns are 0 for everyone. Missing votes are filled with their statement's mean for PCA.
2. Two principal components of the centred matrix (an exact eigendecomposition, sign-fixed, so
   the same votes always give the same map), and each participant projected over the statements
   they voted on, scaled by sqrt(statements / their votes) so sparse voters are not all in the
   middle.
3. Participants with at least min(7, statements) votes (at least 15 of them, topped up with the
   most active) are clustered: k-means with k = 100 into base clusters, then weighted k-means of
   the base centres into 2..5 groups, k chosen by silhouette over the base centres.
4. Per group and statement, representativeness with its z-tests (90% one-sided); group-informed
   consensus; divisiveness; and each statement's priority for being shown next.
Everything is deterministic: k-means starts from the first distinct points in row order."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

Z90 = 1.2816  # one-sided 90%
BASE_K = 100
MAX_GROUPS = 5
MIN_VOTES = 7
MIN_IN_CONV = 15
REPNESS_KEPT = 5
# Pol.is's own k-means start is kept unless its silhouette is below this share of the best seeded
# restart's. 0.8 was chosen on the six shared Pol.is exports: it rescues a start that missed a
# small, distant group (silhouette 0.21 against 0.67) and keeps Pol.is's start when it is close.
CLEARLY_WORSE = 0.8


@dataclass(frozen=True)
class Vote:
    participant: Hashable
    statement: Hashable
    vote: int  # +1 agree, -1 disagree, 0 pass


@dataclass
class Repness:
    statement: Hashable
    direction: str  # "agree" or "disagree"
    probability: float  # pa or pd within the group
    representativeness: float  # ra or rd against the rest
    z_test: float  # rat or rdt
    z_probability: float  # pat or pdt


@dataclass
class OpinionResult:
    participants: list[Hashable]  # rows, in input order of first vote
    statements: list[Hashable]  # columns, in input order of first vote (or as given)
    projection: np.ndarray  # (participants, 2)
    groups: dict[Hashable, int]  # clustered participants -> group index
    k: int
    silhouette: float | None
    repness: dict[int, list[Repness]]
    consensus: list[Hashable]  # statements every group agrees with, by group-informed consensus
    gic: dict[Hashable, float]  # group-informed consensus of every statement
    divisive: list[Hashable]  # statements the groups disagree most about
    priority: dict[Hashable, float]  # for choosing the next statement to show
    extremity: dict[Hashable, float]
    group_votes: dict[int, dict[Hashable, tuple[int, int, int]]] = field(default_factory=dict)  # agree, disagree, seen


def compute(
    votes: Iterable[Vote],
    statements: Sequence[Hashable] | None = None,
    moderated_out: Iterable[Hashable] = (),
) -> OpinionResult:
    participants, columns, matrix = vote_matrix(votes, statements)
    out = {columns.index(s) for s in moderated_out if s in columns}
    rating = matrix.copy()
    for j in out:
        rating[:, j] = 0.0
    voted = ~np.isnan(rating)
    counts_raw = (~np.isnan(matrix)).sum(axis=1)
    projection, components, means = _pca_projection(rating, voted)
    extremity = _extremity(components, means, len(columns))
    chosen = _in_conv(counts_raw, len(columns))
    groups, k, silhouette = _cluster(projection, chosen)
    labels = np.full(len(participants), -1)
    for row, group in groups.items():
        labels[row] = group
    group_votes = _group_votes(rating, labels, k)
    repness = {g: _repness(group_votes, g, k, columns, out) for g in range(k)}
    gic = _gic(group_votes, k)
    consensus_order = [
        j
        for j in np.argsort(-gic, kind="stable")
        if j not in out and k and all(_p(group_votes[g][0][j], group_votes[g][2][j]) > 0.5 for g in range(k))
    ]
    spread = _spread(group_votes, k)
    divisive = [j for j in np.argsort(-spread, kind="stable") if j not in out and spread[j] > 0][:REPNESS_KEPT]
    priority = _priority(group_votes, k, extremity, out)
    return OpinionResult(
        participants=participants,
        statements=columns,
        projection=projection,
        groups={participants[row]: group for row, group in groups.items()},
        k=k,
        silhouette=silhouette,
        repness=repness,
        consensus=[columns[j] for j in consensus_order[:REPNESS_KEPT]],
        gic={columns[j]: float(gic[j]) for j in range(len(columns))},
        divisive=[columns[j] for j in divisive],
        priority={columns[j]: float(priority[j]) for j in range(len(columns))},
        extremity={columns[j]: float(extremity[j]) for j in range(len(columns))},
        group_votes={
            g: {
                columns[j]: (int(group_votes[g][0][j]), int(group_votes[g][1][j]), int(group_votes[g][2][j]))
                for j in range(len(columns))
            }
            for g in range(k)
        },
    )


def vote_matrix(
    votes: Iterable[Vote], statements: Sequence[Hashable] | None = None
) -> tuple[list[Hashable], list[Hashable], np.ndarray]:
    """Participants x statements, NaN where there is no vote; a later vote replaces an earlier one."""
    rows: dict[Hashable, int] = {}
    columns: dict[Hashable, int] = {s: j for j, s in enumerate(statements or [])}
    cells: dict[tuple[int, int], int] = {}
    for vote in votes:
        if vote.vote not in (-1, 0, 1):
            raise ValueError(f"a vote is -1, 0 or +1, not {vote.vote!r}")
        row = rows.setdefault(vote.participant, len(rows))
        column = columns.setdefault(vote.statement, len(columns))
        cells[(row, column)] = vote.vote
    matrix = np.full((len(rows), len(columns)), np.nan)
    if cells:
        where = np.array(list(cells.keys()))
        matrix[where[:, 0], where[:, 1]] = np.fromiter(cells.values(), dtype=float, count=len(cells))
    return list(rows), list(columns), matrix


def _pca_projection(rating: np.ndarray, voted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    participants, statements = rating.shape
    if not participants or not statements:
        return np.zeros((participants, 2)), np.zeros((2, statements)), np.zeros(statements)
    seen = voted.sum(axis=0)
    column_means = np.where(seen > 0, np.nansum(rating, axis=0) / np.maximum(seen, 1), 0.0)
    filled = np.where(voted, rating, column_means)
    means = filled.mean(axis=0)
    centred = filled - means
    covariance = centred.T @ centred
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(-values, kind="stable")[:2]
    components = vectors[:, order].T  # (2, statements)
    if components.shape[0] < 2:
        components = np.vstack([components, np.zeros((2 - components.shape[0], statements))])
    for c in range(2):  # a fixed sign: the largest loading is positive
        if components[c, np.argmax(np.abs(components[c]))] < 0:
            components[c] = -components[c]
    deviations = np.where(voted, rating - means, 0.0)
    cells = voted.sum(axis=1)
    scale = np.sqrt(statements / np.maximum(cells, 1))
    projection = (deviations @ components.T) * scale[:, None]
    return projection, components, means


def _extremity(components: np.ndarray, means: np.ndarray, statements: int) -> np.ndarray:
    """How far a participant who only agreed with this statement would sit from the centre."""
    return np.sqrt(statements) * np.abs(1.0 - means) * np.sqrt((components**2).sum(axis=0))


def _in_conv(votes_per_participant: np.ndarray, statements: int) -> np.ndarray:
    enough = np.flatnonzero(votes_per_participant >= min(MIN_VOTES, statements))
    if len(enough) < MIN_IN_CONV:
        ranked = np.argsort(-votes_per_participant, kind="stable")
        kept = set(enough.tolist())
        extra = [r for r in ranked if votes_per_participant[r] > 0 and r not in kept]
        enough = np.sort(np.concatenate([enough, np.array(extra[: MIN_IN_CONV - len(enough)], dtype=int)]))
    return enough.astype(int)


def _kmeans(
    points: np.ndarray,
    k: int,
    weights: np.ndarray | None = None,
    iterations: int = 100,
    tolerance: float = 0.01,
    starts: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted Lloyd's k-means, from `starts` or else the first k distinct points in row order
    (as Pol.is starts it)."""
    if starts is None:
        _, first = np.unique(points, axis=0, return_index=True)
        starts = points[np.sort(first)[:k]]
    centres = np.array(starts, dtype=float)
    weights = np.ones(len(points)) if weights is None else weights
    for _ in range(iterations):
        labels = np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        moved = centres.copy()
        for c in range(len(centres)):
            mine = labels == c
            if mine.any():
                moved[c] = np.average(points[mine], axis=0, weights=weights[mine])
        shift = np.abs(moved - centres).max() if len(centres) else 0.0
        centres = moved
        if shift < tolerance:
            break
    return np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1), centres


def _group_kmeans(points: np.ndarray, k: int, weights: np.ndarray, restarts: int = 10) -> tuple[np.ndarray, float]:
    """k-means of the base centres from Pol.is's start, unless that start missed the structure:
    seeded k-means++ restarts find the least weighted squared distance, and when Pol.is's start
    scores clearly worse by silhouette (below 80% of it) that clustering is taken instead.
    Returns the labels and their silhouette."""
    rng = np.random.default_rng(0)
    own, _centres = _kmeans(points, k, weights, iterations=50, tolerance=1e-6)
    best: tuple[float, np.ndarray] | None = None
    for _attempt in range(restarts):
        starts = _plus_plus(points, k, weights, rng)
        labels, centres = _kmeans(points, k, weights, iterations=50, tolerance=1e-6, starts=starts)
        inertia = float((weights * ((points - centres[labels]) ** 2).sum(axis=1)).sum())
        if best is None or inertia < best[0] - 1e-9:
            best = (inertia, labels)
    assert best is not None
    own_score = _silhouette(points, own, weights) if len(set(own.tolist())) > 1 else -1.0
    best_score = _silhouette(points, best[1], weights) if len(set(best[1].tolist())) > 1 else -1.0
    if own_score >= CLEARLY_WORSE * best_score:
        return own, own_score
    return best[1], best_score


def _plus_plus(points: np.ndarray, k: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    chosen = [int(rng.choice(len(points), p=weights / weights.sum()))]
    for _ in range(1, k):
        nearest = ((points[:, None, :] - points[chosen][None, :, :]) ** 2).sum(axis=2).min(axis=1)
        spread = weights * nearest
        if spread.sum() <= 0:
            break
        chosen.append(int(rng.choice(len(points), p=spread / spread.sum())))
    return points[chosen]


def _silhouette(points: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """Silhouette over the base centres, each standing for its members (weighted), so the score
    is what it would be over the participants if each sat on their base centre."""
    distances = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    total = 0.0
    for i, own in enumerate(labels):
        mates = labels == own
        inside = weights[mates].sum() - 1  # the others in my group, myself left out
        if inside <= 0:
            continue  # a lone participant scores 0
        a = (distances[i, mates] * weights[mates]).sum() / inside
        b = min(
            (distances[i, labels == other] * weights[labels == other]).sum() / weights[labels == other].sum()
            for other in set(labels.tolist()) - {own}
        )
        total += weights[i] * ((b - a) / max(a, b) if max(a, b) > 0 else 0.0)
    return total / weights.sum()


def _cluster(projection: np.ndarray, chosen: np.ndarray) -> tuple[dict[int, int], int, float | None]:
    if len(chosen) < 2:
        return {int(row): 0 for row in chosen}, 1 if len(chosen) else 0, None
    points = projection[chosen]
    distinct = len(np.unique(points, axis=0))
    base_labels, base_centres = _kmeans(points, min(BASE_K, distinct))
    sizes = np.bincount(base_labels, minlength=len(base_centres)).astype(float)
    used = sizes > 0
    base_centres, sizes = base_centres[used], sizes[used]
    remap = np.cumsum(used) - 1
    base_labels = remap[base_labels]
    if len(base_centres) < 3:
        groups = {int(row): int(base_labels[i]) for i, row in enumerate(chosen)}
        return groups, len(base_centres), None
    best: tuple[float, int, np.ndarray] | None = None
    for k in range(2, min(MAX_GROUPS, 2 + len(base_centres) // 12) + 1):
        labels, score = _group_kmeans(base_centres, k, sizes)
        if score < -0.5:
            continue
        if best is None or score > best[0] + 1e-12:
            best = (score, k, labels)
    if best is None:
        return {int(row): 0 for row in chosen}, 1, None
    score, _k, group_of_base = best
    # Groups numbered by first appearance in participant order, so numbering does not depend on k-means.
    order: dict[int, int] = {}
    for base in base_labels:
        order.setdefault(int(group_of_base[base]), len(order))
    groups = {int(row): order[int(group_of_base[base_labels[i]])] for i, row in enumerate(chosen)}
    return groups, len(order), round(score, 4)


def _group_votes(rating: np.ndarray, labels: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per group: (agrees, disagrees, seen) per statement."""
    result = []
    for g in range(k):
        rows = rating[labels == g]
        result.append(
            (
                (rows == 1).sum(axis=0),
                (rows == -1).sum(axis=0),
                (~np.isnan(rows)).sum(axis=0),
            )
        )
    return result


def _p(successes: float, seen: float) -> float:
    return (successes + 1) / (seen + 2)


def _z_one(successes: np.ndarray, seen: np.ndarray) -> np.ndarray:
    return 2 * np.sqrt(seen + 1) * ((successes + 1) / (seen + 1) - 0.5)


def _z_two(s1: np.ndarray, n1: np.ndarray, s2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    p1, p2 = (s1 + 1) / (n1 + 1), (s2 + 1) / (n2 + 1)
    pooled = (s1 + s2 + 2) / (n1 + n2 + 2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / (n1 + 1) + 1 / (n2 + 1)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((pooled >= 1) | (spread == 0), 0.0, (p1 - p2) / spread)


def _repness(
    group_votes: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    g: int,
    k: int,
    columns: list[Hashable],
    out: set[int],
) -> list[Repness]:
    na, nd, ns = group_votes[g]
    rest_a = sum((group_votes[o][0] for o in range(k) if o != g), np.zeros_like(na))
    rest_d = sum((group_votes[o][1] for o in range(k) if o != g), np.zeros_like(nd))
    rest_s = sum((group_votes[o][2] for o in range(k) if o != g), np.zeros_like(ns))
    pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
    pat, pdt = _z_one(na, ns), _z_one(nd, ns)
    ra = pa / ((1 + rest_a) / (2 + rest_s))
    rd = pd / ((1 + rest_d) / (2 + rest_s))
    rat, rdt = _z_two(na, ns, rest_a, rest_s), _z_two(nd, ns, rest_d, rest_s)
    found = []
    for j in range(len(columns)):
        if j in out or ns[j] == 0:
            continue
        agree_passes = rat[j] > Z90 and pat[j] > Z90
        disagree_passes = rdt[j] > Z90 and pdt[j] > Z90
        if not (agree_passes or disagree_passes):
            continue
        if rat[j] > rdt[j]:
            found.append(Repness(columns[j], "agree", *map(float, (pa[j], ra[j], rat[j], pat[j]))))
        else:
            found.append(Repness(columns[j], "disagree", *map(float, (pd[j], rd[j], rdt[j], pdt[j]))))
    if not found:  # nothing significant: the single best statement, agree preferred on a tie
        candidates = [j for j in range(len(columns)) if j not in out and ns[j] > 0]
        if not candidates:
            return []
        j = max(candidates, key=lambda c: (max(rat[c], rdt[c]), rat[c] >= rdt[c], -c))
        direction = "agree" if rat[j] >= rdt[j] else "disagree"
        values = (pa[j], ra[j], rat[j], pat[j]) if direction == "agree" else (pd[j], rd[j], rdt[j], pdt[j])
        return [Repness(columns[j], direction, *map(float, values))]
    found.sort(key=lambda r: -(r.representativeness * r.z_test * r.probability * r.z_probability))
    best_agree = next((r for r in found if r.direction == "agree"), None)
    if best_agree is not None:
        found.remove(best_agree)
        found.insert(0, best_agree)
    kept = found[:REPNESS_KEPT]
    kept.sort(key=lambda r: r.direction != "agree")  # agrees before disagrees, each in metric order
    return kept


def _gic(group_votes: list[tuple[np.ndarray, np.ndarray, np.ndarray]], k: int) -> np.ndarray:
    """Group-informed consensus: the product over groups of each group's agree probability."""
    if not k:
        return np.zeros(0)
    result = np.ones_like(group_votes[0][0], dtype=float)
    for agrees, _disagrees, seen in group_votes:
        result *= (agrees + 1) / (seen + 2)
    return result


def _spread(group_votes: list[tuple[np.ndarray, np.ndarray, np.ndarray]], k: int) -> np.ndarray:
    """Divisiveness: the widest gap between two groups' agree probabilities."""
    if k < 2:
        return np.zeros(len(group_votes[0][0]) if group_votes else 0)
    probabilities = np.array([(a + 1) / (s + 2) for a, _d, s in group_votes])
    return probabilities.max(axis=0) - probabilities.min(axis=0)


def _priority(
    group_votes: list[tuple[np.ndarray, np.ndarray, np.ndarray]], k: int, extremity: np.ndarray, out: set[int]
) -> np.ndarray:
    """Pol.is's comment priority: statements few have seen, and those that place people, first."""
    statements = len(extremity)
    agrees = sum((a for a, _d, _s in group_votes), np.zeros(statements))
    disagrees = sum((d for _a, d, _s in group_votes), np.zeros(statements))
    seen = sum((s for _a, _d, s in group_votes), np.zeros(statements))
    passes = seen - (agrees + disagrees)
    importance = (1 - (passes + 1) / (seen + 2)) * (extremity + 1) * (agrees + 1) / (seen + 2)
    priority = (importance * (1 + 8 * 2 ** (-seen / 5))) ** 2
    for j in out:
        priority[j] = 0.0
    return priority


def next_statement(
    priority: Mapping[Hashable, float] | None, candidates: Sequence[Hashable], seed: int
) -> Hashable | None:
    """One of `candidates` (the statements a participant has not voted on), drawn with weights
    proportional to `priority` (OpinionResult.priority); statements newer than the last
    computation get the top weight, and without priorities every statement weighs the same."""
    if not candidates:
        return None
    top = max(priority.values(), default=1.0) if priority else 1.0
    weights = [priority.get(c, top) if priority else 1.0 for c in candidates]
    total = sum(weights)
    if total <= 0 or not math.isfinite(total):
        return candidates[0]
    rng = np.random.default_rng(seed)
    return candidates[int(rng.choice(len(candidates), p=np.asarray(weights) / total))]
