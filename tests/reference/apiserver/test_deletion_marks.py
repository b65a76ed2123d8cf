"""What a delete that cannot remove an object at once (it has finalizers) writes into it, as
Kubernetes 1.24's Store marks it: seen against the real kube-apiserver 1.24 for a custom object and
a Deployment."""
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
