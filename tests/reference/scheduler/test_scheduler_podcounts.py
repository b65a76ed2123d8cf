"""The cache's pod counts: kept incrementally, they equal a walk over every node's pods.

`walked` below is the straightforward computation upstream does on every cycle (visit every node
and every pod on it); the tests compare the incremental counts against it after pods, node labels
and nodes change, and a seeded workload with churn must place every pod exactly where a scheduler
that walks the nodes on every cycle places it.
"""
from __future__ import annotations

import random
from collections import defaultdict

from sched_fixtures import node, pod, scheduler

from reference_impl.scheduler import Bind
from reference_impl.scheduler import podcounts
from reference_impl.scheduler.cache import Cache
from reference_impl.scheduler.podcounts import Matcher
from reference_impl.scheduler.plugins import podtopologyspread
from reference_impl.scheduler.podinfo import AffinityTerm, pod_terms

ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"


def _app(name: str) -> Matcher:
    return Matcher(("app", name), lambda p: (p["metadata"].get("labels") or {}).get("app") == name, ("app", name))


# ---- the straightforward computation -----------------------------------------------------------


def _live(nodes):
    return [info for info in nodes.values() if info.node is not None]


def _nested(pairs):
    out = defaultdict(lambda: defaultdict(int))
    for key, value in pairs:
        out[key][value] += 1
    return {k: dict(v) for k, v in out.items()}


def walked_node_values(nodes):
    return _nested((k, v) for info in _live(nodes) for k, v in info.labels.items())


def walked_anti_affinity(nodes):
    return _nested((t, info.labels[t.topology_key]) for info in _live(nodes) for p in info.pods.values()
                   for t in pod_terms(p).required_anti_affinity if t.topology_key in info.labels)


def walked_toward_others(nodes):
    return _nested((e, info.labels[e[0].topology_key]) for info in _live(nodes) for p in info.pods.values()
                   for e in pod_terms(p).toward_others if e[0].topology_key in info.labels)


def walked_on_node(nodes, matcher, node_name):
    info = nodes.get(node_name)
    return sum(1 for p in info.pods.values() if matcher.matches(p)) if info else 0


def walked_per_node(nodes, matcher):
    return {name: n for name in nodes if (n := walked_on_node(nodes, matcher, name))}


def walked_by_value(nodes, matcher, key):
    out = defaultdict(int)
    for info in _live(nodes):
        if key in info.labels:
            out[info.labels[key]] += sum(1 for p in info.pods.values() if matcher.matches(p))
    return {v: n for v, n in out.items() if n}


class WalkingPodCounts:
    """PodCounts' answers computed by walking every node's pods, redone after every change."""

    def __init__(self, nodes):
        self._nodes = nodes
        self._memo = {}

    def add_pod(self, info, pod):
        self._memo.clear()

    remove_pod = add_pod

    def labels_changed(self, info, old_labels):
        self._memo.clear()

    def _walk(self, name, compute, *args):
        key = (name,) + tuple(a.key if isinstance(a, Matcher) else a for a in args)
        if key not in self._memo:
            self._memo[key] = compute(self._nodes, *args)
        return self._memo[key]

    node_values = property(lambda self: self._walk("values", walked_node_values))
    def anti_affinity_terms(self, pod_labels):
        return self._walk("anti", walked_anti_affinity).items()

    def toward_others_terms(self, pod_labels):
        return self._walk("toward", walked_toward_others).items()

    def per_node(self, matcher):
        return self._walk("per_node", walked_per_node, matcher)

    def by_value(self, matcher, key):
        return self._walk("by_value", walked_by_value, matcher, key)


def assert_counts_are_walked(cache: Cache) -> None:
    counts = cache.pod_counts
    assert counts.node_values == walked_node_values(cache.nodes)
    for guarded, walked in ((counts._anti_affinity, walked_anti_affinity(cache.nodes)),
                            (counts._toward_others, walked_toward_others(cache.nodes))):
        assert {entry: by_value for entries in guarded.values() for entry, by_value in entries.items()} == walked
        for guard, entries in guarded.items():  # filed under the term's guard label
            assert all((entry if isinstance(entry, AffinityTerm) else entry[0]).guard == guard for entry in entries)
    for mc in counts._matchers.values():
        for name in cache.nodes:
            assert mc.per_node.get(name, 0) == walked_on_node(cache.nodes, mc.matcher, name)
        for key, by_value in mc.by_value.items():
            assert by_value == walked_by_value(cache.nodes, mc.matcher, key), (mc.matcher.key, key)


# ---- rules -------------------------------------------------------------------------------------


