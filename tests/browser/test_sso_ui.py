"""Single sign-on in a real browser: the button on the login page, the provider's consent page, back in the inbox."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator

import oidc_provider_mock
import pytest
from playwright.sync_api import expect

from tests.auth.conftest import CLIENT_ID, ROLE_GROUPS, set_person
from tests.browser.conftest import (
    LiveServer,
    _free_port,
    _open_page,
    _wait_until_serving,
    _webcare_command,
    assert_accessible,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the local provider speaks plain HTTP
    try:
        with oidc_provider_mock.run_server_in_thread() as server:
            yield f"http://localhost:{server.server_port}"
    finally:
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)


@pytest.fixture(scope="module")
def sso_server(provider, tmp_path_factory) -> Iterator[LiveServer]:
    """`webcare serve` on an empty database, signed up with the local provider; nobody has an account yet."""
    folder = tmp_path_factory.mktemp("sso-server")
    env = {
        **os.environ,
        "WEBCARE_INSTANCE_PATH": str(folder / "instance"),
        "WEBCARE_DATABASE_URL": f"sqlite:///{folder / 'webcare.sqlite'}",
        "WEBCARE_SECRET_KEY": "browser-tests-only",
        "WEBCARE_LOG_LEVEL": "WARNING",
        "WEBCARE_OIDC_ISSUER": provider,
        "WEBCARE_OIDC_CLIENT_ID": CLIENT_ID,
        "WEBCARE_OIDC_CLIENT_SECRET": "client-secret",
        "WEBCARE_OIDC_ROLE_GROUPS": ROLE_GROUPS,
        "WEBCARE_LOCAL_LOGIN": "admin-only",
    }
    env.pop("FLASK_APP", None)
    port = _free_port()
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, api_token="", log_path=folder / "server.log")
    server.cli("db", "upgrade")
    with server.log_path.open("wb") as log:
        server.process = subprocess.Popen(
            [_webcare_command(), "serve", "--port", str(port), "--threads", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_serving(server)
        yield server
    finally:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=10)


def test_a_member_of_the_agents_group_signs_in_with_the_button_and_lands_in_the_inbox(browser, sso_server, provider):
    set_person(provider, "noor-sub", email="noor@lindeburg.example", name="Noor Bakker", groups=["webcare-agents"])
    with _open_page(browser, sso_server) as page:
        page.goto("/inbox")
        expect(
            page.get_by_text("Inloggen met een wachtwoord is alleen voor de noodtoegang van de beheerder.")
        ).to_be_visible()
        assert_accessible(page)

        page.get_by_role("link", name="Inloggen met uw organisatieaccount").click()
        page.wait_for_url(f"{provider}/oauth2/authorize**")
        page.locator("input[name=sub]").fill("noor-sub")
        page.get_by_role("button", name="Authorize").click()

        page.wait_for_url(f"{sso_server.url}/inbox**")
        page.console_errors.clear()  # the provider's page asks the internet for its stylesheet; ours must not err
        page.reload()
        expect(page.get_by_text("Noor Bakker").first).to_be_visible()


def test_a_person_in_no_webcare_group_is_told_so_in_dutch(browser, sso_server, provider):
    set_person(provider, "piet-sub", email="piet@lindeburg.example", name="Piet", groups=["burgerzaken"])
    with _open_page(browser, sso_server) as page:
        page.goto("/login")
        page.get_by_role("link", name="Inloggen met uw organisatieaccount").click()
        page.locator("input[name=sub]").fill("piet-sub")
        page.get_by_role("button", name="Authorize").click()

        expect(page.get_by_text("Uw account heeft geen toegang tot Webcare")).to_be_visible()
        page.console_errors.clear()  # the 403 answer is on purpose
        assert page.url.startswith(f"{sso_server.url}/login/sso/callback")
