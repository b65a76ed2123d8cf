"""The Cacher: one resource's storage with its reads served from a watch cache, as
k8s.io/apiserver/pkg/storage/cacher puts one in front of etcd3 for each resource.

A `Cacher` lists the resource's etcd prefix once, when the server starts (the registry's
`start_watch_caches`), and follows it with a single etcd watch (without previous values: the cache knows them), feeding a
`WatchCache`. Every watch of the resource is then
served from the cache's buffer and fanned out here (`dispatch_event`) to per-watcher bounded
queues, filtered per watcher by key prefix (namespace) and label/field selectors, so a hundred
watchers cost etcd one watch and the apiserver one JSON decode per change. A resource with an
indexed field (pods by spec.nodeName) files each watcher that pins that field under its value: an
event goes to the watchers of its old and new value and to the unindexed ones, not to every
kubelet's watch (upstream's indexedTrigger and watchersMap). Lists at
resourceVersion "0", or at N without a limit, are answered from memory once the cache has caught up
with N (a progress request to etcd makes it catch up when the resource itself is quiet); every other
list, and every write, goes to etcd as before.

A watcher holds as many undelivered events as upstream's two channels of CHAN_SIZE each; one
that stays full while a dispatch spends its time budget waiting is ended, as upstream ends a
blocked cacheWatcher, and so is every watcher when the etcd watch breaks and the cache relists:
clients resume from the last revision they saw, and a revision the buffer no longer holds is 410
Gone.
"""
from __future__ import annotations

import queue
import threading
from collections import deque
from typing import Callable, Iterator

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.storage.etcdclient import EtcdClientError, EtcdWatch, WatchBatch
from reference_impl.apiserver.storage.etcd3 import (KeyNotFound, ListResult, Preconditions, Predicate, Storage, decode,
                                                   parse_resource_version)
from reference_impl.apiserver.storage.predicate import field_trigger
from reference_impl.apiserver.storage.watchcache import (TooOldResourceVersion, WatchCache, WatchCacheEvent,
                                                 watch_event)
from reference_impl.machinery.clock import Clock, MonotonicClock
from reference_impl.mirrors import mirrors

CHAN_SIZE = 10  # events in each of a watcher's channels (input and result)
UNINDEXED_CHAN_SIZE = 1000  # for a watcher the resource's index does not serve: it gets every event
MAX_BUDGET = 0.1  # seconds a dispatch may wait for blocked watchers
BUDGET_REFRESH = 0.05  # seconds of that budget regained per second
FRESH_TIMEOUT = 3.0  # seconds a list at resourceVersion N waits for the cache to reach N (blockTimeout)
RELIST_PAUSE = 1.0  # seconds between a broken etcd watch and the next list
BOOKMARK_FREQUENCY = 60.0  # seconds between the bookmarks of a watch that allows them


