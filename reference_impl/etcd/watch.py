"""Watches: streams of the store's changes to a key or range, from a chosen revision on (sans-IO).

etcd splits this between mvcc's watchableStore (which watchers are in sync, which must first
catch up from history) and v3rpc's serverWatchStream (created/canceled responses, prev_kv,
progress notifications). Here one hub does both and queues `WatchResponse`s per watch; the
adapter drains the queues and writes them to its streams (splitting a response into fragments by
wire size, if a watch asked for that, is the adapter's business: only it knows the sizes). Because the server calls `notify` in
the same step that ends a write, and a new watch catches up from history in the step that
creates it, every watch is in sync from creation on: a revision's events are queued together,
once, in revision order, and a progress notification never overtakes events before it.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from reference_impl.etcd.errors import ErrCompacted, ErrEmptyWatcherRange, ErrWatcherDuplicateID
from reference_impl.etcd.messages import Event, ResponseHeader, WatchCreateRequest, WatchResponse
from reference_impl.etcd.mvcc import KVStore, in_range
from reference_impl.mirrors import mirrors

MVCC = "go.etcd.io/etcd/server/v3/mvcc"
V3RPC = "go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc"

# mvcc's watchBatchMaxRevs: a catch-up response carries at most this many revisions.
WATCH_BATCH_MAX_REVS = 1000

# A joined watch response (coalesce) stays well under a gRPC client's default 4 MiB receive limit.
COALESCE_MAX_BYTES = 1024 * 1024

# v3rpc's progressReportInterval: how often a progress_notify watch hears from an idle server.
DEFAULT_PROGRESS_INTERVAL = 600.0
MIN_PROGRESS_INTERVAL = 0.1  # v3rpc's minWatchProgressInterval, the least the flag may set


@dataclass
class Watcher:
    id: int
    key: bytes
    range_end: bytes
    start_revision: int
    filters: frozenset[str]
    prev_kv: bool
    progress_notify: bool
    queue: deque[WatchResponse] = field(default_factory=deque)
    active: bool = True
    # No events sent since the last progress tick (v3rpc's sws.progress[id]).
    idle: bool = True
    created: int = 0  # the hub's count of watches when this one was made: notify's order


@mirrors(f"(*{MVCC}.watcherGroup).watcherSetByKey", f"(*{MVCC}.watcherGroup).add")
class WatcherGroup:
    """The watchers whose key or range holds a key, found without asking every watcher: one-key
    watchers by key, ranges sorted by their start with the furthest end reached so far, so that a
    key meets only the ranges that start at or before it and still reach it (mvcc keeps an
    interval tree). With the apiserver's fifty-odd prefix watches a write asked all of them."""

    def __init__(self, watchers: list[Watcher]) -> None:
        self._by_key: dict[bytes, list[Watcher]] = {}
        ranges = []
        for w in watchers:
            if w.range_end == b"":
                self._by_key.setdefault(w.key, []).append(w)
            else:
                ranges.append(w)
        ranges.sort(key=lambda w: w.key)
        self._ranges = ranges
        self._starts = [w.key for w in ranges]
        # The furthest end among the ranges up to each one; None: to the end of the keyspace
        # (a range_end of "\0").
        self._reach: list[bytes | None] = []
        reach: bytes | None = b""
        for w in ranges:
            end = None if w.range_end == b"\0" else w.range_end
            reach = None if reach is None or end is None else max(reach, end)
            self._reach.append(reach)

    def holding(self, key: bytes) -> list[Watcher]:
        """The watchers whose key is `key` or whose range holds it."""
        found = list(self._by_key.get(key, ()))
        i = bisect_right(self._starts, key) - 1
        while i >= 0 and (self._reach[i] is None or key < self._reach[i]):
            if in_range(key, self._ranges[i].key, self._ranges[i].range_end):
                found.append(self._ranges[i])
            i -= 1
        return found


