from datetime import UTC, datetime, time

import icalendar

from tests.roster.builders import local, person, rotation
from webcare.roster.engine import Roster, ShiftKind, compute_schedule
from webcare.roster.ical import PRODUCT_ID, ical_feed

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TEAM = (person("anna"), person("bram"))


def schedule():
    evenings = rotation(("anna", "bram"), start=time(17), end=time(22), kind=ShiftKind.EVENING)
    office = rotation(("bram",), rotation_id="office", start=time(9), end=time(17))
    return compute_schedule(Roster(TEAM, (evenings, office)), local(2026, 3, 2), local(2026, 3, 4))


def events(feed: bytes) -> list:
    calendar = icalendar.Calendar.from_ical(feed)
    assert str(calendar["prodid"]) == PRODUCT_ID and str(calendar["version"]) == "2.0"
    return list(calendar.walk("VEVENT"))


def test_person_feed_parses_back_with_utc_times_kind_in_summary_and_dtstamp(app):
    parsed = events(ical_feed(schedule(), now=NOW, person_id="anna"))
    assert [(event.decoded("dtstart"), event.decoded("dtend"), str(event["summary"])) for event in parsed] == [
        (local(2026, 3, 2, 17), local(2026, 3, 2, 22), "Webcare avonddienst"),
    ]
    assert parsed[0].decoded("dtstart").tzinfo.utcoffset(None).total_seconds() == 0
    assert parsed[0].decoded("dtstamp") == NOW
    assert b"DTSTART:20260302T160000Z" in ical_feed(schedule(), now=NOW, person_id="anna")


def test_uids_are_stable_across_feeds_and_unique_within_one():
    first = [str(event["uid"]) for event in events(ical_feed(schedule(), now=NOW, person_id="bram"))]
    later = [
        str(event["uid"])
        for event in events(ical_feed(schedule(), now=datetime(2026, 3, 2, tzinfo=UTC), person_id="bram"))
    ]
    assert first == later
    assert len(set(first)) == len(first) == 3


def test_team_feed_has_one_event_per_stretch_with_names_in_the_summary(app):
    parsed = events(ical_feed(schedule(), now=NOW))
    summaries = [str(event["summary"]) for event in parsed]
    assert summaries == [
        "Webcare kantoordienst: Bram",
        "Webcare avonddienst: Anna",
        "Webcare kantoordienst: Bram",
        "Webcare avonddienst: Bram",
    ]
