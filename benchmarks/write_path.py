"""What one write costs in process: a comment post and a vote through the real app, one at a
time, beside a bare Starlette route through the same client in the same run.

    uv run python benchmarks/write_path.py [--posts 300] [--postgresql URL] [--redis redis://127.0.0.1:6379/10]

Seeds the demo and one signed-in member as benchmarks/load.py does (the embedded SQLite default in
a temporary folder, or the scratch PostgreSQL database --postgresql names, whose schema is dropped),
with the job queue and rate limits in --redis ('' for none), then posts --posts comments and as
many votes through Starlette's TestClient. For each it prints milliseconds per request (wall and
this process's CPU, which another job on the machine moves less), the SQL statements each sends
and the time spent in them, and the statements themselves, most costly first. The bare route's
figures are the client's own share: a write's cost to the site is its figure less the bare one.
Load-free figures: `load.py` says what many members at once make of them. Never run as a test.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load

BASE = "http://127.0.0.1:8000"


class Statements:
    """The SQL an engine sends while `on`: count and time per statement text."""

    def __init__(self, engine: Any) -> None:
        self.on = False
        self.seen: dict[str, list[float]] = defaultdict(list)
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, *_: Any) -> None:
        conn.info["statement_started"] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.on:
            self.seen[re.sub(r"\s+", " ", statement)[:100]].append(time.perf_counter() - conn.info["statement_started"])


def measure(name: str, times: int, act: Callable[[int], None], statements: Statements | None) -> list[str]:
    for i in range(20):  # warm: compiled statements, templates, connections
        act(-1 - i)
    if statements:
        statements.seen.clear()
        statements.on = True
    walls = []
    cpu = time.process_time()
    for i in range(times):
        started = time.perf_counter()
        act(i)
        walls.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu
    if statements:
        statements.on = False
    line = (
        f"  {name:<34} {statistics.median(walls) * 1000:>8.2f} {statistics.quantiles(walls, n=20)[18] * 1000:>8.2f}"
        f" {cpu / times * 1000:>8.2f}"
    )
    if not statements:
        return [line + f" {'-':>6} {'-':>8}"]
    count = sum(len(t) for t in statements.seen.values())
    spent = sum(sum(t) for t in statements.seen.values())
    lines = [line + f" {count / times:>6.1f} {spent / times * 1000:>8.2f}"]
    for text, taken in sorted(statements.seen.items(), key=lambda item: -sum(item[1])):
        lines.append(f"      {len(taken) / times:4.1f} x {sum(taken) / times * 1000:6.3f} ms  {text}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=300, help="comments posted, and votes cast (default 300)")
    parser.add_argument(
        "--postgresql", default="", help="a scratch PostgreSQL database instead (its schema is dropped)"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10", help="job queue and rate limits ('' for none)")
    args = parser.parse_args()
    if args.posts < 20:
        parser.error("--posts must be at least 20")
    from core.settings import Settings
    from thinktank.app import create_app

    with tempfile.TemporaryDirectory(prefix="thinktank-writes-") as folder:
        env = load.environment(args.postgresql, Path(folder), args.redis)
        if args.postgresql:
            load.reset_postgresql(args.postgresql)
        if args.redis:
            load.empty_redis(args.redis)
        site = load.seed(env, 1)
        app = create_app(Settings.from_env(env))
        statements = Statements(app.state.engine)
        print(f"{'SQLite' if not args.postgresql else 'PostgreSQL'}, {args.posts} of each, one at a time")
        print(f"  {'request':<34} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'SQL':>6} {'SQL ms':>8}")
        with TestClient(load.ceiling, base_url=BASE) as bare:
            lines = measure("GET / (bare Starlette)", args.posts, lambda _i: _ok(bare.get("/"), 200), None)
        with TestClient(app, base_url=BASE, follow_redirects=False) as client:
            token = _sign_in(client, site.members[0][1])
            path = f"/c/{site.consultation}/comments"

            def comment(i: int) -> None:
                data = {"csrf_token": token, "stance": "support", "text": f"寫入測試意見 [{i}] 支持草案方向。"}
                _ok(client.post(path, data=data), 303)

            def vote(i: int) -> None:
                statement = site.statements[i % len(site.statements)]
                data = {"csrf_token": token, "statement": str(statement), "vote": ("agree", "disagree", "pass")[i % 3]}
                _ok(client.post(f"/conversations/{site.conversation}/vote", data=data), 303)

            lines += measure("POST /c/{slug}/comments", args.posts, comment, statements)
            lines += measure("POST /conversations/{slug}/vote", args.posts, vote, statements)
        app.state.engine.dispose()
    print("\n".join(lines))


def _sign_in(client: TestClient, email: str) -> str:
    found = load.CSRF.search(client.get("/signin").text)
    assert found, "no CSRF token on /signin"
    data = {"csrf_token": found.group(1), "email": email, "password": load.PASSWORD}
    _ok(client.post("/signin", data=data), 303)
    found = load.CSRF.search(client.get("/").text)
    assert found, "no CSRF token on the front page after signing in"
    return found.group(1)


def _ok(response: Any, status: int) -> None:
    assert response.status_code == status, f"{response.status_code}: {response.text[:300]}"


if __name__ == "__main__":
    main()
