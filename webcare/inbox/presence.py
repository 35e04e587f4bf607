"""Who else has a case open or is typing on it: heartbeats from the case page, expiring after 20 seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox.models import Case, CasePresence
from webcare.timeutil import utcnow

EXPIRES_AFTER = timedelta(seconds=20)


@dataclass(frozen=True)
class Colleague:
    name: str
    is_typing: bool


def heartbeat(case: Case, *, by: User, is_typing: bool, now: datetime | None = None) -> list[Colleague]:
    """Note that `by` has the case open (and whether they are typing); returns the colleagues present now."""
    now = now or utcnow()
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    upsert = insert(CasePresence).values(case_id=case.id, user_id=by.id, last_seen_at=now, is_typing=is_typing)
    db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=[CasePresence.case_id, CasePresence.user_id],
            set_={"last_seen_at": now, "is_typing": is_typing},
        )
    )
    # This person's expired rows on other cases: keeps the table as small as the number of open pages.
    db.session.execute(
        delete(CasePresence).where(CasePresence.user_id == by.id, CasePresence.last_seen_at < now - EXPIRES_AFTER)
    )
    db.session.commit()
    return colleagues_present(case, viewer=by, now=now)


def colleagues_present(case: Case, *, viewer: User, now: datetime | None = None) -> list[Colleague]:
    """Other people whose last heartbeat on this case is younger than 20 seconds, typists first."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(CasePresence).where(
            CasePresence.case_id == case.id,
            CasePresence.user_id != viewer.id,
            CasePresence.last_seen_at > now - EXPIRES_AFTER,
        )
    )
    colleagues = [Colleague(row.user.name, row.is_typing) for row in rows]
    return sorted(colleagues, key=lambda colleague: (not colleague.is_typing, colleague.name))
