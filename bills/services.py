"""Bills: importing files (through bills.importing), and the read queries for lists and pages."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from bills import importing, stages
from bills.models import Bill, BillAction, BillArticle
from core import notify
from core.accounts import Member
from core.db import pk
from core.errors import N_, NotFound
from core.jobs import JobContext, Queue, handler, periodic
from feedback import comments
from feedback.models import Comment
from feedback.subjects import Subject


@dataclass
class ImportReport:
    counts: Counter[str] = field(default_factory=Counter)  # created, updated, unchanged, failed
    failures: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    stage_changes: list[tuple[int, str, str]] = field(default_factory=list)  # (bill id, from, to)


def import_paths(
    session: Session, paths: list[Path], fmt: str | None = None, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Import every file (a folder: every file in it). Each record is written in its own savepoint,
    so one bad record is reported and skipped while the rest goes in; each file commits once."""
    report = ImportReport()
    for path in expand(paths):
        try:
            records = list(importing.read_file(path, fmt))
        except OSError as error:
            report.counts["failed"] += 1
            report.failures.append((str(path), error.strerror or str(error)))
            continue
        import_records(session, records, report, progress)
    return report


def import_records(
    session: Session,
    records: Iterable[tuple[str, importing.BillRecord | importing.BadRecord]],
    report: ImportReport,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write each record in its own savepoint; a bad or refused record is reported and skipped."""
    for where, record in records:
        if progress:
            progress(1)
        if isinstance(record, importing.BadRecord):
            report.counts["failed"] += 1
            report.failures.append((where, str(record)))
            continue
        try:
            with session.begin_nested():
                before = session.exec(
                    select(Bill.stage).where(Bill.source == record.source, Bill.number == record.number)
                ).first()
                outcome = importing.upsert(session, record)
                report.counts[outcome] += 1
                if before is not None and before != record.stage and outcome == "updated":
                    bill = session.exec(
                        select(Bill).where(Bill.source == record.source, Bill.number == record.number)
                    ).one()
                    report.stage_changes.append((pk(bill), before, record.stage))
        except DBAPIError as error:  # the database refused this record; the savepoint undid it
            report.counts["failed"] += 1
            report.failures.append((where, f"refused by the database ({type(error.orig).__name__})"))
    session.commit()


def sync_from(session: Session, urls: list[str], timeout: float = 60) -> ImportReport:
    """Fetch LY API bill records (a JSON object, array or JSON lines) from each URL and import them."""
    report = ImportReport()
    for url in urls:
        if not url.startswith(("http://", "https://")):
            report.counts["failed"] += 1
            report.failures.append((url, "not an http(s) address"))
            continue
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:  # the scheme is checked above
                content = answer.read()
        except (OSError, ValueError) as error:
            report.counts["failed"] += 1
            report.failures.append((url, f"could not fetch ({error})"))
            continue
        import_records(session, importing.read_content(content, url, "ly-api"), report)
    return report


def expand(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".jsonl", ".xml")
            )
        else:
            found.append(path)
    return found


def count_records(paths: list[Path]) -> int:
    """Roughly how many records the files hold (lines of JSON lines, else one a file), for a progress bar."""
    total = 0
    for path in expand(paths):
        total += path.read_bytes().count(b"\n") if path.suffix.lower() == ".jsonl" else 1
    return total


def _filtered(
    query: Any,
    stage: str | None = None,
    source: str | None = None,
    committee: str | None = None,
    sponsor: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Any:
    if stage:
        query = query.where(Bill.stage == stage)
    if source:
        query = query.where(Bill.source == source)
    if committee:
        query = query.where(col(Bill.committees).contains(committee))
    if sponsor:
        query = query.where(col(Bill.sponsors).contains(sponsor) | col(Bill.cosponsors).contains(sponsor))
    if since:
        query = query.where(col(Bill.last_action_on) >= since)
    if until:
        query = query.where(col(Bill.last_action_on) <= until)
    return query


def list_bills(session: Session, limit: int | None = None, offset: int = 0, **filters: Any) -> list[Bill]:
    """Bills matching the filters (stage, source, committee, sponsor, since, until), latest action first."""
    query = _filtered(select(Bill), **filters)
    query = query.order_by(col(Bill.last_action_on).desc(), col(Bill.id).desc()).offset(offset)
    if limit:
        query = query.limit(limit)
    return list(session.exec(query))


def count_bills(session: Session, **filters: Any) -> int:
    return int(session.exec(_filtered(select(func.count()).select_from(Bill), **filters)).one())


def related_bills(session: Session, bill: Bill) -> list[tuple[str, Bill | None]]:
    """Each related bill's number, with the bill itself when we have it."""
    numbers = bill.names("related")
    if not numbers:
        return []
    known = {
        b.number: b for b in session.exec(select(Bill).where(Bill.source == bill.source, col(Bill.number).in_(numbers)))
    }
    return [(number, known.get(number)) for number in numbers]


def get_bill(session: Session, bill_id: int) -> Bill:
    bill = session.get(Bill, bill_id)
    if bill is None:
        raise NotFound(str(bill_id))
    return bill


def bills_by_id(session: Session, bill_ids: list[int]) -> list[Bill]:
    return list(session.exec(select(Bill).where(col(Bill.id).in_(bill_ids)))) if bill_ids else []


def actions_of(session: Session, bill: Bill) -> list[BillAction]:
    query = select(BillAction).where(BillAction.bill_id == bill.id)
    return list(session.exec(query.order_by(col(BillAction.on), col(BillAction.id))))


def articles_of(session: Session, bill: Bill) -> list[BillArticle]:
    return list(
        session.exec(select(BillArticle).where(BillArticle.bill_id == bill.id).order_by(col(BillArticle.number)))
    )


def stage_counts(session: Session) -> dict[str, int]:
    return dict(session.exec(select(Bill.stage, func.count()).group_by(col(Bill.stage))).all())


def fields_json(bill: Bill) -> dict[str, Any]:
    """The bill's own fields as `thinktank bills list --json` and the API show them."""
    return {
        "source": bill.source,
        "number": bill.number,
        "title": bill.title,
        "stage": bill.stage,
        "status_raw": bill.status_raw,
        "sponsors": bill.names("sponsors"),
        "cosponsors": bill.names("cosponsors"),
        "committees": bill.names("committees"),
    }


def as_json(session: Session, bill: Bill) -> dict[str, Any]:
    """The shape `thinktank bills list --json` prints."""
    return {
        **fields_json(bill),
        "actions": [
            {"date": a.on.isoformat(), "stage": a.stage, "status_raw": a.status_raw, "body": a.body, "text": a.text}
            for a in actions_of(session, bill)
        ],
    }


CLOSED_STAGES = {"enacted", "vetoed", "withdrawn", "not_considered", "noted"}


def open_for_comments(bill: Bill) -> bool:
    """Feedback is useful until the bill's path has ended."""
    return bill.stage not in CLOSED_STAGES


def comment_on_bill(
    session: Session, bill: Bill, author: Member, stance: str, text: str, article: int | None, amendment: str
) -> Comment:
    """Feedback's one comment mechanism; the bill's kind says when it is open (`bills.subject`)."""
    return comments.submit(session, subject_of(bill), author, stance, text, article, amendment)


def subject_of(bill: Bill) -> Subject:
    """The bill as feedback sees it."""
    return Subject("bill", pk(bill), bill.title or bill.number, f"/bills/{bill.id}", bill.number, record=bill)


def feedback_counts(session: Session, bill_ids: list[int]) -> dict[int, int]:
    if not bill_ids:
        return {}
    query = (
        select(Comment.subject_id, func.count())
        .where(Comment.subject_kind == "bill", col(Comment.subject_id).in_(bill_ids))
        .group_by(col(Comment.subject_id))
    )
    return dict(session.exec(query).all())


def committees(session: Session) -> list[str]:
    names: set[str] = set()
    for raw in session.exec(select(Bill.committees).distinct()):
        names.update(json.loads(raw or "[]"))
    return sorted(names)


def recent_stage_changes(session: Session, limit: int = 5) -> list[tuple[BillAction, Bill]]:
    """The latest steps that moved a bill to a stage, newest first, with their bills."""
    query = (
        select(BillAction, Bill)
        .join(Bill, col(Bill.id) == BillAction.bill_id)
        .where(BillAction.stage != "")
        .order_by(col(BillAction.on).desc(), col(BillAction.id).desc())
        .limit(limit)
    )
    return [(action, bill) for action, bill in session.exec(query)]


def announce_stage_changes(session: Session, queue: Queue, changes: list[tuple[int, str, str]]) -> int:
    """Tell each bill's followers that it moved to a new stage."""
    told = 0
    for bill_id, _before, after in changes:
        bill = get_bill(session, bill_id)
        label = stages.BY_KEY[after].label if after in stages.BY_KEY else after
        told += notify.notify(
            session,
            queue,
            notify.followers(session, "bill", bill_id),
            N_("The bill “%(title)s” moved to a new stage: %(stage)s."),
            {"title": bill.title or bill.number, "stage": label},
            f"/bills/{bill_id}",
            queue.settings.base_url,
        )
    return told


def amendments(session: Session, bill: Bill) -> list[Comment]:
    query = select(Comment).where(
        Comment.subject_kind == "bill", Comment.subject_id == pk(bill), Comment.stance == "amend"
    )
    return list(session.exec(query.order_by(col(Comment.article), col(Comment.id))))


@handler("sync_bills")
def sync_job(job: JobContext) -> dict[str, object]:
    """Hourly, from the worker: pull the configured LY API addresses and tell followers of moves."""
    if not job.settings.ly_api_urls:
        return {"skipped": "LY_API_URLS is not set"}
    report = sync_from(job.session, list(job.settings.ly_api_urls))
    announce_stage_changes(job.session, job.queue, report.stage_changes)
    return {**dict(report.counts), "failures": report.failures[:50]}


periodic("sync_bills", minute="20", hour="*")
