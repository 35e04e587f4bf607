"""Property-based: signed webhook deliveries with hostile content never crash the endpoint, every delivery is logged,
records are taken in or refused with a reason, and a platform's retry of the same delivery adds nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from tests.channels.helpers import our_account, post_meta, x_signature
from tests.hostile import HOSTILE_VALUES, json_values
from webcare.accounts.models import Channel
from webcare.channels.models import DeliveryLog
from webcare.extensions import db
from webcare.inbox.models import Author, Message
from webcare.intake.models import DeadLetter

OUR_ID = "1580000000000000001"

ids = st.one_of(st.integers(min_value=1, max_value=2**62).map(str), HOSTILE_VALUES)
maybe_hostile = st.one_of(st.text(max_size=40), HOSTILE_VALUES)
users = st.one_of(
    st.fixed_dictionaries({
        "id_str": ids, "screen_name": maybe_hostile, "name": maybe_hostile,
        "followers_count": st.one_of(st.integers(min_value=0, max_value=10_000), HOSTILE_VALUES),
        "verified": st.one_of(st.booleans(), HOSTILE_VALUES),
    }),
    HOSTILE_VALUES,
)  # fmt: skip
tweets = st.fixed_dictionaries({
    "id_str": ids,
    "created_at": st.one_of(st.just("Mon Nov 02 08:15:00 +0000 2026"), maybe_hostile),
    "text": maybe_hostile,
    "user": users,
    "in_reply_to_status_id_str": st.one_of(st.none(), ids),
})  # fmt: skip
x_deliveries = st.one_of(
    st.fixed_dictionaries({"for_user_id": st.just(OUR_ID), "tweet_create_events": st.lists(tweets, max_size=4)}),
    json_values,
)


@pytest.fixture
def x_account(app, secrets):
    return our_account(Channel.X, "gemeentelindeburg", OUR_ID)


def _post_x(client, payload):
    """Signed as X signs; JSON with escapes, so a lone surrogate arrives as X could send it."""
    body = json.dumps(payload).encode("ascii")
    return client.post(
        "/webhooks/x",
        data=body,
        headers={"Content-Type": "application/json", "x-twitter-webhooks-signature": x_signature(body)},
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _empty() -> None:
    for model in (DeliveryLog, Message, Author, DeadLetter):
        db.session.execute(delete(model))
    db.session.commit()


@given(x_deliveries)
def test_any_signed_x_delivery_is_answered_logged_and_a_retry_adds_nothing(client, secrets, x_account, payload):
    _empty()

    first = _post_x(client, payload)
    messages = _count(Message)
    again = _post_x(client, payload)

    assert first.status_code == again.status_code == 200 and first.is_json
    assert _count(DeliveryLog) == 2
    assert _count(Message) == messages
    tweets = payload.get("tweet_create_events") if isinstance(payload, dict) else None
    assert messages <= (len(tweets) if isinstance(tweets, list) else 0)


@given(st.one_of(json_values, st.binary(max_size=100)))
def test_any_signed_meta_delivery_is_answered_and_never_a_server_error(client, secrets, body):
    response = post_meta(client, body if isinstance(body, bytes) else json.dumps(body).encode())

    assert response.status_code < 500 and response.is_json
