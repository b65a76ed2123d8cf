"""The root CA certificate publisher: every namespace holds the ConfigMap kube-root-ca.crt whose
ca.crt is the cluster's root CA, which the projected service account volume mounts so that a pod
can verify the apiserver. A missing one is created and one whose data or description changed is
put back; the key of the work queue is the namespace's name.
"""
from __future__ import annotations

import copy
from pathlib import Path

from cryptography import x509

from reference_impl.controller_manager import ControllerError
from reference_impl.machinery.actions import Create, Update
from reference_impl.mirrors import mirrors

ROOT_CA_CERT_CONFIG_MAP_NAME = "kube-root-ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
               "such as the internal service IP or kubernetes.default.svc. "
               "No other usage is guaranteed across distributions of Kubernetes clusters.")
# Upstream does not retry a create when the namespace does not exist or is terminating.
CREATE_DONE_IF_REFUSED_FOR = ("NotFound", "NamespaceTerminating")


class RootCAFileError(ControllerError):
    """--root-ca-file cannot be read or holds no certificate."""

    def __init__(self, path: Path, problem: str):
        super().__init__(path, problem)
        self.path, self.problem = path, problem

    def __str__(self) -> str:
        return f"error parsing root-ca-file at {self.path}: {self.problem}"


@mirrors("k8s.io/kubernetes/cmd/kube-controller-manager/app.readCA")
def read_ca(path: Path) -> str:
    """The PEM bundle in `path`, checked to hold at least one certificate."""
    try:
        pem = Path(path).read_bytes()
    except OSError as error:
        raise RootCAFileError(path, f"open {path}: {(error.strerror or str(error)).lower()}") from None
    try:
        x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise RootCAFileError(path, "data does not contain any valid RSA or ECDSA certificates") from None
    return pem.decode()


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/rootcacertpublisher.Publisher).namespaceUpdated")
def namespace_keys(namespace: dict) -> list[str]:
    """A namespace that is not Active (terminating) is not queued."""
    if (namespace.get("status") or {}).get("phase", "Active") != "Active":
        return []
    return [namespace["metadata"]["name"]]


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/rootcacertpublisher.Publisher).configMapUpdated")
def config_map_keys(config_map: dict) -> list[str]:
    """Only a change of kube-root-ca.crt queues its namespace."""
    meta = config_map["metadata"]
    return [meta.get("namespace", "")] if meta["name"] == ROOT_CA_CERT_CONFIG_MAP_NAME else []


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/rootcacertpublisher.Publisher).syncNamespace")
def sync_namespace(namespace_name: str, config_map: dict | None, root_ca: str) -> list:
    """The namespace's cached kube-root-ca.crt (None when missing) → a Create, an Update of a copy
    with ca.crt and the description set (other annotations kept), or nothing."""
    data = {"ca.crt": root_ca}
    if config_map is None:
        return [Create("configmaps", namespace_name, {
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": ROOT_CA_CERT_CONFIG_MAP_NAME, "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}},
            "data": data}, done_if_refused_for=CREATE_DONE_IF_REFUSED_FOR)]
    annotations = config_map["metadata"].get("annotations") or {}
    if config_map.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION):
        return []
    updated = copy.deepcopy(config_map)
    updated["data"] = data
    updated["metadata"]["annotations"] = {**annotations, DESCRIPTION_ANNOTATION: DESCRIPTION}
    return [Update("configmaps", namespace_name, updated)]
