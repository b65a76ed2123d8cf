"""The watch cache of one resource, with no I/O: what k8s.io/apiserver/pkg/storage/cacher's
watchCache keeps, fed by the Cacher's single etcd watch.

It holds the objects at the cache's current revision (keyed by their etcd key) and a buffer of
the recent events, sized as upstream sizes it (between 100 and 102,400 events, doubling while
everything it holds is younger than five minutes and halving once even its newest quarter is older), each with the object before it (`prev_object`), so that lists at
resourceVersion "0" and watches from a recent revision are answered from memory. A watch from a
revision the buffer no longer covers is `TooOldResourceVersion` (410 Gone); `watch_event` is the
per-watcher conversion that turns a cached event into what one watcher with a selector sees.

Objects are shared between the cache, its events and every answer: callers read them, never
change them.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable

from reference_impl.machinery.clock import Clock
from reference_impl.mirrors import mirrors

Predicate = Callable[[dict], bool]
EVENT_FRESH_DURATION = 5 * 60.0  # seconds of history the buffer grows to keep (eventFreshDuration)
LOWER_BOUND_CAPACITY = 100  # defaultLowerBoundCapacity
UPPER_BOUND_CAPACITY = 100 * 1024  # defaultUpperBoundCapacity

ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"


class WatchCacheError(Exception):
    """The root of the watch cache's errors."""


class TooOldResourceVersion(WatchCacheError):
    """A watch from a revision older than the oldest event the buffer still holds."""

    def __init__(self, requested: int, oldest: int):
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested, self.oldest = requested, oldest


@dataclass(frozen=True)
class WatchCacheEvent:
    """One change as the cache saw it: `object` is the new state (for DELETED, the last state at the
    deletion's revision) and `prev_object` the state before, None for an object just created;
    `record_time` is when the cache took it in."""
    type: str
    key: str
    object: dict
    prev_object: dict | None
    resource_version: int
    record_time: float = 0.0


def _at_revision(obj: dict, revision: int) -> dict:
    """`obj` with metadata.resourceVersion set to `revision` (a new dict; `obj` is shared)."""
    return {**obj, "metadata": {**(obj.get("metadata") or {}), "resourceVersion": str(revision)}}