class WatchHub:
    """All watches of the server, keyed by watch id."""

    def __init__(self, store: KVStore, header: Callable[[int], ResponseHeader],
                 progress_interval: float = DEFAULT_PROGRESS_INTERVAL) -> None:
        self._store = store
        self._header = header
        self._watchers: dict[int, Watcher] = {}
        self._group: WatcherGroup | None = None  # of self._watchers, made again after a change
        self._created = 0
        self._next_id = 0
        self.progress_interval = progress_interval
        self._next_progress: float | None = None
        self.listener: Callable[[int], None] = lambda watch_id: None

    def watcher_count(self) -> int:
        """The watches open now (etcd_debugging_mvcc_watcher_total): a canceled one waiting for
        its last response to be read is gone already, as etcd's cancel removes its watcher."""
        return sum(w.active for w in self._watchers.values())

    @mirrors(f"(*{MVCC}.watchStream).Watch", f"(*{MVCC}.watchableStore).watch",
             f"(*{V3RPC}.serverWatchStream).recvLoop")
    def create(self, req: WatchCreateRequest) -> int:
        """Start a watch; queues `created`, then any history from start_revision, or a cancel."""
        key = req.key or b"\0"  # etcd treats an empty watch key as the lowest key
        if req.range_end not in (b"", b"\0") and key >= req.range_end:
            raise ErrEmptyWatcherRange(key=key, range_end=req.range_end)
        if req.watch_id != 0:
            if req.watch_id in self._watchers:
                raise ErrWatcherDuplicateID(watch_id=req.watch_id)
            watch_id = req.watch_id
        else:
            while self._next_id in self._watchers:
                self._next_id += 1
            watch_id = self._next_id
            self._next_id += 1
        current = self._store.current_revision
        w = self._watchers[watch_id] = Watcher(
            watch_id, key, req.range_end, req.start_revision or current + 1,
            frozenset(req.filters), req.prev_kv, req.progress_notify, created=self._created)
        self._created += 1
        self._group = None
        self._queue(w, WatchResponse(self._header(current), watch_id, created=True))
        if w.start_revision <= current:
            self._catch_up(w, current)
        return watch_id

    @mirrors(f"(*{MVCC}.watcherGroup).chooseAll", f"(*{MVCC}.watchableStore).syncWatchers")
    def _catch_up(self, w: Watcher, current: int) -> None:
        compacted = self._store.compact_revision
        if w.start_revision < compacted:
            # mvcc's response names only the compacted revision: its header's revision is 0
            self._queue(w, WatchResponse(self._header(0), w.id, canceled=True,
                                         compact_revision=compacted))
            w.active = False
            return
        if w.start_revision < 0:
            # etcd reads the history from the start revision's bytes, and a negative one's sort
            # after every revision's: it reads nothing, and the watch goes on from now.
            return
        events = self._store.events_between(w.start_revision, current, w.key, w.range_end)
        batch: list[Event] = []
        revisions = 0
        for event in events:
            if not batch or event.kv.mod_revision != batch[-1].kv.mod_revision:
                revisions += 1
            if revisions > WATCH_BATCH_MAX_REVS:
                self._send(w, current, batch, self._with_prev_kv)
                batch, revisions = [], 1
            batch.append(event)
        self._send(w, current, batch, self._with_prev_kv)

    @mirrors(f"(*{MVCC}.watchableStore).notify")
    def notify(self, rev: int, events: list[Event]) -> None:
        """Queue one write transaction's events (all of revision `rev`) to the watches they match."""
        if self._group is None:
            self._group = WatcherGroup(list(self._watchers.values()))
        matched: dict[int, tuple[Watcher, list[Event]]] = {}
        for event in events:
            for w in self._group.holding(event.kv.key):
                if w.active and rev >= w.start_revision:
                    matched.setdefault(w.created, (w, []))[1].append(event)
        with_prev_kv = self._with_prev_kv_once()
        for created in sorted(matched):  # the watches in the order they were made
            w, events_of_w = matched[created]
            self._send(w, rev, events_of_w, with_prev_kv)

    def _with_prev_kv_once(self) -> Callable[[Event], Event]:
        """`_with_prev_kv` reading the store once per event however many watches want it."""
        done: dict[int, Event] = {}  # keyed by id(): notify's `events` keeps each one alive

        def with_prev_kv(event: Event) -> Event:
            if id(event) not in done:
                done[id(event)] = self._with_prev_kv(event)
            return done[id(event)]
        return with_prev_kv

    @mirrors(f"(*{MVCC}.watcher).send", f"{V3RPC}.FiltersFromRequest")
    def _send(self, w: Watcher, rev: int, events: list[Event],
              with_prev_kv: Callable[[Event], Event]) -> None:
        kept = [e for e in events if not (e.type == "PUT" and "NOPUT" in w.filters)
                and not (e.type == "DELETE" and "NODELETE" in w.filters)]
        if not kept:
            return
        if w.prev_kv:
            kept = [with_prev_kv(e) for e in kept]
        w.idle = False
        self._queue(w, WatchResponse(self._header(rev), w.id, events=tuple(kept)))

    @mirrors(f"(*{V3RPC}.serverWatchStream).sendLoop", f"{V3RPC}.IsCreateEvent")
    def _with_prev_kv(self, event: Event) -> Event:
        kv = event.kv
        if event.type == "PUT" and kv.create_revision == kv.mod_revision:
            return event  # a create has nothing before it
        try:
            found = self._store.range(kv.key, rev=kv.mod_revision - 1).kvs
        except ErrCompacted:
            return event
        return Event(event.type, kv, found[0] if found else None)

    @mirrors(f"(*{MVCC}.watchStream).Cancel", f"(*{MVCC}.watchableStore).cancelWatcher")
    def cancel(self, watch_id: int) -> bool:
        """Stop the watch and queue its final `canceled` response; False if there is no such watch."""
        w = self._watchers.get(watch_id)
        if w is None or not w.active:
            return False
        w.active = False
        self._queue(w, WatchResponse(self._header(self._store.current_revision), watch_id, canceled=True))
        return True

    @mirrors(f"(*{MVCC}.watchStream).RequestProgress", f"(*{MVCC}.watchableStore).progress")
    def progress(self, watch_id: int) -> None:
        """Queue a progress notification (no events, the current revision) behind pending events."""
        w = self._watchers.get(watch_id)
        if w is not None and w.active:
            self._queue(w, WatchResponse(self._header(self._store.current_revision), w.id))

    @mirrors(f"(*{V3RPC}.serverWatchStream).sendLoop")
    def tick(self, now: float) -> None:
        """Every progress interval, tell idle progress_notify watches the current revision."""
        if self._next_progress is None:
            self._next_progress = now + self.progress_interval
        if now < self._next_progress:
            return
        self._next_progress = now + self.progress_interval
        for w in list(self._watchers.values()):
            if w.active and w.progress_notify:
                if w.idle:
                    self.progress(w.id)
                w.idle = True

    @mirrors(f"(*{MVCC}.watchStream).Chan")
    def drain(self, watch_id: int) -> list[WatchResponse]:
        """Take the watch's queued responses, oldest first; a finished watch is then forgotten."""
        w = self._watchers.get(watch_id)
        if w is None:
            return []
        out = list(w.queue)
        w.queue.clear()
        if not w.active:
            del self._watchers[watch_id]
            self._group = None
        return out

    def _queue(self, w: Watcher, response: WatchResponse) -> None:
        w.queue.append(response)
        self.listener(w.id)


