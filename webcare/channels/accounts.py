"""Our accounts as the admin sets them up: connector settings, the delivery log, a test of the connection."""

from __future__ import annotations

import imaplib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from webcare.accounts.models import Account, Channel
from webcare.auth.models import User
from webcare.channels import imap, registry
from webcare.channels.base import SendFailed
from webcare.channels.models import ChannelSettings, DeliveryLog
from webcare.channels.receiving import settings_of
from webcare.channels.secrets import MissingSecret
from webcare.extensions import db

log = logging.getLogger(__name__)


class AccountExists(ValueError):
    pass


def accounts() -> list[Account]:
    return list(db.session.scalars(select(Account).order_by(Account.channel, Account.handle)))


def add_account(
    channel: Channel, handle: str, name: str, *, platform_id: str | None, options: dict[str, Any], by: User
) -> Account:
    """Add one of our accounts with its connector settings; raises AccountExists for a taken (channel, handle)."""
    handle = handle.strip()
    if db.session.scalar(select(Account.id).where(Account.channel == channel, Account.handle == handle)):
        raise AccountExists(handle)
    account = Account(channel=channel, handle=handle, name=name.strip() or handle)
    db.session.add(account)
    db.session.flush()
    db.session.add(
        ChannelSettings(account_id=account.id, platform_id=(platform_id or "").strip() or None, options=options)
    )
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
    if account.channel == Channel.EMAIL:
        check = imap.check_connection
    else:
        check = getattr(registry.platform_connector(account.channel), "check_connection", None)
    if check is None:
        return ConnectionCheck(True, "This channel has no platform to connect to.")
    try:
        return ConnectionCheck(True, check(account))
    except (SendFailed, MissingSecret) as problem:
        return ConnectionCheck(False, str(problem))
    except (OSError, imaplib.IMAP4.error) as problem:
        return ConnectionCheck(False, f"{type(problem).__name__}: {problem}")
