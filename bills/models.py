"""Bills from official data: the bill, its dated timeline of actions, and its articles."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import utcnow


class Bill(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("source", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=20, index=True)  # tw-ly, us-congress, manual
    number: str = Field(max_length=40)  # LY billNo, or <congress>-<type>-<number> for US bills
    title: str = Field(default="", max_length=500)
    bill_type: str = Field(default="", max_length=40)
    term: str = Field(default="", max_length=20)  # LY 屆期 / US congress
    session: str = Field(default="", max_length=20)  # LY 會期
    sponsors: str = Field(default="[]")  # JSON list of names
    cosponsors: str = Field(default="[]")
    committees: str = Field(default="[]")
    related: str = Field(default="[]")  # JSON list of related bill numbers
    status_raw: str = Field(default="", max_length=1000)  # LY 議案狀態, or the US latest action's text
    stage: str = Field(default="introduced", max_length=30, index=True)
    summary: str = Field(default="")
    introduced_on: date | None = None
    last_action_on: date | None = Field(default=None, index=True)
    url: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def names(self, field: str) -> list[str]:
        return list(json.loads(getattr(self, field) or "[]"))


class BillAction(SQLModel, table=True):
    """One step of the timeline. Re-imports merge on (date, raw status, text)."""

    __table_args__ = (Index("ix_billaction_bill_date", "bill_id", "on"),)
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id")
    on: date
    status_raw: str = Field(default="", max_length=100)
    stage: str = Field(default="", max_length=30)  # "" when the action shows no stage of its own
    body: str = Field(default="", max_length=200)  # chamber, plenary or committee
    text: str = Field(default="")


class BillArticle(SQLModel, table=True):
    """An article of a bill's text: proposed and current wording, with the explanation."""

    __table_args__ = (UniqueConstraint("bill_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True)
    number: int
    heading: str = Field(default="", max_length=200)
    proposed: str = Field(default="")
    current: str = Field(default="")
    explanation: str = Field(default="")


class BillConsultation(SQLModel, table=True):
    """A consultation on the draft a bill came from, or on the policy the bill enacts."""

    __table_args__ = (UniqueConstraint("bill_id", "consultation_id"),)
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    linked_by_id: int | None = Field(default=None, foreign_key="member.id")
    linked_at: datetime = Field(default_factory=utcnow)
