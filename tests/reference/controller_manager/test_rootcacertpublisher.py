"""The root CA certificate publisher: every namespace holds the ConfigMap kube-root-ca.crt with
the cluster's root CA, as upstream's rootcacertpublisher keeps it."""
from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
import yaml

from reference_impl.machinery.certutil import new_ca
from reference_impl.client import APIStatusError
from reference_impl.client.rest import RestClient
from reference_impl.controller_manager.rootcacertpublisher import (DESCRIPTION, RootCAFileError, read_ca,
                                                                   sync_namespace)
from reference_impl.controller_manager.run import COMMAND, ControllerManager, root_ca
from reference_impl.machinery.process import main as machinery_main
from reference_impl.machinery.actions import Create, Update

CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
UPSTREAM_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
    "such as the internal service IP or kubernetes.default.svc. "
    "No other usage is guaranteed across distributions of Kubernetes clusters.")


def published(data=None, annotations=None) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kube-root-ca.crt", "namespace": "team", "resourceVersion": "7",
                         "annotations": {"kubernetes.io/description": DESCRIPTION} if annotations is None
                         else annotations},
            "data": {"ca.crt": CA} if data is None else data}


def namespace(name: str, phase: str = "Active") -> dict:
    return {"metadata": {"name": name}, "status": {"phase": phase}}


def test_a_namespace_without_the_config_map_gets_upstreams_object():
    """Missing: one Create of kube-root-ca.crt with the description annotation and ca.crt."""
    (create,) = sync_namespace("team", None, CA)
    assert create == Create("configmaps", "team", {}, done_if_refused_for=("NotFound", "NamespaceTerminating"))
    assert create.obj == {"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "kube-root-ca.crt",
                                       "annotations": {"kubernetes.io/description": UPSTREAM_DESCRIPTION}},
                          "data": {"ca.crt": CA}}


def test_a_matching_config_map_needs_nothing():
    """The right data and a non-empty description: nothing to do."""
    assert sync_namespace("team", published(), CA) == []
    assert sync_namespace("team", published(annotations={"kubernetes.io/description": "ours"}), CA) == []


def test_changed_data_is_put_back_keeping_other_annotations():
    """Other data (a changed ca.crt, an extra key) is replaced by ca.crt alone, with an Update of
    the cached object that keeps its other annotations and its resourceVersion."""
    for data in ({"ca.crt": "stale"}, {"ca.crt": CA, "extra": "x"}, {}):
        cached = published(data=data, annotations={"kubernetes.io/description": DESCRIPTION, "team": "a"})
        (update,) = sync_namespace("team", cached, CA)
        assert isinstance(update, Update) and update.namespace == "team"
        assert update.obj["data"] == {"ca.crt": CA}
        assert update.obj["metadata"]["annotations"] == {"kubernetes.io/description": DESCRIPTION, "team": "a"}
        assert update.obj["metadata"]["resourceVersion"] == "7"
        assert cached["data"] == data  # the cache's object is not modified


def test_a_removed_or_emptied_description_is_put_back():
    """Without the description annotation (or with it empty) the ConfigMap is updated."""
    for before in ({}, {"kubernetes.io/description": ""}, {"team": "a"}):
        (update,) = sync_namespace("team", published(annotations=before), CA)
        assert update.obj["metadata"]["annotations"] == {**before, "kubernetes.io/description": DESCRIPTION}


class Refusing:
    """A client whose every request is answered with one error Status."""

    def __init__(self, code: int, status: dict):
        self.code, self.status, self.requests = code, status, []

    def request(self, method: str, path: str, body=None, content_type="application/json"):
        self.requests.append((method, path))
        raise APIStatusError(method, path, self.code, self.status)


def publisher_of(manager: ControllerManager):
    return next(c for c in manager.controllers if c.name == "root-ca-cert-publisher")


def drained(queue) -> list:
    keys = []
    while (key := queue.get()) is not None:
        keys.append(key)
        queue.done(key)
    return keys


def test_a_terminating_namespace_is_not_queued():
    """A namespace added is queued; one updated while not Active is not (namespaceUpdated)."""
    manager = ControllerManager(client=None, root_ca=CA)
    queue = publisher_of(manager).queue
    manager.cache("namespaces").upsert(namespace("team"))
    assert drained(queue) == ["team"]
    manager.cache("namespaces").upsert(namespace("team", "Terminating"))
    assert drained(queue) == []


