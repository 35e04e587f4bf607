"""The report queries in one import: callers may import from here or from the module that defines each.

period.py      the request: local-day period, grouping, clock, `now`
statistics.py  count/mean/p50/p90/p95 of every time metric on either clock
breakdowns.py  per-group cases, attainment, breaches, replies, reopens and first response
backlog.py     the active cases now by age
case_rows.py   one row per case for the exports
listening.py   topics, authors, answered versus ignored, sentiment
"""

from webcare.reports.backlog import Backlog, backlog
from webcare.reports.breakdowns import (
    WEEKDAY_ABBREVIATIONS,
    group_labels,
    group_rows,
    hour_of_week_label,
    totals,
)
from webcare.reports.case_rows import case_rows_statement, within_norm_flag
from webcare.reports.period import (
    MAX_PERIOD_DAYS,
    BadReportRequest,
    Period,
    ReportQuery,
    is_postgresql,
    plain_value,
    report_zone,
)
from webcare.reports.statistics import all_metric_statistics, metric_statistics

__all__ = [
    "MAX_PERIOD_DAYS",
    "WEEKDAY_ABBREVIATIONS",
    "Backlog",
    "BadReportRequest",
    "Period",
    "ReportQuery",
    "all_metric_statistics",
    "backlog",
    "case_rows_statement",
    "group_labels",
    "group_rows",
    "hour_of_week_label",
    "is_postgresql",
    "metric_statistics",
    "plain_value",
    "report_zone",
    "totals",
    "within_norm_flag",
]
