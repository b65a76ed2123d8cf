"""Rules of etcd watches: history then live events, filters, prev_kv, progress, cancel, compaction."""
from __future__ import annotations

from dataclasses import replace

import pytest

from reference_impl.machinery.clock import ManualClock
from reference_impl.etcd import EtcdServer
from reference_impl.etcd.errors import ErrEmptyWatcherRange, ErrWatcherDuplicateID
from reference_impl.etcd import watch
from reference_impl.etcd.watch import coalesce
from reference_impl.etcd.messages import (
    CompactionRequest, DeleteRangeRequest, KeyValue, PutRequest, RequestOp, TxnRequest,
    WatchCreateRequest, WatchResponse)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def server(clock) -> EtcdServer:
    return EtcdServer(clock, progress_interval=10.0)


def put(server: EtcdServer, key: bytes, value: bytes = b"v") -> int:
    return server.put(PutRequest(key, value)).header.revision


def events(responses: list[WatchResponse]) -> list[tuple[str, bytes, int]]:
    return [(e.type, e.kv.key, e.kv.mod_revision) for r in responses for e in r.events]


def test_create_answers_created_with_the_current_revision(server):
    """The first response of a watch says created, with the revision at creation."""
    put(server, b"a")
    wid = server.watch_create(WatchCreateRequest(b"a"))
    [created] = server.watch_drain(wid)
    assert (created.watch_id, created.created, created.header.revision, created.events) == (wid, True, 2, ())


def test_live_events_arrive_one_revision_per_response(server):
    """Without a start revision a watch sees the changes after its creation, one response each."""
    wid = server.watch_create(WatchCreateRequest(b"a"))
    put(server, b"a", b"1")
    put(server, b"b")
    server.delete_range(DeleteRangeRequest(b"a"))
    _, *rest = server.watch_drain(wid)
    assert [(r.header.revision, events([r])) for r in rest] == [
        (2, [("PUT", b"a", 2)]), (4, [("DELETE", b"a", 4)])]


def test_a_delete_event_carries_key_and_revision_only(server):
    """A DELETE event's key-value has only the key and the delete's revision."""
    put(server, b"a")
    wid = server.watch_create(WatchCreateRequest(b"a"))
    server.delete_range(DeleteRangeRequest(b"a"))
    assert server.watch_drain(wid)[-1].events[0].kv == KeyValue(b"a", mod_revision=3)


def test_watch_from_a_past_revision_replays_history_then_goes_live(server):
    """A start revision in the past replays every change since it, then continues live."""
    put(server, b"a", b"1")  # 2
    put(server, b"a", b"2")  # 3
    put(server, b"a", b"3")  # 4
    wid = server.watch_create(WatchCreateRequest(b"a", start_revision=3))
    put(server, b"a", b"4")  # 5
    assert events(server.watch_drain(wid)) == [("PUT", b"a", 3), ("PUT", b"a", 4), ("PUT", b"a", 5)]


def test_a_future_start_revision_skips_earlier_changes(server):
    """A start revision in the future delivers nothing before it."""
    wid = server.watch_create(WatchCreateRequest(b"a", start_revision=4))
    for _ in range(3):
        put(server, b"a")
    assert events(server.watch_drain(wid)) == [("PUT", b"a", 4)]


def test_range_watch_sees_only_keys_in_range(server):
    """A watch with range_end sees changes to keys in [key, range_end) only; b"\\0" means all after."""
    prefix = server.watch_create(WatchCreateRequest(b"p/", b"p0"))
    everything = server.watch_create(WatchCreateRequest(b"\0", b"\0"))
    for k in (b"p/1", b"q", b"p/2", b"p"):
        put(server, k)
    assert [k for _, k, _ in events(server.watch_drain(prefix))] == [b"p/1", b"p/2"]
    assert len(events(server.watch_drain(everything))) == 4


def test_events_of_one_txn_come_together(server):
    """All events of one revision come in one response, never split, in the txn's order."""
    wid = server.watch_create(WatchCreateRequest(b"a", b"z"))
    server.txn(TxnRequest(success=tuple(RequestOp(PutRequest(k, b"v")) for k in (b"c", b"a", b"b"))))
    _, response = server.watch_drain(wid)
    assert [e.kv.key for e in response.events] == [b"c", b"a", b"b"]


def test_events_are_never_repeated_or_reordered(server):
    """Across history and live delivery each change arrives exactly once, in revision order."""
    for i in range(5):
        put(server, b"k%d" % i)
    wid = server.watch_create(WatchCreateRequest(b"k", b"l", start_revision=2))
    seen = events(server.watch_drain(wid))
    for i in range(5, 10):
        put(server, b"k%d" % i)
        seen += events(server.watch_drain(wid))
    assert [rev for _, _, rev in seen] == list(range(2, 12))


