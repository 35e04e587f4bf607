"""Accounts and credentials: creating users and API tokens, checking passwords and tokens."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from webcare.auth.models import ApiToken, Role, Team, User, UserRole
from webcare.extensions import db
from webcare.timeutil import utcnow

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps the time for an unknown e-mail address equal to a wrong password.

    Made on first use: hashing costs a third of a second, which every command would pay at import.
    """
    return _hasher.hash("not-a-password")


class UserExists(Exception):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    email: str, name: str, password: str, roles: set[Role], *, team: Team | None = None, locale: str | None = None
) -> User:
    email = email.strip().lower()
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise UserExists(email)
    user = User(email=email, name=name, password_hash=hash_password(password), team=team, locale=locale)
    user.role_grants = [UserRole(role=role) for role in sorted(roles)]
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def create_api_token(name: str) -> str:
    """Create a named token; the plain token is returned once and only its digest is stored."""
    token = "wc_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(name=name, token_digest=ApiToken.digest(token)))
    db.session.commit()
    return token


def token_for(bearer: str) -> ApiToken | None:
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_digest == ApiToken.digest(bearer), ApiToken.revoked_at.is_(None))
    )
    if token is not None:
        token.last_used_at = utcnow()
    return token
