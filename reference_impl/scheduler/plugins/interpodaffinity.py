"""InterPodAffinity: required and preferred pod affinity and anti-affinity over topology domains.

Counts are kept per topology pair (topologyKey, node's value for it), as upstream does: a node
passes the incoming pod's anti-affinity when no matching pod runs in its domain, its affinity when
some matching pod does, and the existing pods' anti-affinity when none of them objects to it.
The pods per domain come from the cache's pod counts (see `podcounts`), not a walk over every node.
"""
from __future__ import annotations

from collections import defaultdict
from itertools import repeat
from operator import add, attrgetter
from dataclasses import dataclass

from reference_impl.mirrors import mirrors
from reference_impl.scheduler import queue as q
from reference_impl.scheduler.framework import Plugin
from reference_impl.scheduler.plugins.helper import filter_one, map_scores
from reference_impl.scheduler.podcounts import Matcher, PodCounts
from reference_impl.scheduler.podinfo import AffinityTerm, PodTerms, pod_terms
from reference_impl.scheduler.types import (MAX_NODE_SCORE, SKIP, SUCCESS, Code, CycleState, NodeInfo, Status,
                                            unschedulable)

_LABELS = attrgetter("labels")
ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"


class _MatchesPod:
    """Whether each (interned) term matches one pod, asked once per term within a cycle."""

    def __init__(self, pod: dict):
        self.pod = pod
        self.seen: dict[AffinityTerm, bool] = {}

    def __call__(self, term: AffinityTerm) -> bool:
        hit = self.seen.get(term)
        if hit is None:
            hit = self.seen[term] = term.matches(self.pod)
        return hit


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.podMatchesAllAffinityTerms")
def pod_matches_all_affinity_terms(terms, pod: dict) -> bool:
    return bool(terms) and all(t.matches(pod) for t in terms)


@dataclass
class _PreFilterState:
    terms: PodTerms
    existing_anti_affinity_counts: dict
    affinity_counts: dict
    anti_affinity_counts: dict
    occupied: "_OccupiedDomains | None" = None  # the counts as Filter reads them, gathered at its first node


