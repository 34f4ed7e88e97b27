"""Greedy and equal-shares budgets on small elections worked by hand (each worked in its docstring)."""

import random
from collections import Counter

import pytest

from analysis.budgeting import _fixed_budget, equal_shares, greedy
from analysis.voting import BallotError, check_params, tally, validate


def _bloc() -> tuple[dict[str, int], list[set[str]]]:
    """10 voters, budget 100: seven approve A1-A3 (30 each), three approve B1 and B2 (30 each)."""
    projects = {"A1": 30, "A2": 30, "A3": 30, "B1": 30, "B2": 30}
    return projects, [{"A1", "A2", "A3"}] * 7 + [{"B1", "B2"}] * 3


def test_greedy_funds_by_votes_and_skips_what_does_not_fit() -> None:
    """Budget 100. A (5 votes, 60), B (4, 50), C (3, 30), D (3, 10), E (0, 5): A leaves 40; B does
    not fit and is skipped; C and D tie on votes, the cheaper D first (30 left), then C (0 left)."""
    projects = {"A": 60, "B": 50, "C": 30, "D": 10, "E": 5}
    ballots = [{"A", "B", "C"}] * 3 + [{"A", "D"}] * 2 + [{"B", "D", "nonsense"}]
    result = greedy(projects, 100, ballots)
    assert result.funded == ("A", "D", "C") and result.spent == 100
    steps = {s.project: s for s in result.steps}
    assert (steps["A"].reason, steps["A"].round, steps["A"].votes, steps["A"].remaining) == ("greedy", 1, 5, 100)
    assert (steps["B"].funded, steps["B"].reason, steps["B"].remaining, steps["B"].votes) == (False, "no_fit", 40, 4)
    assert (steps["D"].round, steps["D"].remaining) == (2, 40)
    assert (steps["C"].round, steps["C"].remaining) == (3, 30)
    assert (steps["E"].funded, steps["E"].reason) == (False, "no_votes")
    assert [s.project for s in result.steps] == ["A", "D", "C", "B", "E"]


def test_a_majority_bloc_takes_everything_under_greedy() -> None:
    projects, ballots = _bloc()
    result = greedy(projects, 100, ballots)
    assert result.funded == ("A1", "A2", "A3") and result.spent == 90
    assert {s.project: s.reason for s in result.steps if not s.funded} == {"B1": "no_fit", "B2": "no_fit"}


def test_equal_shares_gives_the_minority_its_share() -> None:
    """Each voter has 10. A1: the seven pay 30/7 each (effective votes 7), A2 the same, leaving them
    10/7 each, 10 in all, too little for A3; the three pay 10 each for B1, and nothing is left for B2."""
    projects, ballots = _bloc()
    result = equal_shares(projects, 100, ballots)
    assert result.funded == ("A1", "A2", "B1") and result.spent == 90 and result.share == 10
    steps = {s.project: s for s in result.steps}
    assert (steps["A1"].round, steps["A1"].payment, steps["A1"].payers) == (1, pytest.approx(30 / 7), 7)
    assert (steps["A2"].round, steps["A2"].payment) == (2, pytest.approx(30 / 7))
    assert (steps["B1"].round, steps["B1"].payment, steps["B1"].payers) == (3, 10, 3)
    # not bought, and 10 left over does not fit 30
    assert (steps["A3"].reason, steps["A3"].money_left, steps["A3"].remaining) == ("no_fit", 10, 10)
    assert (steps["B2"].reason, steps["B2"].money_left) == ("no_fit", 0)


def test_add1_raises_each_share_until_the_budget_is_spent() -> None:
    """equalshares.net's own example: a, b, c approve x (100), y (200), z (300); budget 600. With 200
    each, x and y are bought and c cannot pay 300; at 300 each all three are bought, costing 600."""
    projects = {"x": 100, "y": 200, "z": 300}
    result = equal_shares(projects, 600, [{"x"}, {"y"}, {"z"}])
    assert result.funded == ("x", "y", "z") and result.spent == 600 and result.share == 300
    assert [(s.payment, s.payers) for s in result.steps] == [(100, 1), (200, 1), (300, 1)]


