"""Members, agencies and roles: the tables and the only functions that write them."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint, delete, func
from sqlmodel import Field, Session, SQLModel, col, select

from core import passwords, places, sessions
from core.db import pk, utcnow
from core.errors import N_, Invalid, NotFound
from core.jobs import JobContext, handler


class Role(StrEnum):
    citizen = "citizen"
    agency_official = "agency_official"
    legislative_staff = "legislative_staff"
    moderator = "moderator"
    admin = "admin"
    village_chief = "village_chief"  # 村里長 and community liaisons: submit comments collected offline


# Every member is a citizen; these are the roles that are granted on top.
GRANTABLE_ROLES = (Role.agency_official, Role.legislative_staff, Role.village_chief, Role.moderator, Role.admin)

# Who may act on whom (moderation's warnings and suspensions): a member ranks as their highest
# role, and acts only on members who rank below them. So admins do not act on other admins: one
# who must be stopped loses the role first, on the roles page, which another admin can do.
RANKS: dict[str, int] = {
    Role.citizen: 0,
    Role.agency_official: 1,
    Role.legislative_staff: 1,
    Role.village_chief: 1,
    Role.moderator: 2,
    Role.admin: 3,
}


class OrgType(StrEnum):
    ngo = "ngo"
    business = "business"
    academic = "academic"
    government = "government"
    individual = "individual"


ROLE_LABELS = {
    Role.citizen: N_("Citizen"),
    Role.agency_official: N_("Agency official"),
    Role.legislative_staff: N_("Legislative staff"),
    Role.moderator: N_("Moderator"),
    Role.admin: N_("Administrator"),
    Role.village_chief: N_("Village chief or community liaison"),
}
ORG_TYPE_LABELS = {
    OrgType.ngo: N_("Non-profit organisation"),
    OrgType.business: N_("Business"),
    OrgType.academic: N_("Academic"),
    OrgType.government: N_("Government"),
    OrgType.individual: N_("Individual"),
}

EMAIL_MAX = 254
NAME_MAX = 60
ORG_MAX = 120
PASSWORD_MIN = 10
PASSWORD_MAX = 200
RESET_VALID_FOR = timedelta(hours=2)
SIGN_UP_VALID_FOR = timedelta(days=2)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class Agency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=63, unique=True, index=True)
    name: str = Field(max_length=ORG_MAX)
    name_en: str = Field(default="", max_length=ORG_MAX)
    created_at: datetime = Field(default_factory=utcnow)


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX, unique=True, index=True)  # never shown publicly
    password_hash: str = Field(max_length=255)
    display_name: str = Field(max_length=NAME_MAX)
    org_name: str = Field(default="", max_length=ORG_MAX)
    org_type: str = Field(default="", max_length=20)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    locale: str = Field(default="", max_length=20)
    email_frequency: str = Field(default="immediately", max_length=12)  # immediately, daily, off
    created_at: datetime = Field(default_factory=utcnow)
    suspended_until: datetime | None = None  # a moderator's suspension: may read, may not post
    deleted_at: datetime | None = None  # the member deleted their account; contributions stay, pseudonymised
    place_code: str | None = Field(default=None, max_length=11)  # township or village they gave; shown to nobody

    def suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and (now or utcnow()) < self.suspended_until


FORMER_MEMBER = N_("former member")


class MemberRole(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("member_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(max_length=30)
    granted_by_id: int | None = Field(default=None, foreign_key="member.id")
    granted_at: datetime = Field(default_factory=utcnow)


class PasswordReset(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)  # only the hash is stored
    expires_at: datetime
    used_at: datetime | None = None


class SignUpRequest(SQLModel, table=True):
    """A sign-up waiting for its e-mailed link: the account exists only once the address is proven."""

    __tablename__ = "sign_up_request"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)  # only the hash is stored
    email: str = Field(max_length=EMAIL_MAX, index=True)
    password_hash: str = Field(max_length=255)
    display_name: str = Field(max_length=NAME_MAX)
    org_name: str = Field(default="", max_length=ORG_MAX)
    org_type: str = Field(default="", max_length=20)
    expires_at: datetime


# --- validation -------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_profile(display_name: str, org_name: str, org_type: str) -> dict[str, str]:
    errors = {}
    if not display_name.strip():
        errors["display_name"] = N_("Enter a public display name.")
    elif len(display_name.strip()) > NAME_MAX:
        errors["display_name"] = N_("The display name is too long.")
    if len(org_name.strip()) > ORG_MAX:
        errors["org_name"] = N_("The organisation name is too long.")
    if org_type and org_type not in OrgType.__members__:
        errors["org_type"] = N_("Choose an organisation type from the list.")
    if org_name.strip() and not org_type:
        errors["org_type"] = N_("Choose the type of your organisation.")
    return errors


def _check_password(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return N_("The password must be at least 10 characters long.")
    if len(password) > PASSWORD_MAX:
        return N_("The password is too long.")
    return None


# --- agencies ---------------------------------------------------------------------------------


def create_agency(session: Session, slug: str, name: str, name_en: str = "") -> Agency:
    slug = slug.strip().lower()
    errors = {}
    if not _SLUG.match(slug):
        errors["slug"] = N_("Use 2 to 63 lower-case letters, digits or hyphens.")
    if not name.strip():
        errors["name"] = N_("Enter the agency's name.")
    elif len(name.strip()) > ORG_MAX or len(name_en.strip()) > ORG_MAX:
        errors["name"] = N_("The agency's name is too long.")
    if not errors and session.exec(select(Agency).where(Agency.slug == slug)).first():
        errors["slug"] = N_("An agency with this short name exists already.")
    if errors:
        raise Invalid(errors)
    agency = Agency(slug=slug, name=name.strip(), name_en=name_en.strip())
    session.add(agency)
    session.commit()
    return agency


def list_agencies(session: Session) -> list[Agency]:
    return list(session.exec(select(Agency).order_by(col(Agency.slug))))


def get_agency(session: Session, slug: str) -> Agency:
    agency = session.exec(select(Agency).where(Agency.slug == slug)).first()
    if agency is None:
        raise NotFound(slug)
    return agency


# --- members ----------------------------------------------------------------------------------


def _check_sign_up(email: str, password: str, display_name: str, org_name: str, org_type: str) -> None:
    errors = _check_profile(display_name, org_name, org_type)
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        errors["email"] = N_("Enter a valid e-mail address.")
    if problem := _check_password(password):
        errors["password"] = problem
    if errors:
        raise Invalid(errors)


def sign_up(
    session: Session,
    email: str,
    password: str,
    display_name: str,
    org_name: str = "",
    org_type: str = "",
) -> Member:
    """A member at once (the command line and the demo); the site asks for the e-mailed link first."""
    email = normalise_email(email)
    _check_sign_up(email, password, display_name, org_name, org_type)
    if find_member_by_email(session, email):
        raise Invalid({"email": N_("An account with this e-mail address exists already.")})
    member = Member(
        email=email,
        password_hash=passwords.hash_password(password),
        display_name=display_name.strip(),
        org_name=org_name.strip(),
        org_type=org_type if org_name.strip() else "",
    )
    session.add(member)
    session.commit()
    return member


def request_sign_up(
    session: Session,
    email: str,
    password: str,
    display_name: str,
    org_name: str = "",
    org_type: str = "",
) -> tuple[str, str | None]:
    """A sign-up from the site: (the address, a token for the link that finishes it), or no
    token when the address has an account already. Either way the caller sends one e-mail and
    shows the same page, and the password is hashed, so the answer tells nobody who is a member."""
    email = normalise_email(email)
    _check_sign_up(email, password, display_name, org_name, org_type)
    password_hash = passwords.hash_password(password)
    if find_member_by_email(session, email):
        return email, None
    session.exec(  # the latest request for an address replaces earlier ones; expired ones go
        delete(SignUpRequest).where((col(SignUpRequest.email) == email) | (col(SignUpRequest.expires_at) < utcnow()))
    )
    token = secrets.token_urlsafe(32)
    session.add(
        SignUpRequest(
            token_hash=_token_hash(token),
            email=email,
            password_hash=password_hash,
            display_name=display_name.strip(),
            org_name=org_name.strip(),
            org_type=org_type if org_name.strip() else "",
            expires_at=utcnow() + SIGN_UP_VALID_FOR,
        )
    )
    session.commit()
    return email, token


def _usable_sign_up(session: Session, token: str) -> SignUpRequest | None:
    request = session.exec(select(SignUpRequest).where(SignUpRequest.token_hash == _token_hash(token))).first()
    if request is None or request.expires_at < utcnow():
        return None
    return request


def sign_up_token_is_valid(session: Session, token: str) -> bool:
    return _usable_sign_up(session, token) is not None


def finish_sign_up(session: Session, token: str) -> Member:
    """The member the e-mailed link asked for; the link then works no more."""
    request = _usable_sign_up(session, token)
    if request is None or find_member_by_email(session, request.email):
        raise Invalid({"": N_("This link has expired or was used already. Sign up again.")})
    member = Member(
        email=request.email,
        password_hash=request.password_hash,
        display_name=request.display_name,
        org_name=request.org_name,
        org_type=request.org_type,
    )
    session.add(member)
    session.delete(request)
    session.commit()
    return member


def find_member_by_email(session: Session, email: str) -> Member | None:
    return session.exec(select(Member).where(Member.email == normalise_email(email))).first()


def members_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, Member]:
    """The members with these ids, in one query (None and unknown ids are skipped)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(wanted))) if m.id is not None}


