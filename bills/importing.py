"""Reading official bill data into plain records, and writing them (the only writer of bills).

Formats: LY API v1 bill records (a JSON object, an array, or JSON lines), g0v LY bill documents
with their article comparison tables, and US Congress BILLSTATUS XML in both the legacy and the
current layout. Re-importing updates in place; timelines merge on (date, status, text).
"""

from __future__ import annotations

import functools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bills import stages
from bills.models import Bill, BillAction, BillArticle
from core.db import pk, utcnow

FORMATS = ("ly-api", "ly-bill-doc", "billstatus")


class BadRecord(ValueError):
    """A file or record we cannot use; the message says why."""


@dataclass
class ActionRecord:
    on: date
    status_raw: str
    stage: str
    body: str = ""
    text: str = ""


@dataclass
class ArticleRecord:
    number: int
    heading: str
    proposed: str
    current: str
    explanation: str


@dataclass
class BillRecord:
    source: str
    number: str
    title: str = ""
    bill_type: str = ""
    term: str = ""
    session: str = ""
    sponsors: list[str] = field(default_factory=list)
    cosponsors: list[str] = field(default_factory=list)
    committees: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    status_raw: str = ""
    stage: str = "introduced"
    summary: str = ""
    introduced_on: date | None = None
    url: str = ""
    actions: list[ActionRecord] = field(default_factory=list)
    articles: list[ArticleRecord] = field(default_factory=list)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise BadRecord(f"bad date {value!r}") from None


# --- Taiwan Legislative Yuan --------------------------------------------------------------------------


def parse_ly_api(data: object) -> BillRecord:
    if not isinstance(data, dict) or not str(data.get("billNo", "")).strip():
        raise BadRecord("not an LY API bill record (no billNo)")
    steps = data.get("議案流程") or []
    if not isinstance(steps, list):
        raise BadRecord("議案流程 is not a list")
    actions = []
    for step in steps:
        raw = str(step.get("狀態") or "")
        body = str(step.get("院會/委員會") or "")
        for day in step.get("日期") or []:
            if str(day).strip().lower() in ("", "none", "null"):
                continue  # the LY API leaves some steps undated; they cannot go on a dated timeline
            actions.append(ActionRecord(_date(str(day)), raw.strip(), stages.ly_stage(raw) or "", body))
    actions.sort(key=lambda a: a.on)
    committees = sorted({a.body for a in actions if a.body.endswith("委員會")})
    status = str(data.get("議案狀態") or "").strip()
    kind = str(data.get("議案類別") or "")
    number = str(data["billNo"]).strip()
    return BillRecord(
        source="tw-ly",
        number=number,
        title=str(data.get("議案名稱") or "").strip() or f"{kind} {data.get('字號') or number}".strip(),
        bill_type=kind,
        term=str(data.get("屆期") or ""),
        session=str(data.get("會期") or ""),
        sponsors=[str(n) for n in data.get("提案人") or []] or _proposer_unit(data),
        cosponsors=[str(n) for n in data.get("連署人") or []],
        committees=committees,
        related=[str(r.get("billNo", r)) if isinstance(r, dict) else str(r) for r in data.get("關連議案") or []],
        status_raw=status or (actions[-1].status_raw if actions else ""),
        stage=stages.ly_bill_stage(status, [a.status_raw for a in actions]),
        introduced_on=actions[0].on if actions else None,
        url=f"https://ppg.ly.gov.tw/ppg/bills/{number}/details",
        actions=actions,
    )


def _proposer_unit(data: dict) -> list[str]:
    unit = str(data.get("提案單位/提案委員") or data.get("提案來源") or "").strip()
    return [unit] if unit else []


_LAW_HEADING = re.compile(r"^(第[一二三四五六七八九十百零〇0-9]+條(?:之[一二三四五六七八九十0-9]+)?)[\s　]*")


