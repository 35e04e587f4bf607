"""Display helpers for templates: local times and readable durations."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime, gettext

from webcare.timeutil import as_utc, zone


def local_time(moment: datetime | None, pattern: str = "d MMM yyyy HH:mm") -> str:
    if moment is None:
        return ""
    local = as_utc(moment).astimezone(zone(current_app.config["WEBCARE_TIMEZONE"]))
    return format_datetime(local.replace(tzinfo=None), pattern, rebase=False)


def duration(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    sign = "-" if delta < timedelta(0) else ""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return sign + gettext("%(days)dd %(hours)dh", days=days, hours=hours)
    if hours:
        return sign + gettext("%(hours)dh %(minutes)dm", hours=hours, minutes=minutes)
    return sign + gettext("%(minutes)dm", minutes=minutes)
