"""The EndpointSlice controller as the controller-manager process runs it, against the reference
kube-apiserver: the slices kube-proxy would watch appear, follow the pods and go with the Service."""
from __future__ import annotations

import io
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
from cluster import Cluster, reference_control_plane  # noqa: E402,F401  (fixture)

from reference_impl.client.rest import RestClient  # noqa: E402
from workload_fixtures import eventually  # noqa: E402
from reference_impl.controller_manager.run import ControllerManager  # noqa: E402

NS = "slices"
SLICES = f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices"


@pytest.fixture(scope="module")
def rest(reference_control_plane: Cluster):  # noqa: F811
    client = RestClient(reference_control_plane.kubeconfig)
    client.request("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    client.request("POST", "/api/v1/nodes", {"metadata": {
        "name": "zoned", "labels": {"topology.kubernetes.io/zone": "zone-a"}}})
    manager = ControllerManager(client)
    thread = threading.Thread(target=manager.run, args=(False, io.StringIO()), daemon=True)
    thread.start()
    yield client
    manager.stop.set()
    thread.join(timeout=10)


def web_slices(rest) -> list[dict]:
    return [s for s in rest.request("GET", SLICES)["items"]
            if s["metadata"].get("labels", {}).get("kubernetes.io/service-name") == "web"]


def set_ready(rest, name: str, ready: bool) -> None:
    pod = rest.request("GET", f"/api/v1/namespaces/{NS}/pods/{name}")
    pod["status"] = {"phase": "Running", "podIP": "10.244.0.7", "podIPs": [{"ip": "10.244.0.7"}],
                     "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    rest.request("PUT", f"/api/v1/namespaces/{NS}/pods/{name}/status", pod)


def test_service_gets_a_slice_that_follows_its_pod_and_goes_with_it(rest):
    """A Service's pod shows up in an IPv4 slice (port and zone resolved), a readiness change
    updates that same slice, and deleting the Service deletes the slice."""
    rest.request("POST", f"/api/v1/namespaces/{NS}/pods", {
        "metadata": {"name": "web-1", "labels": {"app": "web"}},
        "spec": {"nodeName": "zoned", "containers": [
            {"name": "c", "image": "nginx", "ports": [{"name": "http", "containerPort": 8080}]}]}})
    set_ready(rest, "web-1", True)
    rest.request("POST", f"/api/v1/namespaces/{NS}/services", {
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})

    (slice_,) = eventually(lambda: [s for s in web_slices(rest) if s.get("endpoints")])
    assert slice_["addressType"] == "IPv4"
    assert slice_["ports"][0]["port"] == 8080
    (endpoint,) = slice_["endpoints"]
    assert endpoint["addresses"] == ["10.244.0.7"] and endpoint["zone"] == "zone-a"
    assert endpoint["conditions"]["ready"] is True

    time.sleep(2.5)  # a few passes of the controller: an unchanged slice is not rewritten
    assert web_slices(rest)[0]["metadata"]["resourceVersion"] == slice_["metadata"]["resourceVersion"]

    set_ready(rest, "web-1", False)
    (updated,) = eventually(lambda: [s for s in web_slices(rest)
                                     if not s["endpoints"][0]["conditions"]["ready"]])
    assert updated["metadata"]["name"] == slice_["metadata"]["name"]

    rest.request("DELETE", f"/api/v1/namespaces/{NS}/services/web")
    eventually(lambda: not web_slices(rest))
