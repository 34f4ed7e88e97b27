"""Our opinion groups against the groups Pol.is itself assigned (the `group-id` column of each
export's participants-votes.csv), beside red-dwarf 0.4.0 run on the same votes: the adjusted Rand
index per conversation and the median, and the time each took. Then a synthetic conversation of
20,000 participants x 1,000 statements (about 2 million votes), timed for ours.

    uv run --group bench python benchmarks/polis_groups.py
    uv run --group bench python benchmarks/polis_groups.py --skip-synthetic

red-dwarf is a benchmark dependency only (the `bench` group), never used by the site.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.metrics import adjusted_rand_score

from analysis.opinion import Vote, compute
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


def ari(ours: dict[str, int], theirs: dict[str, str]) -> tuple[float, int]:
    common = [p for p in theirs if p in ours]
    return adjusted_rand_score([theirs[p] for p in common], [ours[p] for p in common]), len(common)


def conversations() -> None:
    ours_scores, dwarf_scores = [], []
    print(f"{'conversation':40} {'people':>6} {'stmts':>5}  {'ours ARI':>8} {'s':>6}  {'red-dwarf ARI':>13} {'s':>6}")
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        export = read_export(folder)
        polis_groups = {p: g for p, g in export.groups.items() if g != ""}
        started = time.perf_counter()
        result = compute(export.votes, statements=export.statements, moderated_out=export.moderated_out)
        ours_time = time.perf_counter() - started
        ours_ari, _n = ari({str(p): g for p, g in result.groups.items()}, polis_groups)
        started = time.perf_counter()
        dwarf = red_dwarf_groups(export.votes, export.moderated_out)
        dwarf_time = time.perf_counter() - started
        dwarf_ari, _m = ari(dwarf, polis_groups)
        ours_scores.append(ours_ari)
        dwarf_scores.append(dwarf_ari)
        print(
            f"{folder.name:40} {len(export.participants):6} {len(export.statements):5}"
            f"  {ours_ari:8.3f} {ours_time:6.2f}"
            f"  {dwarf_ari:13.3f} {dwarf_time:6.2f}"
        )
    ours_median, dwarf_median = statistics.median(ours_scores), statistics.median(dwarf_scores)
    print(f"{'median':40} {'':6} {'':5}  {ours_median:8.3f} {'':6}  {dwarf_median:13.3f}")


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
