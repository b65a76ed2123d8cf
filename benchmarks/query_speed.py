"""How fast queries answer from a real index: callees and callers at depth 3, and the path from
each component's main to its main loop.

Warm: one process opens the index once and repeats each query; cold: a new `kubeatlas` process
per query, as a user at a shell runs it. Then issue 13's cold start (`callees` and `show` of the
kubelet's sync loop, depth 1) through `python -m analyzer.cli` and through the `kubeatlas` console
script, with the processes' CPU time beside the wall time: on a loaded machine the wall time is
mostly waiting for a core. Prints a table of medians and writes benchmarks/results/query_speed.json.

The analyzer's bytecode is compiled first, as an install or any first run leaves it: where
PYTHONDONTWRITEBYTECODE is set (some containers set it) every cold process would otherwise
compile the modules it imports again, about 15 ms here.

    KUBEATLAS_HOME=~/.cache/kubeatlas python benchmarks/query_speed.py
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer import query, store  # noqa: E402
from analyzer.workspace import default_home  # noqa: E402

RESULTS = Path(__file__).parent / "results"
# (repo, symbol) whose neighbourhoods are asked for: each component's main loop.
LOOPS = [
    ("kubernetes", "scheduler.(*Scheduler).scheduleOne"),
    ("kubernetes", "replicaset.(*ReplicaSetController).syncReplicaSet"),
    ("kubernetes", "kubelet.(*Kubelet).syncLoopIteration"),
    ("kubernetes", "iptables.(*Proxier).syncProxyRules"),
    ("kubernetes", "kube-apiserver/app.CreateServerChain"),
    ("etcd", "etcdserver.(*EtcdServer).applyAll"),
]
PATHS = [
    ("kubernetes", "kube-scheduler.main", "scheduler.(*Scheduler).scheduleOne"),
    ("kubernetes", "kube-controller-manager.main", "replicaset.(*ReplicaSetController).syncReplicaSet"),
    ("kubernetes", "kubelet.main", "kubelet.(*Kubelet).syncLoopIteration"),
    ("kubernetes", "kube-proxy.main", "iptables.(*Proxier).syncProxyRules"),
    ("kubernetes", "kube-apiserver.main", "kube-apiserver/app.CreateServerChain"),
    ("etcd", "server/v3.main", "etcdserver.(*EtcdServer).applyAll"),
]


def timed(function, repeat: int) -> tuple[float, object]:
    """Median milliseconds of `repeat` calls, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def cold(argv: list[str], env: dict[str, str], repeat: int,
         command: list[str] | None = None) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `repeat` new processes running `argv`."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([*(command or [sys.executable, "-m", "analyzer.cli"]), *argv], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        walls.append((time.perf_counter() - started) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def cold_start(env: dict[str, str], repeat: int) -> list[dict]:
    """Issue 13's cold queries, through each way a user starts them, beside Python starting with
    no query, with `site` (which runs the .pth files of every installed package) and without:
    a query's own share is its time less the start-up's. Runs alternate, so that a machine
    busier for a while slows each the same."""
    script = Path(sys.executable).with_name("kubeatlas")
    starts = {"python -m analyzer.cli": [sys.executable, "-m", "analyzer.cli"]}
    if script.exists() or shutil.which("kubeatlas"):
        starts["kubeatlas (console script)"] = [str(script if script.exists() else shutil.which("kubeatlas"))]
    runs = {(" ".join(argv), how): [*command, *argv]
            for argv in (["callees", "kubelet.(*Kubelet).syncLoopIteration"], ["show", "syncLoopIteration"])
            for how, command in starts.items()}
    runs[("", STARTUP)] = [sys.executable, "-c", "pass"]
    runs[("", STARTUP_NO_SITE)] = [sys.executable, "-S", "-c", "pass"]
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in runs}
    for _ in range(repeat):
        for key, command in runs.items():
            samples[key].append(cold([], env, 1, command))
    medians = {key: (statistics.median(w for w, _ in found), statistics.median(c for _, c in found))
               for key, found in samples.items()}
    startup_wall, startup_cpu = medians[("", STARTUP)]
    out = []
    for (query_text, how), (wall_ms, cpu_ms) in medians.items():
        row = {"query": query_text, "how": how, "wall_ms": round(wall_ms, 1), "cpu_ms": round(cpu_ms, 1)}
        if query_text:  # the query's own share: what it adds to Python starting
            row |= {"ours_wall_ms": round(wall_ms - startup_wall, 1),
                    "ours_cpu_ms": round(cpu_ms - startup_cpu, 1)}
        out.append(row | {"load": round(os.getloadavg()[0], 1)})
    return out


