"""Count, sum and PERCENTILE.INC percentiles of each time metric, aggregated in the database on either clock.

PostgreSQL computes percentile_cont; SQLite numbers the rows with ROW_NUMBER() and interpolates between
the two neighbouring ranks. No case is loaded into Python: only one row per group comes back.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, case, func, or_, select

from webcare.extensions import db
from webcare.inbox.models import Case, CaseDecision, CaseEvent, Message
from webcare.reports.metrics import EMPTY_STATISTICS, PERCENTILES, TIME_METRICS, Clock, Source, Statistics, TimeMetric
from webcare.reports.period import ReportQuery, is_postgresql, plain_value
from webcare.reports.sql import epoch_seconds, prepare_staffed_intervals, staffed_elapsed


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


def interpolated_percentile(percentile: int, rank, value, count, offset=0) -> ColumnElement:
    """PERCENTILE.INC over ranked rows, as an aggregate: the two neighbouring ranks weighted in hundredths.

    `rank` numbers the rows 1… in value order; the group's values start after `offset` rows (NULLs that
    sort first) and number `count`. Only integers are multiplied, so the one division is the only rounding.
    """
    position = (count - 1) * percentile
    lower = offset + position // 100 + 1
    weight = position % 100
    share = case((rank == lower, value * (100 - weight)), (rank == lower + 1, value * weight), else_=0)
    return func.sum(share) / 100.0


def wanted_ranks(percentile: int, rank, count, offset=0) -> list[ColumnElement[bool]]:
    """The conditions selecting the two rows PERCENTILE.INC interpolates between."""
    lower = offset + (count - 1) * percentile // 100 + 1
    return [rank == lower, rank == lower + 1]


def percentile_seconds(value) -> float | None:
    """A percentile from either engine as seconds; exact values have at most two decimals."""
    return None if value is None else round(float(value), 2)


def _with_joins(statement: Select, joins: list) -> Select:
    for target, condition in joins:
        statement = statement.join(target, condition)
    return statement


def metric_statistics(query: ReportQuery, metric: TimeMetric, clock: Clock | None = None) -> dict[tuple, Statistics]:
    """Count, sum and PERCENTILE.INC p50/p90/p95 of a time metric per group, computed in the database."""
    clock = Clock(clock or query.clock)
    value, joins = _metric_value(query, metric, clock)
    groups = query.group_columns()
    base = _with_joins(select(*groups, value.label("x")).select_from(Case), joins).where(
        query.in_period(), value.is_not(None)
    )
    group_names = [column.name for column in groups]
    if is_postgresql():
        inner = base.subquery("v")
        keys = [inner.c[name] for name in group_names]
        statement = select(
            *keys,
            func.count(inner.c.x),
            func.sum(inner.c.x),
            *(func.percentile_cont(p / 100).within_group(inner.c.x) for p in PERCENTILES),
        ).group_by(*keys)
    else:
        # One sort serves both windows (same partition and order); only the rows at the wanted ranks
        # reach the outer GROUP BY, so it sorts a handful of rows instead of the whole period.
        partition = list(groups) or None
        whole = (None, None)
        ranked = (
            _with_joins(
                select(
                    *groups,
                    value.label("x"),
                    func.row_number().over(partition_by=partition, order_by=value).label("rank"),
                    func.count().over(partition_by=partition, order_by=value, rows=whole).label("n"),
                    func.sum(value).over(partition_by=partition, order_by=value, rows=whole).label("total"),
                ).select_from(Case),
                joins,
            )
            .where(query.in_period(), value.is_not(None))
            .subquery("ranked")
        )
        keys = [ranked.c[name] for name in group_names]
        statement = (
            select(
                *keys,
                func.max(ranked.c.n),
                func.max(ranked.c.total),
                *(interpolated_percentile(p, ranked.c.rank, ranked.c.x, ranked.c.n) for p in PERCENTILES),
            )
            .where(or_(*(wanted for p in PERCENTILES for wanted in wanted_ranks(p, ranked.c.rank, ranked.c.n))))
            .group_by(*keys)
        )
    result = {}
    width = len(group_names)
    for row in db.session.execute(statement):
        key = tuple(plain_value(value) for value in row[:width])
        count, total, *percentiles = row[width:]
        if not count:
            continue
        result[key] = Statistics(int(count), int(total or 0), *(percentile_seconds(p) for p in percentiles))
    return result


def all_metric_statistics(query: ReportQuery) -> dict[str, dict[Clock, Statistics]]:
    """Every time metric over the whole period, on both clocks."""
    whole = ReportQuery(query.period, (), query.clock, query.now)
    return {
        key: {clock: metric_statistics(whole, metric, clock).get((), EMPTY_STATISTICS) for clock in Clock}
        for key, metric in TIME_METRICS.items()
    }
