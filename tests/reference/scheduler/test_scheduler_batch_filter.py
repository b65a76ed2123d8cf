"""Filter over a node list in one call (`filter_nodes`) decides each node independently of the other
nodes in the list, and the scheduler's search over batches finds what checking node by node finds.
(In-tree plugins' one-node `filter` is `filter_nodes` of a one-node list; what each decides is
tested against upstream's cases in test_scheduler_plugins.py.)"""
from __future__ import annotations

import random

import pytest
from sched_fixtures import node, pod, scheduler

from reference_impl.scheduler.framework import Plugin, node_filter
from reference_impl.scheduler.plugins import IN_TREE
from reference_impl.scheduler.plugins.basic import NodeName
from reference_impl.scheduler.scheduler import Diagnosis
from reference_impl.scheduler.types import SUCCESS, CycleState, unschedulable

ZONES = ["z0", "z1", "z2", "z3"]
APPS = ["a", "b", "c", "d", "e"]


def seeded_nodes(rng: random.Random, count: int) -> list[dict]:
    nodes = []
    for i in range(count):
        taints = [{"key": "dedicated", "value": "infra", "effect": "NoSchedule"}] if i % 13 == 0 else None
        labels = {"disk": rng.choice(["ssd", "hdd"])}
        if i % 17 != 5:  # a few nodes without a zone: spread and affinity must reject them
            labels["zone"] = ZONES[i % len(ZONES)]
        nodes.append(node(f"n{i:03d}", cpu=rng.choice(["2", "4", "8"]), memory="8Gi", pods=rng.choice([3, 110]),
                          labels=labels, taints=taints, unschedulable=i % 29 == 3))
    return nodes


