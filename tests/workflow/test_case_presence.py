"""Presence: a colleague who has the case open or is typing is shown for 20 seconds after their last heartbeat."""

from __future__ import annotations

from datetime import timedelta

from tests.workflow.inbox_builders import BASE, new_case
from webcare.auth.models import Role
from webcare.inbox.presence import Colleague, colleagues_present, heartbeat


def test_a_colleague_with_the_case_open_is_shown_but_not_yourself(make_user):
    sanne, mehmet = make_user(Role.AGENT, name="Sanne"), make_user(Role.AGENT, name="Mehmet")
    case = new_case()

    heartbeat(case, by=sanne, is_typing=False, now=BASE)
    seen_by_mehmet = heartbeat(case, by=mehmet, is_typing=False, now=BASE + timedelta(seconds=2))

    assert seen_by_mehmet == [Colleague("Sanne", False)]
    assert colleagues_present(case, viewer=sanne, now=BASE + timedelta(seconds=3)) == [Colleague("Mehmet", False)]


def test_typing_is_reported_and_stops_with_the_next_heartbeat(make_user):
    sanne, mehmet = make_user(Role.AGENT, name="Sanne"), make_user(Role.AGENT, name="Mehmet")
    case = new_case()

    heartbeat(case, by=sanne, is_typing=True, now=BASE)
    assert colleagues_present(case, viewer=mehmet, now=BASE + timedelta(seconds=1)) == [Colleague("Sanne", True)]
    heartbeat(case, by=sanne, is_typing=False, now=BASE + timedelta(seconds=5))
    assert colleagues_present(case, viewer=mehmet, now=BASE + timedelta(seconds=6)) == [Colleague("Sanne", False)]


def test_presence_expires_twenty_seconds_after_the_last_heartbeat(make_user):
    sanne, mehmet = make_user(Role.AGENT, name="Sanne"), make_user(Role.AGENT, name="Mehmet")
    case = new_case()
    heartbeat(case, by=sanne, is_typing=True, now=BASE)

    assert colleagues_present(case, viewer=mehmet, now=BASE + timedelta(seconds=19)) == [Colleague("Sanne", True)]
    assert colleagues_present(case, viewer=mehmet, now=BASE + timedelta(seconds=20)) == []


def test_presence_is_per_case_and_typists_come_first(make_user):
    anna, bram, eva = (make_user(Role.AGENT, name=name) for name in ("Anna", "Bram", "Eva"))
    first, second = new_case(), new_case()

    heartbeat(first, by=anna, is_typing=False, now=BASE)
    heartbeat(first, by=bram, is_typing=True, now=BASE)
    heartbeat(second, by=eva, is_typing=False, now=BASE)

    assert colleagues_present(first, viewer=eva, now=BASE) == [Colleague("Bram", True), Colleague("Anna", False)]
    assert colleagues_present(second, viewer=anna, now=BASE) == [Colleague("Eva", False)]
