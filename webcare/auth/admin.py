"""What an admin does to people and API tokens from the web: add, disable, change roles; create and revoke tokens.

The same rules as the CLI, plus one: an admin cannot lock the last admin out (by disabling or demoting them).
"""

from __future__ import annotations

from sqlalchemy import func, select

from webcare.auth.models import ApiToken, Role, User, UserRole
from webcare.auth.services import create_api_token
from webcare.extensions import db
from webcare.timeutil import utcnow

MIN_PASSWORD_LENGTH = 12


class LastAdmin(Exception):
    """The change would leave no active admin."""


class TokenNameTaken(Exception):
    pass


def users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.is_active_account.desc(), User.name, User.id)))


def tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.name)))


def _active_admins_other_than(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(User.id))
            .join(UserRole)
            .where(UserRole.role == Role.ADMIN, User.is_active_account.is_(True), User.id != user.id)
        )
        or 0
    )


def set_roles(user: User, roles: set[Role]) -> None:
    if (
        Role.ADMIN in user.roles
        and Role.ADMIN not in roles
        and user.is_active_account
        and not _active_admins_other_than(user)
    ):
        raise LastAdmin(user.email)
    user.role_grants = [grant for grant in user.role_grants if grant.role in roles] + [
        UserRole(role=role) for role in sorted(roles - user.roles)
    ]
    db.session.commit()


def set_active(user: User, active: bool) -> None:
    if not active and Role.ADMIN in user.roles and not _active_admins_other_than(user):
        raise LastAdmin(user.email)
    user.is_active_account = active
    db.session.commit()


def create_token(name: str) -> str:
    """A new named token; the plain text is returned for showing once and is not kept."""
    name = name.strip()
    if db.session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenNameTaken(name)
    return create_api_token(name)


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