def seeded_pod(rng: random.Random, name: str) -> dict:
    app = rng.choice(APPS)
    kind = rng.randrange(8)
    extra: dict = {}
    if kind == 0:
        extra["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "kubernetes.io/hostname"}]}}
    elif kind == 1:
        extra["affinity"] = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "zone"}]}}
    elif kind == 2:
        extra["spread"] = [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                            "labelSelector": {"matchLabels": {"app": app}}}]
    elif kind == 3:
        extra["node_selector"] = {"disk": "ssd"}
    elif kind == 4:
        extra["host_ports"] = (8080,)
    elif kind == 5:
        extra["tolerations"] = [{"key": "dedicated", "operator": "Exists"},
                                {"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}]
    elif kind == 6:
        extra["nodeName"] = f"n{rng.randrange(40):03d}"
    return pod(name, cpu=rng.choice(["100m", "500m", "1", "3"]), memory=rng.choice(["128Mi", "1Gi"]),
               labels={"app": app}, **extra)


def seeded_scheduler(seed: int, nodes: int = 40, bound: int = 60, percentage: int = 0):
    from reference_impl.scheduler import load_profile
    rng = random.Random(seed)
    node_list = seeded_nodes(rng, nodes)
    placed = [{**p, "spec": {**p["spec"], "nodeName": f"n{rng.randrange(nodes):03d}"}}
              for p in (seeded_pod(rng, f"bound-{i}") for i in range(bound))]
    s = scheduler(node_list, placed, profile=load_profile(data={"percentageOfNodesToScore": percentage}))
    s.framework.snapshot = s.cache.update_snapshot()
    return s, rng


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_plugin_rejects_the_same_nodes_for_the_same_reasons(seed):
    """A plugin's filter_nodes over all nodes rejects exactly the nodes it rejects given one at a time,
    with equal statuses: no decision depends on the other nodes in the list."""
    s, rng = seeded_scheduler(seed)
    infos = s.framework.snapshot.node_info_list
    rejections = 0
    for i in range(60):
        p = seeded_pod(rng, f"p{i}")
        state = CycleState()
        s.framework.run_pre_filter_plugins(state, p)
        for plugin in s.framework.points["filter"]:
            if "PodTopologySpread" not in state and plugin.name == "PodTopologySpread":
                continue
            one_by_one = {}
            for n in infos:
                status = type(plugin).filter(plugin, state, p, n)
                if status is not None and status.code:
                    one_by_one[n.name] = (status.code, status.reasons)
            batch = {n.name: (status.code, status.reasons) for n, status in plugin.filter_nodes(state, p, infos)}
            assert batch == one_by_one, (plugin.name, p["metadata"]["name"])
            rejections += len(batch)
    assert rejections > 100  # the workload makes every kind of rejection, not only passes


def node_by_node(s, state, p, diagnosis, nodes):
    """findNodesThatPassFilters as a loop over nodes with RunFilterPlugins on each: the reference."""
    total = len(nodes)
    wanted = s.num_feasible_nodes_to_find(total)
    start = s.next_start_node_index % total
    feasible, processed = [], total
    for i in range(total):
        n = nodes[(start + i) % total]
        status = s.framework.run_filter_plugins(state, p, n)
        if status.code:
            diagnosis.node_to_status[n.name] = status
            diagnosis.unschedulable_plugins.add(status.failed_plugin)
            continue
        feasible.append(n)
        if len(feasible) >= wanted:
            processed = i + 1
            break
    s.next_start_node_index = (start + processed) % total
    return feasible


@pytest.mark.parametrize("seed,nodes,percentage", [(1, 40, 0), (2, 250, 0), (3, 300, 10), (4, 150, 50)])
def test_find_nodes_that_pass_filters_matches_node_by_node(seed, nodes, percentage):
    """Feasible nodes (in order), statuses, rejecting plugins and the next start index are those of
    checking node by node and stopping at the last feasible node needed, cycle after cycle."""
    batch, rng = seeded_scheduler(seed, nodes, bound=nodes, percentage=percentage)
    reference, _ = seeded_scheduler(seed, nodes, bound=nodes, percentage=percentage)
    infos = batch.framework.snapshot.node_info_list
    ref_infos = reference.framework.snapshot.node_info_list
    cut_short = 0
    for i in range(40):
        p = seeded_pod(rng, f"p{i}")
        got, want = Diagnosis(), Diagnosis()
        state, ref_state = CycleState(), CycleState()
        batch.framework.run_pre_filter_plugins(state, p)
        reference.framework.run_pre_filter_plugins(ref_state, p)
        feasible = batch.find_nodes_that_pass_filters(state, p, got, infos)
        expected = node_by_node(reference, ref_state, p, want, ref_infos)
        assert [n.name for n in feasible] == [n.name for n in expected]
        assert {k: (v.code, v.reasons, v.failed_plugin) for k, v in got.node_to_status.items()} == \
            {k: (v.code, v.reasons, v.failed_plugin) for k, v in want.node_to_status.items()}
        assert got.unschedulable_plugins == want.unschedulable_plugins
        assert batch.next_start_node_index == reference.next_start_node_index
        cut_short += len(feasible) + len(got.node_to_status) < nodes
    if nodes >= 150:
        assert cut_short  # some cycles stopped before the end of the list, so the cut-off was exercised


class OnlyFilter(Plugin):
    """An out-of-tree plugin with Filter alone: rejects nodes whose name ends in 0."""
    name = "OnlyFilter"

    def filter(self, state, p, node_info):
        return unschedulable("ends in 0") if node_info.name.endswith("0") else SUCCESS


class PickyNodeName(NodeName):
    """A subclass that overrides Filter only: its own Filter must decide, not the inherited filter_nodes."""

    def filter(self, state, p, node_info):
        return unschedulable("picky") if node_info.name == "n001" else SUCCESS


def test_plugin_with_filter_alone_is_run_node_by_node():
    """A plugin without filter_nodes, or one overriding Filter beneath an in-tree filter_nodes, is
    filtered through its own Filter, one node at a time."""
    s = scheduler([node(f"n{i:03d}") for i in range(12)])
    infos = s.cache.update_snapshot().node_info_list
    rejected = node_filter(OnlyFilter())(CycleState(), pod("p"), infos)
    assert [n.name for n, _ in rejected] == ["n000", "n010"]
    rejected = node_filter(PickyNodeName())(CycleState(), pod("p"), infos)
    assert [(n.name, st.reasons) for n, st in rejected] == [("n001", ("picky",))]
    in_tree = IN_TREE["NodeName"]()
    assert node_filter(in_tree) == in_tree.filter_nodes
