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

With --dynamic it compares, instead, the calls a static reading cannot settle: calls through an
interface (our implementation edges) and calls of function values (our funcvalue edges). Go's
`callgraph -algo=rta` (what is reachable from main) gives the call sites and the callees to find
there; `-algo=cha` (any type the program ever puts in an interface, any function of the right
signature) and `-algo=vta` (the types that flow to the call) judge the callees we add. Per kind of
call it reports the share of RTA's sites where we name one of RTA's callees, our recall of RTA's
(site, callee) pairs, the share of our edges there that CHA and VTA have (of those whose callee's
package the command links: `go list -deps`), and how many of our edges from the command's code
name callees it does not link. Our implementation edges are the index's interface edges expanded
through its implements table as queries expand them, once with every candidate and, when the index
holds the command's program, once with the candidates it links and once with those whose type it
creates; a method value of an interface dispatches the same way where it is called, and those
implementations count at func-value sites. It writes
benchmarks/results/callgraph_dynamic_<cmd>.json.

    python benchmarks/callgraph_accuracy.py --tree /path/to/k8s.git --ref e5f3f020 \\
        --cmd cmd/kube-scheduler --workdir /var/tmp/kubeatlas-bench [--reuse] [--go-only] \\
        [--dynamic [--algos rta,cha,vta]]
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer import graph, query, stdlib, store  # noqa: E402
from analyzer.errors import AnalyzerError, IndexError_, SourceError, UsageError  # noqa: E402
from analyzer.gitobjects import BlobReader, list_tree  # noqa: E402
from analyzer.graph import (  # noqa: E402
    CLOSURE, DEFER, FUNCVALUE, GO, IMPLEMENTATION, INTERFACE, METHOD, STATIC, UNRESOLVED, Edge)
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

# The dynamic comparison's -format: GO_FORMAT, the call site as ssa describes it, and for a
# synthetic wrapper the declared function it wraps (ssa.Function.Object() of a wrapper is the
# declared *types.Func). callgraph already inlines wrappers into their callers' edges
# (callgraph.Graph.DeleteSyntheticNodes), so the column stays empty unless a wrapper remains.
DYNAMIC_FORMAT = (GO_FORMAT + "\t{{.Description}}"
                  "\t{{if .Callee.Synthetic}}{{with .Callee.Object}}{{.FullName}}{{end}}{{end}}")
# RTA (reachable from main) gives the call sites and the callees to find; CHA (every type of the
# program ever put in an interface: a type never boxed, such as go1.19's crypto/tls.timeoutError,
# is no callee) and VTA (types that flow to the call) judge the callees we add.
DYNAMIC_ALGOS = ("rta", "cha", "vta")
# ssa.CallCommon.Description of a dynamic call → the kind of call site, in our edge kinds' words.
DYNAMIC_CALLS = {"dynamic method call": INTERFACE, "dynamic function call": FUNCVALUE}
# A method value of an interface, called later, is an interface edge at the call whose `via` says
# where the value was kept; it dispatches as an interface call does, and Go's graph names the
# methods at that call too (callgraph inlines the $bound wrapper). Its implementations get a kind
# of their own here, so that an interface call on the same line does not count at a func-value site.
METHOD_VALUE_IMPLEMENTATION = "implementation of a method value"
# Our edges compared at such sites.
OURS_AT = {INTERFACE: frozenset({IMPLEMENTATION}),
           FUNCVALUE: frozenset({FUNCVALUE, METHOD_VALUE_IMPLEMENTATION})}
# The kind each comparison is about: the one whose edges `outside_command` counts, once each.
OURS_KIND = {INTERFACE: IMPLEMENTATION, FUNCVALUE: FUNCVALUE}
CALL_NAMES = {INTERFACE: "interface", FUNCVALUE: "func-value"}
LIST_FORMAT = "{{.ImportPath}}\t{{.Dir}}{{range .GoFiles}}\t{{.}}{{end}}"

OTHER_CALLEES = "other callees of that kind there"
INTERFACE_ONLY = "interface edge, no implementation"
DYNAMIC_MISS_REASONS = (CALLER_UNKNOWN, EXCLUDED_KIND, UNRESOLVED_THERE, OTHER_CALLEES,
                        INTERFACE_ONLY, DIFFERENT_CALLEE, CALLEE_IN_STDLIB, NO_EDGE)

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
    """vendor/ of the tree, or the standard library resolved with it (stdlib.site_path)."""
    return path.startswith("vendor/") or stdlib.is_site_path(path)


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