def test_add1_stops_before_overspending_and_greedy_completes() -> None:
    """Budget 100, three voters. v1, v2 approve R (82); v3 approves Q (35) and T (20). With 33.33 each
    only T is bought. Raising the share, R becomes affordable at 41 each, but R and T cost 102, so
    Add1 ends at 40 each with T alone. Greedy completion then tries R (2 votes, does not fit the 80
    left; its supporters had 80 of its 82) and funds Q. Greedy by votes alone funds only R."""
    projects = {"R": 82, "Q": 35, "T": 20}
    ballots = [{"R"}, {"R"}, {"Q", "T"}]
    result = equal_shares(projects, 100, ballots)
    assert result.funded == ("T", "Q") and result.spent == 55 and result.share == 40
    steps = {s.project: s for s in result.steps}
    assert (steps["T"].reason, steps["T"].round, steps["T"].payment) == ("equal_shares", 1, 20)
    assert (steps["Q"].reason, steps["Q"].round, steps["Q"].remaining) == ("completion", 2, 80)
    assert (steps["R"].reason, steps["R"].money_left, steps["R"].remaining) == ("no_fit", 80, 80)
    assert greedy(projects, 100, ballots).funded == ("R",)


def test_supporters_short_of_rho_pay_what_they_have() -> None:
    """Budget 120, four voters (30 each). P (60) by v1-v3: 20 each (effective votes 3, against S's
    2), leaving them 10. S (35) by v1 and v4: v1 pays the 10 left, v4 pays rho = 25."""
    result = equal_shares({"P": 60, "S": 35}, 120, [{"P", "S"}, {"P"}, {"P"}, {"S"}])
    assert result.funded == ("P", "S") and result.spent == 95
    assert [(s.payment, s.payers) for s in result.steps] == [(20, 3), (25, 1)]


def test_no_ballots_and_bad_input() -> None:
    assert equal_shares({"A": 5}, 10, []).funded == () and greedy({"A": 5}, 10, []).funded == ()
    with pytest.raises(ValueError):
        greedy({"A": 0}, 10, [])
    with pytest.raises(ValueError):
        equal_shares({"A": 5}, -1, [])


def test_large_budgets_are_computed_quickly_and_the_same_each_time() -> None:
    projects = {f"p{i}": 100_000 + 37_000 * i for i in range(12)}
    ballots = [{f"p{(v * 7 + k) % 12}" for k in range(1 + v % 4)} for v in range(300)]
    first = equal_shares(projects, 2_000_000, ballots)
    assert first == equal_shares(projects, 2_000_000, ballots)
    assert first.spent <= 2_000_000
    assert all(first.spent + s.cost > 2_000_000 for s in first.steps if not s.funded and s.votes)


# the two budget methods in analysis.voting's registry

OPTIONS = [{"id": "A1", "label": "A1", "cost": 30}, {"id": "A2", "label": "A2", "cost": 30}]
OPTIONS += [{"id": "A3", "label": "A3", "cost": 30}, {"id": "B1", "label": "B1", "cost": 30}]
OPTIONS += [{"id": "B2", "label": "B2", "cost": 30}]


def test_a_knapsack_ballot_over_the_budget_is_refused() -> None:
    params = check_params("budget_knapsack", OPTIONS, {"total": 100, "rule": "equal_shares"})
    assert params == {"total": 100, "rule": "equal_shares"}
    assert validate("budget_knapsack", OPTIONS, ["B2", "A1", "A2"], params) == ["A1", "A2", "B2"]
    with pytest.raises(BallotError) as refused:
        validate("budget_knapsack", OPTIONS, ["A1", "A2", "A3", "B1"], params)
    assert refused.value.params == {"spent": 120, "total": 100}
    assert str(refused.value) == "Your selection costs 120, more than the budget of 100."


