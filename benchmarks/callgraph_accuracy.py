"""How close kubeatlas' call graph comes to Go's own `callgraph -algo=static` on a kubernetes tree.

Go's `callgraph` (golang.org/x/tools, on top of the type checker) is the reference for what a static
reading can know: calls of package-level functions, of methods on concrete types and of function
literals, plain or under `go` and `defer`. This program

  1. writes the commit's tree to disk from git's object store, leaving out the blobs a partial
     snapshot lacks; the tree is kept under --workdir, one folder per commit;
  2. runs `callgraph -algo=static` on one command's packages, offline, against vendor/ with the
     `providerless` tag (the snapshots lack a few huge vendored cloud-provider files), and keeps its
     edges as TSV beside the tree, so that `--reuse` can compare again without running Go;
  3. compares Go's edges — (caller, callee, call-site file, line) for call sites in the tree
     outside vendor/; staging/ counts — with our static, method, closure, go and defer edges from
     the kubeatlas index, once with the standard library's callees and once without them.

It prints a table (recall, precision, counts by our edge kind and by miss reason, Go's wall time and
peak memory) and samples of misses and false edges, and writes
benchmarks/results/callgraph_accuracy.json.

    python benchmarks/callgraph_accuracy.py --tree /path/to/k8s.git --ref e5f3f020 \\
        --cmd cmd/kube-scheduler --workdir /var/tmp/kubeatlas-bench [--reuse] [--go-only]
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer import query, store  # noqa: E402
from analyzer.errors import AnalyzerError, IndexError_, SourceError, UsageError  # noqa: E402
from analyzer.gitobjects import BlobReader, list_tree  # noqa: E402
from analyzer.graph import CLOSURE, DEFER, GO, METHOD, STATIC, UNRESOLVED, Edge  # noqa: E402
from analyzer.workspace import default_home  # noqa: E402

RESULTS = Path(__file__).parent / "results"

# The environment `callgraph` runs in: offline, against vendor/, with the tag that leaves out the
# legacy cloud providers (whose huge vendored SDK files partial snapshots lack). CGO_ENABLED=0 is
# how kubernetes builds kube-scheduler and its other static binaries, and needs no C compiler. The
# rest keep a user's Go settings out: GO111MODULE=off or auto, a go.work above --workdir, or (Go
# 1.21 and later) a toolchain download.
GO_ENV = {
    "GOFLAGS": "-mod=vendor -tags=providerless",
    "GOPROXY": "off",
    "GO111MODULE": "on",
    "GOWORK": "off",
    "GOTOOLCHAIN": "local",
    "CGO_ENABLED": "0",
}
GO_FORMAT = "{{.Caller}}\t{{.Callee}}\t{{.Filename}}\t{{.Line}}"

COMPARED_KINDS = (STATIC, METHOD, CLOSURE, GO, DEFER)
# go/defer edges are compared only when the call under them is one Go's static graph can know.
COMPARED_VIA = ("", STATIC, METHOD, CLOSURE)
SYNTHETIC_MARKERS = ("$bound", "$thunk", "$wrapper")

CALLER_UNKNOWN = "caller unknown"
EXCLUDED_KIND = "ours, as an uncompared kind"
UNRESOLVED_THERE = "unresolved at that site"
DIFFERENT_CALLEE = "different callee"
CALLEE_IN_STDLIB = "callee in stdlib"
NO_EDGE = "no edge at that site"
MISS_REASONS = (CALLER_UNKNOWN, EXCLUDED_KIND, UNRESOLVED_THERE, DIFFERENT_CALLEE, CALLEE_IN_STDLIB,
                NO_EDGE)

SAMPLES = 20


@dataclass(frozen=True, slots=True)
class GoEdge:
    """One edge of Go's call graph; `path` is relative to the tree when the call site is in it."""

    caller: str
    callee: str
    path: str
    line: int


Key = tuple[str, str, str, int]  # (caller, callee, call-site path, line)