def is_in_scope(edge: GoEdge | GoDynamicEdge) -> bool:
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


# --- Go's dynamic call graphs --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GoDynamicEdge:
    """One edge of Go's call graph at a dynamic call site: `call` is INTERFACE or FUNCVALUE."""

    caller: str
    callee: str  # the declared function: a wrapper is named by the method it wraps
    path: str
    line: int
    call: str


def dynamic_call(description: str) -> str | None:
    """INTERFACE or FUNCVALUE for a dynamic call site as ssa describes it, None for any other.

    callgraph prints ssa's CallCommon.Description, behind "concurrent " under `go` and "deferred "
    under `defer`.
    """
    plain = description.removeprefix("concurrent ").removeprefix("deferred ")
    return DYNAMIC_CALLS.get(plain)


def parse_dynamic_output(lines: Iterable[str], tree: Path) -> list[GoDynamicEdge]:
    """Go's edges at dynamic call sites (DYNAMIC_FORMAT's columns), call sites made relative."""
    relative = site_paths(tree)
    edges = []
    for line in lines:
        caller, callee, filename, lineno, description, wrapped = line.rstrip("\n").split("\t")
        call = dynamic_call(description)
        if call:
            edges.append(GoDynamicEdge(caller, wrapped or callee, relative(filename),
                                       int(lineno or 0), call))
    return edges


def write_dynamic_edges(edges: Iterable[GoDynamicEdge], path: Path) -> None:
    path.write_text("".join(f"{e.caller}\t{e.callee}\t{e.path}\t{e.line}\t{e.call}\n"
                            for e in edges))


def read_dynamic_edges(path: Path) -> list[GoDynamicEdge]:
    edges = []
    for line in path.read_text().splitlines():
        caller, callee, site, lineno, call = line.split("\t")
        edges.append(GoDynamicEdge(caller, callee, site, int(lineno), call))
    return edges


Site = tuple[str, str, int]  # (caller, call-site path, line)
Callees = dict[Site, frozenset[str]]


def dynamic_callees(edges: Iterable[GoDynamicEdge], call: str) -> Callees:
    """The callees Go links at each call site of this kind in scope, names normalised."""
    out: dict[Site, set[str]] = defaultdict(set)
    for edge in edges:
        if edge.call == call and is_in_scope(edge):
            out[normalize_name(edge.caller), edge.path, edge.line].add(normalize_name(edge.callee))
    return {site: frozenset(callees) for site, callees in out.items()}


@dataclass(frozen=True)
class Command:
    """What a Go command links: its packages, and the files it compiles relative to the tree."""

    packages: frozenset[str]  # import paths, vendored ones without vendor/
    files: frozenset[str]

    def links(self, name: str) -> bool:
        """Whether a function named the go/ssa way is in one of the packages: the list decides
        where the package ends (`gopkg.in/yaml.v2.Marshal` is in `gopkg.in/yaml.v2`)."""
        return graph.package_in(normalize_name(name), self.packages) is not None


def list_command(tree: Path, cmd: str) -> list[str]:
    """`go list -deps` of the command: one line per package, its import path then its files."""
    argv = ["go", "list", "-deps", "-f", LIST_FORMAT, f"./{cmd}"]
    done = subprocess.run(argv, cwd=tree, env={**os.environ, **GO_ENV}, capture_output=True,
                          text=True)
    if done.returncode != 0:
        first = done.stderr.strip().splitlines()[:1] or [f"exit status {done.returncode}"]
        raise AnalyzerError(f"go list failed in {tree}: {first[0]}")
    return done.stdout.splitlines()


def parse_command(lines: Iterable[str], tree: Path) -> list[tuple[str, list[str]]]:
    """`list_command`'s lines as (import path, files), the files relative to the tree."""
    relative = site_paths(tree)
    out = []
    for line in lines:
        import_path, directory, *names = line.split("\t")
        out.append((import_path, [relative(os.path.join(directory, n)) for n in names if n]))
    return out


