"""The Namespace and ServiceAccounts controllers' syncs, one rule per test."""
from __future__ import annotations

from reference_impl.controller_manager import namespace, serviceaccount
from reference_impl.controller_manager.actions import Create, Delete, Update


def ns(name="doomed", deleting=True, phase="Terminating"):
    meta = {"name": name, "uid": "ns"}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta,
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": phase}}


def obj(name, deleting=False):
    meta = {"name": name, "namespace": "doomed"}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"metadata": meta}


def test_active_namespace_is_left_alone():
    """A namespace not being deleted gets no actions."""
    assert namespace.sync_namespace(ns(deleting=False, phase="Active"), {"pods": [obj("p")]}) == []


def test_terminating_namespace_contents_are_deleted():
    """Every object in a terminating namespace is deleted."""
    actions = namespace.sync_namespace(ns(), {"pods": [obj("p")], "configmaps": [obj("c")]})
    assert set(actions) == {Delete("pods", "doomed", "p"), Delete("configmaps", "doomed", "c")}


def test_namespace_is_not_finalized_while_contents_remain():
    """No finalize while objects (even ones already terminating) remain."""
    actions = namespace.sync_namespace(ns(), {"pods": [obj("p", deleting=True)]})
    assert actions == []


def test_empty_terminating_namespace_is_finalized():
    """When nothing is left, the `kubernetes` finalizer is removed through the finalize subresource."""
    (finalize,) = namespace.sync_namespace(ns(), {"pods": [], "configmaps": []})
    assert finalize.subresource == "finalize" and finalize.obj["spec"]["finalizers"] == []


def test_deleting_namespace_is_marked_terminating():
    """A deleted namespace whose phase is still Active is moved to Terminating."""
    actions = namespace.sync_namespace(ns(phase="Active"), {})
    assert any(isinstance(a, Update) and a.subresource == "status"
               and a.obj["status"]["phase"] == "Terminating" for a in actions)


def test_new_namespace_gets_a_default_service_account():
    """An active namespace without a `default` ServiceAccount gets one."""
    (create,) = serviceaccount.sync_namespace(ns("fresh", deleting=False, phase="Active"), [])
    assert isinstance(create, Create) and create.namespace == "fresh"
    assert create.obj["metadata"] == {"name": "default", "namespace": "fresh"}


def test_existing_default_service_account_is_kept():
    """A namespace that has `default` already gets nothing."""
    sa = {"metadata": {"name": "default", "namespace": "fresh"}}
    assert serviceaccount.sync_namespace(ns("fresh", deleting=False, phase="Active"), [sa]) == []


def test_terminating_namespace_gets_no_service_account():
    """A terminating namespace is not given a ServiceAccount."""
    assert serviceaccount.sync_namespace(ns(), []) == []
