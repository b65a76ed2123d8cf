"""The ReplicaSet controller: keep `spec.replicas` active pods matching the selector, adopting
orphans and releasing pods that no longer match, with expectations so a slow watch never causes
a second round of creates, and at most `burst_replicas` creates or deletes per sync.
"""
from __future__ import annotations

import copy

from reference_impl.machinery.actions import Patch, RetriedStatusUpdate
from reference_impl.machinery.labels import selector_matches
from reference_impl.machinery.objects import (controller_ref, meta_namespace_key, owner_reference, pod_active,
                                              pod_available, pod_ready)
from reference_impl.controller_manager import podcontrol
from reference_impl.controller_manager.expectations import UIDTrackingControllerExpectations
from reference_impl.machinery import trace
from reference_impl.machinery.timefmt import rfc3339
from reference_impl.mirrors import mirrors

BURST_REPLICAS = 500


@mirrors("k8s.io/kubernetes/pkg/controller.GetPodFromTemplate")
def pod_from_template(rs: dict) -> dict:
    template = rs["spec"]["template"]
    meta = copy.deepcopy(template.get("metadata") or {})
    meta.pop("name", None)
    meta["generateName"] = f"{rs['metadata']['name']}-"
    meta["namespace"] = rs["metadata"]["namespace"]
    meta["ownerReferences"] = [owner_reference(rs, "ReplicaSet", "apps/v1")]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": copy.deepcopy(template.get("spec") or {})}


def _deletion_rank(pod: dict) -> tuple:
    """controller.ActivePods ordering: the pods cheapest to lose sort first."""
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}
    return (bool(pod.get("spec", {}).get("nodeName")),
            phase_rank.get(pod.get("status", {}).get("phase", "Pending"), 0),
            pod_ready(pod),
            # newer pods first: a lexically greater timestamp sorts earlier
            tuple(-ord(c) for c in pod["metadata"].get("creationTimestamp", "")))


def _until_available(rs: dict, status: dict, owned: list[dict], now: float) -> float | None:
    """When the key should come back for pods ready but not yet available, as no pod event will
    bring it: after minReadySeconds once every replica is ready (syncReplicaSet's AddAfter), else
    a second later while some pod is (updatePod's AddAfter for a pod that turned ready, whose
    update started this sync; a key already waiting keeps its earlier time)."""
    min_ready, replicas = rs["spec"].get("minReadySeconds") or 0, rs["spec"].get("replicas", 1)
    if min_ready <= 0:
        return None
    if status["readyReplicas"] == replicas and status["availableReplicas"] != replicas:
        return float(min_ready)
    if any(pod_ready(p) and not pod_available(p, min_ready, now) for p in owned):
        return float(min_ready + 1)
    return None