def write_command(packages: list[tuple[str, list[str]]], path: Path) -> None:
    path.write_text("".join("\t".join([name, *files]) + "\n" for name, files in packages))


def read_command(path: Path) -> Command:
    rows = [line.split("\t") for line in path.read_text().splitlines()]
    return Command(frozenset(row[0] for row in rows),
                   frozenset(file for row in rows for file in row[1:]))


# --- our side ------------------------------------------------------------------------------------

def load_our_edges(index_path: Path, repo: str = "kubernetes",
                   commit: str | None = None) -> list[Edge]:
    """The edges of the newest complete index of `repo`, which must be of `commit` if given."""
    db = store.connect(index_path)
    try:
        return commit_edges(db, index_path, indexed_commit(db, index_path, repo, commit))
    finally:
        db.close()


def indexed_commit(db: sqlite3.Connection, index_path: Path, repo: str,
                   commit: str | None) -> store.CommitRecord:
    latest = store.latest_commits(db).get(repo)
    if latest is None:
        raise IndexError_(str(index_path), f"no complete index of {repo}: run "
                          "`kubeatlas index` first")
    if commit and latest.sha != commit:
        raise IndexError_(str(index_path), f"{repo} is indexed at {latest.sha[:12]}, not at "
                          f"{commit[:12]}: fetch and index that commit first")
    return latest


def commit_edges(db: sqlite3.Connection, index_path: Path,
                 record: store.CommitRecord) -> list[Edge]:
    edges = store.load_edges(db, record.id)
    if not edges:
        raise IndexError_(str(index_path), "no edges in the index: run `kubeatlas index` first")
    return edges


@dataclass
class OurDynamicSide:
    """What the dynamic comparison reads from the index: the stored edges, the implements table
    (interface method → (method, type, flags)), and the command's own program if it has one."""

    edges: list[Edge]
    implements: dict[str, list[tuple[str, str, int]]]
    program: query.ProgramView | None
    signatures: dict[str, list[str]]  # function type → functions of it whose value is taken


def load_our_dynamic_side(index_path: Path, commit: str, cmd: str,
                          repo: str = "kubernetes") -> OurDynamicSide:
    """`load_our_edges`, and what expands interface edges into implementations as queries do.

    All of it is read in one read transaction: the index may be rebuilt meanwhile, and a rebuild
    replaces the commit's rows.
    """
    db = store.connect(index_path)
    try:
        db.execute("BEGIN")
        index = query.GraphIndex(db, indexed_commit(db, index_path, repo, commit))
        edges = commit_edges(db, index_path, index.commit)
        rows = db.execute(
            "SELECT a.name, m.name, t.name, i.flags FROM implements i "
            "JOIN names a ON a.id = i.interface_method JOIN names m ON m.id = i.method "
            "JOIN names t ON t.id = i.type WHERE i.commit_id = ?", (index.commit.id,))
        implements: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for interface_method, method, type_, flags in rows:
            implements[interface_method].append((method, type_, flags))
        signatures: dict[str, list[str]] = defaultdict(list)
        for signature, function in db.execute(
                "SELECT a.name, f.name FROM signatures s JOIN names a ON a.id = s.signature "
                "JOIN names f ON f.id = s.function WHERE s.commit_id = ? ORDER BY f.name",
                (index.commit.id,)):
            signatures[signature].append(function)
        names = [name for name, main in index.programs().items()
                 if main.endswith("/" + cmd.strip("/"))]
        program = index.program(names[0]) if names else None
        db.execute("COMMIT")
    finally:
        db.close()
    return OurDynamicSide(edges, dict(implements), program, dict(signatures))


@dataclass(frozen=True)
class ImplementationView:
    """Which implements-table candidates count as our implementation edges."""

    name: str
    description: str
    program: query.ProgramView | None = None
    created_only: bool = False

    def admits(self, type_: str, flags: int) -> bool:
        if self.program is None:
            return True
        if flags & query.OTHER_PLATFORM or not self.program.links(type_):
            return False
        return not self.created_only or type_ in self.program.types


