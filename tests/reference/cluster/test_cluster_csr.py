"""`kubectl certificate approve` on `kubeatlas cluster up`: the controller-manager's csrsigning
controller issues the approved request with the cluster CA (`Approved,Issued`), and the
certificate then authenticates its subject to the apiserver."""
from __future__ import annotations

import base64
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from clusterkit import kubectl, run_kubectl, shared_one_kubelet_cluster, wait_for


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    return shared_one_kubelet_cluster(tmp_path_factory)


def test_an_approved_csr_is_issued_and_its_certificate_authenticates_the_user(cluster, tmp_path):
    kubeconfig = cluster / "admin.kubeconfig"
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dev"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "alice")])
    request = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    csr = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "alice"},
           "spec": {"request": base64.b64encode(request.public_bytes(serialization.Encoding.PEM)).decode(),
                    "signerName": "kubernetes.io/kube-apiserver-client", "usages": ["client auth"]}}
    kubectl(kubeconfig, "apply", "-f", "-", stdin=json.dumps(csr))
    kubectl(kubeconfig, "certificate", "approve", "alice")
    wait_for(lambda: kubectl(kubeconfig, "get", "csr", "alice", "--no-headers").split()[-1] == "Approved,Issued",
             20, "the CSR to be issued")
    certificate = base64.b64decode(kubectl(kubeconfig, "get", "csr", "alice", "-o", "jsonpath={.status.certificate}"))
    (tmp_path / "alice.crt").write_bytes(certificate)
    (tmp_path / "alice.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    server = kubectl(kubeconfig, "config", "view", "-o", "jsonpath={.clusters[0].cluster.server}")
    result = run_kubectl("/dev/null", "--server", server, "--certificate-authority", str(cluster / "pki" / "ca.crt"),
                         "--client-certificate", str(tmp_path / "alice.crt"),
                         "--client-key", str(tmp_path / "alice.key"), "get", "pods")
    assert result.stderr == ('Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource '
                             '"pods" in API group "" in the namespace "default"\n')


def test_a_bootstrap_users_kubelet_client_csr_is_approved_issued_and_authenticates_the_node(cluster, tmp_path):
    """TLS bootstrapping: a bootstrap token's user (group system:bootstrappers, bound to
    nodeclient as kubeadm binds it) asks for a node's client certificate; csrapproving approves
    it, csrsigning's kube-apiserver-client-kubelet signer issues it, and the apiserver then takes
    it as system:node:NAME in system:nodes."""
    kubeconfig = cluster / "admin.kubeconfig"
    for name, role in (("csr21-bootstrap-create", "system:node-bootstrapper"),
                       ("csr21-bootstrap-nodeclient", "system:certificates.k8s.io:certificatesigningrequests:nodeclient")):
        kubectl(kubeconfig, "create", "clusterrolebinding", name, f"--clusterrole={role}", "--group=system:bootstrappers")
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:nodes"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "system:node:csr21-node")])
    request = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    csr = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
           "metadata": {"name": "node-csr-csr21"},
           "spec": {"request": base64.b64encode(request.public_bytes(serialization.Encoding.PEM)).decode(),
                    "signerName": "kubernetes.io/kube-apiserver-client-kubelet",
                    "usages": ["digital signature", "key encipherment", "client auth"]}}
    kubectl(kubeconfig, "create", "-f", "-", "--as=system:bootstrap:abcdef", "--as-group=system:bootstrappers",
            stdin=json.dumps(csr))
    wait_for(lambda: kubectl(kubeconfig, "get", "csr", "node-csr-csr21", "--no-headers").split()[-1]
             == "Approved,Issued", 20, "the kubelet client CSR to be approved and issued")
    certificate = base64.b64decode(kubectl(kubeconfig, "get", "csr", "node-csr-csr21", "-o",
                                           "jsonpath={.status.certificate}"))
    (tmp_path / "node.crt").write_bytes(certificate)
    (tmp_path / "node.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    server = kubectl(kubeconfig, "config", "view", "-o", "jsonpath={.clusters[0].cluster.server}")
    result = run_kubectl("/dev/null", "--server", server, "--certificate-authority", str(cluster / "pki" / "ca.crt"),
                         "--client-certificate", str(tmp_path / "node.crt"),
                         "--client-key", str(tmp_path / "node.key"), "get", "secrets", "-n", "default")
    assert 'User "system:node:csr21-node" cannot list resource "secrets"' in result.stderr
