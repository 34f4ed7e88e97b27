"""A budget's ballot in a real browser: with JavaScript the selection's total follows each ticked
project and says when it is over the budget; without it the server refuses an over-budget ballot
and keeps the selection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from core import accounts
from core.db import session_scope, utcnow
from deliberation import budgets
from tests.browser.conftest import Site, sign_in

pytestmark = pytest.mark.browser


def _open_budget(site: Site) -> str:
    with session_scope(site.engine) as session:
        official = next(m for m in accounts.list_members(session, limit=1000) if m.email.startswith("lin.yijun@"))
        budget = budgets.create_budget(
            session,
            official,
            title=f"社區小額預算 {utcnow():%H%M%S%f}",
            description="",
            total=1000,
            rule="greedy",
            method="budget_knapsack",
            max_projects=None,
            projects=[
                budgets.ProjectDraft("公園座椅", 400),
                budgets.ProjectDraft("路燈", 500),
                budgets.ProjectDraft("步道", 300),
            ],
            opens_at=utcnow() - timedelta(hours=1),
            closes_at=utcnow() + timedelta(days=1),
        )
        return f"/polls/{budget.slug}"


def test_the_running_total_follows_the_ticked_projects(browser: Browser, site: Site) -> None:
    path = _open_budget(site)
    context = browser.new_context(base_url=site.url, locale="en")
    page = context.new_page()
    sign_in(page, "hsu.shuhui@demo.thinktank.tw")
    page.goto(path)
    page.check("#opt-1")
    expect(page.locator("#budget-selected")).to_have_text("400")
    page.check("#opt-2")
    expect(page.locator("#budget-selected")).to_have_text("900")
    expect(page.locator("#budget-over")).to_be_hidden()
    page.check("#opt-3")
    expect(page.locator("#budget-selected")).to_have_text("1,200")
    expect(page.locator("#budget-over")).to_be_visible()
    page.uncheck("#opt-2")
    expect(page.locator("#budget-over")).to_be_hidden()
    page.click("#ballot button[type=submit]")
    expect(page.locator(".receipt-code")).to_be_visible()
    context.close()


def test_without_javascript_an_over_budget_ballot_is_refused_and_kept(browser: Browser, site: Site) -> None:
    path = _open_budget(site)
    context = browser.new_context(base_url=site.url, java_script_enabled=False, locale="en")
    page = context.new_page()
    sign_in(page, "emily.chen@demo.thinktank.tw")
    page.goto(path)
    for box in ("#opt-1", "#opt-2", "#opt-3"):
        page.check(box)
    page.click("#ballot button[type=submit]")
    expect(page.locator("#f-choice-error")).to_have_text("Your selection costs 1200, more than the budget of 1000.")
    expect(page.locator("#opt-3")).to_be_checked()
    expect(page.locator("#budget-selected")).to_have_text("1,200")
    context.close()