def implementation_views(program: query.ProgramView | None) -> list[ImplementationView]:
    """Every candidate (the whole repository, as `callees` shows them); with the command's
    program, those it links (`--program`) and those whose type it creates (ranked likely)."""
    views = [ImplementationView("whole repository", "every candidate of the implements table")]
    if program is not None:
        views += [
            ImplementationView("program", f"the candidates {program.name} links (--program)",
                               program),
            ImplementationView("program, created types",
                               f"the candidates whose type {program.name} creates (likely)",
                               program, created_only=True),
        ]
    return views


def expand_interface_edges(ours: OurDynamicSide, view: ImplementationView,
                           files: frozenset[str]) -> list[Edge]:
    """Our implementation edges at the call sites in `files`: each interface edge (or go/defer
    edge via one) expanded into the view's candidates, as queries expand it.

    Only the command's files are expanded: the whole repository's expansion takes tens of
    gigabytes. A candidate that is itself an interface method (a method promoted from an embedded
    interface) is followed into its own candidates, as deep as queries go (query.MAX_DISPATCH),
    but not counted: no function of that name runs, and Go's graph never names one.
    """
    # Cached by depth too: promoted implementations fan out at each level, and unshared the
    # levels multiply into hours.
    @functools.cache
    def methods(interface_method: str, depth: int) -> frozenset[str]:
        out = set()
        for method, type_, flags in ours.implements.get(interface_method, ()):
            if not view.admits(type_, flags):
                continue
            if method not in ours.implements:
                out.add(method)
            elif depth < query.MAX_DISPATCH and method != interface_method:
                out |= methods(method, depth + 1)
        return frozenset(out)

    return [Edge(e.caller, method, implementation_kind(e), e.path, e.line, e.col, e.confidence,
                 f"implements {e.callee}")
            for e in ours.edges if INTERFACE in (e.kind, e.via) and e.path in files
            for method in sorted(methods(e.callee, 0))]


def implementation_kind(interface_edge: Edge) -> str:
    """IMPLEMENTATION, or METHOD_VALUE_IMPLEMENTATION under a method value's call (an interface
    edge whose `via` says where the value was kept; a go or defer edge's `via` is its kind)."""
    method_value = interface_edge.kind == INTERFACE and interface_edge.via
    return METHOD_VALUE_IMPLEMENTATION if method_value else IMPLEMENTATION


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


# --- the dynamic comparison ----------------------------------------------------------------------

def dynamic_kind(edge: Edge) -> str:
    """Our edge's kind, a go or defer edge taking the kind of the call under it."""
    return edge.via if edge.kind in (GO, DEFER) else edge.kind


@dataclass(frozen=True)
class OurSites:
    """Our edges outside vendor/ by call site, and every caller we name."""

    by_site: dict[Site, list[Edge]]
    callers: frozenset[str]

    def callees(self, site: Site, kinds: frozenset[str]) -> set[str]:
        return {e.callee for e in self.by_site.get(site, ()) if dynamic_kind(e) in kinds}


def our_sites(ours: Iterable[Edge]) -> OurSites:
    by_site: dict[Site, list[Edge]] = defaultdict(list)
    callers = set()
    for edge in ours:
        callers.add(edge.caller)
        if not is_vendored(edge.path):
            by_site[edge.caller, edge.path, edge.line].append(edge)
    return OurSites(dict(by_site), frozenset(callers))


Pair = tuple[Site, str]  # a call site and one callee there


@dataclass
class DynamicMiss:
    site: Site
    callees: list[str]  # RTA's callees there that we lack
    reason: str
    ours_at_site: list[str]  # "callee (kind)" of our edges at that site


