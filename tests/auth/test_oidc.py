"""Single sign-on against a real OpenID Connect provider on a local port: the flow and its failures."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import func, select

from tests.auth.conftest import CLIENT_ID, query, set_person, sign_up
from webcare.auth import oidc
from webcare.auth.models import Role, User
from webcare.extensions import db


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_login_page_offers_single_sign_on_only_when_configured(app, client, provider):
    assert "sign-in-sso" not in client.get("/login").get_data(as_text=True)
    sign_up(app, provider)

    page = client.get("/login").get_data(as_text=True)

    assert 'id="sign-in-sso"' in page and "Inloggen met uw organisatieaccount" in page


def test_the_request_to_the_provider_uses_pkce_state_and_nonce(sso, flow):
    authorize_url = flow.to_provider()
    params = query(authorize_url)

    assert authorize_url.startswith(f"{sso}/oauth2/authorize?")
    assert params["response_type"] == "code" and params["client_id"] == CLIENT_ID
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 20 and len(params["nonce"]) >= 20
    assert params["redirect_uri"] == "http://localhost/login/sso/callback"
    assert set(params["scope"].split()) >= {"openid", "email"}


def test_first_sign_in_creates_the_user_with_the_roles_of_the_groups(sso, flow, client):
    set_person(
        sso, "alice-sub", email="Alice@Lindeburg.example", name="Alice Jansen", groups=["webcare-agents", "other"]
    )

    response = flow.sign_in("alice-sub")

    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    user = _user("alice@lindeburg.example")
    assert user.name == "Alice Jansen" and user.roles == {Role.AGENT}
    assert user.oidc_subject == f"{sso}|alice-sub" and user.password_hash == ""
    assert client.get("/inbox").status_code == 200


def test_roles_follow_the_groups_at_every_sign_in_and_no_group_means_no_access(sso, flow, client):
    set_person(sso, "bob-sub", email="bob@lindeburg.example", name="Bob", groups=["webcare-agents"])
    flow.sign_in("bob-sub")
    client.post("/logout", headers={"X-CSRFToken": _csrf(client)})

    set_person(
        sso, "bob-sub", email="bob@lindeburg.example", name="Bob de Boer", groups=["webcare-leads", "webcare-agents"]
    )
    flow.sign_in("bob-sub")
    promoted = _user("bob@lindeburg.example")
    assert promoted.roles == {Role.AGENT, Role.LEAD} and promoted.name == "Bob de Boer"
    client.post("/logout", headers={"X-CSRFToken": _csrf(client)})

    set_person(sso, "bob-sub", email="bob@lindeburg.example", name="Bob de Boer", groups=["former-staff"])
    refused = flow.sign_in("bob-sub")

    assert refused.status_code == 403
    assert "geen toegang tot Webcare" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert _user("bob@lindeburg.example").roles == frozenset()
    assert client.get("/inbox").status_code == 302


def test_a_person_in_no_mapped_group_gets_a_clear_dutch_message_and_no_account(sso, flow, client):
    set_person(sso, "carol-sub", email="carol@lindeburg.example", name="Carol", groups=["finance"])

    response = flow.sign_in("carol-sub")

    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Uw account heeft geen toegang tot Webcare" in page and "Webcare-groep" in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert client.get("/inbox").status_code == 302


def test_a_replayed_state_is_refused(sso, flow, client, app):
    set_person(sso, "dave-sub", email="dave@lindeburg.example", name="Dave", groups=["webcare-agents"])
    callback = flow.consent(flow.to_provider(), "dave-sub")
    assert flow.back(callback).status_code == 302
    client.post("/logout", headers={"X-CSRFToken": _csrf(client)})

    replayed = flow.back(callback)
    elsewhere = app.test_client().get(callback)

    assert replayed.status_code == 400 and "al gebruikt of verlopen" in replayed.get_data(as_text=True)
    assert elsewhere.status_code == 400
    assert client.get("/inbox").status_code == 302


def test_an_expired_id_token_is_refused(app, client, expiring_provider, caplog):
    from tests.auth.conftest import Flow

    sign_up(app, expiring_provider)
    set_person(expiring_provider, "erin-sub", email="erin@lindeburg.example", name="Erin", groups=["webcare-agents"])

    response = Flow(client).sign_in("erin-sub")

    assert response.status_code == 400
    assert "single sign-on refused: ExpiredTokenError" in caplog.text
    assert "kon niet worden gecontroleerd" in response.get_data(as_text=True)
    assert _user("erin@lindeburg.example") is None


def test_sign_out_ends_the_session_and_the_providers_session(sso, flow, client):
    set_person(sso, "fay-sub", email="fay@lindeburg.example", name="Fay", groups=["webcare-agents"])
    flow.sign_in("fay-sub")

    response = client.post("/logout", headers={"X-CSRFToken": _csrf(client)})

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{sso}/oauth2/end_session?")
    assert query(location) == {"client_id": CLIENT_ID, "post_logout_redirect_uri": "http://localhost/login"}
    assert client.get("/inbox").status_code == 302


def test_an_existing_local_account_is_linked_by_its_e_mail_address(sso, flow, make_user):
    local = make_user(Role.ADMIN)
    set_person(sso, "admin-sub", email=local.email, name="Beheer", groups=["webcare-admins"])

    flow.sign_in("admin-sub")

    db.session.expire_all()
    linked = _user(local.email)
    assert linked.id == local.id and linked.oidc_subject == f"{sso}|admin-sub" and linked.roles == {Role.ADMIN}


def test_with_admin_only_local_login_passwords_work_for_administrators_only(app, client, make_user, auth):
    app.config["WEBCARE_LOCAL_LOGIN"] = "admin-only"
    agent, admin = make_user(Role.AGENT), make_user(Role.ADMIN)

    refused = auth.login_as(agent)
    assert refused.status_code == 401 and client.get("/inbox").status_code == 302
    assert "noodtoegang" in client.get("/login").get_data(as_text=True)
    assert auth.login_as(admin).status_code == 302


def _csrf(client) -> str:
    from tests.conftest import _csrf_from

    return _csrf_from(client.get("/inbox").get_data(as_text=True))


# --- The ID token checks, on tokens signed here with a test key (the mock provider signs only valid ones) --------


@pytest.fixture
def local_signer(sso, app):
    """A key of our own, put in place of the provider's key set in the registered client's metadata."""
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    client = oidc.client()
    client.load_server_metadata()
    client.server_metadata["jwks"] = KeySet([key]).as_dict(private=False)

    def sign(signing_key: RSAKey = key, **overrides) -> dict:
        now = int(time.time())
        claims = {"iss": sso, "sub": "mallory", "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": "n-1"}
        claims.update(overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        return {"id_token": jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, signing_key), "access_token": "at"}

    return sign


def _verify(token: dict, nonce: str = "n-1"):
    settings = oidc.current_settings()
    return oidc.client().parse_id_token(
        token, nonce=nonce, claims_options=oidc.claims_options(settings), leeway=oidc.LEEWAY_SECONDS
    )


def test_the_id_token_check_accepts_a_token_for_us(local_signer):
    assert _verify(local_signer())["sub"] == "mallory"


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "another-app"},
        {"aud": "another-app", "azp": CLIENT_ID},  # Authlib's own checks let this one through
        {"iss": "http://evil.example"},
        {"exp": int(time.time()) - 3600},
        {"nonce": "someone-elses-nonce"},
        {"exp": None},
    ],
    ids=["wrong-audience", "wrong-audience-with-our-azp", "wrong-issuer", "expired", "wrong-nonce", "no-expiry"],
)
def test_the_id_token_check_refuses(local_signer, overrides):
    from joserfc.errors import JoseError

    with pytest.raises(JoseError):
        _verify(local_signer(**overrides))


def test_the_id_token_check_refuses_a_token_signed_with_another_key(local_signer):
    from joserfc.errors import BadSignatureError

    forged = RSAKey.generate_key(2048, parameters={"kid": "test-key"})

    with pytest.raises(BadSignatureError):
        _verify(local_signer(signing_key=forged))


def test_a_discovery_document_that_names_another_issuer_is_not_trusted(sso, flow, client):
    set_person(sso, "gus-sub", email="gus@lindeburg.example", name="Gus", groups=["webcare-agents"])
    callback = flow.consent(flow.to_provider(), "gus-sub")
    oidc.client().server_metadata["issuer"] = "http://evil.example"  # as if discovery had said so

    response = flow.back(callback)

    assert response.status_code == 400
    assert "kon niet worden gecontroleerd" in response.get_data(as_text=True)
    assert _user("gus@lindeburg.example") is None and client.get("/inbox").status_code == 302


def test_an_unverified_e_mail_address_does_not_take_over_a_local_account(sso, flow, make_user):
    local = make_user(Role.ADMIN)
    set_person(sso, "eve-sub", email=local.email, email_verified=False, name="Eve", groups=["webcare-agents"])

    response = flow.sign_in("eve-sub")

    db.session.expire_all()
    assert response.status_code == 400
    assert _user(local.email).oidc_subject is None and _user(local.email).roles == {Role.ADMIN}
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_person_in_no_group_does_not_strip_a_local_account_with_the_same_address(sso, flow, make_user):
    break_glass = make_user(Role.ADMIN)
    set_person(sso, "stranger-sub", email=break_glass.email, name="Stranger", groups=["finance"])

    assert flow.sign_in("stranger-sub").status_code == 403

    db.session.expire_all()
    assert _user(break_glass.email).roles == {Role.ADMIN} and _user(break_glass.email).oidc_subject is None


def test_a_provider_that_does_not_answer_gets_a_clear_message(app, client, insecure_transport):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        silent = f"http://127.0.0.1:{probe.getsockname()[1]}"
    sign_up(app, silent)

    response = client.get("/login/sso")

    assert response.status_code == 502
    assert "De identiteitsprovider antwoordt niet" in response.get_data(as_text=True)
