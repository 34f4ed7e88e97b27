"""What staff do by hand: enter a bill, record its steps, link bills and consultations."""

from sqlmodel import Session, select
from starlette.testclient import TestClient

from bills.models import Bill, BillAction, BillArticle, BillConsultation
from core import notify
from core.notify import Notification
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import agency_and_official, consultation

ORDINANCE = """第一條 為保障長者交通安全，特制定本自治條例。

第二條 本自治條例之主管機關為交通局。
"""


def _enter(client: TestClient, **changes: str):  # type: ignore[no-untyped-def]
    form = {
        "title": "臺北市高齡者交通安全自治條例草案",
        "number": "",
        "bill_type": "自治條例",
        "sponsors": "王小明、李大華",
        "cosponsors": "",
        "committees": "交通委員會",
        "summary": "保障長者交通安全",
        "text": ORDINANCE,
        "stage": "introduced",
        "on": "2026-10-01",
        **changes,
    }
    return post(client, "/bills/new", form, token_from="/bills/new")


def test_staff_enter_a_bill_by_hand_and_it_is_numbered_and_split_into_articles(client: TestClient, db: Session) -> None:
    sign_in(client, make_member(db, "staff@example.tw", role="legislative_staff"))
    response = _enter(client)
    assert response.status_code == 303
    bill = db.exec(select(Bill)).one()
    assert bill.source == "manual" and bill.number.startswith("M") and bill.number.endswith("-0001")
    assert bill.names("sponsors") == ["王小明", "李大華"] and bill.names("committees") == ["交通委員會"]
    articles = db.exec(select(BillArticle).where(BillArticle.bill_id == bill.id)).all()
    assert [a.heading for a in articles] == ["第一條", "第二條"]
    assert "交通局" in articles[1].proposed
    page = client.get(response.headers["location"])
    assert "臺北市高齡者交通安全自治條例草案" in page.text and 'id="art-2"' in page.text
    assert _enter(client).status_code == 303
    numbers = sorted(b.number for b in db.exec(select(Bill)))
    assert numbers[1].endswith("-0002")
    listed = client.get("/bills?source=manual")
    assert listed.text.count("臺北市高齡者交通安全自治條例草案") == 2


def test_bad_bill_entry_is_explained_and_writes_nothing(client: TestClient, db: Session) -> None:
    sign_in(client, make_member(db, "staff@example.tw", role="legislative_staff"))
    response = _enter(client, title="", on="last week", stage="decided", number="no spaces allowed")
    assert response.status_code == 400
    assert response.text.count('aria-invalid="true"') == 4
    assert db.exec(select(Bill)).all() == []
    assert _enter(client, number="A-1").status_code == 303
    again = _enter(client, number="A-1")
    assert again.status_code == 400 and len(db.exec(select(Bill)).all()) == 1


def test_only_staff_enter_bills(client: TestClient, db: Session) -> None:
    assert client.get("/bills/new", follow_redirects=False).status_code in (302, 303)
    sign_in(client, make_member(db))
    assert client.get("/bills/new").status_code == 403
    assert _enter(client).status_code == 403
    assert db.exec(select(Bill)).all() == []


def test_recording_steps_moves_the_stage_and_tells_followers(client: TestClient, db: Session) -> None:
    staff = make_member(db, "staff@example.tw", role="legislative_staff")
    follower = make_member(db, "follower@example.tw")
    sign_in(client, staff)
    _enter(client)
    bill = db.exec(select(Bill)).one()
    notify.follow(db, follower, "bill", bill.id)
    path = f"/bills/{bill.id}"
    step = post(
        client,
        f"{path}/steps",
        {"on": "2026-10-15", "stage": "in_committee", "body": "交通委員會", "text": "初審"},
        token_from=f"{path}/manage",
    )
    assert step.status_code == 303
    db.refresh(bill)
    assert bill.stage == "in_committee" and bill.last_action_on.isoformat() == "2026-10-15"
    told = db.exec(select(Notification).where(Notification.member_id == follower.id)).all()
    assert len(told) == 1 and bill.title in told[0].params
    # A step entered late (dated before the latest) joins the timeline without moving the bill back.
    late = {"on": "2026-10-05", "stage": "referred", "body": "", "text": ""}
    assert post(client, f"{path}/steps", late, token_from=f"{path}/manage").status_code == 303
    db.refresh(bill)
    assert bill.stage == "in_committee"
    assert len(db.exec(select(BillAction).where(BillAction.bill_id == bill.id)).all()) == 3
    assert len(db.exec(select(Notification).where(Notification.member_id == follower.id)).all()) == 1
    bad = post(client, f"{path}/steps", {"on": "", "stage": "nope"}, token_from=f"{path}/manage")
    assert bad.status_code == 400 and bad.text.count('aria-invalid="true"') == 2
    assert "初審" in client.get(path).text


