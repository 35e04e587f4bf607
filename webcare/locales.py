"""The languages the interface speaks, Dutch first, and which one a request gets."""

from __future__ import annotations

from flask import has_request_context, session
from flask_login import current_user

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"


def select_locale() -> str:
    """The language chosen in this session, else the user's own, else Dutch (also outside a request: the CLI,
    the scheduler and mails speak the default language)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return DEFAULT_LOCALE
