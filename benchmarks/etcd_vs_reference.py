"""The reference etcd against real etcd 3.4 on the same workloads, in one run, on loopback.

Workloads (each bounded in operation count and in time):
  serial-put     one client, puts one after another; each is durable (fsync'd) before it returns
  put-16         16 concurrent clients putting (4 processes x 4 threads, one channel each)
  txn-16         16 concurrent clients writing as the kube-apiserver does (a create, then an
                 update, each a Txn guarded by the key's mod revision, 2.5 kB values), one Watch
                 stream over their keys
  range-10k      reads of a 10,000-key range
  watch-100      100 watch streams on one key, puts 20 ms apart; latency from a put's invocation
                 to each delivery (its ops/s counts deliveries, so the write pace sets it)

Both servers get the same client: Python gRPC with the `aetcd` stubs, so client cost is equal and
the ratio measures the servers. They run one after the other (real etcd first) with their own
temporary data directories, so they do not compete for the CPU. Each workload also reports the
server process's CPU time per operation (user plus system; for range-10k it includes loading the
keys): on a shared machine other processes' load moves it less than throughput, though it still
moves it. Prints a table and writes
benchmarks/results/etcd_vs_reference.json. Targets (reported, not enforced): serial put p50
latency within 2x real etcd's; concurrent put throughput at least 25% of real etcd's.

With --members 3 both run as three-member clusters on loopback (etcd's default 100 ms heartbeat
and 1 s election timeout): serial puts to the leader, 16 clients putting and 16 clients reading
linearizably spread over the members, and failover, the time from SIGKILL of the leader to the
first put a survivor acknowledges. Writes benchmarks/results/etcd_cluster_vs_reference.json.
Targets: three-member put throughput at least 0.3x real etcd's, failover within 2x.

    python benchmarks/etcd_vs_reference.py [--quick] [--members 3]
    python benchmarks/etcd_vs_reference.py --reference-only --workloads serial-put,put-16
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import grpc
from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

from proc import cpu_seconds  # benchmarks/proc.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
VALUE = b"v" * 256
OBJECT = b"o" * 2500  # about a pod as the kube-apiserver stores it
START_TIMEOUT = 20.0


# --- servers ------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_serving(address: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with grpc.insecure_channel(address) as channel:
        kv = rpc_pb2_grpc.KVStub(channel)
        while time.monotonic() < deadline and process.poll() is None:
            try:
                kv.Range(rpc_pb2.RangeRequest(key=b"health"), timeout=1)
                return
            except grpc.RpcError:
                time.sleep(0.05)
    raise SystemExit(f"server at {address} did not start")


@contextmanager
def real_etcd(data_dir: Path):
    binary = shutil.which("etcd")
    if binary is None:
        raise SystemExit("etcd not found: install the Debian package etcd-server")
    client, peer = _free_port(), _free_port()
    url, peer_url = f"http://127.0.0.1:{client}", f"http://127.0.0.1:{peer}"
    process = subprocess.Popen(
        [binary, "--name", "default", "--data-dir", str(data_dir), "--listen-client-urls", url,
         "--advertise-client-urls", url, "--listen-peer-urls", peer_url,
         "--initial-advertise-peer-urls", peer_url, "--initial-cluster", f"default={peer_url}",
         "--logger", "zap", "--log-outputs", "stderr", "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_serving(f"127.0.0.1:{client}", process)
        yield f"127.0.0.1:{client}", process.pid
    finally:
        _stop(process)


@contextmanager
def reference(data_dir: Path, http_apart: bool = False):
    """The reference etcd on a free port; `http_apart` gives HTTP a port of its own
    (--listen-client-http-urls), leaving the client port to gRPC alone."""
    apart = ["--listen-client-http-urls", "http://127.0.0.1:0"] if http_apart else []
    process = subprocess.Popen(
        [sys.executable, "-m", "reference_impl.etcd.run", "--data-dir", str(data_dir),
         "--listen-client-urls", "http://127.0.0.1:0", *apart,
         "--listen-peer-urls", "http://127.0.0.1:0"],  # not etcd's default localhost:2380, maybe taken
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        if "ready" not in line:
            raise SystemExit(f"reference did not start: {line!r}")
        address = re.search(r"http://(\S+?)[,\s]", line + " ").group(1)  # the first: gRPC's
        _wait_serving(address, process)
        yield address, process.pid
    finally:
        _stop(process)
        process.stdout.close()


# --- measurement --------------------------------------------------------------------------------

def summary(latencies: list[float], ops: int, seconds: float) -> dict:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")

    return {"ops": ops, "seconds": round(seconds, 3), "ops_per_s": round(ops / seconds, 1),
            "p50_ms": round(pct(0.50), 3), "p99_ms": round(pct(0.99), 3)}


def serial_put(address: str, count: int, limit: float) -> dict:
    with grpc.insecure_channel(address) as channel:
        kv = rpc_pb2_grpc.KVStub(channel)
        kv.Put(rpc_pb2.PutRequest(key=b"warmup", value=VALUE))
        latencies = []
        started = time.perf_counter()
        for n in range(count):
            t0 = time.perf_counter()
            kv.Put(rpc_pb2.PutRequest(key=b"serial/%08d" % n, value=VALUE), timeout=10)
            latencies.append(time.perf_counter() - t0)
            if t0 - started > limit:
                break
        return summary(latencies, len(latencies), time.perf_counter() - started)


def _put_process(address: str, process_index: int, threads: int, count: int, limit: float,
                 barrier, op: str = "put") -> tuple[list[float], float, float]:
    """One client process: `threads` clients with a channel each, `count` puts (or, with op
    "get", linearizable reads of one key) per client. `address` may list several members,
    comma separated: process i talks to the i-th (round robin)."""
    members = address.split(",")
    address = members[process_index % len(members)]
    stubs = []
    for _ in range(threads):
        channel = grpc.insecure_channel(address)
        stub = rpc_pb2_grpc.KVStub(channel)
        stub.Put(rpc_pb2.PutRequest(key=b"warmup", value=VALUE), timeout=10)
        stubs.append((channel, stub))
    latencies: list[list[float]] = [[] for _ in range(threads)]
    barrier.wait()
    started = time.time()

    def client(t: int) -> None:
        kv = stubs[t][1]
        for n in range(count):
            t0 = time.perf_counter()
            if op == "get":
                kv.Range(rpc_pb2.RangeRequest(key=b"warmup"), timeout=10)
            elif op == "txn":
                key = b"t/%02d/%02d/%06d" % (process_index, t, n)
                rev = kv.Txn(_guarded_put(key, 0, OBJECT), timeout=10).header.revision
                latencies[t].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                kv.Txn(_guarded_put(key, rev, OBJECT + b"u"), timeout=10)
            else:
                kv.Put(rpc_pb2.PutRequest(key=b"c/%02d/%02d/%06d" % (process_index, t, n), value=VALUE),
                       timeout=10)
            latencies[t].append(time.perf_counter() - t0)
            if time.time() - started > limit:
                break

    workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    ended = time.time()
    for channel, _ in stubs:
        channel.close()
    return [x for per in latencies for x in per], started, ended


def _guarded_put(key: bytes, mod_revision: int, value: bytes) -> rpc_pb2.TxnRequest:
    """The kube-apiserver's write: put if the key is still at `mod_revision` (0: absent), else
    read it back."""
    return rpc_pb2.TxnRequest(
        compare=[rpc_pb2.Compare(key=key, target=rpc_pb2.Compare.MOD, result=rpc_pb2.Compare.EQUAL,
                                 mod_revision=mod_revision)],
        success=[rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key, value=value))],
        failure=[rpc_pb2.RequestOp(request_range=rpc_pb2.RangeRequest(key=key))])


def _watch_until(address: str, key: bytes, range_end: bytes, stop: threading.Event) -> None:
    """One Watch stream over [key, range_end) read until `stop`, as the apiserver's watch cache."""
    with grpc.insecure_channel(address) as channel:
        def requests():
            yield rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=key, range_end=range_end))
            stop.wait()

        call = rpc_pb2_grpc.WatchStub(channel).Watch(requests())

        def cancel_on_stop() -> None:
            stop.wait()
            call.cancel()

        threading.Thread(target=cancel_on_stop, daemon=True).start()
        try:
            for _ in call:
                pass
        except grpc.RpcError:
            pass


