"""Rules of restarting the reference etcd process: at once on the same port after kill -9, and
snapshots by count however often it restarts."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from processes import (
    ROOT, START_TIMEOUT, Server, etcdctl, etcdctl_stream, free_port, read_ready_line,
    reference_server, require, stop_process)
from reference_impl.cluster import ETCD_PEERS_ANY_PORT
from reference_impl.etcd.wal import read_frames


def start(data_dir, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "reference_impl.etcd.run", "--data-dir", str(data_dir),
         "--listen-client-urls", f"http://127.0.0.1:{port}", *ETCD_PEERS_ANY_PORT],
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


def test_snapshot_count_holds_across_restarts_of_the_process(tmp_path):
    """`--snapshot-count N`: writes spread over restarts, none reaching N alone, still snapshot,
    and the log behind the snapshot is released."""
    for run in range(3):
        with reference_server(tmp_path, "--snapshot-count", "20") as server:
            for i in range(15):
                assert etcdctl(server, "put", f"k{i}", f"run{run}").returncode == 0
    data_dir = tmp_path / "data"
    assert list(data_dir.glob("snap-*.json"))
    logged = sum(len(record.get("ents", ())) for path in data_dir.glob("wal-*.log")
                 for _, record in read_frames(path, True))
    # Raft entries (the puts, and each run's election and publish) back to the older of the two
    # snapshots kept: fewer than two snapshots' worth of the 50 or so written.
    assert logged < 2 * 20
    with reference_server(tmp_path) as server:
        assert etcdctl(server, "get", "k3", "--print-value-only").stdout == "run2\n"


@pytest.mark.parametrize("delay", [0.0, 0.3])
def test_a_kill_while_a_learner_is_added_loses_nothing_and_restarts(tmp_path, delay):
    """kill -9 while `member add --learner` is under way (before, during or after its conf
    change commits): the restart is not refused, every acknowledged write is there, and the
    member serves writes (a learner does not count toward the quorum, added or not)."""
    with reference_server(tmp_path, "--snapshot-count", "5") as server:
        for i in range(8):
            assert etcdctl(server, "put", f"k{i}", "v").returncode == 0
        adding = subprocess.Popen(
            [require("etcdctl"), f"--endpoints={server.address}", "member", "add", "n2", "--learner",
             "--peer-urls=http://127.0.0.1:2999"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "ETCDCTL_API": "3"})
        time.sleep(delay)
        server.process.kill()
        adding.communicate(timeout=30)
    with reference_server(tmp_path) as server:
        keys = etcdctl(server, "get", "k", "--prefix", "--keys-only").stdout.split()
        assert keys == [f"k{i}" for i in range(8)]
        members = etcdctl(server, "member", "list").stdout.splitlines()
        assert len(members) in (1, 2) and "default" in members[0] + members[-1]
        assert etcdctl(server, "put", "after", "v").returncode == 0
