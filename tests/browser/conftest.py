"""Browser fixtures: the real `webcare serve` on a seeded SQLite database, headless Chromium, axe-core.

One server and one browser serve the whole browser session; each test gets a fresh browser context
(no cookies), so tests stay independent without paying for a new server.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import message_line
from webcare.timeutil import UTC

CHROMIUM = Path(os.environ.get("WEBCARE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("WEBCARE_REQUIRE_BROWSER") == "1"
AXE_PATH = "/static/vendor/axe-4.11.0.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORT = {"width": 1280, "height": 800}

AGENT_EMAIL = "sanne@lindeburg.example"
AGENT_NAME = "Sanne de Vries"
AGENT_PASSWORD = "browser-test-wachtwoord"
SEED_BASE = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
PAGED_X_CASES = 55
XSS_TEXT = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def _webcare_command() -> str:
    beside_python = Path(sys.executable).with_name("webcare")
    found = str(beside_python) if beside_python.exists() else shutil.which("webcare")
    if found is None:
        pytest.fail("the `webcare` console script is not installed (pip install -e '.[test]')")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed_records() -> list[dict]:
    """The data the browser tests rely on: > 50 active cases, threads both ways, several channels."""
    records = [
        message_line(
            f"x-{number}",
            minutes=number,
            base=SEED_BASE,
            text=f"Vraag {number} over de afvalkalender in mijn wijk",
            author={"id": f"x-user-{number}", "handle": f"bewoner{number}", "name": f"Bewoner {number}"},
        )
        for number in range(1, PAGED_X_CASES + 1)
    ]
    resident = {"id": "fb-1", "handle": "fatima.elamrani", "name": "Fatima El Amrani", "followers": 312}
    records += [
        message_line(
            "fb-q",
            minutes=-60,
            base=SEED_BASE,
            channel="facebook",
            text="Wanneer wordt de kapotte lantaarnpaal in de Lindelaan gerepareerd?",
            author=resident,
            conversation_id="fb-thread-1",
        ),
        message_line(
            "fb-a",
            minutes=-40,
            base=SEED_BASE,
            channel="facebook",
            direction="outbound",
            text="Dank voor uw melding. We hebben de aannemer gevraagd de lamp deze week te vervangen.",
            author={"id": "gemeente", "handle": "gemeentelindeburg", "name": "Gemeente Lindeburg"},
            in_reply_to="fb-q",
            conversation_id="fb-thread-1",
        ),
        message_line(
            "fb-q2",
            minutes=-20,
            base=SEED_BASE,
            channel="facebook",
            text="Fijn, dank u wel! Krijg ik bericht als het klaar is?",
            author=resident,
            in_reply_to="fb-a",
            conversation_id="fb-thread-1",
        ),
    ]
    whatsapp_resident = {"id": "+31611111111", "handle": "+31611111111", "name": "Kees Smit"}
    records += [
        message_line(
            "wa-q",
            minutes=-90,
            base=SEED_BASE,
            channel="whatsapp",
            account="+31600000123",
            is_public=False,
            text="Mag ik mijn grofvuil op zaterdag buiten zetten?",
            author=whatsapp_resident,
        ),
        message_line(
            "wa-a",
            minutes=-80,
            base=SEED_BASE,
            channel="whatsapp",
            account="+31600000123",
            is_public=False,
            direction="outbound",
            text="Nee, alleen op de ophaaldag vóór 7.30 uur. Een afspraak maakt u op lindeburg.example/grofvuil.",
            author={"id": "gemeente", "handle": "gemeente", "name": "Gemeente Lindeburg"},
            in_reply_to="wa-q",
        ),
        message_line(
            "mail-1",
            minutes=-120,
            base=SEED_BASE,
            channel="email",
            account="info@lindeburg.example",
            is_public=False,
            text="Graag een kopie van mijn vergunning voor de dakkapel.",
            author={"id": "j.devries@example.nl", "handle": "j.devries@example.nl", "name": "Jan de Vries"},
        ),
        message_line(
            "form-xss",
            minutes=-30,
            base=SEED_BASE,
            channel="webform",
            account="contact",
            is_public=False,
            text=XSS_TEXT,
            author={"id": "form-1", "handle": "<b>onbekend</b>", "name": "Test <i>Tester</i>"},
        ),
    ]
    return records


@dataclass
class LiveServer:
    """A running `webcare serve` with its environment, so tests can call the CLI and the API too."""

    url: str
    env: dict[str, str]
    api_token: str
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def cli(self, *args: str, input: str | None = None) -> str:
        result = subprocess.run(
            [_webcare_command(), *args], env=self.env, input=input, capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise AssertionError(f"webcare {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result.stdout

    def post_messages(self, records: list[dict] | dict) -> dict:
        """Queue messages through the JSON API, as a connector would."""
        request = urllib.request.Request(
            f"{self.url}/api/v1/messages",
            data=json.dumps(records).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.api_token}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 202, response.status
            return json.load(response)

    def server_log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def _seed(env: dict[str, str]) -> str:
    """Users, a token and the seed messages, threaded by a drained worker; in-process to save start-ups."""
    from webcare.app import create_app
    from webcare.auth.models import Role
    from webcare.auth.services import create_api_token, create_user
    from webcare.demo import ensure_demo_accounts
    from webcare.extensions import db
    from webcare.intake.services import import_jsonl
    from webcare.worker import run_worker

    previous = os.environ.get("WEBCARE_INSTANCE_PATH")
    os.environ["WEBCARE_INSTANCE_PATH"] = env["WEBCARE_INSTANCE_PATH"]
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": env["WEBCARE_DATABASE_URL"]})
    finally:
        if previous is None:
            os.environ.pop("WEBCARE_INSTANCE_PATH")
        else:
            os.environ["WEBCARE_INSTANCE_PATH"] = previous
    with app.app_context():
        create_user(AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD, {Role.AGENT})
        token = create_api_token("browser-tests")
        ensure_demo_accounts()
        lines = "".join(json.dumps(record) + "\n" for record in seed_records()).encode()
        summary = import_jsonl(io.BytesIO(lines), source="browser-tests")
        assert summary.rejected == 0, summary
        totals = run_worker(app, drain=True)
        assert totals.failed == 0, totals
        db.session.remove()
        db.engine.dispose()
    return token


def _wait_until_serving(server: LiveServer, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"`webcare serve` exited with {server.process.returncode}:\n{server.server_log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"`webcare serve` did not answer on {server.url} within {timeout:.0f} s:\n{server.server_log()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """`webcare serve` (web + worker + scheduler) on a free port, on a migrated and seeded SQLite database."""
    folder = tmp_path_factory.mktemp("live-server")
    env = {
        **os.environ,
        "WEBCARE_INSTANCE_PATH": str(folder / "instance"),
        "WEBCARE_DATABASE_URL": f"sqlite:///{folder / 'webcare.sqlite'}",
        "WEBCARE_SECRET_KEY": "browser-tests-only",
        "WEBCARE_LOG_LEVEL": "WARNING",
        "WEBCARE_DEMO_TRICKLE_SECONDS": "0",
    }
    env.pop("FLASK_APP", None)
    port = _free_port()
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, api_token="", log_path=folder / "server.log")

    server.cli("db", "upgrade")
    server.api_token = _seed(env)

    with server.log_path.open("wb") as log:
        server.process = subprocess.Popen(
            [_webcare_command(), "serve", "--port", str(port), "--threads", "4"],
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
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the Debian package; skips without it unless WEBCARE_REQUIRE_BROWSER=1."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"no Chromium at {CHROMIUM} (install the Debian package: apt-get install -y chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            problem = "the playwright package is not installed (pip install -e '.[test]')"
    if problem:
        if REQUIRE_BROWSER:
            pytest.fail(f"WEBCARE_REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(f"browser tests skipped: {problem}")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@contextmanager
def _open_page(browser, live_server, storage_state=None) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="nl-NL", storage_state=storage_state
    )
    context.set_default_timeout(5000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not page.console_errors, "the browser reported errors:\n" + "\n".join(page.console_errors)


@pytest.fixture
def page(browser, live_server):
    """A fresh page (own cookies) with the server's URL as base; any browser console error fails the test.

    A test that provokes an error on purpose (a 401 from a wrong password) clears `page.console_errors`.
    """
    with _open_page(browser, live_server) as page:
        yield page


def log_in(page, email: str = AGENT_EMAIL, password: str = AGENT_PASSWORD) -> None:
    """Log in through the form, as a person would (works in Dutch and in English)."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/inbox**")


