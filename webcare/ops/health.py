"""Readiness checks: the database answers, its schema is at the newest migration, the queue moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from webcare.extensions import db
from webcare.inbox.models import Message, MessageStatus
from webcare.ops.heartbeat import WORKER, last_successes
from webcare.resources import resource_dir
from webcare.timeutil import as_utc, utcnow

WAITING = (MessageStatus.QUEUED, MessageStatus.PROCESSING)


@dataclass
class Readiness:
    """Each check's name with whether it passed and what an operator should read."""

    checks: dict[str, tuple[bool, str]] = field(default_factory=dict)

    def passed(self, name: str, detail: str = "ok") -> None:
        self.checks[name] = (True, detail)

    def failed(self, name: str, detail: str) -> None:
        self.checks[name] = (False, detail)

    @property
    def ready(self) -> bool:
        return all(ok for ok, _detail in self.checks.values())

    def as_json(self) -> dict:
        return {"ready": self.ready, "checks": {name: detail for name, (_ok, detail) in self.checks.items()}}


@cache
def _migration_heads() -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _applied_revisions(connection) -> frozenset[str]:
    """What alembic_version holds, read directly: Alembic's MigrationContext logs two lines per call."""
    if not inspect(connection).has_table("alembic_version"):
        return frozenset()
    return frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def oldest_waiting_received_at(now: datetime | None = None) -> datetime | None:
    """Since when the longest-waiting due message (queued or claimed) has waited; None for an empty queue.

    A reply waiting for its parent is not due until `available_at`, and counts from then: a parent that never
    arrives must not make the queue look stuck.
    """
    now = now or utcnow()
    oldest = db.session.scalar(
        select(func.min(func.coalesce(Message.available_at, Message.received_at))).where(
            Message.status.in_(WAITING), or_(Message.available_at.is_(None), Message.available_at <= now)
        )
    )
    return as_utc(oldest) if oldest is not None else None


def _database_and_schema(readiness: Readiness) -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = _applied_revisions(connection)
    except SQLAlchemyError as error:
        readiness.failed("database", f"unreachable: {type(getattr(error, 'orig', None) or error).__name__}")
        readiness.failed("migrations", "unknown")
        return False
    readiness.passed("database")
    heads = _migration_heads()
    if current == heads:
        readiness.passed("migrations")
    else:
        readiness.failed(
            "migrations", f"at {', '.join(sorted(current)) or 'nothing'}, expected {', '.join(sorted(heads))}"
        )
    return True


def web_readiness() -> Readiness:
    """For the load balancer: this process can serve pages."""
    readiness = Readiness()
    _database_and_schema(readiness)
    return readiness


def worker_readiness(*, stuck_after: timedelta, stale_after: timedelta, now: datetime | None = None) -> Readiness:
    """For the monitor of the workers: web readiness, and the queue moves.

    The queue is stuck when its oldest message has waited longer than `stuck_after`. The worker's
    heartbeat is stale when it has not finished a round for `stale_after`; never having beaten is not
    held against it (an idle deployment may not have started a worker yet), the queue age decides then.
    """
    now = now or utcnow()
    readiness = Readiness()
    if not _database_and_schema(readiness):
        return readiness
    try:
        oldest = oldest_waiting_received_at(now)
        beaten = last_successes().get(WORKER)
    except SQLAlchemyError as error:
        db.session.rollback()
        readiness.failed("queue", f"unknown: {type(error).__name__}")
        return readiness
    waited = (now - oldest) if oldest is not None else timedelta(0)
    if waited > stuck_after:
        readiness.failed("queue", f"stuck: the oldest message has waited {int(waited.total_seconds())} s")
    else:
        readiness.passed("queue", f"ok: the oldest message has waited {int(waited.total_seconds())} s")
    if beaten is None:
        readiness.passed("worker", "ok: no heartbeat yet")
    elif now - beaten > stale_after:
        readiness.failed("worker", f"stale: last round {int((now - beaten).total_seconds())} s ago")
    else:
        readiness.passed("worker")
    return readiness
