"""The workload controllers as the controller-manager process runs them, against the reference
kube-apiserver: their requests are accepted and the objects converge."""
from __future__ import annotations

import io
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
from cluster import Cluster, reference_control_plane  # noqa: E402,F401  (fixture)

from reference_impl.client import APIStatusError  # noqa: E402
from reference_impl.client.rest import RestClient  # noqa: E402
from workload_fixtures import eventually  # noqa: E402
from reference_impl.controller_manager.run import ControllerManager  # noqa: E402

__all__ = ["reference_control_plane"]  # the fixture, imported for pytest to find
NS = "workloads"


@pytest.fixture(scope="module")
def rest(reference_control_plane: Cluster):  # noqa: F811
    client = RestClient(reference_control_plane.kubeconfig)
    client.request("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    for name in ("node-a", "node-b"):
        client.request("POST", "/api/v1/nodes",
                       {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}})
    manager = ControllerManager(client)
    thread = threading.Thread(target=manager.run, args=(False, io.StringIO()), daemon=True)
    thread.start()
    yield client
    manager.stop.set()
    thread.join(timeout=10)


def template(app: str, restart_policy: str = "Always") -> dict:
    return {"metadata": {"labels": {"app": app}},
            "spec": {"restartPolicy": restart_policy, "containers": [{"name": "c", "image": "nginx"}]}}


def pods(rest, app: str) -> list[dict]:
    return [p for p in rest.request("GET", f"/api/v1/namespaces/{NS}/pods")["items"]
            if (p["metadata"].get("labels") or {}).get("app") == app]


def status_of(rest, path: str) -> dict:
    return rest.request("GET", path).get("status") or {}


def set_status(rest, pod: dict, status: dict) -> None:
    rest.request("PUT", f"/api/v1/namespaces/{NS}/pods/{pod['metadata']['name']}/status",
                 dict(pod, status=status))


def test_replicationcontroller_creates_its_replicas(rest):
    """A ReplicationController of 2 replicas gets 2 pods that it controls."""
    rest.request("POST", f"/api/v1/namespaces/{NS}/replicationcontrollers", {
        "metadata": {"name": "rc"},
        "spec": {"replicas": 2, "selector": {"app": "rc"}, "template": template("rc")}})
    made = eventually(lambda: len(pods(rest, "rc")) == 2 and pods(rest, "rc"))
    assert {p["metadata"]["ownerReferences"][0]["kind"] for p in made} == {"ReplicationController"}


def test_daemonset_runs_one_pod_per_node(rest):
    """A DaemonSet gets one pod pinned to each of the 2 nodes, and says so in its status."""
    rest.request("POST", f"/apis/apps/v1/namespaces/{NS}/daemonsets", {
        "metadata": {"name": "ds"},
        "spec": {"selector": {"matchLabels": {"app": "ds"}}, "template": template("ds")}})
    eventually(lambda: len(pods(rest, "ds")) == 2)
    eventually(lambda: status_of(rest, f"/apis/apps/v1/namespaces/{NS}/daemonsets/ds")
               .get("currentNumberScheduled") == 2)


def test_statefulset_creates_its_second_pod_once_the_first_is_ready(rest):
    """OrderedReady: `web-1` (and its claim) appears only after `web-0` is Running and Ready."""
    rest.request("POST", f"/apis/apps/v1/namespaces/{NS}/statefulsets", {
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "serviceName": "web", "selector": {"matchLabels": {"app": "web"}},
                 "template": template("web"),
                 "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                           "spec": {"accessModes": ["ReadWriteOnce"],
                                                    "resources": {"requests": {"storage": "1Gi"}}}}]}})
    (first,) = eventually(lambda: pods(rest, "web"))
    time.sleep(1.5)  # a few controller passes: still only web-0
    assert [p["metadata"]["name"] for p in pods(rest, "web")] == ["web-0"]
    set_status(rest, first, {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]})
    eventually(lambda: sorted(p["metadata"]["name"] for p in pods(rest, "web")) == ["web-0", "web-1"])
    claims = rest.request("GET", f"/api/v1/namespaces/{NS}/persistentvolumeclaims")["items"]
    assert {"data-web-0", "data-web-1"} <= {c["metadata"]["name"] for c in claims}


