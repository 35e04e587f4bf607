"""Importing a roster file into the database: idempotent, app entries kept, users linked by e-mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from tests.roster.conftest import TEAM_ROSTER
from webcare.extensions import db
from webcare.roster.engine import OverrideAction
from webcare.roster.fileformat import parse_roster
from webcare.roster.importing import import_roster
from webcare.roster.models import LeaveEntry, OverrideEntry, RosterConfig, RosterPerson, RotationEntry
from webcare.roster.services import add_override
from webcare.timeutil import UTC


def _snapshot() -> list:
    rows = []
    for model in (RosterConfig, RosterPerson, RotationEntry, OverrideEntry, LeaveEntry):
        for row in db.session.scalars(select(model).order_by(model.id)):
            rows.append(
                {
                    column.name: getattr(row, column.key)
                    for column in model.__table__.columns
                    if column.name != "updated_at"
                }
            )
    return rows


def test_importing_the_same_file_twice_changes_nothing(team_setup):
    before = _snapshot()
    summary = import_roster(parse_roster(TEAM_ROSTER, "team.yaml"))
    assert summary.is_unchanged
    assert _snapshot() == before


def test_import_links_people_to_users_by_email(team_setup):
    people = {person.key: person.user_id for person in db.session.scalars(select(RosterPerson))}
    assert people == {"anna": team_setup.anna.id, "bram": team_setup.bram.id, "cees": team_setup.cees.id}


def test_reimport_with_changes_updates_the_files_entries_and_keeps_the_apps(team_setup):
    config = db.session.scalar(select(RosterConfig))
    anna = db.session.scalar(select(RosterPerson).where(RosterPerson.key == "anna"))
    add_override(
        config,
        action=OverrideAction.REMOVE,
        person_id=anna.id,
        start=datetime(2026, 11, 3, 8, tzinfo=UTC),
        end=datetime(2026, 11, 3, 16, tzinfo=UTC),
        by=team_setup.lead,
    )
    revision = config.revision
    changed = TEAM_ROSTER.replace(
        'end: "21:00", anchor: 2026-11-02 17:00', 'end: "22:00", anchor: 2026-11-02 17:00'
    ).replace(
        '  - {id: piket, kind: on_call, people: [cees], days: [every_day], start: "21:00", end: "09:00", anchor: 2026-11-02 21:00}\n',
        "",
    )
    summary = import_roster(parse_roster(changed, "team.yaml"))
    assert (summary.changed, summary.removed) == (1, 1)
    assert db.session.scalar(select(func.count(RotationEntry.id))) == 4
    assert db.session.scalar(select(func.count(OverrideEntry.id))) == 1
    assert db.session.get(RosterConfig, config.id).revision > revision


def test_the_import_command_reports_an_unchanged_second_run(team_setup, runner, tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(TEAM_ROSTER)
    result = runner.invoke(args=["roster", "import", str(path), "--team", "Webcare"])
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
