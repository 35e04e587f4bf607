"""Intake: store messages durably and idempotently (queued), dead-letter what cannot be taken in."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from flask import current_app
from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from webcare.accounts.models import Account, Channel
from webcare.extensions import db
from webcare.inbox.models import Author, Message, MessageStatus
from webcare.intake.isolation import REFUSALS, write_isolating
from webcare.intake.models import DeadLetter
from webcare.intake.parsing import IncomingMessage, InvalidMessage, parse_message
from webcare.intake.reading import LineBatch, ReadAhead, jsonl_batches
from webcare.intake.sqlite_batches import EncodedBatch, encode_batch, write_batch
from webcare.logcontext import current_request_id
from webcare.timeutil import utcnow


@dataclass
class StoreResult:
    """Per stored record: its message id and whether it was new."""

    message_ids: list[int] = field(default_factory=list)
    is_new: list[bool] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(self.is_new)

    @property
    def duplicates(self) -> int:
        return len(self.is_new) - self.created


@dataclass
class ImportSummary:
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0

    @property
    def lines(self) -> int:
        return self.imported + self.duplicates + self.rejected


def _insert(model):
    # The Core table, not the ORM entity: an ORM bulk insert with ON CONFLICT runs (and compiles) one
    # statement per row.
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def _bound_column(values: list[Any], process: Callable[[Any], Any] | None) -> list[Any]:
    if process is None:
        return values
    bound: list[Any] = []
    last: Any = object()
    last_bound: Any = None
    for value in values:
        # Shared values (the batch's `now`, a channel, a status) are processed once per run of equal objects.
        if value is not last:
            last, last_bound = value, process(value)
        bound.append(last_bound)
    return bound


def _postgresql_insert_returning(table, rows: list[dict[str, Any]], *, conflict: str, returning: str) -> list[tuple]:
    """INSERT ... ON CONFLICT ... RETURNING for many rows: a pipelined executemany of one short statement,
    with the columns' own bind processors applied column by column.

    Same SQL and stored values as the Core statement, without SQLAlchemy's per-row parameter handling or
    psycopg's parsing of one huge multi-row statement per page (most of the import's time on PostgreSQL).
    """
    connection = db.session.connection()
    names = list(rows[0])
    dialect = connection.dialect
    columns = [
        _bound_column([row[name] for row in rows], table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in names
    ]
    cursor = connection.connection.driver_connection.cursor()
    found: list[tuple] = []
    try:
        cursor.executemany(
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))}) "
            f"{conflict} RETURNING {returning}",
            list(zip(*columns, strict=True)),
            returning=True,
        )
        while True:
            found.extend(cursor.fetchall())
            if not cursor.nextset():
                break
        return found
    finally:
        cursor.close()


def dead_letter(*, source: str, reference: str | None, reason: str, raw: bytes | str) -> DeadLetter:
    """Keep input we could not take in, as it came; flushes, the caller commits."""
    letter = DeadLetter(
        source=source[:300],
        reference=reference,
        reason=reason,
        raw=raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw,
    )
    db.session.add(letter)
    db.session.flush()
    return letter


def _ensure_accounts(pairs: Iterable[tuple[Channel, str]]) -> None:
    """Create the accounts (channel, handle) met for the first time, as non-general accounts."""
    wanted = set(pairs)
    if wanted:
        db.session.execute(
            _insert(Account).on_conflict_do_nothing(index_elements=["channel", "handle"]),
            [{"channel": channel, "handle": handle, "name": handle, "is_general": False} for channel, handle in wanted],
        )


def _account_ids(messages: Iterable[IncomingMessage]) -> dict[tuple[Channel, str], int]:
    wanted = {(m.channel, m.account) for m in messages}
    _ensure_accounts(wanted)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Account.channel, Account.handle, Account.id).where(
            tuple_(Account.channel, Account.handle).in_(list(wanted))
        )
    )
    return {(channel, handle): account_id for channel, handle, account_id in rows}


def _author_ids(messages: Iterable[IncomingMessage], now: datetime) -> dict[tuple[Channel, str], int]:
    latest: dict[tuple[Channel, str], dict[str, Any]] = {}
    for message in messages:
        if message.author is not None:
            author = message.author
            latest[(message.channel, author.platform_id)] = {
                "channel": message.channel,
                "platform_id": author.platform_id,
                "handle": author.handle,
                "name": author.name,
                "followers": author.followers,
                "is_verified": author.is_verified,
                "first_seen_at": now,
                "last_seen_at": now,
            }
    if not latest:
        return {}
    # RETURNING gives the id of every row, inserted or updated: no second look-up.
    rows = _postgresql_insert_returning(
        Author.__table__,
        list(latest.values()),
        conflict="ON CONFLICT (channel, platform_id) DO UPDATE SET handle = excluded.handle, "
        "name = excluded.name, followers = excluded.followers, is_verified = excluded.is_verified, "
        "last_seen_at = excluded.last_seen_at",
        returning="channel, platform_id, id",
    )
    return {(channel, platform_id): author_id for channel, platform_id, author_id in rows}


def _existing_message_ids(keys: Iterable[tuple[Channel, str]]) -> dict[tuple[Channel, str], int]:
    by_channel: dict[Channel, list[str]] = {}
    for channel, external_id in keys:
        by_channel.setdefault(channel, []).append(external_id)
    found: dict[tuple[Channel, str], int] = {}
    for channel, external_ids in by_channel.items():
        for start in range(0, len(external_ids), 500):
            rows = db.session.execute(
                select(Message.external_id, Message.id).where(
                    Message.channel == channel, Message.external_id.in_(external_ids[start : start + 500])
                )
            )
            found.update({(channel, external_id): message_id for external_id, message_id in rows})
    return found


def _on_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _driver_cursor():
    """A DB-API cursor in the session's transaction, closed when the `with` block ends."""
    return closing(db.session.connection().connection.driver_connection.cursor())