def test_job_completes_when_its_pod_succeeds(rest):
    """A Job's pod that succeeds makes the Job Complete with a completionTime."""
    rest.request("POST", f"/apis/batch/v1/namespaces/{NS}/jobs", {
        "metadata": {"name": "once"},
        "spec": {"manualSelector": True, "selector": {"matchLabels": {"app": "once"}},
                 "template": template("once", "Never")}})
    (pod,) = eventually(lambda: pods(rest, "once"))
    set_status(rest, pod, {"phase": "Succeeded"})
    path = f"/apis/batch/v1/namespaces/{NS}/jobs/once"
    eventually(lambda: status_of(rest, path).get("completionTime"))
    assert [c["type"] for c in status_of(rest, path)["conditions"]] == ["Complete"]


def test_a_tracked_jobs_pod_keeps_its_finalizer_until_it_is_counted(rest):
    """The apiserver marks a new Job for tracking with finalizers; its pod carries the finalizer
    while it runs, and loses it once its success is counted in the Job's status."""
    rest.request("POST", f"/apis/batch/v1/namespaces/{NS}/jobs", {
        "metadata": {"name": "tracked"},
        "spec": {"manualSelector": True, "selector": {"matchLabels": {"app": "tracked"}},
                 "template": template("tracked", "Never")}})
    (pod,) = eventually(lambda: pods(rest, "tracked"))
    assert pod["metadata"]["finalizers"] == ["batch.kubernetes.io/job-tracking"]
    set_status(rest, pod, {"phase": "Succeeded"})
    path = f"/apis/batch/v1/namespaces/{NS}/jobs/tracked"
    eventually(lambda: status_of(rest, path).get("completionTime"))
    assert (status_of(rest, path)["succeeded"], status_of(rest, path)["uncountedTerminatedPods"]) == (1, {})
    assert not pods(rest, "tracked")[0]["metadata"].get("finalizers")


def test_the_pod_of_a_deleted_job_loses_its_tracking_finalizer(rest):
    """A Job deleted in the background leaves its running pod to the garbage collector; the pod,
    being deleted with its Job gone, has the tracking finalizer removed (the orphan pod queue) and goes."""
    rest.request("POST", f"/apis/batch/v1/namespaces/{NS}/jobs", {
        "metadata": {"name": "dropped"},
        "spec": {"manualSelector": True, "selector": {"matchLabels": {"app": "dropped"}},
                 "template": template("dropped", "Never")}})
    eventually(lambda: [p for p in pods(rest, "dropped") if p["metadata"].get("finalizers")])
    rest.request("DELETE", f"/apis/batch/v1/namespaces/{NS}/jobs/dropped", {"propagationPolicy": "Background"})
    eventually(lambda: not pods(rest, "dropped"))


def test_a_deleted_namespace_is_emptied_of_kinds_no_informer_watches(rest):
    """Config maps, secrets and roles are found through discovery and deleted before the
    controller finalizes the namespace, as upstream's deleter does."""
    gone = "leftovers"
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": gone}})
    rest.request("POST", f"/api/v1/namespaces/{gone}/configmaps", {"metadata": {"name": "settings"}})
    rest.request("POST", f"/api/v1/namespaces/{gone}/secrets", {"metadata": {"name": "token"}})
    rest.request("POST", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{gone}/roles",
                 {"metadata": {"name": "reader"}, "rules": []})
    rest.request("DELETE", f"/api/v1/namespaces/{gone}")

    def removed() -> bool:
        names = {ns["metadata"]["name"] for ns in rest.request("GET", "/api/v1/namespaces")["items"]}
        return gone not in names

    eventually(removed)
    for path in ("/api/v1/configmaps", "/api/v1/secrets", "/apis/rbac.authorization.k8s.io/v1/roles"):
        assert not [o for o in rest.request("GET", path)["items"]
                    if o["metadata"]["namespace"] == gone], path


