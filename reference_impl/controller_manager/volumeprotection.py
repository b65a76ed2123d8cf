"""The pvc-protection and pv-protection controllers (pkg/controller/volume/pvcprotection,
pvprotection): a claim or volume being deleted keeps its protection finalizer, and so stays
Terminating, while it is in use; once unused the controller removes the finalizer and the apiserver
drops the object. A claim is in use while a scheduled pod names it in spec.volumes (directly, or as
the claim generated for one of its ephemeral volumes); a volume is in use while it is Bound.

Both also add the finalizer to an object that is not being deleted and lacks it (one created
before the StorageObjectInUseProtection admission plugin was on).
"""
from __future__ import annotations

import copy
from collections.abc import Callable

from reference_impl.machinery.actions import Update
from reference_impl.machinery.objects import meta_namespace_key
from reference_impl.machinery.volume import PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/controller/volume/protectionutil.IsDeletionCandidate")
def is_deletion_candidate(obj: dict, finalizer: str) -> bool:
    meta = obj["metadata"]
    return bool(meta.get("deletionTimestamp")) and finalizer in (meta.get("finalizers") or ())


@mirrors("k8s.io/kubernetes/pkg/controller/volume/protectionutil.NeedToAddFinalizer")
def need_to_add_finalizer(obj: dict, finalizer: str) -> bool:
    meta = obj["metadata"]
    return not meta.get("deletionTimestamp") and finalizer not in (meta.get("finalizers") or ())


@mirrors("k8s.io/component-helpers/storage/ephemeral.VolumeClaimName")
def ephemeral_claim_name(pod: dict, volume: dict) -> str:
    return f"{pod['metadata']['name']}-{volume['name']}"


@mirrors("k8s.io/component-helpers/storage/ephemeral.VolumeIsForPod")
def claim_is_for_pod(pod: dict, claim: dict) -> bool:
    """The claim was generated for this pod: the pod (by uid) is its controller."""
    if claim["metadata"].get("namespace") != pod["metadata"].get("namespace"):
        return False
    return any(ref.get("controller") and ref.get("uid") == pod["metadata"].get("uid")
               for ref in claim["metadata"].get("ownerReferences") or ())


@mirrors("k8s.io/kubernetes/pkg/controller/volume/pvcprotection.podIsShutDown")
def pod_is_shut_down(pod: dict) -> bool:
    """The kubelet is done with the pod (it deleted it with grace 0), or it was force-deleted."""
    meta = pod["metadata"]
    return bool(meta.get("deletionTimestamp")) and meta.get("deletionGracePeriodSeconds") == 0


@mirrors("(*k8s.io/kubernetes/pkg/controller/volume/pvcprotection.Controller).podUsesPVC")
def pod_uses_claim(pod: dict, claim: dict) -> bool:
    """Only a scheduled pod counts: the kubelet sees no other, and refuses to start one whose claim
    is being deleted. 1.24 counts a pod that has finished too, until it is deleted."""
    spec = pod.get("spec") or {}
    if not spec.get("nodeName"):
        return False
    name = claim["metadata"]["name"]
    for volume in spec.get("volumes") or ():
        if (volume.get("persistentVolumeClaim") or {}).get("claimName") == name:
            return True
        if (volume.get("ephemeral") is not None and not pod_is_shut_down(pod)
                and ephemeral_claim_name(pod, volume) == name and claim_is_for_pod(pod, claim)):
            return True
    return False


@mirrors("(*k8s.io/kubernetes/pkg/controller/volume/pvcprotection.Controller).enqueuePVCs")
def claim_keys(pod: dict) -> list[str]:
    """The keys of the claims a pod names. Upstream skips a running, scheduled pod's update (it
    cannot free a claim); enqueuing it anyway costs one sync that finds the claim in use."""
    namespace = pod["metadata"].get("namespace", "")
    keys = []
    for volume in (pod.get("spec") or {}).get("volumes") or ():
        if volume.get("persistentVolumeClaim") is not None:
            keys.append(f"{namespace}/{volume['persistentVolumeClaim'].get('claimName', '')}")
        elif volume.get("ephemeral") is not None:
            keys.append(f"{namespace}/{ephemeral_claim_name(pod, volume)}")
    return keys


def _with_finalizers(obj: dict, finalizers: list[str]) -> dict:
    updated = copy.deepcopy(obj)
    updated["metadata"]["finalizers"] = finalizers
    return updated


@mirrors("(*k8s.io/kubernetes/pkg/controller/volume/pvcprotection.Controller).processPVC",
         "(*k8s.io/kubernetes/pkg/controller/volume/pvcprotection.Controller).isBeingUsed")
def sync_claim(claim: dict, cached_pods: list[dict], live_pods: Callable[[], list[dict]]) -> list:
    """`cached_pods` are the claim's namespace's pods in the informer's cache; a claim unused by
    them is checked against `live_pods()` (a live list) before its finalizer goes, since a pod
    just created may not be cached yet."""
    finalizers = claim["metadata"].get("finalizers") or []
    if is_deletion_candidate(claim, PVC_PROTECTION_FINALIZER):
        if any(pod_uses_claim(pod, claim) for pod in cached_pods):
            return []
        if any(pod_uses_claim(pod, claim) for pod in live_pods()):
            return []
        return [Update("persistentvolumeclaims", claim["metadata"]["namespace"],
                       _with_finalizers(claim, [f for f in finalizers if f != PVC_PROTECTION_FINALIZER]))]
    if need_to_add_finalizer(claim, PVC_PROTECTION_FINALIZER):
        return [Update("persistentvolumeclaims", claim["metadata"]["namespace"],
                       _with_finalizers(claim, [*finalizers, PVC_PROTECTION_FINALIZER]))]
    return []


@mirrors("(*k8s.io/kubernetes/pkg/controller/volume/pvprotection.Controller).processPV",
         "(*k8s.io/kubernetes/pkg/controller/volume/pvprotection.Controller).isBeingUsed")
def sync_volume(volume: dict) -> list:
    """A volume being deleted loses its finalizer unless it is Bound."""
    finalizers = volume["metadata"].get("finalizers") or []
    if is_deletion_candidate(volume, PV_PROTECTION_FINALIZER):
        if (volume.get("status") or {}).get("phase") == "Bound":
            return []
        return [Update("persistentvolumes", None,
                       _with_finalizers(volume, [f for f in finalizers if f != PV_PROTECTION_FINALIZER]))]
    if need_to_add_finalizer(volume, PV_PROTECTION_FINALIZER):
        return [Update("persistentvolumes", None, _with_finalizers(volume, [*finalizers, PV_PROTECTION_FINALIZER]))]
    return []


@mirrors("(*k8s.io/kubernetes/pkg/controller/volume/pvcprotection.Controller).pvcAddedUpdated",
         "(*k8s.io/kubernetes/pkg/controller/volume/pvprotection.Controller).pvAddedUpdated")
def protection_keys(finalizer: str) -> Callable[[dict], list[str]]:
    """A claim's (volume's) own key, when it may need a finalizer added or removed."""
    def keys(obj: dict) -> list[str]:
        if need_to_add_finalizer(obj, finalizer) or is_deletion_candidate(obj, finalizer):
            return [meta_namespace_key(obj)]
        return []
    return keys
