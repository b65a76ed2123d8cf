"""Questions asked of an indexed call graph: what a name means, what a symbol calls and is called
by, how one symbol reaches another. Answers come from the SQLite index alone, one indexed look-up
per symbol expanded; nothing is parsed again and the whole graph is never loaded.
"""
from __future__ import annotations

import fnmatch
import heapq
import math
import re
import sqlite3
from collections.abc import Callable, Iterable, Set
from typing import NamedTuple

from analyzer import graph, store
from analyzer.errors import AnalyzerError, nearest
from analyzer.graph import Edge
from analyzer.permalinks import permalink
from analyzer.workspace import REPOS

# Shorthands for --exclude: package patterns people leave out to see a component's own logic.
PRESETS = {
    "stdlib": ("<stdlib>",),  # matched by `is_stdlib`, not by a glob
    "logging": ("k8s.io/klog", "k8s.io/klog/*", "github.com/golang/glog", "log", "go.uber.org/zap*",
                "github.com/sirupsen/logrus"),
    "vendor": ("<vendor>",),  # symbols defined under vendor/
}
MAX_NODES = 5000  # a tree stops growing here and says it was cut
SHOWN_PER_CALL = 8  # a tree shows this many implementations of one interface call, surest first
# No symbol's go/ssa name comes near this (Kubernetes' longest is under 200 characters); a longer
# name or pattern is answered "not found" without asking SQLite, which refuses LIKE patterns past
# 50,000 bytes.
MAX_NAME = 2000
# A place in a Go file, as compilers and `grep -n` print it: path.go, path.go:LINE, path.go:LINE:COL,
# pasted with what follows it on their lines (`: undefined: x`, `:\tcode`, a stack trace's ` +0x1d`).
_PLACE = re.compile(r"(?P<path>[^:\s]+\.go)(?::(?P<line>\d+)(?::\d+)?(?:[:\s].*)?)?", re.DOTALL)


def quote_name(name: str) -> str:
    """`name` quoted for a one-line message: a pasted screenful is cut to its start."""
    return repr(name) if len(name) <= 120 else f"{name[:100]!r}… ({len(name):,} characters)"


class QueryError(AnalyzerError):
    pass


class SymbolNotFound(QueryError):
    def __init__(self, name: str, closest: list[str], why: str = ""):
        self.name, self.closest = name, closest
        hint = (": " + why) if why else ("; closest: " + ", ".join(closest)) if closest else ""
        super().__init__(f"no symbol {quote_name(name)}{hint}")


class DefinedElsewhere(SymbolNotFound):
    """The commit queried does not define the name, but another indexed commit does: a symbol
    of the other repository, or one removed since."""

    def __init__(self, name: str, repo: str, where: str, found: str, options: str):
        QueryError.__init__(self, f"no symbol {quote_name(name)} in {repo}; {where} defines "
                            f"{found}: add {options}")
        self.name, self.closest = name, []


class AmbiguousSymbol(QueryError):
    def __init__(self, name: str, candidates: list[str]):
        self.name, self.candidates = name, candidates
        shown = ", ".join(candidates[:8]) + (" …" if len(candidates) > 8 else "")
        super().__init__(f"{quote_name(name)} matches {len(candidates)} symbols: {shown}")


class NoPath(QueryError):
    def __init__(self, start: str, goal: str, why: str = ""):
        self.start, self.goal = start, goal
        super().__init__(f"no call path from {start} to {goal}" + (f": {why}" if why else ""))


def package_of(symbol: str) -> str:
    """The import path in a go/ssa name: `(*k8s.io/x/pkg.T).M$1` → `k8s.io/x/pkg`."""
    # Type arguments (`F[example.com/b.T]`), like the index expression an unresolved callee is
    # written with (`handlers["a/b"]`), hold slashes and dots of their own.
    name = symbol.lstrip("(*").split("[", 1)[0]
    slash = name.rfind("/")
    dot = name.find(".", slash + 1)
    return name[:dot] if dot > 0 else name


def is_stdlib(package: str) -> bool:
    """Go's own packages have no dot in their first path element (`net/http`, `fmt`)."""
    return "." not in package.split("/", 1)[0]


def covers(pattern: str, package: str, vendored: Callable[[], bool]) -> bool:
    """Whether an exclude pattern, a glob or a preset's `<stdlib>` or `<vendor>`, covers
    `package`; `vendored()` is asked only for `<vendor>`."""
    if pattern == "<stdlib>":
        return is_stdlib(package)
    if pattern == "<vendor>":
        return vendored()
    return fnmatch.fnmatchcase(package, pattern)


def near_pattern(pattern: str, packages: Iterable[str]) -> str | None:
    """The pattern a user who typed `pattern` likely meant, matching some of `packages`: a
    preset, the pattern with its literal start corrected (`k8s.io/kolg*` → `k8s.io/klog*`),
    or, for a folder of packages named without a glob, all of them (`k8s.io/client-go/*`)."""
    import difflib  # only a pattern that matches nothing pays for loading it

    packages = list(packages)
    glob_at = min((pattern.find(c) for c in "*?[" if c in pattern), default=len(pattern))
    literal = pattern[:glob_at].rstrip("/")
    glob = pattern[len(literal):]
    if not glob and any(package.startswith(pattern + "/") for package in packages):
        return pattern + "/*"
    # A mistyped pattern is compared with whole path elements: `k8s.io/clent-go*` → `k8s.io/client-go*`.
    elements = [package.split("/") for package in packages]
    starts = {"/".join(parts[:end]) for parts in elements for end in range(1, len(parts) + 1)}
    starts |= set() if glob else set(PRESETS) - {pattern}
    near = difflib.get_close_matches(literal, sorted(starts), n=1, cutoff=0.75)
    return near[0] + glob if near else None


# Answers are NamedTuples and plain classes, not dataclasses: a cold query is mostly Python
# importing, and `dataclasses` (with the `inspect` it loads) and a class made by it cost more
# than all else a query imports (about 30% of its instructions, measured with callgrind).
class Filters(NamedTuple):
    """What a walk of the graph follows: edge kinds, packages left out, confidence, one command."""

    kinds: frozenset[str] | None = None  # edge kinds to follow; default all but unresolved
    exclude: tuple[str, ...] = ()  # package globs, or the PRESETS names
    min_confidence: float = 0.0
    program: str | None = None  # follow only calls into this command's packages (`programs`)
    test_doubles: bool = True  # False: leave out implementations that exist for tests

    def patterns(self) -> tuple[str, ...]:
        out: list[str] = []
        for item in self.exclude:
            out.extend(PRESETS.get(item, (item,)))
        return tuple(out)


class SymbolInfo(NamedTuple):
    """What `show` tells about a symbol: where it is, its doc, its permalink and its call counts."""

    name: str
    kind: str
    package: str
    path: str
    line: int
    end_line: int
    doc: str
    signature: str
    permalink: str
    callers: int
    callees: int
    annotations: tuple[str, ...]
    # The function's other declarations, one per platform (addOSFlags in init_others.go and
    # init_windows.go): `path` is the one the commit's build compiles, `callees` its own calls.
    also_declared: tuple[Declaration, ...] = ()

    def as_dict(self) -> dict:
        """The fields as `show --json` prints them, each declaration an object too."""
        return {**self._asdict(), "also_declared": [d._asdict() for d in self.also_declared]}


class Declaration(NamedTuple):
    """Another file's declaration of a function declared once per platform."""

    path: str
    line: int
    end_line: int
    build: str  # the constraint its name and //go:build line put on it (`windows`)
    callees: int  # call edges out of this declaration


class Tree:
    """A breadth-first expansion from `root`: every edge once, in the order found."""

    def __init__(self, root: str, direction: str, depth: int, edges: list[Edge] | None = None):
        self.root = root
        self.direction = direction  # "callees" or "callers"
        self.depth = depth
        self.edges: list[Edge] = [] if edges is None else edges
        self.truncated = False
        self.left_out = 0  # implementation edges past SHOWN_PER_CALL at one call site
        # Calls of the symbols expanded that name code the index does not hold (a module not
        # vendored, a library not indexed): left out unless --kinds asks for them, and counted,
        # so that a tree of callees does not read as all a function calls.
        self.unresolved = 0
        # Marked only when no program's view chose one build (see GraphIndex.mark_builds).
        self.constraints: dict[str, str] = {}  # constrained file → constraint
        self.declared_in: dict[str, str] = {}  # implementation → its file
        self.not_built = 0  # edges the commit's build (`build`) does not make
        self.build: str | None = None


