"""A mixed cluster: `--upstream` and `--etcd` parsed, and real binaries wired in, here played by
fake executables that record their command line and show readiness the way the real ones do (CI
builds no Go)."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from analyzer.cli import main
from reference_impl import cluster

# A kubemark stand-in: records its argv and TMPDIR, logs kubemark's line for its morph, then waits.
FAKE_KUBEMARK = """\
import json, os, sys, time
morph = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--morph=")][0]
name = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--name=")][0]
with open(os.environ["RECORD_DIR"] + f"/{morph}-{name}.json", "w") as out:
    json.dump({"argv": sys.argv, "tmpdir": os.environ["TMPDIR"]}, out)
line = {"kubelet": "Starting kubelet main sync loop",
        "proxy": "Starting endpoint slice config controller"}[morph]
print(f'I1204 00:00:00.000000       1 x.go:1] "{line}"', flush=True)
time.sleep(600)
"""

# A kube-scheduler stand-in: serves /healthz over TLS on --secure-port, as the real one does.
FAKE_SCHEDULER = """\
import http.server, os, ssl, sys
from pathlib import Path
from reference_impl.apiserver.adapter.certs import issue_apiserver_serving_cert
from reference_impl.machinery.certutil import new_ca
flags = dict(a[2:].split("=", 1) for a in sys.argv[1:])
Path(os.environ["RECORD_DIR"], "scheduler.argv").write_text("\\n".join(sys.argv[1:]))
pair = issue_apiserver_serving_cert(new_ca())
cert_dir = Path(flags["cert-dir"]); cert_dir.mkdir(parents=True, exist_ok=True)
(cert_dir / "s.crt").write_bytes(pair.cert_pem); (cert_dir / "s.key").write_bytes(pair.key_pem)
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b"ok")
server = http.server.HTTPServer((flags["bind-address"], int(flags["secure-port"])), Health)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert_dir / "s.crt", cert_dir / "s.key")
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
"""


def executable(path: Path, source: str) -> Path:
    path.write_text(f"#!{sys.executable}\n" + source)
    path.chmod(0o755)
    return path


@pytest.fixture
def fakes(tmp_path, monkeypatch):
    records = tmp_path / "records"
    records.mkdir()
    monkeypatch.setenv("RECORD_DIR", str(records))
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[3]))
    return (records, executable(tmp_path / "kubemark", FAKE_KUBEMARK),
            executable(tmp_path / "kube-scheduler", FAKE_SCHEDULER))


def test_upstream_is_component_equals_path(tmp_path):
    """--upstream names each replaced component and its binary, resolved to an absolute path."""
    binary = executable(tmp_path / "kubemark", "")
    assert cluster.parse_upstream(f"kubelet={binary}, proxy={binary}") == {"kubelet": binary, "proxy": binary}
    assert cluster.parse_upstream("") == {}


@pytest.mark.parametrize("value, message", [
    ("kubelet", "is not COMPONENT=PATH"),
    ("apiserver=/bin/true", "unknown component 'apiserver'"),
    ("scheduler=/nonexistent/kube-scheduler", "is not an executable file"),
])
def test_a_bad_upstream_is_a_usage_error(tmp_path, capsys, value, message):
    """A malformed entry, a component that cannot be replaced or a missing binary exits 2, saying which."""
    assert main(["cluster", "up", "--dir", str(tmp_path), "--upstream", value]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "cluster.json").exists()


def test_a_bad_etcd_is_a_usage_error(tmp_path, capsys):
    """--etcd is `reference` or an executable file."""
    assert main(["cluster", "up", "--dir", str(tmp_path), "--etcd", "/nonexistent/etcd"]) == 2
    assert "neither 'reference' nor an executable file" in capsys.readouterr().err


def test_real_scheduler_and_controller_manager_flags():
    """The real scheduler and controller-manager get the kubeconfig, no leader election, a loopback
    secure port whose /healthz says they are ready; the controller-manager runs every controller."""
    argv, ready = cluster.upstream_argv("controller-manager", Path("/bin/kcm"), Path("/c"), "controller-manager",
                                        Path("/c/admin.kubeconfig"))
    assert argv[0] == "/bin/kcm"
    for flag in ("--kubeconfig=/c/admin.kubeconfig", "--leader-elect=false", "--bind-address=127.0.0.1",
                 "--controllers=*", "--use-service-account-credentials=false", "--root-ca-file=/c/pki/ca.crt"):
        assert flag in argv
    port = [a for a in argv if a.startswith("--secure-port=")][0].split("=")[1]
    assert ready == cluster.Ready(url=f"https://127.0.0.1:{port}/healthz")
    argv, _ = cluster.upstream_argv("scheduler", Path("/bin/ks"), Path("/c"), "scheduler", Path("/c/k"))
    assert "--controllers=*" not in argv and "--leader-elect=false" in argv


def test_kubemark_morphs_into_kubelet_and_proxy():
    """kubemark runs as --morph=kubelet for node-i (own kubelet port, no read-only port, the fake
    image service) and as --morph=proxy; both are ready once their loop's start is logged."""
    argv, ready = cluster.upstream_argv("kubelet", Path("/bin/kubemark"), Path("/c"), "kubelet-2", Path("/c/k"), "node-2")
    assert argv[1:4] == ("--morph=kubelet", "--name=node-2", "--kubeconfig=/c/k")
    assert "--kubelet-read-only-port=0" in argv and "--use-host-image-service=false" in argv
    assert ready.line == "Starting kubelet main sync loop"
    argv, ready = cluster.upstream_argv("proxy", Path("/bin/kubemark"), Path("/c"), "proxy", Path("/c/k"))
    assert argv[1] == "--morph=proxy" and ready.line == "Starting endpoint slice config controller"


