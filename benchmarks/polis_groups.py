"""Our opinion groups against the groups Pol.is itself assigned (the `group-id` column of each
export's participants-votes.csv), beside red-dwarf 0.4.0 run on the same votes: the adjusted Rand
index per conversation and the median, the share of the participants Pol.is grouped that we
group, and the time each took. Ours three ways: as one computation of the final votes (Pol.is's first
update of them), the same with restarts=10 (k-means++ starts kept by least inertia: a declared
departure from Pol.is), and replayed from votes.csv in time order as Pol.is reached its state,
one update each time the votes so far grow by a quarter (in-conv sticky, k-means warm-started
from the last update's clusters, k smoothed over updates). Then, leaving out each conversation in
turn, the way of ours the other five favour and its score on the one left out. Then a synthetic
conversation of 20,000 participants x 1,000 statements (about 2 million votes), timed for ours.

    uv run --group bench python benchmarks/polis_groups.py
    uv run --group bench python benchmarks/polis_groups.py --skip-synthetic

red-dwarf is a benchmark dependency only (the `bench` group), never used by the site.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from analysis.opinion import Vote, compute, replay
from core.settings import ROOT
from deliberation.polis import read_export

DATA = ROOT.parent / "shared" / "data" / "polis"


def red_dwarf_groups(votes: list[Vote], moderated_out: list[str]) -> dict[str, int]:
    from reddwarf.implementations.polis import run_pipeline

    numbered = {p: i for i, p in enumerate(dict.fromkeys(v.participant for v in votes))}
    names = {i: p for p, i in numbered.items()}
    latest = {(v.participant, v.statement): (n, v) for n, v in enumerate(votes)}  # it wants one vote per pair
    records = [
        {
            "participant_id": numbered[v.participant],
            "statement_id": int(str(v.statement)),
            "vote": v.vote,
            "modified": n,
        }
        for n, v in latest.values()
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_pipeline(votes=records, mod_out_statement_ids=[int(s) for s in moderated_out], random_state=0)
    frame = result.participants_df
    return {
        str(names[int(p)]): int(g) for p, g in zip(frame.index, frame["cluster_id"], strict=True) if g is not None
        and not (isinstance(g, float) and np.isnan(g)) and str(g) != "<NA>"
    }  # fmt: skip


def ari(ours: dict[str, int], theirs: dict[str, str]) -> tuple[float, float]:
    """ARI over the participants Pol.is grouped, each one we left out counted as a group of its
    own; and the share of them we grouped."""
    labels = [ours.get(p, ("not placed", p)) for p in theirs]
    numbered = {label: n for n, label in enumerate(dict.fromkeys(labels))}
    placed = sum(1 for p in theirs if p in ours) / max(len(theirs), 1)
    return adjusted_rand_score(list(theirs.values()), [numbered[label] for label in labels]), placed


def timed_votes(folder: Path) -> list[Vote] | None:
    """votes.csv in time order (the file order on a tie), or None without one."""
    path = folder / "votes.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = [(int(r["timestamp"]), n, r) for n, r in enumerate(csv.DictReader(file))]
    rows.sort(key=lambda t: (t[0], t[1]))
    return [Vote(r["voter-id"].strip(), str(int(r["comment-id"])), int(r["vote"])) for _t, _n, r in rows]


def updates(count: int, growth: float = 1.25, first: int = 50) -> list[int]:
    found, at = [], float(first)
    while at < count:
        found.append(int(at))
        at *= growth
    return [*found, count]


def conversations() -> None:
    scores: dict[str, list[float]] = {"snapshot": [], "restarts": [], "replay": [], "red-dwarf": []}
    print(
        f"{'conversation':40} {'people':>6} {'stmts':>5}  {'snapshot ARI':>12} {'placed':>6} {'restarts':>8}"
        f"  {'replay ARI':>10} {'placed':>6} {'updates':>7} {'s':>6}  {'red-dwarf ARI':>13} {'placed':>6}"
    )
    names = []
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        names.append(folder.name)
        export = read_export(folder)
        polis_groups = {p: g for p, g in export.groups.items() if g != ""}
        result = compute(export.votes, statements=export.statements, moderated_out=export.moderated_out)
        snapshot, snapshot_placed = ari({str(p): g for p, g in result.groups.items()}, polis_groups)
        restarted = compute(export.votes, statements=export.statements, moderated_out=export.moderated_out, restarts=10)
        restarts_ari, _placed = ari({str(p): g for p, g in restarted.groups.items()}, polis_groups)
        scores["restarts"].append(restarts_ari)
        timed = timed_votes(folder)
        replay_ari, replay_placed, steps, took = float("nan"), float("nan"), 0, 0.0
        if timed is not None:
            started = time.perf_counter()
            steps = len(updates(len(timed)))
            replayed = replay(timed, updates(len(timed)), moderated_out=export.moderated_out)
            took = time.perf_counter() - started
            replay_ari, replay_placed = ari({str(p): g for p, g in replayed.groups.items()}, polis_groups)
            scores["replay"].append(replay_ari)
        dwarf_ari, dwarf_placed = ari(red_dwarf_groups(export.votes, export.moderated_out), polis_groups)
        scores["snapshot"].append(snapshot)
        scores["red-dwarf"].append(dwarf_ari)
        print(
            f"{folder.name:40} {len(export.participants):6} {len(export.statements):5}"
            f"  {snapshot:12.3f} {snapshot_placed:6.0%} {restarts_ari:8.3f}"
            f"  {replay_ari:10.3f} {replay_placed:6.0%} {steps:7} {took:6.1f}"
            f"  {dwarf_ari:13.3f} {dwarf_placed:6.0%}"
        )
    medians = {name: statistics.median(found) if found else float("nan") for name, found in scores.items()}
    print(
        f"{'median':40} {'':6} {'':5}  {medians['snapshot']:12.3f} {'':6} {medians['restarts']:8.3f}"
        f"  {medians['replay']:10.3f}"
        f" {'':6} {'':7} {'':6}  {medians['red-dwarf']:13.3f}"
    )
    leave_one_out({name: scores[name] for name in ("snapshot", "restarts", "replay")}, names)


def leave_one_out(scores: dict[str, list[float]], names: list[str]) -> None:
    """Which of our ways the other conversations favour (the best median without this one), and
    what it scores on this one: the figure a choice made on the shared exports can claim for a
    conversation it has not seen."""
    ways = [w for w, found in scores.items() if len(found) == len(names)]
    held_out = []
    for i, name in enumerate(names):
        chosen = max(ways, key=lambda w: (statistics.median(scores[w][:i] + scores[w][i + 1 :]), -ways.index(w)))
        held_out.append(scores[chosen][i])
        print(f"  leave {name} out: the others favour {chosen}, which scores {scores[chosen][i]:.3f} on it")
    print(f"{'leave-one-out median':40} {statistics.median(held_out):.3f}")


def synthetic(participants: int = 20_000, statements: int = 1_000, per_person: int = 100) -> None:
    """Three camps with opposite leanings; each person votes on `per_person` random statements."""
    rng = np.random.default_rng(1)
    leaning = rng.choice([-1.0, 0.0, 1.0], size=(3, statements))
    camp = rng.integers(0, 3, size=participants)
    votes = []
    for person in range(participants):
        for statement in rng.choice(statements, size=per_person, replace=False):
            p = leaning[camp[person], statement]
            draw = rng.random()
            vote = (1 if p > 0 else -1) if draw < 0.7 and p != 0 else (0 if draw < 0.85 else int(rng.choice([-1, 1])))
            votes.append(Vote(person, int(statement), vote))
    started = time.perf_counter()
    result = compute(votes)
    elapsed = time.perf_counter() - started
    found = [result.groups.get(p, -1) for p in range(participants)]
    print(
        f"synthetic {participants:,} x {statements:,} ({len(votes):,} votes): {elapsed:.1f} s, k = {result.k},"
        f" ARI against the planted camps {adjusted_rand_score(camp, found):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent")
    conversations()
    if not args.skip_synthetic:
        synthetic()


if __name__ == "__main__":
    main()
