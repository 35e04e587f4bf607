from datetime import time, timedelta

from webcare.roster.engine import CLOSED_DAY, CoverageRule, Window
from webcare.roster.erlang import (
    coverage_by_hour_of_week,
    erlang_c,
    required_agents,
    service_level,
    staffing_per_hour_of_week,
)


def test_reference_case_of_100_contacts_per_half_hour_needs_14_agents_at_0888():
    advice = required_agents(100, timedelta(minutes=30), timedelta(minutes=3), timedelta(seconds=20), 0.80)
    assert advice.traffic == 10.0
    assert advice.agents == 14
    assert round(advice.service_level, 3) == 0.888


def test_one_agent_fewer_misses_the_target_in_the_reference_case():
    thirteen = service_level(13, 10.0, timedelta(minutes=3), timedelta(seconds=20))
    assert 0.7 < thirteen < 0.8


def test_erlang_c_stays_finite_for_large_teams():
    probability = erlang_c(1100, 1000.0)
    assert 0.0 < probability < 1.0
    advice = required_agents(20000, timedelta(hours=1), timedelta(minutes=3), timedelta(seconds=20), 0.8)
    assert 1000 < advice.agents < 1100


def test_no_arrivals_need_no_agents():
    assert required_agents(0, timedelta(hours=1), timedelta(minutes=5), timedelta(minutes=30), 0.8).agents == 0


def test_low_volume_hours_take_the_minimum_coverage_and_show_both_numbers():
    arrivals = {(0, 10): 2.0, (0, 11): 60.0}
    minimum = {(0, 10): 2, (0, 11): 2, (0, 12): 1}
    staffing = staffing_per_hour_of_week(arrivals, timedelta(minutes=6), timedelta(minutes=15), 0.8, minimum)
    assert (staffing[(0, 10)].workload_agents, staffing[(0, 10)].minimum_coverage, staffing[(0, 10)].needed) == (
        1,
        2,
        2,
    )
    assert staffing[(0, 11)].workload_agents > 2 and staffing[(0, 11)].needed == staffing[(0, 11)].workload_agents
    assert (staffing[(0, 12)].workload_agents, staffing[(0, 12)].needed) == (0, 1)


def test_coverage_rules_become_minimums_per_hour_of_week_with_overnight_hours_on_the_next_day():
    rules = [
        CoverageRule(Window(frozenset({4}), time(22), time(2)), minimum_people=1),
        CoverageRule(Window(frozenset({0}), time(8, 30), time(10)), minimum_people=2),
        CoverageRule(Window(frozenset({CLOSED_DAY}), time(10), time(12)), minimum_people=3),
    ]
    assert coverage_by_hour_of_week(rules) == {(4, 22): 1, (4, 23): 1, (5, 0): 1, (5, 1): 1, (0, 8): 2, (0, 9): 2}
