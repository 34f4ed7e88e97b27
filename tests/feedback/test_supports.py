"""Supporting comments: one support per member and comment (the database says so, under a race
too), a toggle that works with and without JavaScript, the most supported first in the page, its
fragment and the API, and supports in the member's activity and export."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import moderation
from core.db import pk
from feedback import comments, supports
from feedback.models import Comment, CommentSupport
from participation import services
from participation.models import Consultation
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import consultation

EN = {"Accept-Language": "en"}


def _comment(db: Session, c: Consultation, email: str, text: str) -> Comment:
    return services.comment_on_consultation(db, c, make_member(db, email), "support", text)


def _count_on(page: str, comment: Comment) -> int:
    block = page.split(f'id="support-{comment.id}"')[1].split("</div>")[0]
    found = re.search(r"(\d+) supporters?", block)
    assert found, block
    return int(found.group(1))


def test_a_member_supports_a_comment_and_withdraws_it_without_javascript(client: TestClient, db: Session) -> None:
    c = consultation(db)
    comment = _comment(db, c, "author@example.tw", "喘息服務應增加")
    sign_in(client, make_member(db, "reader@example.tw"))
    supported = post(client, f"/comments/{comment.id}/support", {"back": f"/c/{c.slug}"}, token_from=f"/c/{c.slug}")
    assert supported.status_code == 303 and supported.headers["location"] == f"/c/{c.slug}#comment-{comment.id}"
    page = client.get(f"/c/{c.slug}", headers=EN).text
    assert "Thank you for your support." in page and _count_on(page, comment) == 1
    assert 'class="secondary">Withdraw my support</button>' in page
    withdrawn = post(client, f"/comments/{comment.id}/support", {}, token_from=f"/c/{c.slug}")
    assert withdrawn.headers["location"] == f"/c/{c.slug}#comment-{comment.id}"
    page = client.get(f"/c/{c.slug}", headers=EN).text
    assert "Your support is withdrawn." in page and _count_on(page, comment) == 0
    assert db.exec(select(CommentSupport)).all() == []


def test_with_htmx_the_button_and_count_swap_in_place(client: TestClient, db: Session) -> None:
    c = consultation(db)
    comment = _comment(db, c, "author@example.tw", "喘息服務應增加")
    sign_in(client, make_member(db, "reader@example.tw"))
    back = f"/c/{c.slug}/comments?sort=supported"
    response = post(
        client, f"/comments/{comment.id}/support", {"back": back}, token_from=back, headers={"HX-Request": "true", **EN}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<div class="support" id="support-{comment.id}">')
    assert "<html" not in response.text and _count_on(response.text, comment) == 1
    assert f'name="back" value="{back}"' in response.text  # the next click still returns to the list


def test_readers_signed_out_see_the_count_and_a_sign_in_link(client: TestClient, db: Session) -> None:
    c = consultation(db)
    comment = _comment(db, c, "author@example.tw", "喘息服務應增加")
    supports.toggle_support(db, services.subject_of(c), comment, make_member(db, "reader@example.tw"))
    page = client.get(f"/c/{c.slug}", headers=EN).text
    assert _count_on(page, comment) == 1
    assert f"/signin?next=/c/{c.slug}%23comment-{comment.id}" in page and "Sign in to support" in page
    refused = client.post(f"/comments/{comment.id}/support", data={"csrf_token": "x"})
    assert refused.status_code == 403  # no session, no token: refused before anything


def test_own_hidden_unknown_and_closed_are_refused(client: TestClient, db: Session) -> None:
    c = consultation(db)
    author = make_member(db, "author@example.tw")
    mine = services.comment_on_consultation(db, c, author, "support", "我自己的意見")
    hidden = _comment(db, c, "spam@example.tw", "廣告")
    moderator = make_member(db, "mod@example.tw", role="moderator")
    moderation.act_on_content(db, moderator, "comment", pk(hidden), "hide", "廣告")
    sign_in(client, author)
    own = post(client, f"/comments/{mine.id}/support", {}, token_from=f"/c/{c.slug}", headers=EN)
    assert own.status_code == 400 and "You cannot support your own comment." in own.text
    hid = post(client, f"/comments/{hidden.id}/support", {}, token_from=f"/c/{c.slug}", headers=EN)
    assert hid.status_code == 400 and "hidden by a moderator cannot be supported" in hid.text
    assert post(client, "/comments/999999/support", {}, token_from=f"/c/{c.slug}").status_code == 404
    # A closed consultation's supports are final: the agency weighs them as they stood at closing.
    closed = consultation(db, phase="closed", slug="closed")
    comment = comments.add_comment(
        db, "consultation", pk(closed), make_member(db, "e@example.tw"), "support", "截止前", None, "", set()
    )
    late = post(client, f"/comments/{comment.id}/support", {}, token_from=f"/c/{c.slug}", headers=EN)
    assert late.status_code == 400 and "only while the text is open for comments" in late.text
    assert db.exec(select(CommentSupport)).all() == []


def test_one_support_per_member_even_when_two_sessions_race(engine: Engine, db: Session) -> None:
    c = consultation(db)
    comment = _comment(db, c, "author@example.tw", "喘息服務應增加")
    reader = make_member(db, "reader@example.tw")
    with Session(engine) as first, Session(engine) as second:
        # Both have looked and found no support; both insert.
        first.add(CommentSupport(comment_id=comment.id, member_id=reader.id))  # type: ignore[arg-type]
        second.add(CommentSupport(comment_id=comment.id, member_id=reader.id))  # type: ignore[arg-type]
        first.commit()
        with pytest.raises(IntegrityError):
            second.commit()
    assert supports.support_counts(db, [comment.id]) == {comment.id: 1}
    # The service, asked again, withdraws the one support rather than adding a second.
    assert supports.toggle_support(db, services.subject_of(c), comment, reader) is False
    assert supports.support_counts(db, [comment.id]) == {}


def test_most_supported_first_in_the_page_the_fragment_and_the_api(client: TestClient, db: Session) -> None:
    c = consultation(db)
    subject = services.subject_of(c)
    few, many, none = (_comment(db, c, f"a{n}@example.tw", f"意見{n}") for n in range(3))
    readers = [make_member(db, f"r{n}@example.tw") for n in range(3)]
    for reader in readers:
        supports.toggle_support(db, subject, many, reader)
    supports.toggle_support(db, subject, few, readers[0])
    page = client.get(f"/c/{c.slug}/comments?sort=supported").text
    order = [int(i) for i in re.findall(r'<li class="comment[^"]*" id="comment-(\d+)"', page)]
    assert order == [many.id, few.id, none.id]
    assert '<option value="supported" selected>' in page
    newest = client.get(f"/c/{c.slug}/comments").text
    assert [int(i) for i in re.findall(r'<li class="comment[^"]*" id="comment-(\d+)"', newest)] == [
        none.id, many.id, few.id,
    ]  # fmt: skip
    fragment = client.get(f"/c/{c.slug}/comments?sort=supported", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and fragment.index(f'id="comment-{many.id}"') < fragment.index(
        f'id="comment-{few.id}"'
    )
    api = client.get(f"/api/v1/consultations/{c.slug}/comments?sort=supported").json()
    assert [(item["id"], item["supports"]) for item in api["items"]] == [(many.id, 3), (few.id, 1), (none.id, 0)]
    oldest = client.get(f"/api/v1/consultations/{c.slug}/comments").json()
    assert [item["id"] for item in oldest["items"]] == [few.id, many.id, none.id]
    assert client.get(f"/c/{c.slug}/comments?sort=loudest").status_code == 400
    bad = client.get(f"/api/v1/consultations/{c.slug}/comments?sort=loudest")
    assert bad.status_code == 400 and bad.json()["error"]["status"] == 400
    document = client.get("/api/v1/openapi.json").json()
    assert "supports" in document["components"]["schemas"]["Comment"]["properties"]


def test_the_supported_list_pages_on(client: TestClient, db: Session) -> None:
    c = consultation(db)
    author = make_member(db, "author@example.tw")
    for n in range(31):
        services.comment_on_consultation(db, c, author, "support", f"意見{n}")
    first = client.get(f"/c/{c.slug}/comments?sort=supported").text
    assert f"/c/{c.slug}/comments?sort=supported&amp;page=2" in first
    second = client.get(f"/c/{c.slug}/comments?sort=supported&page=2").text
    assert len(re.findall(r'<li class="comment[^"]*" id="comment-', second)) == 1


def test_supports_are_in_the_members_activity_and_export(client: TestClient, db: Session) -> None:
    c = consultation(db)
    comment = _comment(db, c, "author@example.tw", "喘息服務應增加")
    reader = make_member(db, "reader@example.tw")
    supports.toggle_support(db, services.subject_of(c), comment, reader)
    sign_in(client, reader)
    activity = client.get("/me", headers=EN).text
    assert "喘息服務應增加" in activity and re.search(r'href="/receipt/U\d+-[A-Z2-7]{8}"', activity)
    job = post(client, "/profile/export", {}).headers["location"]
    exported = json.loads(client.get(f"{job}/result").text)
    assert exported["comment_supports"][0]["comment"] == comment.id
    assert any(entry["receipt"].startswith("U") for entry in exported["activity"])
