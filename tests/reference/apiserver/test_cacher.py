"""The Cacher between the registry and a real reference etcd: one etcd watch per resource, and
lists and watches answered from its cache with the resourceVersion rules of the etcd path."""
from __future__ import annotations

import itertools
import random
import threading
import time
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etcd"))
from watching import collect  # noqa: E402

from reference_impl.apiserver import kinds  # noqa: E402
from reference_impl.apiserver.core import jsonserializer  # noqa: E402
from reference_impl.apiserver.core.customresource import resources_for  # noqa: E402
from reference_impl.apiserver.storage import cacher as cacher_module  # noqa: E402
from reference_impl.apiserver.storage.cacher import CacheWatcher, should_delegate_list  # noqa: E402
from reference_impl.apiserver.core.errors import StatusError  # noqa: E402
from reference_impl.apiserver.core.registry import Registry  # noqa: E402
from reference_impl.machinery.clock import ManualClock  # noqa: E402
from tests.reference.apiserver.test_handlers import etcd  # noqa: E402,F401  (a fixture)

_namespaces = itertools.count()



@pytest.fixture
def registry(etcd):
    registry = Registry(etcd, ManualClock(1_700_000_000), rng=random.Random(3))
    yield registry
    registry.close()


@pytest.fixture
def ns(registry):
    name = f"cached{next(_namespaces)}"
    registry.create("namespaces", None, {"metadata": {"name": name}})
    return name


def config_map(name: str, **labels: str) -> dict:
    return {"metadata": {"name": name, "labels": labels}}


def test_watches_of_one_resource_share_one_etcd_watch(registry, ns, monkeypatch):
    """Three watchers of config maps (two namespaces' worth of selectors) cost etcd one watch."""
    opened = []
    real_watch = registry.storage.client.watch
    monkeypatch.setattr(registry.storage.client, "watch", lambda *a, **k: opened.append(a) or real_watch(*a, **k))
    watches = [registry.watch("configmaps", ns), registry.watch("configmaps", ns, "app=web"),
               registry.watch("configmaps", None)]
    assert all(isinstance(w, CacheWatcher) for w in watches)
    registry.create("configmaps", ns, config_map("c", app="web"))
    seen = [collect(w, 1) for w in watches]
    assert [[(t, o["metadata"]["name"]) for t, o in events] for events in seen] == [[("ADDED", "c")]] * 3
    assert len(opened) == 1


def test_watchers_get_only_what_their_selector_and_namespace_select(registry, ns):
    other = f"{ns}-other"
    registry.create("namespaces", None, {"metadata": {"name": other}})
    start = registry.list("configmaps", ns)["metadata"]["resourceVersion"]
    web = registry.watch("configmaps", ns, "app=web", resource_version=start)
    registry.create("configmaps", other, config_map("elsewhere", app="web"))
    registry.create("configmaps", ns, config_map("db", app="db"))
    registry.create("configmaps", ns, config_map("web", app="web"))
    events = collect(web, 1)
    assert [(t, o["metadata"]["name"]) for t, o in events] == [("ADDED", "web")]


def test_a_list_at_resource_version_zero_is_served_from_the_cache(registry, ns, monkeypatch):
    """Once the resource has a cache, a list at "0" reads no etcd key: it is the cache's state."""
    collect(registry.watch("configmaps", ns), 0, timeout=0)
    registry.create("configmaps", ns, config_map("c"))
    created = registry.create("configmaps", ns, config_map("d"))
    monkeypatch.setattr(registry.storage.client, "range", lambda *a, **k: pytest.fail("read etcd"))
    listed = registry.list("configmaps", ns, resource_version=created["metadata"]["resourceVersion"])
    assert [c["metadata"]["name"] for c in listed["items"]] == ["c", "d"]
    at_zero = registry.list("configmaps", ns, resource_version="0", limit=1)  # at "0" a limit is ignored
    assert len(at_zero["items"]) == 2 and int(at_zero["metadata"]["resourceVersion"]) >= int(
        created["metadata"]["resourceVersion"])


