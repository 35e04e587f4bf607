"""Exports: the aggregate tables and one row per case, as CSV (streamed) and XLSX (openpyxl, write-only)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from openpyxl import Workbook

from webcare.extensions import db
from webcare.reports.breakdowns import group_rows
from webcare.reports.case_rows import case_rows_statement, within_norm_flag
from webcare.reports.metrics import GroupRow
from webcare.reports.period import ReportQuery
from webcare.timeutil import as_utc

GROUP_COLUMNS = (
    "count",
    "responded",
    "attainment",
    "within_norm",
    "breached",
    "replies_per_case",
    "reopen_rate",
    "first_response_mean_minutes",
    "first_response_p50_minutes",
    "first_response_p90_minutes",
    "first_response_p95_minutes",
)
CASE_COLUMNS = (
    "case_id",
    "channel",
    "account",
    "topic",
    "action",
    "priority",
    "status",
    "arrival_band",
    "arrival_hour_of_week",
    "agent",
    "team",
    "first_inbound_at",
    "first_response_at",
    "first_response_due_at",
    "within_norm",
    "first_response_seconds",
    "first_response_staffed_seconds",
    "escalated_at",
    "resolved_at",
    "resolution_seconds",
    "resolution_staffed_seconds",
    "inbound_messages",
    "outbound_messages",
)
STREAM_BATCH = 2000


def group_header(by: Sequence[str]) -> list[str]:
    return [*(by or ["group"]), *GROUP_COLUMNS]


def group_values(row: GroupRow, by: Sequence[str]) -> list:
    """One aggregate row as plain values: the group keys, then the figures (times in minutes)."""
    if not by:
        keys = ["all"]
    elif len(by) == 1:
        keys = [row.label]
    else:
        keys = row.label.split(" · ")
    minutes = row.first_response.in_minutes()
    return [
        *keys,
        row.cases,
        row.responded,
        None if row.attainment is None else round(row.attainment, 4),
        row.within_norm,
        row.breached,
        None if row.replies_per_case is None else round(row.replies_per_case, 3),
        None if row.reopen_rate is None else round(row.reopen_rate, 4),
        minutes["mean"],
        minutes["p50"],
        minutes["p90"],
        minutes["p95"],
    ]


def group_table(query: ReportQuery) -> tuple[list[str], list[list]]:
    rows = group_rows(query)
    return group_header(query.by), [group_values(row, query.by) for row in rows]


def _iso(value) -> str:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value


def case_values(query: ReportQuery) -> Iterator[list]:
    """One list per case in the period, fetched from the database in batches (never all at once)."""
    result = db.session.execute(case_rows_statement(query).execution_options(yield_per=STREAM_BATCH))
    for row in result:
        values = [getattr(value, "value", value) for value in row]
        (case_id, channel, account, topic, action, priority, status, band, hour, agent, team, first_inbound_at,
         first_response_at, due_at, seconds, staffed, escalated_at, resolved_at, resolution, resolution_staffed,
         inbound, outbound) = values
        yield [
            case_id, channel, account, topic, action, priority, status, band, hour, agent, team,
            _iso(first_inbound_at), _iso(first_response_at), _iso(due_at),
            within_norm_flag(first_response_at, due_at, query.now),
            seconds, staffed, _iso(escalated_at), _iso(resolved_at), resolution, resolution_staffed, inbound, outbound,
        ]


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text chunk by chunk, so a response can stream a large period."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        writer.writerow(["" if value is None else value for value in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> tempfile.SpooledTemporaryFile:
    """A workbook with one sheet per (title, header, rows), written in openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