class ProgramMembers(Set):
    """A command's packages or types as the index holds them. The first LOOKUPS questions are
    answered by one indexed look-up each: a cold query asks a few dozen, and loading a program's
    thousands of members would cost it more than the rest of its work. Past that (a deep tree, a
    path search) the members are loaded once, whole."""

    LOOKUPS = 256

    def __init__(self, db: sqlite3.Connection, commit_id: int, program: str, kind: str):
        self._db, self._key = db, (commit_id, program, kind)
        self._answers: dict[str, bool] = {}
        self._loaded: frozenset[str] | None = None

    def __contains__(self, name: object) -> bool:
        if self._loaded is not None:
            return name in self._loaded
        found = self._answers.get(name)
        if found is None:
            if len(self._answers) >= self.LOOKUPS:
                return name in self._load()
            found = self._answers[name] = self._db.execute(
                "SELECT 1 FROM program_members WHERE member = (SELECT id FROM names WHERE name = ?) "
                "AND +commit_id = ? AND program = ? AND kind = ? LIMIT 1",
                (name, *self._key)).fetchone() is not None
        return found

    def _load(self) -> frozenset[str]:
        if self._loaded is None:
            self._loaded = frozenset(name for (name,) in self._db.execute(
                "SELECT n.name FROM program_members m JOIN names n ON n.id = m.member "
                "WHERE m.commit_id = ? AND m.program = ? AND m.kind = ?", self._key))
        return self._loaded

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __hash__(self) -> int:
        return self._hash()  # as a frozenset of the same members hashes


class ProgramView:
    """A command's own program, as the resolver stored it (analyzer.resolve.rta). Two views are
    equal when they name the same program, packages and types."""

    __slots__ = ("name", "packages", "types", "_linked")

    def __init__(self, name: str, packages: Set[str], types: Set[str]):
        self.name = name
        self.packages = packages  # what the command links
        self.types = types  # the types it creates in code reachable from main and init
        self._linked: dict[str, bool] = {}

    def _key(self) -> tuple[str, Set[str], Set[str]]:
        return self.name, self.packages, self.types

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, ProgramView) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"ProgramView({self.name!r}, {self.packages!r}, {self.types!r})"

    def links(self, symbol: str) -> bool:
        found = self._linked.get(symbol)
        if found is None:
            found = self._linked[symbol] = graph.package_in(symbol, self.packages) is not None
        return found


# How sure an implementation edge is: the candidates a reader should follow share most of the
# interface edge's confidence; the rest (not created by the command, built for another platform,
# or fakes for tests) share a tenth of it, so a path through them ranks below.
LIKELY, UNLIKELY = 0.9, 0.1
OTHER_PLATFORM, TEST_DOUBLE = 2, 4  # store.implements flags
MAX_DISPATCH = 3  # embedded interfaces dispatched through, one inside another
MAX_BY_SIGNATURE = 200  # a call of a func type that more functions fit is left as the type


def _ranked(rows: list[tuple[str, str, int]], view: ProgramView | None,
            interface_method: str, test_doubles: bool = True) -> list[tuple[str, float, str]]:
    """(method, confidence, why) of each candidate, likely ones first. In a program view only
    the types the command links are candidates, and only those it creates (and that are no
    test doubles) are likely."""
    likely, unlikely = [], []
    for method, type_, flags in sorted(rows):
        if flags & TEST_DOUBLE and not test_doubles:
            continue
        if view is not None:
            if flags & OTHER_PLATFORM or not view.links(type_):
                continue
            if flags & TEST_DOUBLE:
                unlikely.append((method, ", test double"))
            elif type_ in view.types:
                likely.append((method, ""))
            else:
                unlikely.append((method, f", not created by {view.name}"))
        elif flags & (OTHER_PLATFORM | TEST_DOUBLE):
            unlikely.append((method, ", other platform" if flags & OTHER_PLATFORM else ", test double"))
        else:
            likely.append((method, ""))
    interface = interface_method.rpartition(".")[0].strip("()")
    total = len(likely) + len(unlikely)
    if not total:
        return []
    return ([(m, round(LIKELY / len(likely), 4), f"implements {interface}{why}") for m, why in likely]
            + [(m, round(UNLIKELY / total, 4), f"implements {interface}{why}") for m, why in unlikely])


def _dispatched(edge: Edge, ranked) -> list[Edge]:
    """`edge`'s implementation edges, breadth first through embedded interfaces (MAX_DISPATCH
    levels), each method once; `ranked(interface_method)` gives its candidates as `_ranked`
    does, and nothing for a method that is no interface method."""
    out: list[Edge] = []
    seen = {edge.callee}
    level = [edge]
    for _ in range(MAX_DISPATCH):
        following = []
        for through in level:
            for method, confidence, why in ranked(through.callee):
                if method not in seen:
                    seen.add(method)
                    found = _implementation(through, method, confidence, why)
                    following.append(found)
                    # A method promoted from an embedded interface runs no code of its own: its
                    # implementations stand for it, unless it has none to show.
                    if not ranked(method):
                        out.append(found)
        level = following
    return out


def _ranking(view: ProgramView | None, implements, test_doubles: bool):
    """`_ranked` of each interface method's rows (`implements(name)`), worked out once each."""
    cache: dict[str, list[tuple[str, float, str]]] = {}

    def ranked(interface_method: str) -> list[tuple[str, float, str]]:
        found = cache.get(interface_method)
        if found is None:
            found = cache[interface_method] = _ranked(implements(interface_method), view,
                                                      interface_method, test_doubles)
        return found
    return ranked


def by_signature(edges: list[Edge], view: ProgramView | None, functions) -> list[Edge]:
    """`edges` with each `signature` edge replaced: by nothing where a function stored for that
    call is followed at the same site; otherwise by the functions of that type whose value is
    taken (`functions(signature)`), in the view, ranked as unlikely; kept as it is when there
    are more than MAX_BY_SIGNATURE of them, since then they say little."""
    followed = {(e.caller, e.path, e.line, e.col) for e in edges
                if graph.FUNCVALUE in (e.kind, e.via) and (view is None or view.links(e.callee))}
    out = []
    for edge in edges:
        if graph.SIGNATURE not in (edge.kind, edge.via):
            out.append(edge)
            continue
        if (edge.caller, edge.path, edge.line, edge.col) in followed:
            continue
        candidates = [f for f in functions(edge.callee) if view is None or view.links(f)]
        if not candidates or len(candidates) > MAX_BY_SIGNATURE:
            out.append(edge)
            continue
        kind = graph.FUNCVALUE if edge.kind == graph.SIGNATURE else edge.kind
        confidence = round(edge.confidence * UNLIKELY / len(candidates), 4)
        out.extend(Edge(edge.caller, function, kind, edge.path, edge.line, edge.col, confidence,
                        f"matching signature {edge.callee}" if kind == graph.FUNCVALUE
                        else graph.FUNCVALUE) for function in candidates)
    return out


def _indexed_commits(commits: Iterable[store.CommitRecord]) -> str:
    """The commits `--commit` can name, in the order they were first indexed, for an error
    line: " (indexed: 556eee397318 v1.24.0, …)". A commit indexed again with other options
    (--tests, --goos, another Go) is named once."""
    shown = list(dict.fromkeys(c.sha[:12] + ("" if c.sha.startswith(c.ref) else f" {c.ref}")
                               for c in commits))
    return f" (indexed: {', '.join(shown[-5:])})" if shown else ""


def _newest(db: sqlite3.Connection, commits: list[store.CommitRecord]) -> store.CommitRecord:
    """The commit indexed (or indexed again) last, as `store.latest_commits` picks a repository's:
    one commit indexed for two builds (--goos, --tests) is queried as the last `index` made it,
    with or without --commit."""
    started = dict(db.execute("SELECT id, started FROM commits WHERE complete = 1"))
    return max(commits, key=lambda commit: (started[commit.id], commit.id))


def _implementation(edge: Edge, method: str, confidence: float, why: str) -> Edge:
    return Edge(edge.caller, method, graph.IMPLEMENTATION, edge.path, edge.line, edge.col,
                round(edge.confidence * confidence, 4), why)


