"""Webhook signatures: HMAC-SHA256 over the raw request body, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac

from webcare.channels.base import SignatureError


class SignatureMissing(SignatureError):
    """The delivery carries no signature at all (answered 401; a wrong one is answered 403)."""


def hex_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def base64_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def header(headers, name: str) -> str | None:
    """A header's value, case-insensitively, from any mapping of headers."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def check(given: str | None, expected: str) -> None:
    """Raise SignatureMissing or SignatureError unless `given` equals `expected` (constant time)."""
    if not given:
        raise SignatureMissing("the delivery has no signature")
    if not hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8")):
        raise SignatureError("the signature does not match the body")
