"""Rules of restarting the reference etcd process: at once on the same port after kill -9."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from processes import (
    ROOT, START_TIMEOUT, Server, etcdctl, etcdctl_stream, free_port, read_ready_line, stop_process)


def start(data_dir, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "reference_impl.etcd.run", "--data-dir", str(data_dir),
         "--listen-client-urls", f"http://127.0.0.1:{port}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)})


def test_a_killed_server_restarts_at_once_on_its_port(tmp_path):
    """Connections of a server killed with SIGKILL linger in TIME_WAIT; the restarted server
    binds the same port anyway (SO_REUSEADDR, as etcd's listeners), and serves the old data."""
    port = free_port()
    first = start(tmp_path / "data", port)
    try:
        assert "ready" in read_ready_line(first, START_TIMEOUT)
        server = Server("reference", f"127.0.0.1:{port}", first, "", tmp_path / "log")
        assert etcdctl(server, "put", "k", "v").returncode == 0
        with etcdctl_stream(server, "watch", "k") as watch:
            assert etcdctl(server, "put", "k", "v2").returncode == 0
            watch.read(3)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            time.sleep(0.5)  # the watching client notices and closes its side
    finally:
        stop_process(first)
    second = start(tmp_path / "data", port)
    try:
        line = read_ready_line(second, START_TIMEOUT)
        assert "ready" in line, second.stderr.read() if second.poll() is not None else line
        server = Server("reference", f"127.0.0.1:{port}", second, "", tmp_path / "log")
        got = etcdctl(server, "get", "k", "--print-value-only")
        assert got.stdout.strip() == "v2"
    finally:
        stop_process(second)
