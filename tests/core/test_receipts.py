"""Receipts and a member's activity: every contribution with what became of it, checkable by
anyone with its code, never showing who made it."""

from __future__ import annotations

import json
import re

from sqlmodel import Session
from starlette.testclient import TestClient

from core import moderation, receipts
from deliberation import services as deliberation
from feedback import responses
from participation import proposals, services
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import agency_and_official, consultation

CODE = re.compile(r'href="/receipt/([A-Z]\d+-[A-Z2-7]{8})"')


def _codes(page: str) -> list[str]:
    return CODE.findall(page)


def test_a_citizen_finds_each_comment_with_its_fate_and_anyone_checks_the_receipt(
    client: TestClient, db: Session
) -> None:
    ltc = consultation(db)
    citizen = make_member(db, "mei@example.tw", name="林美華")
    services.comment_on_consultation(db, ltc, citizen, "support", "喘息服務應該增加", 2)
    sign_in(client, citizen)
    page = client.get("/me").text
    assert "喘息服務應該增加" in page and "已收到" in page
    (code,) = _codes(page)
    client.cookies.clear()
    receipt = client.get(f"/receipt/{code}")
    assert receipt.status_code == 200 and "喘息服務應該增加" in receipt.text and "長照草案" in receipt.text
    assert "林美華" not in receipt.text and "mei@example.tw" not in receipt.text
    assert client.get(f"/receipt/{code.lower()}").status_code == 200  # typed in lower case
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert client.get(f"/receipt/{forged}").status_code == 404
    assert client.get("/receipt/not-a-code").status_code == 404
    assert client.get(f"/receipt?code={code}").headers["location"] == f"/receipt/{code}"
    api = client.get(f"/api/v1/receipts/{code}").json()
    assert api["receipt"] == code and api["status"] == "Received" and api["text"] == "喘息服務應該增加"


def test_the_fate_follows_the_answer_the_moderation_and_the_draft(client: TestClient, db: Session) -> None:
    _agency, official = agency_and_official(db)
    ltc = consultation(db, phase="closed")
    citizen = make_member(db)
    ltc_open = consultation(db, slug="open-one")
    first = services.comment_on_consultation(db, ltc_open, citizen, "support", "第一則", 2)
    hidden = services.comment_on_consultation(db, ltc_open, citizen, "oppose", "第二則", 3)
    response = responses.response_for(db, "consultation", ltc_open.id, create=True)  # type: ignore[arg-type]
    assert response is not None and ltc.id
    theme = responses.add_theme(db, response, "喘息服務天數", "adopted", "將提高到三十日")
    responses.assign(db, response, [first.id], theme)  # type: ignore[list-item]
    responses.publish(db, response, official)
    moderation.act_on_content(
        db, make_member(db, "mod@example.tw", role="moderator"), "comment", hidden.id, "hide", "人身攻擊"
    )  # type: ignore[arg-type]
    sign_in(client, citizen)
    page = client.get("/me").text
    assert "已在主題「喘息服務天數」中回應" in page and "將提高到三十日" in page and "採納" in page
    assert "已由管理員隱藏" in page and "人身攻擊" in page


def test_signatures_votes_and_statements_have_receipts_too_and_the_export_lists_them(
    client: TestClient, db: Session, settings
) -> None:  # type: ignore[no-untyped-def]
    agency, _official = agency_and_official(db)
    citizen = make_member(db)
    proposal = proposals.submit(db, make_member(db, "author@example.tw"), agency, "增設長照據點", "偏鄉需要。")
    proposals.review(db, proposal, settings, True, "")
    proposals.sign(db, proposal, citizen, settings)
    talk = deliberation.create_conversation(
        db, make_member(db, "host@example.tw", role="moderator"), "長照財源", "", ["加稅"], None
    )
    deliberation.cast_vote(db, talk, citizen, deliberation.statements_of(db, talk)[0].id, 1)  # type: ignore[arg-type]
    deliberation.add_statement(db, talk, citizen, set(), "保險比較公平")
    sign_in(client, citizen)
    page = client.get("/me").text
    assert "增設長照據點" in page and "附議中" in page  # the proposal signed, and its state
    assert "已計入議題對話：同意" in page and "保險比較公平" in page
    assert len(_codes(page)) == 3
    job = post(client, "/profile/export", {}).headers["location"]
    exported = json.loads(client.get(f"{job}/result").text)["activity"]
    assert {entry["receipt"] for entry in exported} == set(_codes(page))
    assert all(receipts.read(settings.secret_key, entry["receipt"]) for entry in exported)
