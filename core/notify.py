"""E-mail through an outbox: a row is written with the change that causes it, and the worker
delivers it through SMTP_URL. Without SMTP_URL (development, the demo) mail stays in the outbox,
which administrators can read at /outbox."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlmodel import Field, Session, SQLModel, col, select

from core.db import utcnow
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
