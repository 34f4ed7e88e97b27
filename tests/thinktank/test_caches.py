"""What pages keep between requests (core.caches, the rendered Markdown of a draft) is never seen
stale: a new comment, an edit, a moderation action and a new draft version each show at once on
every page that keeps something, and nothing that belongs to one reader reaches another."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts, caches
from feedback.models import Comment
from participation import services
from participation.models import Consultation
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import DRAFT, consultation

COMMENTS = "/c/ltc/comments"
API = "/api/v1/consultations/ltc/comments"


def _article_meta(page: str, number: int) -> str:
    """The "Support n · Oppose n · Amendments n" of one article of the consultation page."""
    found = re.search(rf'id="art-{number}".*?<p class="article-meta">(.*?)</p>', page, re.DOTALL)
    assert found, f"no article {number} on the page"
    counts = re.search(
        r"Support \d+ · Oppose \d+ · Amendments \d+", " ".join(re.sub("<[^>]+>", "", found.group(1)).split())
    )
    assert counts, found.group(1)
    return counts.group(0)


def _figures(client: TestClient) -> tuple[str, int, str]:
    """What the cached pages say: article 2's counts, the API's total, the home page's count."""
    page = client.get("/c/ltc")
    assert page.status_code == 200
    home = re.search(r"<dd>(\d+)</dd>", client.get("/").text)
    assert home
    return _article_meta(page.text, 2), client.get(API).json()["total"], home.group(1)


def _read_everything(client: TestClient) -> None:
    for path in ("/", "/c/ltc", COMMENTS, API):
        assert client.get(path).status_code == 200


def test_a_new_comment_shows_at_once_on_every_cached_page(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    first = make_member(db, "first@example.tw")
    services.comment_on_consultation(db, ltc, first, "support", "支持第二條", article=2)
    client.cookies.set("lang", "en")
    _read_everything(client)
    _read_everything(client)  # now kept
    assert _figures(client) == ("Support 1 · Oppose 0 · Amendments 0", 1, "1")

    sign_in(client, make_member(db, "second@example.tw", name="王小明"))
    answer = post(client, "/c/ltc/comments", {"stance": "oppose", "text": "反對第二條", "article": "2"}, "/c/ltc")
    assert answer.status_code == 303
    assert _figures(client)[:2] == ("Support 1 · Oppose 1 · Amendments 0", 2)
    assert _figures(client)[2] == "2"
    assert "反對第二條" in client.get(COMMENTS).text


def test_an_edit_shows_at_once(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    author = make_member(db)
    comment = services.comment_on_consultation(db, ltc, author, "support", "原來的意見", article=2)
    client.cookies.set("lang", "en")
    sign_in(client, author)
    _read_everything(client)
    assert _figures(client)[0] == "Support 1 · Oppose 0 · Amendments 0"

    path = f"/comments/{comment.id}/edit"
    assert post(client, path, {"stance": "oppose", "text": "改過的意見"}, token_from=path).status_code == 303
    assert _figures(client)[0] == "Support 0 · Oppose 1 · Amendments 0"
    for page in ("/c/ltc", COMMENTS):
        text = client.get(page).text
        assert "改過的意見" in text and "原來的意見" not in text
    assert [row["text"] for row in client.get(API).json()["items"]] == ["改過的意見"]


def test_hiding_and_restoring_a_comment_show_at_once(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    comment = services.comment_on_consultation(db, ltc, make_member(db), "oppose", "人身攻擊的留言", article=2)
    moderator = make_member(db, "mod@example.tw", role="moderator", name="林小明")
    client.cookies.set("lang", "en")
    _read_everything(client)
    _read_everything(client)
    sign_in(client, moderator)
    hide = {"kind": "comment", "id": str(comment.id), "action": "hide", "reason": "人身攻擊"}
    assert post(client, "/moderation/content", hide, token_from="/moderation").status_code == 303
    for page in ("/c/ltc", COMMENTS):
        text = client.get(page).text
        assert "人身攻擊的留言" not in text and "Hidden by a moderator" in text

    restore = {"kind": "comment", "id": str(comment.id), "action": "restore", "reason": "誤判"}
    assert post(client, "/moderation/content", restore, token_from="/moderation").status_code == 303
    for page in ("/c/ltc", COMMENTS):
        assert "人身攻擊的留言" in client.get(page).text
    assert _figures(client)[:2] == ("Support 0 · Oppose 1 · Amendments 0", 1)


def test_a_new_draft_version_shows_at_once(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    services.comment_on_consultation(db, ltc, make_member(db), "amend", "改成三十日", article=2, amendment="三十日")
    official = db.exec(select(accounts.Member).where(accounts.Member.email == "official@mohw.example.tw")).one()
    client.cookies.set("lang", "en")
    _read_everything(client)
    _read_everything(client)
    assert "二十一日" in client.get("/c/ltc").text
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
    page = client.get("/c/ltc").text
    assert "Version 2 of 2" in page
    article = re.search(r'id="art-2".*?<div class="prose">(.*?)</div>', page, re.DOTALL)
    assert article and "每年以三十日為上限" in article.group(1) and "二十一日" not in article.group(1)
    assert _article_meta(page, 2) == "Support 0 · Oppose 0 · Amendments 1"


def test_what_belongs_to_one_reader_never_reaches_another(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    mei = make_member(db, "mei@example.tw", name="林美華")
    comment = services.comment_on_consultation(db, ltc, mei, "support", "我的意見", article=2)
    client.cookies.set("lang", "en")
    edit_link = f"/comments/{comment.id}/edit"

    def seen_by(member: accounts.Member | None) -> tuple[set[str], bool]:
        client.cookies.clear()
        client.cookies.set("lang", "en")
        if member is not None:
            sign_in(client, member)
        text = "".join(client.get(path).text for path in ("/c/ltc", COMMENTS, "/c/ltc", COMMENTS))
        return set(re.findall(r'name="csrf_token" value="([^"]+)"', text)), edit_link in text

    mei_tokens, mei_edits = seen_by(mei)
    wang_tokens, wang_edits = seen_by(make_member(db, "wang@example.tw", name="王小明"))
    anonymous_tokens, anonymous_edits = seen_by(None)
    assert mei_edits and not wang_edits and not anonymous_edits
    assert len(mei_tokens) == len(wang_tokens) == len(anonymous_tokens) == 1  # each their own session's
    assert len(mei_tokens | wang_tokens | anonymous_tokens) == 3


def test_a_write_through_any_session_stales_what_another_kept(engine: object, db: Session) -> None:
    """The token is in the database, so a write in one process stales what another process kept;
    a write that rolls back stales nothing."""
    ltc = consultation(db)
    services.comment_on_consultation(db, ltc, make_member(db), "support", "第一則", article=2)
    scope = caches.comments_scope("consultation", int(ltc.id or 0))
    computed: list[int] = []

    def count() -> int:
        computed.append(1)
        return len(db.exec(select(Comment)).all())

    assert caches.remembered(db, scope, "n", count) == 1
    assert caches.remembered(db, scope, "n", count) == 1 and len(computed) == 1
    with Session(db.get_bind()) as other:
        caches.changed(other, scope)
        other.rollback()
    assert caches.remembered(db, scope, "n", count) == 1 and len(computed) == 1
    with Session(db.get_bind()) as other:
        mine = other.exec(select(Consultation)).one()
        services.comment_on_consultation(other, mine, make_member(other, "two@example.tw"), "oppose", "第二則")
    db.commit()  # end the reading transaction, as a new request would
    assert caches.remembered(db, scope, "n", count) == 2 and len(computed) == 2
