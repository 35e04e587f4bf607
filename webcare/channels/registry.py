"""The connector for each channel, in one place: importing this module registers every connector."""

from __future__ import annotations

from webcare.accounts.models import Account, Channel
from webcare.channels import email, meta, webform, x  # noqa: F401  (each module registers its connectors)
from webcare.channels.base import Connector, connector_class_for
from webcare.channels.log import LogConnector


def connector_for(account: Account) -> Connector:
    """The connector that sends for `account`: the log for accounts set to send to it (the demo's), else the
    channel's own; raises LookupError for a channel without one."""
    if account.sends_to_log:
        return LogConnector()
    return platform_connector(account.channel)


def platform_connector(channel: Channel) -> Connector:
    """The connector that talks to the channel's platform (LookupError for a channel without one)."""
    return connector_class_for(channel)()
