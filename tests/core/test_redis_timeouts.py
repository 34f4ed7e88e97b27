"""A Redis that takes connections and never answers: the job queue and the rate limiter give up
within their timeouts instead of holding the worker or the request."""

import time
from dataclasses import replace

from sqlalchemy.engine import Engine

from core.jobs import Queue
from core.ratelimit import RateLimiter
from core.settings import Settings
from tests.helpers import silent_server


def test_the_rate_limiter_gives_up_on_a_hung_redis_within_its_timeout_and_counts_locally(settings: Settings) -> None:
    with silent_server(seconds=6) as port:
        limiter = RateLimiter(replace(settings, redis_url=f"redis://127.0.0.1:{port}/12"))
        started = time.monotonic()
        allowed = limiter.hit("signin", "127.0.0.1")  # no error: the per-process counter takes over
        waited = time.monotonic() - started
    assert allowed is True and waited < 3


def test_the_job_queue_reports_a_hung_redis_in_three_seconds(settings: Settings, engine: Engine) -> None:
    with silent_server(seconds=9) as port:
        queue = Queue(replace(settings, jobs_mode="queue", redis_url=f"redis://127.0.0.1:{port}/12"), engine)
        started = time.monotonic()
        health = queue.health()
        waited = time.monotonic() - started
    assert health == "error: TimeoutError" and waited < 4.5
