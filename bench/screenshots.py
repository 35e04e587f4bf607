"""Screenshots of the main pages for docs/ui.md and the README, of the demo municipality, 1280x800.

Login, inbox and a case page as an agent; the approval queue, roster week, coverage heatmap, mandate
matrix and protocol page as a team lead; the reports page as a manager; channel admin as an admin.

    .venv/bin/python bench/screenshots.py [--out docs/screenshots] [--locale nl|en]

Runs the real thing: a scratch SQLite database, `webcare db upgrade`, `webcare demo`, `webcare serve` on
a free port, and headless Chromium (the Debian package) driven by Playwright, as the browser tests do.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
WEBCARE = str(Path(sys.executable).with_name("webcare"))
CHROMIUM = os.environ.get("WEBCARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
DEMO_LOGIN = ("sanne@lindeburg.example", "Welkom-sanne-2026")
LEAD_LOGIN = ("joost@lindeburg.example", "Welkom-joost-2026")
MANAGER_LOGIN = ("els@lindeburg.example", "Welkom-els-2026")
ADMIN_LOGIN = ("beheer@lindeburg.example", "Welkom-beheer-2026")
# (login, path, file name, how to get from the path's page to the one to shoot, or None)
ROLE_PAGES = (
    (LEAD_LOGIN, "/approvals", "approvals.png", None),
    (LEAD_LOGIN, "/roster/", "roster-week.png", None),
    (LEAD_LOGIN, "/roster/", "roster-coverage.png", "a[href$='/coverage']"),
    (LEAD_LOGIN, "/mandates", "mandates.png", None),
    (LEAD_LOGIN, "/protocol/", "protocol.png", None),
    (MANAGER_LOGIN, "/reports", "reports.png", None),
    (ADMIN_LOGIN, "/admin/channels", "channels.png", None),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"`webcare serve` exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise SystemExit(f"`webcare serve` did not answer on {url} within {timeout:.0f} s")


def _filled_login_form(browser, url: str, locale: str, login: tuple[str, str]):
    """A new browser context on the login page in `locale`, the form filled in but not sent."""
    page = browser.new_context(base_url=url, viewport=VIEWPORT, device_scale_factor=1).new_page()
    page.goto("/login")
    if locale != "nl":
        page.locator(f"button[name=locale][value={locale}]").click()
    page.locator("input[name=email]").fill(login[0])
    page.locator("input[name=password]").fill(login[1])
    return page


def _logged_in(browser, url: str, locale: str, login: tuple[str, str]):
    page = _filled_login_form(browser, url, locale, login)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda address: "/login" not in address)
    return page


def _shoot(url: str, out: Path, locale: str) -> list[Path]:
    saved = []
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = _filled_login_form(browser, url, locale, DEMO_LOGIN)
        page.locator("input[name=password]").blur()
        saved.append(out / "login.png")
        page.screenshot(path=saved[-1])

        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/inbox**")
        saved.append(out / "inbox.png")
        page.screenshot(path=saved[-1])

        # A case that shows a conversation both ways: several messages from the resident and our reply.
        page.goto("/inbox?status=all")
        rows = page.locator("#case-rows tr")
        chosen = None
        for index in range(rows.count()):
            inbound, outbound = (int(n) for n in rows.nth(index).locator("td").last.inner_text().split("/"))
            if inbound >= 2 and outbound >= 1:
                chosen = rows.nth(index).locator("a").first
                break
        (chosen or rows.first.locator("a").first).click()
        page.wait_for_url("**/cases/**")
        saved.append(out / "case.png")
        page.screenshot(path=saved[-1])

        for login, path, name, link in ROLE_PAGES:
            page = _logged_in(browser, url, locale, login)
            page.goto(path)
            if link is not None:
                page.locator(link).first.click()
                page.wait_for_load_state()
            saved.append(out / name)
            page.screenshot(path=saved[-1])
            page.context.close()
    finally:
        browser.close()
        playwright.stop()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--locale", choices=("nl", "en"), default="nl")
    parser.add_argument("--weeks", type=int, default=2, help="weeks of demo history to load")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="webcare-screenshots-") as scratch:
        env = {
            **os.environ,
            "WEBCARE_INSTANCE_PATH": str(Path(scratch) / "instance"),
            "WEBCARE_DATABASE_URL": f"sqlite:///{Path(scratch) / 'webcare.sqlite'}",
            "WEBCARE_SECRET_KEY": "screenshots-only",
            "WEBCARE_LOG_LEVEL": "WARNING",
            "WEBCARE_DEMO_TRICKLE_SECONDS": "0",
        }
        subprocess.run([WEBCARE, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([WEBCARE, "demo", "--weeks", str(args.weeks)], env=env, check=True, capture_output=True)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with open(Path(scratch) / "server.log", "wb") as log:
            server = subprocess.Popen(
                [WEBCARE, "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_serving(url, server)
            for path in _shoot(url, args.out, args.locale):
                print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=15)


if __name__ == "__main__":
    main()
