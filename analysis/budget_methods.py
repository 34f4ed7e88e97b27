"""Participatory budgets as voting methods in `analysis.voting`'s registry: approval ballots over
projects with a cost, counted by `analysis.budgeting`.

- `budget_knapsack`: a ballot's projects must cost no more than `params["total"]` together;
- `budget_approval`: a ballot has at most `params["max_projects"]` projects.

Both take `params["rule"]`: "greedy" (by votes within the budget) or "equal_shares". The results
are one row per project (its cost, votes, whether funded and why: `budgeting.Step` as JSON, money
rounded to the cent), the rounds the projects in the order they were decided, each with the
per-voter share equal shares used."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analysis import budgeting
from analysis.voting import (
    N_,
    BallotError,
    Method,
    Options,
    _label,
    _params_multiple,
    _picks,
    _validate_multiple,
    register,
)


def _cost(option: Mapping[str, Any]) -> int:
    cost = option.get("cost")
    if not isinstance(cost, int) or isinstance(cost, bool) or cost <= 0:
        raise BallotError(N_("Every project needs a cost, a whole number above zero."))
    return cost


def _params_budget(options: Options, params: Mapping[str, Any], *, limit: bool) -> dict[str, Any]:
    total, rule = params.get("total"), params.get("rule", "greedy")
    if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
        raise BallotError(N_("The budget's total must be a whole number above zero."))
    if rule not in budgeting.RULES:
        raise BallotError(N_("There is no such voting method."))
    for option in options:
        _cost(option)
    checked: dict[str, Any] = {"total": total, "rule": rule}
    if limit:
        checked["max_projects"] = _params_multiple(options, {"max_choices": params.get("max_projects", 3)})[
            "max_choices"
        ]
    return checked


def _validate_knapsack(options: Options, choice: Any, params: Mapping[str, Any]) -> list[str]:
    picks = _picks(options, choice)
    costs = {str(option["id"]): _cost(option) for option in options}
    spent, total = sum(costs[p] for p in picks), int(params["total"])
    if spent > total:
        raise BallotError(
            N_("Your selection costs %(spent)s, more than the budget of %(total)s."),
            spent=spent,
            total=total,
        )
    return picks


def _validate_budget_approval(options: Options, choice: Any, params: Mapping[str, Any]) -> list[str]:
    return _validate_multiple(options, choice, {"max_choices": params["max_projects"]})


def _money(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def budget_step(step: budgeting.Step) -> dict[str, Any]:
    """One project's step as plain JSON (money rounded to the cent)."""
    return {
        "id": step.project,
        "cost": step.cost,
        "votes": step.votes,
        "funded": step.funded,
        "reason": step.reason,
        "round": step.round,
        "payment": _money(step.payment),
        "payers": step.payers,
        "money_left": _money(step.money_left),
        "remaining": _money(step.remaining),
    }


def _count_budget(options: Options, choices: list[Any], params: Mapping[str, Any]) -> tuple[list, list]:
    costs = {str(option["id"]): _cost(option) for option in options}
    allocation = budgeting.RULES[str(params["rule"])](costs, int(params["total"]), [set(c) for c in choices])
    steps = {step.project: step for step in allocation.steps}
    results = [{**budget_step(steps[str(option["id"])]), "label": _label(option)} for option in options]
    rounds = [
        {"step": n, "id": step.project, "funded": step.funded, "reason": step.reason, "share": _money(allocation.share)}
        for n, step in enumerate(allocation.steps, 1)
    ]
    return results, rounds


register(
    Method(
        "budget_knapsack",
        _validate_knapsack,
        _count_budget,
        lambda options, params: _params_budget(options, params, limit=False),
    )
)
register(
    Method(
        "budget_approval",
        _validate_budget_approval,
        _count_budget,
        lambda options, params: _params_budget(options, params, limit=True),
    )
)
