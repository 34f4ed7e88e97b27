"""Who may act on whom (admin > moderator > staff and officials > citizen), lifting a suspension
with a logged reason, suspended members and moderators writing nothing, and content that
moderation hid staying as it was hidden."""

from datetime import timedelta

from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts
from core.db import utcnow
from core.moderation import ModerationAction
from core.notify import Notification
from deliberation import discussions
from deliberation.models import Post
from participation import services
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import agency_and_official, consultation


def _act(client: TestClient, member: accounts.Member, action: str, **form: str):  # type: ignore[no-untyped-def]
    fields = {"action": action, "reason": "多次人身攻擊", "days": "7", **form}
    return post(client, f"/moderation/members/{member.id}", fields, token_from="/moderation")


def _suspend(db: Session, member: accounts.Member) -> None:
    """A suspension as a moderator leaves it, for the tests that start from one."""
    member.suspended_until = utcnow() + timedelta(days=7)
    db.add(member)
    db.commit()


def test_a_moderator_acts_only_on_members_below_their_role(client: TestClient, db: Session) -> None:
    admin = make_member(db, "admin@example.tw", role="admin")
    other = make_member(db, "mod2@example.tw", role="moderator")
    _agency, official = agency_and_official(db)
    citizen = make_member(db, "citizen@example.tw")
    sign_in(client, make_member(db, "mod@example.tw", role="moderator"))
    for above in (admin, other):
        refused = _act(client, above, "suspend")
        assert refused.status_code == 403
        assert "只能處理角色低於你的會員" in refused.text
        db.refresh(above)
        assert above.suspended_until is None
    assert _act(client, admin, "warn").status_code == 403
    assert _act(client, official, "suspend").status_code == 303
    assert _act(client, citizen, "warn").status_code == 303
    assert [a.action for a in db.exec(select(ModerationAction).order_by(ModerationAction.id))] == ["suspend", "warn"]


def test_an_admin_acts_on_moderators_but_not_on_other_admins(client: TestClient, db: Session) -> None:
    moderator = make_member(db, "mod@example.tw", role="moderator")
    other_admin = make_member(db, "admin2@example.tw", role="admin")
    admin = make_member(db, "admin@example.tw", role="admin")
    sign_in(client, admin)
    assert _act(client, other_admin, "suspend").status_code == 403
    assert _act(client, admin, "suspend").status_code == 400  # never on oneself
    assert _act(client, moderator, "suspend").status_code == 303
    db.refresh(moderator), db.refresh(other_admin), db.refresh(admin)
    assert moderator.suspended() and not other_admin.suspended() and not admin.suspended()


