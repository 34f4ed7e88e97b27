"""Bulk-loading comments that reached an agency by e-mail, on paper or on another platform.

One transaction per file: a crash part-way leaves nothing behind. Cells are read back as our own
CSV downloads defused them (core.spreadsheet), so an exported file imports as it was written.
Rows that cannot be used are reported with their line number and skipped (a control character
such as NUL is one: PostgreSQL would refuse it, and the whole file with it); rows seen before
(same id, or the same text, author and article when the file has no id column) are counted as
duplicates, so re-running is safe.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from core import places
from core.errors import N_, Invalid
from core.input import has_control, whole_number
from core.jobs import JobContext, handler
from core.spreadsheet import restore
from feedback import subjects
from feedback.comments import COMMENT_MAX
from feedback.models import Comment, Stance
from feedback.subjects import Subject

# What people write in a stance column, in either language.
STANCE_WORDS = {
    "support": Stance.support, "支持": Stance.support, "贊成": Stance.support, "同意": Stance.support,
    "oppose": Stance.oppose, "反對": Stance.oppose, "不同意": Stance.oppose,
    "neutral": Stance.neutral, "中立": Stance.neutral, "其他": Stance.neutral, "": Stance.neutral,
    "amend": Stance.amend, "修正": Stance.amend, "建議修正": Stance.amend, "修改": Stance.amend,
}  # fmt: skip
_ARTICLE = re.compile(r"^\s*(?:第\s*)?(\d+)\s*(?:條)?\s*$")


@dataclass
class Columns:
    text: str
    id: str = ""
    author: str = ""
    article: str = ""
    stance: str = ""
    place: str = ""  # township code, township name or postal code


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Big5 as Taiwanese spreadsheets often save it."""
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid({"file": N_("The file is neither UTF-8 nor Big5 text.")})


def check_columns(text: str, columns: Columns) -> None:
    """Refuse a file that lacks a named column, before any row is read."""
    header = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 or None], newline="")), [])
    named = (columns.text, columns.id, columns.author, columns.article, columns.stance, columns.place)
    missing = [name for name in named if name and name not in header]
    if missing:
        raise Invalid({"columns": N_("The file has no column named %(names)s.")}, {"names": ", ".join(missing)})


def read_rows(text: str, columns: Columns) -> list[tuple[int, dict[str, str]]]:
    """The rows, each with the file line it starts on; checks the named columns exist first."""
    check_columns(text, columns)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    start = 2  # line 1 is the header
    try:
        for row in reader:
            rows.append((start, {name: restore(v) if isinstance(v, str) else v for name, v in row.items()}))
            start = reader.line_num + 1
    except csv.Error as error:
        raise Invalid({"file": N_("The file is not readable CSV near line %(line)s.")}, {"line": start}) from error
    return rows


def import_comments(
    session: Session,
    subject: Subject,
    rows: list[tuple[int, dict[str, str]]],
    columns: Columns,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport()
    kind = subjects.kind_of(subject.kind)
    version = kind.current_version(session, subject)
    articles = kind.articles(session, subject)
    numbers = {a.number for a in articles}
    by_heading = {a.heading.replace(" ", ""): a.number for a in articles if a.heading}
    seen = set(
        session.exec(
            select(Comment.dedupe_key).where(Comment.subject_kind == subject.kind, Comment.subject_id == subject.id)
        )
    )
    named = (columns.text, columns.id, columns.author, columns.article, columns.stance, columns.place)
    used = [name for name in named if name]
    finder = places.PlaceFinder(session) if columns.place else None
    for line, row in rows:
        if progress:
            progress(1)
        if any(has_control(row.get(name) or "") for name in used):
            report.failed.append((line, "a control character (such as NUL) in the row"))
            continue
        text = (row.get(columns.text) or "").strip()
        author = (row.get(columns.author) or "").strip()[:120] if columns.author else ""
        raw_article = (row.get(columns.article) or "").strip() if columns.article else ""
        raw_stance = (row.get(columns.stance) or "").strip().lower() if columns.stance else ""
        if not text:
            report.failed.append((line, "empty comment text"))
            continue
        if len(text) > COMMENT_MAX:
            report.failed.append((line, f"comment longer than {COMMENT_MAX} characters"))
            continue
        article: int | None = None
        if raw_article:
            match = _ARTICLE.match(raw_article)
            article = whole_number(match.group(1)) if match else by_heading.get(raw_article.replace(" ", ""))
            if article is None or article not in numbers:
                report.failed.append((line, f"no article {raw_article!r} in the draft"))
                continue
        stance = STANCE_WORDS.get(raw_stance)
        if stance is None:
            report.failed.append((line, f"unknown stance {raw_stance!r}"))
            continue
        raw_place = (row.get(columns.place) or "").strip() if finder else ""
        place_code = finder.find(raw_place) if finder and raw_place else None
        if raw_place and place_code is None:
            report.failed.append(
                (line, f"unknown place {raw_place!r} (give a township code, a township name or a postal code)")
            )
            continue
        external = (row.get(columns.id) or "").strip() if columns.id else ""
        key = "id:" + external if external else "row:" + _row_hash(text, author, raw_article)
        key = key if len(key) <= 64 else key[:3] + hashlib.sha256(key.encode()).hexdigest()[:61]
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        session.add(
            Comment(
                subject_kind=subject.kind,
                subject_id=subject.id,
                article=article,
                version=version if article is not None else None,
                stance=stance,
                text=text,
                author_name=author,
                source="import",
                dedupe_key=key,
                place_code=place_code,
            )
        )
        report.imported += 1
    session.commit()
    return report


def _row_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:48]


@handler("import_comments")
def import_comments_job(job: JobContext) -> dict[str, object]:
    """An uploaded file, imported by the worker; the upload is deleted afterwards."""
    payload = job.payload
    path = Path(payload["path"])
    try:
        subject = subjects.kind_of(payload["subject_kind"]).get(job.session, payload["subject_id"])
        if subject is None:
            return {"imported": 0, "duplicates": 0, "failed": [[0, "the subject is gone"]]}
        columns = Columns(**payload["columns"])
        try:
            rows = read_rows(decode(path.read_bytes()), columns)
        except Invalid as invalid:
            return {
                "imported": 0,
                "duplicates": 0,
                "failed": [[0, next(iter(invalid.errors.values())) % invalid.params]],
            }
        report = import_comments(job.session, subject, rows, columns)
    finally:
        path.unlink(missing_ok=True)
    return {"imported": report.imported, "duplicates": report.duplicates, "failed": report.failed}
