"""Validation of one intake record (JSONL line, API item, connector output) into an IncomingMessage (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from webcare.accounts.models import Channel
from webcare.inbox.models import Direction
from webcare.timeutil import UTC

MAX_ID_LENGTH = 255
MAX_URL_LENGTH = 2000
FUTURE_TOLERANCE = timedelta(days=1)


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
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidMessage(f"not valid JSON: {error.msg} at column {error.colno}") from None


def _encodable(value: str, key: str) -> str:
    """`value` unless it holds a lone surrogate (JSON allows an escape like \\ud800 without its pair),
    which no database can store as text."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InvalidMessage(f"'{key}' contains an unpaired surrogate (character {error.start + 1})") from None
    return value


def _identifier(record: dict, key: str, *, required: bool) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise InvalidMessage(f"'{key}' is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidMessage(f"'{key}' must be a string or a whole number, not {type(value).__name__}")
    value = str(value).strip()
    if "\x00" in value:
        raise InvalidMessage(f"'{key}' contains NUL characters")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidMessage(f"'{key}' is longer than {MAX_ID_LENGTH} characters")
    return _encodable(value, key)


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
    moment = moment.astimezone(UTC)
    if moment > now + FUTURE_TOLERANCE:
        raise InvalidMessage("'created_at' lies more than a day in the future")
    return moment


def _author(record: dict) -> IncomingAuthor | None:
    value = record.get("author")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidMessage("'author' must be an object with id, handle, name, followers, verified")
    platform_id = _identifier(value, "id", required=False) or _identifier(value, "handle", required=False)
    if platform_id is None:
        raise InvalidMessage("'author' needs an 'id' or a 'handle'")
    followers = value.get("followers")
    if followers is not None and (isinstance(followers, bool) or not isinstance(followers, int) or followers < 0):
        raise InvalidMessage("'author.followers' must be a whole number of at least 0")
    verified = value.get("verified", False)
    if not isinstance(verified, bool):
        raise InvalidMessage("'author.verified' must be true or false")
    name = value.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidMessage("'author.name' must be a string")
    if name:
        _encodable(name, "author.name")
    return IncomingAuthor(
        platform_id=platform_id,
        handle=_identifier(value, "handle", required=False),
        name=name[:200] if name else None,
        followers=followers,
        is_verified=verified,
    )


def parse_message(record: Any, *, now: datetime, max_text_length: int) -> IncomingMessage:
    """Validate one decoded record; raises InvalidMessage with the first problem found."""
    if not isinstance(record, dict):
        raise InvalidMessage(f"expected a JSON object, got {type(record).__name__}")
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
    if "\x00" in text:
        raise InvalidMessage("'text' contains NUL characters")
    if len(text) > max_text_length:
        raise InvalidMessage(f"'text' is longer than {max_text_length} characters ({len(text)})")
    _encodable(text, "text")
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
        account=_identifier(record, "account", required=True),
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
