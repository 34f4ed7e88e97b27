"""Consultations and proposals scoped to places: set by the agency or the proposer, shown on the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from core import accounts, places
from core.db import utcnow
from participation import proposals, scopes, services
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import DRAFT, agency_and_official

HUALIEN = "10015"


@pytest.fixture
def official(client: TestClient, db: Session) -> accounts.Member:
    places.load_places(db)
    _agency, member = agency_and_official(db, "hualien")
    sign_in(client, member)
    return member


def _form(**fields: str) -> dict[str, str]:
    opens, closes = utcnow() - timedelta(days=1), utcnow() + timedelta(days=10)
    return {
        "title": "花蓮縣長期照顧自治條例草案",
        "summary": "摘要",
        "background": "",
        "text": DRAFT,
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "tags": "",
        "contact": "",
        "slug": "hualien-ltc",
        "note": "",
        **fields,
    }


def test_an_agency_scopes_its_consultation_to_a_county_and_the_page_says_so(
    client: TestClient, db: Session, official: accounts.Member
) -> None:
    form = client.get("/c/new").text
    assert '<option value="10015">花蓮縣</option>' in form and '<option value="">全國</option>' in form
    created = post(client, "/c/new", _form(scope=HUALIEN), "/c/new")
    assert created.status_code == 303
    consultation = services.get_consultation(db, "hualien-ltc")
    assert scopes.consultation_scope(db, consultation) == [HUALIEN]
    assert "花蓮縣" in client.get("/c/hualien-ltc").text.split('class="scope"')[1][:200]
    assert f'<option value="{HUALIEN}" selected>' in client.get("/c/hualien-ltc/edit").text
    # Editing to a township replaces the county; editing to nothing makes it national again.
    assert post(client, "/c/hualien-ltc/edit", _form(scope="10015060"), "/c/hualien-ltc/edit").status_code == 303
    assert scopes.consultation_scope(db, consultation) == ["10015060"]
    assert post(client, "/c/hualien-ltc/edit", _form(scope=""), "/c/hualien-ltc/edit").status_code == 303
    assert scopes.consultation_scope(db, consultation) == []
    assert 'class="scope"' not in client.get("/c/hualien-ltc").text


def test_an_unknown_scope_is_refused_and_nothing_is_created(
    client: TestClient, db: Session, official: accounts.Member
) -> None:
    response = post(client, "/c/new", _form(scope="99999"), "/c/new")
    assert response.status_code == 400 and 'href="#f-scope"' in response.text
    assert services.list_consultations(db, include_drafts_of=official.agency_id) == []


def test_a_proposer_scopes_a_petition_to_a_township(client: TestClient, db: Session) -> None:
    places.load_places(db)
    agency, _official = agency_and_official(db, "hualien")
    member = make_member(db)
    sign_in(client, member)
    data = {"agency": agency.slug, "title": "志學村增設公車站", "body": "說明", "scope": "10015060"}
    bad = post(client, "/proposals/new", {**data, "scope": "1001506"}, "/proposals/new")
    assert bad.status_code == 400 and 'href="#f-scope"' in bad.text
    created = post(client, "/proposals/new", data, "/proposals/new")
    assert created.status_code == 303
    proposal = proposals.get(db, int(created.headers["location"].rsplit("/", 1)[1]))
    assert scopes.proposal_scope(db, proposal) == ["10015060"]
    assert "花蓮縣壽豐鄉" in client.get(created.headers["location"]).text