@dataclass
class DynamicComparison:
    """Our edges at Go's dynamic call sites of one kind (OURS_AT says which of ours count)."""

    call: str  # INTERFACE or FUNCVALUE: the sites' kind
    sites: int  # RTA's sites in scope
    covered: int  # … where one of our edges names a callee RTA has there
    pairs: int  # RTA's (site, callee) pairs
    matched: int  # … that we have
    linked: int  # our edges at RTA's sites whose callee's package the command links
    in_cha: int | None  # … that CHA has too; None when CHA was not run
    in_vta: int | None
    from_command: int  # our edges of this kind at sites in the files the command compiles
    outside: list[Pair] = field(repr=False)  # … naming a callee in a package it does not link
    uncovered: list[DynamicMiss] = field(repr=False)  # RTA's sites we do not cover
    partly: list[DynamicMiss] = field(repr=False)  # covered sites where we lack some callees
    false_edges: list[Pair] = field(repr=False)  # linked edges CHA does not have

    @property
    def by_reason(self) -> Counter:
        return Counter(m.reason for m in self.uncovered)

    @property
    def coverage(self) -> float:
        return ratio(self.covered, self.sites)

    @property
    def recall(self) -> float:
        return ratio(self.matched, self.pairs)

    def as_dict(self) -> dict:
        return {
            "call": self.call, "sites": self.sites, "covered": self.covered,
            "site_coverage": round(self.coverage, 4), "rta_pairs": self.pairs,
            "matched": self.matched, "recall": round(self.recall, 4), "linked": self.linked,
            "in_cha": self.in_cha, "in_vta": self.in_vta, "from_command": self.from_command,
            "outside_command": len(self.outside), "uncovered_by_reason": dict(self.by_reason),
            "sample_uncovered_sites": [asdict(m) for m in sample(self.uncovered)],
            "sample_partly_covered_sites": [asdict(m) for m in sample(self.partly)],
            "sample_false_edges": [[*site, callee] for site, callee in sample(self.false_edges)],
            "sample_outside_command": [[*site, callee] for site, callee in sample(self.outside)],
        }


def ratio(part: int | None, whole: int) -> float:
    return part / whole if part is not None and whole else 0.0


def compare_dynamic(call: str, go: dict[str, Callees], ours: OurSites,
                    command: Command) -> DynamicComparison:
    """Site coverage and recall against RTA, precision against CHA and VTA, callees outside.

    Precision counts only our edges whose callee the command links: CHA and VTA know only the
    packages of the command, and the edges to other packages are counted apart, as `outside`.
    """
    kinds = OURS_AT[call]
    rta = go["rta"]
    mine = {site: ours.callees(site, kinds) for site in rta}
    linked = [(site, callee) for site in rta for callee in sorted(mine[site])
              if command.links(callee)]
    in_cha, in_vta = (also_in(go.get(algo), linked) for algo in ("cha", "vta"))
    uncovered, partly = dynamic_misses(kinds, rta, ours)
    from_command, outside = outside_command(OURS_KIND[call], ours, command)
    return DynamicComparison(
        call=call, sites=len(rta),
        covered=sum(1 for site, callees in rta.items() if mine[site] & callees),
        pairs=sum(len(callees) for callees in rta.values()),
        matched=sum(len(mine[site] & callees) for site, callees in rta.items()),
        linked=len(linked), in_cha=count(in_cha), in_vta=count(in_vta),
        from_command=from_command, outside=outside, uncovered=uncovered, partly=partly,
        false_edges=[] if in_cha is None else sorted(set(linked) - set(in_cha)))


def count(items: list | None) -> int | None:
    return None if items is None else len(items)


def also_in(reference: Callees | None, pairs: list[Pair]) -> list[Pair] | None:
    """The pairs the reference graph has too; None when that algorithm was not run."""
    if reference is None:
        return None
    return [(site, callee) for site, callee in pairs if callee in reference.get(site, ())]


def outside_command(kind: str, ours: OurSites, command: Command) -> tuple[int, list[Pair]]:
    """Our edges of this kind from the command's code, and those naming callees it does not link.

    The command's code is its packages' files as Go compiles them for this platform: the index
    holds every platform's files, whose edges this command never has.
    """
    total, outside = 0, []
    for site, edges in ours.by_site.items():
        caller, path, _ = site
        if path not in command.files or not command.links(caller):
            continue
        for callee in sorted({e.callee for e in edges if dynamic_kind(e) == kind}):
            total += 1
            if not command.links(callee):
                outside.append((site, callee))
    return total, outside


