"""Where the reference apiserver's CPU goes per pod of the scheduler benchmark's end-to-end run: a
sampling profile of its handler chain, in this process, with no HTTP, TLS or other clients.

Why: in the end-to-end run the apiserver serves a thousand kubelet watches on a thread each; py-spy
falls seconds behind walking them and its --gil samples land on the lines where threads take the
GIL back, and a tracing profiler (cProfile, yappi) makes each of the hundreds of thousands of small
calls a request makes several times dearer, so both mislead. Here one thread sends each pod's
requests as that run does (POST pod, POST pods/binding, POST events) to `HandlerChain.handle`
over a reference etcd process, and SIGPROF (every --interval of the process's CPU) samples that
thread's Python stack. Samples are of the main thread only: CPU its helpers spend meanwhile (the
gRPC client's poller, the pods cacher's etcd watch) lands on the line where the main thread waits
for them, mostly inside grpc's `_blocking`, and is shown apart, per thread, from /proc.

Prints the CPU per pod of each thread, then the top --top functions of the samples taken in
`HandlerChain.handle` (the driver's own JSON work left out) by samples where they run (self) and
by samples where they are on the stack (inclusive), and writes
benchmarks/results/apiserver_cpu_profile.json.

    python benchmarks/apiserver_cpu_profile.py [--pods 1000] [--top 15] [--interval 0.0005]
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

import scheduler_throughput  # noqa: E402  (the same pods)
from reference_impl import cluster  # noqa: E402

NODE = "hollow-node-0001"
RESULTS = ROOT / "benchmarks" / "results" / "apiserver_cpu_profile.json"
Stack = tuple[str, ...]


def frame_name(code, line: int) -> str:
    """`qualname (path:line)`: the path from the repository's root where it is under it, else its
    last two parts (`python3.11/threading.py`, `grpc/_channel.py`)."""
    path = os.path.normpath(code.co_filename)
    if path.startswith(str(ROOT) + os.sep):
        path = path[len(str(ROOT)) + 1:]
    else:
        path = os.sep.join(path.split(os.sep)[-2:])
    return f"{code.co_qualname} ({path}:{line})"


def flat_profile(samples: dict[Stack, int], top: int) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The `top` functions by samples in which they run (self) and in which they are anywhere on
    the stack, a recursive one counted once a sample (inclusive). A function is its frames'
    name without the line."""
    own: collections.Counter = collections.Counter()
    anywhere: collections.Counter = collections.Counter()
    for stack, count in samples.items():
        functions = [frame.rpartition(":")[0] + ")" if frame.endswith(")") else frame for frame in stack]
        if functions:
            own[functions[-1]] += count
        for function in set(functions):
            anywhere[function] += count
    return own.most_common(top), anywhere.most_common(top)


