"""Receiving from platforms (verify → parse → intake), the delivery log, delivery statuses, and channel accounts."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from flask_babel import gettext

from webcare.auth.models import User
from webcare.channels.base import (
    Connector, Delivery, MalformedDelivery, ParsedDelivery, SignatureError, StatusUpdate,
)
from webcare.channels.models import Account, Channel, ChannelSettings, DeliveryLog, DeliveryOutcome, DeliveryStatus
from webcare.channels.signing import SignatureMissing
from webcare.extensions import db
from webcare.intake.models import DeadLetter, Direction, Message
from webcare.intake.services import accept_items, dead_letter
from webcare.timeutil import UTC, utcnow

log = logging.getLogger(__name__)

STATUSES = ("sent", "delivered", "read", "failed")


@dataclass(frozen=True)
class Received:
    """What came of one delivery, for the webhook's HTTP answer."""

    outcome: DeliveryOutcome
    records: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    status_updates: int = 0
    signature_missing: bool = False
    detail: str | None = None
    dead_letter_id: int | None = None


class AccountExists(ValueError):
    pass


def _account_of(channel: Channel | None, records: list[dict[str, Any]]) -> Account | None:
    handles = {(record.get("channel"), record.get("account")) for record in records if isinstance(record, dict)}
    if len(handles) != 1:
        return None
    (channel_name, handle), = handles
    try:
        channel = Channel(channel_name)
    except ValueError:
        return None
    return db.session.scalar(select(Account).where(Account.channel == channel, Account.handle == str(handle)))


def receive_delivery(connector: Connector, delivery: Delivery, *, source: str, channel: Channel | None = None) -> Received:
    """Verify, parse and take in one delivery; refusals are logged without content, malformed bodies dead-lettered."""
    now = utcnow()
    try:
        connector.verify(delivery)
    except SignatureError as refused:
        db.session.rollback()
        db.session.add(DeliveryLog(received_at=now, channel=channel, source=source[:200],
                                   outcome=DeliveryOutcome.BAD_SIGNATURE, bytes=len(delivery.body), detail=str(refused)))
        db.session.commit()
        return Received(DeliveryOutcome.BAD_SIGNATURE, signature_missing=isinstance(refused, SignatureMissing),
                        detail=str(refused))
    try:
        parsed = connector.parse(delivery)
    except MalformedDelivery as problem:
        db.session.rollback()
        # Platforms retry for hours: the same body is kept once, by its digest.
        reference = "sha256:" + hashlib.sha256(delivery.body).hexdigest()
        letter = db.session.scalar(select(DeadLetter).where(DeadLetter.source == source[:300],
                                                            DeadLetter.reference == reference).limit(1))
        is_retry = letter is not None
        if letter is None:
            letter = dead_letter(source=source, reference=reference, reason=str(problem), raw=delivery.body)
        db.session.add(DeliveryLog(received_at=now, channel=channel, source=source[:200], outcome=DeliveryOutcome.MALFORMED,
                                   bytes=len(delivery.body), dead_letter_id=letter.id,
                                   detail=("again: " if is_retry else "") + str(problem)))
        db.session.commit()
        return Received(DeliveryOutcome.MALFORMED, detail=str(problem), dead_letter_id=letter.id)
    channel = getattr(parsed, "channel", None) or channel or connector.channel  # a Meta delivery names its product
    return take_in(parsed, source=source, channel=channel, size=len(delivery.body), now=now)


