"""Helpers the tests share: members, CSRF tokens as a browser finds them, signing in."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2
from sqlmodel import Session
from starlette.testclient import TestClient

from core import accounts
from core.settings import Settings

PASSWORD = "correct horse battery"
SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def make_member(
    db: Session,
    email: str = "mei@example.tw",
    role: str = "citizen",
    agency: accounts.Agency | None = None,
    name: str = "林美華",
) -> accounts.Member:
    member = accounts.sign_up(db, email, PASSWORD, name)
    if role != "citizen":
        accounts.grant_role(db, member, role, agency=agency)
    return member


def csrf_from(client: TestClient, path: str = "/signin") -> str:
    """The CSRF token as a real browser would find it: in a form on a page."""
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client: TestClient, path: str, data: dict[str, str], token_from: str = "/", **kwargs: Any) -> httpx2.Response:
    return client.post(path, data={"csrf_token": csrf_from(client, token_from), **data}, **kwargs)


def sign_in(client: TestClient, member: accounts.Member) -> None:
    response = post(client, "/signin", {"email": member.email, "password": PASSWORD}, token_from="/signin")
    assert response.status_code == 303, response.text


def https_settings(settings: Settings) -> Settings:
    return replace(settings, base_url="https://thinktank.example.tw")
