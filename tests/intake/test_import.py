import io
import json

import pytest
from sqlalchemy import func, select, text

from tests.conftest import message_line
from webcare.accounts.models import Account
from webcare.extensions import db
from webcare.inbox.models import Author, Message, MessageStatus
from webcare.intake.models import DeadLetter
from webcare.intake.services import import_jsonl


def _jsonl(*records) -> bytes:
    return b"".join(
        (r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode()) + b"\n" for r in records
    )


def _import(data: bytes, source="import:test.jsonl"):
    return import_jsonl(io.BytesIO(data), source=source, batch_size=3)


def test_importing_a_file_twice_gives_the_same_messages_and_counts_duplicates(app):
    data = _jsonl(*(message_line(f"m{i}", minutes=i) for i in range(7)))

    first = _import(data)
    second = _import(data)

    assert (first.imported, first.duplicates, first.rejected) == (7, 0, 0)
    assert (second.imported, second.duplicates, second.rejected) == (0, 7, 0)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 7


def test_imported_messages_are_queued_with_their_raw_line(app):
    line = message_line("m1", text="Container niet geleegd 🤢 op de Kerkstraat")
    _import(_jsonl(line))

    message = db.session.scalar(select(Message))
    assert message.status == MessageStatus.QUEUED
    assert json.loads(message.raw) == line
    assert message.text == "Container niet geleegd 🤢 op de Kerkstraat"
    assert message.author.handle == "inwoner1"


def test_a_repeated_line_inside_one_file_is_a_duplicate(app):
    summary = _import(_jsonl(message_line("same"), message_line("same")))

    assert (summary.imported, summary.duplicates) == (1, 1)


def test_bad_lines_go_to_the_dead_letter_with_line_number_and_reason_while_good_lines_import(app):
    too_long = message_line("long", text="x" * 1_000_001)
    wrong_type = message_line("wt")
    wrong_type["text"] = 42
    no_offset = message_line("naive", created_at="2026-11-02T09:00:00")
    data = _jsonl(
        message_line("good1"),
        b'{"channel": "x", broken',
        {k: v for k, v in message_line("missing").items() if k != "external_id"},
        message_line("baddate", created_at="gisteren om negen uur"),
        message_line("unknown", channel="myspace"),
        too_long,
        b'{"channel": "x", "text": "nul\x00byte"}',
        wrong_type,
        no_offset,
        b"[1, 2, 3]",
        b"\xff\xfe not utf-8",
        message_line("good2", minutes=5),
    )

    summary = _import(data)

    assert (summary.imported, summary.duplicates, summary.rejected) == (2, 0, 10)
    letters = {letter.reference: letter for letter in db.session.scalars(select(DeadLetter))}
    assert set(letters) == {f"line {n}" for n in range(2, 12)}
    assert "not valid JSON" in letters["line 2"].reason
    assert "'external_id' is missing" in letters["line 3"].reason
    assert "not an ISO 8601" in letters["line 4"].reason
    assert "unknown channel 'myspace'" in letters["line 5"].reason
    assert "longer than" in letters["line 6"].reason
    assert "NUL" in letters["line 7"].reason
    assert "'text' must be a string" in letters["line 8"].reason
    assert "no UTC offset" in letters["line 9"].reason
    assert "expected a JSON object" in letters["line 10"].reason
    assert "UTF-8" in letters["line 11"].reason
    assert letters["line 7"].raw == b'{"channel": "x", "text": "nul\x00byte"}'
    assert letters["line 11"].raw == b"\xff\xfe not utf-8"
    assert len(letters["line 6"].raw) > 1_000_000


def test_an_empty_file_imports_nothing_and_rejects_nothing(app):
    summary = _import(b"")

    assert (summary.imported, summary.duplicates, summary.rejected) == (0, 0, 0)


def test_blank_lines_are_skipped_not_rejected(app):
    summary = _import(b"\n" + _jsonl(message_line("a")) + b"\n\n")

    assert (summary.imported, summary.rejected) == (1, 0)


