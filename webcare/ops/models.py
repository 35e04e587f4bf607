"""Heartbeats: when each kind of background process last finished a round of work without error."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webcare.extensions import db


class Heartbeat(db.Model):
    """One row per kind of process ("worker", "scheduler"); any process of that kind moves it forward.

    Kept in the database so every web process reports the same figure, wherever the worker runs.
    """

    __tablename__ = "heartbeats"

    process: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_success_at: Mapped[datetime]
