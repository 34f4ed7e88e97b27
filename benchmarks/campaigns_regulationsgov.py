"""Our form-letter campaigns against the near-duplicate groups of a US federal pilot on four
regulations.gov dockets (../shared/data/comments/formletter-clusters-regulationsgov): B-cubed
precision, recall and F1 per docket against its connected components ('comp'), and the spread
over the dockets, for three views of our result:

- `template`: the template tier alone (the campaign list), every other comment on its own;
- `+ pairs`: with the two-comment pairs (which the campaign list leaves out) as groups too;
- `all tiers`: with the paraphrase tier's groups as well (a group holds the template campaigns
  it joins), which is the view comparable with the pilot's groups: those are connected components
  of sentence-embedding pairs at cosine > 0.85, so they join rewordings, not only copies.

No constant here is fitted to these dockets (the template tier's are derived from one resemblance
threshold, the paraphrase cosine is the pilot's own), so leaving a docket out changes nothing;
the paraphrase cosine's neighbours (0.80, 0.90) are printed to show how much rests on it. The
pilot's labels are machine output (its own encoder), a reference rather than the truth.

    uv run python benchmarks/campaigns_regulationsgov.py
"""

from __future__ import annotations

import csv
import time
from collections.abc import Hashable
from statistics import mean

from analysis.campaigns import PARAPHRASE_COSINE, CampaignResult, Letter, find_campaigns
from analysis.embeddings import embed
from analysis.evaluation import bcubed
from core.settings import ROOT

DATA = ROOT.parent / "shared" / "data" / "comments" / "formletter-clusters-regulationsgov"
SPREAD = (PARAPHRASE_COSINE, 0.80, 0.90)


def views(result: CampaignResult, names: list[str]) -> dict[str, dict[str, Hashable]]:
    """Each comment's group in the three views (a comment in no group is a group of its own)."""
    template: dict[str, Hashable] = {name: ("alone", name) for name in names}
    template |= {str(member): ("campaign", n) for member, n in result.campaign_of().items()}
    pairs = template | {str(m): ("pair", n) for n, pair in enumerate(result.pairs) for m in pair.members}
    every = pairs | {str(m): ("paraphrase", n) for n, group in enumerate(result.paraphrases) for m in group.members}
    return {"template": template, "+ pairs": pairs, "all tiers": every}


def main() -> None:
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent")
    csv.field_size_limit(10**8)
    scores: dict[str, list[tuple[float, float, float]]] = {}
    for path in sorted(DATA.glob("*.csv")):
        with path.open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        names = [r["name"] for r in rows]
        reference = {r["name"]: r["comp"] for r in rows}
        letters = [Letter(r["name"], r["text"]) for r in rows]
        vectors = embed([r["text"] for r in rows])  # once per docket: every run below reuses them
        for cosine in SPREAD:
            started = time.perf_counter()
            result = find_campaigns(letters, embeddings=vectors, paraphrase_cosine=cosine)
            elapsed = time.perf_counter() - started
            for view, predicted in views(result, names).items():
                if cosine != PARAPHRASE_COSINE and view != "all tiers":
                    continue  # only the paraphrase tier depends on the cosine
                label = view if cosine == PARAPHRASE_COSINE else f"{view} at {cosine:.2f}"
                p, r, f1 = bcubed(predicted, reference)
                scores.setdefault(label, []).append((p, r, f1))
                print(
                    f"{path.stem:28} {label:17} {len(rows):4} comments {len(result.campaigns):2} campaigns"
                    f" {len(result.pairs):2} pairs {len(result.paraphrases):2} paraphrase groups"
                    f"  P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  ({elapsed:.2f} s)"
                )
            if cosine == PARAPHRASE_COSINE:
                comp = {r["name"]: r["comp"] for r in rows}
                for group in result.paraphrases:
                    print(
                        f"  paraphrase group of {group.size}, joining template campaigns {group.campaigns}"
                        f" (reference components {sorted({comp[str(m)] for m in group.members})})"
                    )
    for label, found in scores.items():
        p, r, f1 = (mean(values) for values in zip(*found, strict=True))
        lowest = min(f for _p, _r, f in found)
        print(f"mean, {label:17}: P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  (lowest docket F1 {lowest:.3f})")


if __name__ == "__main__":
    main()
