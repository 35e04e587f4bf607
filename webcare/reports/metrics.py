"""The report metrics, defined once: what each measures, from which columns or events, on which clock.

docs/metrics.md explains every definition here in words; queries.py turns them into SQL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

PERCENTILES = (50, 90, 95)
"""Percentiles reported, in per cent; Excel's PERCENTILE.INC (see `inclusive_percentile`)."""

ESCALATED_EVENT = "escalated"
ASSIGNMENT_EVENTS = ("assigned", "claimed")
REOPENED_EVENT = "reopened"


class Clock(enum.StrEnum):
    CALENDAR = "calendar"
    STAFFED = "staffed"


def interpolation_ranks(percentile: int, count: int) -> tuple[int, int]:
    """The 1-based lower rank and the weight (0–99, in hundredths) of the next rank for PERCENTILE.INC.

    The percentile sits at 0-based position (n − 1) × p / 100 of the sorted values; in integers so no
    engine rounds: the lower rank is ((n − 1) × p div 100) + 1 and the remainder weighs the next value.
    """
    if count <= 0:
        raise ValueError("no values to take a percentile of")
    position, weight = divmod((count - 1) * percentile, 100)
    return position + 1, weight


def interpolate(lower: float, upper: float | None, weight: int) -> float:
    """The value `weight` hundredths of the way from `lower` to `upper`, as statistics.quantiles computes it.

    Rounded to two decimals: exact for whole seconds, whose interpolations have at most two.
    """
    if not weight or upper is None:
        return float(lower)
    return round((lower * (100 - weight) + upper * weight) / 100, 2)


def inclusive_percentile(values: list[float], percentile: int) -> float:
    """Excel's PERCENTIEL.INC / PERCENTILE.INC of `values`: linear interpolation between the two neighbouring ranks."""
    ordered = sorted(values)
    rank, weight = interpolation_ranks(percentile, len(ordered))
    upper = ordered[rank] if rank < len(ordered) else None
    return interpolate(ordered[rank - 1], upper, weight)


class Source(enum.StrEnum):
    """Where a time metric's start and end come from."""

    MAINTAINED = "maintained"  # seconds columns kept on the case when the moment happens
    EVENT = "event"  # first inbound → the first case event of some kinds
    TRIAGE = "triage"  # the first message's received_at → its CaseDecision.decided_at


@dataclass(frozen=True)
class TimeMetric:
    """A duration per case, on the calendar clock and on the staffed clock."""

    key: str
    label: object
    source: Source
    calendar_column: str | None = None
    staffed_column: str | None = None
    event_kinds: tuple[str, ...] = ()


FIRST_RESPONSE = TimeMetric(
    "first_response",
    _l("First response"),
    Source.MAINTAINED,
    calendar_column="first_response_seconds",
    staffed_column="first_response_staffed_seconds",
)
TIME_TO_TRIAGE = TimeMetric("triage", _l("Time to triage"), Source.TRIAGE)
TIME_TO_ASSIGNMENT = TimeMetric(
    "assignment", _l("Time to first assignment"), Source.EVENT, event_kinds=ASSIGNMENT_EVENTS
)
TIME_TO_ESCALATE = TimeMetric("escalation", _l("Time to escalate"), Source.EVENT, event_kinds=(ESCALATED_EVENT,))
RESOLUTION = TimeMetric(
    "resolution",
    _l("Resolution time"),
    Source.MAINTAINED,
    calendar_column="resolution_seconds",
    staffed_column="resolution_staffed_seconds",
)
TIME_METRICS: dict[str, TimeMetric] = {
    metric.key: metric for metric in (FIRST_RESPONSE, TIME_TO_TRIAGE, TIME_TO_ASSIGNMENT, TIME_TO_ESCALATE, RESOLUTION)
}


@dataclass(frozen=True)
class Breakdown:
    """A field cases are grouped by; `label_table` names where the id's display name comes from."""

    key: str
    label: object
    label_table: str | None = None


BREAKDOWNS: dict[str, Breakdown] = {
    breakdown.key: breakdown
    for breakdown in (
        Breakdown("channel", _l("Channel")),
        Breakdown("account", _l("Account"), "accounts"),
        Breakdown("topic", _l("Topic")),
        Breakdown("action", _l("Action")),
        Breakdown("priority", _l("Priority")),
        Breakdown("band", _l("Time band of arrival")),
        Breakdown("hour_of_week", _l("Hour of week")),
        Breakdown("agent", _l("Agent"), "users"),
        Breakdown("team", _l("Team"), "teams"),
        Breakdown("day", _l("Day")),
        Breakdown("week", _l("Week")),
    )
}

BACKLOG_AGE_BUCKETS: tuple[tuple[object, int | None], ...] = (
    (_l("under 1 hour"), 3600),
    (_l("1 to 4 hours"), 4 * 3600),
    (_l("4 to 24 hours"), 24 * 3600),
    (_l("1 to 3 days"), 3 * 24 * 3600),
    (_l("3 days or more"), None),
)
"""Backlog age bands: the upper bound of each in seconds (None: open-ended)."""

TOP_LIMIT = 10


@dataclass(frozen=True)
class Statistics:
    """Count, mean and PERCENTILE.INC percentiles of one metric for one group, in seconds."""

    count: int
    total_seconds: int
    p50: float | None
    p90: float | None
    p95: float | None

    @property
    def mean(self) -> float | None:
        return self.total_seconds / self.count if self.count else None

    def in_minutes(self) -> dict[str, float | int | None]:
        def minutes(value):
            return None if value is None else round(value / 60, 2)

        return {
            "count": self.count,
            "mean": minutes(self.mean),
            "p50": minutes(self.p50),
            "p90": minutes(self.p90),
            "p95": minutes(self.p95),
        }


EMPTY_STATISTICS = Statistics(0, 0, None, None, None)


@dataclass(frozen=True)
class GroupRow:
    """One group of a breakdown: the cases, the norm, and the first-response statistics."""

    key: object
    label: str
    cases: int
    responded: int
    within_norm: int
    breached: int
    replies: int
    reopened: int
    first_response: Statistics

    @property
    def attainment(self) -> float | None:
        """Share of cases with a norm that were answered at or before their due time; None without any."""
        judged = self.within_norm + self.breached
        return self.within_norm / judged if judged else None

    @property
    def replies_per_case(self) -> float | None:
        return self.replies / self.cases if self.cases else None

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.cases if self.cases else None

    def as_json(self) -> dict:
        return {
            "group": self.key if isinstance(self.key, (int, str)) or self.key is None else str(self.key),
            "label": self.label,
            "count": self.cases,
            "responded": self.responded,
            "attainment": None if self.attainment is None else round(self.attainment, 4),
            "within_norm": self.within_norm,
            "breached": self.breached,
            "replies_per_case": None if self.replies_per_case is None else round(self.replies_per_case, 3),
            "reopen_rate": None if self.reopen_rate is None else round(self.reopen_rate, 4),
            "first_response_minutes": self.first_response.in_minutes(),
        }