def key(edge: Edge) -> Key:
    return edge.caller, edge.callee, edge.path, edge.line


# --- names ---------------------------------------------------------------------------------------

def normalize_name(name: str) -> str:
    """Go's function name with generic instantiations dropped: `(*p.T[int]).M` → `(*p.T).M`."""
    out, depth = [], 0
    for char in name:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def is_synthetic(name: str) -> bool:
    """A wrapper go/ssa makes for a method value, a method expression or a promoted method."""
    return any(marker in name for marker in SYNTHETIC_MARKERS)


def package_of(name: str) -> str:
    """Import path of a function named the go/ssa way, in Go's spelling or ours: `(*sync.WaitGroup).Done` → `sync`."""
    return query.package_of(normalize_name(name))


def is_stdlib(name: str) -> bool:
    return query.is_stdlib(package_of(name))


def is_vendored(path: str) -> bool:
    return path.startswith("vendor/")


# --- the tree on disk ----------------------------------------------------------------------------

def resolve_commit(git_dir: str, ref: str) -> str:
    done = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "--verify", "--quiet",
                           f"{ref}^{{commit}}"], capture_output=True, text=True)
    if done.returncode == 1:  # --quiet: a bare status 1 is "no such commit"
        raise SourceError("tree", git_dir, f"unknown ref '{ref}'")
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines() or [f"git exited with status {done.returncode}"]
        raise SourceError("tree", git_dir, reason[-1])
    return done.stdout.strip()


def materialize(git_dir: str, commit: str, dest: Path) -> list[str]:
    """Write the commit's files and symlinks under `dest`; return the paths whose blobs are absent.

    The tree is written beside `dest` and renamed into place when complete, so an interrupted run
    never leaves a half tree that a later run would take for a whole one. Missing blobs are listed
    in `dest.with_suffix(".missing")`.
    """
    missing_file = dest.with_suffix(".missing")
    if dest.is_dir():
        return missing_file.read_text().splitlines()
    partial = dest.with_suffix(".partial")
    shutil.rmtree(partial, ignore_errors=True)
    missing = []
    with BlobReader(git_dir) as reader:
        for entry in list_tree(git_dir, commit):
            data = reader.read(entry.blob_sha)
            if data is None:
                missing.append(entry.path)
                continue
            target = partial / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if entry.symlink:
                os.symlink(os.fsdecode(data), target)
            else:
                target.write_bytes(data)
    missing_file.write_text("".join(f"{path}\n" for path in missing))
    partial.rename(dest)
    return missing


# --- Go's side -----------------------------------------------------------------------------------

@dataclass
class GoRun:
    """What running `callgraph` cost, and the command that ran it."""

    command: str
    go_version: str
    wall_s: float
    peak_rss_mib: int
    edges: int  # lines printed: the whole program's edges
    missing_files: list[str] = field(default_factory=list)  # blobs the snapshot lacks, left out


