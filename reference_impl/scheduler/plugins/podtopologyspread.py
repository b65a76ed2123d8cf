"""PodTopologySpread: keep matching pods spread across topology domains within maxSkew.

DoNotSchedule constraints filter: on a node in domain D, `count(D) + selfMatch - min over
domains <= maxSkew`. ScheduleAnyway constraints score: fewer matching pods in the node's domain
is better. Domains are the values of the key on nodes that pass the pod's nodeSelector/required
node affinity and carry every constraint's key. Pods without constraints get none: the
system-default constraints derive selectors from Services/ReplicaSets, which this core does not list.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from reference_impl.mirrors import mirrors
from reference_impl.machinery import labels as lbl
from reference_impl.machinery import scheduling
from reference_impl.scheduler import queue as q
from reference_impl.scheduler.framework import Plugin
from reference_impl.scheduler.plugins.helper import filter_one, map_scores
from reference_impl.scheduler.podcounts import Matcher, PodCounts
from reference_impl.scheduler.podinfo import selector_guard
from reference_impl.scheduler.types import (MAX_NODE_SCORE, SKIP, SUCCESS, Code, CycleState, NodeInfo, Status,
                                            unschedulable)

ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"
LABEL_HOSTNAME = "kubernetes.io/hostname"


@dataclass(frozen=True)
class Constraint:
    max_skew: int
    topology_key: str
    selector: lbl.LabelsSelector | None  # the compiled labelSelector; None matches no pod
    selector_key: str  # the labelSelector as canonical JSON, naming it in the cache's pod counts
    guard: tuple[str, str] | None  # a label every pod the selector matches carries

    def matcher(self, namespace: str) -> Matcher:
        """The pods countPodsMatchSelector counts: in `namespace`, not terminating, selected."""
        selector = self.selector

        def matches(p: dict) -> bool:
            meta = p["metadata"]
            return (selector is not None and not meta.get("deletionTimestamp")
                    and meta.get("namespace", "default") == namespace and selector(meta.get("labels") or {}))

        return Matcher(("PodTopologySpread", self.selector_key, namespace), matches, self.guard)


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread.filterTopologySpreadConstraints")
def filter_constraints(pod: dict, action: str) -> list[Constraint]:
    """The pod's constraints for `action`; a SelectorError for one whose labelSelector does not
    convert (the apiserver stores such selectors unchecked)."""
    for c in (pod.get("spec") or {}).get("topologySpreadConstraints") or ():
        if c.get("whenUnsatisfiable") == action:
            lbl.check_label_selector(c.get("labelSelector"))
    return [Constraint(int(c.get("maxSkew") or 1), c["topologyKey"], lbl.compile_selector(c.get("labelSelector")),
                       json.dumps(c.get("labelSelector"), sort_keys=True), selector_guard(c.get("labelSelector")))
            for c in (pod.get("spec") or {}).get("topologySpreadConstraints") or ()
            if c.get("whenUnsatisfiable") == action]


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread.nodeLabelsMatchSpreadConstraints")
def node_labels_match(labels: dict, constraints) -> bool:
    return all(c.topology_key in labels for c in constraints)


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread.countPodsMatchSelector")
def count_pods_match_selector(per_node: dict[str, int], node_info: NodeInfo) -> int:
    """Pods on the node in the pod's namespace, not terminating, whose labels the constraint's
    selector matches (`Constraint.matcher`), from the cache's counts per node for that matcher."""
    return per_node.get(node_info.name, 0)


def counts_per_domain(counts: PodCounts, pod: dict, constraints: list[Constraint], matchers: list[Matcher]):
    """(topologyKey, value) -> matching pods, for every domain of an eligible node (zeros included),
    or None when the cache's per-domain counts cannot answer.

    Eligible nodes pass the pod's nodeSelector/required node affinity and carry every constraint's
    key. The per-domain counts take every node with the key, so they answer only for a pod with no
    node affinity whose constraints share one key; otherwise the caller counts node by node.
    """
    keys = {c.topology_key for c in constraints}
    if len(keys) != 1 or scheduling.has_required_node_affinity(pod):
        return None
    key, = keys
    domains = dict.fromkeys(((key, value) for value in counts.node_values.get(key, ())), 0)
    for matcher in matchers:
        for value, n in counts.by_value(matcher, key).items():
            domains[(key, value)] += n
    return domains


