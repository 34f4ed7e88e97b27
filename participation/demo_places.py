"""Where the demo's people are: comments get townships drawn in proportion to each county's
population, except where a demo shows a gap (the east coast and the islands barely reached on the
long-term care draft); and a county government's consultation scoped to its own county, with
comments a village chief typed in from paper."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session

from core import accounts, places
from core.db import utcnow
from feedback import comments, importing
from participation import services
from participation.models import Consultation

# 花蓮縣, 臺東縣, 澎湖縣, 金門縣, 連江縣: on the long-term care draft, few comments come from here.
EAST_AND_ISLANDS = frozenset({"10015", "10014", "10016", "09020", "09007"})
HUALIEN = "10015"

COUNTY_DRAFT = """花蓮縣為保障長期照顧需要者之就醫與日常交通，特制定本自治條例。

第一條 本自治條例依長期照顧服務法及地方制度法制定之。

第二條 本縣長期照顧交通接送服務，每人每月以八趟為原則；偏遠地區得增加至十二趟。

第三條 本府應於各鄉鎮市設置至少一處接送調度站，並公開預約方式。
"""
COUNTY_COMMENTS = [
    (2, "oppose", "八趟不夠，洗腎一週就要去三次。"),
    (2, "amend", "偏遠地區的定義要寫清楚，秀林、萬榮、卓溪都應該算。"),
    (3, "support", "調度站很好，希望鄉公所也能代為預約。"),
    (None, "support", "終於有交通接送的規定，長輩出門方便多了。"),
    (3, "neutral", "預約方式請不要只有網路，電話與村里辦公室也要能預約。"),
    (2, "oppose", "壽豐到花蓮市醫院來回就兩趟，八趟一下就用完。"),
]
OFFLINE_SHEETS = [  # what residents of 志學村 told their village chief at a community meeting
    ("王阿伯", 2, "oppose", "我每個禮拜要去花蓮洗腎三次，八趟根本不夠。"),
    ("", 3, "support", "村裡有調度站的話，我們就不用一直拜託鄰居載。"),
    ("林阿姨", None, "neutral", "我不會用手機，希望可以打電話或到村辦公處預約。"),
]


def place_picker(session: Session, rng: random.Random, thin: frozenset[str] = frozenset()) -> Callable[[], str]:
    """Draws a township: its county in proportion to population (a tenth of that for `thin`
    counties), then one of the county's townships (their own populations are not in the data)."""
    counties = [c for c in places.places(session, places.Level.county) if c.population]
    weights = [(c.population or 0) * (0.1 if c.code in thin else 1.0) for c in counties]
    townships = {c.code: [t.code for t in places.places(session, places.Level.township, c.code)] for c in counties}

    def pick() -> str:
        county = rng.choices(counties, weights)[0]
        return rng.choice(townships[county.code])

    return pick


def seed_county_consultation(session: Session, rng: random.Random) -> Consultation:
    """花蓮縣政府's draft, scoped to 花蓮縣: most comments from the county, some from elsewhere,
    and a village chief's sheets from a community meeting."""
    agency = accounts.get_agency(session, "hualien")
    official = next(m for m in accounts.list_members(session, limit=1000) if m.agency_id == agency.id)
    now = utcnow()
    consultation = services.create_consultation(
        session,
        agency,
        official,
        services.ConsultationInput(
            title="花蓮縣長期照顧交通接送服務自治條例草案",
            summary="訂定長照交通接送的趟數、偏遠地區加給與各鄉鎮市調度站，請縣民提供意見。",
            background="本草案由花蓮縣政府提出，只適用於花蓮縣。",
            text=COUNTY_DRAFT,
            opens_at=now - timedelta(days=5),
            closes_at=now + timedelta(days=25),
            tags="長期照顧, 交通",
            contact="花蓮縣政府衛生局",
            slug="hualien-ltc-transport",
            scope=HUALIEN,
        ),
    )
    services.publish_consultation(session, consultation, at=now - timedelta(days=5))
    local = [t.code for t in places.places(session, places.Level.township, HUALIEN)]
    elsewhere = place_picker(session, rng)
    rows = []
    for n in range(48):
        article, stance, text = COUNTY_COMMENTS[n % len(COUNTY_COMMENTS)]
        place = rng.choice(local) if rng.random() < 0.8 else elsewhere()
        rows.append({"id": f"hl-{n}", "article": "" if article is None else str(article), "stance": stance,
                     "text": text if n < len(COUNTY_COMMENTS) else f"{text}（第{n}封）", "place": place})  # fmt: skip
    columns = importing.Columns(text="text", id="id", article="article", stance="stance", place="place")
    subject = services.subject_of(consultation)
    importing.import_comments(session, subject, [(i + 2, row) for i, row in enumerate(rows)], columns)
    chief = next(m for m in accounts.list_members(session, limit=1000) if m.email.startswith("chen.meihua@"))
    for name, article, stance, text in OFFLINE_SHEETS:
        entry = {"stance": stance, "text": text, "resident_name": name, "place_code": "10015060", "village": "志學村"}
        comments.submit_offline(session, subject, chief, entry, article)
    return consultation
