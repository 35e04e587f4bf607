"""Protocol versions in the database: storing, activating, and the active protocol for the worker."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from webcare.auth.models import User
from webcare.extensions import db
from webcare.protocol.engine import Priority
from webcare.protocol.loader import Protocol, protocol_from_text
from webcare.protocol.models import ProtocolVersion
from webcare.timeutil import utcnow

_compiled: dict[str, Protocol] = {}
_compiled_lock = threading.Lock()
# Which version is active is looked up at most this often per process; activation here resets it.
ACTIVE_LOOKUP_SECONDS = 5.0
_active: dict[str, tuple[float, int | None]] = {}


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compiled(version: ProtocolVersion) -> Protocol:
    """The compiled protocol of a stored version, compiled once per process."""
    with _compiled_lock:
        protocol = _compiled.get(version.content_hash)
        if protocol is None:
            protocol = _compiled[version.content_hash] = protocol_from_text(version.text, version.source_name)
        return protocol


def store_protocol(text: str, source_name: str, *, by: User | None) -> ProtocolVersion:
    """Validate a protocol (schema, lint, its own examples) and store it; the same text is stored once."""
    protocol = protocol_from_text(text, source_name)
    digest = content_hash(text)
    version = db.session.scalar(select(ProtocolVersion).where(ProtocolVersion.content_hash == digest))
    if version is None:
        version = ProtocolVersion(
            organisation=protocol.organisation,
            version=protocol.version,
            effective_from=protocol.effective_from.isoformat(),
            approved_by=protocol.approved_by,
            content_hash=digest,
            source_name=source_name,
            text=text,
            stored_by=by,
        )
        db.session.add(version)
        db.session.flush()
    with _compiled_lock:
        _compiled.setdefault(digest, protocol)
    return version


def activate_version(version: ProtocolVersion, *, by: User | None) -> ProtocolVersion:
    """Make a stored version the one the worker decides with; earlier versions stay viewable."""
    db.session.execute(update(ProtocolVersion).where(ProtocolVersion.id != version.id).values(is_active=False))
    version.is_active = True
    version.activated_at = utcnow()
    db.session.commit()
    _active.clear()
    return version


def activate_file(path: Path, *, by: User | None = None) -> ProtocolVersion:
    text = path.read_text(encoding="utf-8")
    return activate_version(store_protocol(text, path.name, by=by), by=by)


def active_version() -> ProtocolVersion | None:
    return db.session.scalar(select(ProtocolVersion).where(ProtocolVersion.is_active.is_(True)))


def active_version_cached() -> ProtocolVersion | None:
    """The active version, looked up at most every few seconds per process and database."""
    key = str(db.engine.url)
    checked_at, version_id = _active.get(key, (0.0, None))
    if time.monotonic() - checked_at > ACTIVE_LOOKUP_SECONDS:
        version = active_version()
        _active[key] = (time.monotonic(), version.id if version is not None else None)
        return version
    return db.session.get(ProtocolVersion, version_id) if version_id is not None else None


def active_protocol() -> Protocol | None:
    """The protocol the worker decides with; None before any is activated."""
    version = active_version_cached()
    return compiled(version) if version is not None else None


def versions() -> list[ProtocolVersion]:
    """Every stored version, newest first."""
    return list(db.session.scalars(select(ProtocolVersion).order_by(ProtocolVersion.id.desc())))


def normal_first_response_target() -> timedelta | None:
    """How soon the active protocol wants a normal-priority message answered (on any channel), if it says."""
    protocol = active_protocol()
    if protocol is None:
        return None
    targets = protocol.engine.targets.first_response
    normal = [
        target for (priority, channel), target in targets.items() if channel is None and priority == Priority.NORMAL
    ]
    return normal[0] if normal else min(targets.values(), default=None)
