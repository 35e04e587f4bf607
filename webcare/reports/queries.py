"""Report aggregation in the database: grouped counts, attainment and nearest-rank percentiles on both engines.

Nothing here loads cases into Python one by one: every figure is an aggregate computed by SQL over the
period's cases (PostgreSQL: percentile_disc; SQLite: ROW_NUMBER() and COUNT() OVER a partition).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

from webcare.auth.models import Team, User
from webcare.channels.models import Account
from webcare.extensions import db
from webcare.inbox.models import ACTIVE_STATUSES, Case, CaseEvent
from webcare.intake.models import Message
from webcare.protocol.models import CaseDecision
from webcare.reports.metrics import (
    BACKLOG_AGE_BUCKETS,
    BREAKDOWNS,
    EMPTY_STATISTICS,
    PERCENTILES,
    REOPENED_EVENT,
    Clock,
    GroupRow,
    Source,
    Statistics,
    TimeMetric,
    TIME_METRICS,
)
from webcare.reports.sql import epoch_seconds, local_day, prepare_staffed_intervals, staffed_elapsed
from webcare.timeutil import UTC, as_utc, wall_clock_to_utc

MAX_PERIOD_DAYS = 3 * 366


class BadReportRequest(ValueError):
    """A period or breakdown that cannot be reported; the text says why."""


@dataclass(frozen=True)
class Period:
    """Local calendar days `first` through `last` (inclusive); cases count by their first inbound message."""

    first: date
    last: date

    def __post_init__(self):
        if self.last < self.first:
            raise BadReportRequest("the period ends before it starts")
        if (self.last - self.first).days >= MAX_PERIOD_DAYS:
            raise BadReportRequest(f"a period is at most {MAX_PERIOD_DAYS} days")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one, for comparison."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC half-open interval [start, end) of the local days."""
        return (
            wall_clock_to_utc(self.first, time(0), tz),
            wall_clock_to_utc(self.last + timedelta(days=1), time(0), tz),
        )

    def __str__(self) -> str:
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def report_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["WEBCARE_TIMEZONE"])


def _is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@dataclass
class ReportQuery:
    """One report request: the period, the grouping, the clock and `now` (for breaches and the backlog)."""

    period: Period
    by: Sequence[str] = ()
    clock: Clock = Clock.CALENDAR
    now: datetime | None = None

    def __post_init__(self):
        unknown = [key for key in self.by if key not in BREAKDOWNS]
        if unknown:
            raise BadReportRequest(f"unknown breakdown {', '.join(unknown)}; choose from {', '.join(BREAKDOWNS)}")
        self.clock = Clock(self.clock)
        self.tz = report_zone()
        self.start, self.end = self.period.bounds(self.tz)
        self.now = as_utc(self.now) if self.now else datetime.now(UTC)

    def in_period(self) -> ColumnElement[bool]:
        return and_(Case.first_inbound_at >= self.start, Case.first_inbound_at < self.end)

    def group_columns(self) -> list[ColumnElement]:
        columns = []
        for index, key in enumerate(self.by):
            columns.append(self._group_expression(key).label(f"g{index}"))
        return columns

    def _group_expression(self, key: str) -> ColumnElement:
        simple = {
            "channel": Case.channel,
            "account": Case.account_id,
            "topic": Case.topic,
            "action": Case.action,
            "priority": Case.priority,
            "band": Case.arrival_band,
            "hour_of_week": Case.arrival_hour_of_week,
            "agent": Case.owner_id,
            "team": Case.team_id,
        }
        if key in simple:
            return simple[key]
        return local_day(Case.first_inbound_at, self.tz, self.start, self.end, week=key == "week")


