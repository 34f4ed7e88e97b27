"""Proposals: review, signing (one per member, even under concurrent clicks), threshold, deadline."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import accounts, notify
from core.db import pk, utcnow
from core.errors import Invalid
from core.jobs import Queue
from core.settings import Settings
from participation import proposals
from participation.models import Proposal, ProposalState, Signature
from tests.helpers import csrf_from, make_member, post, sign_in


def _proposal(db: Session, settings: Settings, accept: bool = True, threshold: int = 3) -> Proposal:
    agency = accounts.create_agency(db, "mohw", "衛生福利部")
    make_member(db, "official@mohw.example.tw", role="agency_official", agency=agency, name="承辦人")
    author = make_member(db, "author@example.tw", name="提案人")
    proposal = proposals.submit(db, author, agency, "設立照顧者津貼", "每月五千元。")
    if accept:
        proposals.review(db, proposal, replace(settings, proposal_threshold=threshold), True, "")
    return proposal


def test_a_proposal_waits_for_review_and_a_rejection_needs_a_reason(db: Session, settings: Settings) -> None:
    proposal = _proposal(db, settings, accept=False)
    assert proposal.state() == ProposalState.pending
    with pytest.raises(Invalid):
        proposals.review(db, proposal, settings, False, " ")
    proposals.review(db, proposal, settings, False, "不屬本部權責")
    assert proposal.state() == ProposalState.rejected
    with pytest.raises(Invalid):
        proposals.review(db, proposal, settings, True, "")  # reviewed already


def test_reaching_the_threshold_starts_the_response_clock(db: Session, settings: Settings) -> None:
    proposal = _proposal(db, settings, threshold=2)
    assert proposal.state() == ProposalState.collecting
    assert proposal.signing_ends_at is not None
    assert proposal.signing_ends_at - proposal.reviewed_at == timedelta(days=60)  # type: ignore[operator]
    proposals.sign(db, proposal, make_member(db, "a@example.tw"), settings)
    assert proposal.threshold_reached_at is None
    proposals.sign(db, proposal, make_member(db, "b@example.tw"), settings)
    db.refresh(proposal)
    assert proposal.state() == ProposalState.awaiting_response
    assert proposal.response_due_at - proposal.threshold_reached_at == timedelta(days=60)  # type: ignore[operator]
    assert proposals.clock(proposal) == proposals.Clock.on_time
    assert proposals.clock(proposal, proposal.response_due_at - timedelta(days=3)) == proposals.Clock.due_soon  # type: ignore[operator]
    assert proposals.clock(proposal, proposal.response_due_at + timedelta(seconds=1)) == proposals.Clock.overdue  # type: ignore[operator]
    assert [e.kind for e in proposals.history(db, proposal)] == ["submitted", "accepted", "threshold_reached"]


def test_one_signature_per_member(db: Session, settings: Settings) -> None:
    proposal = _proposal(db, settings)
    member = make_member(db, "a@example.tw")
    proposals.sign(db, proposal, member, settings)
    with pytest.raises(Invalid) as caught:
        proposals.sign(db, proposal, member, settings)
    assert caught.value.errors == {"": "You have signed this proposal already."}
    assert proposals.signature_count(db, proposal) == 1


def test_concurrent_clicks_make_one_signature(db: Session, settings: Settings, engine: Engine) -> None:
    proposal = _proposal(db, settings)
    member = make_member(db, "quick@example.tw")

    def click(_: int) -> str:
        with Session(engine, expire_on_commit=False) as own:
            try:
                proposals.sign(own, own.get(Proposal, proposal.id), own.get(accounts.Member, member.id), settings)  # type: ignore[arg-type]
            except Invalid:
                return "refused"
            return "signed"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(click, range(16)))
    assert outcomes.count("signed") == 1
    assert outcomes.count("refused") == 15
    assert len(db.exec(select(Signature)).all()) == 1


def test_concurrent_requests_through_the_app_make_one_signature(
    app: Starlette, client: TestClient, db: Session, settings: Settings
) -> None:
    proposal = _proposal(db, settings)
    member = make_member(db, "clicker@example.tw")
    sign_in(client, member)
    token = csrf_from(client, f"/proposals/{proposal.id}")
    cookies = dict(client.cookies)

    def click(_: int) -> int:
        with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False, cookies=cookies) as own:
            return own.post(f"/proposals/{proposal.id}/sign", data={"csrf_token": token}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(click, range(6)))
    assert codes.count(303) == 1 and codes.count(400) == 5
    assert proposals.signature_count(db, proposal) == 1


def test_signing_is_refused_before_acceptance_and_after_the_period(db: Session, settings: Settings) -> None:
    pending = _proposal(db, settings, accept=False)
    with pytest.raises(Invalid):
        proposals.sign(db, pending, make_member(db, "a@example.tw"), settings)
    proposals.review(db, pending, settings, True, "")
    pending.signing_ends_at = utcnow() - timedelta(seconds=1)
    db.add(pending)
    db.commit()
    assert pending.state() == ProposalState.expired
    with pytest.raises(Invalid):
        proposals.sign(db, pending, make_member(db, "b@example.tw"), settings)
    assert db.exec(select(Signature)).all() == []


def test_one_extension_with_a_reason_then_a_response(db: Session, settings: Settings) -> None:
    proposal = _proposal(db, settings, threshold=1)
    proposals.sign(db, proposal, make_member(db, "a@example.tw"), settings)
    db.refresh(proposal)
    due = proposal.response_due_at
    with pytest.raises(Invalid):
        proposals.extend(db, proposal, settings, "")
    proposals.extend(db, proposal, settings, "需跨部會協調")
    assert proposal.response_due_at - due == timedelta(days=30)  # type: ignore[operator]
    with pytest.raises(Invalid):
        proposals.extend(db, proposal, settings, "再延一次")
    proposals.respond(db, proposal, "本部將研議試辦。")
    assert proposal.state() == ProposalState.responded
    assert [e.kind for e in proposals.history(db, proposal)][-2:] == ["extended", "responded"]


def test_overdue_proposals_are_listed_and_agencies_reminded(db: Session, settings: Settings, engine: Engine) -> None:
    proposal = _proposal(db, settings, threshold=1)
    proposals.sign(db, proposal, make_member(db, "a@example.tw"), settings)
    db.refresh(proposal)
    proposal.response_due_at = utcnow() + timedelta(days=3)
    db.add(proposal)
    db.commit()
    queue = Queue(settings, engine)
    job = queue.submit(db, "remind_proposal_deadlines")
    db.refresh(job)
    assert job.result_data() == {"reminded": 1}
    official = accounts.find_member_by_email(db, "official@mohw.example.tw")
    assert official is not None
    assert [n.message for n in notify.notifications_for(db, pk(official))] == [
        "The response to the proposal “%(title)s” is due on %(due)s."
    ]
    again = queue.submit(db, "remind_proposal_deadlines")
    db.refresh(again)
    assert again.result_data() == {"reminded": 0}  # once per proposal
    assert proposals.overdue(db) == []
    assert proposals.overdue(db, utcnow() + timedelta(days=4)) == [proposal]


def test_the_proposal_pages(client: TestClient, db: Session, settings: Settings) -> None:
    agency = accounts.create_agency(db, "moenv", "環境部")
    author = make_member(db, "author@example.tw", name="提案人")
    sign_in(client, author)
    bad = post(client, "/proposals/new", {"agency": "", "title": "", "body": ""}, token_from="/proposals/new")
    assert bad.status_code == 400 and "請選擇提案的對象機關" in bad.text
    response = post(
        client,
        "/proposals/new",
        {"agency": "moenv", "title": "學校空品資料", "body": "請公開。"},
        token_from="/proposals/new",
    )
    assert response.status_code == 303
    proposal = db.exec(select(Proposal)).one()
    path = f"/proposals/{proposal.id}"
    assert client.get(path).status_code == 200  # the author sees it while pending
    assert "學校空品資料" not in client.get("/proposals").text
    client.cookies.clear()
    assert client.get(path).status_code == 404  # the public does not
    sign_in(client, make_member(db, "mod@example.tw", role="moderator"))
    assert "學校空品資料" in client.get("/proposals/review").text
    assert post(client, f"{path}/review", {"decision": "accept", "note": ""}, token_from=path).status_code == 303
    client.cookies.clear()
    page = client.get(path)
    assert "0 of 5,000" in client.get(path, headers={"Accept-Language": "en"}).text
    assert page.status_code == 200
    official = make_member(db, "o@example.tw", role="agency_official", agency=agency)
    sign_in(client, official)
    answered = post(client, f"{path}/answer", {"action": "respond", "response": "將研議。"}, token_from=path)
    assert answered.status_code == 303
    db.refresh(proposal)
    assert proposal.state() == ProposalState.responded


def test_the_proposal_page_shows_progress_at_any_count_and_its_deadlines_as_countdowns(
    client: TestClient, db: Session, settings: Settings
) -> None:
    proposal = _proposal(db, settings, threshold=5000)
    proposals.sign(db, proposal, make_member(db, "a@example.tw"), settings)
    proposal.signing_ends_at = utcnow() + timedelta(days=3, hours=5, minutes=30)
    db.add(proposal)
    db.commit()
    en = {"Accept-Language": "en"}
    page = client.get(f"/proposals/{proposal.id}", headers=en).text
    assert "1 of 5,000 signatures" in page
    assert 'max="1000" value="15"' in page  # one signature is a sliver, not an empty bar
    assert "0.02% · 4,999 more signatures needed" in page
    assert "Signing closes: " in page and "3 days 5 hours left" in page


def test_an_overdue_response_is_shown_in_red_with_how_late_it_is(
    client: TestClient, db: Session, settings: Settings
) -> None:
    proposal = _proposal(db, settings, threshold=1)
    proposals.sign(db, proposal, make_member(db, "a@example.tw"), settings)  # the clock starts
    db.refresh(proposal)
    proposal.response_due_at = utcnow() - timedelta(days=2, hours=1)
    db.add(proposal)
    db.commit()
    late = client.get(f"/proposals/{proposal.id}", headers={"Accept-Language": "en"}).text
    assert 'class="countdown countdown--overdue"' in late and "2 days overdue" in late
    zh = client.get(f"/proposals/{proposal.id}").text
    assert "逾期" in zh and "版主審查通過" in zh


def test_citizens_cannot_review_or_answer(client: TestClient, db: Session, settings: Settings) -> None:
    proposal = _proposal(db, settings, accept=False)
    sign_in(client, make_member(db, "c@example.tw"))
    path = f"/proposals/{proposal.id}"
    assert post(client, f"{path}/review", {"decision": "accept"}, token_from="/proposals").status_code == 403
    assert post(client, f"{path}/answer", {"response": "x"}, token_from="/proposals").status_code == 403
    db.refresh(proposal)
    assert proposal.review == "pending" and proposal.response == ""
