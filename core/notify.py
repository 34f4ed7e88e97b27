"""Telling people: in-app notifications, and e-mail through an outbox.

An e-mail is a row written with the change that causes it; the worker delivers it through
SMTP_URL. Without SMTP_URL (development, the demo) mail stays in the outbox, which administrators
read at /outbox."""

from __future__ import annotations

import json
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, select

from core import i18n
from core.accounts import Member
from core.db import pk, utcnow
from core.errors import N_
from core.jobs import JobContext, Queue, handler


class OutboxEmail(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str
    status: str = Field(default="pending", max_length=10)  # pending, sent, kept, failed
    error: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


def send_email(session: Session, queue: Queue, to: str, subject: str, body: str) -> OutboxEmail:
    mail = OutboxEmail(to_address=to, subject=subject[:200], body=body)
    session.add(mail)
    session.commit()
    queue.submit(session, "deliver_email", {"id": mail.id})
    return mail


def recent_outbox(session: Session, limit: int = 50) -> list[OutboxEmail]:
    return list(session.exec(select(OutboxEmail).order_by(col(OutboxEmail.id).desc()).limit(limit)))


@handler("deliver_email")
def deliver_email(job: JobContext) -> dict[str, str]:
    mail = job.session.get(OutboxEmail, job.payload["id"])
    if mail is None or mail.status == "sent":
        return {"status": "nothing to do"}
    if not job.settings.smtp_url:
        mail.status = "kept"
    else:
        message = EmailMessage()
        message["From"] = job.settings.mail_from
        message["To"] = mail.to_address
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        _smtp_send(job.settings.smtp_url, message)
        mail.status, mail.sent_at = "sent", utcnow()
    job.session.add(mail)
    job.session.commit()
    return {"status": mail.status}


def _smtp_send(url: str, message: EmailMessage) -> None:
    """SMTP_URL is smtp://user:password@host:port (add ?starttls=1), or smtps:// for TLS from the start."""
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port
    options = parse_qs(parts.query)
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port or 25)
    with client:
        if options.get("starttls") == ["1"]:
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


class Notification(SQLModel, table=True):
    """An in-app notice. The message is a msgid with parameters, so it is shown in the language
    the member reads the site in, not the one it was written in."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    message: str = Field(max_length=300)
    params: str = Field(default="{}")
    url: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None

    def params_dict(self) -> dict[str, str]:
        return dict(json.loads(self.params))


def notify(
    session: Session,
    queue: Queue,
    member_ids: set[int],
    message: str,
    params: dict[str, str],
    url: str,
    base_url: str,
) -> int:
    """Tell each member in-app and by e-mail (in their own language). Returns how many were told."""
    members = list(session.exec(select(Member).where(col(Member.id).in_(member_ids)))) if member_ids else []
    for member in members:
        session.add(
            Notification(
                member_id=pk(member),
                message=message,
                params=json.dumps(params, ensure_ascii=False),
                url=url,
            )
        )
    session.commit()
    for member in members:
        translate = i18n.translations(member.locale or "zh_TW").gettext
        text = translate(message) % params
        footer = translate(N_("You get this e-mail because you took part on thinktank."))
        body = f"{text}\n\n{base_url}{url}\n\n{footer}"
        send_email(session, queue, member.email, text[:200], body)
    return len(members)


def notifications_for(session: Session, member_id: int, limit: int = 50) -> list[Notification]:
    query = select(Notification).where(Notification.member_id == member_id)
    return list(session.exec(query.order_by(col(Notification.id).desc()).limit(limit)))


def unread_count(session: Session, member_id: int) -> int:
    query = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.member_id == member_id, col(Notification.read_at).is_(None))
    )
    return session.exec(query).one()


def mark_read(session: Session, member_id: int) -> None:
    for notification in session.exec(
        select(Notification).where(Notification.member_id == member_id, col(Notification.read_at).is_(None))
    ):
        notification.read_at = utcnow()
        session.add(notification)
    session.commit()
