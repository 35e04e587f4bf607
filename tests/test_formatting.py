"""Durations, numbers, percentages and weekdays read the way people write them, in Dutch and in English."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import force_locale

from webcare.formatting import decimal, duration, exact_minutes, percent, weekday_date, weekday_name


def test_durations_read_in_days_hours_and_minutes_in_dutch(app):
    with app.test_request_context(), force_locale("nl"):
        assert duration(timedelta(days=2, hours=3, minutes=20)) == "2 d 3 u"
        assert duration(45 * 60) == "45 min"
        assert duration(timedelta(hours=1, minutes=5)) == "1 u 05 min"
        assert duration(-timedelta(minutes=90)) == "-1 u 30 min"
        assert duration(None) == "" and duration(None, empty="–") == "–"
        assert exact_minutes(18171.5 * 60) == "18.171,5 min"


def test_durations_read_in_english_as_the_second_locale(app):
    with app.test_request_context(), force_locale("en"):
        assert duration(timedelta(days=2, hours=3)) == "2 d 3 h"
        assert duration(timedelta(hours=1, minutes=5)) == "1 h 05 min"
        assert exact_minutes(18171.5 * 60) == "18,171.5 min"


def test_numbers_and_percentages_take_the_locales_decimal_sign(app):
    with app.test_request_context(), force_locale("nl"):
        assert (decimal(678.25), decimal(2.5, 2), decimal(None)) == ("678,2", "2,50", "–")
        assert (percent(0.502), percent(2 / 3), percent(None)) == ("50,2%", "66,7%", "–")
    with app.test_request_context(), force_locale("en"):
        assert (decimal(1234.5), percent(0.502)) == ("1,234.5", "50.2%")


def test_weekdays_come_from_the_locale(app):
    monday = date(2026, 11, 30)
    with app.test_request_context(), force_locale("nl"):
        assert weekday_date(monday) == "ma 30-11"
        assert weekday_name(6) == "zo"
    with app.test_request_context(), force_locale("en"):
        assert weekday_date(monday) == "Mon 30-11"
