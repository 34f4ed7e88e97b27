"""A bill's feedback by legislator's district, for legislative staff only: one district against
everywhere else with small numbers hidden, a district's busiest bills, and the bill's places by
district in the API (with the linked consultation's comments)."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from bills import links, manual
from bills.models import Bill
from core.db import pk
from tests.feedback.test_places import add_comments, insert_places
from tests.helpers import make_member, sign_in
from tests.participation.factories import agency_and_official, consultation

LAW = """第一條 本法依長期照顧服務法訂定之。

第二條 喘息服務每年以二十一日為上限。
"""
BEITOU = "63000120"  # wholly in 臺北市第1選舉區
SHILIN_IN_ONE = "63000110027"  # a 士林區 village in the 1st district; the rest of 士林 is in the 2nd
SHILIN = "63000110"  # 士林區 given without a village: split, so in no district
DAAN = "63000030"  # 臺北市第6選舉區


@pytest.fixture
def bill(db: Session) -> Bill:
    insert_places(db)
    made = manual.create_bill(db, manual.ManualBill(title="長期照顧服務法修正草案", text=LAW, on="2026-10-01"))
    add_comments(db, "bill", pk(made), BEITOU, 6, article=1, stance="support")
    add_comments(db, "bill", pk(made), BEITOU, 2, article=1, stance="oppose")
    add_comments(db, "bill", pk(made), SHILIN_IN_ONE, 5, article=1, stance="neutral")
    add_comments(db, "bill", pk(made), SHILIN_IN_ONE, 3, article=2, stance="amend")
    add_comments(db, "bill", pk(made), DAAN, 7, article=1, stance="support")
    add_comments(db, "bill", pk(made), SHILIN, 2, article=1, stance="oppose")
    return made


STAFF_ONLY = {"legislative_staff", "admin"}


@pytest.mark.parametrize("role", ["anonymous", "citizen", "agency_official", "moderator", "legislative_staff", "admin"])
def test_only_legislative_staff_see_districts(client: TestClient, db: Session, bill: Bill, role: str) -> None:
    if role == "agency_official":
        agency, _official = agency_and_official(db)
        sign_in(client, make_member(db, "o@example.tw", role=role, agency=agency))
    elif role != "anonymous":
        sign_in(client, make_member(db, f"{role}@example.tw", role=role))
    for path in (f"/bills/{bill.id}/districts?district=63000-01", "/districts", "/districts/63000-01"):
        answer = client.get(path)
        if role in STAFF_ONLY:
            assert answer.status_code == 200, path
        elif role == "anonymous":
            assert answer.status_code == 303 and answer.headers["location"].startswith("/signin"), path
        else:
            assert answer.status_code == 403, path
    # the places by district, like every places page, are as public as the bill
    assert client.get(f"/bills/{bill.id}/places?level=constituency").status_code == 200


def test_a_district_against_everywhere_else_hides_what_would_give_a_small_number_away(
    client: TestClient, db: Session, bill: Bill
) -> None:
    sign_in(client, make_member(db, "staff@example.tw", role="legislative_staff"))
    page = client.get(f"/bills/{bill.id}/districts?district=63000-01")
    assert page.status_code == 200
    text = page.text
    assert "16 則意見，來自 16 人" in text  # 北投's 8 and the 士林 village's 8
    first = text.split("第一條</th>")[1].split("</tr>")[0]
    # 6 support shown beside everywhere else's 7; 2 oppose hidden, and 5 neutral with them
    assert "6 <span" in first and "/ 7" in first
    assert first.count("人數過少，不顯示") == 2
    assert client.get(f"/bills/{bill.id}/districts?district=99999-01").status_code == 404
    few = client.get(f"/bills/{bill.id}/districts?district=63000-02")
    assert "少於5位" in few.text  # 士林 without a village counts in no district


def test_a_districts_page_lists_the_bills_with_the_most_feedback_from_it(
    client: TestClient, db: Session, bill: Bill
) -> None:
    quiet = manual.create_bill(db, manual.ManualBill(title="安靜的法案", text=LAW, on="2026-10-01"))
    add_comments(db, "bill", pk(quiet), BEITOU, 4)
    sign_in(client, make_member(db, "staff@example.tw", role="legislative_staff"))
    page = client.get("/districts/63000-01")
    assert "長期照顧服務法修正草案" in page.text and "安靜的法案" not in page.text  # 4 people: not listed
    assert "北投區" in page.text
    assert client.get("/districts/nowhere").status_code == 404
    assert "臺北市第1選舉區" in client.get("/districts").text


def test_a_bills_places_count_its_linked_consultations_comments(client: TestClient, db: Session, bill: Bill) -> None:
    _agency, official = agency_and_official(db)
    ltc = consultation(db)
    add_comments(db, "consultation", pk(ltc), BEITOU, 5)
    before = client.get(f"/api/v1/bills/{bill.id}/places?level=constituency").json()
    assert {p["code"]: p["people"] for p in before["places"]}["63000-01"] == 16
    links.link(db, bill, "ltc", official, {"agency_official"})
    after = client.get(f"/api/v1/bills/{bill.id}/places?level=constituency").json()
    assert after["level"] == "constituency"
    assert {p["code"]: p["people"] for p in after["places"]}["63000-01"] == 21
    assert client.get(f"/api/v1/bills/{bill.id}/places?level=village").status_code == 400