@mirrors(f"(*{MVCC}.watchableStore).syncWatchers")
def coalesce(responses: list[WatchResponse], max_revisions: int = WATCH_BATCH_MAX_REVS,
             max_bytes: int = COALESCE_MAX_BYTES) -> list[WatchResponse]:
    """`responses` (one watch's, in order) with each run of consecutive event responses joined
    into one response under the last one's header, of at most `max_revisions` revisions and,
    past its first response, `max_bytes` of keys and values.

    A stream's sender that fell behind writes what piled up as a few messages rather than one per
    revision, as etcd sends a watcher that fell behind its missed revisions in batches of
    watchBatchMaxRevs; each message costs a send and a wake-up on both ends. Created, canceled
    and progress responses are never joined, so nothing overtakes anything."""
    if len(responses) < 2:
        return responses  # the usual drain of a sender that keeps up
    out: list[WatchResponse] = []
    run: list[WatchResponse] = []
    revisions = size = 0

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            out.append(replace(run[-1], events=tuple(e for r in run for e in r.events)))
        run.clear()

    for response in responses:
        if not response.events or response.created or response.canceled or response.fragment:
            flush()
            out.append(response)
            continue
        events = response.events
        response_revisions = (1 if events[0].kv.mod_revision == events[-1].kv.mod_revision
                              else len({e.kv.mod_revision for e in events}))
        response_size = sum(_event_size(e) for e in events)
        if run and (revisions + response_revisions > max_revisions or size + response_size > max_bytes):
            flush()
        if not run:
            revisions = size = 0
        run.append(response)
        revisions += response_revisions
        size += response_size
    flush()
    return out


def _event_size(event: Event) -> int:
    kv, prev = event.kv, event.prev_kv
    return len(kv.key) + len(kv.value) + (len(prev.key) + len(prev.value) if prev is not None else 0)
