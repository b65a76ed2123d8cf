"""Load on the reference kube-apiserver, on real etcd 3.4 and on the reference etcd, in one run.

Workloads (each bounded in operation count and in time):
  create     50 concurrent clients create 5,000 pods in one namespace
  get        50 concurrent clients get those pods, 5,000 gets in random order
  list       5 concurrent clients list all 5,000 pods (one response), and page through them
             500 at a time (`limit` + `continue`)
  watch      100 watchers open `?watch=1` from one resourceVersion; one writer makes 200
             changes (creates, updates, deletes of configmaps) one after another; every watcher
             must receive every event, in resourceVersion order. Latency is from the start of
             the write to the delivery; its ops/s counts deliveries.

The client is raw `http.client` over `ssl` with the admin client certificate from the
apiserver's kubeconfig, one keep-alive connection per client thread. Why not the Python
`kubernetes` client: it builds a generated model object for every response (several ms per pod
list item), which on a 2-CPU machine would measure the client's deserialisation and steal CPU from
the server under test; raw HTTP keeps the client's cost per call well under a millisecond, and it
sends the same requests (JSON bodies, the same paths and query parameters).

The two storages run one after the other with their own temporary directories, each behind a
fresh apiserver, so they do not compete for the CPU. Prints a table and writes
benchmarks/results/apiserver_load.json. Targets (reported, not enforced): p99 under 1 s for
single-object calls (create, get) at 50 concurrent clients; every watcher receives every event
in order.

    python benchmarks/apiserver_load.py [--quick] [--pods N] [--storage reference|etcd]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import queue
import random
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
sys.path.insert(0, str(ROOT / "tests" / "reference" / "apiserver"))
import cluster as control_plane  # noqa: E402  (the e2e tests' process helpers)

NS = "load"
WATCH_NS = "fanout"
PHASE_TIMEOUT = 300.0  # seconds any one workload may take before it stops and reports what it did
WATCH_DELIVERY_TIMEOUT = 60.0


class Client:
    """One keep-alive HTTPS connection as the admin user; reopened if the server closes it."""

    def __init__(self, port: int, context: ssl.SSLContext, timeout: float = 30.0):
        self.port, self.context, self.timeout = port, context, timeout
        self.conn: http.client.HTTPSConnection | None = None
        self.reconnects = 0
        self.connects: list[float] = []  # seconds for TCP connect + TLS handshake, each time

    def call(self, method: str, path: str, body: bytes | None = None,
             content_type: str = "application/json") -> tuple[int, bytes]:
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=self.timeout,
                                                        context=self.context)
                began = time.perf_counter()
                self.conn.connect()
                self.connects.append(time.perf_counter() - began)
            try:
                headers = {"Accept": "application/json"}
                if body is not None:
                    headers["Content-Type"] = content_type
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.close()
                return response.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server had closed: retry once on a fresh one.
                self.close()
                self.reconnects += 1
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def pod(name: str) -> bytes:
    return json.dumps({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "labels": {"app": "load", "shard": name[-1]}},
        "spec": {"containers": [{"name": "main", "image": "busybox:1.36",
                                 "command": ["sleep", "3600"]}]},
    }).encode()


def summary(latencies: list[float], ops: int, seconds: float, errors: int = 0) -> dict:
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 3)

    return {"ops": ops, "errors": errors, "seconds": round(seconds, 3),
            "ops_per_s": round(ops / seconds, 1) if seconds else None,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0)}


def run_calls(port: int, context: ssl.SSLContext, calls: list[tuple[str, str, bytes | None, int]],
              workers: int) -> dict:
    """Run (method, path, body, expected status) calls on `workers` threads, one connection
    each, until done or PHASE_TIMEOUT; latency per call."""
    work: queue.Queue = queue.Queue()
    for call in calls:
        work.put(call)
    latencies: list[float] = []
    connects: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + PHASE_TIMEOUT

    def worker() -> None:
        client = Client(port, context)
        mine, bad = [], []
        try:
            while time.monotonic() < deadline:
                try:
                    method, path, body, expected = work.get_nowait()
                except queue.Empty:
                    break
                began = time.perf_counter()
                try:
                    status, data = client.call(method, path, body)
                except (OSError, http.client.HTTPException) as error:
                    bad.append(f"{method} {path}: {error!r}")
                    continue
                mine.append(time.perf_counter() - began)
                if status != expected:
                    bad.append(f"{method} {path}: {status} {data[:200]!r}")
        finally:
            client.close()
            with lock:
                latencies.extend(mine)
                connects.extend(client.connects)
                failures.extend(bad)

    began = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(worker) for _ in range(workers)]:
            future.result()
    seconds = time.perf_counter() - began
    result = summary(latencies, len(latencies) - len(failures), seconds, len(failures))
    result["clients"] = workers
    # Call latencies include the connect of a client's first call; shown apart to explain a tail.
    result["connects"] = summary(connects, len(connects), seconds)
    for key in ("ops", "errors", "seconds", "ops_per_s"):
        result["connects"].pop(key)
    result["connects"]["count"] = len(connects)
    if work.qsize():
        result["unfinished"] = work.qsize()
    if failures:
        result["first_errors"] = failures[:3]
    return result


def list_all(client: Client, page: int) -> tuple[int, int]:
    """Page through the namespace's pods; (items, pages)."""
    items = pages = 0
    token = ""
    while True:
        path = f"/api/v1/namespaces/{NS}/pods?limit={page}"
        if token:
            path += f"&continue={token}"
        status, data = client.call("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {data[:200]!r}")
        body = json.loads(data)
        items += len(body["items"])
        pages += 1
        token = body["metadata"].get("continue", "")
        if not token:
            return items, pages