def _postgresql_store(records: list[tuple[IncomingMessage, str]], *, source: str, now: datetime) -> list[tuple]:
    messages = [message for message, _raw in records]
    accounts = _account_ids(messages)
    authors = _author_ids(messages, now)
    rows = [
        {
            "channel": m.channel,
            "account_id": accounts[(m.channel, m.account)],
            "external_id": m.external_id,
            "direction": m.direction,
            "created_at": m.created_at,
            "received_at": now,
            "text": m.text,
            "raw": raw,
            "author_id": authors.get((m.channel, m.author.platform_id)) if m.author else None,
            "in_reply_to": m.in_reply_to,
            "conversation_id": m.conversation_id,
            "is_public": m.is_public,
            "url": m.url,
            "source": source[:200],
            "status": MessageStatus.QUEUED,
            "attempts": 0,
        }
        for m, raw in records
    ]
    return _postgresql_insert_returning(
        Message.__table__,
        rows,
        conflict="ON CONFLICT (channel, external_id) DO NOTHING",
        returning="channel, external_id, id",
    )


def store_messages(records: list[tuple[IncomingMessage, str]], *, source: str) -> StoreResult:
    """Store validated messages as queued, skipping (channel, external_id) pairs we already hold.

    Flushes only; the caller commits, so the messages are durable before anything processes them.
    """
    result = StoreResult()
    if not records:
        return result
    now = utcnow()
    if _on_sqlite():
        batch = encode_batch(records)
        _ensure_accounts(batch.accounts)
        with _driver_cursor() as cursor:
            _created, inserted = write_batch(cursor, batch, now=now, source=source, returning=True)
    else:
        inserted = _postgresql_store(records, source=source, now=now)
    new_ids = {(channel, external_id): message_id for channel, external_id, message_id in inserted}
    keys = [(message.channel, message.external_id) for message, _raw in records]
    existing = _existing_message_ids(key for key in keys if key not in new_ids)
    first_seen: set[tuple[Channel, str]] = set()
    for key in keys:
        if key in new_ids and key not in first_seen:
            first_seen.add(key)
            result.message_ids.append(new_ids[key])
            result.is_new.append(True)
        else:
            result.message_ids.append(new_ids.get(key) or existing[key])
            result.is_new.append(False)
    return result


