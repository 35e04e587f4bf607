"""Placeholders filled from the protocol: the topic's information link and its source for corrections."""

from __future__ import annotations

from types import SimpleNamespace

from webcare.accounts.models import Channel
from webcare.protocol.features import Topic
from webcare.replies.placeholders import fill, unfilled, values_for


def _case(topic):
    return SimpleNamespace(channel=Channel.X, author=None, topic=topic)


def _protocol(*topics):
    return SimpleNamespace(vocabulary=SimpleNamespace(topics=topics))


def test_link_and_source_come_from_the_cases_topic_and_stay_when_the_topic_has_none():
    protocol = _protocol(
        Topic(
            "windmolens", "windmolens", None, None, True, "https://example.nl/wind", "https://example.nl/feiten/wind"
        ),
        Topic("afval", "afval", None, "afval", False, "https://example.nl/afval"),
    )
    text = "Over {onderwerp}: {link}, zie ook {bron}."

    wind = fill(text, values_for(_case("windmolens"), by=None, protocol=protocol))
    waste = fill(text, values_for(_case("afval"), by=None, protocol=protocol))

    assert wind == "Over windmolens: https://example.nl/wind, zie ook https://example.nl/feiten/wind."
    assert unfilled(waste) == ["{bron}"] and "https://example.nl/afval" in waste
