"""Real worker processes on PostgreSQL: concurrent claims and a crash mid-batch."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import message_line
from webcare.extensions import db
from webcare.inbox.models import Case, CaseEvent, Message, MessageStatus
from webcare.intake.parsing import parse_message
from webcare.intake.services import store_messages
from webcare.timeutil import UTC, utcnow

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CONVERSATIONS = 2000
PER_CONVERSATION = 5


@pytest.fixture
def pg_app(request):
    request.getfixturevalue("database_url")
    return request.getfixturevalue("app")


@pytest.fixture(params=["postgresql"])
def database_url(request, tmp_path):
    from tests.conftest import _truncate_postgres

    url = request.getfixturevalue("migrated_postgres")
    _truncate_postgres(url)
    return url


def _queue_conversations(app) -> None:
    base = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    records = []
    for conversation in range(CONVERSATIONS):
        for turn in range(PER_CONVERSATION):
            line = message_line(
                f"c{conversation}-{turn}",
                minutes=conversation + turn * 3,
                base=base,
                author={"id": f"a{conversation}"},
                in_reply_to=f"c{conversation}-{turn - 1}" if turn else None,
            )
            records.append((parse_message(line, now=utcnow(), max_text_length=10_000), "{}"))
    for start in range(0, len(records), 2000):
        store_messages(records[start : start + 2000], source="test")
    db.session.commit()


def _worker(url: str, *extra: str, lease_seconds: int = 120) -> subprocess.Popen:
    env = {**os.environ, "WEBCARE_DATABASE_URL": url, "WEBCARE_WORKER_LEASE_SECONDS": str(lease_seconds)}
    return subprocess.Popen(
        [sys.executable, "-m", "webcare.cli", "worker", "--drain", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _assert_each_message_processed_exactly_once() -> None:
    statuses = Counter(db.session.scalars(select(Message.status)))
    assert statuses == {MessageStatus.DONE: CONVERSATIONS * PER_CONVERSATION}
    handled = Counter(
        details["message_id"]
        for details in db.session.scalars(
            select(CaseEvent.details).where(CaseEvent.kind.in_(["case_opened", "message_received"]))
        )
    )
    assert len(handled) == CONVERSATIONS * PER_CONVERSATION
    assert set(handled.values()) == {1}
    assert db.session.scalar(select(func.count()).select_from(Case)) == CONVERSATIONS
    assert set(db.session.scalars(select(Case.inbound_count))) == {PER_CONVERSATION}


def test_two_worker_processes_process_every_message_exactly_once(pg_app, database_url):
    _queue_conversations(pg_app)

    workers = [_worker(database_url, "--batch-size", "100") for _ in range(2)]
    outputs = [worker.communicate(timeout=240) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    processed = [int(out.split()[1]) for out, _err in outputs]
    assert sum(processed) == CONVERSATIONS * PER_CONVERSATION
    assert all(count > 0 for count in processed), "both workers should have taken part"
    db.session.expire_all()
    _assert_each_message_processed_exactly_once()


def test_a_worker_killed_mid_batch_loses_nothing_and_another_takes_the_batch(pg_app, database_url):
    _queue_conversations(pg_app)

    doomed = _worker(database_url, "--batch-size", "10000", lease_seconds=3)
    deadline = time.monotonic() + 60
    while (
        db.session.scalar(select(func.count()).select_from(Message).where(Message.status == MessageStatus.PROCESSING))
        == 0
    ):
        assert doomed.poll() is None, doomed.communicate()
        assert time.monotonic() < deadline, "the worker never claimed a batch"
        db.session.rollback()
        time.sleep(0.02)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 0
    lease_end = db.session.scalar(select(func.max(Message.lease_expires_at)))
    while utcnow() <= lease_end + timedelta(milliseconds=100):
        time.sleep(0.1)

    successor = _worker(database_url, "--batch-size", "500")
    out, err = successor.communicate(timeout=240)

    assert successor.returncode == 0, err
    db.session.expire_all()
    _assert_each_message_processed_exactly_once()
    assert db.session.scalar(select(func.min(Message.attempts))) == 2
