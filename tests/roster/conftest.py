"""Fixtures for roster tests that need the database: a team with users and an imported roster."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from webcare.auth.models import Role, Team, User
from webcare.auth.services import create_user
from webcare.extensions import db
from webcare.roster.fileformat import parse_roster
from webcare.roster.importing import import_roster
from webcare.roster.store import clear_cache

PASSWORD = "correct horse battery"

TEAM_ROSTER = """
version: 1
team: Webcare
people:
  - {id: anna, name: Anna Smit, email: anna@example.org, mandate: 2, topics: [afval, parkeren]}
  - {id: bram, name: Bram Jansen, email: bram@example.org, mandate: 1, topics: [afval], languages: [nl, en]}
  - {id: cees, name: Cees Mulder, email: cees@example.org, mandate: 2, topics: [zorg]}
rotations:
  - {id: kantoor-anna, kind: office, people: [anna], days: [weekdays], start: "09:00", end: "17:00", anchor: 2026-11-02 09:00, skip_closed_days: true}
  - {id: kantoor-bram, kind: office, people: [bram], days: [weekdays], start: "09:00", end: "17:00", anchor: 2026-11-02 09:00, skip_closed_days: true}
  - {id: kantoor-cees, kind: office, people: [cees], days: [weekdays], start: "09:00", end: "17:00", anchor: 2026-11-02 09:00, skip_closed_days: true}
  - {id: avond, kind: evening, people: [bram], days: [weekdays], start: "17:00", end: "21:00", anchor: 2026-11-02 17:00}
  - {id: piket, kind: on_call, people: [cees], days: [every_day], start: "21:00", end: "09:00", anchor: 2026-11-02 21:00}
targets:
  - {days: [weekdays], start: "09:00", end: "17:00", minimum: 2, mandate: {level: 2, minimum: 1}}
  - {days: [weekdays], start: "17:00", end: "21:00", minimum: 1}
  - {days: [weekend], start: "10:00", end: "16:00", minimum: 1}
"""


@dataclass
class TeamSetup:
    team: Team
    anna: User
    bram: User
    cees: User
    lead: User
    manager: User
    outsider: User


@pytest.fixture
def team_setup(app) -> TeamSetup:
    """Team Webcare with agents Anna, Bram and Cees, a lead, a manager, an agent of another team; roster imported."""
    clear_cache()
    team = Team(name="Webcare")
    other = Team(name="Elders")
    db.session.add_all([team, other])
    db.session.commit()
    people = {
        key: create_user(f"{key}@example.org", name, PASSWORD, {Role.AGENT}, team=team)
        for key, name in (("anna", "Anna Smit"), ("bram", "Bram Jansen"), ("cees", "Cees Mulder"))
    }
    lead = create_user("lead@example.org", "Lea Lead", PASSWORD, {Role.LEAD, Role.AGENT}, team=team)
    manager = create_user("manager@example.org", "Mo Manager", PASSWORD, {Role.MANAGER})
    outsider = create_user("outsider@example.org", "Otto Elders", PASSWORD, {Role.AGENT}, team=other)
    import_roster(parse_roster(TEAM_ROSTER, "team.yaml"))
    return TeamSetup(team, people["anna"], people["bram"], people["cees"], lead, manager, outsider)


@pytest.fixture
def make_case(app):
    """A new case on X that arrived at `arrived` (UTC), with an optional priority."""
    from webcare.accounts.models import Account, Channel
    from webcare.inbox.models import Case

    account = Account(channel=Channel.X, handle="gemeente", name="Gemeente", is_general=True)
    db.session.add(account)
    db.session.commit()

    def make(arrived, *, priority=None, owner=None, status=None, action=None):
        case = Case(
            channel=Channel.X,
            account_id=account.id,
            is_public=True,
            first_inbound_at=arrived,
            last_message_at=arrived,
            queue_at=arrived,
            priority=priority,
            owner=owner,
            subject="Vraag over afval",
            action=action,
        )
        if status is not None:
            case.status = status
        db.session.add(case)
        db.session.commit()
        return case

    return make
