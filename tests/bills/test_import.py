"""Importing bills: small fixtures written here, and everything in ../shared/data/bills."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bills import importing, services
from bills.models import Bill, BillAction, BillArticle
from core.settings import Settings
from tests.helpers import SHARED_DATA
from thinktank.cli import main

LY_RECORD = {
    "billNo": "202103161290000",
    "屆期": 10,
    "會期": 7,
    "議案類別": "法律案",
    "議案狀態": "交付審查",
    "議案名稱": "「建築法第九十一條條文修正草案」，請審議案。",
    "提案人": ["賴瑞隆"],
    "連署人": ["林岱樺", "莊競程"],
    "議案流程": [
        {"狀態": "排入院會 ", "日期": ["2023-05-26", "2023-05-29"], "會期": "10-07-13", "院會/委員會": "院會"},
        {"狀態": "交付審查", "日期": ["2023-05-30"], "會期": "10-07-13", "院會/委員會": "內政委員會"},
    ],
}
BILL_DOC = {
    "summary": "「公寓大廈管理條例第二十七條條文修正草案」，請審議案。",
    "proposal": ["段宜康"],
    "petition": ["黃偉哲"],
    "status": "交付審查",
    "abstract": "為確保區分所有權人會議能順利運作。",
    "content": [
        {
            "type": "lawproposal",
            "name": "公寓大廈管理條例第二十七條條文修正草案",
            "header": ["修正條文", "現行條文", "說明"],
            "content": [
                [
                    "第二十七條　區分所有權人得書面委託配偶代理出席。",
                    "第二十七條　區分所有權人得委託他人代理出席。",
                    "限制代理人身分。",
                ]
            ],
        }
    ],
}
LEGACY_XML = """<?xml version="1.0"?><billStatus><bill><billNumber>22</billNumber><billType>HR</billType>
<congress>114</congress><title>FAST Act</title><introducedDate>2015-01-06</introducedDate>
<committees><billCommittees><item><name>Ways and Means Committee</name></item></billCommittees></committees>
<sponsors><item><fullName>Rep. Davis, Rodney [R-IL-13]</fullName></item></sponsors><cosponsors/>
<actions>
<item><actionDate>2015-12-04</actionDate><text>Became Public Law No: 114-94.</text><type>President</type><actionCode>36000</actionCode></item>
<item><actionDate>2015-01-06</actionDate><text>Introduced in House</text><type>IntroReferral</type><actionCode>10000</actionCode></item>
</actions></bill></billStatus>"""
CURRENT_XML = LEGACY_XML.replace(
    "<billNumber>22</billNumber><billType>HR</billType>", "<number>22</number><type>HR</type>"
).replace(
    "<committees><billCommittees><item><name>Ways and Means Committee</name></item></billCommittees></committees>",
    "<committees><item><name>Ways and Means Committee</name></item></committees>",
)


def _write(folder: Path) -> list[Path]:
    (folder / "record.json").write_text(json.dumps(LY_RECORD, ensure_ascii=False), "utf-8")
    (folder / "1010528070203000.json").write_text(json.dumps(BILL_DOC, ensure_ascii=False), "utf-8")
    (folder / "BILLSTATUS-114hr22.xml").write_text(LEGACY_XML, "utf-8")
    return sorted(folder.iterdir())


def test_each_format_is_read_into_the_same_shape(tmp_path: Path) -> None:
    _write(tmp_path)
    ly = next(r for _w, r in importing.read_file(tmp_path / "record.json"))
    assert isinstance(ly, importing.BillRecord)
    assert (ly.number, ly.stage, ly.status_raw, ly.committees) == (
        "202103161290000",
        "referred",
        "交付審查",
        ["內政委員會"],
    )
    assert [(a.on.isoformat(), a.status_raw, a.stage) for a in ly.actions] == [
        ("2023-05-26", "排入院會", "scheduled"),
        ("2023-05-29", "排入院會", "scheduled"),
        ("2023-05-30", "交付審查", "referred"),
    ]
    doc = next(r for _w, r in importing.read_file(tmp_path / "1010528070203000.json"))
    assert isinstance(doc, importing.BillRecord)
    assert (
        doc.articles[0].heading == "第二十七條" and "配偶" in doc.articles[0].proposed and doc.articles[0].explanation
    )
    legacy = importing.parse_billstatus(LEGACY_XML.encode())
    current = importing.parse_billstatus(CURRENT_XML.encode())
    assert legacy == current
    assert (legacy.number, legacy.stage, legacy.committees) == ("114-hr-22", "enacted", ["Ways and Means Committee"])


def test_import_then_reimport_updates_in_place(db: Session, tmp_path: Path) -> None:
    paths = _write(tmp_path)
    first = services.import_paths(db, [tmp_path])
    assert first.counts == {"created": 3}
    again = services.import_paths(db, paths)
    assert again.counts == {"unchanged": 3}
    assert len(db.exec(select(Bill)).all()) == 3
    # A later record with one more step: the timeline grows and the stage moves, nothing duplicates.
    later = dict(
        LY_RECORD,
        議案狀態="委員會審查",
        議案流程=[*LY_RECORD["議案流程"], {"狀態": "委員會審查", "日期": ["2023-10-02"], "院會/委員會": "內政委員會"}],
    )
    (tmp_path / "record.json").write_text(json.dumps(later, ensure_ascii=False), "utf-8")
    assert services.import_paths(db, [tmp_path / "record.json"]).counts == {"updated": 1}
    bill = db.exec(select(Bill).where(Bill.number == "202103161290000")).one()
    assert bill.stage == "in_committee" and bill.last_action_on.isoformat() == "2023-10-02"  # type: ignore[union-attr]
    assert len(db.exec(select(BillAction).where(BillAction.bill_id == bill.id)).all()) == 4
    assert len(db.exec(select(BillArticle)).all()) == 1


def test_bad_records_are_reported_and_skipped(db: Session, tmp_path: Path) -> None:
    lines = [
        json.dumps(LY_RECORD, ensure_ascii=False),
        "{not json",
        json.dumps({"屆期": 10}),
        json.dumps(dict(LY_RECORD, billNo="2", 議案流程=[{"狀態": "三讀", "日期": ["2023-99-99"]}])),
    ]
    (tmp_path / "bills.jsonl").write_text("\n".join(lines), "utf-8")
    (tmp_path / "broken.xml").write_text("<billStatus><bill>", "utf-8")
    report = services.import_paths(db, [tmp_path])
    assert report.counts == {"created": 1, "failed": 4}
    reasons = dict(report.failures)
    assert "not JSON" in reasons[f"{tmp_path}/bills.jsonl:2"]
    assert "no billNo" in reasons[f"{tmp_path}/bills.jsonl:3"]
    assert "bad date" in reasons[f"{tmp_path}/bills.jsonl:4"]
    assert "not well-formed XML" in reasons[f"{tmp_path}/broken.xml"]


def test_the_cli_imports_lists_and_uses_exit_codes(settings: Settings, tmp_path: Path) -> None:
    env = {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "SECRET_KEY": "x"}
    runner = CliRunner()
    _write(tmp_path)
    result = runner.invoke(main, ["bills", "import", str(tmp_path)], env=env)
    assert result.exit_code == 0 and "created 3, updated 0, unchanged 0, failed 0" in result.output
    listed = json.loads(runner.invoke(main, ["bills", "list", "--source", "us-congress", "--json"], env=env).output)
    assert listed == [
        {
            "source": "us-congress",
            "number": "114-hr-22",
            "title": "FAST Act",
            "stage": "enacted",
            "status_raw": "Became Public Law No: 114-94.",
            "sponsors": ["Rep. Davis, Rodney [R-IL-13]"],
            "cosponsors": [],
            "committees": ["Ways and Means Committee"],
            "actions": [
                {"date": "2015-01-06", "stage": "", "status_raw": "10000", "body": "", "text": "Introduced in House"},
                {
                    "date": "2015-12-04",
                    "stage": "enacted",
                    "status_raw": "36000",
                    "body": "",
                    "text": "Became Public Law No: 114-94.",
                },
            ],
        }
    ]
    (tmp_path / "bad.jsonl").write_text("{oops", "utf-8")
    assert runner.invoke(main, ["bills", "import", str(tmp_path)], env=env).exit_code == 1
    assert runner.invoke(main, ["bills", "import", str(tmp_path / "missing.xml")], env=env).exit_code == 2
    assert runner.invoke(main, ["bills", "import", str(tmp_path), "--format", "pdf"], env=env).exit_code == 2
    assert runner.invoke(main, ["bills", "list", "--stage", "dreaming"], env=env).exit_code == 2


SHARED_BILLS = SHARED_DATA / "bills"


DEEP = "[" * 200_000 + "]" * 200_000
HUGE_NUMBER = json.dumps({"billNo": 1}).replace("1", "9" * 5000)


def test_json_too_deep_or_with_a_huge_integer_is_a_bad_record_and_the_rest_goes_in(
    settings: Settings, db: Session, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "SECRET_KEY": "x"}
    (tmp_path / "deep.json").write_text(DEEP, "utf-8")
    (tmp_path / "mixed.jsonl").write_text(f"{HUGE_NUMBER}\n{json.dumps(LY_RECORD)}\n{DEEP}\n", "utf-8")
    result = CliRunner().invoke(main, ["bills", "import", str(tmp_path)], env=env, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "created 1, updated 0, unchanged 0, failed 3" in result.output
    assert f"{tmp_path}/deep.json:1: not JSON (nested too deeply)" in result.output
    assert f"{tmp_path}/mixed.jsonl:1: not JSON (Exceeds the limit (4300 digits)" in result.output
    assert f"{tmp_path}/mixed.jsonl:3: not JSON (nested too deeply)" in result.output
    assert db.exec(select(Bill.number)).all() == ["202103161290000"]
    # Nothing usable at all: the exit code says so, as for other input the command cannot use.
    alone = CliRunner().invoke(main, ["bills", "import", str(tmp_path / "deep.json")], env=env, catch_exceptions=False)
    assert alone.exit_code == 2 and "nested too deeply" in alone.output
    doc = CliRunner().invoke(
        main,
        ["bills", "import", "--format", "ly-bill-doc", str(tmp_path / "deep.json")],
        env=env,
        catch_exceptions=False,
    )
    assert doc.exit_code == 2 and "nested too deeply" in doc.output


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
# Records near the real shape, with any of their fields replaced by anything.
_NEAR_RECORDS = st.builds(
    lambda changes: {**LY_RECORD, **changes},
    st.dictionaries(st.sampled_from([*LY_RECORD, "議案流程"]), _JSON, max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_NEAR_RECORDS | _JSON, max_size=4), st.sampled_from(["array", "lines"]))
def test_any_json_reads_as_records_or_bad_records_never_an_error(items: list[object], layout: str) -> None:
    assume(layout == "array" or len(items) > 1)  # one line alone is a whole document
    lines = [json.dumps(i, ensure_ascii=False) for i in items]
    text = json.dumps(items, ensure_ascii=False) if layout == "array" else "\n".join(lines)
    records = list(importing.read_content(text.encode(), "feed", "ly-api"))
    assert all(isinstance(r, importing.BillRecord | importing.BadRecord) for _where, r in records)
    assert len(records) == len(items)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_read_as_records_or_bad_records_never_an_error(content: bytes) -> None:
    for fmt in importing.FORMATS:
        for _where, record in importing.read_content(content, "feed", fmt):
            assert isinstance(record, importing.BillRecord | importing.BadRecord)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_NEAR_RECORDS, min_size=1, max_size=3))
def test_near_records_are_imported_or_reported_one_by_one(db: Session, items: list[object]) -> None:
    text = "\n".join(json.dumps(i, ensure_ascii=False) for i in items)
    report = services.ImportReport()
    services.import_records(db, importing.read_content(text.encode(), "feed", "ly-api"), report)
    assert sum(report.counts.values()) == len(items)
    assert len(report.failures) == report.counts["failed"]


@pytest.mark.skipif(not SHARED_BILLS.exists(), reason="../shared/data is absent")
def test_everything_in_the_shared_bill_data_imports(db: Session) -> None:
    report = services.import_paths(
        db,
        [
            SHARED_BILLS / "tw-ly",
            SHARED_BILLS / "tw-ly" / "bill-docs",
            SHARED_BILLS / "us-billstatus",
            SHARED_BILLS / "us-billstatus" / "formatChange" / "current",
        ],
    )
    assert report.failures == [], report.failures[:5]
    assert report.counts["created"] >= 2100
    stage_of = {b.number: b.stage for b in db.exec(select(Bill).where(Bill.source == "us-congress"))}
    assert stage_of["114-sjres-8"] == "vetoed"  # the President's veto was sustained
    assert stage_of["114-hr-22"] == "enacted" and stage_of["114-hr-1314"] == "enacted"
    assert stage_of["114-hres-348"] == "passed"  # a simple resolution needs only its own chamber
    assert stage_of["117-hr-1"] == "passed_one_chamber"
    assert stage_of["116-s-790"] == "referred"
    counts = services.stage_counts(db)
    assert counts["passed"] >= 50 and counts["withdrawn"] >= 10


@pytest.mark.skipif(not SHARED_BILLS.exists(), reason="../shared/data is absent")
def test_both_billstatus_layouts_give_the_same_bills() -> None:
    folder = SHARED_BILLS / "us-billstatus" / "formatChange"
    for legacy in sorted((folder / "current").glob("*.xml")):
        newer = folder / "future" / legacy.name
        a = importing.parse_billstatus(legacy.read_bytes())
        b = importing.parse_billstatus(newer.read_bytes())
        assert (a.number, a.title, a.sponsors, a.committees) == (b.number, b.title, b.sponsors, b.committees)


def test_followers_hear_when_a_bill_moves_stage(db: Session, tmp_path: Path, settings: Settings) -> None:
    from core import i18n, notify
    from core.db import pk
    from core.jobs import Queue
    from tests.helpers import make_member

    (tmp_path / "record.json").write_text(json.dumps(LY_RECORD, ensure_ascii=False), "utf-8")
    services.import_paths(db, [tmp_path])
    bill = db.exec(select(Bill)).one()
    fan = make_member(db)
    notify.follow(db, fan, "bill", pk(bill))
    later = dict(
        LY_RECORD, 議案狀態="三讀", 議案流程=[*LY_RECORD["議案流程"], {"狀態": "三讀", "日期": ["2023-12-01"]}]
    )
    (tmp_path / "record.json").write_text(json.dumps(later, ensure_ascii=False), "utf-8")
    report = services.import_paths(db, [tmp_path])
    assert report.stage_changes == [(pk(bill), "referred", "passed")]
    assert services.announce_stage_changes(db, Queue(settings, db.get_bind()), report.stage_changes) == 1  # type: ignore[arg-type]
    (note,) = notify.notifications_for(db, pk(fan))
    assert note.params_dict() == {"title": LY_RECORD["議案名稱"], "stage": "Passed"}
    assert note.text(i18n.translations("zh_TW").gettext) == f"法案「{LY_RECORD['議案名稱']}」進入新階段：三讀通過。"
