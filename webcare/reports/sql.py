"""SQL pieces the reports share: whole epoch seconds, local days, and the staffed clock as a temporary table."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from webcare.extensions import db
from webcare.inbox.timing import staffed_clock
from webcare.timeutil import UTC, as_utc, merge_intervals


class epoch_seconds(FunctionElement):
    """Whole seconds since 1970 of a UTC timestamp column, the same integer on both engines."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return f"unixepoch({compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    return f"CAST(floor(extract(epoch FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


class local_day(FunctionElement):
    """The local calendar day ('YYYY-MM-DD') of a UTC timestamp; SQLite gets the offsets as a CASE."""

    inherit_cache = False

    def __init__(self, column, tz: ZoneInfo, start: datetime, end: datetime, week: bool = False):
        self.tz = tz
        self.start = start
        self.end = end
        self.week = week
        super().__init__(column)


def utc_offset_changes(tz: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(from this UTC instant, offset in minutes) pieces covering [start, end), found hour by hour."""
    moment = as_utc(start).replace(minute=0, second=0, microsecond=0)
    pieces: list[tuple[datetime, int]] = []
    while moment < end + timedelta(hours=1):
        offset = int(moment.astimezone(tz).utcoffset().total_seconds() // 60)
        if not pieces or pieces[-1][1] != offset:
            pieces.append((moment, offset))
        moment += timedelta(hours=1)
    return pieces


@compiles(local_day, "postgresql")
def _local_day_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    local = f"({column} AT TIME ZONE '{element.tz.key}')"
    if element.week:
        local = f"date_trunc('week', {local})"
    return f"to_char({local}, 'YYYY-MM-DD')"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    pieces = utc_offset_changes(element.tz, element.start - timedelta(days=1), element.end + timedelta(days=1))
    whens = " ".join(
        f"WHEN {column} < '{following[0]:%Y-%m-%d %H:%M:%S}' THEN '{offset:+d} minutes'"
        for (_, offset), following in zip(pieces, pieces[1:])
    )
    modifier = f"CASE {whens} ELSE '{pieces[-1][1]:+d} minutes' END" if whens else f"'{pieces[-1][1]:+d} minutes'"
    week = ", 'weekday 0', '-6 days'" if element.week else ""
    return f"date({column}, {modifier}{week})"


STAFFED_TABLE = "report_staffed_intervals"


def prepare_staffed_intervals(start: datetime, end: datetime) -> None:
    """Fill a per-connection temporary table with the staffed intervals and the staffed seconds before each.

    The intervals are those of webcare.inbox.timing.staffed_clock, so durations computed in SQL from it
    equal the clock's (to the whole second).
    """
    intervals = []
    for year in range(start.year, end.year + 1):
        moment = datetime(year, 7, 1, tzinfo=UTC)
        intervals.extend(staffed_clock(moment, moment).intervals)
    rows, before = [], 0
    for interval in merge_intervals(intervals):
        start_epoch, end_epoch = int(interval.start.timestamp()), int(interval.end.timestamp())
        rows.append({"start_epoch": start_epoch, "end_epoch": end_epoch, "before_seconds": before})
        before += end_epoch - start_epoch
    session = db.session
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAFFED_TABLE} "
            "(start_epoch BIGINT PRIMARY KEY, end_epoch BIGINT NOT NULL, before_seconds BIGINT NOT NULL)"
        )
    )
    session.execute(text(f"DELETE FROM {STAFFED_TABLE}"))
    if rows:
        session.execute(
            text(
                f"INSERT INTO {STAFFED_TABLE} (start_epoch, end_epoch, before_seconds) VALUES (:start_epoch, :end_epoch, :before_seconds)"
            ),
            rows,
        )


class staffed_elapsed(FunctionElement):
    """Staffed seconds from the first staffed interval up to an epoch moment: one indexed lookup per value."""

    type = BigInteger()
    inherit_cache = True


@compiles(staffed_elapsed)
def _staffed_elapsed_sql(element, compiler, **kw):
    moment = f"({compiler.process(element.clauses, **kw)})"
    return (
        f"COALESCE((SELECT s.before_seconds + CASE WHEN {moment} < s.end_epoch THEN {moment} ELSE s.end_epoch END"
        f" - s.start_epoch FROM {STAFFED_TABLE} s WHERE s.start_epoch <= {moment}"
        " ORDER BY s.start_epoch DESC LIMIT 1), 0)"
    )
