"""How long the reference etcd's Status and /metrics take on a large store, and how long a write
made meanwhile waits for them.

Why: both report the backend's size, which the reference derives from the bbolt layout of the
whole store; were that figured while holding the member's state lock, which every write applies
under, each Prometheus scrape or `etcdctl endpoint status` would stall all writes for time growing
with the store. A lone member (ClusterMember.alone, no gRPC) is filled with --keys keys written
--versions times each (in Txns of 100 puts); then a writer thread puts one key at a time while
this thread calls Status and metrics() --rounds times each, and once more with nobody polling.
Each poll first lets a write apply, so every one finds the size figure out of date.

Prints the CPU and wall time per Status and per metrics(), and the writer's median and longest
write latency with and without the polling, and writes benchmarks/results/etcd_status_stall.json.

    python benchmarks/etcd_status_stall.py [--keys 20000] [--versions 2] [--rounds 10]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reference_impl.etcd import messages as m  # noqa: E402
from reference_impl.etcd.member import ClusterMember  # noqa: E402
from reference_impl.machinery.clock import WallClock  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "etcd_status_stall.json"
BATCH = 100


def _fill(etcd: ClusterMember, keys: int, versions: int) -> None:
    for version in range(versions):
        for first in range(0, keys, BATCH):
            puts = [m.RequestOp(m.PutRequest(f"/registry/pods/ns/pod-{i:06d}".encode(),
                                                         b"v%d" % version + b"x" * 200))
                    for i in range(first, min(first + BATCH, keys))]
            etcd.txn(m.TxnRequest(success=tuple(puts)))


def _writes_meanwhile(etcd: ClusterMember, poll, rounds: int) -> tuple[list[float], list[tuple[float, float]]]:
    """The writer's latencies while this thread makes `rounds` calls of `poll` (None: sleeps as
    long instead); and each poll's (CPU, wall) seconds."""
    latencies: list[float] = []
    done = threading.Event()

    def writer() -> None:
        i = 0
        while not done.is_set():
            start = time.perf_counter()
            etcd.put(m.PutRequest(b"/registry/leases/writer", b"%d" % i))
            latencies.append(time.perf_counter() - start)
            i += 1

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    timings = []
    try:
        for _ in range(rounds):
            etcd.put(m.PutRequest(b"/registry/leases/poller", b"x"))  # the size figure is now stale
            cpu, wall = time.thread_time(), time.perf_counter()
            if poll is None:
                time.sleep(0.05)
            else:
                poll()
            timings.append((time.thread_time() - cpu, time.perf_counter() - wall))
    finally:
        done.set()
        thread.join()
    return latencies, timings


def run(args: argparse.Namespace) -> dict:
    result: dict = {"keys": args.keys, "versions": args.versions, "rounds": args.rounds}
    with tempfile.TemporaryDirectory(prefix="etcd-status-stall-") as tmp:
        etcd = ClusterMember.alone(Path(tmp) / "etcd", WallClock(), fsync=lambda fd: None)
        try:
            _fill(etcd, args.keys, args.versions)
            status = etcd.status()
            result["db_size"], result["db_size_in_use"] = status.db_size, status.db_size_in_use
            for name, poll in (("idle", None), ("status", etcd.status), ("metrics", etcd.metrics)):
                latencies, timings = _writes_meanwhile(etcd, poll, args.rounds)
                result[name] = {
                    "writes": len(latencies),
                    "write_median_ms": 1000 * statistics.median(latencies) if latencies else None,
                    "write_max_ms": 1000 * max(latencies, default=0.0),
                    "poll_cpu_ms": 1000 * statistics.mean(cpu for cpu, _ in timings),
                    "poll_wall_ms": 1000 * statistics.mean(wall for _, wall in timings),
                }
        finally:
            etcd.close()
    return result


def table(result: dict) -> str:
    lines = [f"{result['keys']} keys x {result['versions']} versions: db_size {result['db_size']}, "
             f"in use {result['db_size_in_use']}",
             f"{'polling':<8} {'poll CPU ms':>11} {'poll wall ms':>12} {'writes':>7} "
             f"{'write median ms':>15} {'write max ms':>12}"]
    for name in ("idle", "status", "metrics"):
        row = result[name]
        poll_cpu = "-" if name == "idle" else f"{row['poll_cpu_ms']:.1f}"
        poll_wall = "-" if name == "idle" else f"{row['poll_wall_ms']:.1f}"
        median = "-" if row["write_median_ms"] is None else f"{row['write_median_ms']:.2f}"
        lines.append(f"{name:<8} {poll_cpu:>11} {poll_wall:>12} {row['writes']:>7} {median:>15} "
                     f"{row['write_max_ms']:>12.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=20000)
    parser.add_argument("--versions", type=int, default=2, help="times each key is written")
    parser.add_argument("--rounds", type=int, default=10, help="Status and metrics() calls each")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    result = run(args)
    print(table(result))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
