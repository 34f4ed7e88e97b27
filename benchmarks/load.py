"""Load without loss: many signed-in members reading, commenting, co-signing and voting at once
on the site served as in production, then a check that the database holds exactly what the
server acknowledged.

    uv run python benchmarks/load.py [--seconds 180] [--members 50] [--workers 2]
        [--postgresql postgresql://postgres@127.0.0.1/scratch] [--redis redis://127.0.0.1:6379/10]

Each database in turn (the embedded SQLite default in a temporary folder, then the PostgreSQL
scratch database --postgresql or DATABASE_URL names, whose schema is dropped first) is migrated,
seeded with the demo content plus --members signed-up accounts, and served by uvicorn with
--workers processes and a `thinktank worker`, as the Procfile runs them, on 127.0.0.1 only.
Rate limits are raised for the run through the RATE_LIMIT_* settings (it says so). Every member
signs in, then loops until --seconds are up: reads a page (front page, consultation, proposal,
conversation), comments (each text carries a unique marker), co-signs a proposal or votes on a
conversation statement. One client task per member, at most one request in flight each.

Afterwards it checks the database: each acknowledged comment and signature stored exactly once,
each vote as last acknowledged; nothing stored that the server refused or failed; writes whose
response never came (a timeout) counted apart, stored or not. It compares the counts the pages
show (comments on the consultation page, counted signatures on the proposal page, each member's votes
on "My votes") with the tables, and counts 5xx answers. It prints throughput and p50/p95/p99
per route, beside a bare Starlette route (`ceiling` below) served by the same uvicorn command
in the same run. Exit code 1 when any check fails. Never run as a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"  # loopback only: this client never leaves the machine
PASSWORD = "load-test-password"
GENEROUS = "1000000/minute"
RATE_LIMITS = ("RATE_LIMIT_SIGNIN", "RATE_LIMIT_SIGNUP", "RATE_LIMIT_POST", "RATE_LIMIT_VOTE")
# Sign-ins before the load, a few at a time: each is an Argon2 check, and a hundred at once on two
# busy cores outlast the client's 30 s timeout. The load itself is every member at once.
SIGNING_IN_AT_ONCE = 8
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _bare(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


# The ceiling: what the same server command does with a route that does nothing.
ceiling = Starlette(routes=[Route("/", _bare)])


# --- the site under test --------------------------------------------------------------------------


@dataclass
class Site:
    """What the members act on, found in the seeded database."""

    consultation: str  # slug of an open consultation
    proposals: list[int]  # proposals collecting signatures
    conversation: str
    statements: list[int]  # accepted statements of the conversation
    members: list[tuple[int, str]]  # (id, e-mail) of the load's members


def reset_postgresql(url: str) -> None:
    from sqlalchemy import text

    from core.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def seed(env: dict[str, str], members: int) -> Site:
    """Migrate, seed the demo content and `members` accounts, through the services."""
    from sqlmodel import col, select

    import thinktank.registry  # noqa: F401
    from core import accounts, passwords
    from core.db import make_engine, migrate, pk, session_scope
    from core.settings import Settings
    from deliberation.models import Conversation, Statement
    from participation.models import Consultation, Phase, Proposal, ProposalState
    from thinktank import demo

    settings = Settings.from_env(env)
    engine = make_engine(settings.database_url)
    migrate(engine)
    with session_scope(engine) as session:
        demo.seed(session, settings)
        hashed = passwords.hash_password(PASSWORD)  # once for all: each hash is a tenth of a second
        made = [
            accounts.sign_up(session, f"load{n}@example.tw", PASSWORD, f"負載測試{n}", password_hash=hashed)
            for n in range(members)
        ]
        for member in made:  # proven addresses: a proposal page counts only their signatures
            accounts.mark_email_verified(session, member)
        consultation = next(c for c in session.exec(select(Consultation)) if c.phase() == Phase.open)
        proposals = [pk(p) for p in session.exec(select(Proposal)) if p.state() == ProposalState.collecting]
        conversation = session.exec(select(Conversation).where(col(Conversation.closed_at).is_(None))).first()
        assert conversation is not None, "the demo has no open conversation"
        statements = session.exec(
            select(Statement.id).where(Statement.conversation_id == pk(conversation), Statement.status == "accepted")
        ).all()
        site = Site(
            consultation.slug,
            proposals,
            conversation.slug,
            [int(s) for s in statements if s is not None],
            [(pk(m), m.email) for m in made],
        )
    engine.dispose()
    return site


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Server:
    """A process we start and stop by its id (a uvicorn master stops its own workers)."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def uvicorn(app: str, port: int, workers: int, env: dict[str, str], log: Path, app_dir: Path = ROOT) -> Server:
    """The Procfile's web command, on loopback, with several workers and without the access log."""
    command = [sys.executable, "-m", "thinktank.serving", "--app", app, "--app-dir", str(app_dir)]
    command += ["--host", HOST, "--port", str(port), "--workers", str(workers)]
    command += ["--no-access-log", "--log-level", "warning"]
    return Server(command, env, log)


