"""Throttling: failed sign-ins back off per address and are capped per account, password reset and
sign-up have buckets of their own, and every 429 says when to try again (Retry-After)."""

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import throttle
from core.settings import Settings
from tests.helpers import PASSWORD, csrf_from, make_member
from thinktank.app import create_app

ATTACKER, OWNER = ("198.51.100.7", 40000), ("203.0.113.20", 40000)


def _client(app: Starlette, address: tuple[str, int] = ATTACKER) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False, client=address)


def _sign_in(client: TestClient, email: str, password: str = "a wrong guess") -> tuple[int, str | None]:
    token = csrf_from(client, "/signin")
    response = client.post("/signin", data={"csrf_token": token, "email": email, "password": password})
    return response.status_code, response.headers.get("retry-after")


def _age_failures(db: Session, by: timedelta) -> None:
    for failure in db.exec(select(throttle.SignInFailure)):
        failure.at -= by
        db.add(failure)
    db.commit()


def test_failed_sign_ins_from_one_address_back_off_exponentially(app: Starlette, db: Session) -> None:
    member = make_member(db)
    with _client(app) as attacker:
        assert [_sign_in(attacker, member.email)[0] for _ in range(throttle.FREE_FAILURES)] == [400] * 5
        status, retry = _sign_in(attacker, member.email)
        assert status == 429 and retry is not None and 25 <= int(retry) <= 30
        assert _sign_in(attacker, member.email, PASSWORD)[0] == 429  # even the right password waits
        _age_failures(db, timedelta(seconds=31))
        assert _sign_in(attacker, member.email)[0] == 400  # the wait is over: one more try
        status, retry = _sign_in(attacker, member.email)
        assert status == 429 and retry is not None and 55 <= int(retry) <= 60  # twice as long
        _age_failures(db, throttle.ADDRESS_WINDOW)
        assert _sign_in(attacker, member.email, PASSWORD)[0] == 303  # an hour on, all is forgotten


def test_the_owner_signs_in_while_someone_else_is_locked_out_guessing(app: Starlette, db: Session) -> None:
    member = make_member(db)
    with _client(app, ATTACKER) as attacker, _client(app, OWNER) as owner:
        codes = [_sign_in(attacker, member.email)[0] for _ in range(12)]
        assert codes == [400] * 5 + [429] * 7
        assert _sign_in(owner, member.email, PASSWORD)[0] == 303
        assert owner.get("/profile").status_code == 200


def test_guesses_from_many_addresses_meet_the_account_cap(settings: Settings, engine: Engine, db: Session) -> None:
    app = create_app(replace(settings, rate_signin="3/hour"), engine=engine)
    member = make_member(db)
    for n in range(3):
        with _client(app, (f"192.0.2.{n}", 1)) as guesser:
            assert _sign_in(guesser, member.email)[0] == 400
            assert _sign_in(guesser, "nobody@example.tw")[0] == 400
    with _client(app, (f"192.0.2.{9}", 1)) as another:
        status, retry = _sign_in(another, member.email)
        assert status == 429 and retry is not None and 3590 <= int(retry) <= 3600
        # An address with no account is capped alike, so the cap tells nobody who is a member.
        assert _sign_in(another, "nobody@example.tw")[0] == 429
        assert _sign_in(another, "someone.else@example.tw")[0] == 400  # other accounts are untouched


def test_failures_are_counted_across_web_processes_without_redis(
    settings: Settings, engine: Engine, db: Session
) -> None:
    member = make_member(db)
    # Two apps are two worker processes: each has its own in-memory counters, one database.
    first, second = create_app(settings, engine=engine), create_app(settings, engine=engine)
    with _client(first) as one, _client(second) as two:
        codes = [_sign_in(client, member.email)[0] for client in (one, two) * 4]
    assert codes == [400] * 5 + [429] * 3
    assert len(db.exec(select(throttle.SignInFailure)).all()) == 5


def test_password_reset_has_its_own_bucket(settings: Settings, engine: Engine, db: Session) -> None:
    app = create_app(replace(settings, rate_reset="2/hour"), engine=engine)
    app.state.limiter.reset()
    member = make_member(db)
    with _client(app) as client:
        assert [_sign_in(client, member.email)[0] for _ in range(6)][-1] == 429
        token = csrf_from(client, "/password/forgot")
        codes = [client.post("/password/forgot", data={"csrf_token": token, "email": member.email}) for _ in range(3)]
        assert [r.status_code for r in codes] == [200, 200, 429]  # sign-in's lock-out does not block it
        assert 3590 <= int(codes[-1].headers["retry-after"]) <= 3600
    with _client(app, OWNER) as owner:
        assert _sign_in(owner, member.email, PASSWORD)[0] == 303  # nor do the resets block sign-in
        token = csrf_from(owner, "/password/forgot")
        # The e-mail has had its two links this hour, whoever asks: nobody can flood a mailbox.
        refused = owner.post("/password/forgot", data={"csrf_token": token, "email": member.email.upper()})
        assert refused.status_code == 429


def test_every_429_says_when_to_try_again(settings: Settings, engine: Engine) -> None:
    app = create_app(replace(settings, rate_signup="1/hour"), engine=engine)
    app.state.limiter.reset()
    with _client(app) as client:
        token = csrf_from(client, "/signup")
        data = {"csrf_token": token, "email": "p@example.tw", "password": PASSWORD, "display_name": "p"}
        assert client.post("/signup", data=data).status_code == 200
        refused = client.post("/signup", data=data)
        assert refused.status_code == 429
        assert 3590 <= int(refused.headers["retry-after"]) <= 3600
        assert "請求過於頻繁" in refused.text


def test_guessing_the_current_password_on_the_profile_is_throttled_too(app: Starlette, db: Session) -> None:
    member = make_member(db)
    with _client(app) as stolen_session:
        assert _sign_in(stolen_session, member.email, PASSWORD)[0] == 303
        token = csrf_from(stolen_session, "/profile")
        data = {"csrf_token": token, "current_password": "a guess", "new_password": "the thief's own password"}
        codes = [stolen_session.post("/profile/password", data=data).status_code for _ in range(6)]
    assert codes == [400] * 5 + [429]
