"""The scheduler cache's pod bookkeeping: what a pod's later states change on its node."""
from __future__ import annotations

from sched_fixtures import node, pod

from reference_impl.scheduler.cache import Cache
from reference_impl.scheduler.podcounts import Matcher

# Running (not terminating) app=web pods, as PodTopologySpread counts them.
WEB = Matcher("app=web", lambda p: p["metadata"]["labels"].get("app") == "web"
              and not p["metadata"].get("deletionTimestamp"), ("app", "web"))


def _cache_with(bound: dict) -> Cache:
    cache = Cache()
    cache.add_node(node("n1"))
    cache.add_pod(bound)
    return cache


def _counts(cache: Cache) -> tuple:
    return cache.pod_counts.per_node(WEB).get("n1", 0), cache.nodes["n1"].generation


def test_a_status_update_swaps_the_pod_and_keeps_the_nodes_counts():
    bound = pod("p", cpu="1", labels={"app": "web"}, node_name="n1")
    cache = _cache_with(bound)
    count, generation = _counts(cache)
    running = {**bound, "status": {"phase": "Running"}}
    cache.update_pod(running)
    info = cache.nodes["n1"]
    assert info.pods["default/p"] is running
    assert (info.generation, info.requested.milli_cpu, len(info.pods)) == (generation, 1000, 1)
    assert _counts(cache) == (count, generation)


def test_a_label_spec_or_termination_change_re_adds_the_pod():
    """Anything a count or a total reads is recounted."""
    bound = pod("p", cpu="1", labels={"app": "web"}, node_name="n1")
    relabelled = {**bound, "metadata": {**bound["metadata"], "labels": {"app": "db"}}}
    terminating = {**bound, "metadata": {**bound["metadata"], "deletionTimestamp": "2024-01-01T00:00:00Z"}}
    resized = pod("p", cpu="2", labels={"app": "web"}, node_name="n1")
    for changed, cpu, web_pods in ((relabelled, 1000, 0), (terminating, 1000, 0), (resized, 2000, 1)):
        cache = _cache_with(bound)
        _, generation = _counts(cache)
        cache.update_pod(changed)
        info = cache.nodes["n1"]
        assert info.generation > generation and info.pods["default/p"] is changed
        assert info.requested.milli_cpu == cpu and _counts(cache)[0] == web_pods


def test_confirming_an_assumed_pod_on_its_node_ends_the_assumption():
    cache = Cache()
    cache.add_node(node("n1"))
    assumed = pod("p", cpu="1", node_name="n1")
    cache.assume_pod(assumed)
    confirmed = {**assumed, "metadata": {**assumed["metadata"], "resourceVersion": "9"}}
    cache.add_pod(confirmed)
    assert not cache.is_assumed(confirmed)
    assert cache.nodes["n1"].pods["default/p"] is confirmed and cache.nodes["n1"].requested.milli_cpu == 1000


def test_a_pod_confirmed_on_another_node_moves_there():
    cache = Cache()
    cache.add_node(node("n1"))
    cache.add_node(node("n2"))
    cache.assume_pod(pod("p", cpu="1", node_name="n1"))
    cache.add_pod(pod("p", cpu="1", node_name="n2"))
    assert not cache.nodes["n1"].pods and cache.nodes["n2"].requested.milli_cpu == 1000
    assert not cache.is_assumed(pod("p", node_name="n2"))


def _fits_node_by_node(cache: Cache, cpu: int, memory: int) -> bool:
    return all(cpu <= i.allocatable.milli_cpu - i.requested.milli_cpu and memory <= i.allocatable.memory
               - i.requested.memory and len(i.pods) < i.allocatable.allowed_pod_number
               for i in cache.nodes.values() if i.node is not None)


def test_the_least_room_floor_answers_as_every_node_would_through_adds_removes_and_node_changes():
    """LeastRoom.fits_everywhere says what asking every listed node says, as pods are assumed,
    bound and removed and nodes change or go: a pod added lowers the floor, a removal only loosens it."""
    cache = Cache()
    cache.add_node(node("n1", cpu="4", memory="8Gi", pods=3))
    cache.add_node(node("n2", cpu="4", memory="8Gi", pods=3))
    room = cache.update_snapshot().least_room
    gi = 2**30
    asks = [(cpu, mem) for cpu in (0, 1000, 2000, 3000, 4000, 5000) for mem in (0, gi, 6 * gi, 9 * gi)]

    def check():
        for cpu, mem in asks:
            assert room.fits_everywhere(cpu, mem, 0) == _fits_node_by_node(cache, cpu, mem), (cpu, mem)

    check()
    cache.assume_pod(pod("a", cpu="3", memory="1Gi", node_name="n1"))
    check()
    cache.add_pod(pod("b", cpu="1", memory="7Gi", node_name="n2"))
    check()
    cache.forget_pod(pod("a", node_name="n1"))  # n1 has room again
    check()
    cache.update_node(node("n2", cpu="2", memory="8Gi", pods=3))  # less allocatable
    check()
    cache.remove_pod(pod("b", node_name="n2"))
    check()
    for name in "cde":  # n1's pod slots run out
        cache.add_pod(pod(name, node_name="n1"))
    check()
    cache.remove_node(node("n1"))  # n1 is no longer listed, its pods still bound there
    check()
    cache.update_node(node("n2", cpu="8", memory="8Gi", pods=3))  # more allocatable
    check()
