"""One rule per test for each default plugin, with upstream's documented results as expectations."""
from __future__ import annotations

from sched_fixtures import node, pod, run_filter, run_score

from reference_impl.scheduler.framework import Framework
from reference_impl.scheduler.types import Code, QueuedPodInfo

ZONE = "topology.kubernetes.io/zone"


def ok(statuses):
    return sorted(name for name, s in statuses.items() if s.ok)


# ---- PrioritySort ------------------------------------------------------------------------------

def _less(a, b):
    return Framework().plugins["PrioritySort"].less(a, b)


def test_priority_sort_higher_priority_first():
    """A pod with higher spec.priority sorts before one with lower priority, whatever the timestamps."""
    hi = QueuedPodInfo(pod("hi", priority=10), timestamp=5, initial_attempt_timestamp=5)
    lo = QueuedPodInfo(pod("lo", priority=1), timestamp=1, initial_attempt_timestamp=1)
    assert _less(hi, lo) and not _less(lo, hi)


def test_priority_sort_equal_priority_earlier_first():
    """Among equal priorities the pod with the earlier queue timestamp sorts first."""
    a = QueuedPodInfo(pod("a"), timestamp=1, initial_attempt_timestamp=1)
    b = QueuedPodInfo(pod("b"), timestamp=2, initial_attempt_timestamp=2)
    assert _less(a, b) and not _less(b, a)


# ---- NodeUnschedulable -------------------------------------------------------------------------

def test_node_unschedulable_rejects_cordoned_node():
    """spec.unschedulable nodes fail with 'node(s) were unschedulable', unresolvable."""
    s = run_filter("NodeUnschedulable", pod("p"), [node("n1", unschedulable=True), node("n2")])
    assert ok(s) == ["n2"]
    assert s["n1"].reasons == ("node(s) were unschedulable",)
    assert s["n1"].code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE


def test_node_unschedulable_tolerated():
    """A pod tolerating node.kubernetes.io/unschedulable:NoSchedule may use a cordoned node."""
    tol = [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}]
    assert ok(run_filter("NodeUnschedulable", pod("p", tolerations=tol), [node("n1", unschedulable=True)])) == ["n1"]


# ---- NodeName ----------------------------------------------------------------------------------

def test_node_name_only_matching_node():
    """A pod with spec.nodeName fits only that node."""
    s = run_filter("NodeName", pod("p", node_name="n2"), [node("n1"), node("n2")])
    assert ok(s) == ["n2"]
    assert s["n1"].reasons == ("node(s) didn't match the requested node name",)


# ---- TaintToleration ---------------------------------------------------------------------------

def test_taint_toleration_untolerated_noschedule_rejected():
    """An untolerated NoSchedule taint rejects the node with the taint's key and value in the reason."""
    taint = {"key": "dedicated", "value": "infra", "effect": "NoSchedule"}
    s = run_filter("TaintToleration", pod("p"), [node("n1", taints=[taint])])
    assert s["n1"].reasons == ("node(s) had taint {dedicated: infra}, that the pod didn't tolerate",)


def test_taint_toleration_equal_toleration_matches():
    """A toleration with operator Equal and the same key, value and effect tolerates the taint."""
    taint = {"key": "dedicated", "value": "infra", "effect": "NoSchedule"}
    tol = [{"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoSchedule"}]
    assert ok(run_filter("TaintToleration", pod("p", tolerations=tol), [node("n1", taints=[taint])])) == ["n1"]


def test_taint_toleration_prefer_no_schedule_does_not_filter():
    """PreferNoSchedule taints never filter a node."""
    taint = {"key": "k", "value": "v", "effect": "PreferNoSchedule"}
    assert ok(run_filter("TaintToleration", pod("p"), [node("n1", taints=[taint])])) == ["n1"]


def test_taint_toleration_score_prefers_fewer_intolerable_prefer_taints():
    """Score: nodes with fewer untolerated PreferNoSchedule taints score higher (normalized, reversed)."""
    t1 = {"key": "a", "value": "1", "effect": "PreferNoSchedule"}
    t2 = {"key": "b", "value": "2", "effect": "PreferNoSchedule"}
    scores = run_score("TaintToleration", pod("p"), [node("n0"), node("n1", taints=[t1]), node("n2", taints=[t1, t2])])
    assert scores == {"n0": 100, "n1": 50, "n2": 0}