def take_in(parsed: ParsedDelivery, *, source: str, channel: Channel | None, size: int = 0,
            now: datetime | None = None, account: Account | None = None) -> Received:
    """Queue a parsed delivery's records and record its status updates, with one delivery log row."""
    now = now or utcnow()
    records = parsed.records
    if records and channel is None:
        channel = Channel(records[0]["channel"])
    entry = DeliveryLog(received_at=now, channel=channel, source=source[:200], outcome=DeliveryOutcome.ACCEPTED,
                        records=len(records), status_updates=len(parsed.status_updates), bytes=size,
                        account=account or _account_of(channel, records))
    db.session.add(entry)
    if parsed.status_updates:
        record_status_updates(channel or Channel.EMAIL, parsed.status_updates, now=now)
    db.session.flush()
    outcomes = accept_items(records, source=source)  # commits the log row and the statuses with the messages
    entry.accepted = sum(1 for o in outcomes if o.error is None and not o.is_duplicate)
    entry.duplicates = sum(1 for o in outcomes if o.is_duplicate)
    entry.rejected = sum(1 for o in outcomes if o.error is not None)
    if entry.account is None:
        entry.account = _account_of(channel, records)
    if records and entry.duplicates == len(records):
        entry.outcome = DeliveryOutcome.DUPLICATE
    if entry.rejected:
        entry.detail = "; ".join(sorted({o.error for o in outcomes if o.error}))[:2000]
    db.session.commit()
    return Received(entry.outcome, entry.records, entry.accepted, entry.duplicates, entry.rejected, entry.status_updates)


def log_poll_failure(account: Account, *, source: str, detail: str, now: datetime | None = None) -> None:
    """Note in the delivery log that polling an account failed (e.g. IMAP login refused)."""
    db.session.add(DeliveryLog(received_at=now or utcnow(), channel=account.channel, account=account,
                               source=source[:200], outcome=DeliveryOutcome.POLL_FAILED, detail=detail[:2000]))
    db.session.commit()


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
    from webcare.inbox.events import record

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
            select(Message).where(Message.channel == channel, Message.external_id.in_(ids),
                                  Message.direction == Direction.OUTBOUND)
        )
    }
    added = 0
    for update in updates:
        if (update.external_id, update.status) in known:
            continue
        known.add((update.external_id, update.status))
        message = messages.get(update.external_id)
        at = _parse_moment(update.at, now)
        db.session.add(DeliveryStatus(channel=channel, external_id=update.external_id, status=update.status, at=at,
                                      received_at=now, error=update.error, message_id=message.id if message else None))
        added += 1
        if update.status == "failed" and message is not None and message.case is not None:
            record(message.case, "delivery_failed", by=None, at=at, message_id=message.id,
                   error=update.error or "the platform reports the message as not delivered")
            _tell_the_author(message, update)
    db.session.flush()
    return added


def _tell_the_author(message: Message, update: StatusUpdate) -> None:
    from webcare.notifications.services import notify
    from webcare.replies.models import Reply

    reply = db.session.scalar(select(Reply).where(Reply.message_id == message.id))
    if reply is not None:
        notify([reply.author], kind="delivery_failed", case_id=message.case_id, link=f"/cases/{message.case_id}",
               email=False, subject=gettext("Your reply on case #%(id)s was not delivered", id=message.case_id),
               body=update.error or "")


