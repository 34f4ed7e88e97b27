"""The demo's participatory budget: closed, with its result. Sixty residents chose among six
long-term-care projects for NT$3,000,000: six members voted online, the rest at a service counter
with paper codes. The north side's majority and the south side's minority want different things,
so the two rules differ: greedy by votes gives the majority three of four projects, the Method of
Equal Shares (the budget's rule) gives each side about its share. Built through the services."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from core import accounts
from core.db import utcnow
from deliberation import budgets, polls

SLUG = "ltc-budget-2026"
PROJECTS = [
    ("北區日照中心擴建", 1_200_000, "63000010", "增加三十個日間照顧名額。"),
    ("北區復康巴士", 900_000, "63000010", "兩輛無障礙車輛與司機一年。"),
    ("北區失智症據點", 800_000, "63000010", "每週五天的認知促進課程。"),
    ("南區長者送餐", 700_000, "63000120", "每天兩百份午餐，送到獨居長者家中。"),
    ("南區家庭照顧者喘息站", 600_000, "63000120", "臨時托顧，讓照顧者休息半天。"),
    ("全區照顧者培訓", 300_000, "", "每月一場照顧技巧課程。"),
]
# (projects chosen, how many residents chose them): the north side's 35, the south side's 25
BALLOTS = [(["1", "2", "3"], 30), (["1", "2", "6"], 5), (["4", "5", "6"], 20), (["4", "6"], 5)]
ONLINE = [
    "tsai.meiling@demo.thinktank.tw",
    "lee.chengen@demo.thinktank.tw",
    "hsu.shuhui@demo.thinktank.tw",
    "emily.chen@demo.thinktank.tw",
    "nguyen.thilan@demo.thinktank.tw",
    "kuo.wenhsiung@demo.thinktank.tw",
]


def seed(session: Session) -> None:
    members = {m.email: m for m in accounts.list_members(session, limit=1000)}
    now = utcnow()
    budget = budgets.create_budget(
        session,
        members["lin.yijun@mohw.demo.thinktank.tw"],
        title="臺北市長照據點參與式預算 2026",
        description="居民決定三百萬元要補助哪些長期照顧計畫。每人可勾選合計不超過預算的計畫。",
        total=3_000_000,
        rule="equal_shares",
        method="budget_knapsack",
        max_projects=None,
        projects=[budgets.ProjectDraft(t, c, d, p) for t, c, p, d in PROJECTS],
        opens_at=now - timedelta(days=14),
        closes_at=now - timedelta(days=1),
        slug=SLUG,  # a stable address for the walk
    )
    during = budget.opens_at + timedelta(days=3)
    choices = [choice for choice, count in BALLOTS for _ in range(count)]
    online, in_person = choices[: len(ONLINE)], choices[len(ONLINE) :]
    for email, choice in zip(ONLINE, online, strict=True):
        polls.cast_ballot(session, budget, members[email], choice, now=during)
    for code, choice in zip(polls.issue_codes(session, budget, len(in_person), now=during), in_person, strict=True):
        polls.cast_with_code(session, budget, code, choice, now=during)
