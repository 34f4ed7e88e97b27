"""The hash chain and the ballot file: a tampered file fails, naming its first bad line."""

import hashlib
import io
import json

import pytest

from analysis.voting import tally
from core.ballots import (
    BallotFileError,
    ballot_file_text,
    canonical,
    chain_start,
    counted,
    entry_hash,
    header_for,
    link,
    new_receipt_code,
    receipt_hash,
    verify_ballot_file,
)

OPTIONS = [{"id": "a", "label": "公園"}, {"id": "b", "label": "Library"}, {"id": "c", "label": "Bus"}]


def _tally(header, choices):  # type: ignore[no-untyped-def]
    return tally(header["method"], header["options"], choices, header["params"])


def _file() -> tuple[dict, list[dict], str]:
    header = header_for(
        slug="p", title="哪一個？", method="single", options=OPTIONS, params={}, opens_at=None, closes_at=None
    )
    votes = [("r1", "a", False), ("r2", "b", False), ("r1", "c", False), ("r3", "a", True)]
    entries, prev = [], chain_start(header)
    for seq, (receipt, choice, in_person) in enumerate(votes, start=1):
        entries.append(link(prev, seq, receipt_hash(receipt), choice, in_person))
        prev = entries[-1]["hash"]
    result = _tally(header, [e["choice"] for e in counted(entries)])
    return header, entries, ballot_file_text(header, entries, result)


def test_the_definitions_are_the_ones_published() -> None:
    assert canonical({"b": 1, "a": "台"}) == '{"a":"台","b":1}'.encode()
    header = {"format": "thinktank-ballots"}
    assert chain_start(header) == hashlib.sha256(b'{"format":"thinktank-ballots"}').hexdigest()
    entry = {"seq": 1, "receipt": "x", "choice": "a", "in_person": False}
    assert entry_hash("p", entry) == hashlib.sha256(b"p\n" + canonical(entry)).hexdigest()
    code = new_receipt_code()
    assert len(code) == 19 and receipt_hash(code.lower().replace("-", " ")) == receipt_hash(code)


def test_an_honest_file_verifies_and_counts_the_last_ballot_per_receipt() -> None:
    _, entries, text = _file()
    check = verify_ballot_file(io.StringIO(text), _tally)
    assert check.ok and check.bad_line is None and check.ballots == 3
    assert [r["votes"] for r in check.result["results"]] == [
        1,
        1,
        1,
    ]  # r1 changed a -> c; counting both would give [2, 1, 1]
    assert check.head == entries[-1]["hash"] and receipt_hash("r2") in check.receipts
    assert verify_ballot_file(io.BytesIO(text.encode()), _tally).ok


def _lines() -> list[str]:
    return _file()[2].splitlines()


def _verify(lines: list[str]):  # type: ignore[no-untyped-def]
    return verify_ballot_file(io.StringIO("\n".join(lines) + "\n"), _tally)


def test_a_changed_choice_fails_on_its_line() -> None:
    lines = _lines()
    row = json.loads(lines[2])
    row["choice"] = "a"
    lines[2] = json.dumps(row)
    check = _verify(lines)
    assert not check.ok and check.bad_line == 3 and "hash" in check.reason


def test_a_removed_line_fails() -> None:
    lines = _lines()
    del lines[2]
    check = _verify(lines)
    assert not check.ok and check.bad_line == 3


def test_reordered_lines_fail() -> None:
    lines = _lines()
    lines[1], lines[2] = lines[2], lines[1]
    check = _verify(lines)
    assert not check.ok and check.bad_line == 2


def test_a_changed_result_fails_on_the_result_line() -> None:
    lines = _lines()
    last = json.loads(lines[-1])
    last["result"]["results"][0]["votes"] = 3
    lines[-1] = json.dumps(last)
    check = _verify(lines)
    assert not check.ok and check.bad_line == len(lines) and "recount" in check.reason


def test_a_changed_header_breaks_the_first_entry_and_a_missing_result_is_named() -> None:
    lines = _lines()
    header = json.loads(lines[0])
    header["options"][1]["label"] = "Mall"
    assert _verify([json.dumps(header), *lines[1:]]).bad_line == 2
    check = _verify(lines[:-1])
    assert not check.ok and check.bad_line == len(lines) and "missing" in check.reason


def test_an_unreadable_file_is_an_error_not_a_verdict() -> None:
    with pytest.raises(BallotFileError):
        verify_ballot_file(io.BytesIO(b"\xff\xfe"), _tally)
    with pytest.raises(BallotFileError):
        verify_ballot_file(io.StringIO(""), _tally)
    with pytest.raises(BallotFileError):
        verify_ballot_file(io.StringIO('{"format": "other"}\n'), _tally)
