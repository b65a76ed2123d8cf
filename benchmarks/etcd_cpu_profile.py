"""Where the reference etcd's own CPU goes per Txn of a kube-apiserver's pod writes: a sampling
profile of its KV service, Raft, WAL, MVCC, backend and watch code, in this process, with no gRPC.

Why: in the scheduler benchmark's end-to-end run the reference etcd spends about 860 µs of CPU a
Txn, of which grpcio's synchronous server is about 145-200 µs (benchmarks/rpc_cost.py); the rest is
its own code. Here one thread makes each pod's three Txns as the kube-apiserver does (create the
pod guarded by mod_revision 0, bind it guarded by the pod's mod_revision, create its event on a
lease guarded by mod_revision 0; 1-3 kB values under /registry/) through `KVServicer.Txn`: the
request decoded from its bytes, the answer encoded to bytes, as the gRPC server would. After each
Txn each watch stream it woke (of those open on the prefixes the apiserver's cachers watch,
`--watches`, without prev_kv as cachers ask) drains and encodes what the Txn queued for it, as
a stream's send loop does when woken. A lone member drives its Raft turn in the calling thread
(member._submit), so a Txn's proposal, WAL append and fsync, apply and watch matching all run in
this thread, which SIGPROF (every --interval of the process's CPU) samples, as
apiserver_cpu_profile.py samples the apiserver. CPU the other threads spend meanwhile (the raft
driver's heartbeat ticks) is shown per thread from /proc. One writer makes one proposal a Raft
Ready, so every Txn pays a whole WAL fsync; with --writers N, N threads write at once (as the
apiserver's requests do), proposals queued while one Ready is being written share the next
(member._turn), and the Txns per fsync are reported. Only this thread is sampled, and then it
spends most of its time waiting for a Ready another thread writes: read the CPU figures then.

Prints the CPU µs and context switches per Txn (the process's, and user and system apart), then
the top --top functions by samples where they run (self) and where they are on the stack
(inclusive), and writes benchmarks/results/etcd_cpu_profile.json.

    python benchmarks/etcd_cpu_profile.py [--pods 1000] [--warm-up 200] [--top 20]
        [--interval 0.0005] [--watches 4] [--writers 1]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from apiserver_cpu_profile import flat_profile, frame_name, thread_cpu  # noqa: E402  (beside this script)
from proc import context_switches  # noqa: E402
from reference_impl import cluster  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "etcd_cpu_profile.json"
NS = "sched-bench"
# The prefixes of the kube-apiserver's cachers that see a pod's writes, then others it holds open.
PREFIXES = ("/registry/pods/", "/registry/events/", "/registry/nodes/", "/registry/leases/",
            "/registry/services/specs/", "/registry/configmaps/", "/registry/namespaces/",
            "/registry/serviceaccounts/")
POD_BYTES, BOUND_BYTES, EVENT_BYTES = 2300, 2500, 900  # about what the apiserver stores (protobuf)


class _Context:
    """What KVServicer reads of a gRPC call's context: no metadata (no token, no "hasleader")."""

    def invocation_metadata(self):
        return ()

    def is_active(self) -> bool:
        return True

    def time_remaining(self):
        return None

    def abort(self, code, details):
        raise RuntimeError(f"{code}: {details}")


class WriterFailed(Exception):
    """A writer thread raised: the figures would count fewer Txns than they divide by."""


def _value(size: int, i: int) -> bytes:
    head = b"k8s\x00\n\x09\n\x02v1\x12\x03Pod\x12" + i.to_bytes(4, "big")
    return head + b"x" * (size - len(head))


