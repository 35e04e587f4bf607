"""Builders for roster engine tests: local wall-clock moments, people and rotations."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from webcare.roster.engine import Frequency, Person, Rotation, ShiftKind, Window
from webcare.timeutil import wall_clock_to_utc

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """The UTC instant of an Amsterdam wall-clock time."""
    return wall_clock_to_utc(date(year, month, day), time(hour, minute), AMSTERDAM)


def person(person_id: str, mandate_level: int = 0, topics=(), languages=("nl",)) -> Person:
    return Person(person_id, person_id.title(), mandate_level, frozenset(topics), frozenset(languages))


def rotation(
    people: tuple[str, ...],
    *,
    days=WEEKDAYS,
    start=time(9),
    end=time(17),
    anchor=datetime(2026, 3, 2, 9, 0),
    frequency=Frequency.DAILY,
    kind=ShiftKind.OFFICE,
    rotation_id="rota",
    **options,
) -> Rotation:
    """A rotation on weekdays 09:00-17:00 anchored on Monday 2 March 2026 unless told otherwise."""
    return Rotation(rotation_id, kind, tuple(people), Window(frozenset(days), start, end), anchor, frequency, **options)
