"""One line per event: readable text by default, JSON with WEBCARE_LOG_FORMAT=json; each with its request id.

The request id comes from the X-Request-ID header (a proxy's or load balancer's) or is made here; it is
kept with each message taken in, so the worker can name it again while it handles that message
(`webcare.logcontext.request_id_context(message.request_id)`). Lines hold ids, counts and reasons,
never a resident's text, a password or a token: callers log those by id.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request

from webcare.logcontext import current_request_id, reset_request_id, set_request_id

_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# APScheduler says these at INFO for every job at start and on every run; they are ours to quieten.
_CHATTY = ("Adding job tentatively", "Added job", "Running job", "executed successfully", "Scheduler started")

log = logging.getLogger("webcare.requests")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class _QuietScheduler(logging.Filter):
    """APScheduler's routine INFO lines become DEBUG lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and any(phrase in record.getMessage() for phrase in _CHATTY):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for field in ("method", "endpoint", "status", "duration_ms"):
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(*, log_format: str | None = None, level: str | None = None, stream=None) -> logging.Handler:
    """The root logger writes to stderr (systemd's journal) in the chosen format; returns the handler."""
    log_format = (log_format or os.environ.get("WEBCARE_LOG_FORMAT") or "text").lower()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    for previous in [h for h in root.handlers if getattr(h, "webcare", False)]:
        root.removeHandler(previous)
    handler.webcare = True
    root.addHandler(handler)
    root.setLevel(level or os.environ.get("WEBCARE_LOG_LEVEL", "INFO"))
    # Authlib writes the PKCE code verifier at DEBUG; it stays out of the log at every level.
    logging.getLogger("authlib").setLevel(max(root.level, logging.INFO))
    for name in ("apscheduler.scheduler", "apscheduler.executors.default"):
        scheduler_log = logging.getLogger(name)
        if not any(isinstance(f, _QuietScheduler) for f in scheduler_log.filters):
            scheduler_log.addFilter(_QuietScheduler())
    return handler


def install_request_ids(app: Flask) -> None:
    """Every request gets an id (X-Request-ID when acceptable), answers with it and logs one line at its end."""

    @app.before_request
    def take_request_id():
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _ACCEPTABLE_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_id_token = set_request_id(request_id)
        g.request_id_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        request_id = current_request_id()
        if request_id is None or "request_id_started" not in g:
            return response
        response.headers["X-Request-ID"] = request_id
        endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
        duration_ms = round((time.perf_counter() - g.pop("request_id_started")) * 1000, 1)
        # The rule, not the path: paths can hold feed tokens; the query string can hold anything.
        rule = request.url_rule.rule if request.url_rule is not None else "-"
        log.info(
            "%s %s %s %.1f ms",
            request.method,
            rule,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "endpoint": endpoint,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response

    @app.teardown_request
    def forget_request_id(error):
        token = g.pop("request_id_token", None)
        if token is not None:
            reset_request_id(token)
