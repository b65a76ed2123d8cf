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

The no-op servers also run put+watch: puts while one Watch stream is open, each put counted
for the stream and sent on it as the reference etcd sends watch events (a stream woken by an
Event, what piled up sent as one response), measured until the stream has reported every put.

grpc.aio is no cheaper than the synchronous server with grpcio 1.85. Alternated runs on this
2-core machine under load 18 to 23, CPU µs and switches a call, sync then aio: range x1 250-255/17
and 315-450/15-17; put+watch x1 315-325/25 and 410-520/16-21; put+watch x8 265-300/17-25 and
360-375/17-19. Most switches are grpcio's own (its EventEngine threads hand each read and write
to the thread that waits on the completion queue): with GRPC_EXPERIMENTS turning the EventEngine
listener, client and endpoints off (the older pollers, which read in the waiting thread), the
sync server took 145 µs/10 switches a range x8 and 200 µs/18 a put+watch x8 in one run at load 19.

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


class _IdleKV(rpc_pb2_grpc.KVServicer, rpc_pb2_grpc.WatchServicer):
    """Answers every Range with an empty response: nothing but grpcio's own work. A Put only
    counts itself for the open Watch streams, which are woken as the reference etcd wakes its
    (an Event per stream, the stream's worker sending what piled up as one response whose
    watch_id is the number of puts it covers): the cost of a write and of its watch event."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: list[list] = []  # [puts not yet sent, threading.Event]

    def Range(self, request, context):
        return rpc_pb2.RangeResponse()

    def Put(self, request, context):
        with self._lock:
            for stream in self._streams:
                stream[0] += 1
                stream[1].set()
        return rpc_pb2.PutResponse()

    def Watch(self, request_iterator, context):
        stream = [0, threading.Event()]
        with self._lock:
            self._streams.append(stream)
        try:
            while context.is_active():
                stream[1].wait(1.0)
                stream[1].clear()
                with self._lock:
                    puts, stream[0] = stream[0], 0
                if puts:
                    yield rpc_pb2.WatchResponse(watch_id=puts)
        finally:
            with self._lock:
                self._streams.remove(stream)


class _IdleAioKV(rpc_pb2_grpc.KVServicer, rpc_pb2_grpc.WatchServicer):
    """The same on grpc.aio: every call is answered on the event loop's thread, a stream woken by
    an asyncio.Event."""

    def __init__(self) -> None:
        self._streams: list[list] = []

    async def Range(self, request, context):
        return rpc_pb2.RangeResponse()

    async def Put(self, request, context):
        for stream in self._streams:
            stream[0] += 1
            stream[1].set()
        return rpc_pb2.PutResponse()

    async def Watch(self, request_iterator, context):
        stream = [0, asyncio.Event()]
        self._streams.append(stream)
        try:
            while True:
                await stream[1].wait()
                stream[1].clear()
                puts, stream[0] = stream[0], 0
                if puts:
                    yield rpc_pb2.WatchResponse(watch_id=puts)
        finally:
            self._streams.remove(stream)


def _serve_idle(port: int, workers: int) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
    servicer = _IdleKV()
    rpc_pb2_grpc.add_KVServicer_to_server(servicer, server)
    rpc_pb2_grpc.add_WatchServicer_to_server(servicer, server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


def _serve_idle_aio(port: int, workers: int) -> None:
    async def serve() -> None:
        server = grpc.aio.server()
        servicer = _IdleAioKV()
        rpc_pb2_grpc.add_KVServicer_to_server(servicer, server)
        rpc_pb2_grpc.add_WatchServicer_to_server(servicer, server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        await server.wait_for_termination()
    asyncio.run(serve())


def measure(pid: int, call, calls: int, threads: int, settle=lambda: None) -> dict:
    """`calls` calls of `call(i)` from `threads` threads; `settle()` runs before the last readings."""
    cpu, switches, started = cpu_seconds(pid), context_switches(pid), time.monotonic()

    def work(offset: int) -> None:
        for i in range(offset, calls, threads):
            call(i)
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    settle()
    seconds = time.monotonic() - started
    return {"threads": threads, "calls_per_s": round(calls / seconds),
            "cpu_us_per_call": round((cpu_seconds(pid) - cpu) / calls * 1e6),
            "switches_per_call": round((context_switches(pid) - switches) / calls, 1)}


def measure_put_watch(channel, pid: int, calls: int, threads: int) -> dict:
    """`calls` puts from `threads` threads while one Watch stream is open, counted until the
    stream has reported every put: a write and its watch event, on the no-op servers."""
    kv, watch = rpc_pb2_grpc.KVStub(channel), rpc_pb2_grpc.WatchStub(channel)
    done, first, seen, warm_up = threading.Event(), threading.Event(), [0], [None]

    def requests():
        yield rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=b"k"))
        done.wait()
    responses = watch.Watch(requests())

    def read() -> None:
        try:
            for response in responses:
                seen[0] += response.watch_id
                first.set()
                if warm_up[0] is not None and seen[0] - warm_up[0] >= calls:
                    break
        except grpc.RpcError:
            pass
        done.set()
    reader = threading.Thread(target=read)
    reader.start()
    while not first.is_set():  # the stream is open once a put shows on it
        kv.Put(rpc_pb2.PutRequest(key=b"warm-up"))
        first.wait(0.1)
    time.sleep(0.1)  # every warm-up put reported
    warm_up[0] = seen[0]
    row = measure(pid, lambda i: kv.Put(rpc_pb2.PutRequest(key=b"k", value=VALUE)), calls, threads,
                  settle=lambda: done.wait(60))
    responses.cancel()
    reader.join()
    return row


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
            else:
                rows[f"put+watch x{threads}"] = measure_put_watch(channel, pid, calls, threads)
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

    print(f"{'server':19} {'workload':14} {'calls/s':>9} {'cpu µs/call':>12} {'switches/call':>14}")
    for server, rows in results.items():
        for name, row in rows.items():
            print(f"{server:19} {name:14} {row['calls_per_s']:>9} {row['cpu_us_per_call']:>12} "
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
