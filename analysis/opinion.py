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
4. k-means with k = 100 into base clusters, then weighted k-means of the base centres into 2..k
   groups, k <= min(5, 2 + bases / 12), 20 iterations. Each k-means starts as Pol.is's does: from
   the previous update's clusters, each re-centred on where its members are now, the farthest
   points split off until there are enough (clean-start-clusters); without a previous update,
   from the first k distinct points in row order. A cluster left without members is dropped. The
   best k by silhouette over the base centres (each base centre one point, unweighted) is
   published only once it has been best for 4 updates in a row (Pol.is's k smoothing); until then
   the published k stays. A participant takes the group of their base cluster.
5. Per group and statement, representativeness with its z-tests (90% one-sided); group-informed
   consensus; divisiveness; and each statement's priority for being shown next.
Nothing here is tuned: every number is Pol.is's. What one update hands the next is
OpinionResult.state (plain data: JSON-able lists and numbers); without it a computation is
Pol.is's first update of those votes. Everything is deterministic."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
    base_clusters: list[tuple[int, list[Hashable]]] = field(default_factory=list)  # (id, participants)
    group_clusters: dict[int, list[tuple[int, list[int]]]] = field(default_factory=dict)  # k -> (id, base ids)
    last_k: int | None = None  # the best k by silhouette at the last update
    last_k_count: int = 0  # for how many updates in a row it has been best
    smoothed_k: int | None = None  # the published k

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (participant names must be JSON values: strings or numbers)."""
        return {
            "in_conv": list(self.in_conv),
            "base_clusters": [[i, list(members)] for i, members in self.base_clusters],
            "group_clusters": {str(k): [[i, list(m)] for i, m in groups] for k, groups in self.group_clusters.items()},
            "last_k": self.last_k,
            "last_k_count": self.last_k_count,
            "smoothed_k": self.smoothed_k,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OpinionState:
        """The state as_json gave; {} (a map stored before states were kept) is a first update."""
        return cls(
            in_conv=list(data.get("in_conv", [])),
            base_clusters=[(int(i), list(members)) for i, members in data.get("base_clusters", [])],
            group_clusters={
                int(k): [(int(i), [int(b) for b in m]) for i, m in groups]
                for k, groups in data.get("group_clusters", {}).items()
            },
            last_k=data.get("last_k"),
            last_k_count=int(data.get("last_k_count", 0)),
            smoothed_k=data.get("smoothed_k"),
        )


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
    groups, k, silhouette, state = _cluster(projection, chosen, participants, previous, restarts)
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


@dataclass
class _Cluster:
    id: int
    members: list[int]  # rows of the points clustered
    centre: np.ndarray


def _mean(points: np.ndarray, rows: Sequence[int], weights: np.ndarray | None) -> np.ndarray:
    if weights is None:
        return points[list(rows)].mean(axis=0)
    return np.average(points[list(rows)], axis=0, weights=weights[list(rows)])


def _first_distinct(points: np.ndarray, k: int) -> list[_Cluster]:
    """Pol.is's start without a previous clustering: the first k distinct points in row order."""
    _, first = np.unique(points, axis=0, return_index=True)
    return [_Cluster(i, [], points[row].astype(float)) for i, row in enumerate(sorted(first.tolist())[:k])]


def _clean_start(
    points: np.ndarray,
    names: Sequence[Hashable],
    last: Sequence[tuple[int, Sequence[Hashable]]],
    k: int,
    weights: np.ndarray | None,
) -> list[_Cluster]:
    """Pol.is's warm start (clean-start-clusters): each previous cluster re-centred on where its
    members are now (dropped if none is left), clusters with the same centre merged, then the
    point farthest from every centre split off as a new cluster until there are min(k, distinct
    points) clusters. Members, not stale centres, carry over, so a map that moved or flipped
    between updates keeps its clusters."""
    row_of = {name: row for row, name in enumerate(names)}
    clusters = []
    for cluster_id, members in last:
        rows = [row_of[m] for m in members if m in row_of]
        if rows:
            clusters.append(_Cluster(int(cluster_id), rows, _mean(points, rows, weights)))
    if not clusters:
        top = max((int(i) for i, _m in last), default=-1)
        return [_Cluster(top + 1, list(range(len(points))), _mean(points, range(len(points)), weights))]
    merged: list[_Cluster] = []
    for cluster in clusters:
        same = next((c for c in merged if np.array_equal(c.centre, cluster.centre)), None)
        if same is None:
            merged.append(cluster)
            continue
        sizes = np.array([len(same.members), len(cluster.members)], dtype=float)
        same.centre = np.average(np.vstack([same.centre, cluster.centre]), axis=0, weights=sizes)
        # The id of the larger; Clojure's max-key takes the later on a tie.
        same.id = same.id if len(same.members) > len(cluster.members) else cluster.id
        same.members = same.members + cluster.members
    clusters = merged
    possible = min(k, len(np.unique(points, axis=0)))
    while True:
        for cluster in clusters:
            if cluster.members:
                cluster.centre = _mean(points, cluster.members, weights)
        if len(clusters) >= possible:
            return clusters
        centres = np.array([c.centre for c in clusters])
        nearest = np.sqrt(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
        outlier = int(len(nearest) - 1 - np.argmax(nearest[::-1]))  # the last on a tie, as max-key
        if nearest[outlier] <= 0:
            return clusters
        for cluster in clusters:
            if outlier in cluster.members:
                cluster.members = [m for m in cluster.members if m != outlier]
        clusters.append(_Cluster(max(c.id for c in clusters) + 1, [outlier], points[outlier].astype(float)))


def _kmeans(
    points: np.ndarray,
    k: int,
    weights: np.ndarray | None = None,
    iterations: int = BASE_ITERATIONS,
    start: list[_Cluster] | None = None,
) -> list[_Cluster]:
    """Pol.is's k-means: from `start` (else the first k distinct points), each step assigns every
    point to its nearest centre, drops clusters left without members and moves the others to
    their members' (weighted) mean; it stops once every sorted centre moved less than 0.01, or
    after `iterations` more steps. Members are those of the last assignment. Sorted by id."""
    clusters = start if start is not None else _first_distinct(points, k)
    for step in range(iterations + 1):
        centres = np.array([c.centre for c in clusters])
        nearest = np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        moved = []
        for index, cluster in enumerate(clusters):
            rows = np.flatnonzero(nearest == index).tolist()
            if rows:
                moved.append(_Cluster(cluster.id, rows, _mean(points, rows, weights)))
        before = sorted(map(tuple, centres.tolist()))
        after = sorted(tuple(c.centre.tolist()) for c in moved)
        clusters = moved
        if step == iterations or all(math.dist(a, b) < 0.01 for a, b in zip(before, after, strict=False)):
            break
    return sorted(clusters, key=lambda c: c.id)


def _least_inertia(
    points: np.ndarray, k: int, weights: np.ndarray, found: list[_Cluster], restarts: int
) -> list[_Cluster]:
    """The given clustering, or the one of `restarts` seeded k-means++ starts with less weighted
    squared distance to its centres."""

    def inertia(clusters: list[_Cluster]) -> float:
        return sum(
            float((weights[c.members] * ((points[c.members] - c.centre) ** 2).sum(axis=1)).sum()) for c in clusters
        )

    rng = np.random.default_rng(k)
    best = (inertia(found), found)
    for _attempt in range(restarts):
        chosen = [int(rng.choice(len(points), p=weights / weights.sum()))]
        for _ in range(1, k):
            nearest = ((points[:, None, :] - points[chosen][None, :, :]) ** 2).sum(axis=2).min(axis=1)
            spread = weights * nearest
            if spread.sum() <= 0:
                break
            chosen.append(int(rng.choice(len(points), p=spread / spread.sum())))
        start = [_Cluster(i, [], points[row].astype(float)) for i, row in enumerate(chosen)]
        clusters = _kmeans(points, k, weights, iterations=GROUP_ITERATIONS, start=start)
        if inertia(clusters) < best[0] - 1e-9:
            best = (inertia(clusters), clusters)
    return best[1]


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
    projection: np.ndarray, chosen: np.ndarray, names: Sequence[Hashable], previous: OpinionState, restarts: int = 0
) -> tuple[dict[int, int], int, float | None, OpinionState]:
    state = OpinionState()
    if len(chosen) < 2:
        return {int(row): 0 for row in chosen}, 1 if len(chosen) else 0, None, state
    points = projection[chosen]
    in_conv = [names[row] for row in chosen]
    base_k = min(BASE_K, len(np.unique(points, axis=0)))
    start = _clean_start(points, in_conv, previous.base_clusters, base_k, None) if previous.base_clusters else None
    bases = _kmeans(points, base_k, start=start)
    state.base_clusters = [(b.id, [in_conv[m] for m in b.members]) for b in bases]
    base_of = np.empty(len(points), dtype=int)
    for index, base in enumerate(bases):
        base_of[base.members] = index
    if len(bases) < 3:
        return {int(row): int(base_of[i]) for i, row in enumerate(chosen)}, len(bases), None, state
    centres = np.array([b.centre for b in bases])
    sizes = np.array([len(b.members) for b in bases], dtype=float)
    base_ids = [b.id for b in bases]
    clusterings: dict[int, tuple[np.ndarray, float]] = {}
    for k in range(2, min(MAX_GROUPS, 2 + len(bases) // 12) + 1):
        last = previous.group_clusters.get(k)
        start = _clean_start(centres, base_ids, last, k, sizes) if last else None
        groups = _kmeans(centres, k, sizes, iterations=GROUP_ITERATIONS, start=start)
        if restarts:
            groups = _least_inertia(centres, k, sizes, groups, restarts)
        labels = np.empty(len(bases), dtype=int)
        for index, group in enumerate(groups):
            labels[group.members] = index
        clusterings[k] = (labels, _silhouette(centres, labels))
        state.group_clusters[k] = [(g.id, [base_ids[m] for m in g.members]) for g in groups]
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
    for base in base_of:
        order.setdefault(int(group_of_base[base]), len(order))
    groups_of = {int(row): order[int(group_of_base[base_of[i]])] for i, row in enumerate(chosen)}
    return groups_of, len(order), round(score, 4), state


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


def in_conv_over_time(votes: Sequence[Vote], times: Sequence[Hashable] | None = None) -> list[Hashable]:
    """The participants who would be in-conv had Pol.is updated after every vote of `votes` (in
    time order), or, given each vote's time, after the last vote of each time. At each update
    those with at least min(7, statements voted on so far) votes join, then, while fewer than
    MIN_IN_CONV are in, the most active others (most votes first, first voter on a tie). In-conv
    is sticky, so a participant who voted on all three statements there were stays in after the
    conversation grew; a single computation of the final votes cannot see that. Votes that all
    share one time (an import) are one update: the in-conv of one computation."""
    counts: dict[Hashable, set[Hashable]] = {}
    statements: set[Hashable] = set()
    chosen: dict[Hashable, None] = {}
    voted_since: dict[Hashable, None] = {}  # since the last update: only they can have newly qualified
    for n, vote in enumerate(votes):
        statements.add(vote.statement)
        counts.setdefault(vote.participant, set()).add(vote.statement)
        voted_since[vote.participant] = None
        if times is not None and n + 1 < len(votes) and times[n + 1] == times[n]:
            continue
        threshold = min(MIN_VOTES, len(statements))
        chosen.update((p, None) for p in voted_since if p not in chosen and len(counts[p]) >= threshold)
        voted_since.clear()
        if len(chosen) < MIN_IN_CONV:
            others = sorted((p for p in counts if p not in chosen), key=lambda p: -len(counts[p]))
            chosen.update((p, None) for p in others[: MIN_IN_CONV - len(chosen)])
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
