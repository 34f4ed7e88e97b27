"""Backing up the whole database to one file, and restoring it: SQLite through its online backup
API (safe while the site runs), PostgreSQL through the documented pg_dump custom format and
pg_restore --clean. Anything we refuse is a BackupError whose message says why.

What is not in the database is not in the backup: the search index is rebuilt from it
(`thinktank search reindex`), and queued jobs are not kept.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from core.db import MIGRATIONS, normalise_url


class BackupError(Exception):
    """A backup or restore we will not do, or that failed; the message says why."""


def head_revision() -> str:
    """The schema revision this version of thinktank runs on (the newest migration)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "no migrations"
    return head


def backup(database_url: str, path: Path, force: bool = False) -> None:
    """Write the whole database to `path`; an existing file is replaced only with `force`."""
    if path.exists() and not force:
        raise BackupError(f"{path} exists; give --force to replace it")
    if not path.parent.is_dir():
        raise BackupError(f"no such folder: {path.parent}")
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_file(url), path)
    elif url.get_backend_name() == "postgresql":
        _pg_backup(url, path)
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")


def restore(database_url: str, path: Path, force: bool = False) -> None:
    """Replace the database with the backup in `path`, after checking that it is a thinktank
    database at the current schema; a database that holds tables is replaced only with `force`."""
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(path, _sqlite_file(url), force)
    elif url.get_backend_name() == "postgresql":
        _pg_restore(path, url, force)
    else:
        raise BackupError(f"cannot restore into a {url.get_backend_name()} database")


def _check_revision(revision: str | None, path: Path) -> None:
    if revision is None:
        raise BackupError(f"{path} is not a thinktank database (it has no schema revision)")
    if revision != head_revision():
        raise BackupError(
            f"{path} is at schema revision {revision}, this thinktank needs {head_revision()}:"
            " restore it with the version of thinktank that made it"
        )


# --- SQLite -------------------------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


@contextmanager
def _sqlite_open(path: Path, mode: str = "rw") -> Iterator[sqlite3.Connection]:
    """A connection that never creates the file (a plain connect would make an empty database).
    Live databases open read-write even to be read: SQLite reads a WAL database through its
    shared-memory file, which a read-only connection may not be able to create."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=30)
    except sqlite3.OperationalError as error:
        raise BackupError(f"cannot open {path}: {error}") from None
    with closing(connection):
        yield connection


def _sqlite_backup(source: Path, path: Path) -> None:
    if not source.is_file():
        raise BackupError(f"the database {source} does not exist")
    partial = path.with_name(path.name + ".partial")  # renamed into place once complete
    try:
        with _sqlite_open(source) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)
            # The copy would otherwise keep the live database's WAL mode and want a -wal file beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, path)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"cannot back up {source}: {error}") from None
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_revision(path: Path) -> str | None:
    """The schema revision recorded in an SQLite file; BackupError when it is not a database."""
    with _sqlite_open(path, "ro") as connection:
        try:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables:
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not an SQLite database ({error})") from None
    return row[0] if row else None


def _sqlite_restore(path: Path, target: Path, force: bool) -> None:
    _check_revision(_sqlite_revision(path), path)
    if target.is_file() and not force:
        with _sqlite_open(target) as connection:
            try:
                (tables,) = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
            except sqlite3.DatabaseError:
                tables = 1  # something that is not a database: still not ours to overwrite unasked
        if tables:
            raise BackupError(f"the database {target} holds data; give --force to replace it with {path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # The backup API copies in one transaction of the live database's own: connections the site
    # holds see the old database or the restored one, never a mixture.
    try:
        with _sqlite_open(path, "ro") as saved, closing(sqlite3.connect(target, timeout=30)) as live:
            saved.backup(live)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"cannot restore into {target}: {error}") from None


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; install PostgreSQL's client tools (e.g. apt install postgresql-client)"
        )
    return found


def _pg_run(arguments: list[str], url: URL | None = None) -> str:
    """Run a PostgreSQL tool; its own message becomes the BackupError when it fails."""
    env = dict(os.environ)
    if url is not None and url.password:
        env["PGPASSWORD"] = str(url.password)  # kept off the command line, which others can read
    result = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        name = Path(arguments[0]).name
        raise BackupError(f"{name} failed: {result.stderr.strip() or f'exit code {result.returncode}'}")
    return result.stdout


def _libpq(url: URL) -> str:
    """The database address as the PostgreSQL tools read it: no driver name, no password."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _pg_backup(url: URL, path: Path) -> None:
    tool = _pg_tool("pg_dump")
    partial = path.with_name(path.name + ".partial")
    try:
        _pg_run([tool, "--format=custom", f"--file={partial}", f"--dbname={_libpq(url)}"], url)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


_VERSION_COPY = re.compile(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)\n", re.M)


def _pg_revision(tool: str, path: Path) -> str | None:
    """The schema revision in a pg_dump custom-format file, read from the file alone."""
    try:
        _pg_run([tool, "--list", str(path)])
    except BackupError:
        raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump --format=custom)") from None
    script = _pg_run([tool, "--data-only", "--table=alembic_version", "--file=-", str(path)])
    found = _VERSION_COPY.search(script)
    return found.group(1) if found and found.group(1) != "\\." else None


def _pg_restore(path: Path, url: URL, force: bool) -> None:
    tool = _pg_tool("pg_restore")
    _check_revision(_pg_revision(tool, path), path)
    if not force:
        psql = _pg_tool("psql")
        query = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        tables = _pg_run([psql, "--no-psqlrc", "--tuples-only", "--no-align", f"--command={query}", _libpq(url)], url)
        if int(tables.strip() or 0):
            raise BackupError(f"the database {url.database} holds data; give --force to replace it with {path}")
    # One transaction: a restore that fails part-way leaves the database as it was.
    _pg_run(
        [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={_libpq(url)}", str(path)],
        url,
    )
