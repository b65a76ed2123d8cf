"""What one etcd unary call costs the server: CPU time and context switches per call, for real etcd
3.4, the reference etcd, and a grpcio server that does no work at all (the floor under anything
built on grpcio's synchronous server, which the reference etcd is).

Why: the scheduler benchmark's end-to-end run costs about 8 ms of CPU per pod across all
processes, 2.4 ms of it in the reference etcd for three to four calls per pod. This shows how much
of a call is grpcio's own machinery (thread hand-offs between its polling thread and its workers,
each a futex wake and a context switch) and how much is the reference etcd's code.

Each workload runs 1 client thread, then 8, on one channel; the server's utime+stime and its
threads' voluntary plus involuntary context switches are read from /proc before and after. The
reference etcd runs twice: its client port shared with HTTP, as etcd's (cmux.py relays gRPC to
the gRPC server), then with --listen-client-http-urls (gRPC served on the client port itself).
The servers run one after the other. Prints a table and writes benchmarks/results/rpc_cost.json.

    python benchmarks/rpc_cost.py [--calls 3000]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import threading
import time
from concurrent import futures
from pathlib import Path

import grpc
from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

from etcd_vs_reference import _free_port, _wait_serving, real_etcd, reference  # beside this script
from proc import context_switches, cpu_seconds

RESULTS = Path(__file__).parent / "results"
VALUE = b"o" * 2500  # about a pod as the kube-apiserver stores it


class _IdleKV(rpc_pb2_grpc.KVServicer):
    """Answers every Range with an empty response: nothing but grpcio's own work."""

    def Range(self, request, context):
        return rpc_pb2.RangeResponse()


def _serve_idle(port: int, workers: int) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
    rpc_pb2_grpc.add_KVServicer_to_server(_IdleKV(), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


def measure(pid: int, call, calls: int, threads: int) -> dict:
    cpu, switches, started = cpu_seconds(pid), context_switches(pid), time.monotonic()

    def work(offset: int) -> None:
        for i in range(offset, calls, threads):
            call(i)
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.monotonic() - started
    return {"threads": threads, "calls_per_s": round(calls / seconds),
            "cpu_us_per_call": round((cpu_seconds(pid) - cpu) / calls * 1e6),
            "switches_per_call": round((context_switches(pid) - switches) / calls, 1)}


def workloads(address: str, pid: int, calls: int, with_put: bool) -> dict:
    rows = {}
    with grpc.insecure_channel(address) as channel:
        kv = rpc_pb2_grpc.KVStub(channel)
        for threads in (1, 8):
            rows[f"range x{threads}"] = measure(
                pid, lambda i: kv.Range(rpc_pb2.RangeRequest(key=b"missing")), calls, threads)
            if with_put:
                rows[f"put x{threads}"] = measure(
                    pid, lambda i: kv.Put(rpc_pb2.PutRequest(key=b"k%d" % i, value=VALUE)),
                    calls, threads)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per workload")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="rpc-cost-") as scratch:
        with real_etcd(Path(scratch) / "real") as (address, pid):
            results["etcd 3.4"] = workloads(address, pid, args.calls, True)
        with reference(Path(scratch) / "reference") as (address, pid):
            results["reference etcd"] = workloads(address, pid, args.calls, True)
        with reference(Path(scratch) / "reference-apart", http_apart=True) as (address, pid):
            results["ref., gRPC port"] = workloads(address, pid, args.calls, True)
    port = _free_port()
    idle = multiprocessing.Process(target=_serve_idle, args=(port, 16), daemon=True)
    idle.start()
    try:
        _wait_serving(f"127.0.0.1:{port}", _Alive(idle))
        results["grpcio, no work"] = workloads(f"127.0.0.1:{port}", idle.pid, args.calls, False)
    finally:
        idle.terminate()
        idle.join()

    print(f"{'server':18} {'workload':10} {'calls/s':>9} {'cpu µs/call':>12} {'switches/call':>14}")
    for server, rows in results.items():
        for name, row in rows.items():
            print(f"{server:18} {name:10} {row['calls_per_s']:>9} {row['cpu_us_per_call']:>12} "
                  f"{row['switches_per_call']:>14}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rpc_cost.json").write_text(json.dumps(
        {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "grpcio": grpc.__version__},
         "calls": args.calls, "results": results}, indent=2) + "\n")


class _Alive:
    """A multiprocessing.Process seen as `_wait_serving` sees a Popen: poll() is None while it runs."""

    def __init__(self, process: multiprocessing.Process) -> None:
        self._process = process

    def poll(self):
        return None if self._process.is_alive() else self._process.exitcode


if __name__ == "__main__":
    sys.exit(main())
