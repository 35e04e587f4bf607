"""Prometheus metrics. State is counted from the database at scrape time; events are counted where they happen.

State (queue, dead letters, cases, first responses, heartbeats) comes from the database when Prometheus
scrapes, so every web process answers with the same figures however many gunicorn workers and queue
workers run. Events (triage and outbox outcomes, scheduler job runs, request latency) are counters and
histograms in the processes that see them; with PROMETHEUS_MULTIPROC_DIR set they are written to files in
that folder and summed over every process on the machine at scrape time (prometheus-client's
multiprocess mode). Without it each process reports its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from webcare.extensions import db
from webcare.inbox.models import Case, CaseStatus, Message
from webcare.intake.models import DeadLetter
from webcare.ops.health import oldest_waiting_received_at
from webcare.ops.heartbeat import last_successes
from webcare.replies.models import Reply
from webcare.timeutil import utcnow

CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.IGNORED)
FIRST_RESPONSE_WINDOW = timedelta(hours=24)

_process_registry = CollectorRegistry(auto_describe=True)

TRIAGED = Counter(
    "webcare_triage_messages",
    "Messages the queue worker handled, by outcome (processed, deferred, failed).",
    ["outcome"],
    registry=_process_registry,
)
OUTBOX = Counter(
    "webcare_outbox_replies",
    "Send attempts of the outbox, by outcome (sent, retrying, failed).",
    ["outcome"],
    registry=_process_registry,
)
JOB_RUNS = Counter(
    "webcare_scheduler_job_runs",
    "Scheduled job runs, by job and outcome (ok, failed).",
    ["job", "outcome"],
    registry=_process_registry,
)
REQUEST_SECONDS = Histogram(
    "webcare_request_duration_seconds",
    "Time to answer a web request, by endpoint and method.",
    ["endpoint", "method"],
    registry=_process_registry,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def record_triaged(processed: int, deferred: int = 0, failed: int = 0) -> None:
    """Call once per batch the worker finished (webcare/worker.py after process_claim)."""
    for outcome, number in (("processed", processed), ("deferred", deferred), ("failed", failed)):
        if number:
            TRIAGED.labels(outcome).inc(number)


def record_outbox(counts: dict[str, int]) -> None:
    """Call with what send_due_replies() returns: {"sent": n, "retrying": n, "failed": n}."""
    for outcome in ("sent", "retrying", "failed"):
        if counts.get(outcome):
            OUTBOX.labels(outcome).inc(counts[outcome])


def record_job(job_id: str, *, ok: bool) -> None:
    JOB_RUNS.labels(job_id, "ok" if ok else "failed").inc()


def observe_request(endpoint: str, method: str, seconds: float) -> None:
    REQUEST_SECONDS.labels(endpoint, method).observe(seconds)


def _gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


class DatabaseCollector(Collector):
    """The state of the deployment, read from the database at each scrape (as of `now`, default: the clock)."""

    def __init__(self, now: datetime | None = None):
        self.now = now

    def collect(self) -> Iterator[Metric]:
        up = _gauge("webcare_database_up", "1 when the database answered this scrape.")
        try:
            figures = list(self._figures())
        except SQLAlchemyError:
            db.session.rollback()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures

    def _figures(self) -> Iterator[Metric]:
        now = self.now or utcnow()
        # Two narrow counts, each read from an index of its own, rather than one scan of the wide table.
        by_status = _gauge("webcare_messages", "Messages held, by queue status.", ["status"])
        depth = 0
        for status, number in db.session.execute(select(Message.status, func.count()).group_by(Message.status)):
            by_status.add_metric([status.value], number)
            if status.value in ("queued", "processing"):
                depth += number
        yield by_status
        by_channel = _gauge(
            "webcare_messages_by_channel", "Messages taken in (and our replies), by channel.", ["channel"]
        )
        for channel, number in db.session.execute(select(Message.channel, func.count()).group_by(Message.channel)):
            by_channel.add_metric([channel.value], number)
        yield by_channel
        yield _single("webcare_queue_depth", "Messages queued or being processed.", depth)
        oldest = oldest_waiting_received_at()
        yield _single(
            "webcare_queue_oldest_age_seconds",
            "How long the longest-waiting queued message has waited (0 when empty).",
            max((now - oldest).total_seconds(), 0) if oldest else 0,
        )
        yield _single(
            "webcare_dead_letters",
            "Input kept in the dead letter because it could not be taken in.",
            db.session.scalar(select(func.count()).select_from(DeadLetter)),
        )
        replies = _gauge("webcare_replies", "Replies by status (queued and sending are the outbox).", ["status"])
        for status, number in db.session.execute(select(Reply.status, func.count()).group_by(Reply.status)):
            replies.add_metric([status.value], number)
        yield replies
        cases = _gauge("webcare_cases_open", "Cases not resolved, closed or ignored, by status.", ["status"])
        for status, number in db.session.execute(
            select(Case.status, func.count()).where(Case.status.not_in(CLOSED_STATUSES)).group_by(Case.status)
        ):
            cases.add_metric([status.value], number)
        yield cases
        yield from _first_responses(now)
        runs = _gauge(
            "webcare_last_success_timestamp_seconds",
            "When the worker or scheduler last finished a round (Unix time).",
            ["process"],
        )
        for process, at in last_successes().items():
            runs.add_metric([process], at.timestamp())
        yield runs


def _single(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _first_responses(now) -> Iterator[Metric]:
    since = now - FIRST_RESPONSE_WINDOW
    within, late = db.session.execute(
        select(
            func.count().filter(Case.first_response_at <= Case.first_response_due_at),
            func.count().filter(Case.first_response_at > Case.first_response_due_at),
        ).where(Case.first_response_at >= since, Case.first_response_due_at.is_not(None))
    ).one()
    answered = _gauge(
        "webcare_first_responses_24h",
        "First responses sent in the last 24 hours, inside or outside the norm.",
        ["within_norm"],
    )
    answered.add_metric(["yes"], within)
    answered.add_metric(["no"], late)
    yield answered
    yield _single(
        "webcare_first_responses_overdue",
        "Open cases past their first-response norm without a response.",
        db.session.scalar(
            select(func.count())
            .select_from(Case)
            .where(
                Case.first_response_at.is_(None),
                Case.first_response_due_at < now,
                Case.status.not_in(CLOSED_STATUSES),
            )
        ),
    )


class _ThisProcess(Collector):
    def collect(self) -> Iterator[Metric]:
        return _process_registry.collect()


def is_multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def exposition(now: datetime | None = None) -> tuple[bytes, str]:
    """The text a scrape receives, and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(now))
    if is_multiprocess():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    return generate_latest(registry), CONTENT_TYPE_LATEST
