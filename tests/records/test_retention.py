"""Retention: the schedule file, destruction lists (propose → approve → destroyed), holds and pseudonymisation."""

from datetime import datetime

import pytest
from sqlalchemy import select, text

from tests.records.builders import LATER, closed_history, report_figures
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.models import Author, CaseDecision, CaseEvent, CaseStatus, Message
from webcare.inbox.queries import earlier_cases
from webcare.records import services
from webcare.records.models import DestructionListStatus, PseudonymisedAuthor
from webcare.records.retention import RetentionScheduleError, add_months, load_schedule, schedule_from_text
from webcare.timeutil import UTC


def test_the_shipped_schedule_sorts_cases_by_topic_and_outcome():
    schedule = load_schedule()

    assert schedule.category_for("afval", "answered").id == "contactmoment"
    assert schedule.category_for("afval", "referred").id == "melding"
    assert schedule.category_for(None, "ignored").term_months == 6
    assert schedule.category_for("bestuur", "answered").is_kept_permanently


def test_a_schedule_with_an_unknown_category_or_a_kept_category_with_a_term_is_refused():
    with pytest.raises(RetentionScheduleError, match="unknown categories: nergens"):
        schedule_from_text(
            "version: '1'\ndefault_category: a\ncategories: [{id: a, label: A, appraisal: destroy, "
            "term_months: 1}]\nrules: [{topics: [x], category: nergens}]"
        )
    with pytest.raises(RetentionScheduleError, match="categories/0"):
        schedule_from_text(
            "version: '1'\ndefault_category: a\ncategories: [{id: a, label: A, appraisal: keep, "
            "term_months: 1}]\nrules: []"
        )


def test_months_are_added_to_the_last_day_of_a_shorter_month():
    assert add_months(datetime(2025, 1, 31, tzinfo=UTC), 1) == datetime(2025, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2025, 3, 15, tzinfo=UTC), -12) == datetime(2024, 3, 15, tzinfo=UTC)


def test_nothing_is_proposed_before_the_term_has_passed(app, make_user):
    closed_history(app, make_user)

    assert services.propose_destruction_list(datetime(2025, 3, 1, tzinfo=UTC)) is None


def test_destruction_round_trip_removes_contents_and_leaves_every_report_figure_unchanged(app, make_user):
    cases = closed_history(app, make_user)
    manager = make_user(Role.RECORDS_MANAGER)
    before = report_figures()

    proposal = services.propose_destruction_list(LATER)
    assert sorted(item.case_id for item in proposal.items) == sorted(cases[key].id for key in "abcde")
    assert db.session.scalar(select(Message.text).where(Message.case_id == cases["a"].id)) != ""

    destroyed = services.approve_destruction_list(proposal, by=manager, now=LATER)

    assert destroyed == sorted(cases[key].id for key in "abcde")
    assert report_figures() == before
    texts = db.session.execute(select(Message.text, Message.raw).where(Message.case_id.in_(destroyed))).all()
    assert set(texts) == {("", "{}")}
    assert db.session.get(Author, cases["a"].author_id).name is None
    assert (
        db.session.get(Message, db.session.scalar(select(Message.id).where(Message.case_id == cases["f"].id))).text
        != ""
    )
    escalation = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == cases["b"].id, CaseEvent.kind == "escalated")
    )
    assert escalation.details == {"redacted": True}
    destruction = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == cases["a"].id, CaseEvent.kind == "destroyed")
    )
    assert destruction.actor_id == manager.id and destruction.details["destruction_list"] == proposal.id
    assert proposal.status == DestructionListStatus.APPROVED and proposal.decided_by_id == manager.id


def test_a_hold_on_a_resident_or_a_case_keeps_it_off_the_list_and_from_destruction(app, make_user):
    cases = closed_history(app, make_user)
    manager = make_user(Role.RECORDS_MANAGER)
    services.place_hold("Bezwaarprocedure", by=manager, author=cases["a"].author, now=LATER)
    proposal = services.propose_destruction_list(LATER)
    services.place_hold("WOO-verzoek", by=manager, case=cases["b"], now=LATER)

    destroyed = services.approve_destruction_list(proposal, by=manager, now=LATER)

    assert cases["a"].id not in [item.case_id for item in proposal.items]
    assert cases["b"].id not in destroyed
    assert db.session.scalar(select(Message.text).where(Message.case_id == cases["b"].id)) != ""


def test_only_the_records_manager_approves_and_a_list_is_decided_once(app, make_user):
    closed_history(app, make_user)
    proposal = services.propose_destruction_list(LATER)
    manager = make_user(Role.RECORDS_MANAGER)

    with pytest.raises(services.NotAllowed):
        services.approve_destruction_list(proposal, by=make_user(Role.LEAD))
    services.reject_destruction_list(proposal, "Eerst met het archief overleggen", by=manager, now=LATER)
    with pytest.raises(services.ListAlreadyDecided):
        services.approve_destruction_list(proposal, by=manager, now=LATER)


def test_destruction_lists_are_kept_forever_and_events_change_only_by_redaction(app, make_user):
    closed_history(app, make_user)
    services.propose_destruction_list(LATER)

    with pytest.raises(Exception, match="kept forever"):
        db.session.execute(text("DELETE FROM destruction_list_items"))
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE case_events SET kind = 'x'"))
    db.session.rollback()


def test_pseudonymisation_keeps_reports_and_the_earlier_cases_grouping(app, make_user):
    cases = closed_history(app, make_user)
    before = report_figures()
    earlier = [case.id for case in earlier_cases(cases["a"])]
    author_id = cases["a"].author_id

    changed = services.pseudonymise_authors(LATER)

    author = db.session.get(Author, author_id)
    assert changed >= 4 and author.name == services.pseudonym(author_id) != "Resident a"
    assert db.session.get(PseudonymisedAuthor, author_id) is not None
    features = db.session.scalars(select(CaseDecision.features).where(CaseDecision.case_id == cases["a"].id)).all()
    assert features and all("author" not in found and "sentiment" in found for found in features)
    assert report_figures() == before
    assert [case.id for case in earlier_cases(cases["a"])] == earlier
    assert db.session.get(Author, cases["f"].author_id).name == "Resident f"


def test_a_case_on_hold_keeps_its_residents_details(app, make_user):
    cases = closed_history(app, make_user)
    services.place_hold("Klacht bij de ombudsman", by=make_user(Role.PRIVACY_OFFICER), case=cases["c"], now=LATER)

    services.pseudonymise_authors(LATER)

    assert db.session.get(Author, cases["c"].author_id).name == "Resident c"
    assert cases["f"].status not in (CaseStatus.RESOLVED, CaseStatus.IGNORED)
