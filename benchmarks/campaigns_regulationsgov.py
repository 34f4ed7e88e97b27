"""Our form-letter campaigns against the near-duplicate clusters of a US federal pilot on four
regulations.gov dockets (../shared/data/comments/formletter-clusters-regulationsgov): B-cubed
precision, recall and F1 per docket, against its connected components ('comp') and its Louvain
clusters ('clust'), of our template-tier campaigns, and of those with the two-comment pairs
(which the campaign list leaves out) counted as groups too; then the paraphrase tier's groups,
listed apart. The labels are the pilot's machine output, a reference rather than the truth.

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
    scores: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for path in sorted(DATA.glob("*.csv")):
        with path.open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        started = time.perf_counter()
        result = find_campaigns([Letter(r["name"], r["text"]) for r in rows], paraphrases=True)
        elapsed = time.perf_counter() - started
        campaign_of = result.campaign_of()
        with_pairs = campaign_of | {m: ("pair", n) for n, pair in enumerate(result.pairs) for m in pair.members}
        for kind, found in (("campaigns", campaign_of), ("+ pairs", with_pairs)):
            predicted = {r["name"]: found.get(r["name"], ("alone", r["name"])) for r in rows}
            for reference in ("comp", "clust"):
                p, r, f1 = bcubed(predicted, {row["name"]: row[reference] for row in rows})
                scores.setdefault((kind, reference), []).append((p, r, f1))
                print(
                    f"{path.stem:28} {kind:9} vs {reference:5} {len(rows):4} comments"
                    f" {len(result.campaigns):2} campaigns {len(result.pairs):2} pairs"
                    f"  P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  ({elapsed:.2f} s)"
                )
        comp = {r["name"]: r["comp"] for r in rows}
        for group in result.paraphrases:
            print(
                f"  paraphrase group of {group.size} (reference components {sorted({comp[m] for m in group.members})})"
            )
    for (kind, reference), found in scores.items():
        p, r, f1 = (mean(values) for values in zip(*found, strict=True))
        print(f"mean, {kind:9} vs {reference:5}: P {p:.3f}  R {r:.3f}  F1 {f1:.3f}")


if __name__ == "__main__":
    main()