async def wait_until_up(url: str, server: Server, seconds: float = 120) -> None:
    import httpx2

    deadline = time.monotonic() + seconds
    async with httpx2.AsyncClient() as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise SystemExit(f"the server stopped; its log: {server.log}\n{server.log.read_text()[-2000:]}")
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx2.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s; see {server.log}")


# --- the members ------------------------------------------------------------------------------------


@dataclass
class Record:
    """What the client saw: latencies per route, and every write with its outcome."""

    run: str  # the marker every comment text of this run carries
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    # outcome: "ok" (acknowledged), "refused" (the server answered and did not accept), "unknown"
    comments: list[tuple[str, str]] = field(default_factory=list)  # (marker, outcome)
    signatures: list[tuple[int, int, str]] = field(default_factory=list)  # (member, proposal, outcome)
    votes: list[tuple[int, int, int, str]] = field(default_factory=list)  # (member, statement, vote, outcome)


VOTE_VALUES = {"agree": 1, "disagree": -1, "pass": 0}


class Member:
    def __init__(self, client: Any, member_id: int, email: str, site: Site, record: Record) -> None:
        self.client, self.id, self.email, self.site, self.record = client, member_id, email, site, record
        self.token = ""
        self.unsigned = list(site.proposals)
        self.rng = random.Random(member_id)
        self.written = 0

    async def request(self, route: str, method: str, path: str, **kwargs: Any) -> Any:
        """One request, timed under `route`; None when no answer came (its effect is unknown)."""
        import httpx2

        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx2.HTTPError:
            self.record.statuses[0] += 1
            return None
        self.record.latencies[route].append(time.perf_counter() - started)
        self.record.statuses[response.status_code] += 1
        return response

    async def sign_in(self) -> None:
        page = await self.request("GET /signin", "GET", "/signin")
        token = CSRF.search(page.text) if page is not None else None
        assert token, "no CSRF token on /signin"
        data = {"csrf_token": token.group(1), "email": self.email, "password": PASSWORD}
        answer = await self.request("POST /signin", "POST", "/signin", data=data)
        status = "no answer" if answer is None else answer.status_code
        assert answer is not None and answer.status_code == 303, f"{self.email} could not sign in: {status}"
        front = await self.request("GET /", "GET", "/")
        found = CSRF.search(front.text) if front is not None else None
        assert found, "no CSRF token on the front page after signing in"
        self.token = found.group(1)  # the session's token: it stays the same until signing out

    async def act(self) -> None:
        roll = self.rng.random()
        if roll < 0.4:
            await self.read()
        elif roll < 0.65:
            await self.comment()
        elif roll < 0.75 and self.unsigned:
            await self.co_sign()
        else:
            await self.vote()

    async def read(self) -> None:
        site = self.site
        pages = [
            ("GET /", "/"),
            ("GET /c/{slug}", f"/c/{site.consultation}"),
            ("GET /conversations/{slug}", f"/conversations/{site.conversation}"),
        ]
        if site.proposals:
            pages.append(("GET /proposals/{id}", f"/proposals/{self.rng.choice(site.proposals)}"))
        route, path = self.rng.choice(pages)
        await self.request(route, "GET", path)

    async def comment(self) -> None:
        self.written += 1
        marker = f"[{self.record.run}-{self.id}-{self.written}]"
        data = {"csrf_token": self.token, "stance": "support", "text": f"負載測試意見 {marker} 支持草案方向。"}
        path = f"/c/{self.site.consultation}/comments"
        response = await self.request("POST /c/{slug}/comments", "POST", path, data=data)
        self.record.comments.append((marker, outcome(response)))

    async def co_sign(self) -> None:
        proposal = self.unsigned.pop(self.rng.randrange(len(self.unsigned)))  # each proposal once
        path = f"/proposals/{proposal}/sign"
        response = await self.request("POST /proposals/{id}/sign", "POST", path, data={"csrf_token": self.token})
        self.record.signatures.append((self.id, proposal, outcome(response)))

    async def vote(self) -> None:
        statement = self.rng.choice(self.site.statements)
        choice = self.rng.choice(list(VOTE_VALUES))
        data = {"csrf_token": self.token, "statement": str(statement), "vote": choice}
        path = f"/conversations/{self.site.conversation}/vote"
        response = await self.request("POST /conversations/{slug}/vote", "POST", path, data=data)
        self.record.votes.append((self.id, statement, VOTE_VALUES[choice], outcome(response)))


