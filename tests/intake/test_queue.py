import io
import json
from datetime import timedelta

from sqlalchemy import func, select, update

from tests.conftest import message_line
from webcare.extensions import db
from webcare.inbox.models import Case, CaseEvent
from webcare.intake.models import Message, MessageStatus
from webcare.intake.queue import claim_batch, process_claim
from webcare.intake.services import import_jsonl
from webcare.timeutil import utcnow

QUIET = timedelta(hours=72)
LEASE = timedelta(seconds=60)


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
    for _ in range(queue.MAX_ATTEMPTS):
        claim = claim_batch(size=10, lease=LEASE)
        process_claim(claim, quiet_period=QUIET)

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
