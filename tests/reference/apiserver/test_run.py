"""`kubeatlas run apiserver`: one-line start-up errors, and a server (with the reference etcd, both
in this process) that authenticates, authorizes and admits as the flags say."""
from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import re
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from reference_impl.apiserver.adapter import certs
from reference_impl.machinery import certutil
from reference_impl.apiserver.adapter import run as apiserver
from reference_impl.etcd import run as etcd
from tests.reference.etcd.processes import reference_server
from reference_impl.cluster import free_port

START_TIMEOUT = 30.0
TOKENS = 'alice-token,alice,uid-alice,"viewers"\n'


def one_line_error(capsys, argv) -> str:
    assert apiserver.main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_https_etcd_url_is_refused(capsys, tmp_path):
    err = one_line_error(capsys, ["--etcd-servers", "https://127.0.0.1:2379", "--cert-dir", str(tmp_path)])
    assert "--etcd-servers: 'https://127.0.0.1:2379' is not of the form http://HOST:PORT" in err


@pytest.mark.parametrize("flag, words", [
    ("--etcd-server=http://127.0.0.1:2379", "unknown flag: --etcd-server"),
    ("--secure-port=abc", 'invalid argument "abc" for "--secure-port" flag: strconv.ParseInt: parsing "abc": invalid syntax'),
    ("--bind-address=abc", 'invalid argument "abc" for "--bind-address" flag: failed to parse IP: "abc"'),
])
def test_a_flag_the_real_command_refuses_is_refused_in_its_words(capsys, tmp_path, flag, words):
    """The command line is parsed as the real 1.24 kube-apiserver's cobra command parses it: no
    abbreviated flag (`--etcd-server` is not --etcd-servers) and cobra's one "Error: " line, as
    /work/k8s-bin/kube-apiserver printed for each of these."""
    err = one_line_error(capsys, ["--etcd-servers=http://127.0.0.1:2379", f"--cert-dir={tmp_path}", flag])
    assert err == f"Error: {words}\n"


def test_unreachable_etcd_is_one_line(capsys, tmp_path):
    port = free_port()
    err = one_line_error(capsys, ["--etcd-servers", f"http://127.0.0.1:{port}", "--cert-dir", str(tmp_path),
                                  "--secure-port", "0", "--etcd-wait-seconds", "0"])
    assert err.startswith(f"reference kube-apiserver: error: cannot reach etcd at http://127.0.0.1:{port}")


