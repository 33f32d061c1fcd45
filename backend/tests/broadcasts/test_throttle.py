"""The token bucket paces calls and pauses everyone on flood control (on a virtual clock)."""

from __future__ import annotations

import asyncio

import pytest

from app.broadcasts.throttle import TokenBucket


class VirtualTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


async def test_paces_calls_at_the_rate() -> None:
    t = VirtualTime()
    bucket = TokenBucket(5, clock=t.clock, sleep=t.sleep)
    stamps = []
    for _ in range(11):
        await bucket.acquire()
        stamps.append(t.now - 100.0)
    # The first goes at once, then one every 1/5 s: never more than 5 in any second.
    assert stamps == pytest.approx([i * 0.2 for i in range(11)])


async def test_capacity_allows_a_burst_then_the_rate() -> None:
    t = VirtualTime()
    bucket = TokenBucket(10, capacity=3, clock=t.clock, sleep=t.sleep)
    stamps = []
    for _ in range(5):
        await bucket.acquire()
        stamps.append(round(t.now - 100.0, 3))
    assert stamps == [0.0, 0.0, 0.0, 0.1, 0.2]


async def test_pause_stops_everyone_and_restarts_without_a_burst() -> None:
    t = VirtualTime()
    bucket = TokenBucket(10, capacity=5, clock=t.clock, sleep=t.sleep)
    await bucket.acquire()
    bucket.pause(3)
    stamps = []
    for _ in range(3):
        await bucket.acquire()
        stamps.append(round(t.now - 100.0, 3))
    assert stamps == [3.1, 3.2, 3.3]


async def test_concurrent_callers_share_the_rate() -> None:
    t = VirtualTime()
    bucket = TokenBucket(4, clock=t.clock, sleep=t.sleep)
    stamps: list[float] = []

    async def caller() -> None:
        for _ in range(3):
            await bucket.acquire()
            stamps.append(t.now - 100.0)

    await asyncio.gather(*(caller() for _ in range(4)))
    assert sorted(stamps) == pytest.approx([i * 0.25 for i in range(12)])


def test_invalid_parameters() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(0)
    with pytest.raises(ValueError, match="capacity"):
        TokenBucket(1, capacity=0.5)
