"""Poll services on a real database: one ballot per member, changes, the chain, paper codes,
receipts, and many voters at once."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core import accounts, ballots, passwords
from core.errors import Invalid
from deliberation import polls
from deliberation.poll_models import PollBallot, PollEntry
from tests.deliberation.poll_factories import CITIES, during, make_poll, official
from tests.helpers import make_member


def _verify(db: Session, poll) -> ballots.Verification:  # type: ignore[no-untyped-def]
    return ballots.verify_ballot_file(io.StringIO(polls.ballot_file(db, poll)), polls.tally_header)


def test_a_member_has_one_ballot_and_a_change_keeps_the_receipt(db: Session) -> None:
    poll = make_poll(db, official(db))
    mei = make_member(db)
    code = polls.cast_ballot(db, poll, mei, "1")
    assert code and len(code) == 19
    assert polls.cast_ballot(db, poll, mei, "2") is None
    entries = polls.entries_of(db, poll)
    assert [e["receipt"] for e in entries] == [ballots.receipt_hash(code)] * 2
    result = polls.current_tally(db, poll)
    assert result["ballots"] == 1 and [r["votes"] for r in result["results"]] == [0, 1, 0]
    assert polls.check_receipt(db, poll, code.lower())["found"]
    assert "choice" not in polls.check_receipt(db, poll, code)  # not before the poll closes
    with pytest.raises(IntegrityError):  # the database itself refuses a second row
        db.add(PollBallot(poll_id=poll.id, member_id=mei.id, receipt="x"))
        db.commit()
    db.rollback()


def test_a_poll_that_forbids_changes_refuses_a_second_ballot(db: Session) -> None:
    poll = make_poll(db, official(db), allow_change=False)
    mei = make_member(db)
    polls.cast_ballot(db, poll, mei, "1")
    with pytest.raises(Invalid):
        polls.cast_ballot(db, poll, mei, "2")
    assert len(polls.entries_of(db, poll)) == 1


def test_bad_ballots_and_closed_polls_are_refused(db: Session) -> None:
    poll = make_poll(db, official(db), method="multiple", params={"max_choices": 2})
    mei = make_member(db)
    with pytest.raises(Invalid) as refused:
        polls.cast_ballot(db, poll, mei, ["1", "2", "3"])
    assert refused.value.errors == {"choice": "Please choose at most %(n)s options."}
    assert refused.value.params == {"n": 2}
    with pytest.raises(Invalid):
        polls.cast_ballot(db, poll, mei, ["1"], now=poll.closes_at)
    assert polls.entries_of(db, poll) == []


def test_eligibility_hooks_refuse_until_the_fields_exist(db: Session) -> None:
    poll = make_poll(db, official(db), eligibility="verified")
    with pytest.raises(Invalid) as refused:
        polls.cast_ballot(db, poll, make_member(db), "1")
    assert "verified" in refused.value.errors[""]


def test_paper_codes_vote_once_each_and_are_marked_in_person(db: Session) -> None:
    poll = make_poll(db, official(db), closed=True)
    first, second = polls.issue_codes(db, poll, 2, now=during(poll))
    polls.cast_with_code(db, poll, first, "3", now=during(poll))
    with pytest.raises(Invalid):
        polls.cast_with_code(db, poll, first, "1", now=during(poll))
    with pytest.raises(Invalid):
        polls.cast_with_code(db, poll, "AAAA-BBBB-CCCC-DDDD", "1", now=during(poll))
    polls.cast_with_code(db, poll, second.replace("-", " "), "3", now=during(poll))
    entries = polls.entries_of(db, poll)
    assert [e["in_person"] for e in entries] == [True, True]
    assert polls.codes_issued(db, poll) == (2, 2)
    assert polls.current_tally(db, poll)["results"][2]["votes"] == 2
    assert polls.check_receipt(db, poll, first) == {
        "found": True,
        "receipt": ballots.receipt_hash(first),
        "entries": 1,
        "seq": 1,
        "in_person": True,
        "choice": "3",
    }


def test_the_ballot_file_of_a_closed_ranked_poll_verifies(db: Session) -> None:
    poll = make_poll(db, official(db), method="ranked", labels=CITIES, closed=True)
    orders = (
        [["1", "2", "3", "4"]] * 4
        + [["2", "3", "4", "1"]] * 3
        + [["3", "4", "2", "1"]] * 1
        + [["4", "3", "2", "1"]] * 2
    )
    hash_ = passwords.hash_password("x")
    for n, order in enumerate(orders):
        member = accounts.Member(email=f"v{n}@example.tw", password_hash=hash_, display_name=f"v{n}")
        db.add(member)
        db.commit()
        polls.cast_ballot(db, poll, member, order, now=during(poll))
    check = _verify(db, poll)
    assert check.ok and check.ballots == 10
    assert [r["eliminated"] for r in check.result["rounds"]] == ["3", "4", None]
    assert check.result == {k: v for k, v in polls.current_tally(db, poll).items() if k != "head"}


@pytest.mark.parametrize("voters", [40])
def test_many_voters_at_once_never_fork_the_chain(db: Session, engine: Engine, voters: int) -> None:
    poll = make_poll(db, official(db), labels=["一", "二", "三", "四"], closed=True)
    hash_ = passwords.hash_password("x")
    members = []
    for n in range(voters):
        members.append(accounts.Member(email=f"crowd{n}@example.tw", password_hash=hash_, display_name=f"c{n}"))
    db.add_all(members)
    db.commit()
    ids = [m.id for m in members]
    start, errors = threading.Barrier(voters), []

    def vote(member_id: int, n: int) -> None:
        try:
            start.wait()  # all at once (the pool lends each a connection as one comes free)
            with Session(engine) as session:  # each voter in a session of their own
                member = session.get(accounts.Member, member_id)
                assert member is not None
                found = polls.get_poll(session, poll.slug)
                polls.cast_ballot(session, found, member, str(n % 4 + 1), now=during(found))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=vote, args=(member_id, n)) for n, member_id in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(db.exec(select(PollBallot).where(PollBallot.poll_id == poll.id)).all()) == voters
    seqs = sorted(db.exec(select(PollEntry.seq).where(PollEntry.poll_id == poll.id)).all())
    assert seqs == list(range(1, voters + 1))
    check = _verify(db, poll)
    assert check.ok and check.ballots == voters
    assert [r["votes"] for r in check.result["results"]] == [voters // 4] * 4


def test_an_open_poll_has_no_ballot_file_and_an_empty_closed_one_verifies(db: Session) -> None:
    creator = official(db)
    with pytest.raises(Invalid):
        polls.ballot_file(db, make_poll(db, creator))
    poll = make_poll(db, creator, closed=True)
    assert polls.status(poll) == "closed"
    check = _verify(db, poll)
    assert check.ok and check.ballots == 0
