"""Every error is a clear page (or JSON under /api/) in the reader's language, never a traceback."""

from dataclasses import replace

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.routing import Route
from starlette.testclient import TestClient

from core import accounts
from core.settings import Settings
from tests.helpers import PASSWORD, csrf_from, make_member, post
from thinktank.app import create_app

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize(("headers", "text"), [({}, "找不到網頁"), (EN, "Page not found")])
def test_unknown_address_is_a_404_page_in_both_languages(client: TestClient, headers: dict, text: str) -> None:
    response = client.get("/no/such/page", headers=headers)
    assert response.status_code == 404
    assert text in response.text
    assert "<main" in response.text


def test_unknown_id_is_a_404(client: TestClient) -> None:
    assert client.get("/members/999999").status_code == 404
    assert client.get("/members/not-a-number").status_code == 404


def test_wrong_method_is_a_405_page(client: TestClient) -> None:
    response = client.delete("/signin", headers=EN)
    assert response.status_code == 405
    assert "Method not allowed" in response.text


def test_a_forged_csrf_token_is_refused_and_writes_nothing(client: TestClient, db: Session) -> None:
    csrf_from(client, "/signup")
    data = {"csrf_token": "forged", "email": "a@example.tw", "password": "long enough pw", "display_name": "a"}
    response = client.post("/signup", data=data)
    assert response.status_code == 403
    assert "這份表單已過期或並非來自本站" in response.text
    assert client.post("/signup", data={k: v for k, v in data.items() if k != "csrf_token"}).status_code == 403
    assert db.exec(select(accounts.Member)).all() == []


def test_a_csrf_token_from_another_session_is_refused(app, client: TestClient, db: Session) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as attacker:
        stolen = csrf_from(attacker, "/signup")
    data = {"csrf_token": stolen, "email": "a@example.tw", "password": "long enough pw", "display_name": "a"}
    csrf_from(client, "/signup")
    assert client.post("/signup", data=data).status_code == 403
    assert db.exec(select(accounts.Member)).all() == []


def test_htmx_requests_carry_the_token_in_a_header(client: TestClient, db: Session) -> None:
    member = make_member(db, "h@example.tw")
    token = csrf_from(client, "/signin")
    data = {"email": member.email, "password": PASSWORD}
    response = client.post("/signin", data=data, headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/"
    assert client.get("/profile").status_code == 200


def test_an_oversized_body_is_a_413_page_and_writes_nothing(settings: Settings, engine: Engine, db: Session) -> None:
    app = create_app(replace(settings, max_body_bytes=2_000), engine=engine)
    with TestClient(app) as client:
        token = csrf_from(client, "/signup")
        data = {
            "csrf_token": token,
            "email": "big@example.tw",
            "password": "long enough pw",
            "display_name": "x" * 5000,
        }
        response = client.post("/signup", data=data, headers=EN)
    assert response.status_code == 413
    assert "larger than this site accepts" in response.text
    assert db.exec(select(accounts.Member)).all() == []


def test_an_over_long_field_is_a_clear_400(client: TestClient, db: Session) -> None:
    response = post(
        client,
        "/signup",
        {"email": "x@example.tw", "password": "p" * 201, "display_name": "x"},
        "/signup",
        headers=EN,
    )
    assert response.status_code == 400
    assert "The password is too long." in response.text
    assert db.exec(select(accounts.Member)).all() == []


def test_a_malformed_form_body_is_a_400(client: TestClient) -> None:
    csrf_from(client, "/signup")
    response = client.post(
        "/signup",
        content=b"--broken\r\nnot a multipart body",
        headers={"Content-Type": "multipart/form-data; boundary=zzz", **EN},
    )
    assert response.status_code in (400, 403)
    assert "Traceback" not in response.text


def test_a_crash_is_a_500_page_without_a_traceback(settings: Settings, engine: Engine) -> None:
    app = create_app(settings, engine=engine)

    def boom(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    app.router.routes.append(Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers=EN)
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_api_errors_are_json(client: TestClient) -> None:
    response = client.get("/api/v1/members/424242", headers=EN)
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404
    assert client.get("/api/v1/nothing-here").json()["error"]["status"] == 404


def test_anonymous_writes_go_to_sign_in_and_citizens_get_403(client: TestClient, db: Session) -> None:
    response = post(client, "/agencies", {"slug": "x", "name": "某機關"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin")
    from tests.helpers import sign_in

    sign_in(client, make_member(db))
    response = post(client, "/agencies", {"slug": "xyz", "name": "某機關"})
    assert response.status_code == 403
    assert accounts.list_agencies(db) == []
