"""Pod counts per topology domain, kept by the scheduler cache as pods and nodes change.

Upstream's InterPodAffinity and PodTopologySpread walk every node's pods on every scheduling
cycle, in parallel goroutines (`getExistingAntiAffinityCounts`, `processExistingPod`,
`getIncomingAffinityAntiAffinityCounts`, `calPreFilterState`). In Python that walk was most of
the cost of a cycle, so the cache keeps the same sums up to date as pods are assumed, bound and
removed and as node labels change, and a cycle reads them once per distinct term. The mechanism
differs from upstream; the counts a plugin sees do not.

Two kinds of sums, both over nodes the cache has a Node object for (a NodeInfo whose node was
deleted has no labels, so its pods count nowhere):
- the existing pods' own terms: required anti-affinity terms, and the terms that score other pods
  (`PodTerms.toward_others`), each -> {topology value: pods}, filed under the term's guard label
  so a cycle visits only the terms that can match its pod;
- pods accepted by a `Matcher` a plugin asked about (the incoming pod's terms, a spread
  constraint's selector): per node, and per value of each topology key asked about. At most
  MAX_MATCHERS are kept; the one least recently asked about is dropped first.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass

from reference_impl.scheduler.podinfo import AffinityTerm, PodTerms, pod_terms
from reference_impl.scheduler.types import NodeInfo, pod_key

MAX_MATCHERS = 512


@dataclass(frozen=True, eq=False)
class Matcher:
    """A predicate over pods; `key` names it (equal keys must mean the same predicate)."""

    key: Hashable
    matches: Callable[[dict], bool]
    guard: tuple[str, str] | None = None  # a label every accepted pod carries: others are not asked


class _MatchCounts:
    """Pods one matcher accepts: per node name, and per value of the topology keys asked about."""

    __slots__ = ("matcher", "per_node", "by_value", "last_used")

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.per_node: dict[str, int] = {}
        self.by_value: dict[str, dict[str, int]] = {}
        self.last_used = 0

    def add(self, node_name: str, node_labels: Mapping[str, str], sign: int) -> None:
        _bump(self.per_node, node_name, sign)
        for key, counts in self.by_value.items():
            value = node_labels.get(key)
            if value is not None:
                _bump(counts, value, sign)


def _bump(counts: dict, key: Hashable, delta: int) -> None:
    """Add `delta` to counts[key], keeping only non-zero counts."""
    n = counts.get(key, 0) + delta
    if n:
        counts[key] = n
    else:
        del counts[key]


def _bump_nested(table: dict, key: Hashable, value: str, delta: int) -> None:
    counts = table.get(key)
    if counts is None:
        counts = table[key] = {}
    _bump(counts, value, delta)
    if not counts:
        del table[key]


def _bump_guarded(table: dict, guard: tuple[str, str] | None, key: Hashable, value: str, delta: int) -> None:
    entries = table.get(guard)
    if entries is None:
        entries = table[guard] = {}
    _bump_nested(entries, key, value, delta)
    if not entries:
        del table[guard]


def _guarded_items(table: dict, pod_labels: Mapping[str, str]) -> Iterator[tuple[Hashable, dict[str, int]]]:
    """The entries filed under no guard or under one of the pod's labels."""
    unguarded = table.get(None)
    if unguarded:
        yield from unguarded.items()
    for pair in pod_labels.items():
        entries = table.get(pair)
        if entries:
            yield from entries.items()


