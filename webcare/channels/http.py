"""Calls to platform APIs over HTTP (urllib, stdlib), with timeouts and platform refusals turned into SendFailed."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from webcare.channels.base import SendFailed
from webcare.timeutil import utcnow

TIMEOUT_SECONDS = 15
USER_AGENT = "Webcare/0.1 (+https://github.com/webcare)"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise SendFailed(
                _l("the platform answered %(status)s with something that is not JSON", status=self.status)
            ) from None


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (a number of seconds or an HTTP date); None when absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def rate_limit_reset_seconds(value: str | None) -> float | None:
    """Seconds until an `x-rate-limit-reset` moment (Unix seconds, as X sends it); None when absent."""
    if not value or not value.strip().isdigit():
        return None
    return max(0.0, float(value.strip()) - utcnow().timestamp())


def _platform_error(body: bytes) -> str:
    """The platform's own words for an error: Graph's error.message, X's detail/title, or the start of the body."""
    try:
        data = json.loads(body)
    except ValueError:
        return body[:300].decode("utf-8", "replace")
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            code = error.get("code")
            return f"{error.get('message', '')} (code {code})" if code is not None else str(error.get("message", ""))
        if isinstance(data.get("errors"), list) and data["errors"]:
            first = data["errors"][0]
            if isinstance(first, dict):
                return str(first.get("message") or first.get("detail") or first.get("title") or first)
        for key in ("detail", "title", "message"):
            if key in data:
                return str(data[key])
    return body[:300].decode("utf-8", "replace")


def request(
    method: str,
    url: str,
    *,
    token: str | None = None,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
    is_transient: Callable[[int, bytes], bool] | None = None,
) -> Response:
    """One HTTP call. 2xx → Response; 429/5xx/timeouts → SendFailed to retry; other 4xx → permanent.

    The wait the platform asks for is honoured: Retry-After, else X's x-rate-limit-reset. `is_transient`
    lets a platform mark more refusals as worth retrying (Meta answers its rate limits with 400 and a code).
    """
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    data = None
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    call = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(call, timeout=timeout) as answer:
            return Response(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        reason = f"{urllib.parse.urlsplit(url).netloc} answered {error.code}: {_platform_error(body)}"
        retry = error.code in (408, 429) or error.code >= 500
        if retry or (is_transient is not None and is_transient(error.code, body)):
            wait = retry_after_seconds(error.headers.get("Retry-After"))
            if wait is None:
                wait = rate_limit_reset_seconds(error.headers.get("x-rate-limit-reset"))
            raise SendFailed(reason, retry_after_seconds=wait) from None
        raise SendFailed(reason, is_permanent=True) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SendFailed(
            _l("%(host)s could not be reached: %(reason)s", host=urllib.parse.urlsplit(url).netloc, reason=reason)
        ) from None


def configured(name: str, default: str) -> str:
    """A base URL or option from the app's config or the environment (tests point base URLs at local servers)."""
    import os

    from flask import current_app

    value = current_app.config.get(name) or os.environ.get(name) or default
    return str(value).rstrip("/")
