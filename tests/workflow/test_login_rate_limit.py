"""Log-in rate limiting: per account and per address, in the database, reset on success, 429 with a reason."""

from datetime import datetime, timedelta

from webcare.auth import ratelimit
from webcare.auth.models import Role
from webcare.timeutil import UTC

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_five_failures_for_one_account_lock_it_for_fifteen_minutes_from_the_first(app):
    for minute in range(5):
        assert ratelimit.lockout_for("Piet@Example.org", "10.0.0.1", now=NOW + timedelta(minutes=minute)) is None
        ratelimit.record_failure("Piet@Example.org", "10.0.0.1", now=NOW + timedelta(minutes=minute))

    lock = ratelimit.lockout_for("piet@example.org", "10.0.0.2", now=NOW + timedelta(minutes=5))
    assert lock is not None and lock.until == NOW + timedelta(minutes=15)
    assert ratelimit.lockout_for("piet@example.org", "10.0.0.2", now=NOW + timedelta(minutes=15, seconds=1)) is None
    assert ratelimit.lockout_for("anna@example.org", "10.0.0.1", now=NOW + timedelta(minutes=5)) is None


def test_twenty_failures_from_one_address_lock_every_account_from_there(app):
    for number in range(20):
        ratelimit.record_failure(f"user{number}@example.org", "192.0.2.7", now=NOW + timedelta(seconds=number))

    assert ratelimit.lockout_for("new@example.org", "192.0.2.7", now=NOW + timedelta(minutes=1)) is not None
    assert ratelimit.lockout_for("new@example.org", "192.0.2.8", now=NOW + timedelta(minutes=1)) is None


def test_a_successful_log_in_clears_the_accounts_failures(app):
    for minute in range(4):
        ratelimit.record_failure("piet@example.org", "10.0.0.1", now=NOW + timedelta(minutes=minute))

    ratelimit.record_success("piet@example.org")
    ratelimit.record_failure("piet@example.org", "10.0.0.1", now=NOW + timedelta(minutes=5))

    assert ratelimit.failure_count("piet@example.org", now=NOW + timedelta(minutes=5)) == 1
    assert ratelimit.lockout_for("piet@example.org", "10.0.0.1", now=NOW + timedelta(minutes=5)) is None


def test_old_failures_are_dropped_when_new_ones_are_recorded(app):
    ratelimit.record_failure("piet@example.org", "10.0.0.1", now=NOW)
    ratelimit.record_failure("piet@example.org", "10.0.0.1", now=NOW + timedelta(hours=1))

    assert ratelimit.failure_count("piet@example.org", now=NOW + timedelta(hours=1)) == 1


def test_the_log_in_page_answers_429_with_a_reason_even_for_the_right_password(client, make_user, auth):
    user = make_user(Role.AGENT)
    for _attempt in range(5):
        assert auth.login_as(user, password="wrong").status_code == 401

    response = auth.login_as(user)

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "Te veel mislukte" in page or "Too many failed log-in attempts" in page
    assert client.get("/inbox").status_code == 302


def test_a_successful_log_in_through_the_page_resets_the_count(client, make_user, auth):
    user = make_user(Role.AGENT)
    for _attempt in range(4):
        auth.login_as(user, password="wrong")

    assert auth.login_as(user).status_code == 302
    assert ratelimit.failure_count(user.email) == 0
