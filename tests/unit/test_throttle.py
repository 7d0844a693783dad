import datetime as dt

from silkgate.kernel.throttle import HeldBack, seconds_left, window_start

AT = dt.datetime(2026, 11, 29, 10, 7, 31, 500_000, tzinfo=dt.UTC)


def test_windows_start_at_multiples_of_their_length_whoever_counts():
    assert window_start(AT, 300) == dt.datetime(2026, 11, 29, 10, 5, tzinfo=dt.UTC)
    assert window_start(AT, 60) == dt.datetime(2026, 11, 29, 10, 7, tzinfo=dt.UTC)
    east = AT.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert window_start(east, 300) == window_start(AT, 300)


def test_retry_after_is_whole_seconds_and_never_zero():
    assert seconds_left(AT, AT + dt.timedelta(seconds=2.1)) == 3
    assert seconds_left(AT, AT) == 1


def test_a_source_is_held_back_until_its_window_ends():
    held = HeldBack()
    until = AT + dt.timedelta(seconds=90)
    held.hold("10.0.0.1", until, AT)
    assert held.retry_after("10.0.0.1", AT) == 90
    assert held.retry_after("10.0.0.2", AT) is None
    assert held.retry_after("10.0.0.1", until) is None


def test_a_flood_of_sources_does_not_grow_without_bound():
    held = HeldBack(max_sources=100)
    for i in range(1000):
        held.hold(f"10.0.{i // 250}.{i % 250}", AT + dt.timedelta(seconds=60), AT)
    assert len(held._until) <= 100
    assert held.retry_after("10.0.3.249", AT) == 60  # the latest are still held back