def run_callgraph(tree: Path, cmd: str, raw_output: Path, algo: str = "static",
                  template: str = GO_FORMAT) -> GoRun:
    """Run `callgraph -algo=<algo> ./<cmd>` in the tree; its stdout goes to `raw_output`."""
    for tool in ("go", "callgraph"):
        if shutil.which(tool) is None:
            raise AnalyzerError(f"`{tool}` is not on PATH: install Go and golang.org/x/tools "
                                "(Debian: apt-get install golang-go golang-golang-x-tools)")
    argv = ["callgraph", f"-algo={algo}", "-format", template, f"./{cmd}"]
    env = {**os.environ, **GO_ENV}
    go_version = subprocess.run(["go", "version"], env=env, capture_output=True,
                                text=True).stdout.strip()
    with raw_output.open("w") as stdout:
        started = time.monotonic()
        process = subprocess.Popen(argv, cwd=tree, env=env, stdout=stdout, stderr=subprocess.PIPE,
                                   text=True)
        stderr = process.stderr.read()
        process.stderr.close()
        # wait4 reports the peak resident set of callgraph or of the biggest child it waited for
        # (`go list`), whichever is larger: in practice callgraph itself.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if process.returncode != 0:
        # The first message is the cause; callgraph's own last line only says "packages contain
        # errors". All of them are kept beside the output.
        messages = raw_output.with_suffix(".stderr")
        messages.write_text(stderr)
        first = stderr.strip().splitlines()[:1] or [f"exit status {process.returncode}"]
        raise AnalyzerError(f"callgraph failed in {tree}: {first[0]} (all messages: {messages})")
    settings = " ".join(f"{name}={shlex.quote(value)}" for name, value in GO_ENV.items())
    command = f"cd {shlex.quote(str(tree))} && {settings} {shlex.join(argv)}"
    with raw_output.open() as lines:
        edges = sum(1 for _ in lines)
    return GoRun(command, go_version, round(wall, 1), usage.ru_maxrss // 1024, edges)


def parse_callgraph_output(lines: Iterable[str], tree: Path) -> list[GoEdge]:
    """Go's edges, call sites made relative to the tree.

    Files are named through symlinks resolved, so kubernetes' vendor/k8s.io/api (a symlink) shows up
    as staging/src/k8s.io/api, where the index has it. Sites outside the tree (the Go root) keep
    their absolute path; an edge without a site (init → imported init) has path "" and line 0.
    """
    relative = site_paths(tree)
    edges = []
    for line in lines:
        caller, callee, filename, lineno = line.rstrip("\n").split("\t")
        edges.append(GoEdge(caller, callee, relative(filename), int(lineno or 0)))
    return edges


def site_paths(tree: Path) -> Callable[[str], str]:
    """A file Go names, relative to the tree through symlinks when it is inside; "" stays ""."""
    root = os.path.realpath(tree)

    @functools.cache
    def relative(filename: str) -> str:
        if not filename:
            return ""
        real = os.path.realpath(filename)
        return os.path.relpath(real, root) if real.startswith(root + os.sep) else filename

    return relative


def write_go_edges(edges: Iterable[GoEdge], path: Path) -> None:
    path.write_text("".join(f"{e.caller}\t{e.callee}\t{e.path}\t{e.line}\n" for e in edges))


def read_go_edges(path: Path) -> list[GoEdge]:
    edges = []
    for line in path.read_text().splitlines():
        caller, callee, site, lineno = line.split("\t")
        edges.append(GoEdge(caller, callee, site, int(lineno)))
    return edges


def is_in_scope(edge: GoEdge) -> bool:
    """A call site in the tree outside vendor/ (staging/ counts), between two real functions."""
    return (edge.line > 0 and bool(edge.path) and not os.path.isabs(edge.path)
            and not is_vendored(edge.path)
            and not is_synthetic(edge.caller) and not is_synthetic(edge.callee))


@dataclass(frozen=True)
class GoGraph:
    """Go's edges we are measured against, and what its whole graph covers."""

    edges: frozenset[Key]  # in scope, names normalised, one per (caller, callee, file, line)
    functions: frozenset[str]  # every caller and callee, normalised
    files: frozenset[str]  # every call-site file: the files Go compiled for this platform


def go_graph(edges: Iterable[GoEdge]) -> GoGraph:
    edges = list(edges)
    return GoGraph(
        frozenset((normalize_name(e.caller), normalize_name(e.callee), e.path, e.line)
                  for e in edges if is_in_scope(e)),
        frozenset(normalize_name(name) for e in edges for name in (e.caller, e.callee)),
        frozenset(e.path for e in edges if e.line > 0))


# --- our side ------------------------------------------------------------------------------------

def load_our_edges(index_path: Path, repo: str = "kubernetes",
                   commit: str | None = None) -> list[Edge]:
    """The edges of the newest complete index of `repo`, which must be of `commit` if given."""
    db = store.connect(index_path)
    try:
        latest = store.latest_commits(db).get(repo)
        if latest is None:
            raise IndexError_(str(index_path), f"no complete index of {repo}: run "
                              "`kubeatlas index` first")
        if commit and latest.sha != commit:
            raise IndexError_(str(index_path), f"{repo} is indexed at {latest.sha[:12]}, not at "
                              f"{commit[:12]}: fetch and index that commit first")
        edges = store.load_edges(db, latest.id)
    finally:
        db.close()
    if not edges:
        raise IndexError_(str(index_path), "no edges in the index: run `kubeatlas index` first")
    return edges


def is_compared(edge: Edge) -> bool:
    """One of the kinds Go's static graph also has, at a call site outside vendor/."""
    if edge.kind not in COMPARED_KINDS or is_vendored(edge.path):
        return False
    return edge.kind not in (GO, DEFER) or edge.via in COMPARED_VIA


# --- the comparison ------------------------------------------------------------------------------

@dataclass
class Miss:
    edge: Key
    reason: str
    ours_at_site: list[str]  # "callee (kind)" of our edges at the same caller, file and line


@dataclass
class Comparison:
    go_edges: int
    our_edges: int
    matched: int
    by_kind: dict[str, dict[str, int]]  # our kind → {"ours": compared, "true": also Go's}
    by_reason: Counter
    misses: list[Miss] = field(repr=False)
    false_edges: list[Key] = field(repr=False)

    @property
    def recall(self) -> float:
        return self.matched / self.go_edges if self.go_edges else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.our_edges if self.our_edges else 0.0

    def as_dict(self) -> dict:
        return {
            "go_edges": self.go_edges, "our_edges": self.our_edges, "matched": self.matched,
            "recall": round(self.recall, 4), "precision": round(self.precision, 4),
            "by_kind": self.by_kind, "by_reason": dict(self.by_reason),
            "sample_misses": [{"edge": list(m.edge), "reason": m.reason,
                               "ours_at_site": m.ours_at_site} for m in sample(self.misses)],
            "sample_false_edges": [list(k) for k in sample(self.false_edges)],
        }


def compare(go: GoGraph, ours: list[Edge], with_stdlib: bool = True) -> Comparison:
    """Recall and precision of `ours` (every edge of the index) against Go's edges in scope.

    An edge of ours counts for precision when `is_compared` holds and Go's graph covers it: Go
    compiled its file (one platform's files of one command's packages; the index holds the whole
    tree, every platform) and names its caller. Without the standard library, edges whose callee
    is in it are left out on both sides.
    """
    wanted = go.edges if with_stdlib else frozenset(k for k in go.edges if not is_stdlib(k[1]))
    kinds_of: dict[Key, set[str]] = defaultdict(set)
    for edge in ours:
        if (is_compared(edge) and edge.caller in go.functions and edge.path in go.files
                and (with_stdlib or not is_stdlib(edge.callee))):
            kinds_of[key(edge)].add(edge.kind)
    matched = wanted & kinds_of.keys()
    by_kind: dict[str, dict[str, int]] = {}
    for kind in COMPARED_KINDS:
        keys = [k for k, kinds in kinds_of.items() if kind in kinds]
        by_kind[kind] = {"ours": len(keys), "true": sum(1 for k in keys if k in wanted)}
    misses = classify_misses(sorted(wanted - matched), ours)
    return Comparison(len(wanted), len(kinds_of), len(matched), by_kind,
                      Counter(m.reason for m in misses), misses, sorted(kinds_of.keys() - wanted))


def classify_misses(missed: Iterable[Key], ours: list[Edge]) -> list[Miss]:
    """Why each of Go's edges has no match among ours, the first reason that applies.

    caller unknown: no edge of ours leaves that caller; ours, as an uncompared kind: we have the
    very edge, as an interface, funcvalue or implementation edge (or in vendor/); unresolved at
    that site: an unresolved edge of ours is at that caller, file and line; different callee: we
    have an edge there to another callee; callee in stdlib: we have nothing there and the callee is
    the standard library's; else no edge at that site.
    """
    callers = {e.caller for e in ours}
    keys = {key(e) for e in ours}
    by_site: dict[tuple[str, str, int], list[Edge]] = defaultdict(list)
    for edge in ours:
        by_site[edge.caller, edge.path, edge.line].append(edge)
    out = []
    for k in missed:
        caller, callee, path, line = k
        there = by_site.get((caller, path, line), [])
        if caller not in callers:
            reason = CALLER_UNKNOWN
        elif k in keys:
            reason = EXCLUDED_KIND
        elif any(e.kind == UNRESOLVED for e in there):
            reason = UNRESOLVED_THERE
        elif there:
            reason = DIFFERENT_CALLEE
        elif is_stdlib(callee):
            reason = CALLEE_IN_STDLIB
        else:
            reason = NO_EDGE
        out.append(Miss(k, reason, sorted(f"{e.callee} ({e.kind})" for e in there)))
    return out


def sample(items: list, count: int = SAMPLES) -> list:
    """A fixed-seed sample, in sorted order, so that two runs show the same lines."""
    ordered = sorted(items, key=str)
    return sorted(random.Random(0).sample(ordered, min(count, len(ordered))), key=str)


# --- the program ---------------------------------------------------------------------------------

def go_side(git_dir: str, commit: str, cmd: str, workdir: Path,
            reuse: bool) -> tuple[list[GoEdge], GoRun]:
    """Go's edges for `cmd` at `commit`, from an earlier run kept in `workdir` or computed now."""
    base = workdir / commit
    name = cmd.strip("/").replace("/", "_")
    edges_file, run_file = base / f"{name}.edges.tsv", base / f"{name}.run.json"
    if reuse:
        if not edges_file.exists():
            raise UsageError(f"--reuse: no Go edges of {cmd} at {commit[:12]} in {workdir}: "
                             "run once without --reuse")
        return read_go_edges(edges_file), GoRun(**json.loads(run_file.read_text()))
    base.mkdir(parents=True, exist_ok=True)
    tree = base / "tree"
    missing = materialize(git_dir, commit, tree)
    raw = base / f"{name}.callgraph.txt"
    go_run = run_callgraph(tree, cmd, raw)
    go_run.missing_files = missing
    with raw.open() as lines:
        edges = parse_callgraph_output(lines, tree)
    raw.unlink()
    write_go_edges(edges, edges_file)
    run_file.write_text(json.dumps(asdict(go_run), indent=2) + "\n")
    return edges, go_run


def print_table(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>16}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>16}  {note}")