def concurrent_put(address: str, processes: int, threads: int, count: int, limit: float,
                   op: str = "put") -> dict:
    context = multiprocessing.get_context("spawn")  # a fresh gRPC runtime per client process
    stop = threading.Event()
    if op == "txn":
        watcher = threading.Thread(target=_watch_until, args=(address.split(",")[0], b"t/", b"t0", stop))
        watcher.start()
    with context.Manager() as manager:
        barrier = manager.Barrier(processes)
        with context.Pool(processes) as pool:
            parts = pool.starmap(_put_process, [(address, p, threads, count, limit, barrier, op)
                                                for p in range(processes)])
    stop.set()
    if op == "txn":
        watcher.join()
    latencies = [x for lat, _, _ in parts for x in lat]
    seconds = max(e for _, _, e in parts) - min(s for _, s, _ in parts)
    return summary(latencies, len(latencies), seconds)


def range_10k(address: str, keys: int, reads: int, limit: float) -> dict:
    with grpc.insecure_channel(address) as channel:
        kv = rpc_pb2_grpc.KVStub(channel)
        batch = 100
        for start in range(0, keys, batch):
            ops = [rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=b"r/%06d" % n, value=VALUE))
                   for n in range(start, min(keys, start + batch))]
            kv.Txn(rpc_pb2.TxnRequest(success=ops), timeout=30)
        request = rpc_pb2.RangeRequest(key=b"r/", range_end=b"r0")
        assert kv.Range(request, timeout=30).count == keys
        latencies = []
        started = time.perf_counter()
        for _ in range(reads):
            t0 = time.perf_counter()
            response = kv.Range(request, timeout=30)
            latencies.append(time.perf_counter() - t0)
            assert len(response.kvs) == keys
            if t0 - started > limit:
                break
        return summary(latencies, len(latencies), time.perf_counter() - started)