def delivery_statuses(messages: Iterable[Message]) -> dict[int, list[DeliveryStatus]]:
    """The delivery reports of outbound messages, oldest first, by message id (for the case page).

    Looked up by the platform's id, so reports that arrived before the outbox recorded the message count too.
    """
    by_key = {(m.channel, m.external_id): m.id for m in messages if m.direction == Direction.OUTBOUND}
    found: dict[int, list[DeliveryStatus]] = {}
    for channel in {channel for channel, _id in by_key}:
        ids = [external_id for c, external_id in by_key if c == channel]
        for status in db.session.scalars(
            select(DeliveryStatus).where(DeliveryStatus.channel == channel, DeliveryStatus.external_id.in_(ids))
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
    from webcare.inbox.events import record

    for status in db.session.scalars(select(DeliveryStatus).where(
        DeliveryStatus.channel == message.channel, DeliveryStatus.external_id == message.external_id,
        DeliveryStatus.message_id.is_(None),
    )):
        status.message_id = message.id
        if status.status == "failed" and message.case is not None:
            record(message.case, "delivery_failed", by=None, at=status.at, message_id=message.id,
                   error=status.error or "the platform reports the message as not delivered")
            _tell_the_author(message, StatusUpdate(status.external_id, status.status, error=status.error))
    db.session.flush()


def handles_for(channel: Channel, platform_ids: Iterable[str]) -> dict[str, str]:
    """Our account handle for each platform id of ours (page, Instagram account, phone number, X user).

    An id no account is set up for stands for itself: the account is registered on first sight under it.
    """
    wanted = {str(p) for p in platform_ids if p}
    found = {platform_id: platform_id for platform_id in wanted}
    if wanted:
        for platform_id, handle in db.session.execute(
            select(ChannelSettings.platform_id, Account.handle).join(Account)
            .where(Account.channel == channel, ChannelSettings.platform_id.in_(wanted))
        ):
            found[platform_id] = handle
    return found


def settings_of(account: Account) -> ChannelSettings:
    """The account's connector settings (created empty on first use; flushes only)."""
    settings = db.session.get(ChannelSettings, account.id)
    if settings is None:
        settings = ChannelSettings(account_id=account.id, options={})
        db.session.add(settings)
        db.session.flush()
    return settings


def parent_message(channel: Channel, external_id: str | None) -> Message | None:
    if not external_id:
        return None
    return db.session.scalar(select(Message).where(Message.channel == channel, Message.external_id == external_id))


def platform_details(message: Message | None) -> dict[str, Any]:
    """The connector's notes on a received message (kind of item, post id, …) from its stored record."""
    if message is None:
        return {}
    try:
        raw = json.loads(message.raw)
    except ValueError:
        return {}
    details = raw.get("platform") if isinstance(raw, dict) else None
    return details if isinstance(details, dict) else {}


def load_connectors() -> None:
    """Import every connector module so each registers itself for its channel."""
    import webcare.channels.email  # noqa: F401
    import webcare.channels.meta  # noqa: F401
    import webcare.channels.webform  # noqa: F401
    import webcare.channels.x  # noqa: F401


def connector_for_account(account: Account) -> Connector:
    from webcare.channels.base import connector_class_for

    load_connectors()
    return connector_class_for(account.channel)()


def accounts() -> list[Account]:
    return list(db.session.scalars(select(Account).order_by(Account.channel, Account.handle)))


def add_account(channel: Channel, handle: str, name: str, *, platform_id: str | None, options: dict[str, Any],
                by: User) -> Account:
    """Add one of our accounts with its connector settings; raises AccountExists for a taken (channel, handle)."""
    handle = handle.strip()
    if db.session.scalar(select(Account.id).where(Account.channel == channel, Account.handle == handle)):
        raise AccountExists(handle)
    account = Account(channel=channel, handle=handle, name=name.strip() or handle)
    db.session.add(account)
    db.session.flush()
    db.session.add(ChannelSettings(account_id=account.id, platform_id=(platform_id or "").strip() or None,
                                   options=options))
    log.info("%s added the %s account %s", by.email, channel.value, handle)
    db.session.commit()
    return account


def update_settings(account: Account, *, name: str, platform_id: str | None, options: dict[str, Any], by: User) -> None:
    """Change an account's name and connector settings (never its secrets: those live in the environment)."""
    settings = settings_of(account)
    account.name = name.strip() or account.handle
    settings.platform_id = (platform_id or "").strip() or None
    settings.options = dict(options)
    log.info("%s changed the settings of the %s account %s", by.email, account.channel.value, account.handle)
    db.session.commit()


def recent_deliveries(*, account: Account | None = None, limit: int = 50) -> list[DeliveryLog]:
    query = select(DeliveryLog).order_by(DeliveryLog.received_at.desc(), DeliveryLog.id.desc()).limit(limit)
    if account is not None:
        query = query.where(DeliveryLog.account_id == account.id)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ConnectionCheck:
    is_ok: bool
    text: str


def test_connection(account: Account) -> ConnectionCheck:
    """Call the platform with the account's settings and secrets (a real request) and say what it answered."""
    from webcare.channels.base import SendFailed
    from webcare.channels.secrets import MissingSecret

    import imaplib

    if account.channel == Channel.EMAIL:
        from webcare.channels.imap import check_connection as check
    else:
        check = getattr(connector_for_account(account), "check_connection", None)
    if check is None:
        return ConnectionCheck(True, "This channel has no platform to connect to.")
    try:
        return ConnectionCheck(True, check(account))
    except (SendFailed, MissingSecret) as problem:
        return ConnectionCheck(False, str(problem))
    except (OSError, imaplib.IMAP4.error) as problem:
        return ConnectionCheck(False, f"{type(problem).__name__}: {problem}")