def _metric_value(query: ReportQuery, metric: TimeMetric, clock: Clock) -> tuple[ColumnElement, list]:
    """The per-case duration in seconds as an SQL expression, and the joins it needs."""
    if metric.source is Source.MAINTAINED:
        column = metric.staffed_column if clock is Clock.STAFFED else metric.calendar_column
        return getattr(Case, column), []
    if metric.source is Source.EVENT:
        first_event = (
            select(CaseEvent.case_id.label("case_id"), func.min(CaseEvent.at).label("at"))
            .where(CaseEvent.kind.in_(metric.event_kinds))
            .group_by(CaseEvent.case_id)
            .subquery(f"first_{metric.key}")
        )
        start, end, joins = Case.first_inbound_at, first_event.c.at, [(first_event, first_event.c.case_id == Case.id)]
    else:
        first_decision = (
            select(CaseDecision.case_id.label("case_id"), func.min(CaseDecision.id).label("id"))
            .group_by(CaseDecision.case_id)
            .subquery("first_decision")
        )
        decision = CaseDecision.__table__.alias("triage_decision")
        message = Message.__table__.alias("triage_message")
        start, end = message.c.received_at, decision.c.decided_at
        joins = [
            (first_decision, first_decision.c.case_id == Case.id),
            (decision, decision.c.id == first_decision.c.id),
            (message, message.c.id == decision.c.message_id),
        ]
    if clock is Clock.STAFFED:
        prepare_staffed_intervals(query.start, max(query.end, query.now))
        difference = staffed_elapsed(epoch_seconds(end)) - staffed_elapsed(epoch_seconds(start))
    else:
        difference = epoch_seconds(end) - epoch_seconds(start)
    return case((difference < 0, 0), else_=difference), joins


def _with_joins(statement: Select, joins: list) -> Select:
    for target, condition in joins:
        statement = statement.join(target, condition)
    return statement


