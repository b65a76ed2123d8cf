"""Objects an older or foreign writer stored wrong (`status: null`, no spec, null parts) are read
without a 500: get, list, list with a field selector, the Table kubectl asks for, and watch. Each
test writes the object straight into etcd under the key the registry reads, then reads it through
the handler chain."""
from __future__ import annotations

import json

import pytest

from reference_impl.machinery.clock import ManualClock
from reference_impl.apiserver.storage.etcdclient import EtcdClient
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.adapter.server import HandlerChain
from tests.reference.apiserver.test_handlers import TABLE, call
from tests.reference.etcd.processes import reference_server

NOW = 1_700_000_000.0
CREATED = "2023-11-14T22:13:20Z"

# (collection path, etcd key prefix, apiVersion, kind, the stored body after metadata)
BROKEN = [
    ("/apis/apps/v1/namespaces/stored/deployments", "deployments/stored", "apps/v1", "Deployment",
     {"spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}}, "template": None}, "status": None}),
    ("/apis/apps/v1/namespaces/stored/replicasets", "replicasets/stored", "apps/v1", "ReplicaSet", {"spec": None}),
    ("/api/v1/namespaces/stored/pods", "pods/stored", "v1", "Pod", {"status": None}),
    ("/api/v1/nodes", "minions", "v1", "Node", {"spec": None, "status": None}),
    ("/api/v1/namespaces/stored/services", "services/specs/stored", "v1", "Service",
     {"spec": {"ports": [{"name": "no-number"}]}, "status": None}),
    ("/api/v1/namespaces/stored/events", "events/stored", "v1", "Event", {"involvedObject": None, "source": None}),
    ("/apis/apps/v1/namespaces/stored/daemonsets", "daemonsets/stored", "apps/v1", "DaemonSet",
     {"spec": {"template": {"spec": None}}, "status": None}),
    ("/apis/apps/v1/namespaces/stored/statefulsets", "statefulsets/stored", "apps/v1", "StatefulSet", {}),
    ("/apis/batch/v1/namespaces/stored/jobs", "jobs/stored", "batch/v1", "Job", {"spec": None, "status": None}),
    ("/apis/batch/v1/namespaces/stored/cronjobs", "cronjobs/stored", "batch/v1", "CronJob",
     {"spec": {"jobTemplate": None}, "status": None}),
    ("/api/v1/namespaces/stored/persistentvolumeclaims", "persistentvolumeclaims/stored", "v1",
     "PersistentVolumeClaim", {"spec": None, "status": None}),
    ("/api/v1/namespaces/stored/replicationcontrollers", "controllers/stored", "v1", "ReplicationController",
     {"spec": None, "status": None}),
    ("/apis/policy/v1/namespaces/stored/poddisruptionbudgets", "poddisruptionbudgets/stored", "policy/v1",
     "PodDisruptionBudget", {"spec": None, "status": None}),
    # SpecialDefaultResourcePrefixes: upstream keeps Ingresses under /registry/ingress/
    ("/apis/networking.k8s.io/v1/namespaces/stored/ingresses", "ingress/stored", "networking.k8s.io/v1",
     "Ingress", {"spec": None, "status": None}),
]
IDS = [kind for _, _, _, kind, _ in BROKEN]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A chain over an etcd holding one broken object of each kind, named `broken`."""
    with reference_server(tmp_path_factory.mktemp("etcd")) as server:
        client = EtcdClient(server.address)
        registry = Registry(client, ManualClock(NOW))
        chain = HandlerChain(registry, now=lambda: NOW + 90)
        call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": "stored"}})
        for _, prefix, api_version, kind, body in BROKEN:
            obj = {"apiVersion": api_version, "kind": kind, **body,
                   "metadata": {"name": "broken", "uid": "u", "creationTimestamp": CREATED,
                                **({"namespace": "stored"} if "/" in prefix else {})}}
            client.put_if_mod_revision(f"/registry/{prefix}/broken", json.dumps(obj).encode(), 0)
        yield chain
        registry.close()
        client.close()


@pytest.mark.parametrize("path", [b[0] for b in BROKEN], ids=IDS)
def test_a_broken_stored_object_is_read(stored, path):
    """get answers 200 with the object as stored."""
    code, body = call(stored, "GET", f"{path}/broken")
    assert code == 200, body
    assert body["metadata"]["name"] == "broken"


@pytest.mark.parametrize("path", [b[0] for b in BROKEN], ids=IDS)
def test_a_broken_stored_object_is_listed_and_printed(stored, path):
    """list, and the Table `kubectl get` asks for (object and list), answer 200."""
    code, body = call(stored, "GET", path)
    assert code == 200 and [o["metadata"]["name"] for o in body["items"]] == ["broken"], body
    for target in (path, f"{path}/broken"):
        code, table = call(stored, "GET", target, accept=TABLE)
        assert code == 200, table
        assert table["rows"][0]["cells"][0] in ("broken", "<unknown>", "")


def test_field_selectors_read_null_parts_as_empty(stored):
    """A field selector on a part that is null matches as the empty string."""
    code, body = call(stored, "GET", "/api/v1/namespaces/stored/pods",
                      query={"fieldSelector": "status.phase=,spec.nodeName="})
    assert code == 200 and [o["metadata"]["name"] for o in body["items"]] == ["broken"]


@pytest.mark.parametrize("path", [b[0] for b in BROKEN], ids=IDS)
def test_a_broken_stored_object_is_watched(stored, path):
    """A watch sends it as ADDED, as JSON and as a Table."""
    for accept in ("application/json", TABLE):
        code, watch = call(stored, "GET", path, query={"watch": "1"}, accept=accept)
        try:
            event = json.loads(next(iter(watch.chunks)))
        finally:
            watch.stop()
        assert code == 200 and event["type"] == "ADDED", event


def test_scale_of_a_workload_with_a_null_spec(stored):
    """The scale subresource of a ReplicaSet stored with `spec: null` reads as 0 replicas."""
    path = "/apis/apps/v1/namespaces/stored/replicasets/broken/scale"
    code, scale = call(stored, "GET", path)
    assert code == 200 and scale["spec"]["replicas"] == 0


def test_null_metadata_is_read_as_empty(stored):
    """An object stored with `metadata: null` is listed with a resourceVersion instead of failing."""
    raw = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": None}).encode()
    stored.rest.registry.storage.client.put_if_mod_revision("/registry/configmaps/stored/nameless", raw, 0)
    code, body = call(stored, "GET", "/api/v1/namespaces/stored/configmaps", accept=TABLE)
    assert code == 200 and len(body["rows"]) == 1, body
