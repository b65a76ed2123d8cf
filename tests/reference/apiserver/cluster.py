"""Start and stop a one-node control plane for the end-to-end tests: an etcd (the reference by
default, or real etcd 3.4) and the reference kube-apiserver in front of it, each on a free loopback
port, and run kubectl against it.

The apiserver gets a static token file with two users: `admin` (group system:masters) and
`alice` (group viewers, no rights until a test grants some through RBAC). Its own admin
kubeconfig (written by `--kubeconfig-out`, an x509 client certificate) is `Cluster.kubeconfig`;
`Cluster.alice_kubeconfig` is the same cluster with alice's bearer token.

Every process is stopped by the context manager that started it, also when a test fails, and
every wait has a timeout, so a hung server fails the test instead of hanging the suite. The start
functions raise `ClusterError` (the benchmark uses them outside pytest); the fixtures turn it
into a test failure with the server's log.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import http.client
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterator

import yaml

ROOT = Path(__file__).resolve().parents[3]
# The etcd helpers (reference and real etcd 3.4 on free ports) are the etcd suite's own.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etcd"))
import processes  # noqa: E402

START_TIMEOUT = 30.0
KUBECTL_TIMEOUT = 30.0
STORAGES = ("reference", "etcd")

ADMIN_TOKEN = "admin-token-0123456789"
ALICE_TOKEN = "alice-token-0123456789"
# kube-apiserver's --token-auth-file format: token,user,uid,"group1,group2"
TOKEN_FILE = (f'{ADMIN_TOKEN},admin,uid-admin,"system:masters"\n'
              f'{ALICE_TOKEN},alice,uid-alice,"viewers"\n')


class ClusterError(Exception):
    """A process of the cluster did not start; carries the tail of its log."""

    def __init__(self, what: str, log: str = ""):
        super().__init__(what)
        self.what, self.log = what, log

    def __str__(self) -> str:
        return f"{self.what}; its log:\n{self.log[-4000:]}" if self.log else self.what


@dataclass
class Cluster:
    storage: str  # "reference" or "etcd"
    etcd_url: str
    server: str  # https://127.0.0.1:PORT
    kubeconfig: Path  # admin, x509 client certificate from --kubeconfig-out
    alice_kubeconfig: Path  # alice's bearer token
    cert_dir: Path
    process: subprocess.Popen
    log: Path
    cache_dir: Path

    @property
    def port(self) -> int:
        return int(self.server.rsplit(":", 1)[1])

    def kubectl(self, *args: str, user: str = "admin", input: str | None = None,
                timeout: float = KUBECTL_TIMEOUT) -> subprocess.CompletedProcess:
        """Run kubectl against this cluster as `user` ("admin" or "alice") and capture its output."""
        return subprocess.run(self.kubectl_argv(*args, user=user), input=input,
                              capture_output=True, text=True, timeout=timeout, env=self.env())

    def kubectl_argv(self, *args: str, user: str = "admin") -> list[str]:
        config = self.kubeconfig if user == "admin" else self.alice_kubeconfig
        return ["kubectl", f"--kubeconfig={config}", f"--cache-dir={self.cache_dir}",
                "--request-timeout=20s", *args]

    def env(self) -> dict[str, str]:
        # No ambient KUBECONFIG or HOME config may leak into the tests.
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        return {**env, "HOME": str(self.cache_dir.parent)}

    @cached_property
    def admin_tls(self) -> ssl.SSLContext:
        """TLS context that trusts the cluster CA and presents the admin client certificate."""
        return admin_ssl_context(self.kubeconfig, self.cache_dir.parent / "admin-pem")

    @cached_property
    def ca_tls(self) -> ssl.SSLContext:
        """TLS context that trusts the cluster CA and presents no certificate."""
        return ca_ssl_context(self.kubeconfig)

    def request(self, method: str, path: str, body: dict | None = None,
                token: str | None = None) -> tuple[int, dict]:
        """One raw HTTPS request as admin (client cert) or with a bearer token; (status, JSON)."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=20,
                                           context=self.admin_tls if token is None else self.ca_tls)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(raw) if raw else {}
        except ValueError:
            return response.status, {"raw": raw.decode(errors="replace")}


