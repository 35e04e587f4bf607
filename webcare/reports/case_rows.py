"""One row per case in the period, with display names, for the case exports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select

from webcare.accounts.models import Account
from webcare.auth.models import Team, User
from webcare.inbox.models import Case, CaseEvent
from webcare.reports.metrics import ESCALATED_EVENT
from webcare.reports.period import ReportQuery
from webcare.timeutil import as_utc


def case_rows_statement(query: ReportQuery) -> Select:
    """One row per case in the period, with display names, for the case export (streamed by the caller)."""
    escalation = (
        select(CaseEvent.case_id.label("case_id"), func.min(CaseEvent.at).label("at"))
        .where(CaseEvent.kind == ESCALATED_EVENT)
        .group_by(CaseEvent.case_id)
        .subquery("first_escalation")
    )
    return (
        select(
            Case.id,
            Case.channel,
            Account.name.label("account"),
            Case.topic,
            Case.action,
            Case.priority,
            Case.status,
            Case.arrival_band,
            Case.arrival_hour_of_week,
            User.name.label("agent"),
            Team.name.label("team"),
            Case.first_inbound_at,
            Case.first_response_at,
            Case.first_response_due_at,
            Case.first_response_seconds,
            Case.first_response_staffed_seconds,
            escalation.c.at.label("escalated_at"),
            Case.resolved_at,
            Case.resolution_seconds,
            Case.resolution_staffed_seconds,
            Case.inbound_count,
            Case.outbound_count,
        )
        .join(Account, Account.id == Case.account_id)
        .outerjoin(User, User.id == Case.owner_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(escalation, escalation.c.case_id == Case.id)
        .where(query.in_period())
        .order_by(Case.first_inbound_at, Case.id)
    )


def within_norm_flag(first_response_at, due_at, now: datetime) -> str:
    """'yes', 'no' or '' (no norm, or still within time) for one exported case."""
    if due_at is None:
        return ""
    if first_response_at is not None:
        return "yes" if as_utc(first_response_at) <= as_utc(due_at) else "no"
    return "no" if as_utc(due_at) < now else ""
