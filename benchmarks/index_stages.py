"""A cold `kubeatlas index` of part of a tree: CPU seconds stage by stage, and whether it is the same.

Indexes the Go files under the given folders of one commit into an empty home, each run in a fresh
process, and times its stages in wall and CPU seconds: what comes before the parse (listing the
tree, the module map), the parse (the writer's own CPU and its parser processes'), resolving, and
writing the graph (`store.finish_commit`). The tree's other files stay, so its go.mod, go.work and
vendor/modules.txt still give the module map. With --analyzer given more than once (a copy of the
code before a change, and after), the runs alternate between the copies, and every table each
wrote is compared, row by row: a change that makes the index faster must leave it the same.

CPU seconds are the number to compare on a shared machine: wall seconds swing with its load. The
CPU of the parser processes' `git cat-file` is not counted (those are reaped by nobody waiting).
Prints a table and writes JSON to benchmarks/results/index_stages.json.

    git archive HEAD analyzer | tar -x -C /tmp/before
    python benchmarks/index_stages.py /path/to/k8s.git@e5f3f020 --under pkg/scheduler \\
        --under pkg/kubelet --under staging/src/k8s.io/client-go --analyzer /tmp/before --analyzer .
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
HERE = Path(__file__).resolve()
MEASURES = ("wall", "cpu", "before_parse_cpu", "parse_wall", "parse_cpu_writer",
            "parse_cpu_parsers", "resolve_wall", "resolve_cpu", "write_wall", "write_cpu")


def cpu() -> tuple[float, float]:
    """(this process's CPU seconds, its reaped children's)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def table_digests(index: Path) -> dict[str, str]:
    """Per table, its row count and a hash of its rows sorted (the commit's start time left out);
    for the graph tables also a hash of the rows in the order they were written."""
    db = sqlite3.connect(index)
    digests = {}
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        columns = [name for _, name, *_ in db.execute(f"PRAGMA table_info({table})")
                   if (table, name) != ("commits", "started")]
        rows = sorted(repr(row) for row in db.execute(f"SELECT {', '.join(columns)} FROM {table}"))
        digests[table] = f"{len(rows)} rows {_hash(rows)}"
    for table in ("symbols", "edges", "implements", "annotations"):
        digests[f"{table} (in order)"] = _hash(repr(row) for row in db.execute(
            f"SELECT * FROM {table} ORDER BY rowid"))
    db.close()
    return digests


def _hash(lines) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()[:16]


