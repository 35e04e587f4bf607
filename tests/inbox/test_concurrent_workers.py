"""The truth about every case with several worker processes at once, with and without crashes.

Thousands of messages in a handful of busy conversations (every worker meets every conversation in
every batch) plus thousands spread over many threads, stored partly out of order so that replies come
before the messages they answer. Afterwards the database must tell one story: every message processed
once, one case per conversation, every reply in its parent's case, every counter equal to its messages.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import Integer, func, select, text

from tests.conftest import message_line
from webcare.extensions import db
from webcare.inbox.models import (
    ACTIVE_STATUSES,
    Bundle,
    BundleStatus,
    Case,
    CaseDecision,
    CaseEvent,
    Direction,
    Message,
    MessageStatus,
)
from webcare.intake.parsing import parse_message
from webcare.intake.services import store_messages
from webcare.protocol.services import activate_file
from webcare.resources import resource_dir
from webcare.timeutil import UTC, utcnow

pytestmark = pytest.mark.slow

BASE = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
BUSY_CONVERSATIONS = 5
PER_BUSY_CONVERSATION = 1240
SPREAD_THREADS = 2100
TEXTS = [
    "De container in de Dorpsstraat is weer niet geleegd",
    "Wanneer wordt het grofvuil opgehaald?",
    "Dank voor de snelle reactie!",
    "Er ligt al een week een kapotte lantaarnpaal op de stoep",
    "Hoe vraag ik een parkeervergunning aan voor mijn buurt?",
    "Jullie doen ook nooit iets, echt belachelijk",
]


def _line(external_id: str, minutes: float, **fields) -> dict:
    rng = random.Random(external_id)
    fields.setdefault("text", f"{rng.choice(TEXTS)} ({external_id})")
    return message_line(external_id, minutes=minutes, base=BASE, **fields)


def _author(number: int) -> dict:
    return {
        "id": f"a{number}",
        "handle": f"inwoner{number}",
        "name": f"Inwoner {number}",
        "followers": 10,
        "verified": False,
    }


def _busy_conversations(rng: random.Random, scale: float) -> list[dict]:
    """Comments under a few posts: replies to earlier comments, and our answers to some of them."""
    lines = []
    for conversation in range(BUSY_CONVERSATIONS):
        earlier: list[str] = []
        for turn in range(int(PER_BUSY_CONVERSATION * scale)):
            external_id = f"busy{conversation}-{turn}"
            fields = {"conversation_id": f"post{conversation}", "author": _author(rng.randrange(400))}
            if earlier and rng.random() < 0.6:
                fields["in_reply_to"] = rng.choice(earlier[-50:])
            if earlier and rng.random() < 0.15:
                fields.update(direction="outbound", in_reply_to=earlier[-1], author=_author(9999))
            lines.append(_line(external_id, minutes=conversation * 0.3 + turn * 0.5, **fields))
            earlier.append(external_id)
    return lines


def _spread_threads(rng: random.Random, scale: float) -> list[dict]:
    """Many small threads: public questions with our answer and a follow-up, and private WhatsApp chats."""
    lines = []
    for thread in range(int(SPREAD_THREADS * scale)):
        start = rng.uniform(0, 600)
        if thread % 3 == 0:
            private = {
                "channel": "whatsapp",
                "account": "+31600000123",
                "is_public": False,
                "author": _author(1000 + thread),
            }
            lines += [
                _line(f"dm{thread}-0", start, **private),
                _line(f"dm{thread}-1", start + 5, **private),
                _line(f"dm{thread}-2", start + 9, **private),
            ]
        else:
            author = _author(1000 + thread)
            lines += [
                _line(f"q{thread}", start, author=author),
                _line(
                    f"q{thread}-ours", start + 20, direction="outbound", in_reply_to=f"q{thread}", author=_author(9999)
                ),
                _line(f"q{thread}-again", start + 40, in_reply_to=f"q{thread}-ours", author=author),
            ]
    return lines


def _store(lines: list[dict], rng: random.Random) -> None:
    """Store in time order, but with neighbours swapped often: replies then come before their parents."""
    lines = sorted(lines, key=lambda line: line["created_at"])
    for index in range(0, len(lines) - 1, 2):
        if rng.random() < 0.4:
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
    records = [(parse_message(line, now=utcnow(), max_text_length=10_000), "{}") for line in lines]
    for start in range(0, len(records), 2000):
        store_messages(records[start : start + 2000], source="test")
    db.session.commit()


def _queue_everything(seed: int, scale: float = 1.0) -> int:
    """6,200 messages in five conversations and 6,300 in 2,100 small threads (at scale 1)."""
    rng = random.Random(seed)
    lines = _busy_conversations(rng, scale) + _spread_threads(rng, scale)
    _store(lines, rng)
    return len(lines)


def _worker(url: str, lease_seconds: int = 120) -> subprocess.Popen:
    env = {**os.environ, "WEBCARE_DATABASE_URL": url, "WEBCARE_WORKER_LEASE_SECONDS": str(lease_seconds)}
    return subprocess.Popen(
        [sys.executable, "-m", "webcare.cli", "worker", "--drain", "--batch-size", "250"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(workers: list[subprocess.Popen], timeout: float = 600) -> str:
    logs = []
    for worker in workers:
        out, err = worker.communicate(timeout=timeout)
        assert worker.returncode in (0, -signal.SIGKILL), err[-3000:]
        logs.append(err)
    return "\n".join(logs)


def _assert_one_true_story(total: int, *, protocol_closes_cases: bool = False, scale: float = 1.0) -> None:
    """With a protocol, a case it ignores is finished and the conversation's next comment opens a new one;
    without one, every thread is exactly one case."""
    db.session.expire_all()
    statuses = Counter(db.session.scalars(select(Message.status)))
    assert statuses == {MessageStatus.DONE: total}

    handled = Counter(
        details["message_id"]
        for details in db.session.scalars(
            select(CaseEvent.details).where(CaseEvent.kind.in_(["case_opened", "message_received", "reply_recorded"]))
        )
    )
    assert len(handled) == total and set(handled.values()) == {1}, "a message was threaded twice or not at all"
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.case_id.is_(None))) == 0

    active = Case.status.in_(ACTIVE_STATUSES)
    conversations = db.session.execute(
        select(Case.channel, Case.account_id, Case.conversation_id, func.count())
        .where(Case.conversation_id.is_not(None), active)
        .group_by(Case.channel, Case.account_id, Case.conversation_id)
        .having(func.count() > 1)
    ).all()
    assert conversations == [], "a conversation was split over several cases"
    private_threads = db.session.execute(
        select(Case.account_id, Case.author_id, func.count())
        .where(Case.is_public.is_(False), active)
        .group_by(Case.account_id, Case.author_id)
        .having(func.count() > 1)
    ).all()
    assert private_threads == [], "a private chat was split over several cases"
    cases = db.session.scalar(select(func.count()).select_from(Case))
    threads = BUSY_CONVERSATIONS + int(SPREAD_THREADS * scale)
    if protocol_closes_cases:
        assert cases >= threads
    else:
        assert cases == threads

    strays = (
        db.session.execute(
            text(
                "SELECT reply.external_id FROM messages reply JOIN messages parent "
                "ON parent.channel = reply.channel AND parent.external_id = reply.in_reply_to "
                "WHERE reply.case_id IS DISTINCT FROM parent.case_id"
                if db.engine.dialect.name == "postgresql"
                else "SELECT reply.external_id FROM messages reply JOIN messages parent "
                "ON parent.channel = reply.channel AND parent.external_id = reply.in_reply_to "
                "WHERE reply.case_id IS NOT parent.case_id"
            )
        )
        .scalars()
        .all()
    )
    assert strays == [], "replies filed in another case than their parent"

    counted = (
        select(
            Message.case_id,
            func.sum(func.cast(Message.direction == Direction.INBOUND, Integer)).label("inbound"),
            func.sum(func.cast(Message.direction == Direction.OUTBOUND, Integer)).label("outbound"),
            func.min(Message.created_at).filter(Message.direction == Direction.INBOUND).label("first_inbound"),
        )
        .group_by(Message.case_id)
        .subquery()
    )
    wrong = db.session.execute(
        select(Case.id, Case.inbound_count, counted.c.inbound, Case.outbound_count, counted.c.outbound)
        .join(counted, counted.c.case_id == Case.id)
        .where(
            (Case.inbound_count != counted.c.inbound)
            | (Case.outbound_count != counted.c.outbound)
            | (Case.first_inbound_at != counted.c.first_inbound)
        )
    ).all()
    assert wrong == [], "case counters differ from their messages"


def _assert_no_deadlocks(log: str) -> None:
    assert "deadlock" not in log.lower(), log[-3000:]
    assert "Traceback" not in log, log[-3000:]


def _only_on(dialect: str, wanted: str) -> None:
    if dialect != wanted:
        pytest.skip(f"this run is for {wanted}")


def test_three_workers_tell_one_story(app, database_url, db_dialect):
    _only_on(db_dialect, "postgresql")
    total = _queue_everything(seed=11)

    log = _finish([_worker(database_url) for _ in range(3)])

    _assert_no_deadlocks(log)
    _assert_one_true_story(total)


def test_three_workers_triaging_with_the_protocol_tell_one_story(app, database_url, db_dialect):
    """Triage adds decisions, bundles opened by whichever worker meets a wave first, and routing."""
    _only_on(db_dialect, "postgresql")
    activate_file(resource_dir("protocols") / "gemeente.yaml")
    total = _queue_everything(seed=14, scale=0.25)

    log = _finish([_worker(database_url) for _ in range(3)])

    _assert_no_deadlocks(log)
    _assert_one_true_story(total, protocol_closes_cases=True, scale=0.25)
    inbound = db.session.scalar(select(func.count()).select_from(Message).where(Message.direction == Direction.INBOUND))
    assert db.session.scalar(select(func.count()).select_from(CaseDecision)) == inbound
    collecting = db.session.execute(
        select(Bundle.cluster_key, func.count())
        .where(Bundle.status == BundleStatus.COLLECTING)
        .group_by(Bundle.cluster_key)
    ).all()
    assert all(count == 1 for _key, count in collecting)


def test_three_workers_killed_at_random_still_tell_one_story(app, database_url, db_dialect):
    _only_on(db_dialect, "postgresql")
    total = _queue_everything(seed=12)
    rng = random.Random(12)
    workers = [_worker(database_url, lease_seconds=3) for _ in range(3)]
    finished: list[subprocess.Popen] = []
    kills = 0
    deadline = time.monotonic() + 400
    while kills < 6 and any(worker.poll() is None for worker in workers):
        assert time.monotonic() < deadline, "the workers never finished"
        time.sleep(rng.uniform(0.5, 2.0))
        running = [worker for worker in workers if worker.poll() is None]
        if not running:
            break
        victim = rng.choice(running)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        kills += 1
        finished.append(victim)
        workers.remove(victim)
        workers.append(_worker(database_url, lease_seconds=3))

    log = _finish(finished + workers)
    # A killed worker's last batch waits for its lease to run out; a last worker takes what is left.
    db.session.rollback()
    while db.session.scalar(select(func.count()).select_from(Message).where(Message.status != MessageStatus.DONE)):
        db.session.rollback()
        time.sleep(1)
        log += _finish([_worker(database_url, lease_seconds=3)])

    assert kills >= 1
    _assert_no_deadlocks(log)
    _assert_one_true_story(total)


def test_one_worker_on_sqlite_tells_the_same_story(app, database_url, db_dialect):
    _only_on(db_dialect, "sqlite")
    total = _queue_everything(seed=13)

    log = _finish([_worker(database_url)])

    _assert_no_deadlocks(log)
    _assert_one_true_story(total)
