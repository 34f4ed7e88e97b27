"""Helpers the tests share: members, CSRF tokens as a browser finds them, signing in, servers that hang."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
    verified: bool = True,
) -> accounts.Member:
    """A member as the site's sign-up leaves them: with their e-mail address verified, unless not."""
    member = accounts.sign_up(db, email, PASSWORD, name)
    if verified:
        accounts.mark_email_verified(db, member)
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


@contextmanager
def silent_server(seconds: float = 5) -> Iterator[int]:
    """The port of a server that takes connections and never says a word, like a hung database or
    mail server. The kernel accepts them into the backlog; closing the listener resets them, which it
    does after `seconds` at the latest, so code without a timeout fails its test instead of hanging."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    closing = threading.Timer(seconds, listener.close)
    closing.start()
    try:
        yield listener.getsockname()[1]
    finally:
        closing.cancel()
        listener.close()


def closed_port() -> int:
    """A port nothing listens on: connecting is refused."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]
