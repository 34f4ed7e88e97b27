"""Ballot throughput with many voters casting at once, and the live count's delay, on the site
served as in production.

    uv run python benchmarks/poll_votes.py [--voters 200] [--workers 2] [--probes 20]
        [--postgresql postgresql://postgres@127.0.0.1/scratch]

A fresh SQLite file in a temporary folder (or the PostgreSQL scratch database --postgresql names,
whose schema is dropped first) is migrated and given an agency, an open poll and --voters members;
uvicorn serves it with --workers processes on 127.0.0.1 only. Rate limits are raised for the run
(RATE_LIMIT_*). Every voter signs in; then all cast a ballot at once (one request each, all in
flight together), then all change it at once. Printed: ballots per second and p50/p95/p99 of each
wave. Then the delay: --probes times, a voter casts and a reader fetches the tally fragment in a
tight loop until its ballot count moves; printed is the time from sending the ballot to seeing it
counted. The poll page fetches that fragment every second, so a reader sees a ballot within this
delay plus up to one second. Last, the chain is checked: one entry per ballot, no fork, and the
recount equal to the ballots. Exit code 1 when that check fails. Never run as a test.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import GENEROUS, HOST, RATE_LIMITS, client_for, free_port, reset_postgresql, uvicorn, wait_until_up

from core import accounts, ballots, passwords
from core.db import make_engine, migrate, utcnow
from deliberation import polls

PASSWORD = "poll-benchmark-password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BALLOTS = re.compile(r'data-ballots="(\d+)"')


def seed(database_url: str, voters: int) -> tuple[str, list[str]]:
    from sqlmodel import Session

    engine = make_engine(database_url)
    migrate(engine)
    hashed = passwords.hash_password(PASSWORD)
    with Session(engine, expire_on_commit=False) as db:
        agency = accounts.create_agency(db, "mohw", "衛生福利部")
        official = accounts.Member(email="official@bench.tw", password_hash=hashed, display_name="承辦")
        db.add(official)
        db.commit()
        accounts.grant_role(db, official, "agency_official", agency=agency)
        emails = [f"voter{n}@bench.tw" for n in range(voters)]
        db.add_all(accounts.Member(email=e, password_hash=hashed, display_name=e) for e in emails)
        db.commit()
        now = utcnow()
        poll = polls.create_poll(
            db,
            official,
            question="據點設在哪裡？",
            description="",
            options=[(label, "") for label in ("甲", "乙", "丙", "丁")],
            method="single",
            params={},
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
        )
    engine.dispose()
    return poll.slug, emails


async def signed_in(base: str, email: str) -> tuple[Any, str]:
    client = client_for(base, 1)
    page = await client.get("/signin")
    token = CSRF.search(page.text)
    assert token, "no CSRF token on /signin"
    response = await client.post("/signin", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    assert response.status_code == 303, (response.status_code, response.text[:200])
    page = await client.get("/signin")
    token = CSRF.search(page.text)
    assert token
    return client, token.group(1)


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else ordered * 99
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {cut[94] * 1000:.0f} ms, p99 {cut[98] * 1000:.0f} ms"


async def wave(voters: list[tuple[Any, str]], slug: str, offset: int) -> tuple[float, list[float], int]:
    """Every voter casts at once: (seconds for all, each latency, how many were refused)."""
    latencies: list[float] = []
    refused = 0

    async def cast(n: int, client: Any, token: str) -> None:
        nonlocal refused
        started = time.perf_counter()
        response = await client.post(
            f"/polls/{slug}/vote", data={"csrf_token": token, "choice": str((n + offset) % 4 + 1)}
        )
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            refused += 1

    started = time.perf_counter()
    await asyncio.gather(*(cast(n, client, token) for n, (client, token) in enumerate(voters)))
    return time.perf_counter() - started, latencies, refused


async def delay(base: str, slug: str, probes: list[tuple[Any, str]]) -> list[float]:
    delays = []
    async with client_for(base, 1) as reader:
        for client, token in probes:
            before = int(BALLOTS.search((await reader.get(f"/polls/{slug}/tally")).text).group(1))  # type: ignore[union-attr]
            started = time.perf_counter()
            cast = asyncio.create_task(client.post(f"/polls/{slug}/vote", data={"csrf_token": token, "choice": "1"}))
            while True:
                fragment = await reader.get(f"/polls/{slug}/tally", headers={"HX-Request": "true"})
                if int(BALLOTS.search(fragment.text).group(1)) > before:  # type: ignore[union-attr]
                    delays.append(time.perf_counter() - started)
                    break
            await cast
    return delays


def check(database_url: str, slug: str, expected: int) -> list[str]:
    from sqlmodel import Session

    engine = make_engine(database_url)
    with Session(engine) as db:
        poll = polls.get_poll(db, slug)
        entries = polls.entries_of(db, poll)
        result = {k: v for k, v in polls.current_tally(db, poll).items() if k != "head"}
        text = ballots.ballot_file_text(polls.header(db, poll), entries, result)
    engine.dispose()
    verified = ballots.verify_ballot_file(io.StringIO(text), polls.tally_header)
    problems = []
    if not verified.ok:
        problems.append(f"the chain does not verify: line {verified.bad_line}: {verified.reason}")
    if verified.ballots != expected:
        problems.append(f"{verified.ballots} ballots counted, {expected} cast")
    if sorted(e["seq"] for e in entries) != list(range(1, len(entries) + 1)):
        problems.append("the chain's sequence has gaps or repeats")
    return problems


async def run(args: argparse.Namespace, database_url: str, var: Path) -> int:
    slug, emails = seed(database_url, args.voters + args.probes)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RATE_LIMIT_", "DATABASE_URL", "REDIS_URL"))}
    env |= {"THINKTANK_VAR": str(var), "SECRET_KEY": "poll-benchmark", "DATABASE_URL": database_url}
    env |= {"THINKTANK_JOBS": "immediate"} | dict.fromkeys(RATE_LIMITS, GENEROUS)
    server = uvicorn("thinktank.app:app", port, args.workers, env, var / "uvicorn.log")
    base = f"http://{HOST}:{port}"
    try:
        await wait_until_up(f"{base}/polls", server)
        voters = await asyncio.gather(*(signed_in(base, email) for email in emails[: args.voters]))
        probes = await asyncio.gather(*(signed_in(base, email) for email in emails[args.voters :]))
        kind = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        print(f"{kind}, {args.workers} uvicorn workers, {args.voters} voters casting at once:")
        for name, offset in (("first ballots", 0), ("changed ballots", 1)):
            seconds, latencies, refused = await wave(list(voters), slug, offset)
            print(
                f"  {name}: {args.voters / seconds:.0f} ballots/s ({seconds:.2f} s for all); {percentiles(latencies)}"
            )
            if refused:
                print(f"  {refused} refused")
        delays = await delay(base, slug, list(probes))
        print(f"  live count: a ballot is in the fragment {percentiles(delays)} after it is sent")
        print("  (the page fetches the fragment every second: a reader sees it within that plus up to 1 s)")
        for client, _token in [*voters, *probes]:
            await client.aclose()
    finally:
        server.stop()
    problems = check(database_url, slug, args.voters + args.probes)
    print(
        "  chain: "
        + ("one entry per ballot, no fork, recount equal to the ballots" if not problems else "; ".join(problems))
    )
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--postgresql", help="a scratch PostgreSQL database (its schema is dropped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        var = Path(folder)
        url = args.postgresql
        if url:
            reset_postgresql(url)
        else:
            url = f"sqlite:///{var}/bench.db"
        sys.exit(asyncio.run(run(args, url, var)))


if __name__ == "__main__":
    main()