def thread_cpu(pid: int) -> dict[int, float]:
    """Each thread's user+system CPU seconds, by native thread id."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[int(tid)] = (int(fields[11]) + int(fields[12])) / tick
    return seconds


def run(args: argparse.Namespace) -> dict:
    os.environ.setdefault("GRPC_EXPERIMENTS", cluster.GRPC_EXPERIMENTS)  # as the cluster's apiserver runs
    from reference_impl.apiserver.adapter.server import HandlerChain
    from reference_impl.apiserver.core.handlers import Request
    from reference_impl.apiserver.core.registry import Registry
    from reference_impl.apiserver.storage.etcdclient import EtcdClient
    from reference_impl.machinery.clock import ManualClock
    from tests.reference.etcd.processes import reference_server

    def call(chain, path: str, body: dict) -> dict:
        response = chain.handle(Request("POST", path, {}, {"Accept": "application/json",
                                                           "Content-Type": "application/json"},
                                        json.dumps(body).encode()))
        if response.code != 201:
            raise RuntimeError(f"POST {path}: {response.code} {response.body[:200]!r}")
        return json.loads(response.body)

    _, pods = scheduler_throughput.workload(argparse.Namespace(seed=args.seed, nodes=1, pods=args.pods))
    samples: collections.Counter = collections.Counter()

    def sample(signum, frame) -> None:
        stack = []
        while frame is not None and frame.f_code.co_filename != __file__:  # the driver's own frames left out
            stack.append(frame_name(frame.f_code, frame.f_lineno))
            frame = frame.f_back
        samples[tuple(reversed(stack))] += 1

    with tempfile.TemporaryDirectory(prefix="apiserver-cpu-profile-") as tmp, \
            reference_server(Path(tmp) / "etcd", "--listen-client-http-urls", "http://127.0.0.1:0") as etcd:
        client = EtcdClient(etcd.address)
        registry = Registry(client, ManualClock(time.time()))
        registry.start_watch_caches()
        chain = HandlerChain(registry, now=time.time)
        base = f"/api/v1/namespaces/{scheduler_throughput.NS}"
        call(chain, "/api/v1/namespaces", {"metadata": {"name": scheduler_throughput.NS}})
        call(chain, "/api/v1/nodes", {"metadata": {"name": NODE}})
        names = {thread.native_id: thread.name for thread in threading.enumerate()}
        before, started = thread_cpu(os.getpid()), time.process_time()
        signal.signal(signal.SIGPROF, sample)
        signal.setitimer(signal.ITIMER_PROF, args.interval, args.interval)
        try:
            for pod in pods:
                name = pod["metadata"]["name"]
                created = call(chain, f"{base}/pods", {"apiVersion": "v1", "kind": "Pod", **pod})
                call(chain, f"{base}/pods/{name}/binding", {"apiVersion": "v1", "kind": "Binding",
                                                            "metadata": {"name": name},
                                                            "target": {"kind": "Node", "name": NODE}})
                call(chain, f"{base}/events", {
                    "apiVersion": "v1", "kind": "Event",
                    "metadata": {"name": f"{name}.{time.time_ns():x}", "namespace": scheduler_throughput.NS},
                    "involvedObject": {"apiVersion": "v1", "kind": "Pod", "namespace": scheduler_throughput.NS,
                                       "name": name, "uid": created["metadata"]["uid"]},
                    "type": "Normal", "reason": "Scheduled", "source": {"component": "default-scheduler"},
                    "message": f"Successfully assigned {scheduler_throughput.NS}/{name} to {NODE}"})
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
        cpu = time.process_time() - started
        after = thread_cpu(os.getpid())
        names.update({thread.native_id: thread.name for thread in threading.enumerate()})
        registry.close()
        client.close()
    by_thread: collections.Counter = collections.Counter()
    for tid, seconds in after.items():
        by_thread[names.get(tid, "threads of grpc's core")] += seconds - before.get(tid, 0.0)
    # What the driver does itself (writing the bodies, reading the answers) is no apiserver work.
    served = {stack: count for stack, count in samples.items() if stack and stack[0].startswith("HandlerChain.handle ")}
    own, anywhere = flat_profile(served, args.top)
    total = sum(served.values())
    return {"pods": args.pods, "cpu_ms_per_pod": round(cpu * 1000 / args.pods, 3),
            "cpu_ms_per_pod_by_thread": {name: round(seconds * 1000 / args.pods, 3)
                                         for name, seconds in by_thread.most_common() if seconds > 0},
            "samples": total, "driver_samples": sum(samples.values()) - total, "self": own, "inclusive": anywhere}


def table(result: dict) -> str:
    lines = [f"{result['pods']} pods: {result['cpu_ms_per_pod']} ms CPU per pod; by thread:"]
    lines += [f"  {name:<40} {ms:>7} ms" for name, ms in result["cpu_ms_per_pod_by_thread"].items()]
    for title in ("self", "inclusive"):
        lines.append(f"main thread in HandlerChain.handle, {title} ({result['samples']} samples; "
                     f"{result['driver_samples']} more in the driver)")
        lines += [f"  {100 * count / max(result['samples'], 1):5.1f}%  {function}" for function, count in result[title]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--interval", type=float, default=0.0005, help="seconds of process CPU between samples")
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
