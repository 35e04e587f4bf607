"""A real OpenID Connect provider on a local port (oidc-provider-mock), and the app signed up with it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import oidc_provider_mock
import pytest

from webcare.auth.oidc import init_oidc

CLIENT_ID = "webcare"
ROLE_GROUPS = "agent=webcare-agents,lead=webcare-leads,admin=webcare-admins"


@pytest.fixture
def insecure_transport(monkeypatch):
    # The local provider speaks plain HTTP; Authlib refuses that unless told it is a test.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def provider(insecure_transport) -> str:
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def sign_up(app, issuer: str) -> None:
    app.config.update(
        WEBCARE_OIDC_ISSUER=issuer,
        WEBCARE_OIDC_CLIENT_ID=CLIENT_ID,
        WEBCARE_OIDC_CLIENT_SECRET="client-secret",
        WEBCARE_OIDC_ROLE_GROUPS=ROLE_GROUPS,
    )
    init_oidc(app)


@pytest.fixture
def sso(app, provider) -> str:
    sign_up(app, provider)
    return provider


def set_person(issuer: str, sub: str, **claims) -> None:
    response = httpx.put(f"{issuer}/users/{quote(sub)}", json=claims)
    assert response.status_code == 204


class Flow:
    """One sign-in: our redirect to the provider, the person's consent there, the way back to us."""

    def __init__(self, client):
        self.client = client

    def to_provider(self):
        start = self.client.get("/login/sso")
        assert start.status_code == 302, start.status_code
        return start.headers["Location"]

    def consent(self, authorize_url: str, sub: str) -> str:
        answer = httpx.post(authorize_url, data={"sub": sub}, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        back = urlsplit(answer.headers["location"])
        return f"{back.path}?{back.query}"

    def back(self, callback: str):
        return self.client.get(callback)

    def sign_in(self, sub: str):
        return self.back(self.consent(self.to_provider(), sub))


@pytest.fixture
def flow(client) -> Flow:
    return Flow(client)


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def expiring_provider(insecure_transport) -> str:
    """A provider whose ID tokens expired ten minutes before they were issued."""
    with oidc_provider_mock.run_server_in_thread(access_token_max_age=timedelta(minutes=-10)) as server:
        yield f"http://localhost:{server.server_port}"
