"""Discussions through the real app: start one on a consultation, reply, quote, react, edit with
history, delete own, notifications to followers and the person answered, and bad input."""

from sqlmodel import Session, select
from starlette.testclient import TestClient

from core.notify import Notification
from deliberation.models import Discussion, Post, PostRevision, Reaction
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import consultation


def _start(client: TestClient, **form: str):  # type: ignore[no-untyped-def]
    fields = {
        "on": "consultation",
        "id": "1",
        "article": "2",
        "title": "喘息服務的天數",
        "body": "**二十一日**太少",
        **form,
    }
    return post(client, "/discussions/new", fields, token_from="/discussions")


def test_a_discussion_on_a_consultation_with_replies_quotes_and_notices(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    opener = make_member(db, "opener@example.tw", name="發起人")
    sign_in(client, opener)
    started = _start(client, id=str(ltc.id))
    assert started.status_code == 303
    discussion = db.exec(select(Discussion)).one()
    assert discussion.subject_kind == "consultation" and discussion.article == 2
    path = started.headers["location"]
    page = client.get(path).text
    assert "<strong>二十一日</strong>" in page and "/c/ltc" in page
    assert "喘息服務的天數" in client.get("/c/ltc").text  # listed on the consultation's page
    client.cookies.clear()
    answerer = make_member(db, "answer@example.tw", name="回覆者")
    sign_in(client, answerer)
    first = db.exec(select(Post)).one()
    quoted = client.get(f"{path}?reply_to={first.id}&quote={first.id}").text
    assert "&gt; **二十一日**太少" in quoted  # the reply starts with the quotation
    reply = post(
        client,
        f"{path}/posts",
        {"body": "> 二十一日太少\n\n同意，<script>alert(1)</script>", "parent": str(first.id)},
        token_from=path,
    )
    assert reply.status_code == 303
    answer = db.exec(select(Post).where(Post.parent_id == first.id)).one()
    assert answer.depth == 1
    shown = client.get(path).text
    assert "<blockquote>" in shown and "<script>alert(1)</script>" not in shown
    notices = db.exec(select(Notification).where(Notification.member_id == opener.id)).all()
    assert len(notices) == 1 and "喘息服務的天數" in notices[0].params
    assert db.exec(select(Notification).where(Notification.member_id == answerer.id)).all() == []


def test_replies_nest_a_few_levels_then_stay_at_the_deepest(client: TestClient, db: Session) -> None:
    sign_in(client, make_member(db))
    path = _start(client, on="", id="", article="").headers["location"]
    parent = db.exec(select(Post)).one().id
    for _ in range(5):
        post(client, f"{path}/posts", {"body": "再回一層", "parent": str(parent)}, token_from=path)
        parent = db.exec(select(Post).order_by(Post.id.desc())).first().id
    assert sorted({p.depth for p in db.exec(select(Post))}) == [0, 1, 2, 3]


def test_edit_keeps_history_and_delete_leaves_deleted(client: TestClient, db: Session) -> None:
    author = make_member(db)
    sign_in(client, author)
    path = _start(client, on="", id="", article="").headers["location"]
    mine = db.exec(select(Post)).one()
    assert (
        post(client, f"/posts/{mine.id}/edit", {"body": "改過的內容"}, token_from=f"/posts/{mine.id}/edit").status_code
        == 303
    )
    db.refresh(mine)
    assert mine.body == "改過的內容" and mine.edited_at is not None
    assert db.exec(select(PostRevision)).one().body == "**二十一日**太少"
    history = client.get(f"/posts/{mine.id}/history").text
    assert "改過的內容" in history and "<strong>二十一日</strong>" in history
    assert post(client, f"/posts/{mine.id}/edit", {"body": " "}, token_from=path).status_code == 400
    client.cookies.clear()
    other = make_member(db, "other@example.tw")
    sign_in(client, other)
    assert client.get(f"/posts/{mine.id}/edit").status_code == 403
    assert post(client, f"/posts/{mine.id}/delete", {}, token_from=path).status_code == 403
    client.cookies.clear()
    sign_in(client, author)
    assert post(client, f"/posts/{mine.id}/delete", {}, token_from=path).status_code == 303
    db.refresh(mine)
    assert mine.deleted_at is not None and mine.body == "" and db.exec(select(PostRevision)).all() == []
    assert "改過的內容" not in client.get(path).text


def test_reactions_toggle_and_bad_input_is_refused(client: TestClient, db: Session) -> None:
    sign_in(client, make_member(db))
    path = _start(client, on="", id="", article="").headers["location"]
    target = db.exec(select(Post)).one()
    react = f"/posts/{target.id}/react"
    assert post(client, react, {"kind": "helpful"}, token_from=path).status_code == 303
    assert len(db.exec(select(Reaction)).all()) == 1
    assert post(client, react, {"kind": "helpful"}, token_from=path).status_code == 303  # off again
    assert db.exec(select(Reaction)).all() == []
    assert post(client, react, {"kind": "love"}, token_from=path).status_code == 400
    assert _start(client, on="", id="", title="").status_code == 400
    assert _start(client, on="bill", id="99999").status_code == 404
    assert _start(client, on="nonsense").status_code == 400
    assert post(client, f"{path}/posts", {"body": "x" * 10_001}, token_from=path).status_code == 400
    assert post(client, f"{path}/posts", {"body": "ok", "parent": "99999"}, token_from=path).status_code == 400
    assert client.get("/discussions/99999").status_code == 404
    assert len(db.exec(select(Discussion)).all()) == 1


def test_a_new_accounts_first_posts_wait_for_a_moderator(client: TestClient, db: Session, app) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    app.state.settings = replace(app.state.settings, hold_first_posts=1)
    newcomer = make_member(db, "new@example.tw", name="新來的")
    sign_in(client, newcomer)
    started = _start(client, on="", id="", article="")
    assert started.status_code == 303
    path = started.headers["location"]
    assert "新來的" in client.get(path).text  # the author sees their own post, marked as waiting
    first = db.exec(select(Post)).one()
    assert first.held
    client.cookies.clear()
    sign_in(client, make_member(db, "reader@example.tw"))
    assert "二十一日" not in client.get(path).text
    assert "喘息服務的天數" not in client.get("/discussions").text  # not listed while all of it is held
    client.cookies.clear()
    moderator = make_member(db, "mod@example.tw", role="moderator")
    sign_in(client, moderator)
    assert "二十一日" in client.get("/moderation").text
    approve = {"kind": "post", "id": str(first.id), "action": "restore", "reason": "內容無誤"}
    assert post(client, "/moderation/content", approve, token_from="/moderation").status_code == 303
    db.refresh(first)
    assert not first.held
    client.cookies.clear()
    assert "二十一日" in client.get(path).text and "喘息服務的天數" in client.get("/discussions").text
    sign_in(client, newcomer)
    post(client, f"{path}/posts", {"body": "第二則", "parent": ""}, token_from=path)
    assert not db.exec(select(Post).where(Post.body == "第二則")).one().held  # one published post is enough
