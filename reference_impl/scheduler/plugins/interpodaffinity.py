"""InterPodAffinity: required and preferred pod affinity and anti-affinity over topology domains.

Counts are kept per topology pair (topologyKey, node's value for it), as upstream does: a node
passes the incoming pod's anti-affinity when no matching pod runs in its domain, its affinity when
some matching pod does, and the existing pods' anti-affinity when none of them objects to it.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from reference_impl.mirrors import mirrors
from reference_impl.machinery import labels as lbl
from reference_impl.scheduler import queue as q
from reference_impl.scheduler.framework import Plugin
from reference_impl.scheduler.types import MAX_NODE_SCORE, SKIP, SUCCESS, CycleState, NodeInfo, unschedulable

ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"


@dataclass(frozen=True, eq=False)
class AffinityTerm:
    """A parsed PodAffinityTerm: `namespaces` None means every namespace (namespaceSelector: {}).

    Equal terms are one object (see `_term`), so a scheduling cycle can remember by identity
    whether a term matches the incoming pod instead of asking once per existing pod.
    """

    selector: lbl.LabelsSelector | None  # the compiled labelSelector; None matches no pod
    namespaces: frozenset[str] | None
    topology_key: str
    weight: int = 1

    def matches(self, pod: dict) -> bool:
        meta = pod["metadata"]
        if self.namespaces is not None and meta.get("namespace", "default") not in self.namespaces:
            return False
        return self.selector is not None and self.selector(meta.get("labels") or {})


_INTERNED: dict[tuple, AffinityTerm] = {}


def _term(pod: dict, term: dict, weight: int = 1) -> AffinityTerm:
    namespaces: frozenset[str] | None = frozenset(term.get("namespaces") or ())
    ns_selector = term.get("namespaceSelector")
    if ns_selector is not None and not ns_selector.get("matchLabels") and not ns_selector.get("matchExpressions"):
        namespaces = None  # an empty namespaceSelector selects all namespaces
    elif not namespaces and ns_selector is None:
        namespaces = frozenset([pod["metadata"].get("namespace", "default")])
    selector = term.get("labelSelector")
    key = (json.dumps(selector, sort_keys=True), namespaces, term.get("topologyKey", ""), weight)
    interned = _INTERNED.get(key)
    if interned is None:
        if len(_INTERNED) > 100_000:
            _INTERNED.clear()
        interned = _INTERNED[key] = AffinityTerm(lbl.compile_selector(selector), namespaces, key[2], weight)
    return interned


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


@dataclass(frozen=True)
class PodTerms:
    """framework.PodInfo's four term lists."""

    required_affinity: tuple[AffinityTerm, ...]
    required_anti_affinity: tuple[AffinityTerm, ...]
    preferred_affinity: tuple[AffinityTerm, ...]
    preferred_anti_affinity: tuple[AffinityTerm, ...]

    @cached_property
    def toward_others(self) -> tuple[tuple[AffinityTerm, int, bool], ...]:
        """(term, sign, required) for the terms that score other pods when this pod already runs:
        required affinity (weighed by hardPodAffinityWeight), preferred affinity and anti-affinity."""
        return (tuple((t, 1, True) for t in self.required_affinity)
                + tuple((t, 1, False) for t in self.preferred_affinity)
                + tuple((t, -1, False) for t in self.preferred_anti_affinity))


