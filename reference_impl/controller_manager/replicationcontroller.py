"""The ReplicationController controller. As in Kubernetes 1.24 (pkg/controller/replication) it is
the ReplicaSet controller run over ReplicationControllers: each RC is converted to a ReplicaSet,
synced by replicaset.ReplicaSetController, and the actions are converted back, so the two kinds
can never drift apart.
"""
from __future__ import annotations

import copy
from dataclasses import replace

from reference_impl.machinery.actions import Create, Patch, Update
from reference_impl.controller_manager.podcontrol import SlowStartCreates
from reference_impl.controller_manager.replicaset import BURST_REPLICAS, ReplicaSetController
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/controller/replication.convertRCtoRS")
def rc_to_rs(rc: dict) -> dict:
    """An RC's map selector becomes matchLabels; a missing selector is the template's labels
    (what the apiserver defaults it to)."""
    rs = copy.deepcopy(rc)
    rs["apiVersion"], rs["kind"] = "apps/v1", "ReplicaSet"
    spec = rs.setdefault("spec", {})
    selector = spec.get("selector") or ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    spec["selector"] = {"matchLabels": dict(selector)}
    spec.setdefault("template", {})
    return rs


def _owner_refs_to_rc(refs: list[dict], rc_uid: str) -> list[dict]:
    """The owner references the ReplicaSet core wrote for the converted RC, naming the RC again
    (what podControlAdapter does on its way to the apiserver)."""
    return [dict(r, apiVersion="v1", kind="ReplicationController") if r.get("uid") == rc_uid else r
            for r in refs]


def _create_for_rc(create: Create, rc_uid: str) -> Create:
    """A pod create of the core, its owner reference turned back to the ReplicationController."""
    obj = copy.deepcopy(create.obj)
    obj["metadata"]["ownerReferences"] = _owner_refs_to_rc(obj["metadata"]["ownerReferences"], rc_uid)
    return replace(create, obj=obj)


def _pod_as_rs_owned(pod: dict) -> dict:
    """A pod whose controller is an RC, seen by the ReplicaSet core as owned by a ReplicaSet
    (conversionEventHandler)."""
    converted = copy.deepcopy(pod)
    for ref in converted["metadata"].get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") == "ReplicationController":
            ref["apiVersion"], ref["kind"] = "apps/v1", "ReplicaSet"
    return converted


class ReplicationManager:
    """The RC controller; it keeps its own ReplicaSetController so the two kinds' expectations,
    keyed by namespace/name, never mix."""

    @mirrors("k8s.io/kubernetes/pkg/controller/replication.NewReplicationManager")
    def __init__(self, clock, burst_replicas: int | None = None):
        # Its pod control's events are about the RC itself, from the replication-controller.
        self.core = ReplicaSetController(clock, BURST_REPLICAS if burst_replicas is None else burst_replicas,
                                         "ReplicationController", "v1", "replication-controller")

    @mirrors("(k8s.io/kubernetes/pkg/controller/replication.conversionEventHandler).OnAdd")
    def add_pod(self, pod: dict) -> None:
        self.core.add_pod(_pod_as_rs_owned(pod))

    @mirrors("(k8s.io/kubernetes/pkg/controller/replication.conversionEventHandler).OnDelete")
    def delete_pod(self, pod: dict) -> None:
        self.core.delete_pod(_pod_as_rs_owned(pod))

    def delete_rc(self, rc: dict) -> None:
        self.core.delete_rs(rc)

    def sync(self, rc: dict, pods: list[dict]) -> list:
        """Actions for `rc` given every pod in its namespace (syncReplicaSet over the converted RC)."""
        uid = rc["metadata"]["uid"]
        actions = []
        for action in self.core.sync(rc_to_rs(rc), pods):
            if isinstance(action, SlowStartCreates):
                action = SlowStartCreates(tuple(_create_for_rc(create, uid) for create in action.creates))
            elif isinstance(action, Patch):
                patch = copy.deepcopy(action.patch)
                patch["metadata"]["ownerReferences"] = _owner_refs_to_rc(patch["metadata"]["ownerReferences"], uid)
                action = Patch(action.resource, action.namespace, action.name, patch, action.subresource)
            elif isinstance(action, Update):
                action = self._status_update(rc, action)
            actions.append(action)
        return actions

    @mirrors("k8s.io/kubernetes/pkg/controller/replication.convertRStoRC")
    def _status_update(self, rc: dict, update: Update) -> Update:
        updated = copy.deepcopy(rc)
        updated.setdefault("status", {}).update(update.obj["status"])
        return replace(update, resource="replicationcontrollers", obj=updated)
