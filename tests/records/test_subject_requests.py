"""Residents' rights: a search across channels, the access package, erasure carried out or refused with a reason."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

import pytest
from sqlalchemy import select

from tests.reports.builders import case_of
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.models import CaseEvent, Message
from webcare.records import services, subjects
from webcare.records.models import AccessKind, AccessLogEntry, SubjectRequestKind, SubjectRequestStatus
from webcare.records.residents import find_identities
from webcare.timeutil import UTC

ASKED = datetime(2025, 2, 3, 10, 0, tzinfo=UTC)
LATER = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def test_the_search_finds_the_resident_on_both_channels_by_name_handle_or_platform_id(app, fatima):
    found = find_identities("fatima")

    assert sorted(identity.channel.value for identity in found) == ["facebook", "x"]
    assert [identity.platform_id for identity in find_identities("FB-123")] == ["fb-123"]


def test_the_access_package_holds_the_residents_messages_from_both_channels_and_is_logged(app, fatima):
    request = subjects.register_request(
        SubjectRequestKind.ACCESS, "Fatima El Amrani", find_identities("fatima"), by=fatima, received_at=LATER
    )

    package = zipfile.ZipFile(io.BytesIO(subjects.access_package(request, by=fatima, address="10.0.0.9", now=LATER)))

    texts = [
        message["text"]
        for name in package.namelist()
        if name.endswith(".json")
        for message in json.loads(package.read(name))["messages"]
    ]
    assert sorted(texts) == ["Lantaarnpaal kapot", "Mijn container is niet geleegd"]
    assert len([name for name in package.namelist() if name.endswith(".pdf")]) == 2
    assert request.due_at == datetime(2025, 7, 2, 9, 0, tzinfo=UTC)
    assert request.status == SubjectRequestStatus.DONE
    logged = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.kind == AccessKind.EXPORT)).all()
    assert len(logged) == 2 and {entry.address for entry in logged} == {"10.0.0.9"}


def test_erasure_is_refused_with_a_reason_under_hold_and_carried_out_without(app, fatima):
    on_hold, free = case_of("fb-1"), case_of("x-1")
    services.place_hold("Lopende klachtprocedure", by=fatima, case=on_hold, now=LATER)
    request = subjects.register_request(
        SubjectRequestKind.ERASURE, "Fatima", find_identities("fatima"), by=fatima, received_at=LATER
    )

    outcome = subjects.carry_out_erasure(request, by=fatima, now=LATER)

    assert outcome.erased == [free.id] and list(outcome.refused) == [on_hold.id]
    assert "bevroren" in outcome.refused[on_hold.id]
    assert db.session.scalar(select(Message.text).where(Message.case_id == free.id)) == ""
    assert db.session.scalar(select(Message.text).where(Message.case_id == on_hold.id)) == "Lantaarnpaal kapot"
    assert db.session.scalar(select(Message.text).where(Message.external_id == "x-2")) == "Vraag van iemand anders"
    notes = {
        case_id: text
        for case_id, text in db.session.execute(
            select(CaseEvent.case_id, CaseEvent.details).where(CaseEvent.kind == "note", CaseEvent.at == LATER)
        )
    }
    assert "Gewist" in notes[free.id]["text"] and "niet uitgevoerd: bevroren" in notes[on_hold.id]["text"]
    assert request.status == SubjectRequestStatus.DONE and "niet gewist" in request.outcome


def test_erasure_of_only_held_cases_is_recorded_as_refused(app, fatima):
    services.place_hold("Bezwaar", by=fatima, author=case_of("fb-1").author, now=LATER)
    request = subjects.register_request(
        SubjectRequestKind.ERASURE, "Fatima", [case_of("fb-1").author], by=fatima, received_at=LATER
    )

    subjects.carry_out_erasure(request, by=fatima, now=LATER)

    assert request.status == SubjectRequestStatus.REFUSED and request.handled_by_id == fatima.id


def test_only_the_privacy_officer_registers_requests(app, fatima, make_user):
    with pytest.raises(services.NotAllowed):
        subjects.register_request(
            SubjectRequestKind.ACCESS, "Fatima", find_identities("fatima"), by=make_user(Role.RECORDS_MANAGER)
        )
