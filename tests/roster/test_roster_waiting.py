"""Cases that waited for a shift are routed when qualified people come on duty; every case keeps its duty record."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.roster.builders import local
from webcare.extensions import db
from webcare.inbox.models import CaseEvent, CaseStatus
from webcare.inbox.routing import record_arrival_duty, route_case, route_waiting_cases
from webcare.jobs import scheduled_jobs
from webcare.roster.models import CaseDutyRecord

SATURDAY_NOON = local(2026, 11, 7, 12, 0)
MONDAY_NINE = local(2026, 11, 9, 9, 0)


def _waiting(make_case, arrived, *, level=2, topic=None, action="reply", **options):
    case = make_case(arrived, action=action, **options)
    result = route_case(case, needed_mandate_level=level, topic=topic, now=arrived)
    db.session.commit()
    assert result.assigned_to is None
    return case


def _events(case, kind):
    return list(
        db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind).order_by(CaseEvent.id)
        )
    )


def test_a_weekend_case_is_assigned_when_the_monday_shift_starts(team_setup, make_case):
    case = _waiting(make_case, SATURDAY_NOON)
    assert route_waiting_cases(local(2026, 11, 8, 20, 0)) == []
    assigned = route_waiting_cases(MONDAY_NINE)
    db.session.expire_all()
    assert assigned == [(case.id, case.owner_id)]
    assert case.owner in (team_setup.anna, team_setup.cees)
    [event] = _events(case, "assigned")
    assert event.details["after"] == "waiting_for_shift" and event.details["reason"] == "roster"
    assert event.at == MONDAY_NINE and event.actor is None
    assert set(event.details["on_duty"]) == {team_setup.anna.id, team_setup.bram.id, team_setup.cees.id}


def test_waiting_cases_are_spread_over_the_qualified_people_least_loaded_first(team_setup, make_case):
    make_case(MONDAY_NINE, owner=team_setup.anna, action="reply")
    cases = [_waiting(make_case, SATURDAY_NOON) for _ in range(3)]
    route_waiting_cases(MONDAY_NINE)
    db.session.expire_all()
    owners = sorted(case.owner_id for case in cases)
    assert owners == sorted([team_setup.cees.id, team_setup.cees.id, team_setup.anna.id])


def test_a_waiting_case_goes_only_to_someone_holding_its_topic(team_setup, make_case):
    case = _waiting(make_case, SATURDAY_NOON, level=1, topic="zorg")
    route_waiting_cases(MONDAY_NINE)
    db.session.expire_all()
    assert case.owner == team_setup.cees


def test_a_case_needing_a_mandate_nobody_on_duty_holds_keeps_waiting_without_new_events(team_setup, make_case):
    evening = local(2026, 11, 9, 18, 0)
    case = _waiting(make_case, evening)
    assert route_waiting_cases(local(2026, 11, 9, 19, 0)) == []
    assert route_waiting_cases(local(2026, 11, 9, 20, 0)) == []
    db.session.expire_all()
    assert case.owner is None
    assert len(_events(case, "waiting_for_shift")) == 1 and _events(case, "assigned") == []
    route_waiting_cases(local(2026, 11, 10, 9, 30))
    db.session.expire_all()
    assert case.owner in (team_setup.anna, team_setup.cees)


def test_claimed_answered_closed_and_unrouted_cases_are_left_alone(team_setup, make_case):
    claimed = _waiting(make_case, SATURDAY_NOON)
    claimed.owner = team_setup.bram
    answered = _waiting(make_case, SATURDAY_NOON)
    answered.first_response_at = local(2026, 11, 7, 13, 0)
    closed = _waiting(make_case, SATURDAY_NOON)
    closed.status = CaseStatus.IGNORED
    bundled_course = _waiting(make_case, SATURDAY_NOON, action="summarise")
    never_waited = make_case(SATURDAY_NOON, action="reply")
    db.session.commit()
    assert route_waiting_cases(MONDAY_NINE) == []
    db.session.expire_all()
    assert claimed.owner == team_setup.bram
    assert [answered.owner, closed.owner, bundled_course.owner, never_waited.owner] == [None, None, None, None]


def test_an_escalated_case_waits_for_a_lead_level_mandate_and_is_routed_with_it(team_setup, make_case):
    case = _waiting(make_case, SATURDAY_NOON, level=3, action="escalate")
    assert route_waiting_cases(MONDAY_NINE) == []
    db.session.expire_all()
    assert case.owner is None


def test_someone_speaking_the_cases_language_goes_first_even_when_busier(team_setup, make_case):
    for _ in range(2):
        make_case(MONDAY_NINE, owner=team_setup.bram)
    english = make_case(MONDAY_NINE)
    assert (
        route_case(english, needed_mandate_level=1, topic=None, now=MONDAY_NINE, language="en").assigned_to
        == team_setup.bram
    )
    dutch = make_case(MONDAY_NINE)
    assert (
        route_case(dutch, needed_mandate_level=1, topic=None, now=MONDAY_NINE, language="nl").assigned_to
        != team_setup.bram
    )
    db.session.commit()
    [event] = _events(english, "assigned")
    assert event.details["language"] == "en"


def test_every_case_gets_a_duty_record_of_who_was_on_duty_when_it_arrived(team_setup, make_case):
    monday_night = local(2026, 11, 9, 23, 0)
    case = make_case(monday_night, action="ignore")
    record_arrival_duty(case, now=local(2026, 11, 9, 23, 5))
    record_arrival_duty(case, now=local(2026, 11, 10, 10, 0))
    db.session.commit()
    assert db.session.scalar(select(func.count(CaseDutyRecord.id)).where(CaseDutyRecord.case_id == case.id)) == 1
    duty = db.session.scalar(select(CaseDutyRecord).where(CaseDutyRecord.case_id == case.id))
    assert duty.at == monday_night
    assert duty.on_duty_user_ids == [team_setup.cees.id]
    assert duty.on_duty_people == [{"id": "cees", "kinds": ["on_call"]}]


def test_the_scheduler_runs_the_waiting_case_router_every_minute(app):
    jobs = {job.id: job for job in scheduled_jobs(app)}
    assert jobs["roster-route-waiting"].seconds == 60
