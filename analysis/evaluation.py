"""Measures of a clustering against a reference, for the tests and benchmarks that compare ours
with someone else's labels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping


def bcubed(
    predicted: Mapping[Hashable, Hashable], reference: Mapping[Hashable, Hashable]
) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga and Baldwin), averaged over the reference's items:
    for each item, how much of its predicted cluster shares its reference cluster, and the reverse."""
    in_predicted: dict[Hashable, set[Hashable]] = defaultdict(set)
    in_reference: dict[Hashable, set[Hashable]] = defaultdict(set)
    for item, cluster in predicted.items():
        in_predicted[cluster].add(item)
    for item, cluster in reference.items():
        in_reference[cluster].add(item)
    precision = recall = 0.0
    for item in reference:
        mine, theirs = in_predicted[predicted[item]], in_reference[reference[item]]
        shared = len(mine & theirs)
        precision += shared / len(mine)
        recall += shared / len(theirs)
    precision, recall = precision / len(reference), recall / len(reference)
    return precision, recall, 2 * precision * recall / (precision + recall)
