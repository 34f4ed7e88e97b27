"""Sign-in throttling: failed sign-ins, kept in the database so every web process counts them.

Two rules, so that guessing is slow but nobody can lock an owner out of their account:

- per address (the client's IP): the first few failures in an hour are free, then each further
  attempt must wait twice as long as the one before (30 s, 1 min, 2 min ... at most 15 min);
  the owner, signing in from elsewhere, never waits for someone else's guesses;
- per account: a generous cap on failures from all addresses together (RATE_LIMIT_SIGNIN,
  100 an hour), which no single address can reach, against guessing spread over many addresses.

The account is counted by the hash of the e-mail typed, known or not, so the rules behave the
same for addresses that have no account. A successful sign-in clears nothing: otherwise an
attacker with an account of their own could sign into it between guesses.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from limits import RateLimitItem
from sqlalchemy import delete, func
from sqlmodel import Field, Session, SQLModel, col, select

from core.db import utcnow

FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
ADDRESS_WINDOW = timedelta(hours=1)  # failures older than this are forgotten


class SignInFailure(SQLModel, table=True):
    __tablename__ = "sign_in_failure"
    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=64, index=True)
    account: str = Field(max_length=64, index=True)  # sha256 of the normalised e-mail, never the e-mail
    at: datetime = Field(default_factory=utcnow, index=True)


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def wait_before_sign_in(db: Session, address: str, email: str, account_cap: RateLimitItem) -> int:
    """Whole seconds to wait before a sign-in from `address` for `email` may be tried (0: now)."""
    now = utcnow()
    count, last = db.exec(
        select(func.count(), func.max(SignInFailure.at)).where(
            SignInFailure.address == address, col(SignInFailure.at) >= now - ADDRESS_WINDOW
        )
    ).one()
    waits = [timedelta(0)]
    if count >= FREE_FAILURES and last is not None:
        backoff = min(FIRST_WAIT * 2 ** min(count - FREE_FAILURES, 10), LONGEST_WAIT)
        waits.append(last + backoff - now)
    window = timedelta(seconds=account_cap.get_expiry())
    recent = db.exec(
        select(SignInFailure.at)
        .where(SignInFailure.account == _account(email), col(SignInFailure.at) >= now - window)
        .order_by(col(SignInFailure.at).desc())
        .limit(account_cap.amount)
    ).all()
    if len(recent) >= account_cap.amount:  # wait until the oldest of the last `amount` ages out
        waits.append(recent[-1] + window - now)
    return math.ceil(max(waits).total_seconds())


def record_failure(db: Session, address: str, email: str, account_cap: RateLimitItem) -> None:
    keep = max(ADDRESS_WINDOW, timedelta(seconds=account_cap.get_expiry()))
    db.exec(delete(SignInFailure).where(col(SignInFailure.at) < utcnow() - keep))
    db.add(SignInFailure(address=address[:64], account=_account(email)))
    db.commit()
