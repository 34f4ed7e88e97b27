"""Background jobs: a Job row records what was asked and how it went; Huey carries the job id.

The row is the source of truth a person sees (queued, running, done, failed); the queue only
delivers. Storage follows the settings: Huey's SQLite file under var/ by default, Redis when
REDIS_URL is set (many machines), in memory and run at once when jobs_mode is "immediate" (tests).

A domain package registers a handler for a kind of job with ``@handler("kind")``; the handler
gets a JobContext (session, payload, settings, queue) and returns a JSON-able result.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from redis import ConnectionPool
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel

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
_handlers: dict[str, Handler] = {}
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


class Job(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60, index=True)
    status: str = Field(default=JobStatus.queued, max_length=10)
    requested_by_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    payload: str = Field(default="{}")
    inputs_hash: str = Field(default="", max_length=64, index=True)
    result: str = Field(default="")
    error: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.done, JobStatus.failed)

    def result_data(self) -> Any:
        return json.loads(self.result) if self.result else None


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        if kind in _handlers and _handlers[kind] is not function:
            raise RuntimeError(f"two handlers for job kind {kind!r}")
        _handlers[kind] = function
        return function

    return register


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

    def submit(
        self,
        session: Session,
        kind: str,
        payload: dict[str, Any] | None = None,
        requested_by: int | None = None,
    ) -> Job:
        """Record the job, commit, then enqueue it (the worker must be able to see the row)."""
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
        self._task(job.id)
        session.refresh(job)
        return job

    def _submit_scheduled(self, kind: str) -> None:
        with session_scope(self.engine) as session:
            self.submit(session, kind, {"scheduled": True})

    def run(self, job_id: int) -> None:
        """Run one job in its own session; a failure is recorded on the row, never lost."""
        with session_scope(self.engine) as session:
            job = session.get(Job, job_id)
            if job is None or job.finished:
                return
            job.status, job.started_at = JobStatus.running, utcnow()
            session.add(job)
            session.commit()
            try:
                context = JobContext(session, json.loads(job.payload), self.settings, self)
                result = _handlers[job.kind](context)
            except Exception:
                session.rollback()
                log.exception("job %s (%s) failed", job_id, job.kind)
                job = session.get(Job, job_id)
                assert job is not None
                job.status, job.error = JobStatus.failed, traceback.format_exc(limit=5)
            else:
                job.status = JobStatus.done
                job.result = json.dumps(result, ensure_ascii=False) if result is not None else ""
            job.finished_at = utcnow()
            session.add(job)
            session.commit()

    def health(self) -> str:
        try:
            self.huey.pending_count()
        except Exception as exc:  # the health page reports the failure rather than raising it
            return f"error: {type(exc).__name__}"
        return "ok"
