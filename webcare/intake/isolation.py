"""Writing a batch so that a record the database refuses costs no other record: it is found and set aside.

Validation (`parsing`) matches the columns, so a refusal here means a record that slipped past it; the
batch is written under a savepoint and, when refused, split in halves until the refused records stand alone.
Only refusals of the data itself count: an outage or a lock still fails the whole batch, to be run again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import TypeVar

import psycopg
from sqlalchemy import exc

from webcare.extensions import db

T = TypeVar("T")
R = TypeVar("R")

REFUSALS = (
    exc.DataError, exc.IntegrityError,
    psycopg.DataError, psycopg.IntegrityError,
    sqlite3.DataError, sqlite3.IntegrityError,
    OverflowError,  # sqlite3 binding an integer wider than 64 bits
)  # fmt: skip


def refusal_reason(error: BaseException) -> str:
    """The database's own words, first line only, without SQLAlchemy's statement dump."""
    original = getattr(error, "orig", None) or error
    words = str(original).strip().splitlines()
    return "the database refused it: " + (words[0] if words else type(original).__name__)


def write_isolating(
    records: Sequence[T], write: Callable[[Sequence[T]], R], *, refused: Callable[[T, str], None]
) -> list[tuple[Sequence[T], R]]:
    """Write `records` with `write`; those the database refuses go to `refused` with the reason.

    Returns each written part with what `write` returned for it, in order. Flushes only.
    """
    if not records:
        return []
    try:
        with db.session.begin_nested():
            return [(records, write(records))]
    except REFUSALS as error:
        if len(records) == 1:
            refused(records[0], refusal_reason(error))
            return []
    middle = len(records) // 2
    return write_isolating(records[:middle], write, refused=refused) + write_isolating(
        records[middle:], write, refused=refused
    )