class WatchCache:
    """The current objects and the last `capacity` events of one resource; `clock` stamps each
    event, for the buffer's resizing."""

    def __init__(self, clock: Clock, lower_bound_capacity: int = LOWER_BOUND_CAPACITY,
                 upper_bound_capacity: int = UPPER_BOUND_CAPACITY):
        self.clock = clock
        self.capacity = self.lower_bound_capacity = lower_bound_capacity
        self.upper_bound_capacity = upper_bound_capacity
        self.resource_version = 0  # every event up to here has been processed
        self.list_resource_version = 0  # the revision of the last replace()
        self._store: dict[str, dict] = {}
        self._events: deque[WatchCacheEvent] = deque()
        self._evicted = False  # an event has fallen out of the buffer since the last replace()

    def __len__(self) -> int:
        return len(self._store)

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.watchCache).Replace")
    def replace(self, objects: dict[str, dict], revision: int) -> None:
        """Start over from a list: `objects` by key, all read at `revision`; the buffer empties."""
        self._store = dict(objects)
        self._events.clear()
        self._evicted = False
        self.resource_version = self.list_resource_version = revision

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.watchCache).processEvent")
    def process(self, key: str, obj: dict | None, revision: int) -> WatchCacheEvent | None:
        """Apply one etcd change of `key` at `revision`: `obj` is the object put, None for a delete.
        The event it makes, None for the delete of a key the cache never held."""
        previous = self._store.get(key)
        now = self.clock.now()
        if obj is None:
            if previous is None:
                self.resource_version = max(self.resource_version, revision)
                return None
            del self._store[key]
            event = WatchCacheEvent(DELETED, key, _at_revision(previous, revision), previous, revision, now)
        else:
            self._store[key] = obj
            event = WatchCacheEvent(MODIFIED if previous is not None else ADDED, key, obj, previous, revision, now)
        self._update_cache(event)
        self.resource_version = max(self.resource_version, revision)
        return event

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.watchCache).updateCache")
    def _update_cache(self, event: WatchCacheEvent) -> None:
        self._resize(event.record_time)
        if len(self._events) >= self.capacity:
            self._events.popleft()
            self._evicted = True
        self._events.append(event)

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.watchCache).resizeCacheLocked")
    def _resize(self, now: float) -> None:
        """A full buffer doubles while its oldest event is fresh, and halves, dropping its oldest
        events, once even its newest quarter is stale; the bounds hold either way."""
        if len(self._events) < self.capacity:
            return
        if now - self._events[0].record_time < EVENT_FRESH_DURATION:
            self.capacity = min(2 * self.capacity, self.upper_bound_capacity)
        elif now - self._events[-(self.capacity // 4)].record_time > EVENT_FRESH_DURATION:
            self.capacity = max(self.capacity // 2, self.lower_bound_capacity)
            while len(self._events) > self.capacity:
                self._events.popleft()
                self._evicted = True

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.watchCache).UpdateResourceVersion")
    def update_resource_version(self, revision: int) -> None:
        """etcd reported progress: every change of this resource up to `revision` has been seen."""
        self.resource_version = max(self.resource_version, revision)

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.watchCache).WaitUntilFreshAndGet")
    def get(self, key: str) -> dict | None:
        """The current object at `key`, None when there is none (the caller has waited until the
        cache is fresh enough)."""
        return self._store.get(key)

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.watchCache).WaitUntilFreshAndList")
    def list(self, prefix: str, predicate: Predicate | None = None) -> tuple[list[dict], int]:
        """The current objects under `prefix` that `predicate` accepts, in key order, and the
        revision they are at (the caller has waited until it is fresh enough)."""
        items = [self._store[key] for key in sorted(self._store) if key.startswith(prefix)]
        if predicate is not None:
            items = [obj for obj in items if predicate(obj)]
        return items, self.resource_version

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.watchCache).GetAllEventsSinceThreadUnsafe")
    def events_since(self, resource_version: int) -> list[WatchCacheEvent]:
        """The events after `resource_version`; from 0, every current object as ADDED (the state a
        watch without a revision starts from). `TooOldResourceVersion` when the buffer no longer
        reaches back to it."""
        if resource_version == 0:
            return [WatchCacheEvent(ADDED, key, self._store[key], None, self.resource_version)
                    for key in sorted(self._store)]
        if not self._evicted:
            oldest = self.list_resource_version + 1
        elif self._events:
            oldest = self._events[0].resource_version
        else:
            oldest = self.resource_version + 1
        if resource_version < oldest - 1:
            raise TooOldResourceVersion(resource_version, oldest - 1)
        newer: list[WatchCacheEvent] = []
        for event in reversed(self._events):
            if event.resource_version <= resource_version:
                break
            newer.append(event)
        newer.reverse()
        return newer


@mirrors("(*k8s.io/apiserver/pkg/storage/cacher.cacheWatcher).convertToWatchEvent")
def watch_event(event: WatchCacheEvent, prefix: str, predicate: Predicate | None) -> tuple[str, dict] | None:
    """What a watcher of `prefix` with `predicate` sees of `event`: an object that starts matching is
    ADDED, one that stops matching DELETED (its last matching state at the event's revision), one
    that never matched nothing at all."""
    if not event.key.startswith(prefix):
        return None
    if predicate is None:
        return event.type, event.object
    current = event.type != DELETED and predicate(event.object)
    previous = event.prev_object is not None and predicate(event.prev_object)
    if current:
        return (MODIFIED if previous else ADDED), event.object
    if previous:
        return DELETED, _at_revision(event.prev_object, event.resource_version)
    return None