def test_a_list_at_a_revision_waits_for_the_cache_to_reach_it(registry, ns):
    """A list at the revision a write answered shows that write, even if the cache had not seen
    it yet; a revision of another resource is reached through etcd's progress notification."""
    collect(registry.watch("configmaps", ns), 0, timeout=0)
    for i in range(5):
        written = registry.create("configmaps", ns, config_map(f"c{i}"))
        listed = registry.list("configmaps", ns, resource_version=written["metadata"]["resourceVersion"])
        assert len(listed["items"]) == i + 1
    secret = registry.create("secrets", ns, {"metadata": {"name": "s"}, "type": "Opaque"})
    listed = registry.list("configmaps", ns, resource_version=secret["metadata"]["resourceVersion"])
    assert int(listed["metadata"]["resourceVersion"]) >= int(secret["metadata"]["resourceVersion"])


def test_a_list_at_a_revision_etcd_has_not_reached_is_504(registry, ns, monkeypatch):
    monkeypatch.setattr(cacher_module, "FRESH_TIMEOUT", 0.3)
    collect(registry.watch("configmaps", ns), 0, timeout=0)
    with pytest.raises(StatusError) as raised:
        registry.list("configmaps", ns, resource_version="999999999")
    assert raised.value.code == 504 and "Too large resource version" in raised.value.message


def test_a_get_at_a_resource_version_is_served_from_the_cache(registry, ns, monkeypatch):
    """Cacher.Get: with a resourceVersion the object comes from the cache once it has reached that
    revision, a name it does not hold being a 404; without one, from etcd."""
    collect(registry.watch("configmaps", ns), 0, timeout=0)
    created = registry.create("configmaps", ns, config_map("c"))
    monkeypatch.setattr(registry.storage.client, "range", lambda *a, **k: pytest.fail("read etcd"))
    got = registry.get("configmaps", ns, "c", created["metadata"]["resourceVersion"])
    assert got["metadata"]["uid"] == created["metadata"]["uid"]
    with pytest.raises(StatusError) as raised:
        registry.get("configmaps", ns, "gone", "0")
    assert raised.value.code == 404


def test_a_get_at_a_revision_etcd_has_not_reached_is_504(registry, ns, monkeypatch):
    monkeypatch.setattr(cacher_module, "FRESH_TIMEOUT", 0.3)
    collect(registry.watch("configmaps", ns), 0, timeout=0)
    registry.create("configmaps", ns, config_map("c"))
    with pytest.raises(StatusError) as raised:
        registry.get("configmaps", ns, "c", "999999999")
    assert (raised.value.code, raised.value.details["retryAfterSeconds"]) == (504, 1)
    assert raised.value.message.startswith("Timeout: Too large resource version: 999999999, current: ")


def test_a_watch_from_before_the_server_started_is_410(etcd, ns):
    """Every resource's cache begins at the revision etcd had when the server started (upstream makes
    each Cacher with its storage and lists at once); a watch from before that is 410, in the watch
    cache's words."""
    earlier = Registry(etcd)
    first = earlier.create("configmaps", ns, config_map("c"))["metadata"]["resourceVersion"]
    last = earlier.create("configmaps", ns, config_map("d"))["metadata"]["resourceVersion"]
    started = Registry(etcd, ManualClock(1_700_000_000))
    try:
        events = collect(started.watch("configmaps", ns, resource_version=first), 1)
    finally:
        started.close()
    assert [(t, o["code"], o["reason"]) for t, o in events] == [("ERROR", 410, "Expired")]
    assert events[0][1]["message"] == f"too old resource version: {first} ({last})"


def test_a_watch_from_before_the_resources_first_watch_replays_what_followed(registry, ns):
    """The caches start with the server, not at a resource's first watch: a watch from any revision
    since then is served, here one older than the watch that came first."""
    registry.start_watch_caches()
    first = registry.create("configmaps", ns, config_map("a"))["metadata"]["resourceVersion"]
    registry.create("configmaps", ns, config_map("b"))
    collect(registry.watch("configmaps", ns), 0, timeout=0)
    events = collect(registry.watch("configmaps", ns, resource_version=first), 1)
    assert [(t, o["metadata"]["name"]) for t, o in events] == [("ADDED", "b")]


