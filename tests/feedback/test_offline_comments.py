"""Village chiefs and community liaisons (村里長) type in comments collected on paper or at a
meeting, for a named resident or anonymously, with the village; the comments say so wherever
they are shown."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts, places
from feedback.models import Comment
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import consultation

PATH = "/c/ltc/comments/offline"


@pytest.fixture
def chief(client: TestClient, db: Session) -> accounts.Member:
    places.load_places(db)
    consultation(db)
    member = make_member(db, "chief@village.example.tw", role="village_chief", name="陳里長")
    accounts.set_place(db, member, "63000110")  # 士林區
    sign_in(client, member)
    return member


def _sheet(**fields: str) -> dict[str, str]:
    return {"article": "2", "stance": "oppose", "text": "喘息天數太少", "amendment": "", "resident_name": "", **fields}


def test_the_form_starts_at_the_chiefs_own_township(client: TestClient, chief: accounts.Member) -> None:
    page = client.get(PATH)
    assert page.status_code == 200
    assert 'value="63000110" selected' in page.text
    assert 'action="/c/ltc/comments/offline"' in page.text


def test_named_and_anonymous_comments_are_recorded_with_their_village(
    client: TestClient, db: Session, chief: accounts.Member
) -> None:
    named = post(client, PATH, _sheet(resident_name="王阿伯", place_code="63000110", village="德行里"), PATH)
    assert named.status_code == 303 and named.headers["location"] == PATH
    anonymous = post(client, PATH, _sheet(place_code="10015060", village="志學村", text="希望有交通車"), PATH)
    assert anonymous.status_code == 303
    rows = {c.text: c for c in db.exec(select(Comment))}
    first, second = rows["喘息天數太少"], rows["希望有交通車"]
    # 士林區 is split between two districts, so its villages are known: the village's own code.
    assert (first.author_name, first.place_code, first.collected_village) == ("王阿伯", "63000110027", "德行里")
    # 壽豐鄉 lies in one district: the township, with the village as written.
    assert (second.author_name, second.place_code, second.collected_village) == ("", "10015060", "志學村")
    assert first.offline and second.offline and first.author_id is None and first.collected_by_id == chief.id
    assert places.constituency_of(db, first.place_code) is not None

    listing = client.get("/c/ltc/comments")
    assert listing.text.count("· 紙本或座談會收集") == 2
    assert "王阿伯" in listing.text and "匿名" in listing.text
    exported = list(csv.DictReader(io.StringIO(client.get("/c/ltc/comments.csv").text.lstrip("\ufeff"))))
    assert sorted(row["source"] for row in exported) == ["offline", "offline"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"place_code": ""}, "place_code"),
        ({"postal_code": "12"}, "postal_code"),
        ({"place_code": "63000"}, "place_code"),
        ({"place_code": "63000110", "text": ""}, "text"),
        ({"place_code": "63000110", "village": "里" * 21}, "village"),
        ({"place_code": "63000110", "resident_name": "名" * 121}, "resident_name"),
        ({"place_code": "63000110", "article": "99"}, "article"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    client: TestClient, db: Session, chief: accounts.Member, fields: dict[str, str], field: str
) -> None:
    response = post(client, PATH, _sheet(**fields), PATH)
    assert response.status_code == 400
    assert f'href="#f-{field}"' in response.text
    assert db.exec(select(Comment)).first() is None


def test_a_citizen_sees_no_link_and_may_not_use_the_form(client: TestClient, db: Session) -> None:
    consultation(db)
    sign_in(client, make_member(db))
    assert "/comments/offline" not in client.get("/c/ltc").text
    assert client.get(PATH).status_code == 403


def test_a_chief_finds_the_link_under_the_comment_form(client: TestClient, chief: accounts.Member) -> None:
    assert 'href="/c/ltc/comments/offline"' in client.get("/c/ltc").text
