"""The text pipeline's speed beside its segmenter's, and its tokens beside the pipeline as it was.

    uv run python benchmarks/text_pipeline.py
    uv run python benchmarks/text_pipeline.py --megabytes 20 --runs 5

Texts: the shared Chinese comments (../shared/data/comments/polis-talkto-tw-zh tallies and
../shared/data/polis/vtaiwan.uberx comments, Traditional Chinese with some English), repeated
until they make `--megabytes` of UTF-8, as a big consultation would bring the same words again.
Prints tokens per second of CPU time (median of `--runs`) of bare rjieba (`cut` of each raw text, the same
dictionaries loaded), of our segmenting step (`TextPipeline._segment` of each normalised text) and
of `tokens_many` on the raw texts, and of `tokens_many` as it was at `--before`, all in the same
run (tokens/s counts the segmenter's tokens throughout; fewer content tokens are kept).

Then the check: the tokens, normal forms and languages of every shared comment (Chinese, English
and German: comments/ and polis/) from today's `analysis.text` and from the version at `--before`
(a git revision, read with `git show`), printed as a count of texts that differ (0 is the goal),
with the first few differences.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
BEFORE = "0873bb4"  # main before the text pipeline was made faster (issue 15)


def chinese_texts() -> list[str]:
    texts = []
    for path in sorted((SHARED / "comments" / "polis-talkto-tw-zh").glob("*-tally.csv")):
        texts += [row["comment_body"] for row in _rows(path)]
    texts += [row["comment-body"] for row in _rows(SHARED / "polis" / "vtaiwan.uberx" / "comments.csv")]
    return texts


def every_shared_text() -> list[str]:
    texts = chinese_texts()
    texts += [row["claim"] for row in _rows(SHARED / "comments" / "ibm-claim-stance-train" / "claims.csv")]
    for path in sorted((SHARED / "comments" / "formletter-clusters-regulationsgov").glob("*.csv")):
        texts += [row["text"] for row in _rows(path)]
    for path in sorted((SHARED / "polis").glob("*/comments.csv")):
        if path.parent.name != "vtaiwan.uberx":
            texts += [row["comment-body"] for row in _rows(path)]
    return [t for t in texts if t]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        yield from csv.DictReader(file)


def repeated(texts: list[str], megabytes: float) -> list[str]:
    size = sum(len(t.encode()) for t in texts)
    copies = max(1, round(megabytes * 1_000_000 / size))
    return texts * copies


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()  # CPU time: other work on the machine slows it less than wall time
        work()
        times.append(time.process_time() - started)
    return statistics.median(times)


def pipeline_before(revision: str) -> object:
    """analysis.text as it was at `revision`, loaded as its own module (its data files are today's)."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:analysis/text.py"], capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("analysis_text_before")
    module.__file__ = str(ROOT / "analysis" / "text.py")
    sys.modules[module.__name__] = module
    exec(compile(source, f"{revision}:analysis/text.py", "exec"), module.__dict__)
    return module.TextPipeline()


def speed(megabytes: float, runs: int, revision: str) -> None:
    from analysis.text import TextPipeline

    texts = chinese_texts()
    if not texts:
        print("no shared Chinese texts: skipped")
        return
    batch = repeated(texts, megabytes)
    nlp = TextPipeline()
    nlp.tokens_many(texts)  # load the dictionaries and OpenCC outside the timings
    jieba = nlp._jieba
    normal = [nlp.normalise(t) for t in batch]
    segmented = sum(len(nlp._segment(t)) for t in normal)
    tokens = sum(len(t) for t in nlp.tokens_many(batch))
    size = sum(len(t.encode()) for t in batch) / 1_000_000
    print(f"{len(batch):,} texts ({len(texts):,} shared Chinese comments repeated), {size:.1f} MB, {runs} runs")
    bare = median_seconds(lambda: [list(jieba.cut(t, True)) for t in batch], runs)
    print(f"baseline: bare rjieba cut          {segmented / bare:>12,.0f} tokens/s  ({bare:.2f} s)")
    ours = median_seconds(lambda: [nlp._segment(t) for t in normal], runs)
    print(f"our segmenting step (_segment)     {segmented / ours:>12,.0f} tokens/s  ({ours:.2f} s)")
    whole = median_seconds(lambda: nlp.tokens_many(batch), runs)
    # tokens/s counts the segmenter's tokens, as the baseline does; the content tokens kept are fewer.
    print(f"tokens_many (normalise to tokens)  {segmented / whole:>12,.0f} tokens/s  ({whole:.2f} s)")
    old = pipeline_before(revision)
    old.tokens_many(texts)  # type: ignore[attr-defined]
    before = median_seconds(lambda: old.tokens_many(batch), runs)  # type: ignore[attr-defined]
    print(f"tokens_many as at {revision:<16} {segmented / before:>12,.0f} tokens/s  ({before:.2f} s)")
    print(f"  {tokens:,} content tokens kept of {segmented:,} segmented", flush=True)


def check(revision: str) -> int:
    from analysis.text import TextPipeline, detect_language

    texts = every_shared_text()
    if not texts:
        print("no shared texts: check skipped")
        return 0
    old = pipeline_before(revision)
    new = TextPipeline()
    old_module = sys.modules["analysis_text_before"]
    mismatched = []
    old_tokens, new_tokens = old.tokens_many(texts), new.tokens_many(texts)  # type: ignore[attr-defined]
    for i, text in enumerate(texts):
        pairs = (
            ("tokens", old_tokens[i], new_tokens[i]),
            ("normal", old.normalise(text), new.normalise(text)),  # type: ignore[attr-defined]
            ("language", old_module.detect_language(text), detect_language(text)),
        )
        for what, before, now in pairs:
            if before != now:
                mismatched.append((i, what, before, now))
                break
    # One text at a time and in another order: what is done per batch must not leak between texts.
    backwards = new.tokens_many(texts[::-1])[::-1]
    thrice = new.tokens_many(texts * 3)  # more texts than one batch of normalise_many holds
    mismatched += [
        (i % len(texts), "batches", old_tokens[i % len(texts)], b)
        for i, b in enumerate(thrice)
        if b != old_tokens[i % len(texts)]
    ]
    one_by_one = [new.tokens(t) for t in texts[:2000]]
    mismatched += [(i, "batch order", old_tokens[i], b) for i, b in enumerate(backwards) if b != old_tokens[i]]
    mismatched += [(i, "one by one", old_tokens[i], b) for i, b in enumerate(one_by_one) if b != old_tokens[i]]
    print(f"check against {revision}: {len(texts):,} shared texts, {len(mismatched)} mismatches")
    for i, what, before, now in mismatched[:5]:
        print(f"  text {i} {what}: {texts[i][:60]!r}\n    before {before!r}\n    now    {now!r}")
    return len(mismatched)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=5.0, help="size of the timed batch (default 5)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", default=BEFORE, help=f"git revision to compare tokens with (default {BEFORE})")
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args()
    if not args.check_only:
        speed(args.megabytes, args.runs, args.before)
    raise SystemExit(1 if check(args.before) else 0)


if __name__ == "__main__":
    main()