def run(args: argparse.Namespace) -> dict:
    os.environ.setdefault("GRPC_EXPERIMENTS", cluster.GRPC_EXPERIMENTS)  # as the cluster's etcd runs
    from aetcd.rpc import rpc_pb2
    from reference_impl.etcd import messages as m
    from reference_impl.etcd.grpc_adapter import KVServicer, WatchRouter, _WatchStream, read_txn_request
    from reference_impl.etcd.member import ClusterMember
    from reference_impl.machinery.clock import WallClock
    from reference_impl.machinery.process import relax_collector

    context = _Context()
    samples: collections.Counter = collections.Counter()

    def sample(signum, frame) -> None:
        stack = []
        while frame is not None and frame.f_code.co_filename != __file__:  # the driver's own frames left out
            name = frame_name(frame.f_code, frame.f_lineno)
            if frame.f_code.co_filename == "<string>":  # a dataclass's generated __init__: name the class
                name = f"{type(frame.f_locals.get('self')).__name__}.{frame.f_code.co_name} (<dataclass>:0)"
            stack.append(name)
            frame = frame.f_back
        if frame is not None:
            stack.append(f"{frame.f_code.co_qualname} (driver:0)")
        samples[tuple(reversed(stack))] += 1

    def mod_equal(key: bytes, revision: int) -> rpc_pb2.Compare:
        return rpc_pb2.Compare(key=key, target=rpc_pb2.Compare.MOD, result=rpc_pb2.Compare.EQUAL,
                               mod_revision=revision)

    def txn(kv, streams, key: bytes, revision: int, value: bytes, lease: int = 0) -> int:
        request = rpc_pb2.TxnRequest(
            compare=[mod_equal(key, revision)],
            success=[rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key, value=value, lease=lease))],
            failure=[rpc_pb2.RequestOp(request_range=rpc_pb2.RangeRequest(key=key))])
        response = kv.Txn(read_txn_request(request.SerializeToString()), context)
        response.SerializeToString()
        for stream in streams:  # the send loop of each stream the Txn woke
            if stream._wakeup.is_set():
                stream._wakeup.clear()
                for sent in stream._drain():
                    sent.SerializeToString()
        if not response.succeeded:
            raise RuntimeError(f"Txn on {key!r} failed")
        return response.header.revision

    def pods(kv, streams, first: int, count: int, lease: int) -> None:
        for i in range(first, first + count):
            key = f"/registry/pods/{NS}/pod-{i:06d}".encode()
            created = txn(kv, streams, key, 0, _value(POD_BYTES, i))
            txn(kv, streams, key, created, _value(BOUND_BYTES, i))
            txn(kv, streams, f"/registry/events/{NS}/pod-{i:06d}.{time.time_ns():x}".encode(), 0,
                _value(EVENT_BYTES, i), lease)

    with tempfile.TemporaryDirectory(prefix="etcd-cpu-profile-") as tmp:
        etcd = ClusterMember.alone(Path(tmp) / "etcd", WallClock())
        try:
            router = WatchRouter()
            etcd.set_watch_listener(router)
            streams = []
            for prefix in PREFIXES[:args.watches]:
                stream = _WatchStream(etcd, router)
                key = prefix.encode()
                stream._create(rpc_pb2.WatchCreateRequest(key=key, range_end=key[:-1] + b"0"))
                stream._drain()  # the created response
                streams.append(stream)
            kv = KVServicer(etcd)
            relax_collector()  # as the server does once it serves (run._serve)
            lease = etcd.lease_grant(m.LeaseGrantRequest(ttl=3660)).id  # the apiserver's event lease
            pods(kv, streams, 0, args.warm_up, lease)
            # The pods split among the writers: this thread (sampled) and writers - 1 others.
            shares = [args.pods // args.writers + (n < args.pods % args.writers) for n in range(args.writers)]
            firsts = [args.warm_up + sum(shares[:n]) for n in range(args.writers)]
            start = threading.Barrier(args.writers)

            writers_cpu = [0.0] * args.writers  # an ended thread leaves /proc: each counts its own
            failures: list[str] = []

            def writer(n: int) -> None:
                start.wait()
                began = time.thread_time()
                try:
                    pods(kv, streams, firsts[n], shares[n], lease)
                except Exception as err:  # noqa: BLE001 (reported once all writers end)
                    failures.append(f"writer-{n}: {type(err).__name__}: {err}")
                writers_cpu[n] = time.thread_time() - began
            others = [threading.Thread(target=writer, args=(n,), name=f"writer-{n}") for n in range(1, args.writers)]
            for thread in others:
                thread.start()
            names = {thread.native_id: thread.name for thread in threading.enumerate()}
            pid = os.getpid()
            before, switches = thread_cpu(pid), context_switches(pid)
            fsyncs = etcd._wal.fsync_durations.snapshot().count
            times = os.times()
            signal.signal(signal.SIGPROF, sample)
            signal.setitimer(signal.ITIMER_PROF, args.interval, args.interval)
            try:
                start.wait()
                pods(kv, streams, firsts[0], shares[0], lease)
                for thread in others:
                    thread.join()
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0, 0)
            spent = os.times()
            switches = context_switches(pid) - switches
            fsyncs = etcd._wal.fsync_durations.snapshot().count - fsyncs
            after = thread_cpu(pid)
        finally:
            etcd.close()
    if failures:
        raise WriterFailed("; ".join(failures))
    txns = 3 * args.pods
    by_thread: collections.Counter = collections.Counter()
    for tid, seconds in after.items():
        by_thread[names.get(tid, "threads of grpc's core")] += seconds - before.get(tid, 0.0)
    if args.writers > 1:
        by_thread[f"the {args.writers - 1} other writers"] = sum(writers_cpu)
    own, anywhere = flat_profile(samples, args.top)

    def per_txn(seconds: float) -> float:
        return round(seconds * 1e6 / txns, 1)
    return {"pods": args.pods, "txns": txns, "watches": args.watches, "writers": args.writers,
            "txns_per_fsync": round(txns / max(fsyncs, 1), 2),
            "cpu_us_per_txn": per_txn(spent.user + spent.system - times.user - times.system),
            "user_us_per_txn": per_txn(spent.user - times.user),
            "system_us_per_txn": per_txn(spent.system - times.system),
            "switches_per_txn": round(switches / txns, 2),
            "cpu_us_per_txn_by_thread": {name: per_txn(seconds) for name, seconds in by_thread.most_common()
                                         if seconds > 0},
            "samples": sum(samples.values()), "self": own, "inclusive": anywhere}


