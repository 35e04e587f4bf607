"""The mandate matrix: the risk of a case, resolving who may send what, and editing the matrix (audited)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from webcare.auth.models import Role, User
from webcare.extensions import db
from webcare.inbox.models import CaseDecision, Priority
from webcare.mandates.models import (
    MandateChange,
    MandateRule,
    Permission,
    Risk,
    Visibility,
)
from webcare.timeutil import utcnow

# Features of the protocol decision that make any reply on the case high-risk.
HIGH_RISK_FEATURES = ("attack_on_named", "is_press", "is_political", "threat")
HIGH_RISK_TAGS = frozenset({"pers-politiek"})
# A person holding several roles gets the most permissive of their roles' verdicts.
_PERMISSIVENESS = {Permission.MAY_SEND: 2, Permission.NEEDS_APPROVAL: 1, Permission.MAY_NOT: 0}


class MandateError(Exception):
    """A mandate rule that cannot be saved as given."""


@dataclass(frozen=True)
class MandateVerdict:
    """What a person may do with one reply, and the rule that says so (None: no rule matched)."""

    permission: Permission
    rule: MandateRule | None
    topic: str | None
    risk: Risk
    is_public: bool

    @property
    def may_send(self) -> bool:
        return self.permission == Permission.MAY_SEND

    @property
    def rule_description(self) -> str:
        return self.rule.describe() if self.rule else gettext("no rule matched: approval needed by default")


def _applied_decision(case):
    if case.applied_decision_id is None:
        return None
    return db.session.get(CaseDecision, case.applied_decision_id)


def risk_of(case, *, is_public: bool | None = None) -> Risk:
    """How risky a reply on this case is; the one place that decides it.

    high:   the case is urgent or high priority, escalated (by the protocol or a person), or its
            decision found an attack on a named person, a threat, or a press or political author;
    medium: a public reply on a case of normal (or not yet known) priority;
    low:    a private reply, or a case of low priority.
    """
    replying_publicly = case.is_public if is_public is None else is_public
    if case.priority in (Priority.URGENT, Priority.HIGH) or case.action == "escalate" or case.escalated_to:
        return Risk.HIGH
    decision = _applied_decision(case)
    if decision is not None:
        features = decision.features or {}
        if any(features.get(name) for name in HIGH_RISK_FEATURES) or HIGH_RISK_TAGS.intersection(decision.tags or ()):
            return Risk.HIGH
        if decision.priority in (Priority.URGENT.value, Priority.HIGH.value) or decision.action == "escalate":
            return Risk.HIGH
    if not replying_publicly or case.priority == Priority.LOW:
        return Risk.LOW
    return Risk.MEDIUM


def _matches(rule: MandateRule, topic: str | None, risk: Risk, visibility: Visibility) -> bool:
    return (
        (rule.topic is None or rule.topic == topic)
        and (rule.risk is None or rule.risk == risk)
        and (rule.visibility is None or rule.visibility == visibility)
    )


def _specificity(rule: MandateRule) -> tuple:
    """More columns filled is more specific; at equal count, topic over risk over visibility."""
    return (rule.specificity, rule.topic is not None, rule.risk is not None, rule.visibility is not None)


def resolve(rules: list[MandateRule], user: User, *, topic: str | None, risk: Risk, is_public: bool) -> MandateVerdict:
    """Pick the winning rule for `user` among `rules` (pure).

    A matching rule for the person overrides every role rule; among them the most specific wins. Without
    one, each of the person's roles gives its most specific matching rule, and the most permissive of
    those wins (a lead who is also an agent keeps the lead's mandate). No matching rule at all means
    "needs approval": nothing is sent unseen by default.
    """
    visibility = Visibility.PUBLIC if is_public else Visibility.PRIVATE
    matching = [rule for rule in rules if _matches(rule, topic, risk, visibility)]
    personal = [rule for rule in matching if rule.user_id == user.id]
    if personal:
        winner = max(personal, key=_specificity)
        return MandateVerdict(winner.permission, winner, topic, risk, is_public)
    per_role = [
        max(candidates, key=_specificity)
        for role in user.roles
        if (candidates := [rule for rule in matching if rule.user_id is None and rule.role == role])
    ]
    if not per_role:
        return MandateVerdict(Permission.NEEDS_APPROVAL, None, topic, risk, is_public)
    winner = max(per_role, key=lambda rule: (_PERMISSIVENESS[rule.permission], _specificity(rule)))
    return MandateVerdict(winner.permission, winner, topic, risk, is_public)


def rules_for(user: User) -> list[MandateRule]:
    return list(
        db.session.scalars(
            select(MandateRule).where(or_(MandateRule.user_id == user.id, MandateRule.role.in_(list(user.roles))))
        )
    )


def mandate_for(user: User, case, *, is_public: bool | None = None) -> MandateVerdict:
    """What `user` may do with a reply on `case` (public or private)."""
    replying_publicly = case.is_public if is_public is None else is_public
    return resolve(
        rules_for(user),
        user,
        topic=case.topic,
        risk=risk_of(case, is_public=replying_publicly),
        is_public=replying_publicly,
    )


def matrix() -> list[MandateRule]:
    """Every rule, roles first, then people, each by topic, risk and visibility."""
    rules = list(db.session.scalars(select(MandateRule)))
    return sorted(
        rules,
        key=lambda r: (
            r.is_personal,
            r.role.value if r.role else (r.user.name if r.user else ""),
            r.topic or "",
            list(Risk).index(r.risk) if r.risk else -1,
            r.visibility.value if r.visibility else "",
        ),
    )


def history(limit: int = 50) -> list[MandateChange]:
    return list(db.session.scalars(select(MandateChange).order_by(MandateChange.id.desc()).limit(limit)))


def _same_cell(rule: MandateRule) -> MandateRule | None:
    query = select(MandateRule)
    if rule.id is not None:
        query = query.where(MandateRule.id != rule.id)
    for column, value in (
        (MandateRule.role, rule.role),
        (MandateRule.user_id, rule.user_id),
        (MandateRule.topic, rule.topic),
        (MandateRule.risk, rule.risk),
        (MandateRule.visibility, rule.visibility),
    ):
        query = query.where(column.is_(None) if value is None else column == value)
    return db.session.scalar(query.limit(1))


def _check(rule: MandateRule) -> None:
    if (rule.role is None) == (rule.user_id is None):
        raise MandateError(_l("a rule is for one role or for one person"))
    db.session.flush()
    if _same_cell(rule) is not None:
        raise MandateError(_l("a rule for this subject, topic, risk and visibility exists already; edit that one"))


def _log(rule_id: int, kind: str, *, by: User | None, before: dict | None, after: dict | None) -> None:
    db.session.add(MandateChange(rule_id=rule_id, kind=kind, by=by, before=before, after=after, at=utcnow()))


def add_rule(
    *,
    role: Role | None = None,
    user: User | None = None,
    topic: str | None = None,
    risk: Risk | None = None,
    visibility: Visibility | None = None,
    permission: Permission,
    by: User | None,
) -> MandateRule:
    """Add one rule to the matrix; the change is recorded with who and when."""
    rule = MandateRule(
        role=role,
        user=user,
        user_id=user.id if user else None,
        topic=topic or None,
        risk=risk,
        visibility=visibility,
        permission=permission,
        updated_by=by,
        updated_at=utcnow(),
    )
    db.session.add(rule)
    try:
        _check(rule)
    except MandateError:
        db.session.rollback()
        raise
    _log(rule.id, "added", by=by, before=None, after=rule.snapshot())
    db.session.commit()
    return rule


def change_rule(
    rule: MandateRule,
    *,
    role: Role | None = None,
    user: User | None = None,
    topic: str | None = None,
    risk: Risk | None = None,
    visibility: Visibility | None = None,
    permission: Permission,
    by: User | None,
) -> MandateRule:
    """Change one rule; the history keeps it as it was and as it is now."""
    before = rule.snapshot()
    rule.role, rule.user, rule.user_id = role, user, user.id if user else None
    rule.topic, rule.risk, rule.visibility, rule.permission = topic or None, risk, visibility, permission
    rule.updated_by, rule.updated_at = by, utcnow()
    try:
        _check(rule)
    except MandateError:
        db.session.rollback()
        raise
    after = rule.snapshot()
    if after != before:
        _log(rule.id, "changed", by=by, before=before, after=after)
    db.session.commit()
    return rule


def remove_rule(rule: MandateRule, *, by: User | None) -> None:
    """Remove one rule; the history keeps what it said."""
    _log(rule.id, "removed", by=by, before=rule.snapshot(), after=None)
    db.session.delete(rule)
    db.session.commit()
