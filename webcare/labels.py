"""The names people read for stored codes (statuses, channels, actions, priorities …), translated lazily.

Stored values and machine exports keep the codes; pages, mails and spreadsheet exports show these names.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHANNELS = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "whatsapp": "WhatsApp",
    "email": _l("E-mail"),
    "webform": _l("Web form"),
}
STATUSES = {
    "new": _l("New"),
    "open": _l("Open"),
    "waiting_on_approval": _l("Waiting on approval"),
    "waiting_on_resident": _l("Waiting on resident"),
    "waiting_on_department": _l("Waiting on department"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "ignored": _l("Ignored"),
    "reopened": _l("Reopened"),
}
ACTIONS = {"reply": _l("Reply"), "escalate": _l("Escalate"), "summarise": _l("Summarise"), "ignore": _l("Ignore")}
PRIORITIES = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}
BANDS = {
    "office": _l("Office"),
    "evening": _l("Evening"),
    "night": _l("Night"),
    "weekend": _l("Weekend"),
    "holiday": _l("Holiday"),
}
NORM = {"yes": _l("yes"), "no": _l("no")}
SHIFT_KINDS = {"office": _l("office"), "evening": _l("evening"), "weekend": _l("weekend"), "on_call": _l("on call")}
FREQUENCIES = {"daily": _l("daily"), "weekly": _l("weekly")}
ROLES = {
    "agent": _l("Agent"),
    "lead": _l("Team lead"),
    "manager": _l("Manager"),
    "admin": _l("Administrator"),
    "records_manager": _l("Records manager"),
    "privacy_officer": _l("Privacy officer"),
}
RISKS = {"low": _l("low"), "medium": _l("medium"), "high": _l("high")}
VISIBILITIES = {"public": _l("public"), "private": _l("private")}
PERMISSIONS = {"may_send": _l("may send"), "needs_approval": _l("needs approval"), "may_not": _l("may not")}
EVENTS = {
    "case_opened": _l("Case opened"),
    "message_received": _l("Message received"),
    "reply_recorded": _l("Reply recorded"),
    "status_changed": _l("Status changed"),
    "reopened": _l("Reopened"),
    "claimed": _l("Claimed"),
    "assigned": _l("Assigned"),
    "reassigned": _l("Reassigned"),
    "note": _l("Internal note"),
    "escalated": _l("Escalated"),
    "department_answered": _l("Department answered"),
    "resolved": _l("Resolved"),
    "ignored": _l("Ignored"),
    "decided": _l("Protocol decision"),
    "approval_requested": _l("Approval requested"),
    "bundled": _l("Added to a bundle"),
    "answered_by_bundle": _l("Answered by the bundle's summary"),
    "reply_queued": _l("Reply queued for sending"),
    "reply_sent": _l("Reply sent"),
    "reply_failed": _l("Reply not delivered"),
    "reply_retried": _l("Reply sent again"),
    "reply_rejected": _l("Reply rejected"),
    "reply_approved": _l("Reply approved"),
    "delivery_failed": _l("Delivery failed"),
    "waiting_for_shift": _l("Waiting for a shift"),
    "transferred": _l("Transferred to the archive"),
    "destroyed": _l("Destroyed under the retention schedule"),
    "legal_hold_placed": _l("Placed on hold"),
    "legal_hold_lifted": _l("Hold lifted"),
}
SWAP_STATUSES = {"open": _l("open"), "taken": _l("taken"), "rejected": _l("rejected"), "past_due": _l("past due")}

LABELS: dict[str, dict] = {
    "channel": CHANNELS,
    "status": STATUSES,
    "action": ACTIONS,
    "priority": PRIORITIES,
    "band": BANDS,
    "norm": NORM,
    "shift_kind": SHIFT_KINDS,
    "frequency": FREQUENCIES,
    "swap_status": SWAP_STATUSES,
    "event": EVENTS,
    "role": ROLES,
    "risk": RISKS,
    "visibility": VISIBILITIES,
    "permission": PERMISSIONS,
}


def label(kind: str, value) -> str:
    """The translated name of a stored code of `kind`; an unknown code is shown as it is."""
    if value is None:
        return ""
    code = getattr(value, "value", value)
    return str(LABELS.get(kind, {}).get(code, code))
