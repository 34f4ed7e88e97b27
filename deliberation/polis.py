"""Reading a Pol.is export folder: comments.csv, votes.csv or participants-votes.csv, summary.csv.

Exports write +1 agree, -1 disagree, 0 pass, as we do. participants-votes.csv holds each participant's
latest vote per comment and the group Pol.is assigned, and is read when present; otherwise
votes.csv, the full history in time order (a later vote replaces an earlier one). A folder
needs comments.csv and one of the two vote files; every problem is reported with its file and line."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # analysis.opinion imports numpy, which the web process need not load to start
    from analysis.opinion import Vote


class ExportError(ValueError):
    """A Pol.is export we cannot read; the message names the file and the line."""


@dataclass
class Statement:
    id: str
    text: str
    author: str
    moderated: int  # 1 accepted, 0 not yet moderated, -1 moderated out
    created_ms: int | None


@dataclass
class Export:
    folder: Path
    topic: str
    description: str
    statements: list[str]  # comment ids as in the export
    texts: dict[str, Statement]
    votes: list[Vote]  # in time order when votes.csv gives times
    moderated_out: list[str]
    participants: list[str]
    groups: dict[str, str] = field(default_factory=dict)  # participant -> Pol.is group-id ("" = none)


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ExportError(f"{path}, line 1: no column {', '.join(repr(c) for c in missing)}")
            rows = []
            for row in reader:
                if None in row:
                    raise ExportError(f"{path}, line {reader.line_num}: more fields than the header has")
                rows.append((reader.line_num, row))
            return rows
    except UnicodeDecodeError:
        raise ExportError(f"{path}: not UTF-8 text") from None
    except csv.Error as error:
        raise ExportError(f"{path}: {error}") from None


def _int(path: Path, line: int, name: str, raw: str | None) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ExportError(f"{path}, line {line}: {name} is {raw!r}, not a whole number") from None


def _vote(path: Path, line: int, raw: str | None) -> int:
    value = _int(path, line, "the vote", raw)
    if value not in (-1, 0, 1):
        raise ExportError(f"{path}, line {line}: a vote is -1, 0 or 1, not {value}")
    return value


def read_export(folder: Path) -> Export:
    from analysis.opinion import Vote

    if not folder.is_dir():
        raise ExportError(f"{folder}: not a folder")
    comments_path = folder / "comments.csv"
    if not comments_path.exists():
        raise ExportError(f"{folder}: comments.csv is missing")
    texts: dict[str, Statement] = {}
    for line, row in _rows(comments_path, ("comment-id", "comment-body")):
        statement_id = str(_int(comments_path, line, "comment-id", row["comment-id"]))
        moderated = _int(comments_path, line, "moderated", row.get("moderated") or "0")
        created = row.get("timestamp") or ""
        texts[statement_id] = Statement(
            statement_id,
            row["comment-body"],
            (row.get("author-id") or "").strip(),
            moderated,
            _int(comments_path, line, "timestamp", created) if created else None,
        )
    votes_path, matrix_path = folder / "votes.csv", folder / "participants-votes.csv"
    votes: list[Vote] = []
    groups: dict[str, str] = {}
    if matrix_path.exists():  # each participant's latest votes: the matrix Pol.is's own groups came from
        for line, row in _rows(matrix_path, ("participant", "group-id")):
            participant = row["participant"].strip()
            groups[participant] = (row.get("group-id") or "").strip()
            for column, raw in row.items():
                if column.isdigit() and raw not in ("", None):
                    votes.append(Vote(participant, column, _vote(matrix_path, line, raw)))
    elif votes_path.exists():
        timed = []
        for line, row in _rows(votes_path, ("comment-id", "voter-id", "vote")):
            statement = str(_int(votes_path, line, "comment-id", row["comment-id"]))
            when = _int(votes_path, line, "timestamp", row["timestamp"]) if row.get("timestamp") else line
            timed.append((when, line, Vote(row["voter-id"].strip(), statement, _vote(votes_path, line, row["vote"]))))
        votes = [vote for _when, _line, vote in sorted(timed, key=lambda t: (t[0], t[1]))]
    else:
        raise ExportError(f"{folder}: neither votes.csv nor participants-votes.csv is there")
    unknown = sorted({str(v.statement) for v in votes} - set(texts), key=int)
    if unknown:
        raise ExportError(f"{folder}: votes on comments not in comments.csv: {', '.join(unknown[:10])}")
    topic, description = "", ""
    summary_path = folder / "summary.csv"
    if summary_path.exists():
        with summary_path.open(encoding="utf-8-sig", newline="") as file:
            for cells in csv.reader(file):
                if len(cells) >= 2 and cells[0] == "topic":
                    topic = cells[1]
                elif len(cells) >= 2 and cells[0] == "conversation-description":
                    description = cells[1]
    statements = sorted(texts, key=int)
    participants = list(dict.fromkeys(str(v.participant) for v in votes))
    return Export(
        folder=folder,
        topic=topic or folder.name,
        description=description,
        statements=statements,
        texts=texts,
        votes=votes,
        moderated_out=[s for s in statements if texts[s].moderated == -1],
        participants=participants,
        groups=groups,
    )
