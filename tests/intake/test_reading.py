import sys
import threading

import pytest

from webcare.intake.reading import ReadAhead


def test_read_ahead_yields_every_item_in_order():
    with ReadAhead(iter(range(50))) as items:
        assert list(items) == list(range(50))


def test_prefetch_produces_the_next_item_in_another_thread_while_the_caller_waits():
    produced = threading.Event()
    threads = []

    def items():
        yield 1
        threads.append(threading.current_thread())
        produced.set()
        yield 2

    with ReadAhead(items()) as ahead:
        assert next(ahead) == 1
        ahead.prefetch()
        # Without prefetch nothing would produce item 2 until next() asks for it.
        assert produced.wait(timeout=30)
        assert next(ahead) == 2
    assert threads[0] is not threading.main_thread()


def test_an_error_in_the_producer_is_raised_to_the_caller():
    def items():
        yield "good"
        raise ValueError("disk gone")

    with ReadAhead(items()) as ahead:
        assert next(ahead) == "good"
        with pytest.raises(ValueError, match="disk gone"):
            next(ahead)


def test_leaving_early_stops_the_producer_and_restores_the_switch_interval():
    pulled = []

    def items():
        for number in range(1_000):
            pulled.append(number)
            yield number

    before = sys.getswitchinterval()
    with ReadAhead(items()) as ahead:
        assert sys.getswitchinterval() <= ReadAhead.SWITCH_INTERVAL
        next(ahead)
        ahead.prefetch()
    assert len(pulled) <= 2
    assert sys.getswitchinterval() == before
