"""Where templates, protocols and migrations live: links in the package to the top-level folders,
which the wheel copies in, so a checkout and an installed package look the same."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    return PACKAGE_DIR / name
