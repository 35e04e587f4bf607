"""Display helpers for templates, mails and the CLI: local times, readable durations, locale numbers.

Everything a person reads goes through Babel in the user's locale (decimal comma in Dutch); the
exports for tools keep plain values and do not use this module.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale, gettext

from webcare.timeutil import as_utc, zone

NOTHING = "–"


def local_time(moment: datetime | None, pattern: str = "d MMM yyyy HH:mm") -> str:
    if moment is None:
        return ""
    local = as_utc(moment).astimezone(zone(current_app.config["WEBCARE_TIMEZONE"]))
    return format_datetime(local.replace(tzinfo=None), pattern, rebase=False)


def _seconds(value: timedelta | float | int) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def duration(value: timedelta | float | int | None, empty: str = "") -> str:
    """A duration people read: "2 d 3 u", "1 u 05 min", "45 min" (English "2 d 3 h", "1 h 05 min").

    Rounded to the whole minute; a value under a minute reads "0 min".
    """
    if value is None:
        return empty
    seconds = _seconds(value)
    sign = "-" if seconds < 0 else ""
    minutes = int(round(abs(seconds) / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return sign + gettext("%(days)d d %(hours)d h", days=days, hours=hours)
    if hours:
        return sign + gettext("%(hours)d h %(minutes)02d min", hours=hours, minutes=minutes)
    return sign + gettext("%(minutes)d min", minutes=minutes)


def exact_minutes(value: timedelta | float | int | None) -> str:
    """The exact duration in minutes with up to two decimals, for a tooltip: "18.171,5 min"."""
    if value is None:
        return ""
    return gettext("%(minutes)s min", minutes=format_decimal(_seconds(value) / 60, format="#,##0.##"))


def decimal(value: float | int | None, digits: int = 1) -> str:
    """A number in the user's locale with `digits` decimals: "1.234,5"."""
    if value is None:
        return NOTHING
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern)


def percent(share: float | None, digits: int = 1) -> str:
    """A share (0–1) as a percentage in the user's locale: "50,2%"."""
    if share is None:
        return NOTHING
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(share, format=pattern)


def local_date(day: date | None, pattern: str = "d MMM yyyy") -> str:
    """A calendar day in the user's locale: "2 mrt 2026"."""
    return "" if day is None else format_date(day, pattern)


def weekday_date(day: date, pattern: str = "EEE d-M") -> str:
    """A day with its weekday name in the user's locale: "ma 30-11" in Dutch, "Mon 30-11" in English."""
    return format_date(day, pattern)


def weekday_name(weekday: int, width: str = "abbreviated") -> str:
    """The name of a weekday, 0 = Monday, in the user's locale."""
    return get_locale().days["format"][width][weekday]


FILTERS = {
    "local_time": local_time,
    "duration": duration,
    "exact_minutes": exact_minutes,
    "decimal": decimal,
    "percent": percent,
    "local_date": local_date,
    "weekday_date": weekday_date,
    "weekday_name": weekday_name,
}
