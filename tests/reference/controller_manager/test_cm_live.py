"""Controller syncs driven against the reference kube-apiserver: the actions they return are
requests the server accepts, and the cluster converges."""
from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
from cluster import Cluster, reference_control_plane  # noqa: E402,F401  (fixture)

from reference_impl.machinery.clock import ManualClock  # noqa: E402
from reference_impl.client.rest import RestClient  # noqa: E402
from reference_impl.controller_manager import clusterroleaggregation, csrapproving, garbagecollector, serviceaccount  # noqa: E402,E501
from reference_impl.controller_manager.podcontrol import SlowStartCreates  # noqa: E402
from reference_impl.controller_manager.queued import QuietRetry  # noqa: E402
from reference_impl.controller_manager.run import ControllerManager  # noqa: E402
from reference_impl.client.apply import apply  # noqa: E402
from reference_impl.controller_manager.replicaset import ReplicaSetController  # noqa: E402
from reference_impl.controller_manager.resourcequota import sync_resource_quota  # noqa: E402

NS = "cmlive"
__all__ = ["reference_control_plane"]  # the fixture, imported for pytest to find


@pytest.fixture(scope="module")
def rest(reference_control_plane: Cluster) -> RestClient:  # noqa: F811
    client = RestClient(reference_control_plane.kubeconfig)
    client.request("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    return client


def test_serviceaccount_sync_creates_default(rest):
    """The ServiceAccounts sync's create is accepted and a second sync has nothing to do."""
    namespace = rest.request("GET", f"/api/v1/namespaces/{NS}")
    accounts = lambda: rest.request("GET", f"/api/v1/namespaces/{NS}/serviceaccounts")["items"]  # noqa: E731
    for action in serviceaccount.sync_namespace(namespace, accounts()):
        apply(rest, action)
    assert "default" in {sa["metadata"]["name"] for sa in accounts()}
    assert serviceaccount.sync_namespace(namespace, accounts()) == []


def test_replicaset_converges_and_gc_collects_its_pods(rest):
    """Syncing a ReplicaSet creates its pods; deleting it leaves pods the GC then deletes."""
    rs = rest.request("POST", f"/apis/apps/v1/namespaces/{NS}/replicasets", {
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    pods = lambda: rest.request("GET", f"/api/v1/namespaces/{NS}/pods")["items"]  # noqa: E731
    ctl = ReplicaSetController(ManualClock())
    for action in ctl.sync(rs, pods()):
        for step in action.creates if isinstance(action, SlowStartCreates) else (action,):
            apply(rest, step)
    for p in pods():
        ctl.add_pod(p)
    assert len(pods()) == 3
    rs = rest.request("GET", f"/apis/apps/v1/namespaces/{NS}/replicasets/web")
    assert [a for a in ctl.sync(rs, pods()) if a.resource == "pods"] == []

    rest.request("DELETE", f"/apis/apps/v1/namespaces/{NS}/replicasets/web",
                 {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        graph = {"replicasets": rest.request("GET", f"/apis/apps/v1/namespaces/{NS}/replicasets")["items"],
                 "pods": pods()}
        if not graph["replicasets"]:
            break
        time.sleep(0.1)
    assert len(graph["pods"]) == 3  # the apiserver does not cascade; that is the GC's job
    for action in garbagecollector.sync(graph, {("apps/v1", "ReplicaSet"): ("replicasets", True)}):
        apply(rest, action)
    assert [p for p in pods() if not p["metadata"].get("deletionTimestamp")] == []


def test_resource_quota_status_is_computed_and_enforced_then_released(rest):
    """The controller's status update is accepted; admission then charges against it, refuses
    past it, and a delete's usage comes back on the next sync."""
    ns = "quotalive"
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
    path = f"/api/v1/namespaces/{ns}"
    rest.request("POST", f"{path}/resourcequotas", {"apiVersion": "v1", "kind": "ResourceQuota",
                                                     "metadata": {"name": "q"}, "spec": {"hard": {"pods": "1"}}})
    pods = lambda _group, _plural: rest.request("GET", f"{path}/pods")["items"]  # noqa: E731

    def sync():
        for action in sync_resource_quota(rest.request("GET", f"{path}/resourcequotas/q"), pods, time.time()):
            apply(rest, action)
    sync()
    assert rest.request("GET", f"{path}/resourcequotas/q")["status"] == {"hard": {"pods": "1"}, "used": {"pods": "0"}}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    rest.request("POST", f"{path}/pods", pod)
    with pytest.raises(Exception, match="exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1"):
        rest.request("POST", f"{path}/pods", {**pod, "metadata": {"name": "b"}})
    rest.request("DELETE", f"{path}/pods/a", {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0})
    sync()
    assert rest.request("GET", f"{path}/resourcequotas/q")["status"]["used"] == {"pods": "0"}
    rest.request("POST", f"{path}/pods", {**pod, "metadata": {"name": "b"}})


def test_clusterrole_aggregation_apply_is_accepted(rest):
    """The aggregation sync's server-side apply fills a fresh apiserver's empty admin role, and a
    second sync has nothing to do."""
    def cluster_roles():
        return rest.request("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles")["items"]

    for name in ("view", "edit", "admin"):
        for action in clusterroleaggregation.sync_cluster_role(name, cluster_roles()):
            apply(rest, action)
    admin = rest.request("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin")
    assert {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
            "resources": ["localsubjectaccessreviews"]} in admin["rules"]
    assert clusterroleaggregation.FIELD_MANAGER in {entry["manager"] for entry in admin["metadata"]["managedFields"]}
    assert clusterroleaggregation.sync_cluster_role("view", cluster_roles()) == []


def test_clusterrole_aggregation_keeps_rules_it_did_not_write_and_drops_its_own(rest):
    """An aggregated role created with rules of its own and selecting nothing keeps them after the
    sync (its apply names no rules); rules the controller applied are given up once nothing is
    selected any more. As the real 1.24 controller leaves them (benchmarks/aggregation_differential.py)."""
    roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
    own = [{"verbs": ["list"], "apiGroups": [""], "resources": ["secrets"]}]
    gathered = [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]

    def sync(name):
        for action in clusterroleaggregation.sync_cluster_role(name, rest.request("GET", roles)["items"]):
            apply(rest, action)
        return rest.request("GET", f"{roles}/{name}").get("rules") or []

    rest.request("POST", roles, {"metadata": {"name": "cmlive-stale"}, "rules": own,
                                 "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"cmlive": "none"}}]}})
    assert sync("cmlive-stale") == own
    rest.request("POST", roles, {"metadata": {"name": "cmlive-src", "labels": {"cmlive": "src"}}, "rules": gathered})
    rest.request("POST", roles, {"metadata": {"name": "cmlive-agg"},
                                 "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"cmlive": "src"}}]}})
    assert sync("cmlive-agg") == gathered
    rest.request("DELETE", f"{roles}/cmlive-src")
    assert sync("cmlive-agg") == []


def test_csrapproving_asks_the_apiserver_and_its_approval_is_accepted(rest):
    """The controller manager's SubjectAccessReview (its requester holding nodeclient through a
    group binding, as kubeadm grants bootstrap tokens) allows a kubelet client request made by
    another user, and the approval update is accepted; a requester without the grant is refused."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
    from csrs import request as csr_request
    rest.request("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
        "metadata": {"name": "cmlive-nodeclient"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": "system:certificates.k8s.io:certificatesigningrequests:nodeclient"},
        "subjects": [{"kind": "Group", "name": "cmlive-bootstrappers", "apiGroup": "rbac.authorization.k8s.io"}]})
    csr = {"metadata": {"name": "cmlive-kubelet"}, "spec": {
        "request": csr_request("system:node:cmlive", ("system:nodes",)), "usages": ["digital signature", "key encipherment",
                                                                                  "client auth"],
        "signerName": "kubernetes.io/kube-apiserver-client-kubelet"}}
    created = rest.request("POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", csr)
    allowed = lambda spec: ControllerManager._subject_access_allowed(SimpleNamespace(client=rest), spec)  # noqa: E731
    def requested_by(user, *groups):
        return {**created, "spec": {**created["spec"], "username": user, "groups": [*groups, "system:authenticated"]}}

    with pytest.raises(QuietRetry):
        csrapproving.sync(requested_by("cmlive-nobody"), allowed)
    as_bootstrapper = requested_by("cmlive-bootstrap", "cmlive-bootstrappers")
    [action] = csrapproving.sync(as_bootstrapper, allowed)
    apply(rest, replace(action, obj={**action.obj, "spec": created["spec"]}))
    approved = rest.request("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests/cmlive-kubelet")
    assert [(c["type"], c["reason"]) for c in approved["status"]["conditions"]] == [("Approved", "AutoApproved")]
