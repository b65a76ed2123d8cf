"""client-go's rate-limited work queue: a key queued many times is handed out once, a key being
processed is never handed to a second worker (re-adds wait until `done`), and `add_rate_limited`
delays a key exponentially per failure until `forget`.

Time is the injected clock's; `get()` returns None when nothing is ready rather than blocking, so
a test drives it step by step. `BlockingQueue` wraps it for real worker threads. A queue given
`QueueMetrics` counts its adds, retries and depth under its name, as a named client-go queue does.
"""
from __future__ import annotations

import heapq
import threading
from collections.abc import Hashable

from reference_impl.machinery.prometheus import Family, Registry
from reference_impl.mirrors import mirrors


class QueueMetrics:
    """The workqueue_* families of k8s.io/component-base/metrics/prometheus/workqueue this queue
    keeps true, each series labelled with the queue's name."""

    def __init__(self, registry: Registry) -> None:
        add = registry.register
        self.depth = add(Family("workqueue_depth", "[ALPHA] Current depth of workqueue", "gauge", ("name",)))
        self.adds = add(Family("workqueue_adds_total", "[ALPHA] Total number of adds handled by workqueue",
                               "counter", ("name",)))
        self.retries = add(Family("workqueue_retries_total", "[ALPHA] Total number of retries handled by workqueue",
                                  "counter", ("name",)))

    def named(self, name: str) -> "NamedQueueMetrics":
        return NamedQueueMetrics(self, name)


class NamedQueueMetrics:
    """client-go's defaultQueueMetrics for one queue."""

    def __init__(self, families: QueueMetrics, name: str) -> None:
        self.families, self.name = families, name
        families.depth.set(name, value=0)
        families.adds.inc(name, by=0)
        families.retries.inc(name, by=0)

    def add(self) -> None:
        self.families.adds.inc(self.name)
        self.families.depth.inc(self.name)

    def get(self) -> None:
        self.families.depth.inc(self.name, by=-1)

    def retry(self) -> None:
        self.families.retries.inc(self.name)


class ItemExponentialFailureRateLimiter:
    def __init__(self, base_delay: float = 0.005, max_delay: float = 1000.0):
        self.base_delay, self.max_delay = base_delay, max_delay
        self.failures: dict[Hashable, int] = {}

    @mirrors("(*k8s.io/client-go/util/workqueue.ItemExponentialFailureRateLimiter).When")
    def when(self, item: Hashable) -> float:
        exp = self.failures.get(item, 0)
        self.failures[item] = exp + 1
        return min(self.base_delay * 2 ** exp, self.max_delay)

    @mirrors("(*k8s.io/client-go/util/workqueue.ItemExponentialFailureRateLimiter).NumRequeues")
    def num_requeues(self, item: Hashable) -> int:
        return self.failures.get(item, 0)

    @mirrors("(*k8s.io/client-go/util/workqueue.ItemExponentialFailureRateLimiter).Forget")
    def forget(self, item: Hashable) -> None:
        self.failures.pop(item, None)


