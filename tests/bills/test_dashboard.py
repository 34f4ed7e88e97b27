"""The legislative staff's dashboard of a bill: feedback from the bill and its linked consultations,
each source counted; charts on dated axes beside tables of the same numbers; the staff CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

from sqlmodel import Session
from starlette.testclient import TestClient

from bills import links, manual, services
from bills.models import Bill
from core import charts
from core.accounts import Member, Role
from feedback import comments, subjects
from feedback.models import Comment
from tests.helpers import make_member, sign_in
from tests.participation.factories import consultation

TEXT = """第十三條 照顧服務員應經訓練。

第十三條之一 照顧服務員之薪資不得低於基準。
"""


def _bill(db: Session) -> Bill:
    entered = manual.ManualBill(
        title="長期照顧服務法第十三條修正草案", number="", bill_type="法律", sponsors="王委員", cosponsors="",
        committees="社會福利及衛生環境委員會", summary="", text=TEXT, stage="introduced", on="2026-02-01",
    )  # fmt: skip
    return manual.create_bill(db, entered)


def _on(db: Session, comment: Comment, when: datetime) -> None:
    comment.created_at = when
    db.add(comment)
    db.commit()


def _setup(db: Session) -> tuple[Bill, Member]:
    """A bill with three comments over two days (one late in the evening, UTC), and a linked
    consultation with two more."""
    bill = _bill(db)
    staff = make_member(db, "staff@example.tw", role="legislative_staff", name="國會助理")
    wang, chen = make_member(db, "wang@example.tw", name="王小明"), make_member(db, "chen@example.tw", name="陳大文")
    first = services.comment_on_bill(db, bill, wang, "support", "應經訓練", 1, "")
    second = services.comment_on_bill(db, bill, chen, "oppose", "薪資基準太低", 2, "")
    third = services.comment_on_bill(db, bill, chen, "support", "整體支持", None, "")
    _on(db, first, datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    _on(db, second, datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    _on(db, third, datetime(2026, 3, 9, 17, 0, tzinfo=UTC))  # 01:00 on 10 March in Taipei, the site's time zone
    draft = consultation(db, slug="ltc")
    links.link(db, bill, "ltc", staff, {Role.legislative_staff})
    linked = subjects.get(db, "consultation", draft.id)
    assert linked is not None
    on_draft = comments.submit(db, linked, wang, "amend", "喘息服務應增加", 2, "喘息服務每年以三十日為上限。")
    _on(db, on_draft, datetime(2026, 3, 9, 1, 0, tzinfo=UTC))
    _on(db, comments.submit(db, linked, chen, "oppose", "反對", None, ""), datetime(2026, 3, 9, 2, 0, tzinfo=UTC))
    return bill, staff


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start : page.index("</section>", start)]


def _numbers(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(?:<a [^>]*>)?([0-9,]+)", html)


def test_the_dashboard_counts_the_bill_and_its_linked_consultations_each_shown(client: TestClient, db: Session) -> None:
    bill, staff = _setup(db)
    sign_in(client, staff)
    page = client.get(f"/bills/{bill.id}/dashboard")
    assert page.status_code == 200
    sources = _section(page.text, "sources-title")
    rows = re.findall(r"<tr>(.*?)</tr>", sources, re.S)[1:]
    # The bill: 3 comments (2 support, 1 oppose); the consultation: 2 (1 oppose, 1 amendment); in all 5.
    assert _numbers(rows[0]) == ["3", "2", "1", "0", "0"] and f'href="/bills/{bill.id}/comments"' in rows[0]
    assert _numbers(rows[1]) == ["2", "0", "1", "0", "1"] and 'href="/c/ltc/comments"' in rows[1]
    assert _numbers(rows[2]) == ["5", "2", "2", "0", "1"]


def test_feedback_over_time_is_drawn_on_a_dated_axis_beside_a_table_of_the_same_numbers(
    client: TestClient, db: Session
) -> None:
    bill, staff = _setup(db)
    sign_in(client, staff)
    over_time = _section(client.get(f"/bills/{bill.id}/dashboard").text, "over-time")
    svg = over_time[over_time.index("<svg") : over_time.index("</svg>")]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    # Days in Taipei: 2 March (2 on the bill), 9 March (2 on the consultation), 10 March (1 on the bill).
    bars = re.findall(r"<rect [^>]*><title>(.*?)：(\d+)</title>", svg)
    assert bars == [("2026年3月2日", "2"), ("2026年3月9日", "2"), ("2026年3月10日", "1")]
    table = over_time[over_time.index("<table") :]
    rows = re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    assert [(day, _numbers(cells)) for day, cells in rows] == [
        ("2026年3月2日", ["2", "0", "2"]),
        ("2026年3月9日", ["0", "2", "2"]),
        ("2026年3月10日", ["1", "0", "1"]),
    ]
    # The axis is dated in the reader's language: nine days leave no room for a label a day, so a
    # tick each Monday (2 March 2026 is one).
    ticks = re.findall(r'<text [^>]*text-anchor="middle">(.*?)</text>', svg)
    assert ticks == ["2026年3月2日", "2026年3月9日"]
    english = client.get(f"/bills/{bill.id}/dashboard", headers={"Accept-Language": "en"}).text
    assert re.search(r'text-anchor="middle">2 Mar 2026</text>', english)


def test_positions_by_article_are_drawn_with_the_laws_labels_and_tabled(client: TestClient, db: Session) -> None:
    bill, staff = _setup(db)
    sign_in(client, staff)
    heat = _section(client.get(f"/bills/{bill.id}/dashboard").text, "heat")
    svg = heat[heat.index("<svg") : heat.index("</svg>")]
    drawn = re.findall(r'class="bar bar--(\w+)"><title>(.*?)：\S+ (\d+)</title>', svg)
    assert drawn == [("support", "整個法案", "1"), ("support", "第十三條", "1"), ("oppose", "第十三條之一", "1")]
    rows = dict(re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', heat[heat.index("<table") :], re.S))
    assert {label: _numbers(cells) for label, cells in rows.items()} == {
        "整個法案": ["1", "0", "0", "0"],
        "第十三條": ["1", "0", "0", "0"],
        "第十三條之一": ["0", "1", "0", "0"],
    }


def test_the_staff_csv_uses_the_laws_article_labels_and_the_names_the_pages_show(
    client: TestClient, db: Session
) -> None:
    bill, staff = _setup(db)
    path = f"/bills/{bill.id}/dashboard.csv"
    sign_in(client, make_member(db, "citizen@example.tw"))
    assert client.get(path).status_code == 403
    client.cookies.clear()
    sign_in(client, staff)
    assert f'href="{path}"' in client.get(f"/bills/{bill.id}/dashboard").text
    rows = list(csv.DictReader(io.StringIO(client.get(path).text.lstrip("\ufeff"))))
    assert [(r["source"], r["author"], r["article_label"], r["stance"]) for r in rows] == [
        ("bill", "王小明", "第十三條", "support"),
        ("bill", "陳大文", "第十三條之一", "oppose"),
        ("bill", "陳大文", "", "support"),
        ("consultation", "王小明", "第二條", "amend"),
        ("consultation", "陳大文", "", "oppose"),
    ]
    assert rows[3]["source_title"] and rows[0]["article"] == "1" and rows[1]["article"] == "2"
    # The public open data keeps its pseudonyms.
    public = list(csv.DictReader(io.StringIO(client.get(f"/bills/{bill.id}/comments.csv").text.lstrip("\ufeff"))))
    assert all(r["author"].startswith("p-") for r in public) and public[1]["article_label"] == "第十三條之一"


def test_date_ticks_step_from_days_to_months_as_the_span_grows() -> None:
    assert charts.date_ticks(date(2026, 3, 2), date(2026, 3, 4), 576) == [date(2026, 3, d) for d in (2, 3, 4)]
    weekly = charts.date_ticks(date(2026, 3, 4), date(2026, 3, 31), 576)
    assert weekly and all(d.weekday() == 0 for d in weekly) and weekly[0] == date(2026, 3, 9)
    monthly = charts.date_ticks(date(2025, 11, 20), date(2026, 6, 3), 576)
    assert monthly and all(d.day == 1 for d in monthly) and len(monthly) <= 576 // charts.TICK_ROOM
    assert charts.nice_step(7) == 2 and charts.nice_step(130) == 50 and charts.nice_step(0) == 1


def test_a_new_comment_shows_at_once_on_the_dashboard_it_was_counted_for(client: TestClient, db: Session) -> None:
    # The per-day counts are kept between views until a comment on that source changes.
    bill, staff = _setup(db)
    sign_in(client, staff)
    before = _section(client.get(f"/bills/{bill.id}/dashboard").text, "over-time")
    assert "2026年3月2日：2" in before
    wang = make_member(db, "lin@example.tw", name="林美玲")
    services.comment_on_bill(db, bill, wang, "oppose", "第十三條之一應刪除", 2, "")
    after = _section(client.get(f"/bills/{bill.id}/dashboard").text, "over-time")
    today = re.findall(r"<rect [^>]*><title>(.*?)：(\d+)</title>", after)
    assert len(today) == 4 and today[-1][1] == "1" and today[-1][0] not in {"2026年3月2日", "2026年3月9日"}