def test_prev_kv_carries_the_previous_value(server):
    """With prev_kv, a PUT or DELETE event carries the key-value before it; a create has none."""
    wid = server.watch_create(WatchCreateRequest(b"a", prev_kv=True))
    put(server, b"a", b"1")
    put(server, b"a", b"2")
    server.delete_range(DeleteRangeRequest(b"a"))
    evs = [e for r in server.watch_drain(wid) for e in r.events]
    assert [e.prev_kv.value if e.prev_kv else None for e in evs] == [None, b"1", b"2"]


def test_watches_sharing_an_event_read_its_prev_kv_once(server, monkeypatch):
    """Several prev_kv watches on one key get the same previous value from a single store read."""
    put(server, b"a", b"1")
    wids = [server.watch_create(WatchCreateRequest(b"a", prev_kv=True)) for _ in range(3)]
    reads = []
    range_ = server.store.range
    monkeypatch.setattr(server.store, "range", lambda *a, **kw: reads.append(a) or range_(*a, **kw))
    put(server, b"a", b"2")
    for wid in wids:
        assert server.watch_drain(wid)[-1].events[0].prev_kv.value == b"1"
    assert len(reads) == 1


def test_filters_drop_puts_or_deletes(server):
    """NOPUT drops PUT events, NODELETE drops DELETE events; a response left empty is not sent."""
    no_put = server.watch_create(WatchCreateRequest(b"a", filters=("NOPUT",)))
    no_delete = server.watch_create(WatchCreateRequest(b"a", filters=("NODELETE",)))
    put(server, b"a")
    server.delete_range(DeleteRangeRequest(b"a"))
    assert events(server.watch_drain(no_put)) == [("DELETE", b"a", 3)]
    assert events(server.watch_drain(no_delete)) == [("PUT", b"a", 2)]
    assert len(server.watch_drain(no_put)) == 0


def test_progress_request_comes_after_pending_events(server):
    """A progress request answers the current revision, queued behind undelivered events."""
    wid = server.watch_create(WatchCreateRequest(b"a"))
    put(server, b"a")
    put(server, b"b")
    server.watches.progress(wid)
    *_, event, progress = server.watch_drain(wid)
    assert events([event]) == [("PUT", b"a", 2)]
    assert (progress.events, progress.header.revision, progress.watch_id) == ((), 3, wid)


def test_progress_notify_reaches_only_idle_watches(server, clock):
    """Each progress interval, progress_notify watches that got no events hear the revision."""
    idle = server.watch_create(WatchCreateRequest(b"idle", progress_notify=True))
    busy = server.watch_create(WatchCreateRequest(b"busy", progress_notify=True))
    plain = server.watch_create(WatchCreateRequest(b"plain"))
    for wid in (idle, busy, plain):
        server.watch_drain(wid)
    server.tick()
    put(server, b"busy")
    clock.advance(10)
    server.tick()
    assert [(r.events, r.header.revision) for r in server.watch_drain(idle)] == [((), 2)]
    assert len(server.watch_drain(busy)) == 1
    assert server.watch_drain(plain) == []


def test_cancel_ends_the_watch(server):
    """Cancel queues a canceled response and no events after it; then the id is gone."""
    wid = server.watch_create(WatchCreateRequest(b"a"))
    assert server.watch_cancel(wid)
    put(server, b"a")
    _, canceled = server.watch_drain(wid)
    assert (canceled.canceled, canceled.events) == (True, ())
    assert server.watch_drain(wid) == []
    assert not server.watch_cancel(wid)


def test_cancel_of_an_unknown_watch_is_false(server):
    """Canceling an id that is not a watch answers False and queues nothing."""
    assert not server.watch_cancel(12345)


def test_a_watch_below_the_compacted_revision_is_canceled(server):
    """A start revision below the compacted one: created, then canceled with compact_revision."""
    for _ in range(4):
        put(server, b"a")
    server.compact(CompactionRequest(4))
    wid = server.watch_create(WatchCreateRequest(b"a", start_revision=3))
    created, canceled = server.watch_drain(wid)
    assert created.created and not created.canceled
    assert (canceled.canceled, canceled.compact_revision) == (True, 4)
    put(server, b"a")
    assert server.watch_drain(wid) == []


def test_the_compacted_cancel_carries_revision_zero(server):
    """mvcc sends a compacted watcher a WatchResponse with only CompactRevision set, and sendLoop
    builds its header from that response's revision, 0 (recorded from etcd 3.4: the created
    response at the current revision, the canceled one with revision 0 and the member's ids)."""
    for _ in range(4):
        put(server, b"a")
    server.compact(CompactionRequest(4))
    created, canceled = server.watch_drain(server.watch_create(WatchCreateRequest(b"a", start_revision=3)))
    assert created.header.revision == 5
    assert canceled.header == replace(server.header(), revision=0)


def test_a_watch_at_the_compacted_revision_is_allowed(server):
    """A start revision equal to the compacted one still replays from there."""
    for _ in range(4):
        put(server, b"a")
    server.compact(CompactionRequest(4))
    wid = server.watch_create(WatchCreateRequest(b"a", start_revision=4))
    assert events(server.watch_drain(wid)) == [("PUT", b"a", 4), ("PUT", b"a", 5)]