# ---- NodeAffinity ------------------------------------------------------------------------------

def test_node_affinity_node_selector():
    """spec.nodeSelector requires every listed label on the node."""
    s = run_filter("NodeAffinity", pod("p", node_selector={"disk": "ssd"}),
                   [node("n1", labels={"disk": "ssd"}), node("n2", labels={"disk": "hdd"})])
    assert ok(s) == ["n1"]
    assert s["n2"].reasons == ("node(s) didn't match Pod's node affinity/selector",)


def test_node_affinity_required_terms_are_ored():
    """Required nodeSelectorTerms are ORed; the expressions inside one term are ANDed."""
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]},
                              {"key": "b", "operator": "Exists"}]},
        {"matchExpressions": [{"key": "c", "operator": "Gt", "values": ["5"]}]}]}}}
    nodes = [node("n1", labels={"a": "1", "b": "x"}), node("n2", labels={"a": "1"}), node("n3", labels={"c": "7"}),
             node("n4", labels={"c": "3"})]
    assert ok(run_filter("NodeAffinity", pod("p", affinity=affinity), nodes)) == ["n1", "n3"]


def test_node_affinity_preferred_score_sums_weights():
    """Score: the sum of matching preferred terms' weights, normalized so the best node gets 100."""
    affinity = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 2, "preference": {"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]}},
        {"weight": 8, "preference": {"matchExpressions": [{"key": "b", "operator": "Exists"}]}}]}}
    nodes = [node("n0"), node("n1", labels={"a": "1"}), node("n2", labels={"a": "1", "b": ""})]
    assert run_score("NodeAffinity", pod("p", affinity=affinity), nodes) == {"n0": 0, "n1": 20, "n2": 100}


# ---- NodePorts ---------------------------------------------------------------------------------

def test_node_ports_conflict():
    """A host port already used on a node (same protocol) rejects the node."""
    used = pod("old", node_name="n1", host_ports=[8080])
    s = run_filter("NodePorts", pod("p", host_ports=[8080]), [node("n1"), node("n2")], [used])
    assert ok(s) == ["n2"]
    assert s["n1"].reasons == ("node(s) didn't have free ports for the requested pod ports",)
    assert s["n1"].code == Code.UNSCHEDULABLE


def test_node_ports_different_port_fits():
    """Different host ports do not conflict."""
    used = pod("old", node_name="n1", host_ports=[8080])
    assert ok(run_filter("NodePorts", pod("p", host_ports=[9090]), [node("n1")], [used])) == ["n1"]


# ---- NodeResourcesFit --------------------------------------------------------------------------

def test_fit_insufficient_cpu_and_memory_both_reported():
    """Every insufficient resource is a separate reason: 'Insufficient cpu', 'Insufficient memory'."""
    s = run_filter("NodeResourcesFit", pod("p", cpu="3", memory="3Gi"), [node("n1", cpu="2", memory="2Gi")])
    assert s["n1"].reasons == ("Insufficient cpu", "Insufficient memory")


def test_fit_counts_existing_requests():
    """Requests of pods already on the node are subtracted from allocatable."""
    existing = pod("old", cpu="3", node_name="n1")
    s = run_filter("NodeResourcesFit", pod("p", cpu="2"), [node("n1", cpu="4"), node("n2", cpu="4")], [existing])
    assert ok(s) == ["n2"]


def test_fit_too_many_pods():
    """A node at its pods allocatable rejects even a pod that requests nothing: 'Too many pods'."""
    s = run_filter("NodeResourcesFit", pod("p"), [node("n1", pods=1)], [pod("old", node_name="n1")])
    assert s["n1"].reasons == ("Too many pods",)


def test_fit_least_allocated_score():
    """LeastAllocated: mean over cpu/memory of (allocatable - requested) * 100 / allocatable (upstream case)."""
    p = pod("p", cpu="3000m", memory="5000")
    scores = run_score("NodeResourcesFit", p, [node("n1", cpu="4000m", memory="10000"),
                                               node("n2", cpu="6000m", memory="10000")])
    assert scores == {"n1": 37, "n2": 50}