class RateLimitingQueue:
    def __init__(self, clock, rate_limiter: ItemExponentialFailureRateLimiter | None = None,
                 metrics: NamedQueueMetrics | None = None):
        self.clock, self.metrics = clock, metrics
        self.rate_limiter = rate_limiter or ItemExponentialFailureRateLimiter()
        self._queue: list[Hashable] = []
        self._dirty: set[Hashable] = set()
        self._processing: set[Hashable] = set()
        self._waiting: list[tuple[float, int, Hashable]] = []
        self._ready_at: dict[Hashable, float] = {}  # waitingEntryByData: each waiting key's one time
        self._seq = 0
        self.shutting_down = False

    @mirrors("(*k8s.io/client-go/util/workqueue.Type).Add")
    def add(self, item: Hashable) -> None:
        if self.shutting_down or item in self._dirty:
            return
        if self.metrics is not None:
            self.metrics.add()
        self._dirty.add(item)
        if item not in self._processing:
            self._queue.append(item)

    @mirrors("(*k8s.io/client-go/util/workqueue.delayingType).AddAfter")
    def add_after(self, item: Hashable, delay: float) -> None:
        """`item` once `delay` has passed; a key already waiting keeps the earlier of its times."""
        if self.shutting_down:
            return
        if self.metrics is not None:
            self.metrics.retry()
        if delay <= 0:
            self.add(item)
            return
        ready_at = self.clock.now() + delay
        if self._ready_at.get(item, ready_at + 1) <= ready_at:
            return
        self._ready_at[item] = ready_at
        self._seq += 1
        heapq.heappush(self._waiting, (ready_at, self._seq, item))

    @mirrors("(*k8s.io/client-go/util/workqueue.rateLimitingType).AddRateLimited")
    def add_rate_limited(self, item: Hashable) -> None:
        self.add_after(item, self.rate_limiter.when(item))

    @mirrors("(*k8s.io/client-go/util/workqueue.rateLimitingType).Forget")
    def forget(self, item: Hashable) -> None:
        self.rate_limiter.forget(item)

    def num_requeues(self, item: Hashable) -> int:
        return self.rate_limiter.num_requeues(item)

    def _promote_ready(self) -> None:
        now = self.clock.now()
        while self._waiting and self._waiting[0][0] <= now:
            ready_at, _, item = heapq.heappop(self._waiting)
            if self._ready_at.get(item) == ready_at:  # else an earlier time replaced this one
                del self._ready_at[item]
                self.add(item)

    @mirrors("(*k8s.io/client-go/util/workqueue.Type).Get")
    def get(self) -> Hashable | None:
        """The next ready key (now marked processing), or None when none is ready."""
        self._promote_ready()
        if not self._queue:
            return None
        item = self._queue.pop(0)
        if self.metrics is not None:
            self.metrics.get()
        self._processing.add(item)
        self._dirty.discard(item)
        return item

    @mirrors("(*k8s.io/client-go/util/workqueue.Type).Done")
    def done(self, item: Hashable) -> None:
        self._processing.discard(item)
        if item in self._dirty:
            self._queue.append(item)

    @mirrors("(*k8s.io/client-go/util/workqueue.Type).Len")
    def __len__(self) -> int:
        self._promote_ready()
        return len(self._queue)

    def next_ready_at(self) -> float | None:
        return self._waiting[0][0] if self._waiting else None

    @mirrors("(*k8s.io/client-go/util/workqueue.Type).ShutDown")
    def shut_down(self) -> None:
        self.shutting_down = True


class BlockingQueue:
    """The core behind a lock and a condition, for worker threads on a real clock."""

    def __init__(self, core: RateLimitingQueue):
        self.core = core
        self._cond = threading.Condition()

    def add(self, item: Hashable) -> None:
        with self._cond:
            self.core.add(item)
            self._cond.notify_all()

    def add_rate_limited(self, item: Hashable) -> None:
        with self._cond:
            self.core.add_rate_limited(item)
            self._cond.notify_all()

    def forget(self, item: Hashable) -> None:
        with self._cond:
            self.core.forget(item)

    def get(self, timeout: float = 1.0) -> Hashable | None:
        with self._cond:
            item = self.core.get()
            while item is None and not self.core.shutting_down:
                ready_at = self.core.next_ready_at()
                wait = timeout if ready_at is None else max(0.0, min(timeout, ready_at - self.core.clock.now()))
                if not self._cond.wait(wait) and ready_at is None:
                    return None
                item = self.core.get()
            return item

    def done(self, item: Hashable) -> None:
        with self._cond:
            self.core.done(item)
            self._cond.notify_all()

    def shut_down(self) -> None:
        with self._cond:
            self.core.shut_down()
            self._cond.notify_all()
