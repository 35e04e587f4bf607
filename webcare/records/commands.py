"""The `webcare archive` and `webcare retention` commands for the records manager."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from webcare.auth.models import User
from webcare.extensions import db
from webcare.records import services
from webcare.records.archive import export_closed_cases
from webcare.records.retention import RetentionScheduleError, load_schedule


@click.group("archive")
def archive_cli() -> None:
    """Export closed cases for the archive (MDTO)."""


@archive_cli.command("export")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First local day of closing.")
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last local day (inclusive).")
@click.option("--by", "email", help="E-mail address of the records manager the transfer is recorded for.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(first: datetime, last: datetime, email: str | None, directory: Path) -> None:
    """Write an MDTO package (PDF/A, JSON and MDTO XML per case) of the cases closed in the period."""
    if last < first:
        raise click.BadParameter("--to lies before --from")
    by = None
    if email:
        by = db.session.scalar(select(User).where(User.email == email))
        if by is None:
            raise click.BadParameter(f"no user with e-mail address {email}")
    exported = export_closed_cases(first.date(), last.date(), directory, by=by, address="cli")
    click.echo(f"{len(exported)} cases exported to {directory}")


@click.group("retention")
def retention_cli() -> None:
    """Retention: check the schedule, propose a destruction list, pseudonymise."""


@retention_cli.command("check")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(file: Path | None) -> None:
    """Check a retention schedule file (default: the shipped one)."""
    try:
        schedule = load_schedule(file)
    except RetentionScheduleError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(
        f"retention schedule {schedule.version}: {len(schedule.categories)} categories, {len(schedule.rules)} rules"
    )


@retention_cli.command("propose")
@with_appcontext
def propose_command() -> None:
    """Propose a destruction list of the cases whose term has passed (nothing is destroyed)."""
    proposal = services.propose_destruction_list()
    click.echo(
        "no case has passed its term"
        if proposal is None
        else f"destruction list {proposal.id}: {len(proposal.items)} cases, waiting for approval"
    )
