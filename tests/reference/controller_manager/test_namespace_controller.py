"""The ServiceAccounts controller's sync over namespaces, one rule per test (the Namespace
controller's rules are in test_namespace_deletion.py)."""
from __future__ import annotations

from reference_impl.machinery.actions import Create
from reference_impl.controller_manager import serviceaccount


def ns(name="doomed", deleting=True, phase="Terminating"):
    meta = {"name": name, "uid": "ns"}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta,
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": phase}}


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
