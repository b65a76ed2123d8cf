"""How fast `kubeatlas index` is on real trees, against a bare tree-sitter parse of the same files.

Measures, in one run and on this machine:
  - bare parse: one process reads every indexed Go blob and runs tree-sitter's parser on it, no more;
  - cold index: `kubeatlas index` into an empty home (wall time, peak RSS of the whole process tree);
  - no-op re-index: the same command again;
  - incremental: a home that holds the older kubernetes tree indexes the newer one;
  - etcd: a cold index of etcd.
Prints a table and writes JSON to benchmarks/results/index_speed.json.

    python benchmarks/index_speed.py \\
        --kubernetes /path/to/k8s.git@e5f3f020 --kubernetes-old /path/to/k8s-1.19.git@441505a9 \\
        --etcd /path/to/etcd.git@v3.5.0
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import tree_sitter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.gitobjects import BlobReader, list_tree  # noqa: E402
from analyzer.indexer import is_indexed_go_file  # noqa: E402
from analyzer.parse import GO_LANGUAGE  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def tree_rss_kib(pid: int) -> int:
    """Memory of a process and all its descendants, from /proc: each one's proportional set size
    (Pss), so that pages a forked child shares copy-on-write with its parent count once, not once
    per process as summing VmRSS would; VmRSS where the kernel gives no smaps_rollup."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            total += _memory_kib(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def _memory_kib(pid: int) -> int:
    try:
        lines, key = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines(), "Pss:"
    except (FileNotFoundError, PermissionError):
        lines, key = Path(f"/proc/{pid}/status").read_text().splitlines(), "VmRSS:"
    return next(int(line.split()[1]) for line in lines if line.startswith(key))


@dataclass
class Run:
    seconds: float
    peak_mib: int  # whole run
    parse_peak_mib: int  # before resolution started
    stdout: str


