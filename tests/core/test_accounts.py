"""Members, roles and password resets on a real database, without HTTP."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core import accounts, passwords, sessions
from core.errors import Invalid
from tests.helpers import PASSWORD, make_member


def test_sign_up_stores_an_argon2_hash_and_a_normalised_email(db: Session) -> None:
    member = accounts.sign_up(db, "  Mei@Example.TW ", PASSWORD, "林美華")
    assert member.email == "mei@example.tw"
    assert member.password_hash.startswith("$argon2id$")
    assert PASSWORD not in member.password_hash


def test_sign_up_refuses_bad_input_and_writes_nothing(db: Session) -> None:
    with pytest.raises(Invalid) as caught:
        accounts.sign_up(db, "not-an-email", "short", "", org_name="x" * 121)
    assert set(caught.value.errors) == {"email", "password", "display_name", "org_name", "org_type"}
    assert db.exec(select(accounts.Member)).all() == []


def test_the_same_email_cannot_sign_up_twice_whatever_its_case(db: Session) -> None:
    make_member(db, "mei@example.tw")
    with pytest.raises(Invalid) as caught:
        accounts.sign_up(db, "MEI@example.tw", PASSWORD, "另一人")
    assert "email" in caught.value.errors


def test_an_organisation_needs_a_type(db: Session) -> None:
    with pytest.raises(Invalid) as caught:
        accounts.sign_up(db, "ngo@example.tw", PASSWORD, "蔡美玲", org_name="台灣長期照顧發展協會")
    assert caught.value.errors == {"org_type": "Choose the type of your organisation."}


def test_authenticate_accepts_only_the_right_password(db: Session) -> None:
    member = make_member(db)
    assert accounts.authenticate(db, "MEI@example.tw", PASSWORD) == member
    assert accounts.authenticate(db, member.email, PASSWORD + "x") is None
    assert accounts.authenticate(db, "nobody@example.tw", PASSWORD) is None


def test_everyone_is_a_citizen_and_roles_add_up(db: Session) -> None:
    agency = accounts.create_agency(db, "mohw", "衛生福利部", "Ministry of Health and Welfare")
    member = make_member(db)
    assert accounts.roles_of(db, member) == {"citizen"}
    accounts.grant_role(db, member, "agency_official", agency=agency)
    accounts.grant_role(db, member, "moderator")
    accounts.grant_role(db, member, "moderator")  # granting twice is harmless
    assert accounts.roles_of(db, member) == {"citizen", "agency_official", "moderator"}
    assert member.agency_id == agency.id
    accounts.revoke_role(db, member, "agency_official")
    assert accounts.roles_of(db, member) == {"citizen", "moderator"}
    assert member.agency_id is None


def test_an_agency_official_must_have_an_agency(db: Session) -> None:
    member = make_member(db)
    with pytest.raises(Invalid):
        accounts.grant_role(db, member, "agency_official")
    with pytest.raises(Invalid):
        accounts.grant_role(db, member, "emperor")
    assert accounts.roles_of(db, member) == {"citizen"}


def test_agency_short_names_are_checked_and_unique(db: Session) -> None:
    accounts.create_agency(db, "moenv", "環境部")
    with pytest.raises(Invalid) as caught:
        accounts.create_agency(db, "moenv", "另一個環境部")
    assert "slug" in caught.value.errors
    with pytest.raises(Invalid):
        accounts.create_agency(db, "Not A Slug!", "某機關")
    assert [a.slug for a in accounts.list_agencies(db)] == ["moenv"]


def test_password_reset_is_single_use_and_signs_out_other_sessions(db: Session) -> None:
    member = make_member(db)
    sessions.start(db, member.id, "")  # type: ignore[arg-type]
    started = accounts.start_password_reset(db, member.email)
    assert started is not None
    _member, token = started
    assert accounts.reset_token_is_valid(db, token)
    accounts.finish_password_reset(db, token, "a brand new password")
    assert sessions.of_member(db, member.id) == []  # type: ignore[arg-type]
    assert accounts.authenticate(db, member.email, "a brand new password") == member
    assert not accounts.reset_token_is_valid(db, token)
    with pytest.raises(Invalid):
        accounts.finish_password_reset(db, token, "yet another password")


def test_an_expired_reset_token_is_refused(db: Session) -> None:
    member = make_member(db)
    started = accounts.start_password_reset(db, member.email)
    assert started is not None
    reset = db.exec(select(accounts.PasswordReset)).one()
    reset.expires_at = reset.expires_at - accounts.RESET_VALID_FOR - timedelta(minutes=1)
    db.add(reset)
    db.commit()
    with pytest.raises(Invalid):
        accounts.finish_password_reset(db, started[1], "a brand new password")
    assert passwords.verify_password(db.get(accounts.Member, member.id).password_hash, PASSWORD)  # type: ignore[union-attr]


def test_reset_for_an_unknown_email_makes_no_token(db: Session) -> None:
    assert accounts.start_password_reset(db, "nobody@example.tw") is None
    assert db.exec(select(accounts.PasswordReset)).all() == []


def test_a_sign_up_link_makes_no_second_account_for_an_address_registered_meanwhile(db: Session) -> None:
    email, token = accounts.request_sign_up(db, "late@example.tw", PASSWORD, "晚到的人")
    assert token is not None and accounts.sign_up_token_is_valid(db, token)
    make_member(db, email)
    with pytest.raises(Invalid):
        accounts.finish_sign_up(db, token)
    assert accounts.request_sign_up(db, email, PASSWORD, "又一次") == (email, None)


def test_only_the_latest_sign_up_link_for_an_address_works(db: Session) -> None:
    _email, first = accounts.request_sign_up(db, "twice@example.tw", PASSWORD, "兩次")
    _email, second = accounts.request_sign_up(db, "twice@example.tw", PASSWORD, "兩次")
    assert first and second
    assert not accounts.sign_up_token_is_valid(db, first)
    assert accounts.finish_sign_up(db, second).email == "twice@example.tw"
