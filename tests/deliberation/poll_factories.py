"""Polls made through the services, for the poll tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from core import accounts
from core.db import utcnow
from deliberation import polls
from deliberation.poll_models import Poll
from tests.helpers import make_member

CITIES = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]


def official(db: Session) -> accounts.Member:
    agency = accounts.create_agency(db, "mohw", "衛生福利部")
    return make_member(db, "official@mohw.gov.tw", "agency_official", agency=agency, name="衛福部承辦")


def make_poll(
    db: Session,
    creator: accounts.Member,
    method: str = "single",
    labels: list[str] | None = None,
    closed: bool = False,
    **kwargs: Any,
) -> Poll:
    """An open poll (a day old, seven to go) or, with `closed`, one that ran the two days before
    the last minute: its ballots are cast at `during(poll)`. The times are in the chain's header,
    so a poll is never closed by moving them."""
    now = utcnow()
    return polls.create_poll(
        db,
        creator,
        question=kwargs.pop("question", "長照據點要設在哪裡？"),
        description="",
        options=[(label, "") for label in (labels or ["公園旁", "圖書館", "公車站"])],
        method=method,
        params=kwargs.pop("params", {}),
        opens_at=now - timedelta(days=2 if closed else 1),
        closes_at=now - timedelta(minutes=1) if closed else now + timedelta(days=7),
        **kwargs,
    )


def during(poll: Poll) -> datetime:
    return poll.opens_at + timedelta(hours=1)
