"""Exports: the aggregate tables and one row per case, as CSV (streamed) and XLSX (openpyxl, write-only).

Rows are produced once as plain values; each variant formats them (see export_columns.py): the spreadsheet
variant for Dutch Excel, the machine variant for tools.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import format_decimal, format_percent, get_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from webcare.extensions import db
from webcare.labels import label
from webcare.reports.breakdowns import group_rows
from webcare.reports.case_rows import case_rows_statement, within_norm_flag
from webcare.reports.export_columns import GROUP_COLUMNS, WHOLE_PERIOD, Column, Kind, Variant
from webcare.reports.metrics import BREAKDOWNS, GroupRow
from webcare.reports.page import shown_label
from webcare.reports.period import ReportQuery
from webcare.timeutil import as_utc

STREAM_BATCH = 2000
BYTE_ORDER_MARK = "\ufeff"
LOCAL_MOMENT = "%d-%m-%Y %H:%M"
EXCEL_MOMENT = "dd-mm-yyyy hh:mm"
NUMBER_FORMATS = {Kind.SHARE: "0.0%", Kind.MINUTES: "0.00", Kind.RATIO: "0.000", Kind.MOMENT: EXCEL_MOMENT}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def group_columns(by: Sequence[str]) -> list[Column]:
    keys = [Column(key, BREAKDOWNS[key].label, Kind.TEXT) for key in by] or [Column("group", "", Kind.TEXT)]
    return [*keys, *GROUP_COLUMNS]


def group_header(by: Sequence[str]) -> list[str]:
    """The machine keys of a breakdown's columns (the CLI's CSV and table)."""
    return [column.key for column in group_columns(by)]


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def group_values(row: GroupRow, by: Sequence[str], variant: Variant = Variant.MACHINE) -> list:
    """One aggregate row as plain values: the group keys, then the figures (times in minutes, unrounded)."""
    if not by:
        keys = [WHOLE_PERIOD]
    elif len(by) == 1:
        keys = [row.label if variant is Variant.MACHINE else shown_label(by[0], row.key, row.label)]
    else:
        keys = row.label.split(" · ")
        if variant is Variant.SPREADSHEET:
            keys = [shown_label(breakdown, part, text) for breakdown, part, text in zip(by, row.key, keys)]
    statistics = row.first_response
    return [
        *keys,
        row.cases,
        row.responded,
        row.attainment,
        row.within_norm,
        row.breached,
        row.replies_per_case,
        row.reopen_rate,
        _minutes(statistics.mean),
        _minutes(statistics.p50),
        _minutes(statistics.p90),
        _minutes(statistics.p95),
    ]


def group_table(query: ReportQuery, variant: Variant = Variant.MACHINE) -> tuple[list[Column], list[list]]:
    return group_columns(query.by), [group_values(row, query.by, variant) for row in group_rows(query)]


def case_values(query: ReportQuery) -> Iterator[list]:
    """One list per case in the period, fetched from the database in batches (never all at once)."""
    result = db.session.execute(case_rows_statement(query).execution_options(yield_per=STREAM_BATCH))
    for row in result:
        values = [getattr(value, "value", value) for value in row]
        first_response_at, due_at = values[12], values[13]
        # The within-norm flag stands right after the due time, as in CASE_COLUMNS.
        yield [*values[:14], within_norm_flag(first_response_at, due_at, query.now) or None, *values[14:]]


def _machine_text(value, column: Column):
    if isinstance(value, datetime):
        return as_utc(value).isoformat().replace("+00:00", "Z")
    if column.kind is Kind.SHARE:
        return round(value, 4)
    if column.kind is Kind.MINUTES:
        return round(value, 2)
    if column.kind is Kind.RATIO:
        return round(value, 3)
    return value


def _spreadsheet_text(value, column: Column, tz: ZoneInfo):
    if column.kind is Kind.CODE:
        return label(column.labels, value)
    if isinstance(value, datetime):
        return as_utc(value).astimezone(tz).strftime(LOCAL_MOMENT)
    if column.kind is Kind.SHARE:
        return format_percent(value, format="0.00%")
    if column.kind is Kind.MINUTES:
        return format_decimal(value, format="0.00")
    if column.kind is Kind.RATIO:
        return format_decimal(value, format="0.000")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a name or topic must not run as a formula in the spreadsheet
    return value


def _separator() -> str:
    """`;` where the decimal sign is a comma (Dutch Excel's list separator), `,` otherwise."""
    return ";" if get_locale().number_symbols["latn"]["decimal"] == "," else ","


def csv_lines(
    columns: Sequence[Column], rows: Iterable[Sequence], variant: Variant = Variant.MACHINE, tz: ZoneInfo | None = None
) -> Iterator[str]:
    """CSV text chunk by chunk, so a response can stream a large period.

    Machine: comma, no byte-order mark, English keys, codes, ISO 8601 UTC. Spreadsheet: the locale's list
    separator, a byte-order mark so Excel reads UTF-8, translated headers and codes, local times.
    """
    buffer = io.StringIO()
    if variant is Variant.MACHINE:
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([column.key for column in columns])
        shown = _machine_text
    else:
        buffer.write(BYTE_ORDER_MARK)
        writer = csv.writer(buffer, delimiter=_separator(), lineterminator="\r\n")
        writer.writerow([str(column.header) for column in columns])

        def shown(value, column):
            return _spreadsheet_text(value, column, tz)

    for count, row in enumerate(rows, 1):
        writer.writerow(["" if value is None else shown(value, column) for value, column in zip(row, columns)])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_cell(sheet, value, column: Column, variant: Variant, tz: ZoneInfo) -> WriteOnlyCell:
    if column.kind is Kind.CODE and variant is Variant.SPREADSHEET:
        value = label(column.labels, value) if value is not None else None
    elif isinstance(value, datetime):
        moment = as_utc(value)
        value = (moment.astimezone(tz) if variant is Variant.SPREADSHEET else moment).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, never a formula
    if column.kind in NUMBER_FORMATS and value is not None:
        cell.number_format = NUMBER_FORMATS[column.kind]
    return cell


def xlsx_file(
    sheets: Iterable[tuple[str, Sequence[Column], Iterable[Sequence]]], variant: Variant, tz: ZoneInfo
) -> tempfile.SpooledTemporaryFile:
    """A workbook with one sheet per (title, columns, rows): real date and number cells, write-only mode."""
    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append([column.key if variant is Variant.MACHINE else str(column.header) for column in columns])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value, column, variant, tz) for value, column in zip(row, columns)])
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
