"""Writing a batch of validated messages to SQLite in a few statements of constant shape.

A batch is encoded in Python beforehand (pure, so it can run in the import's reading thread): the
messages as one flat parameter list for a multi-row VALUES, the authors as one JSON array that SQLite
unpacks with json_each (their number varies from batch to batch; a JSON parameter keeps one statement
text). Author and account ids are joined in by SQLite, so nothing is read back. Each statement is a
single step of the driver: a thread reading ahead never makes the writer queue for the GIL per row,
and the few statement texts stay cached (flat memory).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from webcare.accounts.models import Channel
from webcare.inbox.models import MessageStatus
from webcare.intake.parsing import IncomingMessage
from webcare.timeutil import as_utc


def sqlite_datetime(moment: datetime) -> str:
    """A UTC moment as SQLAlchemy's SQLite DATETIME stores it (naive UTC, microseconds always written),
    so stored values sort and compare with those bound by the ORM."""
    return as_utc(moment).replace(tzinfo=None).isoformat(" ", "microseconds")


@dataclass(frozen=True, slots=True)
class EncodedBatch:
    accounts: frozenset[tuple[Channel, str]]
    keys: list[tuple[Channel, str]]  # (channel, external_id) per message, in order
    authors: str | None  # JSON array of _AUTHOR_FIELDS rows
    messages: list  # _MESSAGE_FIELDS of each message, one after the other


_AUTHOR_FIELDS = ("channel", "platform_id", "handle", "name", "followers", "is_verified")
_MESSAGE_FIELDS = (
    "channel", "account", "external_id", "direction", "created_at", "text", "raw", "author",
    "in_reply_to", "conversation_id", "is_public", "url",
)  # fmt: skip
# SQLite allows 32,766 host parameters per statement.
_ROWS_PER_STATEMENT = 32_000 // len(_MESSAGE_FIELDS)


def encode_batch(records: Sequence[tuple[IncomingMessage, str]]) -> EncodedBatch:
    """The batch as parameters for UPSERT_AUTHORS and insert_messages (pure).

    An author met twice in the batch is written once, as last seen.
    """
    authors: dict[tuple[str, str], tuple] = {}
    messages: list = []
    for message, raw in records:
        channel = message.channel.value
        author = message.author
        if author is not None:
            authors[(channel, author.platform_id)] = (
                channel, author.platform_id, author.handle, author.name, author.followers, author.is_verified,
            )  # fmt: skip
        messages += (
            channel, message.account, message.external_id, message.direction.value,
            sqlite_datetime(message.created_at), message.text, raw,
            author.platform_id if author is not None else None,
            message.in_reply_to, message.conversation_id, message.is_public, message.url,
        )  # fmt: skip
    return EncodedBatch(
        accounts=frozenset((message.channel, message.account) for message, _raw in records),
        keys=[(message.channel, message.external_id) for message, _raw in records],
        authors=json.dumps(list(authors.values()), ensure_ascii=False) if authors else None,
        messages=messages,
    )


# Begins with INSERT (not WITH), so the driver opens the batch's transaction before it.
UPSERT_AUTHORS = f"""
INSERT INTO authors (channel, platform_id, handle, name, followers, is_verified, first_seen_at, last_seen_at)
SELECT {", ".join(f"json_extract(value, '$[{index}]')" for index in range(len(_AUTHOR_FIELDS)))}, :now, :now
FROM json_each(:authors) WHERE true
ON CONFLICT (channel, platform_id) DO UPDATE SET handle = excluded.handle, name = excluded.name,
    followers = excluded.followers, is_verified = excluded.is_verified, last_seen_at = excluded.last_seen_at
"""


@functools.lru_cache(maxsize=32)
def insert_messages(rows: int, *, returning: bool) -> str:
    """INSERT of `rows` messages; parameters: received_at, source, then _MESSAGE_FIELDS per row.

    LEFT JOINs keep the incoming rows as the outer loop, so ids follow the order of the batch; a missing
    account fails loudly on the NOT NULL account_id instead of dropping the message.
    """
    names = ", ".join(f"column{index} AS {name}" for index, name in enumerate(_MESSAGE_FIELDS, start=1))
    row = "(" + ", ".join("?" * len(_MESSAGE_FIELDS)) + ")"
    return f"""
INSERT INTO messages (channel, account_id, external_id, direction, created_at, received_at, text, raw,
    author_id, in_reply_to, conversation_id, is_public, url, source, status, attempts)
SELECT incoming.channel, accounts.id, incoming.external_id, incoming.direction, incoming.created_at, ?,
    incoming.text, incoming.raw, authors.id, incoming.in_reply_to, incoming.conversation_id, incoming.is_public,
    incoming.url, ?, '{MessageStatus.QUEUED.value}', 0
FROM (SELECT {names} FROM (VALUES {", ".join([row] * rows)})) AS incoming
LEFT JOIN accounts ON accounts.channel = incoming.channel AND accounts.handle = incoming.account
LEFT JOIN authors ON authors.channel = incoming.channel AND authors.platform_id = incoming.author
WHERE true
ON CONFLICT (channel, external_id) DO NOTHING
{"RETURNING channel, external_id, id" if returning else ""}"""


def statement_sizes(rows: int, largest: int = _ROWS_PER_STATEMENT) -> Iterator[int]:
    """Split `rows` into statements of `largest` rows, then of power-of-two sizes: a handful of
    statement texts in all, not one per batch size."""
    while rows:
        size = largest if rows >= largest else 1 << (rows.bit_length() - 1)
        yield size
        rows -= size


def write_batch(cursor, batch: EncodedBatch, *, now: datetime, source: str, returning: bool) -> tuple[int, list]:
    """Upsert the authors and insert the new messages on a DB-API cursor of the caller's transaction.

    Returns the number of messages created and, with `returning`, (channel, external_id, id) of each.
    """
    stamp = sqlite_datetime(now)
    if batch.authors is not None:
        cursor.execute(UPSERT_AUTHORS, {"authors": batch.authors, "now": stamp})
    changes_before = cursor.connection.total_changes
    inserted: list = []
    width = len(_MESSAGE_FIELDS)
    start = 0
    for size in statement_sizes(len(batch.keys)):
        values = batch.messages[start * width : (start + size) * width]
        cursor.execute(insert_messages(size, returning=returning), [stamp, source[:200], *values])
        if returning:
            inserted += cursor.fetchall()
        start += size
    return cursor.connection.total_changes - changes_before, inserted
