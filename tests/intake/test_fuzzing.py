"""Property-based: whatever comes in through the import or the API, nothing escapes, every input is stored exactly
once or dead-lettered with a reason, and taking it in again changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from tests.hostile import lines, records
from webcare.accounts.models import Account
from webcare.auth.services import create_api_token
from webcare.extensions import db
from webcare.inbox.models import Author, Message
from webcare.intake.models import DeadLetter
from webcare.intake.services import import_jsonl


@pytest.fixture
def headers(app) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token('fuzz')}"}


def _empty_intake() -> None:
    for model in (Message, Author, DeadLetter, Account):
        db.session.execute(delete(model))
    db.session.commit()


def _stored() -> dict[tuple[str, str], tuple[int, str]]:
    return {
        (channel.value, external_id): (message_id, status.value)
        for channel, external_id, message_id, status in db.session.execute(
            select(Message.channel, Message.external_id, Message.id, Message.status)
        )
    }


def _letters() -> list[DeadLetter]:
    return list(db.session.scalars(select(DeadLetter).order_by(DeadLetter.id)))


def _key(raw: bytes) -> tuple[str, str]:
    record = json.loads(raw)
    return record["channel"], str(record["external_id"]).strip()


@given(st.lists(lines, min_size=1, max_size=12))
def test_any_import_stores_each_line_once_or_dead_letters_it_and_a_second_run_changes_nothing(app, batch):
    _empty_intake()
    body = b"\n".join(batch)
    numbered = [(number, raw) for number, raw in enumerate(batch, start=1) if raw.strip()]

    summary = import_jsonl(io.BytesIO(body), source="import:fuzz.jsonl", batch_size=3)

    letters = {letter.reference: letter for letter in _letters()}
    assert all(letter.reason for letter in letters.values())
    refused = {number for number, _raw in numbered if f"line {number}" in letters}
    assert len(letters) == len(refused) == summary.rejected
    stored = _stored()
    assert {_key(raw) for number, raw in numbered if number not in refused} == set(stored)
    assert summary.imported == len(stored) and summary.lines == len(numbered)

    again = import_jsonl(io.BytesIO(body), source="import:fuzz.jsonl", batch_size=3)

    assert again.imported == 0 and again.rejected == summary.rejected
    assert _stored() == stored


@given(st.lists(records, min_size=1, max_size=8))
def test_any_api_batch_is_answered_per_item_and_posting_it_again_changes_nothing(app, client, headers, items):
    _empty_intake()
    body = json.dumps(items).encode()

    response = client.post("/api/v1/messages", data=body, headers=headers)

    assert response.status_code in (202, 422)
    results = response.get_json()["results"]
    assert [result["index"] for result in results] == list(range(len(items)))
    refused = {result["index"] for result in results if "error" in result}
    assert response.status_code == (422 if refused else 202)
    assert {letter.reference for letter in _letters()} == {f"item {index}" for index in refused}
    stored = _stored()
    assert {result["id"] for result in results if "id" in result} == {message_id for message_id, _s in stored.values()}

    again = client.post("/api/v1/messages", data=body, headers=headers)

    assert [("error" in result) for result in again.get_json()["results"]] == [
        ("error" in result) for result in results
    ]
    assert all(result.get("duplicate", True) for result in again.get_json()["results"])
    assert _stored() == stored


@given(st.binary(max_size=200) | st.lists(st.integers(), max_size=3).map(lambda v: json.dumps(v).encode()))
def test_any_api_body_gets_an_answer_and_never_a_server_error(app, client, headers, body):
    response = client.post("/api/v1/messages", data=body, headers=headers)

    assert response.status_code in (202, 422)
    assert response.is_json
