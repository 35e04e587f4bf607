"""Erlang C staffing advice: the fewest agents that meet a service level, per interval and per hour of week."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from webcare.roster.engine import CLOSED_DAY, CoverageRule

HourOfWeek = tuple[int, int]
"""(weekday, hour) in local clock time; weekday 0 is Monday."""


@dataclass(frozen=True)
class StaffingAdvice:
    agents: int
    service_level: float
    traffic: float
    """Offered load in Erlangs: arrivals × handling time ÷ interval length."""


def erlang_c(agents: int, traffic: float) -> float:
    """The probability that a contact has to wait, via the stable Erlang B recurrence."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = 1.0
    for servers in range(1, agents + 1):
        blocking = traffic * blocking / (servers + traffic * blocking)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(agents: int, traffic: float, average_handling_time: timedelta, answer_within: timedelta) -> float:
    """The share of contacts answered within `answer_within` with `agents` at work."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    exponent = -(agents - traffic) * answer_within / average_handling_time
    return 1 - erlang_c(agents, traffic) * math.exp(exponent)


def required_agents(
    arrivals: float,
    interval_length: timedelta,
    average_handling_time: timedelta,
    answer_within: timedelta,
    target_service_level: float,
) -> StaffingAdvice:
    """The fewest agents whose service level reaches the target, with the level they achieve."""
    if not 0 < target_service_level < 1:
        raise ValueError("the target service level is a fraction between 0 and 1")
    traffic = arrivals * (average_handling_time / interval_length)
    if traffic <= 0:
        return StaffingAdvice(0, 1.0, 0.0)
    agents = math.floor(traffic) + 1
    while (level := service_level(agents, traffic, average_handling_time, answer_within)) < target_service_level:
        agents += 1
    return StaffingAdvice(agents, level, traffic)


@dataclass(frozen=True)
class SlotStaffing:
    """Staff for one hour of the week: what the workload asks, what the coverage rule asks, and the larger."""

    workload_agents: int
    service_level: float
    minimum_coverage: int

    @property
    def needed(self) -> int:
        return max(self.workload_agents, self.minimum_coverage)


def staffing_per_hour_of_week(
    arrivals_per_hour: Mapping[HourOfWeek, float],
    average_handling_time: timedelta,
    answer_within: timedelta,
    target_service_level: float,
    minimum_coverage: Mapping[HourOfWeek, int] | None = None,
) -> dict[HourOfWeek, SlotStaffing]:
    """Erlang C advice for every hour of the week that has arrivals or a coverage minimum."""
    minimum_coverage = minimum_coverage or {}
    staffing = {}
    for slot in sorted(set(arrivals_per_hour) | set(minimum_coverage)):
        advice = required_agents(
            arrivals_per_hour.get(slot, 0.0),
            timedelta(hours=1),
            average_handling_time,
            answer_within,
            target_service_level,
        )
        staffing[slot] = SlotStaffing(advice.agents, advice.service_level, minimum_coverage.get(slot, 0))
    return staffing


def coverage_by_hour_of_week(rules: Iterable[CoverageRule]) -> dict[HourOfWeek, int]:
    """The minimum people per hour of the week that the coverage rules ask (closing-day rules left out)."""
    minimums: dict[HourOfWeek, int] = {}
    for rule in rules:
        window = rule.window
        end_minutes = window.end.hour * 60 + window.end.minute
        start_minutes = window.start.hour * 60 + window.start.minute
        length = (end_minutes - start_minutes) % (24 * 60) or 24 * 60
        for weekday in window.days - {CLOSED_DAY}:
            first_hour = start_minutes // 60
            last_hour = (start_minutes + length - 1) // 60
            for hour in range(first_hour, last_hour + 1):
                slot = ((weekday + hour // 24) % 7, hour % 24)
                minimums[slot] = max(minimums.get(slot, 0), rule.minimum_people)
    return minimums