def get_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(str(member_id))
    return member


def authenticate(session: Session, email: str, password: str) -> Member | None:
    """The member with these credentials, or None. Takes the same time whether or not the
    e-mail is known, so sign-in does not reveal who has an account."""
    member = find_member_by_email(session, email)
    if member is None:
        passwords.verify_password(passwords.DUMMY_HASH, password)
        return None
    if not passwords.verify_password(member.password_hash, password):
        return None
    if passwords.needs_rehash(member.password_hash):
        member.password_hash = passwords.hash_password(password)
        session.add(member)
        session.commit()
    return member


def change_password(
    session: Session, member: Member, current: str, new: str, keep: sessions.MemberSession | None
) -> None:
    """A new password, given the current one; every session but `keep` (the one asking) ends."""
    if not passwords.verify_password(member.password_hash, current):
        raise Invalid({"current_password": N_("That is not your password.")})
    if problem := _check_password(new):
        raise Invalid({"new_password": problem})
    member.password_hash = passwords.hash_password(new)
    session.add(member)
    sessions.end_all(session, pk(member), keep=keep)  # commits


def update_profile(session: Session, member: Member, display_name: str, org_name: str, org_type: str) -> Member:
    errors = _check_profile(display_name, org_name, org_type)
    if errors:
        raise Invalid(errors)
    member.display_name = display_name.strip()
    member.org_name = org_name.strip()
    member.org_type = org_type if org_name.strip() else ""
    session.add(member)
    session.commit()
    return member