def test_fit_score_uses_non_zero_defaults():
    """Scoring counts a container with no requests as 100m cpu and 200Mi memory."""
    scores = run_score("NodeResourcesFit", pod("p"), [node("n1", cpu="1", memory="400Mi")])
    assert scores == {"n1": (90 + 50) // 2}


def test_fit_pre_filter_skips_when_the_pod_fits_on_every_node():
    """PreFilter returns Skip (its Filter would reject no node) only when every node has room for
    the pod; a node short of cpu, of pod slots, or a pod asking for an extended resource runs Filter."""
    from sched_fixtures import plugin_env
    from reference_impl.scheduler.types import CycleState

    def pre_filter_code(the_pod, pods=()):
        plugin, _ = plugin_env("NodeResourcesFit", [node("n1", cpu="4", pods=2), node("n2", cpu="4", pods=2)], pods)
        return plugin.pre_filter(CycleState(), the_pod).code

    assert pre_filter_code(pod("p", cpu="2")) == Code.SKIP
    assert pre_filter_code(pod("p", cpu="2"), [pod("old", cpu="3", node_name="n2")]) == Code.SUCCESS
    assert pre_filter_code(pod("p", cpu="1"), [pod("old", cpu="3", node_name="n2")]) == Code.SKIP
    assert pre_filter_code(pod("p"), [pod(f"o{i}", node_name="n1") for i in range(2)]) == Code.SUCCESS
    gpu = pod("p", cpu="1")
    gpu["spec"]["containers"][0]["resources"]["requests"]["example.com/gpu"] = "1"
    assert pre_filter_code(gpu) == Code.SUCCESS


# ---- NodeResourcesBalancedAllocation -----------------------------------------------------------

def test_balanced_allocation_prefers_equal_fractions():
    """Score is (1 - std of cpu/memory fractions) * 100: 0.75/0.5 -> 87, 0.5/0.5 -> 100 (upstream case)."""
    p = pod("p", cpu="3000m", memory="5000")
    scores = run_score("NodeResourcesBalancedAllocation", p,
                       [node("n1", cpu="4000m", memory="10000"), node("n2", cpu="6000m", memory="10000")])
    assert scores == {"n1": 87, "n2": 100}


def test_fit_and_balanced_scores_follow_each_nodes_resources_from_cycle_to_cycle():
    """A node scored once and changed since (a pod added or removed, its allocatable) is scored on
    what it has now: Fit's and BalancedAllocation's scores over many cycles equal upstream's
    scorers (leastResourceScorer, balancedResourceScorer) computed afresh for each node."""
    import random
    from sched_fixtures import plugin_env
    from reference_impl.scheduler.plugins.noderesources import (
        DEFAULT_RESOURCES, balanced_resource_scorer, least_resource_scorer)
    from reference_impl.scheduler.types import CycleState, NodeInfo, pod_non_zero_requests, pod_requests

    rng = random.Random(7)
    nodes = [node(f"n{i}", cpu=rng.choice(["2", "4", "0"]), memory=rng.choice(["4Gi", "8Gi", "0"])) for i in range(12)]
    fit, snapshot = plugin_env("NodeResourcesFit", nodes)
    balanced = fit.handle.plugins["NodeResourcesBalancedAllocation"]
    infos = snapshot.node_info_list
    requests = [(cpu, mem) for cpu in (None, "100m", "1") for mem in (None, "256Mi", "1Gi")]

    def expected(info: NodeInfo, the_pod: dict) -> tuple[int, int]:
        cpu, mem = pod_non_zero_requests(the_pod)
        request = pod_requests(the_pod)
        alloc = {k: v for k, v in (("cpu", info.allocatable.milli_cpu), ("memory", info.allocatable.memory)) if v}
        least = least_resource_scorer({"cpu": info.non_zero_cpu + cpu, "memory": info.non_zero_mem + mem}, alloc,
                                      DEFAULT_RESOURCES)
        used = {"cpu": info.requested.milli_cpu + request.milli_cpu, "memory": info.requested.memory + request.memory}
        return least, balanced_resource_scorer({k: used[k] for k in alloc}, alloc)

    placed = []
    for cycle in range(60):
        cpu, mem = rng.choice(requests)
        the_pod = pod(f"p{cycle}", cpu=cpu, memory=mem)
        state = CycleState()
        fit.pre_filter(state, the_pod)
        got = list(zip(fit.score_nodes(state, the_pod, infos), balanced.score_nodes(state, the_pod, infos)))
        assert got == [expected(info, the_pod) for info in infos], cycle
        target = rng.choice(infos)  # the pod lands somewhere, or an earlier one leaves
        if placed and rng.random() < 0.3:
            info, gone = placed.pop(rng.randrange(len(placed)))
            info.remove_pod(gone)
        else:
            bound = {**the_pod, "spec": {**the_pod["spec"], "nodeName": target.name}}
            target.add_pod(bound)
            placed.append((target, bound))


# ---- InterPodAffinity --------------------------------------------------------------------------

def _zoned(*names_zones):
    return [node(n, labels={ZONE: z}) for n, z in names_zones]


def _term(labels, key=ZONE):
    return {"labelSelector": {"matchLabels": labels}, "topologyKey": key}


def test_inter_pod_affinity_required_same_domain():
    """Required pod affinity: only nodes in a domain that already runs a matching pod fit."""
    nodes = _zoned(("n1", "a"), ("n2", "a"), ("n3", "b"))
    db = pod("db", labels={"app": "db"}, node_name="n1")
    p = pod("web", affinity={"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [_term({"app": "db"})]}})
    s = run_filter("InterPodAffinity", p, nodes, [db])
    assert ok(s) == ["n1", "n2"]
    assert s["n3"].reasons == ("node(s) didn't match pod affinity rules",)


def test_inter_pod_affinity_first_pod_matching_itself_fits():
    """With no matching pod anywhere, a pod whose affinity terms match its own labels may go anywhere."""
    p = pod("web", labels={"app": "web"},
            affinity={"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [_term({"app": "web"})]}})
    assert ok(run_filter("InterPodAffinity", p, _zoned(("n1", "a"), ("n2", "b")))) == ["n1", "n2"]


def test_inter_pod_affinity_required_anti_affinity():
    """Required anti-affinity: nodes in a domain running a matching pod are rejected."""
    nodes = _zoned(("n1", "a"), ("n2", "a"), ("n3", "b"))
    other = pod("w1", labels={"app": "web"}, node_name="n1")
    p = pod("w2", labels={"app": "web"},
            affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [_term({"app": "web"})]}})
    s = run_filter("InterPodAffinity", p, nodes, [other])
    assert ok(s) == ["n3"]
    assert s["n2"].reasons == ("node(s) didn't match pod anti-affinity rules",)


def test_inter_pod_affinity_existing_pods_anti_affinity():
    """An existing pod's required anti-affinity keeps matching incoming pods out of its domain."""
    nodes = _zoned(("n1", "a"), ("n2", "b"))
    guard = pod("guard", node_name="n1",
                affinity={"podAntiAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [_term({"app": "web"})]}})
    s = run_filter("InterPodAffinity", pod("w", labels={"app": "web"}), nodes, [guard])
    assert ok(s) == ["n2"]
    assert s["n1"].reasons == ("node(s) didn't satisfy existing pods anti-affinity rules",)


def test_inter_pod_affinity_anti_affinity_ignores_other_namespaces():
    """Terms without namespaces only match pods in the incoming pod's namespace."""
    other = pod("w1", labels={"app": "web"}, node_name="n1", namespace="other")
    p = pod("w2", labels={"app": "web"},
            affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [_term({"app": "web"})]}})
    assert ok(run_filter("InterPodAffinity", p, _zoned(("n1", "a")), [other])) == ["n1"]


def test_inter_pod_affinity_preferred_score():
    """Preferred affinity: domains with matching pods score 100, others 0 (min-max normalized)."""
    nodes = _zoned(("n1", "a"), ("n2", "a"), ("n3", "b"))
    db = pod("db", labels={"app": "db"}, node_name="n1")
    p = pod("web", affinity={"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 5, "podAffinityTerm": _term({"app": "db"})}]}})
    assert run_score("InterPodAffinity", p, nodes, [db]) == {"n1": 100, "n2": 100, "n3": 0}


def test_inter_pod_affinity_preferred_anti_affinity_score():
    """Preferred anti-affinity: domains with matching pods score lowest."""
    nodes = _zoned(("n1", "a"), ("n2", "b"))
    other = pod("w1", labels={"app": "web"}, node_name="n1")
    p = pod("w2", affinity={"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 5, "podAffinityTerm": _term({"app": "web"})}]}})
    assert run_score("InterPodAffinity", p, nodes, [other]) == {"n1": 0, "n2": 100}


# ---- PodTopologySpread -------------------------------------------------------------------------

def _spread(max_skew, when="DoNotSchedule", key=ZONE):
    return [{"maxSkew": max_skew, "topologyKey": key, "whenUnsatisfiable": when,
             "labelSelector": {"matchLabels": {"app": "web"}}}]


def _web(name, node_name):
    return pod(name, labels={"app": "web"}, node_name=node_name)


def test_spread_do_not_schedule_respects_max_skew():
    """DoNotSchedule: a node fails when count(domain) + 1 - min over domains > maxSkew."""
    nodes = _zoned(("a1", "a"), ("b1", "b"))
    existing = [_web("w1", "a1"), _web("w2", "a1")]  # a: 2, b: 0
    s = run_filter("PodTopologySpread", pod("new", labels={"app": "web"}, spread=_spread(1)), nodes, existing)
    assert ok(s) == ["b1"]
    assert s["a1"].reasons == ("node(s) didn't match pod topology spread constraints",)


def test_spread_larger_skew_allows_imbalance():
    """With maxSkew 3, placing into the fuller domain is still allowed (2 + 1 - 0 <= 3)."""
    nodes = _zoned(("a1", "a"), ("b1", "b"))
    existing = [_web("w1", "a1"), _web("w2", "a1")]
    assert ok(run_filter("PodTopologySpread", pod("new", labels={"app": "web"}, spread=_spread(3)), nodes, existing)) \
        == ["a1", "b1"]


def test_spread_missing_topology_label_unresolvable():
    """A node without the constraint's topology key fails as unresolvable (missing required label)."""
    nodes = _zoned(("a1", "a")) + [node("bare")]
    s = run_filter("PodTopologySpread", pod("new", labels={"app": "web"}, spread=_spread(1)), nodes)
    assert s["bare"].code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert s["bare"].reasons == ("node(s) didn't match pod topology spread constraints (missing required label)",)


def test_spread_domains_limited_by_node_selector():
    """Only nodes passing the pod's nodeSelector define domains, so an excluded empty zone is not the minimum."""
    nodes = [node("a1", labels={ZONE: "a", "pool": "x"}), node("b1", labels={ZONE: "b", "pool": "x"}),
             node("c1", labels={ZONE: "c", "pool": "y"})]
    existing = [_web("w1", "a1"), _web("w2", "b1")]
    p = pod("new", labels={"app": "web"}, spread=_spread(1), node_selector={"pool": "x"})
    assert ok(run_filter("PodTopologySpread", p, nodes, existing)) == ["a1", "b1", "c1"]


def test_spread_schedule_anyway_scores_emptier_domain_higher():
    """ScheduleAnyway: the domain with fewer matching pods scores higher; it never filters."""
    nodes = _zoned(("a1", "a"), ("b1", "b"))
    existing = [_web("w1", "a1"), _web("w2", "a1")]
    p = pod("new", labels={"app": "web"}, spread=_spread(1, "ScheduleAnyway"))
    assert ok(run_filter("PodTopologySpread", p, nodes, existing)) == ["a1", "b1"]
    scores = run_score("PodTopologySpread", p, nodes, existing)
    assert scores["b1"] == 100 and scores["a1"] < scores["b1"]


# ---- DefaultBinder -----------------------------------------------------------------------------

def test_default_binder_returns_bind_action():
    """DefaultBinder binds by returning a Bind(namespace, pod, node) action for the adapter to POST."""
    from reference_impl.machinery.actions import Bind
    from reference_impl.scheduler.types import CycleState
    binder = Framework().plugins["DefaultBinder"]
    assert binder.bind(CycleState(), pod("p", namespace="ns"), "n1") == Bind("ns", "p", "n1")


def test_remembered_scores_stay_bounded_over_many_requests():
    """Fit's and BalancedAllocation's remembered scores are bounded over all requests together
    (rev25a: 256 requests of 8,192 nodes' numbers each reached ~255 MB a plugin), and a score read
    back after the tables were forgotten is still the node's own."""
    from types import SimpleNamespace
    from reference_impl.scheduler.plugins.noderesources import ScoresByNumbers

    memo = ScoresByNumbers()
    memo.MAX_SCORES = 120
    nodes = [SimpleNamespace(cpu_memory=(i,), cpu_memory_key=str(i)) for i in range(50)]
    for request in range(300):
        scores = memo.scores((request,), nodes, lambda numbers, r=request: numbers[0] * 1000 + r)
        assert scores == [i * 1000 + request for i in range(50)]
        assert sum(map(len, memo._tables.values())) <= memo.MAX_SCORES
