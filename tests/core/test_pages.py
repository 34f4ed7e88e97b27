"""The pages every public site needs: accessibility, privacy, terms and help, in the reader's
language, linked from every page's footer, with the operator's own name and contact address."""

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from core.settings import Settings, SettingsError
from thinktank.app import create_app

EN = {"Accept-Language": "en"}
PAGES = {
    "/accessibility": ("Accessibility statement", "無障礙聲明"),
    "/privacy": ("Privacy policy", "隱私權政策"),
    "/terms": ("Terms of participation and moderation rules", "參與規範與管理原則"),
    "/help": ("Help", "使用說明"),
}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_answers_in_english_and_chinese_with_its_title_and_language(client: TestClient, path: str) -> None:
    english, chinese = PAGES[path]
    page = client.get(path, headers=EN)
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert f"<title>{english} · thinktank</title>" in page.text
    assert f"<h1>{english}</h1>" in page.text
    page = client.get(path)
    assert page.status_code == 200
    assert '<html lang="zh-TW">' in page.text
    assert f"<title>{chinese} · 公共政策智庫</title>" in page.text
    assert f"<h1>{chinese}</h1>" in page.text


def test_the_bodies_are_written_in_each_language(client: TestClient) -> None:
    english = client.get("/privacy", headers=EN).text
    chinese = client.get("/privacy").text
    assert "/profile/export" in english and "/profile/export" in chinese
    assert "session cookie" in english and "工作階段" in chinese
    assert "工作階段" not in english and "session cookie" not in chinese


def test_other_languages_read_the_english_text_marked_as_english(client: TestClient) -> None:
    page = client.get("/accessibility", headers={"Accept-Language": "vi"})
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Trang này chỉ có bằng tiếng Anh" in page.text  # the note says so in the reader's language
    assert '<div class="prose page-body" lang="en">' in page.text
    assert "axe-core" in page.text
    chinese = client.get("/accessibility").text
    assert 'lang="en"' not in chinese.split("<main", 1)[1].split("</main>")[0]


@pytest.mark.parametrize(
    ("headers", "labels"),
    [
        (EN, ["Accessibility", "Privacy", "Terms of participation", "Help"]),
        ({}, ["無障礙", "隱私權", "參與規範", "使用說明"]),
    ],
)
def test_the_footer_of_the_home_page_links_every_page(client: TestClient, headers: dict, labels: list[str]) -> None:
    footer = client.get("/", headers=headers).text.split('<footer class="site-footer">', 1)[1]
    for path, label in zip(PAGES, labels, strict=True):
        assert f'<a href="{path}">{label}</a>' in footer


def test_the_pages_name_the_operator_and_its_contact_address(settings: Settings, engine: Engine) -> None:
    operator = replace(settings, operator_name="國家發展委員會", operator_email="participation@ndc.gov.tw")
    with TestClient(create_app(operator, engine=engine)) as client:
        for path in PAGES:
            page = client.get(path).text
            assert "國家發展委員會" in page
            assert 'href="mailto:participation@ndc.gov.tw"' in page


def test_without_operator_settings_the_pages_say_so_plainly(client: TestClient) -> None:
    page = client.get("/privacy", headers=EN).text
    assert "The operator of this site has not yet published its name." in page
    assert "The operator of this site has not yet published a contact address." in page
    assert "mailto:" not in page


def test_the_operator_settings_come_from_the_environment(tmp_path: Path) -> None:
    env = {"THINKTANK_VAR": str(tmp_path), "OPERATOR_NAME": " 數位發展部 ", "OPERATOR_EMAIL": "a11y@moda.gov.tw"}
    settings = Settings.from_env(env)
    assert (settings.operator_name, settings.operator_email) == ("數位發展部", "a11y@moda.gov.tw")
    assert Settings.from_env({"THINKTANK_VAR": str(tmp_path)}).operator_email == ""
    with pytest.raises(SettingsError, match="OPERATOR_EMAIL"):
        Settings.from_env({"THINKTANK_VAR": str(tmp_path), "OPERATOR_EMAIL": "not an address"})