class GraphIndex:
    """One indexed commit of one repository, for queries."""

    def __init__(self, db: sqlite3.Connection, commit: store.CommitRecord):
        self.db = db
        self.commit = commit
        self._vendored: dict[str, bool] = {}
        self._programs: dict[str, ProgramView] = {}
        self._rankings: dict[tuple, object] = {}  # (program, test doubles) → _ranking
        # A file → whether the commit's build compiles it, and the constraint its name and
        # line put on it (see `_file_build`).
        self._file_builds: dict[str, tuple[bool, str | None]] = {}
        self._build: tuple[str, str | None] | None = None  # the commit's build and library

    @classmethod
    def open(cls, db: sqlite3.Connection, repo: str, sha: str | None = None) -> GraphIndex:
        if sha is None:
            latest = store.latest_commits(db)
            if repo not in latest:
                # Only etcd fetched and indexed, a query without --repo asked for kubernetes.
                other = next((name for name in REPOS if name in latest), None)
                raise QueryError(f"{repo} is not indexed" + (
                    f"; {other} is: add --repo {other}, or fetch and index {repo}" if other
                    else f": run `kubeatlas index {repo}` first"))
            return cls(db, latest[repo])
        indexed = store.complete_commits(db)
        matching = [c for c in indexed if c.sha.startswith(sha) or c.ref == sha]
        commits = [c for c in matching if c.repo == repo]
        if not commits:
            others = sorted({c.repo for c in matching})
            if others:
                raise QueryError(f"{repo} at {sha} is not indexed; {others[0]} is indexed at "
                                 f"{sha}: add --repo {others[0]}")
            raise QueryError(f"{repo} at {sha} is not indexed: fetch and index it first"
                             + _indexed_commits(c for c in indexed if c.repo == repo))
        by_ref = [c for c in commits if c.ref == sha]  # a ref fetched again: its newest commit
        if not by_ref and len({c.sha for c in commits}) > 1:
            raise QueryError(f"--commit {sha} is ambiguous: more than one indexed commit of {repo} "
                             f"starts with it{_indexed_commits(commits)}; give more of its digits")
        return cls(db, _newest(db, by_ref or commits))

    # --- names -------------------------------------------------------------------------------

    def _id(self, name: str) -> int | None:
        row = self.db.execute("SELECT id FROM names WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _name(self, name_id: int) -> str:
        return self.db.execute("SELECT name FROM names WHERE id = ?", (name_id,)).fetchone()[0]

    def has(self, name: str) -> bool:
        """Whether the commit defines `name` or has an edge to or from it."""
        name_id = self._id(name)
        if name_id is None:
            return False
        commit = self.commit.id
        return any(self.db.execute(sql, (name_id, commit)).fetchone() for sql in (
            "SELECT 1 FROM symbols WHERE name = ? AND commit_id = ? LIMIT 1",
            "SELECT 1 FROM edges WHERE caller = ? AND commit_id = ? LIMIT 1",
            "SELECT 1 FROM edges WHERE callee = ? AND commit_id = ? AND kind != 'unresolved' LIMIT 1"))

    def find(self, pattern: str, limit: int = 20) -> list[str]:
        """Symbols whose name contains `pattern` (case-insensitive), best matches first:
        an exact or short-form match, then the shortest names."""
        if len(pattern) > MAX_NAME:
            return []
        # SQLite's LIKE folds the case of ASCII letters only. A pattern with other letters
        # (GRÜSSE for Grüße) is also compared in Python with the names beyond ASCII, as
        # str.casefold compares them: a scan of all those names, so never for an ASCII pattern,
        # which casefold would also let match 'ß' (for ss) and the Kelvin sign (for k).
        folded = pattern if pattern.isascii() else pattern.casefold()
        like = "%" + folded.replace("%", r"\%").replace("_", r"\_") + "%"
        rows = self.db.execute(
            "SELECT DISTINCT n.name FROM names n JOIN symbols s ON s.name = n.id "
            "WHERE s.commit_id = ? AND n.name LIKE ? ESCAPE '\\' LIMIT 2000",
            (self.commit.id, like))
        names = [name for (name,) in rows]
        if not pattern.isascii():
            # A name beyond ASCII has more bytes than characters: comparing the two lengths
            # costs a seventh of GLOB '*[^ -~]*' on every name (250 → 37 ms on e5f3f020's).
            beyond_ascii = self.db.execute(
                "SELECT n.name FROM names n WHERE length(n.name) != length(CAST(n.name AS BLOB)) "
                "AND EXISTS (SELECT 1 FROM symbols s WHERE s.name = n.id AND s.commit_id = ?)",
                (self.commit.id,))
            names += sorted({name for (name,) in beyond_ascii if folded in name.casefold()}
                            - set(names))[:2000]
        names.sort(key=lambda n: (not _ends_like(n, pattern), len(n), n))
        return names[:limit]

    def resolve(self, name: str) -> str:
        """A symbol from its full go/ssa name or an unambiguous ending of it
        (`scheduler.(*Scheduler).scheduleOne`), or the function at a `file.go:LINE`;
        otherwise the closest names, in the error."""
        if len(name) > MAX_NAME:
            raise SymbolNotFound(name, [])
        place = _PLACE.fullmatch(name)
        if place:
            return self._function_at(name, place["path"], place["line"] and int(place["line"]))
        if re.match(r"[^:\s]+\.go:", name):
            raise SymbolNotFound(name, [], "a place is FILE.go:LINE, its line a number")
        matches = self._spelled(name)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise AmbiguousSymbol(name, sorted(matches))
        calls = self._unresolved_calls(name)
        if calls:
            raise SymbolNotFound(name, [], self._why_undefined(name, calls))
        self._look_elsewhere(name)
        if name in self.packages():
            raise SymbolNotFound(name, [], f"it is a package: `kubeatlas find '{name}.'` lists "
                                           "its functions")
        closest = self._closest(name)
        unindexed = self._unindexed_owner(name, closest)
        if unindexed:
            raise SymbolNotFound(name, closest, unindexed)
        raise SymbolNotFound(name, closest)

    def _unindexed_owner(self, name: str, closest: list[str]) -> str | None:
        """Why a name may not be found: the other repository, which defines it (its module path
        opens it) or may (nothing here is close), is not indexed, so `_look_elsewhere` could not
        look there."""
        others = [repo for repo in REPOS if repo != self.commit.repo]
        latest = store.latest_commits(self.db)
        bare = name.lstrip("(*")
        owner = next((repo for repo in others if bare.startswith(OWN_MODULES[repo])), None)
        # A name under a full import path (its first element a domain: k8s.io/…) belongs to that
        # module's repository alone; one under this repository's own modules, or a third
        # party's, is none of the others'.
        first, slash, _ = bare.partition("/")
        if owner is None and not closest and not (slash and "." in first):
            owner = next((repo for repo in others if repo not in latest), None)
        if owner is None or owner in latest:
            return None
        near = f"; closest here: {', '.join(closest)}" if closest and not bare.startswith(
            OWN_MODULES[owner]) else ""
        return (f"{self.commit.repo} {self.commit.sha[:12]} does not define it, and {owner}, "
                f"which may, is not indexed: `kubeatlas fetch {owner}` and `kubeatlas index "
                f"{owner}`, then add --repo {owner}{near}")

    def _function_at(self, name: str, path: str, line: int | None) -> str:
        """The innermost function or closure whose lines hold `path:line`, a place as compilers,
        `grep -n` and stack traces print it; `path` may be absolute, in a clone of the
        repository. A file alone is ambiguous among its functions."""
        every = [f for (f,) in self.db.execute("SELECT path FROM files WHERE commit_id = ?",
                                                (self.commit.id,))]
        files = [f for f in every if path == f or path.endswith("/" + f)]
        if not files:
            # The path as a package's folder ends it (`scheduler/scheduler.go`, a file name
            # alone): the one file it names, or the ones it may name.
            files = [f for f in every if f.endswith("/" + path.lstrip("./"))]
            if len(files) > 1:
                listed = ", ".join(sorted(files)[:5]) + (", …" if len(files) > 5 else "")
                raise SymbolNotFound(name, [], f"{len(files)} Go files of {self.commit.repo} "
                                               f"{self.commit.sha[:12]} end with {path} ({listed}): "
                                               "give more of its path")
        if not files:
            raise SymbolNotFound(name, [], f"{self.commit.repo} {self.commit.sha[:12]} has no "
                                           f"Go file {path}")
        # The symbols have no index by file: this reads the commit's symbols once.
        rows = self.db.execute(
            "SELECT n.name, s.line, s.end_line FROM symbols s JOIN names n ON n.id = s.name "
            "WHERE s.commit_id = ? AND s.path = (SELECT id FROM names WHERE name = ?) "
            "ORDER BY s.line", (self.commit.id, max(files, key=len))).fetchall()
        if line is None:
            raise AmbiguousSymbol(name, [function for function, _, _ in rows])
        holding = [(end - start, function) for function, start, end in rows if start <= line <= end]
        if not holding:
            raise SymbolNotFound(name, [], f"no function of {max(files, key=len)} holds line {line}")
        return min(holding)[1]

    def _matches(self, name: str) -> list[str]:
        if self.has(name):
            return [name]
        # A function type (`func() *k8s.io/api/core/v1.Pod`, the callee of a call through a
        # func value) ends like the type it returns: it is matched whole or not at all.
        return [n for n in self._candidates(name)
                if not n.startswith("func(") and _ends_like(n, name) and self.has(n)]

    def _spelled(self, name: str) -> list[str]:
        """`_matches` of `name`, or, when it matches nothing, of the go/ssa names it may be
        spelled for (`go_spellings`): the matches of the first spelling that has any. A package
        named as Go code names it (`klog.InfoS` for k8s.io/klog/v2.InfoS) is looked for as well:
        when a type of that name matches too (`(*other.klog).InfoS`), both are returned, which
        makes the name ambiguous rather than the type's. When nothing matched still, the
        qualifier is read as the name a package clause declares (`clientv3.New`, see
        `_by_declared_package`): one look-up in the files' blobs per qualifier, paid by every
        qualified name that matches nothing, a typo's too."""
        matches = self._matches(name)
        if matches:
            return matches
        spellings = go_spellings(name)
        # The package list is read once, and only for a name that opens with a qualifier.
        packages = self.packages() if any(_QUALIFIER.match(spelling)
                                          for spelling in (name, *spellings)) else {}
        by_package = [named for spelling in (name, *spellings)
                      for named in _by_package_name(spelling, packages)]
        # Type parameters named (`Map[K, V].Get`) ask for a generic type or function; one whose
        # signature uses none of them, and whose receiver's type declares none, is a namesake
        # that is not (expvar's Map.Get).
        named = {word for brackets in re.findall(r"\[([^\[\]]*)\]", name)
                 for word in re.findall(r"\w+", brackets)}
        generic = named if named and all(re.fullmatch(r"[A-Z]\w?", word) for word in named) else None
        # Brackets at the end name a function's: a method has none of its own.
        function = name.rstrip().endswith("]")

        def first_matched(candidates: list[str]) -> list[str]:
            for spelling in dict.fromkeys(candidates):
                matches = [match for match in self._matches(spelling)
                           if (generic is None
                               or generic & set(re.findall(r"\w+", self._signature(match)))
                               or self._generic_receiver(match))
                           and not (function and match.startswith("("))]
                if matches:
                    return matches
            return []
        found = list(dict.fromkeys(first_matched(spellings) + first_matched(by_package)))
        if not found and packages:
            declaring: dict[str, list[str]] = {}  # qualifier → import paths, one query each
            found = first_matched([named for spelling in (name, *spellings)
                                   for named in self._by_declared_package(spelling, declaring)])
        return found

    def _by_declared_package(self, name: str, declaring: dict[str, list[str]]) -> list[str]:
        """`name` with its leading qualifier read as the name a package clause declares, where
        its import path ends otherwise (`clientv3.New`, as etcd's docs and callers write it, is
        go.etcd.io/etcd/client/v3.New): written as each import path whose files declare it.
        `declaring` keeps the paths found per qualifier: the spellings of one name share it."""
        found = _QUALIFIER.match(name)
        if not found:
            return []
        opening, qualifier = found["opening"] or "", found["qualifier"]
        if qualifier not in declaring:
            declaring[qualifier] = [path for (path,) in self.db.execute(
                "SELECT DISTINCT f.import_path FROM files f JOIN blobs b ON b.sha = f.blob_sha "
                "WHERE f.commit_id = ? AND b.package = ? AND f.import_path IS NOT NULL",
                (self.commit.id, qualifier)) if path.rpartition("/")[2] != qualifier]
        return [f"{opening}{path}.{name[found.end():]}" for path in declaring[qualifier]]

    def _generic_receiver(self, method: str) -> bool:
        """Whether `method`'s receiver is a generic type (`func (s Set[T]) Len() int` uses no T
        in its signature). The index keeps no type declarations: they are read from the facts of
        the package's files, which only a name with type parameters in it asks for."""
        from analyzer.facts import decode

        receiver = re.fullmatch(r"\(\*?(?P<type>[^()]+)\)\.\w+", method)
        if not receiver:
            return False
        package, _, type_name = receiver["type"].rpartition(".")
        rows = self.db.execute(
            "SELECT b.facts FROM files f JOIN blobs b ON b.sha = f.blob_sha "
            "WHERE f.commit_id = ? AND f.import_path = ? AND f.status = 'parsed'",
            (self.commit.id, package))
        return any(declared.name == type_name and declared.type_params
                   for (facts,) in rows for declared in decode(facts).types)

    def _signature(self, name: str) -> str:
        row = self.db.execute("SELECT signature FROM symbols WHERE name = (SELECT id FROM names "
                              "WHERE name = ?) AND commit_id = ?", (name, self.commit.id)).fetchone()
        return row[0] if row else ""

    def _look_elsewhere(self, name: str) -> None:
        """Raise DefinedElsewhere if another indexed commit defines `name` alone: the newest
        commit of the other repository first, then older commits, newest first."""
        latest = store.latest_commits(self.db)
        others = sorted((c for c in store.complete_commits(self.db) if c.id != self.commit.id),
                        key=lambda c: (latest.get(c.repo) != c, c.repo == self.commit.repo, -c.id))
        for commit in others:
            matches = GraphIndex(self.db, commit)._spelled(name)
            if len(matches) != 1:
                continue
            where, options = commit.repo, []
            if commit.repo != self.commit.repo:
                options.append(f"--repo {commit.repo}")
            if latest.get(commit.repo) != commit:
                where = f"{commit.repo} at {commit.sha[:12]}"
                options.append(f"--commit {commit.sha[:12]}")
            raise DefinedElsewhere(name, self.commit.repo, where, matches[0], " ".join(options))

    def _unresolved_calls(self, name: str) -> int:
        """Calls the resolver could only name `name`, finding no definition of it."""
        return self.db.execute(
            "SELECT count(*) FROM edges WHERE callee = (SELECT id FROM names WHERE name = ?) "
            "AND commit_id = ? AND kind = ?", (name, self.commit.id, graph.UNRESOLVED)).fetchone()[0]

    def _why_undefined(self, name: str, calls: int) -> str:
        library = self.db.execute("SELECT library FROM commits WHERE id = ?",
                                  (self.commit.id,)).fetchone()[0]
        said = f"{calls:,} call{'s' if calls > 1 else ''} name it, but "
        if is_stdlib(package_of(name)) and not library:
            return said + ("the standard library is not in this index (`kubeatlas index` again "
                           "with Go installed, or with --goroot)")
        return said + "nothing in this index defines it"

    def _candidates(self, name: str) -> list[str]:
        """Names `name` may be a short form of (see `_ends_like`), from the reversed names."""
        if ".(" in name and not name.startswith("("):
            package, _, method = name.partition(".(")
            starting = "(*" if method.startswith("*") else "("
            return store.names_ending(self.db, package + "." + method.lstrip("*"), 500, starting)
        receiver = _receiver(name)
        return store.names_ending(self.db, name[len(receiver):], 500, receiver)

    def _closest(self, name: str) -> list[str]:
        """Names like `name`: each stored name is compared by its ending of as many dotted parts
        as `name` has, so a bare `syncLoopIteraton` meets `(*Kubelet).syncLoopIteration` rather
        than the whole import path, which no short name is close to."""
        import difflib  # only a name that is not found pays for loading it

        last = name.rsplit(".", 1)[-1].rstrip(")")
        # Names sharing the start of its last part, or, for a slip in its first letters
        # (`wait.Untl`), its end.
        stems = dict.fromkeys((last[: max(3, len(last) - 3)], last[-4:]))
        # With its package's (or type's) name first: the pool of a short stem is cut at 3,000
        # names on Kubernetes, where `klog.Infp` met grpclog.Infof but not klog.Infof.
        qualifier = re.findall(r"\w+", name.rsplit(".", 1)[0]) if "." in name else []
        if qualifier:
            stems = {f"{qualifier[-1]}%{stem}": None for stem in stems} | stems
        pool = list(dict.fromkeys(n for stem in stems for (n,) in self.db.execute(
            "SELECT DISTINCT n.name FROM names n JOIN symbols s ON s.name = n.id "
            "WHERE s.commit_id = ? AND n.name LIKE ? LIMIT 3000", (self.commit.id, f"%{stem}%"))))
        parts = name.count(".") + 1
        # Compared without regard to case, as `find` matches: `scheduleone` means scheduleOne.
        folded, scored = name.casefold(), []
        for candidate in pool:
            # Dotted parts are counted after the import path's last slash: the dots of its
            # domain (go.etcd.io) made `embed.StartEtc` meet `io/etcd/server/v3/embed.StartEtcd`.
            # A major version ending the path (k8s.io/klog/v2) is no package name: klog is.
            base = candidate if "/" in name else re.sub(r"/v\d+(?=\.)", "", candidate).rsplit("/", 1)[-1]
            ending = ".".join(base.split(".")[-parts:])
            score = max(difflib.SequenceMatcher(None, folded, candidate.casefold()).ratio(),
                        difflib.SequenceMatcher(None, folded, ending.casefold()).ratio())
            if score >= 0.6:
                scored.append((-score, len(candidate), candidate))
        return [candidate for _, _, candidate in sorted(scored)[:5]]

    # --- one symbol --------------------------------------------------------------------------

    def show(self, name: str) -> SymbolInfo:
        return self.describe(self.resolve(name))

    def describe(self, name: str) -> SymbolInfo:
        """`show` for an exact name the commit has (see `has`)."""
        name_id = self._id(name)
        commit = self.commit.id
        rows = self.db.execute(
            "SELECT s.kind, pk.name, p.name, s.line, s.end_line, s.doc, s.signature FROM symbols s "
            "JOIN names pk ON pk.id = s.package JOIN names p ON p.id = s.path "
            "WHERE s.name = ? AND s.commit_id = ? ORDER BY s.rowid", (name_id, commit)).fetchall()
        callers = self.db.execute(
            "SELECT count(*) FROM edges WHERE callee = ? AND commit_id = ?", (name_id, commit)).fetchone()[0]
        callees = self.db.execute(
            "SELECT count(*) FROM edges WHERE caller = ? AND commit_id = ?", (name_id, commit)).fetchone()[0]
        row = rows[0] if rows else None
        also: tuple[Declaration, ...] = ()
        if len(rows) > 1:
            # Declared once per platform: the build's file is the one shown, each other one
            # with its constraint, and each counts the calls its own body makes (a call site is
            # in the file of the function that makes it), where the other platforms' calls were
            # counted under the build's two-line function.
            row = next((row for row in rows if self.in_build(row[2])), rows[0])
            out = dict(self.db.execute(
                "SELECT p.name, count(*) FROM edges e JOIN names p ON p.id = e.path "
                "WHERE e.caller = ? AND e.commit_id = ? GROUP BY e.path", (name_id, commit)))
            callees = out.get(row[2], 0)
            also = tuple(Declaration(other[2], other[3], other[4],
                                     self._file_build(other[2])[1] or "", out.get(other[2], 0))
                         for other in rows if other is not row)
        if row is None and name.startswith("func("):
            # The callee of calls through a func value no definition was found for, named by
            # its type: no package's, and `func()` would read as one.
            return SymbolInfo(name, graph.SIGNATURE, "", "", 0, 0, "", "", "", callers, callees,
                              self._annotations(name_id))
        if row is None:  # reached by edges only: the standard library, say
            return SymbolInfo(name, "external", package_of(name), "", 0, 0, "", "", "",
                              callers, callees, self._annotations(name_id))
        kind, package, path, line, end_line, doc, signature = row
        return SymbolInfo(name, kind, package, path, line, end_line, doc, signature,
                          permalink(self.commit.remote_url, self.commit.sha, path, line),
                          callers, callees, self._annotations(name_id), also)

    def _annotations(self, name_id: int) -> tuple[str, ...]:
        """Kubernetes idioms the resolver recorded for a symbol, and the goroutines it starts."""
        notes = [kind if kind != graph.SCHEDULER_PLUGIN else f"{kind} ({detail})"
                 for kind, detail in self.db.execute(
                     "SELECT kind, detail FROM annotations WHERE symbol = ? AND commit_id = ? "
                     "ORDER BY kind, detail", (name_id, self.commit.id))]
        spawns = self.db.execute(
            "SELECT count(*) FROM edges WHERE caller = ? AND commit_id = ? AND kind = 'go'",
            (name_id, self.commit.id)).fetchone()[0]
        if spawns:
            notes.append(f"starts {spawns} goroutine{'s' if spawns > 1 else ''}")
        return tuple(dict.fromkeys(notes))

    # --- programs --------------------------------------------------------------------------------

    def programs(self) -> dict[str, str]:
        """Each command's program in this commit: component name → main package."""
        return dict(self.db.execute("SELECT name, main_package FROM programs WHERE commit_id = ? "
                                    "ORDER BY name", (self.commit.id,)))

    def program(self, name: str) -> ProgramView:
        """A command's program, its members loaded: it stays whole once the index is closed."""
        view = self.view(name)
        return ProgramView(name, frozenset(view.packages), frozenset(view.types))

    def view(self, name: str) -> ProgramView:
        """A command's program answering from the open index (`ProgramMembers`): what a query
        asks of it while it runs."""
        if name not in self._programs:
            if name not in self.programs():
                near = nearest(name, self.programs())
                raise QueryError(f"no program {name!r} in {self.commit.repo} {self.commit.sha[:12]}"
                                 + (f": did you mean {near!r}?" if near else "")
                                 + f" (programs: {', '.join(self.programs()) or 'none'})")
            self._programs[name] = ProgramView(
                name, ProgramMembers(self.db, self.commit.id, name, "package"),
                ProgramMembers(self.db, self.commit.id, name, "type"))
        return self._programs[name]

    def program_of(self, symbol: str) -> str | None:
        """The program whose `main` is `symbol`, if any: where a walk from it should stay."""
        for name, main_package in self.programs().items():
            if symbol == f"{main_package}.main":
                return name
        return None

    # --- neighbours ----------------------------------------------------------------------------

    def _neighbours(self, name: str, direction: str, filters: Filters,
                    tree: Tree | None = None) -> list[Edge]:
        mine, other = ("caller", "callee") if direction == "callees" else ("callee", "caller")
        edges = self._edges(name, mine)
        view = self.view(filters.program) if filters.program else None
        if direction == "callees":
            edges = [found for edge in edges
                     for found in (edge, *self._dispatch(edge, view, filters.test_doubles))]
            edges = by_signature(edges, view, self._signature_functions)
        else:
            edges += self._dispatched_to(name, view)
        kinds = filters.kinds or frozenset(graph.EDGE_KINDS) - {graph.UNRESOLVED}
        patterns = filters.patterns()
        out = []
        for edge in edges:
            if edge.kind == graph.UNRESOLVED and not filters.kinds and tree is not None:
                tree.unresolved += 1
            if edge.kind not in kinds or edge.confidence < filters.min_confidence:
                continue
            if view is not None and not (view.links(getattr(edge, other)) and self.in_build(edge.path)):
                continue
            if patterns and self._excluded(getattr(edge, other), patterns):
                continue
            out.append(edge)
        return out

    def in_build(self, path: str) -> bool:
        """Whether the file of a call site is in the build the commit's programs were made for.
        A function declared once per platform (`NewContainerManager` in container_manager_linux.go,
        _windows.go and _unsupported.go) is one symbol: a program's view of it follows the calls
        of the file its build compiles, not those of every platform's."""
        return self._file_build(path)[0]

    def _file_build(self, path: str) -> tuple[bool, str | None]:
        """Whether the file of a call site is in the commit's build, and the constraint its name
        and `//go:build` line put on it (`windows`, `!linux && !windows`), None for none."""
        found = self._file_builds.get(path)
        if found is None:
            found = self._file_builds[path] = self._read_file_build(path)
        return found

    def _commit_build(self) -> tuple[str, str | None]:
        """The build the commit's programs were made for (`linux/amd64`) and its library."""
        if self._build is None:
            self._build = self.db.execute("SELECT build, library FROM commits WHERE id = ?",
                                          (self.commit.id,)).fetchone()
        return self._build

    def _read_file_build(self, path: str) -> tuple[bool, str | None]:
        build, library = self._commit_build()
        commit_id, file = self.commit.id, path
        if library and path.startswith(f"{library}/src/"):  # the standard library's own commit
            row = self.db.execute("SELECT id FROM commits WHERE repo = 'go' AND sha = ?",
                                  (library,)).fetchone()
            commit_id, file = (row[0] if row else None), path[len(library) + 5:]
        row = self.db.execute(
            "SELECT b.build_constraint FROM files f JOIN blobs b ON b.sha = f.blob_sha "
            "WHERE f.commit_id = ? AND f.path = ?", (commit_id, file)).fetchone()
        if row is None:
            return True, None  # a file the index does not hold: nothing says it is left out
        base = file.rpartition("/")[2]
        if row[0] is None and "_" not in base and not base.startswith("."):
            return True, None  # neither a line nor the name constrains it: no need of buildtags
        from analyzer import buildtags  # only here: most files a query meets are unconstrained

        platform, _, tags = build.partition("+")
        goos, _, goarch = platform.partition("/")
        context = buildtags.BuildContext(goos, goarch, frozenset(buildtags.tag_list(tags)), cgo=False)
        return buildtags.matches(file, row[0], context), buildtags.file_constraint(file, row[0])

    def mark_builds(self, tree: Tree) -> None:
        """With no program's view a function declared once per platform shows the calls of every
        platform's file: each constrained file is noted in `tree.constraints` (a call site's, and
        an implementation's where it is declared elsewhere, in `tree.declared_in`), and
        `tree.not_built` counts the edges the commit's build does not make: from a file it does
        not compile, or into a method declared only in such files."""
        tree.build = self._commit_build()[0]
        declared: dict[str, list[str]] = {}
        for edge in tree.edges:
            built, constraint = self._file_build(edge.path)
            if constraint:
                tree.constraints[edge.path] = constraint
            if edge.kind == graph.IMPLEMENTATION:
                if edge.callee not in declared:
                    declared[edge.callee] = self._paths_of(edge.callee)
                files = declared[edge.callee]
                builds = [self._file_build(file) for file in files]
                if files and not any(callee_built for callee_built, _ in builds):
                    built = False
                if len(files) == 1 and files[0] != edge.path and builds[0][1]:
                    tree.constraints[files[0]] = builds[0][1]
                    tree.declared_in[edge.callee] = files[0]
            tree.not_built += not built

    def _dispatch(self, edge: Edge, view: ProgramView | None,
                  test_doubles: bool = True) -> list[Edge]:
        """The implementation edges of an interface call, most likely first (see `_ranked`). An
        implementation promoted from an embedded interface dispatches again: its own
        implementations follow it, from the same call site, each method once."""
        if graph.INTERFACE not in (edge.kind, edge.via):
            return []
        return _dispatched(edge, self._ranking_of(view, test_doubles))

    def _ranking_of(self, view: ProgramView | None, test_doubles: bool):
        key = (view.name if view else None, test_doubles)
        if key not in self._rankings:
            self._rankings[key] = _ranking(view, self._implements, test_doubles)
        return self._rankings[key]

    def _signature_functions(self, signature: str) -> list[str]:
        return [name for (name,) in self.db.execute(
            "SELECT n.name FROM signatures s JOIN names n ON n.id = s.function "
            "WHERE s.signature = (SELECT id FROM names WHERE name = ?) AND s.commit_id = ? "
            "ORDER BY n.name", (signature, self.commit.id))]

    def _implements(self, interface_method: str) -> list[tuple[str, str, int]]:
        # One indexed look-up per interface method: loading every implemented interface method
        # of the commit first cost a cold query more than all its look-ups together.
        return self.db.execute(
            "SELECT m.name, t.name, i.flags FROM implements i JOIN names m ON m.id = i.method "
            "JOIN names t ON t.id = i.type WHERE i.interface_method = "
            "(SELECT id FROM names WHERE name = ?) AND i.commit_id = ?",
            (interface_method, self.commit.id)).fetchall()

    def _dispatched_to(self, method: str, view: ProgramView | None) -> list[Edge]:
        """Implementation edges into `method`: every call of an interface method it implements,
        directly or through embedded interfaces."""
        interfaces, frontier = set(), {method}
        for _ in range(MAX_DISPATCH + 1):
            frontier = {interface for (interface,) in self.db.execute(
                f"SELECT DISTINCT n.name FROM implements i JOIN names n ON n.id = i.interface_method "
                f"WHERE i.commit_id = ? AND i.method IN (SELECT id FROM names WHERE name IN "
                f"({','.join('?' * len(frontier))}))", (self.commit.id, *frontier))} - interfaces
            if not frontier:
                break
            interfaces |= frontier
        ranked = self._ranking_of(view, True)
        out = []
        for interface in sorted(interfaces):
            direct = {m: (confidence, why) for m, confidence, why in ranked(interface)}
            for edge in self._edges(interface, "callee"):
                if graph.INTERFACE not in (edge.kind, edge.via):
                    continue
                if method in direct:  # the usual case: no need to expand every candidate
                    out.append(_implementation(edge, method, *direct[method]))
                else:
                    out.extend(found for found in self._dispatch(edge, view)
                               if found.callee == method)
        return out

    def _edges(self, name: str, end: str) -> list[Edge]:
        """The stored edges whose `end` ("caller" or "callee") is `name`, in call-site order."""
        rows = self.db.execute(
            f"SELECT a.name, b.name, e.kind, p.name, e.line, e.col, e.confidence, v.name "
            f"FROM edges e JOIN names a ON a.id = e.caller JOIN names b ON b.id = e.callee "
            f"JOIN names p ON p.id = e.path JOIN names v ON v.id = e.via "
            f"WHERE e.{end} = (SELECT id FROM names WHERE name = ?) AND e.commit_id = ? "
            f"ORDER BY e.line, e.col", (name, self.commit.id))
        return [Edge(*row) for row in rows]

    def all_edges(self, program: str | None = None) -> list[Edge]:
        """Every edge of the commit with each interface call expanded into its ranked
        implementations, as `callees` shows them; for benchmarks and exports, in one pass."""
        view = self.program(program) if program else None
        implements: dict[str, list[tuple[str, str, int]]] = {}
        for interface_method, method, type_, flags in self.db.execute(
                "SELECT a.name, m.name, t.name, i.flags FROM implements i "
                "JOIN names a ON a.id = i.interface_method JOIN names m ON m.id = i.method "
                "JOIN names t ON t.id = i.type WHERE i.commit_id = ?", (self.commit.id,)):
            implements.setdefault(interface_method, []).append((method, type_, flags))

        signatures: dict[str, list[str]] = {}
        for signature, function in self.db.execute(
                "SELECT a.name, f.name FROM signatures s JOIN names a ON a.id = s.signature "
                "JOIN names f ON f.id = s.function WHERE s.commit_id = ? ORDER BY f.name",
                (self.commit.id,)):
            signatures.setdefault(signature, []).append(function)
        ranked = _ranking(view, lambda name: implements.get(name, []), True)
        out = []
        for edge in store.load_edges(self.db, self.commit.id):
            out.append(edge)
            if graph.INTERFACE in (edge.kind, edge.via):
                out.extend(_dispatched(edge, ranked))
        return by_signature(out, view, lambda signature: signatures.get(signature, []))

    def _excluded(self, symbol: str, patterns: tuple[str, ...]) -> bool:
        package = package_of(symbol)
        return any(covers(pattern, package, lambda: self._is_vendored(symbol))
                   for pattern in patterns)

    def packages(self) -> dict[str, bool]:
        """Every package of the commit, and of the standard library it was resolved against, by
        import path: whether it is vendored."""
        from analyzer import stdlib  # with subprocess and shutil, which a query need not load

        rows = self.db.execute(
            "SELECT import_path, max(path LIKE 'vendor/%') FROM files WHERE import_path IS NOT NULL "
            "AND commit_id IN (?, (SELECT l.id FROM commits c JOIN commits l ON l.repo = ? AND "
            "l.sha = c.library AND l.complete WHERE c.id = ?)) GROUP BY import_path",
            (self.commit.id, stdlib.REPO, self.commit.id))
        return {package: bool(vendored) for package, vendored in rows}

    def unmatched_exclude(self, item: str) -> bool:
        """Whether an --exclude item (a glob or a PRESETS name) covers no package of the commit:
        a typo, since it leaves nothing out of any answer."""
        patterns = PRESETS.get(item, (item,))
        return not any(covers(pattern, package, lambda: vendored)
                       for package, vendored in self.packages().items() for pattern in patterns)

    def _is_vendored(self, symbol: str) -> bool:
        if symbol not in self._vendored:
            self._vendored[symbol] = self.path_of(symbol).startswith("vendor/")
        return self._vendored[symbol]

    def _paths_of(self, symbol: str) -> list[str]:
        """Every file that declares `symbol`: one per platform for `NewContainerManager`."""
        return sorted({path for (path,) in self.db.execute(
            "SELECT p.name FROM symbols s JOIN names p ON p.id = s.path "
            "WHERE s.name = (SELECT id FROM names WHERE name = ?) AND s.commit_id = ?",
            (symbol, self.commit.id))})

    def path_of(self, symbol: str) -> str:
        """The file that defines `symbol` (its exact name) in this commit; "" when none does."""
        row = self.db.execute(
            "SELECT p.name FROM symbols s JOIN names p ON p.id = s.path "
            "WHERE s.name = (SELECT id FROM names WHERE name = ?) AND s.commit_id = ?",
            (symbol, self.commit.id)).fetchone()
        return row[0] if row else ""

    def tree(self, name: str, direction: str, depth: int, filters: Filters = Filters()) -> Tree:
        """Callees (or callers) of a symbol, breadth first to `depth` levels."""
        root = self.resolve(name)
        tree = Tree(root, direction, depth)
        seen = {root}
        frontier = [root]
        for _ in range(depth):
            if not frontier:  # every symbol reached is expanded: deeper levels add nothing
                break
            next_frontier = []
            for symbol in frontier:
                for edge in self._surest_per_call(self._neighbours(symbol, direction, filters,
                                                                   tree), tree):
                    tree.edges.append(edge)
                    reached = edge.callee if direction == "callees" else edge.caller
                    if reached not in seen:
                        seen.add(reached)
                        next_frontier.append(reached)
                if len(seen) > MAX_NODES:
                    tree.truncated = True
                    return tree
            frontier = next_frontier
        return tree

    @staticmethod
    def _surest_per_call(edges: list[Edge], tree: Tree) -> list[Edge]:
        """`edges` with at most SHOWN_PER_CALL implementation edges per call site, the surest;
        `tree.left_out` counts the rest. A call through runtime.Object has hundreds."""
        counted: dict[tuple, int] = {}
        ranked = sorted(edges, key=lambda e: -e.confidence)
        keep = set()
        for edge in ranked:
            if edge.kind != graph.IMPLEMENTATION:
                keep.add(id(edge))
                continue
            site = (edge.caller, edge.path, edge.line, edge.col)
            counted[site] = counted.get(site, 0) + 1
            if counted[site] <= SHOWN_PER_CALL:
                keep.add(id(edge))
            else:
                tree.left_out += 1
        return [edge for edge in edges if id(edge) in keep]

    def program_linking(self, symbol: str) -> str | None:
        """The one program that links `symbol`'s package, if only one does: where a tree from
        it is read, unless asked otherwise."""
        # Asked of the index rather than of every program's loaded package set: a cold query
        # would otherwise load thousands of packages of programs it then does not use.
        candidates = graph.package_candidates(symbol)
        # By member (`+commit_id` keeps SQLite from reading the whole commit's members instead).
        linking = [name for (name,) in self.db.execute(
            "SELECT DISTINCT program FROM program_members WHERE member IN (SELECT id FROM names "
            f"WHERE name IN ({', '.join('?' * len(candidates))})) AND +commit_id = ? "
            "AND kind = 'package'", (*candidates, self.commit.id))]
        return linking[0] if len(linking) == 1 else None

    # --- paths ---------------------------------------------------------------------------------

    def paths(self, start: str, goal: str, filters: Filters = Filters(), count: int = 1) -> list[list[Edge]]:
        """Up to `count` shortest call paths, the surest first: the highest product of edge
        confidences, ties going to the path whose symbols come first by name. A path through a
        guessed edge is as short as one through static calls, so length alone cannot choose."""
        start, goal = self.resolve(start), self.resolve(goal)
        if start != goal:
            return _surest(self._shortest_path_edges(start, goal, filters), start, goal, count)
        # From a function to itself: the calls that come back to it (recursion), where an empty
        # path answered nothing (`-f json` printed `[[]]`). The search's goal is a copy of the
        # start under another name, so that the two ends are two nodes.
        again = start + _AGAIN
        try:
            entering = self._shortest_path_edges(start, again, filters)
        except NoPath:
            raise NoPath(start, start, "it calls nothing that calls it back, directly or "
                         "through other functions") from None
        return [[edge._replace(callee=start) if edge.callee == again else edge for edge in path]
                for path in _surest(entering, start, again, count)]

    def path_through(self, points: list[str], filters: Filters = Filters(), count: int = 1) -> list[list[Edge]]:
        """The `count` surest routes from points[0] through each point in turn to the last, each
        segment a shortest path; the best routes are made of each segment's best paths."""
        # A point named again right after itself (`--through` the start) is passed once; FROM
        # and TO alone the same ask for the way back to it (see `paths`).
        resolved = [self.resolve(point) for point in points]
        points = [point for i, point in enumerate(resolved) if i == 0 or point != resolved[i - 1]]
        if len(points) == 1:
            points *= 2
        routes: list[list[Edge]] = [[]]
        for start, goal in zip(points, points[1:]):
            segments = self.paths(start, goal, filters, count)
            joined = (route + segment for route in routes for segment in segments)
            routes = heapq.nsmallest(count, joined, key=_rank)
        return routes

    def _shortest_path_edges(self, start: str, goal: str, filters: Filters) -> dict[str, list[Edge]]:
        """Every edge on some shortest path from `start` to `goal`, by the symbol it enters: breadth
        first from both ends at once, a layer at a time from the smaller side, until they meet."""
        forward: dict[str, list[Edge]] = {start: []}  # node → edges reaching it on a shortest path
        backward: dict[str, list[Edge]] = {goal: []}  # node → edges leaving it towards the goal
        ahead, behind = [start], [goal]
        while ahead and behind:
            grow_forward = len(ahead) <= len(behind)
            frontier, known, direction = ((ahead, forward, "callees") if grow_forward
                                          else (behind, backward, "callers"))
            layer: dict[str, list[Edge]] = {}
            for symbol in frontier:
                for edge in self._path_neighbours(symbol, direction, filters, goal):
                    reached = edge.callee if grow_forward else edge.caller
                    if reached not in known:
                        layer.setdefault(reached, []).append(edge)
            known.update(layer)
            if grow_forward:
                ahead = list(layer)
            else:
                behind = list(layer)
            meeting = [node for node in layer if node in (backward if grow_forward else forward)]
            if meeting:
                return _on_shortest_paths(meeting, forward, backward)
        raise NoPath(start, goal)

    def _path_neighbours(self, symbol: str, direction: str, filters: Filters,
                         goal: str) -> list[Edge]:
        """`_neighbours` for a path search; when `goal` is the start again (`paths`), the calls
        into the start are calls into that copy of it."""
        if not goal.endswith(_AGAIN):
            return self._neighbours(symbol, direction, filters)
        start = goal[:-len(_AGAIN)]
        edges = self._neighbours(start if symbol == goal else symbol, direction, filters)
        return [edge._replace(callee=goal) if edge.callee == start else edge for edge in edges]


# Marks the goal of a search from a symbol back to itself; no Go name holds a NUL.
_AGAIN = "\0again"


def _on_shortest_paths(meeting: list[str], forward: dict[str, list[Edge]],
                       backward: dict[str, list[Edge]]) -> dict[str, list[Edge]]:
    """The shortest paths' edges by the symbol they enter. Every shortest path crosses the layer
    where the searches met, so they are the meeting nodes' ancestors in `forward` and descendants
    in `backward`; the two sides share no other node, or the searches would have met sooner."""
    entering: dict[str, list[Edge]] = {}
    for node in _reachable(meeting, forward, lambda edge: edge.caller):
        entering[node] = forward[node]
    for node in _reachable(meeting, backward, lambda edge: edge.callee):
        for edge in backward[node]:
            entering.setdefault(edge.callee, []).append(edge)
    return entering


def _reachable(nodes: list[str], links: dict[str, list[Edge]], step) -> set[str]:
    """`nodes` and every node reached from them over `links`, going to `step(edge)`."""
    seen, stack = set(nodes), list(nodes)
    while stack:
        for edge in links[stack.pop()]:
            reached = step(edge)
            if reached not in seen:
                seen.add(reached)
                stack.append(reached)
    return seen


def _surest(entering: dict[str, list[Edge]], start: str, goal: str, count: int) -> list[list[Edge]]:
    """The `count` best paths from `start` to `goal` over shortest-path edges, by `_rank`.

    All paths to a node on a shortest path have the same length, so the best paths to it extend
    the best paths to its callers: keeping `count` per node finds them without listing every path,
    of which a busy graph has millions."""
    best: dict[str, list[list[Edge]]] = {start: [[]]}

    def paths_to(node: str) -> list[list[Edge]]:
        if node not in best:
            extended = (path + [edge] for edge in _surest_per_caller(entering[node])
                        for path in paths_to(edge.caller))
            best[node] = heapq.nsmallest(count, extended, key=_rank)
        return best[node]

    return paths_to(goal)


def _surest_per_caller(edges: list[Edge]) -> list[Edge]:
    """One edge from each caller: its surest call, the first in the file among equals. Two paths
    that differ only in which line makes a call are the same path to a reader."""
    best: dict[str, Edge] = {}
    for edge in sorted(edges, key=lambda e: (-e.confidence, e.path, e.line, e.col)):
        best.setdefault(edge.caller, edge)
    return list(best.values())


def _rank(path: list[Edge]) -> tuple[float, tuple[str, ...]]:
    """Surest first (the product of confidences), then by the symbols passed, for a stable order."""
    return -math.prod(edge.confidence for edge in path), tuple(edge.callee for edge in path)


def _ends_like(symbol: str, name: str) -> bool:
    """Whether `name` is a short form of `symbol`: a trailing part of it that starts at a
    package path element (`scheduler.New`), or, for methods, `scheduler.(*Scheduler).Run` for
    `(*k8s.io/kubernetes/pkg/scheduler.Scheduler).Run`."""
    if ".(" in name and not name.startswith("("):
        package, _, method = name.partition(".(")
        pointer = method.startswith("*")
        receiver = "(*" if pointer else "("
        name = method[1:] if pointer else method
        if not symbol.startswith(receiver):
            return False
        symbol, name = symbol[len(receiver):], f"{package}.{name}"
    elif name.startswith("("):  # `(*Scheduler).Run`: the receiver's type without its package
        receiver = _receiver(name)
        if _receiver(symbol) != receiver:
            return False
        symbol, name = symbol[len(receiver):], name[len(receiver):]
    if not symbol.endswith(name):
        return False
    return len(symbol) == len(name) or symbol[-len(name) - 1] in "/.(*"


# The module paths under which each repository's own code lies (Kubernetes' staging modules
# are k8s.io/*): a name under another repository's is not one this repository defines.
OWN_MODULES = {"kubernetes": ("k8s.io/",), "etcd": ("go.etcd.io/etcd/",)}

# A name's leading package qualifier, in `klog.InfoS`, `(klog.Verbose).InfoS` or `(*x.T).M`.
_QUALIFIER = re.compile(r"(?P<opening>\(\*?)?(?P<qualifier>\w+)\.(?=[\w(])")
# Type parameters or arguments (`List[T]`, `Map[K, V]`, the runtime's `F[...]`): go/ssa's names
# of generic functions hold none in the index.
_TYPE_BRACKETS = re.compile(r"(?<=[\w)])\[[^\[\]]*\]")


def _by_package_name(name: str, packages: Iterable[str]) -> list[str]:
    """`name` with its leading package qualifier, when that is the name of one of `packages`
    but not the last element of its import path (k8s.io/klog/v2 is package klog, gopkg.in/yaml.v2
    is package yaml), written as each such import path."""
    found = _QUALIFIER.match(name)
    if not found:
        return []
    opening, qualifier = found["opening"] or "", found["qualifier"]
    major = re.compile(rf"(?:^|.*/){re.escape(qualifier)}(?:/v\d+|\.v\d+)")
    return [f"{opening}{package}.{name[found.end():]}" for package in packages
            if major.fullmatch(package)]


# The arguments a stack trace prints after a frame's function: a list in parentheses right after
# its name's last word or type brackets, at the end.
_FRAME_ARGUMENTS = re.compile(r"(?<=[\w\]])\([^()]*\)$")


def go_spellings(name: str) -> list[str]:
    """The go/ssa names `name` may be written for, as Go programmers and Go's tools spell them:
    with type parameters (`(*atomic.Pointer[T]).Load`); a stack trace's closures, init functions
    and package-level closures (`F.func1.2` is `F$1$2`, `init.0` is `init#1`, `glob..func1` is
    `init$1`); a method as `T.M`, as a method value or the runtime writes it, whatever its
    receiver (`scheduler.Scheduler.scheduleOne` for `scheduler.(*Scheduler).scheduleOne`), and
    a value-receiver method through a pointer (`(*T).M`); a vendored package by its folder; a
    stack trace's frame line, its arguments after the name (`sync.(*Mutex).Lock(0xc000010000)`,
    `main.run(...)`, `F()`)."""
    spelled = _FRAME_ARGUMENTS.sub("", name)
    while _TYPE_BRACKETS.search(spelled):
        spelled = _TYPE_BRACKETS.sub("", spelled)
    # A vendored package by the path a GOPATH build gave it (k8s.io/kubernetes/vendor/k8s.io/
    # klog.InfoS in an old stack trace) or its folder (vendor/k8s.io/klog/v2): by its import path.
    spelled = re.sub(r"^(\(\*?)?(?:[^()]*/)?vendor/", r"\1", spelled)
    spelled = re.sub(r"\.glob\.\.func(\d+)", r".init$\1", spelled)
    spelled = re.sub(r"\.func(\d+)", r"$\1", spelled)
    while re.search(r"\$\d+\.\d+", spelled):
        spelled = re.sub(r"(\$\d+)\.(\d+)", r"\1$\2", spelled)
    spelled = re.sub(r"(^|\.)init\.(\d+)$", lambda m: f"{m[1]}init#{int(m[2]) + 1}", spelled)
    spellings = [spelled] if spelled != name else []
    if spelled.startswith("(*") or ".(*" in spelled:
        # A method expression through a pointer names value-receiver methods too (`(*T).M`
        # for `(T).M`): the method set of *T holds them.
        spellings.append(spelled.replace("(*", "(", 1))
    # `T.M`: the last two dotted words of a name with no receiver in parentheses.
    base, suffix = re.match(r"(.*?)([$#].*)?$", spelled).groups()
    head, _, method = base.rpartition(".")
    package, dot, typ = head.rpartition(".")
    if "(" not in base and re.fullmatch(r"\w+", typ or "-") and re.fullmatch(r"\w+", method):
        for opening in ("(*", "("):
            spellings.append(f"{package}{dot}{opening}{typ}).{method}{suffix or ''}")
    return spellings


def _receiver(name: str) -> str:
    """How a method's go/ssa name opens: `(*` for a pointer receiver, `(` for a value one."""
    return "(*" if name.startswith("(*") else "(" if name.startswith("(") else ""