def test_a_watch_since_the_caches_started_is_replayed_after_etcd_compacts_that_history(registry, ns):
    """The buffer, not etcd's history, answers a watch from a revision since the server started:
    once etcd has compacted everything, the changes since are still replayed (not 410)."""
    registry.start_watch_caches()
    first = registry.create("configmaps", ns, config_map("a"))["metadata"]["resourceVersion"]
    registry.create("configmaps", ns, config_map("b"))
    registry.storage.client.compact(registry.storage.current_revision())
    events = collect(registry.watch("configmaps", ns, resource_version=first), 1)
    assert [(t, o["metadata"]["name"]) for t, o in events] == [("ADDED", "b")]


def test_the_first_list_at_resource_version_zero_is_served_from_the_cache(registry, ns):
    """Cacher.List at "0" answers from the cache even before any watch of the resource, so a
    limit is ignored there too."""
    for name in ("a", "b"):
        registry.create("configmaps", ns, config_map(name))
    listed = registry.list("configmaps", ns, resource_version="0", limit=1)
    assert [c["metadata"]["name"] for c in listed["items"]] == ["a", "b"]
    assert "continue" not in listed["metadata"]


def test_a_watch_from_a_revision_the_buffer_holds_replays_what_followed(registry, ns):
    start = registry.list("configmaps", ns)["metadata"]["resourceVersion"]
    collect(registry.watch("configmaps", ns, resource_version=start), 0, timeout=0)
    created = registry.create("configmaps", ns, config_map("c"))
    registry.patch("configmaps", ns, "c", lambda o: {**o, "data": {"v": "1"}})
    registry.delete("configmaps", ns, "c")
    events = collect(registry.watch("configmaps", ns, resource_version=created["metadata"]["resourceVersion"]), 2)
    assert [t for t, _ in events] == ["MODIFIED", "DELETED"]


def test_a_watcher_gets_a_bookmark_every_interval_at_the_last_revision_the_cache_processed(registry, ns):
    """dispatchEvents: every bookmark interval (a minute upstream), busy or idle, a BOOKMARK at the
    revision of the last change the cache has processed, which the watcher has had."""
    created = registry.create("configmaps", ns, config_map("c"))
    watch = registry.watch("configmaps", ns, resource_version=created["metadata"]["resourceVersion"],
                           allow_bookmarks=True, bookmark_interval=0.5)
    later = registry.create("configmaps", ns, config_map("later"))
    registry.create("secrets", ns, {"metadata": {"name": "elsewhere"}, "type": "Opaque"})
    events = collect(watch, 3, timeout=3)
    revision = later["metadata"]["resourceVersion"]
    assert [(t, o["metadata"]["resourceVersion"]) for t, o in events] == [
        ("ADDED", revision), ("BOOKMARK", revision), ("BOOKMARK", revision)]
    assert events[1][1] == {"kind": "ConfigMap", "apiVersion": "v1",
                            "metadata": {"resourceVersion": revision, "creationTimestamp": None}}


# The BOOKMARK bodies the real kube-apiserver 1.24 sends (compared byte for byte, resourceVersion 7).
REAL_BOOKMARKS = {
    "pods": '{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"7","creationTimestamp":null},'
            '"spec":{"containers":null},"status":{}}',
    "daemonsets": '{"kind":"DaemonSet","apiVersion":"apps/v1","metadata":{"resourceVersion":"7",'
                  '"creationTimestamp":null,"annotations":{"deprecated.daemonset.template.generation":"0"}},'
                  '"spec":{"selector":null,"template":{"metadata":{"creationTimestamp":null},'
                  '"spec":{"containers":null}},"updateStrategy":{}},"status":{"currentNumberScheduled":0,"numberMisscheduled":0,'
                  '"desiredNumberScheduled":0,"numberReady":0}}',
    "rolebindings": '{"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{'
                    '"resourceVersion":"7","creationTimestamp":null},"roleRef":{"apiGroup":"","kind":"","name":""}}',
}


