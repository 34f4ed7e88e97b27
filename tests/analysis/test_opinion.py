"""Opinion groups on conversations built here: two camps, sparse voters, consensus, repness."""

import json

import numpy as np
import pytest

from analysis.opinion import Vote, compute, next_statement, vote_matrix


def _camps(people: int = 40, statements: int = 12, seed: int = 3) -> list[Vote]:
    """Two camps that agree on statement 0 and split on the rest: camp A agrees with odd
    statements and disagrees with even ones, camp B the reverse."""
    rng = np.random.default_rng(seed)
    votes = []
    for person in range(people):
        camp = person % 2
        for statement in range(statements):
            if statement == 0:
                vote = 1
            else:
                vote = 1 if (statement % 2) == camp else -1
                if rng.random() < 0.1:
                    vote = 0
            votes.append(Vote(f"p{person}", statement, vote))
    return votes


def test_two_camps_are_found_and_their_statements_represent_them() -> None:
    result = compute(_camps())
    assert result.k == 2
    camp_of = {f"p{i}": i % 2 for i in range(40)}
    groups = {}
    for person, group in result.groups.items():
        groups.setdefault(group, set()).add(camp_of[person])
    assert sorted(len(camps) for camps in groups.values()) == [1, 1]  # each group is one camp
    assert result.consensus[0] == 0  # everyone agrees with statement 0
    assert 0 not in result.divisive and len(result.divisive) > 0
    for group, picks in result.repness.items():
        assert picks and all(p.z_test > 1.2816 for p in picks)
        camp = next(iter(groups[group]))
        agreed = [p.statement for p in picks if p.direction == "agree"]
        assert agreed and all(s % 2 == camp for s in agreed if s != 0)


def test_the_same_votes_always_give_the_same_groups_and_map() -> None:
    first, again = compute(_camps()), compute(_camps())
    assert first.groups == again.groups
    assert np.allclose(first.projection, again.projection)


def test_a_later_vote_replaces_an_earlier_one_and_bad_votes_are_refused() -> None:
    participants, statements, matrix = vote_matrix([Vote("a", 1, 1), Vote("a", 1, -1), Vote("b", 2, 0)])
    assert participants == ["a", "b"] and statements == [1, 2]
    assert matrix[0, 0] == -1 and np.isnan(matrix[0, 1]) and matrix[1, 1] == 0
    with pytest.raises(ValueError, match="-1, 0 or \\+1"):
        vote_matrix([Vote("a", 1, 2)])


def test_sparse_voters_are_not_clustered_but_fifteen_are_kept() -> None:
    votes = _camps(people=30)
    votes += [Vote(f"light{i}", 1, 1) for i in range(5)]  # one vote each: below min(7, statements)
    result = compute(votes)
    assert not any(p.startswith("light") for p in result.groups)
    few = compute(_camps(people=6, statements=4))  # fewer than 15 qualify: all six are kept
    assert len(few.groups) == 6


def test_moderated_out_statements_are_never_representative_or_shown_next() -> None:
    result = compute(_camps(), moderated_out=[1])
    assert all(p.statement != 1 for picks in result.repness.values() for p in picks)
    assert result.priority[1] == 0.0
    assert next_statement(result.priority, [1, 2], seed=5) == 2


def test_next_statement_prefers_few_votes_and_is_repeatable() -> None:
    votes = [*_camps(), Vote("p0", 99, 1)]  # statement 99 has one vote; the others forty
    result = compute(votes)
    assert result.priority[99] > max(v for s, v in result.priority.items() if s != 99)
    picks = [next_statement(result.priority, [1, 2, 99], seed=seed) for seed in range(20)]
    assert picks.count(99) >= 10 and picks == [next_statement(result.priority, [1, 2, 99], seed=s) for s in range(20)]
    assert next_statement(None, [], seed=1) is None


def test_empty_and_tiny_conversations() -> None:
    empty = compute([])
    assert empty.k == 0 and empty.groups == {} and empty.consensus == []
    one = compute([Vote("a", 1, 1)])
    assert one.k == 1 and one.groups == {"a": 0} and one.gic == {1: pytest.approx(2 / 3)}


def test_in_conv_is_sticky_across_updates_as_in_polis() -> None:
    """Early on there are three statements: everyone who voted on all three is in-conv, and stays
    in once there are twelve, although three votes are fewer than min(7, 12)."""
    early = [v for v in _camps(people=30) if v.statement < 3]
    first = compute(early)
    assert len(first.groups) == 30 and set(first.state.in_conv) == {f"p{i}" for i in range(30)}
    later = early + [v for v in _camps(people=60) if int(str(v.participant)[1:]) >= 30]
    fresh = compute(later)
    assert not any(f"p{i}" in fresh.groups for i in range(30))  # a single computation drops them
    kept = compute(later, previous=first.state)
    assert all(f"p{i}" in kept.groups for i in range(60))