def run_lists(port: int, context: ssl.SSLContext, pods: int, count: int, workers: int) -> dict:
    results = {}
    for label, page in (("list-all", 0), ("list-paged-500", 500)):
        latencies, sizes, errors = [], [], []
        lock = threading.Lock()

        def worker(n: int) -> None:
            client = Client(port, context, timeout=120)
            try:
                for _ in range(n):
                    began = time.perf_counter()
                    try:
                        if page:
                            size, _ = list_all(client, page)
                        else:
                            status, data = client.call("GET", f"/api/v1/namespaces/{NS}/pods")
                            if status != 200:
                                raise RuntimeError(f"{status} {data[:200]!r}")
                            size = len(json.loads(data)["items"])
                    except Exception as error:  # noqa: BLE001 - reported, not raised
                        with lock:
                            errors.append(repr(error))
                        continue
                    with lock:
                        latencies.append(time.perf_counter() - began)
                        sizes.append(size)
            finally:
                client.close()

        began = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            for future in [pool.submit(worker, count // workers) for _ in range(workers)]:
                future.result()
        result = summary(latencies, len(latencies), time.perf_counter() - began, len(errors))
        result.update(clients=workers, items_per_list=sorted(set(sizes)),
                      complete=all(size == pods for size in sizes))
        if errors:
            result["first_errors"] = errors[:3]
        results[label] = result
    return results


def run_watch_fanout(port: int, context: ssl.SSLContext, watchers: int, changes: int) -> dict:
    """`watchers` watches from one resourceVersion; one writer, `changes` sequential writes."""
    client = Client(port, context)
    status, data = client.call("GET", f"/api/v1/namespaces/{WATCH_NS}/configmaps")
    assert status == 200, (status, data[:200])
    start_rv = json.loads(data)["metadata"]["resourceVersion"]

    received: list[list[tuple[str, str, str, float]]] = [[] for _ in range(watchers)]
    ready = threading.Barrier(watchers + 1, timeout=60)
    problems: list[str] = []

    def watcher(index: int) -> None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=WATCH_DELIVERY_TIMEOUT,
                                           context=context)
        try:
            conn.request("GET", f"/api/v1/namespaces/{WATCH_NS}/configmaps?watch=1"
                                f"&resourceVersion={start_rv}&timeoutSeconds=120",
                         headers={"Accept": "application/json"})
            response = conn.getresponse()
            if response.status != 200:
                problems.append(f"watcher {index}: {response.status} {response.read(200)!r}")
                ready.wait()
                return
            ready.wait()
            mine = received[index]
            while len(mine) < changes:
                line = response.readline()
                if not line:
                    break
                if not line.strip():
                    continue
                event = json.loads(line)
                metadata = event["object"].get("metadata", {})
                if event["type"] == "BOOKMARK":
                    continue
                mine.append((event["type"], metadata.get("name", ""),
                             metadata.get("resourceVersion", ""), time.perf_counter()))
        except (OSError, http.client.HTTPException, ValueError, threading.BrokenBarrierError) as error:
            problems.append(f"watcher {index}: {error!r}")
            ready.abort()  # the writer must not wait for a watcher that will never be ready
        finally:
            conn.close()

    threads = [threading.Thread(target=watcher, args=(i,), daemon=True) for i in range(watchers)]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        problems.append("not every watcher opened its watch")
    time.sleep(0.2)  # the response headers came before the watch was registered, on some servers

    # One writer, sequential: the order of its responses is the order of the events.
    written: list[tuple[str, str, str, float]] = []
    names = [f"cm-{i:04d}" for i in range(changes // 3 + 1)]
    plan: list[tuple[str, str]] = []
    for name in names:
        plan += [("ADDED", name), ("MODIFIED", name), ("DELETED", name)]
    plan = plan[:changes]
    began = time.perf_counter()
    for kind, name in plan:
        path = f"/api/v1/namespaces/{WATCH_NS}/configmaps"
        started = time.perf_counter()
        if kind == "ADDED":
            status, data = client.call("POST", path, json.dumps({
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                "data": {"v": "0"}}).encode())
        elif kind == "MODIFIED":
            status, data = client.call("PUT", f"{path}/{name}", json.dumps({
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                "data": {"v": "1"}}).encode())
        else:
            status, data = client.call("DELETE", f"{path}/{name}")
        if status not in (200, 201):
            problems.append(f"write {kind} {name}: {status} {data[:200]!r}")
            continue
        body = json.loads(data)
        # A DELETE of a configmap returns a Status; its rv is the watcher's to tell.
        rv = body.get("metadata", {}).get("resourceVersion", "") if body.get("kind") != "Status" else ""
        written.append((kind, name, rv, started))
    write_seconds = time.perf_counter() - began
    client.close()

    deadline = time.monotonic() + WATCH_DELIVERY_TIMEOUT
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))

    expected = [(kind, name) for kind, name, _, _ in written]
    start_of = {(kind, name): started for kind, name, _, started in written}
    latencies: list[float] = []
    complete = in_order = 0
    for events in received:
        got = [(kind, name) for kind, name, _, _ in events]
        revisions = [int(rv) for _, _, rv, _ in events if rv.isdigit()]
        complete += got == expected
        in_order += revisions == sorted(revisions) and len(set(revisions)) == len(revisions)
        latencies += [at - start_of[(kind, name)] for kind, name, _, at in events
                      if (kind, name) in start_of]
    seconds = max((events[-1][3] for events in received if events), default=began) - began
    result = summary(latencies, len(latencies), seconds)
    result.update(watchers=watchers, changes=len(written), write_seconds=round(write_seconds, 3),
                  watchers_complete=complete, watchers_in_order=in_order,
                  every_watcher_every_event_in_order=complete == in_order == watchers)
    if problems:
        result["first_errors"] = problems[:3]
    return result


def run_storage(storage: str, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"apiserver-load-{storage}-") as tmp:
        with control_plane.cluster(storage, Path(tmp)) as cluster:
            context = cluster.admin_tls
            port = cluster.port
            setup = Client(port, context)
            for namespace in (NS, WATCH_NS):
                status, data = setup.call("POST", "/api/v1/namespaces", json.dumps({
                    "apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": namespace}}).encode())
                assert status == 201, (status, data[:300])
            setup.close()
            results: dict = {}
            names = [f"load-{i:05d}" for i in range(args.pods)]
            results["create"] = run_calls(port, context, [
                ("POST", f"/api/v1/namespaces/{NS}/pods", pod(name), 201) for name in names],
                args.clients)
            print(f"  {storage}: create {results['create']}", file=sys.stderr)
            shuffled = random.Random(6).sample(names, len(names))
            results["get"] = run_calls(port, context, [
                ("GET", f"/api/v1/namespaces/{NS}/pods/{name}", None, 200) for name in shuffled],
                args.clients)
            print(f"  {storage}: get {results['get']}", file=sys.stderr)
            results.update(run_lists(port, context, args.pods, args.lists, args.list_clients))
            print(f"  {storage}: lists done", file=sys.stderr)
            results["watch-fanout"] = run_watch_fanout(port, context, args.watchers, args.changes)
            print(f"  {storage}: watch {results['watch-fanout']}", file=sys.stderr)
            return results


