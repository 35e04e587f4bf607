"""A refused request says in Dutch what to do, instead of a bare error page."""

from __future__ import annotations

from webcare.auth.models import Role


def test_an_expired_form_says_to_reload_and_send_again(client, make_user):
    user = make_user(Role.AGENT)

    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Het formulier is verlopen" in page and 'role="alert"' in page
    assert "CSRF token" not in page


def test_an_unknown_inbox_filter_says_to_choose_from_the_list(client, auth, make_user):
    auth.login_as(make_user(Role.AGENT))

    response = client.get("/inbox?status=bogus")

    assert response.status_code == 400
    assert "kies er een uit de lijst" in response.get_data(as_text=True)