def outcome(response: Any) -> str:
    if response is None:
        return "unknown"
    return "ok" if response.status_code == 303 else "refused"


def client_for(base: str, connections: int, language: str = "zh-TW") -> Any:
    """A client of the site in `language`, with at most `connections` requests at once."""
    import httpx2

    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx2.AsyncClient(
        base_url=base,
        timeout=httpx2.Timeout(30),
        limits=limits,
        follow_redirects=False,
        headers={"Accept-Language": language},
    )


async def load(base: str, site: Site, seconds: float, run: str) -> tuple[Record, float]:
    """Every member signs in, then acts until the time is up; (what was seen, seconds of load)."""
    record = Record(run)
    clients = [client_for(base, 1) for _ in site.members]  # a client each: each keeps its own cookies
    members = [Member(c, mid, email, site, record) for c, (mid, email) in zip(clients, site.members, strict=True)]
    try:
        began = time.perf_counter()
        signing_in = asyncio.Semaphore(SIGNING_IN_AT_ONCE)

        async def sign_in(member: Member) -> None:
            async with signing_in:
                await member.sign_in()

        await asyncio.gather(*(sign_in(m) for m in members))
        print(f"  {len(members)} members signed in in {time.perf_counter() - began:.1f} s")
        record.latencies.clear()  # the figures are of the load that follows
        record.statuses.clear()
        started = time.perf_counter()
        deadline = started + seconds

        async def loop(member: Member) -> None:
            while time.perf_counter() < deadline:
                await member.act()

        await asyncio.gather(*(loop(m) for m in members))
        return record, time.perf_counter() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


async def bare_load(base: str, members: int, seconds: float) -> tuple[Record, float]:
    record = Record("bare")
    async with client_for(base, members) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def loop() -> None:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                response = await client.get("/")
                record.latencies["GET / (bare Starlette)"].append(time.perf_counter() - t)
                record.statuses[response.status_code] += 1

        await asyncio.gather(*(loop() for _ in range(members)))
        return record, time.perf_counter() - started


# --- the check ------------------------------------------------------------------------------------


def first_number(pattern: str, page: str) -> int | None:
    found = re.search(pattern, page, re.S)
    return int(found.group(1).replace(",", "")) if found else None


