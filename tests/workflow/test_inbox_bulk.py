"""Bulk actions from the list: each ticked case goes through its own service and gets its own event."""

from __future__ import annotations

from sqlalchemy import select

from tests.workflow.inbox_builders import new_case
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.bulk import BulkRequest, apply_in_bulk
from webcare.inbox.models import Bundle, BundleStatus, CaseEvent, CaseStatus
from webcare.timeutil import utcnow


def events(kind):
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.kind == kind).order_by(CaseEvent.case_id)))


def test_bulk_resolve_gives_each_case_its_own_event_and_skips_what_cannot_be_resolved(make_user):
    sanne = make_user(Role.AGENT)
    cases = [new_case(f"Container {number} niet geleegd") for number in range(4)]
    done_already = new_case("al afgehandeld", status=CaseStatus.RESOLVED)

    result = apply_in_bulk(
        [case.id for case in cases] + [done_already.id, 987654], BulkRequest("resolve", outcome="answered"), by=sanne
    )

    assert result.done == [case.id for case in cases]
    assert result.skipped == [(done_already.id, "changed"), (987654, "missing")]
    resolved = events("resolved")
    assert [event.case_id for event in resolved] == [case.id for case in cases]
    assert all(event.actor_id == sanne.id and event.details["after"]["outcome"] == "answered" for event in resolved)
    assert all(db.session.get(type(case), case.id).status == CaseStatus.RESOLVED for case in cases)


def test_bulk_claim_skips_cases_someone_else_holds_and_ignore_needs_a_reason(make_user):
    sanne, mehmet = make_user(Role.AGENT), make_user(Role.AGENT)
    free, taken = new_case("vrij"), new_case("bezet", owner=mehmet)

    claimed = apply_in_bulk([free.id, taken.id], BulkRequest("claim"), by=sanne)
    assert claimed.done == [free.id] and claimed.skipped == [(taken.id, "taken")]

    unreasoned = apply_in_bulk([free.id], BulkRequest("ignore", reason="  "), by=sanne)
    assert unreasoned.skipped == [(free.id, "invalid")] and events("ignored") == []

    ignored = apply_in_bulk([free.id], BulkRequest("ignore", reason="spam"), by=sanne)
    assert ignored.done == [free.id] and events("ignored")[0].details["reason"] == "spam"


def test_a_manager_cannot_act_in_bulk(make_user):
    manager = make_user(Role.MANAGER)
    case = new_case("niet voor managers")

    result = apply_in_bulk([case.id], BulkRequest("escalate", department="afval", note="graag kijken"), by=manager)

    assert result.done == [] and result.skipped == [(case.id, "not_allowed")]


def test_bulk_add_to_bundle_counts_the_members(make_user):
    sanne = make_user(Role.AGENT)
    now = utcnow()
    bundle = Bundle(
        cluster_key="handmatig",
        rule_id="handmatig",
        status=BundleStatus.COLLECTING,
        opened_at=now,
        closes_at=now,
        summary={},
    )
    db.session.add(bundle)
    db.session.commit()
    cases = [new_case(f"storing {number}") for number in range(3)]

    result = apply_in_bulk([case.id for case in cases], BulkRequest("bundle", bundle=bundle), by=sanne)

    assert result.done == [case.id for case in cases]
    db.session.refresh(bundle)
    assert bundle.member_count == 3
    assert [event.details["bundle_id"] for event in events("bundled")] == [bundle.id] * 3


def test_the_bulk_form_resolves_the_ticked_cases_and_returns_to_the_list(client, auth, make_user, csrf_from):
    auth.login_as(make_user(Role.AGENT))
    cases = [new_case(f"golf {number}") for number in range(3)]
    token = csrf_from(client.get("/inbox").get_data(as_text=True))

    response = client.post(
        "/inbox/bulk",
        data={
            "csrf_token": token,
            "bulk-action": "resolve",
            "bulk-outcome": "answered",
            "bulk-case_ids": [str(case.id) for case in cases[:2]],
            "next": "/inbox?view=all",
        },
    )

    assert response.status_code == 303 and response.headers["Location"] == "/inbox?view=all"
    assert [db.session.get(type(case), case.id).status for case in cases] == [
        CaseStatus.RESOLVED,
        CaseStatus.RESOLVED,
        CaseStatus.NEW,
    ]
    outside = client.post(
        "/inbox/bulk",
        data={
            "csrf_token": token,
            "bulk-action": "claim",
            "bulk-case_ids": [str(cases[2].id)],
            "next": "https://evil.example/",
        },
    )
    assert outside.headers["Location"] == "/inbox"
