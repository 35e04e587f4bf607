"""The roster YAML file: schema, validation with file/line/path errors, and loading into the engine."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema
import yaml

from webcare.roster.calendar import (
    ClosingDay,
    ClosingPolicy,
    LiberationDay,
    closed_dates,
)
from webcare.roster.engine import (
    CLOSED_DAY,
    Absence,
    CoverageRule,
    FixedShift,
    Frequency,
    Override,
    OverrideAction,
    Person,
    Roster,
    Rotation,
    Schedule,
    ShiftKind,
    Window,
    compute_schedule,
)
from webcare.timeutil import (
    DEFAULT_TIMEZONE,
    Interval,
    OfficeHours,
    as_utc,
    wall_clock_to_utc,
)

from .schema import ROSTER_SCHEMA

DAY_NAMES = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6, "closed": CLOSED_DAY}
DAY_GROUPS = {"weekdays": range(5), "weekend": (5, 6), "every_day": range(7)}


class RosterFileError(Exception):
    """A roster file that cannot be used; `problems` lists each as 'file:line: path: message'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RosterSpec:
    """Everything a roster file says: the engine's roster plus closing policy and office hours."""

    roster: Roster
    closing_policy: ClosingPolicy
    office_hours: OfficeHours
    source: str = "<roster>"
    team: str | None = None
    emails: dict[str, str] = field(default_factory=dict)


class _RosterLoader(yaml.SafeLoader):
    """Safe YAML where 22:00 stays a string (not base-60) and dates stay text we parse ourselves."""


_RosterLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_RosterLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)


def _line_of(node: yaml.Node | None, path: list[str | int]) -> int | None:
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _path_text(path: list[str | int]) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path).lstrip(".") or "(top)"


class _Problems:
    def __init__(self, source: str, root: yaml.Node | None):
        self.source, self.root, self.found = source, root, []

    def add(self, path: list[str | int], message: str) -> None:
        line = _line_of(self.root, path)
        self.found.append(f"{self.source}:{line or 1}: {_path_text(path)}: {message}")


def _days(names: list[str]) -> frozenset[int]:
    days: set[int] = set()
    for name in names:
        days.update(DAY_GROUPS.get(name, (DAY_NAMES.get(name),)))
    return frozenset(days)


def _clock(text: str) -> time:
    return time.fromisoformat(text)


def _moment(text: str, tz: ZoneInfo, *, is_end: bool) -> datetime:
    """A local date or date-time in UTC; a bare date as an end means the end of that day."""
    if len(text) == 10:
        day = date.fromisoformat(text) + (timedelta(days=1) if is_end else timedelta(0))
        return wall_clock_to_utc(day, time(0), tz)
    local = datetime.fromisoformat(text)
    return wall_clock_to_utc(local.date(), local.time(), tz)


def _span(entry: dict, tz: ZoneInfo) -> Interval:
    return Interval(_moment(entry["start"], tz, is_end=False), _moment(entry["end"], tz, is_end=True))


def _window(entry: dict) -> Window:
    return Window(_days(entry["days"]), _clock(entry["start"]), _clock(entry["end"]))


def _person(entry: dict) -> Person:
    return Person(
        entry["id"],
        entry.get("name", entry["id"]),
        entry.get("mandate", 0),
        frozenset(entry.get("topics", ())),
        frozenset(entry.get("languages", ("nl",))),
    )


def _rotation(entry: dict) -> Rotation:
    anchor = datetime.fromisoformat(entry["anchor"])
    return Rotation(
        id=entry["id"],
        kind=ShiftKind(entry["kind"]),
        people=tuple(entry["people"]),
        window=_window(entry),
        anchor=anchor,
        frequency=Frequency(entry.get("frequency", "daily")),
        interval=entry.get("interval", 1),
        effective_from=date.fromisoformat(entry["effective_from"]) if "effective_from" in entry else anchor.date(),
        ends_on=date.fromisoformat(entry["ends_on"]) if "ends_on" in entry else None,
        priority=entry.get("priority", 0),
        skip_closed_days=entry.get("skip_closed_days", False),
    )


def _coverage_rule(entry: dict) -> CoverageRule:
    mandate = entry.get("mandate", {})
    return CoverageRule(_window(entry), entry.get("minimum", 0), mandate.get("level", 0), mandate.get("minimum", 0))


def _override(entry: dict, tz: ZoneInfo) -> Override:
    return Override(
        OverrideAction(entry["action"]),
        entry["person"],
        _span(entry, tz),
        replacement_id=entry.get("by"),
        kind=ShiftKind(entry["kind"]) if "kind" in entry else None,
        reason=entry.get("reason", ""),
    )


def _closing_policy(entry: dict) -> ClosingPolicy:
    return ClosingPolicy(
        good_friday_closed=entry.get("good_friday", "closed") == "closed",
        liberation_day=LiberationDay(entry.get("liberation_day", "lustrum")),
        extra_days=tuple(
            ClosingDay(date.fromisoformat(extra["date"]), extra.get("name", "Sluitingsdag"))
            for extra in entry.get("extra_days", ())
        ),
    )


def _office_hours(entry: dict) -> OfficeHours:
    opening = (_clock(entry.get("start", "08:30")), _clock(entry.get("end", "17:00")))
    days = _days(entry.get("days", ["weekdays"])) - {CLOSED_DAY}
    return OfficeHours({day: opening for day in days}, _clock(entry.get("evening_end", "22:00")))


