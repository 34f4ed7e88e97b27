"""Follows, notifications in the reader's language, e-mail frequency, digests and unsubscribing."""

import re

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from core import accounts, notify
from core.db import pk
from core.jobs import Queue
from core.settings import Settings
from tests.helpers import make_member, post, sign_in

MESSAGE = "The agency has answered the consultation “%(title)s”."


def test_notifications_are_emailed_in_each_members_language(db: Session, settings: Settings, engine: Engine) -> None:
    queue = Queue(settings, engine)
    chinese, english = make_member(db, "zh@example.tw"), make_member(db, "en@example.tw")
    accounts.set_locale(db, english, "en")
    told = notify.notify(db, queue, {pk(chinese), pk(english)}, MESSAGE, {"title": "長照"}, "/c/x", "https://t.tw")
    assert told == 2
    mails = {m.to_address: m for m in notify.recent_outbox(db)}
    assert mails["zh@example.tw"].subject == "機關已回應政策諮詢「長照」。"
    assert mails["en@example.tw"].subject == "The agency has answered the consultation “長照”."
    assert "https://t.tw/unsubscribe/" in mails["en@example.tw"].body
    assert mails["en@example.tw"].unsubscribe_url.startswith("https://t.tw/unsubscribe/")


def test_daily_members_get_one_digest_and_off_members_none(db: Session, settings: Settings, engine: Engine) -> None:
    queue = Queue(settings, engine)
    daily, off = make_member(db, "daily@example.tw"), make_member(db, "off@example.tw")
    accounts.set_email_frequency(db, daily, "daily")
    accounts.set_email_frequency(db, off, "off")
    for title in ("一", "二"):
        notify.notify(db, queue, {pk(daily), pk(off)}, MESSAGE, {"title": title}, "/c/x", "https://t.tw")
    assert notify.recent_outbox(db) == []
    assert len(notify.notifications_for(db, pk(off))) == 2  # still told on the site
    job = queue.submit(db, "send_daily_digests")
    db.refresh(job)
    assert job.result_data() == {"digests": 1}
    (digest,) = notify.recent_outbox(db)
    assert digest.to_address == "daily@example.tw" and "「一」" in digest.body and "「二」" in digest.body
    again = queue.submit(db, "send_daily_digests")
    db.refresh(again)
    assert again.result_data() == {"digests": 0}


def test_one_click_unsubscribe(client: TestClient, db: Session, settings: Settings) -> None:
    member = make_member(db)
    token = notify.unsubscribe_token(settings.secret_key, pk(member))
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "停止接收電子郵件" in page.text
    db.refresh(member)
    assert member.email_frequency == "immediately"  # looking is not unsubscribing
    assert client.post(f"/unsubscribe/{token}").status_code == 200  # no session, no CSRF token: RFC 8058
    db.refresh(member)
    assert member.email_frequency == "off"
    assert client.get("/unsubscribe/" + token[:-2] + "xx").status_code == 404


def test_members_choose_their_email_frequency(client: TestClient, db: Session) -> None:
    member = make_member(db)
    sign_in(client, member)
    assert post(client, "/profile/email", {"email_frequency": "daily"}).status_code == 303
    db.refresh(member)
    assert member.email_frequency == "daily"
    assert post(client, "/profile/email", {"email_frequency": "hourly"}).status_code == 400
    db.refresh(member)
    assert member.email_frequency == "daily"


def test_the_notifications_page_marks_them_read(
    client: TestClient, db: Session, settings: Settings, engine: Engine
) -> None:
    member = make_member(db)
    notify.notify(db, Queue(settings, engine), {pk(member)}, MESSAGE, {"title": "長照"}, "/c/x", "")
    sign_in(client, member)
    assert re.search(r"通知 <span class=\"unread\">（1", client.get("/").text)  # full-width, as zh-TW writes it
    page = client.get("/notifications")
    assert "機關已回應政策諮詢「長照」。" in page.text
    assert notify.unread_count(db, pk(member)) == 0
