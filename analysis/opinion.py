"""Opinion groups from agree/disagree/pass votes on statements, following the mathematics of
Pol.is (set out with its sources in ../shared/docs/polis-math.md), written here from the formulas.

Votes use the export convention: +1 agree, -1 disagree, 0 pass. Steps:
1. The vote matrix (the latest vote per participant and statement); moderated-out statements'
   columns are 0 for everyone. Missing votes are filled with their statement's mean for PCA.
2. Two principal components of the centred matrix (an exact eigendecomposition, sign-fixed, so
   the same votes always give the same map), and each participant projected over the statements
   they voted on, scaled by sqrt(statements / their votes) so sparse voters are not all in the
   middle.
3. Who is clustered (in-conv): participants with at least min(7, statements voted on) votes;
   once in, always in (the previous update's in-conv is handed in); if fewer than 15, the most
   active are added until there are 15.
4. k-means with k = 100 into base clusters (started from the previous update's base centres, or
   the first distinct points in row order), then weighted k-means of the base centres into 2..k
   groups, k <= min(5, 2 + bases / 12), each k started from that k's previous centres or the first
   k distinct base centres, 20 iterations. The best k by silhouette over the base centres (each
   base centre one point, unweighted) is published only once it has been best for 4 updates in a
   row (Pol.is's k smoothing); until then the published k stays. A participant takes the group
   of their base cluster.
5. Per group and statement, representativeness with its z-tests (90% one-sided); group-informed
   consensus; divisiveness; and each statement's priority for being shown next.
Nothing here is tuned: every number is Pol.is's. What one update hands the next is
OpinionResult.state (plain data: JSON-able lists and numbers); without it a computation is
Pol.is's first update of those votes. Everything is deterministic."""

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
BASE_ITERATIONS = 100
GROUP_ITERATIONS = 20  # Pol.is passes :cluster-iters, which its kmeans does not read: its default 20 applies
K_BUFFER = 4  # updates a new best k must last before it is published


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
class OpinionState:
    """What one computation hands the next, as Pol.is keeps it between updates."""

    in_conv: list[Hashable] = field(default_factory=list)  # participants clustered: once in, always in
    base_centres: list[list[float]] = field(default_factory=list)
    group_centres: dict[int, list[list[float]]] = field(default_factory=dict)  # k -> its centres
    last_k: int | None = None  # the best k by silhouette at the last update
    last_k_count: int = 0  # for how many updates in a row it has been best
    smoothed_k: int | None = None  # the published k


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
    state: OpinionState = field(default_factory=OpinionState)  # hand to the next compute() as `previous`


def compute(
    votes: Iterable[Vote],
    statements: Sequence[Hashable] | None = None,
    moderated_out: Iterable[Hashable] = (),
    previous: OpinionState | None = None,
    restarts: int = 0,
) -> OpinionResult:
    """The opinion map of `votes`. `previous` is the last update's OpinionResult.state: it keeps
    in-conv participants in, starts k-means where the last update ended and smooths k.

    `restarts` > 0 departs from Pol.is, openly: for each group k, that many seeded k-means++
    starts are tried beside Pol.is's own, and the clustering of least weighted squared distance
    (the objective k-means itself minimises; no threshold) is kept. A single computation cannot
    have the history of warm starts that carries Pol.is's own groups past a poor first start;
    this looks for the same optimum another way. Off by default."""
    previous = previous or OpinionState()
    participants, columns, matrix = vote_matrix(votes, statements)
    out = {columns.index(s) for s in moderated_out if s in columns}
    # Pol.is's matrix has a column for each statement with a vote: a statement no one has voted
    # on yet is no column, so it changes neither the projection's scale nor who is in-conv.
    present = (~np.isnan(matrix)).any(axis=0)
    rating = matrix.copy()
    for j in out:
        if present[j]:
            rating[:, j] = 0.0
    voted = ~np.isnan(rating)
    counts_raw = (~np.isnan(matrix)).sum(axis=1)
    voted_columns = int(present.sum())
    projection, shown, shown_means = _pca_projection(rating[:, present], voted[:, present])
    components, means = np.zeros((2, len(columns))), np.zeros(len(columns))
    components[:, present], means[present] = shown, shown_means
    extremity = _extremity(components, means, voted_columns)
    row_of = {p: row for row, p in enumerate(participants)}
    sticky = np.array(sorted(row_of[p] for p in previous.in_conv if p in row_of), dtype=int)
    chosen = _in_conv(counts_raw, voted_columns, sticky)
    groups, k, silhouette, state = _cluster(projection, chosen, previous, restarts)
    state.in_conv = [participants[row] for row in chosen]
    labels = np.full(len(participants), -1)
    for row, group in groups.items():
        labels[row] = group
    group_votes = _group_votes(rating, labels, k)
    repness = {g: _repness(group_votes, g, k, columns, out) for g in range(k)}
    gic = _gic(group_votes, k, len(columns))
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
        state=state,
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