def _check_references(data: dict, problems: _Problems) -> None:
    known: set[str] = set()
    for index, person in enumerate(data.get("people", ())):
        if person["id"] in known:
            problems.add(["people", index, "id"], f"duplicate person id {person['id']!r}")
        known.add(person["id"])
    rotation_ids: set[str] = set()
    for index, rotation in enumerate(data.get("rotations", ())):
        if rotation["id"] in rotation_ids:
            problems.add(["rotations", index, "id"], f"duplicate rotation id {rotation['id']!r}")
        rotation_ids.add(rotation["id"])
        for position, person_id in enumerate(rotation["people"]):
            if person_id not in known:
                problems.add(["rotations", index, "people", position], f"unknown person {person_id!r}")
    for section in ("overrides", "fixed_shifts", "leave"):
        for index, entry in enumerate(data.get(section, ())):
            for key in ("person", "by"):
                if key in entry and entry[key] not in known:
                    problems.add([section, index, key], f"unknown person {entry[key]!r}")


def _check_values(data: dict, problems: _Problems) -> ZoneInfo | None:
    """Parse every date, time and time zone once so a bad one is reported with its place."""
    tz = None
    try:
        tz = ZoneInfo(data.get("timezone", DEFAULT_TIMEZONE))
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(["timezone"], f"unknown time zone {data.get('timezone')!r}")
    for section in ("rotations", "overrides", "fixed_shifts", "leave"):
        for index, entry in enumerate(data.get(section, ())):
            is_valid = True
            for key in ("anchor", "effective_from", "ends_on", "start", "end"):
                if key in entry and not (section == "rotations" and key in ("start", "end")):
                    try:
                        datetime.fromisoformat(entry[key])
                    except ValueError as error:
                        problems.add([section, index, key], f"not a valid date or time: {error}")
                        is_valid = False
            if tz and is_valid and section != "rotations" and _span(entry, tz).duration <= timedelta(0):
                problems.add([section, index, "end"], "the end must come after the start")
    for index, entry in enumerate(data.get("rotations", ())):
        if "effective_from" in entry and "ends_on" in entry and entry["ends_on"] < entry["effective_from"]:
            problems.add(["rotations", index, "ends_on"], "ends_on precedes effective_from")
    for index, extra in enumerate(data.get("closing", {}).get("extra_days", ())):
        try:
            date.fromisoformat(extra["date"])
        except ValueError as error:
            problems.add(["closing", "extra_days", index, "date"], f"not a valid date: {error}")
    return tz


def parse_roster(text: str, source: str = "<roster>") -> RosterSpec:
    """A validated RosterSpec from roster YAML; raises RosterFileError naming file, line and path."""
    loader = _RosterLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise RosterFileError([f"{source}:{mark.line + 1 if mark else 1}: not valid YAML: {error}"]) from error
    finally:
        loader.dispose()
    problems = _Problems(source, root)
    validator = jsonschema.Draft202012Validator(ROSTER_SCHEMA)
    for error in sorted(validator.iter_errors(data), key=lambda error: _line_of(root, list(error.absolute_path)) or 0):
        problems.add(list(error.absolute_path), error.message)
    if problems.found:
        raise RosterFileError(problems.found)
    _check_references(data, problems)
    tz = _check_values(data, problems)
    if problems.found or tz is None:
        raise RosterFileError(problems.found)
    return _spec_from(data, tz, source)


def _spec_from(data: dict[str, Any], tz: ZoneInfo, source: str) -> RosterSpec:
    roster = Roster(
        people=tuple(_person(entry) for entry in data["people"]),
        rotations=tuple(_rotation(entry) for entry in data.get("rotations", ())),
        overrides=tuple(_override(entry, tz) for entry in data.get("overrides", ())),
        fixed_shifts=tuple(
            FixedShift(entry["person"], _span(entry, tz), ShiftKind(entry["kind"]))
            for entry in data.get("fixed_shifts", ())
        ),
        absences=tuple(
            Absence(entry["person"], _span(entry, tz), entry.get("reason", "")) for entry in data.get("leave", ())
        ),
        coverage_rules=tuple(_coverage_rule(entry) for entry in data.get("targets", ())),
        timezone=tz.key,
    )
    return RosterSpec(
        roster,
        _closing_policy(data.get("closing", {})),
        _office_hours(data.get("office_hours", {})),
        source,
        team=data.get("team"),
        emails={entry["id"]: entry["email"].lower() for entry in data["people"] if "email" in entry},
    )


def load_roster_file(path: str | Path) -> RosterSpec:
    """The roster file at `path`, validated and loaded."""
    path = Path(path)
    return parse_roster(path.read_text(encoding="utf-8"), str(path))


def build_schedule(spec: RosterSpec, start: datetime, end: datetime) -> Schedule:
    """The final schedule of a roster spec for [start, end), with its closing days worked out."""
    tz = ZoneInfo(spec.roster.timezone)
    first = as_utc(start).astimezone(tz).date() - timedelta(days=1)
    last = as_utc(end).astimezone(tz).date() + timedelta(days=1)
    return compute_schedule(spec.roster, start, end, closed_dates(first, last, spec.closing_policy))
