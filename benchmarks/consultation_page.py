"""How long the home page, a consultation page and its comment list take to render with 100,000 comments.

    uv run python benchmarks/consultation_page.py [--comments 100000] [--supports 50000] [--repeat 20]

Members support a fifth of the comments (a few supports each, `--supports` in all), so the
most-supported order and the counts on every page have real rows to count.

Uses a fresh SQLite file in a temporary folder, or the database DATABASE_URL names (its tables
are emptied first, so point it at a scratch database). Prints the median and 95th percentile of
each request, measured through the real app (Starlette's TestClient, no network).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import timedelta

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

import thinktank.registry  # noqa: F401
from core import accounts
from core.db import make_engine, migrate, pk, utcnow
from core.settings import Settings
from feedback.comments import comments_changed
from feedback.models import Comment, CommentSupport
from participation import services
from thinktank.app import create_app

DRAFT = "\n\n".join(f"第{n}條 本條規定第{n}項事務之處理方式，主管機關應公告實施。" for n in range(1, 21))
PHRASES = ["喘息服務天數不足", "照顧人力短缺", "薪資應提高", "偏鄉資源不足", "資訊應公開", "支持草案方向"]


def build(session: Session, count: int) -> str:
    agency = accounts.create_agency(session, "bench", "基準測試部")
    now = utcnow()
    consultation = services.create_consultation(
        session,
        agency,
        None,
        services.ConsultationInput(
            "基準測試草案", "摘要", "", DRAFT, now - timedelta(days=1), now + timedelta(days=30), slug="bench"
        ),
    )
    services.publish_consultation(session, consultation)
    insert_comments(session, pk(consultation), count, articles=20, version=1)
    return consultation.slug


def insert_comments(session: Session, consultation_id: int, count: int, articles: int, version: int) -> None:
    """`count` imported comments on the consultation, in bulk (past the services, as a fast load
    would be), then the statistics the planner needs."""
    now = utcnow()
    rng = random.Random(1)
    stances = ["support", "oppose", "neutral", "amend"]
    batch = []
    for n in range(count):
        article = rng.choice([None, *range(1, articles + 1)])
        batch.append(
            {
                "subject_kind": "consultation",
                "subject_id": consultation_id,
                "article": article,
                "version": version if article else None,
                "stance": rng.choice(stances),
                "text": f"{rng.choice(PHRASES)}，{rng.choice(PHRASES)}。第{n}則意見。",
                "amendment": "",
                "author_name": f"民眾{n % 20000}",
                "source": "import",
                "dedupe_key": f"bench-{n}",
                "created_at": now,
            }
        )
        if len(batch) == 10_000:
            session.execute(insert(Comment), batch)
            batch = []
    if batch:
        session.execute(insert(Comment), batch)
    comments_changed(session, "consultation", consultation_id)  # as the importer does: kept counts are stale
    session.commit()


def support(session: Session, count: int) -> None:
    """`count` supports from 2,000 members, spread over a fifth of the comments, some far more than others."""
    now, rng = utcnow(), random.Random(2)
    members = [{"email": f"m{n}@bench.tw", "password_hash": "!", "display_name": f"m{n}"} for n in range(2000)]
    session.execute(insert(accounts.Member), members)
    low, high = session.exec(text("SELECT MIN(id), MAX(id) FROM comment")).one()  # type: ignore[call-overload]
    member_low = session.exec(text("SELECT MIN(id) FROM member")).one()[0]  # type: ignore[call-overload]
    supported = rng.sample(range(low, high + 1), min(count, (high - low + 1) // 5))
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < count:
        # Skewed: the first comments of the sample draw far more supports than the last.
        comment = rng.choice(supported[: max(1, len(supported) // int(rng.paretovariate(1.0)))])
        pairs.add((comment, member_low + rng.randrange(2000)))
    rows = [{"comment_id": c, "member_id": m, "created_at": now} for c, m in pairs]
    for start in range(0, len(rows), 10_000):
        session.execute(insert(CommentSupport), rows[start : start + 10_000])
    session.commit()


def analyze(session: Session) -> None:
    # Statistics as autovacuum would have them a minute after a bulk load; without them
    # PostgreSQL's planner guesses one row and picks poor plans.
    session.execute(text("ANALYZE"))
    session.commit()


def timed(client: TestClient, path: str, repeat: int) -> tuple[float, float]:
    """The median and 95th percentile wall time of `repeat` requests of `path`, in ms."""
    median, p95, _cpu = measured(client, path, repeat)
    return median, p95


_fresh = itertools.count()


def measured(client: TestClient, path: str, repeat: int, uncached: bool = False) -> tuple[float, float, float]:
    """The median and 95th percentile wall time of `repeat` requests, and their mean CPU time
    (this process's user and system, the app's threads included), in ms. `uncached` gives every
    request a query string of its own, so that no copy the page cache kept for an anonymous reader
    answers it (the cache keys on the whole address)."""
    join = "&" if "?" in path else "?"

    def address() -> str:
        return f"{path}{join}fresh={next(_fresh)}" if uncached else path

    client.get(address())  # warm caches and templates
    samples = []
    cpu = _cpu()
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(address())
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    cpu = (_cpu() - cpu) * 1000 / repeat
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], cpu


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def scratch_database() -> tuple[Settings, Engine]:
    """Settings and a migrated engine on a fresh SQLite file, or on DATABASE_URL's database
    with its schema dropped first."""
    folder = tempfile.mkdtemp()
    env = {"THINKTANK_VAR": folder, "THINKTANK_JOBS": "immediate", "SECRET_KEY": "bench"}
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    settings = Settings.from_env(env)
    engine = make_engine(settings.database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    return settings, engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--supports", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings, engine = scratch_database()
    started = time.perf_counter()
    with Session(engine) as session:
        slug = build(session, args.comments)
        support(session, args.supports)
        analyze(session)
        oldest = session.exec(text("SELECT MIN(id) FROM comment")).one()[0]  # type: ignore[call-overload]
    print(
        f"database: {engine.dialect.name}; {args.comments:,} comments and {args.supports:,} supports inserted"
        f" in {time.perf_counter() - started:.1f} s"
    )
    client = TestClient(create_app(settings, engine=engine))
    for label, path in [
        ("home page", "/"),
        ("consultation page", f"/c/{slug}"),
        ("consultation, headings only", f"/c/{slug}?draft=headings"),
        ("comment list, first page", f"/c/{slug}/comments"),
        ("comment list, last page", f"/c/{slug}/comments?before={oldest + 31}"),
        ("comments on one article", f"/c/{slug}/comments?article=7"),
        ("one stance", f"/c/{slug}/comments?stance=amend"),
        ("API page 1,000 of 2,000", f"/api/v1/consultations/{slug}/comments?page=1000&per_page=50"),
        ("most supported, first page", f"/c/{slug}/comments?sort=supported"),
        ("most supported, page 100", f"/c/{slug}/comments?sort=supported&page=100"),
        ("most supported, one article", f"/c/{slug}/comments?sort=supported&article=7"),
        ("API, most supported", f"/api/v1/consultations/{slug}/comments?sort=supported&per_page=50"),
    ]:
        median, p95 = timed(client, path, args.repeat)
        print(f"{label:<28} median {median:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
