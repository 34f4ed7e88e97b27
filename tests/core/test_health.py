"""/healthz when the database hangs: a 503 in time, the rest of the site served meanwhile, and one
thread at most spent waiting. The assertions are about order and answers, not wall-clock bounds, so
a loaded machine cannot fail them: the silent server holds its socket well past the timeout, so a
"timeout" answer can only come from the health check's own deadline."""

import threading
import time
from dataclasses import replace

import httpx2
from starlette.testclient import TestClient

from core.db import make_engine
from core.settings import Settings
from tests.helpers import silent_server
from thinktank.app import create_app


def test_a_database_that_never_answers_is_reported_in_time_without_freezing_the_site(settings: Settings) -> None:
    answers: dict[str, httpx2.Response] = {}
    with silent_server(seconds=4) as port:
        hung = make_engine(f"postgresql://nobody@127.0.0.1:{port}/nothing")
        app = create_app(replace(settings, health_timeout=1), engine=hung)
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            checker = threading.Thread(target=lambda: answers.update(health=client.get("/healthz")))
            checker.start()
            time.sleep(0.2)  # the health check is waiting on the database by now
            assert client.get("/static/site.css").status_code == 200
            static_before_health = "health" not in answers
            checker.join(timeout=5)
            again = client.get("/healthz")  # the first check still waits: no second thread is spent
    hung.dispose()
    assert static_before_health, "a static file waited behind the health check"
    assert answers["health"].status_code == 503
    assert answers["health"].json() == {"status": "error", "database": "error: timeout", "queue": "error: timeout"}
    assert again.status_code == 503 and again.json()["database"] == "error: still checking"
