"""Report figures per group of a breakdown: cases, norm attainment, breaches, replies, reopens and first response.

One pass over the period's cases per breakdown, aggregated in the database (see statistics.py for how the
percentiles are picked on each engine).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from webcare.accounts.models import Account
from webcare.auth.models import Team, User
from webcare.extensions import db
from webcare.inbox.models import Case, CaseEvent
from webcare.reports.metrics import (
    BREAKDOWNS,
    EMPTY_STATISTICS,
    PERCENTILES,
    REOPENED_EVENT,
    TIME_METRICS,
    Clock,
    GroupRow,
    Statistics,
)
from webcare.reports.period import ReportQuery, is_postgresql, plain_value
from webcare.reports.statistics import interpolated_percentile, percentile_seconds, wanted_ranks


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
    value = getattr(
        Case,
        TIME_METRICS["first_response"].staffed_column
        if query.clock is Clock.STAFFED
        else TIME_METRICS["first_response"].calendar_column,
    )
    flags = (
        case((_within_norm(), 1), else_=0),
        case((_breached(query), 1), else_=0),
        Case.outbound_count,
        case((Case.id.in_(_reopened_cases()), 1), else_=0),
    )
    width = len(groups)
    if is_postgresql():
        statement = select(
            *groups,
            func.count(),
            func.count(value),
            *(func.sum(flag) for flag in flags),
            func.sum(value),
            *(func.percentile_cont(p / 100).within_group(value) for p in PERCENTILES),
        ).where(query.in_period())
        if groups:
            statement = statement.group_by(*groups)
    else:
        # One sort by (group, value) serves every window; NULL values (not answered) sort first, so the
        # ranks of the answered ones sit after the group's unanswered cases.
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
        percentiles = [
            interpolated_percentile(p, ranked.c.rank, ranked.c.x, ranked.c.answered, offset=unanswered)
            for p in PERCENTILES
        ]
        wanted = [
            condition
            for p in PERCENTILES
            for condition in wanted_ranks(p, ranked.c.rank, ranked.c.answered, offset=unanswered)
        ]
        statement = select(
            *keys,
            func.max(ranked.c.cases),
            func.max(ranked.c.answered),
            *(func.max(ranked.c[f"f{index}"]) for index in range(len(flags))),
            func.max(ranked.c.total),
            *(case((func.max(ranked.c.answered) > 0, percentile)) for percentile in percentiles),
        ).where(or_(ranked.c.rank == 1, *wanted))
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
            Statistics(int(answered), int(total or 0), *(percentile_seconds(p) for p in percentiles))
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