def test_a_deleted_namespace_is_emptied_of_custom_objects_defined_after_the_first_deletion(rest):
    """The deleter discovers the namespaced resources at each sync, as discoverResourcesFn does:
    the objects of a CRD established after an earlier namespace deletion are deleted too, where the
    namespace went and left them in etcd."""
    first = "before-crd"
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": first}})
    rest.request("DELETE", f"/api/v1/namespaces/{first}")
    eventually(lambda: first not in {ns["metadata"]["name"]
                                     for ns in rest.request("GET", "/api/v1/namespaces")["items"]})
    rest.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
        "metadata": {"name": "gadgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                     "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}})
    gone = "with-gadgets"
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": gone}})
    rest.request("POST", f"/apis/example.com/v1/namespaces/{gone}/gadgets",
                 {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g1"}})
    rest.request("DELETE", f"/api/v1/namespaces/{gone}")
    eventually(lambda: gone not in {ns["metadata"]["name"]
                                    for ns in rest.request("GET", "/api/v1/namespaces")["items"]})
    assert rest.request("GET", "/apis/example.com/v1/gadgets")["items"] == []


def test_disruption_controller_computes_the_budget_an_eviction_spends(rest):
    """A PodDisruptionBudget over a ReplicationController's ready pods gets its status from the
    disruption controller; an eviction spends the one disruption it allows and the next one is
    refused with a 429 while the status says no disruption is left."""
    rest.request("POST", f"/api/v1/namespaces/{NS}/replicationcontrollers", {
        "metadata": {"name": "guarded"},
        "spec": {"replicas": 2, "selector": {"app": "guarded"}, "template": template("guarded")}})
    running = eventually(lambda: len(pods(rest, "guarded")) == 2 and pods(rest, "guarded"))
    for pod in running:
        set_status(rest, pod, {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]})
    budget_path = f"/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets/guarded"
    rest.request("POST", f"/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets", {
        "metadata": {"name": "guarded"}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "guarded"}}}})
    status = eventually(lambda: (s := status_of(rest, budget_path)).get("currentHealthy") == 2 and s)
    assert (status["expectedPods"], status["desiredHealthy"], status["disruptionsAllowed"]) == (2, 1, 1)

    def evict(pod: dict) -> dict:
        name = pod["metadata"]["name"]
        return rest.request("POST", f"/api/v1/namespaces/{NS}/pods/{name}/eviction",
                            {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}})

    assert evict(running[0])["status"] == "Success"
    with pytest.raises(APIStatusError) as refused:
        evict(running[1])
    assert refused.value.code == 429


def test_the_aggregated_roles_get_their_rules(rest):
    """The clusterrole-aggregation controller fills view, edit and admin, and a new ClusterRole
    labelled aggregate-to-admin=true adds its rules to admin."""
    roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
    delete_secrets = {"verbs": ["create", "delete", "deletecollection", "patch", "update"], "apiGroups": [""],
                      "resources": ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                                    "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
                                    "services/proxy"]}
    eventually(lambda: delete_secrets in (rest.request("GET", f"{roles}/admin").get("rules") or []))
    assert not any("secrets" in rule["resources"] for rule in rest.request("GET", f"{roles}/view")["rules"])
    crontabs = {"verbs": ["get"], "apiGroups": ["stable.example.com"], "resources": ["crontabs"]}
    rest.request("POST", roles, {"metadata": {"name": "crontabs-admin",
                                              "labels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}},
                                 "rules": [crontabs]})
    eventually(lambda: crontabs in rest.request("GET", f"{roles}/admin")["rules"])


def test_a_finished_job_is_deleted_once_its_ttl_has_passed(rest):
    """The TTL-after-finished controller deletes a Job ttlSecondsAfterFinished after it completed
    (only a finished Job is deleted: its completion is not polled for, the delete may come first)."""
    rest.request("POST", f"/apis/batch/v1/namespaces/{NS}/jobs", {
        "metadata": {"name": "brief"},
        "spec": {"ttlSecondsAfterFinished": 1, "manualSelector": True,
                 "selector": {"matchLabels": {"app": "brief"}}, "template": template("brief", "Never")}})
    (pod,) = eventually(lambda: pods(rest, "brief"))
    set_status(rest, pod, {"phase": "Succeeded"})
    path = f"/apis/batch/v1/namespaces/{NS}/jobs/brief"

    def gone() -> bool:
        try:
            rest.request("GET", path)
        except APIStatusError as error:
            return error.code == 404
        return False
    eventually(gone)


def test_a_candidate_starts_no_controllers_until_it_holds_the_lease(rest):
    """OnStartedLeading starts the controllers: while another holds the kube-controller-manager
    Lease none run (and /healthz lists none); once the Lease is free the candidate takes it and
    starts them."""
    leases = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases"
    rest.request("POST", leases, {"metadata": {"name": "kube-controller-manager"},
                                  "spec": {"holderIdentity": "other", "leaseDurationSeconds": 3600}})
    candidate = ControllerManager(rest)
    thread = threading.Thread(target=candidate.run, args=(True, io.StringIO()), daemon=True)
    thread.start()
    try:
        eventually(lambda: candidate.elector is not None and candidate.elector.observed_record is not None)
        assert candidate.started == ()
        rest.request("DELETE", f"{leases}/kube-controller-manager")
        assert "replicaset" in eventually(lambda: candidate.started)
    finally:
        candidate.stop.set()
        thread.join(timeout=10)
