"""The small default plugins: queue order, node conditions, node name, taints, node affinity, ports, binding."""
from __future__ import annotations

from operator import attrgetter

from reference_impl.mirrors import mirrors
from reference_impl.machinery import scheduling
from reference_impl.machinery.actions import Bind
from reference_impl.scheduler import queue as q
from reference_impl.scheduler.framework import Plugin
from reference_impl.scheduler.plugins.helper import default_normalize_score, filter_one
from reference_impl.scheduler.types import (
    SKIP, SUCCESS, CycleState, NodeInfo, QueuedPodInfo, pod_host_ports, unschedulable,
)

NODE_EVENTS = {q.NODE_ADD, q.NODE_UPDATE}
_UNSCHEDULABLE = attrgetter("unschedulable")
_TAINTS = attrgetter("taints")


class PrioritySort(Plugin):
    name = "PrioritySort"

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/queuesort.PrioritySort).Less")
    def less(self, a: QueuedPodInfo, b: QueuedPodInfo) -> bool:
        """Higher spec.priority first; among equal priorities, the pod queued earlier first."""
        p1 = (a.pod.get("spec") or {}).get("priority") or 0
        p2 = (b.pod.get("spec") or {}).get("priority") or 0
        return p1 > p2 or (p1 == p2 and a.timestamp < b.timestamp)

    def sort_key(self, info: QueuedPodInfo) -> tuple:
        """`less` as a key: ascending (-priority, timestamp) is its order."""
        return -((info.pod.get("spec") or {}).get("priority") or 0), info.timestamp


class NodeUnschedulable(Plugin):
    name = "NodeUnschedulable"
    ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"
    _TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}

    def events_to_register(self):
        return NODE_EVENTS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeunschedulable.NodeUnschedulable).Filter")
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo):
        return filter_one(self, state, pod, node_info)

    def filter_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        """`filter` over `nodes`: the rejected ones with their status."""
        cordoned = list(filter(_UNSCHEDULABLE, nodes))  # in C: most clusters have none
        if not cordoned:
            return []
        tolerations = (pod.get("spec") or {}).get("tolerations") or ()
        if any(scheduling.toleration_tolerates(t, self._TAINT) for t in tolerations):
            return []
        status = unschedulable(self.ERR_REASON_UNSCHEDULABLE, unresolvable=True)
        return [(n, status) for n in cordoned]


class NodeName(Plugin):
    name = "NodeName"
    ERR_REASON = "node(s) didn't match the requested node name"

    def events_to_register(self):
        return {q.NODE_ADD}

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodename.NodeName).Filter")
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo):
        return filter_one(self, state, pod, node_info)

    def filter_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        """`filter` over `nodes`: the rejected ones with their status."""
        wanted = (pod.get("spec") or {}).get("nodeName")
        if not wanted:
            return []
        status = unschedulable(self.ERR_REASON, unresolvable=True)
        return [(n, status) for n in nodes if n.name != wanted]


class TaintToleration(Plugin):
    name = "TaintToleration"

    def events_to_register(self):
        return NODE_EVENTS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/tainttoleration.TaintToleration).Filter")
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo):
        return filter_one(self, state, pod, node_info)

    def filter_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        """`filter` over `nodes`: the rejected ones with their status."""
        tainted = list(filter(_TAINTS, nodes))  # in C: most nodes have none
        if not tainted:
            return []
        tolerations = (pod.get("spec") or {}).get("tolerations")
        rejected = []
        for node_info in tainted:
            taint = scheduling.find_untolerated_taint(node_info.taints, tolerations)
            if taint is not None:
                rejected.append((node_info, unschedulable(
                    f"node(s) had taint {{{taint.get('key', '')}: {taint.get('value', '')}}}, "
                    "that the pod didn't tolerate", unresolvable=True)))
        return rejected

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/tainttoleration.TaintToleration).PreScore")
    def pre_score(self, state: CycleState, pod: dict, nodes):
        tolerations = (pod.get("spec") or {}).get("tolerations") or ()
        state["TaintToleration"] = [t for t in tolerations
                                    if (t.get("effect") or "PreferNoSchedule") == "PreferNoSchedule"]
        return SUCCESS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/tainttoleration.TaintToleration).Score")
    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """The number of PreferNoSchedule taints the pod does not tolerate (fewer is better)."""
        return self.score_nodes(state, pod, [node_info])[0]

    def score_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> list[int]:
        """`score` of each node, the loop inside the plugin."""
        tolerations = state["TaintToleration"]
        taints_of = list(map(_TAINTS, nodes))
        if not any(taints_of):  # no node has a taint (those with NoSchedule ones seldom pass Filter)
            return [0] * len(nodes)
        return [sum(1 for t in taints if t.get("effect") == "PreferNoSchedule"
                    and not any(scheduling.toleration_tolerates(tol, t) for tol in tolerations))
                if taints else 0 for taints in taints_of]

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/tainttoleration.TaintToleration).NormalizeScore")
    def normalize_score(self, state, pod, nodes, scores) -> None:
        default_normalize_score(scores, reverse=True)


