"""Voting in a real browser: with JavaScript the live count follows other voters' ballots without
a reload; without it, the same form votes and the page shows the receipt and the count."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from core.db import session_scope
from deliberation import poll_demo, polls
from tests.browser.conftest import Site, sign_in

pytestmark = pytest.mark.browser

POLL = f"/polls/{poll_demo.OPEN_SLUG}"


def _ballots(site: Site) -> int:
    with session_scope(site.engine) as session:
        return polls.ballot_count(session, polls.get_poll(session, poll_demo.OPEN_SLUG))


def test_a_voter_sees_the_live_count_follow_other_ballots(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, locale="zh-TW")
    page = context.new_page()
    sign_in(page, "hsu.shuhui@demo.thinktank.tw")
    page.goto(POLL)
    page.focus("#opt-2")  # by keyboard: a radio is chosen with Space
    page.keyboard.press("Space")
    page.click("#ballot button[type=submit]")
    expect(page.locator(".receipt-code")).to_have_text(re.compile(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}"))
    before = _ballots(site)
    expect(page.locator("#poll-tally [data-ballots]")).to_have_attribute("data-ballots", str(before))
    with session_scope(site.engine) as session:  # someone else votes at a kiosk
        poll = polls.get_poll(session, poll_demo.OPEN_SLUG)
        polls.cast_with_code(session, poll, polls.issue_codes(session, poll, 1)[0], "3")
    # No reload: the fragment polled every second shows it.
    expect(page.locator("#poll-tally [data-ballots]")).to_have_attribute("data-ballots", str(before + 1), timeout=3000)
    context.close()


def test_voting_works_without_javascript(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, java_script_enabled=False, locale="en")
    page = context.new_page()
    sign_in(page, "emily.chen@demo.thinktank.tw")
    page.goto(POLL)
    page.check("#opt-1")
    page.click("#ballot button[type=submit]")
    expect(page.locator(".receipt-code")).to_be_visible()
    expect(page.locator("#poll-tally")).to_contain_text("ballots")
    code = page.locator(".receipt-code").inner_text()
    page.goto(f"{POLL}/receipt")
    page.fill("#f-code", code)
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("This ballot is recorded in the poll's chain.")
    context.close()
