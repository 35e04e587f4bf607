"""The `roster` command group: check and preview roster files without a database, import them into one."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext

from webcare.roster.engine import Schedule, ScheduleInterval
from webcare.roster.fileformat import (
    RosterFileError,
    RosterSpec,
    build_schedule,
    load_roster_file,
)
from webcare.roster.importing import NoTeamGiven, import_roster
from webcare.timeutil import wall_clock_to_utc


@click.group("roster")
def roster() -> None:
    """Rosters: check, preview and import roster files."""


def _utc_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _interval_json(interval: ScheduleInterval, schedule: Schedule) -> dict:
    people = sorted(interval.people)
    target = interval.target
    return {
        "start": _utc_text(interval.start),
        "end": _utc_text(interval.end),
        "people": people,
        "names": [
            schedule.people[person_id].name if person_id in schedule.people else person_id for person_id in people
        ],
        "kinds": sorted(interval.kinds),
        "flags": sorted(interval.flags),
        "target": None
        if target is None
        else {
            "minimum_people": target.minimum_people,
            "mandate": [{"level": level, "minimum": count} for level, count in target.mandate_minimums],
        },
    }


def _table(schedule: Schedule) -> str:
    tz = ZoneInfo(schedule.timezone)
    rows = [("from", "to", "people", "kinds", "flags")]
    for interval in schedule.intervals:
        start, end = interval.start.astimezone(tz), interval.end.astimezone(tz)
        end_format = "%H:%M" if end.date() == start.date() else "%a %Y-%m-%d %H:%M"
        names = [
            schedule.people[person_id].name if person_id in schedule.people else person_id
            for person_id in sorted(interval.people)
        ]
        rows.append(
            (
                start.strftime("%a %Y-%m-%d %H:%M %Z"),
                end.strftime(end_format),
                ", ".join(names) or "-",
                ", ".join(sorted(interval.kinds)) or "-",
                ", ".join(sorted(interval.flags)),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return (
        "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4] for row in rows
        ).rstrip()
        + "\n"
    )


def _load(file: Path) -> RosterSpec:
    try:
        return load_roster_file(file)
    except RosterFileError as error:
        raise click.ClickException("the roster file is not valid:\n" + "\n".join(error.problems)) from error


@roster.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(file: Path) -> None:
    """Validate FILE.yaml and say what it holds."""
    roster_spec = _load(file).roster
    click.echo(
        f"{file}: valid: {len(roster_spec.people)} people, {len(roster_spec.rotations)} rotations, "
        f"{len(roster_spec.coverage_rules)} targets, {len(roster_spec.overrides)} overrides, "
        f"{len(roster_spec.fixed_shifts)} fixed shifts, {len(roster_spec.absences)} leave spans"
    )


@roster.command("preview")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "first_day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First local date.")
@click.option("--to", "last_day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last local date (included).")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
def preview(file: Path, first_day: datetime, last_day: datetime, output_format: str) -> None:
    """Print the final schedule of FILE.yaml between two local dates."""
    if last_day < first_day:
        raise click.BadParameter("--to must not precede --from", param_hint="--to")
    spec = _load(file)
    tz = ZoneInfo(spec.roster.timezone)
    start = wall_clock_to_utc(first_day.date(), time(0), tz)
    end = wall_clock_to_utc(last_day.date() + timedelta(days=1), time(0), tz)
    schedule = build_schedule(spec, start, end)
    if output_format == "json":
        click.echo(
            json.dumps(
                [_interval_json(interval, schedule) for interval in schedule.intervals], indent=2, ensure_ascii=False
            )
        )
    else:
        click.echo(_table(schedule), nl=False)


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--team", "team_name", default=None, help="Team to import into (default: the file's `team`, or the only team)."
)
@with_appcontext
def import_command(file: Path, team_name: str | None) -> None:
    """Apply FILE.yaml to a team's roster (importing the same file again changes nothing)."""
    try:
        summary = import_roster(_load(file), team_name=team_name)
    except NoTeamGiven as error:
        raise click.ClickException(str(error)) from None
    if summary.is_unchanged:
        click.echo(f"{file}: roster of team {summary.team} unchanged")
    else:
        click.echo(
            f"{file}: roster of team {summary.team} {'created' if summary.is_new_roster else 'updated'}: "
            f"{summary.added} added, {summary.changed} changed, {summary.removed} removed"
        )
    if summary.unlinked_people:
        click.echo("no user with the e-mail of: " + ", ".join(summary.unlinked_people), err=True)
