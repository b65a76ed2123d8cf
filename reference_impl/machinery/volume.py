"""The finalizers that protect storage objects in use, shared by the apiserver's
StorageObjectInUseProtection admission plugin (which adds them) and the controller-manager's
pvc-protection and pv-protection controllers (which remove them once nothing uses the object)."""
from __future__ import annotations

PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection"  # volumeutil.PVCProtectionFinalizer
PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection"  # volumeutil.PVProtectionFinalizer