def test_counts_follow_pods_node_labels_and_node_deletion():
    """A pod counts in the domain of its node's current labels, and nowhere once the Node is gone."""
    cache = Cache()
    cache.add_node(node("n1", labels={ZONE: "a"}))
    cache.add_node(node("n2", labels={ZONE: "b"}))
    web = _app("web")
    cache.add_pod(pod("w1", labels={"app": "web"}, node_name="n1"))
    assert cache.pod_counts.by_value(web, ZONE) == {"a": 1}
    cache.assume_pod(pod("w2", labels={"app": "web"}, node_name="n2"))
    cache.add_pod(pod("d1", labels={"app": "db"}, node_name="n2"))
    assert cache.pod_counts.by_value(web, ZONE) == {"a": 1, "b": 1}
    cache.update_node(node("n1", labels={ZONE: "b"}))
    assert cache.pod_counts.by_value(web, ZONE) == {"b": 2}
    assert cache.pod_counts.node_values[ZONE] == {"b": 2}
    cache.remove_node(node("n1"))  # its pod stays bound until its delete arrives
    assert cache.pod_counts.by_value(web, ZONE) == {"b": 1} and cache.pod_counts.per_node(web).get("n1", 0) == 1
    cache.add_node(node("n1", labels={ZONE: "c"}))
    assert cache.pod_counts.by_value(web, ZONE) == {"b": 1, "c": 1}
    cache.forget_pod(pod("w2", node_name="n2"))
    assert cache.pod_counts.by_value(web, ZONE) == {"c": 1}
    assert_counts_are_walked(cache)


def test_existing_pods_terms_are_counted_per_term_and_domain():
    cache = Cache()
    for name, zone in (("n1", "a"), ("n2", "a"), ("n3", "b")):
        cache.add_node(node(name, labels={ZONE: zone}))
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": ZONE}]}}
    for i, node_name in enumerate(("n1", "n2", "n3")):
        cache.add_pod(pod(f"p{i}", labels={"app": "web"}, node_name=node_name, affinity=anti))
    (term, by_zone), = cache.pod_counts.anti_affinity_terms({"app": "web"})
    assert term.topology_key == ZONE and by_zone == {"a": 2, "b": 1}
    cache.remove_pod(pod("p0", node_name="n1"))
    cache.update_node(node("n3", labels={}))  # the term's key is gone from n3: its pod counts nowhere
    assert [by_zone for _, by_zone in cache.pod_counts.anti_affinity_terms({"app": "web"})] == [{"a": 1}]
    assert not list(cache.pod_counts.anti_affinity_terms({"app": "db"}))  # its guard label is app=web
    assert_counts_are_walked(cache)


def test_a_guarded_matcher_asks_only_pods_carrying_its_label():
    cache = Cache()
    cache.add_node(node("n1"))
    asked = []
    matcher = Matcher("web", lambda p: asked.append(p["metadata"]["name"]) or True, ("app", "web"))
    assert cache.pod_counts.per_node(matcher).get("n1", 0) == 0
    cache.add_pod(pod("w", labels={"app": "web"}, node_name="n1"))
    cache.add_pod(pod("d", labels={"app": "db"}, node_name="n1"))
    assert asked == ["w"] and cache.pod_counts.per_node(matcher).get("n1", 0) == 1


def test_the_least_recently_asked_matcher_is_dropped_and_recounted(monkeypatch):
    monkeypatch.setattr(podcounts, "MAX_MATCHERS", 2)
    cache = Cache()
    cache.add_node(node("n1", labels={ZONE: "a"}))
    a, b, c = _app("a"), _app("b"), _app("c")
    counts = cache.pod_counts
    counts.by_value(a, ZONE)
    counts.by_value(b, ZONE)
    counts.by_value(a, ZONE)
    counts.by_value(c, ZONE)  # drops b, asked about longest ago
    assert set(counts._matchers) == {("app", "a"), ("app", "c")}
    cache.add_pod(pod("b1", labels={"app": "b"}, node_name="n1"))
    assert counts.by_value(b, ZONE) == {"a": 1}
    assert_counts_are_walked(cache)


# ---- a seeded workload with churn --------------------------------------------------------------


