"""A kubelet's certificates from the cluster CA, with the subjects its certificate managers put in
their CSRs: the node's user `system:node:<name>` in the group `system:nodes`, so the apiserver's
Node authorizer knows which node is asking, and, on a serving certificate, the node's name and
addresses for the clients that dial it.

Upstream a kubelet gets them by CSR, approved and signed by the controller-manager (or kubeadm
writes the client one into kubelet.conf); here whoever holds the CA key issues them directly: a
cluster's start-up for its kubelets' serving pairs, a hollow-node process for each of its nodes.
"""
from __future__ import annotations

from pathlib import Path

from reference_impl.machinery.certutil import (CertError, KeyPair, issue_client_cert, issue_serving_cert, load_pair,
                                               store_pair)
from reference_impl.mirrors import mirrors

NODE_USER_PREFIX = "system:node:"
NODES_GROUP = "system:nodes"


@mirrors("k8s.io/kubernetes/pkg/kubelet/certificate.NewKubeletServerCertificateManager")
def issue_node_serving_cert(ca: KeyPair, node_name: str, addresses: tuple[str, ...]) -> KeyPair:
    """The serving certificate an approved kubelet-serving CSR gives: the node's user and group as
    subject, its hostname and addresses as names."""
    return issue_serving_cert(ca, (node_name,), addresses, NODE_USER_PREFIX + node_name, (NODES_GROUP,))


@mirrors("k8s.io/kubernetes/pkg/kubelet/certificate.NewKubeletClientCertificateManager")
def issue_node_client_cert(ca: KeyPair, node_name: str) -> KeyPair:
    """The client certificate the apiserver reads as user system:node:<name> in system:nodes."""
    return issue_client_cert(ca, NODE_USER_PREFIX + node_name, (NODES_GROUP,))


def store_node_serving_cert(cert_dir: Path | str, node_name: str, address: str) -> KeyPair:
    """kubelet-<node>.{crt,key} in `cert_dir`, signed by the CA there (ca.crt, ca.key): what a
    kubelet with serverTLSBootstrap serves once its CSR is approved, so that an apiserver given
    --kubelet-certificate-authority can check it."""
    directory = Path(cert_dir)
    ca = load_pair(directory / "ca.crt", directory / "ca.key")
    if ca is None:
        raise CertError(directory / "ca.key", "no CA to sign the kubelet's serving certificate")
    return store_pair(issue_node_serving_cert(ca, node_name, (address,)),
                      directory / f"kubelet-{node_name}.crt", directory / f"kubelet-{node_name}.key")
