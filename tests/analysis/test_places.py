"""Small-count merging, representativeness and the weighted stance, on small hand-made numbers."""

from __future__ import annotations

import itertools

import pytest

from analysis.places import (
    Count,
    hide_small,
    merge,
    merge_within,
    representation,
    safe,
    stance_shares,
    weighted_stance_shares,
)


def _shown(groups):
    return {g.code: (g.comments, g.people) for g in groups}


def test_small_places_go_to_the_remainder_and_big_ones_stay():
    groups = merge([Count("A", 12, 9), Count("B", 3, 2), Count("C", 6, 4), Count("D", 8, 6)], "other:X")
    shown = _shown(groups)
    assert shown["A"] == (12, 9) and shown["D"] == (8, 6)
    assert shown["other:X"] == (9, 6)
    assert sorted(next(g for g in groups if g.remainder).codes) == ["B", "C"]


def test_a_remainder_of_one_to_four_takes_the_smallest_shown_place():
    # B alone would leave a remainder of 2: the county total minus A and D would reveal it
    groups = merge([Count("A", 12, 9), Count("B", 2, 2), Count("D", 8, 6)], "other:X")
    shown = _shown(groups)
    assert "D" not in shown and shown["other:X"] == (10, 8)


def test_everything_small_is_one_remainder():
    groups = merge([Count("A", 2, 2), Count("B", 1, 1)], "elsewhere")
    assert [(g.code, g.people) for g in groups] == [("elsewhere", 3)]


def test_no_table_reveals_a_count_below_five_by_differencing():
    """Every split of a county's townships, every filter: each shown row and the county total
    minus the shown rows are zero or at least five."""
    sizes = [0, 1, 2, 4, 5, 7]
    for people in itertools.product(sizes, repeat=3):
        counts = [Count(f"T{i}", n + n // 2, n) for i, n in enumerate(people)]
        groups = merge(counts, "other:X")
        total = sum(people)
        named = [g for g in groups if not g.remainder]
        for group in named:
            assert group.people == 0 or group.people >= 5
        left = total - sum(g.people for g in named)
        assert left == 0 or left >= 5 or not any(g.people for g in named), (people, _shown(groups))


def test_a_filter_shows_a_place_only_when_what_it_leaves_out_is_safe():
    # 7 of T's 9 people spoke on this article: the other 2 would be revealed by subtraction
    counts = [Count("T", 7, 7, 9, 9), Count("U", 6, 6, 6, 6), Count("V", 10, 10, 20, 20)]
    groups = merge(counts, "other:X")
    assert "T" not in _shown(groups)
    assert _shown(groups)["U"] == (6, 6)
    for group in groups:  # V joins T: 17 of 29 people, 12 left out
        assert safe(group.parts())


def test_filtered_remainder_is_safe_against_the_unfiltered_one():
    counts = [Count("T", 7, 7, 9, 9), Count("U", 6, 6, 6, 6), Count("V", 10, 10, 20, 20)]
    rest = next(g for g in merge(counts, "other:X") if g.remainder)
    assert safe(rest.parts())


def test_townships_merge_within_shown_counties_and_the_rest_is_elsewhere():
    parent = {"63000010": "63000", "63000020": "63000", "63000030": "63000", "10014010": "10014"}
    counts = [Count("63000010", 9, 8), Count("63000020", 2, 2), Count("10014010", 3, 3)]
    groups = merge_within(counts, parent, {"63000"})
    # 松山區 alone would leave 2 in "other places in 臺北市": they are merged together
    assert _shown(groups) == {"other:63000": (11, 10), "elsewhere": (3, 3)}
    groups = merge_within([*counts, Count("63000030", 6, 5)], parent, {"63000"})
    assert _shown(groups) == {"63000010": (9, 8), "other:63000": (8, 7), "elsewhere": (3, 3)}


@pytest.mark.parametrize(
    ("cells", "hidden"),
    [
        ({"support": 10, "oppose": 3, "neutral": 7}, {"oppose", "neutral"}),
        ({"support": 10, "oppose": 3, "neutral": 2}, {"oppose", "neutral"}),
        ({"support": 10, "oppose": 0, "neutral": 7}, set()),
        ({"support": 4}, {"support"}),
    ],
)
def test_small_cells_are_hidden_with_enough_others(cells, hidden):
    assert hide_small(cells) == hidden


def test_representation_compares_shares_of_people_with_shares_of_population():
    found = {r.code: r for r in representation({"A": 30, "B": 10, "C": 60}, {"A": 1000, "B": 3000, "C": 6000})}
    assert found["A"].share == pytest.approx(0.3)
    assert found["A"].population_share == pytest.approx(0.1)
    assert found["A"].ratio == pytest.approx(3.0) and found["A"].verdict == "over"
    assert found["B"].ratio == pytest.approx(1 / 3) and found["B"].verdict == "under"
    assert found["C"].verdict == "even"
    assert list(found) == ["B", "C", "A"]  # most under-represented first


def test_representation_without_population_is_empty():
    assert representation({"A": 3}, {}) == []


def test_weighted_stance_gives_each_place_its_population_weight():
    by_place = {"big": {"support": 1, "oppose": 9}, "small": {"support": 90, "oppose": 0}}
    raw = stance_shares(by_place)
    assert raw["support"] == pytest.approx(91 / 100)
    weighted = weighted_stance_shares(by_place, {"big": 900, "small": 100})
    assert weighted["support"] == pytest.approx(0.9 * 0.1 + 0.1 * 1.0)
    assert weighted["oppose"] == pytest.approx(0.9 * 0.9)
    assert weighted_stance_shares(by_place, {}) == {}
