"""`kubeatlas cluster up --etcd-members 3`: three reference etcd members, and an apiserver that
uses all of them and keeps serving, reads and writes, when the member it talks to is killed."""
from __future__ import annotations

import collections
import http.client
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

from analyzer.cli import main
from reference_impl.cluster import Cluster

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "apiserver"))
from cluster import admin_ssl_context  # noqa: E402  (the apiserver suite's TLS helper)


def kubectl(kubeconfig, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "--request-timeout=5s", *args],
                          capture_output=True, text=True, timeout=30)


def test_the_apiserver_uses_every_member_and_fails_over_when_one_dies(tmp_path, capsys):
    directory = tmp_path / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--only", "etcd,apiserver",
                 "--etcd-members", "3"]) == 0
    out = capsys.readouterr().out
    assert all(f"etcd-{i}\trunning" in out for i in (1, 2, 3))
    try:
        recorded = Cluster.load(directory)
        apiserver = next(p for p in recorded.processes if p.name == "apiserver")
        etcd_servers = apiserver.argv[apiserver.argv.index("--etcd-servers") + 1].split(",")
        assert len(etcd_servers) == 3
        kubeconfig = directory / "admin.kubeconfig"
        created = kubectl(kubeconfig, "create", "configmap", "before", "--from-literal=a=b")
        assert created.returncode == 0, created.stderr
        # The apiserver's channel uses the first member it lists until that one fails.
        first = next(p for p in recorded.processes if p.name == "etcd-1")
        os.kill(first.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            created = kubectl(kubeconfig, "create", "configmap", "after", "--from-literal=a=b")
            if created.returncode == 0 or "AlreadyExists" in created.stderr:
                break
            assert time.monotonic() < deadline, created.stderr
            time.sleep(0.5)
        listed = json.loads(kubectl(kubeconfig, "get", "configmaps", "-o", "json").stdout)
        assert {"before", "after"} <= {item["metadata"]["name"] for item in listed["items"]}
    finally:
        main(["cluster", "down", "--dir", str(directory)])


def _etcdctl(endpoints: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["etcdctl", f"--endpoints={endpoints}", "--command-timeout=5s", *args],
                          capture_output=True, text=True, timeout=30,
                          env={**os.environ, "ETCDCTL_API": "3"})


def _make_leader(endpoints: list[str], target: str) -> None:
    """Move the Raft leadership to the member serving `target` (etcdctl move-leader)."""
    statuses = json.loads(_etcdctl(",".join(endpoints), "endpoint", "status", "-w", "json").stdout)
    by_endpoint = {s["Endpoint"]: s["Status"] for s in statuses}
    target_id = by_endpoint[target]["header"]["member_id"]
    leader = next(e for e, s in by_endpoint.items() if s["header"]["member_id"] == s["leader"])
    if leader != target:
        moved = _etcdctl(leader, "move-leader", f"{target_id:x}")
        assert moved.returncode == 0, moved.stderr


def _created(answers: list[tuple[str, int, dict, float]], since: float = 0.0) -> int:
    """How many of the creates answered after `since` were 201."""
    return sum(1 for _, status, _, at in list(answers) if status == 201 and at > since)


def test_creates_through_the_apiserver_survive_killing_its_member_and_the_leader(tmp_path, capsys):
    """A client creates ConfigMaps through the apiserver while the etcd member the apiserver
    talks to, the Raft leader too, is SIGKILLed: the apiserver retries its writes on the other
    members, so every create is answered 201 (or 409, if a retried create finds its own first
    attempt committed; or 504 Timeout, as Kubernetes answers when the deadline passes, never
    another 5xx), and every create answered 201 or 409 is there afterwards."""
    directory = tmp_path / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--only", "etcd,apiserver",
                 "--etcd-members", "3"]) == 0
    capsys.readouterr()
    try:
        recorded = Cluster.load(directory)
        apiserver = next(p for p in recorded.processes if p.name == "apiserver")
        endpoints = apiserver.argv[apiserver.argv.index("--etcd-servers") + 1].split(",")
        pinned = endpoints[0]  # the apiserver's client uses the first member until it fails
        member = next(p for p in recorded.processes if p.name.startswith("etcd-") and pinned in p.argv)
        _make_leader(endpoints, pinned)
        kubeconfig = directory / "admin.kubeconfig"
        server = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        tls = admin_ssl_context(kubeconfig, tmp_path / "pem")
        port = int(server.rsplit(":", 1)[1])
        answers: list[tuple[str, int, dict, float]] = []
        stop = threading.Event()

        def create_until_stopped() -> None:
            for n in itertools.count():
                if stop.is_set():
                    return
                name = f"cm-{n:05d}"
                body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                   "metadata": {"name": name}, "data": {"n": str(n)}}).encode()
                conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, context=tls)
                try:
                    conn.request("POST", "/api/v1/namespaces/default/configmaps", body=body,
                                 headers={"Content-Type": "application/json"})
                    response = conn.getresponse()
                    answers.append((name, response.status, json.loads(response.read() or b"{}"),
                                    time.monotonic()))
                finally:
                    conn.close()

        creator = threading.Thread(target=create_until_stopped)
        creator.start()
        try:
            time.sleep(2.0)
            killed_at = time.monotonic()
            os.kill(member.pid, signal.SIGKILL)
            # Creates go on until the apiserver has failed over (a minute at most: the
            # assertions below then say what was missing).
            deadline = time.monotonic() + 60
            while (_created(answers) <= 20 or _created(answers, killed_at) < 5) \
                    and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop.set()
            creator.join(90)
        statuses = collections.Counter(status for _, status, _, _ in answers)
        assert set(statuses) <= {201, 409, 504}, [(n, s, b.get("message")) for n, s, b, _ in answers
                                                  if s not in (201, 409, 504)]
        for name, status, body, _ in answers:
            if status == 409:
                assert body["reason"] == "AlreadyExists", body
            if status == 504:
                assert body["reason"] == "Timeout", body
        after_kill = [name for name, status, _, at in answers if status == 201 and at > killed_at]
        assert statuses[201] > 20 and len(after_kill) >= 5, statuses
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, context=tls)
        try:
            conn.request("GET", "/api/v1/namespaces/default/configmaps")  # no resourceVersion: from etcd
            listed = json.loads(conn.getresponse().read())
        finally:
            conn.close()
        stored = {item["metadata"]["name"] for item in listed["items"]}
        assert {name for name, status, _, _ in answers if status in (201, 409)} <= stored
    finally:
        main(["cluster", "down", "--dir", str(directory)])
