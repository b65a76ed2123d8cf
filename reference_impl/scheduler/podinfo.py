"""framework.PodInfo: a pod's pod-affinity terms, parsed once and shared.

Mirrors the affinity half of `pkg/scheduler/framework/types.go` (`AffinityTerm`, `NewPodInfo`).
Both the InterPodAffinity plugin and the cache's pod counts (`podcounts`) read these terms.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from reference_impl.mirrors import mirrors
from reference_impl.machinery import labels as lbl


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
    selector_key: str = "null"  # the labelSelector as canonical JSON: equal keys select the same pods
    guard: tuple[str, str] | None = None  # a label every pod the selector matches carries

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework.AffinityTerm).Matches")
    def matches(self, pod: dict) -> bool:
        meta = pod["metadata"]
        if self.namespaces is not None and meta.get("namespace", "default") not in self.namespaces:
            return False
        return self.selector is not None and self.selector(meta.get("labels") or {})

    @property
    def match_key(self) -> tuple:
        """Names the pods this term matches, whatever its topology key and weight."""
        return self.selector_key, self.namespaces


def selector_guard(selector: dict | None) -> tuple[str, str] | None:
    """One (key, value) of a labelSelector's matchLabels: pods without that label never match it."""
    match_labels = (selector or {}).get("matchLabels") or {}
    return min(match_labels.items()) if match_labels else None


_INTERNED: dict[tuple, AffinityTerm] = {}


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework.newAffinityTerm")
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
        interned = _INTERNED[key] = AffinityTerm(lbl.compile_selector(selector), namespaces, key[2], weight,
                                                 key[0], selector_guard(selector))
    return interned


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework.getAffinityTerms")
def _affinity_terms(pod: dict, weighted_terms: list[tuple[dict, int]]) -> tuple[AffinityTerm, ...]:
    """The terms, or the SelectorError of the first whose labelSelector or namespaceSelector
    LabelSelectorAsSelector refuses (the apiserver stores them unchecked)."""
    for term, _ in weighted_terms:
        lbl.check_label_selector(term.get("labelSelector"))
        lbl.check_label_selector(term.get("namespaceSelector"))
    return tuple(_term(pod, term, weight) for term, weight in weighted_terms)


@dataclass(frozen=True)
class PodTerms:
    """framework.PodInfo's four term lists."""

    required_affinity: tuple[AffinityTerm, ...]
    required_anti_affinity: tuple[AffinityTerm, ...]
    preferred_affinity: tuple[AffinityTerm, ...]
    preferred_anti_affinity: tuple[AffinityTerm, ...]
    parse_error: str = ""  # NewPodInfo's ParseError: the lists whose selectors did not convert are empty

    @cached_property
    def toward_others(self) -> tuple[tuple[AffinityTerm, int, bool], ...]:
        """(term, sign, required) for the terms that score other pods when this pod already runs:
        required affinity (weighed by hardPodAffinityWeight), preferred affinity and anti-affinity."""
        return (tuple((t, 1, True) for t in self.required_affinity)
                + tuple((t, 1, False) for t in self.preferred_affinity)
                + tuple((t, -1, False) for t in self.preferred_anti_affinity))

    def __bool__(self) -> bool:
        return bool(self.required_affinity or self.required_anti_affinity
                    or self.preferred_affinity or self.preferred_anti_affinity)


EMPTY_TERMS = PodTerms((), (), (), ())
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
        terms = EMPTY_TERMS
    else:
        req = "requiredDuringSchedulingIgnoredDuringExecution"
        pref = "preferredDuringSchedulingIgnoredDuringExecution"
        weighted = [(w.get("podAffinityTerm") or {}, int(w.get("weight") or 0)) for w in pa.get(pref) or ()]
        weighted_anti = [(w.get("podAffinityTerm") or {}, int(w.get("weight") or 0)) for w in paa.get(pref) or ()]
        lists, errors = [], []
        for name, weighted_terms in (("requiredAffinityTerms", [(t, 1) for t in pa.get(req) or ()]),
                                     ("requiredAntiAffinityTerms", [(t, 1) for t in paa.get(req) or ()]),
                                     ("preferredAffinityTerms", weighted),
                                     ("preferredAntiAffinityTerms", weighted_anti)):
            try:
                lists.append(_affinity_terms(pod, weighted_terms))
            except lbl.SelectorError as err:
                lists.append(())
                errors.append(f"{name}: {err}")
        # utilerrors.NewAggregate prints one error alone, several as [a, b].
        terms = PodTerms(*lists, errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]" if errors else "")
    if len(_TERMS_CACHE) > 200_000:
        _TERMS_CACHE.clear()
    _TERMS_CACHE[id(pod)] = (pod, terms)
    return terms