def dynamic_misses(kinds: frozenset[str], rta: Callees,
                   ours: OurSites) -> tuple[list[DynamicMiss], list[DynamicMiss]]:
    """RTA's sites where we name none of its callees, and those where we name some but not all.

    Misses are counted by site, not by (site, callee): RTA links a call of a `func()` value to
    every function of that type whose address the program takes, hundreds at some sites.
    """
    uncovered, partly = [], []
    for site, callees in sorted(rta.items()):
        found = ours.callees(site, kinds)
        missed = sorted(callees - found)
        if not missed:
            continue
        there = ours.by_site.get(site, [])
        miss = DynamicMiss(site, missed, dynamic_miss_reason(site[0], missed, kinds, there, ours),
                           sorted(f"{e.callee} ({e.kind})" for e in there))
        (partly if found & callees else uncovered).append(miss)
    return uncovered, partly


def dynamic_miss_reason(caller: str, missed: Iterable[str], kinds: frozenset[str],
                        there: list[Edge], ours: OurSites) -> str:
    """Why we lack these callees at a site, the first reason that applies.

    As for static misses (classify_misses), and: other callees of that kind there: we have
    implementation (or funcvalue) edges there, to other callees; interface edge, no
    implementation: we name the interface method there but no implementation of it.
    """
    missed = set(missed)
    if caller not in ours.callers:
        return CALLER_UNKNOWN
    if any(e.callee in missed for e in there):
        return EXCLUDED_KIND
    if any(e.kind == UNRESOLVED for e in there):
        return UNRESOLVED_THERE
    if any(dynamic_kind(e) in kinds for e in there):
        return OTHER_CALLEES
    if kinds & {IMPLEMENTATION, METHOD_VALUE_IMPLEMENTATION} and any(
            dynamic_kind(e) == INTERFACE for e in there):
        return INTERFACE_ONLY
    if there:
        return DIFFERENT_CALLEE
    if all(is_stdlib(callee) for callee in missed):
        return CALLEE_IN_STDLIB
    return NO_EDGE


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


def dynamic_go_side(
    git_dir: str, commit: str, cmd: str, workdir: Path, algos: list[str], reuse: bool,
) -> tuple[Command, dict[str, list[GoDynamicEdge]], dict[str, GoRun]]:
    """The command's packages and Go's dynamic edges by algorithm, from an earlier run kept in
    `workdir` or computed now, one algorithm after the other (each takes gigabytes)."""
    base = workdir / commit
    name = cmd.strip("/").replace("/", "_")
    command_file = base / f"{name}.packages.tsv"
    outputs = {algo: (base / f"{name}.{algo}.edges.tsv", base / f"{name}.{algo}.run.json")
               for algo in algos}
    if reuse:
        absent = [p.name for p in (command_file, *(f for pair in outputs.values() for f in pair))
                  if not p.exists()]
        if absent:
            raise UsageError(f"--reuse: no {', '.join(absent)} at {commit[:12]} in {workdir}: "
                             "run once without --reuse")
    else:
        base.mkdir(parents=True, exist_ok=True)
        tree = base / "tree"
        missing = materialize(git_dir, commit, tree)
        write_command(parse_command(list_command(tree, cmd), tree), command_file)
        for algo, (edges_file, run_file) in outputs.items():
            run_algorithm(tree, cmd, algo, edges_file, run_file, missing)
    return (read_command(command_file),
            {algo: read_dynamic_edges(edges_file) for algo, (edges_file, _) in outputs.items()},
            {algo: GoRun(**json.loads(run_file.read_text()))
             for algo, (_, run_file) in outputs.items()})


def run_algorithm(tree: Path, cmd: str, algo: str, edges_file: Path, run_file: Path,
                  missing: list[str]) -> None:
    """One `callgraph -algo=<algo>` run; keeps its dynamic edges and what it cost."""
    raw = edges_file.with_name(edges_file.name.replace(".edges.tsv", ".callgraph.txt"))
    go_run = run_callgraph(tree, cmd, raw, algo, DYNAMIC_FORMAT)
    go_run.missing_files = missing
    with raw.open() as lines:
        write_dynamic_edges(parse_dynamic_output(lines, tree), edges_file)
    raw.unlink()
    run_file.write_text(json.dumps(asdict(go_run), indent=2) + "\n")