def test_ids_are_assigned_or_chosen(server):
    """Watch ids count up from 0; a chosen id is used, and a chosen id in use is refused."""
    assert server.watch_create(WatchCreateRequest(b"a")) == 0
    assert server.watch_create(WatchCreateRequest(b"a", watch_id=7)) == 7
    assert server.watch_create(WatchCreateRequest(b"a")) == 1
    with pytest.raises(ErrWatcherDuplicateID):
        server.watch_create(WatchCreateRequest(b"a", watch_id=7))


def test_an_empty_range_is_refused(server):
    """A range_end not after the key is refused with ErrEmptyWatcherRange."""
    with pytest.raises(ErrEmptyWatcherRange):
        server.watch_create(WatchCreateRequest(b"b", b"a"))


def test_the_listener_hears_of_queued_responses(server):
    """The watch listener is told the id of each watch that got something to drain."""
    heard = []
    server.set_watch_listener(heard.append)
    wid = server.watch_create(WatchCreateRequest(b"a"))
    put(server, b"a")
    put(server, b"b")
    assert heard == [wid, wid]


def test_coalesce_joins_piled_up_revisions_under_the_last_header(server):
    """A sender behind by several revisions writes them as one response, its header the last's."""
    wid = server.watch_create(WatchCreateRequest(b"a", b"b"))
    for value in (b"1", b"2", b"3"):
        put(server, b"a", value)
    created, joined = coalesce(server.watch_drain(wid))
    assert created.created and not created.events
    assert (joined.header.revision, joined.watch_id, events([joined])) == (
        4, wid, [("PUT", b"a", 2), ("PUT", b"a", 3), ("PUT", b"a", 4)])


def test_coalesce_never_moves_an_event_past_a_progress_or_cancel(server):
    """Created, progress and canceled responses stay where they were; only runs of events join."""
    wid = server.watch_create(WatchCreateRequest(b"a"))
    put(server, b"a")
    put(server, b"a")
    server.watches.progress(wid)
    put(server, b"a")
    server.watch_cancel(wid)
    shape = [(r.created, r.canceled, [e.kv.mod_revision for e in r.events], r.header.revision)
             for r in coalesce(server.watch_drain(wid))]
    assert shape == [(True, False, [], 1), (False, False, [2, 3], 3), (False, False, [], 3),
                     (False, False, [4], 4), (False, True, [], 4)]


def test_coalesce_bounds_a_joined_response_in_revisions_and_bytes(server):
    """A joined response holds at most max_revisions revisions, and past its first response at
    most max_bytes of keys and values; a single response is never split."""
    wid = server.watch_create(WatchCreateRequest(b"a"))
    for _ in range(5):
        put(server, b"a", b"x" * 10)
    _, *live = server.watch_drain(wid)
    assert [len(r.events) for r in coalesce(live, max_revisions=2)] == [2, 2, 1]
    assert [len(r.events) for r in coalesce(live, max_bytes=25)] == [2, 2, 1]
    assert [len(r.events) for r in coalesce(live, max_bytes=5)] == [1, 1, 1, 1, 1]


def test_a_write_reaches_each_watch_holding_its_key_once_in_the_order_they_were_made(server):
    """A put is queued to every watch whose key is it or whose range holds it (nested ranges, a
    range from a key on, one key) and to no other, each once, in the order the watches were made."""
    made = {name: server.watch_create(WatchCreateRequest(key, end)) for name, key, end in [
        ("pods", b"/registry/pods/", b"/registry/pods0"), ("all", b"/registry/", b"/registry0"),
        ("one", b"/registry/pods/ns/p", b""), ("from", b"/registry/pods/ns/", b"\0"),
        ("after", b"/registry/pods/ns/q", b"/registry/pods/ns/z"), ("other", b"/registry/podx/", b"/registry/podx0"),
        ("before", b"/registry/a", b"/registry/b"), ("other one", b"/registry/pods/ns/p2", b"")]}
    for wid in made.values():
        server.watch_drain(wid)
    queued: list[int] = []
    server.set_watch_listener(queued.append)
    rev = put(server, b"/registry/pods/ns/p")
    assert queued == [made[name] for name in ("pods", "all", "one", "from")]
    assert {name: events(server.watch_drain(wid)) for name, wid in made.items()} == {
        name: [("PUT", b"/registry/pods/ns/p", rev)] if name in ("pods", "all", "one", "from") else []
        for name in made}


def test_a_write_asks_only_the_ranges_that_could_hold_its_key(server, monkeypatch):
    """With fifty prefix watches (the apiserver's, one per resource) a put compares its key with
    the few ranges that start at or before it and still reach it, not with all fifty, as mvcc's
    watcherGroup finds them in an interval tree (asking each cost a write a third of its work)."""
    for i in range(50):
        server.watch_create(WatchCreateRequest(f"/registry/r{i:02d}/".encode(), f"/registry/r{i:02d}0".encode()))
    compared = []
    real = watch.in_range
    monkeypatch.setattr(watch, "in_range", lambda *args: compared.append(args) or real(*args))
    put(server, b"/registry/r25/ns/name")
    assert len(compared) <= 2
