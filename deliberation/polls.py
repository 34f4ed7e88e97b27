"""Polls: creating one, casting and changing a ballot, voting in person with a paper code, and the
live count (`poll_results` holds receipts, the ballot file and publishing).

Every ballot is appended to the poll's hash chain (`core.ballots`); the chain holds receipts'
hashes and choices, never a voter. Appending takes the chain's end under one lock per poll that
both databases honour: the first statement of the appending transaction is an UPDATE of the poll
row, which PostgreSQL makes concurrent voters wait on (a row lock) and SQLite too (its one writer
lock, waited for up to the connection's timeout). So the chain never forks, and each member's one
ballot is kept single by the unique constraint on `PollBallot`.

The count is `analysis.voting.tally` over the last entry per receipt, cached per chain head: the
live fragment polled every second recounts only when a ballot has come in."""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from analysis import voting
from core import ballots
from core.accounts import Member, Role
from core.db import pk, utcnow
from core.errors import N_, Invalid, NotFound
from deliberation.poll_models import ELIGIBILITY, Poll, PollBallot, PollCode, PollEntry, PollOption
from feedback import subjects

QUESTION_MAX = 300
OPTION_MAX = 300
OPTIONS_MAX = 50
CODES_MAX = 500
_SPACES = re.compile(r"\s+")
STATUS_LABELS = {"upcoming": N_("Not open yet"), "open": N_("Open"), "closed": N_("Closed")}
METHOD_LABELS = {
    "single": N_("Single choice"),
    "multiple": N_("Multiple choice"),
    "approval": N_("Approval"),
    "ranked": N_("Ranked choice (instant runoff)"),
    "score": N_("Score"),
}


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# --- who may do what ----------------------------------------------------------------------------


# Proposals are participation's: it says here how to find one (title, path, record) and who answers
# it. Deliberation does not import participation, or bills, which lists polls, would reach it.
proposal_finder: list[Callable[[Session, int], tuple[str, str, Any] | None]] = []
proposal_manager: list[Callable[[Any, Member, set[str]], bool]] = []


def _subject(session: Session, kind: str, subject_id: int) -> tuple[str, str, Any] | None:
    """(title, path, record) of what a poll is attached to, or None when there is no such thing."""
    if kind == "proposal":
        return proposal_finder[0](session, subject_id) if proposal_finder else None
    found = subjects.get(session, kind, subject_id)
    return (found.title, found.path, found) if found and found.public else None


def subject_of(session: Session, poll: Poll) -> tuple[str, str] | None:
    if poll.subject_kind is None or poll.subject_id is None:
        return None
    found = _subject(session, poll.subject_kind, poll.subject_id)
    return (found[0], found[1]) if found else None


def can_create(session: Session, member: Member | None, roles: set[str], on: tuple[str, int] | None) -> bool:
    """Standalone: an agency's official (or an admin). On a consultation or a bill: those who answer
    it (its agency's officials; legislative staff for a bill); on a proposal: its agency's officials."""
    if member is None:
        return False
    if on is None:
        return bool(roles & {Role.agency_official, Role.admin})
    kind, subject_id = on
    found = _subject(session, kind, subject_id)
    if found is None:
        return False
    if kind == "proposal":
        return bool(proposal_manager) and proposal_manager[0](found[2], member, roles)
    return subjects.kind_of(kind).can_manage(member, roles, found[2])


def can_manage(member: Member | None, roles: set[str], poll: Poll) -> bool:
    if member is None:
        return False
    if Role.admin in roles or poll.created_by_id == member.id:
        return True
    if poll.subject_kind == "bill":
        return Role.legislative_staff in roles
    return Role.agency_official in roles and poll.agency_id is not None and poll.agency_id == member.agency_id


def eligibility_problem(member: Member, poll: Poll) -> str | None:
    """Why this member may not vote on this poll (a msgid), or None. A poll for places admits a
    member whose township (or village) lies in one of them: a county's code is its townships' prefix."""
    if poll.eligibility == "verified" and member.email_verified_at is None:
        return N_("Only members with a verified e-mail address may vote in this poll.")
    if poll.eligibility == "places":
        place = member.place_code
        if not place or not any(place.startswith(code) for code in places_of(poll)):
            return N_("Only residents of the places this poll names may vote in it.")
    return None


# --- creating -----------------------------------------------------------------------------------