_EMPTY = PodTerms((), (), (), ())
# Parsed terms by id(pod); the entry keeps the pod itself so a reused id cannot alias.
_TERMS_CACHE: dict[int, tuple[dict, PodTerms]] = {}


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework.NewPodInfo")
def pod_terms(pod: dict) -> PodTerms:
    hit = _TERMS_CACHE.get(id(pod))
    if hit is not None and hit[0] is pod:
        return hit[1]
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    pa, paa = affinity.get("podAffinity") or {}, affinity.get("podAntiAffinity") or {}
    if not pa and not paa:
        terms = _EMPTY
    else:
        req = "requiredDuringSchedulingIgnoredDuringExecution"
        pref = "preferredDuringSchedulingIgnoredDuringExecution"
        terms = PodTerms(
            tuple(_term(pod, t) for t in pa.get(req) or ()),
            tuple(_term(pod, t) for t in paa.get(req) or ()),
            tuple(_term(pod, w["podAffinityTerm"], int(w.get("weight") or 0)) for w in pa.get(pref) or ()),
            tuple(_term(pod, w["podAffinityTerm"], int(w.get("weight") or 0)) for w in paa.get(pref) or ()),
        )
    if len(_TERMS_CACHE) > 200_000:
        _TERMS_CACHE.clear()
    _TERMS_CACHE[id(pod)] = (pod, terms)
    return terms


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.podMatchesAllAffinityTerms")
def pod_matches_all_affinity_terms(terms, pod: dict) -> bool:
    return bool(terms) and all(t.matches(pod) for t in terms)


@dataclass
class _PreFilterState:
    terms: PodTerms
    existing_anti_affinity_counts: dict
    affinity_counts: dict
    anti_affinity_counts: dict