async def check(base: str, env: dict[str, str], site: Site, record: Record) -> list[str]:
    """Compare what the server acknowledged, the tables and the pages; the lines to print.
    A line starting with FAIL is a failed check."""
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from core.accounts import Member as Account  # not the client's Member below
    from core.db import make_engine
    from core.settings import Settings
    from deliberation.models import Vote
    from feedback.models import Comment
    from participation.models import Consultation, Signature

    lines: list[str] = []

    def verdict(ok: bool, line: str) -> None:
        lines.append(("ok    " if ok else "FAIL  ") + line)

    engine = make_engine(Settings.from_env(env).database_url)
    with Session(engine) as db:
        # Comments: by the marker each text carries.
        pattern = f"%[{record.run}-%"
        stored: dict[str, int] = defaultdict(int)
        for (body,) in db.execute(select(Comment.text).where(col(Comment.text).like(pattern))):
            found = re.search(r"\[[^\]]+\]", body)
            stored[found.group(0) if found else body] += 1
        tally = summarise(record.comments, lambda item: stored.get(item[0], 0))
        attempted = {marker for marker, _ in record.comments}
        strays = sum(n for marker, n in stored.items() if marker not in attempted)
        verdict(
            tally["ok_wrong"] == 0 and tally["refused_stored"] == 0 and strays == 0,
            f"comments: {tally['ok']} acknowledged, {tally['ok'] - tally['ok_wrong']} stored exactly once; "
            f"{tally['refused']} refused, {tally['refused_stored']} of them stored; "
            f"{tally['unknown']} without an answer, {tally['unknown_stored']} of them stored; {strays} never sent",
        )

        # Signatures: one row per (member, proposal) acknowledged.
        ids = [m for m, _ in site.members]
        rows = db.execute(
            select(Signature.member_id, Signature.proposal_id, func.count())
            .where(col(Signature.member_id).in_(ids))
            .group_by(col(Signature.member_id), col(Signature.proposal_id))
        ).all()
        signed = {(m, p): n for m, p, n in rows}
        tally = summarise(record.signatures, lambda item: signed.get((item[0], item[1]), 0))
        strays = len(set(signed) - {(m, p) for m, p, _ in record.signatures})
        verdict(
            tally["ok_wrong"] == 0 and tally["refused_stored"] == 0 and strays == 0,
            f"co-signatures: {tally['ok']} acknowledged, {tally['ok'] - tally['ok_wrong']} stored exactly once; "
            f"{tally['refused']} refused, {tally['refused_stored']} of them stored; "
            f"{tally['unknown']} without an answer, {tally['unknown_stored']} of them stored; {strays} never sent",
        )

        # Votes: a member's vote on a statement is one row, holding the last acknowledged choice
        # (or the choice of a later attempt whose answer never came).
        voters = {f"member:{m}": m for m in ids}
        rows = db.execute(
            select(Vote.voter, Vote.statement_id, Vote.vote).where(col(Vote.voter).in_(list(voters)))
        ).all()
        votes_now: dict[tuple[int, int], list[int]] = defaultdict(list)
        for voter, statement, value in rows:
            votes_now[(voters[voter], statement)].append(value)
        allowed: dict[tuple[int, int], set[int | None]] = {}
        for member, statement, value, seen in record.votes:
            key = (member, statement)
            if seen == "ok":
                allowed[key] = {value}
            elif seen == "unknown":
                allowed.setdefault(key, {None}).add(value)
        wrong = [key for key, values in allowed.items() if not _vote_as_allowed(votes_now.get(key, []), values)]
        strays = len(set(votes_now) - set(allowed))
        acknowledged = sum(1 for *_, seen in record.votes if seen == "ok")
        unknown = sum(1 for *_, seen in record.votes if seen == "unknown")
        refused = sum(1 for *_, seen in record.votes if seen == "refused")
        verdict(
            not wrong and not strays,
            f"votes: {acknowledged} acknowledged, {refused} refused, {unknown} without an answer; "
            f"{len(allowed) - len(wrong)} of {len(allowed)} (member, statement) rows as last acknowledged; "
            f"{strays} never sent",
        )

        # Counts on the pages, against the tables.
        consultation = db.exec(select(Consultation).where(Consultation.slug == site.consultation)).one()
        in_table = db.execute(
            select(func.count())
            .select_from(Comment)
            .where(Comment.subject_kind == "consultation", Comment.subject_id == consultation.id)
        ).scalar_one()
        signatures = dict(  # a proposal page counts the signatures of proven addresses only
            db.execute(
                select(Signature.proposal_id, func.count())
                .join(Account, col(Account.id) == col(Signature.member_id))
                .where(col(Signature.proposal_id).in_(site.proposals), col(Account.email_verified_at).is_not(None))
                .group_by(col(Signature.proposal_id))
            ).all()
        )
        mine = dict(
            db.execute(
                select(Vote.voter, func.count()).where(col(Vote.voter).in_(list(voters))).group_by(col(Vote.voter))
            ).all()
        )
    engine.dispose()

    async with client_for(base, 4, "en") as client:  # numbers in English order: "5 of 5,000"
        page = (await client.get(f"/c/{site.consultation}")).text
        shown = first_number(r'id="comments-title".*?class="count">\D*([\d,]+)', page)
        verdict(shown == in_table, f"consultation page shows {shown} comments, the table holds {in_table}")
        for proposal in site.proposals:
            page = (await client.get(f"/proposals/{proposal}")).text
            shown = first_number(r'class="big-number">\D*([\d,]+)', page)
            held = signatures.get(proposal, 0)
            verdict(shown == held, f"proposal {proposal} page shows {shown} signatures, the table holds {held}")
    differ = 0
    for member_id, email in site.members:
        async with client_for(base, 1, "en") as client:
            one = Member(client, member_id, email, site, Record("check"))
            await one.sign_in()
            page = (await client.get(f"/conversations/{site.conversation}/mine")).text
            if page.count('name="statement"') != mine.get(f"member:{member_id}", 0):
                differ += 1
    verdict(differ == 0, f"'My votes' matches the vote table for {len(site.members) - differ} of {len(site.members)}")
    errors = sum(n for status, n in record.statuses.items() if status >= 500)
    verdict(errors == 0, f"{errors} answers with a 5xx status")
    return lines


