"""Helpers for the mandate, reply and outbox tests: cases from real intake, mandate rules, a fixed clock."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.conftest import message_line, send_demo_accounts_to_the_log
from webcare.extensions import db
from webcare.inbox.models import Case, Message
from webcare.intake.services import import_jsonl
from webcare.mandates.models import Permission, Risk, Visibility
from webcare.mandates.services import add_rule
from webcare.timeutil import UTC
from webcare.worker import run_worker

# Monday 2 November 2026, 09:00 UTC (10:00 in Amsterdam): office hours.
ARRIVAL = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LATER = ARRIVAL + timedelta(minutes=20)


def ingest(app, *records: dict) -> None:
    import_jsonl(io.BytesIO(b"".join(json.dumps(r).encode() + b"\n" for r in records)), source="test")
    send_demo_accounts_to_the_log()
    run_worker(app, drain=True)


def case_of(external_id: str) -> Case:
    return db.session.scalar(
        select(Case).join(Message, Message.case_id == Case.id).where(Message.external_id == external_id)
    )


def open_case(app, external_id: str = "q1", **fields) -> Case:
    """A case opened by real intake from one resident message (X, public, on the demo account by default)."""
    ingest(app, message_line(external_id, base=ARRIVAL, **fields))
    return case_of(external_id)


def private_case(app, external_id: str = "dm1", **fields) -> Case:
    fields.setdefault("conversation_id", f"conv-{external_id}")
    return open_case(app, external_id, is_public=False, **fields)


def allow(
    role_or_user,
    permission: Permission = Permission.MAY_SEND,
    *,
    topic: str | None = None,
    risk: Risk | None = None,
    visibility: Visibility | None = None,
):
    """Add a mandate rule for a role (a Role) or a person (a User)."""
    from webcare.auth.models import Role

    subject = {"role": role_or_user} if isinstance(role_or_user, Role) else {"user": role_or_user}
    return add_rule(**subject, topic=topic, risk=risk, visibility=visibility, permission=permission, by=None)
