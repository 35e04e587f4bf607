"""Fixtures for protocol tests: the default protocol, the minimal example and a way to vary it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from webcare.protocol import Protocol, load_protocol, protocol_from_text

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"
MINIMAL_TEXT = (PROTOCOLS / "examples" / "minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def gemeente() -> Protocol:
    return load_protocol(PROTOCOLS / "gemeente.yaml")


@pytest.fixture(scope="session")
def minimal() -> Protocol:
    return protocol_from_text(MINIMAL_TEXT, "minimal.yaml")


def line_number(text: str, fragment: str) -> int:
    """The 1-based line of the first occurrence of `fragment`."""
    return text[: text.index(fragment)].count("\n") + 1


@pytest.fixture
def varied_minimal() -> Callable[[str, str], str]:
    """The minimal protocol's text with one fragment replaced (the fragment must occur)."""

    def vary(old: str, new: str) -> str:
        assert old in MINIMAL_TEXT, old
        return MINIMAL_TEXT.replace(old, new, 1)

    return vary