def _vote_as_allowed(rows: list[int], allowed: set[int | None]) -> bool:
    """At most one row, holding an allowed choice (None: no row)."""
    return len(rows) <= 1 and (rows[0] if rows else None) in allowed


def summarise(items: list[Any], stored: Any) -> dict[str, int]:
    """Count writes by outcome, and how many of each are stored (acknowledged: exactly once)."""
    tally: dict[str, int] = defaultdict(int)
    for item in items:
        seen, times = item[-1], stored(item)
        tally[seen] += 1
        if seen == "ok" and times != 1:
            tally["ok_wrong"] += 1
        elif seen != "ok" and times:
            tally[f"{seen}_stored"] += 1
    return tally


# --- printing ---------------------------------------------------------------------------------


def table(record: Record, elapsed: float) -> list[str]:
    lines = [f"  {'route':<34} {'requests':>9} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"]
    for route, times in sorted(record.latencies.items()):
        if len(times) < 2:
            continue
        cuts = statistics.quantiles(times, n=100, method="inclusive")
        lines.append(
            f"  {route:<34} {len(times):>9} {len(times) / elapsed:>8.1f} "
            f"{cuts[49] * 1000:>8.1f} {cuts[94] * 1000:>8.1f} {cuts[98] * 1000:>8.1f}"
        )
    statuses = ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(record.statuses.items()))
    lines.append(f"  answers: {statuses}")
    return lines


def environment(database_url: str, var: Path, redis: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RATE_LIMIT_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DATABASE_URL=database_url,
        THINKTANK_VAR=str(var),
        THINKTANK_JOBS="queue",
        SECRET_KEY=secrets.token_urlsafe(32),
        BASE_URL="http://127.0.0.1:8000",
        **dict.fromkeys(RATE_LIMITS, GENEROUS),
    )
    if redis:
        env["REDIS_URL"] = redis
    return env


