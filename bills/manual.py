"""Bills entered by legislative staff rather than imported: a council's ordinance or a bill whose
official record is not online. They go through the importer's own `upsert`, so a manual bill is
stored, merged and announced exactly like an imported one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bills import importing, stages
from bills.models import Bill, BillAction
from core.db import pk, utcnow
from core.errors import N_, Invalid
from feedback.articles import split_articles

SOURCE = "manual"
_NAMES = re.compile(r"[,，、;；\n]+")
_NUMBER = re.compile(r"^[\w.\-/]{1,40}$")


def parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def split_names(raw: str) -> list[str]:
    """Names as staff type them: separated by commas, 、, semicolons or lines."""
    return [name.strip() for name in _NAMES.split(raw) if name.strip()]


@dataclass
class ManualBill:
    title: str
    number: str = ""
    bill_type: str = ""
    sponsors: str = ""
    cosponsors: str = ""
    committees: str = ""
    summary: str = ""
    text: str = ""  # the proposed text; split into articles at headings or 第N條 lines
    stage: str = "introduced"
    on: str = ""  # when the bill was introduced, YYYY-MM-DD

    @property
    def introduced_on(self) -> date | None:
        return parse_date(self.on)

    def check(self) -> dict[str, str]:
        errors = {}
        if not self.title.strip():
            errors["title"] = N_("Enter a title.")
        elif len(self.title.strip()) > 500:
            errors["title"] = N_("The title is too long (500 characters at most).")
        if self.number and not _NUMBER.match(self.number.strip()):
            errors["number"] = N_("Use up to 40 letters, digits, dots, hyphens or slashes.")
        if len(self.bill_type) > 40:
            errors["bill_type"] = N_("This field is too long.")
        if self.stage not in stages.BY_KEY:
            errors["stage"] = N_("Choose a stage.")
        if self.introduced_on is None:
            errors["on"] = N_("Enter the date as YYYY-MM-DD.")
        if len(self.text) > 200_000:
            errors["text"] = N_("The draft is too long.")
        return errors


def _next_number(session: Session) -> str:
    prefix = f"M{utcnow().year}-"
    taken = session.exec(select(Bill.number).where(Bill.source == SOURCE, col(Bill.number).startswith(prefix)))
    highest = max((int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{highest + 1:04d}"


def create_bill(session: Session, data: ManualBill) -> Bill:
    errors = data.check()
    number = data.number.strip() or _next_number(session)
    if session.exec(select(Bill).where(Bill.source == SOURCE, Bill.number == number)).first():
        errors["number"] = N_("Another bill has this number already.")
    if errors:
        raise Invalid(errors)
    assert data.introduced_on is not None
    articles = [
        importing.ArticleRecord(a.number, a.heading, a.body, "", "") for a in split_articles(data.text) if a.number > 0
    ]
    record = importing.BillRecord(
        source=SOURCE,
        number=number,
        title=data.title.strip(),
        bill_type=data.bill_type.strip(),
        sponsors=split_names(data.sponsors),
        cosponsors=split_names(data.cosponsors),
        committees=split_names(data.committees),
        stage=data.stage,
        summary=data.summary.strip(),
        introduced_on=data.introduced_on,
        actions=[importing.ActionRecord(data.introduced_on, "", data.stage)],
        articles=articles,
    )
    importing.upsert(session, record)
    session.commit()
    bill = session.exec(select(Bill).where(Bill.source == SOURCE, Bill.number == number)).one()
    return bill


def record_step(session: Session, bill: Bill, on: date | None, stage: str, body: str, text: str) -> tuple[str, str]:
    """Add a step to a manual bill's timeline. The bill's stage becomes the stage of its latest
    step, so a step entered late (dated before the last one) does not move the bill back.
    Returns (stage before, stage after). Imported bills take their timeline from official data."""
    errors = {}
    if bill.source != SOURCE:
        errors[""] = N_("Only bills entered by hand have their steps entered by hand.")
    if on is None:
        errors["on"] = N_("Enter the date as YYYY-MM-DD.")
    if stage not in stages.BY_KEY:
        errors["stage"] = N_("Choose a stage.")
    if len(body) > 200:
        errors["body"] = N_("This field is too long.")
    if len(text) > 5000:
        errors["text"] = N_("This field is too long.")
    if errors:
        raise Invalid(errors)
    assert on is not None
    before = bill.stage
    latest = session.exec(
        select(BillAction).where(BillAction.bill_id == pk(bill)).order_by(col(BillAction.on).desc()).limit(1)
    ).first()
    after = stage if latest is None or on >= latest.on else before
    record = importing.BillRecord(
        source=SOURCE,
        number=bill.number,
        stage=after,
        actions=[importing.ActionRecord(on, "", stage, body.strip(), text.strip())],
    )
    importing.upsert(session, record)
    session.commit()
    session.refresh(bill)
    return before, bill.stage
