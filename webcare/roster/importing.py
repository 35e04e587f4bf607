"""Applying a roster file to a team's roster tables: the file's entries synchronised, the app's entries kept."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from webcare.auth.models import Team, User
from webcare.extensions import db
from webcare.roster.fileformat import RosterSpec
from webcare.roster.models import (
    ClosingDayEntry,
    CoverageTarget,
    EntrySource,
    FixedShiftEntry,
    LeaveEntry,
    OverrideEntry,
    RosterConfig,
    RosterPerson,
    RotationEntry,
)


class NoTeamGiven(Exception):
    """Neither the command nor the file names a team, and there is not exactly one team to choose."""


@dataclass
class ImportSummary:
    team: str
    is_new_roster: bool = False
    added: int = 0
    changed: int = 0
    removed: int = 0
    unlinked_people: list[str] = field(default_factory=list)

    @property
    def is_unchanged(self) -> bool:
        return not (self.is_new_roster or self.added or self.changed or self.removed)


def _team(name: str | None, spec: RosterSpec) -> Team:
    name = name or spec.team
    if name is None:
        teams = list(db.session.scalars(select(Team).limit(2)))
        if len(teams) != 1:
            raise NoTeamGiven("name the team with --team or a `team:` line in the file")
        return teams[0]
    team = db.session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    return team


def _assign(row: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _sync(
    summary: ImportSummary,
    existing: Iterable[Any],
    desired: list[dict[str, Any]],
    key: Callable[[dict[str, Any]], Hashable],
    make: Callable[[dict[str, Any]], Any],
    on_missing: Callable[[Any], bool] | None = None,
) -> None:
    """Make the rows match `desired` (matched by `key`): add, update changed fields, remove the rest."""
    rows = list(existing)
    if desired:
        names = list(desired[0])
        by_key = {key({name: getattr(row, name) for name in names}): row for row in rows}
    else:
        by_key = {id(row): row for row in rows}
    wanted_keys = set()
    for values in desired:
        wanted_keys.add(key(values))
        row = by_key.get(key(values))
        if row is None:
            db.session.add(make(values))
            summary.added += 1
        elif _assign(row, values):
            summary.changed += 1
    for row_key, row in by_key.items():
        if row_key in wanted_keys:
            continue
        if on_missing is not None:
            summary.changed += on_missing(row)
        else:
            db.session.delete(row)
            summary.removed += 1


def import_roster(spec: RosterSpec, *, team_name: str | None = None) -> ImportSummary:
    """Apply a roster file to a team; importing the same file again changes nothing.

    The file decides the settings, people, rotations, targets, closing days and its own overrides,
    fixed shifts and leave; overrides, leave and swaps entered in the app are kept. People left out of
    the file stay (unlisted) so earlier entries keep their meaning.
    """
    team = _team(team_name, spec)
    summary = ImportSummary(team.name)
    config = db.session.scalar(select(RosterConfig).where(RosterConfig.team_id == team.id))
    if config is None:
        config = RosterConfig(team=team, revision=1)
        db.session.add(config)
        summary.is_new_roster = True
    office = spec.office_hours
    office_days = sorted(office.opening)
    first_opening = office.opening[office_days[0]] if office_days else (None, None)
    settings = {
        "timezone": spec.roster.timezone,
        "good_friday_closed": spec.closing_policy.good_friday_closed,
        "liberation_day": spec.closing_policy.liberation_day.value,
        "office_days": office_days,
        "evening_end": office.evening_end,
    }
    if office_days:
        settings |= {"office_start": first_opening[0], "office_end": first_opening[1]}
    if _assign(config, settings) and not summary.is_new_roster:
        summary.changed += 1
    db.session.flush()

    _sync_people(summary, config, spec)
    db.session.flush()
    people = {
        person.key: person.id
        for person in db.session.scalars(select(RosterPerson).where(RosterPerson.roster_id == config.id))
    }
    _sync_plan(summary, config, spec, people)
    if not summary.is_unchanged:
        config.source = spec.source[:255]
        config.touch()
    db.session.commit()
    return summary


def _sync_people(summary: ImportSummary, config: RosterConfig, spec: RosterSpec) -> None:
    emails = {email for email in spec.emails.values()}
    users = (
        {
            user.email.lower(): user.id
            for user in db.session.scalars(select(User).where(func.lower(User.email).in_(emails)))
        }
        if emails
        else {}
    )
    desired = []
    for position, person in enumerate(spec.roster.people):
        email = spec.emails.get(person.id)
        if email and email not in users:
            summary.unlinked_people.append(person.id)
        desired.append(
            {
                "key": person.id,
                "name": person.name,
                "email": email,
                "user_id": users.get(email) if email else None,
                "mandate_level": person.mandate_level,
                "topics": sorted(person.topics),
                "languages": sorted(person.languages),
                "position": position,
                "is_listed": True,
            }
        )

    def unlist(row: RosterPerson) -> bool:
        return _assign(row, {"is_listed": False})

    existing = db.session.scalars(select(RosterPerson).where(RosterPerson.roster_id == config.id))
    _sync(
        summary,
        existing,
        desired,
        lambda values: values["key"],
        lambda values: RosterPerson(roster_id=config.id, **values),
        unlist,
    )


def _rows(model, config: RosterConfig, *conditions):
    return db.session.scalars(select(model).where(model.roster_id == config.id, *conditions))


def _sync_plan(summary: ImportSummary, config: RosterConfig, spec: RosterSpec, people: dict[str, int]) -> None:
    roster = spec.roster
    rotations = [
        {
            "key": rotation.id,
            "kind": rotation.kind,
            "people": list(rotation.people),
            "days": sorted(rotation.window.days),
            "start_time": rotation.window.start,
            "end_time": rotation.window.end,
            "anchor": rotation.anchor,
            "frequency": rotation.frequency.value,
            "interval": rotation.interval,
            "effective_from": rotation.effective_from,
            "ends_on": rotation.ends_on,
            "priority": rotation.priority,
            "skip_closed_days": rotation.skip_closed_days,
            "position": position,
        }
        for position, rotation in enumerate(roster.rotations)
    ]
    _sync(
        summary,
        _rows(RotationEntry, config),
        rotations,
        lambda v: v["key"],
        lambda v: RotationEntry(roster_id=config.id, **v),
    )
    targets = [
        {
            "position": position,
            "days": sorted(rule.window.days),
            "start_time": rule.window.start,
            "end_time": rule.window.end,
            "minimum": rule.minimum_people,
            "mandate_level": rule.mandate_level,
            "mandate_minimum": rule.minimum_mandate_holders,
        }
        for position, rule in enumerate(roster.coverage_rules)
    ]
    _sync(
        summary,
        _rows(CoverageTarget, config),
        targets,
        lambda v: v["position"],
        lambda v: CoverageTarget(roster_id=config.id, **v),
    )
    closing = [{"day": extra.day, "name": extra.name} for extra in spec.closing_policy.extra_days]
    _sync(
        summary,
        _rows(ClosingDayEntry, config),
        closing,
        lambda v: v["day"],
        lambda v: ClosingDayEntry(roster_id=config.id, **v),
    )
    overrides = [
        {
            "position": position,
            "source": EntrySource.FILE,
            "action": override.action,
            "person_id": people[override.person_id],
            "replacement_id": people.get(override.replacement_id) if override.replacement_id else None,
            "kind": override.kind,
            "start_at": override.span.start,
            "end_at": override.span.end,
            "reason": override.reason[:200],
        }
        for position, override in enumerate(roster.overrides)
    ]
    _sync(
        summary,
        _rows(OverrideEntry, config, OverrideEntry.source == EntrySource.FILE),
        overrides,
        lambda v: v["position"],
        lambda v: OverrideEntry(roster_id=config.id, **v),
    )
    fixed = [
        {
            "source": EntrySource.FILE,
            "person_id": people[shift.person_id],
            "kind": shift.kind,
            "start_at": shift.span.start,
            "end_at": shift.span.end,
        }
        for shift in roster.fixed_shifts
    ]
    _sync(
        summary,
        _rows(FixedShiftEntry, config, FixedShiftEntry.source == EntrySource.FILE),
        fixed,
        lambda v: (v["person_id"], v["kind"], v["start_at"], v["end_at"]),
        lambda v: FixedShiftEntry(roster_id=config.id, **v),
    )
    leave = [
        {
            "source": EntrySource.FILE,
            "person_id": people[absence.person_id],
            "start_at": absence.span.start,
            "end_at": absence.span.end,
            "reason": absence.reason[:200],
        }
        for absence in roster.absences
    ]
    _sync(
        summary,
        _rows(LeaveEntry, config, LeaveEntry.source == EntrySource.FILE),
        leave,
        lambda v: (v["person_id"], v["start_at"], v["end_at"]),
        lambda v: LeaveEntry(roster_id=config.id, **v),
    )
