"""`thinktank worker` stopped in the middle of a job, as a deploy (SIGTERM) or a crash (SIGKILL)
would: the job is finished, handed back or requeued, and a new worker finishes it.

Each test runs real worker processes on a SQLite file of its own, with Huey's SQLite queue under
its own THINKTANK_VAR, and a job that blocks until the test lets it go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

import tests.core.blocking_job  # noqa: F401  (the job kind the workers run)
from core.db import make_engine, migrate
from core.jobs import Job, Queue
from core.settings import ROOT, Settings

WORKER = "import tests.core.blocking_job; from thinktank.cli import main; main(['worker', '--workers', '1'])"


class Site:
    """One test's database, queue and worker processes."""

    def __init__(self, folder: Path, grace: int) -> None:
        self.folder = folder
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "THINKTANK_VAR": str(folder / "var"),
            "DATABASE_URL": f"sqlite:///{folder / 'site.db'}",
            "SECRET_KEY": "worker-test-key",
            "SEARCH_URL": "",
            "JOB_LEASE_SECONDS": "2",
            "JOB_GRACE_SECONDS": str(grace),
        }
        self.settings = Settings.from_env(self.env)
        self.engine = make_engine(self.settings.database_url)
        migrate(self.engine)
        self.workers: list[subprocess.Popen[str]] = []

    def submit(self) -> int:
        with Session(self.engine) as session:
            job = Queue(self.settings, self.engine).submit(session, "test_blocks", {"folder": str(self.folder)})
            return int(job.id or 0)

    def job(self, job_id: int) -> Job:
        with Session(self.engine) as session:
            job = session.get(Job, job_id)
            assert job is not None
            return job

    def start_worker(self) -> subprocess.Popen[str]:
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.workers.append(worker)
        return worker

    def runs_started(self) -> int:
        started = self.folder / "started"
        return len(started.read_text().splitlines()) if started.exists() else 0

    def release(self) -> None:
        (self.folder / "release").touch()


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.1)


@pytest.fixture
def site(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Site]:
    site = Site(tmp_path, grace=getattr(request, "param", 1))
    yield site
    for worker in site.workers:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=30)
    site.engine.dispose()


def test_sigterm_hands_an_unfinished_job_back_and_the_next_worker_finishes_it(site: Site) -> None:
    job_id = site.submit()
    first = site.start_worker()
    wait_for(lambda: site.runs_started() == 1, "the first worker to start the job")
    assert site.job(job_id).status == "running" and site.job(job_id).lease_until is not None
    first.send_signal(signal.SIGTERM)
    _out, err = first.communicate(timeout=30)  # the job does not finish within the one-second grace
    assert first.returncode == 0, err
    assert "handed 1 unfinished jobs back to the queue" in err
    handed = site.job(job_id)
    assert handed.status == "queued" and handed.attempts == 1 and handed.lease_until is None
    site.release()
    site.start_worker()
    wait_for(lambda: site.job(job_id).status == "done", "the second worker to finish the job")
    done = site.job(job_id)
    assert done.attempts == 2 and done.result_data() == {"runs": 2}


@pytest.mark.parametrize("site", [10], indirect=True)
def test_sigterm_lets_the_running_job_finish_within_the_grace_period(site: Site) -> None:
    job_id = site.submit()
    worker = site.start_worker()
    wait_for(lambda: site.runs_started() == 1, "the worker to start the job")
    worker.send_signal(signal.SIGTERM)
    time.sleep(1)  # the worker is stopping: it takes no new job, and waits for this one
    site.release()
    _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    done = site.job(job_id)
    assert done.status == "done" and done.attempts == 1 and done.result_data() == {"runs": 1}


def test_sigkill_leaves_the_job_to_be_requeued_when_its_lease_runs_out(site: Site) -> None:
    job_id = site.submit()
    first = site.start_worker()
    wait_for(lambda: site.runs_started() == 1, "the first worker to start the job")
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    assert site.job(job_id).status == "running"  # nobody could record anything: only the lease tells
    site.release()
    site.start_worker()
    wait_for(lambda: site.job(job_id).status == "done", "the second worker to requeue and finish the job")
    done = site.job(job_id)
    assert done.attempts == 2 and done.result_data() == {"runs": 2}
