"""The code itself on the site: source excerpts, a page per package of each command's program,
and the Go beside the Python that mirrors it.

Excerpts are cut from the analysed blobs (releases.Stores reads them from the bare clones), so the
site reads offline; each keeps its line numbers and the permalink pinned to the commit. A package
page lists every function and method the package defines (outside vendor/), each with its
signature, doc, callers, callees and implementations, linked to their own package pages
(functions of generated files, thousands of deep copies and protobuf methods, one line each); an
excerpt is embedded for the key functions (those the manifest names or a reference function
mirrors) and then the short ones, the rest link to their source. A package larger than a Budget
is split over several pages, by file, so no page grows past a few hundred kilobytes. A
reference page sets each `@mirrors` link's two functions side by side, the link checked against
the index.
"""
from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import groupby

from analyzer import render, store
from analyzer.links import ROOT, Link
from analyzer.query import is_stdlib, package_of
from analyzer.releases import Stores
from analyzer.permalinks import permalink

EXCERPT_LINES = 40  # an excerpt longer than this is cut, the rest left to the permalink
SHORT_FUNCTION = 12  # functions up to this many lines get an excerpt on their package page
NEIGHBOURS = 8  # callers and callees listed per function; the rest are counted


@dataclass(frozen=True)
class Budget:
    """How much one package page may hold; a package with more is split over several pages.

    Measured on the 1.24-era tree, a function's section is ~3 KB of HTML without its excerpt and
    an excerpt up to ~15 KB, a generated function's table row ~0.5 KB: the defaults keep a page
    near 600 KB of HTML at most, where unbounded pages of the largest packages reached 2 MB."""

    functions: int = 80  # functions per page, files kept whole when they fit
    excerpts: int = 20  # source excerpts per page: key functions first, then short ones
    generated: int = 300  # functions of generated files per page, one table row each


@dataclass(frozen=True)
class Excerpt:
    language: str  # "go" or "python"
    path: str
    line: int  # first line shown
    text: str
    more: int  # lines past EXCERPT_LINES, left out
    permalink: str  # "" for the project's own Python, whose file is on this site's machine


@dataclass(frozen=True)
class Function:
    name: str
    short: str
    anchor: str
    kind: str
    signature: str
    doc: str
    path: str
    line: int
    end_line: int
    permalink: str
    callers: tuple[str, ...]  # go/ssa names, at most NEIGHBOURS
    more_callers: int
    callees: tuple[str, ...]
    more_callees: int
    implementations: tuple[str, ...]
    excerpt: Excerpt | None


@dataclass(frozen=True)
class Generated:
    """A function of a generated file (deep copies, conversions, protobuf): listed, not detailed."""

    name: str
    short: str
    path: str
    line: int
    permalink: str


@dataclass(frozen=True)
class Part:
    """One page of a package: a run of its files' functions, and maybe generated ones."""

    number: int  # 1 for the package's first page
    page: str  # relative to the docs folder
    functions: tuple[Function, ...]
    generated: tuple[Generated, ...]

    @property
    def first_path(self) -> str:
        return (self.functions or self.generated)[0].path

    @property
    def last_path(self) -> str:
        return (self.generated or self.functions)[-1].path


@dataclass(frozen=True)
class PackagePage:
    repo: str
    import_path: str
    page: str  # its first page, relative to the docs folder
    programs: tuple[str, ...]
    functions: tuple[Function, ...]
    generated: tuple[Generated, ...]  # functions of generated files, one line each
    parts: tuple[Part, ...]  # the pages it is shown on, each within the Budget


def anchor(symbol: str) -> str:
    """A function's id on its package page: its local name with the punctuation dropped,
    `(*Scheduler).scheduleOne` → `Scheduler.scheduleOne`, `New$1` → `New-1`."""
    local = symbol.replace(package_of(symbol) + ".", "", 1)
    return re.sub(r"[^\w.]+", "-", local.replace("(*", "").replace("(", "").replace(")", "")).strip("-")


