"""Heartbeats: when each kind of background process last finished a round of work without error."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webcare.extensions import db
from webcare.inbox.models import Case


class Heartbeat(db.Model):
    """One row per kind of process ("worker", "scheduler"); any process of that kind moves it forward.

    Kept in the database so every web process reports the same figure, wherever the worker runs.
    """

    __tablename__ = "heartbeats"

    process: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_success_at: Mapped[datetime]


# The metrics' 24-hour window of first responses reads cases by that moment; without it each scrape scans
# every case. Declared here, beside its only reader; it belongs to the cases table.
Index("ix_cases_first_response_at", Case.first_response_at)
