import json

import pytest
from sqlalchemy import select

from tests.conftest import message_line
from webcare.auth.services import create_api_token
from webcare.extensions import db
from webcare.inbox.models import Message, MessageStatus
from webcare.intake.models import DeadLetter


@pytest.fixture
def token(app) -> str:
    return create_api_token("platform-bridge")


def _post(client, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/api/v1/messages", data=data, headers=headers)


def test_posting_without_a_token_is_refused_and_stores_nothing(client):
    response = _post(client, message_line("a"))

    assert response.status_code == 401
    assert db.session.scalar(select(Message)) is None


def test_posting_with_a_wrong_token_is_refused(client, token):
    assert _post(client, message_line("a"), token="wc_wrong").status_code == 401
    assert _post(client, message_line("a"), token=token + "x").status_code == 401


def test_one_message_is_queued_and_answered_with_its_id(client, token):
    response = _post(client, message_line("a"), token=token)

    assert response.status_code == 202
    message = db.session.scalar(select(Message))
    assert response.json == {"id": message.id, "duplicate": False}
    assert message.status == MessageStatus.QUEUED


def test_a_batch_is_queued_and_a_retried_delivery_creates_nothing_new(client, token):
    batch = [message_line("a"), message_line("b", minutes=1)]

    first = _post(client, batch, token=token)
    retry = _post(client, batch, token=token)

    assert first.status_code == retry.status_code == 202
    assert [r["duplicate"] for r in first.json["results"]] == [False, False]
    assert [r["duplicate"] for r in retry.json["results"]] == [True, True]
    assert [r["id"] for r in retry.json["results"]] == [r["id"] for r in first.json["results"]]
    assert len(db.session.scalars(select(Message)).all()) == 2


def test_bad_items_get_an_error_each_and_their_raw_item_is_kept(client, token):
    bad = {"channel": "x", "text": "zonder id"}
    batch = [message_line("good"), bad, message_line("late", channel="fax")]

    response = _post(client, batch, token=token)

    assert response.status_code == 422
    results = response.json["results"]
    assert results[0]["id"] is not None
    assert results[1] == {"index": 1, "error": "'account' is missing"}
    assert "unknown channel 'fax'" in results[2]["error"]
    letters = db.session.scalars(select(DeadLetter).order_by(DeadLetter.id)).all()
    assert [letter.reference for letter in letters] == ["item 1", "item 2"]
    assert json.loads(letters[0].raw) == bad
    assert db.session.scalar(select(Message.external_id)) == "good"


def test_a_body_that_is_not_json_is_kept_in_the_dead_letter(client, token):
    response = _post(client, b'{"channel": "x", ', token=token)

    assert response.status_code == 422
    assert db.session.scalar(select(DeadLetter.raw)) == b'{"channel": "x", '


def test_a_revoked_token_no_longer_works(client, token):
    from webcare.auth.models import ApiToken
    from webcare.timeutil import utcnow

    db.session.scalar(select(ApiToken)).revoked_at = utcnow()
    db.session.commit()

    assert _post(client, message_line("a"), token=token).status_code == 401


def test_token_command_prints_a_token_that_works(app, runner, client):
    result = runner.invoke(args=["token", "create", "bridge"])

    assert result.exit_code == 0
    assert _post(client, message_line("a"), token=result.output.strip()).status_code == 202


def test_an_unpaired_surrogate_is_refused_in_the_text_and_kept_escaped_elsewhere(client, token):
    """JSON may escape half a surrogate pair; no database stores that as text, so it must not crash the batch."""
    body = (
        '[{"channel": "x", "account": "gemeentelindeburg", "external_id": "s1", "created_at": "2026-11-02T09:00:00Z",'
        ' "text": "kapot \\ud800 teken"},'
        ' {"channel": "x", "account": "gemeentelindeburg", "external_id": "s2", "created_at": "2026-11-02T09:00:00Z",'
        ' "text": "heel", "extra": "\\udc80"}]'
    )

    response = _post(client, body, token=token)

    assert response.status_code == 422
    assert "unpaired surrogate" in response.json["results"][0]["error"]
    assert response.json["results"][1]["id"] is not None
    stored = db.session.scalar(select(Message).where(Message.external_id == "s2"))
    assert '"extra": "\\udc80"' in stored.raw
    assert json.loads(stored.raw)["extra"] == "\udc80"
    assert b"\\ud800" in db.session.scalar(select(DeadLetter.raw))
