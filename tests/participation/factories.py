"""Consultations for the participation tests, made through the services."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from core import accounts
from core.db import utcnow
from participation import services
from participation.models import Consultation
from tests.helpers import make_member

DRAFT = """本辦法草案說明。

第一條 本辦法依長期照顧服務法訂定之。

第二條 喘息服務每年以二十一日為上限。

第三條 照顧服務人員薪資不得低於基準。
"""


def agency_and_official(db: Session, slug: str = "mohw") -> tuple[accounts.Agency, accounts.Member]:
    agency = accounts.create_agency(db, slug, "衛生福利部" if slug == "mohw" else f"機關{slug}")
    official = make_member(db, f"official@{slug}.example.tw", role="agency_official", agency=agency, name="承辦人")
    return agency, official


def consultation(
    db: Session, phase: str = "open", slug: str = "ltc", agency_slug: str = "mohw", text: str = DRAFT
) -> Consultation:
    agency = (
        accounts.get_agency(db, agency_slug)
        if _has_agency(db, agency_slug)
        else agency_and_official(db, agency_slug)[0]
    )
    now = utcnow()
    opens, closes = {
        "open": (now - timedelta(days=1), now + timedelta(days=10)),
        "upcoming": (now + timedelta(days=1), now + timedelta(days=10)),
        "closed": (now - timedelta(days=10), now - timedelta(days=1)),
        "draft": (now - timedelta(days=1), now + timedelta(days=10)),
    }[phase]
    created = services.create_consultation(
        db,
        agency,
        None,
        services.ConsultationInput("長照草案", "摘要", "背景", text, opens, closes, tags="長照", slug=slug),
    )
    if phase != "draft":
        services.publish_consultation(db, created)
    return created


def _has_agency(db: Session, slug: str) -> bool:
    return any(a.slug == slug for a in accounts.list_agencies(db))
