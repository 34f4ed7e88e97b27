"""Bad input at the edges: numbers that are not whole numbers the database holds, and control
characters, in every path, query string and form that reads them; then generated input against
the two readers in core.input.

The site answers 400 or 404 for such numbers and never 500, on SQLite and on PostgreSQL (which
refuses an integer past its columns and a NUL in text where SQLite stores both).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.routing import Route
from starlette.testclient import TestClient

from bills import importing
from bills.models import Bill
from core import accounts
from core.input import MAX_INT, clean_text, has_control, whole_number
from core.settings import Settings
from deliberation import discussions
from deliberation import services as conversations
from deliberation.models import Discussion, Post, Statement
from feedback import comments
from feedback.models import Comment
from participation import services as consultations
from tests.bills.test_import import LY_RECORD
from tests.helpers import PASSWORD, csrf_from, make_member, post, sign_in
from tests.participation.factories import consultation
from thinktank.app import all_routes, create_app

# Not whole numbers, or beyond every id and page the database holds (2**31 is PostgreSQL's
# INTEGER's first number too far).
BAD_NUMBERS = ["²", "٣", "99999999999999999999", str(MAX_INT + 1), "-1", "1.5", "9" * 5000]


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    # An admin posts many times here; the rate limits are not what is under test.
    roomy = replace(settings, rate_post="10000/minute", rate_vote="10000/minute")
    app = create_app(roomy, engine=engine)
    app.state.limiter.reset()
    # A 500 is an answer to count here, with the others, rather than an exception that stops the test.
    with TestClient(
        app, base_url="http://127.0.0.1:8000", follow_redirects=False, raise_server_exceptions=False
    ) as test_client:
        yield test_client


def _int_routes() -> list[tuple[str, str]]:
    found = set()
    for route in all_routes():
        if isinstance(route, Route) and ":int}" in route.path:
            for method in route.methods or ():
                if method in ("GET", "POST"):
                    found.add((method, route.path))
    return sorted(found)


def test_every_int_path_answers_a_bad_number_with_404(client: TestClient, db: Session) -> None:
    routes = _int_routes()
    assert len(routes) > 40  # every `{…:int}` route, as the app lists them
    ltc = consultation(db)
    admin = make_member(db, "admin@example.tw", role="admin", name="管理員")
    sign_in(client, admin)
    token = csrf_from(client, "/")
    answers = []
    for method, path in routes:
        for bad in BAD_NUMBERS:
            url = re.sub(r"\{(\w+):int\}", bad, path).replace("{slug}", ltc.slug)
            response = client.request(method, url, data={"csrf_token": token} if method == "POST" else None)
            answers.append((method, url[:80], response.status_code))
    assert [a for a in answers if a[2] != 404] == []


@pytest.fixture
def world(db: Session) -> dict[str, str]:
    """One of everything that reads a number from a query string or a form, and an admin to ask."""
    ltc = consultation(db)
    admin = make_member(db, "admin@example.tw", role="admin", name="管理員")
    citizen = make_member(db, "citizen@example.tw", name="公民")
    comment = comments.submit(db, consultations.subject_of(ltc), citizen, "support", "喘息服務要多一點", 2, "")
    importing.upsert(db, importing.parse_ly_api(LY_RECORD))
    db.commit()
    bill = db.exec(select(Bill)).one()
    talk = conversations.create_conversation(db, admin, "長照財源", "", ["稅收支應", "保險支應"], None)
    statement = db.exec(select(Statement)).first()
    discussion = discussions.start(db, admin, "喘息服務", "天數太少", "consultation", ltc.id, 2)
    first_post = db.exec(select(Post)).one()
    return {
        "slug": ltc.slug,
        "bill": str(bill.id),
        "comment": str(comment.id),
        "member": str(citizen.id),
        "talk": talk.slug,
        "statement": str(statement.id if statement else ""),
        "discussion": str(discussion.id),
        "post": str(first_post.id),
        "admin_email": admin.email,
    }


# (method, path, the number's field, the other fields): each reads the number as a query
# parameter (GET) or a form field (POST).
NUMBER_FIELDS = [
    ("GET", "/bills", "page", {}),
    ("GET", "/bills/{bill}", "article", {}),
    ("GET", "/bills/{bill}/comments", "before", {}),
    ("GET", "/c/{slug}", "article", {}),
    ("GET", "/c/{slug}/versions", "from", {}),
    ("GET", "/c/{slug}/versions", "to", {}),
    ("GET", "/c/{slug}/comments", "before", {}),
    ("GET", "/c/{slug}/comments", "page", {"q": "喘息"}),
    ("GET", "/c/{slug}/comments", "article", {}),
    ("GET", "/c/{slug}/comments", "letter", {}),
    ("GET", "/search", "page", {"q": "喘息"}),
    ("GET", "/me", "page", {}),
    ("GET", "/discussions/{discussion}", "quote", {}),
    ("GET", "/discussions/new", "id", {"on": "consultation"}),
    ("GET", "/api/v1/search", "page", {"q": "喘息"}),
    ("GET", "/api/v1/search", "per_page", {"q": "喘息"}),
    ("GET", "/api/v1/consultations", "page", {}),
    ("GET", "/api/v1/consultations", "per_page", {}),
    ("GET", "/api/v1/consultations/{slug}/comments", "page", {}),
    ("GET", "/api/v1/bills", "page", {}),
    ("GET", "/api/v1/bills/{bill}/comments", "per_page", {}),
    ("POST", "/follow", "id", {"kind": "consultation"}),
    ("POST", "/flag", "id", {"kind": "comment", "reason": "spam"}),
    ("POST", "/moderation/content", "id", {"kind": "comment", "action": "hide", "reason": "spam"}),
    ("POST", "/moderation/members/{member}", "days", {"action": "suspend", "reason": "spam"}),
    ("POST", "/conversations/{talk}/vote", "statement", {"vote": "agree"}),
    ("POST", "/conversations/{talk}/moderate", "statement", {"decision": "accept"}),
    ("POST", "/discussions/new", "id", {"on": "consultation", "title": "標題", "body": "內容"}),
    ("POST", "/discussions/new", "article", {"on": "consultation", "id": "1", "title": "標題", "body": "內容"}),
    ("POST", "/discussions/{discussion}/posts", "parent", {"body": "回覆"}),
    ("POST", "/c/{slug}/comments", "article", {"stance": "support", "text": "意見"}),
    ("POST", "/c/{slug}/response/themes", "theme", {"title": "主題"}),
    ("POST", "/c/{slug}/response/assign", "comment", {"action": "quote", "quote": "要多"}),
    ("POST", "/c/{slug}/response/assign", "theme", {"comment": "1"}),
    ("POST", "/c/{slug}/analysis/run", "k", {}),
]


def test_a_bad_number_in_a_query_or_form_is_a_4xx_never_a_500(
    client: TestClient, db: Session, world: dict[str, str]
) -> None:
    admin = accounts.find_member_by_email(db, world["admin_email"])
    assert admin is not None
    sign_in(client, admin)
    token = csrf_from(client, "/")
    answers, empty = [], []
    for method, path, field, others in NUMBER_FIELDS:
        url = path.format(**world)
        for bad in BAD_NUMBERS:
            fields = {**others, field: bad}
            if method == "GET":
                response = client.get(url, params=fields)
            else:
                response = client.post(url, data={"csrf_token": token, **fields})
            answers.append((method, url, field, bad[:24], response.status_code))
        if method == "GET":  # an empty field is one not given: whatever the page does then, no error
            empty.append((url, field, client.get(url, params={**others, field: ""}).status_code))
    assert [a for a in answers if a[-1] not in (400, 404)] == []
    assert [e for e in empty if e[-1] >= 500] == []


def test_a_nul_byte_is_taken_out_of_every_form_field(client: TestClient, db: Session, world: dict[str, str]) -> None:
    email = world["admin_email"].replace("@", "\x00@")
    anonymous = post(client, "/signin", {"email": email, "password": PASSWORD}, token_from="/signin")
    assert anonymous.status_code == 303, anonymous.text
    client.cookies.clear()
    signup = {"email": "n\x00ew@example.tw", "password": "correct horse battery", "display_name": "新\x00人"}
    assert post(client, "/signup", signup, token_from="/signup").status_code == 200  # "check your e-mail"
    asked = db.exec(select(accounts.SignUpRequest)).one()
    assert (asked.email, asked.display_name) == ("new@example.tw", "新人")
    client.cookies.clear()
    admin = accounts.find_member_by_email(db, world["admin_email"])
    assert admin is not None
    sign_in(client, admin)
    commented = post(
        client,
        f"/c/{world['slug']}/comments",
        {"stance": "support", "text": "第一行\x00\n第二行\t完", "article": ""},
        token_from=f"/c/{world['slug']}",
    )
    assert commented.status_code == 303, commented.text
    assert db.exec(select(Comment).where(Comment.text == "第一行\n第二行\t完")).one()
    renamed = post(client, "/profile", {"display_name": "管\x00理\x07者"}, token_from="/profile")
    assert renamed.status_code == 303, renamed.text
    db.expire_all()
    assert db.get(accounts.Member, admin.id).display_name == "管理者"  # type: ignore[union-attr]
    started = post(
        client,
        "/discussions/new",
        {"on": "forum", "title": "標\x00題", "body": "內\x00容"},
        token_from="/discussions",
    )
    assert started.status_code == 303, started.text
    assert db.exec(select(Discussion).where(Discussion.title == "標題")).one()


def test_a_control_character_in_a_query_or_path_is_no_error(client: TestClient, world: dict[str, str]) -> None:
    assert client.get(f"/c/{world['slug']}/comments", params={"q": "喘\x00息"}).status_code == 200
    assert client.get("/search", params={"q": "\x00"}).status_code == 200
    assert client.get("/c/l%00tc").status_code == 404
    assert client.get("/conversations/%00").status_code == 404


# --- generated input --------------------------------------------------------------------------


@settings(max_examples=200)
@given(st.text())
def test_whole_number_accepts_exactly_the_ascii_digits_the_database_holds(raw: str) -> None:
    number = whole_number(raw)
    stripped = raw.strip()
    if number is None:
        assert not (stripped.isascii() and stripped.isdigit() and int(stripped) <= MAX_INT)
    else:
        assert 0 <= number <= MAX_INT and str(number) == stripped.lstrip("0").rjust(1, "0")


@settings(max_examples=100)
@given(st.integers())
def test_whole_number_reads_back_every_integer_in_range(value: int) -> None:
    assert whole_number(str(value)) == (value if 0 <= value <= MAX_INT else None)


@settings(max_examples=200)
@given(st.text())
def test_clean_text_keeps_everything_but_control_characters(text: str) -> None:
    cleaned = clean_text(text)
    assert "\x00" not in cleaned and not has_control(cleaned)
    assert [c for c in text if not has_control(c)] == list(cleaned)
    assert clean_text(cleaned) == cleaned
