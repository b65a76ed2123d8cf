"""Where the resolve stage's CPU goes, phase by phase, in one process, with no parsing.

Resolves an indexed commit again from the facts its index stores (the newest complete commit, or
the one named), in one process as `kubeatlas index -j 1` does, and times each phase in CPU
seconds: reading and decoding the facts, the package tables (`Program.build`), the files' call
sites, the calls through interfaces and function values (`Resolver.finish`: function values passed
on, implementations, signatures, the rest), the command programs (call tables, then `rta.analyse`
per command), and writing the graph with `store.finish_commit` into a scratch copy of the index
whose graph tables were emptied, as a first index writes them. Prints a table and writes JSON to
benchmarks/results/resolve_stages.json.

With --under, only the commit's files under those folders are resolved (the standard library's
all), a loop of a few seconds to compare two copies of the code on the same facts; with --edges,
the edges are written to a file, one JSON array a line, sorted, so that `cmp` tells whether a
change kept every edge.

    kubeatlas --home HOME index kubernetes --no-goroot
    python benchmarks/resolve_stages.py HOME/index.sqlite
    PYTHONPATH=/tmp/before python /tmp/before/benchmarks/resolve_stages.py HOME/index.sqlite \
        --under pkg/kubelet --under staging/src/k8s.io/client-go --edges /tmp/before.edges
"""
from __future__ import annotations

import argparse
import gc
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from functools import wraps
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer import stdlib, store  # noqa: E402
from analyzer.buildtags import COMMANDS  # noqa: E402
from analyzer.indexer import commands_of  # noqa: E402
from analyzer.resolve import calls, program, resolve, rta, shares  # noqa: E402

RESULTS = Path(__file__).parent / "results"
GRAPH_TABLES = ("program_members", "programs", "annotations", "signatures", "implements", "edges",
                "symbols", "names", "names_reversed", "files", "modules", "commits")
clock = time.process_time


def timed(spent: Counter, stage: str, function):
    @wraps(function)
    def call(*args, **kwargs):
        started = clock()
        try:
            return function(*args, **kwargs)
        finally:
            spent[stage] += clock() - started
    return call


def patch(target, name: str, spent: Counter, stage: str, bound: str = "") -> None:
    """Time `target.name` into `spent[stage]`; `bound` 'class' for a classmethod."""
    original = getattr(target, name)
    if bound == "class":
        setattr(target, name, classmethod(timed(spent, stage, original.__func__)))
    else:
        setattr(target, name, timed(spent, stage, original))


def timed_phases(spent: Counter) -> None:
    patch(program.Program, "build", spent, "package tables", "class")
    patch(shares, "resolve_files", spent, "call sites")
    patch(calls.Resolver, "finish", spent, "calls through interfaces and function values")
    patch(calls.Resolver, "_pass_dynamic_arguments", spent, "  function values passed on")
    patch(calls.Resolver, "_implementations", spent, "  implementations")
    patch(calls.Resolver, "_signatures", spent, "  signatures")
    patch(rta.CallTables, "build", spent, "command programs: call tables", "class")
    patch(rta, "analyse", spent, "command programs: rta.analyse")


def under_any(path: str, folders: list[str]) -> bool:
    """Whether `path` is under one of `folders`; every path is when none are given."""
    return not folders or any(path.startswith(folder.rstrip("/") + "/") for folder in folders)


def read_facts(db: sqlite3.Connection, commit: store.CommitRecord, folders: list[str]) -> list:
    """The commit's files under `folders` and their facts, with its standard library's as the
    indexer adds them."""
    records = [r for r in store.commit_files(db, commit.id) if under_any(r.path, folders)]
    files = list(store.file_facts_of(db, records))
    library = db.execute(
        "SELECT l.id, l.sha FROM commits c JOIN commits l ON l.repo = ? AND l.sha = c.library "
        "AND l.complete WHERE c.id = ?", (stdlib.REPO, commit.id)).fetchone()
    if library is not None:
        files += [(replace(record, path=stdlib.site_path(library[1], record.path)), facts)
                  for record, facts in store.file_facts(db, library[0], bodies=False)]
    return files


