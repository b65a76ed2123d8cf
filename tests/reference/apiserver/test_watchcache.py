"""The watch cache core, with no etcd: changes in, list and watch answers out."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.storage.watchcache import (EVENT_FRESH_DURATION, LOWER_BOUND_CAPACITY,
                                                 TooOldResourceVersion, WatchCache, WatchCacheEvent, watch_event)
from reference_impl.machinery.clock import ManualClock

PREFIX = "/registry/pods/"


def pod(name: str, namespace: str = "a", **labels: str) -> dict:
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels}}


def key(obj: dict) -> str:
    return f"{PREFIX}{obj['metadata']['namespace']}/{obj['metadata']['name']}"


def cache_at_10(capacity: int = 100) -> WatchCache:
    """p1 and p2 listed at revision 10, with a buffer of a fixed `capacity`."""
    cache = WatchCache(ManualClock(), lower_bound_capacity=capacity, upper_bound_capacity=capacity)
    cache.replace({key(p): p for p in (pod("p1"), pod("p2"))}, 10)
    return cache


def labelled(app: str):
    return lambda obj: obj["metadata"].get("labels", {}).get("app") == app


def test_list_answers_the_current_objects_in_key_order_at_the_cache_revision():
    """After changes are processed a list shows the state they lead to, at the last one's revision."""
    cache = cache_at_10()
    cache.process(key(pod("p0")), pod("p0"), 11)
    cache.process(key(pod("p2")), None, 12)
    items, revision = cache.list(PREFIX)
    assert [p["metadata"]["name"] for p in items] == ["p0", "p1"] and revision == 12


def test_list_filters_by_prefix_and_predicate():
    """A namespace's prefix and a selector narrow the list; the revision stays the cache's."""
    cache = cache_at_10()
    cache.process(key(pod("q", "b", app="web")), pod("q", "b", app="web"), 11)
    cache.process(key(pod("r", "b", app="db")), pod("r", "b", app="db"), 12)
    items, revision = cache.list(f"{PREFIX}b/", labelled("web"))
    assert [p["metadata"]["name"] for p in items] == ["q"] and revision == 12


def test_event_types_follow_what_the_cache_held_before():
    """A put of an unknown key is ADDED, of a known one MODIFIED with the previous state, and a
    delete is DELETED carrying the last state at the deletion's revision."""
    cache = cache_at_10()
    added = cache.process(key(pod("p3")), pod("p3"), 11)
    modified = cache.process(key(pod("p1")), pod("p1", app="x"), 12)
    deleted = cache.process(key(pod("p2")), None, 13)
    assert (added.type, added.prev_object) == ("ADDED", None)
    assert modified.type == "MODIFIED" and modified.prev_object == pod("p1")
    assert deleted.type == "DELETED" and deleted.object["metadata"]["resourceVersion"] == "13"
    assert cache.process(key(pod("never")), None, 14) is None


def test_watch_from_zero_starts_with_every_current_object_as_added():
    cache = cache_at_10()
    events = cache.events_since(0)
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [("ADDED", "p1"), ("ADDED", "p2")]
    assert {e.resource_version for e in events} == {10}


def test_watch_from_a_revision_gets_only_the_later_events():
    cache = cache_at_10()
    for revision, name in ((11, "x"), (12, "y"), (13, "z")):
        cache.process(key(pod(name)), pod(name), revision)
    assert [e.resource_version for e in cache.events_since(11)] == [12, 13]
    assert cache.events_since(13) == [] and cache.events_since(99) == []


def test_watch_from_the_list_revision_is_served_and_from_before_it_is_410():
    """Nothing before the list's revision was ever buffered: a watch from earlier is too old."""
    cache = cache_at_10()
    cache.process(key(pod("x")), pod("x"), 11)
    assert [e.resource_version for e in cache.events_since(10)] == [11]
    with pytest.raises(TooOldResourceVersion) as raised:
        cache.events_since(9)
    assert (raised.value.requested, raised.value.oldest) == (9, 10)


def test_watch_from_a_revision_pushed_out_of_the_buffer_is_410():
    """With room for 2 events, after 3 the first one's revision can no longer be resumed from."""
    cache = cache_at_10(capacity=2)
    for revision, name in ((11, "x"), (12, "y"), (13, "z")):
        cache.process(key(pod(name)), pod(name), revision)
    assert [e.resource_version for e in cache.events_since(11)] == [12, 13]
    with pytest.raises(TooOldResourceVersion):
        cache.events_since(10)


def test_the_buffer_doubles_while_every_event_it_holds_is_fresh():
    """watchCache.resizeCacheLocked: a full buffer whose oldest event is younger than
    eventFreshDuration doubles (from 100) instead of evicting, so a burst of changes stays resumable."""
    cache = WatchCache(ManualClock())
    cache.replace({}, 10)
    for revision in range(11, 11 + 3000):
        cache.process(key(pod(f"p{revision}")), pod(f"p{revision}"), revision)
    assert cache.capacity == 3200
    assert cache.events_since(10)[0].resource_version == 11


