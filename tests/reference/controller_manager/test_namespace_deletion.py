"""The Namespace controller's sync (deletion.namespacedResourcesDeleter), one rule per test: it
empties a terminating namespace, reports what is left in its conditions, then finalizes it."""
from __future__ import annotations

import copy

from reference_impl.machinery.actions import Delete, Update
from reference_impl.controller_manager import namespace

NOW = "2026-01-01T00:00:10Z"


def ns(deleting=True, phase="Terminating", finalizers=("kubernetes",)):
    meta = {"name": "doomed", "uid": "ns", "resourceVersion": "7"}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta,
            "spec": {"finalizers": list(finalizers)}, "status": {"phase": phase}}


def obj(name, deleting=False, finalizers=()):
    meta = {"name": name, "namespace": "doomed"}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    if finalizers:
        meta["finalizers"] = list(finalizers)
    return {"metadata": meta}


def status_update(actions) -> dict:
    (update,) = [a for a in actions if isinstance(a, Update) and a.subresource == "status"]
    return update.obj["status"]


def condition(status: dict, type_: str) -> dict:
    return next(c for c in status["conditions"] if c["type"] == type_)


def settled(namespace: dict, contents: dict) -> dict:
    """The namespace as it stands once the sync's status update has been applied."""
    settled = copy.deepcopy(namespace)
    settled["status"] = status_update(namespace_sync(namespace, contents))
    return settled


def namespace_sync(namespace_obj, contents):
    return namespace.sync_namespace(namespace_obj, contents, NOW)


def test_active_namespace_is_left_alone():
    """A namespace without a deletionTimestamp gets no actions."""
    assert namespace_sync(ns(deleting=False, phase="Active"), {"pods": [obj("p")]}) == []


def test_finalized_namespace_is_left_alone():
    """A terminating namespace with no spec.finalizers left is the apiserver's to remove."""
    assert namespace_sync(ns(finalizers=()), {"pods": [obj("p")]}) == []


def test_terminating_namespace_contents_are_deleted():
    """Every object in a terminating namespace is deleted, with no grace period of its own (the
    server's default: a pod waits for its kubelet) and Background propagation, as the deleter's
    DeleteOptions ask (a Job, which orphans by default, gets no orphan finalizer)."""
    actions = namespace_sync(ns(), {"pods": [obj("p")], "configmaps": [obj("c")]})
    deletes = {a for a in actions if isinstance(a, Delete)}
    assert deletes == {Delete("pods", "doomed", "p", "Background"), Delete("configmaps", "doomed", "c", "Background")}


def test_terminating_objects_get_no_second_delete():
    """An object that already has a deletionTimestamp is not deleted again."""
    actions = namespace_sync(ns(), {"pods": [obj("p", deleting=True)]})
    assert not [a for a in actions if isinstance(a, Delete)]


def test_remaining_content_is_reported_in_conditions():
    """NamespaceContentRemaining is True, counting what is left per resource.group."""
    status = status_update(namespace_sync(ns(), {"pods": [obj("a"), obj("b")], "deployments": [obj("d")]}))
    remaining = condition(status, "NamespaceContentRemaining")
    assert (remaining["status"], remaining["reason"]) == ("True", "SomeResourcesRemain")
    assert remaining["message"] == ("Some resources are remaining: deployments.apps has 1 resource instances, "
                                    "pods. has 2 resource instances")
    assert remaining["lastTransitionTime"] == NOW


def test_remaining_custom_objects_are_counted_under_their_discovered_group():
    status = status_update(namespace.sync_namespace(ns(), {"gadgets": [obj("g")]}, NOW, {"gadgets": "example.com"}))
    assert condition(status, "NamespaceContentRemaining")["message"] == (
        "Some resources are remaining: gadgets.example.com has 1 resource instances")


def test_remaining_finalizers_are_reported_in_conditions():
    """NamespaceFinalizersRemaining is True, counting the objects each finalizer holds."""
    held = [obj("a", deleting=True, finalizers=["example.com/hold"])]
    status = status_update(namespace_sync(ns(), {"configmaps": held}))
    finalizers = condition(status, "NamespaceFinalizersRemaining")
    assert (finalizers["status"], finalizers["reason"]) == ("True", "SomeFinalizersRemain")
    assert finalizers["message"] == ("Some content in the namespace has finalizers remaining: "
                                     "example.com/hold in 1 resource instances")


def test_conditions_read_false_once_the_namespace_is_empty():
    """An empty terminating namespace gets all five conditions False with upstream's reasons,
    and phase Terminating."""
    status = status_update(namespace_sync(ns(phase="Active"), {"pods": []}))
    assert status["phase"] == "Terminating"
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered"),
        ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions"),
        ("NamespaceDeletionContentFailure", "False", "ContentDeleted"),
        ("NamespaceContentRemaining", "False", "ContentRemoved"),
        ("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers")]


def test_unchanged_conditions_are_not_written_again():
    """A sync whose conditions match the stored status sends no status update."""
    contents = {"pods": [obj("p", deleting=True)]}
    assert namespace_sync(settled(ns(), contents), contents) == []


def test_condition_keeps_its_transition_time_while_its_status_holds():
    """lastTransitionTime changes only when a condition's status does."""
    waiting = settled(ns(), {"pods": [obj("a", deleting=True), obj("b", deleting=True)]})
    status = status_update(namespace.sync_namespace(waiting, {"pods": [obj("a", deleting=True)]},
                                                    "2026-01-01T00:05:00Z"))
    assert condition(status, "NamespaceContentRemaining")["lastTransitionTime"] == NOW


def test_namespace_is_not_finalized_while_contents_remain():
    """No finalize while objects (even ones already terminating) remain."""
    actions = namespace_sync(ns(), {"pods": [obj("p", deleting=True)]})
    assert not [a for a in actions if isinstance(a, Update) and a.subresource == "finalize"]


def test_status_is_written_before_the_finalize():
    """When the conditions change, the sync only updates the status; the finalize comes on the
    next sync, from the namespace that update returned."""
    actions = namespace_sync(ns(), {"pods": []})
    assert [a.subresource for a in actions] == ["status"]


def test_empty_settled_namespace_is_finalized():
    """When nothing is left and the status is current, the `kubernetes` finalizer is removed
    through the finalize subresource, other finalizers kept."""
    namespace_obj = settled(ns(finalizers=("kubernetes", "example.com/other")), {})
    (finalize,) = namespace_sync(namespace_obj, {"pods": []})
    assert finalize.subresource == "finalize"
    assert finalize.obj["spec"]["finalizers"] == ["example.com/other"]
    assert finalize.obj["metadata"]["resourceVersion"] == "7"