@pytest.mark.parametrize("plural", sorted(REAL_BOOKMARKS))
def test_a_bookmark_carries_the_kinds_empty_object_as_go_writes_it(plural):
    """dispatchEvents sends the kind's New() with only its resourceVersion set: Go's encoding
    writes every field without omitempty at its zero value (null creationTimestamp, null lists)
    and what the conversion to the version fills in (a DaemonSet's generation annotation)."""
    assert jsonserializer.encode(kinds.by_plural(plural).bookmark_object(7)).decode() == REAL_BOOKMARKS[plural]


def test_a_custom_resources_bookmark_is_a_bare_unstructured_object():
    """A custom resource's New() is an Unstructured map: its keys are written sorted, its metadata
    has the resourceVersion alone."""
    widget = resources_for({"metadata": {"name": "widgets.example.com"},
                            "spec": {"group": "example.com", "scope": "Namespaced",
                                     "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                                     "versions": [{"name": "v1", "served": True, "storage": True}]},
                            "status": {"conditions": [{"type": "Established", "status": "True"}]}})[0]
    assert jsonserializer.encode(widget.bookmark_object(7)) == \
        b'{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"resourceVersion":"7"}}'


def test_a_watch_with_a_timeout_gets_a_bookmark_two_seconds_before_it_ends(registry, ns):
    """nextBookmarkTime: a watch that ends in `timeout` seconds gets its bookmark 2 s before then
    when that comes before the next minute's."""
    created = registry.create("configmaps", ns, config_map("c"))
    watch = registry.watch("configmaps", ns, resource_version=created["metadata"]["resourceVersion"],
                           allow_bookmarks=True, timeout=3)
    later = registry.create("configmaps", ns, config_map("later"))
    events = collect(watch, 2, timeout=2.5)
    assert [(t, o["metadata"]["resourceVersion"]) for t, o in events] == [
        ("ADDED", later["metadata"]["resourceVersion"]), ("BOOKMARK", later["metadata"]["resourceVersion"])]


@pytest.mark.parametrize("deadline,due", [(None, 160.0), (1000.0, 160.0), (130.0, 128.0), (101.0, None)])
def test_the_next_bookmark_is_a_minute_away_or_two_seconds_before_the_deadline(deadline, due):
    assert cacher_module.next_bookmark_time(100.0, 60.0, deadline) == due


def test_a_watcher_of_a_quiet_resource_gets_no_bookmark(registry, ns):
    """A bookmark is only sent at a revision past the one the watch started from: the cache's last
    change is not, however much the rest of the cluster has changed since."""
    created = registry.create("configmaps", ns, config_map("c"))
    watch = registry.watch("configmaps", ns, resource_version=created["metadata"]["resourceVersion"],
                           allow_bookmarks=True, bookmark_interval=0.2)
    registry.create("secrets", ns, {"metadata": {"name": "later"}, "type": "Opaque"})
    assert collect(watch, 1, timeout=1) == []


def test_a_watcher_that_falls_too_far_behind_is_ended(registry, ns):
    """A watcher whose channels (10 events each) stay full for the dispatch's time budget is
    ended, as upstream ends a blocked cacheWatcher; its client resumes from the last revision it
    read, as from any ended watch."""
    slow = registry.watch("configmaps", ns, resource_version=registry.list("configmaps", ns)["metadata"][
        "resourceVersion"])
    for i in range(30):
        last = registry.create("configmaps", ns, config_map(f"c{i}"))
    registry.list("configmaps", ns, resource_version=last["metadata"]["resourceVersion"])  # all 30 dispatched
    assert len(collect(slow, 30, timeout=3)) <= 2 * cacher_module.CHAN_SIZE


def test_the_dispatch_budget_is_100ms_regained_at_50ms_a_second():
    """timeBudget: a dispatch may wait for blocked watchers as long as the budget holds (at most
    100 ms), which refills by 50 ms each second; what a dispatch did not use is given back."""
    clock = ManualClock(0)
    budget = cacher_module.TimeBudget(clock)
    assert budget.take_available() == pytest.approx(0.1)
    assert budget.take_available() == 0
    clock.advance(1)
    assert budget.take_available() == pytest.approx(0.05)
    budget.return_unused(0.03)
    clock.advance(10)
    assert budget.take_available() == pytest.approx(0.1)


def test_only_lists_the_cache_can_answer_are_taken_from_it():
    """A quorum read, a continued page, a limited list at an exact revision and
    resourceVersionMatch=Exact go to etcd."""
    assert should_delegate_list("", 0, "")
    assert should_delegate_list("12", 0, "", "Exact")
    assert not should_delegate_list("12", 0, "", "NotOlderThan")
    assert should_delegate_list("0", 0, "token")
    assert should_delegate_list("12", 5, "")
    assert not should_delegate_list("0", 5, "")
    assert not should_delegate_list("12", 0, "")


def _pod(name: str, node: str = "", **labels: str) -> dict:
    spec = {"containers": [{"name": "c", "image": "pause"}]}
    if node:
        spec["nodeName"] = node
    return {"metadata": {"name": name, "labels": labels}, "spec": spec}


def _collect_all(watches: list, timeout: float = 3.0) -> list[list]:
    """Every event each watch delivers within `timeout`, the watches read side by side."""
    results: list[list] = [[] for _ in watches]

    def run(i: int) -> None:
        for event_type, obj in watches[i]:
            results[i].append((event_type, obj["metadata"]["name"], obj["metadata"]["resourceVersion"]))

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(watches))]
    for thread in threads:
        thread.start()
    time.sleep(timeout)
    for watch in watches:
        watch.stop()
    for thread in threads:
        thread.join(timeout)
    return results