def _workload_pod(i: int, rng: random.Random) -> dict:
    app = f"app-{rng.randrange(12)}"
    namespace = "other" if i % 7 == 0 else "default"
    selector = {"matchLabels": {"app": app}}
    kind = i % 10
    spec: dict = {}
    affinity = None
    if kind == 0:
        spec["spread"] = [{"maxSkew": 1, "topologyKey": ZONE, "whenUnsatisfiable": "DoNotSchedule",
                           "labelSelector": selector}]
    elif kind == 1:
        spec["spread"] = [{"maxSkew": 2, "topologyKey": HOST, "whenUnsatisfiable": "ScheduleAnyway",
                           "labelSelector": selector},
                          {"maxSkew": 1, "topologyKey": ZONE, "whenUnsatisfiable": "ScheduleAnyway",
                           "labelSelector": selector}]
    elif kind == 2:
        affinity = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"labelSelector": selector, "topologyKey": HOST}}]}}
    elif kind == 3:
        affinity = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": selector, "topologyKey": ZONE}]}}
    elif kind == 4:
        affinity = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": selector, "topologyKey": HOST}]}}
    elif kind == 5:
        other = {"matchExpressions": [{"key": "app", "operator": "In", "values": [f"app-{rng.randrange(12)}"]}]}
        affinity = {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 30, "podAffinityTerm": {"labelSelector": other, "topologyKey": ZONE,
                                               "namespaceSelector": {}}}]}}
    elif kind == 6:
        spec["spread"] = [{"maxSkew": 2, "topologyKey": ZONE, "whenUnsatisfiable": "DoNotSchedule",
                           "labelSelector": selector}]
        spec["node_selector"] = {"size": "large"}
    elif kind == 7:
        spec["spread"] = [{"maxSkew": 3, "topologyKey": ZONE, "whenUnsatisfiable": "ScheduleAnyway",
                           "labelSelector": selector}]
        affinity = {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "podAffinityTerm": {"labelSelector": selector, "topologyKey": ZONE}}]}}
    return pod(f"pod-{i:04d}", cpu=f"{rng.choice([100, 250, 500])}m", memory="128Mi", namespace=namespace,
               labels={"app": app}, affinity=affinity, **spec)


def _workload_node(i: int, zone: int) -> dict:
    labels = {"size": "large" if i % 3 == 0 else "small"}
    if i % 17:  # one node in 17 has no zone label
        labels[ZONE] = f"zone-{zone}"
    return node(f"node-{i:03d}", cpu="8", memory="32Gi", labels=labels)


def _run(walking: bool, nodes: int = 200, pods: int = 1000, seed: int = 3) -> list:
    """Schedule the workload, with pod deletions, terminations, relabelled and deleted nodes."""
    rng = random.Random(seed)
    s = scheduler(seed=seed)
    if walking:
        s.cache.pod_counts = WalkingPodCounts(s.cache.nodes)
    for i in range(nodes):
        s.on_node_add(_workload_node(i, i % 5))
    for i in range(pods):
        s.on_pod_add(_workload_pod(i, rng))
    placements, bound_pods, removed = [], [], []
    cycle = 0
    while (actions := s.schedule_one()) and cycle < 2 * pods:
        cycle += 1
        bind = next((a for a in actions if isinstance(a, Bind)), None)
        name = actions[0].pod
        placements.append((name, bind.node if bind else None))
        if bind:
            info = s.cache.nodes[bind.node]
            assumed = info.pods[f"{bind.namespace}/{bind.pod}"]
            confirmed = {**assumed, "metadata": {**assumed["metadata"], "resourceVersion": str(cycle)}}
            s.on_pod_add(confirmed)
            bound_pods.append(confirmed)
        if cycle % 40 == 0 and bound_pods:  # a bound pod is deleted
            s.on_pod_delete(bound_pods.pop(rng.randrange(len(bound_pods))))
        if cycle % 55 == 0 and bound_pods:  # a bound pod starts terminating
            victim = bound_pods.pop(rng.randrange(len(bound_pods)))
            s.on_pod_update(victim, {**victim, "metadata": {**victim["metadata"],
                                                            "deletionTimestamp": "2024-01-01T00:00:00Z"}})
        if cycle % 70 == 0:  # a node moves to another zone
            i = rng.randrange(nodes)
            old = s.cache.nodes[f"node-{i:03d}"].node
            if old is not None:
                s.on_node_update(old, _workload_node(i, rng.randrange(5)))
        if cycle % 150 == 0:  # a node is deleted, its pods still bound; it comes back later
            i = rng.randrange(nodes)
            gone = s.cache.nodes[f"node-{i:03d}"].node
            if gone is not None:
                s.on_node_delete(gone)
                removed.append((cycle + 60, i))
        while removed and removed[0][0] <= cycle:
            s.on_node_add(_workload_node(removed.pop(0)[1], rng.randrange(5)))
        if not walking and cycle % 50 == 0:
            assert_counts_are_walked(s.cache)
    if not walking:
        assert_counts_are_walked(s.cache)
    return placements


def test_incremental_counts_place_every_pod_where_walking_the_nodes_does(monkeypatch):
    incremental = _run(walking=False)
    assert len(incremental) >= 1000 and sum(1 for _, n in incremental if n) > 600
    # The reference also counts PodTopologySpread's domains node by node, not from the per-domain sums.
    monkeypatch.setattr(podtopologyspread, "counts_per_domain", lambda *args: None)
    assert incremental == _run(walking=True)
