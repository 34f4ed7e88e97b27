"""Signatures count only from verified e-mail addresses: the site's sign-up verifies by its link,
other accounts ask for a link from their profile; until then a signature is kept, pending, and
left out of every count; verifying counts it, and crossing the threshold then starts the clock."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import timedelta

from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts, notify
from core.accounts import EmailVerification
from core.db import pk, utcnow
from core.settings import Settings
from participation import proposals
from participation.models import Proposal, Signature
from tests.helpers import PASSWORD, make_member, post, sign_in

EN = {"Accept-Language": "en"}
LINK = re.compile(r"/email/verify/([A-Za-z0-9_-]+)")


def _proposal(db: Session, settings: Settings, threshold: int = 2) -> Proposal:
    agency = accounts.create_agency(db, "mohw", "衛生福利部")
    make_member(db, "official@mohw.example.tw", role="agency_official", agency=agency, name="承辦人")
    proposal = proposals.submit(
        db, make_member(db, "author@example.tw", name="提案人"), agency, "設立照顧者津貼", "津貼"
    )
    proposals.review(db, proposal, replace(settings, proposal_threshold=threshold), True, "")
    return proposal


def _link_sent_to(db: Session, address: str) -> str:
    mails = db.exec(select(notify.OutboxEmail).where(notify.OutboxEmail.to_address == address)).all()
    found = [m for m in mails if LINK.search(m.body)]
    assert found, f"no verification link was sent to {address}"
    match = LINK.search(found[-1].body)
    assert match
    return match.group(1)


def test_the_sites_sign_up_verifies_and_other_accounts_start_unverified(client: TestClient, db: Session) -> None:
    _email, token = accounts.request_sign_up(db, "joining@example.tw", PASSWORD, "新會員")
    assert token is not None
    assert post(client, f"/signup/confirm/{token}", {}, token_from=f"/signup/confirm/{token}").status_code == 303
    joined = accounts.find_member_by_email(db, "joining@example.tw")
    assert joined is not None and joined.email_verified_at is not None
    made_by_hand = accounts.sign_up(db, "cli@example.tw", PASSWORD, "命令列")  # the CLI, imports, the demo
    assert made_by_hand.email_verified_at is None


def test_an_unverified_signature_is_pending_and_counted_nowhere(
    client: TestClient, db: Session, settings: Settings
) -> None:
    proposal = _proposal(db, settings, threshold=5)
    proposals.sign(db, proposal, make_member(db, "counted@example.tw"), settings)
    waiting = make_member(db, "waiting@example.tw", verified=False)
    sign_in(client, waiting)
    path = f"/proposals/{proposal.id}"
    assert post(client, f"{path}/sign", {}, token_from=path).status_code == 303
    page = client.get(path, headers=EN).text
    assert "Your signature is pending until you confirm your e-mail address; we sent you a link." in page
    assert "1 of 5 signatures" in page and "Withdraw my signature" in page
    _link_sent_to(db, waiting.email)
    assert proposals.signature_count(db, proposal) == 1
    assert proposals.signature_counts(db, [pk(proposal)]) == {pk(proposal): 1}
    assert client.get(f"/api/v1/proposals/{proposal.id}").json()["signatures"] == 1
    assert client.get("/api/v1/proposals").json()["items"][0]["signatures"] == 1
    rows = list(csv.DictReader(io.StringIO(client.get("/proposals.csv").text.lstrip("\ufeff"))))
    assert rows[0]["signatures"] == "1"
    assert [n for p, n in proposals.collecting(db) if p.id == proposal.id] == [1]  # the home page's list


def test_verifying_counts_the_pending_signature_and_crossing_the_threshold_starts_the_clock(
    client: TestClient, db: Session, settings: Settings
) -> None:
    proposal = _proposal(db, settings, threshold=2)
    proposals.sign(db, proposal, make_member(db, "counted@example.tw"), settings)
    waiting = make_member(db, "waiting@example.tw", verified=False)
    assert proposals.sign(db, proposal, waiting, settings) is False  # pending: not the one that reaches it
    db.refresh(proposal)
    assert proposal.threshold_reached_at is None
    sign_in(client, waiting)
    assert post(client, "/profile/verify", {}, token_from="/profile").status_code == 303
    token = _link_sent_to(db, waiting.email)
    assert "Confirm your e-mail address" in client.get(f"/email/verify/{token}", headers=EN).text  # a GET only asks
    db.refresh(waiting)
    assert waiting.email_verified_at is None
    confirmed = post(client, f"/email/verify/{token}", {}, token_from=f"/email/verify/{token}")
    assert confirmed.status_code == 303
    db.refresh(waiting)
    db.refresh(proposal)
    assert waiting.email_verified_at is not None
    assert proposals.signature_count(db, proposal) == 2
    assert proposal.threshold_reached_at is not None and proposal.response_due_at is not None
    assert [e.kind for e in proposals.history(db, proposal)][-1] == "threshold_reached"
    told = db.exec(select(notify.Notification).where(notify.Notification.member_id == proposal.author_id)).all()
    assert any("reached its signature threshold" in n.message for n in told)
    # The link works once.
    again = post(client, f"/email/verify/{token}", {}, token_from="/profile")
    assert again.status_code == 404
    assert "此連結已過期或已使用過" in again.text


def test_a_link_expires_and_speaks_only_for_the_address_it_was_sent_to(client: TestClient, db: Session) -> None:
    member = make_member(db, "old@example.tw", verified=False)
    expired = accounts.start_email_verification(db, member)
    row = db.exec(select(EmailVerification)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.add(row)
    db.commit()
    assert client.get(f"/email/verify/{expired}").status_code == 404
    moved = accounts.start_email_verification(db, member)
    member.email = "new@example.tw"  # an address changed after the link went out
    db.add(member)
    db.commit()
    assert client.get(f"/email/verify/{moved}").status_code == 404
    assert post(client, f"/email/verify/{moved}", {}, token_from="/signin").status_code == 404
    db.refresh(member)
    assert member.email_verified_at is None
    assert db.exec(select(EmailVerification.token_hash)).all() != [moved]  # only the hash is stored


def test_a_pending_signature_can_be_withdrawn_and_a_counted_one_not_past_the_threshold(
    client: TestClient, db: Session, settings: Settings
) -> None:
    proposal = _proposal(db, settings, threshold=1)
    waiting = make_member(db, "waiting@example.tw", verified=False)
    path = f"/proposals/{proposal.id}"
    sign_in(client, waiting)
    assert post(client, f"{path}/withdraw", {}, token_from=path).status_code == 400  # not signed yet
    post(client, f"{path}/sign", {}, token_from=path)
    withdrawn = post(client, f"{path}/withdraw", {}, token_from=path)
    assert withdrawn.status_code == 303
    assert "Your signature is withdrawn." in client.get(path, headers=EN).text
    assert db.exec(select(Signature)).all() == []
    counted = make_member(db, "counted@example.tw")
    proposals.sign(db, proposal, counted, settings)  # reaches the threshold of 1
    sign_in(client, counted)
    refused = post(client, f"{path}/withdraw", {}, token_from=path, headers=EN)
    assert refused.status_code == 400 and "can no longer be withdrawn" in refused.text
    assert proposals.signature_count(db, proposal) == 1


def test_the_profile_says_whether_the_address_is_confirmed(client: TestClient, db: Session) -> None:
    waiting = make_member(db, "waiting@example.tw", verified=False)
    sign_in(client, waiting)
    page = client.get("/profile", headers=EN).text
    assert "Your e-mail address is not confirmed yet." in page and 'action="/profile/verify"' in page
    accounts.mark_email_verified(db, waiting)
    page = client.get("/profile", headers=EN).text
    assert "Your e-mail address is confirmed." in page and 'action="/profile/verify"' not in page


def test_the_proposal_page_says_its_title_once(client: TestClient, db: Session, settings: Settings) -> None:
    agency = accounts.create_agency(db, "mohw", "衛生福利部")
    author = make_member(db, "author@example.tw")
    titled = proposals.submit(db, author, agency, "設立照顧者津貼", "# 設立照顧者津貼\n\n每月五千元。")
    plain = proposals.submit(db, author, agency, "增加喘息服務", "每年三十日。")
    for proposal in (titled, plain):
        proposals.review(db, proposal, settings, True, "")
    page = client.get(f"/proposals/{titled.id}").text
    assert page.count(">設立照顧者津貼</h1>") == 1 and "每月五千元。" in page
    other = client.get(f"/proposals/{plain.id}", headers=EN).text
    assert re.findall(r"<h[12][^>]*>(.*?)</h[12]>", other)[:2] == ["增加喘息服務", "Signatures"]
    assert "<h2>The proposal</h2>" in other


def test_a_pending_signatures_receipt_says_it_waits_for_the_address(
    client: TestClient, db: Session, settings: Settings
) -> None:
    proposal = _proposal(db, settings, threshold=5)
    waiting = make_member(db, "waiting@example.tw", verified=False)
    proposals.sign(db, proposal, waiting, settings)
    sign_in(client, waiting)
    assert "Pending: counted once the signer&#39;s e-mail address is confirmed" in client.get("/me", headers=EN).text
    accounts.mark_email_verified(db, waiting)
    page = client.get("/me", headers=EN).text
    assert "Pending: counted" not in page and "Collecting signatures" in page
