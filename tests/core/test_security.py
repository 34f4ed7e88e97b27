"""Security headers, cookie flags, and CSRF on every state-changing route."""

import re

import pytest
from sqlalchemy.engine import Engine
from starlette.routing import Route
from starlette.testclient import TestClient

from core.settings import Settings
from tests.helpers import csrf_from, https_settings
from thinktank.app import all_routes, create_app


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/no-such-page", "/healthz", "/static/site.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    page = client.get("/signup").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "style=" not in page and "<style" not in page


def test_session_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    raw = client.get("/signin").headers["set-cookie"]  # the first visit makes the session (for its CSRF token)
    assert "thinktank_session=" in raw
    assert "httponly" in raw.lower() and "samesite=lax" in raw.lower()
    assert "secure" not in raw.lower()  # plain http in development


def test_session_cookie_is_secure_over_https(settings: Settings, engine: Engine) -> None:
    app = create_app(https_settings(settings), engine=engine)
    with TestClient(app, base_url="https://thinktank.example.tw") as client:
        response = client.get("/signin")
    assert "secure" in response.headers["set-cookie"].lower()
    assert "max-age=31536000" in response.headers["strict-transport-security"]


def _unsafe_routes() -> list[tuple[str, str]]:
    found = []
    for route in all_routes():
        if isinstance(route, Route) and not getattr(route.endpoint, "token_authorised", False):
            for method in sorted((route.methods or set()) - {"GET", "HEAD"}):
                path = re.sub(r"\{[^}:]+:int\}", "1", route.path)
                path = re.sub(r"\{[^}]+\}", "x", path)
                found.append((method, path))
    return found


@pytest.mark.parametrize(("method", "path"), _unsafe_routes())
def test_every_state_changing_route_demands_a_csrf_token(client: TestClient, method: str, path: str) -> None:
    csrf_from(client, "/signin")  # a real session exists; only the token is missing
    response = client.request(method, path, data={"anything": "x"})
    assert response.status_code == 403, f"{method} {path} accepted a request without a CSRF token"


def test_there_are_state_changing_routes_to_check() -> None:
    assert len(_unsafe_routes()) >= 8


def test_token_authorised_routes_are_few_and_refuse_a_bad_token(client: TestClient) -> None:
    exempt = [r.path for r in all_routes() if isinstance(r, Route) and getattr(r.endpoint, "token_authorised", False)]
    assert exempt == ["/unsubscribe/{token}"]
    assert client.post("/unsubscribe/forged-token").status_code == 404
