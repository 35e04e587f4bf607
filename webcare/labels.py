"""The names people read for stored codes (statuses, channels, actions, priorities …), translated lazily.

Stored values and machine exports keep the codes; pages, mails and spreadsheet exports show these names.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHANNELS = {"x": "X", "facebook": "Facebook", "instagram": "Instagram", "whatsapp": "WhatsApp",
            "email": _l("E-mail"), "webform": _l("Web form")}
STATUSES = {
    "new": _l("New"), "open": _l("Open"), "waiting_on_approval": _l("Waiting on approval"),
    "waiting_on_resident": _l("Waiting on resident"), "waiting_on_department": _l("Waiting on department"),
    "resolved": _l("Resolved"), "closed": _l("Closed"), "ignored": _l("Ignored"), "reopened": _l("Reopened"),
}
ACTIONS = {"reply": _l("Reply"), "escalate": _l("Escalate"), "summarise": _l("Summarise"), "ignore": _l("Ignore")}
PRIORITIES = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}
BANDS = {"office": _l("Office"), "evening": _l("Evening"), "night": _l("Night"), "weekend": _l("Weekend"),
         "holiday": _l("Holiday")}
NORM = {"yes": _l("yes"), "no": _l("no")}

LABELS: dict[str, dict] = {
    "channel": CHANNELS,
    "status": STATUSES,
    "action": ACTIONS,
    "priority": PRIORITIES,
    "band": BANDS,
    "norm": NORM,
}


def label(kind: str, value) -> str:
    """The translated name of a stored code of `kind`; an unknown code is shown as it is."""
    if value is None:
        return ""
    code = getattr(value, "value", value)
    return str(LABELS.get(kind, {}).get(code, code))
