"""The `webcare` subcommands: serving, working, importing, the demo and user and token admin."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webcare import demo
from webcare.auth.models import Role
from webcare.auth.services import UserExists, create_api_token, create_user
from webcare.extensions import db
from webcare.intake.models import DeadLetter
from webcare.intake.services import import_jsonl
from webcare.jobs import install_jobs
from webcare.ops.logs import configure_logging
from webcare.protocol.commands import protocol_cli
from webcare.records.commands import archive_cli, retention_cli
from webcare.reports.commands import report_command
from webcare.roster.commands import roster
from webcare.server import serve
from webcare.worker import run_worker


def _logging() -> None:
    configure_logging()


@click.command("worker")
@click.option("--drain", is_flag=True, help="Process until the queue is empty, then exit.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=None, help="Messages per claimed batch.")
@with_appcontext
def worker_command(drain: bool, batch_size: int | None) -> None:
    """Process the intake queue (claims batches under a lease)."""
    _logging()
    app = current_app._get_current_object()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        totals = run_worker(app, drain=drain, stop=stop, batch_size=batch_size)
    except KeyboardInterrupt:
        return
    click.echo(
        gettext(
            "processed %(processed)d messages in %(batches)d batches (%(failed)d failed)",
            processed=totals.processed,
            batches=totals.batches,
            failed=totals.failed,
        )
    )


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the timed jobs; start exactly one per deployment."""
    _logging()
    scheduler = BlockingScheduler(timezone="UTC")
    install_jobs(current_app._get_current_object(), scheduler)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")), show_default="5000 or $PORT")
@click.option("--threads", type=int, default=8, show_default=True)
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Run web, worker and scheduler in one process (the single-machine default)."""
    _logging()
    serve(current_app._get_current_object(), host=host, port=port, threads=threads)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=False))
@click.option("--batch-size", type=click.IntRange(1, 50_000), default=2000, show_default=True)
@with_appcontext
def import_command(file: Path, batch_size: int) -> None:
    """Import messages from a JSONL file (bad lines go to the dead letter)."""
    try:
        # Large reads: each one releases the GIL, which the reading thread then waits to take back.
        stream = file.open("rb", buffering=1 << 20)
    except OSError as error:
        raise click.ClickException(
            gettext("cannot read %(file)s: %(reason)s", file=file, reason=error.strerror)
        ) from None
    with (
        stream,
        click.progressbar(
            length=file.stat().st_size,
            label=gettext("importing %(file)s", file=file.name),
            file=sys.stderr,
            show_eta=True,
        ) as bar,
    ):
        summary = import_jsonl(stream, source=f"import:{file.name}", batch_size=batch_size, on_progress=bar.update)
    click.echo(
        gettext(
            "%(imported)d imported, %(duplicates)d duplicate, %(rejected)d rejected",
            imported=summary.imported,
            duplicates=summary.duplicates,
            rejected=summary.rejected,
        )
        + (" " + gettext("(see `webcare dead-letters`)") if summary.rejected else "")
    )


@click.command("dead-letters")
@click.option("--limit", type=int, default=20, show_default=True)
@with_appcontext
def dead_letters_command(limit: int) -> None:
    """List the newest dead letters: input that could not be taken in, with the reason."""
    for letter in db.session.scalars(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)):
        preview = letter.raw[:80].decode("utf-8", "replace")
        click.echo(
            f"{letter.id}\t{letter.received_at:%Y-%m-%d %H:%M}\t{letter.source}\t{letter.reference}\t{letter.reason}\t{preview}"
        )


@click.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def user_create(email: str, name: str, roles: tuple[str, ...], password: str) -> None:
    """Create a user with one or more roles."""
    if len(password) < 10:
        raise click.BadParameter(gettext("use at least 10 characters"), param_hint="--password")
    try:
        create_user(email, name, password, {Role(role) for role in roles})
    except UserExists:
        raise click.ClickException(gettext("a user with e-mail %(email)s exists already", email=email)) from None
    click.echo(gettext("created %(email)s (%(roles)s)", email=email, roles=", ".join(roles)))


@click.group("token")
def token_group() -> None:
    """Manage API tokens."""


@token_group.command("create")
@click.argument("name")
@with_appcontext
def token_create(name: str) -> None:
    """Create an API bearer token; it is shown once."""
    try:
        token = create_api_token(name)
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(gettext("a token named %(name)s exists already", name=name)) from None
    click.echo(token)


@click.command("demo")
@click.option("--weeks", type=click.IntRange(1, 52), default=4, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--if-empty", is_flag=True, help="Load messages only when the database holds no cases yet.")
@with_appcontext
def demo_command(weeks: int, seed: int, if_empty: bool) -> None:
    """Load the fictional municipality Lindeburg: accounts, users and weeks of messages."""
    logins = demo.load_demo(weeks=weeks, seed=seed, messages=not (if_empty and demo.has_cases()))
    click.echo(gettext("Demo logins (e-mail / password):"))
    for email, password, roles in logins:
        click.echo(f"  {email:32} {password:20} {roles}")


def register_commands(app: Flask) -> None:
    for command in (
        protocol_cli,
        archive_cli,
        retention_cli,
        report_command,
        roster,
        worker_command,
        scheduler_command,
        serve_command,
        import_command,
        dead_letters_command,
        user_group,
        token_group,
        demo_command,
    ):
        app.cli.add_command(command)
