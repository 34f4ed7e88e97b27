"""Counting a poll's ballots: plain data in, plain data out.

`options` are dicts with at least an `"id"` (a string; other keys such as `"label"` or a budget
project's `"cost"` ride along), `choices` the counted ballots' choices, `params` the method's
parameters. `tally` returns `{"method", "ballots", "results": [...], "rounds": [...]}`; `validate`
checks one ballot and returns it in its canonical form, or raises `BallotError` (a `ValueError`)
with a sentence a voter can read. Each method is a `Method` in `METHODS`; another package
(budgets) adds its own with `register`.

What a ballot holds, by method:
- `single`: one option id.
- `multiple`: a list of option ids, at least one and at most `params["max_choices"]`.
- `approval`: a list of option ids, at least one, any number.
- `ranked`: option ids in order of preference, no repeats; not every option need be ranked.
- `score`: `{option id: whole number}` for every option, within `params["min_score"]` ..
  `params["max_score"]`.

Ranked choice is counted by instant runoff. Each round counts every continuing ballot for its
highest-ranked continuing option. An option with more than half of the round's continuing ballots
wins; otherwise the option with the fewest votes is eliminated and its ballots move to their next
continuing choice, or are exhausted when they rank no continuing option. **Ties for last place** are
broken by looking back: the tied option with fewer votes in the round before is eliminated, then the
round before that, and so on; if they tied in every round, the one listed last on the poll is
eliminated. A round in which one option is left names it the winner. Each round reports its counts,
the option eliminated, the ballots exhausted so far and, when it took one, the tie-break used."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Options = Sequence[Mapping[str, Any]]
Validator = Callable[[Options, Any, Mapping[str, Any]], Any]
Counter = Callable[[Options, list[Any], Mapping[str, Any]], tuple[list[dict[str, Any]], list[dict[str, Any]]]]
ParamsCheck = Callable[[Options, Mapping[str, Any]], dict[str, Any]]


def N_(message: str) -> str:
    """Marks an interface string for the catalogs (analysis imports nothing of core's)."""
    return message


class BallotError(ValueError):
    """A ballot or a poll's parameters that break a rule: `message` is a msgid, `params` fill it."""

    def __init__(self, message: str, **params: object):
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class Method:
    name: str
    validate: Validator
    count: Counter
    params: ParamsCheck = field(default_factory=lambda: _no_params)


def _no_params(options: Options, params: Mapping[str, Any]) -> dict[str, Any]:
    return {}


METHODS: dict[str, Method] = {}


def register(method: Method) -> Method:
    METHODS[method.name] = method
    return method


def method_of(name: str) -> Method:
    try:
        return METHODS[name]
    except KeyError:
        raise BallotError(N_("There is no such voting method.")) from None


def check_params(name: str, options: Options, params: Mapping[str, Any]) -> dict[str, Any]:
    """The method's parameters, checked against its options and completed with defaults."""
    if len(options) < 2:
        raise BallotError(N_("A poll needs at least two options."))
    ids = [str(option["id"]) for option in options]
    if len(set(ids)) != len(ids):
        raise BallotError("Two options have the same id.")
    return method_of(name).params(options, params)


def validate(name: str, options: Options, choice: Any, params: Mapping[str, Any]) -> Any:
    return method_of(name).validate(options, choice, params)


def tally(name: str, options: Options, choices: Sequence[Any], params: Mapping[str, Any]) -> dict[str, Any]:
    method = method_of(name)
    results, rounds = method.count(options, list(choices), params)
    return {"method": name, "ballots": len(choices), "results": results, "rounds": rounds}


def _ids(options: Options) -> list[str]:
    return [str(option["id"]) for option in options]


def _label(option: Mapping[str, Any]) -> str:
    return str(option.get("label", option["id"]))


def _picks(options: Options, choice: Any) -> list[str]:
    """A list of distinct known option ids, in the poll's order."""
    if isinstance(choice, str):
        choice = [choice]
    if not isinstance(choice, list) or not all(isinstance(item, str) for item in choice):
        raise BallotError(N_("This ballot is not in the form this poll takes."))
    ids = _ids(options)
    unknown = [item for item in choice if item not in ids]
    if unknown:
        raise BallotError(N_("This ballot names an option the poll does not have."))
    if not choice:
        raise BallotError(N_("Please choose at least one option."))
    return [option_id for option_id in ids if option_id in choice]


def _counts(options: Options, choices: list[Any], params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list]:
    votes = dict.fromkeys(_ids(options), 0)
    for choice in choices:
        for option_id in [choice] if isinstance(choice, str) else choice:
            votes[option_id] += 1
    best = max(votes.values(), default=0)
    results = [
        {
            "id": str(option["id"]),
            "label": _label(option),
            "votes": votes[str(option["id"])],
            "share": votes[str(option["id"])] / len(choices) if choices else 0.0,
            "leading": best > 0 and votes[str(option["id"])] == best,
        }
        for option in options
    ]
    return results, []


# single choice


def _validate_single(options: Options, choice: Any, params: Mapping[str, Any]) -> str:
    if isinstance(choice, list) and len(choice) == 1:
        choice = choice[0]
    if not isinstance(choice, str) or not choice:
        raise BallotError(N_("Please choose one option."))
    return _picks(options, [choice])[0]


register(Method("single", _validate_single, _counts))


# multiple choice with a limit


def _params_multiple(options: Options, params: Mapping[str, Any]) -> dict[str, Any]:
    limit = params.get("max_choices", 2)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= len(options):
        raise BallotError(
            N_("The most options a voter may choose must be a whole number from 1 to %(n)s."), n=len(options)
        )
    return {"max_choices": limit}


def _validate_multiple(options: Options, choice: Any, params: Mapping[str, Any]) -> list[str]:
    picks = _picks(options, choice)
    limit = int(params["max_choices"])
    if len(picks) > limit:
        raise BallotError(N_("Please choose at most %(n)s options."), n=limit)
    return picks


register(Method("multiple", _validate_multiple, _counts, _params_multiple))


# approval


def _validate_approval(options: Options, choice: Any, params: Mapping[str, Any]) -> list[str]:
    return _picks(options, choice)


register(Method("approval", _validate_approval, _counts))


# score


def _params_score(options: Options, params: Mapping[str, Any]) -> dict[str, Any]:
    low, high = params.get("min_score", 0), params.get("max_score", 5)
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (low, high)) or not 0 <= low < high <= 100:
        raise BallotError(N_("Scores must run between two whole numbers from 0 to 100, the lowest first."))
    return {"min_score": low, "max_score": high}


