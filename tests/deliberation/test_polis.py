"""Pol.is export folders: reading them, their errors, and `thinktank polis groups` on them."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sklearn.metrics import adjusted_rand_score

from deliberation.polis import ExportError, read_export
from tests.helpers import SHARED_DATA
from thinktank.cli import main

COMMENTS = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"


def _export(
    folder: Path, people: int = 30, statements: int = 8, moderated: dict[int, int] | None = None, light: int = 0
) -> Path:
    """Two camps (each member passing on one statement), as participants-votes.csv with Pol.is's group-id, and comments.csv; first in
    the file, `light` participants who voted on two statements only and are in no group."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [COMMENTS] + [f'1,x,{s},0,0,0,{(moderated or {}).get(s, 1)},"第{s}則意見"\n' for s in range(statements)]
    (folder / "comments.csv").write_text("".join(lines), encoding="utf-8")
    header = "participant,group-id,n-comments,n-votes,n-agree,n-disagree," + ",".join(map(str, range(statements)))
    rows = [header] + [f"{person + 900},,0,2,2,0,1,1" + "," * (statements - 2) for person in range(light)]
    for person in range(people):
        camp = person % 2
        # each passes on one statement of theirs, so that people differ within a camp
        votes = [
            "1" if s == 0 else ("0" if s == 1 + person % (statements - 1) else "1" if s % 2 == camp else "-1")
            for s in range(statements)
        ]
        rows.append(f"{person + 100},{camp},0,{statements},0,0," + ",".join(votes))
    (folder / "participants-votes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "summary.csv").write_text("topic,測試對話\nconversation-description,說明\n", encoding="utf-8")
    return folder


def test_an_export_is_read_with_its_groups_and_moderation(tmp_path: Path) -> None:
    export = read_export(_export(tmp_path / "conv", moderated={3: -1}))
    assert export.topic == "測試對話" and len(export.statements) == 8 and export.moderated_out == ["3"]
    assert len(export.votes) == 30 * 8 and export.groups["100"] == "0"


def test_votes_csv_is_used_without_participants_votes(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    folder.mkdir()
    (folder / "comments.csv").write_text(COMMENTS + '1,x,0,0,0,0,1,"一"\n', encoding="utf-8")
    (folder / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n2,x,0,7,-1\n1,x,0,7,1\n")
    export = read_export(folder)
    assert [v.vote for v in export.votes] == [1, -1]  # in time order: the later vote wins


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: (f / "comments.csv").unlink(), "comments.csv is missing"),
        (lambda f: (f / "participants-votes.csv").unlink(), "neither votes.csv nor participants-votes.csv"),
        (
            lambda f: (f / "participants-votes.csv").write_text("participant,group-id,0\n1,0,5\n"),
            "participants-votes.csv, line 2: a vote is -1, 0 or 1, not 5",
        ),
        (lambda f: (f / "comments.csv").write_text("id,text\n1,a\n"), "comments.csv, line 1: no column 'comment-id'"),
        (
            lambda f: (f / "participants-votes.csv").write_text("participant,group-id,42\n1,0,1\n"),
            "votes on comments not in comments.csv: 42",
        ),
        (lambda f: (f / "comments.csv").write_bytes(b"\xff\xfe\x00bad"), "comments.csv: not UTF-8"),
    ],
)
def test_broken_exports_name_the_file_and_line(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    folder = _export(tmp_path / "conv")
    change(folder)
    with pytest.raises(ExportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_export(folder)
    result = CliRunner().invoke(main, ["polis", "groups", str(folder), "--json"])
    assert result.exit_code == 2 and message in result.output


def test_polis_groups_prints_the_groups_as_json(tmp_path: Path) -> None:
    folder = _export(tmp_path / "conv")
    result = CliRunner().invoke(main, ["polis", "groups", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["k"] == 2 and set(data["participants"]) == {str(p + 100) for p in range(30)}
    camps = [int(p) % 2 for p in data["participants"]]
    assert adjusted_rand_score(camps, list(data["participants"].values())) == 1.0
    assert data["consensus"] == ["0"] and set(data["repness"]) == {"0", "1"}
    human = CliRunner().invoke(main, ["polis", "groups", str(folder)])
    assert "2 groups" in human.output


POLIS = SHARED_DATA / "polis"


@pytest.mark.skipif(not POLIS.exists(), reason="../shared/data/polis is absent")
def test_groups_agree_with_polis_on_the_shared_exports() -> None:
    from analysis.opinion import compute

    scores = {}
    for folder in sorted(p for p in POLIS.iterdir() if p.is_dir()):
        export = read_export(folder)
        result = compute(export.votes, statements=export.statements, moderated_out=export.moderated_out)
        theirs = {p: g for p, g in export.groups.items() if g}
        common = [p for p in theirs if p in result.groups]
        scores[folder.name] = adjusted_rand_score([theirs[p] for p in common], [result.groups[p] for p in common])
    assert len(scores) == 6
    ordered = sorted(scores.values())
    # Pol.is's rules alone, nothing tuned on these exports: one computation from the final votes
    # cannot replay Pol.is's sticky in-conv and smoothed k, so a few conversations differ. (The
    # 0.9 this test used to ask for came from a restart rule chosen on these same exports, which
    # scored 0.56 on conversations it had not seen; it is gone.)
    assert (ordered[2] + ordered[3]) / 2 >= 0.7
    assert scores["vtaiwan.uberx"] >= 0.9


def test_polis_import_makes_a_conversation_once(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "SECRET_KEY": "x"}
    folder = _export(tmp_path / "uberx")
    result = CliRunner().invoke(main, ["polis", "import", str(folder)], env=env)
    assert result.exit_code == 0, result.output
    assert "/conversations/polis-uberx" in result.output and "240 votes from 30 participants, 2 groups" in result.output
    again = CliRunner().invoke(main, ["polis", "import", str(folder)], env=env)
    assert again.exit_code == 2 and "imported already" in again.output
    unknown = CliRunner().invoke(main, ["polis", "import", str(folder), "--agency", "nope"], env=env)
    assert unknown.exit_code == 2 and "no agency with short name 'nope'" in unknown.output
    broken = CliRunner().invoke(main, ["polis", "import", str(tmp_path / "missing")], env=env)
    assert broken.exit_code == 2 and "not a folder" in broken.output


def test_imported_votes_are_placed_as_polis_places_them(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    """An import's votes carry one time, so they are one update: the three light voters first in
    the file stay out (two votes, fewer than min(7, 8), and thirty qualify), as in Pol.is's groups
    and one computation; taken one vote at a time, the top-up would have let them in first."""
    from analysis.opinion import compute
    from deliberation import services

    export = read_export(_export(tmp_path / "conv", light=3))
    conversation = services.import_export(db, export)
    stored = services.map_result(services.compute_map(db, conversation))
    placed = {p.removeprefix("polis:") for p, _x, _y, group in stored["points"] if group is not None}
    assert placed == {p for p, g in export.groups.items() if g} == set(compute(export.votes).groups)
    assert len(placed) == 30 and set(stored["state"]["in_conv"]) == {f"polis:{p}" for p in placed}


def test_each_update_starts_from_the_state_stored_with_the_map(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    """compute_map keeps Pol.is's state with the map and hands it to the next update: the same
    best k counts up towards publication, the base clusters carry over, and a participant once
    in-conv stays in after a later vote takes them below min(7, statements)."""
    from sqlmodel import select

    from deliberation import services
    from deliberation.models import Statement, Vote

    conversation = services.import_export(db, read_export(_export(tmp_path / "conv")))
    first = services.map_result(services.compute_map(db, conversation))
    assert first["state"]["last_k"] == 2 and first["state"]["last_k_count"] == 1 and first["k"] == 2
    second = services.map_result(services.compute_map(db, conversation))
    assert second["state"]["last_k_count"] == 2 and second["state"]["base_clusters"] == first["state"]["base_clusters"]
    assert [p[3] for p in second["points"]] == [p[3] for p in first["points"]]
    for vote in db.exec(select(Vote).where(Vote.voter == "polis:100")).all()[2:]:
        db.delete(vote)  # two votes left, as if withdrawn
    for n in range(8, 12):  # four statements more, voted on by everyone else
        statement = Statement(conversation_id=conversation.id, text=f"第{n}則意見", status="accepted")
        db.add(statement)
        db.flush()
        for person in range(101, 130):
            db.add(Vote(conversation_id=conversation.id, statement_id=statement.id, voter=f"polis:{person}", vote=1))
    db.commit()
    third = services.map_result(services.compute_map(db, conversation))
    assert "polis:100" in third["state"]["in_conv"]
    assert next(p[3] for p in third["points"] if p[0] == "polis:100") is not None
