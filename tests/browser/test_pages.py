"""Every page, in a real browser: accessible (axe-core), usable at 360 px, by keyboard, and
without JavaScript."""

from __future__ import annotations

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from core import accounts, notify
from core.db import session_scope
from tests.browser.conftest import Site, context_for, sign_in
from thinktank.app import all_routes

pytestmark = pytest.mark.browser

ADMIN = "admin@demo.thinktank.tw"
CITIZEN = "tsai.meiling@demo.thinktank.tw"
OFFICIAL = "lin.yijun@mohw.demo.thinktank.tw"
VILLAGE_CHIEF = "chen.meihua@village.demo.thinktank.tw"
LTC = "/c/ltc-act-amendment"
PHONE = {"width": 360, "height": 740}
DISTRICT = "63000-01"  # 臺北市第1選舉區

# Every page a person can visit: (route name, path, who is signed in).
PAGES = [
    ("thinktank:home", "/", None),
    ("search:search", "/search?q=長照", None),
    ("core:signin", "/signin", None),
    ("core:signup", "/signup", None),
    ("core:password_forgot", "/password/forgot", None),
    ("core:password_reset", "RESET", None),
    ("core:agencies", "/agencies", ADMIN),
    ("core:member", "/members/7", None),
    ("core:profile", "/profile", CITIZEN),
    ("core:sessions", "/profile/sessions", CITIZEN),
    ("core:signup_confirm", "SIGNUP", None),
    ("core:verify_email", "VERIFY", "nguyen.thilan@demo.thinktank.tw"),
    ("core:activity", "/me", CITIZEN),
    ("core:receipt_form", "/receipt", None),
    ("core:receipt", "RECEIPT", CITIZEN),
    ("core:job", "JOB", CITIZEN),
    ("core:admin_members", "/admin/members", ADMIN),
    ("core:outbox", "/outbox", ADMIN),
    ("participation:list", "/c", None),
    ("participation:new", "/c/new", OFFICIAL),
    ("participation:detail", LTC, CITIZEN),
    ("participation:edit", f"{LTC}/edit", OFFICIAL),
    ("participation:versions", f"{LTC}/versions", None),
    ("participation:comments", f"{LTC}/comments", None),
    ("participation:import", f"{LTC}/import", OFFICIAL),
    ("participation:comment_offline", f"{LTC}/comments/offline", VILLAGE_CHIEF),
    ("bills:comment_offline", "/bills/1/comments/offline", VILLAGE_CHIEF),
    ("feedback:comment_edit", "COMMENT_EDIT", CITIZEN),
    ("participation:response", "/c/single-use-plastics/response", None),
    ("participation:response_edit", "/c/single-use-plastics/response/edit", "chen.zhiming@moenv.demo.thinktank.tw"),
    ("core:notifications", "/notifications", CITIZEN),
    ("participation:proposals", "/proposals", None),
    ("participation:proposal_new", "/proposals/new", CITIZEN),
    ("participation:proposal", "/proposals/1", CITIZEN),
    ("participation:proposal_review_queue", "/proposals/review", "chang.chiahao@demo.thinktank.tw"),
    ("participation:proposals_overdue", "/proposals/overdue", None),
    ("participation:agency", "/agencies/mohw", CITIZEN),
    ("participation:indicators", "/indicators", None),
    ("participation:indicators_agency", "/agencies/moenv/indicators", None),
    ("core:unsubscribe", "UNSUBSCRIBE", None),
    ("bills:list", "/bills", None),
    ("bills:detail", "/bills/1", CITIZEN),
    ("bills:comments", "/bills/1/comments", None),
    ("bills:stages", "/stages", None),
    ("bills:dashboard", "/bills/1/dashboard", "wang.yating@ly.demo.thinktank.tw"),
    ("bills:response_edit", "/bills/1/response/edit", "wang.yating@ly.demo.thinktank.tw"),
    ("bills:response", "/bills/1/response", "wang.yating@ly.demo.thinktank.tw"),
    ("bills:new", "/bills/new", "wang.yating@ly.demo.thinktank.tw"),
    ("bills:analysis", "/bills/1/analysis", "wang.yating@ly.demo.thinktank.tw"),
    ("participation:analysis", f"{LTC}/analysis", OFFICIAL),
    ("bills:manage", "/bills/1/manage", "wang.yating@ly.demo.thinktank.tw"),
    ("participation:places", f"{LTC}/places?level=township", OFFICIAL),
    ("bills:places", "/bills/1/places", None),
    ("bills:districts", f"/bills/1/districts?district={DISTRICT}", "wang.yating@ly.demo.thinktank.tw"),
    ("bills:district", f"/districts/{DISTRICT}", "wang.yating@ly.demo.thinktank.tw"),
    ("bills:district_list", "/districts", "wang.yating@ly.demo.thinktank.tw"),
    ("deliberation:list", "/conversations", None),
    ("deliberation:new", "/conversations/new", OFFICIAL),
    ("deliberation:detail", "CONVERSATION", CITIZEN),
    ("deliberation:mine", "CONVERSATION/mine", CITIZEN),
    ("deliberation:moderate", "CONVERSATION/moderate", OFFICIAL),
    ("deliberation:forum", "/discussions", None),
    ("deliberation:discussion_new", "/discussions/new?on=consultation&id=1", CITIZEN),
    ("deliberation:discussion", "/discussions/1", CITIZEN),
    ("deliberation:post_edit", "/posts/1/edit", CITIZEN),
    ("deliberation:post_history", "/posts/1/history", None),
    ("deliberation:polls", "/polls", None),
    ("deliberation:poll_new", "/polls/new", OFFICIAL),
    ("deliberation:poll", "/polls/respite-priorities", CITIZEN),
    ("deliberation:poll_receipt", "/polls/day-care-site/receipt?code=ABCD-EFGH-JKLM-NPQR", None),
    ("deliberation:poll_codes", "/polls/respite-priorities/codes", OFFICIAL),
    ("deliberation:poll_kiosk", "/polls/respite-priorities/in-person", None),
    ("deliberation:budget_new", "/budgets/new", OFFICIAL),
    ("deliberation:budget_projects", "/budgets/ltc-budget-2026/projects", OFFICIAL),
    ("deliberation:budget_results", "/budgets/ltc-budget-2026/results", None),
    ("core:moderation", "/moderation", "chang.chiahao@demo.thinktank.tw"),
    ("core:moderation_log", "/moderation/log", None),
    ("core:accessibility", "/accessibility", None),
    ("core:privacy", "/privacy", None),
    ("core:terms", "/terms", None),
    ("core:help", "/help", CITIZEN),
    ("error", "/no-such-page", None),
]
NOT_PAGES = {
    "core:healthz",
    "deliberation:budget_outcome_csv",
    "core:job_result",
    "participation:comments_csv",
    "participation:comments_json",
    "participation:response_csv",
    "participation:response_json",
    "participation:agency_feed",
    "participation:consultation_feed",
    "participation:indicators_csv",
    "participation:indicators_agency_csv",
    "participation:proposals_csv",
    "participation:list_csv",
    "bills:list_csv",
    "bills:comments_csv",
    "bills:dashboard_csv",
    "bills:comments_json",
    "bills:feed",
    "bills:response_csv",
    "bills:response_json",
    *(f"{package}:places_{kind}" for package in ("participation", "bills") for kind in ("csv", "json")),
    "deliberation:map",  # the fragment the conversation page polls
    "deliberation:poll_tally",  # the fragment the poll page polls
    "deliberation:poll_ballots",
    "feedback:responses_csv",
    "deliberation:list_csv",
    "deliberation:statements_csv",
    "deliberation:forum_csv",
    *(
        f"{package}:analysis_{kind}"
        for package in ("participation", "bills")
        for kind in ("csv", "json", "graphml", "gexf")
    ),
    *(
        f"api:{name}"
        for name in (
            "openapi",
            "agencies",
            "member",
            "consultations",
            "consultation_comments",
            "consultation_places",
            "bill_places",
            "bills",
            "bill",
            "bill_comments",
            "search",
            "receipt",
            "proposals",
            "proposal",
            "conversations",
            "conversation",
            "discussions",
            "discussion",
            "responses",
            "polls",
            "poll",
        )
    ),
}