def empty_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()  # jobs left from an earlier run point at rows that are gone


async def run_on(name: str, database_url: str, args: argparse.Namespace) -> bool:
    """Seed, serve, load and check one database; True when every check held."""
    print(f"\n== {name}: {args.members} members for {args.seconds:.0f} s, {args.workers} uvicorn workers")
    with tempfile.TemporaryDirectory(prefix="thinktank-load-") as folder:
        var = Path(folder)
        env = environment(database_url, var, args.redis)
        if database_url.startswith(("postgres://", "postgresql")):
            reset_postgresql(database_url)
        if args.redis:
            empty_redis(args.redis)
        started = time.perf_counter()
        site = seed(env, args.members)
        print(
            f"  seeded in {time.perf_counter() - started:.0f} s: consultation {site.consultation}, "
            f"{len(site.proposals)} proposals collecting, {len(site.statements)} statements"
        )
        port, bare_port = free_port(), free_port()
        web = uvicorn("thinktank.app:app", port, args.workers, env, var / "web.log")
        worker = Server([str(Path(sys.executable).with_name("thinktank")), "worker"], env, var / "worker.log")
        bare = uvicorn("load:ceiling", bare_port, args.workers, env, var / "bare.log", app_dir=ROOT / "benchmarks")
        try:
            base, bare_base = f"http://{HOST}:{port}", f"http://{HOST}:{bare_port}"
            await wait_until_up(f"{base}/healthz", web)
            await wait_until_up(f"{bare_base}/", bare)
            run = secrets.token_hex(4)
            load_before = os.getloadavg()[0]
            record, elapsed = await load(base, site, args.seconds, run)
            bare_record, bare_elapsed = await bare_load(bare_base, args.members, max(5.0, args.seconds / 4))
            print(f"  load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
            total = sum(len(t) for t in record.latencies.values())
            print(f"  the site: {total / elapsed:.1f} requests/s over {elapsed:.1f} s")
            print("\n".join(table(record, elapsed)))
            bare_total = sum(len(t) for t in bare_record.latencies.values())
            rate = bare_total / bare_elapsed
            print(f"  the ceiling, a bare Starlette route: {rate:.1f} requests/s over {bare_elapsed:.1f} s")
            print("\n".join(table(bare_record, bare_elapsed)))
            lines = await check(base, env, site, record)
            print("\n".join(f"  {line}" for line in lines))
            if any(line.startswith("FAIL") for line in lines):
                print(f"  server log: {(var / 'web.log').read_text()[-3000:]}")
                return False
            return True
        finally:
            for server in (web, worker, bare):
                server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180, help="how long the members act (default 180)")
    parser.add_argument("--members", type=int, default=50, help="concurrent signed-in members (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")
    default_pg = os.environ.get("DATABASE_URL", "")
    parser.add_argument(
        "--postgresql",
        default=default_pg if default_pg.startswith(("postgres://", "postgresql")) else "",
        help="a scratch PostgreSQL database to run on as well (its schema is dropped); default DATABASE_URL",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/10",
        help="a Redis database the run may empty, for the job queue and rate limits ('' for none)",
    )
    args = parser.parse_args()
    if args.seconds <= 0 or args.members < 1 or args.workers < 1:
        parser.error("--seconds, --members and --workers must be positive")
    print(f"rate limits raised for the run: {', '.join(f'{name}={GENEROUS}' for name in RATE_LIMITS)}")
    print(f"job queue and rate-limit counters: {args.redis or 'local files and memory (no Redis)'}")
    print(f"{os.cpu_count()} cores; the load average says how much else was running")
    results = [asyncio.run(run_on("SQLite", "", args))]
    if args.postgresql:
        results.append(asyncio.run(run_on("PostgreSQL", args.postgresql, args)))
    else:
        print("\n(no PostgreSQL run: give --postgresql or set DATABASE_URL)")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
