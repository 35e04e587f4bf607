"""Rosters: who is on duty when, from rotations, overrides, leave and coverage targets."""

from webcare.roster.fileformat import (
    RosterFileError,
    RosterSpec,
    build_schedule,
    load_roster_file,
)

__all__ = ["RosterFileError", "RosterSpec", "build_schedule", "load_roster_file"]