def create_poll(
    session: Session,
    member: Member,
    *,
    question: str,
    description: str,
    options: list[tuple[str, str]],  # (label, image alt text)
    method: str,
    params: dict[str, Any],
    opens_at: datetime | None,
    closes_at: datetime | None,
    eligibility: str = "members",
    places: str = "",
    hide_results: bool = False,
    allow_change: bool = True,
    on: tuple[str, int] | None = None,
    agency_id: int | None = None,
    extras: list[dict[str, Any]] | None = None,  # per option: a budget project's columns
    slug: str | None = None,
) -> Poll:
    """A new poll. `slug` fixes its address (the demo's); it is in the chain's header, so it never
    changes afterwards."""
    errors: dict[str, str] = {}
    params_out: dict[str, Any] = {}
    question = _clean(question)
    if not question:
        errors["question"] = N_("Enter the question.")
    elif len(question) > QUESTION_MAX:
        errors["question"] = N_("The question is too long (300 characters at most).")
    given = zip(options, extras or [{}] * len(options), strict=True)
    kept = [((_clean(label), _clean(alt)), extra) for (label, alt), extra in given if _clean(label)]
    cleaned, columns = [option for option, _extra in kept], [extra for _option, extra in kept]
    if any(len(label) > OPTION_MAX or len(alt) > OPTION_MAX for label, alt in cleaned) or len(cleaned) > OPTIONS_MAX:
        errors["options"] = N_("Up to 50 options, each 300 characters at most.")
    elif len({label for label, _alt in cleaned}) != len(cleaned):
        errors["options"] = N_("Two options have the same text.")
    plain = [
        {"id": str(n), "label": label, **_counted_fields(extra)}
        for n, ((label, _alt), extra) in enumerate(zip(cleaned, columns, strict=True), start=1)
    ]
    if method not in METHOD_LABELS and method not in voting.METHODS:
        errors["method"] = N_("There is no such voting method.")
    elif "options" not in errors:
        try:
            params_out = voting.check_params(method, plain, params)
        except voting.BallotError as error:
            errors["options" if len(plain) < 2 else "params"] = error.message
    if opens_at is None or closes_at is None:
        errors["closes_at"] = N_("Give the opening and closing times.")
    elif closes_at <= opens_at:
        errors["closes_at"] = N_("The poll must close after it opens.")
    if eligibility not in ELIGIBILITY:
        errors["eligibility"] = N_("Choose who may vote.")
    if errors:
        raise Invalid(errors)
    assert opens_at is not None and closes_at is not None
    poll = Poll(
        slug=slug or _new_slug(session),
        question=question,
        description=description.strip(),
        method=method,
        params=json.dumps(params_out, sort_keys=True),
        eligibility=eligibility,
        places=",".join(p for p in re.split(r"[\s,]+", places) if p) if eligibility == "places" else "",
        hide_results=hide_results,
        allow_change=allow_change,
        agency_id=agency_id if agency_id is not None else member.agency_id,
        created_by_id=member.id,
        subject_kind=on[0] if on else None,
        subject_id=on[1] if on else None,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    session.add(poll)
    session.flush()
    for n, ((label, alt), extra) in enumerate(zip(cleaned, columns, strict=True), start=1):
        session.add(PollOption(poll_id=pk(poll), key=str(n), position=n, label=label, image_alt=alt, **extra))
    session.commit()
    poll.chain_head = ballots.chain_start(header(session, poll))
    session.add(poll)
    session.commit()
    return poll


def _new_slug(session: Session) -> str:
    while True:
        slug = f"poll-{utcnow():%Y%m%d}-{secrets.token_hex(3)}"
        if not session.exec(select(Poll).where(Poll.slug == slug)).first():
            return slug


# --- reading ------------------------------------------------------------------------------------


def get_poll(session: Session, slug: str) -> Poll:
    poll = session.exec(select(Poll).where(Poll.slug == slug)).first()
    if poll is None:
        raise NotFound(slug)
    return poll


def list_polls(session: Session) -> list[Poll]:
    return list(session.exec(select(Poll).order_by(col(Poll.opens_at).desc(), col(Poll.id).desc())))


def polls_on(session: Session, kind: str, subject_id: int) -> list[Poll]:
    query = select(Poll).where(Poll.subject_kind == kind, Poll.subject_id == subject_id).order_by(col(Poll.id))
    return list(session.exec(query))


def options_of(session: Session, poll: Poll) -> list[PollOption]:
    return list(
        session.exec(select(PollOption).where(PollOption.poll_id == pk(poll)).order_by(col(PollOption.position)))
    )


def params_of(poll: Poll) -> dict[str, Any]:
    return dict(json.loads(poll.params))


def places_of(poll: Poll) -> list[str]:
    return [p for p in poll.places.split(",") if p]


def status(poll: Poll, now: datetime | None = None) -> str:
    now = now or utcnow()
    if now < poll.opens_at:
        return "upcoming"
    return "open" if now < poll.closes_at else "closed"


def results_visible(poll: Poll, now: datetime | None = None) -> bool:
    """Hidden results are seen by no one, its managers included, until the poll closes."""
    return not poll.hide_results or status(poll, now) == "closed"


def _counted_fields(columns: Mapping[str, Any]) -> dict[str, Any]:
    """What of an option's columns the count needs, so the header (and the ballot file) has it:
    a budget project's cost."""
    return {"cost": columns["cost"]} if columns.get("cost") is not None else {}


def option_dicts(session: Session, poll: Poll) -> list[dict[str, Any]]:
    """The options as `analysis.voting` and the ballot file's header take them."""
    return [
        {"id": o.key, "label": o.label, "image_alt": o.image_alt, **_counted_fields({"cost": o.cost})}
        for o in options_of(session, poll)
    ]


def header(session: Session, poll: Poll) -> dict[str, Any]:
    options = option_dicts(session, poll)
    return ballots.header_for(
        slug=poll.slug,
        title=poll.question,
        method=poll.method,
        options=options,
        params=params_of(poll),
        opens_at=poll.opens_at.isoformat(),
        closes_at=poll.closes_at.isoformat(),
    )


def entries_of(session: Session, poll: Poll) -> list[dict[str, Any]]:
    rows = session.exec(select(PollEntry).where(PollEntry.poll_id == pk(poll)).order_by(col(PollEntry.seq)))
    return [
        {
            "seq": row.seq,
            "receipt": row.receipt,
            "choice": json.loads(row.choice),
            "in_person": row.in_person,
            "prev": row.prev,
            "hash": row.hash,
        }
        for row in rows
    ]


def tally_header(header: Mapping[str, Any], choices: list[Any]) -> dict[str, Any]:
    """The tally a ballot file's header calls for: what `thinktank polls verify` recounts with."""
    return voting.tally(header["method"], header["options"], choices, header["params"])


_cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
_cache_lock = threading.Lock()
CACHED_TALLIES = 256


def _head(session: Session, poll: Poll) -> str:
    head = session.exec(select(Poll.chain_head).where(Poll.id == pk(poll))).one()
    return head or ballots.chain_start(header(session, poll))


def current_tally(session: Session, poll: Poll) -> dict[str, Any]:
    """The count as the chain stands, recounted only when its head has moved. Callers decide
    whether it may be shown (`results_visible`)."""
    head = _head(session, poll)
    with _cache_lock:
        if head in _cache:
            _cache.move_to_end(head)
            return _cache[head]
    poll_header = header(session, poll)
    result = tally_header(poll_header, [e["choice"] for e in ballots.counted(entries_of(session, poll))])
    result["head"] = head
    with _cache_lock:
        _cache[head] = result
        while len(_cache) > CACHED_TALLIES:
            _cache.popitem(last=False)
    return result


def ballot_count(session: Session, poll: Poll) -> int:
    """Ballots cast (changes not counted twice): safe to show while results are hidden."""
    return len({r for r in session.exec(select(PollEntry.receipt).where(PollEntry.poll_id == pk(poll)))})


def ballot_of(session: Session, poll: Poll, member: Member | None) -> PollBallot | None:
    if member is None:
        return None
    query = select(PollBallot).where(PollBallot.poll_id == pk(poll), PollBallot.member_id == pk(member))
    return session.exec(query).first()


def choice_of(session: Session, poll: Poll, receipt: str) -> Any:
    query = (
        select(PollEntry.choice)
        .where(PollEntry.poll_id == pk(poll), PollEntry.receipt == receipt)
        .order_by(col(PollEntry.seq).desc())
    )
    found = session.exec(query).first()
    return json.loads(found) if found is not None else None


# --- casting ------------------------------------------------------------------------------------


def _checked_choice(session: Session, poll: Poll, choice: Any, now: datetime | None) -> Any:
    if status(poll, now) != "open":
        raise Invalid({"": N_("This poll is not open for voting.")})
    try:
        return voting.validate(poll.method, option_dicts(session, poll), choice, params_of(poll))
    except voting.BallotError as error:
        raise Invalid({"choice": error.message}, error.params) from None


def _lock_chain(session: Session, poll: Poll) -> tuple[int, str]:
    """Ends whatever transaction the session had, then takes the poll's chain lock as the first
    statement of a new one (on SQLite a read first would make the write fail rather than wait),
    and returns (next seq, previous hash)."""
    poll_id = pk(poll)
    session.commit()
    session.execute(update(Poll).where(col(Poll.id) == poll_id).values(chain_length=col(Poll.chain_length) + 1))
    length, head = session.exec(select(Poll.chain_length, Poll.chain_head).where(Poll.id == poll_id)).one()
    return length, head


def _append(session: Session, poll: Poll, seq: int, prev: str, receipt: str, choice: Any, in_person: bool) -> None:
    entry = ballots.link(prev, seq, receipt, choice, in_person)
    session.add(
        PollEntry(
            poll_id=pk(poll),
            seq=seq,
            receipt=receipt,
            choice=json.dumps(choice, ensure_ascii=False, sort_keys=True),
            in_person=in_person,
            prev=prev,
            hash=entry["hash"],
        )
    )
    session.execute(update(Poll).where(col(Poll.id) == pk(poll)).values(chain_head=entry["hash"]))


def cast_ballot(session: Session, poll: Poll, member: Member, choice: Any, now: datetime | None = None) -> str | None:
    """Casts or changes the member's ballot (`now` is for the demo and the tests, which vote in a
    poll's past). Returns the receipt code for a first ballot (shown
    once, never stored) and None for a change, which keeps the receipt the member already has."""
    problem = eligibility_problem(member, poll)
    if problem:
        raise Invalid({"": problem})
    choice = _checked_choice(session, poll, choice, now)
    seq, prev = _lock_chain(session, poll)
    try:
        ballot = ballot_of(session, poll, member)
        code = None
        if ballot is None:
            code = ballots.new_receipt_code()
            ballot = PollBallot(poll_id=pk(poll), member_id=pk(member), receipt=ballots.receipt_hash(code))
        elif not poll.allow_change:
            raise Invalid({"": N_("You have voted in this poll, and its ballots cannot be changed.")})
        else:
            ballot.changed_at = utcnow()
        session.add(ballot)
        _append(session, poll, seq, prev, ballot.receipt, choice, in_person=False)
        session.commit()
    except IntegrityError:  # the same member's ballot from another request at once: one of them stands
        session.rollback()
        raise Invalid({"": N_("You have voted in this poll, and its ballots cannot be changed.")}) from None
    except BaseException:
        session.rollback()
        raise
    return code


def cast_with_code(session: Session, poll: Poll, code: str, choice: Any, now: datetime | None = None) -> None:
    """A ballot cast in person with a one-time paper code: the code's hash is its receipt."""
    choice = _checked_choice(session, poll, choice, now)
    code_hash = ballots.receipt_hash(code)
    seq, prev = _lock_chain(session, poll)
    try:
        used = session.execute(
            update(PollCode)
            .where(col(PollCode.poll_id) == pk(poll), col(PollCode.code_hash) == code_hash)
            .where(col(PollCode.used_at).is_(None))
            .values(used_at=utcnow())
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise Invalid({"code": N_("This code is not one issued for this poll, or it has been used.")})
        _append(session, poll, seq, prev, code_hash, choice, in_person=True)
        session.commit()
    except BaseException:
        session.rollback()
        raise


def issue_codes(session: Session, poll: Poll, count: int, now: datetime | None = None) -> list[str]:
    """`count` new paper codes, returned once for printing: only their hashes are kept."""
    if not 1 <= count <= CODES_MAX:
        raise Invalid({"count": N_("Issue between 1 and 500 codes at a time.")})
    if status(poll, now) == "closed":
        raise Invalid({"": N_("This poll is not open for voting.")})
    codes = [ballots.new_receipt_code() for _ in range(count)]
    for code in codes:
        session.add(PollCode(poll_id=pk(poll), code_hash=ballots.receipt_hash(code)))
    session.commit()
    return codes


def codes_issued(session: Session, poll: Poll) -> tuple[int, int]:
    """(issued, used)"""
    rows = list(session.exec(select(PollCode.used_at).where(PollCode.poll_id == pk(poll))))
    return len(rows), sum(1 for used in rows if used is not None)
