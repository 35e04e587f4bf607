"""The Connector interface every platform module implements, and the registry that finds them by channel."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from webcare.accounts.models import Account, Channel


class SignatureError(Exception):
    """A delivery whose signature is missing or wrong: refused, and its content is not stored."""


class MalformedDelivery(Exception):
    """A correctly signed delivery we cannot understand: its raw body goes to the dead letter."""


class SendFailed(Exception):
    def __init__(self, reason: str, *, retry_after_seconds: float | None = None, is_permanent: bool = False):
        super().__init__(reason)
        self.retry_after_seconds = retry_after_seconds
        self.is_permanent = is_permanent


@dataclass(frozen=True)
class Delivery:
    """One inbound HTTP delivery (webhook) as it reached us: raw bytes, headers, query arguments."""

    body: bytes
    headers: Mapping[str, str]
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusUpdate:
    """A platform's report on one of our outbound messages: sent, delivered, read or failed."""

    external_id: str
    status: str
    at: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ParsedDelivery:
    """What a delivery holds: intake records in the JSONL format (see docs/intake.md) and status updates."""

    records: list[dict[str, Any]] = field(default_factory=list)
    status_updates: list[StatusUpdate] = field(default_factory=list)


@dataclass(frozen=True)
class OutgoingReply:
    account: Account
    text: str
    is_public: bool
    in_reply_to: str | None
    recipient: str | None
    conversation_id: str | None


@dataclass(frozen=True)
class SentReply:
    external_id: str
    raw_response: str


class Connector(abc.ABC):
    """Receives deliveries from one platform and sends our replies to it."""

    channel: ClassVar[Channel]

    @abc.abstractmethod
    def verify(self, delivery: Delivery) -> None:
        """Raise SignatureError unless the delivery provably comes from the platform."""

    @abc.abstractmethod
    def parse(self, delivery: Delivery) -> ParsedDelivery:
        """Turn a verified delivery into intake records; raise MalformedDelivery when it cannot."""

    @abc.abstractmethod
    def send(self, reply: OutgoingReply) -> SentReply:
        """Send one reply; raise SendFailed (with retry advice) when the platform refuses it."""


_registry: dict[Channel, type[Connector]] = {}


def register(connector_class: type[Connector]) -> type[Connector]:
    """Class decorator: make a connector findable by its channel."""
    _registry[connector_class.channel] = connector_class
    return connector_class


def connector_class_for(channel: Channel) -> type[Connector]:
    try:
        return _registry[channel]
    except KeyError:
        raise LookupError(f"no connector is registered for {channel.value}") from None
