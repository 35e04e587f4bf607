"""Access checks in one named place: roles for views, bearer tokens for the API."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_login import current_user, login_required

from webcare.auth.models import Role
from webcare.auth.services import token_for
from webcare.extensions import db


def role_required(*roles: Role):
    """Logged-in users holding one of `roles`; others get 403, anonymous visitors the login page."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorate


ANY_STAFF = (Role.AGENT, Role.LEAD, Role.MANAGER, Role.ADMIN, Role.RECORDS_MANAGER, Role.PRIVACY_OFFICER)


def token_required(view):
    """API requests with a valid `Authorization: Bearer` token; 401 otherwise."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
        token = token_for(bearer.strip()) if scheme.lower() == "bearer" and bearer.strip() else None
        if token is None:
            db.session.rollback()
            abort(401, description="a valid bearer token is required")
        g.api_token = token
        return view(*args, **kwargs)

    return wrapped