def _cluster_entry(kubeconfig: dict) -> dict:
    return kubeconfig["clusters"][0]["cluster"]


def _user_entry(kubeconfig: dict) -> dict:
    context = next(c for c in kubeconfig["contexts"]
                   if c["name"] == kubeconfig.get("current-context")) \
        if kubeconfig.get("current-context") else kubeconfig["contexts"][0]
    return next(u["user"] for u in kubeconfig["users"] if u["name"] == context["context"]["user"])


def _pem(entry: dict, key: str, base: Path) -> bytes:
    """`key-data` (base64) or `key` (a path, relative to the kubeconfig) of a kubeconfig entry."""
    import base64
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    path = Path(entry[key])
    return (path if path.is_absolute() else base / path).read_bytes()


def ca_ssl_context(kubeconfig_path: Path) -> ssl.SSLContext:
    config = yaml.safe_load(kubeconfig_path.read_text())
    context = ssl.create_default_context(
        cadata=_pem(_cluster_entry(config), "certificate-authority", kubeconfig_path.parent).decode())
    return context


def admin_ssl_context(kubeconfig_path: Path, pem_dir: Path) -> ssl.SSLContext:
    """The cluster CA plus the kubeconfig user's client certificate, as an `ssl` context."""
    config = yaml.safe_load(kubeconfig_path.read_text())
    user = _user_entry(config)
    pem_dir.mkdir(parents=True, exist_ok=True)
    cert, key = pem_dir / "client.crt", pem_dir / "client.key"
    if not cert.exists():
        cert.write_bytes(_pem(user, "client-certificate", kubeconfig_path.parent))
        key.write_bytes(_pem(user, "client-key", kubeconfig_path.parent))
        key.chmod(0o600)
    context = ca_ssl_context(kubeconfig_path)
    context.load_cert_chain(cert, key)
    return context


def write_token_kubeconfig(admin_kubeconfig: Path, path: Path, user: str, token: str) -> Path:
    """The admin kubeconfig's cluster (server, CA) with a bearer-token user instead."""
    config = yaml.safe_load(admin_kubeconfig.read_text())
    cluster = dict(_cluster_entry(config))
    if "certificate-authority" in cluster and not Path(cluster["certificate-authority"]).is_absolute():
        cluster["certificate-authority"] = str(admin_kubeconfig.parent / cluster["certificate-authority"])
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": "kubeatlas", "cluster": cluster}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": user, "context": {"cluster": "kubeatlas", "user": user}}],
        "current-context": user,
    }))
    path.chmod(0o600)
    return path


_HTTPS_PORT = re.compile(r"https://[^\s/]+:(\d+)")
_PORT = re.compile(r"(?:127\.0\.0\.1|localhost|\]):(\d+)|port[ =:]+(\d+)", re.I)


def parse_ready_port(line: str) -> int | None:
    """The port in the apiserver's ready line: its https URL's (the line also names etcd's URL),
    else the first loopback address or "port N" in it."""
    secure = _HTTPS_PORT.search(line)
    if secure:
        return int(secure.group(1))
    match = _PORT.search(line)
    return int(match.group(1) or match.group(2)) if match else None


@contextlib.contextmanager
def etcd(storage: str, work: Path) -> Iterator[str]:
    """A running etcd of the given kind; yields its client URL."""
    try:
        if storage == "reference":
            with processes.reference_server(work / "etcd") as server:
                yield server.client_url
        elif storage == "etcd":
            (work / "etcd").mkdir(parents=True, exist_ok=True)
            with processes.real_etcd(work / "etcd" / "data") as server:
                yield server.client_url
        else:
            raise ValueError(f"unknown storage {storage!r}; one of {STORAGES}")
    except BaseException as error:  # processes raises pytest's Failed, which is a BaseException
        if type(error).__name__ == "Failed":
            raise ClusterError(f"{storage} etcd did not start: {error}") from None
        raise