def test_up_runs_kubemark_for_each_kubelet_and_the_proxy(tmp_path, capsys, fakes):
    """`up --upstream kubelet=…,proxy=…` starts one kubemark kubelet per node and a kubemark proxy,
    each with the cluster's kubeconfig and its TMPDIR inside the cluster directory."""
    records, kubemark, _ = fakes
    directory = tmp_path / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--only", "etcd,kubelet,proxy", "--kubelets", "2",
                 "--upstream", f"kubelet={kubemark},proxy={kubemark}"]) == 0
    try:
        out = capsys.readouterr().out
        assert all(f"{name}\trunning" in out for name in ("etcd", "kubelet-1", "kubelet-2", "proxy"))
        for record in ("kubelet-node-1", "kubelet-node-2", "proxy-node-1"):
            seen = json.loads((records / f"{record}.json").read_text())
            assert f"--kubeconfig={directory.resolve() / 'admin.kubeconfig'}" in seen["argv"]
            assert seen["tmpdir"].startswith(str(directory.resolve()))
    finally:
        assert main(["cluster", "down", "--dir", str(directory)]) == 0


def test_up_waits_for_the_real_schedulers_healthz(tmp_path, capsys, fakes):
    """A real scheduler is ready when its /healthz answers 200 on the port it was given."""
    records, _, scheduler = fakes
    directory = tmp_path / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--only", "etcd,scheduler",
                 "--upstream", f"scheduler={scheduler}"]) == 0
    try:
        assert "scheduler\trunning" in capsys.readouterr().out
        assert "--leader-elect=false" in (records / "scheduler.argv").read_text().splitlines()
    finally:
        main(["cluster", "down", "--dir", str(directory)])


def test_an_upstream_that_dies_stops_the_start_up(tmp_path, capsys):
    """A real component that exits before it is ready fails `up` with its last log lines, and what
    was started is stopped again."""
    dying = executable(tmp_path / "kubemark", "import sys\nprint('F1204 cannot reach the apiserver')\nsys.exit(255)\n")
    directory = tmp_path / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--only", "etcd,proxy",
                 "--upstream", f"proxy={dying}"]) == 1
    err = capsys.readouterr().err
    assert "proxy exited with status 255" in err and "cannot reach the apiserver" in err
    assert not (directory / "cluster.json").exists()


@pytest.mark.skipif(shutil.which("etcd") is None, reason="needs etcd (Debian's etcd-server)")
def test_up_on_a_real_etcd(tmp_path, capsys):
    """--etcd PATH runs that etcd on loopback, ready when /health answers; the apiserver, which
    writes the system namespaces before it is ready, starts on it."""
    directory = tmp_path / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--only", "etcd,apiserver",
                 "--etcd", shutil.which("etcd")]) == 0
    try:
        capsys.readouterr()
        recorded = cluster.Cluster.load(directory.resolve())
        assert recorded.processes[0].argv[0] == shutil.which("etcd")
        assert any(a.startswith("--initial-cluster=default=http://127.0.0.1:") for a in recorded.processes[0].argv)
    finally:
        main(["cluster", "down", "--dir", str(directory)])
