"""Importing comments from CSV: the command line and the officials' upload page."""

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts, places
from core.input import has_control
from core.settings import Settings
from feedback import importing
from feedback.models import Comment
from participation import services
from participation.models import Consultation
from tests.helpers import csrf_from, make_member, sign_in
from tests.participation.factories import consultation
from thinktank.cli import main

GOOD = "\n".join(
    [
        "編號,姓名,條次,立場,意見",
        "1,王小明,2,反對,天數太少",
        '2,李小華,第3條,支持,"薪資要提高，\n而且要快"',
        "3,,,中立,整體可以",
        "",
    ]
)


@pytest.fixture
def run(settings: Settings):  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "SECRET_KEY": "x"}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, ["comments", "import", *args], env=env, catch_exceptions=False)

    return invoke


def _file(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "comments.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


COLUMNS = [
    "--text-column",
    "意見",
    "--id-column",
    "編號",
    "--author-column",
    "姓名",
    "--article-column",
    "條次",
    "--stance-column",
    "立場",
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950"])
def test_import_reads_utf8_with_or_without_bom_and_big5(run, db: Session, tmp_path: Path, encoding: str) -> None:  # type: ignore[no-untyped-def]
    c = consultation(db)
    result = run(_file(tmp_path, GOOD, encoding), "--consultation", c.slug, *COLUMNS)
    assert result.exit_code == 0, result.output
    assert "imported 3, duplicate 0, failed 0" in result.output
    comments = {x.author_name: x for x in db.exec(select(Comment))}
    assert (comments["王小明"].article, comments["王小明"].stance) == (2, "oppose")
    assert comments["李小華"].text == "薪資要提高，\n而且要快" and comments["李小華"].article == 3
    assert comments[""].stance == "neutral" and comments[""].source == "import"


def test_reimporting_the_same_file_adds_nothing(run, db: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = consultation(db)
    path = _file(tmp_path, GOOD)
    run(path, "--consultation", c.slug, *COLUMNS)
    result = run(path, "--consultation", c.slug, *COLUMNS)
    assert "imported 0, duplicate 3, failed 0" in result.output
    without_ids = [arg for arg in COLUMNS if arg not in ("--id-column", "編號")]
    run(path, "--consultation", c.slug, *without_ids)
    result = run(path, "--consultation", c.slug, *without_ids)  # no id column: rows match on their content
    assert "imported 0, duplicate 3" in result.output
    assert len(db.exec(select(Comment)).all()) == 6


def test_bad_rows_are_reported_by_line_and_skipped(run, db: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = consultation(db)
    text = GOOD + "4,甲,99,支持,沒有這條\n5,乙,1,也許,不知道\n6,丙,1,支持,\n"
    result = run(_file(tmp_path, text), "--consultation", c.slug, *COLUMNS)
    assert result.exit_code == 1
    assert "imported 3, duplicate 0, failed 3" in result.output
    assert "line 6: no article '99'" in result.output
    assert "line 7: unknown stance '也許'" in result.output
    assert "line 8: empty comment text" in result.output


def test_a_row_with_a_nul_or_a_huge_article_number_is_reported_and_the_others_imported(
    run, db: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    c = consultation(db)
    huge = "第" + "9" * 5000 + "條"
    text = GOOD + f"4,丁,2,支持,有\x00空字元\n5,戊\x00,2,支持,名字裡有\n6,己,{huge},支持,條次太大\n"
    result = run(_file(tmp_path, text), "--consultation", c.slug, *COLUMNS)
    assert result.exit_code == 1, result.output
    assert "imported 3, duplicate 0, failed 3" in result.output
    assert "line 6: a control character (such as NUL) in the row" in result.output
    assert "line 7: a control character (such as NUL) in the row" in result.output
    assert "line 8: no article" in result.output
    assert sorted(x.author_name for x in db.exec(select(Comment))) == ["", "李小華", "王小明"]


def test_a_place_column_takes_a_code_a_name_or_a_postal_code_and_reports_an_unknown_place(
    run, db: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    places.load_places(db)
    c = consultation(db)
    text = "\n".join(
        [
            "編號,意見,地點",
            "1,代碼,63000030",
            "2,名稱,台北市 大安區",
            "3,郵遞區號,970",
            "4,只有鄉鎮名,壽豐鄉",
            "5,沒寫,",
            "6,不存在,火星市",
            "7,同名不分縣市,東區",
            "8,縣市不是鄉鎮,63000",
            "",
        ]
    )
    result = run(
        _file(tmp_path, text),
        "--consultation",
        c.slug,
        "--text-column",
        "意見",
        "--id-column",
        "編號",
        "--place-column",
        "地點",
    )
    assert result.exit_code == 1
    assert "imported 5, duplicate 0, failed 3" in result.output
    assert "line 7: unknown place '火星市'" in result.output
    assert "line 8: unknown place '東區'" in result.output  # 新竹市, 嘉義市, 臺中市 and 臺南市 each have one
    assert "line 9: unknown place '63000'" in result.output
    found = {x.text: x.place_code for x in db.exec(select(Comment))}
    assert found == {
        "代碼": "63000030",
        "名稱": "63000030",
        "郵遞區號": "10015010",
        "只有鄉鎮名": "10015060",
        "沒寫": None,
    }
    missing = run(_file(tmp_path, text), "--consultation", c.slug, "--text-column", "意見", "--place-column", "住址")
    assert missing.exit_code == 2 and "住址" in missing.output


_CELL = st.text(st.characters(codec="utf-8"), max_size=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_CELL, _CELL, _CELL, _CELL, _CELL), max_size=6))
def test_any_csv_imports_row_by_row_without_an_error(db: Session, rows: list[tuple[str, ...]]) -> None:
    c = db.exec(select(Consultation)).first() or consultation(db)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([("編號", "姓名", "條次", "立場", "意見"), *rows])
    columns = importing.Columns(text="意見", id="編號", author="姓名", article="條次", stance="立場")
    read = importing.read_rows(buffer.getvalue(), columns)
    report = importing.import_comments(db, services.subject_of(c), read, columns)
    assert report.imported + report.duplicates + len(report.failed) == len(read) == len(rows)
    assert {line for line, _ in report.failed} <= {line for line, _ in read}
    assert not any(has_control(x.text + x.author_name) for x in db.exec(select(Comment)))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--consultation", "ltc", "--text-column", "沒有這欄"], "no column named 沒有這欄"),
        (["--consultation", "nope", "--text-column", "意見"], "no consultation 'nope'"),
        (["--consultation", "nope", "--create", "--text-column", "意見"], "--create needs --title and --agency"),
    ],
)
def test_unusable_arguments_exit_2_and_write_nothing(run, db: Session, tmp_path: Path, args, message) -> None:  # type: ignore[no-untyped-def]
    consultation(db)
    result = run(_file(tmp_path, GOOD), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert db.exec(select(Comment)).all() == []


def test_a_missing_or_binary_file_exits_2(run, db: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = consultation(db)
    assert run(str(tmp_path / "none.csv"), "--consultation", c.slug, "--text-column", "x").exit_code == 2
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x00\xff" * 50)
    result = run(str(binary), "--consultation", c.slug, "--text-column", "x")
    assert result.exit_code == 2 and "neither UTF-8 nor Big5" in result.output


def test_create_makes_the_consultation_and_its_agency(run, db: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(
        _file(tmp_path, GOOD),
        "--consultation",
        "paper-2026",
        "--create",
        "--title",
        "紙本意見彙整",
        "--agency",
        "衛生福利部",
        "--text-column",
        "意見",
    )
    assert result.exit_code == 0, result.output
    created = services.get_consultation(db, "paper-2026")
    assert created.title == "紙本意見彙整" and created.phase() == "closed"
    assert [a.name for a in accounts.list_agencies(db)] == ["衛生福利部"]
    assert len(db.exec(select(Comment)).all()) == 3


def test_officials_upload_a_file_and_watch_the_import(client: TestClient, db: Session) -> None:
    c = consultation(db)
    official = db.exec(select(accounts.Member).where(accounts.Member.email == "official@mohw.example.tw")).one()
    sign_in(client, official)
    token = csrf_from(client, f"/c/{c.slug}/import")
    data = {
        "csrf_token": token,
        "text_column": "意見",
        "id_column": "編號",
        "article_column": "條次",
        "stance_column": "立場",
    }
    response = client.post(
        f"/c/{c.slug}/import", data=data, files={"file": ("c.csv", GOOD.encode("cp950"), "text/csv")}
    )
    assert response.status_code == 303
    job_page = client.get(response.headers["location"])
    assert "已匯入 3 則" in job_page.text
    assert len(db.exec(select(Comment)).all()) == 3
    bad = client.post(
        f"/c/{c.slug}/import",
        data={**data, "text_column": "內容"},
        files={"file": ("c.csv", GOOD.encode(), "text/csv")},
    )
    assert bad.status_code == 400 and "內容" in bad.text
    assert len(db.exec(select(Comment)).all()) == 3


def test_citizens_cannot_upload(client: TestClient, db: Session) -> None:
    c = consultation(db)
    sign_in(client, make_member(db, "citizen@example.tw"))
    token = csrf_from(client, f"/c/{c.slug}")
    response = client.post(
        f"/c/{c.slug}/import",
        data={"csrf_token": token, "text_column": "意見"},
        files={"file": ("c.csv", GOOD.encode(), "text/csv")},
    )
    assert response.status_code == 403
    assert db.exec(select(Comment)).all() == []
