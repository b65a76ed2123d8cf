"""The garbage collector as the controller-manager process runs it, against the reference
kube-apiserver: it watches every resource discovery finds that can be listed, watched and
deleted (GraphBuilder's monitors), custom resources included, so deletions of any kind cascade."""
from __future__ import annotations

import io
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
from cluster import Cluster, reference_control_plane  # noqa: E402,F401  (fixture)

from reference_impl.client import APIStatusError  # noqa: E402
from reference_impl.client.rest import RestClient  # noqa: E402
from workload_fixtures import eventually  # noqa: E402
from reference_impl.controller_manager.run import ControllerManager  # noqa: E402

__all__ = ["reference_control_plane"]  # the fixture, imported for pytest to find
NS = "gclive"
WIDGETS = f"/apis/example.com/v1/namespaces/{NS}/widgets"


@pytest.fixture(scope="module")
def rest(reference_control_plane: Cluster):  # noqa: F811
    client = RestClient(reference_control_plane.kubeconfig)
    client.request("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    # A short discovery period: the CRD below, made after the manager started, is found within it.
    manager = ControllerManager(client, gc_discovery_period=1.0)
    thread = threading.Thread(target=manager.run, args=(False, io.StringIO()), daemon=True)
    thread.start()
    client.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                     "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}})
    eventually(lambda: _served(client, WIDGETS))
    yield client
    manager.stop.set()
    thread.join(timeout=10)


def _served(rest, path: str) -> bool:
    try:
        rest.request("GET", path)
    except APIStatusError:
        return False
    return True


def _gone(rest, path: str) -> bool:
    try:
        rest.request("GET", path)
    except APIStatusError as error:
        return error.code == 404
    return False


def _owner_ref(owner: dict, block: bool = False) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "blockOwnerDeletion": block}


def _config_map(rest, name: str, owner: dict, block: bool = False) -> str:
    rest.request("POST", f"/api/v1/namespaces/{NS}/configmaps",
                 {"metadata": {"name": name, "ownerReferences": [_owner_ref(owner, block)]}})
    return f"/api/v1/namespaces/{NS}/configmaps/{name}"


def _delete(rest, path: str, policy: str) -> None:
    rest.request("DELETE", path, {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": policy})


def test_an_orphaned_secret_loses_its_finalizer_and_its_dependents_their_reference(rest):
    """kubectl delete secret --cascade=orphan: the GC removes the Secret's `orphan` finalizer,
    once its dependent has dropped the reference, and the Secret goes."""
    secret = rest.request("POST", f"/api/v1/namespaces/{NS}/secrets", {"metadata": {"name": "held"}})
    secret.update(apiVersion="v1", kind="Secret")
    dependent = _config_map(rest, "of-held", secret)
    _delete(rest, f"/api/v1/namespaces/{NS}/secrets/held", "Orphan")
    eventually(lambda: _gone(rest, f"/api/v1/namespaces/{NS}/secrets/held"))
    assert not rest.request("GET", dependent)["metadata"].get("ownerReferences")


def test_the_secret_of_an_owner_deleted_in_the_background_is_collected(rest):
    """A Secret whose only owner is deleted (Background) is deleted by the GC."""
    owner = rest.request("POST", f"/api/v1/namespaces/{NS}/configmaps", {"metadata": {"name": "keeper"}})
    owner.update(apiVersion="v1", kind="ConfigMap")
    rest.request("POST", f"/api/v1/namespaces/{NS}/secrets",
                 {"metadata": {"name": "kept", "ownerReferences": [_owner_ref(owner)]}})
    _delete(rest, f"/api/v1/namespaces/{NS}/configmaps/keeper", "Background")
    eventually(lambda: _gone(rest, f"/api/v1/namespaces/{NS}/secrets/kept"))


def test_an_orphaned_custom_object_of_a_crd_made_after_start_loses_its_finalizer(rest):
    """The CRD was established after the manager started: discovery finds it within the period,
    and an orphan delete of one of its objects completes, its dependent left without the reference."""
    widget = rest.request("POST", WIDGETS, {"apiVersion": "example.com/v1", "kind": "Widget",
                                            "metadata": {"name": "orphaning"}})
    dependent = _config_map(rest, "of-orphaning", widget)
    _delete(rest, f"{WIDGETS}/orphaning", "Orphan")
    eventually(lambda: _gone(rest, f"{WIDGETS}/orphaning"))
    assert not rest.request("GET", dependent)["metadata"].get("ownerReferences")


def test_a_custom_object_deleted_in_the_foreground_goes_after_its_config_map(rest):
    """Foreground: the blocking ConfigMap is deleted first, then the Widget loses its
    foregroundDeletion finalizer and goes."""
    widget = rest.request("POST", WIDGETS, {"apiVersion": "example.com/v1", "kind": "Widget",
                                            "metadata": {"name": "leading"}})
    dependent = _config_map(rest, "of-leading", widget, block=True)
    _delete(rest, f"{WIDGETS}/leading", "Foreground")
    eventually(lambda: _gone(rest, f"{WIDGETS}/leading"))
    assert _gone(rest, dependent)