def test_an_approval_budget_ballot_over_its_maximum_is_refused() -> None:
    params = check_params("budget_approval", OPTIONS, {"total": 100, "max_projects": 2})
    assert params == {"total": 100, "rule": "greedy", "max_projects": 2}
    assert validate("budget_approval", OPTIONS, ["A1", "B1"], params) == ["A1", "B1"]
    with pytest.raises(BallotError):
        validate("budget_approval", OPTIONS, ["A1", "A2", "B1"], params)


@pytest.mark.parametrize(
    "params",
    [{"total": 0}, {"total": "100"}, {"total": 100, "rule": "dictator"}, {"total": 100, "max_projects": 9}],
)
def test_bad_budget_parameters_are_refused(params: dict[str, object]) -> None:
    with pytest.raises(BallotError):
        check_params("budget_approval", OPTIONS, params)
    with pytest.raises(BallotError):
        check_params("budget_knapsack", [{**OPTIONS[0], "cost": 0}, OPTIONS[1]], {"total": 100})


def test_the_tally_of_a_budget_explains_each_project() -> None:
    _, ballots = _bloc()
    result = tally("budget_knapsack", OPTIONS, [sorted(b) for b in ballots], {"total": 100, "rule": "equal_shares"})
    assert result["method"] == "budget_knapsack" and result["ballots"] == 10
    by_id = {r["id"]: r for r in result["results"]}
    assert [r["id"] for r in result["results"]] == ["A1", "A2", "A3", "B1", "B2"]
    assert by_id["A1"] == {
        "id": "A1",
        "label": "A1",
        "cost": 30,
        "votes": 7,
        "funded": True,
        "reason": "equal_shares",
        "round": 1,
        "payment": 4.29,
        "payers": 7,
        "money_left": None,
        "remaining": None,
    }
    assert (by_id["A3"]["funded"], by_id["A3"]["money_left"], by_id["A3"]["remaining"]) == (False, 10.0, 10.0)
    assert [(r["step"], r["id"], r["funded"]) for r in result["rounds"]][:3] == [
        (1, "A1", True),
        (2, "A2", True),
        (3, "B1", True),
    ]
    assert result["rounds"][0]["share"] == 10.0
    greedy_result = tally("budget_knapsack", OPTIONS, [sorted(b) for b in ballots], {"total": 100, "rule": "greedy"})
    assert [r["id"] for r in greedy_result["results"] if r["funded"]] == ["A1", "A2", "A3"]


def _add1_one_unit_at_a_time(projects: dict[str, int], budget: int, ballots: list[set[str]]) -> list[str]:
    """equalshares.net's Add1 loop as published, raising the share by one unit per step."""
    groups = list(Counter(frozenset(b) for b in ballots).items())
    n = len(ballots)
    bought = [b.project for b in _fixed_budget(projects, groups, budget / n)[0]]
    votes = {p: sum(p in b for b in ballots) for p in projects}
    share = budget // n
    while any(
        p not in bought and votes[p] and sum(projects[q] for q in bought) + c <= budget for p, c in projects.items()
    ):
        share += 1
        more = [b.project for b in _fixed_budget(projects, groups, share)[0]]
        if sum(projects[q] for q in more) > budget:
            break
        bought = more
    return bought


def test_the_doubling_search_ends_where_stepping_one_unit_at_a_time_does() -> None:
    rng = random.Random(17)
    for _ in range(60):
        projects = {f"p{i}": rng.randint(5, 60) for i in range(rng.randint(2, 6))}
        ballots = [{p for p in projects if rng.random() < 0.4} for _ in range(rng.randint(2, 9))]
        budget = rng.randint(20, 150)
        mes_phase = [s.project for s in equal_shares(projects, budget, ballots).steps if s.reason == "equal_shares"]
        assert mes_phase == _add1_one_unit_at_a_time(projects, budget, ballots), (projects, budget, ballots)
