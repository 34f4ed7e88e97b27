"""Tallies on textbook examples, with exact expected results."""

import pytest

from analysis.voting import METHODS, check_params, tally, validate

CITIES = [{"id": c, "label": c} for c in ("memphis", "nashville", "chattanooga", "knoxville")]


def _tennessee() -> list[list[str]]:
    """Wikipedia's Tennessee capital example: 42 / 26 / 15 / 17 per hundred voters."""
    return (
        [["memphis", "nashville", "chattanooga", "knoxville"]] * 42
        + [["nashville", "chattanooga", "knoxville", "memphis"]] * 26
        + [["chattanooga", "knoxville", "nashville", "memphis"]] * 15
        + [["knoxville", "chattanooga", "nashville", "memphis"]] * 17
    )


def _counts(round_: dict) -> dict[str, int]:
    return {c["id"]: c["votes"] for c in round_["counts"]}


def test_tennessee_capital_by_instant_runoff_elects_knoxville_in_three_rounds() -> None:
    result = tally("ranked", CITIES, _tennessee(), {})
    assert result["method"] == "ranked" and result["ballots"] == 100
    rounds = result["rounds"]
    assert [_counts(r) for r in rounds] == [
        {"memphis": 42, "nashville": 26, "chattanooga": 15, "knoxville": 17},
        {"memphis": 42, "nashville": 26, "knoxville": 32},
        {"memphis": 42, "knoxville": 58},
    ]
    assert [r["eliminated"] for r in rounds] == ["chattanooga", "nashville", None]
    assert rounds[-1]["winner"] == "knoxville" and all(r["tie_break"] is None for r in rounds)
    winners = [r["id"] for r in result["results"] if r["winner"]]
    assert winners == ["knoxville"]
    memphis = result["results"][0]
    assert memphis["first_preferences"] == 42 and memphis["final_votes"] == 42


def test_exhausted_ballots_leave_the_majority_of_continuing_ballots() -> None:
    """Burlington-like: the third candidate's voters rank no one else, so their ballots are exhausted
    and the winner has a majority of the continuing ballots, not of all ballots."""
    options = [{"id": i} for i in ("kiss", "wright", "montroll")]
    ballots = [["kiss", "montroll"]] * 4 + [["wright"]] * 5 + [["montroll", "kiss"]] * 2 + [["montroll"]] * 3
    result = tally("ranked", options, ballots, {})
    first, second = result["rounds"]
    assert _counts(first) == {"kiss": 4, "wright": 5, "montroll": 5} and first["exhausted"] == 0
    assert first["eliminated"] == "kiss" and first["tie_break"] is None
    # kiss's four ballots go to montroll; montroll 9 of 14 continuing
    assert _counts(second) == {"wright": 5, "montroll": 9} and second["exhausted"] == 0
    assert second["winner"] == "montroll"
    ballots = [["a", "b"]] * 3 + [["b"]] * 4 + [["c"]] * 2 + [["c", "a"]] * 1
    abc = [{"id": i} for i in "abc"]
    rounds = tally("ranked", abc, ballots, {})["rounds"]
    assert _counts(rounds[0]) == {"a": 3, "b": 4, "c": 3}
    # a and c tie on 3 in the first round: the one listed last (c) goes
    assert rounds[0]["eliminated"] == "c" and rounds[0]["tie_break"] == "listed last on the poll"
    assert _counts(rounds[1]) == {"a": 4, "b": 4} and rounds[1]["exhausted"] == 2
    # a and b tie on 4; a had fewer in the round before, so a goes
    assert rounds[1]["eliminated"] == "a" and rounds[1]["tie_break"] == "fewest votes 1 round(s) before"
    assert rounds[2]["winner"] == "b" and rounds[2]["exhausted"] == 3 and _counts(rounds[2]) == {"b": 7}


def test_single_multiple_and_approval_count_each_mark() -> None:
    options = [{"id": i, "label": i.upper()} for i in "abcd"]
    single = tally("single", options, ["a", "b", "a", "c", "a"], {})
    assert [(r["id"], r["votes"], r["leading"]) for r in single["results"]] == [
        ("a", 3, True),
        ("b", 1, False),
        ("c", 1, False),
        ("d", 0, False),
    ]
    assert single["results"][0]["share"] == 0.6 and single["rounds"] == []
    approval = tally("approval", options, [["a", "b"], ["b", "c", "d"], ["b"], ["a", "d"]], {})
    assert [r["votes"] for r in approval["results"]] == [2, 3, 1, 2]
    assert [r["id"] for r in approval["results"] if r["leading"]] == ["b"]
    params = check_params("multiple", options, {"max_choices": 2})
    assert tally("multiple", options, [["a", "b"], ["a"]], params)["results"][0]["votes"] == 2


def test_score_gives_sum_and_mean() -> None:
    options = [{"id": i} for i in "xyz"]
    params = check_params("score", options, {"min_score": 0, "max_score": 5})
    ballots = [{"x": 5, "y": 3, "z": 0}, {"x": 0, "y": 4, "z": 1}, {"x": 4, "y": 4, "z": 5}]
    results = tally("score", options, ballots, params)["results"]
    assert [(r["sum"], r["mean"]) for r in results] == [(9, 3.0), (11, 3.6667), (6, 2.0)]
    assert [r["id"] for r in results if r["leading"]] == ["y"]


def test_no_ballots_and_no_ranked_option_give_no_winner() -> None:
    options = [{"id": "a"}, {"id": "b"}]
    assert [r["votes"] for r in tally("single", options, [], {})["results"]] == [0, 0]
    assert not any(r["winner"] for r in tally("ranked", options, [], {})["results"])


@pytest.mark.parametrize(
    ("method", "choice", "params", "message"),
    [
        ("single", "nope", {}, "does not have"),
        ("single", ["a", "b"], {}, "choose one"),
        ("multiple", ["a", "b", "c"], {"max_choices": 2}, "at most 2"),
        ("approval", [], {}, "at least one"),
        ("ranked", ["a", "a"], {}, "each rank"),
        ("ranked", [], {}, "at least one"),
        ("score", {"a": 6, "b": 1, "c": 0}, {"min_score": 0, "max_score": 5}, "from 0 to 5"),
        ("score", {"a": 1}, {"min_score": 0, "max_score": 5}, "every option"),
        ("score", "a", {"min_score": 0, "max_score": 5}, "form this poll takes"),
    ],
)
def test_bad_ballots_get_a_sentence(method: str, choice: object, params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate(method, [{"id": i} for i in "abc"], choice, params)


def test_ballots_come_back_in_canonical_form() -> None:
    options = [{"id": i} for i in "abc"]
    assert validate("approval", options, ["c", "a"], {}) == ["a", "c"]
    assert validate("ranked", options, ["c", "a"], {}) == ["c", "a"]
    assert validate("score", options, {"a": "3", "b": 0, "c": 5}, {"min_score": 0, "max_score": 5}) == {
        "a": 3,
        "b": 0,
        "c": 5,
    }


def test_bad_parameters_are_refused() -> None:
    options = [{"id": i} for i in "abc"]
    with pytest.raises(ValueError, match="1 to 3"):
        check_params("multiple", options, {"max_choices": 4})
    with pytest.raises(ValueError, match="lowest first"):
        check_params("score", options, {"min_score": 5, "max_score": 1})
    with pytest.raises(ValueError, match="two options"):
        check_params("single", options[:1], {})
    with pytest.raises(ValueError, match="no such"):
        check_params("borda", options, {})
    assert set(METHODS) >= {"single", "multiple", "approval", "ranked", "score"}