def python_anchor(python: str) -> str:
    """A reference function's id on its reference page: its dotted name, with `__` (which
    Markdown would read as emphasis, `__init__`) and punctuation made dashes."""
    return re.sub(r"[^\w.]+|__+", "-", python).strip("-")


def page_of(repo: str, import_path: str, part: int = 1) -> str:
    suffix = f".part{part}" if part > 1 else ""
    return f"packages/{repo}/{import_path.replace('/', '_')}{suffix}.md"


class SourceText:
    """Source lines of one commit's files, read once per file."""

    def __init__(self, db: sqlite3.Connection, commit: store.CommitRecord, stores: Stores):
        self.commit = commit
        self.stores = stores
        self._blobs = {record.path: record.blob_sha for record in store.commit_files(db, commit.id)}
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            blob = self._blobs.get(path)
            text = blob and self.stores.text(self.commit.sha, blob)
            self._lines[path] = text.splitlines() if text is not None else None
        return self._lines[path]

    def excerpt(self, path: str, line: int, end_line: int) -> Excerpt | None:
        lines = self.lines(path)
        if not lines or not line:
            return None
        shown = lines[line - 1:min(end_line, line - 1 + EXCERPT_LINES)]
        return Excerpt("go", path, line, "\n".join(shown), max(0, end_line - line + 1 - len(shown)),
                       permalink(self.commit.remote_url, self.commit.sha, path, line))


def python_excerpt(link: Link, root=ROOT) -> Excerpt:
    """The reference function's source, from the project's own tree."""
    lines = (root / link.path).read_text(encoding="utf-8").splitlines()
    shown = lines[link.line - 1:min(link.end_line, link.line - 1 + EXCERPT_LINES)]
    return Excerpt("python", link.path, link.line, "\n".join(shown),
                   max(0, link.end_line - link.line + 1 - len(shown)), "")


# --- package pages ---------------------------------------------------------------------------------

