"""Validation of one intake record (JSONL line, API item, connector output) into an IncomingMessage (pure).

The one place that decides what may be stored: the limits are read from the columns the values go to, so a
record that passes here is one the database takes on either engine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Column

from webcare.accounts.models import Account, Channel
from webcare.inbox.models import Author, Direction, Message
from webcare.timeutil import UTC


def _length(column: Column) -> int:
    return column.type.length


def _largest_integer(column: Column) -> int:
    return 2**63 - 1 if isinstance(column.type, BigInteger) else 2**31 - 1


ACCOUNT_LENGTH = _length(Account.__table__.c.handle)
MAX_ID_LENGTH = _length(Message.__table__.c.external_id)
AUTHOR_ID_LENGTH = _length(Author.__table__.c.platform_id)
AUTHOR_HANDLE_LENGTH = _length(Author.__table__.c.handle)
AUTHOR_NAME_LENGTH = _length(Author.__table__.c.name)
MAX_URL_LENGTH = _length(Message.__table__.c.url)
MAX_FOLLOWERS = _largest_integer(Author.__table__.c.followers)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)
# Deep enough for any platform payload kept with a record; the JSON decoder itself gives up near 1,000.
MAX_JSON_DEPTH = 64
# C0 control characters: in free text all but tab, line feed and carriage return; in ids and links all of them.
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LINE_CONTROLS = re.compile(r"[\x00-\x1f]")
_CONTAINERS = (dict, list)


class InvalidMessage(ValueError):
    """A record that cannot become a message; the text says why, in words for whoever sent it."""


@dataclass(frozen=True, slots=True)
class IncomingAuthor:
    platform_id: str
    handle: str | None
    name: str | None
    followers: int | None
    is_verified: bool


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    channel: Channel
    account: str
    external_id: str
    direction: Direction
    created_at: datetime
    text: str
    author: IncomingAuthor | None
    in_reply_to: str | None
    conversation_id: str | None
    is_public: bool
    url: str | None


def parse_json_line(line: str | bytes) -> Any:
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidMessage(f"not valid UTF-8 (byte {error.start})") from None
    if "\x00" in line:
        raise InvalidMessage("contains NUL characters")
    return decode_json(line)


def decode_json(text: str | bytes) -> Any:
    """JSON text as Python values; InvalidMessage for text that is not JSON or nests too deeply to take."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidMessage(f"not valid JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise InvalidMessage(f"nested more than {MAX_JSON_DEPTH} levels deep") from None


def _check_depth(record: dict) -> None:
    """Walk the nested values without recursion; the raw record is stored and read back as JSON later.

    Decoded JSON holds plain dicts and lists, so `type(...) in` suffices, and keeps this cheap per line.
    """
    pending = [(value, 2) for value in record.values() if type(value) in _CONTAINERS and value]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidMessage(f"nested more than {MAX_JSON_DEPTH} levels deep")
        children = value.values() if type(value) is dict else value
        pending.extend((child, depth + 1) for child in children if type(child) in _CONTAINERS and child)


