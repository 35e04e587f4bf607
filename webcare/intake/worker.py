"""The worker loop: claim a batch, process it, repeat; used by `webcare worker` and inside `webcare serve`."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy.exc import OperationalError

from webcare.extensions import db
from webcare.intake.queue import claim_batch, process_claim
from webcare.replies.outbox import send_due_replies

log = logging.getLogger(__name__)


@dataclass
class WorkerTotals:
    processed: int = 0
    deferred: int = 0
    failed: int = 0
    batches: int = 0


def run_worker(
    app: Flask,
    *,
    drain: bool = False,
    stop: threading.Event | None = None,
    idle_seconds: float = 1.0,
    batch_size: int | None = None,
) -> WorkerTotals:
    """Process the queue until it is empty (`drain`) or until `stop` is set."""
    stop = stop or threading.Event()
    totals = WorkerTotals()
    size = batch_size or app.config["WEBCARE_WORKER_BATCH_SIZE"]
    lease = timedelta(seconds=app.config["WEBCARE_WORKER_LEASE_SECONDS"])
    quiet_period = timedelta(hours=app.config["WEBCARE_THREAD_QUIET_HOURS"])
    with app.app_context():
        while not stop.is_set():
            try:
                claim = claim_batch(size=size, lease=lease)
                send_due_replies()
                if claim is None:
                    if drain:
                        break
                    stop.wait(idle_seconds)
                    continue
                outcome = process_claim(claim, quiet_period=quiet_period)
            except OperationalError:
                db.session.rollback()
                log.exception("worker hit a database error; retrying")
                stop.wait(idle_seconds)
                continue
            totals.batches += 1
            totals.processed += outcome.processed
            totals.deferred += outcome.deferred
            totals.failed += outcome.failed
            if drain and outcome.processed == 0 and outcome.deferred and not outcome.failed:
                stop.wait(0.05)
        db.session.remove()
    return totals
