"""Whether every seed component's main reaches its main loop, in every indexed commit, inside
the component's own program.

For each complete index in the index file and each component of the manifest in that
repository, it asks for the surest shortest path from the component's entrypoint to its main loop
(the manifest's names, or their alternatives for other eras), plus the extra goals below, and
checks that every function on the path is in a package the command links. Prints one row per
path (length, confidence, weakest link) and writes benchmarks/results/component_paths.json.

    KUBEATLAS_HOME=~/.cache/kubeatlas python benchmarks/component_paths.py
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer import query, store  # noqa: E402
from analyzer.manifest import load_manifest  # noqa: E402
from analyzer.workspace import default_home  # noqa: E402

RESULTS = Path(__file__).parent / "results"
# Goals beyond the main loops: where a reader wants to go from a component's main.
EXTRA_GOALS = {
    "kube-apiserver": [
        # a REST request served: the handler chain's dispatch into a resource's create handler
        "k8s.io/apiserver/pkg/endpoints/handlers.CreateResource",
        "(*k8s.io/apiserver/pkg/server.APIServerHandler).ServeHTTP",
    ],
    "kube-scheduler": [
        "(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunFilterPlugins",
    ],
    "etcd": ["(*go.etcd.io/etcd/server/v3/etcdserver.EtcdServer).applyEntryNormal",
             "(*go.etcd.io/etcd/etcdserver.EtcdServer).applyEntryNormal"],
}


def first_present(index: query.GraphIndex, names) -> str | None:
    return next((name for name in names if index.has(name)), None)


def rows_for(index: query.GraphIndex, component) -> list[dict]:
    start = first_present(index, [n for ref in component.entrypoints[:1] for n in ref.names])
    program = component.name if component.name in index.programs() else None
    goals = [first_present(index, component.main_loop.names)]
    goals += [name for name in EXTRA_GOALS.get(component.name, ()) if index.has(name)]
    rows = []
    for goal in goals:
        row = {"commit": index.commit.sha[:12], "component": component.name, "program": program,
               "start": start, "goal": goal}
        if start is None or goal is None:
            rows.append({**row, "found": False, "why": "entrypoint or goal not in this commit"})
            continue
        began = time.perf_counter()
        try:
            (path,) = index.paths(start, goal, query.Filters(program=program))
        except query.NoPath:
            rows.append({**row, "found": False, "why": "no path",
                         "ms": round((time.perf_counter() - began) * 1000, 1)})
            continue
        outside = ([e.callee for e in path if not index.program(program).links(e.callee)]
                   if program else [])
        confidence = 1.0
        for edge in path:
            confidence *= edge.confidence
        weakest = min(path, key=lambda e: e.confidence) if path else None
        rows.append({**row, "found": True, "calls": len(path), "confidence": round(confidence, 3),
                     "weakest": f"{weakest.kind} {weakest.confidence:.2f}" if weakest else "",
                     "outside_program": outside,
                     "kinds": [e.kind for e in path],
                     "ms": round((time.perf_counter() - began) * 1000, 1)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=default_home() / "index.sqlite",
                        help="the index file (default: $KUBEATLAS_HOME/index.sqlite)")
    args = parser.parse_args(argv)
    db = store.connect(args.index)
    components = load_manifest()
    rows = []
    for commit in store.complete_commits(db):
        if commit.repo not in {c.repo for c in components}:
            continue  # the standard library
        index = query.GraphIndex(db, commit)
        for component in components:
            if component.repo == commit.repo:
                rows.extend(rows_for(index, component))
    print(f"{'commit':<13}{'component':<24}{'goal':<44}{'found':<7}{'calls':>6}{'conf':>7}"
          f"  {'weakest':<18}{'outside':>8}{'ms':>7}")
    for row in rows:
        goal = (row["goal"] or "?").rsplit("/", 1)[-1][:42]
        print(f"{row['commit']:<13}{row['component']:<24}{goal:<44}{str(row['found']):<7}"
              f"{row.get('calls', ''):>6}{row.get('confidence', ''):>7}  {row.get('weakest', ''):<18}"
              f"{len(row.get('outside_program', [])):>8}{row.get('ms', ''):>7}")
    found = sum(row["found"] for row in rows)
    clean = sum(row["found"] and not row["outside_program"] for row in rows)
    print(f"\n{found} of {len(rows)} paths found; {clean} of them stay inside their program")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "component_paths.json").write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if found == len(rows) == clean else 1


if __name__ == "__main__":
    sys.exit(main())