def etcd_version() -> str:
    try:
        out = subprocess.run(["etcd", "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return "absent"
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("etcd Version")), "?")


def table(results: dict) -> str:
    storages = list(results)
    workloads = list(results[storages[0]])
    rows = [f"{'workload':<16} {'storage':<10} {'ops':>7} {'errors':>6} {'ops/s':>9} "
            f"{'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'connect p99 ms':>15}"]
    for workload in workloads:
        for storage in storages:
            r = results[storage][workload]
            rows.append(f"{workload:<16} {storage:<10} {r['ops']:>7} {r['errors']:>6} "
                        f"{r['ops_per_s'] or 0:>9.1f} {r['p50_ms'] or 0:>9.1f} "
                        f"{r['p99_ms'] or 0:>9.1f} {r['max_ms'] or 0:>9.1f}"
                        + (f" {r['connects']['p99_ms'] or 0:>15.1f}" if "connects" in r else ""))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 pods, 20 watchers (a smoke run)")
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--lists", type=int, default=10, help="lists of each kind")
    parser.add_argument("--list-clients", type=int, default=5)
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--storage", choices=control_plane.STORAGES, action="append",
                        help="run on this storage only (repeatable); default both")
    args = parser.parse_args(argv)
    if args.quick:
        args.pods, args.watchers, args.changes, args.lists = 500, 20, 60, 5
    storages = args.storage or ["etcd", "reference"]

    results = {}
    for storage in storages:
        print(f"running on {storage} etcd ...", file=sys.stderr)
        results[storage] = run_storage(storage, args)

    targets = {}
    for storage, r in results.items():
        targets[f"{storage}: create/get p99 < 1 s at {args.clients} clients"] = all(
            r[w]["p99_ms"] is not None and r[w]["p99_ms"] < 1000 and not r[w]["errors"]
            and not r[w].get("unfinished") for w in ("create", "get"))
        targets[f"{storage}: every watcher receives every event in order"] = \
            r["watch-fanout"]["every_watcher_every_event_in_order"]
    report = {
        "workloads": results, "targets": targets, "quick": args.quick,
        "parameters": {k: v for k, v in vars(args).items() if k != "storage"},
        "environment": {"etcd": etcd_version(), "python": platform.python_version(),
                        "cpus": os.cpu_count(), "machine": platform.machine()},
    }
    print(table(results))
    for target, met in targets.items():
        print(f"{'met ' if met else 'MISSED'}  {target}")
    RESULTS.mkdir(exist_ok=True)
    name = "apiserver_load_quick.json" if args.quick else "apiserver_load.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
