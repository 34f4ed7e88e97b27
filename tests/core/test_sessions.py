"""Sessions kept on the server: sign-out, signing out other sessions, and a new password end them."""

import re

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import notify, sessions
from tests.helpers import PASSWORD, make_member, post, sign_in
from thinktank.app import SESSION_COOKIE

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"


def _client(app: Starlette, user_agent: str = "", cookie: str | None = None) -> TestClient:
    client = TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)
    if user_agent:
        client.headers["user-agent"] = user_agent
    if cookie is not None:
        client.cookies.set(SESSION_COOKIE, cookie)
    return client


def test_a_cookie_captured_before_sign_out_is_refused_after_it(app: Starlette, client: TestClient, db: Session) -> None:
    sign_in(client, make_member(db))
    assert client.get("/profile").status_code == 200
    captured = client.cookies[SESSION_COOKIE]
    assert post(client, "/signout", {}).status_code == 303
    with _client(app, cookie=captured) as thief:
        assert thief.get("/profile").status_code == 303
        assert thief.get("/me").status_code == 303


def test_sign_out_everywhere_else_refuses_the_other_sessions_cookies(app: Starlette, db: Session) -> None:
    member, someone_else = make_member(db), make_member(db, "chen@example.tw", name="陳志明")
    with _client(app, FIREFOX) as laptop, _client(app, SAFARI) as phone, _client(app) as other_member:
        sign_in(laptop, member)
        sign_in(phone, member)
        sign_in(other_member, someone_else)
        captured = phone.cookies[SESSION_COOKIE]
        page = laptop.get("/profile/sessions")
        assert page.status_code == 200
        assert "Firefox · Windows" in page.text and "Safari · iOS" in page.text
        assert post(laptop, "/profile/sessions/others/end", {}, token_from="/profile/sessions").status_code == 303
        assert phone.get("/profile").status_code == 303
        with _client(app, cookie=captured) as thief:
            assert thief.get("/profile").status_code == 303
        assert laptop.get("/profile").status_code == 200  # the session that asked stays
        assert other_member.get("/profile").status_code == 200  # nobody else's session is touched
        assert "Safari · iOS" not in laptop.get("/profile/sessions").text


def test_one_other_session_can_be_signed_out(app: Starlette, db: Session) -> None:
    member, someone_else = make_member(db), make_member(db, "chen@example.tw", name="陳志明")
    with _client(app, FIREFOX) as laptop, _client(app, SAFARI) as phone, _client(app) as other_member:
        sign_in(laptop, member)
        sign_in(phone, member)
        sign_in(other_member, someone_else)
        phone_row, laptop_row = sessions.of_member(db, member.id)  # type: ignore[arg-type]
        assert (phone_row.device, laptop_row.device) == ("Safari · iOS", "Firefox · Windows")
        foreign = sessions.of_member(db, someone_else.id)[0]  # type: ignore[arg-type]
        # Another member's session is not ours to end: it is not even acknowledged.
        refused = post(laptop, f"/profile/sessions/{foreign.id}/end", {}, token_from="/profile/sessions")
        assert refused.status_code == 404
        assert other_member.get("/profile").status_code == 200
        # Our own session is ended by signing out, not from this list.
        own = post(laptop, f"/profile/sessions/{laptop_row.id}/end", {}, token_from="/profile/sessions")
        assert own.status_code == 400
        ended = post(laptop, f"/profile/sessions/{phone_row.id}/end", {}, token_from="/profile/sessions")
        assert ended.status_code == 303
        assert phone.get("/profile").status_code == 303
        assert laptop.get("/profile").status_code == 200


def test_the_sessions_page_needs_a_member(client: TestClient) -> None:
    assert client.get("/profile/sessions").headers["location"] == "/signin?next=/profile/sessions"


def test_a_password_reset_signs_out_every_other_session(app: Starlette, client: TestClient, db: Session) -> None:
    member = make_member(db)
    with _client(app) as stolen:
        sign_in(stolen, member)
        captured = stolen.cookies[SESSION_COOKIE]
        post(client, "/password/forgot", {"email": member.email}, token_from="/password/forgot")
        link = re.search(r"/password/reset/(\S+)", notify.recent_outbox(db)[0].body)
        assert link
        path = link.group(0)
        assert post(client, path, {"password": "a brand new password"}, token_from=path).status_code == 303
        assert client.get("/profile").status_code == 200  # the one who reset it is signed in
        assert stolen.get("/profile").status_code == 303
    with _client(app, cookie=captured) as thief:
        assert thief.get("/profile").status_code == 303


def test_deleting_the_account_ends_every_session(app: Starlette, client: TestClient, db: Session) -> None:
    member = make_member(db)
    sign_in(client, member)
    with _client(app) as other:
        sign_in(other, member)
        assert post(client, "/profile/delete", {"password": PASSWORD}, token_from="/profile").status_code == 303
        assert other.get("/profile").status_code == 303
    assert sessions.of_member(db, member.id) == []  # type: ignore[arg-type]


def test_devices_are_named_by_browser_and_system() -> None:
    assert sessions.device_of(FIREFOX) == "Firefox · Windows"
    assert sessions.device_of(SAFARI) == "Safari · iOS"
    chrome_android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
    assert sessions.device_of(chrome_android) == "Chrome · Android"
    edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0"
    assert sessions.device_of(edge) == "Edge · Windows"
    assert sessions.device_of("curl/8.5.0") == ""


def test_a_password_change_signs_out_every_other_session(app: Starlette, client: TestClient, db: Session) -> None:
    member = make_member(db)
    sign_in(client, member)
    with _client(app) as other:
        sign_in(other, member)
        wrong = post(
            client,
            "/profile/password",
            {"current_password": "not it", "new_password": "a brand new password"},
            "/profile",
        )
        assert wrong.status_code == 400 and "密碼不正確。" in wrong.text
        assert other.get("/profile").status_code == 200  # nothing changed
        short = post(client, "/profile/password", {"current_password": PASSWORD, "new_password": "short"}, "/profile")
        assert short.status_code == 400 and "密碼至少需要 10 個字元。" in short.text
        changed = post(
            client,
            "/profile/password",
            {"current_password": PASSWORD, "new_password": "a brand new password"},
            "/profile",
        )
        assert changed.status_code == 303
        assert other.get("/profile").status_code == 303
        assert client.get("/profile").status_code == 200  # the session that changed it stays
    client.cookies.clear()
    assert (
        post(client, "/signin", {"email": member.email, "password": "a brand new password"}, "/signin").status_code
        == 303
    )


def test_the_data_export_lists_the_sessions(app: Starlette, client: TestClient, db: Session) -> None:
    member = make_member(db)
    with _client(app, FIREFOX) as laptop:
        sign_in(laptop, member)
        job = post(laptop, "/profile/export", {}, token_from="/profile").headers["location"]
        exported = laptop.get(f"{job}/result").json()
    assert [entry["device"] for entry in exported["sessions"]] == ["Firefox · Windows"]
    assert set(exported["sessions"][0]) == {"device", "signed_in_at", "last_seen_at"}


def test_signing_in_again_ends_the_session_it_replaces(app: Starlette, client: TestClient, db: Session) -> None:
    member = make_member(db)
    sign_in(client, member)
    captured = client.cookies[SESSION_COOKIE]
    sign_in(client, member)  # the same browser, without signing out first
    assert len(sessions.of_member(db, member.id)) == 1  # type: ignore[arg-type]
    with _client(app, cookie=captured) as thief:
        assert thief.get("/profile").status_code == 303
