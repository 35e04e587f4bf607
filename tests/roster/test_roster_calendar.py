from datetime import date

from webcare.roster.calendar import ClosingDay, ClosingPolicy, LiberationDay, closed_dates, closing_day_names


def names_in(year: int, policy: ClosingPolicy = ClosingPolicy()) -> dict[date, str]:
    return closing_day_names(date(year, 1, 1), date(year, 12, 31), policy)


def test_koningsdag_2026_is_monday_27_april():
    assert names_in(2026)[date(2026, 4, 27)] == "Koningsdag"
    assert date(2026, 4, 27).weekday() == 0


def test_koningsdag_2025_moves_to_saturday_26_april_because_the_27th_is_a_sunday():
    names = names_in(2025)
    assert names[date(2025, 4, 26)] == "Koningsdag"
    assert date(2025, 4, 27) not in names


def test_good_friday_is_a_closing_day_only_when_the_organisation_chooses_so():
    good_friday = date(2026, 4, 3)
    assert names_in(2026, ClosingPolicy(good_friday_closed=True))[good_friday] == "Goede vrijdag"
    assert good_friday not in names_in(2026, ClosingPolicy(good_friday_closed=False))


def test_bevrijdingsdag_under_the_lustrum_choice_closes_only_every_five_years():
    lustrum = ClosingPolicy(liberation_day=LiberationDay.LUSTRUM)
    assert names_in(2025, lustrum)[date(2025, 5, 5)] == "Bevrijdingsdag"
    assert date(2026, 5, 5) not in names_in(2026, lustrum)
    assert date(2030, 5, 5) in names_in(2030, lustrum)


def test_bevrijdingsdag_under_the_yearly_choice_closes_every_year():
    yearly = ClosingPolicy(liberation_day=LiberationDay.YEARLY)
    assert names_in(2026, yearly)[date(2026, 5, 5)] == "Bevrijdingsdag"
    assert names_in(2025, yearly)[date(2025, 5, 5)] == "Bevrijdingsdag"


def test_names_are_dutch_and_extra_closing_days_keep_their_own_name():
    policy = ClosingPolicy(extra_days=(ClosingDay(date(2026, 12, 24), "Kerstavond"),))
    names = names_in(2026, policy)
    assert names[date(2026, 12, 24)] == "Kerstavond"
    assert names[date(2026, 5, 14)] == "Hemelvaartsdag"
    assert names[date(2026, 12, 26)] == "Tweede kerstdag"


def test_closed_dates_keep_to_the_requested_range_across_years():
    dates = closed_dates(date(2025, 12, 20), date(2026, 1, 5), ClosingPolicy())
    assert dates == {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)}