def test_the_node_name_index_delivers_what_a_linear_filter_would(registry, ns):
    """Pod watches pinning spec.nodeName are filed under the node (upstream's NodeNameTriggerFunc
    trigger); each gets exactly what etcd's own watch, filtering every event, gives the same selector:
    pods created on a node, bound to it, relabelled there and deleted, and nothing of other nodes."""
    pods = registry.resource("pods")
    start = registry.list("pods", ns)["metadata"]["resourceVersion"]
    selectors = ["spec.nodeName=n1", "spec.nodeName=n2", "spec.nodeName=", "spec.nodeName!=n1",
                 "spec.nodeName=n1,metadata.name=b", "", "spec.nodeName=n3"]
    cached = [registry.watch("pods", ns, field_selector=s, resource_version=start) for s in selectors]
    assert all(isinstance(w, CacheWatcher) for w in cached)
    cacher = registry._cachers[registry.prefix(pods, None)]
    assert {v: len(ws) for v, ws in cacher._value_watchers.items()} == {"n1": 2, "n2": 1, "": 1, "n3": 1}
    linear = [registry.storage.watch(registry.prefix(pods, ns), resource_version=start,
                                     predicate=registry._predicate(pods, "", s)) for s in selectors]
    registry.create("pods", ns, _pod("a"))
    registry.create("pods", ns, _pod("b", "n1"))
    registry.create("pods", ns, _pod("c", "n2"))
    registry.bind(ns, "a", {"target": {"kind": "Node", "name": "n1"}})
    registry.patch("pods", ns, "b", lambda pod: {**pod, "metadata": {**pod["metadata"], "labels": {"x": "y"}}})
    registry.delete("pods", ns, "c")
    registry.delete("pods", ns, "a")
    got = _collect_all(cached + linear)
    by_index, by_filter = got[:len(selectors)], got[len(selectors):]
    assert by_index == by_filter
    assert [len(events) for events in by_index[:3]] != [0, 0, 0]
    assert by_index[-1] == []  # nothing ever ran on n3
    assert [name for _, name, _ in by_index[1]] == ["c"] * len(by_index[1])


def test_an_ended_watcher_leaves_the_index(registry, ns):
    pods = registry.resource("pods")
    watch = registry.watch("pods", ns, field_selector="spec.nodeName=gone")
    cacher = registry._cachers[registry.prefix(pods, None)]
    assert "gone" in cacher._value_watchers
    watch.stop()
    assert "gone" not in cacher._value_watchers and watch not in cacher._watchers
