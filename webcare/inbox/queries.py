"""Read-side queries for the inbox: case lists with keyset pagination, one case's thread and timeline."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, false, func, or_, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from webcare.accounts.models import Account, Channel
from webcare.auth.models import User
from webcare.extensions import db
from webcare.inbox.models import (
    ACTIVE_STATUSES,
    Author,
    Case,
    CaseDecision,
    CaseEvent,
    CaseStatus,
    Message,
    Priority,
)
from webcare.timeutil import utcnow

PAGE_SIZE = 50
STATUS_FILTERS = ("active", "all", *(status.value for status in CaseStatus))
# The inbox views (tabs); "attention" (the default) is the work that needs us, "all" the whole inbox narrowed
# by the status filter.
VIEWS = (
    "attention",
    "all",
    "mine",
    "unassigned",
    "team",
    "escalated",
    "approval",
    "bundles",
    "due_soon",
    "breached",
    "ignored",
)
# Statuses where the next move is ours (the team's or a lead's), not the resident's or a department's.
NEEDS_US = frozenset({CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.REOPENED, CaseStatus.WAITING_ON_APPROVAL})
# Orders of the list: due time first (the attention order), newest arrival first, latest activity first.
SORTS = ("due", "arrival", "activity")
ACTIONS = ("reply", "escalate", "summarise", "ignore")
DUE_SOON = timedelta(hours=1)
# A text search looks at no more than this many cases (in attention order) per request, so its cost stays
# bounded at any table size; when the window yields too few matches the page offers to search further.
SEARCH_WINDOW = 20_000
SEARCH_MAX_LENGTH = 100


# Status filters that reach into history, which grows without end; every other filter of the "all" view holds
# only the work in hand (a few thousand cases at most).
WIDE_STATUSES = ("all", CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value, CaseStatus.IGNORED.value)


class BadCursor(ValueError):
    pass


class _Unindexed(ColumnElement):
    """A column compared without letting SQLite drive the query from that column's index.

    SQLite keeps no statistics here, so for "active cases on WhatsApp" it walks the (channel, queue_at)
    index through every WhatsApp case ever; the few active cases, found by status and sorted, are far
    cheaper. The unary plus is SQLite's own way to say so; other databases get the plain column.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column):
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _plain_column(element, compiler, **options):
    return compiler.process(element.column, **options)


@compiles(_Unindexed, "sqlite")
def _column_without_index(element, compiler, **options):
    return "+" + compiler.process(element.column, **options)


def _holds_only_work_in_hand(case_filter: CaseFilter) -> bool:
    if case_filter.view == "all":
        return case_filter.status not in WIDE_STATUSES
    return case_filter.view != "ignored"