def write_cpu(index: Path, commit: store.CommitRecord, folders: list[str], resolution) -> float:
    """CPU seconds of `store.finish_commit` for the resolution of the files under `folders`,
    into a copy of the index that keeps the blobs and nothing of any commit."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "index.sqlite"
        with sqlite3.connect(index) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        db = sqlite3.connect(copy)
        for table in GRAPH_TABLES:
            db.execute(f"DELETE FROM {table}")
        db.commit()
        db.execute("VACUUM")
        db.close()
        db = store.connect(copy)
        source = store.connect(index)
        files = [r for r in store.commit_files(source, commit.id) if under_any(r.path, folders)]
        source.close()
        commit_id = store.begin_commit(db, store.CommitKey(commit.repo, commit.sha, False, ""),
                                       commit.ref, commit.remote_url)
        started = clock()
        store.finish_commit(db, commit_id, files, (), resolution.symbols, resolution.edges,
                            resolution.implements, resolution.annotations, resolution.programs,
                            resolution.signatures)
        spent = clock() - started
        db.close()
        shutil.rmtree(scratch, ignore_errors=True)
        return spent


def write_edges(path: Path, edges) -> None:
    """The edges, one JSON array a line, sorted (a repeated edge as often as it is found): two
    resolutions with the same edges write the same file."""
    path.write_text("".join(sorted(json.dumps(list(edge)) + "\n" for edge in edges)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path, help="an index.sqlite that `kubeatlas index` wrote")
    parser.add_argument("--commit", help="the commit SHA to resolve (default: the newest)")
    parser.add_argument("--under", action="append", default=[], metavar="FOLDER",
                        help="resolve only the commit's files under FOLDER (repeatable)")
    parser.add_argument("--edges", type=Path, metavar="FILE",
                        help="write the edges to FILE, sorted, one JSON array a line")
    args = parser.parse_args()
    db = store.connect(args.index)
    commits = [c for c in store.complete_commits(db) if c.repo != stdlib.REPO
               and (args.commit is None or c.sha.startswith(args.commit))]
    if not commits:
        sys.exit(f"{args.index}: no complete commit{' ' + args.commit if args.commit else ''}")
    commit = commits[-1]

    spent: Counter = Counter()
    gc.disable()  # as the indexer resolves
    started = clock()
    files = read_facts(db, commit, args.under)
    spent["reading facts"] = clock() - started
    db.close()
    timed_phases(spent)
    started = clock()
    resolution = resolve(files, (), commands_of(commit.repo), COMMANDS, processes=1)
    whole = clock() - started
    gc.freeze()  # as the indexer does before writing: the collector never scans what resolving made
    gc.enable()
    if args.edges:
        write_edges(args.edges, resolution.edges)
    spent["writing the graph (finish_commit)"] = write_cpu(args.index, commit, args.under,
                                                             resolution)

    finish = "calls through interfaces and function values"
    spent[finish + " (rest)"] = spent[finish] - sum(
        spent[f"  {part}"] for part in ("function values passed on", "implementations", "signatures"))
    print(f"{commit.repo} {commit.sha[:12]}: {len(files):,} files, {len(resolution.edges):,} edges, "
          f"{len(resolution.symbols):,} symbols")
    width = max(map(len, spent)) + 2
    print(f"{'phase':<{width}} {'CPU s':>7} {'share':>6}")
    total = spent["reading facts"] + whole + spent["writing the graph (finish_commit)"]
    for name, seconds in spent.items():
        print(f"{name:<{width}} {seconds:7.3f} {seconds / total:6.1%}")
    print(f"{'(check) resolve whole':<{width}} {whole:7.3f} {whole / total:6.1%}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "resolve_stages.json").write_text(json.dumps({
        "index": str(args.index), "commit": commit.sha, "under": args.under,
        "files": len(files),
        "edges": len(resolution.edges), "cpu_seconds": dict(spent),
        "resolve_seconds": whole}, indent=2) + "\n")


if __name__ == "__main__":
    main()