def domain_counts(counts: PodCounts, node_infos: list[NodeInfo], pod: dict,
                  constraints: list[Constraint], matchers: list[Matcher]) -> dict[tuple[str, str], int]:
    """`counts_per_domain` when the cache's per-domain counts answer, else the same counted node by
    node over the eligible nodes, as upstream's calPreFilterState and PreScore do."""
    domains = counts_per_domain(counts, pod, constraints, matchers)
    if domains is not None:
        return domains
    domains, eligible = {}, []
    matches_node = scheduling.get_required_node_affinity(pod)
    for node_info in node_infos:
        labels = node_info.labels
        if not (node_labels_match(labels, constraints) and matches_node(node_info.node)):
            continue
        eligible.append(node_info)
        for c in constraints:
            domains.setdefault((c.topology_key, labels[c.topology_key]), 0)
    per_node = [counts.per_node(m) for m in matchers]
    for node_info in eligible:
        for c, on_node in zip(constraints, per_node):
            pair = (c.topology_key, node_info.labels[c.topology_key])
            domains[pair] += count_pods_match_selector(on_node, node_info)
    return domains


@dataclass
class _PreFilterState:
    constraints: list[Constraint]
    tp_pair_to_match_num: dict[tuple[str, str], int]
    min_match_num: dict[str, int]
    # Per constraint, 1 if the incoming pod matches its own selector: upstream's selfMatchNum,
    # which Filter asks of the pod for every node, asked once here.
    self_match_num: list[int] = field(default_factory=list)


@dataclass
class _PreScoreState:
    constraints: list[Constraint]
    matchers: list[Matcher]  # per constraint, the pods it counts
    ignored_nodes: set[str]
    tp_pair_to_pod_counts: dict[tuple[str, str], int]
    normalizing_weight: list[float]


