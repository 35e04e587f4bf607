"""Sensible mandates for the demo organisation (Lindeburg)."""

from __future__ import annotations

from sqlalchemy import select

from webcare.auth.models import Role, User
from webcare.extensions import db
from webcare.mandates.models import MandateRule, Permission, Risk, Visibility
from webcare.mandates.services import add_rule

SENSITIVE_TOPICS = ("asielopvang", "windmolens", "bestuur")


def seed_demo_mandates() -> int:
    """Agents answer low and medium risk themselves; high risk and sensitive topics go past a lead.

    Does nothing when the matrix already holds rules; returns the number of rules added.
    """
    if db.session.scalar(select(MandateRule.id).limit(1)) is not None:
        return 0
    rules = [
        dict(role=Role.AGENT, risk=Risk.LOW, permission=Permission.MAY_SEND),
        dict(role=Role.AGENT, risk=Risk.MEDIUM, permission=Permission.MAY_SEND),
        dict(role=Role.AGENT, risk=Risk.HIGH, permission=Permission.NEEDS_APPROVAL),
        *(dict(role=Role.AGENT, topic=topic, permission=Permission.NEEDS_APPROVAL) for topic in SENSITIVE_TOPICS),
        dict(
            role=Role.AGENT,
            topic="bestuur",
            risk=Risk.HIGH,
            visibility=Visibility.PUBLIC,
            permission=Permission.MAY_NOT,
        ),
        dict(role=Role.LEAD, permission=Permission.MAY_SEND),
    ]
    newcomer = db.session.scalar(select(User).where(User.email == "priya@lindeburg.example"))
    if newcomer is not None:
        rules.append(
            dict(user=newcomer, risk=Risk.MEDIUM, visibility=Visibility.PUBLIC, permission=Permission.NEEDS_APPROVAL)
        )
    for rule in rules:
        add_rule(**rule, by=None)
    return len(rules)
