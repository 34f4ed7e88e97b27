"""`thinktank analyze themes|campaigns` on CSV files, without a database."""

import json
from pathlib import Path

from click.testing import CliRunner, Result

from thinktank.cli import main

LETTER = "我反對一次性塑膠吸管全面禁用，這會造成身心障礙者與長者的不便，請環境部保留其他選擇並延後實施。"
RESPITE = [
    "喘息服務的天數太少，家庭照顧者需要更多喘息服務",
    "喘息服務每年三十日仍然不夠照顧者使用",
    "希望喘息服務可以增加天數",
]
WAGES = ["照顧服務員薪資太低，應訂定薪資基準", "提高照顧服務員薪資才能留住人力", "照顧服務員的薪資基準應分區訂定"]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _csv(tmp_path: Path, rows: list[tuple[str, str]], encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / "comments.csv"
    lines = ["編號,意見"] + [f'{i},"{text}"' for i, text in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_themes_as_json(tmp_path: Path) -> None:
    rows = [(f"c{i}", text) for i, text in enumerate((RESPITE + WAGES) * 2)]
    result = run(
        "analyze",
        "themes",
        str(_csv(tmp_path, rows)),
        "--text-column",
        "意見",
        "--id-column",
        "編號",
        "--k",
        "2",
        "--json",
    )
    assert result.exit_code == 0, result.output
    themes = json.loads(result.output)["themes"]
    assert len(themes) == 2 and {t["size"] for t in themes} == {6}
    respite = {f"c{i}" for i, (_id, text) in enumerate(rows) if "喘息" in text}
    assert respite in [set(t["members"]) for t in themes]
    assert all(set(t["representative"]) <= set(t["members"]) and t["label"] for t in themes)


def test_campaigns_as_json_from_a_big5_file_numbered_by_row(tmp_path: Path) -> None:
    rows = (
        [("x", LETTER)] * 4
        + [("x", LETTER.replace("延後實施", "延後實施，我的父親需要吸管"))]
        + [("x", t) for t in RESPITE]
    )
    path = _csv(tmp_path, rows, encoding="big5")
    result = run("analyze", "campaigns", str(path), "--text-column", "意見", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(c["size"], c["members"]) for c in data["campaigns"]] == [(5, [1, 2, 3, 4, 5])]
    assert data["campaigns"][0]["template"] == LETTER and data["individual"] == [6, 7, 8]
    summary = run("analyze", "campaigns", str(path), "--text-column", "意見")
    assert "8 comments: 5 from 1 campaigns and 3 individual comments" in summary.output


def test_bad_files_and_arguments_exit_2_with_a_message(tmp_path: Path) -> None:
    path = _csv(tmp_path, [("a", "一"), ("a", "二")])
    missing = run("analyze", "themes", str(path), "--text-column", "text")
    assert missing.exit_code == 2 and "no column 'text'" in missing.output and "意見" in missing.output
    twice = run("analyze", "campaigns", str(path), "--text-column", "意見", "--id-column", "編號")
    assert twice.exit_code == 2 and "line 3" in twice.output and "'a' appears twice" in twice.output
    assert run("analyze", "themes", str(tmp_path / "nope.csv"), "--text-column", "意見").exit_code == 2
    assert run("analyze", "themes", str(path), "--text-column", "意見", "--k", "0").exit_code == 2
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x82\x83" * 10)
    garbled = run("analyze", "themes", str(binary), "--text-column", "意見")
    assert garbled.exit_code == 2 and "Big5" in garbled.output


def test_cells_our_csv_downloads_defused_are_read_as_written(tmp_path: Path) -> None:
    rows = [(f"'-{i}", f"'={text}") for i, text in enumerate((RESPITE + WAGES) * 2)]  # as csv_download writes them
    path = _csv(tmp_path, rows)
    result = run("analyze", "themes", str(path), "--text-column", "意見", "--id-column", "編號", "--k", "2", "--json")
    assert result.exit_code == 0, result.output
    members = {m for t in json.loads(result.output)["themes"] for m in t["members"]}
    assert members == {f"-{i}" for i in range(len(rows))}


REWORDED = [
    "Please give the public sixty more days to comment on the coal ash rule.",
    "Allow sixty additional days of public comment on the coal ash rule.",
    "Give us sixty extra days to send comments about the coal ash rule.",
]


def test_campaigns_with_the_paraphrase_tier_listed_apart(tmp_path: Path) -> None:
    rows = [("x", REWORDED[0])] * 3 + [("x", REWORDED[1]), ("x", REWORDED[2])] + [("x", t) for t in RESPITE]
    path = _csv(tmp_path, rows)
    data = json.loads(run("analyze", "campaigns", str(path), "--text-column", "意見", "--json", "--paraphrases").output)
    assert [c["members"] for c in data["campaigns"]] == [[1, 2, 3]] and data["individual"] == [4, 5, 6, 7, 8]
    assert [(g["members"], g["campaigns"]) for g in data["paraphrases"]] == [([1, 2, 3, 4, 5], [0])]
    summary = run("analyze", "campaigns", str(path), "--text-column", "意見", "--paraphrases").output
    assert "1 paraphrase groups (the same message reworded; not campaigns):" in summary
    assert "(joins campaigns 1)" in summary
    assert "paraphrases" not in json.loads(
        run("analyze", "campaigns", str(path), "--text-column", "意見", "--json").output
    )
