"""The Namespace controller: once a namespace is being deleted, delete everything in it, and when
nothing is left remove the `kubernetes` finalizer (PUT .../finalize) so the apiserver can drop it.
"""
from __future__ import annotations

import copy

from reference_impl.controller_manager.actions import Delete, Update
from reference_impl.mirrors import mirrors

FINALIZER = "kubernetes"


@mirrors("(*k8s.io/kubernetes/pkg/controller/namespace/deletion.namespacedResourcesDeleter).Delete")
def sync_namespace(namespace: dict, contents: dict[str, list[dict]]) -> list:
    """`contents` maps each namespaced resource (plural) to its objects in this namespace."""
    if not namespace["metadata"].get("deletionTimestamp"):
        return []
    name = namespace["metadata"]["name"]
    actions: list = []
    if namespace.get("status", {}).get("phase") != "Terminating":
        updated = copy.deepcopy(namespace)
        updated.setdefault("status", {})["phase"] = "Terminating"
        actions.append(Update("namespaces", None, updated, "status"))
    if any(contents.values()):
        # Objects still terminating get no second delete; the sync is requeued until the
        # caches show the namespace empty, and only then finalized.
        return actions + _delete_all_content(name, contents)
    return actions + _finalize(namespace)


@mirrors("(*k8s.io/kubernetes/pkg/controller/namespace/deletion.namespacedResourcesDeleter).deleteAllContent")
def _delete_all_content(name: str, contents: dict[str, list[dict]]) -> list:
    return [Delete(resource, name, obj["metadata"]["name"])
            for resource, objs in sorted(contents.items())
            for obj in objs if not obj["metadata"].get("deletionTimestamp")]


@mirrors("(*k8s.io/kubernetes/pkg/controller/namespace/deletion.namespacedResourcesDeleter).finalizeNamespace")
def _finalize(namespace: dict) -> list:
    finalizers = namespace.get("spec", {}).get("finalizers") or []
    if FINALIZER not in finalizers:
        return []
    updated = copy.deepcopy(namespace)
    updated.setdefault("spec", {})["finalizers"] = [f for f in finalizers if f != FINALIZER]
    return [Update("namespaces", None, updated, "finalize")]
