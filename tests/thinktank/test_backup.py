"""`thinktank backup` and `thinktank restore`, run the way a person runs them, on the test database
(SQLite's online backup API; pg_dump and pg_restore on PostgreSQL)."""

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.settings import Settings
from tests.helpers import make_member
from thinktank import demo
from thinktank.cli import main


@pytest.fixture
def run(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    if engine.dialect.name == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("PostgreSQL backups need pg_dump and pg_restore, which are not installed here")
    env = {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "SECRET_KEY": "x"}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def every_row(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the database, its rows in primary-key order (all columns for tables without one)."""
    found = {}
    inspector = inspect(engine)
    with engine.connect() as connection:
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table)]
            order = inspector.get_pk_constraint(table)["constrained_columns"] or columns
            listed, ordered = (", ".join(f'"{c}"' for c in names) for names in (columns, order))
            query = f'SELECT {listed} FROM "{table}" ORDER BY {ordered}'
            found[table] = [tuple(row) for row in connection.execute(text(query))]
    return found


def set_revision(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_a_restore_brings_back_every_row_as_it_was_backed_up(
    run, settings: Settings, engine: Engine, db: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    demo.seed(db, settings)
    db.close()  # pg_restore waits for every other session's locks
    saved = every_row(engine)
    assert all(saved[table] for table in ("member", "comment", "vote", "signature", "analysistheme"))
    path = tmp_path / "site.backup"

    result = run("backup", str(path))
    assert result.exit_code == 0, result.output
    assert path.is_file()

    with engine.begin() as connection:  # what happens after the backup: rows added, changed, deleted
        connection.execute(text("DELETE FROM vote"))
        connection.execute(text("UPDATE agency SET name = 'renamed'"))
    make_member(db, "after@example.tw")
    db.close()
    assert every_row(engine) != saved

    refused = run("restore", str(path))
    assert refused.exit_code == 2
    assert "--force" in refused.output
    assert every_row(engine)["vote"] == []  # refused means untouched

    result = run("restore", str(path), "--force")
    assert result.exit_code == 0, result.output
    assert "reindex" in result.output
    assert every_row(engine) == saved


def test_backup_does_not_overwrite_a_file_without_force(run, db: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "site.backup"
    path.write_text("an earlier backup")
    result = run("backup", str(path))
    assert result.exit_code == 2
    assert "--force" in result.output
    assert path.read_text() == "an earlier backup"
    assert run("backup", str(path), "--force").exit_code == 0
    assert path.read_bytes() != b"an earlier backup"


def test_restore_refuses_a_backup_at_another_schema(run, engine: Engine, db: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_member(db)
    db.close()
    (head,) = every_row(engine)["alembic_version"][0]
    path = tmp_path / "old.backup"
    set_revision(engine, "0123456789ab")
    try:
        assert run("backup", str(path)).exit_code == 0
    finally:
        set_revision(engine, head)
    result = run("restore", str(path), "--force")
    assert result.exit_code == 2
    assert "0123456789ab" in result.output and head in result.output
    assert "Traceback" not in result.output
    assert every_row(engine)["alembic_version"] == [(head,)]


@pytest.mark.parametrize("content", ["missing", "text", "empty sqlite", "other sqlite"])
def test_restore_refuses_what_is_not_a_thinktank_backup(
    run, engine: Engine, db: Session, tmp_path: Path, content: str
) -> None:  # type: ignore[no-untyped-def]
    make_member(db)
    db.close()
    before = every_row(engine)
    path = tmp_path / "input.db"
    if content == "text":
        path.write_text("id,text\n1,這不是資料庫\n")
    elif content.endswith("sqlite"):
        if engine.dialect.name != "sqlite":
            pytest.skip("an SQLite file is plainly not a PostgreSQL backup: the text case covers it")
        with sqlite3.connect(path) as other:
            if content == "other sqlite":
                other.execute("CREATE TABLE notes (body TEXT)")
        other.close()
    result = run("restore", str(path), "--force")
    assert result.exit_code == 2
    expected = {
        "missing": "no such file",
        "text": "not a",
        "empty sqlite": "not a thinktank",
        "other sqlite": "not a thinktank",
    }
    assert expected[content] in result.output
    assert "Traceback" not in result.output
    assert every_row(engine) == before


def test_without_the_postgresql_tools_a_backup_says_so(run, engine: Engine, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite backups need no tools")
    env = {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "PATH": str(tmp_path)}
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "site.backup")], env=env)
    assert result.exit_code == 2
    assert "pg_dump is not installed" in result.output
    assert not (tmp_path / "site.backup").exists()