def _resolve(page: Page, site: Site, path: str) -> str:
    if path == "RESET":
        return site.reset_link(CITIZEN)
    if path == "SIGNUP":  # the link a sign-up's e-mail carries
        with session_scope(site.engine) as session:
            _email, token = accounts.request_sign_up(
                session, f"new-{time.monotonic_ns()}@example.tw", "a password 2026", "新會員"
            )
        return f"/signup/confirm/{token}"
    if path == "VERIFY":  # the link that proves the demo's one unverified address
        with session_scope(site.engine) as session:
            member = accounts.find_member_by_email(session, "nguyen.thilan@demo.thinktank.tw")
            assert member is not None
            token = accounts.start_email_verification(session, member)
        return f"/email/verify/{token}"
    if path == "COMMENT_EDIT":  # a fresh comment, still inside its edit window
        page.goto(LTC)
        page.get_by_label("中立").or_(page.get_by_label("Neutral")).check()
        text = f"瀏覽器測試意見 {time.monotonic_ns()}"
        page.fill("#f-text", text)
        page.locator("#comment-form button[type=submit]").click()
        return page.locator("li.comment", has_text=text).locator("a[href^='/comments/']").get_attribute("href") or ""
    if path.startswith("CONVERSATION"):  # the demo conversation's address is made when it is seeded
        page.goto("/conversations")
        found = page.locator("main .card a").first.get_attribute("href") or ""
        return found + path.removeprefix("CONVERSATION")
    if path == "RECEIPT":  # the signed-in citizen's first receipt, as they would follow it
        page.goto("/me")
        return page.locator("a[href^='/receipt/']").first.get_attribute("href") or ""
    if path == "UNSUBSCRIBE":
        return "/unsubscribe/" + notify.unsubscribe_token(site.secret_key, 1)
    if path == "JOB":
        page.goto("/profile")
        page.click('form[action="/profile/export"] button')
        page.wait_for_url("**/jobs/*")
        return page.url.removeprefix(site.url)
    return path