def watch_100(address: str, watchers: int, puts: int, limit: float) -> dict:
    """`watchers` Watch streams (10 per channel) on one key; `puts` puts spaced 20 ms apart."""
    key = b"watched"
    channels = [grpc.insecure_channel(address) for _ in range((watchers + 9) // 10)]
    kv = rpc_pb2_grpc.KVStub(channels[0])
    start_rev = kv.Range(rpc_pb2.RangeRequest(key=key), timeout=10).header.revision + 1
    sent: dict[int, float] = {}  # mod_revision -> when its put was invoked
    received: list[list[tuple[int, float]]] = [[] for _ in range(watchers)]
    created = threading.Barrier(watchers + 1)
    calls = []

    def watcher(i: int) -> None:
        done = threading.Event()

        def requests():
            yield rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=key))
            done.wait()

        call = rpc_pb2_grpc.WatchStub(channels[i // 10]).Watch(requests())
        calls.append((call, done))
        try:
            for response in call:
                if response.created:
                    created.wait(timeout=30)
                now = time.perf_counter()
                for event in response.events:
                    received[i].append((event.kv.mod_revision, now))
                if len(received[i]) >= puts:
                    break
        except grpc.RpcError:
            pass
        finally:
            done.set()

    threads = [threading.Thread(target=watcher, args=(i,), daemon=True) for i in range(watchers)]
    for t in threads:
        t.start()
    created.wait(timeout=30)
    started = time.perf_counter()
    for _ in range(puts):
        t0 = time.perf_counter()
        response = kv.Put(rpc_pb2.PutRequest(key=key, value=VALUE), timeout=10)
        sent[response.header.revision] = t0
        time.sleep(0.02)
        if t0 - started > limit:
            break
    deadline = time.monotonic() + 10
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    seconds = time.perf_counter() - started
    for call, done in calls:
        done.set()
        call.cancel()
    for channel in channels:
        channel.close()
    latencies = [at - sent[rev] for per in received for rev, at in per if rev in sent]
    assert start_rev <= min(sent), "watch started late"
    return summary(latencies, len(latencies), seconds)


# --- three-member clusters ----------------------------------------------------------------------

MEMBERS = 3


class Members:
    """Three members of real etcd or of the reference on loopback, etcd's default timing
    (100 ms heartbeat, 1 s election timeout) for both."""

    def __init__(self, kind: str, directory: Path):
        self.kind, self.directory = kind, directory
        self.names = [f"m{i}" for i in range(1, MEMBERS + 1)]
        self.clients = {n: f"127.0.0.1:{_free_port()}" for n in self.names}
        self.peers = {n: f"http://127.0.0.1:{_free_port()}" for n in self.names}
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self) -> None:
        initial = ",".join(f"{n}={u}" for n, u in self.peers.items())
        for name in self.names:
            flags = ["--name", name, "--data-dir", str(self.directory / name),
                     "--initial-cluster", initial, "--listen-peer-urls", self.peers[name],
                     "--initial-advertise-peer-urls", self.peers[name],
                     "--listen-client-urls", f"http://{self.clients[name]}",
                     "--advertise-client-urls", f"http://{self.clients[name]}"]
            if self.kind == "etcd":
                argv = [shutil.which("etcd"), *flags, "--logger", "zap", "--log-outputs", "stderr",
                        "--log-level", "error"]
            else:
                argv = [sys.executable, "-m", "reference_impl.etcd.run", *flags]
            self.processes[name] = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                                                    stderr=subprocess.DEVNULL)
        self.leader()

    def status(self, name: str):
        with grpc.insecure_channel(self.clients[name]) as channel:
            return rpc_pb2_grpc.MaintenanceStub(channel).Status(rpc_pb2.StatusRequest(), timeout=1)

    def leader(self, timeout: float = START_TIMEOUT) -> str:
        """The name of the member every live member names as leader (waiting for one)."""
        deadline = time.monotonic() + timeout
        live = [n for n, p in self.processes.items() if p.poll() is None]
        while time.monotonic() < deadline:
            try:
                leads = {self.status(n).leader for n in live}
                ids = {self.status(n).header.member_id: n for n in live}
                if len(leads) == 1 and next(iter(leads)) in ids:
                    return ids[next(iter(leads))]
            except grpc.RpcError:
                pass
            time.sleep(0.05)
        raise SystemExit(f"{self.kind}: the members agree on no leader")

    def stop(self) -> None:
        for process in self.processes.values():
            _stop(process)


