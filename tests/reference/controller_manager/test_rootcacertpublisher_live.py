"""The root CA certificate publisher in the controller-manager process, against the reference
kube-apiserver: every namespace gets kube-root-ca.crt with the apiserver's CA, and keeps it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
from cluster import ROOT, Cluster, processes, reference_control_plane  # noqa: E402,F401  (fixture)

from reference_impl.client import APIStatusError  # noqa: E402
from reference_impl.client.rest import RestClient  # noqa: E402
from workload_fixtures import eventually  # noqa: E402

CONFIG_MAP = "kube-root-ca.crt"


@pytest.fixture(scope="module")
def manager(reference_control_plane: Cluster, tmp_path_factory):  # noqa: F811
    """`python -m reference_impl.controller_manager.run` with no --root-ca-file: the kubeconfig's
    CA, which is the one the apiserver serves with, is the root CA; yields its ready line."""
    log = tmp_path_factory.mktemp("rootca") / "controller-manager.log"
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "reference_impl.controller_manager.run",
             "--kubeconfig", str(reference_control_plane.kubeconfig)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        yield processes.read_ready_line(process, 30.0)
    finally:
        processes.stop_process(process)
        process.stdout.close()
    assert process.returncode == 0, log.read_text(errors="replace")


@pytest.fixture(scope="module")
def rest(reference_control_plane: Cluster) -> RestClient:  # noqa: F811
    return RestClient(reference_control_plane.kubeconfig)


def root_ca_of(rest: RestClient, namespace: str) -> dict | None:
    try:
        return rest.request("GET", f"/api/v1/namespaces/{namespace}/configmaps/{CONFIG_MAP}")
    except APIStatusError as error:
        if error.code == 404:
            return None
        raise


def test_the_publisher_is_one_of_the_controllers_started(manager):
    """The ready line names the controller as upstream does (--controllers' name)."""
    assert manager.startswith("ready: reference kube-controller-manager")
    assert "root-ca-cert-publisher" in manager


def test_a_new_namespace_gets_the_apiservers_ca(manager, rest, reference_control_plane):  # noqa: F811
    """The ConfigMap appears with the description and ca.crt = the CA in the apiserver's cert dir."""
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": "fresh"}})
    published = eventually(lambda: root_ca_of(rest, "fresh"))
    assert published["data"] == {"ca.crt": (reference_control_plane.cert_dir / "ca.crt").read_text()}
    assert published["metadata"]["annotations"]["kubernetes.io/description"].startswith(
        "Contains a CA bundle that can be used to verify the kube-apiserver")


def test_a_deleted_config_map_comes_back(manager, rest):
    """Deleting kube-root-ca.crt makes the publisher create it again (a new object)."""
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": "again"}})
    first = eventually(lambda: root_ca_of(rest, "again"))
    rest.request("DELETE", f"/api/v1/namespaces/again/configmaps/{CONFIG_MAP}")
    second = eventually(lambda: (cm := root_ca_of(rest, "again")) and cm["metadata"]["uid"] != first["metadata"]["uid"]
                        and cm)
    assert second["data"] == first["data"]


def test_changed_data_is_put_back_and_other_annotations_kept(manager, rest):
    """An edit of ca.crt is undone by an update that keeps the annotation a user added."""
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": "edited"}})
    published = eventually(lambda: root_ca_of(rest, "edited"))
    edited = dict(published, data={"ca.crt": "tampered"})
    edited["metadata"] = dict(published["metadata"], annotations={**published["metadata"]["annotations"], "team": "a"})
    rest.request("PUT", f"/api/v1/namespaces/edited/configmaps/{CONFIG_MAP}", edited)
    restored = eventually(lambda: (cm := root_ca_of(rest, "edited")) and cm["data"] == published["data"] and cm)
    assert restored["metadata"]["annotations"]["team"] == "a"


def test_a_deleted_namespace_still_goes_away(manager, rest):
    """The namespace controller deletes kube-root-ca.crt with everything else; the publisher's
    create in the terminating namespace is refused and not retried, and the namespace is removed."""
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": "leaving"}})
    eventually(lambda: root_ca_of(rest, "leaving"))
    rest.request("DELETE", "/api/v1/namespaces/leaving")
    names = lambda: {ns["metadata"]["name"] for ns in rest.request("GET", "/api/v1/namespaces")["items"]}  # noqa: E731
    eventually(lambda: "leaving" not in names(), timeout=30.0)
