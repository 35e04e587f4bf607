"""The outbox: leases for several workers, retries with backoff, giving up, the failed view, the worker loop."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import message_line
from tests.workflow.reply_support import LATER, allow, case_of, ingest, open_case
from webcare.accounts.models import Channel
from webcare.auth.models import Role
from webcare.channels import base
from webcare.channels.base import Connector, SendFailed, SentReply
from webcare.extensions import db
from webcare.inbox.models import CaseEvent, CaseStatus
from webcare.mandates.models import Permission
from webcare.replies.models import ReplyStatus
from webcare.replies.outbox import MAX_SEND_ATTEMPTS, backoff, claim_due_replies, send_due_replies
from webcare.replies.services import draft_reply, retry_reply
from webcare.worker import run_worker


class BusyPlatform(Connector):
    """A platform that asks us to come back later (HTTP 429 with Retry-After) a given number of times."""

    channel = Channel.INSTAGRAM
    refusals = 0

    def verify(self, delivery):
        raise base.SignatureError("not used")

    def parse(self, delivery):
        return base.ParsedDelivery()

    def send(self, reply):
        if BusyPlatform.refusals > 0:
            BusyPlatform.refusals -= 1
            raise SendFailed("429 Too Many Requests", retry_after_seconds=900)
        return SentReply(external_id=f"ig-{reply.text[:8]}", raw_response='{"id": "ig"}')


def _queued_reply(app, make_user, external_id="q1", **fields):
    agent = make_user(Role.AGENT)
    allow(Role.AGENT, Permission.MAY_SEND)
    case = open_case(app, external_id, **fields)
    return draft_reply(case, "Dank je wel!", by=agent, now=LATER)


def test_backoff_doubles_up_to_an_hour_and_honours_the_platforms_retry_after():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == timedelta(hours=1)
    assert backoff(1, retry_after_seconds=900) == timedelta(seconds=900)
    assert backoff(5, retry_after_seconds=5) == timedelta(seconds=480)


def test_two_workers_never_claim_the_same_reply_and_an_expired_lease_is_claimed_again(app, make_user):
    reply = _queued_reply(app, make_user)

    first_token, first = claim_due_replies(limit=10, lease=timedelta(minutes=2), now=LATER)
    _token, second = claim_due_replies(limit=10, lease=timedelta(minutes=2), now=LATER + timedelta(minutes=1))
    _token, after_lease = claim_due_replies(limit=10, lease=timedelta(minutes=2), now=LATER + timedelta(minutes=3))

    assert first == [reply.id] and second == [] and after_lease == [reply.id]
    db.session.refresh(reply)
    assert reply.attempts == 2 and reply.claim_token != first_token


def test_a_reply_not_yet_due_is_not_sent(app, make_user):
    _queued_reply(app, make_user)

    assert send_due_replies(now=LATER - timedelta(seconds=1))["sent"] == 0
    assert send_due_replies(now=LATER)["sent"] == 1


def test_a_refused_send_is_retried_after_the_platforms_retry_after_and_then_sent(app, make_user, monkeypatch):
    monkeypatch.setitem(base._registry, Channel.INSTAGRAM, BusyPlatform)
    BusyPlatform.refusals = 1
    reply = _queued_reply(app, make_user, "ig1", channel="instagram", account="lindeburg_echt")

    assert send_due_replies(now=LATER) == {"sent": 0, "retrying": 1, "failed": 0}
    db.session.refresh(reply)
    assert reply.status == ReplyStatus.QUEUED and reply.next_attempt_at == LATER + timedelta(seconds=900)
    assert reply.last_error == "429 Too Many Requests"
    assert send_due_replies(now=LATER + timedelta(seconds=899))["sent"] == 0

    assert send_due_replies(now=LATER + timedelta(seconds=900))["sent"] == 1
    db.session.refresh(reply)
    assert reply.status == ReplyStatus.SENT and reply.attempts == 2 and reply.last_error is None


def test_after_the_last_attempt_a_reply_fails_visibly_and_the_case_is_open_again(app, make_user, monkeypatch):
    monkeypatch.setitem(base._registry, Channel.INSTAGRAM, BusyPlatform)
    BusyPlatform.refusals = 100
    reply = _queued_reply(app, make_user, "ig2", channel="instagram", account="lindeburg_echt")
    moment = LATER
    for _attempt in range(MAX_SEND_ATTEMPTS):
        send_due_replies(now=moment)
        db.session.refresh(reply)
        moment = reply.next_attempt_at or moment

    assert reply.status == ReplyStatus.FAILED and reply.attempts == MAX_SEND_ATTEMPTS
    case = reply.case
    assert case.status == CaseStatus.OPEN and case.first_response_at is None
    assert (
        db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "reply_failed")).details["attempts"]
        == MAX_SEND_ATTEMPTS
    )


@pytest.fixture
def facebook_without_connector(monkeypatch):
    """The state before the Facebook connector existed (or for any channel still without one)."""
    monkeypatch.delitem(base._registry, Channel.FACEBOOK, raising=False)


def test_a_real_account_on_a_channel_without_connector_fails_at_once_with_a_clear_reason(
    app, make_user, facebook_without_connector
):
    reply = _queued_reply(app, make_user, "fb1", channel="facebook", account="lindeburg_sport")

    assert send_due_replies(now=LATER) == {"sent": 0, "retrying": 0, "failed": 1}

    db.session.refresh(reply)
    assert reply.status == ReplyStatus.FAILED and "no connector for this channel (facebook) yet" in reply.last_error


def test_failed_replies_show_on_the_failed_view_and_on_the_case_and_can_be_sent_again(
    app, client, auth, make_user, csrf_from, facebook_without_connector
):
    reply = _queued_reply(app, make_user, "fb2", channel="facebook", account="lindeburg_sport")
    send_due_replies(now=LATER)
    lead = make_user(Role.LEAD)
    auth.login_as(lead)

    failed = client.get("/outbox/failed").get_data(as_text=True)
    on_case = client.get(f"/cases/{reply.case_id}/reply").get_data(as_text=True)

    assert "no connector for this channel (facebook) yet" in failed and f"/cases/{reply.case_id}" in failed
    assert "no connector for this channel (facebook) yet" in on_case
    response = client.post(f"/outbox/{reply.id}/retry", data={"csrf_token": csrf_from(failed)})
    assert response.status_code == 302
    db.session.refresh(reply)
    assert reply.status == ReplyStatus.QUEUED and reply.attempts == 0


def test_only_a_failed_reply_can_be_sent_again(app, make_user):
    from webcare.replies.services import ReplyRefused

    reply = _queued_reply(app, make_user)
    with pytest.raises(ReplyRefused):
        retry_reply(reply, by=reply.author)


def test_the_intake_worker_sends_due_replies_without_a_separate_process(app, make_user):
    reply = _queued_reply(app, make_user)

    run_worker(app, drain=True)

    db.session.refresh(reply)
    assert reply.status == ReplyStatus.SENT


def test_a_resident_answering_after_our_reply_threads_onto_the_case(app, make_user):
    reply = _queued_reply(app, make_user)
    send_due_replies(now=LATER)
    db.session.refresh(reply)
    sent_id = reply.case.id
    from webcare.inbox.models import Message

    our_message = db.session.get(Message, reply.message_id)

    ingest(app, message_line("answer", minutes=30, in_reply_to=our_message.external_id, text="Dank!"))

    assert case_of("answer").id == sent_id
    assert case_of("answer").status == CaseStatus.OPEN