@mirrors("k8s.io/apiserver/pkg/storage/cacher.timeBudget")
class TimeBudget:
    """The time dispatches may spend waiting for watchers whose channels are full: at most
    MAX_BUDGET, regained at BUDGET_REFRESH a second, so that a few slow watchers cannot hold up
    every other watcher of the resource for long."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._budget = MAX_BUDGET
        self._refreshed = clock.now()

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.timeBudgetImpl).takeAvailable")
    def take_available(self) -> float:
        now = self.clock.now()
        self._budget = min(self._budget + (now - self._refreshed) * BUDGET_REFRESH, MAX_BUDGET)
        self._refreshed = now
        available, self._budget = self._budget, 0.0
        return available

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.timeBudgetImpl).returnUnused")
    def return_unused(self, unused: float) -> None:
        if unused > 0:
            self._budget = min(self._budget + unused, MAX_BUDGET)


@mirrors("(*k8s.io/apiserver/pkg/storage/cacher.cacheWatcher).nextBookmarkTime")
def next_bookmark_time(now: float, frequency: float, deadline: float | None) -> float | None:
    """When a watcher's next bookmark is due: `frequency` from `now`, or 2 s before the watch's
    deadline when that is sooner, so that a client resumes from as late a revision as it can;
    None once that has passed."""
    heartbeat = now + frequency
    if deadline is None:
        return heartbeat
    heartbeat = min(heartbeat, deadline - 2)
    return None if heartbeat <= now else heartbeat


@mirrors("k8s.io/apiserver/pkg/storage/cacher.shouldDelegateList")
def should_delegate_list(resource_version: str, limit: int, continue_token: str,
                         resource_version_match: str = "") -> bool:
    """A list the cache cannot answer: a quorum read (no resourceVersion), a page after the first,
    a limited list at an exact revision, or resourceVersionMatch=Exact. At "0" a limit is ignored
    and the whole list served."""
    return (resource_version == "" or bool(continue_token) or (limit > 0 and resource_version != "0")
            or resource_version_match == "Exact")


class Cacher:
    """`Storage`'s calls for the keys under `prefix` (one resource), lists and watches from memory."""

    def __init__(self, storage: Storage, prefix: str, index_field: str = "", clock: Clock = MonotonicClock()):
        self.storage, self.prefix = storage, prefix
        self.clock = clock
        self._budget = TimeBudget(clock)
        self.cache = WatchCache(clock)
        self._cond = threading.Condition()
        self._watchers: set[CacheWatcher] = set()  # every watcher (bookmarks, termination)
        # The indexed trigger: watchers pinning `index_field` by value, the rest in _unindexed.
        self.index_field = index_field
        self._trigger = field_trigger(index_field) if index_field else None
        self._value_watchers: dict[str, set[CacheWatcher]] = {}
        self._unindexed: set[CacheWatcher] = set()
        self._ready = False
        self._stopped = threading.Event()
        self._etcd_watch: EtcdWatch | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"cacher {prefix}")

    # -- writes, and reads of one object at no resourceVersion, go to etcd -----------------------

    def create(self, key: str, obj: dict, ttl: int = 0) -> dict:
        return self.storage.create(key, obj, ttl)

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.Cacher).Get")
    def get(self, key: str, resource_version: str = "") -> dict:
        """The object at `key`: from etcd without a resourceVersion, else from the cache once it
        has reached that revision."""
        if not resource_version:
            return self.storage.get(key)
        requested = parse_resource_version(resource_version)
        if not self._ready:
            return self.storage.get(key, resource_version)
        with self._cond:
            if not self._wait_until_fresh(requested):
                raise errors.too_large_resource_version(requested, self.cache.resource_version, 1)
            obj = self.cache.get(key)
        if obj is None:
            raise KeyNotFound(key)
        return obj

    def guaranteed_update(self, key: str, update: Callable[[dict], dict], ttl: int = 0,
                          preconditions: Preconditions | None = None) -> dict:
        return self.storage.guaranteed_update(key, update, ttl, preconditions)

    def delete(self, key: str, check: Callable[[dict], None] | None = None) -> dict:
        return self.storage.delete(key, check)

    # -- the cache's life ------------------------------------------------------------------------

    def start(self) -> "Cacher":
        """List the prefix and follow it from that revision. Raises what the list raises."""
        self._replace(self.storage.list(self.prefix))
        self._thread.start()
        return self

    def _replace(self, listed: ListResult) -> None:
        objects = {self._key(obj): obj for obj in listed.items}
        with self._cond:
            self.cache.replace(objects, int(listed.resource_version))
            self._ready = True
            self._cond.notify_all()

    def _key(self, obj: dict) -> str:
        """The etcd key the registry stores `obj` under (`<prefix>[<namespace>/]<name>`)."""
        meta = obj["metadata"]
        return f"{self.prefix}{meta['namespace']}/{meta['name']}" if meta.get("namespace") else \
            f"{self.prefix}{meta['name']}"

    @property
    def ready(self) -> bool:
        return self._ready

    def stop(self) -> None:
        self._stopped.set()
        etcd_watch = self._etcd_watch
        if etcd_watch is not None:
            etcd_watch.cancel()
        self._terminate_all_watchers()

    def stop_when_fresh(self, revision: int) -> None:
        """`stop` once the cache has seen `revision`, so its watchers have what came before it (or
        once waiting for it has timed out)."""
        with self._cond:
            self._wait_until_fresh(revision)
        self.stop()

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.Cacher).startCaching")
    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                if not self._ready:
                    self._replace(self.storage.list(self.prefix))
                self._etcd_watch = self.storage.client.watch(
                    self.prefix, start_revision=self.cache.resource_version + 1, prev_kv=False)
                if self._stopped.is_set():
                    self._etcd_watch.cancel()
                for batch in self._etcd_watch:
                    self._process(batch)
            except (EtcdClientError, errors.StatusError):
                pass  # compacted past us or etcd away: relist below
            with self._cond:
                self._ready = False
            self._terminate_all_watchers()
            self._stopped.wait(RELIST_PAUSE)

    def _process(self, batch: WatchBatch) -> None:
        changes = [(event.kv.key, None if event.type == "DELETE" else decode(event.kv.value, event.kv.mod_revision),
                    event.kv.mod_revision) for event in batch.events]
        with self._cond:
            for key, obj, revision in changes:
                event = self.cache.process(key, obj, revision)
                if event is not None:
                    self._dispatch_event(event)
            if not batch.events:  # a progress notification: every change up to it has come
                self.cache.update_resource_version(batch.revision)
            self._cond.notify_all()

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.Cacher).dispatchEvent")
    def _dispatch_event(self, event: WatchCacheEvent) -> None:
        """Hand `event` to every interested watcher; those that are full get to make room while
        the time budget lasts, shared among them all, and are ended when they do not."""
        blocked = [watcher for watcher in self._interested(event) if not watcher._add(event)]
        if not blocked:
            return
        started = self.clock.now()
        budget = self._budget.take_available()
        for watcher in blocked:
            if not watcher._add(event, timeout=budget - (self.clock.now() - started)):
                self._remove_watcher(watcher)
                watcher._terminate()
        self._budget.return_unused(budget - (self.clock.now() - started))

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.Cacher).startDispatching")
    def _interested(self, event: WatchCacheEvent) -> list["CacheWatcher"]:
        """The watchers `event` may concern: without an index all of them; with one the unindexed
        watchers and those filed under the trigger value of the object and of its previous state
        (a pod leaving a node is a DELETED for that node's watch)."""
        if self._trigger is None:
            return list(self._watchers)
        interested = list(self._unindexed)
        values = {self._trigger(obj) for obj in (event.object, event.prev_object) if obj is not None}
        for value in values:
            interested.extend(self._value_watchers.get(value, ()))
        return interested

    def _add_watcher(self, watcher: "CacheWatcher") -> None:
        self._watchers.add(watcher)
        if self._trigger is None:  # no index: _interested hands every event to all of _watchers
            return
        if watcher._trigger_value is None:
            self._unindexed.add(watcher)
        else:
            self._value_watchers.setdefault(watcher._trigger_value, set()).add(watcher)

    def _remove_watcher(self, watcher: "CacheWatcher") -> None:
        self._watchers.discard(watcher)
        self._unindexed.discard(watcher)
        filed = self._value_watchers.get(watcher._trigger_value)
        if filed is not None:
            filed.discard(watcher)
            if not filed:
                del self._value_watchers[watcher._trigger_value]

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.Cacher).terminateAllWatchers")
    def _terminate_all_watchers(self) -> None:
        with self._cond:
            watchers, self._watchers = self._watchers, set()
            self._value_watchers, self._unindexed = {}, set()
        for watcher in watchers:
            watcher._terminate()

    def _trigger_value(self, predicate: Predicate | None) -> str | None:
        """The index value a watch with `predicate` is filed under (None: it hears every event)."""
        matcher_index = getattr(predicate, "matcher_index", None)
        if self._trigger is None or matcher_index is None:
            return None
        return matcher_index(self.index_field)

    def _request_progress(self) -> None:
        etcd_watch = self._etcd_watch
        if etcd_watch is not None:
            etcd_watch.request_progress()

    def _forget(self, watcher: "CacheWatcher") -> None:
        with self._cond:
            self._remove_watcher(watcher)

    # -- reads -----------------------------------------------------------------------------------

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.Cacher).List")
    def list(self, prefix: str, *, predicate: Predicate | None = None, limit: int = 0,
             continue_token: str = "", resource_version: str = "", resource_version_match: str = "") -> ListResult:
        if should_delegate_list(resource_version, limit, continue_token, resource_version_match) or not self._ready:
            return self.storage.list(prefix, predicate=predicate, limit=limit, continue_token=continue_token,
                                     resource_version=resource_version,
                                     resource_version_match=resource_version_match)
        requested = parse_resource_version(resource_version)
        with self._cond:
            if not self._wait_until_fresh(requested):
                raise errors.too_large_resource_version(requested, self.cache.resource_version, 1)
            items, revision = self.cache.list(prefix, predicate)
        return ListResult(items, str(revision))

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.watchCache).waitUntilFreshAndBlock")
    def _wait_until_fresh(self, revision: int) -> bool:
        """Wait (holding the condition) until the cache has seen `revision`; asks etcd for progress,
        since a quiet resource would otherwise never learn that later revisions exist."""
        if self.cache.resource_version >= revision:
            return True
        self._request_progress()
        return self._cond.wait_for(lambda: self.cache.resource_version >= revision or not self._ready,
                                   FRESH_TIMEOUT) and self._ready

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.Cacher).Watch")
    def watch(self, prefix: str, *, resource_version: str = "", predicate: Predicate | None = None,
              allow_bookmarks: bool = False, bookmark_interval: float = BOOKMARK_FREQUENCY,
              bookmark_object: Callable[[int], dict] | None = None,
              convert: Callable[[dict], dict] | None = None, timeout: float | None = None):
        """A watch of `prefix` from the cache: from "" or "0" the current objects as ADDED first,
        from N the changes after N; one ERROR event (410) when the buffer no longer reaches N.
        `timeout` is how long the client's watch will run (its last bookmark comes before it);
        `bookmark_object` makes what a BOOKMARK at a revision carries."""
        requested = parse_resource_version(resource_version)
        with self._cond:
            if self._ready:
                try:
                    events = self.cache.events_since(requested)
                except TooOldResourceVersion as error:
                    return CacheWatcher(self, prefix, predicate, requested, [], False, bookmark_interval, None,
                                        bookmark_object, convert,
                                        errors.too_old_resource_version(requested, error.oldest).status())
                else:
                    initial = [seen for event in events if (seen := watch_event(event, prefix, predicate))]
                    trigger_value = self._trigger_value(predicate)
                    chan_size = UNINDEXED_CHAN_SIZE if self._trigger and trigger_value is None else CHAN_SIZE
                    deadline = None if timeout is None else self.clock.now() + timeout
                    watcher = CacheWatcher(self, prefix, predicate, max(requested, self.cache.resource_version),
                                           initial, allow_bookmarks, bookmark_interval, deadline, bookmark_object,
                                           convert, chan_size=chan_size)
                    watcher._trigger_value = trigger_value
                    self._add_watcher(watcher)
                    return watcher
        # Not ready (relisting after a broken etcd watch): etcd answers.
        return self.storage.watch(prefix, resource_version=resource_version, predicate=predicate,
                                  allow_bookmarks=allow_bookmarks, bookmark_interval=bookmark_interval,
                                  bookmark_object=bookmark_object, convert=convert, timeout=timeout)


