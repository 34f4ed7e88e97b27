"""One frozen Settings object, read from the environment.

This module is the only reader of ``os.environ``: everything else is handed a ``Settings``.
Every field is listed, with its default, in the README's settings table (a test keeps the two in step).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


def _secret_key(env: Mapping[str, str], var_dir: Path) -> str:
    """SECRET_KEY from the environment, or a random key kept in var/ for local use.

    Keeping the generated key in a file lets the web and worker processes of one checkout agree
    on it without anyone committing a secret. Production sets SECRET_KEY.
    """
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _email(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "").strip()
    local, at, domain = raw.partition("@")
    if raw and not (at and local and "." in domain and " " not in raw):
        raise SettingsError(f"{name} must be an e-mail address, not {raw!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    base_url: str = "http://127.0.0.1:8000"
    var_dir: Path = ROOT / "var"
    search_url: str = ""
    redis_url: str = ""
    meili_url: str = ""
    meili_api_key: str = ""
    smtp_url: str = ""
    smtp_timeout: int = 30  # seconds for each SMTP connect, command and reply
    ly_api_urls: tuple[str, ...] = ()  # LY API bill feeds that `thinktank worker` syncs hourly
    mail_from: str = "thinktank <noreply@localhost>"
    default_locale: str = "zh_TW"
    timezone: str = "Asia/Taipei"
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 50_000_000  # file uploads (paths ending in /import)
    # "immediate" runs each job inside the call that enqueues it (tests); "queue" hands it to a worker.
    jobs_mode: str = "queue"
    job_lease_seconds: int = 60  # a running job whose worker stops renewing this long is requeued
    job_grace_seconds: int = 20  # on SIGTERM, the worker's running jobs get this long to finish
    proposal_threshold: int = 5000  # signatures that oblige the agency to respond
    proposal_signing_days: int = 60
    proposal_response_days: int = 60
    proposal_extension_days: int = 30  # the one extension an agency may announce
    rate_signin: str = "100/hour"  # failed sign-ins per account, from every address together
    rate_reset: str = "5/hour"  # password-reset requests per address and per e-mail
    rate_signup: str = "5/hour"
    rate_post: str = "30/minute"
    rate_vote: str = "120/minute"  # a participant may vote quickly through many short statements
    hold_first_posts: int = 0  # a new account's first N discussion posts wait for a moderator (0: none)
    # Who runs this site, named on the privacy, accessibility and terms pages. Empty by default:
    # those pages then say plainly that the operator has not published them, rather than invent one.
    operator_name: str = ""
    operator_email: str = ""
    health_timeout: int = 5  # seconds /healthz waits for the database and queue before answering 503

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        var_dir = Path(env.get("THINKTANK_VAR", str(ROOT / "var")))
        jobs_mode = env.get("THINKTANK_JOBS", "queue")
        if jobs_mode not in ("queue", "immediate"):
            raise SettingsError(f"THINKTANK_JOBS must be 'queue' or 'immediate', not {jobs_mode!r}")
        settings = cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'thinktank.db'}",
            secret_key=_secret_key(env, var_dir),
            base_url=env.get("BASE_URL", cls.base_url).rstrip("/"),
            var_dir=var_dir,
            search_url=env.get("SEARCH_URL", ""),
            redis_url=env.get("REDIS_URL", ""),
            meili_url=env.get("MEILI_URL", ""),
            meili_api_key=env.get("MEILI_API_KEY", ""),
            smtp_url=env.get("SMTP_URL", ""),
            smtp_timeout=_int(env, "SMTP_TIMEOUT", cls.smtp_timeout),
            ly_api_urls=tuple(u for u in env.get("LY_API_URLS", "").split() if u),
            mail_from=env.get("MAIL_FROM", cls.mail_from),
            default_locale=env.get("DEFAULT_LOCALE", cls.default_locale),
            timezone=env.get("TIME_ZONE", cls.timezone),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", cls.max_body_bytes),
            max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", cls.max_upload_bytes),
            jobs_mode=jobs_mode,
            job_lease_seconds=_int(env, "JOB_LEASE_SECONDS", cls.job_lease_seconds),
            job_grace_seconds=_int(env, "JOB_GRACE_SECONDS", cls.job_grace_seconds),
            proposal_threshold=_int(env, "PROPOSAL_THRESHOLD", cls.proposal_threshold),
            proposal_signing_days=_int(env, "PROPOSAL_SIGNING_DAYS", cls.proposal_signing_days),
            proposal_response_days=_int(env, "PROPOSAL_RESPONSE_DAYS", cls.proposal_response_days),
            proposal_extension_days=_int(env, "PROPOSAL_EXTENSION_DAYS", cls.proposal_extension_days),
            rate_signin=env.get("RATE_LIMIT_SIGNIN", cls.rate_signin),
            rate_reset=env.get("RATE_LIMIT_RESET", cls.rate_reset),
            rate_signup=env.get("RATE_LIMIT_SIGNUP", cls.rate_signup),
            rate_post=env.get("RATE_LIMIT_POST", cls.rate_post),
            rate_vote=env.get("RATE_LIMIT_VOTE", cls.rate_vote),
            hold_first_posts=_int(env, "HOLD_FIRST_POSTS", cls.hold_first_posts),
            operator_name=env.get("OPERATOR_NAME", "").strip(),
            operator_email=_email(env, "OPERATOR_EMAIL"),
            health_timeout=_int(env, "HEALTH_TIMEOUT", cls.health_timeout),
        )
        settings = replace(settings, **overrides)  # type: ignore[arg-type]
        if settings.job_lease_seconds < 1 or settings.job_grace_seconds < 0:
            raise SettingsError("JOB_LEASE_SECONDS must be 1 or more, and JOB_GRACE_SECONDS 0 or more")
        return settings
