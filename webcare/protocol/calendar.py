"""The protocol's office calendar: opening hours, which Dutch holidays close the office, staffed clocks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import holidays

from webcare.roster.calendar import (  # noqa: F401 (LIBERATION_DAY is re-exported)
    LIBERATION_DAY,
    ClosingDay,
    ClosingPolicy,
    LiberationDay,
    closed_dates,
)
from webcare.timeutil import (
    OfficeHours,
    StaffedClock,
    TimeBand,
    as_utc,
    office_intervals,
    time_band,
)

LIBERATION_DAY_CHOICES = tuple(choice.value for choice in LiberationDay)


def dutch_holiday_names() -> tuple[str, ...]:
    """The names the `holidays` package gives Dutch public holidays (language nl), in calendar order."""
    names = holidays.country_holidays("NL", years=2025, language="nl")
    return tuple(dict.fromkeys(names[day] for day in sorted(names)))


@dataclass(frozen=True)
class ClosingChoices:
    """Which days the office is closed: chosen public holidays, Good Friday, Liberation Day, extra dates."""

    public_holidays: frozenset[str] | None = None
    is_closed_on_good_friday: bool = False
    liberation_day: str = "lustrum"
    extra_dates: frozenset[date] = frozenset()


@dataclass
class OfficeCalendar:
    """Answers time bands and builds staffed clocks from the office hours until rosters exist."""

    office_hours: OfficeHours
    closing: ClosingChoices = field(default_factory=ClosingChoices)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    _closed_by_year: dict[int, frozenset[date]] = field(default_factory=dict, repr=False)
    _clock_by_year: dict[int, StaffedClock] = field(default_factory=dict, repr=False)

    def closed_dates(self, year: int) -> frozenset[date]:
        found = self._closed_by_year.get(year)
        if found is None:
            found = self._closed_by_year[year] = self._compute_closed_dates(year)
        return found

    def _compute_closed_dates(self, year: int) -> frozenset[date]:
        return closed_dates(date(year, 1, 1), date(year, 12, 31), self.closing_policy)

    @property
    def closing_policy(self) -> ClosingPolicy:
        """These choices as the roster calendar's policy: one source of truth for Dutch closing days."""
        return ClosingPolicy(
            good_friday_closed=self.closing.is_closed_on_good_friday,
            liberation_day=LiberationDay(self.closing.liberation_day),
            extra_days=tuple(ClosingDay(day, "Sluitingsdag") for day in sorted(self.closing.extra_dates)),
            public_holidays=self.closing.public_holidays,
        )

    def closed_dates_between(self, years: Iterable[int]) -> frozenset[date]:
        return frozenset().union(*(self.closed_dates(year) for year in years))

    def band(self, moment: datetime) -> TimeBand:
        local_year = as_utc(moment).astimezone(self.tz).year
        return time_band(moment, self.office_hours, self.closed_dates(local_year), self.tz)

    def staffed_clock(self, now: datetime) -> StaffedClock:
        """Office intervals from 1 January of `now`'s year through the next year, built once per year."""
        year = as_utc(now).astimezone(self.tz).year
        clock = self._clock_by_year.get(year)
        if clock is None:
            intervals = office_intervals(
                self.office_hours,
                date(year, 1, 1),
                date(year + 1, 12, 31),
                self.closed_dates_between((year, year + 1)),
                self.tz,
            )
            clock = self._clock_by_year[year] = StaffedClock(intervals)
        return clock
