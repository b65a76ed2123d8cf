"""The disruption controller (pkg/controller/disruption): computes each PodDisruptionBudget's
status, which the apiserver's eviction subresource reads before it lets a pod go.

For the pods a budget selects it counts the expected pods (the selected pods for an integer
minAvailable, else the scale of their controllers: Deployment, ReplicaSet, StatefulSet,
ReplicationController), the healthy ones (ready, not being deleted, not just evicted) and the
desired healthy ones; disruptionsAllowed is what is healthy beyond that. Pods the eviction recorded
in status.disruptedPods count as unhealthy for DELETION_TIMEOUT, then are dropped from the map. A
budget it cannot compute gets disruptionsAllowed 0 (failSafe), so that evictions stop rather than
go ahead on a stale count. Sans-IO: `sync` gets the budget and the caches' objects and returns the
status update.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from reference_impl.controller_manager.queued import SyncError
from reference_impl.machinery.actions import Update
from reference_impl.machinery.clock import WallClock
from reference_impl.machinery.labels import SelectorError, from_label_selector_dict
from reference_impl.machinery.objects import controller_ref, deep_copy_json, pod_ready
from reference_impl.machinery.poddisruptionbudget import (SYNC_FAILED, conditions_are_up_to_date,
                                                          set_disruption_allowed, update_disruption_allowed_condition)
from reference_impl.machinery.timefmt import parse_rfc3339, rfc3339
from reference_impl.mirrors import mirrors

DELETION_TIMEOUT = 2 * 60  # seconds an evicted pod may take to get a deletionTimestamp
# The controllers whose scale the expected pods come from, by kind, with the API groups they are
# accepted from (verifyGroupKind).
SCALED_KINDS = {"ReplicationController": ("replicationcontrollers", ("",)),
                "ReplicaSet": ("replicasets", ("apps", "extensions")),
                "Deployment": ("deployments", ("apps", "extensions")),
                "StatefulSet": ("statefulsets", ("apps",))}
# The kinds that control pods but whose API has no /scale, by (group, kind), as the group resource
# getScaleController names in its error (gr.String()).
UNSCALABLE_KINDS = {("batch", "Job"): "jobs.batch", ("apps", "DaemonSet"): "daemonsets.apps", ("", "Node"): "nodes"}


@dataclass(frozen=True)
class FailSafeStatusUpdate(Update):
    """The status write of a sync whose computation worked: refused for any reason but a
    Conflict (or not answered), the sync ends in failSafe on `budget`, the error its message."""
    verb = "Update"  # the request it is, in a trace
    budget: dict = field(default_factory=dict, compare=False)


@mirrors("k8s.io/apimachinery/pkg/util/intstr.GetScaledValueFromIntOrPercent")
def scaled_value(value: int | str, total: int) -> int:
    """An integer as it is, a percentage of `total` rounded up (the controller always rounds up)."""
    if isinstance(value, str):
        return math.ceil(int(value.rstrip("%")) * total / 100)
    return value


def _group(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


class DisruptionController:
    def __init__(self, clock=None):
        self.clock = clock or WallClock()

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).sync")
    def sync(self, pdb: dict, pods: list[dict], controllers: Mapping[str, list[dict]]) -> list:
        """The status update `pdb` needs (none when it is up to date), given the pods of its
        namespace and the workloads there by resource (`replicasets`, `deployments`, ...)."""
        try:
            return self.try_sync(pdb, pods, controllers)
        except SyncError as err:
            return [self.fail_safe(pdb, str(err))]

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).trySync",
             "(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).getPodsForPdb")
    def try_sync(self, pdb: dict, pods: list[dict], controllers: Mapping[str, list[dict]]) -> list:
        selector_dict = pdb["spec"].get("selector")
        try:
            selector = None if selector_dict is None else from_label_selector_dict(selector_dict)
        except SelectorError as err:
            raise SyncError(str(err)) from err
        selected = [p for p in pods if selector is not None and selector.matches(p["metadata"].get("labels"))]
        expected, desired = self.expected_pod_count(pdb, selected, controllers)
        now = self.clock.now()
        disrupted = self.build_disrupted_pod_map(selected, pdb, now)
        healthy = count_healthy_pods(selected, disrupted, now)
        return self.update_pdb_status(pdb, healthy, desired, expected, disrupted)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).getExpectedPodCount")
    def expected_pod_count(self, pdb: dict, pods: list[dict],
                           controllers: Mapping[str, list[dict]]) -> tuple[int, int]:
        """(expected pods, desired healthy pods) as the budget's spec asks."""
        spec = pdb["spec"]
        if spec.get("maxUnavailable") is not None:
            expected = self.expected_scale(pods, controllers)
            return expected, max(0, expected - scaled_value(spec["maxUnavailable"], expected))
        if isinstance(spec.get("minAvailable"), int):
            return len(pods), spec["minAvailable"]
        if spec.get("minAvailable") is not None:
            expected = self.expected_scale(pods, controllers)
            return expected, scaled_value(spec["minAvailable"], expected)
        return 0, 0

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).getExpectedScale",
             "(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).finders",
             "(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).getScaleController")
    def expected_scale(self, pods: list[dict], controllers: Mapping[str, list[dict]]) -> int:
        """The summed replicas of the controllers behind the pods, each counted once; a pod with no
        controller adds nothing, one whose controller has no scale or is not found is a SyncError."""
        scales: dict[str, int] = {}
        for pod in pods:
            ref = controller_ref(pod)
            if ref is None or ref.get("uid") in scales:
                continue
            unscalable = UNSCALABLE_KINDS.get((_group(ref.get("apiVersion", "")), ref.get("kind")))
            if unscalable:
                raise SyncError(f"{unscalable} does not implement the scale subresource")
            found = self._controller_and_scale(ref, controllers)
            if found is None:
                raise SyncError(f'found no controllers for pod "{pod["metadata"]["name"]}"')
            scales[found[0]] = found[1]
        return sum(scales.values())

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).getPodReplicaSet",
             "(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).getPodDeployment",
             "(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).getPodStatefulSet",
             "(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).getPodReplicationController")
    def _controller_and_scale(self, ref: dict, controllers: Mapping[str, list[dict]]) -> tuple[str, int] | None:
        """(uid, replicas) of the controller `ref` names; a ReplicaSet a Deployment controls answers
        with the Deployment's."""
        resource, groups = SCALED_KINDS.get(ref.get("kind"), ("", ()))
        if _group(ref.get("apiVersion", "")) not in groups:
            return None
        found = next((c for c in controllers.get(resource, ()) if c["metadata"]["name"] == ref.get("name")
                      and c["metadata"].get("uid") == ref.get("uid")), None)
        if found is None:
            return None
        owner = controller_ref(found) if ref["kind"] == "ReplicaSet" else None
        if owner is not None and owner.get("kind") == "Deployment":
            return self._controller_and_scale(owner, controllers)
        return found["metadata"]["uid"], (found.get("spec") or {}).get("replicas", 1)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).buildDisruptedPodMap")
    def build_disrupted_pod_map(self, pods: list[dict], pdb: dict, now: float) -> dict[str, str]:
        """The entries of status.disruptedPods for pods that still exist, are not being deleted yet
        and were evicted less than DELETION_TIMEOUT ago."""
        recorded = (pdb.get("status") or {}).get("disruptedPods") or {}
        return {pod["metadata"]["name"]: recorded[pod["metadata"]["name"]] for pod in pods
                if not pod["metadata"].get("deletionTimestamp") and pod["metadata"]["name"] in recorded
                and parse_rfc3339(recorded[pod["metadata"]["name"]]) + DELETION_TIMEOUT >= now}

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).updatePdbStatus")
    def update_pdb_status(self, pdb: dict, healthy: int, desired: int, expected: int,
                          disrupted: dict[str, str]) -> list:
        """The status update, or none when the status already says all this. Nothing may be
        disrupted while no pods are expected, so that a budget whose pods just appeared is safe."""
        allowed = healthy - desired if expected > 0 and healthy > desired else 0
        status = pdb.get("status") or {}
        generation = pdb["metadata"].get("generation", 0)
        if ((status.get("currentHealthy", 0), status.get("desiredHealthy", 0), status.get("expectedPods", 0),
             status.get("disruptionsAllowed", 0), status.get("disruptedPods") or {},
             status.get("observedGeneration", 0)) == (healthy, desired, expected, allowed, disrupted, generation)
                and conditions_are_up_to_date(pdb)):
            return []
        updated = deep_copy_json(pdb)
        # A new status, as upstream writes it: the conditions start over (a SyncFailed one goes).
        updated["status"] = {"observedGeneration": generation, "disruptionsAllowed": allowed,
                             "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected}
        if disrupted:
            updated["status"]["disruptedPods"] = disrupted
        update_disruption_allowed_condition(updated, rfc3339(self.clock.now()))
        return [FailSafeStatusUpdate("poddisruptionbudgets", pdb["metadata"]["namespace"], updated, "status",
                                     budget=pdb)]

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).failSafe")
    def fail_safe(self, pdb: dict, why: str):
        """At least stop the evictions: disruptionsAllowed 0, and DisruptionAllowed False saying why."""
        updated = deep_copy_json(pdb)
        updated.setdefault("status", {})["disruptionsAllowed"] = 0
        set_disruption_allowed(updated, "False", SYNC_FAILED, why, rfc3339(self.clock.now()))
        return _status_update(updated)


@mirrors("k8s.io/kubernetes/pkg/controller/disruption.countHealthyPods")
def count_healthy_pods(pods: list[dict], disrupted: dict[str, str], now: float) -> int:
    """Ready pods that are neither being deleted nor recently evicted."""
    return sum(1 for pod in pods
               if not pod["metadata"].get("deletionTimestamp")
               and not (pod["metadata"]["name"] in disrupted
                        and parse_rfc3339(disrupted[pod["metadata"]["name"]]) + DELETION_TIMEOUT > now)
               and pod_ready(pod))


@mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).writePdbStatus")
def _status_update(pdb: dict) -> Update:
    return Update("poddisruptionbudgets", pdb["metadata"]["namespace"], pdb, subresource="status")
