"""The local cluster starts the reference etcd and apiserver with grpcio's EventEngine threads
turned off (GRPC_EXPERIMENTS), so a gRPC call is read and written by the thread that waits for it."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import grpc
from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

from reference_impl import cluster
from reference_impl.machinery.process import COMPONENT_MODULES


def event_engine_switches(pid: int) -> int:
    """Context switches so far of the process's grpcio EventEngine threads (named so in /proc)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            if (task / "comm").read_text().strip() != "event_engine":
                continue
            total += sum(int(line.split()[1]) for line in (task / "status").read_text().splitlines()
                         if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
        except OSError:
            continue
    return total


def test_the_grpc_components_get_the_setting_and_others_do_not():
    """etcd and the apiserver get GRPC_EXPERIMENTS; the scheduler, which has no gRPC, does not."""
    for component, wanted in (("etcd", True), ("apiserver", True), ("scheduler", False)):
        env = cluster.child_environment((sys.executable, "-m", COMPONENT_MODULES[component]), environ={})
        assert ("GRPC_EXPERIMENTS" in env) is wanted, component
    assert "-event_engine_listener" in cluster.GRPC_EXPERIMENTS.split(",")


def test_a_users_own_grpc_experiments_are_kept():
    argv = (sys.executable, "-m", COMPONENT_MODULES["etcd"])
    assert cluster.child_environment(argv, environ={"GRPC_EXPERIMENTS": "x"})["GRPC_EXPERIMENTS"] == "x"
    assert cluster.child_environment(argv, {"GRPC_EXPERIMENTS": "y"}, environ={})["GRPC_EXPERIMENTS"] == "y"


def test_the_cluster_etcd_serves_calls_without_waking_event_engine_threads(tmp_path):
    """200 calls to the reference etcd the cluster starts cost its EventEngine threads (grpcio
    keeps a few for timers) under 1.5 switches a call; with grpcio's default they take about 6
    (measured: about 100 against 1,200 for the 200 calls)."""
    process, ready = cluster.start(tmp_path, "etcd", "etcd", [
        "--data-dir", str(tmp_path / "etcd"), "--listen-client-urls", "http://127.0.0.1:0",
        *cluster.ETCD_HTTP_APART, *cluster.ETCD_PEERS_ANY_PORT])
    try:
        address = re.search(r"http://(127\.0\.0\.1:\d+)", ready).group(1)
        with grpc.insecure_channel(address) as channel:
            kv = rpc_pb2_grpc.KVStub(channel)
            kv.Range(rpc_pb2.RangeRequest(key=b"warm-up"), timeout=10)
            before = event_engine_switches(process.pid)
            for i in range(200):
                kv.Range(rpc_pb2.RangeRequest(key=b"k%d" % i), timeout=10)
            assert event_engine_switches(process.pid) - before < 300
    finally:
        cluster.stop([process])
