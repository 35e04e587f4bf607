"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json; tests hold the API to it."""

from __future__ import annotations

from typing import Any

from webcare.accounts.models import Channel
from webcare.intake.parsing import (
    ACCOUNT_LENGTH,
    AUTHOR_HANDLE_LENGTH,
    AUTHOR_ID_LENGTH,
    MAX_FOLLOWERS,
    MAX_ID_LENGTH,
    MAX_URL_LENGTH,
)

MAX_BATCH = 1000


def _identifier(max_length: int, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "oneOf": [{"type": "string", "minLength": 1, "maxLength": max_length}, {"type": "integer"}],
    }


def _errors() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["index", "error"],
                    "properties": {"index": {"type": "integer", "nullable": True}, "error": {"type": "string"}},
                },
            }
        },
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


MESSAGE = {
    "type": "object",
    "description": "One message; the rules in full are in docs/intake.md (the server checks more than this schema says, "
    "e.g. that created_at lies between 2000-01-01 and tomorrow and that text holds no control characters).",
    "required": ["channel", "account", "external_id", "created_at", "text"],
    "properties": {
        "channel": {"type": "string", "enum": [channel.value for channel in Channel]},
        "account": _identifier(ACCOUNT_LENGTH, "our own account's handle on the platform"),
        "external_id": _identifier(MAX_ID_LENGTH, "the platform's id of the message, unique per channel"),
        "direction": {"type": "string", "enum": ["inbound", "outbound"], "default": "inbound"},
        "created_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with a UTC offset"},
        "text": {"type": "string"},
        "author": {
            "type": "object",
            "nullable": True,
            "properties": {
                "id": _identifier(AUTHOR_ID_LENGTH, "the author's id on the platform (or give a handle)"),
                "handle": _identifier(AUTHOR_HANDLE_LENGTH, "the author's handle"),
                "name": {"type": "string", "nullable": True},
                "followers": {"type": "integer", "minimum": 0, "maximum": MAX_FOLLOWERS, "nullable": True},
                "verified": {"type": "boolean"},
            },
        },
        "in_reply_to": {
            **_identifier(MAX_ID_LENGTH, "the external_id of the message this one answers"),
            "nullable": True,
        },
        "conversation_id": {**_identifier(MAX_ID_LENGTH, "the platform's conversation or thread id"), "nullable": True},
        "is_public": {"type": "boolean", "nullable": True},
        "url": {"type": "string", "maxLength": MAX_URL_LENGTH, "nullable": True},
    },
}

ACCEPTED = {
    "type": "object",
    "required": ["id", "duplicate"],
    "properties": {"id": {"type": "integer"}, "duplicate": {"type": "boolean"}},
}
ITEM_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
BATCH_RESULTS = {
    "type": "object",
    "required": ["results"],
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["index"],
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "id": {"type": "integer"},
                    "duplicate": {"type": "boolean"},
                    "error": {"type": "string"},
                },
            },
        }
    },
}
SIMPLE_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Webcare intake API",
        "version": "1",
        "description": "Messages into Webcare's queue; see docs/intake.md. Each request needs a bearer token "
        "(`webcare token create NAME`).",
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Message": MESSAGE},
    },
    "paths": {
        "/messages": {
            "post": {
                "summary": "Queue one message (an object) or up to 1,000 (an array)",
                "operationId": "postMessages",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/Message"},
                                    {
                                        "type": "array",
                                        "minItems": 1,
                                        "maxItems": MAX_BATCH,
                                        "items": {"$ref": "#/components/schemas/Message"},
                                    },
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "202": _json({"oneOf": [ACCEPTED, BATCH_RESULTS]}, "every message stored (or already held)"),
                    "401": _json(SIMPLE_ERROR, "no or a wrong bearer token"),
                    "413": _json(
                        {"oneOf": [_errors(), SIMPLE_ERROR]},
                        "more than 1,000 items, or a body too large; nothing stored",
                    ),
                    "422": _json(
                        {"oneOf": [ITEM_ERROR, BATCH_RESULTS, _errors()]},
                        "some or all items refused, each with the reason; the good ones are stored and the bad ones "
                        "kept in the dead letter",
                    ),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This description",
                "operationId": "getOpenapi",
                "responses": {"200": _json({"type": "object"}, "the OpenAPI description")},
            }
        },
    },
}