def go_rows(go_run: GoRun, go: GoGraph) -> list[tuple[str, str, str]]:
    no_stdlib = sum(1 for k in go.edges if not is_stdlib(k[1]))
    return [
        ("Go callgraph -algo=static", f"{go_run.wall_s:.1f} s", go_run.go_version),
        ("  peak RSS", f"{go_run.peak_rss_mib:,} MiB", ""),
        ("  edges printed", f"{go_run.edges:,}", "whole program, standard library included"),
        ("  edges in scope", f"{len(go.edges):,}", "call site in the tree outside vendor/, "
         "no wrappers, distinct (caller, callee, file, line)"),
        ("  … callee outside stdlib", f"{no_stdlib:,}", ""),
        ("  files absent from the snapshot", f"{len(go_run.missing_files):,}",
         "left out of the tree"),
    ]


def comparison_rows(title: str, c: Comparison) -> list[tuple[str, str, str]]:
    rows = [
        (title, "", ""),
        ("  recall", f"{c.recall:.1%}",
         f"{c.matched:,} of Go's {c.go_edges:,} edges (target >= 95%)"),
        ("  precision", f"{c.precision:.1%}",
         f"{c.matched:,} of our {c.our_edges:,} edges (target >= 98%)"),
    ]
    for kind, counts in c.by_kind.items():
        share = counts["true"] / c.go_edges if c.go_edges else 0.0
        precision = counts["true"] / counts["ours"] if counts["ours"] else 0.0
        rows.append((f"  {kind} edges", f"{counts['ours']:,}",
                     f"{counts['true']:,} true ({precision:.1%}), {share:.1%} of Go's edges"))
    for reason in MISS_REASONS:
        rows.append((f"  missed: {reason}", f"{c.by_reason.get(reason, 0):,}", ""))
    return rows


