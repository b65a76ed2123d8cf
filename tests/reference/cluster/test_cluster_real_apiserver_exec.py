"""`kubectl exec` and `attach` through the real kube-apiserver 1.24 to the reference kubelet: the
real upgrade-aware proxy stands between them and passes the kubelet's bytes on as they are, so
kubectl 1.28 (SPDY/3.1) and the newest kubectl (WebSocket) see what the kubelet wrote and must
come out as they do against the reference apiserver. An explicit opt-in, since the real
apiserver is built from an upstream tree CI does not have: KUBEATLAS_REAL_APISERVER=/path/to/
kube-apiserver (1.24), with a real etcd and kubectl.1.28 installed; the same kubelet code paths
run in CI through the reference apiserver (test_cluster_exec_versions.py)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from clusterkit import kubectl, newest_kubectl, run_kubectl, wait_for
from reference_impl.apiserver.adapter.certs import ensure_certs
from reference_impl.kubelet.certificate import store_node_serving_cert
from reference_impl.cluster import Ready, etcd_argv, free_port, start, start_process, stop

REAL_APISERVER = Path(os.environ.get("KUBEATLAS_REAL_APISERVER", "/nonexistent/kube-apiserver"))
ETCD = Path(shutil.which("etcd") or "/usr/bin/etcd")
KUBECTL_SPDY = Path("/usr/lib/google-cloud-sdk/bin/kubectl.1.28")
NODE = "node-1"

pytestmark = pytest.mark.skipif(not (REAL_APISERVER.exists() and ETCD.exists() and KUBECTL_SPDY.exists()),
                                reason="opt-in: KUBEATLAS_REAL_APISERVER=/path/to/kube-apiserver, "
                                       "with etcd and kubectl.1.28 installed")


def service_account_keys(pki: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private, public = pki / "sa.key", pki / "sa.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def kubeconfig(path: Path, server: str, pki: Path) -> Path:
    config = {"apiVersion": "v1", "kind": "Config", "current-context": "real",
              "clusters": [{"name": "real", "cluster": {"server": server, "certificate-authority": str(pki / "ca.crt")}}],
              "users": [{"name": "admin", "user": {"client-certificate": str(pki / "admin.crt"),
                                                   "client-key": str(pki / "admin.key")}}],
              "contexts": [{"name": "real", "context": {"cluster": "real", "user": "admin"}}]}
    path.write_text(json.dumps(config))
    return path


def apiserver_argv(pki: Path, etcd_url: str, port: int) -> tuple[str, ...]:
    """No ServiceAccount admission (no controller-manager makes the default account) and
    AlwaysAllow: what is compared is the streaming, not the policy."""
    private, public = service_account_keys(pki)
    return (str(REAL_APISERVER), f"--etcd-servers={etcd_url}", "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1", f"--secure-port={port}", f"--cert-dir={pki}",
            f"--tls-cert-file={pki / 'apiserver.crt'}", f"--tls-private-key-file={pki / 'apiserver.key'}",
            f"--client-ca-file={pki / 'ca.crt'}", f"--service-account-key-file={public}",
            f"--service-account-signing-key-file={private}", "--service-account-issuer=https://kubernetes.default.svc",
            "--service-cluster-ip-range=10.0.0.0/24", "--authorization-mode=AlwaysAllow",
            "--disable-admission-plugins=ServiceAccount", "--kubelet-preferred-address-types=InternalIP",
            f"--kubelet-client-certificate={pki / 'apiserver-kubelet-client.crt'}",
            f"--kubelet-client-key={pki / 'apiserver-kubelet-client.key'}",
            f"--kubelet-certificate-authority={pki / 'ca.crt'}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("real-apiserver")
    pki = directory / "pki"
    ensure_certs(pki)
    store_node_serving_cert(pki, NODE, "127.0.0.1")
    processes = []
    try:
        argv, ready, etcd_url = etcd_argv(ETCD, directory)
        processes.append(start_process(directory, "etcd", argv, ready)[0])
        port = free_port()
        processes.append(start_process(directory, "apiserver", apiserver_argv(pki, etcd_url, port),
                                       Ready(line="Serving securely"), ready_timeout=60)[0])
        config = kubeconfig(directory / "admin.kubeconfig", f"https://127.0.0.1:{port}", pki)
        # With AlwaysAllow the apiserver turns anonymous requests off: /readyz is asked as the admin.
        wait_for(lambda: run_kubectl(config, "get", "--raw", "/readyz").stdout == "ok", 60, "the apiserver's /readyz")
        processes.append(start(directory, "kubelet", "kubelet", [
            "--kubeconfig", str(config), "--node-name", NODE, "--root-dir", str(directory / "kubelet"),
            "--pod-cidr", "127.0.3.0/24", "--tls-cert-file", str(pki / f"kubelet-{NODE}.crt"),
            "--tls-private-key-file", str(pki / f"kubelet-{NODE}.key"), "--client-ca-file", str(pki / "ca.crt")])[0])
        for name, script, extra in (("box", "sleep 600", {}),
                                    ("echoer", 'while read l; do echo "echo: $l"; done; echo eof',
                                     {"stdin": True, "stdinOnce": True})):
            pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                   "spec": {"nodeName": NODE, "containers": [{"name": "main", "image": "busybox",
                                                              "command": ["sh", "-c", script], **extra}]}}
            kubectl(config, "apply", "-f", "-", stdin=json.dumps(pod))
        kubectl(config, "wait", "pod/box", "pod/echoer", "--for=condition=Ready", "--timeout=40s")
        yield config
    finally:
        stop(processes)


@pytest.mark.parametrize("binary", [str(KUBECTL_SPDY), newest_kubectl()], ids=["spdy", "websocket"])
def test_outputs_and_the_exit_code_come_through_the_real_proxy(cluster, binary):
    result = run_kubectl(cluster, "exec", "box", "--", "sh", "-c", "echo out; echo err >&2; exit 3", binary=binary)
    assert (result.returncode, result.stdout) == (3, "out\n")
    assert result.stderr == "err\ncommand terminated with exit code 3\n"


def test_spdy_stdin_with_i_comes_through_the_real_proxy(cluster):
    result = run_kubectl(cluster, "exec", "-i", "box", "--", "sh", "-c", "cat; echo end", stdin="a\nb\n",
                         binary=str(KUBECTL_SPDY))
    assert (result.returncode, result.stdout, result.stderr) == (0, "a\nb\nend\n", "")


def test_spdy_attach_through_the_real_proxy(cluster):
    result = run_kubectl(cluster, "attach", "-i", "-q", "echoer", stdin="one\ntwo\n", binary=str(KUBECTL_SPDY))
    assert (result.returncode, result.stdout) == (0, "echo: one\necho: two\neof\n"), result.stderr
