"""The three users' journeys through the demo, end to end, on a desktop and on a phone, with
JavaScript on and off: a citizen finds an open consultation, sees its form letters folded,
comments, keeps the receipt and checks it signed out; an agency official reads the analysis and
the proposals waiting on agencies; legislative staff follow a bill to its feedback dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Site, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
WAYS = [
    pytest.param(DESKTOP, True, id="desktop"),
    pytest.param(DESKTOP, False, id="desktop-no-js"),
    pytest.param(PHONE, True, id="phone"),
    pytest.param(PHONE, False, id="phone-no-js"),
]


def _context(browser: Browser, site: Site, viewport: dict[str, int], javascript: bool) -> BrowserContext:
    return browser.new_context(base_url=site.url, locale="zh-TW", viewport=viewport, java_script_enabled=javascript)


def _go(page: Page, link: str) -> None:
    """Follow a main-menu link as a person would: on a phone, through the Menu button first."""
    if page.locator(".site-menu > summary").is_visible():
        page.click(".site-menu > summary")
    page.get_by_role("navigation", name="主選單").get_by_role("link", name=link).click()


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_a_citizen_comments_keeps_the_receipt_and_checks_its_fate(
    browser: Browser, site: Site, viewport: dict[str, int], javascript: bool, request: pytest.FixtureRequest
) -> None:
    context = _context(browser, site, viewport, javascript)
    page = context.new_page()
    sign_in(page, "lee.chengen@demo.thinktank.tw")
    page.goto("/")
    expect(page.locator("main .countdown").first).to_contain_text(re.compile(r"還有 \d+ 天"))  # closing soon
    _go(page, "政策諮詢")
    page.get_by_role("link", name="長期照顧服務法部分條文修正草案").first.click()
    letters = page.locator("section.letters")
    expect(letters).to_contain_text(re.compile(r"這份意見與另外 \d+ 份相近的意見"))  # a campaign is one entry
    page.locator("#art-5").get_by_role("link", name="對本條提出意見").click()
    page.get_by_label("支持").check()
    said = f"第五條方向正確（{request.node.callspec.id}）。"
    page.fill("#f-text", said)
    page.get_by_role("button", name="送出意見").click()
    posted = page.locator("li.comment--new")
    expect(posted).to_contain_text(said)
    code = posted.locator("a[href^='/receipt/'] code").inner_text()
    page.goto("/me")
    mine = page.locator(".fate", has_text=said)
    expect(mine).to_contain_text(code)
    expect(mine).to_contain_text("已收到")
    expect(page.locator(".fate", has_text="應將塑膠封膜也納入規範")).to_have_count(0)  # another citizen's
    context.close()

    anyone = _context(browser, site, viewport, javascript)
    page = anyone.new_page()
    page.goto("/receipt")
    page.fill("input[name=code]", code)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(said)
    expect(page.locator("main")).not_to_contain_text("李承恩")  # never who made it
    anyone.close()


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_an_official_reads_the_analysis_and_sees_which_answers_are_late(
    browser: Browser, site: Site, viewport: dict[str, int], javascript: bool
) -> None:
    context = _context(browser, site, viewport, javascript)
    page = context.new_page()
    sign_in(page, "lin.yijun@mohw.demo.thinktank.tw")
    page.goto("/c/ltc-act-amendment")
    page.get_by_role("link", name="分析意見").click()
    expect(page.locator("article.theme").first).to_be_visible()  # the report opens on its themes
    page.locator("nav.report-sections").get_by_role("link", name="制式意見", exact=True).click()
    expect(page.locator("article.campaign").first).to_contain_text("140 則意見")
    _go(page, "公共政策提案")
    page.get_by_role("link", name="政府網站全面提供無障礙與多語版本").click()
    expect(page.locator(".countdown--overdue")).to_contain_text(re.compile(r"已逾期 \d+ 天"))
    page.goto("/c/home-care-integration")
    page.get_by_role("link", name="準備回應").click()
    expect(page.locator("#f-title")).to_be_visible()
    context.close()


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_legislative_staff_follow_a_bill_to_its_feedback(
    browser: Browser, site: Site, viewport: dict[str, int], javascript: bool
) -> None:
    context = _context(browser, site, viewport, javascript)
    page = context.new_page()
    sign_in(page, "wang.yating@ly.demo.thinktank.tw")
    _go(page, "法案追蹤")
    page.get_by_role("link", name=re.compile("長期照顧服務法")).first.click()
    expect(page.locator("#art-1")).to_be_visible()
    page.get_by_role("link", name="意見儀表板").click()
    # the positions-by-article table (the dashboard also tables its sources and its days)
    expect(page.locator("section[aria-labelledby=heat] table.heat")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the dashboard scrolls sideways by {overflow}px"
    context.close()
