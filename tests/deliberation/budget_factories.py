"""Budgets made through the services, for the budget tests, the role matrix and the CSV test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from core import accounts, passwords
from core.db import utcnow
from deliberation import budgets, polls
from deliberation.poll_models import Poll
from tests.deliberation.poll_factories import during

# Seven north-side voters approve N1-N3, three south-side voters S1 and S2 (each 30; budget 100):
# greedy funds the majority's three, equal shares two of theirs and one of the minority's.
PROJECTS = [("北區日照中心", 30), ("北區復康巴士", 30), ("北區失智據點", 30), ("南區送餐服務", 30), ("南區喘息站", 30)]
BLOC = [["1", "2", "3"]] * 7 + [["4", "5"]] * 3


def make_budget(
    db: Session,
    creator: accounts.Member,
    *,
    closed: bool = False,
    upcoming: bool = False,
    projects: list[tuple[str, int]] | None = None,
    **kwargs: Any,
) -> Poll:
    now = utcnow()
    if upcoming:
        opens, closes = now + timedelta(days=1), now + timedelta(days=8)
    elif closed:
        opens, closes = now - timedelta(days=2), now - timedelta(minutes=1)
    else:
        opens, closes = now - timedelta(days=1), now + timedelta(days=7)
    return budgets.create_budget(
        db,
        creator,
        title=kwargs.pop("title", "長照據點參與式預算"),
        description="",
        total=kwargs.pop("total", 100),
        rule=kwargs.pop("rule", "equal_shares"),
        method=kwargs.pop("method", "budget_knapsack"),
        max_projects=kwargs.pop("max_projects", None),
        projects=[budgets.ProjectDraft(t, c, place_code="63000") for t, c in (projects or PROJECTS)],
        opens_at=opens,
        closes_at=closes,
        **kwargs,
    )


def cast_bloc(db: Session, budget: Poll, choices: list[list[str]] = BLOC) -> None:
    """One new member per choice, each casting it (during the budget's voting time)."""
    hash_ = passwords.hash_password("x")
    for n, choice in enumerate(choices):
        member = accounts.Member(email=f"b{budget.id}v{n}@example.tw", password_hash=hash_, display_name=f"v{n}")
        db.add(member)
        db.commit()
        polls.cast_ballot(db, budget, member, choice, now=during(budget))
