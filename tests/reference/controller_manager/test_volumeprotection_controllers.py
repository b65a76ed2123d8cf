"""The pvc-protection and pv-protection controllers' syncs, one rule per test."""
from __future__ import annotations

from reference_impl.controller_manager.volumeprotection import (claim_keys, protection_keys, sync_claim,
                                                                sync_volume)
from reference_impl.machinery.actions import Update

PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
DELETED = "2026-01-01T00:00:00Z"


def claim(name="data", deleted=True, finalizers=(PVC_PROTECTION,), owner_uid=None):
    meta = {"name": name, "namespace": "ns", "resourceVersion": "7", "finalizers": list(finalizers)}
    if deleted:
        meta["deletionTimestamp"] = DELETED
    if owner_uid:
        meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "Pod", "name": "web", "uid": owner_uid,
                                    "controller": True}]
    return {"metadata": meta, "spec": {}}


def pod(volume, node="node-1", phase="Running", **meta):
    return {"metadata": {"name": "web", "namespace": "ns", "uid": "pod-uid", **meta},
            "spec": {"nodeName": node, "volumes": [volume]}, "status": {"phase": phase}}


USES_DATA = {"name": "d", "persistentVolumeClaim": {"claimName": "data"}}
EPHEMERAL = {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": {}}}}


def no_live_pods():
    return []


def finalizers_left(actions):
    [update] = actions
    assert isinstance(update, Update) and update.resource == "persistentvolumeclaims"
    return update.obj["metadata"]["finalizers"]


def test_a_deleted_claim_no_pod_uses_loses_only_the_protection_finalizer():
    """processPVC: a deletion candidate that isBeingUsed denies gets an Update without the
    finalizer, keeping the others (and its resourceVersion, so the update is conditional)."""
    actions = sync_claim(claim(finalizers=("example.com/keep", PVC_PROTECTION)), [], no_live_pods)
    assert finalizers_left(actions) == ["example.com/keep"]
    assert actions[0].obj["metadata"]["resourceVersion"] == "7"


def test_a_claim_a_scheduled_pod_names_keeps_its_finalizer_even_once_the_pod_has_finished():
    """podUsesPVC: a scheduled pod naming the claim in spec.volumes holds it; 1.24 does not look
    at the pod's phase, so a Succeeded pod still holds it until the pod is deleted."""
    for phase in ("Running", "Succeeded", "Failed"):
        assert sync_claim(claim(), [pod(USES_DATA, phase=phase)], no_live_pods) == []


def test_an_unscheduled_pod_does_not_hold_a_claim():
    """podUsesPVC only counts pods with a nodeName: the kubelet will not start a pod whose claim
    is being deleted."""
    assert finalizers_left(sync_claim(claim(), [pod(USES_DATA, node="")], no_live_pods)) == []


def test_a_pod_missing_from_the_cache_is_found_by_the_live_list():
    """isBeingUsed asks the API server (a live list) before deciding a claim is unused."""
    assert sync_claim(claim(), [], lambda: [pod(USES_DATA)]) == []


def test_the_cache_answering_in_use_spares_the_live_list():
    """askInformer finding a pod using the claim is enough: no live list is made."""
    def live_list():
        raise AssertionError("listed live")
    assert sync_claim(claim(), [pod(USES_DATA)], live_list) == []


def test_an_ephemeral_volume_holds_the_claim_generated_for_its_pod_until_the_pod_is_shut_down():
    """An ephemeral volume uses claim <pod>-<volume> when the pod is its controller; a pod
    deleted with grace period 0 (podIsShutDown) no longer holds it."""
    generated = claim("web-scratch", owner_uid="pod-uid")
    assert sync_claim(generated, [pod(EPHEMERAL)], no_live_pods) == []
    assert finalizers_left(sync_claim(claim("web-scratch", owner_uid="other-uid"), [pod(EPHEMERAL)],
                                      no_live_pods)) == []
    shut_down = pod(EPHEMERAL, deletionTimestamp=DELETED, deletionGracePeriodSeconds=0)
    assert finalizers_left(sync_claim(generated, [shut_down], no_live_pods)) == []


def test_a_live_claim_without_the_finalizer_gets_it_and_one_with_it_is_left_alone():
    """NeedToAddFinalizer: a claim not being deleted and lacking the finalizer gets it appended;
    one that has it, or one being deleted without it, is not touched."""
    assert finalizers_left(sync_claim(claim(deleted=False, finalizers=("example.com/keep",)), [], no_live_pods)) == [
        "example.com/keep", PVC_PROTECTION]
    assert sync_claim(claim(deleted=False), [], no_live_pods) == []
    assert sync_claim(claim(finalizers=()), [], no_live_pods) == []


def test_a_deleted_volume_keeps_its_finalizer_only_while_bound():
    """pv-protection's isBeingUsed: a volume in phase Bound is in use; any other phase frees it."""
    def volume(phase, finalizers=(PV_PROTECTION,)):
        return {"metadata": {"name": "pv1", "deletionTimestamp": DELETED, "finalizers": list(finalizers)},
                "status": {"phase": phase}}
    assert sync_volume(volume("Bound")) == []
    [update] = sync_volume(volume("Released", ("example.com/keep", PV_PROTECTION)))
    assert (update.resource, update.namespace, update.obj["metadata"]["finalizers"]) == (
        "persistentvolumes", None, ["example.com/keep"])
    [added] = sync_volume({"metadata": {"name": "pv2"}, "status": {"phase": "Available"}})
    assert added.obj["metadata"]["finalizers"] == [PV_PROTECTION]


def test_a_pod_enqueues_the_claims_it_names_and_its_ephemeral_claims():
    """enqueuePVCs: <namespace>/<claimName> for a claim volume, <namespace>/<pod>-<volume> for an
    ephemeral one; other volumes enqueue nothing."""
    web = pod(USES_DATA)
    web["spec"]["volumes"] += [EPHEMERAL, {"name": "tmp", "emptyDir": {}}]
    assert claim_keys(web) == ["ns/data", "ns/web-scratch"]


def test_only_a_claim_that_needs_its_finalizer_added_or_removed_is_enqueued():
    """pvcAddedUpdated enqueues a claim lacking the finalizer or being deleted with it."""
    keys = protection_keys(PVC_PROTECTION)
    assert keys(claim()) == ["ns/data"]
    assert keys(claim(deleted=False, finalizers=())) == ["ns/data"]
    assert keys(claim(deleted=False)) == []
