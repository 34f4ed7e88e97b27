"""The `thinktank` command, run the way a person runs it, on the test database."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, create_engine, select

from core import accounts
from core.settings import Settings
from thinktank.cli import main


@pytest.fixture
def run(settings: Settings):  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "SECRET_KEY": "x"}

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    return invoke


def test_every_command_has_help(run) -> None:  # type: ignore[no-untyped-def]
    for command in (
        [],
        ["migrate"],
        ["backup"],
        ["restore"],
        ["serve"],
        ["worker"],
        ["demo"],
        ["user"],
        ["user", "create"],
        ["agency"],
        ["agency", "create"],
        ["agency", "list"],
        ["analyze"],
        ["analyze", "themes"],
        ["analyze", "campaigns"],
        ["polis"],
        ["polis", "groups"],
        ["polis", "import"],
    ):
        result = run(*command, "--help")
        assert result.exit_code == 0, command
        assert "Usage:" in result.output


@pytest.mark.parametrize("command", [[], ["user", "create"], ["demo"], ["analyze", "themes"]])
def test_help_loads_no_database_library_queue_or_analysis(command: list[str]) -> None:
    """Help answers at once: what a command needs is imported when it runs, not for its help."""
    heavy = ["sqlalchemy", "sqlmodel", "alembic", "psycopg", "huey", "redis", "sklearn", "scipy", "spacy", "numpy"]
    script = (
        "import json, sys\n"
        "from thinktank.cli import main\n"
        f"sys.argv = ['thinktank', *{command!r}, '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert "Usage:" in done.stdout
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_migrate_is_idempotent(run) -> None:  # type: ignore[no-untyped-def]
    assert run("migrate").exit_code == 0
    result = run("migrate")
    assert result.exit_code == 0
    assert "latest schema" in result.output


def test_agency_and_user_create(run, db: Session) -> None:  # type: ignore[no-untyped-def]
    result = run("agency", "create", "--slug", "mohw", "--name", "衛生福利部", "--name-en", "Ministry of Health")
    assert result.exit_code == 0, result.output
    result = run(
        "user",
        "create",
        "--email",
        "Lin@Example.tw",
        "--name",
        "林怡君",
        "--password",
        "a long password",
        "--role",
        "agency_official",
        "--agency",
        "mohw",
    )
    assert result.exit_code == 0, result.output
    member = accounts.find_member_by_email(db, "lin@example.tw")
    assert member is not None
    assert accounts.roles_of(db, member) == {"citizen", "agency_official"}
    assert "mohw\t衛生福利部" in run("agency", "list").output


def test_user_create_asks_for_the_password_when_not_given(run, db: Session) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "user", "create", "--email", "admin@example.tw", "--role", "admin", input="a long password\na long password\n"
    )
    assert result.exit_code == 0, result.output
    member = accounts.find_member_by_email(db, "admin@example.tw")
    assert member is not None and "admin" in accounts.roles_of(db, member)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "create", "--email", "bad", "--password", "a long password"], "valid e-mail"),
        (["user", "create", "--email", "a@example.tw", "--password", "short"], "at least 10"),
        (
            ["user", "create", "--email", "a@example.tw", "--password", "a long password", "--role", "agency_official"],
            "needs --agency",
        ),
        (
            ["user", "create", "--email", "a@example.tw", "--password", "a long password", "--agency", "nope"],
            "no agency",
        ),
        (
            ["user", "create", "--email", "a@example.tw", "--password", "a long password", "--role", "king"],
            "Invalid value",
        ),
        (["agency", "create", "--slug", "Bad Slug", "--name", "某機關"], "lower-case"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_write_nothing(run, db: Session, args, message) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert db.exec(select(accounts.Member)).all() == []
    assert accounts.list_agencies(db) == []


def test_a_bad_setting_is_an_exit_2_message(settings: Settings) -> None:
    env = {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "MAX_BODY_BYTES": "lots"}
    result = CliRunner().invoke(main, ["migrate"], env=env)
    assert result.exit_code == 2
    assert "MAX_BODY_BYTES must be a whole number" in result.output


def test_demo_builds_a_fresh_database_with_every_role(tmp_path: Path) -> None:
    env = {"THINKTANK_VAR": str(tmp_path), "SECRET_KEY": "x", "DATABASE_URL": ""}
    for _ in range(2):  # a second run starts again from nothing
        result = CliRunner().invoke(main, ["demo", "--no-serve"], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert "demo-password-2026" in result.output
    for role in accounts.Role:
        assert role.value in result.output
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with Session(engine) as session:
        members = session.exec(select(accounts.Member)).all()
        assert len(members) == len({m.email for m in members}) >= 10
        roles = set(session.exec(select(accounts.MemberRole.role)))
        assert roles == {r.value for r in accounts.GRANTABLE_ROLES}
        assert len(accounts.list_agencies(session)) >= 3
    engine.dispose()
