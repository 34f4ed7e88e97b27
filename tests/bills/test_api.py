"""Bills in the JSON API."""

from sqlmodel import Session
from starlette.testclient import TestClient

from tests.bills.test_routes import _bills
from tests.helpers import make_member, post, sign_in


def test_the_bill_list_pages_and_filters(client: TestClient, db: Session) -> None:
    bills = _bills(db)
    everything = client.get("/api/v1/bills").json()
    assert everything["total"] == len(bills) == 3
    assert {b["number"] for b in everything["items"]} == set(bills)
    first = client.get("/api/v1/bills?per_page=2").json()
    second = client.get("/api/v1/bills?per_page=2&page=2").json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and first["total"] == 3
    assert {b["number"] for b in first["items"] + second["items"]} == set(bills)
    us = client.get("/api/v1/bills?source=us-congress").json()
    assert [(b["number"], b["stage"]) for b in us["items"]] == [("114-hr-22", "enacted")] and us["total"] == 1
    assert client.get("/api/v1/bills?committee=內政委員會").json()["total"] >= 1
    bad = client.get("/api/v1/bills?stage=decided")
    assert bad.status_code == 400 and "/stages" in bad.json()["error"]["message"]
    assert client.get("/api/v1/bills?source=senate").status_code == 400
    assert client.get("/api/v1/bills?per_page=1000").status_code == 400


def test_one_bill_carries_its_timeline_articles_and_feedback(client: TestClient, db: Session) -> None:
    bill = _bills(db)["1010528070203000"]
    sign_in(client, make_member(db))
    form = {"article": "1", "stance": "support", "text": "贊成", "amendment": ""}
    assert post(client, f"/bills/{bill.id}/comments", form, token_from=f"/bills/{bill.id}").status_code == 303
    data = client.get(f"/api/v1/bills/{bill.id}").json()
    assert data["number"] == "1010528070203000" and data["comments"] == 1
    assert data["articles"][0]["number"] == 1 and data["articles"][0]["feedback"] == {"support": 1}
    assert data["articles"][0]["current"] and data["articles"][0]["proposed"]
    assert isinstance(data["actions"], list)
    missing = client.get("/api/v1/bills/424242")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/bills" in spec["paths"] and "/api/v1/bills/{bill_id}" in spec["paths"]
