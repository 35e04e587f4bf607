import io
import json
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.conftest import message_line
from webcare.extensions import db
from webcare.inbox.models import Case, CaseEvent, CaseStatus, Message, MessageStatus
from webcare.inbox.processing import MAX_DEFERRALS
from webcare.intake.services import import_jsonl
from webcare.timeutil import UTC
from webcare.worker import run_worker

BASE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _ingest(app, *records, batch_size=200):
    data = b"".join(json.dumps(r).encode() + b"\n" for r in records)
    import_jsonl(io.BytesIO(data), source="test")
    run_worker(app, drain=True, batch_size=batch_size)


def _case_of(external_id: str) -> Case | None:
    message = db.session.scalar(select(Message).where(Message.external_id == external_id))
    assert message.status == MessageStatus.DONE
    return db.session.get(Case, message.case_id) if message.case_id else None


def _private(external_id, minutes, author="u7", **fields):
    return message_line(
        external_id,
        minutes=minutes,
        channel="whatsapp",
        account="+31600000123",
        is_public=False,
        author={"id": author, "handle": author, "name": "Inwoner", "followers": None, "verified": False},
        **fields,
    )


def test_a_reply_chain_stays_one_case_and_our_reply_sets_the_first_response(app):
    _ingest(
        app,
        message_line("q", minutes=0, text="container niet geleegd"),
        message_line("a", minutes=42, direction="outbound", in_reply_to="q", text="We geven het door"),
        message_line("q2", minutes=90, in_reply_to="a", text="nog steeds vol"),
    )

    case = _case_of("q")
    assert _case_of("a") == case == _case_of("q2")
    assert case.first_inbound_at == BASE
    assert case.first_response_at == BASE + timedelta(minutes=42)
    assert (case.inbound_count, case.outbound_count) == (2, 1)
    assert case.status == CaseStatus.OPEN


def test_separate_public_posts_by_the_same_author_are_separate_cases(app):
    _ingest(app, message_line("p1", minutes=0), message_line("p2", minutes=5))

    assert _case_of("p1") != _case_of("p2")


def test_a_private_thread_on_the_same_account_joins_within_the_quiet_period(app):
    _ingest(app, _private("w1", 0), _private("w2", 60 * 24), _private("w3", 60 * 24 + 30, author="other"))

    assert _case_of("w1") == _case_of("w2")
    assert _case_of("w3") != _case_of("w1")


def test_a_private_message_after_the_quiet_period_opens_a_new_case(app):
    quiet_minutes = app.config["WEBCARE_THREAD_QUIET_HOURS"] * 60
    _ingest(app, _private("w1", 0), _private("w2", quiet_minutes + 1))

    assert _case_of("w1") != _case_of("w2")


def test_the_same_conversation_id_joins_the_open_case(app):
    _ingest(
        app,
        message_line("e1", channel="email", account="info@lindeburg.example", conversation_id="thread-9"),
        message_line(
            "e2",
            channel="email",
            account="info@lindeburg.example",
            conversation_id="thread-9",
            minutes=5,
            author={"id": "someone-else"},
        ),
    )

    assert _case_of("e1") == _case_of("e2")


def test_an_outbound_line_that_answers_nothing_known_waits_for_its_parent_and_then_opens_no_case(app):
    _ingest(app, message_line("o1", direction="outbound", in_reply_to="unknown"))

    waiting = db.session.scalar(select(Message).where(Message.external_id == "o1"))
    assert waiting.status == MessageStatus.QUEUED and waiting.deferrals == 1 and waiting.available_at is not None

    waiting.deferrals, waiting.available_at = MAX_DEFERRALS, None
    db.session.commit()
    run_worker(app, drain=True)

    assert _case_of("o1") is None
    assert db.session.scalar(select(Case)) is None


def test_our_reply_imported_before_the_message_it_answers_joins_that_case_when_it_arrives(app):
    """History from another tool can list an answer before its question, even in separate files."""
    _ingest(app, message_line("answer", minutes=45, direction="outbound", in_reply_to="question"))
    _ingest(app, message_line("question", minutes=0), message_line("follow-up", minutes=60, in_reply_to="answer"))

    case = _case_of("question")
    assert _case_of("answer") == case == _case_of("follow-up")
    assert case.first_response_at == BASE + timedelta(minutes=45)
    assert case.first_response_seconds == 45 * 60
    assert (case.inbound_count, case.outbound_count) == (2, 1)


def test_a_reply_processed_before_its_parent_still_joins_the_parents_case(app):
    child = message_line("child", minutes=10, in_reply_to="parent", direction="outbound")
    parent = message_line("parent", minutes=0)
    _ingest(app, child, parent, batch_size=1)

    assert _case_of("child") == _case_of("parent")
    assert _case_of("parent").first_response_at == BASE + timedelta(minutes=10)


def test_a_resident_answering_a_resolved_case_reopens_it(app):
    _ingest(app, message_line("q"))
    case = _case_of("q")
    case.move_to(CaseStatus.RESOLVED)
    db.session.commit()

    _ingest(app, message_line("q2", minutes=60 * 24 * 10, in_reply_to="q"))

    assert _case_of("q2") == case
    assert case.status == CaseStatus.REOPENED
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
    assert kinds == ["case_opened", "reopened", "message_received"]


def test_our_reply_dated_before_the_residents_message_is_not_a_response(app):
    _ingest(
        app,
        message_line("q", minutes=30, conversation_id="c1"),
        message_line("ours", minutes=0, direction="outbound", conversation_id="c1"),
        message_line("late", minutes=50, direction="outbound", conversation_id="c1"),
    )

    assert _case_of("q").first_response_at == BASE + timedelta(minutes=50)


def test_a_new_case_waits_unassigned_with_no_protocol_decision(app):
    _ingest(app, message_line("q"))

    case = _case_of("q")
    assert case.status == CaseStatus.NEW
    assert case.owner is None and case.action is None and case.priority is None
