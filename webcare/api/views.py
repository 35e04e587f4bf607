"""JSON API under /api/v1 (bearer tokens): message intake, single and batch, and its OpenAPI description."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request

from webcare.api.openapi import MAX_BATCH, SPEC
from webcare.auth.access import token_required
from webcare.extensions import db
from webcare.intake.parsing import MAX_JSON_DEPTH
from webcare.intake.services import accept_items, dead_letter

bp = Blueprint("api", __name__)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API (public, like any API documentation)."""
    return jsonify(SPEC)


def _source() -> str:
    """`api:` and the client's User-Agent, without control characters (a text column refuses NUL)."""
    agent = "".join(character for character in request.headers.get("User-Agent", "")[:60] if character.isprintable())
    return f"api:{agent}"


def _refused(source: str, body: bytes, reason: str, answer: str):
    dead_letter(source=source, reference="body", reason=reason, raw=body)
    db.session.commit()
    return jsonify(errors=[{"index": None, "error": answer}]), 422


@bp.post("/messages")
@token_required
def post_messages():
    """Queue one message (an object) or many (an array); 202 with ids, 422 with an error per bad item."""
    body = request.get_data(cache=False)
    source = _source()
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return _refused(source, body, f"body is not valid JSON: {error}", "the body is not valid JSON")
    except RecursionError:
        reason = f"the body is nested more than {MAX_JSON_DEPTH} levels deep"
        return _refused(source, body, reason, reason)
    is_batch = isinstance(payload, list)
    items = payload if is_batch else [payload]
    if not items:
        return jsonify(errors=[{"index": None, "error": "the array holds no messages"}]), 422
    if len(items) > MAX_BATCH:
        return jsonify(errors=[{"index": None, "error": f"at most {MAX_BATCH} items per request"}]), 413
    outcomes = accept_items(items, source=source, body=body)
    results = [
        {"index": o.index, "id": o.message_id, "duplicate": o.is_duplicate}
        if o.error is None
        else {"index": o.index, "error": o.error}
        for o in outcomes
    ]
    has_errors = any(o.error for o in outcomes)
    if not is_batch:
        results[0].pop("index")
        return jsonify(results[0]), 422 if has_errors else 202
    return jsonify(results=results), 422 if has_errors else 202
