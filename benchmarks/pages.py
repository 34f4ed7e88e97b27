"""Pages under wrk: the demo, then the same site with 100,000 comments on one consultation, each
page beside a bare Starlette route served the same way in the same run.

    uv run python benchmarks/pages.py [--seconds 10] [--ceiling-seconds 2] [--connections 32] [--workers 2]
        [--comments 100000] [--postgresql postgresql://postgres@127.0.0.1/scratch] [--only SQLite]
        [--readers anonymous|signed-in]

For each database (the embedded SQLite default in a temporary folder, then the scratch PostgreSQL
database --postgresql or DATABASE_URL names, whose schema is dropped first): migrate, seed the
demo, serve it as the Procfile does (`python -m thinktank.serving`, --workers processes, on
127.0.0.1 only) and drive each page with `wrk` (apt-get install wrk) at --connections, once with
`Connection: close` and once with keep-alive. Then stop the server, add --comments imported
comments to the demo's long-term care consultation in bulk, serve it again and drive the pages
again. Each page is read by an anonymous reader (no cookie, as a first visit or a crawler; the
response cache serves these) and again signed in as the demo's legislative staff member (never
cached); the bill dashboard only signed in. --readers picks one. Prints req/s, p50/p95/p99,
answers other than 200 and socket errors per page, and req/s as a share of the bare route's in
the same connection mode, driven for --ceiling-seconds just before that page (printed last), so
that other work on the machine, which comes and goes within a run, weighs on both alike. The load
average is printed too: only figures of the same run compare. Never run as a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import HOST, ROOT, client_for, environment, free_port, reset_postgresql, uvicorn, wait_until_up

CONSULTATION = "ltc-act-amendment"  # the demo's consultation with an analysis
STAFF = "wang.yating@ly.demo.thinktank.tw"  # the demo's legislative staff member
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REPORT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_200 = 0 end
function response(status, headers, body) if status ~= 200 then not_200 = not_200 + 1 end end
function done(summary, latency, requests)
  local e, bad = summary.errors, 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("not_200") end
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, bad))
end
"""


@dataclass
class Figures:
    rate: float  # requests per second
    p50: float  # milliseconds
    p95: float
    p99: float
    errors: int  # socket errors and timeouts
    not_200: int  # answers other than 200 OK (a redirect to sign-in would show here)


def wrk(url: str, seconds: float, connections: int, close: bool, script: Path, cookie: str = "") -> Figures:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "10s", "-s", str(script)]
    command += ["-H", "Accept-Language: zh-TW"]
    if close:
        command += ["-H", "Connection: close"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^RESULT (.+)$", out, re.MULTILINE)
    assert found, out
    requests, duration, p50, p95, p99, errors, not_200 = (int(n) for n in found.group(1).split())
    return Figures(requests / (duration / 1e6), p50 / 1000, p95 / 1000, p99 / 1000, errors, not_200)


READERS = ("anonymous", "signed in")
SIGNED_IN_ONLY = {"bill dashboard (staff)"}


def pages(env: dict[str, str]) -> list[tuple[str, str]]:
    """(label, path) of each page, found in the seeded database."""
    from sqlmodel import Session, col, func, select

    from core.db import make_engine
    from deliberation.models import Conversation
    from feedback.models import Comment

    engine = make_engine(env["DATABASE_URL"])
    with Session(engine) as session:
        bill = session.exec(
            select(Comment.subject_id)
            .where(Comment.subject_kind == "bill")
            .group_by(col(Comment.subject_id))
            .order_by(func.count().desc())
        ).first()
        conversation = session.exec(select(Conversation.slug).order_by(col(Conversation.id))).first()
    engine.dispose()
    c = f"/c/{CONSULTATION}"
    return [
        ("home", "/"),
        ("consultation", c),
        ("comment list", f"{c}/comments"),
        ("bill", f"/bills/{bill}"),
        ("bill dashboard (staff)", f"/bills/{bill}/dashboard"),
        ("conversation", f"/conversations/{conversation}"),
        ("analysis report", f"{c}/analysis"),
        ("API comments", f"/api/v1/consultations/{CONSULTATION}/comments"),
        ("search", "/search?q=%E9%95%B7%E7%85%A7"),  # 長照
    ]


async def staff_cookie(base: str) -> str:
    from thinktank.demo import DEMO_PASSWORD

    async with client_for(base, 1) as client:
        page = await client.get("/signin")
        token = CSRF.search(page.text)
        assert token, "no CSRF token on /signin"
        data = {"csrf_token": token.group(1), "email": STAFF, "password": DEMO_PASSWORD}
        answer = await client.post("/signin", data=data)
        assert answer.status_code == 303, f"{STAFF} could not sign in: {answer.status_code}"
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in client.cookies.jar)