def _validate_score(options: Options, choice: Any, params: Mapping[str, Any]) -> dict[str, int]:
    low, high = int(params["min_score"]), int(params["max_score"])
    if not isinstance(choice, dict):
        raise BallotError(N_("This ballot is not in the form this poll takes."))
    scores: dict[str, int] = {}
    for option_id in _ids(options):
        value = choice.get(option_id)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool):
            raise BallotError(N_("Please give every option a score from %(low)s to %(high)s."), low=low, high=high)
        if not low <= value <= high:
            raise BallotError(N_("Please give every option a score from %(low)s to %(high)s."), low=low, high=high)
        scores[option_id] = value
    if set(choice) - set(scores):
        raise BallotError(N_("This ballot names an option the poll does not have."))
    return scores


def _count_score(options: Options, choices: list[Any], params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list]:
    sums = dict.fromkeys(_ids(options), 0)
    for choice in choices:
        for option_id, value in choice.items():
            sums[option_id] += value
    best = max(sums.values(), default=0)
    results = [
        {
            "id": str(option["id"]),
            "label": _label(option),
            "sum": sums[str(option["id"])],
            "mean": round(sums[str(option["id"])] / len(choices), 4) if choices else 0.0,
            "leading": bool(choices) and sums[str(option["id"])] == best,
        }
        for option in options
    ]
    return results, []


register(Method("score", _validate_score, _count_score, _params_score))


# ranked choice by instant runoff


def _validate_ranked(options: Options, choice: Any, params: Mapping[str, Any]) -> list[str]:
    if not isinstance(choice, list) or not all(isinstance(item, str) for item in choice):
        raise BallotError(N_("This ballot is not in the form this poll takes."))
    if not choice:
        raise BallotError(N_("Please rank at least one option."))
    if len(set(choice)) != len(choice):
        raise BallotError(N_("Please give each rank to one option only, and each option one rank."))
    if set(choice) - set(_ids(options)):
        raise BallotError(N_("This ballot names an option the poll does not have."))
    return list(choice)


def _eliminate(tied: list[str], history: list[dict[str, int]], order: list[str]) -> tuple[str, str | None]:
    """The option to eliminate among those tied for fewest votes, and the tie-break used, if any."""
    if len(tied) == 1:
        return tied[0], None
    candidates = list(tied)
    for back, counts in enumerate(reversed(history[:-1]), start=1):
        fewest = min(counts[c] for c in candidates)
        candidates = [c for c in candidates if counts[c] == fewest]
        if len(candidates) == 1:
            return candidates[0], f"fewest votes {back} round(s) before"
    return max(candidates, key=order.index), "listed last on the poll"


def _count_ranked(options: Options, choices: list[Any], params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list]:
    order = _ids(options)
    continuing = list(order)
    history: list[dict[str, int]] = []
    rounds: list[dict[str, Any]] = []
    eliminated_in: dict[str, int] = {}
    winner: str | None = None
    while continuing and winner is None:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking in choices:
            top = next((option_id for option_id in ranking if option_id in counts), None)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        history.append(counts)
        active = sum(counts.values())
        record: dict[str, Any] = {
            "round": len(rounds) + 1,
            "counts": [{"id": option_id, "votes": counts[option_id]} for option_id in continuing],
            "continuing_ballots": active,
            "exhausted": exhausted,
            "eliminated": None,
            "tie_break": None,
            "winner": None,
        }
        leader = max(continuing, key=lambda option_id: counts[option_id])
        if len(continuing) == 1 or (active and counts[leader] * 2 > active):
            winner = leader
            record["winner"] = leader
        elif not active:
            rounds.append(record)  # no ballot ranks any option: nobody wins
            break
        else:
            fewest = min(counts.values())
            out, rule = _eliminate([c for c in continuing if counts[c] == fewest], history, order)
            record["eliminated"], record["tie_break"] = out, rule
            continuing.remove(out)
            eliminated_in[out] = len(rounds) + 1
        rounds.append(record)
    final = history[-1] if history else {}
    first = history[0] if history else {}
    results = [
        {
            "id": str(option["id"]),
            "label": _label(option),
            "first_preferences": first.get(str(option["id"]), 0),
            "final_votes": final.get(str(option["id"]), 0),
            "eliminated_in_round": eliminated_in.get(str(option["id"])),
            "winner": str(option["id"]) == winner,
        }
        for option in options
    ]
    return results, rounds


register(Method("ranked", _validate_ranked, _count_ranked))


# Participatory budgets' two methods live in analysis.budget_methods, which registers them here;
# importing it last means a count (or a ballot file's recount) by name always finds them.
from analysis import budget_methods  # noqa: E402, F401