def dynamic_go_rows(runs: dict[str, GoRun],
                    go: dict[str, dict[str, Callees]]) -> list[tuple[str, str, str]]:
    rows = []
    for algo, go_run in runs.items():
        rows += [
            (f"Go callgraph -algo={algo}", f"{go_run.wall_s:.1f} s", go_run.go_version),
            ("  peak RSS", f"{go_run.peak_rss_mib:,} MiB", ""),
            ("  edges printed", f"{go_run.edges:,}", "whole program, static calls included"),
        ]
        for call, callees in go[algo].items():
            pairs = sum(len(c) for c in callees.values())
            rows.append((f"  {CALL_NAMES[call]} sites in scope", f"{len(callees):,}",
                         f"{pairs:,} (site, callee) pairs; site in the tree outside vendor/"))
    return rows


def dynamic_rows(title: str, note: str, c: DynamicComparison) -> list[tuple[str, str, str]]:
    kind = OURS_KIND[c.call]
    rows = [
        (title, "", note),
        ("  site coverage", f"{c.coverage:.1%}", f"{c.covered:,} of RTA's {c.sites:,} sites: "
         "we name a callee RTA has there"),
        ("  edge precision (CHA)", share_of(c.in_cha, c.linked),
         f"of our {c.linked:,} edges at those sites whose callee the command links"),
        ("  … also in VTA", share_of(c.in_vta, c.linked), "the same edges"),
        ("  edge recall (RTA)", f"{c.recall:.1%}",
         f"{c.matched:,} of RTA's {c.pairs:,} (site, callee) pairs"),
        ("  callees outside the command", f"{len(c.outside):,}",
         f"{ratio(len(c.outside), c.from_command):.1%} of our {c.from_command:,} {kind} edges "
         "from the command's code"),
    ]
    for reason in DYNAMIC_MISS_REASONS:
        rows.append((f"  uncovered: {reason}", f"{c.by_reason.get(reason, 0):,}", "RTA's sites"))
    return rows


def share_of(part: int | None, whole: int) -> str:
    return "not run" if part is None else f"{ratio(part, whole):.1%}"


def vta_row(title: str, comparisons: list[DynamicComparison]) -> tuple[str, str, str]:
    linked = sum(c.linked for c in comparisons)
    if any(c.in_vta is None for c in comparisons):
        return title, "not run", ""
    in_vta = sum(c.in_vta for c in comparisons)
    return (title, f"{ratio(in_vta, linked):.1%}",
            f"{in_vta:,} of our {linked:,} edges at RTA's sites whose callee the command links")


def print_dynamic_samples(title: str, c: DynamicComparison) -> None:
    kind = OURS_KIND[c.call]
    for misses, what in ((c.uncovered, "sites we do not cover"),
                         (c.partly, "sites where we name some of RTA's callees, not all")):
        print(f"\n{title}: {SAMPLES} of RTA's {what}: caller  file:line → RTA's callees "
              "[reason; ours there]")
        for m in sample(misses):
            caller, path, line = m.site
            more = f" +{len(m.callees) - 3} more" if len(m.callees) > 3 else ""
            ours = f"; ours: {', '.join(m.ours_at_site[:4])}" if m.ours_at_site else ""
            print(f"  {caller}  {path}:{line} → {', '.join(m.callees[:3])}{more}  "
                  f"[{m.reason}{ours}]")
    for pairs, what in ((c.false_edges, "edges at RTA's sites that CHA does not have"),
                        (c.outside, f"{kind} edges naming callees outside the command")):
        print(f"\n{title}: {SAMPLES} of our {what}: caller → callee  file:line")
        for (caller, path, line), callee in sample(pairs):
            print(f"  {caller} → {callee}  {path}:{line}")


@dataclass
class DynamicResult:
    """The dynamic comparison of one command: interface calls once per implementation view."""

    interface: dict[str, tuple[ImplementationView, DynamicComparison]]  # by view name
    funcvalue: DynamicComparison

    def rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for name, (view, c) in self.interface.items():
            rows += dynamic_rows(f"interface calls, {name}",
                                 f"our implementation edges: {view.description}", c)
        rows += dynamic_rows("func-value calls", "our funcvalue edges, and the implementations "
                             "a method value of an interface dispatches to", self.funcvalue)
        for name, (_, c) in self.interface.items():
            rows.append(vta_row(f"our dynamic edges also in VTA, {name}", [c, self.funcvalue]))
        return rows

    def print_samples(self) -> None:
        for name, (_, c) in self.interface.items():
            print_dynamic_samples(f"interface calls, {name}", c)
        print_dynamic_samples("func-value calls", self.funcvalue)

    def as_dict(self) -> dict:
        return {"interface": {name: {"view": view.description, **c.as_dict()}
                              for name, (view, c) in self.interface.items()},
                "funcvalue": self.funcvalue.as_dict()}


