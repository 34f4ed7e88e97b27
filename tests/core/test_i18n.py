"""Two languages: negotiation, the switcher, locale formats, and complete catalogs."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlmodel import Session
from starlette.testclient import TestClient

from core import accounts, i18n, web
from core.settings import ROOT
from tests.helpers import make_member, post, sign_in


def test_traditional_chinese_is_the_default(client: TestClient) -> None:
    page = client.get("/")
    assert '<html lang="zh-TW">' in page.text
    assert "國家政策網路智庫" in page.text
    assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("accept", "lang"),
    [("en-US,en;q=0.9", "en"), ("zh-Hant-TW,zh;q=0.9", "zh-TW"), ("fr-FR, en;q=0.5", "en"), ("de", "zh-TW")],
)
def test_the_browser_language_is_honoured(client: TestClient, accept: str, lang: str) -> None:
    page = client.get("/", headers={"Accept-Language": accept})
    assert f'<html lang="{lang}">' in page.text


def test_the_switcher_is_remembered_across_visits(client: TestClient) -> None:
    response = post(client, "/language", {"locale": "en", "next": "/agencies"})
    assert response.status_code == 303
    assert response.headers["location"] == "/agencies"
    page = client.get("/agencies")
    assert '<html lang="en">' in page.text
    assert "Agencies" in page.text
    back = post(client, "/language", {"locale": "zh_TW", "next": "/"})
    assert back.status_code == 303
    assert '<html lang="zh-TW">' in client.get("/").text


def test_a_members_language_follows_them_to_a_new_device(client: TestClient, app, db: Session) -> None:  # type: ignore[no-untyped-def]
    member = make_member(db)
    sign_in(client, member)
    post(client, "/language", {"locale": "en", "next": "/"})
    db.refresh(member)
    assert member.locale == "en"
    with TestClient(app, follow_redirects=False) as elsewhere:
        sign_in(elsewhere, member)
        assert '<html lang="en">' in elsewhere.get("/").text


def test_an_unknown_language_is_refused_clearly(client: TestClient) -> None:
    response = post(client, "/language", {"locale": "tlh", "next": "/"})
    assert response.status_code == 400
    assert "沒有提供這個語言。" in response.text


def test_dates_and_numbers_follow_the_locale() -> None:
    moment = datetime(2026, 3, 1, 4, 30, tzinfo=UTC)  # 12:30 in Taipei
    i18n.set_locale("zh_TW")
    assert i18n.format_date(moment, "Asia/Taipei") == "2026年3月1日"
    assert i18n.format_datetime(moment, "Asia/Taipei") == "2026年3月1日 12:30"  # one format, 24-hour
    assert i18n.format_date("2026-05-15", "Asia/Taipei") == "2026年5月15日"  # a day as stored
    assert i18n.format_number(1234567) == "1,234,567"
    i18n.set_locale("en")
    assert i18n.format_date(moment, "Asia/Taipei") == "1 Mar 2026"
    assert i18n.format_datetime(moment, "Asia/Taipei") == "1 Mar 2026, 12:30"
    i18n.set_locale("zh_TW")


def test_adding_a_language_is_adding_a_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "vi" / "LC_MESSAGES" / "messages.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text('msgid ""\nmsgstr ""\n"Language: vi\\n"\n\nmsgid "Home"\nmsgstr "Trang chủ"\n', "utf-8")
    (tmp_path / "zh_TW" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "zh_TW" / "LC_MESSAGES" / "messages.po").write_text('msgid ""\nmsgstr ""\n', "utf-8")
    assert i18n.available_locales(tmp_path) == ("zh_TW", "vi", "en")
    assert i18n.language_name("vi") == "Tiếng Việt"


def _interface_strings() -> set[str]:
    # The same places babel.cfg names for extraction, so a new package cannot slip past this test.
    sections = re.findall(r"^\[(python|jinja2): ([^\]]+)\]", (ROOT / "babel.cfg").read_text(), re.M)
    method_map = [(pattern.strip(), method) for method, pattern in sections]
    assert ("feedback/**.py", "python") in method_map
    found = set()
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}}, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_interface_string_is_translated_in_every_catalog() -> None:
    strings = _interface_strings()
    assert "Sign in" in strings and "There is a problem" in strings  # the extractor sees templates and code
    for po in sorted((ROOT / "locales").glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        translated = {
            m.id[0] if isinstance(m.id, tuple) else m.id
            for m in catalog
            if m.id and "fuzzy" not in m.flags and all(m.string if isinstance(m.string, tuple) else [m.string])
        }
        missing = sorted(strings - translated)
        assert not missing, f"{po.parent.parent.name} lacks translations for: {missing}"


def test_role_and_organisation_labels_are_interface_strings() -> None:
    strings = _interface_strings()
    assert set(accounts.ROLE_LABELS.values()) <= strings
    assert set(accounts.ORG_TYPE_LABELS.values()) <= strings


HALF_WIDTH_BESIDE_HAN = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]\s*[,:;()!?]|[,:;()!?]\s*[\u3400-\u9fff]")


def test_traditional_chinese_strings_use_full_width_punctuation() -> None:
    """：，；（）！？ in zh-TW text; half-width marks are for numbers (5,000) and Latin text only."""
    with (ROOT / "locales" / "zh_TW" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    offending = []
    for message in catalog:
        for text in message.string if isinstance(message.string, tuple) else [message.string]:
            if text and HALF_WIDTH_BESIDE_HAN.search(re.sub(r"%\(\w+\)s", "0", text)):
                offending.append(text)
    assert not offending, offending


def test_punctuation_around_words_follows_the_language(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert "錯誤代碼：404" in page.text
    i18n.set_locale("en")
    assert str(web.templates.from_string('{{ "Error code"|label }}{{ "x"|parens }}').render()) == "Error code: (x)"
    i18n.set_locale("zh_TW")
    assert str(web.templates.from_string('{{ "錯誤"|label }}{{ "x"|parens }}').render()) == "錯誤：（x）"


def test_articles_are_labelled_as_the_law_writes_them() -> None:
    i18n.set_locale("zh_TW")
    labels = [i18n.article_label(n) for n in (1, 5, 10, 13, 20, 25, 100, 105, 110, 115)]
    assert labels == [
        "第一條",
        "第五條",
        "第十條",
        "第十三條",
        "第二十條",
        "第二十五條",
        "第一百條",
        "第一百零五條",
        "第一百一十條",
        "第一百一十五條",
    ]
    i18n.set_locale("en")
    assert i18n.article_label(5) == "Article 5"
    i18n.set_locale("zh_TW")
