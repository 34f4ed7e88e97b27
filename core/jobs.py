"""Background jobs: a Job row records what was asked and how it went; Huey carries the job id.

The row is the source of truth a person sees (queued, running, done, failed); the queue only
delivers. Storage follows the settings: Huey's SQLite file under var/ by default, Redis when
REDIS_URL is set (many machines), in memory and run at once when jobs_mode is "immediate" (tests).

A domain package registers a handler for a kind of job with ``@handler("kind")``; the handler
gets a JobContext (session, payload, settings, queue) and returns a JSON-able result. A domain row
that mirrors the job's state (an analysis, an opinion map) names an ``on_failure`` callback, so
the row is marked failed whatever made the job fail.

A worker can be stopped or lost at any moment (a deploy, a crash, SIGKILL). The worker running a
job holds a lease on its row and renews it while the job runs; a sweep puts a job whose lease has
run out back in the queue, and gives up on it (failed, "lost") once workers took it up
MAX_ATTEMPTS times, since the job itself may be what kills them. On SIGTERM, `thinktank worker`
takes no more jobs, lets the running ones finish within JOB_GRACE_SECONDS and hands the rest back.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from redis import ConnectionPool
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from core import i18n
from core.db import session_scope, utcnow
from core.errors import N_
from core.settings import Settings

log = logging.getLogger(__name__)

# Seconds for Redis to accept a connection and to answer a command (the worker's own blocking reads
# wait one second, well within): a Redis that hangs fails the caller instead of holding it, whatever
# redis-py's own default (none before 8.0). Options in REDIS_URL's query take precedence.
REDIS_TIMEOUTS = {"socket_connect_timeout": 3, "socket_timeout": 3}


@dataclass
class JobContext:
    session: Session
    payload: dict[str, Any]
    settings: Settings
    queue: Queue


Handler = Callable[[JobContext], Any]
OnFailure = Callable[[Session, dict[str, Any], str], None]  # (session, payload, why)
_handlers: dict[str, Handler] = {}
_on_failure: dict[str, OnFailure] = {}
_periodic: dict[str, dict[str, str]] = {}  # kind -> crontab fields


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


STATUS_LABELS = {
    JobStatus.queued: N_("Waiting in the queue"),
    JobStatus.running: N_("Running"),
    JobStatus.done: N_("Done"),
    JobStatus.failed: N_("Failed"),
}

MAX_ATTEMPTS = 3  # workers lost running one job this often: the job is given up

# Why a job failed (Job.failure), as its requester is told.
FAILURE_REASONS = {
    "error": N_("The task failed. The error has been recorded; please try again later."),
    "lost": N_("The task was interrupted too many times before it could finish. Please try again later."),
    "unavailable": N_("The task could not be started because the job queue is unreachable. Please try again later."),
}


class Job(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60, index=True)
    status: str = Field(default=JobStatus.queued, max_length=10)
    requested_by_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    payload: str = Field(default="{}")
    inputs_hash: str = Field(default="", max_length=64, index=True)
    result: str = Field(default="")
    error: str = Field(default="")
    failure: str = Field(default="", max_length=12)  # a key of FAILURE_REASONS once failed
    attempts: int = 0  # how many times a worker took the job up
    lease_until: datetime | None = None  # the running worker's claim, renewed while it lives
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.done, JobStatus.failed)

    @property
    def failure_reason(self) -> str:
        return FAILURE_REASONS.get(self.failure, FAILURE_REASONS["error"])

    def result_data(self) -> Any:
        return json.loads(self.result) if self.result else None


def handler(kind: str, on_failure: OnFailure | None = None) -> Callable[[Handler], Handler]:
    """Register the handler of `kind`; `on_failure` is called in the transaction that marks a job
    of this kind failed, with its payload and why."""

    def register(function: Handler) -> Handler:
        if kind in _handlers and _handlers[kind] is not function:
            raise RuntimeError(f"two handlers for job kind {kind!r}")
        _handlers[kind] = function
        if on_failure is not None:
            _on_failure[kind] = on_failure
        return function

    return register


def in_progress(session: Session, kind: str, payload: dict[str, Any]) -> Job | None:
    """The job of `kind` with this payload that is queued or running, if there is one."""
    query = select(Job).where(
        Job.kind == kind,
        Job.inputs_hash == inputs_hash(payload),
        col(Job.status).in_([JobStatus.queued, JobStatus.running]),
    )
    return session.exec(query.order_by(col(Job.id).desc())).first()


def periodic(kind: str, minute: str = "0", hour: str = "*") -> None:
    """Run the job `kind` on a schedule (crontab fields), from `thinktank worker`."""
    _periodic[kind] = {"minute": minute, "hour": hour}


def inputs_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def build_huey(settings: Settings) -> Huey:
    if settings.jobs_mode == "immediate":
        return MemoryHuey("thinktank", immediate=True)
    if settings.redis_url:
        return RedisHuey("thinktank", connection_pool=ConnectionPool.from_url(settings.redis_url, **REDIS_TIMEOUTS))
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("thinktank", filename=str(settings.var_dir / "huey.db"))


class QueueUnavailable(RuntimeError):
    """The job queue (Redis, or Huey's SQLite file) could not take a job; its row is marked failed."""


class Queue:
    """The app's (or worker's) handle on the queue; one per process."""

    def __init__(self, settings: Settings, engine: Engine):
        self.settings = settings
        self.engine = engine
        self.huey = build_huey(settings)
        self._task = self.huey.task(name="thinktank.run_job")(self.run)
        for kind, schedule in _periodic.items():
            self.huey.periodic_task(crontab(**schedule), name=f"thinktank.periodic.{kind}")(
                functools.partial(self._submit_scheduled, kind)
            )
        self._lease = timedelta(seconds=settings.job_lease_seconds)
        self._running: dict[int, int] = {}  # job id -> attempt, for the jobs this process runs
        self._running_lock = threading.Lock()

    def submit(
        self,
        session: Session,
        kind: str,
        payload: dict[str, Any] | None = None,
        requested_by: int | None = None,
    ) -> Job:
        """Record the job, commit, then enqueue it (the worker must be able to see the row).

        Raises QueueUnavailable, with the row failed, when the queue cannot take it."""
        if kind not in _handlers:
            raise KeyError(f"no handler for job kind {kind!r}")
        payload = payload or {}
        job = Job(
            kind=kind,
            payload=json.dumps(payload, ensure_ascii=False),
            inputs_hash=inputs_hash(payload),
            requested_by_id=requested_by,
        )
        session.add(job)
        session.commit()
        self._enqueue(session, job)
        session.refresh(job)
        return job

    def _enqueue(self, session: Session, job: Job) -> None:
        try:
            self._task(job.id)
        except Exception as error:  # the storage's own errors: redis.ConnectionError, sqlite3.Error...
            log.warning("the job queue is unreachable; job %s (%s) is marked failed: %r", job.id, job.kind, error)
            session.rollback()
            values = {"status": JobStatus.failed, "failure": "unavailable", "error": repr(error)}
            self._record(session, job, values, status=JobStatus.queued)
            raise QueueUnavailable(str(error)) from error

    def _submit_scheduled(self, kind: str) -> None:
        with session_scope(self.engine) as session:
            self.submit(session, kind, {"scheduled": True})

    def _record(self, session: Session, job: Job, values: dict[str, Any], **expected: Any) -> bool:
        """Change the job's row if it is still as `expected` (another worker may have taken it
        over meanwhile), calling its kind's on_failure when that fails it; commits."""
        if values.get("status") in (JobStatus.done, JobStatus.failed):
            values = {"finished_at": utcnow(), "lease_until": None} | values
        changed = _rowcount(session.execute(update(Job).where(*_as(job.id, expected)).values(**values)))
        if changed and values.get("status") == JobStatus.failed and job.kind in _on_failure:
            _on_failure[job.kind](session, json.loads(job.payload), values["failure"])
        session.commit()
        return bool(changed)

    def run(self, job_id: int) -> None:
        """Run one job in its own session, holding its lease; a failure is recorded on the row, never lost."""
        with session_scope(self.engine) as session:
            job = session.get(Job, job_id)
            if job is None or job.status != JobStatus.queued:
                return  # finished, or taken up by another worker
            now, attempt = utcnow(), job.attempts + 1
            ours: dict[str, Any] = {"status": JobStatus.running, "attempts": attempt}
            claim = {**ours, "started_at": now, "lease_until": now + self._lease}
            if not self._record(session, job, claim, status=JobStatus.queued, attempts=job.attempts):
                return
            heartbeat = _Heartbeat(self.engine, job_id, ours, self._lease)
            with self._running_lock:
                self._running[job_id] = attempt
            heartbeat.start()
            try:
                context = JobContext(session, json.loads(job.payload), self.settings, self)
                i18n.set_timezone(self.settings.timezone)  # a job's dates are the site's, as the pages' are
                result = _handlers[job.kind](context)
            except Exception:
                session.rollback()
                log.exception("job %s (%s) failed", job_id, job.kind)
                outcome = {"status": JobStatus.failed, "failure": "error", "error": traceback.format_exc(limit=5)}
            else:
                outcome = {
                    "status": JobStatus.done,
                    "result": json.dumps(result, ensure_ascii=False) if result is not None else "",
                }
            finally:
                heartbeat.stopped.set()
                with self._running_lock:
                    self._running.pop(job_id, None)
            if not self._record(session, job, outcome, **ours):
                log.warning("job %s (%s) was handed back before it finished; another run records it", job_id, job.kind)

    def sweep(self) -> int:
        """Requeue the running jobs whose lease has run out (their worker was lost), or give up on
        those taken up MAX_ATTEMPTS times; returns how many were requeued."""
        now = utcnow()
        expired = or_(col(Job.lease_until).is_(None), col(Job.lease_until) < now)
        requeued = 0
        with session_scope(self.engine) as session:
            for job in session.exec(select(Job).where(Job.status == JobStatus.running, expired)).all():
                ours = {"status": JobStatus.running, "attempts": job.attempts}
                if job.attempts >= MAX_ATTEMPTS:
                    lost = {"status": JobStatus.failed, "failure": "lost", "error": f"lost {job.attempts} times"}
                    if self._record(session, job, lost, **ours):
                        log.warning("job %s (%s) lost its worker %s times: given up", job.id, job.kind, job.attempts)
                    continue
                if self._requeue(session, job, ours, expired):
                    requeued += 1
        return requeued

    def hand_back(self) -> int:
        """Put the jobs this process is still running back in the queue (the worker is stopping);
        returns how many."""
        with self._running_lock:
            running = dict(self._running)
        handed = 0
        with session_scope(self.engine) as session:
            for job_id, attempt in running.items():
                job = session.get(Job, job_id)
                if job is not None and self._requeue(session, job, {"status": JobStatus.running, "attempts": attempt}):
                    handed += 1
        return handed

    def _requeue(self, session: Session, job: Job, ours: dict[str, Any], *also: Any) -> bool:
        queued = {"status": JobStatus.queued, "lease_until": None}
        changed = _rowcount(session.execute(update(Job).where(*_as(job.id, ours), *also).values(**queued)))
        session.commit()
        if not changed:
            return False
        try:
            self._enqueue(session, job)
        except QueueUnavailable:
            return False
        return True

    def health(self) -> str:
        try:
            self.huey.pending_count()
        except Exception as exc:  # the health page reports the failure rather than raising it
            return f"error: {type(exc).__name__}"
        return "ok"


def _as(job_id: int | None, expected: dict[str, Any]) -> list[Any]:
    """The conditions that the job's row is still as `expected` (status, attempts)."""
    return [col(Job.id) == job_id, *(getattr(Job, name) == value for name, value in expected.items())]


def _rowcount(result: Any) -> int:
    return int(result.rowcount)  # an UPDATE's CursorResult, which Session.execute types as Result


class _Heartbeat(threading.Thread):
    """Renews a running job's lease every third of its length, for as long as the job runs here."""

    def __init__(self, engine: Engine, job_id: int, ours: dict[str, Any], lease: timedelta) -> None:
        super().__init__(name=f"job-{job_id}-lease", daemon=True)
        self.engine, self.job_id, self.ours, self.lease = engine, job_id, ours, lease
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.lease.total_seconds() / 3):
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        update(Job).where(*_as(self.job_id, self.ours)).values(lease_until=utcnow() + self.lease)
                    )
            except Exception:  # a missed renewal is retried; only a lost worker lets the lease run out
                log.exception("renewing the lease of job %s failed", self.job_id)


class Sweeper(threading.Thread):
    """The worker's loop that requeues the jobs of lost workers, twice per lease length."""

    def __init__(self, queue: Queue) -> None:
        super().__init__(name="job-sweeper", daemon=True)
        self.queue = queue
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.queue.settings.job_lease_seconds / 2):
            try:
                self.queue.sweep()
            except Exception:  # the database may be away for a moment: sweep again next time
                log.exception("sweeping the jobs of lost workers failed")