@pytest.fixture(scope="session")
def agent_session(browser, live_server) -> dict:
    """The cookies of one login through the form, reused so each test need not log in again."""
    with _open_page(browser, live_server) as page:
        log_in(page)
        return page.context.storage_state()


@pytest.fixture
def agent_page(browser, live_server, agent_session):
    """A fresh page logged in as the agent, on the (Dutch) inbox."""
    with _open_page(browser, live_server, storage_state=agent_session) as page:
        page.goto("/inbox")
        yield page


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            first_fix = (node["failureSummary"].splitlines()[1:] or [""])[0].strip()
            lines.append(f"    at {', '.join(map(str, node['target']))}: {first_fix}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


def axe_violations(page) -> list[dict]:
    """Run axe-core (served by the app itself, so the CSP allows it) on the current page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        page.add_script_tag(url=origin + AXE_PATH)
        page.wait_for_function("() => typeof window.axe === 'object'")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return result["violations"]


def assert_accessible(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Fail with a readable list when axe-core finds serious or critical WCAG 2.1 A/AA violations."""
    violations = axe_violations(page)
    blocking = [violation for violation in violations if violation["impact"] in impacts]
    if blocking:
        raise AssertionError(f"axe-core found {len(blocking)} WCAG problem(s) on {page.url}:\n{_describe(blocking)}")