EMAIL_FREQUENCIES = {
    "immediately": N_("Immediately"),
    "daily": N_("Once a day, in a digest"),
    "off": N_("Never (notifications stay on the site)"),
}


def set_place(session: Session, member: Member, place_code: str, postal_code: str = "") -> Member:
    """The member gives (or clears) the township they live in, from the list or by postal code.
    What they wrote before keeps the place it was written from."""
    member.place_code = places.choose_place(session, place_code, postal_code)
    session.add(member)
    session.commit()
    return member


def set_email_frequency(session: Session, member: Member, frequency: str) -> None:
    if frequency not in EMAIL_FREQUENCIES:
        raise Invalid({"email_frequency": N_("Choose how often to receive e-mail.")})
    member.email_frequency = frequency
    session.add(member)
    session.commit()


def set_locale(session: Session, member: Member, locale: str) -> None:
    member.locale = locale
    session.add(member)
    session.commit()


def roles_of(session: Session, member: Member) -> set[str]:
    granted = session.exec(select(MemberRole.role).where(MemberRole.member_id == member.id))
    return {Role.citizen.value, *granted}


def rank(roles: Iterable[str]) -> int:
    return max((RANKS.get(role, 0) for role in roles), default=0)


def grant_role(
    session: Session,
    member: Member,
    role: str,
    granted_by: Member | None = None,
    agency: Agency | None = None,
) -> None:
    """Grant `role`; an agency official must be given the agency they act for."""
    if role not in {r.value for r in GRANTABLE_ROLES}:
        raise Invalid({"role": N_("Choose a role from the list.")})
    if role == Role.agency_official and agency is None and member.agency_id is None:
        raise Invalid({"agency": N_("An agency official must belong to an agency.")})
    if agency is not None:
        member.agency_id = agency.id
        session.add(member)
    if role not in roles_of(session, member):
        session.add(
            MemberRole(
                member_id=member.id,  # type: ignore[arg-type]
                role=role,
                granted_by_id=granted_by.id if granted_by else None,
            )
        )
    session.commit()


def revoke_role(session: Session, member: Member, role: str) -> None:
    for row in session.exec(select(MemberRole).where(MemberRole.member_id == member.id, MemberRole.role == role)):
        session.delete(row)
    if role == Role.agency_official:
        member.agency_id = None
        session.add(member)
    session.commit()


def count_admins(session: Session) -> int:
    query = select(func.count()).select_from(MemberRole).where(MemberRole.role == Role.admin)
    return session.exec(query).one()


def list_members(session: Session, query: str = "", limit: int = 50) -> list[Member]:
    statement = select(Member).order_by(col(Member.id)).limit(limit)
    if query.strip():
        like = f"%{query.strip().lower()}%"
        statement = statement.where(col(Member.email).like(like) | func.lower(Member.display_name).like(like))
    return list(session.exec(statement))


