"""The rate-limited work queue, on a fake clock."""
from __future__ import annotations

import threading
import time

from reference_impl.machinery.clock import ManualClock, WallClock
from reference_impl.client.workqueue import (BlockingQueue, ItemExponentialFailureRateLimiter,
                                              RateLimitingQueue)


def test_duplicate_adds_are_handed_out_once():
    """A key added three times before a worker gets it is processed once."""
    q = RateLimitingQueue(ManualClock())
    for _ in range(3):
        q.add("ns/a")
    assert q.get() == "ns/a" and q.get() is None


def test_key_in_processing_is_not_handed_to_a_second_worker():
    """Re-adding a key being processed defers it until `done`."""
    q = RateLimitingQueue(ManualClock())
    q.add("k")
    assert q.get() == "k"
    q.add("k")
    assert q.get() is None
    q.done("k")
    assert q.get() == "k"


def test_fifo_order():
    """Keys come out in the order they were first added."""
    q = RateLimitingQueue(ManualClock())
    for k in "abc":
        q.add(k)
    assert [q.get(), q.get(), q.get()] == ["a", "b", "c"]


def test_failures_back_off_exponentially():
    """Each rate-limited re-add of a key doubles its delay."""
    limiter = ItemExponentialFailureRateLimiter(base_delay=1.0, max_delay=100.0)
    assert [limiter.when("k") for _ in range(4)] == [1.0, 2.0, 4.0, 8.0]


def test_backoff_is_capped():
    """The delay never exceeds max_delay."""
    limiter = ItemExponentialFailureRateLimiter(base_delay=1.0, max_delay=5.0)
    assert [limiter.when("k") for _ in range(5)][-1] == 5.0


def test_rate_limited_key_waits_for_the_clock():
    """A rate-limited key is not ready until its delay has passed on the clock."""
    clock = ManualClock()
    q = RateLimitingQueue(clock, ItemExponentialFailureRateLimiter(base_delay=2.0))
    q.add_rate_limited("k")
    assert q.get() is None
    clock.advance(1.9)
    assert q.get() is None
    clock.advance(0.2)
    assert q.get() == "k"


def test_forget_resets_the_backoff():
    """Forget after a success makes the next failure start at base_delay again."""
    q = RateLimitingQueue(ManualClock(), ItemExponentialFailureRateLimiter(base_delay=1.0))
    q.add_rate_limited("k"); q.add_rate_limited("k")
    assert q.num_requeues("k") == 2
    q.forget("k")
    assert q.num_requeues("k") == 0


def test_backoff_is_per_item():
    """One key's failures do not delay another key."""
    clock = ManualClock()
    q = RateLimitingQueue(clock, ItemExponentialFailureRateLimiter(base_delay=1.0))
    for _ in range(5):
        q.rate_limiter.when("bad")
    q.add_rate_limited("bad")
    q.add_rate_limited("good")
    clock.advance(1.0)
    assert q.get() == "good" and q.get() is None


def test_blocking_queue_workers_never_share_a_key():
    """With real threads, no key is ever processed by two workers at once."""
    q = BlockingQueue(RateLimitingQueue(WallClock()))
    active, overlap, lock = set(), [], threading.Lock()

    def worker():
        while True:
            key = q.get(timeout=0.2)
            if key is None:
                return
            with lock:
                if key in active:
                    overlap.append(key)
                active.add(key)
            time.sleep(0.001)
            with lock:
                active.discard(key)
            q.done(key)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads: t.start()
    for i in range(300):
        q.add(f"k{i % 5}")
    for t in threads: t.join(timeout=10)
    assert overlap == []
