"""`thinktank bills sync` and the worker's hourly job, against a real HTTP server on loopback."""

import functools
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bills.models import Bill
from core.jobs import Queue
from core.settings import Settings
from tests.bills.test_import import DEEP, HUGE_NUMBER, LY_RECORD
from tests.helpers import SHARED_DATA
from thinktank.cli import main


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "bills.jsonl").write_text(json.dumps(LY_RECORD, ensure_ascii=False) + "\n{broken\n", "utf-8")
    yield from _serve(tmp_path)


def _env(settings: Settings) -> dict[str, str]:
    return {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "SECRET_KEY": "x"}


def test_sync_fetches_and_imports_reporting_bad_records(site: str, settings: Settings, db: Session) -> None:
    result = CliRunner().invoke(main, ["bills", "sync", "--url", f"{site}/bills.jsonl"], env=_env(settings))
    assert result.exit_code == 1  # one record in the feed is broken
    assert "created 1, updated 0, unchanged 0, failed 1" in result.output
    assert f"{site}/bills.jsonl:2: not JSON" in result.output
    assert db.exec(select(Bill.number)).all() == ["202103161290000"]


def test_sync_reports_an_unreachable_or_missing_feed(site: str, settings: Settings) -> None:
    result = CliRunner().invoke(
        main, ["bills", "sync", "--url", f"{site}/nothing.json", "--url", "ftp://x"], env=_env(settings)
    )
    assert result.exit_code == 1 and "could not fetch" in result.output and "not an http(s) address" in result.output
    assert CliRunner().invoke(main, ["bills", "sync"], env=_env(settings)).exit_code == 2


def test_the_hourly_job_syncs_the_configured_feeds(site: str, settings: Settings, engine: Engine, db: Session) -> None:
    idle = Queue(settings, engine).submit(db, "sync_bills")
    db.refresh(idle)
    assert idle.result_data() == {"skipped": "LY_API_URLS is not set"}
    queue = Queue(replace(settings, ly_api_urls=(f"{site}/bills.jsonl",)), engine)
    job = queue.submit(db, "sync_bills")
    db.refresh(job)
    assert job.result_data()["created"] == 1 and job.result_data()["failed"] == 1


def test_the_hourly_job_reports_json_too_deep_or_with_a_huge_integer_and_imports_the_rest(
    tmp_path: Path, settings: Settings, engine: Engine, db: Session
) -> None:
    (tmp_path / "hostile.jsonl").write_text(f"{DEEP}\n{HUGE_NUMBER}\n{json.dumps(LY_RECORD)}\n", "utf-8")
    for site in _serve(tmp_path):
        queue = Queue(replace(settings, ly_api_urls=(f"{site}/hostile.jsonl",)), engine)
        job = queue.submit(db, "sync_bills")
        db.refresh(job)
        assert job.status == "done", job.result_data()
        result = job.result_data()
        assert (result["created"], result["failed"]) == (1, 2)
        assert [why for _where, why in result["failures"]] == [
            "not JSON (nested too deeply)",
            "not JSON (Exceeds the limit (4300 digits) for integer string conversion)",
        ]


@pytest.mark.skipif(not (SHARED_DATA / "bills" / "tw-ly").exists(), reason="../shared/data is absent")
def test_sync_against_the_shared_sample_files(settings: Settings, db: Session) -> None:
    folder = SHARED_DATA / "bills" / "tw-ly"
    for base in _serve(folder):
        urls = [f"{base}/lyapi_v1_bill_sample_202103161290000.json", f"{base}/ly-api-bills-sessions-1-2.jsonl"]
        result = CliRunner().invoke(
            main, ["bills", "sync", *(part for u in urls for part in ("--url", u))], env=_env(settings)
        )
        assert result.exit_code == 0, result.output
    assert len(db.exec(select(Bill)).all()) >= 2100
