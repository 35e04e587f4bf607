"""Signing and posting webhook deliveries the way the platforms do; draining the intake queue."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

from tests.channels.conftest import META_APP_SECRET, X_CONSUMER_SECRET
from webcare.accounts.models import Account, Channel
from webcare.channels.models import ChannelSettings
from webcare.extensions import db
from webcare.intake.queue import claim_batch
from webcare.worker import process_claim


def meta_body(payload: dict) -> bytes:
    """Meta's raw body: compact JSON with non-ASCII escaped as \\uXXXX (json.dumps' default)."""
    return json.dumps(payload, separators=(",", ":")).encode("ascii")


def meta_signature(body: bytes, secret: str = META_APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_meta(client, payload: dict | bytes, *, signature: str | None = "auto"):
    body = payload if isinstance(payload, bytes) else meta_body(payload)
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        headers["X-Hub-Signature-256"] = meta_signature(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post("/webhooks/meta", data=body, headers=headers)


def x_signature(body: bytes, secret: str = X_CONSUMER_SECRET) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def post_x(client, payload: dict, *, signature: str | None = "auto"):
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        headers["x-twitter-webhooks-signature"] = x_signature(body)
    elif signature is not None:
        headers["x-twitter-webhooks-signature"] = signature
    return client.post("/webhooks/x", data=body, headers=headers)


def our_account(channel: Channel, handle: str, platform_id: str | None = None, **options) -> Account:
    account = Account(channel=channel, handle=handle, name=handle.title())
    db.session.add(account)
    db.session.flush()
    db.session.add(ChannelSettings(account_id=account.id, platform_id=platform_id, options=options))
    db.session.commit()
    return account


def process_queue() -> None:
    while (claim := claim_batch(size=200, lease=timedelta(minutes=2))) is not None:
        process_claim(claim, quiet_period=timedelta(hours=72))
