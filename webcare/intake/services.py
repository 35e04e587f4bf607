"""Intake: store messages durably and idempotently (queued), dead-letter what cannot be taken in."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from flask import current_app
from sqlalchemy import select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from webcare.channels.models import Account, Channel
from webcare.extensions import db
from webcare.intake.models import Author, DeadLetter, Message, MessageStatus
from webcare.intake.parsing import IncomingMessage, InvalidMessage, parse_json_line, parse_message
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


# SQLite allows 32,766 host parameters per statement.
_SQLITE_PARAMETERS = 32_000


def _insert_returning(table, rows: list[dict[str, Any]], *, conflict: str, returning: str) -> list[tuple]:
    """INSERT ... ON CONFLICT ... RETURNING for many rows, with the columns' own bind processors applied in one loop.

    Same SQL and stored values as the Core statement, without the per-row parameter handling of
    SQLAlchemy (most of the import's CPU time on SQLite) or psycopg's parsing of one huge multi-row
    statement per page (most of it on PostgreSQL). SQLite gets multi-row VALUES; PostgreSQL a
    pipelined executemany of one short statement.
    """
    connection = db.session.connection()
    names = list(rows[0])
    dialect = connection.dialect
    # dialect_impl: e.g. the SQLite DATETIME processor under our UTC decorator, so values are stored as Core stores them.
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    columns = list(zip(names, processors, strict=True))

    def values(chunk: list[dict[str, Any]]) -> list:
        return [process(row[name]) if process is not None else row[name] for row in chunk for name, process in columns]

    insert = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES"
    if dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        width = len(names)
        flat = values(rows)
        cursor.executemany(
            f"{insert} ({', '.join(['%s'] * width)}) {conflict} RETURNING {returning}",
            [flat[start : start + width] for start in range(0, len(flat), width)],
            returning=True,
        )
        found: list[tuple] = []
        while True:
            found.extend(cursor.fetchall())
            if not cursor.nextset():
                break
        cursor.close()
        return found
    placeholder = "(" + ", ".join("?" * len(names)) + ")"
    per_statement = _SQLITE_PARAMETERS // len(names)
    found = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        sql = f"{insert} {', '.join([placeholder] * len(chunk))} {conflict} RETURNING {returning}"
        found.extend(connection.exec_driver_sql(sql, tuple(values(chunk))).all())
    return found


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


def _account_ids(messages: Iterable[IncomingMessage]) -> dict[tuple[Channel, str], int]:
    wanted = {(m.channel, m.account) for m in messages}
    if not wanted:
        return {}
    db.session.execute(
        _insert(Account).on_conflict_do_nothing(index_elements=["channel", "handle"]),
        [{"channel": channel, "handle": handle, "name": handle, "is_general": False} for channel, handle in wanted],
    )
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
    # RETURNING gives the id of every row, inserted or updated: no second look-up. (A tuple IN on
    # (channel, platform_id) cannot use the unique index on SQLite and scans the whole table.)
    rows = _insert_returning(
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


def store_messages(records: list[tuple[IncomingMessage, str]], *, source: str) -> StoreResult:
    """Store validated messages as queued, skipping (channel, external_id) pairs we already hold.

    Flushes only; the caller commits, so the messages are durable before anything processes them.
    """
    result = StoreResult()
    if not records:
        return result
    now = utcnow()
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
    inserted = _insert_returning(
        Message.__table__,
        rows,
        conflict="ON CONFLICT (channel, external_id) DO NOTHING",
        returning="channel, external_id, id",
    )
    new_ids = {(channel, external_id): message_id for channel, external_id, message_id in inserted}
    keys = [(m.channel, m.external_id) for m in messages]
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


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(stream, start=1):
        yield number, line


def import_jsonl(
    stream: IO[bytes],
    *,
    source: str,
    batch_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a JSONL stream in batches with constant memory; bad lines go to the dead letter.

    `on_progress` receives the number of bytes read since the previous call.
    """
    summary = ImportSummary()
    now = utcnow()
    max_text = current_app.config["WEBCARE_MAX_TEXT_LENGTH"]
    batch: list[tuple[IncomingMessage, str]] = []

    def flush() -> None:
        result = store_messages(batch, source=source)
        summary.imported += result.created
        summary.duplicates += result.duplicates
        db.session.commit()
        batch.clear()

    for number, line in _lines(stream):
        if on_progress:
            on_progress(len(line))
        if not line.strip():
            continue
        try:
            record = parse_json_line(line)
            message = parse_message(record, now=now, max_text_length=max_text)
        except InvalidMessage as problem:
            dead_letter(source=source, reference=f"line {number}", reason=str(problem), raw=line.rstrip(b"\r\n"))
            summary.rejected += 1
            continue
        batch.append((message, line.decode("utf-8").rstrip("\r\n")))
        if len(batch) >= batch_size:
            flush()
    flush()
    return summary


@dataclass
class ItemOutcome:
    index: int
    message_id: int | None = None
    is_duplicate: bool = False
    error: str | None = None


def accept_items(items: list[Any], *, source: str) -> list[ItemOutcome]:
    """Take API or connector items: good ones are queued, bad ones dead-lettered; one transaction."""
    now = utcnow()
    max_text = current_app.config["WEBCARE_MAX_TEXT_LENGTH"]
    outcomes = [ItemOutcome(index) for index in range(len(items))]
    good: list[tuple[int, IncomingMessage, str]] = []
    for index, item in enumerate(items):
        raw = json.dumps(item, ensure_ascii=False)
        try:
            good.append((index, parse_message(item, now=now, max_text_length=max_text), raw))
        except InvalidMessage as problem:
            outcomes[index].error = str(problem)
            dead_letter(source=source, reference=f"item {index}", reason=str(problem), raw=raw)
    result = store_messages([(message, raw) for _i, message, raw in good], source=source)
    for (index, _m, _r), message_id, is_new in zip(good, result.message_ids, result.is_new, strict=True):
        outcomes[index].message_id = message_id
        outcomes[index].is_duplicate = not is_new
    db.session.commit()
    return outcomes
