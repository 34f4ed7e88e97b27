"""What a poll gives back: receipts checked against its chain, the ballot file once it has closed,
publishing its result, and telling followers when it opens, closes and publishes (naming the poll
only: a hidden result is never in a notice)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from core import ballots, notify
from core.db import pk, utcnow
from core.errors import N_, Invalid
from core.jobs import JobContext, Queue, handler, periodic
from deliberation.poll_models import Poll, PollEntry
from deliberation.polls import current_tally, entries_of, header, status


def check_receipt(session: Session, poll: Poll, code: str) -> dict[str, Any]:
    """What the chain says of one receipt code: whether it is recorded, and once results may be
    seen, the choice counted for it."""
    receipt = ballots.receipt_hash(code)
    rows = list(
        session.exec(
            select(PollEntry)
            .where(PollEntry.poll_id == pk(poll), PollEntry.receipt == receipt)
            .order_by(col(PollEntry.seq))
        )
    )
    if not rows:
        return {"found": False, "receipt": receipt}
    last = rows[-1]
    found: dict[str, Any] = {"found": True, "receipt": receipt, "entries": len(rows), "seq": last.seq}
    found["in_person"] = last.in_person
    if status(poll) == "closed":
        found["choice"] = json.loads(last.choice)
    return found


def ballot_file(session: Session, poll: Poll) -> str:
    if status(poll) != "closed":
        raise Invalid({"": N_("The ballot file is written once the poll has closed.")})
    result = current_tally(session, poll)
    result = {key: value for key, value in result.items() if key != "head"}
    return ballots.ballot_file_text(header(session, poll), entries_of(session, poll), result)


def publish_result(session: Session, queue: Queue, poll: Poll) -> Poll:
    if status(poll) != "closed":
        raise Invalid({"": N_("The result can be published once the poll has closed.")})
    if poll.published_at is None:
        poll.published_at = utcnow()
        session.add(poll)
        session.commit()
        _tell(session, queue, poll, N_("The result of the poll “%(title)s” is published."))
    return poll


def _tell(session: Session, queue: Queue, poll: Poll, message: str) -> int:
    people = notify.followers(session, "poll", pk(poll))
    if poll.agency_id is not None:
        people |= notify.followers(session, "agency", poll.agency_id)
    url = f"/polls/{poll.slug}"
    return notify.notify(session, queue, people, message, {"title": poll.question}, url, queue.settings.base_url)


@handler("announce_poll_phases")
def announce_phases(job: JobContext) -> dict[str, int]:
    """Every few minutes: tell followers when a poll opens and when it closes. The notice names
    the poll only; a hidden result is never in it."""
    told, now = 0, utcnow()
    for poll in job.session.exec(select(Poll).where(col(Poll.closed_notice_at).is_(None))):
        phase = status(poll, now)
        if phase == "open" and poll.opened_notice_at is None:
            told += _tell(job.session, job.queue, poll, N_("The poll “%(title)s” is open: you can vote."))
            poll.opened_notice_at = now
        elif phase == "closed":
            told += _tell(job.session, job.queue, poll, N_("The poll “%(title)s” has closed."))
            poll.opened_notice_at = poll.opened_notice_at or now
            poll.closed_notice_at = now
        else:
            continue
        job.session.add(poll)
        job.session.commit()
    return {"told": told}


periodic("announce_poll_phases", minute="*/5", hour="*")


def _followable(session: Session, target_id: int) -> tuple[str, str] | None:
    found = session.get(Poll, target_id)
    return (found.question, f"/polls/{found.slug}") if found else None


notify.followable["poll"] = _followable
