"""The channel admin: who may open it, adding an account, secrets shown by name only, connection test, deliveries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.channels.helpers import our_account, post_meta
from tests.channels.test_meta_webhooks import PAGE_ID, whatsapp_delivery, whatsapp_text
from webcare.accounts.models import Account, Channel
from webcare.auth.models import Role
from webcare.channels.models import ChannelSettings
from webcare.extensions import db


@pytest.fixture
def page_account(app):
    return our_account(Channel.FACEBOOK, "gemeentelindeburg", PAGE_ID)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("path", ["/admin/channels", "/admin/channels/{account_id}"])
def test_only_admins_may_open_the_channel_admin(client, make_user, auth, page_account, role, path):
    auth.login_as(make_user(role))

    response = client.get(path.format(account_id=page_account.id))

    assert response.status_code == (200 if role == Role.ADMIN else 403)


def test_anonymous_visitors_are_sent_to_the_login_page(client, page_account):
    response = client.get("/admin/channels")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_admin_adds_an_account_with_its_settings(client, make_user, auth, csrf_from):
    auth.login_as(make_user(Role.ADMIN))
    token = csrf_from(client.get("/admin/channels").get_data(as_text=True))

    response = client.post(
        "/admin/channels",
        data={
            "csrf_token": token,
            "channel": "whatsapp",
            "handle": "lindeburg-whatsapp",
            "name": "WhatsApp Lindeburg",
            "platform_id": "106540352242922",
            "whatsapp_template": "reactie_gemeente",
        },
    )

    account = db.session.scalar(select(Account).where(Account.handle == "lindeburg-whatsapp"))
    assert response.status_code == 302
    settings = db.session.get(ChannelSettings, account.id)
    assert settings.platform_id == "106540352242922"
    assert settings.options["whatsapp_template"] == "reactie_gemeente"


def test_adding_an_account_twice_is_explained(client, make_user, auth, csrf_from, page_account):
    auth.login_as(make_user(Role.ADMIN))
    token = csrf_from(client.get("/admin/channels").get_data(as_text=True))

    response = client.post(
        "/admin/channels",
        data={"csrf_token": token, "channel": "facebook", "handle": "gemeentelindeburg", "name": "Dubbel"},
    )

    assert response.status_code == 422
    assert "heeft al een account met deze gebruikersnaam" in response.get_data(as_text=True)


def test_the_account_page_names_the_secret_variables_but_never_shows_a_value(
    app, client, make_user, auth, page_account
):
    app.config["WEBCARE_CHANNEL_FACEBOOK_GEMEENTELINDEBURG_ACCESS_TOKEN"] = "EAAG-zeer-geheim"
    auth.login_as(make_user(Role.ADMIN))

    page = client.get(f"/admin/channels/{page_account.id}").get_data(as_text=True)

    assert "WEBCARE_CHANNEL_FACEBOOK_GEMEENTELINDEBURG_ACCESS_TOKEN" in page
    assert "WEBCARE_META_APP_SECRET" in page
    assert "EAAG-zeer-geheim" not in page


def test_the_connection_test_calls_the_platform(
    app, client, make_user, auth, csrf_from, page_account, secrets, platform
):
    app.config["WEBCARE_CHANNEL_FACEBOOK_GEMEENTELINDEBURG_ACCESS_TOKEN"] = "EAAG-token"
    platform.answer(200, {"id": PAGE_ID, "name": "Gemeente Lindeburg"})
    auth.login_as(make_user(Role.ADMIN))
    token = csrf_from(client.get(f"/admin/channels/{page_account.id}").get_data(as_text=True))

    response = client.post(f"/admin/channels/{page_account.id}/test", data={"csrf_token": token})

    assert response.status_code == 200
    assert "Gemeente Lindeburg" in response.get_data(as_text=True)
    assert platform.requests[-1].path == f"/v21.0/{PAGE_ID}?fields=id,name"


def test_saving_settings_changes_the_platform_id(client, make_user, auth, csrf_from, page_account):
    auth.login_as(make_user(Role.ADMIN))
    token = csrf_from(client.get(f"/admin/channels/{page_account.id}").get_data(as_text=True))

    client.post(
        f"/admin/channels/{page_account.id}",
        data={"csrf_token": token, "name": "Gemeente Lindeburg", "platform_id": "104857600000099"},
    )

    assert db.session.get(ChannelSettings, page_account.id).platform_id == "104857600000099"


def test_the_delivery_log_shows_refusals_and_counts(client, make_user, auth, secrets):
    post_meta(client, whatsapp_delivery(whatsapp_text("wamid.a", "Vraag één")))
    post_meta(client, whatsapp_delivery(whatsapp_text("wamid.b", "Geheime tekst")), signature="sha256=00")
    auth.login_as(make_user(Role.ADMIN))

    page = client.get("/admin/channels").get_data(as_text=True)

    assert "ongeldige handtekening" in page and "geaccepteerd" in page
    assert "Geheime tekst" not in page