@contextlib.contextmanager
def apiserver(etcd_url: str, work: Path, storage: str = "reference",
              *extra: str) -> Iterator[Cluster]:
    """The reference kube-apiserver on an OS-assigned port, in front of `etcd_url`."""
    work.mkdir(parents=True, exist_ok=True)
    cert_dir, log = work / "certs", work / "apiserver.log"
    token_file, kubeconfig = work / "tokens.csv", work / "admin.kubeconfig"
    token_file.write_text(TOKEN_FILE)
    argv = [sys.executable, "-m", "reference_impl.apiserver.adapter.run", "--etcd-servers", etcd_url,
            "--cert-dir", str(cert_dir), "--secure-port", "0", "--kubeconfig-out", str(kubeconfig),
            "--token-auth-file", str(token_file), *extra]
    with open(log, "wb") as stderr:
        process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = processes.read_ready_line(process, START_TIMEOUT)
        port = parse_ready_port(line) if "ready" in line.lower() else None
        if port is None:
            raise ClusterError(f"apiserver did not start (exit {process.poll()}, stdout {line!r})",
                               log.read_text(errors="replace"))
        threading.Thread(target=_drain, args=(process,), daemon=True).start()
        cache_dir = work / "home" / ".kube" / "cache"
        cache_dir.mkdir(parents=True, exist_ok=True)
        cluster = Cluster(storage, etcd_url, f"https://127.0.0.1:{port}", kubeconfig,
                          write_token_kubeconfig(kubeconfig, work / "alice.kubeconfig", "alice",
                                                 ALICE_TOKEN),
                          cert_dir, process, log, cache_dir)
        _wait_ready(cluster)
        yield cluster
    finally:
        processes.stop_process(process)
        process.stdout.close()


@contextlib.contextmanager
def cluster(storage: str, work: Path, *extra: str) -> Iterator[Cluster]:
    """etcd of the given kind plus the apiserver, stopped in reverse order."""
    with etcd(storage, work) as url, apiserver(url, work / "apiserver", storage, *extra) as running:
        yield running


def _drain(process: subprocess.Popen) -> None:
    """Keep reading stdout after the ready line so the server never blocks on a full pipe."""
    with contextlib.suppress(ValueError, OSError):
        for _ in process.stdout:
            pass


def _wait_ready(cluster: Cluster) -> None:
    """Until /readyz answers 200 with the admin certificate (it checks etcd too upstream)."""
    deadline = time.monotonic() + START_TIMEOUT
    last = ""
    while time.monotonic() < deadline:
        if cluster.process.poll() is not None:
            break
        try:
            status, body = cluster.request("GET", "/readyz")
            if status == 200:
                return
            last = f"/readyz answered {status} {body}"
        except (OSError, ssl.SSLError, http.client.HTTPException) as error:
            last = repr(error)
        time.sleep(0.1)
    raise ClusterError(f"apiserver at {cluster.server} never became ready ({last})",
                       cluster.log.read_text(errors="replace"))


@contextlib.contextmanager
def kubectl_stream(cluster: Cluster, *args: str, user: str = "admin") -> Iterator[processes.LineReader]:
    """A long-running kubectl whose stdout is read line by line; its stderr is kept apart."""
    process = subprocess.Popen(cluster.kubectl_argv(*args, user=user), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=cluster.env())
    reader = processes.LineReader(process)
    try:
        yield reader
    finally:
        processes.stop_process(process)
        process.stdout.close()
        process.stderr.close()


def started(storage: str, work: Path, *extra: str):
    """A generator for a pytest fixture: the cluster, or a test failure with the log."""
    import pytest
    if storage == "etcd":
        processes.require("etcd")
    try:
        with cluster(storage, work, *extra) as running:
            yield running
    except ClusterError as error:
        pytest.fail(str(error), pytrace=False)


# --- pytest fixtures (import them into a test module by name) -------------------------------------

import pytest  # noqa: E402


@pytest.fixture(scope="module", params=STORAGES)
def control_plane(request, tmp_path_factory) -> Iterator[Cluster]:
    """The apiserver on the reference etcd, then again on real etcd 3.4."""
    yield from started(request.param, tmp_path_factory.mktemp(f"cluster-{request.param}"))


@pytest.fixture(scope="module")
def reference_control_plane(tmp_path_factory) -> Iterator[Cluster]:
    """The apiserver on the reference etcd only."""
    yield from started("reference", tmp_path_factory.mktemp("cluster-reference"))