class InterPodAffinity(Plugin):
    name = "InterPodAffinity"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        self.hard_pod_affinity_weight = int(self.args.get("hardPodAffinityWeight", 1))

    def events_to_register(self):
        return {q.ASSIGNED_POD_ADD, q.ASSIGNED_POD_UPDATE, q.ASSIGNED_POD_DELETE, q.NODE_ADD, q.NODE_UPDATE}

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).PreFilter")
    def pre_filter(self, state: CycleState, pod: dict):
        snapshot = self.handle.snapshot
        terms = pod_terms(pod)
        existing = defaultdict(int)
        matches_pod = _MatchesPod(pod)
        for node_info in snapshot.have_pods_with_affinity_list():
            node_labels = node_info.labels
            for existing_pod in node_info.pods_with_affinity.values():
                for t in pod_terms(existing_pod).required_anti_affinity:
                    if t.topology_key in node_labels and matches_pod(t):
                        existing[(t.topology_key, node_labels[t.topology_key])] += 1
        affinity, anti = defaultdict(int), defaultdict(int)
        if terms.required_affinity or terms.required_anti_affinity:
            required = terms.required_affinity
            matches_all = lambda other: pod_matches_all_affinity_terms(required, other)  # noqa: E731
            for node_info in snapshot.node_info_list:
                node_labels = node_info.labels
                count = node_info.count_matching(required, matches_all) if required else 0
                if count:
                    for t in required:
                        if t.topology_key in node_labels:
                            affinity[(t.topology_key, node_labels[t.topology_key])] += count
                for t in terms.required_anti_affinity:
                    if t.topology_key in node_labels:
                        count = node_info.count_matching(t, t.matches)
                        if count:
                            anti[(t.topology_key, node_labels[t.topology_key])] += count
        state["InterPodAffinity"] = _PreFilterState(terms, dict(existing), dict(affinity), dict(anti))
        if not (terms.required_affinity or terms.required_anti_affinity or existing):
            return SKIP
        return SUCCESS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).Filter")
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo):
        s: _PreFilterState = state["InterPodAffinity"]
        if s.terms.required_affinity and not satisfy_pod_affinity(s, pod, node_info):
            return unschedulable(ERR_REASON_AFFINITY, unresolvable=True)
        if s.anti_affinity_counts and not satisfy_pod_anti_affinity(s, node_info):
            return unschedulable(ERR_REASON_ANTI_AFFINITY)
        if s.existing_anti_affinity_counts and not satisfy_existing_pods_anti_affinity(s, node_info):
            return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY)
        return SUCCESS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).PreScore")
    def pre_score(self, state: CycleState, pod: dict, nodes):
        snapshot = self.handle.snapshot
        terms = pod_terms(pod)
        has_preferred = bool(terms.preferred_affinity or terms.preferred_anti_affinity)
        node_infos = snapshot.node_info_list if has_preferred else snapshot.have_pods_with_affinity_list()
        topology_score: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        matches_pod = _MatchesPod(pod)
        for node_info in node_infos:
            labels = node_info.labels
            if not labels:
                continue
            if has_preferred:  # the incoming pod's preferred terms, over every pod on the node
                for term_list, multiplier in ((terms.preferred_affinity, 1), (terms.preferred_anti_affinity, -1)):
                    for t in term_list:
                        if t.topology_key in labels:
                            count = node_info.count_matching(t, t.matches)
                            if count:
                                topology_score[t.topology_key][labels[t.topology_key]] += t.weight * multiplier * count
            for existing in node_info.pods_with_affinity.values():
                self._process_existing_pod(existing, labels, matches_pod, topology_score)
        state["InterPodAffinity/score"] = {k: dict(v) for k, v in topology_score.items() if v}
        return SUCCESS if state["InterPodAffinity/score"] else SKIP

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).processExistingPod")
    def _process_existing_pod(self, existing: dict, node_labels: dict, matches_pod: _MatchesPod, score) -> None:
        """The existing pod's required (at hardPodAffinityWeight) and preferred terms against the
        incoming pod. (Upstream's processExistingPod also checks the incoming pod's preferred terms
        against `existing`; pre_score counts those per node, see NodeInfo.count_matching.)"""
        hard = self.hard_pod_affinity_weight
        for t, multiplier, required in pod_terms(existing).toward_others:
            if required and hard <= 0:
                continue
            key = t.topology_key
            if key in node_labels and matches_pod(t):
                score[key][node_labels[key]] += (hard if required else t.weight) * multiplier

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).Score")
    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        return self.score_nodes(state, pod, [node_info])[0]

    def score_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> list[int]:
        """`score` of each node, the loop inside the plugin."""
        topology_scores = list(state["InterPodAffinity/score"].items())
        scores = []
        for node_info in nodes:
            total = 0
            labels = node_info.labels
            for key, values in topology_scores:
                if key in labels:
                    total += values.get(labels[key], 0)
            scores.append(total)
        return scores

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.InterPodAffinity).NormalizeScore")
    def normalize_score(self, state: CycleState, pod: dict, scores: list[list]) -> None:
        """Min-max scale to [0, 100]; with no preferences anywhere the raw zeros stay."""
        if not state["InterPodAffinity/score"]:
            return
        lo = min(s[1] for s in scores)
        hi = max(s[1] for s in scores)
        diff = hi - lo
        for s in scores:
            s[1] = int(MAX_NODE_SCORE * ((s[1] - lo) / diff)) if diff > 0 else 0


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.satisfyPodAffinity")
def satisfy_pod_affinity(s: _PreFilterState, pod: dict, node_info: NodeInfo) -> bool:
    """Every required term needs a matching pod in the node's domain; the node must have every key.

    The first pod of a group that has affinity to itself may go anywhere with the keys when no
    pod in the cluster matches yet.
    """
    pods_exist = True
    labels = node_info.labels
    for t in s.terms.required_affinity:
        if t.topology_key not in labels:
            return False
        if s.affinity_counts.get((t.topology_key, labels[t.topology_key]), 0) <= 0:
            pods_exist = False
    if pods_exist:
        return True
    return not s.affinity_counts and pod_matches_all_affinity_terms(s.terms.required_affinity, pod)


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.satisfyPodAntiAffinity")
def satisfy_pod_anti_affinity(s: _PreFilterState, node_info: NodeInfo) -> bool:
    labels = node_info.labels
    for t in s.terms.required_anti_affinity:
        if t.topology_key in labels and s.anti_affinity_counts.get((t.topology_key, labels[t.topology_key]), 0) > 0:
            return False
    return True


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/interpodaffinity.satisfyExistingPodsAntiAffinity")
def satisfy_existing_pods_anti_affinity(s: _PreFilterState, node_info: NodeInfo) -> bool:
    counts = s.existing_anti_affinity_counts
    return not any(counts.get(pair, 0) > 0 for pair in node_info.labels.items())
