"""Reading a JSONL stream into validated batches, a thread ahead of the database writes.

The import has two halves: decoding and validating lines is Python work that holds the GIL, while the
database's inserts and commits release it. Reading ahead in a thread overlaps them; at most one batch
is read ahead, so memory stays constant however long the file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Generic, TypeVar

from webcare.intake.parsing import (
    IncomingMessage,
    InvalidMessage,
    parse_json_line,
    parse_message,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RejectedLine:
    number: int
    reason: str
    raw: bytes


@dataclass(slots=True)
class LineBatch:
    accepted: list[tuple[IncomingMessage, str]] = field(default_factory=list)
    accepted_numbers: list[int] = field(default_factory=list)  # the line number of each accepted message
    rejected: list[RejectedLine] = field(default_factory=list)
    bytes_read: int = 0


def jsonl_batches(stream: IO[bytes], *, now: datetime, max_text_length: int, batch_size: int) -> Iterator[LineBatch]:
    """Parse a JSONL stream line by line; each batch holds up to `batch_size` good messages (with their
    raw line) and the bad lines met on the way, with their line number and reason. Blank lines are skipped."""
    batch = LineBatch()
    for number, line in enumerate(stream, start=1):
        batch.bytes_read += len(line)
        if not line.strip():
            continue
        try:
            message = parse_message(parse_json_line(line), now=now, max_text_length=max_text_length)
        except InvalidMessage as problem:
            batch.rejected.append(RejectedLine(number, str(problem), line.rstrip(b"\r\n")))
            continue
        batch.accepted.append((message, line.decode("utf-8").rstrip("\r\n")))
        batch.accepted_numbers.append(number)
        if len(batch.accepted) >= batch_size:
            yield batch
            batch = LineBatch()
    yield batch


_DONE = object()


class ReadAhead(Generic[T]):
    """Iterate `items`, producing the next item in a background thread from the moment `prefetch()` is called.

    Call it just before a long call that releases the GIL, such as a database write: producing the next
    item then runs beside that call instead of taking turns on the GIL with the caller's own Python
    work. Without `prefetch()` it behaves as a plain iterator. An exception in the producer is raised by `next`.

    As a context manager it also shortens the interpreter's switch interval (1 ms instead of 5): the
    caller comes back from each such call to a GIL the producer holds, and waits for it that long.
    """

    SWITCH_INTERVAL = 0.001

    def __init__(self, items: Iterable[T]) -> None:
        self._items = iter(items)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self._next: Future | None = None

    def __iter__(self) -> ReadAhead[T]:
        return self

    def prefetch(self) -> None:
        """Start producing the next item, unless that has started already."""
        if self._next is None:
            self._next = self._executor.submit(next, self._items, _DONE)

    def __next__(self) -> T:
        self.prefetch()
        pending, self._next = self._next, None
        item = pending.result()
        if item is _DONE:
            raise StopIteration
        return item

    def __enter__(self) -> ReadAhead[T]:
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, self.SWITCH_INTERVAL))
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        sys.setswitchinterval(self._switch_interval)
