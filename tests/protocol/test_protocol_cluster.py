"""Clusters: similar messages in a window form a wave; different or old messages do not."""

from __future__ import annotations

from datetime import datetime, timedelta

from webcare.protocol.cluster import ClusterTracker, dice, signature
from webcare.timeutil import UTC

START = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def test_stop_words_handles_and_word_endings_do_not_count_in_the_signature():
    assert signature("@gemeente De windmolens zijn echt lelijk!") == signature("windmolen lelijk")


def test_similar_messages_join_one_cluster_that_grows():
    tracker = ClusterTracker(window=timedelta(hours=2))
    texts = [
        "De markt moet in het centrum blijven!",
        "markt blijft in het centrum, anders ga ik niet meer",
        "Laat de markt in het centrum!!",
        "Markt in centrum houden aub",
    ]
    sizes = [tracker.add(str(index), START + timedelta(minutes=index), text).size for index, text in enumerate(texts)]
    assert sizes == [1, 2, 3, 4]


def test_a_different_message_starts_its_own_cluster():
    tracker = ClusterTracker()
    first = tracker.add("1", START, "markt moet in het centrum blijven")
    other = tracker.add("2", START, "wanneer wordt mijn kliko geleegd")
    assert other.cluster_id == "2" and other.size == 1
    assert tracker.size_of(first.cluster_id, START) == 1


def test_messages_older_than_the_window_leave_the_cluster():
    tracker = ClusterTracker(window=timedelta(hours=1))
    first = tracker.add("1", START, "markt moet in het centrum blijven")
    tracker.add("2", START + timedelta(minutes=30), "markt in het centrum blijven")
    later = tracker.add("3", START + timedelta(minutes=70), "markt centrum blijven graag")
    assert later.cluster_id == first.cluster_id
    assert later.size == 2
    assert tracker.size_of(first.cluster_id, START + timedelta(hours=3)) == 0


def test_memory_stays_bounded_by_max_messages():
    tracker = ClusterTracker(window=timedelta(days=1), max_messages=50)
    for index in range(500):
        tracker.add(str(index), START + timedelta(seconds=index), f"bericht nummer {index} over onderwerp{index % 7}")
    assert len(tracker) == 50


def test_dice_of_empty_signatures_is_zero():
    assert dice(frozenset(), frozenset({"markt"})) == 0.0
