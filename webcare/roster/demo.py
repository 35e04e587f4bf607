"""The demo municipality's roster: the example file imported for team Webcare, plus one visible gap ahead."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from sqlalchemy import select

from webcare.extensions import db
from webcare.resources import resource_dir
from webcare.roster.fileformat import load_roster_file
from webcare.roster.importing import import_roster
from webcare.roster.models import LeaveEntry, RosterConfig, RosterPerson
from webcare.timeutil import wall_clock_to_utc, zone

log = logging.getLogger(__name__)
GAP_REASON = "Teamtraining (demo: avonddienst niet bezet)"


def load_demo_roster(now: datetime) -> None:
    """Import the demo roster (idempotent) and, once, take the evening people off the Wednesday evening 1–2 weeks ahead."""
    path = resource_dir("examples") / "lindeburg-roster.yaml"
    if not path.exists():
        log.warning("the demo roster %s is not installed; the demo runs without a roster", path)
        return
    import_roster(load_roster_file(path), team_name="Webcare")
    config = db.session.scalar(select(RosterConfig).where(RosterConfig.team.has(name="Webcare")))
    if db.session.scalar(
        select(LeaveEntry.id).where(LeaveEntry.roster_id == config.id, LeaveEntry.reason == GAP_REASON)
    ):
        return
    tz = zone(config.timezone)
    today = now.astimezone(tz).date()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 + 7)
    start, end = wall_clock_to_utc(wednesday, time(17), tz), wall_clock_to_utc(wednesday, time(22), tz)
    for person in db.session.scalars(
        select(RosterPerson).where(
            RosterPerson.roster_id == config.id, RosterPerson.key.in_(["mehmet", "priya", "sanne"])
        )
    ):
        db.session.add(
            LeaveEntry(roster_id=config.id, person_id=person.id, start_at=start, end_at=end, reason=GAP_REASON)
        )
    config.touch()
    db.session.commit()
