"""A CustomResourceDefinition deleted while its custom resources exist, as upstream does it.

The DELETE only marks the CRD: a deletionTimestamp, the `customresourcecleanup.apiextensions.k8s.io`
finalizer and a Terminating condition (the CRD REST's Delete). Its resources stay served for
reads, updates and deletes, but a create is refused (the crdHandler). The finalizer controller
then deletes every custom object through its own deletion, so an object's own finalizers hold the
CRD back, and removes its finalizer once none is left, which deletes the CRD.

Upstream's controller runs a moment later and polls for the objects to go; here it runs at once
after the CRD's delete and again after each write of one of its objects (see `Registry._written`
and `_after_delete`), so nothing waits on a timer.

`CRDTerminationMixin` is part of `registry.Registry`, using its keys, storage, clock and CRUD.
"""
from __future__ import annotations

import threading

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.kinds import customresourcedefinition as crds
from reference_impl.apiserver.kinds.customresourcedefinition import CRD
from reference_impl.apiserver.storage.etcd3 import KeyNotFound
from reference_impl.machinery.objects import deep_copy_json
from reference_impl.mirrors import mirrors

CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"  # apiextensions.CustomResourceCleanupFinalizer

# The Terminating conditions, as the CRD REST's Delete and the finalizer controller write them.
PENDING = {"type": "Terminating", "status": "True", "reason": "InstanceDeletionPending",
           "message": "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon"}
IN_PROGRESS = {"type": "Terminating", "status": "True", "reason": "InstanceDeletionInProgress",
               "message": "CustomResource deletion is in progress"}
COMPLETED = {"type": "Terminating", "status": "False", "reason": "InstanceDeletionCompleted",
             "message": "removed all instances"}
NEVER_ESTABLISHED = {"type": "Terminating", "status": "False", "reason": "NeverEstablished",
                     "message": "resource was never established"}


def terminating(crd: dict) -> bool:
    """IsCRDConditionTrue(crd, Terminating): what the crdHandler refuses a create for."""
    return any(c.get("type") == "Terminating" and c.get("status") == "True"
               for c in (crd.get("status") or {}).get("conditions") or [])


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver.crdHandler).serveResource")
def refuse_create_while_terminating(r: Resource) -> errors.StatusError:
    """The 405 a create of a terminating CRD's resource gets (MethodNotSupported, its message
    replaced), before its body is read."""
    return errors.StatusError(405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating",
                              errors.status_details(r.plural, r.group, ""))


def _storage_prefix(crd: dict) -> str:
    spec = crd.get("spec") or {}
    return f"/registry/{spec.get('group')}/{(spec.get('names') or {}).get('plural')}/"