async def warm(base: str, paths: list[tuple[str, str]], workers: int, cookies: list[str]) -> None:
    """Each page twice per worker and reader, before timing: templates compiled, the search index
    opened, the anonymous reader's copy kept."""
    async with client_for(base, 2 * workers) as client:  # as many connections as requests at once
        for _, path in paths:
            for headers in ({"Cookie": cookie} if cookie else {} for cookie in cookies):
                await asyncio.gather(*(client.get(path, headers=headers) for _ in range(2 * workers)))


def seed_demo(env: dict[str, str]) -> None:
    import thinktank.registry  # noqa: F401
    from core.db import make_engine, migrate, session_scope
    from core.settings import Settings
    from thinktank import demo

    settings = Settings.from_env(env)
    engine = make_engine(settings.database_url)
    migrate(engine)
    with session_scope(engine) as session:
        demo.seed(session, settings)
    engine.dispose()


def add_comments(env: dict[str, str], count: int) -> None:
    from consultation_page import analyze, insert_comments
    from sqlmodel import Session

    from core.db import make_engine, pk
    from participation import services

    engine = make_engine(env["DATABASE_URL"])
    with Session(engine) as session:
        consultation = services.get_consultation(session, CONSULTATION)
        version = services.latest_version(session, consultation)
        articles = len(services.articles_of(session, version))
        insert_comments(session, pk(consultation), count, articles=articles, version=version.number)
        # PostgreSQL's statistics as autovacuum would gather them a minute after a bulk load (this
        # machine's cluster runs without autovacuum): without them a 50-comment page of the API
        # sorted all 100,000 comments, 88 ms, where the primary key gives them in 0.2 ms.
        analyze(session)
    engine.dispose()


async def drive(label: str, env: dict[str, str], var: Path, args: argparse.Namespace, script: Path, bare: str) -> None:
    port = free_port()
    web = uvicorn("thinktank.app:app", port, args.workers, env, var / f"web-{label}.log")
    try:
        base = f"http://{HOST}:{port}"
        await wait_until_up(f"{base}/healthz", web)
        cookie = await staff_cookie(base)
        await warm(base, pages(env), args.workers, ["" if reader == "anonymous" else cookie for reader in args.readers])
        print(f"\n  {label}; load average {os.getloadavg()[0]:.1f}")
        for reader in args.readers:
            print(f"\n  read {reader}")
            print(
                f"  {'page':<24} {'connection':<10} {'req/s':>8} {'p50':>8} {'p95':>8} {'p99':>8}  share  not-200/e"
                f"  {'ceiling':>8}"
            )
            for name, path in pages(env):
                if reader == "anonymous" and name in SIGNED_IN_ONLY:
                    continue
                for close in (True, False):
                    # The bare route just before each page: load from other work drifts within a run,
                    # so a share is of the ceiling the page met, not of one measured minutes before.
                    ceiling = wrk(bare, args.ceiling_seconds, args.connections, close, script)
                    figures = wrk(
                        base + path,
                        args.seconds,
                        args.connections,
                        close,
                        script,
                        cookie if reader != "anonymous" else "",
                    )
                    print(row(name, close, figures, ceiling.rate) + f"  {ceiling.rate:8.1f}")
            print(f"  load average {os.getloadavg()[0]:.1f}")
    finally:
        web.stop()


