"""The e-mails about an account: the link to reset a password, the link that finishes a
sign-up, the notice that someone tried to sign up with an address that has an account, and the
link that proves a member's address.

Each page that sends one answers the same whether or not the address has an account. A reset
is asked for in a job, so the page does the same work either way (the lookup happens later).
"""

from __future__ import annotations

from sqlmodel import Session

from core import accounts, i18n, notify
from core.jobs import JobContext, Queue, handler


def ask_for_password_reset(db: Session, queue: Queue, email: str) -> None:
    queue.submit(db, "password_reset_mail", {"email": accounts.normalise_email(email), "locale": i18n.get_locale()})


@handler("password_reset_mail")
def password_reset_mail(job: JobContext) -> None:
    """The reset link, e-mailed to the member with this address; nothing when there is none."""
    started = accounts.start_password_reset(job.session, job.payload["email"])
    if started is None:
        return
    member, token = started
    i18n.set_locale(job.payload["locale"])  # the language the reset was asked for in
    body = i18n.gettext(
        "Someone asked to reset the password of your thinktank account. "
        "If it was you, open this link within two hours:\n\n%(link)s\n\n"
        "If it was not you, ignore this message; your password stays as it is."
    ) % {"link": f"{job.settings.base_url}/password/reset/{token}"}
    notify.send_email(job.session, job.queue, member.email, i18n.gettext("Reset your password"), body)


def send_sign_up_mail(db: Session, queue: Queue, email: str, token: str | None) -> None:
    """The link that finishes a sign-up or, when the address has an account (no token), a notice
    to its owner, who may have forgotten it: nobody else learns the address is registered."""
    base = queue.settings.base_url
    if token is not None:
        subject = i18n.gettext("Finish creating your thinktank account")
        body = i18n.gettext(
            "Someone, probably you, asked to create a thinktank account with this e-mail address. "
            "To finish, open this link within two days:\n\n%(link)s\n\n"
            "If it was not you, ignore this message; no account is created."
        ) % {"link": f"{base}/signup/confirm/{token}"}
    else:
        subject = i18n.gettext("Someone tried to create an account with your address")
        body = i18n.gettext(
            "Someone tried to create a thinktank account with this e-mail address, which has an account "
            "already. If it was you, sign in:\n\n%(signin)s\n\n"
            "If you forgot your password, choose a new one:\n\n%(reset)s\n\n"
            "If it was not you, ignore this message; your account stays as it is."
        ) % {"signin": f"{base}/signin", "reset": f"{base}/password/forgot"}
    notify.send_email(db, queue, email, subject, body)


def send_verification_mail(db: Session, queue: Queue, member: accounts.Member) -> None:
    """The link that proves the member reads mail at their address (asked for on their profile)."""
    token = accounts.start_email_verification(db, member)
    body = i18n.gettext(
        "To confirm that this is the e-mail address of your thinktank account, open this link within two days:"
        "\n\n%(link)s\n\nUntil then, your signatures on proposals are kept as pending and not counted."
    ) % {"link": f"{queue.settings.base_url}/email/verify/{token}"}
    notify.send_email(db, queue, member.email, i18n.gettext("Confirm your e-mail address"), body)