@contextmanager
def three_members(kind: str):
    with tempfile.TemporaryDirectory(prefix="etcd-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
        members = Members(kind, Path(tmp))
        try:
            members.start()
            yield members
        finally:
            members.stop()


def failover(kind: str, trials: int) -> dict:
    """Leader SIGKILL → first acknowledged put, by a client trying the survivors in turn with a
    short timeout per attempt; the median of `trials` fresh clusters."""
    times = []
    for _ in range(trials):
        with three_members(kind) as members:
            leader = members.leader()
            survivors = [members.clients[n] for n in members.names if n != leader]
            channels = [grpc.insecure_channel(a) for a in survivors]
            stubs = [rpc_pb2_grpc.KVStub(c) for c in channels]
            for stub in stubs:
                stub.Put(rpc_pb2.PutRequest(key=b"warmup", value=VALUE), timeout=10)
            members.processes[leader].send_signal(signal.SIGKILL)
            killed = time.perf_counter()
            attempt = 0
            while True:
                try:
                    stubs[attempt % len(stubs)].Put(rpc_pb2.PutRequest(key=b"after", value=VALUE),
                                                    timeout=0.25)
                    break
                except grpc.RpcError:
                    attempt += 1
            times.append(time.perf_counter() - killed)
            for channel in channels:
                channel.close()
    times.sort()
    return {"trials": trials, "median_s": round(times[len(times) // 2], 3),
            "all_s": [round(t, 3) for t in times]}


def measure_cluster(kind: str, quick: bool) -> dict:
    scale = 0.25 if quick else 1.0
    with three_members(kind) as members:
        leader = members.clients[members.leader()]
        everyone = ",".join(members.clients.values())
        results = {
            "serial-put": serial_put(leader, count=int(1000 * scale), limit=20),
            "put-16": concurrent_put(everyone, processes=4, threads=4, count=int(400 * scale), limit=20),
            "lin-read-16": concurrent_put(everyone, processes=4, threads=4, count=int(400 * scale),
                                          limit=20, op="get"),
        }
    results["failover"] = failover(kind, trials=1 if quick else 3)
    return results


def cluster_table(rows: dict, failovers: dict) -> str:
    head = (f"{'3 members':<12} {'etcd ops/s':>11} {'ref ops/s':>10} {'ref/etcd':>9}  "
            f"{'etcd p50':>9} {'ref p50':>9}  {'p50 ref/etcd':>12}")
    lines = [head, "-" * len(head)]
    for name, row in rows.items():
        e, r = row["etcd"], row["reference"]
        lines.append(f"{name:<12} {e['ops_per_s']:>11.0f} {r['ops_per_s']:>10.0f} "
                     f"{row['throughput_ratio']:>9.2f}  {e['p50_ms']:>7.2f}ms {r['p50_ms']:>7.2f}ms  "
                     f"{row['p50_latency_ratio']:>12.2f}")
    e, r = failovers["etcd"], failovers["reference"]
    lines.append(f"{'failover':<12} leader SIGKILL -> first acknowledged put: etcd {e['median_s']:.2f} s, "
                 f"reference {r['median_s']:.2f} s (ratio {r['median_s'] / e['median_s']:.2f}; "
                 f"median of {e['trials']})")
    return "\n".join(lines)


def main_cluster(quick: bool) -> None:
    measured = {"etcd": measure_cluster("etcd", quick), "reference": measure_cluster("reference", quick)}
    failovers = {kind: measured[kind].pop("failover") for kind in measured}
    rows = {}
    for name in measured["etcd"]:
        e, r = measured["etcd"][name], measured["reference"][name]
        rows[name] = {"etcd": e, "reference": r,
                      "throughput_ratio": round(r["ops_per_s"] / e["ops_per_s"], 3),
                      "p50_latency_ratio": round(r["p50_ms"] / e["p50_ms"], 3)}
    targets = {
        "three-member put throughput >= 0.3x etcd": rows["put-16"]["throughput_ratio"] >= 0.3,
        "failover <= 2x etcd": failovers["reference"]["median_s"] <= 2 * failovers["etcd"]["median_s"],
    }
    version = subprocess.run(["etcd", "--version"], capture_output=True, text=True).stdout.split()[2]
    results = {"members": MEMBERS, "workloads": rows, "failover": failovers, "targets": targets,
               "quick": quick, "environment": {"etcd": version, "python": platform.python_version(),
                                               "grpcio": grpc.__version__, "cpus": os.cpu_count()}}
    print(cluster_table(rows, failovers))
    for target, met in targets.items():
        print(f"target {target}: {'met' if met else 'MISSED'}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "etcd_cluster_vs_reference.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


# --- the run ------------------------------------------------------------------------------------

def workloads(quick: bool) -> list[tuple[str, Callable[[str], dict]]]:
    scale = 0.25 if quick else 1.0
    return [
        ("serial-put", lambda a: serial_put(a, count=int(1000 * scale), limit=20)),
        ("put-16", lambda a: concurrent_put(a, processes=4, threads=4, count=int(400 * scale),
                                           limit=20)),
        ("txn-16", lambda a: concurrent_put(a, processes=4, threads=4, count=int(200 * scale),
                                           limit=20, op="txn")),
        ("range-10k", lambda a: range_10k(a, keys=10_000, reads=int(40 * scale), limit=20)),
        ("watch-100", lambda a: watch_100(a, watchers=100, puts=int(100 * scale), limit=20)),
    ]


def measure(server, quick: bool, only: tuple[str, ...] = ()) -> dict:
    """Each workload's figures, with the server's CPU time per operation."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="etcd-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
        with server(Path(tmp) / "data") as (address, pid):
            for name, run in workloads(quick):
                if only and name not in only:
                    continue
                before = cpu_seconds(pid)
                row = run(address)
                row["server_cpu_ms_per_op"] = round(1000 * (cpu_seconds(pid) - before) / row["ops"], 3)
                results[name] = row
    return results


def main_reference(quick: bool, only: tuple[str, ...]) -> None:
    """The reference alone (no real etcd, no ratios, no results file): to compare two versions
    of it, run this on each."""
    for name, row in measure(reference, quick, only).items():
        print(f"{name:<12} {row['ops_per_s']:>8.0f} ops/s  p50 {row['p50_ms']:.3f} ms  "
              f"p99 {row['p99_ms']:.3f} ms  server cpu {row['server_cpu_ms_per_op']:.3f} ms/op  "
              f"({row['ops']} ops)")


def table(results: dict) -> str:
    head = (f"{'workload':<12} {'etcd ops/s':>11} {'ref ops/s':>10} {'ref/etcd':>9}  "
            f"{'etcd p50':>9} {'etcd p99':>9} {'ref p50':>9} {'ref p99':>9}  {'p50 ref/etcd':>12}  "
            f"{'cpu ms/op etcd/ref':>18}")
    lines = [head, "-" * len(head)]
    for name, row in results["workloads"].items():
        e, r = row["etcd"], row["reference"]
        lines.append(f"{name:<12} {e['ops_per_s']:>11.0f} {r['ops_per_s']:>10.0f} "
                     f"{row['throughput_ratio']:>9.2f}  {e['p50_ms']:>7.2f}ms {e['p99_ms']:>7.2f}ms "
                     f"{r['p50_ms']:>7.2f}ms {r['p99_ms']:>7.2f}ms  {row['p50_latency_ratio']:>12.2f}  "
                     f"{e['server_cpu_ms_per_op']:>8.3f}/{r['server_cpu_ms_per_op']:<8.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the operations")
    parser.add_argument("--members", type=int, choices=(1, 3), default=1,
                        help="3: three-member clusters of each (serial put, 16-client put, "
                             "linearizable reads, failover after a leader SIGKILL)")
    parser.add_argument("--reference-only", action="store_true",
                        help="measure the one-member reference alone and print its figures")
    parser.add_argument("--workloads", default="",
                        help="with --reference-only: comma-separated workloads (default: all)")
    options = parser.parse_args()
    if options.members == 3:
        main_cluster(options.quick)
        return
    if options.reference_only:
        main_reference(options.quick, tuple(w for w in options.workloads.split(",") if w))
        return

    measured = {"etcd": measure(real_etcd, options.quick),
                "reference": measure(reference, options.quick)}
    rows = {}
    for name in measured["etcd"]:
        e, r = measured["etcd"][name], measured["reference"][name]
        rows[name] = {"etcd": e, "reference": r,
                      "throughput_ratio": round(r["ops_per_s"] / e["ops_per_s"], 3),
                      "p50_latency_ratio": round(r["p50_ms"] / e["p50_ms"], 3)}
    targets = {
        "serial put p50 within 2x etcd": rows["serial-put"]["p50_latency_ratio"] <= 2.0,
        "concurrent put throughput >= 25% of etcd": rows["put-16"]["throughput_ratio"] >= 0.25,
    }
    version = subprocess.run(["etcd", "--version"], capture_output=True, text=True).stdout.split()[2]
    results = {"workloads": rows, "targets": targets, "quick": options.quick,
               "environment": {"etcd": version, "python": platform.python_version(),
                               "grpcio": grpc.__version__, "cpus": os.cpu_count(),
                               "machine": platform.machine()}}
    print(table(results))
    for target, met in targets.items():
        print(f"target {target}: {'met' if met else 'MISSED'}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "etcd_vs_reference.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