class CacheWatcher:
    """One client's watch on a Cacher: iterate for `(type, object)`, `stop()` from any thread.

    The Cacher adds matching events under its lock (`_add`); the client's thread takes them from a
    bounded queue. With bookmarks allowed it sends one every `bookmark_interval`, busy or idle, and
    2 s before its `deadline`, at the revision of the last change the cache has processed, once
    every event before it is out.
    """

    _END = object()

    def __init__(self, cacher: Cacher, prefix: str, predicate: Predicate | None, resource_version: int,
                 initial: list[tuple[str, dict]], allow_bookmarks: bool, bookmark_interval: float,
                 deadline: float | None, bookmark_object: Callable[[int], dict] | None,
                 convert: Callable[[dict], dict] | None,
                 error: dict | None = None, chan_size: int = CHAN_SIZE):
        self._cacher, self._prefix, self._predicate = cacher, prefix, predicate
        self._resource_version = resource_version  # events up to here are not this watcher's
        self._initial, self._error = deque(initial), error
        self._bookmark_interval = bookmark_interval
        self._bookmark_object = bookmark_object or (lambda revision: {"metadata": {"resourceVersion": str(revision)}})
        self._convert = convert or (lambda obj: obj)
        # Upstream's input and result channels, as one queue holding what both would.
        self._queue: queue.Queue = queue.Queue(maxsize=2 * chan_size)
        self._deadline = deadline
        self._next_bookmark = next_bookmark_time(cacher.clock.now(), bookmark_interval, deadline) \
            if allow_bookmarks else None
        self._stopped = threading.Event()
        self._terminated = False
        self._trigger_value: str | None = None  # the Cacher's index value this watcher is filed under

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def stop(self) -> None:
        self._stopped.set()
        self._cacher._forget(self)
        self._wake()

    def _wake(self) -> None:
        """Wake the reader if it is waiting; a full queue has a reader that is not, and that checks
        whether it has stopped after the item it takes."""
        try:
            self._queue.put_nowait(self._END)
        except queue.Full:
            pass

    def __enter__(self) -> "CacheWatcher":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.cacheWatcher).nonblockingAdd",
             "(*k8s.io/apiserver/pkg/storage/cacher.cacheWatcher).add")
    def _add(self, event: WatchCacheEvent, timeout: float = 0.0) -> bool:
        """Queue what this watcher sees of `event` (the Cacher holds its lock), waiting up to
        `timeout` seconds for room; False when there is none."""
        if event.resource_version <= self._resource_version:
            return True
        seen = watch_event(event, self._prefix, self._predicate)
        if seen is None:
            return True
        try:
            self._queue.put(seen, block=timeout > 0, timeout=timeout if timeout > 0 else None)
        except queue.Full:
            return False
        return True

    def pending(self) -> bool:
        """Whether an event is queued behind the one being delivered: the watch server writes
        on without flushing while one is (its `len(ch) == 0` check)."""
        return bool(self._initial) or not self._queue.empty()

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.Cacher).startDispatchingBookmarkEvents")
    def _due_bookmark(self) -> dict | None:
        """The BOOKMARK due now, None while events wait to go out before it. A revision the watch
        started from, or before, is no news: then the next one is due when it would have been."""
        with self._cacher._cond:
            if not self._queue.empty():
                return None
            revision = self._cacher.cache.resource_version
        self._next_bookmark = next_bookmark_time(self._cacher.clock.now(), self._bookmark_interval, self._deadline)
        if revision <= self._resource_version:
            return None
        return self._bookmark_object(revision)

    def _terminate(self) -> None:
        self._terminated = True
        self._wake()

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.cacheWatcher).process")
    def __iter__(self) -> Iterator[tuple[str, dict]]:
        while self._initial:
            event_type, obj = self._initial.popleft()
            if self._stopped.is_set():
                return
            yield event_type, self._convert(obj)
        if self._error is not None:
            yield "ERROR", self._error
            return
        while not self._stopped.is_set():
            try:
                item = self._queue.get(timeout=None if self._next_bookmark is None else
                                       max(self._next_bookmark - self._cacher.clock.now(), 0))
            except queue.Empty:
                bookmark = self._due_bookmark()
                if bookmark is not None and not self._stopped.is_set():
                    yield "BOOKMARK", bookmark
                continue
            if item is self._END or self._stopped.is_set() or self._terminated:
                return
            event_type, obj = item
            yield event_type, self._convert(obj)
