"""Redis going away under a running site: rate limits are counted in the process meanwhile (and in
Redis again once it is back), a job that cannot be queued is failed at once and the person asking
is told to try again later, and a vote still counts. Each test runs a Redis server of its own."""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import ratelimit
from core.jobs import Job
from core.settings import Settings
from deliberation import services as deliberation
from deliberation.models import OpinionMap
from tests.helpers import make_member, post, sign_in
from thinktank.app import create_app


class RedisServer:
    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def keys(self) -> list[bytes]:
        return list(redis.Redis.from_url(self.url).keys("*"))


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()


def _client(app: Starlette) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)


def test_rate_limits_fall_back_to_the_process_while_redis_is_down_and_return_to_it(
    redis_server: RedisServer, settings: Settings, engine: Engine, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    # Password-reset requests are counted by the rate limiter (failed sign-ins are counted in the
    # database, core.throttle): three a minute from one address here.
    app = create_app(replace(settings, redis_url=redis_server.url, rate_reset="3/minute"), engine=engine)
    member = make_member(db)
    asked = {"email": member.email}
    with _client(app) as client:
        assert post(client, "/password/forgot", asked, token_from="/password/forgot").status_code == 200
        assert redis_server.keys()  # the request was counted in Redis
        redis_server.kill()
        with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
            answers = [
                post(client, "/password/forgot", asked, token_from="/password/forgot").status_code for _ in range(3)
            ]
        assert answers == [200, 200, 200]  # answered, not a 500
        assert "Redis is unreachable; rate limits are counted in this process" in caplog.text
        assert not app.state.limiter.shared
        # The limits still hold meanwhile, counted here: the fourth try this minute is one too many.
        assert post(client, "/password/forgot", asked, token_from="/password/forgot").status_code == 429
        redis_server.start()
        time.sleep(ratelimit.RETRY_AFTER)
        assert post(client, "/password/forgot", asked, token_from="/password/forgot").status_code in (
            200,
            429,  # counted in Redis again, from zero, or what it still held
        )
        assert app.state.limiter.shared and redis_server.keys()


def test_a_job_that_cannot_be_queued_fails_at_once_and_the_member_is_told_to_try_again(
    redis_server: RedisServer, settings: Settings, engine: Engine, db: Session
) -> None:
    app = create_app(replace(settings, redis_url=redis_server.url, jobs_mode="queue"), engine=engine)
    member = make_member(db)
    talk = deliberation.create_conversation(
        db, make_member(db, "host@example.tw", role="moderator"), "主題", "", ["一"], None
    )
    statement = deliberation.statements_of(db, talk)[0]
    with _client(app) as client:
        sign_in(client, member)
        token_page = f"/conversations/{talk.slug}"
        redis_server.kill()
        response = post(client, "/profile/export", {}, token_from="/profile")
        assert response.status_code == 503 and response.headers["retry-after"] == "60"
        assert "工作佇列目前無法連線，工作未能開始，請稍後再試。" in response.text and "暫時無法使用" in response.text
        job = db.exec(select(Job).where(Job.kind == "export_member_data")).one()
        assert job.status == "failed" and job.failure == "unavailable" and job.finished_at is not None
        # A vote needs no queue to count; the opinion map it asks for is failed, not left queued.
        voted = post(
            client, f"{token_page}/vote", {"statement": str(statement.id), "vote": "agree"}, token_from=token_page
        )
        assert voted.status_code == 303
        assert deliberation.vote_count(db, talk) == 1
        assert db.exec(select(OpinionMap)).one().status == "failed"
        assert not db.exec(select(Job).where(Job.status == "queued")).all()


def test_a_reply_is_posted_while_its_notice_cannot_be_mailed(
    redis_server: RedisServer, settings: Settings, engine: Engine, db: Session
) -> None:
    from core.notify import Notification, OutboxEmail
    from deliberation.models import Post
    from tests.participation.factories import consultation

    app = create_app(replace(settings, redis_url=redis_server.url, jobs_mode="queue"), engine=engine)
    ltc = consultation(db)
    opener, answerer = make_member(db, "opener@example.tw"), make_member(db, "answer@example.tw")
    with _client(app) as client:
        sign_in(client, opener)
        fields = {"on": "consultation", "id": str(ltc.id), "title": "喘息服務的天數", "body": "太少"}
        path = post(client, "/discussions/new", fields, token_from="/discussions").headers["location"]
        client.cookies.clear()
        sign_in(client, answerer)
        redis_server.kill()
        reply = post(
            client, f"{path}/posts", {"body": "同意", "parent": str(db.exec(select(Post)).one().id)}, token_from=path
        )
        assert reply.status_code == 303
        assert len(db.exec(select(Post)).all()) == 2
        assert db.exec(select(Notification).where(Notification.member_id == opener.id)).one().emailed_at is None
        mail = db.exec(select(OutboxEmail).where(OutboxEmail.to_address == "opener@example.tw")).one()
        assert mail.status == "failed" and mail.error == "unavailable"
