"""The response protocol: load a protocol file, compute a message's features, decide its action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from webcare.protocol.engine import Action, Decision, HitPolicy, Priority
from webcare.protocol.features import Features, MessageFacts, compute_features
from webcare.protocol.loader import Protocol, load_protocol, protocol_from_text
from webcare.protocol.source import Problem, ProtocolError
from webcare.timeutil import StaffedClock


def decide(
    protocol: Protocol, features: Features | Any, now: datetime, staffed_clock: StaffedClock | None = None
) -> Decision:
    """The protocol's decision for one message; pass `staffed_clock` to count SLA time on roster hours."""
    return protocol.decide(features, now, staffed_clock)


__all__ = [
    "Action",
    "Decision",
    "Features",
    "HitPolicy",
    "MessageFacts",
    "Priority",
    "Problem",
    "Protocol",
    "ProtocolError",
    "compute_features",
    "decide",
    "load_protocol",
    "protocol_from_text",
]