def test_only_the_root_ca_config_map_queues_its_namespace():
    """A change of kube-root-ca.crt queues its namespace; another ConfigMap's change nothing."""
    manager = ControllerManager(client=None, root_ca=CA)
    queue = publisher_of(manager).queue
    manager.cache("configmaps").upsert({"metadata": {"name": "settings", "namespace": "team"}})
    assert drained(queue) == []
    manager.cache("configmaps").upsert(published())
    manager.cache("configmaps").delete(published())
    assert drained(queue) == ["team"]


TERMINATING = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
               "message": 'configmaps "kube-root-ca.crt" is forbidden: unable to create new content in namespace '
                          "team because it is being terminated",
               "details": {"name": "kube-root-ca.crt", "kind": "configmaps",
                           "causes": [{"reason": "NamespaceTerminating", "field": "metadata.namespace",
                                       "message": "namespace team is being terminated"}]}}
NOT_FOUND = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
             "message": 'namespaces "team" not found', "details": {"name": "team", "kind": "namespaces"}}
FORBIDDEN = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
             "message": 'configmaps is forbidden: User "x" cannot create resource "configmaps"',
             "details": {"kind": "configmaps"}}


@pytest.mark.parametrize("code, status", [(403, TERMINATING), (404, NOT_FOUND)])
def test_a_create_refused_because_the_namespace_is_terminating_or_gone_is_not_retried(code, status):
    """Upstream: "don't retry a create if the namespace doesn't exist or is terminating"."""
    client = Refusing(code, status)
    manager = ControllerManager(client=client, root_ca=CA)
    publisher = publisher_of(manager)
    publisher.queue.add("team")
    assert publisher.process_next_work_item(manager.perform)
    assert client.requests == [("POST", "/api/v1/namespaces/team/configmaps")]
    assert publisher.queue.next_ready_at() is None and publisher.queue.get() is None


def test_a_create_refused_otherwise_is_retried_with_backoff():
    """Any other refusal is a sync error: the namespace comes back after a backoff."""
    manager = ControllerManager(client=Refusing(403, FORBIDDEN), root_ca=CA)
    publisher = publisher_of(manager)
    publisher.queue.add("team")
    publisher.process_next_work_item(manager.perform)
    assert publisher.queue.next_ready_at() is not None


def test_root_ca_file_is_read_and_checked(tmp_path: Path):
    """--root-ca-file must hold a PEM certificate; upstream's error names the file."""
    missing = tmp_path / "missing.crt"
    with pytest.raises(RootCAFileError) as error:
        read_ca(missing)
    assert str(error.value) == (f"error parsing root-ca-file at {missing}: "
                                f"open {missing}: no such file or directory")
    garbage = tmp_path / "garbage.crt"
    garbage.write_text("not a certificate\n")
    with pytest.raises(RootCAFileError) as error:
        read_ca(garbage)
    assert str(error.value) == (f"error parsing root-ca-file at {garbage}: "
                                "data does not contain any valid RSA or ECDSA certificates")


def kubeconfig(tmp_path: Path, ca_pem: bytes) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1",
                                               "certificate-authority-data": base64.b64encode(ca_pem).decode()}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}], "current-context": "x"}))
    return path


def test_the_root_ca_is_the_file_given_or_else_the_kubeconfigs_ca(tmp_path: Path):
    """--root-ca-file when given, else the CA the controller-manager's kubeconfig trusts."""
    kubeconfig_ca, file_ca = new_ca().cert_pem, new_ca().cert_pem
    client = RestClient(kubeconfig(tmp_path, kubeconfig_ca))
    (tmp_path / "ca.crt").write_bytes(file_ca)
    assert root_ca(None, client) == kubeconfig_ca.decode()
    assert root_ca(tmp_path / "ca.crt", client) == file_ca.decode()


def test_a_bad_root_ca_file_stops_the_controller_manager_at_start(tmp_path: Path):
    """The process says why in one line and exits with the usage code, before any request."""
    garbage = tmp_path / "garbage.crt"
    garbage.write_text("not a certificate\n")
    err = io.StringIO()
    code = machinery_main(COMMAND, ["--kubeconfig", str(kubeconfig(tmp_path, new_ca().cert_pem)),
                                    "--root-ca-file", str(garbage)], env={}, err=err)
    assert (code, err.getvalue()) == (2, f"reference kube-controller-manager: error: error parsing root-ca-file "
                                         f"at {garbage}: data does not contain any valid RSA or ECDSA certificates\n")
