"""What a delete that cannot remove an object at once (it has finalizers, or a grace period) writes
into it, as Kubernetes 1.24's Store marks it, and what later updates and deletes of it may do: seen
against the real kube-apiserver 1.24 for a custom object, a Deployment, a ConfigMap and a pod."""
from __future__ import annotations

from tests.reference.apiserver import test_customresources, test_handlers
from tests.reference.apiserver.test_customresources import WIDGET, widgets
from tests.reference.apiserver.test_handlers import DEPLOYMENT, call, ns_path

# The fixtures this module shares with test_customresources: its chain, on test_handlers' registry.
chain, registry, etcd = test_customresources.chain, test_handlers.registry, test_handlers.etcd


def test_marking_a_custom_object_deleted_bumps_its_generation_and_keeps_a_zero_grace_period(chain):
    """markAsDeleting: a custom object (no graceful strategy) held by a finalizer gets its
    deletionTimestamp, deletionGracePeriodSeconds 0 (a pointer's zero, which its map keeps) and,
    the first time only, a new generation."""
    assert call(chain, "POST", widgets(chain), {**WIDGET, "metadata": {"name": "w1", "finalizers": ["x.io/f"]}})[0] == 201
    code, deleted = call(chain, "DELETE", widgets(chain, "w1"))
    assert code == 200, deleted
    assert (deleted["metadata"]["generation"], deleted["metadata"]["deletionGracePeriodSeconds"]) == (2, 0)
    code, again = call(chain, "DELETE", widgets(chain, "w1"))
    assert (code, again["metadata"]["generation"]) == (200, 2)
    read = call(chain, "GET", widgets(chain, "w1"))[1]
    assert (read["metadata"]["generation"], read["metadata"]["deletionGracePeriodSeconds"]) == (2, 0)
    call(chain, "PATCH", widgets(chain, "w1"), {"metadata": {"finalizers": None}},
         content_type="application/merge-patch+json")


def test_marking_a_deployment_deleted_bumps_its_generation(chain):
    """The same for a built-in kind that counts generations: a Deployment's goes from 1 to 2."""
    deployment = {**DEPLOYMENT, "metadata": {**DEPLOYMENT["metadata"], "finalizers": ["x.io/f"]}}
    path = ns_path(chain, "deployments", group="apps/v1")
    assert call(chain, "POST", path, deployment)[0] == 201
    name = deployment["metadata"]["name"]
    code, deleted = call(chain, "DELETE", f"{path}/{name}")
    assert (code, deleted["metadata"]["generation"], deleted["metadata"]["deletionGracePeriodSeconds"]) == (200, 2, 0)
    call(chain, "PATCH", f"{path}/{name}", {"metadata": {"finalizers": None}},
         content_type="application/merge-patch+json")


MERGE = "application/merge-patch+json"


def test_an_object_being_deleted_gains_no_finalizers(chain):
    """ValidateNoNewFinalizers: once an object is marked deleted an update may drop finalizers but
    add none; the new ones are named sorted (the real 1.24's words)."""
    path = ns_path(chain, "configmaps")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "held", "finalizers": ["x.io/f"]}}
    assert call(chain, "POST", path, body)[0] == 201
    assert call(chain, "DELETE", f"{path}/held")[0] == 200
    code, status = call(chain, "PATCH", f"{path}/held", {"metadata": {"finalizers": ["x.io/f", "x.io/h", "x.io/g"]}},
                        content_type=MERGE)
    assert (code, status["message"]) == (422, 'ConfigMap "held" is invalid: metadata.finalizers: Forbidden: no new '
                                               'finalizers can be added if the object is being deleted, found new '
                                               'finalizers []string{"x.io/g", "x.io/h"}')
    assert call(chain, "PATCH", f"{path}/held", {"metadata": {"labels": {"a": "b"}}}, content_type=MERGE)[0] == 200
    assert call(chain, "PATCH", f"{path}/held", {"metadata": {"finalizers": None}}, content_type=MERGE)[0] == 200
    assert call(chain, "GET", f"{path}/held")[0] == 404


def test_a_negative_grace_period_shortens_a_pending_pod_deletion_to_one_second(chain):
    """BeforeDelete reads a negative grace period as one second: a bound pod already being deleted
    with 30 seconds left gets one second, and stays until its kubelet (or a zero period) removes it."""
    path = ns_path(chain, "pods")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "graceful"},
           "spec": {"containers": [{"name": "c", "image": "nginx:1.21"}], "nodeName": "ghost",
                    "terminationGracePeriodSeconds": 30}}
    assert call(chain, "POST", path, pod)[0] == 201
    assert call(chain, "DELETE", f"{path}/graceful")[0] == 200
    code, marked = call(chain, "DELETE", f"{path}/graceful", query={"gracePeriodSeconds": "-1"})
    assert (code, marked["metadata"]["deletionGracePeriodSeconds"]) == (200, 1)
    assert call(chain, "GET", f"{path}/graceful")[1]["metadata"]["deletionGracePeriodSeconds"] == 1
    assert call(chain, "DELETE", f"{path}/graceful", query={"gracePeriodSeconds": "0"})[0] == 200
    assert call(chain, "GET", f"{path}/graceful")[0] == 404


def test_a_status_update_of_an_object_being_deleted_gains_no_finalizers_either(chain):
    """Every status strategy's ValidateUpdate runs ValidateObjectMetaUpdate too: a status patch
    that brings a new finalizer to a Deployment being deleted is refused as an update's is."""
    deployment = {**DEPLOYMENT, "metadata": {"name": "held-status", "finalizers": ["x.io/f"]}}
    path = f"{ns_path(chain, 'deployments', group='apps/v1')}/held-status"
    assert call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), deployment)[0] == 201
    assert call(chain, "DELETE", path)[0] == 200
    code, status = call(chain, "PATCH", f"{path}/status", {"metadata": {"finalizers": ["x.io/f", "b.io/y"]}},
                        content_type=MERGE)
    assert (code, status["message"]) == (422, 'Deployment.apps "held-status" is invalid: metadata.finalizers: '
                                               'Forbidden: no new finalizers can be added if the object is being '
                                               'deleted, found new finalizers []string{"b.io/y"}')
    assert call(chain, "PATCH", path, {"metadata": {"finalizers": None}}, content_type=MERGE)[0] == 200
