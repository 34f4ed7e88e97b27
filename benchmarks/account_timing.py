"""Whether sign-up and password reset answer as fast for a registered address as for a new one.

    uv run python benchmarks/account_timing.py [--repeat 40]

Uses a fresh SQLite file and job queue in a temporary folder, with jobs handed to a queue as in
production (no worker runs, so queued work is not timed, as it is not in a real request). Sends
the requests alternately for a registered and an unregistered address, each from an address of
its own so that no limit is met, and prints the median and 95th percentile of each and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

# The checkout, for its packages when this runs as a script.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx2
from sqlmodel import Session
from starlette.testclient import TestClient

import thinktank.registry  # noqa: F401
from core import accounts
from core.db import make_engine, migrate
from core.settings import Settings
from thinktank.app import create_app

PASSWORD = "a long benchmark password"


def measure(repeat: int, var: Path) -> None:
    settings = Settings.from_env({"THINKTANK_VAR": str(var), "SECRET_KEY": "benchmark", "THINKTANK_JOBS": "queue"})
    settings = replace(settings, rate_reset="100000/hour", rate_signup="100000/hour")
    engine = make_engine(settings.database_url)
    migrate(engine)
    app = create_app(settings, engine=engine)
    with Session(engine) as db:
        accounts.sign_up(db, "known@example.tw", PASSWORD, "已註冊")

    def forgot(email: str) -> Callable[[TestClient, str], httpx2.Response]:
        return lambda client, token: client.post("/password/forgot", data={"csrf_token": token, "email": email})

    def signup(email: str) -> Callable[[TestClient, str], httpx2.Response]:
        data = {"email": email, "password": PASSWORD, "display_name": "某人"}
        return lambda client, token: client.post("/signup", data={"csrf_token": token, **data})

    cases = {
        "POST /password/forgot": (
            forgot("known@example.tw"),
            lambda n: forgot(f"nobody{n}@example.tw"),
            "/password/forgot",
        ),
        "POST /signup": (signup("known@example.tw"), lambda n: signup(f"new{n}@example.tw"), "/signup"),
    }
    for name, (known_request, new_request, form) in cases.items():
        timings: dict[str, list[float]] = {"registered": [], "unregistered": []}
        for n in range(repeat + 3):  # the first rounds warm up caches and are not counted
            for label, request in (("registered", known_request), ("unregistered", new_request(n))):
                with TestClient(app, client=(f"10.{n // 250}.{n % 250}.{len(label)}", 1)) as client:
                    page = client.get(form)
                    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
                    started = time.perf_counter()
                    response = request(client, token)
                    elapsed = time.perf_counter() - started
                assert response.status_code == 200, (name, label, response.status_code)
                if n >= 3:
                    timings[label].append(elapsed * 1000)
        medians = {label: statistics.median(values) for label, values in timings.items()}
        for label, values in timings.items():
            p95 = statistics.quantiles(values, n=20)[-1]
            print(f"{name:24} {label:13} median {medians[label]:7.1f} ms   p95 {p95:7.1f} ms")
        print(f"{name:24} registered / unregistered: {medians['registered'] / medians['unregistered']:.2f}x")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(args.repeat, Path(folder))


if __name__ == "__main__":
    main()