def _encodable(value: str, key: str, controls: re.Pattern = _LINE_CONTROLS) -> str:
    """`value` unless it holds a control character no column should hold (NUL above all, which PostgreSQL
    refuses) or a lone surrogate (JSON allows an escape like \\ud800 without its pair), which no database
    can store as text."""
    found = None if value.isprintable() else controls.search(value)  # isprintable: the fast path, in C
    if found:
        what = "NUL characters" if found.group() == "\x00" else f"a control character (U+{ord(found.group()):04X})"
        raise InvalidMessage(f"'{key}' contains {what}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InvalidMessage(f"'{key}' contains an unpaired surrogate (character {error.start + 1})") from None
    return value


def _identifier(
    record: dict, key: str, *, required: bool, max_length: int = MAX_ID_LENGTH, name: str | None = None
) -> str | None:
    value = record.get(key)
    if type(value) is not str:
        if value is None:
            value = ""
        elif isinstance(value, bool) or not isinstance(value, int):
            raise InvalidMessage(f"'{name or key}' must be a string or a whole number, not {type(value).__name__}")
    value = str(value).strip()
    if not value:
        if required:
            raise InvalidMessage(f"'{name or key}' is missing")
        return None
    if len(value) > max_length:
        raise InvalidMessage(f"'{name or key}' is longer than {max_length} characters")
    return _encodable(value, name or key)


def _timestamp(record: dict, now: datetime) -> datetime:
    value = record.get("created_at")
    if value is None:
        raise InvalidMessage("'created_at' is missing")
    if not isinstance(value, str):
        raise InvalidMessage("'created_at' must be an ISO 8601 string with a UTC offset")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise InvalidMessage(f"'created_at' is not an ISO 8601 date and time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise InvalidMessage("'created_at' has no UTC offset (write e.g. 2026-03-01T09:15:00+01:00)")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise InvalidMessage(f"'created_at' lies before {EARLIEST.date()}") from None
    if moment < EARLIEST:
        raise InvalidMessage(f"'created_at' lies before {EARLIEST.date()}")
    if moment > now + FUTURE_TOLERANCE:
        raise InvalidMessage("'created_at' lies more than a day in the future")
    return moment


def _author(record: dict) -> IncomingAuthor | None:
    value = record.get("author")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidMessage("'author' must be an object with id, handle, name, followers, verified")
    handle = _identifier(value, "handle", required=False, max_length=AUTHOR_HANDLE_LENGTH, name="author.handle")
    platform_id = _identifier(value, "id", required=False, max_length=AUTHOR_ID_LENGTH, name="author.id") or handle
    if platform_id is None:
        raise InvalidMessage("'author' needs an 'id' or a 'handle'")
    followers = value.get("followers")
    if followers is not None and (
        isinstance(followers, bool) or not isinstance(followers, int) or not 0 <= followers <= MAX_FOLLOWERS
    ):
        raise InvalidMessage(f"'author.followers' must be a whole number from 0 to {MAX_FOLLOWERS}")
    verified = value.get("verified", False)
    if not isinstance(verified, bool):
        raise InvalidMessage("'author.verified' must be true or false")
    name = value.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidMessage("'author.name' must be a string")
    if name:
        name = _encodable(name[:AUTHOR_NAME_LENGTH], "author.name", _TEXT_CONTROLS)
    return IncomingAuthor(
        platform_id=platform_id,
        handle=handle,
        name=name or None,
        followers=followers,
        is_verified=verified,
    )


def parse_message(record: Any, *, now: datetime, max_text_length: int) -> IncomingMessage:
    """Validate one decoded record; raises InvalidMessage with the first problem found."""
    if not isinstance(record, dict):
        raise InvalidMessage(f"expected a JSON object, got {type(record).__name__}")
    _check_depth(record)
    channel_name = record.get("channel")
    if channel_name is None:
        raise InvalidMessage("'channel' is missing")
    try:
        channel = Channel(channel_name)
    except ValueError:
        known = ", ".join(c.value for c in Channel)
        raise InvalidMessage(f"unknown channel {str(channel_name)[:40]!r} (known: {known})") from None
    direction_name = record.get("direction", "inbound")
    try:
        direction = Direction(direction_name)
    except ValueError:
        raise InvalidMessage("'direction' must be 'inbound' or 'outbound'") from None
    text = record.get("text")
    if not isinstance(text, str):
        raise InvalidMessage("'text' is missing" if text is None else "'text' must be a string")
    if len(text) > max_text_length:
        raise InvalidMessage(f"'text' is longer than {max_text_length} characters ({len(text)})")
    _encodable(text, "text", _TEXT_CONTROLS)
    is_public = record.get("is_public")
    if is_public is None:
        is_public = not channel.is_private_by_nature
    elif not isinstance(is_public, bool):
        raise InvalidMessage("'is_public' must be true or false")
    url = record.get("url")
    if url is not None and (not isinstance(url, str) or len(url) > MAX_URL_LENGTH):
        raise InvalidMessage(f"'url' must be a string of at most {MAX_URL_LENGTH} characters")
    if url is not None:
        _encodable(url, "url")
    return IncomingMessage(
        channel=channel,
        account=_identifier(record, "account", required=True, max_length=ACCOUNT_LENGTH),
        external_id=_identifier(record, "external_id", required=True),
        direction=direction,
        created_at=_timestamp(record, now),
        text=text,
        author=_author(record),
        in_reply_to=_identifier(record, "in_reply_to", required=False),
        conversation_id=_identifier(record, "conversation_id", required=False),
        is_public=is_public,
        url=url,
    )
