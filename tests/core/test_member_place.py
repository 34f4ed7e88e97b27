"""A member's place: given in the profile (township list or postal code), shown to nobody, in their
own export, and copied onto each comment, signature, proposal and vote when it is written."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts, places
from core.settings import Settings
from deliberation import services as deliberation
from deliberation.models import Vote
from participation import proposals
from participation import services as participation
from participation.models import Signature
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import consultation

DAAN, HUALIEN = "63000030", "10015010"  # 臺北市大安區, 花蓮縣花蓮市


@pytest.fixture
def loaded(db: Session) -> Session:
    places.load_places(db)
    return db


def _profile(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    return post(client, "/profile", {"display_name": "林美華", "org_name": "", "org_type": "", **fields}, "/profile")


def test_the_profile_asks_for_a_township_with_the_reason_and_saves_it(client: TestClient, loaded: Session) -> None:
    member = make_member(loaded)
    sign_in(client, member)
    page = client.get("/profile")
    assert 'name="place_code"' in page.text and '<optgroup label="臺北市">' in page.text
    assert "never shown to anyone" in page.text or "不會顯示給任何人" in page.text
    assert _profile(client, place_code=DAAN).status_code == 303
    loaded.refresh(member)
    assert member.place_code == DAAN
    assert f'value="{DAAN}" selected' in client.get("/profile").text
    assert _profile(client, place_code="", postal_code="970").status_code == 303  # the postal code is enough
    loaded.refresh(member)
    assert member.place_code == HUALIEN
    assert _profile(client, place_code="").status_code == 303  # and it can be taken back
    loaded.refresh(member)
    assert member.place_code is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"postal_code": "10"}, "postal_code"),
        ({"postal_code": "abc"}, "postal_code"),
        ({"postal_code": "999"}, "postal_code"),
        ({"postal_code": "300"}, "postal_code"),  # 新竹市's three districts share it: choose one
        ({"place_code": "63000"}, "place_code"),  # a county is not a township
        ({"place_code": "99999999"}, "place_code"),
    ],
)
def test_a_bad_place_is_refused_with_a_message_and_nothing_is_saved(
    client: TestClient, loaded: Session, fields: dict[str, str], field: str
) -> None:
    member = make_member(loaded)
    sign_in(client, member)
    response = post(
        client, "/profile", {"display_name": "新名字", "org_name": "", "org_type": "", **fields}, "/profile"
    )
    assert response.status_code == 400
    assert f'id="f-{field}-error"' in response.text
    loaded.refresh(member)
    assert member.place_code is None and member.display_name == "林美華"


def test_the_place_is_shown_to_nobody_but_is_in_the_members_own_export(client: TestClient, loaded: Session) -> None:
    member = make_member(loaded)
    accounts.set_place(loaded, member, DAAN)
    public = client.get(f"/members/{member.id}")
    assert public.status_code == 200 and "大安區" not in public.text and DAAN not in public.text
    sign_in(client, member)
    data = json.loads(client.get(post(client, "/profile/export", {}).headers["location"] + "/result").text)
    assert data["member"]["place"] == {"code": DAAN, "name": "臺北市大安區"}


def test_every_contribution_keeps_the_place_it_was_written_from(loaded: Session, settings: Settings) -> None:
    ltc = consultation(loaded)
    member = make_member(loaded)
    host = make_member(loaded, "host@example.tw", role="moderator")
    accounts.set_place(loaded, member, "", postal_code="106")
    before = participation.comment_on_consultation(loaded, ltc, member, "support", "支持喘息服務", 2)
    agency = accounts.get_agency(loaded, "mohw")
    proposal = proposals.submit(loaded, member, agency, "增設長照據點", "說明")
    proposals.review(loaded, proposal, settings, True, "")
    talk = deliberation.create_conversation(loaded, host, "主題", "", ["一", "二"], None)
    first, second = deliberation.statements_of(loaded, talk)
    deliberation.cast_vote(loaded, talk, member, first.id, 1)

    accounts.set_place(loaded, member, HUALIEN)  # the member moves
    after = participation.comment_on_consultation(loaded, ltc, member, "oppose", "天數太少", 2)
    proposals.sign(loaded, proposal, member, settings)
    deliberation.cast_vote(loaded, talk, member, second.id, -1)

    loaded.refresh(before)
    assert before.place_code == DAAN and after.place_code == HUALIEN
    assert proposal.place_code == DAAN
    signature = loaded.exec(select(Signature).where(Signature.member_id == member.id)).one()
    assert signature.place_code == HUALIEN
    votes = {v.statement_id: v.place_code for v in loaded.exec(select(Vote).where(Vote.conversation_id == talk.id))}
    assert votes == {first.id: DAAN, second.id: HUALIEN}


def test_a_member_without_a_place_writes_without_one(loaded: Session) -> None:
    ltc = consultation(loaded)
    member = make_member(loaded)
    comment = participation.comment_on_consultation(loaded, ltc, member, "support", "支持", 2)
    assert comment.place_code is None
