"""What one etcd unary call costs the server: CPU time and context switches per call, for real etcd
3.4, the reference etcd, and two grpcio servers that do no work at all: the synchronous one (the
floor under anything built on it, which the reference etcd is) and a grpc.aio one answering on
its event loop's thread (what the reference etcd's floor would be if it were served by grpc.aio).

Why: the scheduler benchmark's end-to-end run costs about 8 ms of CPU per pod across all
processes, 2.4 ms of it in the reference etcd for three to four calls per pod. This shows how much
of a call is grpcio's own machinery (thread hand-offs between its polling thread and its workers,
each a futex wake and a context switch) and how much is the reference etcd's code.

Each workload runs 1 client thread, then 8, on one channel; the server's utime+stime and its
threads' voluntary plus involuntary context switches are read from /proc before and after. The
reference etcd runs twice: its client port shared with HTTP, as etcd's (cmux.py relays gRPC to
the gRPC server), then with --listen-client-http-urls (gRPC served on the client port itself).
The servers run one after the other. Prints a table and writes benchmarks/results/rpc_cost.json.

grpc.aio is no cheaper a call than the synchronous server with grpcio 1.85: measured alternately
on this 2-core machine under load (8 to 20), the no-op aio server took 250 to 465 µs and 4 to 16
switches a call, the synchronous one 170 to 330 µs and 10 to 17. Most switches are grpcio's own
(its EventEngine threads hand each read and write to the thread that waits on the completion
queue), not the servicer's: an asyncio servicer saves the worker hand-off but pays the
event loop's per-call Python work instead.

    python benchmarks/rpc_cost.py [--calls 3000] [--idle-only]
"""
from __future__ import annotations

import argparse
import asyncio
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


class _IdleAioKV(rpc_pb2_grpc.KVServicer):
    """The same on grpc.aio: the call is answered on the event loop's thread."""

    async def Range(self, request, context):
        return rpc_pb2.RangeResponse()


def _serve_idle(port: int, workers: int) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
    rpc_pb2_grpc.add_KVServicer_to_server(_IdleKV(), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


def _serve_idle_aio(port: int, workers: int) -> None:
    async def serve() -> None:
        server = grpc.aio.server()
        rpc_pb2_grpc.add_KVServicer_to_server(_IdleAioKV(), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        await server.wait_for_termination()
    asyncio.run(serve())


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


IDLE_SERVERS = {"grpcio, no work": _serve_idle, "grpc.aio, no work": _serve_idle_aio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per workload")
    parser.add_argument("--idle-only", action="store_true",
                        help="only the two servers that do no work (sync grpcio, grpc.aio)")
    args = parser.parse_args()
    results = {}
    if not args.idle_only:
        with tempfile.TemporaryDirectory(prefix="rpc-cost-") as scratch:
            with real_etcd(Path(scratch) / "real") as (address, pid):
                results["etcd 3.4"] = workloads(address, pid, args.calls, True)
            with reference(Path(scratch) / "reference") as (address, pid):
                results["reference etcd"] = workloads(address, pid, args.calls, True)
            with reference(Path(scratch) / "reference-apart", http_apart=True) as (address, pid):
                results["ref., gRPC port"] = workloads(address, pid, args.calls, True)
    for name, serve in IDLE_SERVERS.items():
        port = _free_port()
        idle = multiprocessing.Process(target=serve, args=(port, 16), daemon=True)
        idle.start()
        try:
            _wait_serving(f"127.0.0.1:{port}", _Alive(idle))
            results[name] = workloads(f"127.0.0.1:{port}", idle.pid, args.calls, False)
        finally:
            idle.terminate()
            idle.join()

    print(f"{'server':19} {'workload':10} {'calls/s':>9} {'cpu µs/call':>12} {'switches/call':>14}")
    for server, rows in results.items():
        for name, row in rows.items():
            print(f"{server:19} {name:10} {row['calls_per_s']:>9} {row['cpu_us_per_call']:>12} "
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