def metric_statistics(query: ReportQuery, metric: TimeMetric, clock: Clock | None = None) -> dict[tuple, Statistics]:
    """Count, sum and nearest-rank p50/p90/p95 of a time metric per group, computed in the database."""
    clock = Clock(clock or query.clock)
    value, joins = _metric_value(query, metric, clock)
    groups = query.group_columns()
    base = _with_joins(select(*groups, value.label("x")).select_from(Case), joins).where(
        query.in_period(), value.is_not(None)
    )
    group_names = [column.name for column in groups]
    if _is_postgresql():
        inner = base.subquery("v")
        keys = [inner.c[name] for name in group_names]
        statement = select(
            *keys,
            func.count(inner.c.x),
            func.sum(inner.c.x),
            *(func.percentile_disc(p / 100).within_group(inner.c.x) for p in PERCENTILES),
        ).group_by(*keys)
    else:
        # One sort serves both windows (same partition and order); only the rows at the wanted ranks
        # reach the outer GROUP BY, so it sorts a handful of rows instead of the whole period.
        partition = list(groups) or None
        whole = (None, None)
        ranked = _with_joins(
            select(
                *groups,
                value.label("x"),
                func.row_number().over(partition_by=partition, order_by=value).label("rank"),
                func.count().over(partition_by=partition, order_by=value, rows=whole).label("n"),
                func.sum(value).over(partition_by=partition, order_by=value, rows=whole).label("total"),
            ).select_from(Case),
            joins,
        ).where(query.in_period(), value.is_not(None)).subquery("ranked")
        keys = [ranked.c[name] for name in group_names]
        wanted = [(ranked.c.n * p + 99) // 100 for p in PERCENTILES]
        statement = (
            select(
                *keys,
                func.max(ranked.c.n),
                func.max(ranked.c.total),
                *(func.max(case((ranked.c.rank == rank, ranked.c.x))) for rank in wanted),
            )
            .where(or_(*(ranked.c.rank == rank for rank in wanted)))
            .group_by(*keys)
        )
    result = {}
    width = len(group_names)
    for row in db.session.execute(statement):
        key = tuple(plain_value(value) for value in row[:width])
        count, total, *percentiles = row[width:]
        if not count:
            continue
        result[key] = Statistics(int(count), int(total or 0), *(None if p is None else int(p) for p in percentiles))
    return result


def plain_value(value):
    return value.value if hasattr(value, "value") else value


def _breached(query: ReportQuery) -> ColumnElement[bool]:
    return and_(
        Case.first_response_due_at.is_not(None),
        or_(
            Case.first_response_at > Case.first_response_due_at,
            and_(Case.first_response_at.is_(None), Case.first_response_due_at < query.now),
        ),
    )


def _within_norm() -> ColumnElement[bool]:
    return and_(Case.first_response_due_at.is_not(None), Case.first_response_at <= Case.first_response_due_at)


def _reopened_cases():
    return select(CaseEvent.case_id).where(CaseEvent.kind == REOPENED_EVENT)


def _group_figures(query: ReportQuery) -> dict[tuple, tuple]:
    """Per group, in one pass over the period's cases: cases, answered, within norm, breached, replies,
    reopened, and count/sum/p50/p90/p95 of the first response on the query's clock."""
    groups = query.group_columns()
    value = getattr(Case, TIME_METRICS["first_response"].staffed_column if query.clock is Clock.STAFFED
                    else TIME_METRICS["first_response"].calendar_column)
    flags = (
        case((_within_norm(), 1), else_=0),
        case((_breached(query), 1), else_=0),
        Case.outbound_count,
        case((Case.id.in_(_reopened_cases()), 1), else_=0),
    )
    width = len(groups)
    if _is_postgresql():
        statement = select(
            *groups,
            func.count(),
            func.count(value),
            *(func.sum(flag) for flag in flags),
            func.sum(value),
            *(func.percentile_disc(p / 100).within_group(value) for p in PERCENTILES),
        ).where(query.in_period())
        if groups:
            statement = statement.group_by(*groups)
    else:
        # One sort by (group, value) serves every window; NULL values (not answered) sort first, so the
        # nearest-rank row of the answered ones sits after the group's unanswered cases.
        partition = list(groups) or None
        whole = (None, None)

        def over(function):
            return function.over(partition_by=partition, order_by=value, rows=whole)

        ranked = (
            select(
                *groups,
                value.label("x"),
                func.row_number().over(partition_by=partition, order_by=value).label("rank"),
                over(func.count()).label("cases"),
                over(func.count(value)).label("answered"),
                *(over(func.sum(flag)).label(f"f{index}") for index, flag in enumerate(flags)),
                over(func.sum(value)).label("total"),
            )
            .where(query.in_period())
            .subquery("ranked")
        )
        keys = [ranked.c[column.name] for column in groups]
        unanswered = ranked.c.cases - ranked.c.answered
        wanted = [unanswered + (ranked.c.answered * p + 99) // 100 for p in PERCENTILES]
        statement = select(
            *keys,
            func.max(ranked.c.cases),
            func.max(ranked.c.answered),
            *(func.max(ranked.c[f"f{index}"]) for index in range(len(flags))),
            func.max(ranked.c.total),
            *(func.max(case((and_(ranked.c.answered > 0, ranked.c.rank == rank), ranked.c.x))) for rank in wanted),
        ).where(or_(ranked.c.rank == 1, *(ranked.c.rank == rank for rank in wanted)))
        if keys:
            statement = statement.group_by(*keys)
    figures = {}
    for row in db.session.execute(statement):
        if not row[width]:
            continue
        figures[tuple(plain_value(v) for v in row[:width])] = row[width:]
    return figures


def group_rows(query: ReportQuery) -> list[GroupRow]:
    """Per group: cases, responded, within the norm, breached, replies, reopened, first-response statistics."""
    figures = _group_figures(query)
    width = len(query.by)
    labels = group_labels(query.by, figures.keys())
    rows = []
    for key in sorted(figures, key=_sort_key):
        cases, answered, within, breached, replies, reopened, total, *percentiles = figures[key]
        statistics = (
            Statistics(int(answered), int(total or 0), *(None if p is None else int(p) for p in percentiles))
            if answered
            else EMPTY_STATISTICS
        )
        rows.append(
            GroupRow(
                key=key[0] if width == 1 else (key if width else None),
                label=" · ".join(labels[index].get(part, _default_label(part)) for index, part in enumerate(key)),
                cases=int(cases),
                responded=int(answered),
                within_norm=int(within or 0),
                breached=int(breached or 0),
                replies=int(replies or 0),
                reopened=int(reopened or 0),
                first_response=statistics,
            )
        )
    return rows


def _sort_key(key: tuple):
    return tuple((part is None, str(part) if not isinstance(part, int) else f"{part:012d}") for part in key)


def _default_label(value) -> str:
    from flask_babel import gettext

    return gettext("(none)") if value is None else str(value)


def group_labels(by: Sequence[str], keys) -> list[dict]:
    """Display names for id-valued breakdowns (account, agent, team), fetched for the ids present only."""
    labels: list[dict] = []
    keys = list(keys)
    for index, breakdown in enumerate(by):
        ids = {key[index] for key in keys if key[index] is not None}
        table = BREAKDOWNS[breakdown].label_table
        names: dict = {}
        if table and ids:
            model = {"accounts": Account, "users": User, "teams": Team}[table]
            names = dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())
        elif breakdown == "hour_of_week":
            names = {hour: hour_of_week_label(hour) for hour in ids}
        labels.append(names)
    return labels


WEEKDAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def hour_of_week_label(hour: int) -> str:
    return f"{WEEKDAY_ABBREVIATIONS[hour // 24]} {hour % 24:02d}:00"


def totals(query: ReportQuery) -> GroupRow:
    """The whole period as one group."""
    whole = ReportQuery(query.period, (), query.clock, query.now)
    rows = group_rows(whole)
    if rows:
        return rows[0]
    return GroupRow(None, "", 0, 0, 0, 0, 0, 0, EMPTY_STATISTICS)


def all_metric_statistics(query: ReportQuery) -> dict[str, dict[Clock, Statistics]]:
    """Every time metric over the whole period, on both clocks."""
    whole = ReportQuery(query.period, (), query.clock, query.now)
    return {
        key: {clock: metric_statistics(whole, metric, clock).get((), EMPTY_STATISTICS) for clock in Clock}
        for key, metric in TIME_METRICS.items()
    }


@dataclass(frozen=True)
class Backlog:
    total: int
    overdue: int
    oldest_seconds: int | None
    by_age: list[tuple[str, int]]


def backlog(now: datetime) -> Backlog:
    """The active cases now, by age since their first inbound message, and how many are past due."""
    now = as_utc(now)
    age = literal(int(now.timestamp()), BigInteger) - epoch_seconds(Case.first_inbound_at)
    whens = []
    for index, (_, upper) in enumerate(BACKLOG_AGE_BUCKETS):
        if upper is not None:
            whens.append((age < upper, index))
    bucket = case(*whens, else_=len(BACKLOG_AGE_BUCKETS) - 1)
    active = Case.status.in_(ACTIVE_STATUSES)
    by_bucket = dict(
        db.session.execute(select(bucket, func.count()).where(active, Case.first_inbound_at.is_not(None)).group_by(bucket)).all()
    )
    overdue, oldest = db.session.execute(
        select(
            func.count(Case.first_response_due_at).filter(
                Case.first_response_at.is_(None), Case.first_response_due_at < now
            ),
            func.max(age),
        ).where(active)
    ).one()
    by_age = [(name, int(by_bucket.get(index, 0))) for index, (name, _) in enumerate(BACKLOG_AGE_BUCKETS)]
    return Backlog(sum(count for _, count in by_age), int(overdue or 0), None if oldest is None else int(oldest), by_age)


def case_rows_statement(query: ReportQuery) -> Select:
    """One row per case in the period, with display names, for the case export (streamed by the caller)."""
    escalation = (
        select(CaseEvent.case_id.label("case_id"), func.min(CaseEvent.at).label("at"))
        .where(CaseEvent.kind == "escalated")
        .group_by(CaseEvent.case_id)
        .subquery("first_escalation")
    )
    return (
        select(
            Case.id,
            Case.channel,
            Account.name.label("account"),
            Case.topic,
            Case.action,
            Case.priority,
            Case.status,
            Case.arrival_band,
            Case.arrival_hour_of_week,
            User.name.label("agent"),
            Team.name.label("team"),
            Case.first_inbound_at,
            Case.first_response_at,
            Case.first_response_due_at,
            Case.first_response_seconds,
            Case.first_response_staffed_seconds,
            escalation.c.at.label("escalated_at"),
            Case.resolved_at,
            Case.resolution_seconds,
            Case.resolution_staffed_seconds,
            Case.inbound_count,
            Case.outbound_count,
        )
        .join(Account, Account.id == Case.account_id)
        .outerjoin(User, User.id == Case.owner_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(escalation, escalation.c.case_id == Case.id)
        .where(query.in_period())
        .order_by(Case.first_inbound_at, Case.id)
    )


def within_norm_flag(first_response_at, due_at, now: datetime) -> str:
    """'yes', 'no' or '' (no norm, or still within time) for one exported case."""
    if due_at is None:
        return ""
    if first_response_at is not None:
        return "yes" if as_utc(first_response_at) <= as_utc(due_at) else "no"
    return "no" if as_utc(due_at) < now else ""
