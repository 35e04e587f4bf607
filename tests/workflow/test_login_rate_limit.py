"""Log-in throttling: a growing delay per account and address, no lock-out by name, sprays alert the admins."""

from datetime import datetime, timedelta

from sqlalchemy import select

from webcare.auth import ratelimit
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.notifications.alerts import LOGIN_SPRAY, tell_admins_of_spray
from webcare.notifications.models import Notification
from webcare.timeutil import UTC, utcnow

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _fail(account: str, address: str, times: int, *, start: datetime = NOW) -> datetime:
    """`times` failures a second apart; returns the moment of the last."""
    for second in range(times):
        ratelimit.record_failure(account, address, now=start + timedelta(seconds=second))
    return start + timedelta(seconds=times - 1)


def test_the_delay_starts_after_a_few_failures_doubles_and_is_capped():
    delays = [ratelimit.growing_delay(failures, 3, timedelta(minutes=15)) for failures in (0, 2, 3, 4, 5, 12, 40)]

    assert delays == [
        timedelta(0),
        timedelta(0),
        timedelta(seconds=1),
        timedelta(seconds=2),
        timedelta(seconds=4),
        timedelta(seconds=512),
        timedelta(minutes=15),
    ]


def test_failures_from_one_address_slow_that_account_there_more_and_more(app):
    last = _fail("Piet@Example.org", "10.0.0.1", 3)
    assert ratelimit.delay_for("piet@example.org", "10.0.0.1", now=last).until == last + timedelta(seconds=1)

    last = _fail("piet@example.org", "10.0.0.1", 3, start=last + timedelta(seconds=2))

    assert ratelimit.delay_for("piet@example.org", "10.0.0.1", now=last).until == last + timedelta(seconds=8)
    assert ratelimit.delay_for("piet@example.org", "10.0.0.1", now=last + timedelta(seconds=9)) is None
    assert ratelimit.delay_for("anna@example.org", "10.0.0.1", now=last) is None


def test_the_right_person_from_a_new_address_is_not_held_up_by_someone_guessing_elsewhere(app):
    last = _fail("piet@example.org", "203.0.113.66", 9)

    assert ratelimit.delay_for("piet@example.org", "203.0.113.66", now=last) is not None
    assert ratelimit.delay_for("piet@example.org", "10.0.0.2", now=last) is None


def test_guessing_one_account_from_many_addresses_delays_it_by_at_most_half_a_minute(app):
    last = NOW
    for number in range(200):
        last = _fail("piet@example.org", f"198.51.100.{number}", 1, start=NOW + timedelta(seconds=number))

    delay = ratelimit.delay_for("piet@example.org", "10.0.0.2", now=last)

    assert delay is not None and delay.until - last == ratelimit.ACCOUNT_MAX_DELAY
    assert (
        ratelimit.delay_for(
            "piet@example.org", "10.0.0.2", now=last + ratelimit.ACCOUNT_MAX_DELAY + timedelta(seconds=1)
        )
        is None
    )


def test_many_failures_from_one_address_slow_every_account_from_there_but_no_other_address(app):
    for number in range(20):
        ratelimit.record_failure(f"user{number}@example.org", "192.0.2.7", now=NOW + timedelta(seconds=number))

    assert ratelimit.delay_for("new@example.org", "192.0.2.7", now=NOW + timedelta(seconds=19.5)) is not None
    assert ratelimit.delay_for("new@example.org", "192.0.2.8", now=NOW + timedelta(seconds=19.5)) is None


def test_a_successful_log_in_clears_the_failures_from_that_address_only(app):
    _fail("piet@example.org", "10.0.0.1", 2)
    _fail("piet@example.org", "203.0.113.66", 2)

    ratelimit.record_success("piet@example.org", "10.0.0.1")

    assert ratelimit.failure_count("piet@example.org", now=NOW + timedelta(seconds=5)) == 2


def test_old_failures_are_dropped_when_new_ones_are_recorded(app):
    ratelimit.record_failure("piet@example.org", "10.0.0.1", now=NOW)
    ratelimit.record_failure("piet@example.org", "10.0.0.1", now=NOW + timedelta(hours=1))

    assert ratelimit.failure_count("piet@example.org", now=NOW + timedelta(hours=1)) == 1


def _alerts(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == LOGIN_SPRAY)
        )
    )


def _fail_as_the_page_does(account: str, address: str, now: datetime) -> None:
    spray = ratelimit.record_failure(account, address, now=now)
    if spray is not None:
        tell_admins_of_spray(spray)


def test_a_spray_over_many_accounts_from_one_address_alerts_the_admins_once(app, make_user):
    admin, agent = make_user(Role.ADMIN), make_user(Role.AGENT)
    for number in range(4):
        _fail_as_the_page_does(f"user{number}@example.org", "192.0.2.7", NOW + timedelta(seconds=number))
    assert _alerts(admin) == []

    for number in range(4, 12):
        _fail_as_the_page_does(f"user{number}@example.org", "192.0.2.7", NOW + timedelta(seconds=number))
        _fail_as_the_page_does(
            f"user{number}@example.org", "192.0.2.7", NOW + timedelta(seconds=number, milliseconds=1)
        )

    alerts = _alerts(admin)
    assert len(alerts) == 1 and "192.0.2.7" in alerts[0].body and alerts[0].wants_email
    assert _alerts(agent) == []


def test_many_accounts_failing_from_many_addresses_in_a_short_time_alert_the_admins(app, make_user):
    admin = make_user(Role.ADMIN)
    for number in range(9):
        _fail_as_the_page_does(f"user{number}@example.org", f"198.51.100.{number}", NOW + timedelta(seconds=number))
    assert _alerts(admin) == []

    _fail_as_the_page_does("user9@example.org", "198.51.100.9", NOW + timedelta(seconds=9))

    assert len(_alerts(admin)) == 1


def _login(client, csrf_from, email, password, address):
    token = csrf_from(client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True))
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_log_in_page_answers_429_with_the_wait_for_the_address_that_kept_failing(client, make_user, csrf_from):
    user = make_user(Role.AGENT)
    _fail(user.email, "10.0.0.1", 8, start=utcnow())

    response = _login(client, csrf_from, user.email, "correct horse battery", "10.0.0.1")

    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 40
    page = response.get_data(as_text=True)
    assert "Te veel mislukte" in page or "Too many failed log-in attempts" in page
    assert client.get("/inbox").status_code == 302


def test_an_attacker_naming_the_whole_team_locks_no_one_out(client, make_user, csrf_from):
    team = [make_user(Role.AGENT) for _person in range(3)]
    for person in team:
        for _attempt in range(5):
            _login(client, csrf_from, person.email, "wrong", "203.0.113.66")

    for person in team:
        response = _login(client, csrf_from, person.email, "correct horse battery", "10.0.0.2")
        assert response.status_code == 302
        client.post("/logout", headers={"X-CSRFToken": csrf_from(client.get("/inbox").get_data(as_text=True))})


def test_a_successful_log_in_through_the_page_resets_the_count_for_that_address(client, make_user, auth):
    user = make_user(Role.AGENT)
    for _attempt in range(2):
        auth.login_as(user, password="wrong")

    assert auth.login_as(user).status_code == 302
    assert ratelimit.failure_count(user.email) == 0


def test_the_log_in_page_tells_the_admins_of_a_spray(client, make_user, csrf_from):
    admin = make_user(Role.ADMIN)
    for number in range(ratelimit.SPRAY_ACCOUNTS_PER_ADDRESS):
        _login(client, csrf_from, f"nobody{number}@example.org", "guess", "192.0.2.7")

    assert len(_alerts(admin)) == 1