def row(name: str, close: bool, f: Figures, ceiling: float) -> str:
    mode = "close" if close else "keep-alive"
    share = f"{100 * f.rate / ceiling:5.1f}%" if ceiling else "  -  "
    return (
        f"  {name:<24} {mode:<10} {f.rate:8.1f} {f.p50:6.1f}ms {f.p95:6.1f}ms {f.p99:6.1f}ms {share}"
        f"  {f.not_200}/{f.errors}"
    )


async def run_on(name: str, database_url: str, args: argparse.Namespace) -> None:
    print(f"\n== {name}: {args.connections} connections, {args.seconds:g} s a page and mode, {args.workers} workers")
    with tempfile.TemporaryDirectory(prefix="thinktank-pages-") as folder:
        var = Path(folder)
        env = environment(database_url, var, "")
        env["THINKTANK_JOBS"] = "immediate"
        if not database_url:
            env["DATABASE_URL"] = f"sqlite:///{var / 'thinktank.db'}"
        else:
            reset_postgresql(database_url)
        script = var / "report.lua"
        script.write_text(REPORT)
        started = time.perf_counter()
        seed_demo(env)
        print(f"  demo seeded in {time.perf_counter() - started:.0f} s")
        bare_port = free_port()
        bare = uvicorn("load:ceiling", bare_port, args.workers, env, var / "bare.log", app_dir=ROOT / "benchmarks")
        try:
            await wait_until_up(f"http://{HOST}:{bare_port}/", bare)
            bare_url = f"http://{HOST}:{bare_port}/"
            for close in (True, False):
                ceiling = wrk(bare_url, args.seconds, args.connections, close, script)
                print(row("ceiling (bare route)", close, ceiling, ceiling.rate))
            await drive("the demo", env, var, args, script, bare_url)
            if args.comments:
                started = time.perf_counter()
                add_comments(env, args.comments)
                print(
                    f"\n  {args.comments:,} comments added to {CONSULTATION} in {time.perf_counter() - started:.0f} s"
                )
                await drive(f"{args.comments:,} comments on {CONSULTATION}", env, var, args, script, bare_url)
        finally:
            bare.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="wrk's duration per page and mode (default 10)")
    parser.add_argument(
        "--ceiling-seconds", type=float, default=2, help="the bare route's run just before each page (default 2)"
    )
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each server (default 2)")
    parser.add_argument("--comments", type=int, default=100_000, help="comments for the large copy (0: none)")
    default_pg = os.environ.get("DATABASE_URL", "")
    parser.add_argument(
        "--postgresql",
        default=default_pg if default_pg.startswith(("postgres://", "postgresql")) else "",
        help="a scratch PostgreSQL database to run on as well (its schema is dropped); default DATABASE_URL",
    )
    parser.add_argument("--only", choices=["SQLite", "PostgreSQL"], help="run on one database only")
    parser.add_argument("--readers", choices=["anonymous", "signed-in"], help="drive the pages as one reader only")
    args = parser.parse_args()
    args.readers = [r for r in READERS if args.readers in (None, r.replace(" ", "-"))]
    if args.seconds <= 0 or args.ceiling_seconds <= 0 or args.connections < 1 or args.workers < 1 or args.comments < 0:
        parser.error("--seconds, --connections and --workers must be positive, --comments not negative")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    print(f"{os.cpu_count()} cores; the load average says how much else was running")
    if args.only != "PostgreSQL":
        asyncio.run(run_on("SQLite", "", args))
    if args.postgresql and args.only != "SQLite":
        asyncio.run(run_on("PostgreSQL", args.postgresql, args))
    elif args.only == "PostgreSQL":
        parser.error("give --postgresql or set DATABASE_URL")


if __name__ == "__main__":
    main()
