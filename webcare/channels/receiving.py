"""Receiving from platforms: verify, parse and take in a delivery, with the delivery log and the lookups
connectors need while parsing (our handles, parent messages, account settings)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from webcare.accounts.models import Account, Channel
from webcare.channels.base import (
    Connector,
    Delivery,
    MalformedDelivery,
    ParsedDelivery,
    SignatureError,
)
from webcare.channels.models import ChannelSettings, DeliveryLog, DeliveryOutcome
from webcare.channels.signing import SignatureMissing
from webcare.channels.statuses import record_status_updates
from webcare.extensions import db
from webcare.inbox.models import Message
from webcare.intake.models import DeadLetter
from webcare.intake.services import accept_items, dead_letter
from webcare.timeutil import utcnow


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


def _account_of(channel: Channel | None, records: list[dict[str, Any]]) -> Account | None:
    handles = {(record.get("channel"), record.get("account")) for record in records if isinstance(record, dict)}
    if len(handles) != 1:
        return None
    ((channel_name, handle),) = handles
    try:
        channel = Channel(channel_name)
    except ValueError:
        return None
    return db.session.scalar(select(Account).where(Account.channel == channel, Account.handle == str(handle)))


def receive_delivery(
    connector: Connector, delivery: Delivery, *, source: str, channel: Channel | None = None
) -> Received:
    """Verify, parse and take in one delivery; refusals are logged without content, malformed bodies dead-lettered."""
    now = utcnow()
    try:
        connector.verify(delivery)
    except SignatureError as refused:
        db.session.rollback()
        db.session.add(
            DeliveryLog(
                received_at=now,
                channel=channel,
                source=source[:200],
                outcome=DeliveryOutcome.BAD_SIGNATURE,
                bytes=len(delivery.body),
                detail=str(refused),
            )
        )
        db.session.commit()
        return Received(
            DeliveryOutcome.BAD_SIGNATURE, signature_missing=isinstance(refused, SignatureMissing), detail=str(refused)
        )
    try:
        parsed = connector.parse(delivery)
    except MalformedDelivery as problem:
        db.session.rollback()
        # Platforms retry for hours: the same body is kept once, by its digest.
        reference = "sha256:" + hashlib.sha256(delivery.body).hexdigest()
        letter = db.session.scalar(
            select(DeadLetter).where(DeadLetter.source == source[:300], DeadLetter.reference == reference).limit(1)
        )
        is_retry = letter is not None
        if letter is None:
            letter = dead_letter(source=source, reference=reference, reason=str(problem), raw=delivery.body)
        db.session.add(
            DeliveryLog(
                received_at=now,
                channel=channel,
                source=source[:200],
                outcome=DeliveryOutcome.MALFORMED,
                bytes=len(delivery.body),
                dead_letter_id=letter.id,
                detail=("again: " if is_retry else "") + str(problem),
            )
        )
        db.session.commit()
        return Received(DeliveryOutcome.MALFORMED, detail=str(problem), dead_letter_id=letter.id)
    channel = getattr(parsed, "channel", None) or channel or connector.channel  # a Meta delivery names its product
    return take_in(parsed, source=source, channel=channel, size=len(delivery.body), now=now)


def take_in(
    parsed: ParsedDelivery,
    *,
    source: str,
    channel: Channel | None,
    size: int = 0,
    now: datetime | None = None,
    account: Account | None = None,
) -> Received:
    """Queue a parsed delivery's records and record its status updates, with one delivery log row."""
    now = now or utcnow()
    records = parsed.records
    if records and channel is None:
        channel = Channel(records[0]["channel"])
    entry = DeliveryLog(
        received_at=now,
        channel=channel,
        source=source[:200],
        outcome=DeliveryOutcome.ACCEPTED,
        records=len(records),
        status_updates=len(parsed.status_updates),
        bytes=size,
        account=account or _account_of(channel, records),
    )
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
    return Received(
        entry.outcome, entry.records, entry.accepted, entry.duplicates, entry.rejected, entry.status_updates
    )


def log_poll_failure(account: Account, *, source: str, detail: str, now: datetime | None = None) -> None:
    """Note in the delivery log that polling an account failed (e.g. IMAP login refused)."""
    db.session.add(
        DeliveryLog(
            received_at=now or utcnow(),
            channel=account.channel,
            account=account,
            source=source[:200],
            outcome=DeliveryOutcome.POLL_FAILED,
            detail=detail[:2000],
        )
    )
    db.session.commit()


def handles_for(channel: Channel, platform_ids: Iterable[str]) -> dict[str, str]:
    """Our account handle for each platform id of ours (page, Instagram account, phone number, X user).

    An id no account is set up for stands for itself: the account is registered on first sight under it.
    """
    wanted = {str(p) for p in platform_ids if p}
    found = {platform_id: platform_id for platform_id in wanted}
    if wanted:
        for platform_id, handle in db.session.execute(
            select(ChannelSettings.platform_id, Account.handle)
            .join(Account)
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
