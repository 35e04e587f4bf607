"""Helpers for report tests: history through the real import and worker, and cases with known timing."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.conftest import message_line, send_demo_accounts_to_the_log
from webcare.accounts.models import Account, Channel
from webcare.extensions import db
from webcare.inbox.models import Case, CaseStatus, Message
from webcare.intake.services import import_jsonl
from webcare.worker import run_worker


def ingest(app, records: list[dict]) -> None:
    """Import JSONL lines through the real import, then let the worker thread them all."""
    data = b"".join(json.dumps(record).encode() + b"\n" for record in records)
    summary = import_jsonl(io.BytesIO(data), source="report-test")
    assert summary.rejected == 0
    send_demo_accounts_to_the_log()
    run_worker(app, drain=True)


def conversation(key: str, asked: datetime, answered: datetime | None, **fields) -> list[dict]:
    """One resident question and (optionally) our reply to it, as JSONL records."""
    author = {"id": f"resident-{key}", "handle": f"resident_{key}", "name": f"Resident {key}", "followers": 10}
    lines = [message_line(f"{key}-q", base=asked, author=author, text=f"Vraag {key}?", **fields)]
    if answered is not None:
        lines.append(
            message_line(
                f"{key}-a",
                base=answered,
                direction="outbound",
                in_reply_to=f"{key}-q",
                text=f"Antwoord {key}",
                author={"id": "gemeente", "handle": "gemeentelindeburg", "name": "Gemeente"},
                **fields,
            )
        )
    return lines


def case_of(external_id: str) -> Case:
    message = db.session.scalar(select(Message).where(Message.external_id == external_id))
    return db.session.get(Case, message.case_id)


def account(channel: Channel = Channel.X, handle: str = "gemeentelindeburg") -> Account:
    found = db.session.scalar(select(Account).where(Account.channel == channel, Account.handle == handle))
    if found is None:
        found = Account(channel=channel, handle=handle, name=f"Gemeente ({handle})")
        db.session.add(found)
        db.session.flush()
    return found


def make_case(
    first_inbound_at: datetime,
    *,
    response_seconds: int | None = None,
    staffed_seconds: int | None = None,
    channel: Channel = Channel.X,
    priority: str | None = None,
    due_in: timedelta | None = None,
    **fields,
) -> Case:
    """A case with its timing columns set as the worker maintains them (for aggregation tests)."""
    responded = first_inbound_at + timedelta(seconds=response_seconds) if response_seconds is not None else None
    case = Case(
        status=fields.pop("status", CaseStatus.OPEN),
        channel=channel,
        account_id=account(channel).id,
        is_public=True,
        priority=priority,
        first_inbound_at=first_inbound_at,
        last_message_at=responded or first_inbound_at,
        queue_at=first_inbound_at,
        first_response_at=responded,
        first_response_seconds=response_seconds,
        first_response_staffed_seconds=staffed_seconds if staffed_seconds is not None else response_seconds,
        first_response_due_at=first_inbound_at + due_in if due_in is not None else None,
        inbound_count=1,
        outbound_count=1 if responded else 0,
        **fields,
    )
    db.session.add(case)
    db.session.flush()
    return case
