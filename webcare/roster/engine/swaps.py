"""Shift swaps: an open request is taken by a qualified colleague and becomes a replace override."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from webcare.timeutil import Interval, as_utc

from .model import Override, OverrideAction, Person, Requirements


class SwapStatus(enum.StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    REJECTED = "rejected"
    PAST_DUE = "past_due"


class SwapNotPossible(Exception):
    """The swap cannot be taken: it is no longer open, or the taker lacks a qualification."""


@dataclass(frozen=True)
class SwapRequest:
    requester_id: str
    span: Interval
    status: SwapStatus = SwapStatus.OPEN
    taker_id: str | None = None
    reason: str = ""

    def status_at(self, now: datetime) -> SwapStatus:
        """An open request whose span has started is past due."""
        if self.status is SwapStatus.OPEN and as_utc(now) >= self.span.start:
            return SwapStatus.PAST_DUE
        return self.status


def can_take_swap(person: Person, slot_requirements: Requirements) -> bool:
    """Whether `person` holds every qualification the slot asks for."""
    return slot_requirements.met_by(person)


def take_swap(
    request: SwapRequest, taker: Person, slot_requirements: Requirements, *, now: datetime
) -> tuple[SwapRequest, Override]:
    """The taken request and the override that puts `taker` in the requester's place for the span."""
    status = request.status_at(now)
    if status is not SwapStatus.OPEN:
        raise SwapNotPossible(f"the request is {status.value}")
    if taker.id == request.requester_id:
        raise SwapNotPossible("a person cannot take their own request")
    missing = slot_requirements.missing_in(taker)
    if missing:
        raise SwapNotPossible(f"{taker.id} lacks " + ", ".join(missing))
    override = Override(
        OverrideAction.REPLACE,
        request.requester_id,
        request.span,
        replacement_id=taker.id,
        reason=f"swap: {request.reason}".rstrip(": "),
    )
    return replace(request, status=SwapStatus.TAKEN, taker_id=taker.id), override
