"""How long a participatory budget takes to count, by rule, as voters and projects grow.

    uv run python benchmarks/budget_count.py [--seed 2026]

Ballots are drawn at random: each voter approves each project with a probability that depends on
the project (some are popular, some not), within the knapsack limit. Prints the seconds each rule
takes, the Method of Equal Shares' Add1 completion found by doubling (what analysis.budgeting
does) beside the baseline of raising the share one currency unit at a time (equalshares.net's
loop as published), and whether the two funded the same projects; the baseline is skipped where
it would take minutes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.budgeting import _fixed_budget, equal_shares, greedy


def stepping(projects: dict[str, int], budget: int, ballots: list[set[str]]) -> list[str]:
    groups = list(Counter(frozenset(b) for b in ballots).items())
    n = len(ballots)
    bought = [b.project for b in _fixed_budget(projects, groups, budget / n)[0]]
    votes = Counter(p for b in ballots for p in b)
    share = budget // n

    def open_(p: str) -> bool:
        return p not in bought and votes[p] > 0 and sum(projects[q] for q in bought) + projects[p] <= budget

    while any(open_(p) for p in projects):
        share += 1
        more = [b.project for b in _fixed_budget(projects, groups, share)[0]]
        if sum(projects[q] for q in more) > budget:
            break
        bought = more
    return bought


def election(rng: random.Random, voters: int, count: int, budget: int) -> tuple[dict[str, int], list[set[str]]]:
    projects = {f"p{i}": rng.randint(budget // 40, budget // 4) for i in range(count)}
    appeal = {p: rng.uniform(0.05, 0.6) for p in projects}
    ballots = []
    for _ in range(voters):
        ballot: set[str] = set()
        spent = 0
        for p in rng.sample(list(projects), count):
            if rng.random() < appeal[p] and spent + projects[p] <= budget:
                ballot.add(p)
                spent += projects[p]
        ballots.append(ballot)
    return projects, ballots


def timed(fn, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2026)
    seed = parser.parse_args().seed
    print(f"{'voters':>7} {'projects':>8} {'budget':>11} {'greedy s':>9} {'equal shares s':>15}", end=" ")
    print(f"{'one unit at a time s':>21} same")
    for voters, count, budget, baseline in [
        (100, 10, 100_000, True),
        (500, 20, 1_000_000, True),
        (2_000, 30, 10_000_000, False),
        (10_000, 40, 50_000_000, False),
    ]:
        projects, ballots = election(random.Random(seed), voters, count, budget)
        _, greedy_s = timed(greedy, projects, budget, ballots)
        mes, mes_s = timed(equal_shares, projects, budget, ballots)
        phase = [s.project for s in mes.steps if s.reason == "equal_shares"]
        if baseline:
            slow, slow_s = timed(stepping, projects, budget, ballots)
            tail = f"{slow_s:>21.2f} {'yes' if slow == phase else 'NO'}"
        else:
            tail = f"{'(skipped)':>21}"
        print(f"{voters:>7} {count:>8} {budget:>11,} {greedy_s:>9.3f} {mes_s:>15.2f} {tail}")


if __name__ == "__main__":
    main()
