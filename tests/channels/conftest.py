"""Fixtures for the connectors: known secrets, a recording local platform API, an SMTP server, an IMAP double."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.channels.imap_double import ImapDouble

META_APP_SECRET = "meta-app-secret-for-tests"
META_VERIFY_TOKEN = "lindeburg-verify-token"
X_CONSUMER_SECRET = "x-consumer-secret-for-tests"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class PlatformDouble:
    """A local HTTP server standing in for a platform API: answers from a queue, records every request."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    answers: deque = field(default_factory=deque)

    def answer(self, status: int = 200, body: object = None, headers: dict[str, str] | None = None) -> None:
        self.answers.append((status, body if body is not None else {}, headers or {}))


@pytest.fixture
def platform():
    double: PlatformDouble

    class Handler(BaseHTTPRequestHandler):
        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            double.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
            status, payload, headers = double.answers.popleft() if double.answers else (200, {}, {})
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _handle

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    double = PlatformDouble(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield double
    server.shutdown()
    server.server_close()


@pytest.fixture
def secrets(app, platform):
    """Known app secrets and API base URLs pointing at the local platform double."""
    app.config.update(
        WEBCARE_META_APP_SECRET=META_APP_SECRET,
        WEBCARE_META_VERIFY_TOKEN=META_VERIFY_TOKEN,
        WEBCARE_X_CONSUMER_SECRET=X_CONSUMER_SECRET,
        WEBCARE_META_GRAPH_URL=platform.url + "/v21.0",
        WEBCARE_X_API_URL=platform.url,
    )
    return app.config


@pytest.fixture
def imap_server():
    server = ImapDouble(username="webcare@lindeburg.nl", password="imap-wachtwoord")
    server.start()
    yield server
    server.stop()