def run_measured(argv: list[str], env: dict[str, str]) -> Run:
    """Run a command; time it and sample the RSS of its process tree, noting the peak before and
    after the index says it is resolving the call graph."""
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    peaks = {"parse": 0, "all": 0}
    resolving = threading.Event()

    def sample() -> None:
        while process.poll() is None:
            rss = tree_rss_kib(process.pid)
            peaks["all"] = max(peaks["all"], rss)
            if not resolving.is_set():
                peaks["parse"] = max(peaks["parse"], rss)
            time.sleep(0.05)

    def watch_stderr() -> None:
        for line in process.stderr:
            if ": resolving" in line:
                resolving.set()

    threads = [threading.Thread(target=sample), threading.Thread(target=watch_stderr)]
    for thread in threads:
        thread.start()
    out = process.stdout.read()
    process.wait()
    for thread in threads:
        thread.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with exit code {process.returncode}")
    return Run(time.monotonic() - started, peaks["all"] // 1024, peaks["parse"] // 1024, out)


def bare_parse(git_dir: str, commit: str) -> tuple[float, int, int]:
    """Single-process tree-sitter parse of the files `index` would parse: (seconds, files, bytes)."""
    entries = [e for e in list_tree(git_dir, commit) if is_indexed_go_file(e, False) and not e.symlink]
    parser = tree_sitter.Parser(GO_LANGUAGE)
    started = time.monotonic()
    files = size = 0
    with BlobReader(git_dir) as reader:
        for entry in entries:
            source = reader.read(entry.blob_sha)
            if source is None:
                continue
            parser.parse(source)
            files += 1
            size += len(source)
    return time.monotonic() - started, files, size


def kubeatlas(*args: str) -> list[str]:
    return [sys.executable, "-m", "analyzer.cli", *args]


def fetch(env: dict[str, str], name: str, spec: str) -> tuple[str, str]:
    path, _, ref = spec.rpartition("@")
    subprocess.run(kubeatlas("fetch", name, "--from", path, "--ref", ref, "-q"), env=env,
                   check=True, stdout=subprocess.DEVNULL)
    record = json.loads((Path(env["KUBEATLAS_HOME"]) / "sources.json").read_text())[name]
    return record["git_dir"], record["commit"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes", required=True, help="PATH@REF of the newer kubernetes tree")
    parser.add_argument("--kubernetes-old", help="PATH@REF of an older kubernetes tree")
    parser.add_argument("--etcd", help="PATH@REF of etcd")
    parser.add_argument("--no-goroot", action="store_true",
                        help="index without the standard library")
    options = parser.parse_args()

    rows: list[tuple[str, str, str]] = []
    results: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "KUBEATLAS_HOME": home}
        git_dir, commit = fetch(env, "kubernetes", options.kubernetes)
        bare_s, files, size = bare_parse(git_dir, commit)
        cold = run_measured(kubeatlas("index", "kubernetes", "--json",
                                      *(["--no-goroot"] if options.no_goroot else [])), env)
        # With the same options as the cold run: without --no-goroot it would index and resolve
        # against the standard library, a new index rather than a no-op.
        noop = run_measured(kubeatlas("index", "kubernetes",
                                      *(["--no-goroot"] if options.no_goroot else [])), env)
        parsed = json.loads(cold.stdout)[0]
        # The first index also parses the standard library (once per Go version): counted apart.
        library_s = parsed["library_seconds"]
        parse_s = cold.seconds - parsed["resolve_seconds"] - library_s
        results.update(files=files, megabytes=round(size / 1e6, 1), bare_parse_s=round(bare_s, 2),
                       cold_index_s=round(cold.seconds, 2), parse_stage_s=round(parse_s, 2),
                       cold_over_bare=round((cold.seconds - library_s) / bare_s, 2),
                       resolve_s=round(parsed["resolve_seconds"], 2), library_s=round(library_s, 2),
                       parse_stage_peak_rss_mib=cold.parse_peak_mib,
                       cold_peak_rss_mib=cold.peak_mib, noop_reindex_s=round(noop.seconds, 2),
                       functions=parsed["funcs"], call_sites=parsed["calls"],
                       edges=sum(parsed["edges"].values()), library=parsed["library"],
                       missing_blobs=len(parsed["missing"]))
        rows += [
            ("kubernetes Go files parsed (excl. tests)", f"{files:,} ({size / 1e6:.0f} MB)", ""),
            ("bare tree-sitter parse, 1 process", f"{bare_s:.1f} s", f"{size / 1e6 / bare_s:.1f} MB/s"),
            ("cold `kubeatlas index`, parse stage", f"{parse_s:.1f} s",
             f"{parse_s / bare_s:.2f}x bare (target <= 3x), {files / parse_s:,.0f} files/s"),
            ("  peak RSS of the parse stage", f"{cold.parse_peak_mib:,} MiB", "target < 2048 MiB"),
            ("standard library, indexed once", f"{library_s:.1f} s", parsed["library"] or "none"),
            ("cold index, call-graph resolution", f"{parsed['resolve_seconds']:.1f} s",
             f"{parsed['resolve_seconds'] / parse_s:.2f}x the parse stage (target <= 1x), "
             f"stdlib: {parsed['library'] or 'none'}"),
            ("cold index, parse + resolve (no stdlib)", f"{cold.seconds - library_s:.1f} s",
             f"{(cold.seconds - library_s) / bare_s:.2f}x bare (target <= 2x)"),
            ("  peak RSS of the whole index", f"{cold.peak_mib:,} MiB", "target < 3072 MiB"),
            ("  call edges", f"{sum(parsed['edges'].values()):,}", ""),
            ("no-op re-index", f"{noop.seconds:.2f} s", "target < 3 s"),
        ]
    if options.kubernetes_old:
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "KUBEATLAS_HOME": home}
            fetch(env, "kubernetes", options.kubernetes_old)
            old_s = run_measured(kubeatlas("index", "kubernetes"), env).seconds
            fetch(env, "kubernetes", options.kubernetes)
            incremental = run_measured(kubeatlas("index", "kubernetes", "--json"), env)
            inc_s, inc = incremental.seconds, json.loads(incremental.stdout)[0]
            results.update(old_cold_index_s=round(old_s, 2), incremental_s=round(inc_s, 2),
                           incremental_parsed=inc["parsed_now"], incremental_reused=inc["reused"])
            rows += [
                ("cold index of the older tree (with resolution)", f"{old_s:.1f} s", ""),
                ("older → newer incremental index", f"{inc_s:.1f} s",
                 f"{inc['parsed_now']:,} blobs parsed, {inc['reused']:,} reused, "
                 f"{inc['resolve_seconds']:.1f} s of it resolving"),
            ]
    if options.etcd:
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "KUBEATLAS_HOME": home}
            git_dir, commit = fetch(env, "etcd", options.etcd)
            e_bare, e_files, e_size = bare_parse(git_dir, commit)
            etcd_run = run_measured(kubeatlas("index", "etcd", "--json"), env)
            etcd = json.loads(etcd_run.stdout)[0]
            e_parse = etcd_run.seconds - etcd["resolve_seconds"] - etcd["library_seconds"]
            results.update(etcd_files=e_files, etcd_bare_parse_s=round(e_bare, 2),
                           etcd_parse_stage_s=round(e_parse, 2),
                           etcd_resolve_s=round(etcd["resolve_seconds"], 2),
                           etcd_peak_rss_mib=etcd_run.peak_mib)
            rows += [
                ("etcd Go files parsed", f"{e_files:,} ({e_size / 1e6:.0f} MB)", ""),
                ("etcd bare parse / index parse stage", f"{e_bare:.1f} s / {e_parse:.1f} s",
                 f"{e_parse / e_bare:.2f}x"),
                ("etcd call-graph resolution", f"{etcd['resolve_seconds']:.1f} s",
                 f"peak RSS {etcd_run.peak_mib} MiB (standard library loaded)"),
            ]

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>22}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>22}  {note}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "index_speed.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
