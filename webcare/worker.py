"""The worker: claims queued messages (intake), has the inbox thread and triage them, and runs the outbox.

Used by `webcare worker` and inside `webcare serve`; several may run at once on PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.inbox.processing import batch_scope, process_messages
from webcare.intake.queue import (
    Claim,
    claim_batch,
    commit_unless_lease_lost,
    finish_claim,
    has_work_in_flight,
    load_claimed,
    record_failure,
)
from webcare.logcontext import request_id_context
from webcare.ops.heartbeat import WORKER, beat
from webcare.ops.metrics import record_outbox, record_triaged
from webcare.replies.outbox import send_due_replies
from webcare.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class BatchOutcome:
    processed: int = 0
    deferred: int = 0
    failed: int = 0
    lease_lost: bool = False


@dataclass
class WorkerTotals:
    processed: int = 0
    deferred: int = 0
    failed: int = 0
    batches: int = 0


def _process(claim: Claim, message_ids, quiet_period: timedelta, now: datetime) -> tuple[BatchOutcome, bool] | None:
    """Process some of the claim's messages in one transaction; None when another worker took them over."""
    messages = load_claimed(Claim(claim.token, tuple(message_ids), claim.lease_expires_at))
    if messages is None:
        return None
    with batch_scope():
        result = process_messages(messages, quiet_period=quiet_period, now=now)
        still_ours = finish_claim(claim, messages, result, now)
    return BatchOutcome(processed=result.processed, deferred=len(result.deferred)), still_ours


def process_claim(claim: Claim, *, quiet_period: timedelta, now: datetime | None = None) -> BatchOutcome:
    """Thread every message of the claim in one transaction; nothing is committed if the lease was lost.

    When something in the batch fails, the batch is rolled back and its messages are taken one at a
    time, so one bad message cannot hold up the others.
    """
    now = now or utcnow()
    try:
        done = _process(claim, claim.message_ids, quiet_period, now)
    except OperationalError:
        raise
    except Exception:
        db.session.rollback()
        log.exception("a batch of %d messages failed; retrying them one by one", len(claim.message_ids))
        return _process_one_by_one(claim, quiet_period, now)
    if done is None:
        return BatchOutcome(lease_lost=True)
    outcome, still_ours = done
    if not commit_unless_lease_lost(still_ours, len(claim.message_ids)):
        return BatchOutcome(lease_lost=True)
    return outcome


def _process_one_by_one(claim: Claim, quiet_period: timedelta, now: datetime) -> BatchOutcome:
    total = BatchOutcome()
    request_ids = dict(
        db.session.execute(select(Message.id, Message.request_id).where(Message.id.in_(claim.message_ids))).all()
    )
    for message_id in claim.message_ids:
        with request_id_context(request_ids.get(message_id)):
            try:
                done = _process(claim, [message_id], quiet_period, now)
            except OperationalError:
                raise
            except Exception as error:  # one bad message must not hold up the queue
                db.session.rollback()
                log.exception("message %s could not be processed", message_id)
                record_failure(message_id, error, now)
                total.failed += 1
                continue
        if done is None:
            continue
        outcome, still_ours = done
        if not commit_unless_lease_lost(still_ours, 1):
            total.lease_lost = True
            return total
        total.processed += outcome.processed
        total.deferred += outcome.deferred
    return total


def run_worker(
    app: Flask,
    *,
    drain: bool = False,
    stop: threading.Event | None = None,
    idle_seconds: float = 1.0,
    batch_size: int | None = None,
) -> WorkerTotals:
    """Process the queue until it is empty (`drain`) or until `stop` is set.

    Draining ends when nothing is due and no other worker holds messages whose replies it may wake; replies
    still waiting for a parent that has not arrived stay queued for a later run.
    """
    stop = stop or threading.Event()
    totals = WorkerTotals()
    size = batch_size or app.config["WEBCARE_WORKER_BATCH_SIZE"]
    lease = timedelta(seconds=app.config["WEBCARE_WORKER_LEASE_SECONDS"])
    quiet_period = timedelta(hours=app.config["WEBCARE_THREAD_QUIET_HOURS"])
    with app.app_context():
        while not stop.is_set():
            try:
                claim = claim_batch(size=size, lease=lease)
                record_outbox(send_due_replies())
                beat(WORKER)
                if claim is None:
                    if drain and not has_work_in_flight():
                        break
                    stop.wait(0.05 if drain else idle_seconds)
                    continue
                outcome = process_claim(claim, quiet_period=quiet_period)
            except OperationalError:
                db.session.rollback()
                log.exception("worker hit a database error; retrying")
                stop.wait(idle_seconds)
                continue
            record_triaged(outcome.processed, outcome.deferred, outcome.failed)
            totals.batches += 1
            totals.processed += outcome.processed
            totals.deferred += outcome.deferred
            totals.failed += outcome.failed
        db.session.remove()
    return totals
