"""The request id of the work in progress, for log lines: a context variable, standard library only.

Web requests set it (webcare.ops.logs); intake keeps it with each message taken in; the worker sets it
again while it handles that message, so one id follows a message from the request to the worker's lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

_request_id: ContextVar[str | None] = ContextVar("webcare_request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(request_id: str | None) -> Token:
    return _request_id.set(request_id)


def reset_request_id(token: Token) -> None:
    _request_id.reset(token)


@contextmanager
def request_id_context(request_id: str | None) -> Iterator[None]:
    """Log lines inside carry `request_id` (the worker uses it for the message it handles)."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)
