"""The garbage collector's sync, one rule per test."""
from __future__ import annotations

from reference_impl.machinery.actions import Delete, Patch
from reference_impl.controller_manager import garbagecollector as gc


def obj(name, uid, owners=(), deleting=False, finalizers=(), block=True):
    meta = {"name": name, "namespace": "default", "uid": uid,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": o, "uid": o,
                                 "blockOwnerDeletion": block} for o in owners]}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    if finalizers:
        meta["finalizers"] = list(finalizers)
    return {"metadata": meta}


def test_dependent_of_a_missing_owner_is_deleted():
    """A pod whose only owner no longer exists is deleted in the background."""
    assert gc.sync({"pods": [obj("p", "p1", owners=["rs-gone"])]}) == \
        [Delete("pods", "default", "p", "Background")]


def test_dependent_of_a_live_owner_stays():
    """A pod whose owner exists is left alone."""
    assert gc.sync({"replicasets": [obj("rs", "rs1")], "pods": [obj("p", "p1", owners=["rs1"])]}) == []


def test_partial_dangling_references_are_removed():
    """A pod with one live and one missing owner only loses the dangling reference."""
    (patch,) = gc.sync({"replicasets": [obj("rs", "rs1")], "pods": [obj("p", "p1", owners=["rs1", "gone"])]})
    assert isinstance(patch, Patch) and [r["uid"] for r in patch.patch["metadata"]["ownerReferences"]] == ["rs1"]


def test_objects_without_owners_are_never_collected():
    """An object with no ownerReferences is not garbage."""
    assert gc.sync({"pods": [obj("p", "p1")]}) == []


def test_foreground_owner_deletes_blocking_dependents_first():
    """An owner deleted in the foreground has its blocking dependents deleted, and keeps its finalizer."""
    actions = gc.sync({"replicasets": [obj("rs", "rs1", deleting=True, finalizers=["foregroundDeletion"])],
                       "pods": [obj("p", "p1", owners=["rs1"])]})
    assert actions == [Delete("pods", "default", "p", "Foreground")]


def test_foreground_owner_is_released_when_dependents_are_gone():
    """With no blocking dependents left, the foregroundDeletion finalizer is removed."""
    (patch,) = gc.sync({"replicasets": [obj("rs", "rs1", deleting=True, finalizers=["foregroundDeletion"])]})
    assert patch.name == "rs" and patch.patch == {"metadata": {"finalizers": []}}


def test_orphan_owner_strips_references_then_its_finalizer():
    """An owner deleted with Orphan makes dependents drop their reference, then loses `orphan`."""
    actions = gc.sync({"replicasets": [obj("rs", "rs1", deleting=True, finalizers=["orphan"])],
                       "pods": [obj("p", "p1", owners=["rs1"])]})
    assert [(a.resource, a.name, a.patch) for a in actions] == [
        ("pods", "p", {"metadata": {"ownerReferences": []}}),
        ("replicasets", "rs", {"metadata": {"finalizers": []}})]


def test_an_owner_missing_from_the_caches_but_not_gone_keeps_its_dependent():
    """isDangling: an owner the graph lacks is looked up before its dependent goes; one the
    apiserver still has (a monitor yet to see it) keeps the dependent and its reference."""
    asked = []

    def is_dangling(ref, namespace):
        asked.append((ref["uid"], namespace))
        return ref["uid"] == "gone"
    assert gc.sync({"pods": [obj("p", "p1", owners=["unseen"])]}, is_dangling) == []
    (patch,) = gc.sync({"pods": [obj("q", "q1", owners=["unseen", "gone"])]}, is_dangling)
    assert [r["uid"] for r in patch.patch["metadata"]["ownerReferences"]] == ["unseen"]
    assert asked == [("unseen", "default"), ("unseen", "default"), ("gone", "default")]