def roles_by_member(session: Session, member_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {member_id: {Role.citizen.value} for member_id in member_ids}
    rows = session.exec(select(MemberRole).where(col(MemberRole.member_id).in_(member_ids)))
    for row in rows:
        found[row.member_id].add(row.role)
    return found


# --- password reset ---------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_password_reset(session: Session, email: str) -> tuple[Member, str] | None:
    """A fresh single-use token for the member with this e-mail, or None when there is none.

    The caller e-mails the token; only its hash is stored. It replaces every earlier token of
    the member's, so only the latest link works and, once it is used, none does.
    """
    member = find_member_by_email(session, email)
    if member is None:
        return None
    session.exec(delete(PasswordReset).where(col(PasswordReset.member_id) == member.id))
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            member_id=member.id,  # type: ignore[arg-type]
            token_hash=_token_hash(token),
            expires_at=utcnow() + RESET_VALID_FOR,
        )
    )
    session.commit()
    return member, token


def _usable_reset(session: Session, token: str) -> PasswordReset | None:
    reset = session.exec(select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token))).first()
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        return None
    return reset


def reset_token_is_valid(session: Session, token: str) -> bool:
    return _usable_reset(session, token) is not None


def finish_password_reset(session: Session, token: str, new_password: str) -> Member:
    reset = _usable_reset(session, token)
    if reset is None:
        raise Invalid({"": N_("This reset link has expired or was used already. Ask for a new one.")})
    if problem := _check_password(new_password):
        raise Invalid({"password": problem})
    member = get_member(session, reset.member_id)
    member.password_hash = passwords.hash_password(new_password)
    reset.used_at = utcnow()
    session.add(member)
    session.add(reset)
    sessions.end_all(session, pk(member))  # whoever knew the old password is signed out; commits
    return member


def delete_account(session: Session, member: Member, password: str) -> None:
    """The member leaves: the account can no longer sign in and says nothing about them (name,
    e-mail, organisation, roles, follows and notifications go); what they wrote stays, under
    "former member", because others replied to it and decisions cite it."""
    if authenticate(session, member.email, password) is None:
        raise Invalid({"password": N_("That is not your password.")})
    from core import notify  # notify imports accounts; the leaf import keeps the graph acyclic

    for role in session.exec(select(MemberRole).where(MemberRole.member_id == member.id)):
        session.delete(role)
    notify.forget(session, member)
    member.email = f"deleted-{member.id}@invalid"
    member.password_hash = "!"  # matches no password
    member.display_name = FORMER_MEMBER
    member.org_name, member.org_type, member.agency_id = "", "", None
    member.deleted_at = utcnow()
    session.add(member)
    sessions.end_all(session, pk(member))  # commits


# --- a member's own data --------------------------------------------------------------------------


# Each package adds what it holds of a member's own (comments, votes, follows...), by name.
exporters: dict[str, Callable[[Session, Member], list[dict[str, object]]]] = {}


@handler("export_member_data")
def export_member_data(job: JobContext) -> dict[str, object]:
    """Everything we hold about a member, for them to download (a background job)."""
    member = get_member(job.session, job.payload["member_id"])
    agency = job.session.get(Agency, member.agency_id) if member.agency_id else None
    return {
        "member": {
            "id": member.id,
            "email": member.email,
            "display_name": member.display_name,
            "organisation": {"name": member.org_name, "type": member.org_type} if member.org_name else None,
            "agency": agency.slug if agency else None,
            "locale": member.locale,
            "place": {"code": member.place_code, "name": places.place_label(job.session, member.place_code)}
            if member.place_code
            else None,
            "created_at": member.created_at.isoformat(),
        },
        "roles": sorted(roles_of(job.session, member)),
        "sessions": [
            {
                "device": row.device,
                "signed_in_at": row.created_at.isoformat(),
                "last_seen_at": row.last_seen_at.isoformat(),
            }
            for row in sessions.of_member(job.session, pk(member))
        ],
        **{name: export(job.session, member) for name, export in sorted(exporters.items())},
        "activity": _activity(job, member),
    }


def _activity(job: JobContext, member: Member) -> list[dict[str, Any]]:
    """Every contribution with its receipt code and its fate, as the member's activity page shows."""
    from core import receipts  # receipts reads members: imported here, not at the top, to avoid a cycle

    entries, _total = receipts.activity(job.session, job.settings.secret_key, member, 0, 10**9)
    return [receipts.as_json(entry) for entry in entries]