def test_a_suspension_is_lifted_with_a_logged_reason(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    citizen = make_member(db, "citizen@example.tw", name="酸民")
    sign_in(client, make_member(db, "mod@example.tw", role="moderator"))
    assert _act(client, citizen, "lift", reason="申訴成立").status_code == 400  # not suspended: nothing to lift
    assert _act(client, citizen, "suspend").status_code == 303
    assert _act(client, citizen, "lift", reason=" ").status_code == 400  # the reason is published: it is needed
    db.refresh(citizen)
    assert citizen.suspended()
    member_page = client.get(f"/members/{citizen.id}").text
    assert "停權至" in member_page and 'value="lift"' in member_page
    assert _act(client, citizen, "lift", reason="申訴成立").status_code == 303
    db.refresh(citizen)
    assert citizen.suspended_until is None and not citizen.suspended()
    lifted = db.exec(select(ModerationAction).where(ModerationAction.action == "lift")).one()
    assert lifted.member_id == citizen.id and lifted.reason == "申訴成立"
    log = client.get("/moderation/log").text
    assert "解除停權" in log and "申訴成立" in log
    told = db.exec(select(Notification).where(Notification.member_id == citizen.id).order_by(Notification.id)).all()
    assert len(told) == 2 and "申訴成立" in told[-1].params
    client.cookies.clear()
    sign_in(client, citizen)
    form = {"article": "", "stance": "support", "text": "恢復後的意見", "amendment": ""}
    assert post(client, f"/c/{ltc.slug}/comments", form, token_from="/c/ltc").status_code == 303


def test_only_a_higher_role_lifts_a_suspension(client: TestClient, db: Session) -> None:
    moderator = make_member(db, "mod@example.tw", role="moderator")
    other = make_member(db, "mod2@example.tw", role="moderator")
    _suspend(db, other)
    sign_in(client, moderator)
    assert _act(client, other, "lift", reason="同事").status_code == 403
    db.refresh(other)
    assert other.suspended()


def test_a_suspended_moderator_cannot_moderate(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    author = make_member(db, "troll@example.tw")
    comment = services.comment_on_consultation(db, ltc, author, "oppose", "人身攻擊")
    moderator = make_member(db, "mod@example.tw", role="moderator")
    _suspend(db, moderator)
    sign_in(client, moderator)
    assert client.get("/moderation").status_code == 200  # reading stays open
    hide = {"kind": "comment", "id": str(comment.id), "action": "hide", "reason": "人身攻擊"}
    refused = post(client, "/moderation/content", hide, token_from="/moderation")
    assert refused.status_code == 403 and "停權" in refused.text
    assert _act(client, author, "suspend").status_code == 403
    db.refresh(comment), db.refresh(author)
    assert comment.hidden_reason == "" and not author.suspended()
    assert db.exec(select(ModerationAction)).first() is None


def test_a_suspended_admin_cannot_grant_roles(client: TestClient, db: Session) -> None:
    admin = make_member(db, "admin@example.tw", role="admin")
    citizen = make_member(db, "citizen@example.tw")
    _suspend(db, admin)
    sign_in(client, admin)
    grant = {"role": "moderator", "action": "grant"}
    assert post(client, f"/admin/members/{citizen.id}/roles", grant, token_from="/admin/members").status_code == 403
    assert accounts.roles_of(db, citizen) == {"citizen"}


def test_a_suspended_member_cannot_edit_what_they_wrote(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    author = make_member(db, "troll@example.tw", name="酸民")
    comment = services.comment_on_consultation(db, ltc, author, "oppose", "原本的意見")
    discussion = discussions.start(db, author, "標題", "原本的貼文")
    _suspend(db, author)
    sign_in(client, author)
    edit = {"stance": "oppose", "text": "改成更難聽的話", "amendment": ""}
    assert post(client, f"/comments/{comment.id}/edit", edit, token_from="/c/ltc").status_code == 403
    first = db.exec(select(Post).where(Post.discussion_id == discussion.id)).one()
    assert post(client, f"/posts/{first.id}/edit", {"body": "改過"}, token_from="/discussions").status_code == 403
    renamed = {"display_name": "新名字", "org_name": "", "org_type": ""}
    assert post(client, "/profile", renamed, token_from="/profile").status_code == 403
    db.refresh(comment), db.refresh(first), db.refresh(author)
    assert comment.text == "原本的意見" and first.body == "原本的貼文" and author.display_name == "酸民"
    # What is about their own account alone stays open: mail settings, and signing out.
    assert post(client, "/profile/email", {"email_frequency": "off"}, token_from="/profile").status_code == 303
    assert post(client, "/signout", {}).status_code == 303


def test_authors_cannot_change_a_comment_moderation_hid(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    author = make_member(db, "troll@example.tw")
    comment = services.comment_on_consultation(db, ltc, author, "oppose", "人身攻擊的話")
    comment.hidden_reason = "人身攻擊"
    db.add(comment)
    db.commit()
    sign_in(client, author)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    edit = {"stance": "oppose", "text": "我什麼都沒說", "amendment": ""}
    refused = post(client, f"/comments/{comment.id}/edit", edit, token_from="/c/ltc")
    assert refused.status_code == 403 and "管理員已隱藏" in refused.text
    db.refresh(comment)
    assert comment.text == "人身攻擊的話" and comment.hidden_reason == "人身攻擊"
    assert f"/comments/{comment.id}/edit" not in client.get("/c/ltc").text  # no edit link either


def test_authors_cannot_edit_or_delete_a_post_moderation_hid(client: TestClient, db: Session) -> None:
    author = make_member(db, "troll@example.tw")
    discussion = discussions.start(db, author, "標題", "人身攻擊的貼文")
    hidden = db.exec(select(Post).where(Post.discussion_id == discussion.id)).one()
    hidden.hidden_reason = "人身攻擊"
    db.add(hidden)
    db.commit()
    sign_in(client, author)
    assert client.get(f"/posts/{hidden.id}/edit").status_code == 403
    edited = post(client, f"/posts/{hidden.id}/edit", {"body": "我什麼都沒說"}, token_from="/discussions")
    assert edited.status_code == 403 and "管理員已隱藏" in edited.text
    deleted = post(client, f"/posts/{hidden.id}/delete", {}, token_from="/discussions")
    assert deleted.status_code == 403 and "管理員已隱藏" in deleted.text
    db.refresh(hidden)
    assert hidden.body == "人身攻擊的貼文" and hidden.deleted_at is None and hidden.hidden_reason == "人身攻擊"
    page = client.get(f"/discussions/{discussion.id}").text
    assert f"/posts/{hidden.id}/edit" not in page and f"/posts/{hidden.id}/delete" not in page
