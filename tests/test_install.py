"""The package as an operator installs it: a wheel with every resource, and a fresh virtualenv that serves."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(folder), str(PROJECT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    return next(folder.glob("webcare-*.whl"))


def test_the_wheel_carries_templates_static_files_protocols_translations_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in [
        "config.py",
        "webcare/templates/base.html",
        "webcare/static/vendor/htmx-2.0.11.min.js",
        "webcare/migrations/env.py",
        "webcare/migrations/alembic.ini",
        "webcare/protocols/gemeente.yaml",
        "webcare/examples/lindeburg-roster.yaml",
        "webcare/translations/nl/LC_MESSAGES/messages.mo",
    ]:
        assert required in names, required
    assert any(name.startswith("webcare/migrations/versions/") for name in names)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def _wait_for(url: str, server: subprocess.Popen, deadline_seconds: float = 120) -> None:
    """Poll until the server answers (it compiles the protocol first); fail early if it exits."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"webcare serve exited with {server.returncode}: {server.stderr.read()}")
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"webcare serve did not answer at {url}")


@pytest.mark.slow
def test_a_fresh_virtualenv_with_the_wheel_migrates_and_serves_the_login_page_without_test_tools(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = subprocess.run([str(venv / "bin/pip"), "install", "--quiet", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "WEBCARE_INSTANCE_PATH": str(tmp_path / "instance"),
        "WEBCARE_LOG_LEVEL": "WARNING",
    }
    upgrade = subprocess.run(
        [str(venv / "bin/webcare"), "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert upgrade.returncode == 0, upgrade.stderr
    port = _free_port()
    server = subprocess.Popen(
        [str(venv / "bin/webcare"), "serve", "--port", str(port), "--threads", "2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", server)
        status, page = _get(f"http://127.0.0.1:{port}/login")
        stylesheet_status, _css = _get(f"http://127.0.0.1:{port}/static/webcare.css")
        ready_status, ready = _get(f"http://127.0.0.1:{port}/readyz")
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert status == 200 and "Inloggen" in page and 'name="csrf_token"' in page
    assert stylesheet_status == 200
    assert ready_status == 200 and json.loads(ready) == {
        "ready": True,
        "checks": {"database": "ok", "migrations": "ok"},
    }
    installed = subprocess.run(
        [str(venv / "bin/pip"), "list", "--format=freeze"], capture_output=True, text=True
    ).stdout.lower()
    assert "flask==" in installed
    assert "pytest" not in installed and "playwright" not in installed


def test_make_run_installs_the_runtime_dependencies_and_make_test_adds_the_test_extra(tmp_path):
    def dry_run(target: str) -> str:
        result = subprocess.run(
            ["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=PROJECT, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run, test = dry_run("run"), dry_run("test")

    assert "pip install --quiet -e .\n" in run and "[test]" not in run
    assert "pip install --quiet -e '.[test]'" in test and "pytest" in test