def parse_ly_bill_doc(data: object, number: str) -> BillRecord:
    """A g0v bill document: proposers, status and the article comparison table."""
    if not isinstance(data, dict) or "content" not in data:
        raise BadRecord("not a g0v bill document (no content)")
    articles: list[ArticleRecord] = []
    for table in data.get("content") or []:
        header = [str(h) for h in table.get("header") or []]
        column = {name: index for index, name in enumerate(header)}
        proposed_at = next((i for n, i in column.items() if "修正" in n or "草案" in n or "增訂" in n), 0)
        current_at = next((i for n, i in column.items() if "現行" in n), None)
        explain_at = next((i for n, i in column.items() if "說明" in n), None)
        for row in table.get("content") or []:
            cells = [str(cell or "") for cell in row]
            proposed = cells[proposed_at] if proposed_at < len(cells) else ""
            match = _LAW_HEADING.match(proposed.strip())
            articles.append(
                ArticleRecord(
                    number=len(articles) + 1,
                    heading=match.group(1) if match else "",
                    proposed=proposed.strip(),
                    current=cells[current_at].strip() if current_at is not None and current_at < len(cells) else "",
                    explanation=cells[explain_at].strip() if explain_at is not None and explain_at < len(cells) else "",
                )
            )
    status = str(data.get("status") or "").strip()
    title = str(data.get("summary") or "").strip()
    return BillRecord(
        source="tw-ly",
        number=number,
        title=title,
        sponsors=[str(n) for n in data.get("proposal") or []]
        or ([str(data["propser_text"])] if data.get("propser_text") else []),
        cosponsors=[str(n) for n in data.get("petition") or []],
        related=[str(r) for r in data.get("related") or []],
        status_raw=status,
        stage=stages.ly_bill_stage(status, []),
        summary=str(data.get("abstract") or "").strip(),
        articles=articles,
    )


# --- US Congress BILLSTATUS -------------------------------------------------------------------------


def _text(element: ET.Element | None, *paths: str) -> str:
    for path in paths:
        found = element.find(path) if element is not None else None
        if found is not None and (found.text or "").strip():
            return (found.text or "").strip()
    return ""


def parse_billstatus(content: bytes) -> BillRecord:
    try:
        root = ET.fromstring(content)
    except ET.ParseError as error:
        raise BadRecord(f"not well-formed XML ({error})") from None
    bill = root.find("bill")
    if root.tag != "billStatus" or bill is None:
        raise BadRecord("not a BILLSTATUS file (no billStatus/bill)")
    congress = _text(bill, "congress")
    bill_type = _text(bill, "billType", "type")  # legacy layout, then the current one
    number = _text(bill, "billNumber", "number")
    if not (congress and bill_type and number):
        raise BadRecord("BILLSTATUS bill lacks congress, type or number")
    raw_actions = []
    for item in bill.findall("actions/item"):
        on = _text(item, "actionDate")
        if not on:
            continue
        raw_actions.append(
            (
                on,
                _text(item, "actionTime"),
                _text(item, "actionCode"),
                _text(item, "text"),
                _text(item, "type"),
                _text(item, "sourceSystem/name", "committees/item/name"),
            )
        )
    raw_actions.sort(key=lambda a: (a[0], a[1]))
    actions = [
        ActionRecord(_date(on), code or kind, stages.us_action_stage(code, text, kind) or "", body, text)
        for on, _time, code, text, kind, body in raw_actions
    ]
    committees = [_text(c, "name") for c in bill.findall("committees/billCommittees/item")]
    committees += [_text(c, "name") for c in bill.findall("committees/item")]
    related = [
        f"{_text(r, 'congress')}-{_text(r, 'type').lower().replace('.', '')}-{_text(r, 'number')}"
        for r in bill.findall("relatedBills/item")
        if _text(r, "number")
    ]
    latest = _text(bill, "latestAction/text")
    return BillRecord(
        source="us-congress",
        number=f"{congress}-{bill_type.lower()}-{number}",
        title=_text(bill, "title"),
        bill_type=bill_type.lower(),
        term=congress,
        sponsors=[_text(s, "fullName") for s in bill.findall("sponsors/item") if _text(s, "fullName")],
        cosponsors=[_text(s, "fullName") for s in bill.findall("cosponsors/item") if _text(s, "fullName")],
        committees=sorted({c for c in committees if c}),
        related=related,
        status_raw=latest or (actions[-1].text if actions else ""),
        stage=stages.us_bill_stage(bill_type, [(a[2], a[3], a[4]) for a in raw_actions]),
        introduced_on=_date(_text(bill, "introducedDate")) if _text(bill, "introducedDate") else None,
        url=f"https://www.congress.gov/bill/{congress}th-congress/{bill_type.lower()}/{number}",
        actions=actions,
    )


# --- files ---------------------------------------------------------------------------------------------


