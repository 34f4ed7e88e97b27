"""Bill pages through the real app: list and filters, a bill's timeline and text, comments."""

import csv
import io
import re

from sqlmodel import Session, select
from starlette.testclient import TestClient

from bills import importing, services
from bills.models import Bill
from feedback.models import Comment
from tests.bills.test_import import BILL_DOC, LEGACY_XML, LY_RECORD
from tests.helpers import make_member, post, sign_in


def _bills(db: Session) -> dict[str, Bill]:
    for record in (
        importing.parse_ly_api(LY_RECORD),
        importing.parse_ly_bill_doc(BILL_DOC, "1010528070203000"),
        importing.parse_billstatus(LEGACY_XML.encode()),
    ):
        importing.upsert(db, record)
    db.commit()
    return {b.number: b for b in db.exec(select(Bill))}


def test_the_list_filters_by_stage_source_committee_and_sponsor(client: TestClient, db: Session) -> None:
    _bills(db)
    page = client.get("/bills")
    assert page.status_code == 200 and "FAST Act" in page.text and "建築法" in page.text
    assert "FAST Act" not in client.get("/bills?source=tw-ly").text
    only = client.get("/bills?stage=enacted")
    assert "FAST Act" in only.text and "建築法" not in only.text
    assert "建築法" in client.get("/bills?committee=內政委員會").text
    assert (
        "建築法" in client.get("/bills?sponsor=賴瑞隆").text and "FAST" not in client.get("/bills?sponsor=賴瑞隆").text
    )
    partial = client.get("/bills?stage=referred", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="bill-rows">')
    assert client.get("/bills?stage=nonsense").status_code == 400
    assert client.get("/bills?since=yesterday").status_code == 400
    rows = list(csv.DictReader(io.StringIO(client.get("/bills.csv?source=us-congress").text.lstrip("\ufeff"))))
    assert [(r["number"], r["stage"]) for r in rows] == [("114-hr-22", "enacted")]


def test_a_bill_shows_its_timeline_text_and_stage(client: TestClient, db: Session) -> None:
    bills = _bills(db)
    ly = client.get(f"/bills/{bills['202103161290000'].id}")
    assert ly.status_code == 200
    assert "交付委員會審查" in ly.text and "內政委員會" in ly.text and "2023-05-30" in ly.text
    doc = client.get(f"/bills/{bills['1010528070203000'].id}")
    assert 'id="art-1"' in doc.text and "<ins>" in doc.text and "限制代理人身分。" in doc.text
    assert client.get("/bills/99999").status_code == 404
    stages_page = client.get("/stages")
    assert 'id="stage-second_reading"' in stages_page.text and "逕付二讀" in stages_page.text


def test_a_bill_text_folds_to_its_article_headings(client: TestClient, db: Session) -> None:
    bill = _bills(db)["1010528070203000"]
    folded = client.get(f"/bills/{bill.id}?draft=headings")
    assert folded.status_code == 200
    assert 'id="art-1"' in folded.text and "閱讀本條" in folded.text
    assert "<ins>" not in folded.text and "限制代理人身分。" not in folded.text  # headings only


def test_comments_on_a_bill_article_use_the_one_comment_mechanism(client: TestClient, db: Session) -> None:
    bills = _bills(db)
    doc = bills["1010528070203000"]
    member = make_member(db)
    sign_in(client, member)
    path = f"/bills/{doc.id}"
    response = post(
        client,
        f"{path}/comments",
        {
            "article": "1",
            "stance": "amend",
            "text": "應可委託成年子女",
            "amendment": "第二十七條　得書面委託配偶或成年子女代理出席。",
        },
        token_from=path,
    )
    assert response.status_code == 303
    comment = db.exec(select(Comment)).one()
    assert (comment.subject_kind, comment.subject_id, comment.article) == ("bill", doc.id, 1)
    assert "應可委託成年子女" in client.get(path).text
    bad = post(client, f"{path}/comments", {"article": "9", "stance": "support", "text": "x"}, token_from=path)
    assert bad.status_code == 400 and "草案中沒有這個條文。" in bad.text
    enacted = bills["114-hr-22"]
    closed = post(client, f"/bills/{enacted.id}/comments", {"stance": "support", "text": "好"}, token_from=path)
    assert closed.status_code == 400 and "不再開放意見" in closed.text
    assert len(db.exec(select(Comment)).all()) == 1
    assert services.feedback_counts(db, [doc.id]) == {doc.id: 1}  # type: ignore[list-item]


def test_following_a_bill(client: TestClient, db: Session) -> None:
    bill = _bills(db)["114-hr-22"]
    sign_in(client, make_member(db))
    assert post(client, "/follow", {"kind": "bill", "id": str(bill.id)}).status_code == 303
    assert "FAST Act" in client.get("/profile").text


def test_the_staff_dashboard(client: TestClient, db: Session) -> None:
    doc = _bills(db)["1010528070203000"]
    citizen = make_member(db, "c@example.tw")
    services.comment_on_bill(db, doc, citizen, "amend", "改為成年子女", 1, "第二十七條　得書面委託成年子女代理出席。")
    services.comment_on_bill(db, doc, citizen, "oppose", "反對", 1, "")
    path = f"/bills/{doc.id}/dashboard"
    sign_in(client, citizen)
    assert client.get(path).status_code == 403
    client.cookies.clear()
    sign_in(client, make_member(db, "staff@example.tw", role="legislative_staff"))
    page = client.get(path)
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="heat-4"' in page.text and "成年子女" in page.text and "<ins>" in page.text
    rows = list(csv.DictReader(io.StringIO(client.get(f"/bills/{doc.id}/comments.csv").text.lstrip("\ufeff"))))
    assert [r["stance"] for r in rows] == ["amend", "oppose"] and rows[0]["author"].startswith("p-")


def test_a_bill_has_an_atom_feed_of_its_timeline(client: TestClient, db: Session) -> None:
    import xml.etree.ElementTree as ET

    bill = _bills(db)["202103161290000"]
    feed = client.get(f"/bills/{bill.id}/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    titles = [
        e.findtext("{http://www.w3.org/2005/Atom}title")
        for e in ET.fromstring(feed.content).iter("{http://www.w3.org/2005/Atom}entry")
    ]
    assert titles == ["交付委員會審查", "排入院會", "排入院會"]
    assert client.get("/bills/424242/feed.atom").status_code == 404


def test_related_bills_link_to_each_other(client: TestClient, db: Session) -> None:
    importing.upsert(
        db, importing.parse_ly_api(dict(LY_RECORD, 關連議案=[{"billNo": "999"}, {"billNo": "1010528070203000"}]))
    )
    importing.upsert(db, importing.parse_ly_bill_doc(BILL_DOC, "1010528070203000"))
    db.commit()
    bill = db.exec(select(Bill).where(Bill.number == "202103161290000")).one()
    other = db.exec(select(Bill).where(Bill.number == "1010528070203000")).one()
    page = client.get(f"/bills/{bill.id}")
    assert f'href="/bills/{other.id}"' in page.text and "999" in page.text


def test_staff_publish_a_structured_response_to_a_bills_feedback(client: TestClient, db: Session) -> None:
    from core import notify
    from core.db import pk

    doc = _bills(db)["1010528070203000"]
    citizen = make_member(db, "c@example.tw")
    comment = services.comment_on_bill(db, doc, citizen, "oppose", "委託範圍太窄", 1, "")
    base = f"/bills/{doc.id}/response"
    sign_in(client, citizen)
    assert client.get(f"{base}/edit").status_code == 403
    assert (
        post(
            client, f"{base}/themes", {"title": "偽造", "decision": "adopted"}, token_from=f"/bills/{doc.id}"
        ).status_code
        == 403
    )
    client.cookies.clear()
    sign_in(client, make_member(db, "staff@example.tw", role="legislative_staff"))
    assert client.get(base).status_code == 404  # nothing yet
    post(
        client,
        f"{base}/themes",
        {"title": "代理人範圍", "decision": "under_consideration", "reasoning": "將與提案委員研議"},
        token_from=f"{base}/edit",
    )
    editor = client.get(f"{base}/edit")
    assert "委託範圍太窄" in editor.text
    theme_id = re.search(r'name="theme" value="(\d+)"', editor.text).group(1)  # type: ignore[union-attr]
    token = re.search(r'name="csrf_token" value="([^"]+)"', editor.text).group(1)  # type: ignore[union-attr]
    assert (
        client.post(
            f"{base}/assign", data={"csrf_token": token, "theme": theme_id, "comment": str(comment.id)}
        ).status_code
        == 303
    )
    assert post(client, f"{base}/publish", {}, token_from=f"{base}/edit").status_code == 303
    client.cookies.clear()
    public = client.get(base)
    assert public.status_code == 200 and "代理人範圍" in public.text and "研議中" in public.text
    assert "代理人範圍" in client.get(f"{base}.csv").text
    assert client.get(f"{base}.json").json()["themes"][0]["comments"] == 1
    assert [n.message for n in notify.notifications_for(db, pk(citizen))] == [
        "Legislative staff answered the feedback on “%(title)s”."
    ]
