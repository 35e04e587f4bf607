"""A signed webhook delivery through a real HTTP server (werkzeug) and socket, not the test client."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.channels.helpers import meta_body, meta_signature
from tests.channels.test_meta_webhooks import whatsapp_delivery, whatsapp_text
from webcare.extensions import db
from webcare.inbox.models import Message


@pytest.fixture
def live_url(app, secrets):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_signed_delivery_over_a_real_socket_is_taken_in_and_a_forged_one_refused(live_url):
    body = meta_body(whatsapp_delivery(whatsapp_text("wamid.live1", "Is het gemeentehuis open op Koningsdag? 🇳🇱")))

    def post(signature: str) -> int:
        request = urllib.request.Request(
            f"{live_url}/webhooks/meta",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    assert post(meta_signature(body, "vervalst")) == 403
    assert post(meta_signature(body)) == 200

    db.session.expire_all()
    assert db.session.scalar(select(Message.text)) == "Is het gemeentehuis open op Koningsdag? 🇳🇱"