def print_samples(c: Comparison) -> None:
    print(f"\n{SAMPLES} of Go's edges we miss (without stdlib): "
          "caller → callee  file:line  [reason]")
    for m in sample(c.misses):
        caller, callee, path, line = m.edge
        ours = f"; ours: {', '.join(m.ours_at_site)}" if m.ours_at_site else ""
        print(f"  {caller} → {callee}  {path}:{line}  [{m.reason}{ours}]")
    print(f"\n{SAMPLES} of our edges Go does not have (without stdlib): "
          "caller → callee  file:line")
    for caller, callee, path, line in sample(c.false_edges):
        print(f"  {caller} → {callee}  {path}:{line}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", required=True, help="git directory of kubernetes: a bare "
                        "repository or mirror, or a work tree's .git")
    parser.add_argument("--ref", default="HEAD", help="commit to analyse (default: HEAD)")
    parser.add_argument("--cmd", default="cmd/kube-scheduler", help="the Go command to analyse")
    parser.add_argument("--index", type=Path, default=default_home() / "index.sqlite",
                        help="the kubeatlas index (default: $KUBEATLAS_HOME/index.sqlite)")
    parser.add_argument("--workdir", type=Path,
                        help="where to keep the tree and Go's edges between runs (default: a "
                        "temporary folder, removed at the end)")
    parser.add_argument("--reuse", action="store_true",
                        help="compare against Go's edges from an earlier run in --workdir")
    parser.add_argument("--go-only", action="store_true",
                        help="run Go's side only and print its figures; no index needed")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    if args.reuse and not args.workdir:
        raise UsageError("--reuse needs the --workdir of an earlier run")
    commit = resolve_commit(args.tree, args.ref)
    if args.workdir:
        edges, go_run = go_side(args.tree, commit, args.cmd, args.workdir, args.reuse)
    else:
        with tempfile.TemporaryDirectory() as workdir:
            edges, go_run = go_side(args.tree, commit, args.cmd, Path(workdir), reuse=False)
    go = go_graph(edges)
    print(f"Go: {go_run.command}", file=sys.stderr)
    rows = go_rows(go_run, go)
    if args.go_only:
        print_table(rows)
        print("\n15 of Go's edges in scope: caller → callee  file:line")
        for caller, callee, path, line in sample(list(go.edges), 15):
            print(f"  {caller} → {callee}  {path}:{line}")
        return 0

    ours = load_our_edges(args.index, commit=commit)
    with_stdlib = compare(go, ours, with_stdlib=True)
    without_stdlib = compare(go, ours, with_stdlib=False)
    rows += comparison_rows("with the standard library", with_stdlib)
    rows += comparison_rows("without the standard library", without_stdlib)
    print_table(rows)
    print_samples(without_stdlib)
    RESULTS.mkdir(exist_ok=True)
    results = {"tree": args.tree, "commit": commit, "cmd": args.cmd, "go": asdict(go_run),
               "with_stdlib": with_stdlib.as_dict(), "without_stdlib": without_stdlib.as_dict()}
    (RESULTS / "callgraph_accuracy.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        return run(parse_args(argv))
    except AnalyzerError as err:
        print(f"callgraph_accuracy: error: {err}", file=sys.stderr)
        return err.exit_code


if __name__ == "__main__":
    sys.exit(main())
