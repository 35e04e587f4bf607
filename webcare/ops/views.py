"""/healthz, /readyz and /metrics for the operator's load balancer and monitoring; no log-in, no session."""

from __future__ import annotations

import hmac
import time
from datetime import timedelta

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request

from webcare.ops import health
from webcare.ops.metrics import exposition, observe_request

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is asked (a restart would not help with the rest)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """This web process can serve: the database answers and its schema is at the newest migration."""
    readiness = health.web_readiness()
    return jsonify(readiness.as_json()), 200 if readiness.ready else 503


@bp.get("/readyz/worker")
def readyz_worker():
    """The workers keep up: as /readyz, and the queue's oldest message and the worker heartbeat are recent."""
    readiness = health.worker_readiness(
        stuck_after=timedelta(seconds=current_app.config["WEBCARE_QUEUE_STUCK_SECONDS"]),
        stale_after=timedelta(seconds=current_app.config["WEBCARE_HEARTBEAT_STALE_SECONDS"]),
    )
    return jsonify(readiness.as_json()), 200 if readiness.ready else 503


@bp.get("/metrics")
def metrics():
    """Prometheus text format, for a bearer token from WEBCARE_METRICS_TOKEN; switched off without one."""
    expected = current_app.config.get("WEBCARE_METRICS_TOKEN")
    if not expected:
        abort(404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        response = jsonify(error="a valid bearer token is required")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = exposition()
    return Response(body, content_type=content_type)


def install_request_timing(app: Flask) -> None:
    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()

    @app.after_request
    def stop_clock(response):
        started = g.pop("request_started", None)
        if started is not None:
            endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
            observe_request(endpoint, request.method, time.perf_counter() - started)
        return response
