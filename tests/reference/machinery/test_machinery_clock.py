"""ManualClock and WallClock: one rule per test."""
from __future__ import annotations

import time

from reference_impl.machinery.clock import ManualClock, WallClock


def test_manual_clock_stands_still_until_advanced():
    """A ManualClock reads its start time until told to move, then exactly the sum of the steps."""
    clock = ManualClock(100.0)
    assert clock.now() == clock.now() == 100.0
    clock.advance(1.5)
    clock.advance(2)
    assert clock.now() == 103.5


def test_manual_clock_starts_at_the_epoch_by_default():
    """With no start the clock reads 0: time is whatever a test says it is."""
    assert ManualClock().now() == 0.0


def test_wall_clock_reads_seconds_since_the_epoch():
    """WallClock is the real time in seconds since the epoch, the same scale ManualClock uses."""
    before = time.time()
    assert before <= WallClock().now() <= time.time()
