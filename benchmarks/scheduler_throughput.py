"""Reference scheduler throughput: 1,000 hollow nodes, 5,000 pending pods, scheduled in-process.

Nodes are plain Node objects in the core's cache (no kubelet); pods carry mixed cpu/memory
requests, and some carry required/preferred pod (anti-)affinity, node affinity and topology spread
constraints, and one pod in 500 asks for more cpu than any node has. Each Bind is applied straight back to the cache (as the pod informer would), so later
pods see earlier ones. Prints pods/s and per-pod scheduling latency percentiles and writes
benchmarks/results/scheduler_throughput.json. Target (reported, not enforced): >= 100 pods/s.

    python benchmarks/scheduler_throughput.py [--nodes 1000] [--pods 5000] [--seed 1]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from reference_impl.scheduler import Bind, Scheduler  # noqa: E402

ZONES = [f"zone-{i}" for i in range(10)]
APPS = [f"app-{i}" for i in range(50)]


class SimClock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t


def hollow_node(i: int, rng: random.Random) -> dict:
    name = f"hollow-node-{i:04d}"
    labels = {"kubernetes.io/hostname": name, "topology.kubernetes.io/zone": ZONES[i % len(ZONES)],
              "node.kubernetes.io/instance-type": rng.choice(["small", "medium", "large"])}
    node = {"metadata": {"name": name, "labels": labels}, "spec": {},
            "status": {"allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"}}}
    if i % 50 == 0:
        node["spec"]["taints"] = [{"key": "dedicated", "value": "infra", "effect": "NoSchedule"}]
    return node


def workload_pod(i: int, rng: random.Random) -> dict:
    app = rng.choice(APPS)
    container = {"name": "c", "image": "pause",
                 "resources": {"requests": {"cpu": f"{rng.choice([100, 250, 500, 1000])}m",
                                            "memory": f"{rng.choice([128, 256, 512, 1024])}Mi"}}}
    if i % 500 == 499:  # fits no node (32 cpu each): exercises the all-nodes failure path
        container["resources"]["requests"]["cpu"] = "64"
    spec: dict = {"containers": [container]}
    kind = i % 10
    selector = {"matchLabels": {"app": app}}
    if kind == 0:  # spread hard across zones
        spec["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                              "whenUnsatisfiable": "DoNotSchedule", "labelSelector": selector}]
    elif kind == 1:  # spread soft across hosts
        spec["topologySpreadConstraints"] = [{"maxSkew": 2, "topologyKey": "kubernetes.io/hostname",
                                              "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": selector}]
    elif kind == 2:  # preferred anti-affinity per host
        spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"labelSelector": selector, "topologyKey": "kubernetes.io/hostname"}}]}}
    elif kind == 3:  # required affinity to its own app in the same zone
        spec["affinity"] = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": selector, "topologyKey": "topology.kubernetes.io/zone"}]}}
    elif kind == 4:  # preferred node affinity
        spec["affinity"] = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "preference": {"matchExpressions": [
                {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["large"]}]}}]}}
    return {"metadata": {"name": f"pod-{i:05d}", "namespace": "bench", "labels": {"app": app}}, "spec": spec}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "results", "scheduler_throughput.json"))
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    clock = SimClock()
    sched = Scheduler(clock, random.Random(args.seed))
    for i in range(args.nodes):
        sched.on_node_add(hollow_node(i, rng))
    pods = {}
    for i in range(args.pods):
        p = workload_pod(i, rng)
        pods[f"bench/{p['metadata']['name']}"] = p
        sched.on_pod_add(p)

    latencies: list[float] = []
    scheduled = failed = 0
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        actions = sched.schedule_one()
        if not actions:
            break
        latencies.append(time.perf_counter() - t0)
        bind = next((a for a in actions if isinstance(a, Bind)), None)
        if bind is None:
            failed += 1
            continue
        scheduled += 1
        p = pods[f"{bind.namespace}/{bind.pod}"]
        sched.on_pod_add({**p, "spec": {**p["spec"], "nodeName": bind.node}})  # the informer confirms
    elapsed = time.perf_counter() - start

    result = {
        "nodes": args.nodes, "pods": args.pods, "scheduled": scheduled, "unschedulable_attempts": failed,
        "seconds": round(elapsed, 3), "pods_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": {f"p{p}": round(percentile(latencies, p) * 1000, 3) for p in (50, 90, 99)},
        "target_pods_per_second": 100, "python": platform.python_version(), "machine": platform.machine(),
    }
    rows = [("nodes", result["nodes"]), ("pods", result["pods"]), ("scheduled", scheduled),
            ("unschedulable attempts", failed), ("wall time (s)", result["seconds"]),
            ("pods/s", result["pods_per_second"]),
            *((f"latency {k} (ms)", v) for k, v in result["latency_ms"].items()),
            ("target pods/s", ">= 100 " + ("(met)" if result["pods_per_second"] >= 100 else "(missed)"))]
    width = max(len(k) for k, _ in rows)
    print(f"{'metric':<{width}}  value")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
