"""Single sign-on with OpenID Connect (Entra ID, Keycloak, …): settings, the Authlib client, and signing in.

Authorization code flow with PKCE (S256); Authlib keeps state, nonce and code verifier in the session and
checks them on return. The ID token's signature (the provider's JWKS), issuer, audience, expiry and nonce
are verified; the provider is found by discovery from the issuer URL. Users are created or updated from
the claims at every sign-in and their roles follow the mapped groups; a user in no mapped group is refused
and loses the roles held before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from sqlalchemy import select

from webcare.auth.models import Role, User, UserRole
from webcare.extensions import db

CLIENT_NAME = "oidc"
# Clock difference tolerated between us and the provider when checking exp and iat.
LEEWAY_SECONDS = 60


class SignInRefused(Exception):
    """The provider vouched for the person, but Webcare may not let them in (no mapped group, no e-mail)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NoMappedGroup(SignInRefused):
    def __init__(self):
        super().__init__("in none of the groups mapped to a role")


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str | None
    groups_claim: str
    scopes: str
    role_groups: dict[str, frozenset[Role]]  # group name (or id) → the roles it gives

    def roles_for(self, claims: dict[str, Any]) -> frozenset[Role]:
        groups = claims.get(self.groups_claim) or []
        if isinstance(groups, str):
            groups = [groups]
        return frozenset(role for group in groups for role in self.role_groups.get(str(group), ()))


def parse_role_groups(text: str) -> dict[str, frozenset[Role]]:
    """'agent=webcare-agents,lead=webcare-leads|team-leads' → {'webcare-agents': {agent}, …}."""
    mapping: dict[str, set[Role]] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        role_name, separator, groups = pair.partition("=")
        if not separator or role_name.strip() not in {role.value for role in Role}:
            raise ValueError(f"WEBCARE_OIDC_ROLE_GROUPS: {pair!r} is not role=group (roles: {', '.join(Role)})")
        for group in filter(None, (g.strip() for g in groups.split("|"))):
            mapping.setdefault(group, set()).add(Role(role_name.strip()))
    return {group: frozenset(roles) for group, roles in mapping.items()}


def settings_for(app: Flask) -> OidcSettings | None:
    issuer = app.config.get("WEBCARE_OIDC_ISSUER")
    if not issuer:
        return None
    return OidcSettings(
        issuer=issuer.rstrip("/"),
        client_id=app.config["WEBCARE_OIDC_CLIENT_ID"],
        client_secret=app.config.get("WEBCARE_OIDC_CLIENT_SECRET"),
        groups_claim=app.config.get("WEBCARE_OIDC_GROUPS_CLAIM") or "groups",
        scopes=app.config.get("WEBCARE_OIDC_SCOPES") or "openid email profile",
        role_groups=parse_role_groups(app.config.get("WEBCARE_OIDC_ROLE_GROUPS") or ""),
    )


def init_oidc(app: Flask) -> None:
    """Register the provider when WEBCARE_OIDC_ISSUER is set; its metadata is fetched on first use."""
    settings = settings_for(app)
    app.extensions["webcare_oidc"] = settings
    if settings is None:
        return
    if not settings.client_id:
        raise RuntimeError("WEBCARE_OIDC_ISSUER is set but WEBCARE_OIDC_CLIENT_ID is not")
    # One registry per app: Authlib caches the client and the provider's metadata in it.
    OAuth(app).register(
        CLIENT_NAME,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256"},
    )


def current_settings() -> OidcSettings | None:
    return current_app.extensions.get("webcare_oidc")


def client():
    return current_app.extensions["authlib.integrations.flask_client"].create_client(CLIENT_NAME)


def provider_metadata() -> dict[str, Any]:
    """The discovery document; its issuer must be the one configured (OpenID Connect Discovery 1.0, 4.3)."""
    metadata = client().load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != current_settings().issuer:
        raise SignInRefused("the provider's discovery document names another issuer")
    return metadata


def claims_options(settings: OidcSettings) -> dict[str, dict]:
    """What the ID token must say: our issuer, our client as its audience, an expiry."""
    return {
        "iss": {"essential": True, "values": [settings.issuer, settings.issuer + "/"]},
        "aud": {"essential": True, "values": [settings.client_id]},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }


def verified_claims() -> dict[str, Any]:
    """Finish the code flow of the current request: state, code exchange with PKCE, ID token checks."""
    settings = current_settings()
    provider_metadata()
    token = client().authorize_access_token(claims_options=claims_options(settings), leeway=LEEWAY_SECONDS)
    if "userinfo" not in token:  # no ID token, or no nonce in our state: never accept that
        raise SignInRefused("the provider sent no ID token")
    return dict(token["userinfo"])


def sign_in(claims: dict[str, Any], settings: OidcSettings) -> User:
    """The user these claims describe, created or updated, with the roles their groups give now."""
    subject = f"{settings.issuer}|{claims['sub']}"
    email = (claims.get("email") or claims.get("preferred_username") or "").strip().lower()
    user = db.session.scalar(select(User).where(User.oidc_subject == subject))
    roles = settings.roles_for(claims)
    if not roles:
        if user is not None:  # removed from the groups: the account keeps no role, so no access
            user.role_grants = []
            db.session.commit()
        raise NoMappedGroup()
    if user is None and email and claims.get("email_verified") is not False:
        # A local account with this address becomes this person's (providers that say the address is
        # unverified do not get to claim one).
        user = db.session.scalar(select(User).where(User.email == email, User.oidc_subject.is_(None)))
    if user is None:
        if not email or "@" not in email:
            raise SignInRefused("no e-mail address among the claims")
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            raise SignInRefused("the e-mail address belongs to another account")
        # No password: this account signs in through the provider only.
        user = User(email=email, name="", password_hash="")
        db.session.add(user)
    user.oidc_subject = subject
    user.name = (claims.get("name") or user.name or email)[:120]
    if email and "@" in email and email != user.email:
        taken = db.session.scalar(select(User.id).where(User.email == email, User.id != user.id))
        if taken is None:
            user.email = email
    user.role_grants = [grant for grant in user.role_grants if grant.role in roles] + [
        UserRole(role=role) for role in sorted(roles - user.roles)
    ]
    db.session.commit()
    return user
