"""Flags, the moderators' queue, hiding and restoring, warnings and suspensions, the public log,
and a member deleting their account."""

from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts
from core.moderation import Flag, ModerationAction
from core.notify import Notification
from deliberation import services as deliberation
from deliberation.models import Statement
from feedback.models import Comment
from participation import services
from tests.helpers import PASSWORD, make_member, post, sign_in
from tests.participation.factories import consultation


def _comment(db: Session) -> tuple[Comment, accounts.Member]:
    ltc = consultation(db)
    author = make_member(db, "troll@example.tw", name="酸民")
    comment = services.comment_on_consultation(db, ltc, author, "oppose", "你們都是白痴，這個電話 0912-345-678 打給我")
    return comment, author


def _flag(client: TestClient, kind: str, content_id: int, reason: str = "abuse"):  # type: ignore[no-untyped-def]
    form = {"kind": kind, "id": str(content_id), "reason": reason, "note": "人身攻擊", "next": "/c/ltc"}
    return post(client, "/flag", form, token_from="/c/ltc")


def test_members_flag_and_moderators_hide_with_a_public_reason(client: TestClient, db: Session) -> None:
    comment, _author = _comment(db)
    reader = make_member(db, "reader@example.tw")
    sign_in(client, reader)
    response = _flag(client, "comment", comment.id)
    assert response.status_code == 303 and response.headers["location"] == "/c/ltc"
    _flag(client, "comment", comment.id)  # a second click: still one open flag
    assert len(db.exec(select(Flag)).all()) == 1
    assert _flag(client, "comment", comment.id, reason="boring").status_code == 400
    assert _flag(client, "comment", 99999).status_code == 404
    assert _flag(client, "nonsense", comment.id).status_code == 400
    assert client.get("/moderation").status_code == 403
    client.cookies.clear()
    moderator = make_member(db, "mod@example.tw", role="moderator", name="林小明")
    sign_in(client, moderator)
    queue = client.get("/moderation")
    assert "0912-345-678" in queue.text and "人身攻擊" in queue.text
    missing_reason = {"kind": "comment", "id": str(comment.id), "action": "hide", "reason": " "}
    assert post(client, "/moderation/content", missing_reason, token_from="/moderation").status_code == 400
    hide = {"kind": "comment", "id": str(comment.id), "action": "hide", "reason": "人身攻擊與個資"}
    assert post(client, "/moderation/content", hide, token_from="/moderation").status_code == 303
    db.refresh(comment)
    assert comment.hidden_reason == "人身攻擊與個資"
    page = client.get("/c/ltc").text
    assert "0912-345-678" not in page and "人身攻擊與個資" in page
    assert db.exec(select(Flag)).one().resolved_at is not None
    log = client.get("/moderation/log").text
    table = log[log.index("<tbody>") : log.index("</tbody>")]
    assert "人身攻擊與個資" in table and "林小明" not in table  # the role, never the name
    restore = {"kind": "comment", "id": str(comment.id), "action": "restore", "reason": "申訴成立"}
    assert post(client, "/moderation/content", restore, token_from="/moderation").status_code == 303
    db.refresh(comment)
    assert comment.hidden_reason == ""
    assert [a.action for a in db.exec(select(ModerationAction).order_by(ModerationAction.id))] == ["hide", "restore"]


def test_a_suspended_member_reads_but_cannot_post_and_is_told_why(client: TestClient, db: Session) -> None:
    _comment_row, author = _comment(db)
    moderator = make_member(db, "mod@example.tw", role="moderator")
    sign_in(client, moderator)
    suspend = {"action": "suspend", "reason": "多次人身攻擊", "days": "7"}
    assert post(client, f"/moderation/members/{author.id}", suspend, token_from="/moderation").status_code == 303
    assert (
        post(client, f"/moderation/members/{author.id}", {**suspend, "days": "0"}, token_from="/moderation").status_code
        == 400
    )
    assert (
        post(
            client, f"/moderation/members/{moderator.id}", {"action": "warn", "reason": "x"}, token_from="/moderation"
        ).status_code
        == 400
    )
    told = db.exec(select(Notification).where(Notification.member_id == author.id)).one()
    assert "多次人身攻擊" in told.params
    client.cookies.clear()
    sign_in(client, author)
    assert client.get("/c/ltc").status_code == 200
    form = {"article": "", "stance": "support", "text": "再留一次", "amendment": ""}
    refused = post(client, "/c/ltc/comments", form, token_from="/c/ltc")
    assert refused.status_code == 403
    assert db.exec(select(Comment).where(Comment.text == "再留一次")).first() is None


def test_a_statement_is_moderated_out_through_the_queue(client: TestClient, db: Session) -> None:
    host = make_member(db, "host@example.tw", role="moderator")
    conversation = deliberation.create_conversation(db, host, "主題", "", ["第一則", "第二則"], None)
    statement = db.exec(select(Statement)).first()
    sign_in(client, make_member(db))
    form = {
        "kind": "statement",
        "id": str(statement.id),
        "reason": "spam",
        "note": "",
        "next": f"/conversations/{conversation.slug}",
    }
    assert post(client, "/flag", form, token_from=f"/conversations/{conversation.slug}").status_code == 303
    client.cookies.clear()
    sign_in(client, host)
    hide = {"kind": "statement", "id": str(statement.id), "action": "hide", "reason": "廣告"}
    assert post(client, "/moderation/content", hide, token_from="/moderation").status_code == 303
    db.refresh(statement)
    assert statement.status == "rejected"


def test_deleting_an_account_keeps_contributions_under_former_member(client: TestClient, db: Session) -> None:
    comment, author = _comment(db)
    sign_in(client, author)
    wrong = post(client, "/profile/delete", {"password": "wrong password"}, token_from="/profile")
    assert wrong.status_code == 400
    db.refresh(author)
    assert author.deleted_at is None
    gone = post(client, "/profile/delete", {"password": PASSWORD}, token_from="/profile")
    assert gone.status_code == 303
    db.refresh(author)
    assert (
        author.deleted_at is not None and author.email.endswith("@invalid") and author.display_name == "former member"
    )
    assert accounts.authenticate(db, "troll@example.tw", PASSWORD) is None
    assert client.get("/profile", follow_redirects=False).status_code in (302, 303)  # signed out
    page = client.get("/c/ltc").text
    assert "0912-345-678" in page and "酸民" not in page and "前會員" in page
    assert db.get(Comment, comment.id) is not None