@dataclass(frozen=True)
class CaseFilter:
    status: str = "active"
    channel: Channel | None = None
    view: str = "attention"
    account_id: int | None = None
    topic: str | None = None
    priority: Priority | None = None
    action: str | None = None
    search: str | None = None
    sort: str = "due"

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (empty ones left out), for links and the polled fragment."""
        args = {
            "view": self.view if self.view != "attention" else None,
            "status": self.status if self.view == "all" and self.status != "active" else None,
            "channel": self.channel.value if self.channel else None,
            "account": str(self.account_id) if self.account_id else None,
            "topic": self.topic,
            "priority": self.priority.value if self.priority else None,
            "action": self.action,
            "q": self.search,
            "sort": self.sort if self.sort != "due" else None,
        }
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    next_cursor: str | None
    # True when a search window ran out before the page filled: the next cursor continues the search.
    searched_window_only: bool = False


@dataclass(frozen=True)
class ResponseClock:
    """Where a case stands against its first-response due time, for display."""

    state: str  # "met", "due", "overdue" or "none"
    due_at: datetime | None = None
    remaining: timedelta | None = None


def response_clock(case: Case, now: datetime) -> ResponseClock:
    if case.first_response_at is not None:
        return ResponseClock("met", case.first_response_due_at)
    if case.first_response_due_at is None or not case.is_active:
        return ResponseClock("none", case.first_response_due_at)
    remaining = case.first_response_due_at - now
    return ResponseClock("due" if remaining >= timedelta(0) else "overdue", case.first_response_due_at, remaining)


def _sort_key(case: Case, sort: str) -> datetime:
    return case.last_message_at if sort == "activity" else case.queue_at


def encode_cursor(case: Case, sort: str = "due") -> str:
    return _encode(_sort_key(case, sort), case.id)


def _encode(moment: datetime, case_id: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{case_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        moment, _, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        decoded = datetime.fromisoformat(moment), int(case_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    if decoded[0].tzinfo is None:
        raise BadCursor(cursor)
    return decoded


def _active() -> object:
    return Case.status.in_(ACTIVE_STATUSES)


def _view_condition(view: str, status: str, viewer: User | None, now: datetime, due_soon: timedelta):
    """The WHERE clause of one inbox view; each one is served by an index on (…, queue_at, id)."""
    unanswered_and_active = and_(_active(), Case.first_response_at.is_(None))
    conditions = {
        "attention": lambda: Case.status.in_(NEEDS_US),
        "mine": lambda: and_(Case.owner_id == (viewer.id if viewer else None), _active()),
        "unassigned": lambda: and_(Case.owner_id.is_(None), _active()),
        "team": lambda: and_(Case.team_id == viewer.team_id, _active()) if viewer and viewer.team_id else false(),
        # Escalating sets escalated_to (and waiting on department); the department's answer clears it.
        "escalated": lambda: and_(_active(), Case.escalated_to.is_not(None)),
        "approval": lambda: Case.status == CaseStatus.WAITING_ON_APPROVAL,
        "bundles": lambda: and_(_active(), Case.bundle_id.is_not(None)),
        "due_soon": lambda: and_(
            unanswered_and_active, Case.first_response_due_at >= now, Case.first_response_due_at < now + due_soon
        ),
        "breached": lambda: and_(unanswered_and_active, Case.first_response_due_at < now),
        "ignored": lambda: Case.status == CaseStatus.IGNORED,
    }
    if view in conditions:
        return conditions[view]()
    if status == "active":
        return _active()
    if status != "all":
        return Case.status == CaseStatus(status)
    return None


def filtered_cases(
    case_filter: CaseFilter, viewer: User | None = None, now: datetime | None = None, due_soon: timedelta = DUE_SOON
) -> Select:
    query = select(Case)
    condition = _view_condition(case_filter.view, case_filter.status, viewer, now or utcnow(), due_soon)
    if condition is not None:
        query = query.where(condition)
    narrowing = _Unindexed if _holds_only_work_in_hand(case_filter) else (lambda column: column)
    if case_filter.channel is not None:
        query = query.where(narrowing(Case.channel) == case_filter.channel)
    if case_filter.account_id is not None:
        query = query.where(narrowing(Case.account_id) == case_filter.account_id)
    if case_filter.topic:
        query = query.where(narrowing(Case.topic) == case_filter.topic)
    if case_filter.priority is not None:
        query = query.where(narrowing(Case.priority) == case_filter.priority)
    if case_filter.action:
        query = query.where(narrowing(Case.action) == case_filter.action)
    return query


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _ordering(sort: str, columns=None) -> tuple:
    """ORDER BY columns of a sort; arrival is the case number (assigned in order of arrival)."""
    columns = Case.__table__.c if columns is None else columns
    if sort == "arrival":
        return (columns.id.desc(),)
    if sort == "activity":
        return (columns.last_message_at.desc(), columns.id.desc())
    return (columns.queue_at, columns.id)


def _after(sort: str, cursor: tuple[datetime, int]):
    moment, case_id = cursor
    if sort == "arrival":
        return Case.id < case_id
    if sort == "activity":
        return tuple_(Case.last_message_at, Case.id) < (moment, case_id)
    return tuple_(Case.queue_at, Case.id) > (moment, case_id)


def case_number(text: str) -> int | None:
    """The case number a search asks for ("#62" or "62"), if it is one."""
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) < 19 else None


def case_page(
    case_filter: CaseFilter,
    *,
    after: str | None = None,
    size: int = PAGE_SIZE,
    viewer: User | None = None,
    now: datetime | None = None,
    search_window: int = SEARCH_WINDOW,
    due_soon: timedelta = DUE_SOON,
) -> CasePage:
    """One page of cases in the filter's order (due time by default), continuing after a cursor.

    `viewer` and `now` define "mine", "my team", "due soon" (due within `due_soon`) and "breached".
    """
    query = filtered_cases(case_filter, viewer, now, due_soon)
    if after:
        query = query.where(_after(case_filter.sort, decode_cursor(after)))
    if case_filter.search:
        return _search_page(query, case_filter, size, search_window, first_page=not after)
    cases = list(db.session.scalars(query.order_by(*_ordering(case_filter.sort)).limit(size + 1)))
    has_more = len(cases) > size
    cases = cases[:size]
    return CasePage(cases, encode_cursor(cases[-1], case_filter.sort) if has_more else None)


def _search_page(query: Select, case_filter: CaseFilter, size: int, search_window: int, first_page: bool) -> CasePage:
    """The case with that number (in any view), then matches in the subject (the first message's text) or the
    author's handle or name, within one window."""
    text, sort = case_filter.search or "", case_filter.sort
    number = case_number(text) if first_page else None
    by_number = db.session.get(Case, number) if number is not None else None
    ordering = _ordering(sort)
    window = (
        query.with_only_columns(Case.id, Case.queue_at, Case.last_message_at)
        .order_by(*ordering)
        .limit(search_window)
        .subquery("search_window")
    )
    pattern = _like(text[:SEARCH_MAX_LENGTH])
    matches = (
        select(Case)
        .join(window, window.c.id == Case.id)
        .outerjoin(Author, Author.id == Case.author_id)
        .where(
            or_(
                Case.subject.ilike(pattern, escape="\\"),
                Author.handle.ilike(pattern, escape="\\"),
                Author.name.ilike(pattern, escape="\\"),
            )
        )
        .order_by(*ordering)
        .limit(size + 1)
    )
    cases = [case for case in db.session.scalars(matches) if case is not by_number]
    if by_number is not None:
        cases.insert(0, by_number)
    if len(cases) > size:
        return CasePage(cases[:size], encode_cursor(cases[size - 1], sort))
    # The window's last row exists only when the window was full: then more cases remain to be searched.
    last_row = db.session.execute(
        select(window.c.id).order_by(*_ordering(sort, window.c)).offset(search_window - 1).limit(1)
    ).first()
    if last_row is not None:
        last = db.session.get(Case, last_row.id)
        beyond = query.with_only_columns(Case.id).where(_after(sort, (_sort_key(last, sort), last.id)))
        if db.session.scalar(beyond.limit(1)) is not None:
            return CasePage(cases, encode_cursor(last, sort), searched_window_only=True)
    return CasePage(cases, None)


def accounts() -> list[Account]:
    return list(db.session.scalars(select(Account).order_by(Account.channel, Account.handle)))


def thread(case: Case) -> list[Message]:
    return list(
        db.session.scalars(select(Message).where(Message.case_id == case.id).order_by(Message.created_at, Message.id))
    )


def timeline(case: Case) -> list[CaseEvent]:
    return list(
        db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id))
    )


def notes(case: Case) -> list[CaseEvent]:
    return list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind == "note")
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )


def applied_decision(case: Case):
    """The protocol decision that set the case's course (action, priority, due times), with its version and trace.

    A later message is decided too, but changes the course only when it asks for more (see inbox.decisions).
    """
    if case.applied_decision_id is None:
        return None
    return db.session.get(CaseDecision, case.applied_decision_id)


def earlier_cases(case: Case, limit: int = 10) -> list[Case]:
    if case.author_id is None:
        return []
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.author_id == case.author_id, Case.id != case.id)
            .order_by(Case.first_inbound_at.desc())
            .limit(limit)
        )
    )


def arrivals_per_hour_of_week(now: datetime, weeks: int) -> dict[tuple[int, int], float]:
    """Average new cases per (weekday, local hour) over the last `weeks` weeks."""
    rows = db.session.execute(
        select(Case.arrival_hour_of_week, func.count(Case.id))
        .where(
            Case.first_inbound_at >= now - timedelta(weeks=weeks),
            Case.first_inbound_at < now,
            Case.arrival_hour_of_week.is_not(None),
        )
        .group_by(Case.arrival_hour_of_week)
    )
    return {divmod(hour_of_week, 24): count / weeks for hour_of_week, count in rows}
