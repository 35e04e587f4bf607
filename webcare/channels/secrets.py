"""Connector secrets (app secrets, access tokens, passwords) from the environment — never from the database.

Per account: `WEBCARE_CHANNEL_<CHANNEL>_<HANDLE>_<NAME>`, the handle in capitals with every character
other than a letter or digit written as `_` (e.g. `WEBCARE_CHANNEL_FACEBOOK_GEMEENTELINDEBURG_ACCESS_TOKEN`).
Per platform app: `WEBCARE_META_APP_SECRET`, `WEBCARE_META_VERIFY_TOKEN`, `WEBCARE_X_CONSUMER_SECRET`.
The app's config may carry the same names (tests set them there); the environment is read otherwise.
AES-GCM encryption at rest was considered, but the `cryptography` package is not a dependency.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from webcare.accounts.models import Account, Channel

PREFIX = "WEBCARE_CHANNEL_"

# Which secrets each channel's connector reads for an account, with what they are for.
ACCOUNT_SECRETS: dict[Channel, tuple[tuple[str, object], ...]] = {
    Channel.FACEBOOK: (("ACCESS_TOKEN", _l("Page access token for the Graph API")),),
    Channel.INSTAGRAM: (("ACCESS_TOKEN", _l("Access token of the Instagram professional account (through its page)")),),
    Channel.WHATSAPP: (("ACCESS_TOKEN", _l("WhatsApp Cloud API access token (system user)")),),
    Channel.X: (("BEARER_TOKEN", _l("OAuth 2.0 user-context access token of our X account")),),
    Channel.EMAIL: (("IMAP_PASSWORD", _l("Password of the IMAP mailbox")),),
    Channel.WEBFORM: (),
}

# Secrets of the platform app, shared by every account on it (the webhook is one per app).
APP_SECRETS: dict[Channel, tuple[tuple[str, object], ...]] = {
    Channel.FACEBOOK: (
        ("WEBCARE_META_APP_SECRET", _l("Meta app secret (signs webhooks)")),
        ("WEBCARE_META_VERIFY_TOKEN", _l("Verify token entered in the Meta webhook settings")),
    ),
    Channel.X: (("WEBCARE_X_CONSUMER_SECRET", _l("X app consumer secret (CRC and webhook signatures)")),),
}
APP_SECRETS[Channel.INSTAGRAM] = APP_SECRETS[Channel.WHATSAPP] = APP_SECRETS[Channel.FACEBOOK]


class MissingSecret(LookupError):
    """A secret the connector needs is not configured; the message names the variable to set."""


@dataclass(frozen=True)
class SecretState:
    variable: str
    purpose: object  # a lazily translated description
    is_set: bool


def variable_name(channel: Channel, handle: str, name: str) -> str:
    """The environment variable holding secret `name` of the account (channel, handle)."""
    account_part = re.sub(r"[^A-Z0-9]", "_", handle.upper())
    return f"{PREFIX}{channel.value.upper()}_{account_part}_{name.upper()}"


def _lookup(variable: str) -> str | None:
    value = current_app.config.get(variable)
    if value is None:
        value = os.environ.get(variable)
    return str(value) if value else None


def app_secret(variable: str) -> str | None:
    """A platform app's secret (e.g. WEBCARE_META_APP_SECRET), or None when not configured."""
    return _lookup(variable)


def account_secret(account: Account, name: str) -> str:
    """The account's secret `name`; raises MissingSecret naming the variable when it is not set."""
    variable = variable_name(account.channel, account.handle, name)
    value = _lookup(variable)
    if value is None:
        raise MissingSecret(_l("%(variable)s is not set in the environment", variable=variable))
    return value


def secret_states(account: Account) -> list[SecretState]:
    """Which secrets the account's connector needs and whether each is set (values are never shown)."""
    states = [
        SecretState(
            variable_name(account.channel, account.handle, name),
            purpose,
            _lookup(variable_name(account.channel, account.handle, name)) is not None,
        )
        for name, purpose in ACCOUNT_SECRETS.get(account.channel, ())
    ]
    states += [
        SecretState(variable, purpose, _lookup(variable) is not None)
        for variable, purpose in APP_SECRETS.get(account.channel, ())
    ]
    return states
