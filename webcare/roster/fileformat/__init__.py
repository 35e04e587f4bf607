"""The roster YAML file format: validation with file/line/path errors and loading into the engine."""

from .loader import (
    RosterFileError,
    RosterSpec,
    build_schedule,
    load_roster_file,
    parse_roster,
)
from .schema import ROSTER_SCHEMA

__all__ = ["ROSTER_SCHEMA", "RosterFileError", "RosterSpec", "build_schedule", "load_roster_file", "parse_roster"]
