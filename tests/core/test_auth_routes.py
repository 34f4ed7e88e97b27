"""Sign-up, sign-in, sign-out and password reset through the real app."""

import re
from dataclasses import replace

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from core import accounts, notify
from core.jobs import Job
from core.settings import Settings
from tests.helpers import PASSWORD, csrf_from, make_member, post, sign_in
from thinktank.app import create_app

SIGN_UP = {"password": PASSWORD, "display_name": "蔡美玲", "org_name": "台灣長期照顧發展協會", "org_type": "ngo"}


def test_sign_up_creates_the_member_once_the_emailed_link_is_opened(client: TestClient, db: Session) -> None:
    response = post(client, "/signup", {"email": "Tsai@example.tw", **SIGN_UP}, token_from="/signup")
    assert response.status_code == 200
    assert "請查看您的電子郵件" in response.text and "tsai@example.tw" in response.text
    assert accounts.find_member_by_email(db, "tsai@example.tw") is None  # not until the address is proven
    assert client.get("/profile").status_code == 303
    mail = notify.recent_outbox(db)[0]
    assert mail.to_address == "tsai@example.tw"
    link = re.search(r"http://\S+(/signup/confirm/\S+)", mail.body)
    assert link, mail.body
    path = link.group(1)
    assert client.get(path).status_code == 200
    assert accounts.find_member_by_email(db, "tsai@example.tw") is None  # a GET (a mail scanner) only asks
    response = post(client, path, {}, token_from=path)
    assert response.status_code == 303
    member = accounts.find_member_by_email(db, "tsai@example.tw")
    assert member is not None and member.org_type == "ngo"
    profile = client.get("/profile")
    assert profile.status_code == 200
    assert "蔡美玲" in profile.text
    client.cookies.clear()
    assert client.get(path).status_code == 404  # used up
    assert post(client, path, {}, token_from="/signup").status_code == 404
    assert post(client, "/signin", {"email": "tsai@example.tw", "password": PASSWORD}, "/signin").status_code == 303


def test_sign_up_with_a_registered_address_answers_as_for_a_new_one(client: TestClient, db: Session) -> None:
    member = make_member(db, "known@example.tw")
    known = post(client, "/signup", {"email": "known@example.tw", **SIGN_UP}, token_from="/signup")
    new = post(client, "/signup", {"email": "fresh@example.tw", **SIGN_UP}, token_from="/signup")
    assert known.status_code == new.status_code == 200
    assert known.text.replace("known@example.tw", "fresh@example.tw") == new.text
    assert "already" not in known.text and "已有" not in known.text
    to_new, to_known = notify.recent_outbox(db)
    assert (to_known.to_address, to_new.to_address) == ("known@example.tw", "fresh@example.tw")
    assert "/signup/confirm/" in to_new.body
    assert "/signup/confirm/" not in to_known.body and "/password/forgot" in to_known.body
    assert to_known.subject != to_new.subject
    # The owner's account is as it was: the password of the attempt does not sign in.
    assert [m.id for m in db.exec(select(accounts.Member)).all()] == [member.id]
    assert post(client, "/signin", {"email": "known@example.tw", "password": PASSWORD}, "/signin").status_code == 303


def test_sign_up_with_bad_input_shows_every_problem_and_writes_nothing(client: TestClient, db: Session) -> None:
    response = post(
        client, "/signup", {"email": "nope", "password": "short", "display_name": "x" * 61}, token_from="/signup"
    )
    assert response.status_code == 400
    assert "請輸入有效的電子郵件地址。" in response.text
    assert "密碼至少需要 10 個字元。" in response.text
    assert "顯示名稱太長。" in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.exec(select(accounts.Member)).all() == []


def test_the_email_is_never_shown_on_public_pages(client: TestClient, db: Session) -> None:
    member = make_member(db, "private@example.tw", name="隱私測試")
    page = client.get(f"/members/{member.id}")
    assert page.status_code == 200
    assert "隱私測試" in page.text
    assert "private@example.tw" not in page.text
    assert "private@example.tw" not in client.get(f"/api/v1/members/{member.id}").text


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client: TestClient, db: Session) -> None:
    member = make_member(db)
    response = post(client, "/signin", {"email": member.email, "password": "wrong password"}, token_from="/signin")
    assert response.status_code == 400
    assert "電子郵件地址或密碼不正確。" in response.text
    assert client.get("/profile").status_code == 303  # still signed out


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client: TestClient, db: Session) -> None:
    member = make_member(db)
    assert client.get("/profile").headers["location"] == "/signin?next=/profile"
    response = post(client, "/signin", {"email": member.email, "password": PASSWORD, "next": "/profile"}, "/signin")
    assert response.headers["location"] == "/profile"
    client.cookies.clear()
    response = post(
        client, "/signin", {"email": member.email, "password": PASSWORD, "next": "//evil.example"}, "/signin"
    )
    assert response.headers["location"] == "/"


