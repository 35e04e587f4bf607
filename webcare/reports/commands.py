"""The `webcare report` command: response-time figures per group as JSON, CSV or a table."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click
from flask.cli import with_appcontext

from webcare.reports.breakdowns import group_rows
from webcare.reports.export_columns import Variant
from webcare.reports.exports import csv_lines, group_columns, group_header, group_values
from webcare.reports.metrics import BREAKDOWNS, Clock
from webcare.reports.period import BadReportRequest, Period, ReportQuery


@click.command("report")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First local day.")
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last local day (inclusive).")
@click.option(
    "--by", "by", multiple=True, type=click.Choice(list(BREAKDOWNS)), help="Group by this field (repeatable)."
)
@click.option("--clock", type=click.Choice([clock.value for clock in Clock]), default="calendar", show_default=True)
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "csv", "excel-csv", "table"]),
    default="table",
    show_default=True,
    help="csv: for tools (comma, English keys, codes); excel-csv: for Dutch Excel (semicolon, BOM, decimal commas).",
)
@with_appcontext
def report_command(first: datetime, last: datetime, by: tuple[str, ...], clock: str, output: str) -> None:
    """Print first-response count, attainment, mean and percentiles per group for a period."""
    try:
        query = ReportQuery(Period(first.date(), last.date()), by, Clock(clock))
    except BadReportRequest as problem:
        raise click.BadParameter(str(problem)) from None
    rows = group_rows(query)
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "from": query.period.first.isoformat(),
                    "to": query.period.last.isoformat(),
                    "by": list(by),
                    "clock": query.clock.value,
                    "groups": [row.as_json() for row in rows],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    elif output == "csv":
        for chunk in csv_lines(group_columns(by), (group_values(row, by) for row in rows)):
            sys.stdout.write(chunk)
    elif output == "excel-csv":
        values = (group_values(row, by, Variant.SPREADSHEET) for row in rows)
        for chunk in csv_lines(group_columns(by), values, Variant.SPREADSHEET, query.tz):
            sys.stdout.write(chunk)
    else:
        _table(group_header(by), [_rounded(group_values(row, by)) for row in rows])


def _rounded(values: list) -> list:
    return [round(value, 2) if isinstance(value, float) else value for value in values]


def _table(header: list[str], rows: list[list]) -> None:
    shown = ["group" if index == 0 and not rows else name for index, name in enumerate(header)]
    short = [name.replace("first_response_", "fr_").replace("_minutes", "_min") for name in shown]
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    widths = [
        max(len(short[i]), *(len(row[i]) for row in cells)) if cells else len(short[i]) for i in range(len(short))
    ]
    click.echo("  ".join(name.ljust(widths[i]) for i, name in enumerate(short)))
    for row in cells:
        click.echo(
            "  ".join(
                value.rjust(widths[i]) if i >= len(header) - 11 else value.ljust(widths[i])
                for i, value in enumerate(row)
            )
        )