def _in_conv(votes_per_participant: np.ndarray, statements: int, sticky: np.ndarray) -> np.ndarray:
    """Rows clustered: the sticky ones, those with min(7, statements) votes, then the most active
    (most votes first, row order on a tie) until there are MIN_IN_CONV."""
    chosen = set(sticky.tolist()) | set(np.flatnonzero(votes_per_participant >= min(MIN_VOTES, statements)).tolist())
    if len(chosen) < MIN_IN_CONV:
        ranked = np.argsort(-votes_per_participant, kind="stable")
        extra = [int(r) for r in ranked if votes_per_participant[r] > 0 and int(r) not in chosen]
        chosen |= set(extra[: MIN_IN_CONV - len(chosen)])
    return np.array(sorted(chosen), dtype=int)


def _starts(points: np.ndarray, k: int, previous: list[list[float]] | None = None) -> np.ndarray:
    """Pol.is's start: the previous update's centres (as many as still fit), then the first
    distinct points in row order that are not already a centre, up to k."""
    _, first = np.unique(points, axis=0, return_index=True)
    distinct = points[np.sort(first)]
    starts = [list(map(float, c)) for c in (previous or [])[:k]]
    taken = {tuple(c) for c in starts}
    for point in distinct:
        if len(starts) >= min(k, len(distinct)):
            break
        if tuple(map(float, point)) not in taken:
            starts.append(list(map(float, point)))
            taken.add(tuple(map(float, point)))
    return np.array(starts, dtype=float).reshape(-1, points.shape[1])


def _kmeans(
    points: np.ndarray,
    k: int,
    weights: np.ndarray | None = None,
    iterations: int = BASE_ITERATIONS,
    tolerance: float = 0.01,
    starts: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted Lloyd's k-means from `starts` (else Pol.is's start); a centre left without
    members stays where it is."""
    centres = np.array(_starts(points, k) if starts is None else starts, dtype=float)
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


def _least_inertia(
    points: np.ndarray, k: int, weights: np.ndarray, labels: np.ndarray, centres: np.ndarray, restarts: int
) -> tuple[np.ndarray, np.ndarray]:
    """The given clustering, or the one of `restarts` seeded k-means++ starts with less weighted
    squared distance to its centres."""

    def inertia(found: np.ndarray, at: np.ndarray) -> float:
        return float((weights * ((points - at[found]) ** 2).sum(axis=1)).sum())

    rng = np.random.default_rng(k)
    best = (inertia(labels, centres), labels, centres)
    for _attempt in range(restarts):
        chosen = [int(rng.choice(len(points), p=weights / weights.sum()))]
        for _ in range(1, k):
            nearest = ((points[:, None, :] - points[chosen][None, :, :]) ** 2).sum(axis=2).min(axis=1)
            spread = weights * nearest
            if spread.sum() <= 0:
                break
            chosen.append(int(rng.choice(len(points), p=spread / spread.sum())))
        found, at = _kmeans(points, k, weights, iterations=GROUP_ITERATIONS, starts=points[chosen])
        if inertia(found, at) < best[0] - 1e-9:
            best = (inertia(found, at), found, at)
    return best[1], best[2]


def _silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Pol.is's silhouette over the base centres: each centre one point, an unweighted mean, a
    centre alone in its group scoring 0."""
    distances = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    groups = sorted(set(labels.tolist()))
    if len(groups) < 2:
        return 0.0
    total = 0.0
    for i, own in enumerate(labels.tolist()):
        mates = labels == own
        if mates.sum() <= 1:
            continue
        a = distances[i, mates].sum() / (mates.sum() - 1)
        b = min(distances[i, labels == other].mean() for other in groups if other != own)
        total += (b - a) / max(a, b) if max(a, b) > 0 else 0.0
    return total / len(points)


