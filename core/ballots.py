"""Ballots kept in an append-only hash chain, and the ballot file anyone can recount.

No database and no web here: plain dicts in, plain dicts and bytes out, so the poll that stores the
chain, the budget built on polls, the `thinktank polls verify` command and a resident's own script
all agree on one definition.

- `canonical(obj)` is the one byte form that is hashed (sorted keys, no spaces, UTF-8).
- The chain starts from `chain_start(header)`, the hash of the poll's header, so a changed question,
  option or rule breaks the first entry. Each entry `{"seq", "receipt", "choice", "in_person"}` is
  hashed with the hash before it: `entry_hash(prev, entry)`.
- `receipt` is the sha256 of the voter's receipt code. The code is shown once to the voter and never
  stored; a voter keeps one code per poll, so a changed ballot is a new entry with the same receipt
  and the **last** entry per receipt is the one counted.

The ballot file is JSON Lines: the header, then one line per chain entry with its `prev` and
`hash`, in order, then `{"result": <tally>, "head": <last hash>}`. `verify_ballot_file` checks the
chain line by line, recounts with the tally it is given and compares with the stated result, and
names the first line that does not hold (1-based)."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

FORMAT = "thinktank-ballots"
VERSION = 1
ENTRY_KEYS = ("seq", "receipt", "choice", "in_person")
LINE_KEYS = {*ENTRY_KEYS, "prev", "hash"}
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper

Tally = Callable[[Mapping[str, Any], list[Any]], Any]  # (header, counted choices) -> result


class BallotFileError(ValueError):
    """The file cannot be read as a ballot file at all (not UTF-8, not JSON Lines, no header)."""


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_start(header: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(dict(header))).hexdigest()


def entry_hash(prev: str, entry: Mapping[str, Any]) -> str:
    body = {key: entry[key] for key in ENTRY_KEYS}
    return hashlib.sha256(prev.encode() + b"\n" + canonical(body)).hexdigest()


def new_receipt_code() -> str:
    """Sixteen characters in four groups (80 bits), easy to copy from a screen or a slip."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_receipt_code(code: str) -> str:
    """Upper case, no spaces or dashes, then grouped again: what a voter typed, as it was shown."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalise_receipt_code(code).encode()).hexdigest()


def link(prev: str, seq: int, receipt: str, choice: Any, in_person: bool) -> dict[str, Any]:
    """The next chain entry after `prev`, with its hash: what a writer appends."""
    entry: dict[str, Any] = {"seq": seq, "receipt": receipt, "choice": choice, "in_person": in_person}
    return {**entry, "prev": prev, "hash": entry_hash(prev, entry)}


def counted(entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The last entry per receipt, in chain order of those last entries."""
    last: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        last.pop(entry["receipt"], None)  # re-inserting keeps dict order = order of last entries
        last[entry["receipt"]] = entry
    return list(last.values())


def header_for(
    *,
    slug: str,
    title: str,
    method: str,
    options: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    opens_at: str | None,
    closes_at: str | None,
    kind: str = "poll",
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "slug": slug,
        "title": title,
        "method": method,
        "options": [dict(option) for option in options],
        "params": dict(params),
        "opens_at": opens_at,
        "closes_at": closes_at,
    }


def write_ballot_file(header: Mapping[str, Any], entries: Iterable[Mapping[str, Any]], result: Any, fp: IO[str]) -> str:
    """Writes the file and returns the chain's head (the header's hash for an empty chain)."""
    head = chain_start(header)
    fp.write(canonical(dict(header)).decode() + "\n")
    for entry in entries:
        fp.write(canonical({key: entry[key] for key in sorted(LINE_KEYS)}).decode() + "\n")
        head = entry["hash"]
    fp.write(canonical({"result": result, "head": head}).decode() + "\n")
    return head


@dataclass(frozen=True)
class Verification:
    ok: bool
    bad_line: int | None = None
    reason: str = ""
    ballots: int = 0  # ballots counted (the last entry per receipt)
    result: Any = None  # the recount
    head: str | None = None
    receipts: frozenset[str] = field(default_factory=frozenset)  # receipt hashes in the chain


def read_lines(fp: IO[str] | IO[bytes]) -> list[str]:
    try:
        data = fp.read()
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except (OSError, UnicodeDecodeError) as exc:
        raise BallotFileError(f"not a readable UTF-8 file: {exc}") from exc
    lines = text.splitlines()
    if not lines:
        raise BallotFileError("the file is empty")
    return lines


def verify_ballot_file(fp: IO[str] | IO[bytes], tally: Tally) -> Verification:
    lines = read_lines(fp)
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError as exc:
        raise BallotFileError(f"line 1 is not JSON: {exc.msg}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BallotFileError(f"line 1 is not a {FORMAT} header")
    if header.get("version") != VERSION:
        raise BallotFileError(f"version {header.get('version')!r} is not one this program reads")

    def bad(line: int, reason: str) -> Verification:
        return Verification(ok=False, bad_line=line, reason=reason)

    prev = chain_start(header)
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            return bad(number, "not JSON")
        if not isinstance(row, dict):
            return bad(number, "not a JSON object")
        if "result" in row:
            if number != len(lines):
                return bad(number + 1, "a line after the result line")
            if row.get("head") != prev:
                return bad(number, "the stated head is not the chain's last hash")
            last = counted(entries)
            try:
                result = tally(header, [entry["choice"] for entry in last])
            except (ValueError, KeyError, TypeError) as exc:
                return bad(number, f"the ballots cannot be counted: {exc}")
            if canonical(result) != canonical(row["result"]):
                return bad(number, "the stated result is not the recount")
            return Verification(
                ok=True,
                ballots=len(last),
                result=result,
                head=prev,
                receipts=frozenset(entry["receipt"] for entry in entries),
            )
        if set(row) != LINE_KEYS:
            return bad(number, "not a chain entry (seq, receipt, choice, in_person, prev, hash)")
        if row["seq"] != len(entries) + 1:
            return bad(number, f"entry {row['seq']!r} where entry {len(entries) + 1} belongs")
        if row["prev"] != prev:
            return bad(number, "its prev is not the hash of the line before")
        if row["hash"] != entry_hash(prev, row):
            return bad(number, "its hash does not match its contents")
        entries.append(row)
        prev = row["hash"]
    return bad(len(lines) + 1, "the result line is missing")


def ballot_file_text(header: Mapping[str, Any], entries: Iterable[Mapping[str, Any]], result: Any) -> str:
    out = io.StringIO()
    write_ballot_file(header, entries, result, out)
    return out.getvalue()