def test_import_command_prints_a_summary_and_keeps_going_after_bad_lines(app, runner, tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_bytes(_jsonl(message_line("a"), b"not json", message_line("b", minutes=1)))

    result = runner.invoke(args=["import", str(path)])

    assert result.exit_code == 0, result.output
    assert "2 geïmporteerd, 0 dubbel, 1 geweigerd" in result.output


def test_import_command_fails_only_when_it_cannot_run(app, runner, tmp_path):
    result = runner.invoke(args=["import", str(tmp_path / "missing.jsonl")])

    assert result.exit_code != 0
    assert "kan " in result.output and "niet lezen" in result.output


def test_outbound_lines_and_is_public_default_follow_the_channel(app):
    _import(_jsonl(message_line("w1", channel="whatsapp", is_public=None), message_line("x1", direction="outbound")))

    by_id = {m.external_id: m for m in db.session.scalars(select(Message))}
    assert by_id["w1"].is_public is False
    assert by_id["x1"].direction == "outbound"


def test_a_line_with_an_unpaired_surrogate_is_rejected_and_the_import_goes_on(app):
    broken = b'{"channel": "x", "account": "a", "external_id": "s1", "created_at": "2026-11-02T09:00:00Z", "text": "\\ud83d"}'

    summary = _import(_jsonl(message_line("before"), broken, message_line("after", minutes=1)))

    assert (summary.imported, summary.rejected) == (2, 1)
    letter = db.session.scalar(select(DeadLetter))
    assert (letter.reference, letter.raw) == ("line 2", broken)
    assert "'text' contains an unpaired surrogate" in letter.reason


def test_a_batch_larger_than_one_statement_keeps_the_order_of_the_file(app):
    """A batch of 3,000 lines takes several SQLite statements; ids must still follow the file, every
    message must find its account and author, and a line repeated within the batch stays one message."""
    lines = [
        message_line(
            f"m{i}",
            minutes=i,
            account=f"wijk{i % 3}",
            author={"id": f"u{i % 700}", "handle": f"inwoner{i % 700}", "name": f"Inwoner {i}", "verified": i % 2 == 0},
        )
        for i in range(3000)
    ]
    lines.insert(1500, message_line("m10", minutes=10))

    summary = import_jsonl(io.BytesIO(_jsonl(*lines)), source="import:big.jsonl", batch_size=5000)

    assert (summary.imported, summary.duplicates) == (3000, 1)
    rows = db.session.execute(select(Message.external_id, Message.account_id, Message.author_id).order_by(Message.id))
    rows = rows.all()
    assert [external_id for external_id, _a, _u in rows] == [f"m{i}" for i in range(3000)]
    accounts = dict(db.session.execute(select(Account.id, Account.handle)).all())
    authors = dict(db.session.execute(select(Author.id, Author.platform_id)).all())
    assert [(accounts[account], authors[author]) for _e, account, author in rows] == [
        (f"wijk{i % 3}", f"u{i % 700}") for i in range(3000)
    ]
    # An author seen several times in the batch is stored once, as last seen.
    last = db.session.scalar(select(Author).where(Author.platform_id == "u5"))
    assert (last.name, last.is_verified, db.session.scalar(select(func.count()).select_from(Author))) == (
        "Inwoner 2805", False, 700,
    )  # fmt: skip


def test_an_author_seen_again_in_a_later_import_is_updated_not_duplicated(app):
    _import(_jsonl(message_line("a", author={"id": "u1", "handle": "oud", "followers": 3})))
    _import(
        _jsonl(message_line("b", minutes=1, author={"id": "u1", "handle": "nieuw", "followers": 40, "verified": True}))
    )

    author = db.session.scalar(select(Author))
    assert (author.handle, author.followers, author.is_verified) == ("nieuw", 40, True)
    assert author.last_seen_at >= author.first_seen_at
    assert {m.author_id for m in db.session.scalars(select(Message))} == {author.id}


def test_imported_times_compare_with_times_the_application_binds(app):
    """The SQLite batch writes its own datetime text; it must be the text the ORM binds, or comparisons
    in queries (due times, report periods) would be off by the format, not the time."""
    _import(_jsonl(message_line("a", created_at="2026-11-02T10:00:00+01:00")))
    message = db.session.scalar(select(Message))

    assert message.created_at.isoformat() == "2026-11-02T09:00:00+00:00"
    assert db.session.scalar(select(func.count()).where(Message.created_at == message.created_at)) == 1
    assert db.session.scalar(select(func.count()).where(Message.received_at == message.received_at)) == 1


def test_a_stream_that_fails_midway_keeps_the_batches_stored_before_it(app):
    lines = _jsonl(*(message_line(f"m{i}", minutes=i) for i in range(7))).splitlines(keepends=True)

    def failing_disk():
        yield from lines[:5]
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        import_jsonl(failing_disk(), source="import:test.jsonl", batch_size=3)

    stored = db.session.scalars(select(Message.external_id).order_by(Message.id)).all()
    assert stored == ["m0", "m1", "m2"]
    # The same file again, complete: what was stored comes back as duplicates.
    summary = _import(b"".join(lines))
    assert (summary.imported, summary.duplicates) == (4, 3)


def test_an_import_leaves_the_connection_settings_as_it_found_them(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection settings only")
    before = [db.session.execute(text(f"PRAGMA {name}")).scalar() for name in ("cache_size", "wal_autocheckpoint")]

    _import(_jsonl(message_line("a")))

    after = [db.session.execute(text(f"PRAGMA {name}")).scalar() for name in ("cache_size", "wal_autocheckpoint")]
    assert after == before
