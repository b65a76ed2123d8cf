"""The code itself on the site: source excerpts, a page per package of each command's program,
and the Go beside the Python that mirrors it.

Excerpts are cut from the analysed blobs (releases.Stores reads them from the bare clones), so the
site reads offline; each keeps its line numbers and the permalink pinned to the commit. A package
page lists every function and method the package defines (outside vendor/), each with its
signature, doc, callers, callees and implementations, linked to their own package pages
(functions of generated files, thousands of deep copies and protobuf methods, one line each); an
excerpt is embedded for the short functions and for the key ones (those the manifest names, that
the diagrams draw, or that a reference function mirrors), the rest link to their source. A
reference page sets each `@mirrors` link's two functions side by side, the link checked against
the index.
"""
from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from analyzer import render, store
from analyzer.links import ROOT, Link
from analyzer.query import is_stdlib, package_of
from analyzer.releases import Stores
from analyzer.permalinks import permalink

EXCERPT_LINES = 40  # an excerpt longer than this is cut, the rest left to the permalink
SHORT_FUNCTION = 12  # functions up to this many lines get an excerpt on their package page
NEIGHBOURS = 8  # callers and callees listed per function; the rest are counted


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

    short: str
    path: str
    line: int
    permalink: str


@dataclass(frozen=True)
class PackagePage:
    repo: str
    import_path: str
    page: str  # relative to the docs folder
    programs: tuple[str, ...]
    functions: tuple[Function, ...]
    generated: tuple[Generated, ...]  # functions of generated files, one line each


def anchor(symbol: str) -> str:
    """A function's id on its package page: its local name with the punctuation dropped,
    `(*Scheduler).scheduleOne` → `Scheduler.scheduleOne`, `New$1` → `New-1`."""
    local = symbol.replace(package_of(symbol) + ".", "", 1)
    return re.sub(r"[^\w.]+", "-", local.replace("(*", "").replace("(", "").replace(")", "")).strip("-")


def python_anchor(python: str) -> str:
    """A reference function's id on its reference page: its dotted name, with `__` (which
    Markdown would read as emphasis, `__init__`) and punctuation made dashes."""
    return re.sub(r"[^\w.]+|__+", "-", python).strip("-")


def page_of(repo: str, import_path: str) -> str:
    return f"packages/{repo}/{import_path.replace('/', '_')}.md"


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
                  text: SourceText, key: set[str], generated_files: frozenset[str]) -> list[PackagePage]:
    """A page for each package of `packages` with functions outside vendor/."""
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
                render.short_name(name), path, line, permalink(commit.remote_url, commit.sha, path, line)))
        else:
            by_package[package].append(row)
    if not by_package and not generated:
        return []
    names = {row[0] for functions in by_package.values() for row in functions}
    callers, callees = _neighbours(db, commit, names)
    implementations = _implementations(db, commit, names)
    pages = []
    for package in sorted(by_package.keys() | generated.keys()):
        functions = []
        for name, _, kind, path, line, end_line, doc, signature in sorted(
                by_package[package], key=lambda r: (r[3], r[4])):
            short_enough = end_line - line + 1 <= SHORT_FUNCTION
            into, out = callers.get(name, []), callees.get(name, [])
            functions.append(Function(
                name, render.short_name(name), anchor(name), kind, signature, doc.strip(), path,
                line, end_line, permalink(commit.remote_url, commit.sha, path, line),
                tuple(into[:NEIGHBOURS]), max(0, len(into) - NEIGHBOURS),
                tuple(out[:NEIGHBOURS]), max(0, len(out) - NEIGHBOURS),
                tuple(implementations.get(name, ())[:NEIGHBOURS]),
                text.excerpt(path, line, end_line) if short_enough or name in key else None))
        pages.append(PackagePage(commit.repo, package, page_of(commit.repo, package),
                                 packages[package], tuple(functions),
                                 tuple(sorted(generated[package], key=lambda g: (g.path, g.line)))))
    return pages


def _neighbours(db: sqlite3.Connection, commit: store.CommitRecord, names: set[str]):
    """Distinct callers and callees of each of `names`, in the order of their first call."""
    callers: dict[str, list[str]] = defaultdict(list)
    callees: dict[str, list[str]] = defaultdict(list)
    seen = set()
    for caller, callee in db.execute(
            "SELECT a.name, b.name FROM edges e JOIN names a ON a.id = e.caller "
            "JOIN names b ON b.id = e.callee WHERE e.commit_id = ? AND e.kind != 'unresolved' "
            "ORDER BY e.rowid", (commit.id,)):
        if (caller, callee) in seen or caller == callee:
            continue
        seen.add((caller, callee))
        if caller in names:
            callees[caller].append(callee)
        if callee in names:
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


def pairs(links: list[Link], go_side) -> dict[str, list[Pair]]:
    """The links grouped by reference package (`reference_impl.<package>`), one Pair per Python
    function with every Go symbol it mirrors; `go_side(symbol)` gives each Go side."""
    by_function: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_function[link.python].append(link)
    grouped: dict[str, list[Pair]] = defaultdict(list)
    for python, mirrored in by_function.items():
        package = python.split(".")[1]
        grouped[package].append(Pair(python, python_anchor(python),
                                     python_excerpt(mirrored[0]),
                                     tuple(go_side(link.go_symbol) for link in mirrored)))
    return dict(sorted(grouped.items()))


def mirrors_by_symbol(links: list[Link]) -> dict[str, list[Link]]:
    found: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        found[link.go_symbol].append(link)
    return found

