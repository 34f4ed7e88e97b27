"""The `thinktank` command. Every command works on the database DATABASE_URL names (by default
the SQLite file under var/). Unusable arguments exit with code 2 and a message, never a traceback.

Each command imports what it uses when it runs: `thinktank --help`, and a command's `--help`,
load no database library, job queue or analysis."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from core.errors import Invalid, NotFound
from core.roles import Role
from core.settings import Settings, SettingsError

if TYPE_CHECKING:
    from sqlmodel import Session

    from core import accounts


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        fail(str(error))


@contextmanager
def database() -> Iterator[Session]:
    """A session on DATABASE_URL; the engine is closed afterwards (PostgreSQL counts connections)."""
    from core.db import make_engine, session_scope

    engine = make_engine(load_settings().database_url)
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def agency_named(session: Session, slug: str | None) -> accounts.Agency | None:
    """The agency a --agency option names (None without one); an unknown name exits 2."""
    from core import accounts

    if not slug:
        return None
    try:
        return accounts.get_agency(session, slug)
    except NotFound:
        fail(f"no agency with short name {slug!r} (see `thinktank agency list`)")


def explain(invalid: Invalid) -> str:
    return "; ".join(f"{field or 'input'}: {message % invalid.params}" for field, message in invalid.errors.items())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """thinktank: consultations, bills and deliberation in one place."""


@main.command(name="migrate")
def migrate_command() -> None:
    """Bring the database to the latest schema."""
    from core import places
    from core.db import make_engine, migrate, session_scope

    engine = make_engine(load_settings().database_url)
    migrate(engine)
    with session_scope(engine) as session:  # every site has the place list from its first migration
        if not places.has_places(session):
            places.load_places(session)
    engine.dispose()
    click.echo("database is at the latest schema")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Serve the site (migrate first; the Procfile's release step does that in production)."""
    import uvicorn

    uvicorn.run("thinktank.app:app", host=host, port=port, proxy_headers=True)