def detect(path: Path, head: bytes) -> str:
    if path.suffix.lower() == ".xml" or head.lstrip().startswith(b"<"):
        return "billstatus"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{") and b'"content"' in head and b'"billNo"' not in head:
        return "ly-bill-doc"
    return "ly-api"


def read_file(path: Path, fmt: str | None = None) -> Iterator[tuple[str, BillRecord | BadRecord]]:
    """Every record in the file, each labelled "path" or "path:line" so failures can be found."""
    content = path.read_bytes()
    yield from read_content(content, str(path), fmt or detect(path, content[:4096]), path.stem)


def read_content(content: bytes, label: str, fmt: str, stem: str = "") -> Iterator[tuple[str, BillRecord | BadRecord]]:
    """The same for bytes from anywhere (a file, or an LY API response)."""
    if fmt == "billstatus":
        yield label, _safely(lambda: parse_billstatus(content))
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield label, BadRecord("not UTF-8 text")
        return
    if fmt == "ly-bill-doc":
        yield label, _safely(lambda: parse_ly_bill_doc(_loads(text), stem))
        return
    try:
        whole = _loads(text)
    except json.JSONDecodeError:
        whole = None  # JSON lines
    if whole is not None:
        for index, item in enumerate(whole if isinstance(whole, list) else [whole], start=1):
            where = f"{label}[{index}]" if isinstance(whole, list) else label
            yield where, _safely(functools.partial(parse_ly_api, item))
        return
    # Lines end at "\n" alone: str.splitlines() would also cut at U+0085 and U+2028, which JSON
    # strings may hold as they are.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = _loads(line)
        except json.JSONDecodeError as error:
            yield f"{label}:{number}", BadRecord(f"not JSON ({error.msg})")
            continue
        yield f"{label}:{number}", _safely(functools.partial(parse_ly_api, item))


def _loads(text: str) -> object:
    """json.loads, where the two ways hostile JSON breaks it besides bad syntax are bad syntax too:
    nesting deeper than Python's recursion limit, and an integer of more digits than int() reads."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except ValueError as error:  # "Exceeds the limit (4300 digits) for integer string conversion…"
        raise json.JSONDecodeError(str(error).partition(":")[0], text, 0) from None


def _safely(parse: Callable[[], BillRecord]) -> BillRecord | BadRecord:
    try:
        return parse()
    except BadRecord as bad:
        return bad
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as error:
        return BadRecord(f"unexpected structure ({type(error).__name__}: {error})")


# --- writing ------------------------------------------------------------------------------------------


def upsert(session: Session, record: BillRecord) -> str:
    """Create or update the bill; returns "created", "updated" or "unchanged". Does not commit."""
    bill = session.exec(select(Bill).where(Bill.source == record.source, Bill.number == record.number)).first()
    created = bill is None
    if bill is None:
        bill = Bill(source=record.source, number=record.number)
    values = {  # cut to the columns' sizes: PostgreSQL refuses what SQLite would keep
        "title": (record.title or bill.title)[:500],
        "bill_type": (record.bill_type or bill.bill_type)[:40],
        "term": (record.term or bill.term)[:20],
        "session": (record.session or bill.session)[:20],
        "sponsors": json.dumps(record.sponsors, ensure_ascii=False) if record.sponsors else bill.sponsors,
        "cosponsors": json.dumps(record.cosponsors, ensure_ascii=False) if record.cosponsors else bill.cosponsors,
        "committees": json.dumps(record.committees, ensure_ascii=False) if record.committees else bill.committees,
        "related": json.dumps(record.related, ensure_ascii=False) if record.related else bill.related,
        "status_raw": (record.status_raw or bill.status_raw)[:1000],
        "stage": record.stage if record.status_raw or record.actions else bill.stage,
        "summary": record.summary or bill.summary,
        "introduced_on": record.introduced_on or bill.introduced_on,
        "url": (record.url or bill.url)[:500],
    }
    changed = created or any(getattr(bill, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(bill, name, value)
    session.add(bill)
    session.flush()
    existing_actions = session.exec(
        select(col(BillAction.on), col(BillAction.status_raw), col(BillAction.text)).where(
            BillAction.bill_id == pk(bill)
        )
    )
    known = {(on, status, text) for on, status, text in existing_actions}
    new_actions = []
    for action in record.actions:
        key = (action.on, action.status_raw, action.text)
        if key not in known:
            known.add(key)
            new_actions.append(
                {
                    "bill_id": pk(bill),
                    "on": action.on,
                    "status_raw": action.status_raw[:100],
                    "stage": action.stage,
                    "body": action.body[:200],
                    "text": action.text,
                }
            )
    if new_actions:  # a core insert: timeline rows without the ORM's per-object bookkeeping
        session.execute(insert(BillAction), new_actions)
        changed = True
    if known:
        latest = max(on for on, _status, _text in known)
        if bill.last_action_on != latest:
            bill.last_action_on, changed = latest, True
    if record.articles:
        existing = {a.number: a for a in session.exec(select(BillArticle).where(BillArticle.bill_id == pk(bill)))}
        for article in record.articles:
            row = existing.get(article.number) or BillArticle(bill_id=pk(bill), number=article.number)
            fields = (article.heading[:200], article.proposed, article.current, article.explanation)
            if (row.heading, row.proposed, row.current, row.explanation) != fields:
                row.heading, row.proposed, row.current, row.explanation = fields
                session.add(row)
                changed = True
    if changed and not created:
        bill.updated_at = utcnow()
        session.add(bill)
    return "created" if created else ("updated" if changed else "unchanged")
