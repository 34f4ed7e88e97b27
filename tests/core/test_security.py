"""Security headers and cookie flags. CSRF on every state-changing route is tested with who may
use each route, in tests/thinktank/test_role_matrix.py."""

import re

from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from core.settings import Settings
from tests.helpers import https_settings
from thinktank.app import create_app


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