class CRDTerminationMixin:
    """The CRD's marking delete and its finalizer controller (mixed into Registry)."""

    _finalizing = threading.local()

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition.REST).Delete")
    def _mark_crd_deleted(self, name: str, preconditions: dict | None, dry_run: bool,
                          grace_period_seconds: int | None = None) -> tuple[dict, bool]:
        """A CRD's delete: its uid and resourceVersion preconditions checked in the CRD REST's
        words; the first time, deletionTimestamp, the cleanup finalizer and Terminating
        (InstanceDeletionPending) written, the marked CRD the answer, not yet deleted; later ones
        the Store's Delete."""
        current = self.get(CRD, None, name)
        meta = current["metadata"]
        wanted = preconditions or {}
        for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
            if wanted.get(field) is not None and wanted[field] != meta.get(field):
                raise errors.conflict(CRD.plural, name, CRD.group,
                                      f"Precondition failed: {label} in precondition: {wanted[field]}, "
                                      f"{label} in object meta: {meta.get(field)}")
        if meta.get("deletionTimestamp"):
            return self._store_delete(CRD, None, name, grace_period_seconds, preconditions, dry_run)

        def mark(crd: dict) -> dict:
            if crd["metadata"].get("uid") != meta.get("uid"):
                raise errors.conflict(CRD.plural, name, CRD.group, "Precondition failed: UID in precondition: "
                                      f"{meta.get('uid')}, UID in object meta: {crd['metadata'].get('uid')}")
            crd_meta = crd["metadata"]
            crd_meta.setdefault("deletionTimestamp", self._timestamp())
            if CLEANUP_FINALIZER not in (crd_meta.get("finalizers") or []):
                crd_meta["finalizers"] = [*(crd_meta.get("finalizers") or []), CLEANUP_FINALIZER]
            crds._set_condition(crd.setdefault("status", {}), {**PENDING, "lastTransitionTime": self.now()})
            return crd

        if dry_run:
            return mark(deep_copy_json(current)), False
        marked = self._storage_call(CRD, name, self.storage.guaranteed_update, self.key(CRD, None, name), mark)
        self._refresh_custom_resources()
        self._finalize_crd(name)
        return marked, False

    def _after_custom_write(self, r: Resource) -> None:
        """A custom object of a terminating CRD was written or deleted: its CRD may be finalizable."""
        if not r.custom or getattr(self._finalizing, "active", False):
            return
        prefix = self.prefix(r, None)
        for crd in self._terminating_crds:
            if _storage_prefix(crd) == prefix:
                self._finalize_crd(crd["metadata"]["name"])

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/controller/finalizer.CRDFinalizer).sync")
    def _finalize_crd(self, name: str) -> None:
        """Terminating InstanceDeletionInProgress, then every custom object deleted (those with
        finalizers of their own only marked); once none is left, InstanceDeletionCompleted (or
        NeverEstablished) and the cleanup finalizer removed, which deletes the CRD when it was the
        last. Guarded against the writes it makes itself."""
        if getattr(self._finalizing, "active", False):
            return
        self._finalizing.active = True
        try:
            self._finalize_crd_once(name)
        finally:
            self._finalizing.active = False

    def _finalize_crd_once(self, name: str) -> None:
        try:
            crd = self.get(CRD, None, name)
        except errors.StatusError:
            return
        meta = crd["metadata"]
        if not meta.get("deletionTimestamp") or CLEANUP_FINALIZER not in (meta.get("finalizers") or []):
            return
        if not crds.established(crd):
            self._write_crd_status(name, NEVER_ESTABLISHED, remove_finalizer=True)
            return
        self._write_crd_status(name, IN_PROGRESS)
        if self._delete_custom_instances(crd):
            return  # some are held by their own finalizers; a later write of theirs comes back here
        self._write_crd_status(name, COMPLETED, remove_finalizer=True)

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/controller/finalizer.CRDFinalizer).deleteInstances")
    def _delete_custom_instances(self, crd: dict) -> int:
        """Delete every object stored for `crd`, each through its own deletion; how many remain."""
        prefix = _storage_prefix(crd)
        # The storage version's resource, as GetCustomResourceListerCollectionDeleter gives: its
        # objects need no conversion (a broken webhook does not hold the CRD).
        served = [r for r in self.custom_resources() if self.prefix(r, None) == prefix]
        resource = next((r for r in served if r.version == crds.storage_version(crd)), served[0] if served else None)
        if resource is None:
            return 0
        for item in self.storage.list(prefix).items:
            item_meta = item["metadata"]
            if item_meta.get("deletionTimestamp"):
                continue
            try:
                self._store_delete(resource, item_meta.get("namespace"), item_meta["name"], None, None, False)
            except errors.StatusError:
                pass  # gone meanwhile, or refused: counted below as remaining
        return len(self.storage.list(prefix).items)

    def _write_crd_status(self, name: str, condition: dict, remove_finalizer: bool = False) -> None:
        """UpdateStatus of the CRD with `condition`, and without the cleanup finalizer if asked;
        a CRD left with no finalizers is deleted, as the Store's update deletes it."""
        def write(crd: dict) -> dict:
            crds._set_condition(crd.setdefault("status", {}), {**condition, "lastTransitionTime": self.now()})
            if remove_finalizer:
                kept = [f for f in crd["metadata"].get("finalizers") or [] if f != CLEANUP_FINALIZER]
                crd["metadata"]["finalizers"] = kept
                if not kept:
                    del crd["metadata"]["finalizers"]
            return crd

        key = self.key(CRD, None, name)
        try:
            written = self.storage.guaranteed_update(key, write)
        except KeyNotFound:
            return
        if remove_finalizer and not written["metadata"].get("finalizers"):
            try:
                self.storage.delete(key)
            except KeyNotFound:
                pass
            self._tear_down_custom_storage(_storage_prefix(written))
        self._refresh_custom_resources()