STARTUP = "python -c pass (start-up alone)"
STARTUP_NO_SITE = "python -S -c pass (start-up, no site)"


def query_tables(home: Path, env: dict[str, str], repeat: int) -> dict:
    """Each main loop's callees and callers at depth 3, and each component's path to its loop,
    warm and cold; prints the table and returns the results."""
    db = store.connect(home / "index.sqlite")
    indexes = {repo: query.GraphIndex.open(db, repo) for repo in ("kubernetes", "etcd")}

    rows, results = [], {"callees": [], "callers": [], "paths": []}
    for repo, symbol in LOOPS:
        index = indexes[repo]
        for direction in ("callees", "callers"):
            warm_ms, tree = timed(lambda: index.tree(symbol, direction, 3), repeat)
            cold_ms, _ = cold([direction, symbol, "-d", "3", "--repo", repo, "-f", "json"], env, 3)
            results[direction].append({"symbol": symbol, "warm_ms": round(warm_ms, 1),
                                       "cold_ms": round(cold_ms, 1), "edges": len(tree.edges)})
            rows.append((f"{direction} -d 3 {symbol}", warm_ms, cold_ms, f"{len(tree.edges):,} edges"))
    for repo, start, goal in PATHS:
        index = indexes[repo]
        warm_ms, found = timed(lambda: index.paths(start, goal), repeat)
        cold_ms, _ = cold(["path", start, goal, "--repo", repo], env, 3)
        hops = len(found[0])
        results["paths"].append({"from": start, "to": goal, "warm_ms": round(warm_ms, 1),
                                 "cold_ms": round(cold_ms, 1), "hops": hops})
        rows.append((f"path {start} → {goal}", warm_ms, cold_ms, f"{hops} hops"))

    width = max(len(r[0]) for r in rows)
    print(f"{'query':<{width}}  {'warm ms':>8}  {'cold ms':>8}  result")
    for name, warm_ms, cold_ms, note in rows:
        print(f"{name:<{width}}  {warm_ms:>8.1f}  {cold_ms:>8.1f}  {note}")
    for kind, target in (("callees", 100), ("callers", 100), ("paths", 500)):
        medians = [r["warm_ms"] for r in results[kind]]
        print(f"median warm {kind}: {statistics.median(medians):.1f} ms (target < {target} ms), "
              f"slowest {max(medians):.1f} ms")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=default_home(),
                        help="kubeatlas home holding index.sqlite (default: $KUBEATLAS_HOME)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cold-start-only", action="store_true",
                        help="only the cold start: no warm or depth-3 queries, which load the machine")
    options = parser.parse_args()
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "analyzer", quiet=1)
    env = {**os.environ, "KUBEATLAS_HOME": str(options.home)}
    results = {} if options.cold_start_only else query_tables(options.home, env, options.repeat)
    results["cold_start"] = cold_start(env, options.repeat)
    print(f"\ncold start (target 80 ms), medians of {options.repeat} alternated runs; ours: less "
          "the start-up with site:")
    for row in results["cold_start"]:
        ours = (f"  ours wall {row['ours_wall_ms']:>6.1f} ms cpu {row['ours_cpu_ms']:>6.1f} ms"
                if "ours_wall_ms" in row else "")
        print(f"  {row['query']:<44} {row['how']:<38} wall {row['wall_ms']:>6.1f} ms  "
              f"cpu {row['cpu_ms']:>6.1f} ms{ours}  load {row['load']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "query_speed.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
