"""The demo site's content: each package's demo.seed(), in dependency order."""

from __future__ import annotations

import time

from sqlmodel import Session

from bills import demo as bills_demo
from core import demo as core_demo
from core.settings import Settings
from deliberation import demo as deliberation_demo
from participation import demo as participation_demo
from search import outbox, site

DEMO_PASSWORD = core_demo.DEMO_PASSWORD


def seed(session: Session, settings: Settings) -> list[tuple[str, str]]:
    sign_ins = core_demo.seed(session)
    participation_demo.seed(session)
    participation_demo.seed_proposals(session, settings)
    bills_demo.seed(session)
    deliberation_demo.seed(session)
    return sign_ins


def index(session: Session, settings: Settings) -> tuple[int, float]:
    """Build the search index from the seeded database: (documents, seconds)."""
    started = time.perf_counter()
    count = outbox.reindex(session, site.backend(settings))
    return count, time.perf_counter() - started