def test_the_server_process_starts_once_etcd_comes_up(tmp_path):
    """Started before its etcd, the apiserver process waits (logging each retry) and serves once
    etcd is there, instead of exiting."""
    port = free_port()
    root = Path(__file__).resolve().parents[3]
    server = subprocess.Popen([sys.executable, "-m", "reference_impl.apiserver.adapter.run", "--etcd-servers",
                               f"http://127.0.0.1:{port}", "--cert-dir", str(tmp_path / "certs"),
                               "--secure-port", "0"], cwd=root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        assert select.select([server.stderr], [], [], START_TIMEOUT)[0], "no waiting line"
        waiting = server.stderr.readline()
        # A try waits a second for etcd, not a request's 10 s deadline.
        assert time.monotonic() - started < 8, "the first waiting line came late"
        assert f"waiting for etcd at http://127.0.0.1:{port}" in waiting, waiting
        assert server.poll() is None
        with reference_server(tmp_path / "etcd", "--listen-client-urls", f"http://127.0.0.1:{port}"):
            assert select.select([server.stdout], [], [], START_TIMEOUT)[0], "no ready line"
            ready = server.stdout.readline()
            assert ready.startswith("ready: reference kube-apiserver serving on https://127.0.0.1:"), ready
    finally:
        server.terminate()
        server.communicate(timeout=20)


def test_the_server_waits_for_an_etcd_that_is_not_up_yet(tmp_path):
    """kube-apiserver does not exit when etcd is not up yet: it retries with backoff, saying so."""
    port = free_port()
    log, sleeps = io.StringIO(), []
    with reference_server(tmp_path / "etcd") as etcd:
        def sleep(seconds):  # etcd "comes up" after the third try
            sleeps.append(seconds)
        url = etcd.address if etcd.address.startswith("http") else f"http://{etcd.address}"
        attempts = iter([f"http://127.0.0.1:{port}"] * 3)
        original = apiserver.EtcdClient

        def etcd_client(_, **options):
            return original(next(attempts, url), **options)

        apiserver.EtcdClient = etcd_client
        try:
            client = apiserver._connect_etcd(url, wait=60, sleep=sleep, log=log)
        finally:
            apiserver.EtcdClient = original
        client.close()
    assert sleeps == [0.25, 0.5, 1.0]
    assert log.getvalue().count("waiting for etcd") == 3


def test_busy_port_is_one_line(capsys, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        err = one_line_error(capsys, ["--etcd-servers", "http://127.0.0.1:1", "--cert-dir", str(tmp_path),
                                      "--secure-port", str(port)])
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in err


def test_bad_token_file_is_one_line(capsys, tmp_path):
    (tmp_path / "tokens.csv").write_text("only,two\n")
    err = one_line_error(capsys, ["--etcd-servers", "http://127.0.0.1:1", "--cert-dir", str(tmp_path),
                                  "--token-auth-file", str(tmp_path / "tokens.csv")])
    assert "must have at least 3 columns" in err


def test_a_missing_required_flag_is_cobras_error(capsys):
    assert one_line_error(capsys, ["--cert-dir", "x"]) == 'Error: required flag(s) "etcd-servers" not set\n'


@pytest.mark.parametrize("value, seconds", [("1h", 3600), ("90s", 90), ("1m30.5s", 90), ("0", 0)])
def test_event_ttl_is_a_go_duration(value, seconds):
    assert apiserver.parse_args(["--etcd-servers", "x", "--cert-dir", "d", "--event-ttl", value]).event_ttl == seconds
    assert apiserver.parse_args(["--etcd-servers", "x", "--cert-dir", "d"]).event_ttl == 3600


@pytest.mark.parametrize("value, message", [("5", 'time: missing unit in duration "5"'),
                                            ("1d", 'time: unknown unit "d" in duration "1d"'),
                                            ("-1h", "'-1h' is negative")])
def test_a_bad_event_ttl_is_refused_in_go_words(capsys, value, message):
    err = one_line_error(capsys, ["--etcd-servers", "x", "--cert-dir", "d", f"--event-ttl={value}"])
    assert err == f'Error: invalid argument "{value}" for "--event-ttl" flag: {message}\n'


@contextlib.contextmanager
def serving(target, *args, **kwargs):
    """Run a server's `run(..., out=, stop=)` in a thread until its ready line; yield that line."""
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(target=target, args=args, kwargs={**kwargs, "out": out, "stop": stop})
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "ready" not in out.getvalue():
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield out.getvalue().strip()
    finally:
        stop.set()
        thread.join(START_TIMEOUT)


@pytest.fixture(scope="module")
def etcd_url(tmp_path_factory):
    """The reference etcd the module's apiserver stores in; yields its client URL."""
    with serving(etcd.run, tmp_path_factory.mktemp("etcd"), "http://127.0.0.1:0",
                 listen_peer_urls="http://127.0.0.1:0") as ready:
        yield re.search(r"serving the v3 API on (http://[^\s,]+)", ready).group(1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, etcd_url):
    """The apiserver with a token file; yields (url, kubeconfig, cert dir)."""
    root = tmp_path_factory.mktemp("apiserver")
    (root / "tokens.csv").write_text(TOKENS)
    options = apiserver.Options(etcd_url, root / "pki", secure_port=0,
                                token_auth_file=root / "tokens.csv", kubeconfig_out=root / "admin.conf")
    with serving(apiserver.run, options) as ready:
        yield ready.split()[-3], root / "admin.conf", root / "pki"


def call(url: str, cert_dir: Path, path: str, *, method="GET", body=None, token=None, admin=False,
         cert: tuple[Path, Path] | None = None):
    context = ssl.create_default_context(cafile=str(cert_dir / "ca.crt"))
    if admin:
        cert = cert_dir / "admin.crt", cert_dir / "admin.key"
    if cert:
        context.load_cert_chain(*cert)
    host, port = url.removeprefix("https://").rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), context=context, timeout=10)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def test_ready_line_and_admin_kubeconfig(cluster):
    """The kubeconfig names the served URL, the CA and the admin client certificate."""
    url, kubeconfig, cert_dir = cluster
    assert url.startswith("https://127.0.0.1:")
    config = yaml.safe_load(kubeconfig.read_text())
    assert config["clusters"][0]["cluster"]["server"] == url
    assert base64.b64decode(config["users"][0]["user"]["client-certificate-data"]) == \
        (cert_dir / "admin.crt").read_bytes()


def test_admin_certificate_sees_bootstrap_namespaces_and_policy(cluster):
    url, _, cert_dir = cluster
    status, namespaces = call(url, cert_dir, "/api/v1/namespaces", admin=True)
    assert status == 200
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= \
        {n["metadata"]["name"] for n in namespaces["items"]}
    status, roles = call(url, cert_dir, "/apis/rbac.authorization.k8s.io/v1/clusterroles", admin=True)
    assert {"cluster-admin", "system:discovery"} <= {r["metadata"]["name"] for r in roles["items"]}


def test_the_client_ca_is_published_for_delegated_authentication(cluster):
    """kube-system/extension-apiserver-authentication holds the CA the server trusts client
    certificates of, as the real 1.24 writes it at start."""
    url, _, cert_dir = cluster
    status, config_map = call(url, cert_dir, "/api/v1/namespaces/kube-system/configmaps/"
                                             "extension-apiserver-authentication", admin=True)
    assert (status, config_map["data"]) == (200, {"client-ca-file": (cert_dir / "ca.crt").read_text()})