def program_packages(db: sqlite3.Connection, commit: store.CommitRecord,
                     programs: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Import path → the programs (of `programs`) that link it, for the packages they link."""
    wanted = set(programs)
    linked: dict[str, list[str]] = defaultdict(list)
    for program, package in db.execute(
            "SELECT m.program, n.name FROM program_members m JOIN names n ON n.id = m.member "
            "WHERE m.commit_id = ? AND m.kind = 'package' ORDER BY m.program", (commit.id,)):
        if program in wanted and not is_stdlib(package):
            linked[package].append(program)
    return {package: tuple(names) for package, names in linked.items()}


def generated_files(db: sqlite3.Connection, commit: store.CommitRecord) -> frozenset[str]:
    """The commit's files that say they are generated (`// Code generated … DO NOT EDIT.`)."""
    return frozenset(path for path, in db.execute(
        "SELECT f.path FROM files f JOIN blobs b ON b.sha = f.blob_sha "
        "WHERE f.commit_id = ? AND b.generated", (commit.id,)))


def package_pages(db: sqlite3.Connection, commit: store.CommitRecord, packages: dict[str, tuple[str, ...]],
                  text: SourceText, key: set[str], generated_files: frozenset[str],
                  budget: Budget = Budget(),
                  in_build: Callable[[str], bool] = lambda path: True) -> list[PackagePage]:
    """Pages for each package of `packages` with functions outside vendor/, within `budget`.
    `in_build` says whether the commit's build compiles a file (`GraphIndex.in_build`)."""
    rows = db.execute(
        "SELECT n.name, pk.name, s.kind, p.name, s.line, s.end_line, s.doc, s.signature FROM symbols s "
        "JOIN names n ON n.id = s.name JOIN names pk ON pk.id = s.package "
        "JOIN names p ON p.id = s.path WHERE s.commit_id = ? AND s.kind IN ('func', 'method')",
        (commit.id,)).fetchall()
    by_package: dict[str, list[tuple]] = defaultdict(list)
    generated: dict[str, list[Generated]] = defaultdict(list)
    for row in rows:
        name, package, _, path, line = row[:5]
        if package not in packages or path.startswith("vendor/"):
            continue
        if path in generated_files:
            generated[package].append(Generated(
                name, render.short_name(name), path, line, permalink(commit.remote_url, commit.sha, path, line)))
        else:
            by_package[package].append(row)
    if not by_package and not generated:
        return []
    names = {row[0] for functions in by_package.values() for row in functions}
    # A function declared once per platform has its plain anchor, the one links name, on the
    # declaration the build compiles (as `show` describes it), the first in path order if none.
    built: dict[str, str] = {}
    for name, _, _, path, _ in sorted((row[:5] for functions in by_package.values()
                                       for row in functions), key=lambda r: (r[3], r[4])):
        if name not in built or (not in_build(built[name]) and in_build(path)):
            built[name] = path
    callers, callees = _neighbours(db, commit, names)
    implementations = _implementations(db, commit, names)
    pages = []
    for package in sorted(by_package.keys() | generated.keys()):
        functions = []
        anchors: set[str] = set()
        for name, _, kind, path, line, end_line, doc, signature in sorted(
                by_package[package], key=lambda r: (r[3], r[4])):
            # A function declared once per platform (addOSFlags in init_others.go and
            # init_windows.go) is listed under each file with the calls its own body makes
            # (a call site is in its function's file), each declaration an anchor of its own.
            into, out = callers.get(name, []), callees.get((name, path), [])
            mark = anchor(name)
            if path != built[name] or mark in anchors:
                mark += "-" + re.sub(r"[^\w.]+", "-", path.rpartition("/")[2])
            anchors.add(mark)
            functions.append(Function(
                name, render.short_name(name), mark, kind, signature, doc.strip(), path,
                line, end_line, permalink(commit.remote_url, commit.sha, path, line),
                tuple(into[:NEIGHBOURS]), max(0, len(into) - NEIGHBOURS),
                tuple(out[:NEIGHBOURS]), max(0, len(out) - NEIGHBOURS),
                tuple(implementations.get(name, ())[:NEIGHBOURS]), None))
        made = sorted(generated[package], key=lambda g: (g.path, g.line))
        parts = tuple(Part(number, page_of(commit.repo, package, number),
                           _with_excerpts(chunk, text, key, budget.excerpts), tuple(rows))
                      for number, (chunk, rows) in enumerate(_split(functions, made, budget), 1))
        pages.append(PackagePage(commit.repo, package, page_of(commit.repo, package),
                                 packages[package], tuple(functions), tuple(made), parts))
    return pages


def _split(functions: list[Function], generated: list[Generated],
           budget: Budget) -> list[tuple[list[Function], list[Generated]]]:
    """Functions in file order cut into pages of at most `budget.functions`, a file kept on one
    page when it fits; generated functions then fill pages of `budget.generated` rows, the first
    of them on the last functions page."""
    chunks: list[list[Function]] = []
    current: list[Function] = []
    for _, same_file in groupby(functions, key=lambda f: f.path):
        run = list(same_file)
        if current and len(current) + len(run) > budget.functions:
            chunks.append(current)
            current = []
        while len(run) > budget.functions:  # a file too large for one page takes several
            chunks.append(run[:budget.functions])
            run = run[budget.functions:]
        current += run
    if current:
        chunks.append(current)
    rows = [generated[at:at + budget.generated] for at in range(0, len(generated), budget.generated)]
    parts: list[tuple[list[Function], list[Generated]]] = [(chunk, []) for chunk in chunks]
    if parts and rows:
        parts[-1] = (parts[-1][0], rows.pop(0))
    return parts + [([], chunk) for chunk in rows]


def _with_excerpts(functions: list[Function], text: SourceText, key: set[str],
                   limit: int) -> tuple[Function, ...]:
    """The page's functions, the key ones and then the short ones given their source, `limit`
    excerpts in all (the others keep their permalink)."""
    wanted = [f for f in functions if f.name in key]
    wanted += [f for f in functions if f.name not in key and f.end_line - f.line + 1 <= SHORT_FUNCTION]
    chosen = {(f.name, f.path) for f in wanted[:limit]}  # each declaration of a name is one
    return tuple(replace(f, excerpt=text.excerpt(f.path, f.line, f.end_line))
                 if (f.name, f.path) in chosen else f for f in functions)


def _neighbours(db: sqlite3.Connection, commit: store.CommitRecord, names: set[str]):
    """Distinct callers of each of `names`, and callees of each (name, file of its call sites),
    in the order of their first call."""
    callers: dict[str, list[str]] = defaultdict(list)
    callees: dict[tuple[str, str], list[str]] = defaultdict(list)
    seen, seen_out = set(), set()
    for caller, callee, path in db.execute(
            "SELECT a.name, b.name, p.name FROM edges e JOIN names a ON a.id = e.caller "
            "JOIN names b ON b.id = e.callee JOIN names p ON p.id = e.path "
            "WHERE e.commit_id = ? AND e.kind != 'unresolved' ORDER BY e.rowid", (commit.id,)):
        if caller == callee:
            continue
        if caller in names and (caller, callee, path) not in seen_out:
            seen_out.add((caller, callee, path))
            callees[caller, path].append(callee)
        if callee in names and (caller, callee) not in seen:
            seen.add((caller, callee))
            callers[callee].append(caller)
    return callers, callees


def _implementations(db: sqlite3.Connection, commit: store.CommitRecord, names: set[str]):
    found: dict[str, list[str]] = defaultdict(list)
    for interface_method, method in db.execute(
            "SELECT a.name, b.name FROM implements i JOIN names a ON a.id = i.interface_method "
            "JOIN names b ON b.id = i.method WHERE i.commit_id = ? AND i.flags = 0 ORDER BY b.name",
            (commit.id,)):
        if interface_method in names:
            found[interface_method].append(method)
    return found


# --- Go beside Python -----------------------------------------------------------------------------

@dataclass(frozen=True)
class GoSide:
    symbol: str
    short: str
    status: str  # "found", "missing" or "not indexed"
    page: str  # its package page (with anchor), "" when it has none
    excerpt: Excerpt | None


@dataclass(frozen=True)
class Pair:
    python: str  # module.qualname
    anchor: str
    excerpt: Excerpt
    go: tuple[GoSide, ...]


@dataclass(frozen=True)
class ReferencePage:
    """A page of reference functions beside their Go: one reference module, split in parts past
    PAIRS_PER_PAGE (a pair is two excerpts; a module's forty of them made a 4 MB page)."""

    module: str  # "etcd.raft.log", below reference_impl
    number: int
    count: int  # pages of the module
    page: str  # relative to the docs folder
    pairs: tuple[Pair, ...]


PAIRS_PER_PAGE = 25


def module_of(link: Link) -> str:
    """The reference module a link is written in, below reference_impl: `etcd.raft.log`."""
    parts = link.path.removesuffix(".py").split("/")[1:]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def pairs(links: list[Link], go_side) -> dict[str, list[Pair]]:
    """The links grouped by reference module, one Pair per Python function with every Go symbol
    it mirrors, in source order; `go_side(symbol)` gives each Go side."""
    by_function: dict[str, list[Link]] = defaultdict(list)
    for link in sorted(links, key=lambda link: (link.path, link.line)):
        by_function[link.python].append(link)
    grouped: dict[str, list[Pair]] = defaultdict(list)
    for python, mirrored in by_function.items():
        grouped[module_of(mirrored[0])].append(Pair(
            python, python_anchor(python), python_excerpt(mirrored[0]),
            tuple(go_side(link.go_symbol) for link in mirrored)))
    return dict(sorted(grouped.items()))


def reference_pages(groups: dict[str, list[Pair]], per_page: int = PAIRS_PER_PAGE) -> list[ReferencePage]:
    pages = []
    for module, items in groups.items():
        count = -(-len(items) // per_page)
        for number in range(1, count + 1):
            suffix = f".part{number}" if number > 1 else ""
            pages.append(ReferencePage(module, number, count, f"reference/{module}{suffix}.md",
                                       tuple(items[(number - 1) * per_page:number * per_page])))
    return pages


def mirrors_by_symbol(links: list[Link]) -> dict[str, list[Link]]:
    found: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        found[link.go_symbol].append(link)
    return found