def test_the_buffer_evicts_events_older_than_the_fresh_duration_once_full():
    """A full buffer whose oldest event is stale does not grow: the next event pushes it out and
    a watch from before it is 410, with the oldest revision the buffer still holds."""
    clock = ManualClock()
    cache = WatchCache(clock)
    cache.replace({}, 10)
    for revision in range(11, 11 + LOWER_BOUND_CAPACITY):
        cache.process(key(pod(f"p{revision}")), pod(f"p{revision}"), revision)
    clock.advance(EVENT_FRESH_DURATION / 2)
    cache.process(key(pod("late")), pod("late"), 111)
    clock.advance(EVENT_FRESH_DURATION / 2 + 1)
    cache.process(key(pod("later")), pod("later"), 112)
    assert cache.capacity == 2 * LOWER_BOUND_CAPACITY
    clock.advance(EVENT_FRESH_DURATION)
    for revision in range(113, 113 + 2 * LOWER_BOUND_CAPACITY - 102):
        cache.process(key(pod(f"p{revision}")), pod(f"p{revision}"), revision)
    cache.process(key(pod("next")), pod("next"), 300)
    with pytest.raises(TooOldResourceVersion) as raised:
        cache.events_since(10)
    assert raised.value.oldest == 11


def test_the_buffer_halves_when_its_newest_quarter_is_stale():
    """When even the newest quarter of a full buffer is older than eventFreshDuration, the buffer
    halves (not below 100), keeping the newest events."""
    clock = ManualClock()
    cache = WatchCache(clock)
    cache.replace({}, 10)
    for revision in range(11, 11 + 2 * LOWER_BOUND_CAPACITY):
        cache.process(key(pod(f"p{revision}")), pod(f"p{revision}"), revision)
    assert cache.capacity == 2 * LOWER_BOUND_CAPACITY
    clock.advance(EVENT_FRESH_DURATION + 1)
    cache.process(key(pod("late")), pod("late"), 500)
    assert cache.capacity == LOWER_BOUND_CAPACITY
    assert [e.resource_version for e in cache.events_since(209)] == [210, 500]
    assert cache.events_since(111)[0].resource_version == 112
    with pytest.raises(TooOldResourceVersion):
        cache.events_since(110)


def test_progress_advances_the_revision_a_list_is_at_without_an_event():
    """etcd's progress notification says every change up to it has come: a quiet resource's list
    is then at that later revision, and the buffer is unchanged."""
    cache = cache_at_10()
    cache.update_resource_version(40)
    cache.update_resource_version(30)  # progress never goes back
    assert cache.list(PREFIX)[1] == 40 and cache.events_since(10) == []


def test_replace_starts_the_buffer_over():
    """After a relist the buffer holds nothing older than the new list."""
    cache = cache_at_10()
    cache.process(key(pod("x")), pod("x"), 11)
    cache.replace({key(pod("y")): pod("y")}, 20)
    assert [p["metadata"]["name"] for p in cache.list(PREFIX)[0]] == ["y"]
    with pytest.raises(TooOldResourceVersion):
        cache.events_since(11)


def event(type_: str, new: dict, old: dict | None, revision: int = 20) -> WatchCacheEvent:
    return WatchCacheEvent(type_, key(new), new, old, revision)


def test_a_watcher_sees_an_object_that_stops_matching_as_deleted_at_the_event_revision():
    seen = watch_event(event("MODIFIED", pod("p", app="db"), pod("p", app="web")), PREFIX, labelled("web"))
    assert seen[0] == "DELETED"
    assert seen[1]["metadata"]["labels"] == {"app": "web"} and seen[1]["metadata"]["resourceVersion"] == "20"


def test_a_watcher_sees_an_object_that_starts_matching_as_added():
    seen = watch_event(event("MODIFIED", pod("p", app="web"), pod("p", app="db")), PREFIX, labelled("web"))
    assert seen == ("ADDED", pod("p", app="web"))


def test_a_watcher_sees_nothing_of_an_object_that_never_matches_or_lies_outside_its_namespace():
    assert watch_event(event("MODIFIED", pod("p", app="db"), pod("p", app="db")), PREFIX, labelled("web")) is None
    assert watch_event(event("ADDED", pod("p", "b"), None), f"{PREFIX}a/", None) is None
    assert watch_event(event("ADDED", pod("p", "a"), None), f"{PREFIX}a/", None)[0] == "ADDED"


def test_a_deleted_object_is_reported_only_to_watchers_it_matched():
    gone = pod("p", app="web")
    assert watch_event(event("DELETED", gone, gone), PREFIX, labelled("web"))[0] == "DELETED"
    assert watch_event(event("DELETED", gone, gone), PREFIX, labelled("db")) is None