class InterPodAffinity(Plugin):
    name = "InterPodAffinity"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        self.hard_pod_affinity_weight = int(self.args.get("hardPodAffinityWeight", 1))

    def events_to_register(self):
        return {q.ASSIGNED_POD_ADD, q.ASSIGNED_POD_UPDATE, q.ASSIGNED_POD_DELETE, q.NODE_ADD, q.NODE_UPDATE}

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).PreFilter")
    def pre_filter(self, state: CycleState, pod: dict):
        counts = self.handle.snapshot.pod_counts
        terms = pod_terms(pod)
        if terms.parse_error:
            return unschedulable(f"parsing pod: {terms.parse_error}", unresolvable=True)
        existing = get_existing_anti_affinity_counts(counts, pod)
        affinity, anti = get_incoming_affinity_anti_affinity_counts(counts, terms)
        state["InterPodAffinity"] = _PreFilterState(terms, existing, affinity, anti)
        if not (terms.required_affinity or terms.required_anti_affinity or existing):
            return SKIP
        return SUCCESS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).Filter")
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo):
        return filter_one(self, state, pod, node_info)

    def filter_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        """`filter` over `nodes`: the rejected ones with their status."""
        s: _PreFilterState = state["InterPodAffinity"]
        d = s.occupied
        if d is None:
            d = s.occupied = _occupied_domains(s, pod)
        affinity, anti, existing = d.affinity, d.anti_affinity, d.existing_anti_affinity
        no_affinity = unschedulable(ERR_REASON_AFFINITY, unresolvable=True)
        no_anti_affinity = unschedulable(ERR_REASON_ANTI_AFFINITY)
        no_existing = unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY)
        rejected = []
        for node_info in nodes:
            labels = node_info.labels
            if affinity is not None and not satisfy_pod_affinity(d, labels):
                rejected.append((node_info, no_affinity))
            elif anti and not satisfy_pod_anti_affinity(d, labels):
                rejected.append((node_info, no_anti_affinity))
            elif existing and not satisfy_existing_pods_anti_affinity(d, labels):
                rejected.append((node_info, no_existing))
        return rejected

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).PreScore")
    def pre_score(self, state: CycleState, pod: dict, nodes):
        """Per topology key and value, the sum of every matching term's weight times its pods.

        Upstream visits every node and, on it, every existing pod (processExistingPod); here the
        cache's pod counts already hold, per term, how many pods sit in each domain.
        """
        counts = self.handle.snapshot.pod_counts
        terms = pod_terms(pod)
        if terms.parse_error:  # PreFilter has turned the pod away already, as upstream's comment says
            return Status(Code.ERROR, (f"failed to parse pod: {terms.parse_error}",))
        topology_score: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        # The incoming pod's preferred terms, over the pods they match.
        for term_list, multiplier in ((terms.preferred_affinity, 1), (terms.preferred_anti_affinity, -1)):
            for t in term_list:
                key = t.topology_key
                for value, n in counts.by_value(term_matcher(t), key).items():
                    topology_score[key][value] += t.weight * multiplier * n
        # The existing pods' required (at hardPodAffinityWeight) and preferred terms that match it.
        hard = self.hard_pod_affinity_weight
        matches_pod = _MatchesPod(pod)
        for (t, multiplier, required), by_value in counts.toward_others_terms(pod["metadata"].get("labels") or {}):
            if required and hard <= 0 or not matches_pod(t):
                continue
            weight = (hard if required else t.weight) * multiplier
            scores = topology_score[t.topology_key]
            for value, n in by_value.items():
                scores[value] += weight * n
        state["InterPodAffinity/score"] = {k: dict(v) for k, v in topology_score.items() if v}
        return SUCCESS if state["InterPodAffinity/score"] else SKIP

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).Score")
    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        return self.score_nodes(state, pod, [node_info])[0]

    def score_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> list[int]:
        """`score` of each node, the loop inside the plugin."""
        scores = None
        labels = list(map(_LABELS, nodes))
        # Per topology key, each node's value looked up (a node without the key gets 0), summed
        # column-wise; map() keeps the look-ups in C.
        for key, values in state["InterPodAffinity/score"].items():
            column = list(map(values.get, map(dict.get, labels, repeat(key)), repeat(0)))
            scores = column if scores is None else list(map(add, scores, column))
        return [0] * len(nodes) if scores is None else scores

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).NormalizeScore")
    def normalize_score(self, state: CycleState, pod: dict, nodes: list[NodeInfo], scores: list[int]) -> None:
        """Min-max scale to [0, 100]; with no preferences anywhere the raw zeros stay."""
        if not state["InterPodAffinity/score"] or not scores:
            return
        lo, hi = min(scores), max(scores)
        diff = hi - lo
        if diff > 0:
            map_scores(scores, lambda s: int(MAX_NODE_SCORE * ((s - lo) / diff)))
        else:
            scores[:] = [0] * len(scores)


def term_matcher(t: AffinityTerm) -> Matcher:
    """The pods `t` matches, as the cache's pod counts name them."""
    return Matcher(("AffinityTerm", t.match_key), t.matches, t.guard)


def all_terms_matcher(terms: tuple[AffinityTerm, ...]) -> Matcher:
    """The pods every one of `terms` matches."""
    guard = next((t.guard for t in terms if t.guard is not None), None)
    return Matcher(("AllAffinityTerms", tuple(t.match_key for t in terms)),
                   lambda p: pod_matches_all_affinity_terms(terms, p), guard)


@mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).getExistingAntiAffinityCounts")
def get_existing_anti_affinity_counts(counts: PodCounts, pod: dict) -> dict[tuple[str, str], int]:
    """(topologyKey, value) -> existing pods whose required anti-affinity terms match `pod`, in that domain."""
    existing: dict[tuple[str, str], int] = defaultdict(int)
    matches_pod = _MatchesPod(pod)
    for t, by_value in counts.anti_affinity_terms(pod["metadata"].get("labels") or {}):
        if matches_pod(t):
            for value, n in by_value.items():
                existing[(t.topology_key, value)] += n
    return dict(existing)


@mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).getIncomingAffinityAntiAffinityCounts")
def get_incoming_affinity_anti_affinity_counts(counts: PodCounts, terms: PodTerms) -> tuple[dict, dict]:
    """(topologyKey, value) -> pods matching all the incoming pod's required affinity terms, and
    -> pods matching each of its required anti-affinity terms, in that domain."""
    affinity: dict[tuple[str, str], int] = defaultdict(int)
    anti: dict[tuple[str, str], int] = defaultdict(int)
    if terms.required_affinity:
        matcher = all_terms_matcher(terms.required_affinity)
        for t in terms.required_affinity:
            for value, n in counts.by_value(matcher, t.topology_key).items():
                affinity[(t.topology_key, value)] += n
    for t in terms.required_anti_affinity:
        for value, n in counts.by_value(term_matcher(t), t.topology_key).items():
            anti[(t.topology_key, value)] += n
    return dict(affinity), dict(anti)


@dataclass
class _OccupiedDomains:
    """The PreFilter counts as the three checks read them, gathered once a cycle: per term, the
    values of its topology key whose domain has a pod that counts (a count above 0)."""

    affinity: list[tuple[str, frozenset[str]]] | None  # None: the pod has no required affinity
    first_of_group: bool  # no pod matches the affinity terms anywhere, and the pod matches them itself
    anti_affinity: list[tuple[str, frozenset[str]]]
    existing_anti_affinity: frozenset[tuple[str, str]]  # (key, value) of domains an existing pod objects to


def _values_with_pods(counts: dict[tuple[str, str], int], key: str) -> frozenset[str]:
    return frozenset(value for (k, value), n in counts.items() if k == key and n > 0)


def _occupied_domains(s: _PreFilterState, pod: dict) -> _OccupiedDomains:
    terms = s.terms
    affinity = ([(t.topology_key, _values_with_pods(s.affinity_counts, t.topology_key))
                 for t in terms.required_affinity] if terms.required_affinity else None)
    first_of_group = bool(affinity) and not s.affinity_counts and pod_matches_all_affinity_terms(
        terms.required_affinity, pod)
    anti = ([(t.topology_key, _values_with_pods(s.anti_affinity_counts, t.topology_key))
             for t in terms.required_anti_affinity] if s.anti_affinity_counts else [])
    existing = frozenset(pair for pair, n in s.existing_anti_affinity_counts.items() if n > 0)
    return _OccupiedDomains(affinity, first_of_group, anti, existing)


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.satisfyPodAffinity")
def satisfy_pod_affinity(d: _OccupiedDomains, labels: dict[str, str]) -> bool:
    """Every required term needs a matching pod in the node's domain; the node must have every key.

    The first pod of a group that has affinity to itself may go anywhere with the keys when no
    pod in the cluster matches yet.
    """
    pods_exist = True
    for key, occupied in d.affinity:
        value = labels.get(key)
        if value is None:
            return False
        if value not in occupied:
            pods_exist = False
    return pods_exist or d.first_of_group


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.satisfyPodAntiAffinity")
def satisfy_pod_anti_affinity(d: _OccupiedDomains, labels: dict[str, str]) -> bool:
    for key, occupied in d.anti_affinity:
        if labels.get(key) in occupied:
            return False
    return True


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.satisfyExistingPodsAntiAffinity")
def satisfy_existing_pods_anti_affinity(d: _OccupiedDomains, labels: dict[str, str]) -> bool:
    return d.existing_anti_affinity.isdisjoint(labels.items())