class NodeAffinity(Plugin):
    name = "NodeAffinity"
    ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"

    def events_to_register(self):
        return NODE_EVENTS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeaffinity.NodeAffinity).PreFilter")
    def pre_filter(self, state: CycleState, pod: dict):
        spec = pod.get("spec") or {}
        na = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        state["NodeAffinity"] = bool(spec.get("nodeSelector")
                                     or na.get("requiredDuringSchedulingIgnoredDuringExecution"))
        return SUCCESS if state["NodeAffinity"] else SKIP

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeaffinity.NodeAffinity).Filter")
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo):
        return filter_one(self, state, pod, node_info)

    def filter_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        """`filter` over `nodes`: the rejected ones with their status."""
        if not state.get("NodeAffinity", True):
            return []
        matches = scheduling.required_node_affinity_matches
        status = unschedulable(self.ERR_REASON_POD, unresolvable=True)
        return [(n, status) for n in nodes if not matches(pod, n.node)]

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeaffinity.NodeAffinity).PreScore")
    def pre_score(self, state: CycleState, pod: dict, nodes):
        na = (((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {})
        state["NodeAffinity/preferred"] = [
            (int(t.get("weight") or 0), t.get("preference") or {})
            for t in na.get("preferredDuringSchedulingIgnoredDuringExecution") or () if t.get("weight")]
        return SUCCESS if state["NodeAffinity/preferred"] else SKIP

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeaffinity.NodeAffinity).Score")
    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """The sum of the weights of the preferred terms the node matches."""
        return self.score_nodes(state, pod, [node_info])[0]

    def score_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> list[int]:
        """`score` of each node, the loop inside the plugin."""
        scores = [0] * len(nodes)
        for weight, term in state["NodeAffinity/preferred"]:
            on_labels = scheduling.node_selector_term_label_matcher(term)
            if on_labels is not None:  # most terms: a test of labels, compiled once for every node
                matched = map(on_labels, [node_info.labels for node_info in nodes])
            else:
                matched = (scheduling.node_selector_term_matches(term, node_info.node) for node_info in nodes)
            scores = [score + weight if hit else score for score, hit in zip(scores, matched)]
        return scores

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeaffinity.NodeAffinity).NormalizeScore")
    def normalize_score(self, state, pod, nodes, scores) -> None:
        default_normalize_score(scores, reverse=False)


class NodePorts(Plugin):
    name = "NodePorts"
    ERR_REASON = "node(s) didn't have free ports for the requested pod ports"

    def events_to_register(self):
        return {q.ASSIGNED_POD_DELETE, q.NODE_ADD}

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeports.NodePorts).PreFilter")
    def pre_filter(self, state: CycleState, pod: dict):
        state["NodePorts"] = pod_host_ports(pod)
        return SUCCESS if state["NodePorts"] else SKIP

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeports.NodePorts).Filter")
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo):
        return filter_one(self, state, pod, node_info)

    def filter_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        """`filter` over `nodes`: the rejected ones with their status."""
        wanted = state.get("NodePorts")
        if wanted is None:
            wanted = pod_host_ports(pod)
        if not wanted:
            return []
        status = unschedulable(self.ERR_REASON)
        return [(n, status) for n in nodes if n.used_ports and _ports_conflict(wanted, n.used_ports)]


def _ports_conflict(wanted, used) -> bool:
    for ip, protocol, port in wanted:
        # 0.0.0.0 conflicts with every address on the same protocol and port.
        for used_ip, used_protocol, used_port in used:
            if used_protocol == protocol and used_port == port and (
                    used_ip == ip or ip == "0.0.0.0" or used_ip == "0.0.0.0"):
                return True
    return False


class DefaultBinder(Plugin):
    name = "DefaultBinder"

    @mirrors("(k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultbinder.DefaultBinder).Bind")
    def bind(self, state: CycleState, pod: dict, node_name: str):
        """Returns the Binding the adapter POSTs to pods/<name>/binding."""
        meta = pod["metadata"]
        return Bind(meta.get("namespace", "default"), meta["name"], node_name)
