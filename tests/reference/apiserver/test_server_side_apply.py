"""metadata.managedFields on every write through the REST handlers, as kube-apiserver 1.24 records
them."""
from __future__ import annotations

import json

from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.lifecycle import rfc3339
from tests.reference.apiserver.test_handlers import DEPLOYMENT, NOW, call, chain, etcd, ns_path, registry  # noqa: F401

USER_AGENT = "kubectl/v1.24.0 (linux/amd64) kubernetes/4ce5a89"


def send(chain, method: str, path: str, body=None, *, content_type: str = "application/json",
         query: dict | None = None, user_agent: str = USER_AGENT):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Accept": "application/json", "Content-Type": content_type, "User-Agent": user_agent}
    response = chain.handle(Request(method, path, {k: [v] for k, v in (query or {}).items()}, headers, raw))
    return response.code, json.loads(response.body)


def deployment_path(chain, name: str = "") -> str:
    return ns_path(chain, "deployments", name, "apps/v1")


def managers(obj: dict) -> list[tuple]:
    return [(e["manager"], e["operation"], e["apiVersion"], e.get("subresource", ""))
            for e in obj["metadata"].get("managedFields", [])]


# --- Update entries ---

def test_a_create_records_the_user_agents_manager_and_the_time(chain):
    """Without ?fieldManager the manager is the User-Agent's first token."""
    code, created = send(chain, "POST", deployment_path(chain), DEPLOYMENT)
    assert code == 201, created
    [entry] = created["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == ("kubectl", "Update", "apps/v1")
    assert entry["time"] == rfc3339(NOW + 90) and entry["fieldsType"] == "FieldsV1"
    assert "f:replicas" in entry["fieldsV1"]["f:spec"]
    stored = call(chain, "GET", deployment_path(chain, "web"))[1]
    assert stored["metadata"]["managedFields"] == created["metadata"]["managedFields"]


def test_update_and_patch_record_their_own_managers(chain):
    send(chain, "POST", deployment_path(chain), DEPLOYMENT, query={"fieldManager": "creator"})
    live = call(chain, "GET", deployment_path(chain, "web"))[1]
    code, updated = send(chain, "PUT", deployment_path(chain, "web"), {**live, "spec": {**live["spec"], "replicas": 3}},
                         query={"fieldManager": "updater"})
    assert code == 200, updated
    code, patched = send(chain, "PATCH", deployment_path(chain, "web"), {"metadata": {"labels": {"x": "y"}}},
                         content_type="application/merge-patch+json", user_agent="patcher/1.0")
    assert code == 200, patched
    fields = {e["manager"]: e["fieldsV1"] for e in patched["metadata"]["managedFields"]}
    assert fields["updater"] == {"f:spec": {"f:replicas": {}}}
    assert fields["patcher"] == {"f:metadata": {"f:labels": {".": {}, "f:x": {}}}}
    assert "f:replicas" not in fields["creator"]["f:spec"]


def test_a_status_update_records_the_status_subresource(chain):
    send(chain, "POST", deployment_path(chain), DEPLOYMENT)
    live = call(chain, "GET", deployment_path(chain, "web"))[1]
    code, updated = send(chain, "PUT", deployment_path(chain, "web") + "/status",
                         {**live, "status": {"replicas": 2}}, user_agent="kube-controller-manager/v1.24.0")
    assert code == 200, updated
    assert ("kube-controller-manager", "Update", "apps/v1", "status") in managers(updated)


def test_a_scale_write_takes_replicas_for_its_manager_with_the_scale_subresource(chain):
    """ScaleHandler: the Scale's manager owns the parent's .spec.replicas, recorded in the
    parent's apiVersion with subresource scale (and no time, as upstream records it)."""
    send(chain, "POST", deployment_path(chain), DEPLOYMENT, query={"fieldManager": "creator"})
    code, scale = send(chain, "PATCH", deployment_path(chain, "web") + "/scale", {"spec": {"replicas": 5}},
                       content_type="application/merge-patch+json")
    assert code == 200 and scale["spec"]["replicas"] == 5
    stored = call(chain, "GET", deployment_path(chain, "web"))[1]
    entries = {e["manager"]: e for e in stored["metadata"]["managedFields"]}
    assert entries["kubectl"] == {"manager": "kubectl", "operation": "Update", "apiVersion": "apps/v1",
                                  "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}},
                                  "subresource": "scale"}
    assert "f:replicas" not in entries["creator"]["fieldsV1"]["f:spec"]


def test_a_field_manager_past_128_bytes_is_422(chain):
    code, status = send(chain, "POST", deployment_path(chain), DEPLOYMENT, query={"fieldManager": "m" * 129})
    assert (code, status["message"]) == (422, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: '
                                              "must have at most 128 bytes")
