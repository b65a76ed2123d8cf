"""StorageObjectInUseProtection: every new PersistentVolumeClaim gets the
`kubernetes.io/pvc-protection` finalizer and every new PersistentVolume `kubernetes.io/pv-protection`,
so deleting one that a pod uses (a claim) or that is bound (a volume) only marks it Terminating
until the controller-manager's protection controllers remove the finalizer.
"""
from __future__ import annotations

from reference_impl.machinery.volume import PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER
from reference_impl.mirrors import mirrors

CREATE = "CREATE"
FINALIZERS = {"persistentvolumes": PV_PROTECTION_FINALIZER, "persistentvolumeclaims": PVC_PROTECTION_FINALIZER}


class StorageObjectInUseProtection:
    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/storage/storageobjectinuseprotection.storageProtectionPlugin).Admit",
             "(*k8s.io/kubernetes/plugin/pkg/admission/storage/storageobjectinuseprotection.storageProtectionPlugin).admitPV",
             "(*k8s.io/kubernetes/plugin/pkg/admission/storage/storageobjectinuseprotection.storageProtectionPlugin).admitPVC")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        """Append the resource's finalizer on a create (dry runs too: admission mutates them
        alike) unless the object already carries it."""
        finalizer = FINALIZERS.get(request.resource.plural) if request.resource.group == "" else None
        if request.operation != CREATE or finalizer is None or request.subresource or obj is None:
            return obj
        finalizers = obj.setdefault("metadata", {}).setdefault("finalizers", [])
        if finalizer not in finalizers:
            finalizers.append(finalizer)
        return obj