class _Import:
    """How import batches are prepared (in the read-ahead thread) and written; PostgreSQL's way.

    As a context manager it spans the whole import: on a failure the batch in flight is rolled back,
    the batches before it stay committed.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def __enter__(self) -> _Import:
        return self

    def __exit__(self, failure: type[BaseException] | None, *_exc_info: object) -> None:
        if failure is not None:
            db.session.rollback()

    def prepare(self, batch: LineBatch) -> tuple[LineBatch, Any]:
        return batch, batch.accepted

    def write(self, prepared: Any) -> int:
        return store_messages(prepared, source=self.source).created

    def write_records(self, records: list[tuple[IncomingMessage, str]]) -> int:
        return self.write(records)

    def store(self, batch: LineBatch, prepared: Any) -> tuple[int, int]:
        """Write a batch; lines the database refuses are dead-lettered and the rest written without them.

        Returns (messages created, lines refused). Flushes only.
        """
        try:
            with db.session.begin_nested():
                return self.write(prepared), 0
        except REFUSALS:
            pass
        refused: list[int] = []

        def refuse(numbered: tuple[int, tuple[IncomingMessage, str]], reason: str) -> None:
            number, (_message, raw) = numbered
            dead_letter(source=self.source, reference=f"line {number}", reason=reason, raw=raw)
            refused.append(number)

        parts = write_isolating(
            list(zip(batch.accepted_numbers, batch.accepted, strict=True)),
            lambda part: self.write_records([record for _number, record in part]),
            refused=refuse,
        )
        return sum(created for _part, created in parts), len(refused)


class _SqliteImport(_Import):
    """Batches are encoded while read and written in a few statements each, nothing read back.

    While importing, the connection keeps a larger page cache and checkpoints the WAL less often: at 1M
    messages about a fifth faster, and memory stays bounded by the cache.
    """

    PRAGMAS = {"cache_size": -32_768, "wal_autocheckpoint": 8192}

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.known_accounts: set[tuple[Channel, str]] = set()
        self.restore: dict[str, int] = {}

    def __enter__(self) -> _SqliteImport:
        with _driver_cursor() as cursor:
            for name, value in self.PRAGMAS.items():
                self.restore[name] = cursor.execute(f"PRAGMA {name}").fetchone()[0]
                cursor.execute(f"PRAGMA {name} = {value}")
        return self

    def __exit__(self, failure: type[BaseException] | None, *exc_info: object) -> None:
        super().__exit__(failure, *exc_info)
        with _driver_cursor() as cursor:
            for name, value in self.restore.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")
        db.session.commit()

    def prepare(self, batch: LineBatch) -> tuple[LineBatch, EncodedBatch]:
        return batch, encode_batch(batch.accepted)

    def write(self, prepared: EncodedBatch) -> int:
        new_accounts = prepared.accounts - self.known_accounts
        if new_accounts:
            _ensure_accounts(new_accounts)
        with _driver_cursor() as cursor:
            created, _inserted = write_batch(cursor, prepared, now=utcnow(), source=self.source, returning=False)
        # Only once written: a refused write rolls the accounts back with it.
        self.known_accounts |= new_accounts
        return created

    def write_records(self, records: list[tuple[IncomingMessage, str]]) -> int:
        return self.write(encode_batch(records))


def import_jsonl(
    stream: IO[bytes],
    *,
    source: str,
    batch_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a JSONL stream in batches with constant memory; bad lines go to the dead letter.

    One transaction per batch. The next batch is read and validated in a thread while the database
    writes this one. `on_progress` receives the number of bytes stored since the previous call.
    """
    summary = ImportSummary()
    writer = _SqliteImport(source) if _on_sqlite() else _Import(source)
    lines = jsonl_batches(
        stream, now=utcnow(), max_text_length=current_app.config["WEBCARE_MAX_TEXT_LENGTH"], batch_size=batch_size
    )
    with writer, ReadAhead(map(writer.prepare, lines)) as batches:
        for batch, prepared in batches:
            for line in batch.rejected:
                dead_letter(source=source, reference=f"line {line.number}", reason=line.reason, raw=line.raw)
            batches.prefetch()
            created, refused = writer.store(batch, prepared) if batch.accepted else (0, 0)
            db.session.commit()
            summary.imported += created
            summary.duplicates += len(batch.accepted) - created - refused
            summary.rejected += len(batch.rejected) + refused
            if on_progress:
                on_progress(batch.bytes_read)
    return summary


def _remember_request_id(message_ids: list[int]) -> None:
    """Keep the id of the web request that took the messages in, for the worker's log lines."""
    request_id = current_request_id()
    if request_id and message_ids:
        db.session.execute(
            update(Message)
            .where(Message.id.in_(message_ids))
            .values(request_id=request_id)
            .execution_options(synchronize_session=False)
        )


@dataclass
class ItemOutcome:
    index: int
    message_id: int | None = None
    is_duplicate: bool = False
    error: str | None = None


def _raw_json(item: Any, fallback: bytes | None) -> str | bytes:
    """The item as JSON text, as readable as it came; lone surrogates (valid in JSON, not in UTF-8) stay escaped.

    An item nested too deeply to encode again is kept as `fallback` (the whole body it came in), if given.
    """
    try:
        raw = json.dumps(item, ensure_ascii=False)
    except RecursionError:
        return fallback if fallback is not None else b""
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(item)
    return raw


def accept_items(items: list[Any], *, source: str, body: bytes | None = None) -> list[ItemOutcome]:
    """Take API or connector items: good ones are queued, bad ones dead-lettered; one transaction.

    An item the database refuses despite validation is dead-lettered with the database's reason and costs
    no other item. `body`, the request as received, is kept for an item too deeply nested to encode again.
    """
    now = utcnow()
    max_text = current_app.config["WEBCARE_MAX_TEXT_LENGTH"]
    outcomes = [ItemOutcome(index) for index in range(len(items))]
    good: list[tuple[int, IncomingMessage, str]] = []
    for index, item in enumerate(items):
        raw = _raw_json(item, body)
        try:
            good.append((index, parse_message(item, now=now, max_text_length=max_text), raw))
        except InvalidMessage as problem:
            outcomes[index].error = str(problem)
            dead_letter(source=source, reference=f"item {index}", reason=str(problem), raw=raw)

    def refuse(item: tuple[int, IncomingMessage, str], reason: str) -> None:
        index, _message, raw = item
        outcomes[index].error = reason
        dead_letter(source=source, reference=f"item {index}", reason=reason, raw=raw)

    parts = write_isolating(
        good, lambda part: store_messages([(message, raw) for _i, message, raw in part], source=source), refused=refuse
    )
    for part, result in parts:
        for (index, _m, _r), message_id, is_new in zip(part, result.message_ids, result.is_new, strict=True):
            outcomes[index].message_id = message_id
            outcomes[index].is_duplicate = not is_new
    _remember_request_id(
        [
            mid
            for _part, result in parts
            for mid, is_new in zip(result.message_ids, result.is_new, strict=True)
            if is_new
        ]
    )
    db.session.commit()
    return outcomes
