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

--client measures the other side: this process's own CPU and switches per call on the sync no-op
server, for each way grpcio lets a client make a unary call (blocking, as the apiserver's
EtcdClient calls; with_call; future().result(); a registered-method callable; compression off;
grpc's retries off; four channels on their own connections, a thread keeping one), the ways
alternated --rounds times and the median round shown, grpcio's EventEngine threads off as the
cluster's apiserver runs. Two runs of 3 rounds of 2,000 calls at load 13-16, median CPU µs a call
(1 thread: first/second run, then 8 threads: first/second run): blocking 220/170, 145/155;
with_call 185/205, 185/165; registered method 150/155, 165/165; compression off 210/165, 195/170;
retries off 200/150, 165/155; four channels 140/155, 195/160; future().result() 400/400, 245/210.
Only the future is apart (dearer); the rest are within the rounds' spread of blocking (130-300), so
none pays for a change of the client.

    python benchmarks/rpc_cost.py [--calls 3000] [--idle-only] [--client [--rounds 3]]
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
from proc import SwitchTally, context_switches, cpu_seconds

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
RANGE_METHOD = "/etcdserverpb.KV/Range"


def measure_client(call, calls: int, threads: int) -> dict:
    """`calls` calls of `call(thread)` from `threads` threads: this process's CPU and its threads'
    context switches per call, read while the threads are still alive (an ended thread's count is
    gone), the server being another process."""
    tally, pid = SwitchTally(os.getpid()), os.getpid()
    done, counted = threading.Barrier(threads + 1), threading.Event()

    def work(thread: int) -> None:
        for _ in range(thread, calls, threads):
            call(thread)
        done.wait()
        counted.wait()
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    cpu, switches, started = cpu_seconds(pid), tally.read(), time.monotonic()
    for worker in workers:
        worker.start()
    done.wait()
    seconds = time.monotonic() - started
    row = {"threads": threads, "calls_per_s": round(calls / seconds),
           "cpu_us_per_call": round((cpu_seconds(pid) - cpu) / calls * 1e6),
           "switches_per_call": round((tally.read() - switches) / calls, 1)}
    counted.set()
    for worker in workers:
        worker.join()
    return row


def client_ways(address: str, channels: list) -> dict:
    """Each way of making one unary Range call to `address`: name → call(thread). Opens the
    channels it needs into `channels`, for the caller to close."""
    def channel(*options) -> grpc.Channel:
        channels.append(grpc.insecure_channel(address, options=list(options)))
        return channels[-1]
    request = rpc_pb2.RangeRequest(key=b"/registry/pods/default/pod-1")
    kv = rpc_pb2_grpc.KVStub(channel())
    registered = channels[0].unary_unary(RANGE_METHOD, request_serializer=rpc_pb2.RangeRequest.SerializeToString,
                                         response_deserializer=rpc_pb2.RangeResponse.FromString,
                                         _registered_method=True)
    no_retries = rpc_pb2_grpc.KVStub(channel(("grpc.enable_retries", 0)))
    # A local subchannel pool: channels of equal arguments would otherwise share one connection.
    apart = [rpc_pb2_grpc.KVStub(channel(("grpc.use_local_subchannel_pool", 1))) for _ in range(4)]
    return {
        "blocking": lambda t: kv.Range(request, timeout=10),
        "with_call": lambda t: kv.Range.with_call(request, timeout=10),
        "future().result()": lambda t: kv.Range.future(request, timeout=10).result(),
        "registered method": lambda t: registered(request, timeout=10),
        "no compression": lambda t: kv.Range(request, timeout=10, compression=grpc.Compression.NoCompression),
        "retries off": lambda t: no_retries.Range(request, timeout=10),
        "4 channels": lambda t: apart[t % len(apart)].Range(request, timeout=10),
    }


def client_costs(address: str, calls: int, threads: int, rounds: int) -> dict:
    """The median of `rounds` alternated rounds of every way, each row from its median-CPU round."""
    channels: list = []
    try:
        ways = client_ways(address, channels)
        for call in ways.values():  # connected and warm before the first round
            for _ in range(50):
                call(0)
        runs: dict[str, list[dict]] = {name: [] for name in ways}
        for _ in range(rounds):
            for name, call in ways.items():
                runs[name].append(measure_client(call, calls, threads))
    finally:
        for channel in channels:
            channel.close()
    return {f"{name} x{threads}": sorted(rows, key=lambda row: row["cpu_us_per_call"])[(len(rows) - 1) // 2]
            | {"cpu_us_each_round": [row["cpu_us_per_call"] for row in rows]}
            for name, rows in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per workload")
    parser.add_argument("--idle-only", action="store_true",
                        help="only the two servers that do no work (sync grpcio, grpc.aio)")
    parser.add_argument("--client", action="store_true",
                        help="only the client's own cost per call, each way of calling, on the sync no-op server")
    parser.add_argument("--rounds", type=int, default=3, help="--client: alternated rounds of all the ways")
    args = parser.parse_args()
    if args.client:
        return client_main(args)
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


def client_main(args: argparse.Namespace) -> None:
    from reference_impl.cluster import GRPC_EXPERIMENTS
    os.environ.setdefault("GRPC_EXPERIMENTS", GRPC_EXPERIMENTS)  # as the cluster's apiserver runs
    port = _free_port()
    idle = multiprocessing.Process(target=_serve_idle, args=(port, 16), daemon=True)
    idle.start()
    try:
        _wait_serving(f"127.0.0.1:{port}", _Alive(idle))
        results = {**client_costs(f"127.0.0.1:{port}", args.calls, 1, args.rounds),
                   **client_costs(f"127.0.0.1:{port}", args.calls, 8, args.rounds)}
    finally:
        idle.terminate()
        idle.join()
    print(f"{'client call':22} {'calls/s':>9} {'cpu µs/call':>12} {'switches/call':>14}  cpu µs each round")
    for name, row in results.items():
        print(f"{name:22} {row['calls_per_s']:>9} {row['cpu_us_per_call']:>12} {row['switches_per_call']:>14}  "
              f"{' '.join(map(str, row['cpu_us_each_round']))}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rpc_cost_client.json").write_text(json.dumps(
        {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "grpcio": grpc.__version__},
         "calls": args.calls, "rounds": args.rounds, "results": results}, indent=2) + "\n")


class _Alive:
    """A multiprocessing.Process seen as `_wait_serving` sees a Popen: poll() is None while it runs."""

    def __init__(self, process: multiprocessing.Process) -> None:
        self._process = process

    def poll(self):
        return None if self._process.is_alive() else self._process.exitcode


if __name__ == "__main__":
    sys.exit(main())