@main.command()
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
def worker(workers: int) -> None:
    """Run background jobs from the queue, and carry writes to search, until stopped.

    SIGTERM stops it gracefully: no new jobs, JOB_GRACE_SECONDS for the running ones to finish,
    then what is still running goes back to the queue. SIGINT (Ctrl-C) hands them back at once."""
    from huey.consumer import Consumer

    import thinktank.registry  # noqa: F401  (every job handler and search source)
    from core.db import make_engine
    from core.jobs import Queue, Sweeper
    from search import outbox, site

    settings = load_settings()
    engine = make_engine(settings.database_url)
    queue = Queue(settings, engine)
    requeued = queue.sweep()  # the jobs of a worker that was lost before this one started
    if requeued:
        click.echo(f"requeued {requeued} jobs whose worker was lost", err=True)
    Sweeper(queue).start()
    outbox.Drainer(engine, site.backend(settings)).start()
    consumer = Consumer(
        queue.huey,
        workers=workers,
        worker_type="thread",
        graceful_signal="TERM",
        shutdown_timeout=settings.job_grace_seconds,
    )
    consumer.run()
    handed = queue.hand_back()
    if handed:
        click.echo(f"handed {handed} unfinished jobs back to the queue", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Build the demo database and exit.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Build a fresh demo database under var/ and serve it, running jobs in-process."""
    from core.db import make_engine, migrate, session_scope
    from core.jobs import Queue
    from search import outbox, site
    from thinktank import demo as site_demo

    base = load_settings()
    database = base.var_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    settings = replace(base, database_url=f"sqlite:///{database}", base_url=f"http://{host}:{port}")
    engine = make_engine(settings.database_url)
    migrate(engine)
    queue = Queue(settings, engine)
    queue.huey.flush()  # jobs left from an earlier demo point at rows that no longer exist
    with session_scope(engine) as session:
        sign_ins = site_demo.seed(session, settings)
        indexed, took = site_demo.index(session, settings)
    click.echo(f"demo database: {database}; search index: {indexed} documents in {took:.1f} s")
    click.echo(f"sign in with any of these (password: {site_demo.DEMO_PASSWORD}):")
    for email, role in sign_ins:
        click.echo(f"  {role:<18} {email}")
    click.echo("a suggested walk:")
    for who, email, steps in site_demo.WALK:
        click.echo(f"  as {who} ({email}):")
        for path, what in steps:
            click.echo(f"    http://{host}:{port}{path}  {what}")
    if no_serve:
        return
    import uvicorn  # only to serve: --no-serve builds the database without the web stack
    from huey.consumer import Consumer

    from thinktank.app import create_app

    # The consumer's workers are daemon threads of this process; uvicorn then takes over the signals.
    consumer = Consumer(queue.huey, workers=1, worker_type="thread")
    consumer.start()
    outbox.Drainer(engine, site.backend(settings)).start()
    click.echo(f"serving http://{host}:{port}  (Ctrl-C stops)")
    try:
        uvicorn.run(create_app(settings, queue=queue), host=host, port=port, log_level="warning")
    finally:
        consumer.stop(graceful=True)


# --- backups -------------------------------------------------------------------------------------

_force_option = click.option("--force", is_flag=True, help="Replace what is there.")


@main.command(name="backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@_force_option
def backup_command(path: Path, force: bool) -> None:
    """Back up the whole database to PATH (SQLite: safe while the site runs; PostgreSQL: pg_dump)."""
    from core.backup import BackupError, backup

    try:
        backup(load_settings().database_url, path, force)
    except BackupError as error:
        fail(str(error))
    click.echo(f"backed up the database to {path}")


@main.command(name="restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@_force_option
def restore_command(path: Path, force: bool) -> None:
    """Replace the database with the backup in PATH; then run `thinktank search reindex`."""
    from core.backup import BackupError, restore

    try:
        restore(load_settings().database_url, path, force)
    except BackupError as error:
        fail(str(error))
    click.echo(f"restored the database from {path}; rebuild the search index with `thinktank search reindex`")


# --- search -----------------------------------------------------------------------------------


@main.group()
def search() -> None:
    """Rebuild the search index, or search from the command line."""


@search.command(name="reindex")
def search_reindex() -> None:
    """Rebuild the whole search index from the database (the outbox's pending writes included)."""
    import thinktank.registry  # noqa: F401  (every search source)
    from search import outbox, site
    from search.model import SearchUnavailable

    settings = load_settings()
    backend = site.backend(settings)
    with database() as session:
        total = outbox.count_sources(session)
        started = time.perf_counter()
        try:
            with click.progressbar(length=total, label="indexing", file=sys.stderr) as bar:
                count = outbox.reindex(session, backend, bar.update)
        except SearchUnavailable as error:
            click.echo(f"error: search is unavailable: {error}", err=True)
            sys.exit(1)
    click.echo(f"indexed {count} documents in {time.perf_counter() - started:.1f} s")


@search.command(name="query")
@click.argument("text")
@click.option("--kind", help="Only this kind: consultation, article, comment, bill, proposal, post...")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {total, hits: [{kind, id, title, url, snippet}]}.")
def search_query(text: str, kind: str | None, limit: int, as_json: bool) -> None:
    """Search what everyone may see, as an anonymous visitor would."""
    import json

    from search import site
    from search.model import KIND, PUBLIC, Filters, SearchUnavailable
    from search.routes import hit_json

    if not text.strip():
        fail("give the words to search for")
    if len(text) > 200:
        fail("the search is too long (200 characters at most)")
    filters = Filters({PUBLIC}, {KIND: [kind]} if kind else {})
    try:
        results = site.backend(load_settings()).search(text, filters, "relevance", limit, 0, ())
    except SearchUnavailable as error:
        click.echo(f"error: search is unavailable: {error}", err=True)
        sys.exit(1)
    hits = [hit_json(hit) for hit in results.hits]
    if as_json:
        click.echo(json.dumps({"total": results.total, "hits": hits}, ensure_ascii=False))
        return
    click.echo(f"{results.total} found")
    for hit in hits:
        click.echo(f"{hit['kind']:<13} {hit['title']}  {hit['url']}")


# --- users and agencies -------------------------------------------------------------------------


@main.group()
def user() -> None:
    """Manage member accounts."""


@user.command(name="create")
@click.option("--email", required=True)
@click.option("--name", "display_name", help="Public display name (default: the part of the e-mail before @).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Asked for when omitted.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="citizen", show_default=True)
@click.option("--agency", "agency_slug", help="Agency short name, for an agency official.")
def user_create(email: str, display_name: str | None, password: str, role: str, agency_slug: str | None) -> None:
    """Create a member, optionally with a role."""
    from core import accounts

    with database() as session:
        agency = agency_named(session, agency_slug)
        if role == Role.agency_official and agency is None:
            fail("an agency official needs --agency")
        try:
            member = accounts.sign_up(session, email, password, display_name or email.split("@")[0])
            if role != Role.citizen:
                accounts.grant_role(session, member, role, agency=agency)
        except Invalid as invalid:
            session.rollback()
            fail(explain(invalid))
        click.echo(f"created member {member.id} <{member.email}> as {role}")


@main.group()
def agency() -> None:
    """Manage agencies."""


@agency.command(name="create")
@click.option("--slug", required=True, help="Short name used in addresses, e.g. mohw.")
@click.option("--name", required=True, help="Name (Traditional Chinese).")
@click.option("--name-en", default="", help="Name in English.")
def agency_create(slug: str, name: str, name_en: str) -> None:
    """Create an agency."""
    from core import accounts

    with database() as session:
        try:
            created = accounts.create_agency(session, slug, name, name_en)
        except Invalid as invalid:
            fail(explain(invalid))
        click.echo(f"created agency {created.slug}: {created.name}")


@agency.command(name="list")
def agency_list() -> None:
    """List agencies."""
    from core import accounts

    with database() as session:
        for item in accounts.list_agencies(session):
            click.echo(f"{item.slug}\t{item.name}\t{item.name_en}")


# --- comments ------------------------------------------------------------------------------------------


@main.group()
def comments() -> None:
    """Comments received outside the site."""


@comments.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--consultation", "slug", required=True, help="The consultation's address (slug).")
@click.option("--create", is_flag=True, help="Create the consultation (closed, published) if it does not exist.")
@click.option("--title", help="Title for --create.")
@click.option("--agency", "agency_ref", help="Agency short name or name for --create; created if missing.")
@click.option("--text-column", required=True, help="Column holding the comment text.")
@click.option("--id-column", default="", help="Column with the comment's own id (re-imports match on it).")
@click.option("--author-column", default="", help="Column with the author's name.")
@click.option("--article-column", default="", help="Column with the article number (3, 第3條) or heading.")
@click.option("--stance-column", default="", help="Column with support/oppose/neutral/amend (or 支持/反對/中立/修正).")
@click.option(
    "--place-column", default="", help="Column with the author's township: code, name (臺北市大安區) or postal code."
)
def comments_import(
    file: Path,
    slug: str,
    create: bool,
    title: str | None,
    agency_ref: str | None,
    text_column: str,
    id_column: str,
    author_column: str,
    article_column: str,
    stance_column: str,
    place_column: str,
) -> None:
    """Import comments from a CSV file (UTF-8, with or without BOM, or Big5).

    Exit code 0 when every row went in (or was already there), 1 when some rows failed,
    2 for unusable arguments or an unreadable file."""
    from feedback import importing
    from participation import services

    if not file.exists():
        fail(f"no such file: {file}")
    columns = importing.Columns(text_column, id_column, author_column, article_column, stance_column, place_column)
    with database() as session:
        try:
            rows = importing.read_rows(importing.decode(file.read_bytes()), columns)
            try:
                consultation = services.get_consultation(session, slug)
            except NotFound:
                if not create:
                    fail(f"no consultation {slug!r}; add --create --title T --agency A to make it")
                if not title or not agency_ref:
                    fail("--create needs --title and --agency")
                consultation = services.create_imported_consultation(session, slug, title, agency_ref)
            subject = services.subject_of(consultation)
            if len(rows) > 1000 and sys.stderr.isatty():
                with click.progressbar(length=len(rows), label="importing", file=sys.stderr) as bar:
                    report = importing.import_comments(session, subject, rows, columns, bar.update)
            else:
                report = importing.import_comments(session, subject, rows, columns)
        except Invalid as invalid:
            session.rollback()
            fail(explain(invalid))
    for line, reason in report.failed:
        click.echo(f"line {line}: {reason}", err=True)
    click.echo(f"imported {report.imported}, duplicate {report.duplicates}, failed {len(report.failed)}")
    sys.exit(1 if report.failed else 0)


# --- places --------------------------------------------------------------------------------------------


@main.group(name="places")
def places_group() -> None:
    """Counties, townships, constituencies, postal codes and populations."""


@places_group.command(name="load")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def places_load(directory: Path | None) -> None:
    """Load or refresh the place data from DIRECTORY (by default the files shipped in
    core/places_data). Nothing is written unless every file reads cleanly."""
    from core import places

    with database() as session:
        try:
            counts = places.load_places(session, directory or places.DATA_DIR)
        except places.PlaceDataError as error:
            session.rollback()
            fail(str(error))
    click.echo("loaded " + ", ".join(f"{number} {kind}" for kind, number in counts.items()))


# --- bills ---------------------------------------------------------------------------------------------


@main.group()
def bills() -> None:
    """Bills from official data."""


@bills.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ly-api", "ly-bill-doc", "billstatus"]),
    help="Detected from each file when omitted.",
)
def bills_import(paths: tuple[Path, ...], fmt: str | None) -> None:
    """Import LY API records, g0v LY bill documents or BILLSTATUS XML (a folder: every file in it).

    Exit code 0 when everything went in, 1 when some files or records failed, 2 for unusable
    arguments or when nothing could be imported."""
    from sqlalchemy.engine import Engine

    from bills import services
    from core.jobs import Queue

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(f"no such file or folder: {', '.join(missing)}")
    with database() as session:
        total = services.count_records(list(paths))
        if total > 200 and sys.stderr.isatty():
            with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
                report = services.import_paths(session, list(paths), fmt, bar.update)
        else:
            report = services.import_paths(session, list(paths), fmt)
        if report.stage_changes:
            settings = load_settings()
            engine = session.get_bind()
            assert isinstance(engine, Engine)
            queue = Queue(settings, engine)
            services.announce_stage_changes(session, queue, report.stage_changes)
    for where, why in report.failures:
        click.echo(f"{where}: {why}", err=True)
    counts = report.counts
    click.echo(
        f"created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}, "
        f"failed {counts['failed']}"
    )
    if counts["failed"] and not counts["created"] + counts["updated"] + counts["unchanged"]:
        sys.exit(2)
    sys.exit(1 if counts["failed"] else 0)


@bills.command(name="sync")
@click.option("--url", "urls", multiple=True, help="An LY API address returning bill records (default: LY_API_URLS).")
def bills_sync(urls: tuple[str, ...]) -> None:
    """Fetch LY API bill records now and import them; followers hear of stage changes.

    Exit code 0 when all went in, 1 when some failed, 2 when there is nothing to fetch."""
    from sqlalchemy.engine import Engine

    from bills import services
    from core.jobs import Queue

    settings = load_settings()
    targets = list(urls) or list(settings.ly_api_urls)
    if not targets:
        fail("give --url or set LY_API_URLS")
    with database() as session:
        report = services.sync_from(session, targets)
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        services.announce_stage_changes(session, Queue(settings, engine), report.stage_changes)
    for where, why in report.failures:
        click.echo(f"{where}: {why}", err=True)
    counts = report.counts
    click.echo(
        f"created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}, "
        f"failed {counts['failed']}"
    )
    sys.exit(1 if counts["failed"] else 0)


@bills.command(name="list")
@click.option("--stage", help="Only bills at this stage (see /stages).")
@click.option("--source", type=click.Choice(["tw-ly", "us-congress", "manual"]))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def bills_list(stage: str | None, source: str | None, as_json: bool) -> None:
    """List bills, newest action first."""
    import json

    from bills import services, stages

    if stage and stage not in stages.BY_KEY:
        fail(f"unknown stage {stage!r}; one of: {', '.join(stages.BY_KEY)}")
    with database() as session:
        found = services.list_bills(session, stage=stage, source=source)
        if as_json:
            click.echo(json.dumps([services.as_json(session, b) for b in found], ensure_ascii=False, indent=1))
        else:
            for bill in found:
                click.echo(f"{bill.source}\t{bill.number}\t{bill.stage}\t{bill.title}")


# --- analyze: the analysis algorithms straight on a CSV file, without a database ----------------


def _read_analysis_csv(path: Path, text_column: str, id_column: str | None) -> tuple[list[object], list[str]]:
    """(ids, texts) from a CSV file in UTF-8 or Big5. Without an id column, rows are numbered from 1."""
    import csv
    import io

    from core.spreadsheet import restore
    from feedback.importing import decode

    try:
        content = decode(path.read_bytes())
    except OSError as error:
        fail(f"{path}: {error.strerror or error}")
    except Invalid as invalid:
        fail(f"{path}: {explain(invalid)}")
    csv.field_size_limit(10**8)
    reader = csv.DictReader(io.StringIO(content))
    columns = reader.fieldnames or []
    for wanted in (text_column, id_column):
        if wanted is not None and wanted not in columns:
            fail(f"{path}: no column {wanted!r}; the columns are {', '.join(columns) or '(none)'}")
    ids: list[object] = []
    texts: list[str] = []
    seen: set[object] = set()
    try:
        for number, row in enumerate(reader, 1):
            identity: object = restore(row[id_column]) if id_column else number
            if identity in seen:
                fail(f"{path}, line {reader.line_num}: the id {identity!r} appears twice")
            seen.add(identity)
            ids.append(identity)
            texts.append(restore(row[text_column] or ""))
    except csv.Error as error:
        fail(f"{path}, line {reader.line_num}: {error}")
    return ids, texts


@main.group()
def analyze() -> None:
    """Run the analysis on a CSV file, without a database."""


_file_argument = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_text_option = click.option("--text-column", required=True, help="The column holding each comment's text.")
_id_option = click.option("--id-column", help="The column holding each comment's id (default: the row number).")


@analyze.command(name="themes")
@_file_argument
@_text_option
@_id_option
@click.option("--k", "k", type=click.IntRange(1, 200), help="The number of themes (default: chosen by silhouette).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def analyze_themes(file: Path, text_column: str, id_column: str | None, k: int | None, as_json: bool) -> None:
    """Cluster the comments in FILE into themes."""
    import json

    from analysis.themes import Item, find_themes

    ids, texts = _read_analysis_csv(file, text_column, id_column)
    result = find_themes([Item(i, t) for i, t in zip(ids, texts, strict=True)], k=k)
    themes = [
        {"label": t.label, "size": t.size, "members": t.members, "representative": t.representative}
        for t in result.themes
    ]
    if as_json:
        click.echo(json.dumps({"themes": themes, "unthemed": result.unthemed}, ensure_ascii=False))
        return
    how = "chosen by silhouette" if result.automatic else "as asked"
    click.echo(f"{len(texts)} comments, {result.k} themes ({how}), {len(result.unthemed)} without content words")
    for theme in themes:
        click.echo(f"{theme['size']:>7}  {theme['label']}")


@analyze.command(name="campaigns")
@_file_argument
@_text_option
@_id_option
@click.option(
    "--paraphrases",
    is_flag=True,
    help="Also list the paraphrase tier: groups that reword one message, by sentence embeddings (slower).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def analyze_campaigns(file: Path, text_column: str, id_column: str | None, paraphrases: bool, as_json: bool) -> None:
    """Find the form-letter campaigns in FILE."""
    import json

    from analysis.campaigns import Letter, find_campaigns

    ids, texts = _read_analysis_csv(file, text_column, id_column)
    result = find_campaigns([Letter(i, t) for i, t in zip(ids, texts, strict=True)], paraphrases=paraphrases)
    if as_json:
        campaigns = [{"size": c.size, "template": c.template, "members": c.members} for c in result.campaigns]
        found: dict[str, object] = {"campaigns": campaigns, "individual": result.individual}
        if paraphrases:
            found["paraphrases"] = [
                {"size": g.size, "template": g.template, "members": g.members, "campaigns": g.campaigns}
                for g in result.paraphrases
            ]
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    in_campaigns = sum(c.size for c in result.campaigns)
    click.echo(
        f"{len(texts)} comments: {in_campaigns} from {len(result.campaigns)} campaigns"
        f" and {len(result.individual)} individual comments"
    )
    for campaign in result.campaigns:
        click.echo(f"{campaign.size:>7}  {' '.join(campaign.template.split())[:100]}")
    if paraphrases:
        click.echo(f"{len(result.paraphrases)} paraphrase groups (the same message reworded; not campaigns):")
        for group in result.paraphrases:
            joins = f" (joins campaigns {', '.join(str(n + 1) for n in group.campaigns)})" if group.campaigns else ""
            click.echo(f"{group.size:>7}  {' '.join(group.template.split())[:100]}{joins}")


# --- polis: Pol.is export folders ----------------------------------------------------------------


@main.group()
def polis() -> None:
    """Pol.is export folders: compute their opinion groups, or import them as conversations."""


def _read_export(folder: Path):  # type: ignore[no-untyped-def]
    from deliberation.polis import ExportError, read_export

    try:
        return read_export(folder)
    except ExportError as error:
        fail(str(error))


@polis.command(name="groups")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def polis_groups(folder: Path, as_json: bool) -> None:
    """Compute the opinion groups of the export in FOLDER, without a database."""
    import json

    from analysis.opinion import compute

    export = _read_export(folder)
    result = compute(export.votes, statements=export.statements, moderated_out=export.moderated_out)
    consensus = [str(s) for s in result.consensus]
    repness = {str(g): [str(r.statement) for r in picks] for g, picks in result.repness.items()}
    if as_json:
        participants = {str(p): g for p, g in result.groups.items()}
        data = {"k": result.k, "participants": participants, "consensus": consensus, "repness": repness}
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"{export.topic}: {len(export.participants)} participants, {result.k} groups")
    for group in range(result.k):
        size = sum(1 for g in result.groups.values() if g == group)
        click.echo(f"  group {group}: {size} participants; representative: {', '.join(repness[str(group)])}")
    click.echo(f"  consensus: {', '.join(consensus) or '(none)'}")


@polis.command(name="import")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--agency", "agency_slug", help="The agency hosting the conversation (its short name).")
def polis_import(folder: Path, agency_slug: str | None) -> None:
    """Import the Pol.is export in FOLDER as a conversation, with its groups computed."""
    from deliberation import services

    export = _read_export(folder)
    with database() as session:
        agency = agency_named(session, agency_slug)
        try:
            conversation = services.import_export(session, export, agency)
        except Invalid as invalid:
            fail(f"{folder}: {explain(invalid)}")
        opinion = services.compute_map(session, conversation)
        click.echo(
            f"imported {export.topic!r} as /conversations/{conversation.slug}: {len(export.statements)} statements,"
            f" {opinion.votes} votes from {len(export.participants)} participants,"
            f" {services.map_result(opinion)['k']} groups"
        )


from thinktank.poll_cli import polls as polls_group  # noqa: E402  (it uses this module's helpers)

main.add_command(polls_group)
