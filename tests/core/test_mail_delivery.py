"""E-mail delivery against real SMTP servers started by the test (aiosmtpd): plain, STARTTLS, a
refused recipient, a server that never answers and a closed port, with retries and their limit."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import notify
from core.db import utcnow
from core.jobs import Job, Queue
from core.settings import Settings
from tests.helpers import closed_port, make_member, sign_in, silent_server


class Inbox:
    """An aiosmtpd handler that keeps what it is sent and refuses mail for @refused.example."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(**options: Any) -> Iterator[tuple[int, Inbox]]:
    port = closed_port()  # free now; the controller takes it at once
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def queue_for(settings: Settings, engine: Engine, smtp_url: str) -> Queue:
    return Queue(replace(settings, smtp_url=smtp_url, smtp_timeout=1), engine)


def send(db: Session, queue: Queue, to: str = "mei@example.tw") -> notify.OutboxEmail:
    mail = notify.send_email(
        db, queue, to, "意見已收到", "謝謝您的意見。", unsubscribe_url="https://t.tw/unsubscribe/x"
    )
    db.refresh(mail)
    return mail


def test_mail_is_delivered_to_a_real_smtp_server(db: Session, settings: Settings, engine: Engine) -> None:
    with smtp_server() as (port, inbox):
        mail = send(db, queue_for(settings, engine, f"smtp://127.0.0.1:{port}"))
    assert (mail.status, mail.error, mail.attempts) == ("sent", "", 0) and mail.sent_at is not None
    (message,) = inbox.messages
    assert message["To"] == "mei@example.tw" and message["Subject"] == "意見已收到"
    assert message["List-Unsubscribe"] == "<https://t.tw/unsubscribe/x>"
    assert message.get_content().strip() == "謝謝您的意見。"


def test_mail_goes_by_starttls_or_tls_from_the_start(
    db: Session, settings: Settings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # as a site with its own CA would set it
    with smtp_server(tls_context=server_context, require_starttls=True) as (port, inbox):
        plain = send(db, queue_for(settings, engine, f"smtp://127.0.0.1:{port}"))
        assert plain.status == "pending" and "STARTTLS" in plain.error  # the server refuses mail in the clear
        mail = send(db, queue_for(settings, engine, f"smtp://127.0.0.1:{port}?starttls=1"))
    assert mail.status == "sent"
    assert [m["Subject"] for m in inbox.messages] == ["意見已收到"]
    with smtp_server(ssl_context=server_context) as (port, inbox):
        mail = send(db, queue_for(settings, engine, f"smtps://127.0.0.1:{port}"))
    assert mail.status == "sent" and len(inbox.messages) == 1


def test_a_refused_recipient_fails_at_once_with_the_servers_reply(
    db: Session, settings: Settings, engine: Engine
) -> None:
    with smtp_server() as (port, inbox):
        mail = send(db, queue_for(settings, engine, f"smtp://127.0.0.1:{port}"), to="nobody@refused.example")
    assert (mail.status, mail.attempts, mail.next_attempt_at) == ("failed", 1, None)
    assert "550" in mail.error and "No such mailbox here" in mail.error
    assert inbox.messages == []
    assert db.exec(select(Job.status).where(Job.kind == "deliver_email")).all() == ["done"]


def test_a_server_that_never_answers_times_out_and_the_mail_is_retried_later(
    db: Session, settings: Settings, engine: Engine
) -> None:
    with silent_server() as port:
        started = time.monotonic()
        mail = send(db, queue_for(settings, engine, f"smtp://127.0.0.1:{port}"))
        waited = time.monotonic() - started
    assert waited < 3, f"the delivery waited {waited:.1f} s for a server that never answers"
    assert (mail.status, mail.attempts) == ("pending", 1) and "timed out" in mail.error
    assert mail.next_attempt_at is not None and mail.next_attempt_at > utcnow() + timedelta(minutes=4)
    with smtp_server() as (working, inbox):
        queue = queue_for(settings, engine, f"smtp://127.0.0.1:{working}")
        queue.submit(db, "retry_email")  # not yet: the wait is not over
        db.refresh(mail)
        assert mail.status == "pending" and inbox.messages == []
        mail.next_attempt_at = utcnow() - timedelta(seconds=1)  # as if the five minutes had passed
        db.add(mail)
        db.commit()
        queue.submit(db, "retry_email")
    db.refresh(mail)
    assert (mail.status, mail.attempts) == ("sent", 1) and mail.next_attempt_at is None
    assert len(inbox.messages) == 1


def test_a_closed_port_is_retried_with_growing_waits_then_the_mail_fails(
    client: TestClient, db: Session, settings: Settings, engine: Engine
) -> None:
    queue = queue_for(settings, engine, f"smtp://127.0.0.1:{closed_port()}")
    mail = send(db, queue)
    waits = []
    while mail.status == "pending":
        assert "ConnectionRefusedError" in mail.error and mail.next_attempt_at is not None
        waits.append(round((mail.next_attempt_at - utcnow()) / timedelta(minutes=1)))
        mail.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.add(mail)
        db.commit()
        queue.submit(db, "retry_email")
        db.refresh(mail)
    assert waits == [5, 10, 20, 40, 80]
    assert (mail.status, mail.attempts, mail.next_attempt_at) == ("failed", notify.MAIL_ATTEMPTS, None)
    assert "ConnectionRefusedError" in mail.error
    queue.submit(db, "retry_email")  # a failed mail is left alone
    db.refresh(mail)
    assert mail.attempts == notify.MAIL_ATTEMPTS
    sign_in(client, make_member(db, "admin@example.tw", role="admin"))
    outbox = client.get("/outbox").text
    assert "最近一次寄送錯誤" in outbox and "ConnectionRefusedError" in outbox