def test_the_page_list_covers_every_page_route() -> None:
    names = {route.name for route in all_routes() if getattr(route, "methods", None) and "GET" in route.methods}
    assert names - NOT_PAGES == {name for name, _path, _who in PAGES if name != "error"}


@pytest.mark.parametrize("locale", ["zh-TW", "en"])
@pytest.mark.parametrize(("name", "path", "who"), PAGES, ids=[p[0] for p in PAGES])
def test_no_serious_accessibility_violations(
    browser: Browser, site: Site, signed_in_states: dict, locale: str, name: str, path: str, who: str | None
) -> None:
    context = context_for(browser, site, signed_in_states, who, locale=locale)
    page = context.new_page()
    page.goto(_resolve(page, site, path))
    expect(page.locator("html")).to_have_attribute("lang", locale)
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    context.close()
    assert not serious, "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in serious)


@pytest.mark.parametrize(("name", "path", "who"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_fit_a_360_px_phone(
    browser: Browser, site: Site, signed_in_states: dict, name: str, path: str, who: str | None
) -> None:
    context = context_for(browser, site, signed_in_states, who, viewport=PHONE)
    page = context.new_page()
    page.goto(_resolve(page, site, path))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    # The design system's rules: a table scrolls inside its own box, and every badge has a tone.
    loose_tables = page.locator("table:not(.table-scroll table)").count()
    toneless_badges = page.locator(".badge:not([class*='badge--'])").count()
    context.close()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    assert loose_tables == 0, f"{path}: {loose_tables} tables outside a .table-scroll box"
    assert toneless_badges == 0, f"{path}: {toneless_badges} badges without a tone"


def test_skip_link_is_the_first_stop_and_focus_is_visible(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("跳到主要內容")
    outline = focused.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


def test_sign_up_by_keyboard_alone(page: Page) -> None:
    page.goto("/signup")
    page.focus("#f-email")
    page.keyboard.type("keyboard.user@example.tw")
    page.keyboard.press("Tab")
    page.keyboard.type("a long keyboard password")
    page.keyboard.press("Tab")
    page.keyboard.type("鍵盤使用者")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("請查看您的電子郵件")  # the account waits for the e-mailed link


def test_errors_are_announced_and_linked_to_their_fields(page: Page) -> None:
    page.goto("/signup")
    page.click("main button[type=submit]")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(page.locator("#f-email")).to_have_attribute("aria-invalid", "true")
    described = page.get_attribute("#f-email", "aria-describedby") or ""
    assert "f-email-error" in described


def test_the_site_works_without_javascript(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, java_script_enabled=False, locale="zh-TW")
    page = context.new_page()
    sign_in(page, "lee.chengen@demo.thinktank.tw")
    page.goto("/profile")
    page.fill("#f-display_name", "李承恩（無腳本）")
    page.click("main form[action='/profile'] button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已儲存")
    page.click(f"{LANGUAGES} > summary")  # a drop-down that opens without a script
    page.click("button[lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Your profile")
    page.click(f"{LANGUAGES} > summary")
    page.click("button[lang=zh-TW]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-TW")
    context.close()


LANGUAGES = ".site-header .dropdown:has(.language-switch)"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_header_is_one_row_on_a_desktop_and_a_menu_button_on_a_phone(
    browser: Browser, site: Site, signed_in_states: dict, javascript: bool
) -> None:
    # The longest header there is: an admin's, in English.
    desktop = context_for(browser, site, signed_in_states, ADMIN, locale="en", java_script_enabled=javascript)
    page = desktop.new_page()
    page.goto("/")
    header = page.locator(".site-header")
    assert (header.bounding_box() or {}).get("height", 999) < 80  # one row, not two
    expect(page.locator(".site-menu > summary")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Bills")).to_be_visible()
    expect(page.get_by_role("link", name="Members and roles")).to_be_hidden()  # in the account drop-down
    page.click(".account .dropdown >> nth=0 >> summary")
    expect(page.get_by_role("link", name="Members and roles")).to_be_visible()
    desktop.close()

    phone = context_for(
        browser, site, signed_in_states, ADMIN, locale="en", java_script_enabled=javascript, viewport=PHONE
    )
    page = phone.new_page()
    page.goto("/")
    assert (header := page.locator(".site-header")).bounding_box() is not None
    assert (header.bounding_box() or {}).get("height", 999) < 130  # name, menu button, search box
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("searchbox", name="Search the site")).to_be_visible()
    page.click(".site-menu > summary")
    expect(nav.get_by_role("link", name="Bills")).to_be_visible()
    nav.get_by_role("link", name="Bills").click()
    expect(page).to_have_url(re.compile(r"/bills$"))
    phone.close()


def test_member_search_updates_in_place_with_htmx(context: BrowserContext) -> None:
    page = context.new_page()
    sign_in(page, ADMIN)
    page.goto("/admin/members")
    page.evaluate("window.__stayed = true")
    page.fill("#f-q", "emily")
    expect(page.locator("#member-rows tbody tr")).to_have_count(1)
    expect(page.locator("#member-rows")).to_contain_text("Emily Chen")
    assert page.evaluate("window.__stayed") is True  # no full page load
    assert "q=emily" in page.url


def test_admin_grants_a_role_in_the_browser(context: BrowserContext) -> None:
    page = context.new_page()
    sign_in(page, ADMIN)
    page.goto("/admin/members?q=hsu.shuhui")
    row = page.locator("#member-rows tbody tr").first
    row.locator("select[name=role]").select_option("moderator")
    row.locator("button[value=grant]").click()
    expect(page.locator(".flash")).to_contain_text("已更新角色")
    expect(page.locator("#member-rows tbody tr").first).to_contain_text("版主")


def test_a_citizen_comments_on_an_article_with_an_amendment(context: BrowserContext) -> None:
    page = context.new_page()
    sign_in(page, "kuo.wenhsiung@demo.thinktank.tw")
    page.goto(LTC)
    page.locator("#art-5").get_by_role("link", name="對本條提出意見").click()
    expect(page.locator("#f-article")).to_have_value("5")
    page.get_by_label("修正建議").check()
    page.fill("#f-text", "喘息天數應依失能程度調整。")
    amendment = page.locator("#f-amendment")
    expect(amendment).to_have_value(re.compile("二十一日"))
    amendment.fill(amendment.input_value().replace("二十一日", "二十八日"))
    page.get_by_role("button", name="送出意見").click()
    expect(page.locator(".flash")).to_contain_text("您的意見已經發布")
    mine = page.locator("li.comment", has_text="喘息天數應依失能程度調整。")
    expect(mine.locator("ins")).to_contain_text("八")
    expect(mine.locator("del")).to_contain_text("一")


def test_an_agency_publishes_a_response(context: BrowserContext) -> None:
    page = context.new_page()
    sign_in(page, OFFICIAL)
    page.goto("/c/home-care-integration")
    page.get_by_role("link", name="準備回應").click()
    page.fill("#f-title", "偏鄉訪視時限不可行")
    page.select_option("#f-decision", "partly_adopted")
    page.fill("#f-reasoning", "偏鄉地區放寬為十四日。")
    page.get_by_role("button", name="新增此主題").click()
    expect(page.locator(".flash")).to_contain_text("已儲存")
    picks = page.locator("#unassigned li", has_text="七日")
    for n in range(picks.count()):
        picks.nth(n).locator("input[type=checkbox]").check()
    page.get_by_role("button", name="歸入主題").click()
    expect(page.locator(".theme-editor summary").first).to_contain_text("偏鄉訪視時限不可行")
    page.get_by_role("button", name="發布回應").click()
    expect(page.locator("h1")).to_have_text("機關回應")
    theme = page.locator("article.theme", has_text="偏鄉訪視時限不可行")
    expect(theme).to_contain_text("部分採納")
    expect(theme).to_contain_text("偏鄉地區放寬為十四日。")
    expect(page.locator("table.matrix")).to_be_visible()


def test_a_citizen_comments_on_a_bill_article_and_staff_see_it(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, locale="zh-TW")
    page = context.new_page()
    sign_in(page, "hsu.shuhui@demo.thinktank.tw")
    page.goto("/bills?sponsor=林靜儀")
    page.get_by_role("link", name=re.compile("長期照顧服務法")).click()
    page.locator("#art-1").get_by_role("link", name="對本條提出意見").click()
    page.get_by_label("修正建議").check()
    page.fill("#f-text", "應再提高到三十五日。")
    page.fill("#f-amendment", page.locator("#f-amendment").input_value().replace("三十日", "三十五日"))
    page.get_by_role("button", name="送出意見").click()
    mine = page.locator("li.comment", has_text="應再提高到三十五日。")
    expect(mine.locator("ins")).to_contain_text("五")
    bill_path = page.url.split("#")[0].removeprefix(site.url)
    context.close()
    staff = browser.new_context(base_url=site.url, locale="zh-TW")
    page = staff.new_page()
    sign_in(page, "wang.yating@ly.demo.thinktank.tw")
    page.goto(bill_path)
    page.get_by_role("link", name="意見儀表板").click()
    expect(page.locator("section[aria-labelledby=heat] table.heat")).to_be_visible()
    expect(page.locator(".amendment-pair", has_text="應再提高到三十五日。")).to_be_visible()
    staff.close()


def test_an_analyst_reviews_the_themes_and_publishes_the_analysis(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, locale="zh-TW")
    page = context.new_page()
    sign_in(page, OFFICIAL)
    page.goto(LTC)
    page.get_by_role("link", name="分析意見").click()
    expect(page.locator("h1")).to_have_text("意見分析")
    sections = page.locator("nav.report-sections")
    # The demo's 140 form letters are one campaign, shown with what senders added.
    sections.get_by_role("link", name="制式意見", exact=True).click()
    expect(page.locator("article.campaign").first).to_contain_text("140 則意見")
    sections.get_by_role("link", name="利害關係人網絡", exact=True).click()
    expect(page.locator("svg.network")).to_be_visible()
    sections.get_by_role("link", name="主題", exact=True).click()
    first = page.locator("article.theme").first
    first.locator("input[name=label]").first.fill("照顧者需要喘息")
    first.get_by_role("button", name="重新命名").click()
    expect(page.locator(".flash")).to_contain_text("主題已更新")
    expect(page.locator("article.theme h3", has_text="照顧者需要喘息")).to_be_visible()
    second = page.locator("article.theme").nth(1)
    second.locator("summary").click()
    second.locator("input[type=checkbox]").first.check()
    second.locator("input[id^=split-]").fill("瀏覽器分出的主題")
    second.get_by_role("button", name="分出").click()
    expect(page.locator("article.theme h3", has_text="瀏覽器分出的主題")).to_be_visible()
    sections.get_by_role("link", name="本分析的方法", exact=True).click()
    expect(page.locator("#method-title ~ ol.history")).to_contain_text("分割了主題")
    page.get_by_role("button", name="發布，並將這些主題用於回應").click()
    expect(page.locator(".flash")).to_contain_text("分析已發布")
    context.close()
    reader = browser.new_context(base_url=site.url, locale="en")
    page = reader.new_page()
    page.goto(LTC)
    page.get_by_role("link", name="Analysis of the comments").click()
    expect(page.locator("article.theme h3", has_text="照顧者需要喘息")).to_be_visible()
    expect(page.locator("input[name=label]")).to_have_count(0)  # readers see no review controls
    reader.close()


def test_an_agency_reads_its_map_and_staff_read_a_district(browser: Browser, site: Site) -> None:
    """The official goes from the analysis page to the map, counts by township, and filters by an
    article; legislative staff go from the bill's dashboard to one district's feedback."""
    context = context_for(browser, site, {}, None, locale="zh-TW")
    page = context.new_page()
    sign_in(page, OFFICIAL)
    page.goto(f"{LTC}/analysis")
    page.get_by_role("link", name="各地區的意見").first.click()
    expect(page.locator("h1")).to_have_text("各地區的意見")
    expect(page.locator("svg.choropleth path.area").first).to_be_attached()
    page.get_by_role("link", name="鄉鎮市區").click()
    expect(page.locator("#place-table-title + .table-scroll th[scope=col]").first).to_have_text("鄉鎮市區")
    page.select_option("#places-article", index=1)
    page.locator("main form[action$='/places'] button[type=submit]").click()
    assert "article=" in page.url and "level=township" in page.url
    serious = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    context.close()
    context = context_for(browser, site, {}, None, locale="zh-TW")
    page = context.new_page()
    sign_in(page, "wang.yating@ly.demo.thinktank.tw")
    page.goto("/bills/1/dashboard")
    page.get_by_role("link", name="依立法委員選區的意見").click()
    page.select_option("#district", DISTRICT)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h2").first).to_contain_text("臺北市")
    serious = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    context.close()


def test_a_citizen_votes_through_a_conversation_and_sees_the_groups(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, locale="zh-TW")
    page = context.new_page()
    sign_in(page, "hsu.shuhui@demo.thinktank.tw")
    page.goto("/conversations")
    page.locator("main .card a").first.click()
    expect(page.locator("#opinion-map svg")).to_be_visible()
    first = page.locator("blockquote.statement").inner_text()
    page.get_by_role("button", name="同意", exact=True).click()
    # HTMX swaps the card in place: a new statement, same page.
    expect(page.locator("blockquote.statement")).not_to_have_text(first)
    for _ in range(3):
        page.get_by_role("button", name="不同意").click()
        expect(page.locator("#vote-card")).to_contain_text("已投")
    page.get_by_role("link", name="檢視或修改我的投票").click()
    expect(page.locator("tbody tr")).to_have_count(4)
    expect(page.locator("tbody")).to_contain_text(first)
    context.close()


def test_a_citizen_flags_a_comment_and_a_moderator_hides_it(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, locale="zh-TW")
    page = context.new_page()
    sign_in(page, "hsu.shuhui@demo.thinktank.tw")
    page.goto(f"{LTC}/comments")
    comment = page.locator("li.comment", has=page.locator("details.flag")).first
    text = comment.locator(".comment-text").inner_text()
    comment.locator("details.flag summary").click()
    comment.locator("select[name=reason]").select_option("off_topic")
    comment.get_by_role("button", name="送出檢舉").click()
    expect(page.locator(".flash")).to_contain_text("管理員會檢視")
    context.close()
    moderator = browser.new_context(base_url=site.url, locale="zh-TW")
    page = moderator.new_page()
    sign_in(page, "chang.chiahao@demo.thinktank.tw")
    page.goto("/moderation")
    item = page.locator("article.flagged", has_text=text[:20])
    item.locator("input[name=reason]").first.fill("與本條文無關")
    item.get_by_role("button", name="隱藏").click()
    expect(page.locator(".flash")).to_contain_text("管理紀錄")
    page.goto("/moderation/log")
    expect(page.locator("tbody")).to_contain_text("與本條文無關")
    moderator.close()


def test_search_as_you_type_from_the_header_then_the_full_page(page: Page) -> None:
    page.goto("/bills")
    page.fill("#site-q", "長照")
    live = page.locator("#search-live")
    expect(live.locator("a").first).to_be_visible()
    expect(page.locator("#search-live-status")).to_contain_text("筆結果")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/search?q=*")
    expect(page.locator("ol.hits li.hit").first).to_be_visible()
    expect(page.locator("ol.hits mark").first).to_be_visible()


def test_search_without_javascript_finds_simplified_and_narrows_by_kind(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, java_script_enabled=False, locale="zh-TW")
    page = context.new_page()
    page.goto("/c")
    page.fill("#site-q", "喘息服务")  # Simplified, as a visitor from elsewhere might type it
    page.click("form.site-search button[type=submit]")
    page.wait_for_url("**/search?q=*")
    expect(page.locator("ol.hits li.hit").first).to_be_visible()
    page.locator(".search-facets a", has_text="意見").first.click()
    expect(page.locator("ol.hits .hit-kind .badge").first).to_have_text("意見")
    assert page.locator("ol.hits .hit-kind .badge", has_not_text="意見").count() == 0
    context.close()


def test_the_print_button_prints_and_is_left_off_the_paper(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, locale="en")
    page = context.new_page()
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    page.goto("/c/single-use-plastics/response")
    button = page.get_by_role("button", name="Print this page")
    expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")  # a keyboard press prints as a click does
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    expect(button).to_be_hidden()
    context.close()


def test_without_javascript_no_print_button_is_offered(browser: Browser, site: Site) -> None:
    context = browser.new_context(base_url=site.url, java_script_enabled=False, locale="en")
    page = context.new_page()
    page.goto("/c/single-use-plastics/response")
    expect(page.locator("h1")).to_have_text("The agency's response")
    expect(page.locator("button[data-print]")).to_have_count(1)
    expect(page.locator("button[data-print]")).to_be_hidden()
    context.close()


def test_the_reports_print_button_prints_the_whole_report_and_is_a_link_without_javascript(
    browser: Browser, site: Site, signed_in_states: dict
) -> None:
    context = context_for(browser, site, signed_in_states, OFFICIAL, locale="en")
    page = context.new_page()
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    page.goto(f"{LTC}/analysis?section=themes")
    expect(page.get_by_role("link", name="Print the report")).to_be_hidden()
    page.get_by_role("button", name="Print the report").click()
    page.wait_for_url("**/analysis?section=all")  # the whole report on one page, printed there
    expect(page.locator("#method-title")).to_be_visible()
    page.wait_for_function("window.printed === 1")
    context.close()
    context = context_for(browser, site, signed_in_states, OFFICIAL, locale="en", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{LTC}/analysis?section=themes")
    expect(page.get_by_role("button", name="Print the report")).to_be_hidden()
    page.get_by_role("link", name="Print the report").click()
    page.wait_for_url("**/analysis?section=all")
    context.close()


def test_the_network_reads_on_a_phone_table_first_with_labels_a_key_and_a_larger_map(
    browser: Browser, site: Site, signed_in_states: dict
) -> None:
    context = context_for(browser, site, signed_in_states, OFFICIAL, viewport=PHONE, locale="en")
    page = context.new_page()
    page.goto(f"{LTC}/analysis?section=network")
    order = page.evaluate(
        "[...document.querySelectorAll('#network-title ~ details, #network-title ~ .network-map')].map(e => e.tagName)"
    )
    assert order == ["DETAILS", "DIV"]  # the table of every node comes before the map
    assert page.locator("svg.network text.node-name").count() > 0
    key = page.locator("ul.legend--network li")
    expect(key.first).to_have_text("People")
    assert key.filter(has_text="Community 1").count() == 1
    width = page.locator("svg.network").bounding_box()["width"]  # type: ignore[index]
    page.get_by_role("link", name="Larger map").click()
    assert page.locator("svg.network").bounding_box()["width"] > 1.5 * width  # type: ignore[index]
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the network section scrolls sideways by {overflow}px at 360px"
    serious = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    context.close()


def test_the_footer_leads_to_each_page_in_the_readers_language(page: Page) -> None:
    page.goto("/")
    page.locator(".site-footer").get_by_role("link", name="隱私權").click()
    page.wait_for_url("**/privacy")
    expect(page.locator("h1")).to_have_text("隱私權政策")
    expect(page).to_have_title("隱私權政策 · 公共政策智庫")


def test_a_citizen_supports_a_comment_in_place_and_withdraws_it(context: BrowserContext) -> None:
    page = context.new_page()
    sign_in(page, "hsu.shuhui@demo.thinktank.tw")
    page.goto(f"{LTC}/comments?sort=supported")
    box = page.locator("div.support:has(form)").first
    box_id = box.get_attribute("id")
    count = page.locator(f"#{box_id} .support-count")
    before = int(re.sub(r"\D", "", count.inner_text()))
    page.locator(f"#{box_id} button").click()
    expect(page.locator(f"#{box_id} button")).to_have_text("撤回我的支持")
    expect(count).to_have_text(f"{before + 1} 人支持")
    assert page.url.endswith("/comments?sort=supported")  # swapped in place: no page load
    page.locator(f"#{box_id} button").click()
    expect(page.locator(f"#{box_id} button")).to_have_text("支持這則意見")
    expect(count).to_have_text(f"{before} 人支持")
