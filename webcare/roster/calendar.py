"""Closing days: Dutch public holidays (from `holidays`, in Dutch) with the organisation's own choices."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import holidays

GOOD_FRIDAY = "Goede vrijdag"
LIBERATION_DAY = "Bevrijdingsdag"


class LiberationDay(enum.StrEnum):
    YEARLY = "yearly"
    LUSTRUM = "lustrum"
    """Only in years divisible by five (2025, 2030, ...), as most collective agreements have it."""
    NEVER = "never"


@dataclass(frozen=True)
class ClosingDay:
    day: date
    name: str


@dataclass(frozen=True)
class ClosingPolicy:
    """Which days the organisation is closed: public holidays with these choices, plus its own days.

    `public_holidays` limits the other public holidays to these Dutch names (None: all of them).
    """

    good_friday_closed: bool = True
    liberation_day: LiberationDay = LiberationDay.LUSTRUM
    extra_days: tuple[ClosingDay, ...] = ()
    public_holidays: frozenset[str] | None = None


def _is_closed_on(name: str, policy: ClosingPolicy) -> bool:
    if name == GOOD_FRIDAY:
        return policy.good_friday_closed
    if name == LIBERATION_DAY:
        return policy.liberation_day is not LiberationDay.NEVER
    return policy.public_holidays is None or name in policy.public_holidays


def closing_day_names(first: date, last: date, policy: ClosingPolicy) -> dict[date, str]:
    """The Dutch name of every closing day in [first, last], in date order."""
    categories = ("public", "optional") if policy.liberation_day is LiberationDay.YEARLY else ("public",)
    public = holidays.country_holidays(
        "NL", years=range(first.year, last.year + 1), language="nl", categories=categories
    )
    names: dict[date, list[str]] = {}
    for day, name in public.items():
        closing_names = [part for part in name.split("; ") if _is_closed_on(part, policy)]
        if first <= day <= last and closing_names:
            names.setdefault(day, []).extend(closing_names)
    for extra in policy.extra_days:
        if first <= extra.day <= last and extra.name not in names.get(extra.day, []):
            names.setdefault(extra.day, []).append(extra.name)
    return {day: "; ".join(names[day]) for day in sorted(names)}


def closed_dates(first: date, last: date, policy: ClosingPolicy) -> frozenset[date]:
    """The local dates in [first, last] on which the organisation is closed."""
    return frozenset(closing_day_names(first, last, policy))
