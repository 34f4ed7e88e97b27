"""Our form-letter campaigns against the near-duplicate clusters of a US federal pilot on four
regulations.gov dockets (../shared/data/comments/formletter-clusters-regulationsgov): B-cubed
precision, recall and F1 per docket, against its connected components ('comp') and its Louvain
clusters ('clust'). The labels are the pilot's machine output, a reference rather than the truth.

    uv run python benchmarks/campaigns_regulationsgov.py
"""

from __future__ import annotations

import csv
import time
from statistics import mean

from analysis.campaigns import Letter, find_campaigns
from analysis.evaluation import bcubed
from core.settings import ROOT

DATA = ROOT.parent / "shared" / "data" / "comments" / "formletter-clusters-regulationsgov"


def main() -> None:
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent")
    csv.field_size_limit(10**8)
    scores: dict[str, list[tuple[float, float, float]]] = {"comp": [], "clust": []}
    for path in sorted(DATA.glob("*.csv")):
        with path.open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        started = time.perf_counter()
        result = find_campaigns([Letter(r["name"], r["text"]) for r in rows])
        elapsed = time.perf_counter() - started
        campaign_of = result.campaign_of()
        predicted = {r["name"]: campaign_of.get(r["name"], ("alone", r["name"])) for r in rows}
        for reference in scores:
            p, r, f1 = bcubed(predicted, {row["name"]: row[reference] for row in rows})
            scores[reference].append((p, r, f1))
            print(
                f"{path.stem:32} vs {reference:5}  {len(rows):4} comments  {len(result.campaigns):2} campaigns  "
                f"P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  ({elapsed:.2f} s)"
            )
    for reference, found in scores.items():
        p, r, f1 = (mean(values) for values in zip(*found, strict=True))
        print(f"mean vs {reference}: P {p:.3f}  R {r:.3f}  F1 {f1:.3f}")


if __name__ == "__main__":
    main()
