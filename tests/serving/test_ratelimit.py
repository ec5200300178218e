"""The web UI's per-session token buckets (a fake clock, no waiting)."""

import threading

import pytest

from assistant.serving.ratelimit import RateLimiter, wait_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_burst_then_the_rate(clock):
    limiter = RateLimiter(30, 3, clock=clock)  # one every 2 s after three at once
    assert [limiter.acquire("s1") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("s1")
    assert wait == pytest.approx(2.0) and wait_seconds(wait) == 2
    clock.now += 1.0
    assert limiter.acquire("s1") == pytest.approx(1.0)  # a refused request costs nothing
    clock.now += 1.0
    assert limiter.acquire("s1") == 0.0
    assert limiter.acquire("s1") > 0


def test_sessions_are_limited_separately(clock):
    limiter = RateLimiter(6, 1, clock=clock)
    assert limiter.acquire("a") == 0.0 and limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0.0


def test_off_and_direct_calls_are_never_limited(clock):
    assert all(RateLimiter(0, 1, clock=clock).acquire("a") == 0.0 for _ in range(100))
    limiter = RateLimiter(1, 1, clock=clock)
    assert all(limiter.acquire(None) == 0.0 for _ in range(100)) and len(limiter) == 0


def test_memory_stays_bounded(clock):
    limiter = RateLimiter(60, 2, max_keys=100, clock=clock)
    for i in range(1000):
        limiter.acquire(f"session-{i}")
        clock.now += 0.01
    assert len(limiter) <= 100
    clock.now += 10  # every bucket full again: all of them can go
    limiter.acquire("late")
    assert limiter.acquire("late") == 0.0


def test_threads_never_get_more_than_the_burst(clock):
    limiter = RateLimiter(1, 5, clock=clock)
    allowed = []

    def ask() -> None:
        allowed.append(limiter.acquire("same") == 0.0)

    threads = [threading.Thread(target=ask) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 5


def test_wait_seconds_rounds_up_to_at_least_one():
    assert wait_seconds(0.01) == 1 and wait_seconds(2.2) == 3


def test_idle_sessions_are_forgotten_within_a_prune_interval(clock):
    from assistant.serving.ratelimit import PRUNE_EVERY_S

    limiter = RateLimiter(30, 10, clock=clock)  # full again 20 s after the last request
    for i in range(50):
        limiter.acquire(f"session-{i}")
    assert len(limiter) == 50
    clock.now += 20 + PRUNE_EVERY_S
    limiter.acquire("another")
    assert len(limiter) == 1