def _cluster(
    projection: np.ndarray, chosen: np.ndarray, previous: OpinionState, restarts: int = 0
) -> tuple[dict[int, int], int, float | None, OpinionState]:
    state = OpinionState()
    if len(chosen) < 2:
        return {int(row): 0 for row in chosen}, 1 if len(chosen) else 0, None, state
    points = projection[chosen]
    distinct = len(np.unique(points, axis=0))
    base_k = min(BASE_K, distinct)
    base_labels, base_centres = _kmeans(points, base_k, starts=_starts(points, base_k, previous.base_centres))
    sizes = np.bincount(base_labels, minlength=len(base_centres)).astype(float)
    used = sizes > 0
    base_centres, sizes = base_centres[used], sizes[used]
    remap = np.cumsum(used) - 1
    base_labels = remap[base_labels]
    state.base_centres = base_centres.tolist()
    if len(base_centres) < 3:
        groups = {int(row): int(base_labels[i]) for i, row in enumerate(chosen)}
        return groups, len(base_centres), None, state
    clusterings: dict[int, tuple[np.ndarray, float]] = {}
    for k in range(2, min(MAX_GROUPS, 2 + len(base_centres) // 12) + 1):
        starts = _starts(base_centres, k, previous.group_centres.get(k))
        labels, centres = _kmeans(base_centres, k, sizes, iterations=GROUP_ITERATIONS, starts=starts)
        if restarts:
            labels, centres = _least_inertia(base_centres, k, sizes, labels, centres, restarts)
        clusterings[k] = (labels, _silhouette(base_centres, labels))
        state.group_centres[k] = centres.tolist()
    # The best k by silhouette (the larger on a tie, as Clojure's max-key takes the last), then
    # Pol.is's smoothing: the published k changes only once a new best has lasted K_BUFFER updates.
    this_k = max(clusterings, key=lambda k: (clusterings[k][1], k))
    count = previous.last_k_count + 1 if previous.last_k == this_k else 1
    smoothed = this_k if count >= K_BUFFER or previous.smoothed_k is None else previous.smoothed_k
    if smoothed not in clusterings:  # fewer base clusters than when it was chosen
        smoothed = this_k
    state.last_k, state.last_k_count, state.smoothed_k = this_k, count, smoothed
    group_of_base, score = clusterings[smoothed]
    # Groups numbered by first appearance in participant order, so numbering does not depend on k-means.
    order: dict[int, int] = {}
    for base in base_labels:
        order.setdefault(int(group_of_base[base]), len(order))
    groups = {int(row): order[int(group_of_base[base_labels[i]])] for i, row in enumerate(chosen)}
    return groups, len(order), round(score, 4), state


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


def _gic(group_votes: list[tuple[np.ndarray, np.ndarray, np.ndarray]], k: int, statements: int) -> np.ndarray:
    """Group-informed consensus: the product over groups of each group's agree probability
    (none before there are groups, for each of the statements alike)."""
    if not k:
        return np.zeros(statements)
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


def in_conv_over_time(votes: Sequence[Vote]) -> list[Hashable]:
    """The participants who would be in-conv had Pol.is updated after every vote of `votes` (in
    time order): each one who at some moment had at least min(7, statements voted on so far)
    votes, and the first MIN_IN_CONV voters by the top-up. In-conv is sticky, so a participant
    who voted on all three statements there were stays in after the conversation grew; a single
    computation of the final votes cannot see that."""
    counts: dict[Hashable, set[Hashable]] = {}
    statements: set[Hashable] = set()
    chosen: dict[Hashable, None] = {}
    for vote in votes:
        statements.add(vote.statement)
        mine = counts.setdefault(vote.participant, set())
        mine.add(vote.statement)
        if vote.participant not in chosen and (
            len(mine) >= min(MIN_VOTES, len(statements)) or len(chosen) < MIN_IN_CONV
        ):
            chosen[vote.participant] = None
    return list(chosen)


def replay(
    votes: Sequence[Vote],
    updates: Sequence[int],
    statements: Sequence[Hashable] | None = None,
    moderated_out: Iterable[Hashable] = (),
) -> OpinionResult:
    """The map after a run of updates, as Pol.is reaches it: `votes` in time order, and after
    each count in `updates` (increasing) one computation over the votes so far, each handed the
    state of the one before, its in-conv widened by in_conv_over_time (as if Pol.is had also
    updated between them). Returns the last; the final count is len(votes) whatever is given."""
    moderated = list(moderated_out)
    counts = sorted({c for c in updates if 0 < c < len(votes)} | {len(votes)})
    state: OpinionState | None = None
    result: OpinionResult | None = None
    for count in counts:
        if state is not None:
            state.in_conv = list(dict.fromkeys([*state.in_conv, *in_conv_over_time(votes[:count])]))
        result = compute(votes[:count], statements, moderated, previous=state)
        state = result.state
    return result if result is not None else compute([], statements, moderated)
