"""iCalendar feeds of final shifts, for one person or the whole team, in UTC with stable UIDs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime

import icalendar
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from webcare.roster.engine import Schedule, ShiftKind
from webcare.timeutil import as_utc

PRODUCT_ID = "-//Webcare//Rooster//NL"
KIND_LABELS = {
    ShiftKind.OFFICE: _l("Office shift"),
    ShiftKind.EVENING: _l("Evening shift"),
    ShiftKind.WEEKEND: _l("Weekend shift"),
    ShiftKind.ON_CALL: _l("On-call duty"),
}


def _shifts(
    schedule: Schedule, person_id: str | None
) -> Iterator[tuple[datetime, datetime, frozenset[ShiftKind], frozenset[str]]]:
    """Stretches of unchanged duty: the person's own kinds, or the team's people and kinds."""
    current: list | None = None
    for interval in schedule.intervals:
        if person_id is None:
            content = (interval.kinds, interval.people)
        else:
            content = (interval.kinds_of(person_id), frozenset({person_id}) & interval.people)
        if current and current[1] == interval.start and (current[2], current[3]) == content:
            current[1] = interval.end
            continue
        if current and current[3]:
            yield tuple(current)
        current = [interval.start, interval.end, *content]
    if current and current[3]:
        yield tuple(current)


def _uid(scope: str, start: datetime, kinds: frozenset[ShiftKind]) -> str:
    digest = hashlib.sha256(f"{scope}|{start.isoformat()}|{','.join(sorted(kinds))}".encode()).hexdigest()[:20]
    return f"{digest}@webcare"


def shift_summary(kinds: frozenset[ShiftKind]) -> str:
    return "Webcare " + " + ".join(str(KIND_LABELS[kind]).lower() for kind in sorted(kinds))


def ical_feed(
    schedule: Schedule, *, now: datetime, person_id: str | None = None, calendar_name: str = "Webcare rooster"
) -> bytes:
    """The iCalendar feed of one person's shifts (or the team's when `person_id` is None)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    stamp = as_utc(now).replace(microsecond=0)
    scope = person_id or "team"
    for start, end, kinds, people in _shifts(schedule, person_id):
        names = [schedule.people[pid].name if pid in schedule.people else pid for pid in sorted(people)]
        event = icalendar.Event()
        event.add("uid", _uid(scope, start, kinds))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", shift_summary(kinds) + ("" if person_id else ": " + ", ".join(names)))
        event.add("description", gettext("On duty: %(people)s", people=", ".join(names)))
        event.add("categories", sorted(kinds))
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
