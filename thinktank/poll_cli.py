"""`thinktank polls`: count a poll, write a closed poll's ballot file, and verify a ballot file
anyone has downloaded. `verify` needs no database: it recounts from the file alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from core.errors import Invalid, NotFound

# The poll services and the ballot chain are imported by the commands that use them, so that
# `thinktank --help` loads no database library (as in thinktank.cli).


@click.group(name="polls")
def polls() -> None:
    """Polls: tally, export and verify ballot files."""


def _poll(session, slug: str):  # type: ignore[no-untyped-def]
    from deliberation import polls as poll_services
    from thinktank.cli import fail

    try:
        return poll_services.get_poll(session, slug)
    except NotFound:
        fail(f"no poll with address {slug!r}")


@polls.command(name="tally")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help='Print JSON: {"method", "ballots", "results", "rounds"}.')
def tally(slug: str, as_json: bool) -> None:
    """Count the ballots of the poll SLUG as they stand (hidden results too: this is the operator's
    command, on the database itself)."""
    from deliberation import polls as poll_services
    from thinktank.cli import database

    with database() as session:
        result = poll_services.current_tally(session, _poll(session, slug))
    out = {key: result[key] for key in ("method", "ballots", "results", "rounds")}
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(f"{out['method']}: {out['ballots']} ballots")
    for row in out["results"]:
        value = row.get("votes", row.get("final_votes", row.get("sum")))
        click.echo(f"  {row['label']}: {value}")


@polls.command(name="export")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export(slug: str, file: Path) -> None:
    """Write the ballot file of the closed poll SLUG to FILE."""
    from deliberation import poll_results
    from thinktank.cli import database, explain, fail

    with database() as session:
        poll = _poll(session, slug)
        try:
            text = poll_results.ballot_file(session, poll)
        except Invalid as invalid:
            fail(f"{slug}: {explain(invalid)}")
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"{file}: {error.strerror}")
    click.echo(f"wrote {file}: {text.count(chr(10)) - 2} chain entries")


@polls.command(name="verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def verify(file: Path) -> None:
    """Check FILE's hash chain and recount its ballots. Exits 0 when both hold, 1 naming the first
    bad line when they do not, 2 when the file cannot be read."""
    from core import ballots
    from deliberation import polls as poll_services
    from thinktank.cli import fail

    try:
        with file.open("rb") as handle:
            check = ballots.verify_ballot_file(handle, poll_services.tally_header)
    except OSError as error:
        fail(f"{file}: {error.strerror}")
    except ballots.BallotFileError as error:
        fail(f"{file}: {error}")
    if not check.ok:
        click.echo(f"{file}: line {check.bad_line}: {check.reason}", err=True)
        sys.exit(1)
    click.echo(f"{file}: the chain holds and the recount matches: {check.ballots} ballots, head {check.head}")