def test_imported_bills_take_their_steps_from_official_data_only(client: TestClient, db: Session) -> None:
    from tests.bills.test_routes import _bills

    bill = _bills(db)["114-hr-22"]
    sign_in(client, make_member(db, "staff@example.tw", role="legislative_staff"))
    before = len(db.exec(select(BillAction).where(BillAction.bill_id == bill.id)).all())
    manage = client.get(f"/bills/{bill.id}/manage")
    assert manage.status_code == 200 and "/steps" not in manage.text
    refused = post(client, f"/bills/{bill.id}/steps", {"on": "2026-01-01", "stage": "vetoed"}, token_from="/bills")
    assert refused.status_code == 400
    assert len(db.exec(select(BillAction).where(BillAction.bill_id == bill.id)).all()) == before


def test_bills_and_consultations_link_both_ways(client: TestClient, db: Session) -> None:
    from tests.bills.test_routes import _bills

    bill = _bills(db)["202103161290000"]
    consultation(db, slug="ltc")
    _agency, official = agency_and_official(db, "moi")
    consultation(db, slug="other", agency_slug="moi")
    sign_in(client, official)
    path = f"/bills/{bill.id}"
    manage = client.get(f"{path}/manage")
    # An official sees only their own agency's consultations to link, and cannot link another's.
    assert 'value="other"' in manage.text and 'value="ltc"' not in manage.text
    refused = post(client, f"{path}/consultations", {"consultation": "ltc"}, token_from=f"{path}/manage")
    assert refused.status_code == 403 and db.exec(select(BillConsultation)).all() == []
    assert post(client, f"{path}/consultations", {"consultation": "nowhere"}, token_from=path).status_code == 400
    linked = post(client, f"{path}/consultations", {"consultation": "other"}, token_from=f"{path}/manage")
    assert linked.status_code == 303
    assert post(client, f"{path}/consultations", {"consultation": "other"}, token_from=path).status_code == 303
    assert len(db.exec(select(BillConsultation)).all()) == 1
    assert "/c/other" in client.get(path).text
    assert f"/bills/{bill.id}" in client.get("/c/other").text
    assert f"/bills/{bill.id}" not in client.get("/c/ltc").text
    api = client.get(f"/api/v1/bills/{bill.id}").json()
    assert [c["slug"] for c in api["consultations"]] == ["other"]
    unlinked = post(client, f"{path}/consultations/other/unlink", {}, token_from=f"{path}/manage")
    assert unlinked.status_code == 303 and db.exec(select(BillConsultation)).all() == []


def test_citizens_cannot_link(client: TestClient, db: Session) -> None:
    from tests.bills.test_routes import _bills

    bill = _bills(db)["202103161290000"]
    consultation(db, slug="ltc")
    sign_in(client, make_member(db))
    assert client.get(f"/bills/{bill.id}/manage").status_code == 403
    response = post(client, f"/bills/{bill.id}/consultations", {"consultation": "ltc"}, token_from="/bills")
    assert response.status_code == 403 and db.exec(select(BillConsultation)).all() == []


def test_staff_analyse_a_bills_comments_and_the_dashboard_shows_the_top_themes(client: TestClient, db: Session) -> None:
    from tests.bills.test_routes import _bills

    bill = _bills(db)["1010528070203000"]
    path = f"/bills/{bill.id}"
    texts = ["代理人身分應該限制", "限制代理人身分可避免利益衝突", "代理人身分的限制太嚴格", "建築師公會支持限制代理人"]
    for i, text in enumerate(texts):
        sign_in(client, make_member(db, f"c{i}@example.tw"))
        form = {"article": "1", "stance": "support", "text": text, "amendment": ""}
        assert post(client, f"{path}/comments", form, token_from=path).status_code == 303
        client.cookies.clear()
    assert client.get(f"{path}/analysis.json").status_code == 404
    sign_in(client, make_member(db, "staff@example.tw", role="legislative_staff"))
    assert "/analysis#theme-" not in client.get(f"{path}/dashboard").text
    assert post(client, f"{path}/analysis/run", {"k": "1"}, token_from=f"{path}/analysis").status_code == 303
    dashboard = client.get(f"{path}/dashboard")
    assert f"{path}/analysis#theme-" in dashboard.text and "代理人" in dashboard.text
    assert post(client, f"{path}/analysis/publish", {}, token_from=f"{path}/analysis").status_code == 303
    client.cookies.clear()
    data = client.get(f"{path}/analysis.json").json()
    assert data["counts"]["comments"] == 4 and len(data["themes"]) == 1
    assert f"{path}/analysis" in client.get(path).text
