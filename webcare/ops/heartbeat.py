"""Background processes say they finished a round of work; health checks and metrics read it back."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from webcare.extensions import db
from webcare.ops.models import Heartbeat
from webcare.timeutil import utcnow

WORKER = "worker"
SCHEDULER = "scheduler"
# A worker loops every second when idle; one write per process in this interval is plenty.
WRITE_AT_MOST_EVERY = timedelta(seconds=15)

_last_written: dict[str, datetime] = {}
_lock = threading.Lock()


def beat(process: str, *, now: datetime | None = None) -> bool:
    """Record that `process` just finished a round of work; returns whether a row was written.

    Commits on its own: call it after the round's own commit, never inside a transaction that may roll back.
    """
    now = now or utcnow()
    with _lock:
        previous = _last_written.get(process)
        if previous is not None and previous <= now < previous + WRITE_AT_MOST_EVERY:
            return False
        _last_written[process] = now
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Heartbeat.__table__)
    db.session.execute(
        insert.values(process=process, last_success_at=now).on_conflict_do_update(
            index_elements=["process"], set_={"last_success_at": now}
        )
    )
    db.session.commit()
    return True


def last_successes() -> dict[str, datetime]:
    return {row.process: row.last_success_at for row in db.session.scalars(select(Heartbeat))}


def forget_local_throttle() -> None:
    """For tests that beat with a `now` of their choosing."""
    with _lock:
        _last_written.clear()
