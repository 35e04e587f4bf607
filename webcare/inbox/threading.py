"""Threading: which case a message belongs to, opening a case when it belongs to none.

A batch is threaded with a few set-based lookups up front (parents, conversations, private threads),
then in memory, so the cost per message stays flat whatever the database size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import lazyload, selectinload

from webcare.accounts.models import Channel
from webcare.extensions import db
from webcare.inbox.events import move_case, record
from webcare.inbox.models import ACTIVE_STATUSES, Case, CaseStatus, Direction, Message
from webcare.inbox.timing import (
    record_arrival,
    record_first_response,
    recount_first_response,
)

SUBJECT_LENGTH = 200
LOOKUP_CHUNK = 500
# A resident answering on a finished case brings it back; an ignored one stays ignored but keeps the thread.
_REOPENABLE = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})
# Lookups ask for cases that are not finished rather than for the active ones: SQLite keeps no statistics
# here, and for an IN on status it would read the status index (every active case) instead of the key's.
_FINISHED = frozenset(CaseStatus) - ACTIVE_STATUSES
# Threading reads no accounts, authors or owners; joining them onto every case and parent cost more than the rows.
_ROWS_ONLY = lazyload("*")

MessageKey = tuple[Channel, str]
ConversationKey = tuple[Channel, int, str]
PrivateKey = tuple[int, int]


def _chunks(items: Sequence, size: int = LOOKUP_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _one_of(columns: Sequence[ColumnElement], keys: Iterable[tuple]) -> ColumnElement[bool]:
    """`columns` equal one of `keys`, written as `a = ? AND b IN (...)` per leading part of the key.

    SQLite serves no index for a row-value IN, and reading the whole table for every batch makes
    threading slower the more there is; this form is served by an index on the leading columns.
    """
    by_head: dict[tuple, list] = defaultdict(list)
    for key in keys:
        by_head[key[:-1]].append(key[-1])
    *head_columns, last_column = columns
    return or_(
        *(
            and_(*(column == value for column, value in zip(head_columns, head)), last_column.in_(lasts))
            for head, lasts in by_head.items()
        )
    )


def conversation_key(message: Message) -> ConversationKey | None:
    if message.conversation_id is None:
        return None
    return (message.channel, message.account_id, message.conversation_id)


def private_key(message: Message) -> PrivateKey | None:
    if message.is_public or message.author_id is None or message.direction != Direction.INBOUND:
        return None
    return (message.account_id, message.author_id)


class BatchThreader:
    """Threads a batch of messages: looks up what the batch needs once, then decides in memory."""

    def __init__(self, messages: Sequence[Message], *, quiet_period: timedelta):
        self.quiet_period = quiet_period
        self.by_key: dict[MessageKey, Message] = {(m.channel, m.external_id): m for m in messages}
        self.by_conversation: dict[ConversationKey, Case] = {}
        self.by_private_thread: dict[PrivateKey, Case] = {}
        self._load_parents(messages)
        self._load_conversations(messages)
        self._load_private_threads(messages)

    def _load_parents(self, messages: Sequence[Message]) -> None:
        wanted = list({(m.channel, m.in_reply_to) for m in messages if m.in_reply_to} - self.by_key.keys())
        for chunk in _chunks(wanted):
            for parent in db.session.scalars(
                select(Message)
                .options(_ROWS_ONLY, selectinload(Message.case).options(_ROWS_ONLY))
                .where(_one_of((Message.channel, Message.external_id), chunk))
            ):
                self.by_key[(parent.channel, parent.external_id)] = parent

    def _remember(self, case: Case, key: ConversationKey | PrivateKey, index: dict) -> None:
        known = index.get(key)
        if known is None or case.last_message_at >= known.last_message_at:
            index[key] = case

    def _load_conversations(self, messages: Sequence[Message]) -> None:
        wanted = {key for m in messages if (key := conversation_key(m))}
        # Asked for exactly as indexed, (channel, conversation_id), with the account checked here: given the
        # account too, PostgreSQL without statistics combines the channel and account indexes instead.
        conversations = list({(channel, conversation_id) for channel, _account, conversation_id in wanted})
        for chunk in _chunks(conversations):
            for case in db.session.scalars(
                select(Case)
                .options(_ROWS_ONLY)
                .where(
                    _one_of((Case.channel, Case.conversation_id), chunk),
                    Case.status.not_in(_FINISHED),
                )
            ):
                key = (case.channel, case.account_id, case.conversation_id)
                if key in wanted:
                    self._remember(case, key, self.by_conversation)

    def _load_private_threads(self, messages: Sequence[Message]) -> None:
        wanted = list({key for m in messages if (key := private_key(m))})
        for chunk in _chunks(wanted):
            for case in db.session.scalars(
                select(Case)
                .options(_ROWS_ONLY)
                .where(
                    _one_of((Case.account_id, Case.author_id), chunk),
                    Case.is_public.is_(False),
                    Case.status.not_in(_FINISHED),
                )
            ):
                self._remember(case, (case.account_id, case.author_id), self.by_private_thread)

    def parent_of(self, message: Message) -> Message | None:
        if message.in_reply_to is None:
            return None
        return self.by_key.get((message.channel, message.in_reply_to))

    def known_case_ids(self) -> set[int]:
        """The cases the lookups found: the ones this batch may change."""
        found = {case.id for case in self.by_conversation.values()} | {
            case.id for case in self.by_private_thread.values()
        }
        found |= {message.case_id for message in self.by_key.values() if message.case_id is not None}
        return found

    def case_of_conversation(self, message: Message) -> Case | None:
        key = conversation_key(message)
        case = self.by_conversation.get(key) if key else None
        return case if case is not None and case.is_active else None

    def _case_of_private_thread(self, message: Message) -> Case | None:
        key = private_key(message)
        case = self.by_private_thread.get(key) if key else None
        if case is None or not case.is_active or case.last_message_at < message.created_at - self.quiet_period:
            return None
        return case

    def _index(self, case: Case, message: Message) -> None:
        # Only an active case is a thread's case: a reply joining an ignored or finished case must not hide
        # the conversation's active one from the next message.
        if not case.is_active:
            return
        if key := conversation_key(message):
            self._remember(case, key, self.by_conversation)
        if key := private_key(message):
            self._remember(case, key, self.by_private_thread)

    def thread(self, message: Message) -> Case | None:
        """Attach a message to its case (reply chain, conversation, private thread) or open a new one.

        Outbound messages (our own replies) never open a case; one that answers nothing known stays
        without a case (the batch lets it wait for its parent first). A message threaded before keeps its
        case and changes nothing.
        """
        if message.case_id is not None:
            return message.case
        parent = self.parent_of(message)
        case = parent.case if parent is not None else None
        if case is None:
            case = self.case_of_conversation(message)
        if case is None and message.direction == Direction.INBOUND:
            case = self._case_of_private_thread(message)
        if message.direction == Direction.OUTBOUND:
            if case is not None:
                _join_outbound(case, message)
        elif case is None:
            case = _open_case(message)
        else:
            _join_inbound(case, message)
        message.case = case
        if case is not None:
            self._index(case, message)
        return case


def _open_case(message: Message) -> Case:
    case = Case(
        status=CaseStatus.NEW,
        channel=message.channel,
        account_id=message.account_id,
        author_id=message.author_id,
        conversation_id=message.conversation_id,
        is_public=message.is_public,
        subject=" ".join(message.text.split())[:SUBJECT_LENGTH],
        first_inbound_at=message.created_at,
        last_message_at=message.created_at,
        queue_at=message.created_at,
        inbound_count=1,
        outbound_count=0,
    )
    record_arrival(case)
    db.session.add(case)
    record(case, "case_opened", by=None, at=message.created_at, message_id=message.id)
    return case


def _join_inbound(case: Case, message: Message) -> None:
    case.inbound_count += 1
    case.last_message_at = max(case.last_message_at, message.created_at)
    if case.first_inbound_at is None or message.created_at < case.first_inbound_at:
        case.first_inbound_at = message.created_at
        case.queue_at = min(case.queue_at, message.created_at)
        record_arrival(case)
        recount_first_response(case)
    if case.status in _REOPENABLE:
        move_case(case, CaseStatus.REOPENED, by=None, kind="reopened", reason="resident_replied", message_id=message.id)
    elif case.status == CaseStatus.WAITING_ON_RESIDENT:
        move_case(case, CaseStatus.OPEN, by=None)
    record(case, "message_received", by=None, at=message.created_at, message_id=message.id)


def _join_outbound(case: Case, message: Message) -> None:
    case.outbound_count += 1
    case.last_message_at = max(case.last_message_at, message.created_at)
    record_first_response(case, message.created_at)
    if case.status in {CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.REOPENED}:
        move_case(case, CaseStatus.WAITING_ON_RESIDENT, by=None)
    record(case, "reply_recorded", by=None, at=message.created_at, message_id=message.id)