class PodTopologySpread(Plugin):
    name = "PodTopologySpread"

    def events_to_register(self):
        return {q.ASSIGNED_POD_ADD, q.ASSIGNED_POD_UPDATE, q.ASSIGNED_POD_DELETE, q.NODE_ADD, q.NODE_UPDATE}

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread.PodTopologySpread).PreFilter")
    def pre_filter(self, state: CycleState, pod: dict):
        try:
            state["PodTopologySpread"] = self._cal_pre_filter_state(pod)
        except lbl.SelectorError as err:
            return Status(Code.ERROR, (f"obtaining pod's hard topology spread constraints: {err}",))
        return SUCCESS if state["PodTopologySpread"].constraints else SKIP

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread.PodTopologySpread).calPreFilterState")
    def _cal_pre_filter_state(self, pod: dict) -> _PreFilterState:
        constraints = filter_constraints(pod, "DoNotSchedule")
        if not constraints:
            return _PreFilterState([], {}, {})
        pod_counts = self.handle.snapshot.pod_counts
        namespace = pod["metadata"].get("namespace", "default")
        matchers = [c.matcher(namespace) for c in constraints]
        counts = domain_counts(pod_counts, self.handle.snapshot.node_info_list, pod, constraints, matchers)
        min_match: dict[str, int] = {}
        for (key, _), num in counts.items():
            min_match[key] = min(num, min_match.get(key, num))
        pod_labels = pod["metadata"].get("labels") or {}
        self_match = [1 if c.selector is not None and c.selector(pod_labels) else 0 for c in constraints]
        return _PreFilterState(constraints, counts, min_match, self_match)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread.PodTopologySpread).Filter")
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo):
        return filter_one(self, state, pod, node_info)

    def filter_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        """`filter` over `nodes`: the rejected ones with their status."""
        s: _PreFilterState = state["PodTopologySpread"]
        if not s.constraints:
            return []
        # Per constraint: its key, and the most pods a domain may hold already (None: no domain
        # has any eligible node, so nothing is skewed).
        checks = [(c.topology_key, s.min_match_num[c.topology_key] + c.max_skew - self_match
                   if c.topology_key in s.min_match_num else None)
                  for c, self_match in zip(s.constraints, s.self_match_num)]
        match_num = s.tp_pair_to_match_num
        missing_label = unschedulable(ERR_REASON_NODE_LABEL_NOT_MATCH, unresolvable=True)
        skewed = unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH)
        rejected = []
        for node_info in nodes:
            labels = node_info.labels
            for key, most in checks:
                if key not in labels:
                    rejected.append((node_info, missing_label))
                    break
                if most is not None and match_num.get((key, labels[key]), 0) > most:
                    rejected.append((node_info, skewed))
                    break
        return rejected

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread.PodTopologySpread).PreScore")
    def pre_score(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        try:
            constraints = filter_constraints(pod, "ScheduleAnyway")
        except lbl.SelectorError as err:
            return Status(Code.ERROR, (f"calculating preScoreState: obtaining pod's soft topology spread constraints: {err}",))
        namespace = pod["metadata"].get("namespace", "default")
        s = _PreScoreState(constraints, [c.matcher(namespace) for c in constraints], set(), {}, [])
        state["PodTopologySpread/score"] = s
        if not constraints:
            return SKIP
        if not nodes:
            return SUCCESS
        topo_size = [0] * len(constraints)
        for node_info in nodes:
            if not node_labels_match(node_info.labels, constraints):
                s.ignored_nodes.add(node_info.name)
                continue
            for i, c in enumerate(constraints):
                if c.topology_key == LABEL_HOSTNAME:
                    continue
                pair = (c.topology_key, node_info.labels[c.topology_key])
                if pair not in s.tp_pair_to_pod_counts:
                    s.tp_pair_to_pod_counts[pair] = 0
                    topo_size[i] += 1
        for i, c in enumerate(constraints):
            size = len(nodes) - len(s.ignored_nodes) if c.topology_key == LABEL_HOSTNAME else topo_size[i]
            s.normalizing_weight.append(math.log(size + 2))
        if not s.tp_pair_to_pod_counts:  # hostname constraints only: Score counts node by node
            return SUCCESS
        domains = domain_counts(self.handle.snapshot.pod_counts, self.handle.snapshot.node_info_list, pod,
                                constraints, s.matchers)
        for pair in s.tp_pair_to_pod_counts:
            s.tp_pair_to_pod_counts[pair] = domains.get(pair, 0)
        return SUCCESS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread.PodTopologySpread).Score")
    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        return self.score_nodes(state, pod, [node_info])[0]

    def score_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> list[int]:
        """`score` of each node, the loop inside the plugin."""
        s: _PreScoreState = state["PodTopologySpread/score"]
        if not s.constraints:
            return [0] * len(nodes)
        pod_counts = self.handle.snapshot.pod_counts
        ignored, pair_counts = s.ignored_nodes, s.tp_pair_to_pod_counts
        # Only hostname constraints count node by node; the others read their domain's sum.
        per_constraint = [(c, pod_counts.per_node(m) if c.topology_key == LABEL_HOSTNAME else None, weight)
                          for c, m, weight in zip(s.constraints, s.matchers, s.normalizing_weight)]
        scores = []
        for node_info in nodes:
            if node_info.name in ignored:
                scores.append(0)
                continue
            total = 0.0
            labels = node_info.labels
            for c, on_node, weight in per_constraint:
                value = labels.get(c.topology_key)
                if value is None:
                    continue
                if on_node is not None:
                    count = count_pods_match_selector(on_node, node_info)
                else:
                    count = pair_counts[(c.topology_key, value)]
                total += count * weight + (c.max_skew - 1)
            scores.append(int(total))
        return scores

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/podtopologyspread.PodTopologySpread).NormalizeScore")
    def normalize_score(self, state: CycleState, pod: dict, nodes: list[NodeInfo], scores: list[int]) -> None:
        """100 * (max + min - score) / max: the emptiest domain scores highest; ignored nodes get 0."""
        ignored = state["PodTopologySpread/score"].ignored_nodes
        if ignored:
            valid = [x for n, x in zip(nodes, scores) if n.name not in ignored]
        else:
            valid = scores
        lo, hi = (min(valid), max(valid)) if valid else (0, 0)
        if ignored:
            scores[:] = [0 if n.name in ignored else MAX_NODE_SCORE if hi == 0
                         else MAX_NODE_SCORE * (hi + lo - x) // hi for n, x in zip(nodes, scores)]
        else:
            map_scores(scores, lambda x: MAX_NODE_SCORE if hi == 0 else MAX_NODE_SCORE * (hi + lo - x) // hi)
