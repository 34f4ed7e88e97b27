"""Participatory budgeting: which projects a total budget funds, from approval ballots.

Plain data in (projects with an id and a cost, a total budget, ballots as sets of project ids),
plain data out (the funded projects, the spending, and one explained step per project). Money is
counted in floating point with a stated tolerance (see `_fixed_budget`); the same ballots always
give the same result.

Two rules:

- **Greedy by votes** (`greedy`): projects in order of approvals, most first; a project is funded
  when it fits what is left of the budget, and skipped (the next one is tried) when it does not.
  Ties: the cheaper project first, then the order the projects were given in.
- **The Method of Equal Shares** (`equal_shares`; Peters and Skowron, "Proportional participatory
  budgeting with additive utilities", NeurIPS 2021; Peters, Pierczyński and Skowron, EC 2021),
  as published with its reference code at https://equalshares.net/implementation/computation/:
  every voter gets an equal share of the budget, budget / voters. A project can be bought when its
  supporters have its cost between them; they pay it as equally as they can, each paying at most
  rho (a supporter with less than rho left pays all they have). Each round buys, of the affordable
  projects, the one with the most "effective votes", cost / rho (equalshares.net's rule for
  approval ballots: the supporters pay the least per unit of cost; among projects of equal cost
  this is the smallest rho). Ties, as there: the cheaper project, then the one with more votes,
  then the order given. Rounds continue until no project is affordable.
  Completion, as equalshares.net recommends ("Add1", then greedy): the per-voter share is raised
  one currency unit at a time (from its whole part) for as long as the outcome is not exhaustive
  and the outcome computed with the raised share would still cost no more than the real budget;
  the last such outcome stands. What budget is then left goes greedily, by votes, to projects
  that still fit.

Projects nobody approved are funded by neither rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Reason = Literal["equal_shares", "greedy", "completion", "no_fit", "no_votes"]


@dataclass(frozen=True)
class Step:
    """Why one project was funded or not.

    reason: equal_shares (bought in round `round`: `payers` supporters paid `payment` each, the
    others everything they had left), greedy / completion (fitted the `remaining` budget),
    no_fit (did not fit the `remaining` budget; under equal shares, its supporters also had only
    `money_left` between them when the rounds stopped), no_votes."""

    project: Any
    cost: int
    votes: int
    funded: bool
    reason: Reason
    round: int | None = None  # the order of the funded projects, 1 first
    payment: float | None = None  # rho: the most any supporter paid
    payers: int = 0  # supporters who paid rho in full
    money_left: float | None = None  # the supporters' money when equal shares stopped
    remaining: int | None = None  # the budget left when the project was tried


@dataclass(frozen=True)
class Allocation:
    rule: str  # greedy, equal_shares
    budget: int
    voters: int
    funded: tuple[Any, ...]  # in the order funded
    spent: int
    steps: tuple[Step, ...]  # the funded projects in order, then the others by votes
    share: float | None = None  # equal shares: the per-voter share the outcome was computed with


def approvals(projects: Mapping[Any, int], ballots: Iterable[Iterable[Any]]) -> Counter[Any]:
    """Approvals per project; ids on a ballot that are not projects are ignored."""
    votes: Counter[Any] = Counter({p: 0 for p in projects})
    for ballot in ballots:
        votes.update(p for p in set(ballot) if p in projects)
    return votes


def _check(projects: Mapping[Any, int], budget: int) -> None:
    if budget < 0:
        raise ValueError("the budget cannot be negative")
    if any(cost <= 0 for cost in projects.values()):
        raise ValueError("every project must cost more than nothing")


def _by_votes(projects: Mapping[Any, int], votes: Counter[Any]) -> list[Any]:
    order = {p: i for i, p in enumerate(projects)}
    return sorted(projects, key=lambda p: (-votes[p], projects[p], order[p]))


def _rounded(money: float | None) -> float | None:
    """Money as reported: to a millionth, so float noise (10.000000000000002) does not show."""
    return None if money is None else round(money, 6)


def _fill(
    candidates: Sequence[Any],
    projects: Mapping[Any, int],
    votes: Counter[Any],
    remaining: int,
    reason: Reason,
    money_left: Mapping[Any, float],
    first_round: int,
) -> tuple[list[Step], int]:
    """The greedy pass: in the order given, fund what fits what is left."""
    steps: list[Step] = []
    rounds = first_round
    for p in candidates:
        cost = projects[p]
        if votes[p] == 0:
            steps.append(Step(p, cost, 0, False, "no_votes"))
        elif cost <= remaining:
            rounds += 1
            steps.append(Step(p, cost, votes[p], True, reason, round=rounds, remaining=remaining))
            remaining -= cost
        else:
            left = _rounded(money_left.get(p))
            steps.append(Step(p, cost, votes[p], False, "no_fit", money_left=left, remaining=remaining))
    return steps, remaining


def _allocation(rule: str, budget: int, voters: int, steps: list[Step], share: float | None = None) -> Allocation:
    funded = sorted((s for s in steps if s.funded), key=lambda s: s.round or 0)
    rest = [s for s in steps if not s.funded]
    return Allocation(
        rule=rule,
        budget=budget,
        voters=voters,
        funded=tuple(s.project for s in funded),
        spent=sum(s.cost for s in funded),
        steps=tuple(funded + rest),
        share=share,
    )


def greedy(projects: Mapping[Any, int], budget: int, ballots: Sequence[Iterable[Any]]) -> Allocation:
    """Greedy by votes within the budget (see the module's docstring)."""
    _check(projects, budget)
    votes = approvals(projects, ballots)
    steps, _ = _fill(_by_votes(projects, votes), projects, votes, budget, "greedy", {}, 0)
    return _allocation("greedy", budget, len(ballots), steps)


@dataclass(frozen=True)
class _Bought:
    project: Any
    payment: float
    payers: int


EPS = 1e-9  # money compared in floating point: sums that differ by less than this are equal


def _fixed_budget(
    projects: Mapping[Any, int],
    groups: Sequence[tuple[frozenset[Any], int]],
    share: float,
) -> tuple[list[_Bought], dict[Any, float]]:
    """Equal shares with a fixed per-voter share. Voters with the same ballot are always charged
    alike, so they are kept as one group (ballot, how many) with one purse each. Money is a float
    (as in equalshares.net's reference code; exact fractions were thirty times slower) compared
    with a tolerance of EPS per unit of cost, and effective votes are compared rounded to nine
    digits, so rounding noise never decides a tie."""
    purse = [float(share)] * len(groups)
    supporters = {p: [g for g, (ballot, _) in enumerate(groups) if p in ballot] for p in projects}
    order = {p: i for i, p in enumerate(projects)}
    votes = {p: sum(groups[g][1] for g in supporters[p]) for p in projects}
    left = [p for p in projects if votes[p] > 0]
    bought: list[_Bought] = []
    while True:
        best: tuple[float, int, int, int] | None = None  # (-effective votes, cost, -votes, order)
        best_buy: _Bought | None = None
        for p in list(left):
            cost = projects[p]
            money = sum(purse[g] * groups[g][1] for g in supporters[p])
            if money < cost * (1 - EPS):
                left.remove(p)  # purses only shrink: it will never be affordable again
                continue
            # rho: pay equally, those who cannot pay rho pay everything they have
            paid, count = 0.0, votes[p]
            rho = cost / count
            for g in sorted(supporters[p], key=lambda g: purse[g]):
                rho = (cost - paid) / count
                if purse[g] >= rho * (1 - EPS):
                    break
                paid += purse[g] * groups[g][1]
                count -= groups[g][1]
            key = (-round(cost / rho, 9), cost, -votes[p], order[p])
            if best is None or key < best:
                payers = sum(groups[g][1] for g in supporters[p] if purse[g] >= rho * (1 - EPS))
                best, best_buy = key, _Bought(p, rho, payers)
        if best_buy is None:
            break
        bought.append(best_buy)
        left.remove(best_buy.project)
        for g in supporters[best_buy.project]:
            purse[g] = max(0.0, purse[g] - best_buy.payment)
    money_left = {p: sum(purse[g] * groups[g][1] for g in supporters[p]) for p in projects}
    return bought, money_left


def equal_shares(projects: Mapping[Any, int], budget: int, ballots: Sequence[Iterable[Any]]) -> Allocation:
    """The Method of Equal Shares with Add1 then greedy completion (see the module's docstring)."""
    _check(projects, budget)
    votes = approvals(projects, ballots)
    n = len(ballots)
    if n == 0:
        return _allocation("equal_shares", budget, 0, [Step(p, c, 0, False, "no_votes") for p, c in projects.items()])
    groups = list(Counter(frozenset(b) & frozenset(projects) for b in ballots).items())
    share = budget / n
    bought, money_left = _fixed_budget(projects, groups, share)

    def cost_of(outcome: list[_Bought]) -> int:
        return sum(projects[b.project] for b in outcome)

    def exhaustive(outcome: list[_Bought]) -> bool:
        spent, chosen = cost_of(outcome), {b.project for b in outcome}
        return all(p in chosen or spent + c > budget or votes[p] == 0 for p, c in projects.items())

    def funded(outcome: list[_Bought]) -> list[Any]:
        return [b.project for b in outcome]

    # Add1: raise the share by one unit while the outcome is not exhaustive and the raised outcome
    # still fits. Stepping one unit at a time is slow for large budgets, and between two shares
    # the outcome stays the same, so the next share that changes it is found by doubling the raise
    # and then halving back (the one place this differs from stepping by one: an outcome that
    # changed and changed back within the doubled stretch; the share adopted is then the last one
    # before the change that was found).
    base = budget // n  # Add1 starts from the whole part of the share
    while not exhaustive(bought):
        now, low, high = funded(bought), 0, 1
        while funded(_fixed_budget(projects, groups, base + high)[0]) == now:
            if base + high > budget:  # every voter could pay for everything: nothing changes any more
                break
            low, high = high, high * 2
        else:
            while high - low > 1:
                middle = (low + high) // 2
                if funded(_fixed_budget(projects, groups, base + middle)[0]) == now:
                    low = middle
                else:
                    high = middle
            more, more_left = _fixed_budget(projects, groups, base + high)
            if cost_of(more) <= budget:
                bought, money_left, share, base = more, more_left, base + high, base + high
                continue
        if low:  # the last share with the same outcome, as stepping one unit at a time would end
            share = base + low
            bought, money_left = _fixed_budget(projects, groups, share)
        break
    steps = [
        Step(b.project, projects[b.project], votes[b.project], True, "equal_shares", i, round(b.payment, 6), b.payers)
        for i, b in enumerate(bought, 1)
    ]
    chosen = {b.project for b in bought}
    rest = [p for p in _by_votes(projects, votes) if p not in chosen]
    left = budget - cost_of(bought)
    completed, _ = _fill(rest, projects, votes, left, "completion", money_left, len(bought))
    return _allocation("equal_shares", budget, n, steps + completed, share)


RULES = {"greedy": greedy, "equal_shares": equal_shares}
