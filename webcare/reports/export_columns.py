"""The columns of the exports: a machine key, a header people read, and what kind of value each holds.

Two variants share them (docs/metrics.md, "Exports"): `spreadsheet` for Dutch Excel (translated headers
and codes, local times, decimal commas) and `machine` for tools (English keys, codes, ISO 8601 UTC).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class Variant(enum.StrEnum):
    SPREADSHEET = "spreadsheet"
    MACHINE = "machine"


class Kind(enum.StrEnum):
    TEXT = "text"
    CODE = "code"  # a stored code: the machine variant keeps it, the spreadsheet shows its label
    INTEGER = "integer"
    MOMENT = "moment"  # a UTC timestamp
    SHARE = "share"  # 0 … 1
    MINUTES = "minutes"
    RATIO = "ratio"


@dataclass(frozen=True)
class Column:
    key: str
    header: object
    kind: Kind = Kind.INTEGER
    labels: str | None = None  # for CODE: which mapping in webcare.labels names the values


CASE_COLUMNS = (
    Column("case_id", _l("Case"), Kind.INTEGER),
    Column("channel", _l("Channel"), Kind.CODE, "channel"),
    Column("account", _l("Account"), Kind.TEXT),
    Column("topic", _l("Topic"), Kind.TEXT),
    Column("action", _l("Action"), Kind.CODE, "action"),
    Column("priority", _l("Priority"), Kind.CODE, "priority"),
    Column("status", _l("Status"), Kind.CODE, "status"),
    Column("arrival_band", _l("Time band of arrival"), Kind.CODE, "band"),
    Column("arrival_hour_of_week", _l("Hour of week (0 = Monday 00:00)"), Kind.INTEGER),
    Column("agent", _l("Agent"), Kind.TEXT),
    Column("team", _l("Team"), Kind.TEXT),
    Column("first_inbound_at", _l("First message"), Kind.MOMENT),
    Column("first_response_at", _l("First response at"), Kind.MOMENT),
    Column("first_response_due_at", _l("First response due"), Kind.MOMENT),
    Column("within_norm", _l("Within the norm"), Kind.CODE, "norm"),
    Column("first_response_seconds", _l("First response (seconds)"), Kind.INTEGER),
    Column("first_response_staffed_seconds", _l("First response, staffed time (seconds)"), Kind.INTEGER),
    Column("escalated_at", _l("Escalated at"), Kind.MOMENT),
    Column("resolved_at", _l("Resolved at"), Kind.MOMENT),
    Column("resolution_seconds", _l("Resolution time (seconds)"), Kind.INTEGER),
    Column("resolution_staffed_seconds", _l("Resolution time, staffed time (seconds)"), Kind.INTEGER),
    Column("inbound_messages", _l("Messages in"), Kind.INTEGER),
    Column("outbound_messages", _l("Messages out"), Kind.INTEGER),
)

GROUP_COLUMNS = (
    Column("count", _l("Cases"), Kind.INTEGER),
    Column("responded", _l("Answered"), Kind.INTEGER),
    Column("attainment", _l("Within the norm (share)"), Kind.SHARE),
    Column("within_norm", _l("Within the norm"), Kind.INTEGER),
    Column("breached", _l("Breached"), Kind.INTEGER),
    Column("replies_per_case", _l("Replies per case"), Kind.RATIO),
    Column("reopen_rate", _l("Reopen rate"), Kind.SHARE),
    Column("first_response_mean_minutes", _l("First response, mean (min)"), Kind.MINUTES),
    Column("first_response_p50_minutes", _l("First response, median (min)"), Kind.MINUTES),
    Column("first_response_p90_minutes", _l("First response, p90 (min)"), Kind.MINUTES),
    Column("first_response_p95_minutes", _l("First response, p95 (min)"), Kind.MINUTES),
)

WHOLE_PERIOD = "all"
