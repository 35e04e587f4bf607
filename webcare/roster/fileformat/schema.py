"""The JSON Schema of a roster file (checked after YAML parsing, before loading)."""

from __future__ import annotations

_ID = {"type": "string", "pattern": r"^[A-Za-z0-9_.-]+$"}
_CLOCK = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "description": "local clock time HH:MM"}
_DATE = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "local date YYYY-MM-DD"}
_MOMENT = {
    "type": "string",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]([01][0-9]|2[0-3]):[0-5][0-9])?$",
    "description": "local date (whole day) or local date and time YYYY-MM-DD HH:MM",
}
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "weekdays", "weekend", "every_day"]
_KIND = {"enum": ["office", "evening", "weekend", "on_call"]}
_LEVEL = {"type": "integer", "minimum": 0}


def _days(*extra: str) -> dict:
    return {"type": "array", "items": {"enum": _WEEKDAYS + list(extra)}, "minItems": 1, "uniqueItems": True}


def _entry(required: list[str], properties: dict) -> dict:
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


_SPAN = {"start": _MOMENT, "end": _MOMENT}

ROSTER_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    **_entry(
        ["version", "people"],
        {
            "version": {"const": 1},
            "team": {"type": "string", "minLength": 1, "description": "the team this roster is imported into"},
            "timezone": {"type": "string"},
            "office_hours": _entry([], {"days": _days(), "start": _CLOCK, "end": _CLOCK, "evening_end": _CLOCK}),
            "closing": _entry(
                [],
                {
                    "good_friday": {"enum": ["closed", "open"]},
                    "liberation_day": {"enum": ["yearly", "lustrum"]},
                    "extra_days": {
                        "type": "array",
                        "items": _entry(["date"], {"date": _DATE, "name": {"type": "string", "minLength": 1}}),
                    },
                },
            ),
            "people": {
                "type": "array",
                "minItems": 1,
                "items": _entry(
                    ["id"],
                    {
                        "id": _ID,
                        "name": {"type": "string", "minLength": 1},
                        "email": {
                            "type": "string",
                            "pattern": r"^[^@\s]+@[^@\s]+$",
                            "description": "links to the user",
                        },
                        "mandate": _LEVEL,
                        "topics": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                        "languages": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                    },
                ),
            },
            "rotations": {
                "type": "array",
                "items": _entry(
                    ["id", "kind", "people", "days", "start", "end", "anchor"],
                    {
                        "id": _ID,
                        "kind": _KIND,
                        "people": {"type": "array", "items": _ID, "minItems": 1},
                        "frequency": {"enum": ["daily", "weekly"]},
                        "interval": {"type": "integer", "minimum": 1},
                        "days": _days(),
                        "start": _CLOCK,
                        "end": _CLOCK,
                        "anchor": _MOMENT,
                        "effective_from": _DATE,
                        "ends_on": _DATE,
                        "priority": {"type": "integer"},
                        "skip_closed_days": {"type": "boolean"},
                    },
                ),
            },
            "targets": {
                "type": "array",
                "items": _entry(
                    ["days", "start", "end"],
                    {
                        "days": _days("closed"),
                        "start": _CLOCK,
                        "end": _CLOCK,
                        "minimum": {"type": "integer", "minimum": 0},
                        "mandate": _entry(
                            ["level", "minimum"], {"level": _LEVEL, "minimum": {"type": "integer", "minimum": 1}}
                        ),
                    },
                ),
            },
            "overrides": {
                "type": "array",
                "items": {
                    **_entry(
                        ["action", "person", "start", "end"],
                        {
                            "action": {"enum": ["add", "remove", "replace"]},
                            "person": _ID,
                            "by": _ID,
                            "kind": _KIND,
                            "reason": {"type": "string"},
                            **_SPAN,
                        },
                    ),
                    "allOf": [
                        {"if": {"properties": {"action": {"const": "replace"}}}, "then": {"required": ["by"]}},
                        {"if": {"properties": {"action": {"const": "add"}}}, "then": {"required": ["kind"]}},
                        {
                            "if": {"properties": {"action": {"enum": ["add", "remove"]}}},
                            "then": {"not": {"required": ["by"]}},
                        },
                    ],
                },
            },
            "fixed_shifts": {
                "type": "array",
                "items": _entry(["person", "kind", "start", "end"], {"person": _ID, "kind": _KIND, **_SPAN}),
            },
            "leave": {
                "type": "array",
                "items": _entry(["person", "start", "end"], {"person": _ID, "reason": {"type": "string"}, **_SPAN}),
            },
        },
    ),
}
