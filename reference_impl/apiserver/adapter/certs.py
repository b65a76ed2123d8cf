"""The reference apiserver's certificates: a self-signed CA, a serving certificate for loopback, an
admin client certificate in group system:masters and the client certificate the apiserver shows the
kubelets (kubeadm's apiserver-kubelet-client), made with `machinery.certutil`.

`ensure_certs(cert_dir)` writes them as PEM files in --cert-dir and reuses the files it finds there, so a
restarted server keeps its CA and existing kubeconfigs stay valid.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reference_impl.machinery.certutil import (CertError, KeyPair, issue_client_cert, issue_serving_cert, load_pair,
                                               new_ca, store_pair)
from reference_impl.mirrors import mirrors

SERVING_NAME = "kube-apiserver"
SERVING_DNS_NAMES = ("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc")
SERVING_IPS = ("127.0.0.1", "::1")
ADMIN_USER, ADMIN_GROUP = "kubernetes-admin", "system:masters"
# kubeadm's APIServerKubeletClientCertCommonName; 1.24's kubeadm puts it in system:masters too.
KUBELET_CLIENT_USER = "kube-apiserver-kubelet-client"


@dataclass(frozen=True)
class CertBundle:
    """What run.py needs: the CA (which also verifies client certificates unless --client-ca-file says
    otherwise), the serving pair, the admin client pair and the kubelet client pair."""

    ca: KeyPair
    serving: KeyPair
    admin: KeyPair
    kubelet_client: KeyPair


def issue_apiserver_serving_cert(ca: KeyPair) -> KeyPair:
    """The apiserver's serving certificate, for the loopback names and addresses and the
    `kubernetes` Service's names that clients dial."""
    return issue_serving_cert(ca, SERVING_DNS_NAMES, SERVING_IPS, SERVING_NAME)


@mirrors("(*k8s.io/apiserver/pkg/server/options.SecureServingOptions).MaybeDefaultWithSelfSignedCerts")
def ensure_certs(cert_dir: Path | str) -> CertBundle:
    """Load ca.{crt,key}, apiserver.{crt,key}, admin.{crt,key} and apiserver-kubelet-client.{crt,key}
    from `cert_dir`, making those that are missing. A new CA invalidates the others, so they are
    remade with it."""
    directory = Path(cert_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CertError(directory, err.strerror or str(err)) from None
    paths = {name: (directory / f"{name}.crt", directory / f"{name}.key")
             for name in ("ca", "apiserver", "admin", "apiserver-kubelet-client")}
    ca = load_pair(*paths["ca"])
    fresh_ca = ca is None
    if ca is None:
        ca = store_pair(new_ca(), *paths["ca"])
    serving = None if fresh_ca else load_pair(*paths["apiserver"])
    if serving is None:
        serving = store_pair(issue_apiserver_serving_cert(ca), *paths["apiserver"])
    admin = None if fresh_ca else load_pair(*paths["admin"])
    if admin is None:
        admin = store_pair(issue_client_cert(ca, ADMIN_USER, (ADMIN_GROUP,)), *paths["admin"])
    kubelet_client = None if fresh_ca else load_pair(*paths["apiserver-kubelet-client"])
    if kubelet_client is None:
        kubelet_client = store_pair(issue_client_cert(ca, KUBELET_CLIENT_USER, (ADMIN_GROUP,)),
                                    *paths["apiserver-kubelet-client"])
    return CertBundle(ca, serving, admin, kubelet_client)
