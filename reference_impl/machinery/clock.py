"""Time as an object passed in: cores ask `clock.now()` and never read the wall themselves, so a
test moves a ManualClock and a running process hands in the WallClock."""
from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...


class WallClock:
    """The real time, in seconds since the epoch: the clock for a running process."""

    def now(self) -> float:
        return time.time()


class MonotonicClock:
    """Seconds that only move forward, from an arbitrary start: for measuring how long something
    waits."""

    def now(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to: for tests and simulations."""

    def __init__(self, start: float = 0.0) -> None:
        self.time = start

    def now(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += seconds
