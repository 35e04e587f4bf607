"""Swap rules in the database: qualified colleagues take at once, others wait for a lead; rejected and past due."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.roster.builders import local
from webcare.extensions import db
from webcare.roster.engine import SwapStatus
from webcare.roster.models import RosterConfig, RosterPerson
from webcare.roster.services import RosterError
from webcare.roster.store import schedule_between, team_roster_for
from webcare.roster.swaps import approve_swap, reject_swap, request_swap, take_swap

NOW = local(2026, 11, 2, 8, 0)


@pytest.fixture
def roster(team_setup):
    config = db.session.scalar(select(RosterConfig))
    people = {person.key: person for person in db.session.scalars(select(RosterPerson))}
    return config, people


def test_a_colleague_without_the_slots_mandate_waits_for_a_lead_who_approves(team_setup, roster):
    config, people = roster
    swap = request_swap(
        config,
        requester=people["anna"],
        start=local(2026, 11, 4, 9),
        end=local(2026, 11, 4, 17),
        reason="arts",
        now=NOW,
    )
    assert take_swap(config, swap.id, taker=people["bram"], by=team_setup.bram, now=NOW) is False
    assert swap.status is SwapStatus.OPEN and swap.proposed_taker == people["bram"]
    approve_swap(config, swap.id, by=team_setup.lead, now=NOW)
    assert swap.status is SwapStatus.TAKEN and swap.taker == people["bram"]
    interval = schedule_between(team_roster_for(config.team_id), NOW, local(2026, 11, 5)).intervals
    on_wednesday = [i for i in interval if i.start <= local(2026, 11, 4, 10) < i.end][0]
    assert "anna" not in on_wednesday.people and "bram" in on_wednesday.people


def test_a_qualified_colleague_takes_a_swap_at_once(team_setup, roster):
    config, people = roster
    swap = request_swap(
        config, requester=people["anna"], start=local(2026, 11, 4, 9), end=local(2026, 11, 4, 17), reason="", now=NOW
    )
    assert take_swap(config, swap.id, taker=people["cees"], by=team_setup.cees, now=NOW) is True
    assert swap.status is SwapStatus.TAKEN


def test_rejected_and_past_due_swaps_cannot_be_taken(team_setup, roster):
    config, people = roster
    rejected = request_swap(
        config, requester=people["bram"], start=local(2026, 11, 4, 17), end=local(2026, 11, 4, 21), reason="", now=NOW
    )
    reject_swap(config, rejected.id, by=team_setup.lead, now=NOW)
    with pytest.raises(RosterError, match="afgewezen"):
        take_swap(config, rejected.id, taker=people["anna"], by=team_setup.anna, now=NOW)
    late = request_swap(
        config, requester=people["bram"], start=local(2026, 11, 5, 17), end=local(2026, 11, 5, 21), reason="", now=NOW
    )
    assert late.status_at(local(2026, 11, 5, 18)) is SwapStatus.PAST_DUE
    with pytest.raises(RosterError, match="verlopen"):
        take_swap(config, late.id, taker=people["anna"], by=team_setup.anna, now=local(2026, 11, 5, 18))
    with pytest.raises(RosterError, match="eigen verzoek"):
        take_swap(config, late.id, taker=people["bram"], by=team_setup.bram, now=NOW)