def table(result: dict) -> str:
    lines = [f"{result['txns']} Txns ({result['pods']} pods, {result['writers']} writers, "
             f"{result['watches']} watch streams, {result['txns_per_fsync']} Txns per WAL fsync): "
             f"{result['cpu_us_per_txn']} µs CPU per Txn (user {result['user_us_per_txn']}, "
             f"system {result['system_us_per_txn']}), {result['switches_per_txn']} switches per Txn; by thread:"]
    lines += [f"  {name:<40} {us:>8} µs" for name, us in result["cpu_us_per_txn_by_thread"].items()]
    for title in ("self", "inclusive"):
        lines.append(f"main thread, {title} ({result['samples']} samples)")
        lines += [f"  {100 * count / max(result['samples'], 1):5.1f}%  {function}" for function, count in result[title]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--warm-up", type=int, default=200, help="pods written before measuring")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.0005, help="seconds of process CPU between samples")
    parser.add_argument("--watches", type=int, default=4, choices=range(0, len(PREFIXES) + 1),
                        help="watch streams open, one per cacher prefix")
    parser.add_argument("--writers", type=int, default=1,
                        help="threads writing at once (the pods split among them; only this one is sampled)")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    for flag, count in (("--pods", args.pods), ("--writers", args.writers)):
        if count < 1:
            parser.error(f"argument {flag}: {count} is not a positive whole number")
    try:
        result = run(args)
    except WriterFailed as err:
        print(f"etcd_cpu_profile: a writer failed, no figures written: {err}", file=sys.stderr)
        return 1
    print(table(result))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
