"""Delivery statuses: what platforms report about our messages (sent, delivered, read, failed).

A failure is announced with the `delivery_failed` signal; the replies domain shows it on the case and
tells the reply's author (channels never change a case).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from blinker import Namespace
from sqlalchemy import select

from webcare.accounts.models import Channel
from webcare.channels.base import StatusUpdate
from webcare.channels.models import DeliveryStatus
from webcare.extensions import db
from webcare.inbox.models import Direction, Message
from webcare.timeutil import UTC, utcnow

STATUSES = ("sent", "delivered", "read", "failed")
_signals = Namespace()
# Sent with the outbound message, `at` and `error` when a platform reports it as not delivered.
delivery_failed = _signals.signal("delivery-failed")
NOT_DELIVERED = "the platform reports the message as not delivered"


def _parse_moment(value: str | None, now: datetime) -> datetime:
    if not value:
        return now
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return now
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_status_updates(channel: Channel, updates: Iterable[StatusUpdate], *, now: datetime | None = None) -> int:
    """Attach platform status reports to our outbound messages; a failure shows on the case. Flushes only.

    A repeated report (platform retry) changes nothing; a report for a message not yet recorded is kept
    by its external id and found once the outbox records the message.
    """
    now = now or utcnow()
    updates = [u for u in updates if u.status in STATUSES and u.external_id]
    if not updates:
        return 0
    ids = sorted({u.external_id for u in updates})
    known = {
        (status.external_id, status.status)
        for status in db.session.scalars(
            select(DeliveryStatus).where(DeliveryStatus.channel == channel, DeliveryStatus.external_id.in_(ids))
        )
    }
    messages = {
        message.external_id: message
        for message in db.session.scalars(
            select(Message).where(
                Message.channel == channel, Message.external_id.in_(ids), Message.direction == Direction.OUTBOUND
            )
        )
    }
    added = 0
    for update in updates:
        if (update.external_id, update.status) in known:
            continue
        known.add((update.external_id, update.status))
        message = messages.get(update.external_id)
        at = _parse_moment(update.at, now)
        db.session.add(
            DeliveryStatus(
                channel=channel,
                external_id=update.external_id,
                status=update.status,
                at=at,
                received_at=now,
                error=update.error,
                message_id=message.id if message else None,
            )
        )
        added += 1
        if update.status == "failed" and message is not None:
            delivery_failed.send(message, at=at, error=update.error or NOT_DELIVERED)
    db.session.flush()
    return added


def delivery_statuses(messages: Iterable[Message]) -> dict[int, list[DeliveryStatus]]:
    """The delivery reports of outbound messages, oldest first, by message id (for the case page).

    Looked up by the platform's id, so reports that arrived before the outbox recorded the message count too.
    """
    by_key = {(m.channel, m.external_id): m.id for m in messages if m.direction == Direction.OUTBOUND}
    found: dict[int, list[DeliveryStatus]] = {}
    for channel in {channel for channel, _id in by_key}:
        ids = [external_id for c, external_id in by_key if c == channel]
        for status in db.session.scalars(
            select(DeliveryStatus)
            .where(DeliveryStatus.channel == channel, DeliveryStatus.external_id.in_(ids))
            .order_by(DeliveryStatus.at, DeliveryStatus.id)
        ):
            found.setdefault(by_key[(channel, status.external_id)], []).append(status)
    return found


def furthest_delivery_statuses(messages: Iterable[Message]) -> dict[int, DeliveryStatus]:
    """The furthest report on each of our outbound messages (sent < delivered < read < failed), by message id.

    Furthest rather than newest: a Messenger watermark reports every message up to it at the watermark's
    time, so a message read at 10:20 can be reported delivered "at 10:31".
    """
    return {
        message_id: max(found, key=lambda status: (STATUSES.index(status.status), status.at))
        for message_id, found in delivery_statuses(messages).items()
    }


def link_statuses(message: Message) -> None:
    """Attach reports that arrived before the outbox recorded the message (a fast platform); flushes only.

    A failure among them shows on the case as if it had come afterwards.
    """
    for status in db.session.scalars(
        select(DeliveryStatus).where(
            DeliveryStatus.channel == message.channel,
            DeliveryStatus.external_id == message.external_id,
            DeliveryStatus.message_id.is_(None),
        )
    ):
        status.message_id = message.id
        if status.status == "failed":
            delivery_failed.send(message, at=status.at, error=status.error or NOT_DELIVERED)
    db.session.flush()
