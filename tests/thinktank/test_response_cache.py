"""Anonymous readers' pages are kept whole (core.response_cache) and never seen stale: a new
comment, an edit, a moderation action and a new draft version each show at once on every kept
page, whoever writes and however; each reader keeps their own CSRF token and messages; signed-in
readers and per-reader answers are never kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import accounts, caches, moderation
from participation import services
from participation.models import Consultation
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import DRAFT, consultation

COMMENTS = "/c/ltc/comments"
API = "/api/v1/consultations/ltc/comments"
KEPT = ("/", "/c/ltc", COMMENTS, API)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def reader(app: Starlette) -> Iterator[TestClient]:
    """An anonymous reader, in English, beside `client` (who signs in to write)."""
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as anonymous:
        anonymous.cookies.set("lang", "en")
        yield anonymous


def _pages(reader: TestClient) -> dict[str, str]:
    """Every kept page, read twice (the second from the cache) and the same both times but for
    nothing."""
    seen = {}
    for path in KEPT:
        first, second = reader.get(path), reader.get(path)
        assert first.status_code == second.status_code == 200
        assert first.text == second.text
        seen[path] = second.text
    return seen


def _article_meta(page: str, number: int) -> str:
    found = re.search(rf'id="art-{number}".*?<p class="article-meta">(.*?)</p>', page, re.DOTALL)
    assert found, f"no article {number} on the page"
    return " ".join(re.sub("<[^>]+>", "", found.group(1)).split())


def _rename_behind_the_caches(db: Session, title: str) -> None:
    """A change no writer reports (SQL text, as a migration's own UPDATE): only a kept page
    still shows the old title."""
    db.execute(text("UPDATE consultation SET title = :title WHERE slug = 'ltc'"), {"title": title})
    db.commit()


def test_anonymous_pages_are_kept_and_signed_in_ones_are_not(
    client: TestClient, reader: TestClient, db: Session
) -> None:
    consultation(db)
    _pages(reader)
    _rename_behind_the_caches(db, "改過的標題")
    assert "改過的標題" not in reader.get("/c/ltc").text  # kept
    sign_in(client, make_member(db))
    assert "改過的標題" in client.get("/c/ltc").text  # a signed-in reader's page is rendered for them


def test_a_new_comment_shows_at_once_on_every_kept_page(client: TestClient, reader: TestClient, db: Session) -> None:
    ltc = consultation(db)
    services.comment_on_consultation(db, ltc, make_member(db, "first@example.tw"), "support", "支持第二條", article=2)
    before = _pages(reader)
    assert reader.get(API).json()["total"] == 1
    sign_in(client, make_member(db, "second@example.tw", name="王小明"))
    answer = post(client, COMMENTS, {"stance": "oppose", "text": "反對第二條", "article": "2"}, "/c/ltc")
    assert answer.status_code == 303
    after = _pages(reader)
    assert all(after[path] != before[path] for path in KEPT)
    assert "Oppose 1" in _article_meta(after["/c/ltc"], 2)
    assert "反對第二條" in after[COMMENTS]
    assert reader.get(API).json()["total"] == 2


def test_an_edit_shows_at_once(client: TestClient, reader: TestClient, db: Session) -> None:
    ltc = consultation(db)
    author = make_member(db)
    comment = services.comment_on_consultation(db, ltc, author, "support", "原來的意見", article=2)
    assert "原來的意見" in _pages(reader)[COMMENTS]
    sign_in(client, author)
    path = f"/comments/{comment.id}/edit"
    assert post(client, path, {"stance": "oppose", "text": "改過的意見"}, token_from=path).status_code == 303
    after = _pages(reader)
    assert "改過的意見" in after[COMMENTS] and "原來的意見" not in after[COMMENTS]
    assert "Oppose 1" in _article_meta(after["/c/ltc"], 2)
    assert [row["text"] for row in reader.get(API).json()["items"]] == ["改過的意見"]


def test_a_moderation_action_shows_at_once(client: TestClient, reader: TestClient, db: Session) -> None:
    ltc = consultation(db)
    comment = services.comment_on_consultation(db, ltc, make_member(db), "oppose", "人身攻擊的留言", article=2)
    assert "人身攻擊的留言" in _pages(reader)[COMMENTS]
    sign_in(client, make_member(db, "mod@example.tw", role="moderator", name="林小明"))
    hide = {"kind": "comment", "id": str(comment.id), "action": "hide", "reason": "人身攻擊"}
    assert post(client, "/moderation/content", hide, token_from="/moderation").status_code == 303
    hidden = _pages(reader)
    assert "人身攻擊的留言" not in hidden[COMMENTS] + hidden[API] and "Hidden by a moderator" in hidden[COMMENTS]
    restore = {"kind": "comment", "id": str(comment.id), "action": "restore", "reason": "誤判"}
    assert post(client, "/moderation/content", restore, token_from="/moderation").status_code == 303
    assert "人身攻擊的留言" in _pages(reader)[COMMENTS]


def test_a_new_draft_version_shows_at_once(client: TestClient, reader: TestClient, db: Session) -> None:
    ltc = consultation(db)
    assert "二十一日" in _pages(reader)["/c/ltc"]
    official = db.exec(select(accounts.Member).where(accounts.Member.email == "official@mohw.example.tw")).one()
    sign_in(client, official)
    form = {
        "title": ltc.title,
        "summary": ltc.summary,
        "background": ltc.background,
        "text": DRAFT.replace("二十一日", "三十日"),
        "opens_at": (ltc.opens_at + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (ltc.closes_at + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
        "note": "延長",
    }
    assert post(client, "/c/ltc/edit", form, token_from="/c/ltc/edit").status_code == 303
    page = _pages(reader)["/c/ltc"]
    assert "Version 2 of 2" in page and "每年以三十日為上限" in page


def test_a_write_outside_the_web_shows_at_once_and_a_rollback_changes_nothing(
    reader: TestClient, db: Session, engine: Engine
) -> None:
    """Jobs, imports and the command line write through their own sessions and connections, in
    other processes: the token they renew is in the database."""
    ltc = consultation(db)
    _pages(reader)
    token = _site_token(engine)
    with Session(engine) as other:
        mine = other.get(Consultation, ltc.id)
        assert mine is not None
        mine.title = "未提交的標題"
        other.flush()
        other.rollback()
    assert _site_token(engine) == token
    with engine.begin() as connection:  # Core, as a bulk import writes
        connection.execute(Consultation.__table__.update().values(title="匯入的標題"))  # type: ignore[attr-defined]
    assert _site_token(engine) != token
    assert "匯入的標題" in reader.get("/c/ltc").text


def test_a_moderation_service_call_shows_at_once(reader: TestClient, db: Session) -> None:
    ltc = consultation(db)
    comment = services.comment_on_consultation(db, ltc, make_member(db), "oppose", "不當的留言", article=2)
    moderator = make_member(db, "mod@example.tw", role="moderator")
    assert "不當的留言" in _pages(reader)[COMMENTS]
    moderation.act_on_content(db, moderator, "comment", int(comment.id or 0), "hide", "不當")
    assert "不當的留言" not in reader.get(COMMENTS).text


def test_each_reader_keeps_their_own_token_and_messages(app: Starlette, db: Session) -> None:
    consultation(db)
    tokens = set()
    for _ in range(3):
        with TestClient(app, base_url="http://127.0.0.1:8000") as newcomer:
            page = newcomer.get("/c/ltc")
            assert "thinktank_session" in page.headers.get("set-cookie", "")
            assert len(set(TOKEN.findall(page.text))) == 1
            again = newcomer.get("/c/ltc")  # now with the cookie, from the cache
            assert set(TOKEN.findall(again.text)) == set(TOKEN.findall(page.text))
            tokens |= set(TOKEN.findall(page.text))
            (token,) = set(TOKEN.findall(again.text))
            switch = {"csrf_token": token, "locale": "en", "next": "/c/ltc"}  # the token is the reader's own
            assert newcomer.post("/language", data=switch, follow_redirects=False).status_code == 303
    assert len(tokens) == 3


def _site_token(engine: Engine) -> tuple[str, ...] | None:
    with engine.connect() as connection:
        return caches.site_generation(connection.execution_options(isolation_level="AUTOCOMMIT"))
