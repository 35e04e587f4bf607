"""Hypothesis strategies for intake input: valid records, records with one hostile mutation, and raw junk."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from webcare.accounts.models import Channel

BASE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

# Values that broke, or could break, a column, a parser or a clock.
HOSTILE_VALUES = st.sampled_from([
    None, "", " ", "\t", "\x00", "a\x00b", "\x07", "\x1b[31m", "\ud83d", "a" * 201, "9" * 256, "x" * 2001,
    2**31, 2**63, 2**64, -1, 1.5, float("1e308"), True, [], {}, [[[[[[]]]]]], {"nested": {"deeper": {}}},
    "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "1970-01-01T00:00:00Z", "2026-11-02T09:00:00",
    "not a date", "<script>alert(1)</script>", "'; DROP TABLE messages; --", "😟" * 100,
])  # fmt: skip
_IDS = ["", " ", "\t", "a" * 201, "9" * 256, "\x00", "a\x00b", "a\x1fb", 0, 2**64, True, [], {}]
_TEXTS = ["\x00", "a\x00b", "\x07", "\ud83d", "x" * 2001, "\x1b[31m"]
_TIMES = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "1970-01-01T00:00:00Z",
    "2026-11-02T09:00:00",
    "2099-01-01T00:00:00Z",
    "",
    1_700_000_000,
]
# The values most likely to break each field, drawn half the time, so a short run still meets them.
FOCUSED = {
    "account": _IDS, "external_id": _IDS, "in_reply_to": _IDS, "conversation_id": _IDS, "author.id": _IDS,
    "author.handle": _IDS, "url": _TEXTS + ["https://x.com/" + "a" * 2000], "text": _TEXTS, "author.name": _TEXTS,
    "created_at": _TIMES, "author.followers": [2**31, 2**63, 2**64, -1, 1.5, True, "10"],
}  # fmt: skip
FIELDS = ["channel", "account", "external_id", "direction", "created_at", "text", "author", "in_reply_to",
          "conversation_id", "is_public", "url", "author.id", "author.handle", "author.name", "author.followers",
          "author.verified"]  # fmt: skip

_handles = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=20)


@st.composite
def valid_records(draw) -> dict:
    offset = timedelta(minutes=draw(st.integers(min_value=-14 * 60, max_value=14 * 60)))
    moment = BASE - timedelta(seconds=draw(st.integers(min_value=0, max_value=20 * 365 * 86400)))
    record = {
        "channel": draw(st.sampled_from([channel.value for channel in Channel])),
        "account": draw(_handles),
        "external_id": draw(st.one_of(_handles, st.integers(min_value=0, max_value=2**62))),
        "direction": draw(st.sampled_from(["inbound", "outbound"])),
        "created_at": moment.astimezone(timezone(offset)).isoformat(),
        "text": draw(st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=200)),
    }
    if draw(st.booleans()):
        record["author"] = {
            "id": draw(_handles), "handle": draw(_handles), "name": draw(st.text(max_size=30).filter(str.isprintable)),
            "followers": draw(st.integers(min_value=0, max_value=2**31 - 1)), "verified": draw(st.booleans()),
        }  # fmt: skip
    if draw(st.booleans()):
        record["url"] = "https://example.org/" + draw(_handles)
    return record


@st.composite
def mutated_records(draw) -> dict:
    """A valid record with one to three fields removed or set to a hostile value."""
    record = draw(valid_records())
    for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
        target = record
        if field.startswith("author."):
            target = record["author"] if isinstance(record.get("author"), dict) else record.setdefault("author", {})
            if not isinstance(target, dict):
                continue
        choice = draw(st.integers(min_value=0, max_value=3))
        key = field.removeprefix("author.")
        if choice == 0:
            target.pop(key, None)
        elif choice == 1 or field not in FOCUSED:
            target[key] = draw(HOSTILE_VALUES)
        else:
            target[key] = draw(st.sampled_from(FOCUSED[field]))
    return record


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)

records = st.one_of(valid_records(), mutated_records(), mutated_records(), json_values)


def as_line(value) -> bytes:
    """One JSONL line; lone surrogates stay escaped, as a careless producer could write them."""
    return json.dumps(value).encode("ascii")


lines = st.one_of(
    records.map(as_line),
    st.binary(max_size=60).filter(lambda raw: b"\n" not in raw and b"\r" not in raw),
    st.just(b"[" * 1000 + b"]" * 1000),
)
