"""A real server (uvicorn in a thread, demo content in a fresh SQLite file) and Debian's Chromium
driven by Playwright. Opt-in with --browser; CI always runs them."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy.engine import Engine

from core import accounts
from core.db import make_engine, migrate, session_scope
from core.settings import Settings
from thinktank import demo
from thinktank.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Site:
    url: str
    engine: Engine
    secret_key: str

    def reset_link(self, email: str) -> str:
        with session_scope(self.engine) as session:
            started = accounts.start_password_reset(session, email)
        assert started
        return f"/password/reset/{started[1]}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    var: Path = tmp_path_factory.mktemp("browser-var")
    port = _free_port()
    settings = Settings.from_env(
        {
            "THINKTANK_VAR": str(var),
            "THINKTANK_JOBS": "immediate",
            "SECRET_KEY": "browser-tests",
            "BASE_URL": f"http://127.0.0.1:{port}",
            # The tests sign in many times from one address.
            "RATE_LIMIT_SIGNIN": "1000/minute",
            "RATE_LIMIT_SIGNUP": "1000/minute",
        }
    )
    engine = make_engine(settings.database_url)
    migrate(engine)
    with session_scope(engine) as session:
        demo.seed(session, settings)
        demo.index(session, settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine=engine), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", engine, settings.secret_key)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=site.url, locale="zh-TW")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, email: str, password: str = demo.DEMO_PASSWORD) -> None:
    page.goto("/signin")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/signin" not in url)


@pytest.fixture(scope="session")
def signed_in_states() -> dict[str, Any]:
    """Each demo member signs in once per run; later contexts start from the saved cookies."""
    return {}


def context_for(
    browser: Browser, site: Site, states: dict[str, Any], who: str | None, **options: Any
) -> BrowserContext:
    options.setdefault("locale", "zh-TW")
    if who and who not in states:
        first = browser.new_context(base_url=site.url, locale=options["locale"])
        sign_in(first.new_page(), who)
        states[who] = first.storage_state()
        first.close()
    return browser.new_context(base_url=site.url, storage_state=states.get(who) if who else None, **options)
