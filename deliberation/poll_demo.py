"""The demo's polls: an open one on what respite care should add first, with ballots coming in,
and a closed ranked-choice poll on where a day-care centre should go, whose instant-runoff count
takes three rounds. The ballots are cast with paper codes (in person), so no accounts are made."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session

from core import accounts
from core.db import utcnow
from deliberation import polls

OPEN_SLUG = "respite-priorities"
RANKED_SLUG = "day-care-site"
RESPITE = ["延長喘息服務天數 More respite days", "夜間喘息服務 Night-time respite", "居家喘息到府服務 Respite at home"]
SITES = ["大安區 Da'an", "萬華區 Wanhua", "文山區 Wenshan", "北投區 Beitou"]
# (ranking as option numbers, how many ballots): Da'an leads on first preferences but loses once
# Beitou's and Wenshan's voters move on.
RANKINGS = [
    (["1", "2"], 14),
    (["2", "3", "1"], 10),
    (["3", "2"], 6),
    (["4", "3", "2"], 5),
    (["4"], 2),
]


def seed(session: Session) -> None:
    members = {m.email: m for m in accounts.list_members(session, limit=1000)}
    host = members["lin.yijun@mohw.demo.thinktank.tw"]
    now = utcnow()
    respite = polls.create_poll(
        session,
        host,
        question="喘息服務應該優先增加哪一項？ What should respite care add first?",
        description=(
            "衛福部想知道照顧者最需要的喘息服務。可選一項，截止前都能更改。\n\n"
            "Choose one; you may change it until the poll closes."
        ),
        options=[(label, "") for label in RESPITE],
        method="single",
        params={},
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=12),
        slug=OPEN_SLUG,
    )
    rng = random.Random(17)
    for code in polls.issue_codes(session, respite, 25):
        polls.cast_with_code(session, respite, code, rng.choice(["1", "1", "2", "2", "2", "3"]))

    ranked = polls.create_poll(
        session,
        host,
        question="新的日間照顧中心設在哪一區？ Where should the new day-care centre go?",
        description=(
            "請依偏好排序，不必每一區都排。以即時決選計票。\n\nRank the districts you like; counted by instant runoff."
        ),
        options=[(label, "") for label in SITES],
        method="ranked",
        params={},
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=2),
        slug=RANKED_SLUG,
    )
    during = ranked.opens_at + timedelta(days=1)
    codes = polls.issue_codes(session, ranked, sum(n for _ranking, n in RANKINGS), now=during)
    ballots = [ranking for ranking, n in RANKINGS for _ in range(n)]
    for code, ranking in zip(codes, ballots, strict=True):
        polls.cast_with_code(session, ranked, code, ranking, now=during)
    ranked.published_at = ranked.closes_at + timedelta(hours=20)  # published the next day; no one to tell yet
    session.add(ranked)
    session.commit()
