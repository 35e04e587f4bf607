"""Poison lines: each hostile input among good lines is dead-lettered with a reason, every good line is stored."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select, text

from tests.conftest import message_line
from webcare.auth.services import create_api_token
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.intake.models import DeadLetter
from webcare.intake.services import import_jsonl

DEEP = "[" * 1000 + "]" * 1000


def _with(field: str, value) -> dict:
    record = message_line("poison")
    if field.startswith("author."):
        record["author"] = {**record["author"], field.removeprefix("author."): value}
    else:
        record[field] = value
    return record


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False).replace('"@DEEP@"', DEEP)


POISON = {
    "nested 1,000 levels deep": (_with("extra", "@DEEP@"), "nested more than 64 levels"),
    "created_at at the end of time": (_with("created_at", "9999-12-31T23:59:59-23:59"), "'created_at'"),
    "created_at at the start of time": (_with("created_at", "0001-01-01T00:00:00+23:59"), "'created_at' lies before"),
    "created_at before 2000": (_with("created_at", "1999-12-31T23:59:59+00:00"), "'created_at' lies before"),
    "account of 201 characters": (_with("account", "a" * 201), "'account' is longer than 200"),
    "author id of 201 characters": (_with("author.id", "9" * 201), "'author.id' is longer than 200"),
    "author handle of 201 characters": (_with("author.handle", "h" * 201), "'author.handle' is longer than 200"),
    "followers beyond 32 bits": (_with("author.followers", 2**31), "'author.followers' must be a whole number"),
    "followers beyond 64 bits": (_with("author.followers", 2**64), "'author.followers' must be a whole number"),
    "NUL in the url": (_with("url", "https://x.com/a\x00b"), "'url' contains NUL"),
    "NUL in the author's name": (_with("author.name", "An\x00ouk"), "'author.name' contains NUL"),
    "a bell in the text": (_with("text", "ding \x07"), "'text' contains a control character"),
    "a blank external id": (_with("external_id", " "), "'external_id' is missing"),
}


def _good(number: int) -> dict:
    return message_line(f"good-{number}", minutes=number, author={"id": f"a{number}", "handle": f"inwoner{number}"})


@pytest.mark.parametrize("name", list(POISON))
def test_a_poison_line_among_good_lines_is_dead_lettered_and_every_good_line_stored(app, name):
    poison, reason = POISON[name]
    lines = (
        [json.dumps(_good(number)) for number in range(5)]
        + [_line(poison)]
        + [json.dumps(_good(number)) for number in range(5, 10)]
    )

    summary = import_jsonl(
        io.BytesIO("\n".join(lines).encode("utf-8", "surrogatepass")), source="import:poison.jsonl", batch_size=4
    )

    assert (summary.imported, summary.rejected) == (10, 1)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 10
    letter = db.session.scalars(select(DeadLetter)).one()
    assert letter.reference == "line 6" and reason in letter.reason
    assert letter.raw == lines[5].encode("utf-8")


# A body nested 1,000 levels cannot be decoded at all: it is refused whole (the test after next).
def _nested(levels: int) -> list:
    value: list = []
    for _level in range(levels - 1):
        value = [value]
    return value


API_POISON = {
    **{name: case for name, case in POISON.items() if name != "nested 1,000 levels deep"},
    "nested 100 levels deep": (_with("extra", _nested(100)), "nested more than 64 levels"),
}


@pytest.mark.parametrize("name", list(API_POISON))
def test_the_api_answers_422_with_the_reason_for_each_poison_item_and_stores_the_rest(app, client, name):
    poison, reason = API_POISON[name]
    token = create_api_token("poison")
    body = "[" + ", ".join([json.dumps(_good(0)), _line(poison), json.dumps(_good(1))]) + "]"

    response = client.post(
        "/api/v1/messages",
        data=body.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    results = response.get_json()["results"]
    assert [("error" in result) for result in results] == [False, True, False]
    assert reason in results[1]["error"]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2
    assert db.session.scalars(select(DeadLetter.reference)).all() == ["item 1"]


def test_an_empty_array_is_refused_with_a_clear_message(app, client):
    token = create_api_token("empty")

    response = client.post("/api/v1/messages", data=b"[]", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 422
    assert response.get_json() == {"errors": [{"index": None, "error": "the array holds no messages"}]}


def test_a_body_nested_too_deeply_to_decode_is_dead_lettered_with_a_422(app, client):
    token = create_api_token("deep")

    response = client.post("/api/v1/messages", data=DEEP.encode() * 3, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 422
    assert db.session.scalar(select(DeadLetter.raw)) == DEEP.encode() * 3


@pytest.fixture
def database_refuses_poison(app, db_dialect):
    """A trigger that makes the database itself refuse any message whose text is 'poison', as a stand-in for
    whatever a future column or engine may refuse that validation does not know about."""
    if db_dialect == "sqlite":
        db.session.execute(
            text(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages WHEN NEW.text = 'poison' "
                "BEGIN SELECT RAISE(ABORT, 'poison refused by trigger'); END"
            )
        )
    else:
        db.session.execute(
            text(
                "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.text = 'poison' THEN RAISE EXCEPTION 'poison refused by trigger' "
                "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$"
            )
        )
        db.session.execute(
            text("CREATE TRIGGER refuse_poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_poison()")
        )
    db.session.commit()
    yield
    db.session.rollback()
    if db_dialect != "sqlite":  # the PostgreSQL database outlives the test
        db.session.execute(text("DROP TRIGGER refuse_poison ON messages"))
        db.session.execute(text("DROP FUNCTION refuse_poison()"))
        db.session.commit()


def test_a_line_the_database_refuses_is_set_aside_with_the_database_s_reason(app, database_refuses_poison):
    records = [_good(number) for number in range(9)]
    records.insert(6, message_line("refused", text="poison"))
    lines = [json.dumps(record) for record in records]

    summary = import_jsonl(io.BytesIO("\n".join(lines).encode()), source="import:refused.jsonl", batch_size=4)
    again = import_jsonl(io.BytesIO("\n".join(lines).encode()), source="import:refused.jsonl", batch_size=4)

    assert (summary.imported, summary.duplicates, summary.rejected) == (9, 0, 1)
    assert (again.imported, again.duplicates, again.rejected) == (0, 9, 1)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 9
    letter = db.session.scalars(select(DeadLetter).order_by(DeadLetter.id)).first()
    assert letter.reference == "line 7" and "poison refused by trigger" in letter.reason
    assert letter.raw == lines[6].encode()


def test_an_api_item_the_database_refuses_gets_a_422_with_the_database_s_reason(app, client, database_refuses_poison):
    token = create_api_token("refused")
    items = [_good(0), message_line("refused", text="poison"), _good(1)]

    response = client.post("/api/v1/messages", json=items, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 422
    results = response.get_json()["results"]
    assert "poison refused by trigger" in results[1]["error"]
    assert results[0]["id"] and results[2]["id"]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2