def test_replay_and_in_conv_over_time_place_early_participants() -> None:
    from analysis.opinion import in_conv_over_time, replay

    early = [v for v in _camps(people=30) if v.statement < 3]
    later = [v for v in _camps(people=60) if int(str(v.participant)[1:]) >= 30]
    everyone = {f"p{i}" for i in range(60)}
    assert set(in_conv_over_time(early + later)) == everyone
    result = replay(early + later, updates=[len(early)])
    assert set(result.groups) == everyone and result.k == 2


def test_a_new_k_is_published_only_after_four_updates_in_a_row() -> None:
    from analysis.opinion import OpinionState

    votes = _camps(people=60)
    best = compute(votes)
    assert best.state.last_k == best.k == 2 and best.state.last_k_count == 1
    held = OpinionState(last_k=3, last_k_count=5, smoothed_k=3)
    result = compute(votes, previous=held)
    assert result.k == 3 and result.state.last_k == 2 and result.state.last_k_count == 1  # 2 is new: k stays 3
    for _ in range(3):
        result = compute(votes, previous=result.state)
    assert result.k == 2 and result.state.smoothed_k == 2  # best four times running: published


def test_restarts_are_an_explicit_choice_and_deterministic() -> None:
    votes = _camps(people=60)
    plain = compute(votes)
    restarted, again = compute(votes, restarts=5), compute(votes, restarts=5)
    assert restarted.groups == again.groups and restarted.k == plain.k == 2


def test_statements_without_votes_give_a_map_without_groups() -> None:
    result = compute([], statements=["a", "b"])
    assert result.k == 0 and result.groups == {} and result.consensus == [] and result.divisive == []
    assert result.gic == {"a": 0.0, "b": 0.0} and set(result.priority) == {"a", "b"}


def _light_and_full(full: int = 5, light: int = 20, statements: int = 10) -> list[Vote]:
    """`full` participants who vote on every statement, then `light` ones: light i votes on the
    first 1 + i % 6 statements, always fewer than min(7, statements)."""
    votes = [Vote(f"full{p}", s, 1 if (s + p) % 2 else -1) for p in range(full) for s in range(statements)]
    votes += [Vote(f"light{i}", s, 1) for i in range(light) for s in range(1 + i % 6)]
    return votes


def test_in_conv_tops_up_to_fifteen_with_the_most_active_as_polis_does() -> None:
    """Five qualify; Pol.is adds the ten most active of the rest (most votes first, the first
    voter on a tie), not the first ten."""
    from analysis.opinion import in_conv_over_time

    votes = _light_and_full()
    lights = sorted(range(20), key=lambda i: -(1 + i % 6))[:10]  # stable: the first on a tie
    expected = {f"full{p}" for p in range(5)} | {f"light{i}" for i in lights}
    assert lights == [5, 11, 17, 4, 10, 16, 3, 9, 15, 2]
    assert set(compute(votes).groups) == expected
    # Votes that share one time are one update: the same in-conv as one computation.
    assert set(in_conv_over_time(votes, times=[0] * len(votes))) == expected
    # Updated after every vote, the first ten light voters came in by the top-up as they voted.
    assert set(in_conv_over_time(votes)) == {f"full{p}" for p in range(5)} | {f"light{i}" for i in range(10)}


def test_a_warm_start_carries_clusters_by_their_members() -> None:
    """As Pol.is's clean-start-clusters: the previous clusters keep their ids and are re-centred on
    where their members are now, so the same groups come back even when the map is mirrored
    (every vote reversed flips the projection), and new base clusters take the next ids."""
    from analysis.opinion import OpinionState

    votes = _camps(people=60)
    first = compute(votes)
    again = compute(votes, previous=first.state)
    assert again.groups == first.groups and again.state.base_clusters == first.state.base_clusters
    mirrored = [Vote(v.participant, v.statement, -v.vote) for v in votes]
    flipped = compute(mirrored, previous=first.state)
    assert np.allclose(flipped.projection, -first.projection)
    assert flipped.groups == first.groups
    # Two camps that vote alike within each and three who agree with everything: three distinct
    # points. Started from the two camps' clusters (ids 7 and 9), the farthest point is split off
    # as cluster 10, and the three take it.
    alike = [  # _camps without its passes
        Vote(
            v.participant,
            v.statement,
            1 if v.statement == 0 else (1 if v.statement % 2 == int(str(v.participant)[1:]) % 2 else -1),
        )
        for v in votes
    ]
    alike += [Vote(f"yes{i}", s, 1) for i in range(3) for s in range(12)]
    camps = OpinionState(
        base_clusters=[(7, [f"p{i}" for i in range(0, 60, 2)]), (9, [f"p{i}" for i in range(1, 60, 2)])]
    )
    seeded = compute(alike, previous=camps)
    assert [(i, len(members)) for i, members in seeded.state.base_clusters] == [(7, 30), (9, 30), (10, 3)]


def test_the_state_survives_json() -> None:
    from analysis.opinion import OpinionState

    state = compute(_camps(people=60)).state
    assert OpinionState.from_json(json.loads(json.dumps(state.as_json()))) == state
    assert OpinionState.from_json({}) == OpinionState()