def test_sign_out_ends_the_session(client: TestClient, db: Session) -> None:
    sign_in(client, make_member(db))
    assert client.get("/profile").status_code == 200
    assert post(client, "/signout", {}).status_code == 303
    assert client.get("/profile").status_code == 303


def test_password_reset_by_emailed_link(client: TestClient, db: Session) -> None:
    member = make_member(db)
    response = post(client, "/password/forgot", {"email": member.email}, token_from="/password/forgot")
    assert response.status_code == 200
    mail = notify.recent_outbox(db)[0]
    assert mail.to_address == member.email
    assert mail.status == "kept"  # no SMTP_URL: kept in the outbox, as in the demo
    link = re.search(r"http://\S+/password/reset/(\S+)", mail.body)
    assert link, mail.body
    path = f"/password/reset/{link.group(1)}"
    assert client.get(path).status_code == 200
    response = post(client, path, {"password": "a brand new password"}, token_from=path)
    assert response.status_code == 303
    client.cookies.clear()
    assert post(client, "/signin", {"email": member.email, "password": PASSWORD}, "/signin").status_code == 400
    response = post(client, "/signin", {"email": member.email, "password": "a brand new password"}, "/signin")
    assert response.status_code == 303
    assert client.get(path).status_code == 404  # used up


def test_reset_request_for_unknown_email_looks_the_same_and_sends_nothing(client: TestClient, db: Session) -> None:
    member = make_member(db)
    known = post(client, "/password/forgot", {"email": member.email}, token_from="/password/forgot")
    unknown = post(client, "/password/forgot", {"email": "nobody@example.tw"}, token_from="/password/forgot")
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    assert "請查看您的電子郵件" in unknown.text
    assert [mail.to_address for mail in notify.recent_outbox(db)] == [member.email]
    # Both requests did the same work: each queued the same job, which looks the address up later.
    jobs = db.exec(select(Job).order_by(col(Job.id))).all()
    assert [(job.kind, job.status) for job in jobs if job.kind != "deliver_email"] == [
        ("password_reset_mail", "done")
    ] * 2


def test_a_password_change_signs_out_other_sessions(app, client: TestClient, db: Session) -> None:  # type: ignore[no-untyped-def]
    member = make_member(db)
    sign_in(client, member)
    with TestClient(app, follow_redirects=False) as other:
        sign_in(other, member)
        started = accounts.start_password_reset(db, member.email)
        assert started
        accounts.finish_password_reset(db, started[1], "a brand new password")
        assert other.get("/profile").status_code == 303
    assert client.get("/profile").status_code == 303


def test_sign_up_is_rate_limited(settings: Settings, engine, db: Session) -> None:  # type: ignore[no-untyped-def]
    app = create_app(replace(settings, rate_signup="2/hour"), engine=engine)
    app.state.limiter.reset()
    with TestClient(app, follow_redirects=False) as client:
        for n, expected in enumerate([200, 200, 429]):
            token = csrf_from(client, "/signup")
            data = {"csrf_token": token, "email": f"p{n}@example.tw", "password": PASSWORD, "display_name": f"p{n}"}
            assert client.post("/signup", data=data).status_code == expected
    assert [mail.to_address for mail in notify.recent_outbox(db)] == ["p1@example.tw", "p0@example.tw"]


def _reset_links(client: TestClient, db: Session, email: str, times: int) -> list[str]:
    for _ in range(times):
        assert post(client, "/password/forgot", {"email": email}, token_from="/password/forgot").status_code == 200
    links = [re.search(r"/password/reset/\S+", mail.body) for mail in reversed(notify.recent_outbox(db))]
    assert all(links) and len(links) == times
    return [link.group(0) for link in links if link]


def test_a_superseded_reset_link_is_refused(client: TestClient, db: Session) -> None:
    member = make_member(db)
    first, second = _reset_links(client, db, member.email, 2)
    assert client.get(first).status_code == 404
    refused = post(client, first, {"password": "a brand new password"}, token_from=second)
    assert refused.status_code == 400
    assert post(client, "/signin", {"email": member.email, "password": PASSWORD}, "/signin").status_code == 303
    client.cookies.clear()  # the password stayed; the latest link still works
    assert post(client, second, {"password": "a brand new password"}, token_from=second).status_code == 303


def test_once_a_reset_link_is_used_every_other_one_is_refused(client: TestClient, db: Session) -> None:
    member = make_member(db)
    first, second = _reset_links(client, db, member.email, 2)
    # Whichever link arrives first is used (mail can arrive out of order); the other dies with it.
    assert post(client, second, {"password": "a brand new password"}, token_from=second).status_code == 303
    client.cookies.clear()
    assert client.get(first).status_code == 404
    assert post(client, first, {"password": "another new password"}, token_from="/password/forgot").status_code == 400
    signin = post(client, "/signin", {"email": member.email, "password": "a brand new password"}, "/signin")
    assert signin.status_code == 303
