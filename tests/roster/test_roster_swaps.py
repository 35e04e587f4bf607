from datetime import UTC, datetime

import pytest

from tests.roster.builders import local, person, rotation
from webcare.roster.engine import (
    Requirements,
    Roster,
    SwapNotPossible,
    SwapRequest,
    SwapStatus,
    can_take_swap,
    compute_schedule,
    on_duty_at,
    take_swap,
)
from webcare.timeutil import Interval

ANNA = person("anna", mandate_level=2, topics={"afval"})
BRAM = person("bram", mandate_level=1, topics={"afval"})
CEES = person("cees", mandate_level=3, topics={"afval", "bestuur"}, languages={"nl", "en"})
TUESDAY = Interval(local(2026, 3, 3, 9), local(2026, 3, 3, 17))
SLOT = Requirements(mandate_level=2, topics=frozenset({"afval"}))
BEFORE = datetime(2026, 3, 1, tzinfo=UTC)


def test_only_a_colleague_with_every_qualification_can_take_a_swap():
    assert can_take_swap(CEES, SLOT)
    assert not can_take_swap(BRAM, SLOT)
    assert not can_take_swap(CEES, Requirements(languages=frozenset({"tr"})))


def test_a_taken_swap_becomes_a_replace_override_that_the_schedule_applies():
    request = SwapRequest("anna", TUESDAY, reason="tandarts")
    taken, override = take_swap(request, CEES, SLOT, now=BEFORE)
    assert (taken.status, taken.taker_id) == (SwapStatus.TAKEN, "cees")
    roster = Roster((ANNA, BRAM, CEES), (rotation(("anna",)),), overrides=(override,))
    schedule = compute_schedule(roster, local(2026, 3, 2), local(2026, 3, 5))
    assert on_duty_at(schedule, local(2026, 3, 3, 10)) == {"cees"}
    assert on_duty_at(schedule, local(2026, 3, 4, 10)) == {"anna"}


def test_an_unqualified_taker_is_refused_with_the_missing_qualification():
    with pytest.raises(SwapNotPossible, match="mandate level 1 < 2"):
        take_swap(SwapRequest("anna", TUESDAY), BRAM, SLOT, now=BEFORE)


def test_an_open_request_whose_span_has_started_is_past_due_and_cannot_be_taken():
    request = SwapRequest("anna", TUESDAY)
    assert request.status_at(BEFORE) is SwapStatus.OPEN
    assert request.status_at(local(2026, 3, 3, 9)) is SwapStatus.PAST_DUE
    with pytest.raises(SwapNotPossible, match="past_due"):
        take_swap(request, CEES, SLOT, now=local(2026, 3, 3, 10))


def test_a_rejected_request_stays_rejected():
    rejected = SwapRequest("anna", TUESDAY, status=SwapStatus.REJECTED)
    assert rejected.status_at(local(2026, 3, 4)) is SwapStatus.REJECTED
    with pytest.raises(SwapNotPossible):
        take_swap(rejected, CEES, SLOT, now=BEFORE)