def test_no_credentials_is_system_anonymous(cluster):
    """kube-apiserver's --anonymous-auth is true by default: a request without credentials is
    system:anonymous, which the bootstrap policy lets read /version and /healthz only (as the real
    1.24 server answers)."""
    url, _, cert_dir = cluster
    assert call(url, cert_dir, "/version")[0] == 200
    status, body = call(url, cert_dir, "/api/v1/namespaces/default/pods")
    assert (status, body["message"]) == (403, 'pods is forbidden: User "system:anonymous" cannot list resource '
                                              '"pods" in API group "" in the namespace "default"')
    status, body = call(url, cert_dir, "/apis")
    assert (status, body["message"]) == (403, 'forbidden: User "system:anonymous" cannot get path "/apis"')


@pytest.mark.parametrize("argv, anonymous", [([], True), (["--anonymous-auth"], True),
                                             (["--anonymous-auth=false"], False), (["--anonymous-auth=0"], False),
                                             (["--anonymous-auth=T"], True)])
def test_anonymous_auth_is_a_go_bool_flag_on_by_default(argv, anonymous):
    assert apiserver.parse_args(["--etcd-servers", "x", "--cert-dir", "d", *argv]).anonymous_auth is anonymous


def test_a_bad_anonymous_auth_value_is_refused_in_go_words(capsys):
    err = one_line_error(capsys, ["--etcd-servers", "x", "--cert-dir", "d", "--anonymous-auth=yes"])
    assert err == 'Error: invalid argument "yes" for "--anonymous-auth" flag: strconv.ParseBool: parsing "yes": invalid syntax\n'


def test_token_user_may_discover_but_not_list_pods(cluster):
    url, _, cert_dir = cluster
    assert call(url, cert_dir, "/version", token="alice-token")[0] == 200
    status, body = call(url, cert_dir, "/api/v1/namespaces/default/pods", token="alice-token")
    assert status == 403
    assert body["message"].startswith('pods is forbidden: User "alice" cannot list resource "pods" '
                                      'in API group "" in the namespace "default"')
    assert call(url, cert_dir, "/version", token="wrong")[0] == 401


def test_admission_runs_on_writes(cluster):
    url, _, cert_dir = cluster
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    status, body = call(url, cert_dir, "/api/v1/namespaces/nowhere/pods", method="POST", body=pod, admin=True)
    assert (status, body["message"]) == (404, 'namespaces "nowhere" not found')
    status, body = call(url, cert_dir, "/api/v1/namespaces/default/pods", method="POST", body=pod, admin=True)
    assert status == 201 and body["spec"]["serviceAccountName"] == "default"
    status, body = call(url, cert_dir, "/api/v1/namespaces/default", method="DELETE", admin=True)
    assert (status, body["message"]) == (403, 'namespaces "default" is forbidden: this namespace may not be deleted')


def test_a_kubelet_certificate_is_authorized_as_its_node(cluster, tmp_path):
    """The server runs kubeadm's --authorization-mode=Node,RBAC with NodeRestriction: a client
    certificate CN=system:node:node-1, O=system:nodes reads nodes but modifies only node-1."""
    url, _, cert_dir = cluster
    kubelet = certutil.issue_client_cert(certs.ensure_certs(cert_dir).ca, "system:node:node-1", ("system:nodes",))
    cert = tmp_path / "kubelet.crt", tmp_path / "kubelet.key"
    cert[0].write_bytes(kubelet.cert_pem)
    cert[1].write_bytes(kubelet.key_pem)
    for name in ("node-1", "node-2"):
        call(url, cert_dir, "/api/v1/nodes", method="POST", admin=True,
             body={"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
    status, node = call(url, cert_dir, "/api/v1/nodes/node-1", cert=cert)
    assert (status, node["metadata"]["name"]) == (200, "node-1")
    status, body = call(url, cert_dir, "/api/v1/nodes/node-2", method="PUT", cert=cert,
                        body={"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-2"}})
    assert (status, body["message"]) == (403, 'nodes "node-2" is forbidden: node "node-1" is not allowed to modify '
                                              'node "node-2"')


def test_a_watch_from_the_servers_start_is_replayed_once_etcd_is_compacted(cluster, etcd_url):
    """Every resource's watch cache lists when the server starts: a watch of config maps from
    resourceVersion 1 replays their changes since, even after `etcdctl compact <latest>`."""
    url, _, cert_dir = cluster
    status, created = call(url, cert_dir, "/api/v1/namespaces/default/configmaps", method="POST", admin=True,
                           body={"metadata": {"name": "before-compaction"}})
    assert status == 201
    etcd_client = apiserver.EtcdClient(etcd_url)
    try:
        etcd_client.compact(int(created["metadata"]["resourceVersion"]))
    finally:
        etcd_client.close()
    context = ssl.create_default_context(cafile=str(cert_dir / "ca.crt"))
    context.load_cert_chain(cert_dir / "admin.crt", cert_dir / "admin.key")
    host, port = url.removeprefix("https://").rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), context=context, timeout=10)
    try:
        conn.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1")
        events = [json.loads(line) for line in conn.getresponse().read().splitlines()]
    finally:
        conn.close()
    assert [(e["type"], e["object"].get("code")) for e in events] == [("ADDED", None)]  # not ("ERROR", 410)
    assert events[0]["object"]["metadata"]["name"] == "before-compaction"
