"""`kubeatlas cluster up --etcd-members 3`: three reference etcd members, and an apiserver that
uses all of them and keeps serving when the member it talks to is killed."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time

from analyzer.cli import main
from reference_impl.cluster import Cluster


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
