"""The roster's building blocks: people, rotations, overrides, fixed shifts, absences and coverage rules."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time

from webcare.timeutil import DEFAULT_TIMEZONE, Interval

CLOSED_DAY = 7
"""A pseudo weekday for coverage rules: the rule applies on the organisation's closing days."""


class ShiftKind(enum.StrEnum):
    OFFICE = "office"
    EVENING = "evening"
    WEEKEND = "weekend"
    ON_CALL = "on_call"


class Frequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class OverrideAction(enum.StrEnum):
    ADD = "add"
    REMOVE = "remove"
    REPLACE = "replace"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    mandate_level: int = 0
    topics: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset({"nl"})


@dataclass(frozen=True)
class Requirements:
    """What a slot asks of the person on it: at least a mandate level, and all of these topics and languages."""

    mandate_level: int = 0
    topics: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def missing_in(self, person: Person) -> tuple[str, ...]:
        """Readable reasons why `person` does not meet these requirements (empty when they do)."""
        missing = []
        if person.mandate_level < self.mandate_level:
            missing.append(f"mandate level {person.mandate_level} < {self.mandate_level}")
        missing += [f"topic {topic}" for topic in sorted(self.topics - person.topics)]
        missing += [f"language {language}" for language in sorted(self.languages - person.languages)]
        return tuple(missing)

    def met_by(self, person: Person) -> bool:
        return not self.missing_in(person)


@dataclass(frozen=True)
class Window:
    """Local clock times on a set of days (0 = Monday); an end at or before the start runs overnight.

    An end equal to the start means 24 hours. Each occurrence belongs to the day on which it starts.
    """

    days: frozenset[int]
    start: time
    end: time

    def __post_init__(self):
        if not self.days or not self.days <= set(range(CLOSED_DAY + 1)):
            raise ValueError("a window needs at least one day, numbered 0 (Monday) to 6, or 7 for closing days")

    @property
    def is_overnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class Rotation:
    """People taking turns on a window; the turn handed over daily (per occurrence) or weekly.

    `anchor` is the local wall-clock moment the first person's turn starts; `interval` is the turn's
    length in occurrences (daily) or weeks (weekly). The rotation runs on occurrences starting on
    `effective_from` up to and including `ends_on`.
    """

    id: str
    kind: ShiftKind
    people: tuple[str, ...]
    window: Window
    anchor: datetime
    frequency: Frequency = Frequency.DAILY
    interval: int = 1
    effective_from: date | None = None
    ends_on: date | None = None
    priority: int = 0
    skip_closed_days: bool = False

    def __post_init__(self):
        object.__setattr__(self, "kind", ShiftKind(self.kind))
        object.__setattr__(self, "frequency", Frequency(self.frequency))
        if not self.people:
            raise ValueError(f"rotation {self.id}: no people")
        if self.interval < 1:
            raise ValueError(f"rotation {self.id}: interval must be at least 1")
        if self.anchor.tzinfo is not None:
            raise ValueError(f"rotation {self.id}: the anchor is a local wall-clock time (naive)")
        if CLOSED_DAY in self.window.days:
            raise ValueError(f"rotation {self.id}: closing days are not a rotation day")


@dataclass(frozen=True)
class Override:
    """Add, remove or replace (person by replacement) someone for a span; an accepted swap is a replace."""

    action: OverrideAction
    person_id: str
    span: Interval
    replacement_id: str | None = None
    kind: ShiftKind | None = None
    reason: str = ""

    def __post_init__(self):
        object.__setattr__(self, "action", OverrideAction(self.action))
        if (self.action is OverrideAction.REPLACE) != (self.replacement_id is not None):
            raise ValueError("a replacement is given exactly for replace overrides")
        if self.action is OverrideAction.ADD and self.kind is None:
            raise ValueError("an add override needs a shift kind")


@dataclass(frozen=True)
class FixedShift:
    person_id: str
    span: Interval
    kind: ShiftKind


@dataclass(frozen=True)
class Absence:
    """Leave or other unavailability: the person is on no duty during the span."""

    person_id: str
    span: Interval
    reason: str = ""


@dataclass(frozen=True)
class CoverageRule:
    """At least `minimum_people` on duty in the window, of whom `minimum_mandate_holders` hold `mandate_level`."""

    window: Window
    minimum_people: int
    mandate_level: int = 0
    minimum_mandate_holders: int = 0


@dataclass(frozen=True)
class Target:
    """The coverage asked for at a moment: the strictest of the rules in force."""

    minimum_people: int
    mandate_minimums: tuple[tuple[int, int], ...] = ()

    @property
    def required_people(self) -> int:
        return max([self.minimum_people, *(count for _, count in self.mandate_minimums)])


@dataclass(frozen=True)
class Roster:
    people: tuple[Person, ...]
    rotations: tuple[Rotation, ...] = ()
    overrides: tuple[Override, ...] = ()
    fixed_shifts: tuple[FixedShift, ...] = ()
    absences: tuple[Absence, ...] = ()
    coverage_rules: tuple[CoverageRule, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    people_by_id: dict[str, Person] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "people_by_id", {person.id: person for person in self.people})
