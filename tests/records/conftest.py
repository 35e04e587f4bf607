"""Fixtures for the records tests: a resident who wrote on two channels."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import message_line
from tests.reports.builders import case_of, ingest
from webcare.auth.models import Role
from webcare.inbox import services as inbox
from webcare.timeutil import UTC

ASKED = datetime(2025, 2, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def fatima(app, make_user):
    """Fatima wrote on X (as @fatima_ea) and on Facebook (by name); someone else wrote on X too."""
    ingest(
        app,
        [
            message_line(
                "x-1",
                base=ASKED,
                text="Mijn container is niet geleegd",
                author={"id": "x-fatima", "handle": "fatima_ea", "name": "F."},
            ),
            message_line(
                "fb-1",
                base=ASKED + timedelta(days=2),
                channel="facebook",
                text="Lantaarnpaal kapot",
                author={"id": "fb-123", "handle": "fatima.elamrani", "name": "Fatima El Amrani"},
            ),
            message_line(
                "x-2",
                base=ASKED,
                text="Vraag van iemand anders",
                author={"id": "x-kees", "handle": "kees", "name": "Kees Smit"},
            ),
        ],
    )
    agent = make_user(Role.AGENT, Role.LEAD)
    for external_id in ("x-1", "fb-1", "x-2"):
        inbox.resolve_case(case_of(external_id), "answered", by=agent, now=ASKED + timedelta(days=5))
    return make_user(Role.PRIVACY_OFFICER)
