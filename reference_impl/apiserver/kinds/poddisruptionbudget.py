"""The PodDisruptionBudget kind (policy/v1): its resource facts, OpenAPI schema, printer columns and
protobuf layout; and its conversion to and from policy/v1beta1, the version 1.24 stores it in (the
group's first version priority), which `betaversions` also serves."""
from __future__ import annotations

import copy

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.conversion import Codec
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (INT_OR_STRING, META, POLICY, conditions, integer, list_kind, obj, ref,
                                                   workload)
from reference_impl.apiserver.core.validation import semantically_equal
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.machinery.gofmt import go_pointer
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/policy/validation.ValidatePodDisruptionBudgetSpec")
def validate_pod_disruption_budget(obj: dict) -> list[str]:
    """One of minAvailable and maxUnavailable, a non-negative count or a whole percent up to 100%
    (the disruption controller divides the selected pods by it), and a valid label selector."""
    spec, path = part(obj, "spec"), "spec"
    problems = []
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        shown = (f"MinAvailable:{go_pointer('intstr.IntOrString', spec['minAvailable'])}, "
                 f"Selector:{go_pointer('v1.LabelSelector', spec.get('selector'))}, "
                 f"MaxUnavailable:{go_pointer('intstr.IntOrString', spec['maxUnavailable'])}")
        problems.append(f"{path}: Invalid value: policy.PodDisruptionBudgetSpec{{{shown}}}: minAvailable and "
                        "maxUnavailable cannot be both set")
    for key in ("minAvailable", "maxUnavailable"):
        if spec.get(key) is not None:
            problems += v.positive_int_or_percent(spec[key], f"{path}.{key}")[0]
            problems += v.not_more_than_100_percent(spec[key], f"{path}.{key}")
    return problems + v.label_selector_problems(spec.get("selector"), f"{path}.selector")


