import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from tests.conftest import message_line
from webcare.extensions import db
from webcare.inbox.models import Case, CaseEvent, Message, MessageStatus
from webcare.intake.queue import claim_batch
from webcare.intake.services import import_jsonl
from webcare.timeutil import utcnow
from webcare.worker import process_claim

QUIET = timedelta(hours=72)
LEASE = timedelta(seconds=60)
READS_WITHOUT_KEY = re.compile(
    r"SCAN (messages|cases|case_events)\b|SEARCH cases USING (COVERING )?INDEX \w+ \(status=\?\)"
)


def _queue(count: int) -> None:
    data = b"".join(json.dumps(message_line(f"m{i}", minutes=i)).encode() + b"\n" for i in range(count))
    import_jsonl(io.BytesIO(data), source="test")


def test_claims_do_not_overlap(app):
    _queue(10)

    first = claim_batch(size=6, lease=LEASE)
    second = claim_batch(size=6, lease=LEASE)

    assert len(first.message_ids) == 6 and len(second.message_ids) == 4
    assert not set(first.message_ids) & set(second.message_ids)
    assert claim_batch(size=6, lease=LEASE) is None


def test_a_batch_whose_lease_ran_out_is_claimed_again(app):
    _queue(3)
    now = utcnow()
    abandoned = claim_batch(size=10, lease=LEASE, now=now)

    assert claim_batch(size=10, lease=LEASE, now=now + timedelta(seconds=30)) is None
    retaken = claim_batch(size=10, lease=LEASE, now=now + timedelta(seconds=61))

    assert retaken.message_ids == abandoned.message_ids
    assert retaken.token != abandoned.token


def test_a_worker_that_lost_its_lease_commits_nothing(app):
    _queue(3)
    now = utcnow()
    slow = claim_batch(size=10, lease=LEASE, now=now)
    fast = claim_batch(size=10, lease=LEASE, now=now + timedelta(minutes=5))

    late = process_claim(slow, quiet_period=QUIET)
    on_time = process_claim(fast, quiet_period=QUIET)

    assert late.lease_lost and late.processed == 0
    assert on_time.processed == 3
    assert db.session.scalar(select(func.count()).select_from(Case)) == 3
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 3


def test_processing_marks_messages_done_and_releases_the_claim(app):
    _queue(2)
    claim = claim_batch(size=10, lease=LEASE)

    process_claim(claim, quiet_period=QUIET)

    for message in db.session.scalars(select(Message)):
        assert message.status == MessageStatus.DONE
        assert message.claim_token is None and message.lease_expires_at is None
        assert message.attempts == 1


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_and_does_not_hold_up_others(app, monkeypatch):
    from webcare.inbox.threading import BatchThreader
    from webcare.intake import queue

    _queue(2)

    def broken(self, message):
        if message.external_id == "m1":
            raise RuntimeError("cannot thread")
        return original(self, message)

    original = BatchThreader.thread
    monkeypatch.setattr(BatchThreader, "thread", broken)
    now = utcnow()
    for attempt in range(queue.MAX_ATTEMPTS):
        # A failed message waits a little before it is due again.
        later = now + timedelta(minutes=attempt)
        claim = claim_batch(size=10, lease=LEASE, now=later)
        process_claim(claim, quiet_period=QUIET, now=later)

    statuses = dict(db.session.execute(select(Message.external_id, Message.status)).all())
    assert statuses == {"m0": MessageStatus.DONE, "m1": MessageStatus.FAILED}
    from webcare.intake.models import DeadLetter

    letter = db.session.scalar(select(DeadLetter))
    assert "cannot thread" in letter.reason and json.loads(letter.raw)["external_id"] == "m1"


def test_case_events_cannot_be_changed_or_deleted_in_the_database(app):
    import pytest
    from sqlalchemy.exc import DatabaseError

    _queue(1)
    process_claim(claim_batch(size=10, lease=LEASE), quiet_period=QUIET)

    with pytest.raises(DatabaseError):
        db.session.execute(update(CaseEvent).values(kind="tampered"))
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(CaseEvent.__table__.delete())
    db.session.rollback()
    assert db.session.scalar(select(CaseEvent.kind)) == "case_opened"


def test_a_batch_finds_its_rows_through_indexes_rather_than_reading_whole_tables(app):
    """SQLite keeps no statistics here, so a plan seen on a few rows is the plan on a million: a whole-table
    read, or cases found by status alone, would make every batch slower as the database grows."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans only")
    whatsapp = {"channel": "whatsapp", "account": "+31600000123", "is_public": False}
    records = [
        message_line("q", minutes=0),
        message_line("c1", minutes=1, conversation_id="conv-1"),
        message_line("w1", minutes=2, **whatsapp),
        message_line("a", minutes=3, direction="outbound", in_reply_to="q"),
        message_line("c2", minutes=4, conversation_id="conv-1"),
        message_line("w2", minutes=5, **whatsapp),
    ]
    import_jsonl(io.BytesIO(b"".join(json.dumps(r).encode() + b"\n" for r in records)), source="test")
    statements = []

    def remember(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith(("SELECT", "UPDATE")):
            statements.append((statement, parameters[0] if executemany else parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        for _ in range(2):
            process_claim(claim_batch(size=3, lease=LEASE), quiet_period=QUIET)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)

    assert db.session.scalar(select(func.count()).select_from(Case)) == 3
    sqlite = db.session.connection().connection.driver_connection
    for statement, parameters in statements:
        plan = [row[3] for row in sqlite.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
        assert not [step for step in plan if READS_WITHOUT_KEY.match(step)], (statement, plan)
