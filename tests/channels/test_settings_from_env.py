"""Channel settings from the environment: the web form's hourly limit, the inbound mail token, reverse proxies."""

from __future__ import annotations

import pytest

from config import settings_from_env
from tests.channels.helpers import our_account
from tests.channels.test_webform import HANDLE, send_form
from webcare.accounts.models import Channel
from webcare.channels.base import Delivery, SignatureError
from webcare.channels.email import TOKEN_HEADER, EmailConnector

PROXY = "10.0.0.2"


def test_the_channel_settings_are_read_from_webcare_variables_with_safe_defaults(tmp_path):
    given = settings_from_env(
        str(tmp_path),
        {
            "WEBCARE_SECRET_KEY": "geheim",
            "WEBCARE_WEBFORM_MAX_PER_HOUR": "12",
            "WEBCARE_MAIL_INBOUND_TOKEN": "mta-token",
            "WEBCARE_PROXY_HOPS": "2",
        },
    )
    defaults = settings_from_env(str(tmp_path), {"WEBCARE_SECRET_KEY": "geheim"})

    assert (
        given["WEBCARE_WEBFORM_MAX_PER_HOUR"],
        given["WEBCARE_MAIL_INBOUND_TOKEN"],
        given["WEBCARE_PROXY_HOPS"],
    ) == (12, "mta-token", 2)
    assert (
        defaults["WEBCARE_WEBFORM_MAX_PER_HOUR"],
        defaults["WEBCARE_MAIL_INBOUND_TOKEN"],
        defaults["WEBCARE_PROXY_HOPS"],
    ) == (5, None, 0)


@pytest.fixture
def environment(monkeypatch):
    """A deployment behind one reverse proxy, as its environment says (read when the app is created)."""
    monkeypatch.setenv("WEBCARE_PROXY_HOPS", "1")
    monkeypatch.setenv("WEBCARE_WEBFORM_MAX_PER_HOUR", "2")
    monkeypatch.setenv("WEBCARE_MAIL_INBOUND_TOKEN", "mta-token-lindeburg")


@pytest.fixture
def app(environment, app):
    return app


def test_the_inbound_mail_token_from_the_environment_is_the_one_checked(app):
    connector = EmailConnector()

    connector.verify(Delivery(body=b"", headers={TOKEN_HEADER: "mta-token-lindeburg"}))
    with pytest.raises(SignatureError):
        connector.verify(Delivery(body=b"", headers={TOKEN_HEADER: "geraden"}))


def test_behind_the_proxy_the_form_limit_from_the_environment_counts_each_residents_own_address(client, csrf_from):
    our_account(Channel.WEBFORM, HANDLE)

    def send(forwarded_for: str, message: str):
        # Every request comes from the proxy; it appends the address it saw to X-Forwarded-For.
        return send_form(client, csrf_from, address=PROXY, headers={"X-Forwarded-For": forwarded_for}, message=message)

    assert send("192.0.2.10", "De bushalte bij de Église is beschadigd 🚏").status_code == 302
    assert send("192.0.2.10", "En de prullenbak ernaast ook").status_code == 302
    # A resident who forges an address of their own still arrives with the one the proxy saw.
    limited = send("203.0.113.66, 192.0.2.10", "Nog één bericht")
    neighbour = send("198.51.100.7", "Ik zag het ook, groetjes van José")

    assert limited.status_code == 429
    assert neighbour.status_code == 302