def compare_dynamic_views(go: dict[str, dict[str, Callees]], ours: OurDynamicSide,
                          command: Command) -> DynamicResult:
    """Interface calls once per implementation view; func-value calls once, with every candidate
    (the first view) for the methods a method value of an interface dispatches to."""
    def at(call: str) -> dict[str, Callees]:
        return {algo: go[algo][call] for algo in go}

    views = implementation_views(ours.program)
    # A `signature` edge stands for the functions of its type that the view admits, where no
    # stored function in the view reaches the call: expanded as queries expand it.
    sites = {view.name: our_sites(query.by_signature(
        [*ours.edges, *expand_interface_edges(ours, view, command.files)], view.program,
        lambda signature: ours.signatures.get(signature, []))) for view in views}
    interface = {view.name: (view, compare_dynamic(INTERFACE, at(INTERFACE), sites[view.name],
                                                   command))
                 for view in views}
    # Func-value calls as a reader of the command sees them: in its program when it has one.
    shown = views[1] if len(views) > 1 else views[0]
    return DynamicResult(interface, compare_dynamic(FUNCVALUE, at(FUNCVALUE), sites[shown.name],
                                                    command))


def run_dynamic_comparison(args: argparse.Namespace, commit: str) -> int:
    if "rta" not in args.algos:
        raise UsageError("--algos needs rta: its call sites are the ones compared")
    if args.workdir:
        command, edges, runs = dynamic_go_side(args.tree, commit, args.cmd, args.workdir,
                                               args.algos, args.reuse)
    else:
        with tempfile.TemporaryDirectory() as workdir:
            command, edges, runs = dynamic_go_side(args.tree, commit, args.cmd, Path(workdir),
                                                   args.algos, reuse=False)
    go = {algo: {call: dynamic_callees(algo_edges, call) for call in DYNAMIC_CALLS.values()}
          for algo, algo_edges in edges.items()}
    for go_run in runs.values():
        print(f"Go: {go_run.command}", file=sys.stderr)
    rows = dynamic_go_rows(runs, go)
    rows.append(("packages the command links", f"{len(command.packages):,}", "go list -deps"))
    if args.go_only:
        print_table(rows)
        return 0
    result = compare_dynamic_views(go, load_our_dynamic_side(args.index, commit, args.cmd),
                                   command)
    print_table(rows + result.rows())
    result.print_samples()
    RESULTS.mkdir(exist_ok=True)
    results = {"tree": args.tree, "commit": commit, "cmd": args.cmd,
               "go": {algo: asdict(go_run) for algo, go_run in runs.items()},
               "packages": len(command.packages), **result.as_dict()}
    out = RESULTS / f"callgraph_dynamic_{args.cmd.strip('/').replace('/', '_')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


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
    parser.add_argument("--dynamic", action="store_true",
                        help="compare interface and func-value calls against Go's dynamic call "
                        "graphs (--algos) instead of static calls against -algo=static; run "
                        "once without and once with it for both comparisons")
    parser.add_argument("--algos", type=algorithms, default=list(DYNAMIC_ALGOS),
                        help="with --dynamic, the comma-separated algorithms to run, rta among "
                        f"them (default: {','.join(DYNAMIC_ALGOS)})")
    return parser.parse_args(argv)


def algorithms(text: str) -> list[str]:
    algos = [algo.strip() for algo in text.split(",") if algo.strip()]
    unknown = sorted(set(algos) - set(DYNAMIC_ALGOS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown algorithm {', '.join(unknown)}: choose among "
                                         f"{', '.join(DYNAMIC_ALGOS)}")
    return list(dict.fromkeys(algos))


def run(args: argparse.Namespace) -> int:
    if args.reuse and not args.workdir:
        raise UsageError("--reuse needs the --workdir of an earlier run")
    commit = resolve_commit(args.tree, args.ref)
    if args.dynamic:
        return run_dynamic_comparison(args, commit)
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