class ReplicaSetController:
    """`kind`, `api_version` and `event_source` name the object its pod control's events are
    about and their source: the ReplicationController manager runs this core over its own kind."""

    def __init__(self, clock, burst_replicas: int = BURST_REPLICAS, kind: str = "ReplicaSet",
                 api_version: str = "apps/v1", event_source: str = "replicaset-controller"):
        self.clock = clock
        self.expectations = UIDTrackingControllerExpectations(clock)
        self.burst_replicas = burst_replicas
        self.kind, self.api_version, self.event_source = kind, api_version, event_source
        # The error a pod create of the last sync was refused with, by key: upstream's
        # manageReplicasErr, which the status of the sync after it reports here.
        self._manage_errors: dict[str, str] = {}
        # Seconds after which the last sync wants its key back (the queue's AddAfter), or None.
        self.requeue_after: float | None = None

    # --- informer event handlers: they lower the expectations as the watch catches up ---

    @mirrors("(*k8s.io/kubernetes/pkg/controller/replicaset.ReplicaSetController).addPod")
    def add_pod(self, pod: dict) -> None:
        ref = controller_ref(pod)
        if ref and ref.get("kind") == "ReplicaSet" and not pod["metadata"].get("deletionTimestamp"):
            self.expectations.creation_observed(f"{pod['metadata']['namespace']}/{ref['name']}")

    @mirrors("(*k8s.io/kubernetes/pkg/controller/replicaset.ReplicaSetController).deletePod")
    def delete_pod(self, pod: dict) -> None:
        ref = controller_ref(pod)
        if ref and ref.get("kind") == "ReplicaSet":
            self.expectations.deletion_observed(f"{pod['metadata']['namespace']}/{ref['name']}",
                                                meta_namespace_key(pod))

    def creation_failed(self, key: str, error: str) -> None:
        """A pod create refused with `error`: the pod is no longer expected, and the next status
        says ReplicaFailure."""
        self.expectations.creation_observed(key)
        self._manage_errors[key] = error

    def deletion_failed(self, key: str, pod_key: str, error: str | None) -> None:
        """A delete of the pod `pod_key` that failed: the informer will not see it go, so it is no
        longer expected (manageReplicas' DeletionObserved, by pod key: a pod already gone that the
        watch then sees deleted counts once); unless the pod was already gone (`error` None), the
        next status says ReplicaFailure."""
        self.expectations.deletion_observed(key, pod_key)
        if error is not None:
            self._manage_errors[key] = error

    @mirrors("(*k8s.io/kubernetes/pkg/controller/replicaset.ReplicaSetController).deleteRS")
    def delete_rs(self, rs: dict) -> None:
        self.expectations.delete(meta_namespace_key(rs))

    # --- the sync ---

    @mirrors("(*k8s.io/kubernetes/pkg/controller/replicaset.ReplicaSetController).syncReplicaSet")
    @trace.decision
    def sync(self, rs: dict, pods: list[dict]) -> list:
        """Actions for `rs` given every pod in its namespace (from the pod cache)."""
        key = meta_namespace_key(rs)
        actions: list = []
        owned = self._claim_pods(rs, [p for p in pods if pod_active(p)], actions)
        if self.expectations.satisfied(key) and not rs["metadata"].get("deletionTimestamp"):
            actions += self._manage_replicas(rs, owned)
        manage_error = self._manage_errors.pop(key, None)
        status = self._status(rs, owned, manage_error)
        self.requeue_after = _until_available(rs, status, owned, self.clock.now()) if manage_error is None else None
        current = {k: rs.get("status", {}).get(k) for k in status}
        current["conditions"] = current["conditions"] or []
        if status != current:
            updated = copy.deepcopy(rs)
            updated.setdefault("status", {}).update(status)
            if not status["conditions"]:
                del updated["status"]["conditions"]  # omitempty
            actions.append(RetriedStatusUpdate("replicasets", rs["metadata"]["namespace"], updated, "status"))
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/replicaset.ReplicaSetController).claimPods")
    def _claim_pods(self, rs: dict, pods: list[dict], actions: list) -> list[dict]:
        uid, selector = rs["metadata"]["uid"], rs["spec"].get("selector")
        ns = rs["metadata"]["namespace"]
        owned = []
        for pod in pods:
            ref = controller_ref(pod)
            matches = selector_matches(selector, pod["metadata"].get("labels"))
            if ref is not None and ref.get("uid") == uid:
                if matches:
                    owned.append(pod)
                else:  # release: it no longer matches our selector
                    actions.append(Patch("pods", ns, pod["metadata"]["name"], {"metadata": {
                        "ownerReferences": [r for r in pod["metadata"]["ownerReferences"]
                                            if r.get("uid") != uid]}}))
            elif ref is None and matches and not rs["metadata"].get("deletionTimestamp"):
                refs = list(pod["metadata"].get("ownerReferences") or [])
                refs.append(owner_reference(rs, "ReplicaSet", "apps/v1"))
                actions.append(Patch("pods", ns, pod["metadata"]["name"],
                                     {"metadata": {"ownerReferences": refs}}))
                owned.append(pod)
        return owned

    @mirrors("(*k8s.io/kubernetes/pkg/controller/replicaset.ReplicaSetController).manageReplicas")
    def _manage_replicas(self, rs: dict, owned: list[dict]) -> list:
        key = meta_namespace_key(rs)
        diff = len(owned) - rs["spec"].get("replicas", 1)
        if diff < 0:
            count = min(-diff, self.burst_replicas)
            self.expectations.expect_creations(key, count)
            return [podcontrol.SlowStartCreates(tuple(
                podcontrol.create_pod(self.event_source, rs, self.kind, self.api_version, pod_from_template(rs))
                for _ in range(count)))]
        if diff > 0:
            count = min(diff, self.burst_replicas)
            victims = sorted(owned, key=_deletion_rank)[:count]
            self.expectations.expect_deletions(key, [meta_namespace_key(p) for p in victims])
            return [podcontrol.DeletePods(tuple(
                podcontrol.delete_pod(self.event_source, rs, self.kind, self.api_version, p) for p in victims))]
        return []

    @mirrors("k8s.io/kubernetes/pkg/controller/replicaset.calculateStatus")
    def _status(self, rs: dict, owned: list[dict], manage_error: str | None) -> dict:
        """The counts, and ReplicaFailure while the pods' creates (or deletes) are refused."""
        template_labels = (rs["spec"]["template"].get("metadata") or {}).get("labels") or {}
        fully = sum(1 for p in owned if all((p["metadata"].get("labels") or {}).get(k) == v
                                            for k, v in template_labels.items()))
        ready = sum(1 for p in owned if pod_ready(p))
        min_ready = rs["spec"].get("minReadySeconds") or 0
        available = sum(1 for p in owned if pod_available(p, min_ready, self.clock.now()))
        conditions = copy.deepcopy((rs.get("status") or {}).get("conditions") or [])
        failure = next((c for c in conditions if c.get("type") == "ReplicaFailure"), None)
        if manage_error is not None and failure is None:
            reason = "FailedCreate" if len(owned) < rs["spec"].get("replicas", 1) else "FailedDelete"
            conditions.append({"type": "ReplicaFailure", "status": "True",
                               "lastTransitionTime": rfc3339(self.clock.now()), "reason": reason,
                               "message": manage_error})
        elif manage_error is None and failure is not None:
            conditions.remove(failure)
        return {"replicas": len(owned), "fullyLabeledReplicas": fully, "readyReplicas": ready,
                "availableReplicas": available,
                "observedGeneration": rs["metadata"].get("generation", 1), "conditions": conditions}