@mirrors("k8s.io/kubernetes/pkg/apis/policy/validation.ValidatePodDisruptionBudgetStatusUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    """Valid conditions and no negative count (policy/v1's rule; the only version served here)."""
    status = part(new, "status")
    return v.condition_problems(status.get("conditions"), "status.conditions") + v.nonnegative_counts(
        status, ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"))


# policy/v1beta1 reads an empty selector as selecting no pods, v1 as selecting all: conversion
# swaps each for a selector on a label no pod has (or every pod lacks) that the other version keeps.
PDB_V1BETA1_LABEL = "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match"
V1_MATCH_NONE = {"matchExpressions": [{"key": PDB_V1BETA1_LABEL, "operator": "Exists"}]}
V1BETA1_MATCH_ALL = {"matchExpressions": [{"key": PDB_V1BETA1_LABEL, "operator": "DoesNotExist"}]}


def _with_selector(pdb: dict, selector: dict | None) -> dict:
    return {**pdb, "spec": {**pdb["spec"], "selector": selector}}


@mirrors("k8s.io/kubernetes/pkg/apis/policy/v1beta1.Convert_v1beta1_PodDisruptionBudget_To_policy_PodDisruptionBudget",
         "k8s.io/kubernetes/pkg/apis/policy.StripPDBV1beta1Label")
def pdb_to_v1(pdb: dict) -> dict:
    selector = pdb.get("spec", {}).get("selector") if isinstance(pdb.get("spec"), dict) else None
    if not isinstance(selector, dict):
        return pdb
    if semantically_equal(selector, {}):
        return _with_selector(pdb, copy.deepcopy(V1_MATCH_NONE))
    if semantically_equal(selector, V1BETA1_MATCH_ALL):
        return _with_selector(pdb, {})
    expressions = [e for e in selector.get("matchExpressions") or []
                   if not (isinstance(e, dict) and e.get("key") == PDB_V1BETA1_LABEL)]
    stripped = {k: value for k, value in selector.items() if k != "matchExpressions"}
    return _with_selector(pdb, {**stripped, "matchExpressions": expressions} if expressions else stripped)


@mirrors("k8s.io/kubernetes/pkg/apis/policy/v1beta1.Convert_policy_PodDisruptionBudget_To_v1beta1_PodDisruptionBudget")
def pdb_to_v1beta1(pdb: dict) -> dict:
    selector = pdb.get("spec", {}).get("selector") if isinstance(pdb.get("spec"), dict) else None
    if not isinstance(selector, dict):
        return pdb
    if semantically_equal(selector, V1_MATCH_NONE):
        return _with_selector(pdb, {})
    if semantically_equal(selector, {}):
        return _with_selector(pdb, copy.deepcopy(V1BETA1_MATCH_ALL))
    return pdb


V1, V1BETA1 = "policy/v1", "policy/v1beta1"


def _to_storage(pdb: dict) -> dict:
    return {**pdb_to_v1beta1(pdb), "apiVersion": V1BETA1}


def _from_storage(pdb: dict) -> dict:
    """A stored v1beta1 budget as v1 (one stored as v1 by an older reference server as it is)."""
    return {**(pdb_to_v1(pdb) if pdb.get("apiVersion") == V1BETA1 else pdb), "apiVersion": V1}


RESOURCES = (
    Resource("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", True,
             ("pdb",), subresources=("status",), status_reset_on_update=True, tracks_generation=True,
             name_validation=None,  # ValidatePodDisruptionBudget checks no name: only BeforeCreate's path rule
             allow_unconditional_update=False, storage_codec=Codec(_to_storage, _from_storage),
             stored_as=V1BETA1,
             validator=validate_pod_disruption_budget, validate_status_update=validate_status_update,
             zero_value={"spec": {}, "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                                                 "expectedPods": 0}},
             update_metadata_checks=UpdateMetadataChecks(full=0, update=0)),
)


DEFINITIONS = {
    **workload("policy", "v1", POLICY, "PodDisruptionBudget", "How many pods of a set may be down at once."),
    POLICY + "PodDisruptionBudgetSpec": obj(
        "The bound a PodDisruptionBudget keeps.",
        maxUnavailable=ref(INT_OR_STRING, "Pods that may be unavailable after an eviction."),
        minAvailable=ref(INT_OR_STRING, "Pods that must stay available after an eviction."),
        selector={**ref(META + "LabelSelector", "Selects the pods the budget covers."),
                  "x-kubernetes-patch-strategy": "replace"}),
    POLICY + "PodDisruptionBudgetStatus": obj(
        "What the disruption controller found, and the evictions since.",
        ("currentHealthy", "desiredHealthy", "disruptionsAllowed", "expectedPods"),
        conditions=conditions(META + "Condition", map_keys=("type",)),
        currentHealthy=integer("Healthy pods now."),
        desiredHealthy=integer("Healthy pods the budget asks for."),
        disruptedPods={"type": "object", "additionalProperties": ref(META + "Time"),
                       "description": "Pods evicted but not yet seen going, with the time of their eviction."},
        disruptionsAllowed=integer("Evictions allowed now."),
        expectedPods=integer("Pods the budget counts."),
        observedGeneration=integer("The generation the status was computed for.", "int64")),
    POLICY + "PodDisruptionBudgetList": list_kind("policy", "v1", POLICY + "PodDisruptionBudget"),
}


GO_TYPES = {
    POLICY + "PodDisruptionBudgetStatus": {"disruptedPods": "map[string]v1.Time"},
}


def _or_na(value: object) -> str:
    return "N/A" if value is None else str(value)


def _pod_disruption_budget(obj: dict, now: float) -> list:
    spec = part(obj, "spec")
    return [name_cell(obj), _or_na(spec.get("minAvailable")), _or_na(spec.get("maxUnavailable")),
            part(obj, "status").get("disruptionsAllowed", 0), age_cell(obj, now)]


PRINTERS = {
    "PodDisruptionBudget": ([NAME, ("Min Available", "string", 0, "Pods that must stay available."),
                             ("Max Unavailable", "string", 0, "Pods that may be unavailable."),
                             ("Allowed Disruptions", "integer", 0, "Pods that may be disrupted now."), AGE],
                            _pod_disruption_budget),
}


MESSAGES = """
policy.PodDisruptionBudget: 1 metadata! meta.ObjectMeta; 2 spec! policy.PodDisruptionBudgetSpec;
    3 status! policy.PodDisruptionBudgetStatus
policy.PodDisruptionBudgetList: 1 metadata! meta.ListMeta; 2 items* []policy.PodDisruptionBudget
policy.PodDisruptionBudgetSpec: 1 minAvailable intstr.IntOrString; 2 selector meta.LabelSelector;
    3 maxUnavailable intstr.IntOrString
policy.PodDisruptionBudgetStatus: 1 observedGeneration? int64; 2 disruptedPods? {}meta.Time;
    3 disruptionsAllowed! int32; 4 currentHealthy! int32; 5 desiredHealthy! int32; 6 expectedPods! int32;
    7 conditions? []meta.Condition
"""
