"""The record of weekly digests sent, so each week's digest goes out once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webcare.extensions import db
from webcare.inbox.models import Case, CaseEvent
from webcare.timeutil import utcnow


class ReportDigest(db.Model):
    """One weekly digest: the local week it covers (Monday), when it went out and to how many managers."""

    __tablename__ = "report_digests"
    __table_args__ = (UniqueConstraint("week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)
    failures: Mapped[str | None] = mapped_column(Text)


# Indexes the reports need on tables other domains own, declared here so the reports keep their own
# reasons: first events of a kind per case (escalation, assignment, reopen) without scanning all events.
Index("ix_case_events_kind_case_at", CaseEvent.kind, CaseEvent.case_id, CaseEvent.at)
# A period's cases with the columns the first-response report reads (grouped by channel or priority),
# so SQLite and PostgreSQL answer it from the index alone.
Index(
    "ix_cases_report_period",
    Case.first_inbound_at,
    Case.channel,
    Case.priority,
    Case.first_response_seconds,
    Case.first_response_at,
    Case.first_response_due_at,
    Case.outbound_count,
)
