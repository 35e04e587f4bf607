"""What the reports page shows, gathered from the queries: tables, chart data and the heatmaps."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import gettext as _

from webcare import labels
from webcare.formatting import weekday_name
from webcare.reports.backlog import Backlog, backlog
from webcare.reports.breakdowns import group_rows, totals
from webcare.reports.listening import (
    AuthorRow,
    SentimentDay,
    answered_versus_ignored,
    authors,
    sentiment_trend,
    top_topics,
    topic_trend,
)
from webcare.reports.metrics import TIME_METRICS, Clock, GroupRow, Statistics, TimeMetric
from webcare.reports.period import ReportQuery
from webcare.reports.statistics import all_metric_statistics

HEAT_LEVELS = 5
VALUE_LABELS = {
    "channel": labels.CHANNELS,
    "band": labels.BANDS,
    "action": labels.ACTIONS,
    "priority": labels.PRIORITIES,
}
"""Names the page and the spreadsheet exports show for stored values; machine exports keep the stored values."""


def shown_label(breakdown: str, key, label: str) -> str:
    """The page's name for one group: a translated name for coded values, the weekday and hour for an hour of week."""
    if key is None or isinstance(key, tuple):
        return label
    if breakdown == "hour_of_week":
        return f"{weekday_name(key // 24)} {key % 24:02d}:00"
    return str(VALUE_LABELS.get(breakdown, {}).get(key, label))


def _shown(rows: list[GroupRow], breakdown: str) -> list[GroupRow]:
    return [replace(row, label=shown_label(breakdown, row.key, row.label)) for row in rows]


@dataclass(frozen=True)
class HeatCell:
    value: float | int | None
    level: int
    digits: int = 0


@dataclass(frozen=True)
class Heatmap:
    title: str
    unit: str
    rows: list[tuple[str, list[HeatCell]]]


@dataclass(frozen=True)
class ReportPage:
    current: GroupRow
    previous: GroupRow
    metrics: list[tuple[TimeMetric, dict[Clock, Statistics]]]
    by_priority: list[GroupRow]
    breakdown: list[GroupRow]
    by_day: list[GroupRow]
    by_week: list[GroupRow]
    volume_heatmap: Heatmap
    response_heatmap: Heatmap
    backlog: Backlog
    topics: list[tuple[str, int, int]]
    topic_weeks: list[tuple[str, list[int]]]
    active_authors: list[AuthorRow]
    influential_authors: list[AuthorRow]
    outcomes: dict[str, int]
    sentiment: list[SentimentDay]
    trend_chart: dict
    attainment_chart: dict


def _level(value, highest) -> int:
    if value is None or not highest:
        return 0
    return max(1, min(HEAT_LEVELS, -(-value * HEAT_LEVELS // highest)))


def _heatmap(rows: list[GroupRow], title: str, unit: str, value, digits: int = 0) -> Heatmap:
    by_hour = {row.key: value(row) for row in rows if row.key is not None}
    highest = max((v for v in by_hour.values() if v is not None), default=0)
    table = []
    for weekday in range(7):
        cells = []
        for hour in range(24):
            found = by_hour.get(weekday * 24 + hour)
            cells.append(HeatCell(found, _level(found, highest), digits))
        table.append((weekday_name(weekday), cells))
    return Heatmap(title, unit, table)


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def report_page(query: ReportQuery) -> ReportPage:
    """Everything the page shows for one period, clock and breakdown."""
    previous_query = ReportQuery(query.period.previous(), (), query.clock, query.now)
    by_day = group_rows(ReportQuery(query.period, ["day"], query.clock, query.now))
    by_priority = _shown(group_rows(ReportQuery(query.period, ["priority"], query.clock, query.now)), "priority")
    by_hour = group_rows(ReportQuery(query.period, ["hour_of_week"], query.clock, query.now))
    statistics = all_metric_statistics(query)
    topics = top_topics(query)
    trend = topic_trend(query, [topic for topic, _, _ in topics[:5]])
    topic_weeks = [
        (week, [counts.get(topic, 0) for topic, _, _ in topics[:5]]) for week, counts in sorted(trend.items())
    ]
    return ReportPage(
        current=totals(query),
        previous=totals(previous_query),
        metrics=[(metric, statistics[key]) for key, metric in TIME_METRICS.items()],
        by_priority=by_priority,
        breakdown=_shown(group_rows(query), query.by[0]) if query.by else [],
        by_day=by_day,
        by_week=group_rows(ReportQuery(query.period, ["week"], query.clock, query.now)),
        volume_heatmap=_heatmap(by_hour, _("Cases by hour of week"), _("cases"), lambda row: row.cases),
        response_heatmap=_heatmap(
            by_hour,
            _("Median first response by hour of week"),
            _("minutes"),
            lambda row: _minutes(row.first_response.p50),
            digits=1,
        ),
        backlog=backlog(query.now),
        topics=topics,
        topic_weeks=topic_weeks,
        active_authors=authors(query, order="messages"),
        influential_authors=authors(query, order="reach"),
        outcomes=answered_versus_ignored(query),
        sentiment=sentiment_trend(query),
        trend_chart={
            "type": "line",
            "labels": [row.label for row in by_day],
            "datasets": [
                {"label": _("Cases"), "data": [row.cases for row in by_day], "yAxisID": "y"},
                {
                    "label": _("Median first response (minutes)"),
                    "data": [_minutes(row.first_response.p50) for row in by_day],
                    "yAxisID": "y1",
                },
            ],
        },
        attainment_chart={
            "type": "bar",
            "labels": [row.label for row in by_priority],
            "datasets": [
                {
                    "label": _("Attainment (%)"),
                    "data": [None if row.attainment is None else round(row.attainment * 100, 1) for row in by_priority],
                }
            ],
        },
    )