class PodCounts:
    """The sums above for one cache; `Cache` reports every change, plugins read through the snapshot."""

    def __init__(self, nodes: Mapping[str, NodeInfo]) -> None:
        self._nodes = nodes  # the cache's NodeInfos by name, read for their labels
        # topology key -> value -> nodes carrying that label
        self.node_values: dict[str, dict[str, int]] = {}
        # term guard -> the existing pods' required anti-affinity terms -> topology value -> pods
        self._anti_affinity: dict[tuple[str, str] | None, dict[AffinityTerm, dict[str, int]]] = {}
        # term guard -> the existing pods' `toward_others` entries (term, sign, required) -> value -> pods
        self._toward_others: dict[tuple[str, str] | None, dict[tuple[AffinityTerm, int, bool], dict[str, int]]] = {}
        self._terms: dict[str, PodTerms] = {}  # pod key -> the terms counted for it, to uncount them
        self._matchers: dict[Hashable, _MatchCounts] = {}
        # matcher guard -> matcher key -> its counts, filed as the term tables above are
        self._by_guard: dict[tuple[str, str] | None, dict[Hashable, _MatchCounts]] = {}
        self._asked = 0

    # ---- what the cache reports ----------------------------------------------------------------

    def add_pod(self, info: NodeInfo, pod: dict) -> None:
        terms = pod_terms(pod)
        if terms:
            self._terms[pod_key(pod)] = terms
            self._count_terms(terms, info.labels, 1)
        self._count_matches(pod, info.name, info.labels, 1)

    def remove_pod(self, info: NodeInfo, pod: dict) -> None:
        terms = self._terms.pop(pod_key(pod), None)
        if terms is not None:
            self._count_terms(terms, info.labels, -1)
        self._count_matches(pod, info.name, info.labels, -1)

    def labels_changed(self, info: NodeInfo, old_labels: Mapping[str, str]) -> None:
        """The node's labels are now `info.labels` (empty while the cache has no Node object)."""
        new_labels = info.labels
        if new_labels == old_labels:
            return
        for key, value in old_labels.items():
            _bump_nested(self.node_values, key, value, -1)
        for key, value in new_labels.items():
            _bump_nested(self.node_values, key, value, 1)
        for key in info.pods:
            terms = self._terms.get(key)
            if terms is not None:
                self._count_terms(terms, old_labels, -1)
                self._count_terms(terms, new_labels, 1)
        for mc in self._matchers.values():
            n = mc.per_node.get(info.name)
            if n:
                for key, counts in mc.by_value.items():
                    if key in old_labels:
                        _bump(counts, old_labels[key], -n)
                    if key in new_labels:
                        _bump(counts, new_labels[key], n)

    def _count_terms(self, terms: PodTerms, node_labels: Mapping[str, str], sign: int) -> None:
        for t in terms.required_anti_affinity:
            value = node_labels.get(t.topology_key)
            if value is not None:
                _bump_guarded(self._anti_affinity, t.guard, t, value, sign)
        for entry in terms.toward_others:
            t = entry[0]
            value = node_labels.get(t.topology_key)
            if value is not None:
                _bump_guarded(self._toward_others, t.guard, entry, value, sign)

    def _count_matches(self, pod: dict, node_name: str, node_labels: Mapping[str, str], sign: int) -> None:
        for _, mc in _guarded_items(self._by_guard, pod["metadata"].get("labels") or {}):
            if mc.matcher.matches(pod):
                mc.add(node_name, node_labels, sign)

    # ---- what the plugins ask ------------------------------------------------------------------

    def anti_affinity_terms(self, pod_labels: Mapping[str, str]) -> Iterator[tuple[AffinityTerm, dict[str, int]]]:
        """(term, topology value -> pods) for the existing pods' required anti-affinity terms that
        may match a pod with `pod_labels` (the caller still asks each term)."""
        return _guarded_items(self._anti_affinity, pod_labels)

    def toward_others_terms(self, pod_labels: Mapping[str, str]) -> Iterator[tuple[tuple, dict[str, int]]]:
        """((term, sign, required), topology value -> pods) for the existing pods' terms that score
        other pods and may match a pod with `pod_labels`."""
        return _guarded_items(self._toward_others, pod_labels)

    def per_node(self, matcher: Matcher) -> dict[str, int]:
        """Node name -> pods there that `matcher` accepts (no zero entries; the live dict, not to
        be modified): asked once per cycle, then read for every node."""
        return self._counts(matcher).per_node

    def by_value(self, matcher: Matcher, topology_key: str) -> dict[str, int]:
        """Topology value -> pods `matcher` accepts on nodes with that value (no zero entries; the
        live dict, not to be modified)."""
        mc = self._counts(matcher)
        counts = mc.by_value.get(topology_key)
        if counts is None:
            counts = mc.by_value[topology_key] = {}
            for node_name, n in mc.per_node.items():
                value = self._nodes[node_name].labels.get(topology_key)
                if value is not None:
                    _bump(counts, value, n)
        return counts

    def _counts(self, matcher: Matcher) -> _MatchCounts:
        self._asked += 1
        mc = self._matchers.get(matcher.key)
        if mc is None:
            mc = self._start_counting(matcher)
        mc.last_used = self._asked
        return mc

    def _start_counting(self, matcher: Matcher) -> _MatchCounts:
        if len(self._matchers) >= MAX_MATCHERS:
            self._forget(min(self._matchers.values(), key=lambda c: c.last_used))
        mc = self._matchers[matcher.key] = _MatchCounts(matcher)
        for info in self._nodes.values():
            n = sum(1 for pod in info.pods.values() if matcher.matches(pod))
            if n:
                mc.per_node[info.name] = n
        self._by_guard.setdefault(matcher.guard, {})[matcher.key] = mc
        return mc

    def _forget(self, mc: _MatchCounts) -> None:
        key, guard = mc.matcher.key, mc.matcher.guard
        del self._matchers[key]
        del self._by_guard[guard][key]
        if not self._by_guard[guard]:
            del self._by_guard[guard]
