"""Telling people: follows, in-app notifications, e-mail through an outbox, and digests.

An e-mail is a row written with the change that causes it; the worker delivers it through
SMTP_URL. Without SMTP_URL (development, the demo) mail stays in the outbox, which administrators
read at /outbox. Each member chooses e-mail immediately, as a daily digest, or not at all; every
e-mail carries a one-click unsubscribe link.

A delivery that fails for a passing reason (no answer within SMTP_TIMEOUT, a refused connection, a
4xx reply, a refused login) is recorded on the row and tried again later, waiting twice as long
each time, up to MAIL_ATTEMPTS tries; a 5xx refusal of the message or its recipients is final."""

from __future__ import annotations

import json
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from core import accounts, i18n
from core.accounts import Member
from core.db import pk, utcnow
from core.errors import N_
from core.jobs import JobContext, Queue, QueueUnavailable, handler, periodic

MAIL_ATTEMPTS = 6
RETRY_AFTER = timedelta(minutes=5)  # then 10, 20, 40 and 80: the last try is some 2.5 hours after the first


class OutboxEmail(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str
    unsubscribe_url: str = Field(default="", max_length=500)  # sent as List-Unsubscribe
    status: str = Field(default="pending", max_length=10)  # pending, sent, kept, failed
    error: str = Field(default="")  # why the last attempt failed
    attempts: int = 0  # failed deliveries so far
    next_attempt_at: datetime | None = None  # when a pending mail that failed is tried again
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


def send_email(
    session: Session, queue: Queue, to: str, subject: str, body: str, unsubscribe_url: str = ""
) -> OutboxEmail:
    mail = OutboxEmail(to_address=to, subject=subject[:200], body=body, unsubscribe_url=unsubscribe_url)
    session.add(mail)
    session.commit()
    queue.submit(session, "deliver_email", {"id": mail.id})
    return mail


def recent_outbox(session: Session, limit: int = 50) -> list[OutboxEmail]:
    return list(session.exec(select(OutboxEmail).order_by(col(OutboxEmail.id).desc()).limit(limit)))


def _undelivered(session: Session, payload: dict[str, Any], why: str) -> None:
    mail = session.get(OutboxEmail, payload["id"])
    if mail is not None and mail.status == "pending":
        mail.status, mail.error = "failed", why
        session.add(mail)


@handler("deliver_email", on_failure=_undelivered)
def deliver_email(job: JobContext) -> dict[str, str]:
    mail = job.session.get(OutboxEmail, job.payload["id"])
    if mail is None or mail.status in ("sent", "failed"):
        return {"status": "nothing to do"}
    if not job.settings.smtp_url:
        mail.status = "kept"
    else:
        message = EmailMessage()
        message["From"] = job.settings.mail_from
        message["To"] = mail.to_address
        message["Subject"] = mail.subject
        if mail.unsubscribe_url:  # RFC 8058 one-click unsubscribe
            message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(mail.body)
        try:
            _smtp_send(job.settings.smtp_url, message, job.settings.smtp_timeout)
        except OSError as error:  # smtplib's errors, timeouts, refused connections and TLS failures alike
            _failed_attempt(mail, error)
        else:
            mail.status, mail.sent_at, mail.next_attempt_at = "sent", utcnow(), None
    job.session.add(mail)
    job.session.commit()
    return {"status": mail.status}


def _failed_attempt(mail: OutboxEmail, error: OSError) -> None:
    mail.attempts += 1
    mail.error = f"{type(error).__name__}: {error}"[:1000]
    if _final(error) or mail.attempts >= MAIL_ATTEMPTS:
        mail.status, mail.next_attempt_at = "failed", None
    else:
        mail.next_attempt_at = utcnow() + RETRY_AFTER * 2 ** (mail.attempts - 1)


def _final(error: OSError) -> bool:
    """A 5xx refusal of this message or of all its recipients: sending it again would be refused
    again. Refusing our sender or our login is not final: the settings can be fixed, and the mail
    then goes out."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


@handler("retry_email")
def retry_email(job: JobContext) -> dict[str, int]:
    """Try again each pending mail whose wait after a failed delivery is over."""
    due = job.session.exec(
        select(OutboxEmail.id).where(
            OutboxEmail.status == "pending",
            col(OutboxEmail.next_attempt_at).is_not(None),
            col(OutboxEmail.next_attempt_at) <= utcnow(),
        )
    ).all()
    for mail_id in due:
        job.queue.submit(job.session, "deliver_email", {"id": mail_id})
    return {"retried": len(due)}


periodic("retry_email", minute="*/5")


def _smtp_send(url: str, message: EmailMessage, timeout: float) -> None:
    """SMTP_URL is smtp://user:password@host:port (add ?starttls=1), or smtps:// for TLS from the start.

    The timeout bounds the connection and every reply: a server that never answers would otherwise
    hold a worker thread, and every job queued behind it, for minutes."""
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port
    options = parse_qs(parts.query)
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, port or 25, timeout=timeout)
    with client:
        if options.get("starttls") == ["1"]:
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


class Follow(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("member_id", "target_kind", "target_id"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    target_kind: str = Field(max_length=20)  # consultation, proposal, agency, bill, discussion
    target_id: int
    created_at: datetime = Field(default_factory=utcnow)


FOLLOW_KINDS = ("consultation", "proposal", "agency", "bill", "discussion", "poll")

# Each domain package says how to find what can be followed: kind -> (session, id) -> (title, url)
# or None when there is no such thing. The follow pages use it to refuse unknown ids and to list
# what a member follows.
followable: dict[str, Callable[[Session, int], tuple[str, str] | None]] = {}


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
    emailed_at: datetime | None = None  # set when sent, alone or in a digest

    def params_dict(self) -> dict[str, str]:
        return dict(json.loads(self.params))

    def text(self, translate: Callable[[str], str]) -> str:
        """The message in a language. Parameter values are translated too, so a stage name passed
        as a msgid reads right; titles and names are not msgids and pass through unchanged."""
        return translate(self.message) % {key: translate(value) for key, value in self.params_dict().items()}


# --- follows ------------------------------------------------------------------------------------------


def follow(session: Session, member: Member, kind: str, target_id: int) -> None:
    if kind not in FOLLOW_KINDS:
        raise ValueError(kind)
    if not is_following(session, member, kind, target_id):
        session.add(Follow(member_id=pk(member), target_kind=kind, target_id=target_id))
        session.commit()


def unfollow(session: Session, member: Member, kind: str, target_id: int) -> None:
    for row in session.exec(
        select(Follow).where(Follow.member_id == pk(member), Follow.target_kind == kind, Follow.target_id == target_id)
    ):
        session.delete(row)
    session.commit()


def is_following(session: Session, member: Member | None, kind: str, target_id: int) -> bool:
    if member is None:
        return False
    query = select(Follow.id).where(
        Follow.member_id == pk(member), Follow.target_kind == kind, Follow.target_id == target_id
    )
    return session.exec(query).first() is not None


def follows_of(session: Session, member: Member) -> list[tuple[Follow, tuple[str, str]]]:
    """What the member follows, with each thing's title and address (gone things are skipped)."""
    found = []
    for row in session.exec(select(Follow).where(Follow.member_id == pk(member)).order_by(col(Follow.id))):
        resolver = followable.get(row.target_kind)
        described = resolver(session, row.target_id) if resolver else None
        if described:
            found.append((row, described))
    return found


def forget(session: Session, member: Member) -> None:
    """A leaving member's follows, notices and unsent mail go with them (no commit)."""
    for model, where in (
        (Follow, Follow.member_id == member.id),
        (Notification, Notification.member_id == member.id),
        (OutboxEmail, (OutboxEmail.to_address == member.email) & (OutboxEmail.status == "pending")),
    ):
        for row in session.exec(select(model).where(where)):
            session.delete(row)


def followers(session: Session, kind: str, target_id: int) -> set[int]:
    query = select(Follow.member_id).where(Follow.target_kind == kind, Follow.target_id == target_id)
    return set(session.exec(query))


# --- notifications ------------------------------------------------------------------------------------


def notify(
    session: Session,
    queue: Queue,
    member_ids: set[int],
    message: str,
    params: dict[str, str],
    url: str,
    base_url: str,
) -> int:
    """Tell each member in-app, and by e-mail as they chose (now, in the daily digest, or never),
    in their own language. Returns how many were told."""
    members = list(session.exec(select(Member).where(col(Member.id).in_(member_ids)))) if member_ids else []
    notes = []
    for member in members:
        note = Notification(
            member_id=pk(member), message=message, params=json.dumps(params, ensure_ascii=False), url=url
        )
        session.add(note)
        notes.append((member, note))
    session.commit()
    for member, note in notes:
        if member.email_frequency == "immediately":
            text = note.text(i18n.translations(member.locale or "zh_TW").gettext)
            try:
                _send(session, queue, member, base_url, text[:200], f"{text}\n\n{base_url}{url}")
            except QueueUnavailable:  # what was done stands, and the note is in-app: the e-mail is marked failed
                continue
            note.emailed_at = utcnow()
            session.add(note)
    session.commit()
    return len(members)


def _send(session: Session, queue: Queue, member: Member, base_url: str, subject: str, text: str) -> None:
    translate = i18n.translations(member.locale or "zh_TW").gettext
    unsubscribe = f"{base_url}/unsubscribe/{unsubscribe_token(queue.settings.secret_key, pk(member))}"
    footer = translate(N_("You get this e-mail because you took part on thinktank. Stop these e-mails: %(link)s")) % {
        "link": unsubscribe
    }
    send_email(session, queue, member.email, subject, f"{text}\n\n-- \n{footer}", unsubscribe_url=unsubscribe)


@handler("send_daily_digests")
def send_daily_digests(job: JobContext) -> dict[str, int]:
    """One e-mail per member who chose the daily digest, listing what they have not been sent."""
    pending = job.session.exec(
        select(Notification, Member)
        .join(Member, col(Member.id) == col(Notification.member_id))
        .where(col(Notification.emailed_at).is_(None), Member.email_frequency == "daily")
        .order_by(col(Notification.id))
    ).all()
    by_member: dict[int, tuple[Member, list[Notification]]] = {}
    for note, member in pending:
        by_member.setdefault(pk(member), (member, []))[1].append(note)
    base_url = job.settings.base_url
    for member, notes in by_member.values():
        translate = i18n.translations(member.locale or "zh_TW").gettext
        lines = [f"- {n.text(translate)}\n  {base_url}{n.url}" for n in notes]
        subject = translate(N_("Your daily summary from thinktank"))
        _send(job.session, job.queue, member, base_url, subject, "\n".join(lines))
        for note in notes:
            note.emailed_at = utcnow()
            job.session.add(note)
        job.session.commit()
    return {"digests": len(by_member)}


periodic("send_daily_digests", minute="0", hour="0")  # 08:00 in Taipei


def unsubscribe_token(secret: str, member_id: int) -> str:
    return URLSafeSerializer(secret, salt="unsubscribe").dumps(member_id)


def member_from_unsubscribe_token(secret: str, token: str) -> int | None:
    try:
        value = URLSafeSerializer(secret, salt="unsubscribe").loads(token)
    except BadSignature:
        return None
    return int(value) if isinstance(value, int) else None


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


def _my_follows(session: Session, member: Member) -> list[dict[str, object]]:
    return [
        {"kind": f.target_kind, "id": f.target_id, "title": title} for f, (title, _url) in follows_of(session, member)
    ]


accounts.exporters["follows"] = _my_follows