def run_child(git_dir: str, commit: str, under: list[str], jobs: int) -> dict:
    """In the measured process: index the part of the tree, timing its stages."""
    import analyzer
    from analyzer import indexer
    from analyzer.sources import Checkout

    folders = tuple(folder.rstrip("/") + "/" for folder in under)
    list_tree = indexer.list_tree
    indexer.list_tree = lambda *args: [entry for entry in list_tree(*args)
                                       if not entry.path.endswith(".go")
                                       or not folders or entry.path.startswith(folders)]
    marks: dict[str, tuple[float, float, float]] = {}
    for stage in ("_parse_entries", "resolve"):
        setattr(indexer, stage, _marked(getattr(indexer, stage), stage, marks))
    home = Path(tempfile.mkdtemp(prefix="index-stages-"))
    try:
        checkout = Checkout("kubernetes", git_dir, commit, commit[:12], "file://" + git_dir)
        start = (time.monotonic(), *cpu())
        summary = indexer.index_checkout(home / "index.sqlite", checkout, jobs=jobs)
        end = (time.monotonic(), *cpu())
        parse, resolved = marks["_parse_entries"], marks["resolve"]
        return {
            "analyzer": str(Path(analyzer.__file__).parents[1]),
            "files": summary.go_files, "edges": sum(summary.edges.values()),
            "wall": end[0] - start[0], "cpu": sum(end[1:]) - sum(start[1:]),
            "before_parse_cpu": sum(parse[0][1:]) - sum(start[1:]),
            "parse_wall": parse[1][0] - parse[0][0],
            "parse_cpu_writer": parse[1][1] - parse[0][1],
            "parse_cpu_parsers": parse[1][2] - parse[0][2],
            "resolve_wall": resolved[1][0] - resolved[0][0],
            "resolve_cpu": sum(resolved[1][1:]) - sum(resolved[0][1:]),
            # Writing the graph is all that follows resolving, save the summary's counts.
            "write_wall": end[0] - resolved[1][0], "write_cpu": sum(end[1:]) - sum(resolved[1][1:]),
            "tables": table_digests(home / "index.sqlite"),
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _marked(function, stage: str, marks: dict):
    def call(*args, **kwargs):
        started = (time.monotonic(), *cpu())
        try:
            return function(*args, **kwargs)
        finally:
            marks[stage] = (started, (time.monotonic(), *cpu()))
    return call


def measure(analyzer: Path, git_dir: str, commit: str, under: list[str], jobs: int) -> dict:
    """One cold index in a fresh process that imports kubeatlas from `analyzer`."""
    argv = [sys.executable, str(HERE), "--child", git_dir, commit, "--jobs", str(jobs)]
    for folder in under:
        argv += ["--under", folder]
    done = subprocess.run(argv, env={**os.environ, "PYTHONPATH": str(analyzer)},
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"index with {analyzer} failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    if Path(result["analyzer"]) != analyzer:  # an installed kubeatlas ran instead
        raise SystemExit(f"asked for the analyzer in {analyzer}, ran {result['analyzer']}'s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", help="PATH@REF of a git directory (a mirror or a clone)")
    parser.add_argument("commit", nargs="?", help=argparse.SUPPRESS)  # --child's commit
    parser.add_argument("--under", action="append", default=[],
                        help="index only the Go files under this folder (repeatable)")
    parser.add_argument("--analyzer", action="append", type=Path,
                        help="a folder holding the analyzer package to run (repeatable; the runs "
                        "alternate between them); default: this checkout")
    parser.add_argument("--runs", type=int, default=3, help="cold indexes per analyzer (3)")
    parser.add_argument("--jobs", type=int, default=2, help="parser processes (2)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_child(options.tree, options.commit, options.under, options.jobs)))
        return

    path, _, ref = options.tree.rpartition("@")
    git_dir = str(Path(path).resolve())
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", f"{ref}^{{commit}}"],
                            check=True, capture_output=True, text=True).stdout.strip()
    analyzers = [a.resolve() for a in options.analyzer or [HERE.parents[1]]]
    runs: dict[str, list[dict]] = {str(a): [] for a in analyzers}
    for _ in range(options.runs):
        for analyzer in analyzers:
            runs[str(analyzer)].append(measure(analyzer, git_dir, commit, options.under,
                                               options.jobs))
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    report(runs, commit, options.under)


def report(runs: dict[str, list[dict]], commit: str, under: list[str]) -> None:
    results = next(iter(runs.values()))
    first = results[0]
    print(f"{commit[:12]}, {first['files']:,} Go files under {', '.join(under) or 'the whole tree'}, "
          f"{first['edges']:,} edges; median of {len(results)} runs (each run's value in brackets)")
    names = list(runs)
    width = max(map(len, MEASURES)) + 2
    print(f"{'seconds':<{width}}" + "".join(f"  {Path(name).name or name:>28}" for name in names))
    for measure_ in MEASURES:
        cells = []
        for name in names:
            values = [run[measure_] for run in runs[name]]
            cells.append(f"{statistics.median(values):6.2f} [{' '.join(f'{v:.2f}' for v in values)}]")
        print(f"{measure_:<{width}}" + "".join(f"  {cell:>28}" for cell in cells))
    tables = {name: [run["tables"] for run in results] for name, results in runs.items()}
    reference = tables[names[0]][0]
    differing = sorted({table for results in tables.values() for digests in results
                        for table, digest in digests.items() if reference.get(table) != digest})
    print("tables: " + ("the same in every run" if not differing
                        else "DIFFERENT: " + ", ".join(differing)))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "index_stages.json").write_text(json.dumps({
        "commit": commit, "under": under, "runs": runs, "tables_differ": differing}, indent=2) + "\n")


if __name__ == "__main__":
    main()
