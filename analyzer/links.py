"""Links from the reference implementations to the Go code they mirror, checked against the index.

Every reference function decorated `@mirrors("(*go.etcd.io/etcd/server/v3/mvcc.store).Range")`
names Go symbols in their go/ssa spelling. `reference_links` reads the decorators with `ast` from
the source files, never importing a reference module (importing one would run its imports, and
the site and `kubeatlas links` need only the names and where each function is written).
`check_links` looks each name up in the newest index of its repository, so a link that went stale
with a new analysed version, or never existed, shows.
"""
from __future__ import annotations

import ast
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from analyzer import store
from analyzer.errors import AnalyzerError
from analyzer.query import package_of

# etcd's own packages are in the etcd repository; everything else a reference names is in
# kubernetes, its own code or what it vendors (github.com/evanphx/json-patch, say).
ETCD_PREFIX = "go.etcd.io/etcd/"


class LinkError(AnalyzerError):
    """A @mirrors argument that is not a string the source spells out."""

    def __init__(self, path: Path, line: int):
        super().__init__(f"{path}:{line}: a @mirrors argument must be a string literal, or an "
                         f"f-string of module-level string constants")


@dataclass(frozen=True, slots=True, order=True)
class Link:
    python: str  # module.qualname of the reference function
    go_symbol: str
    path: str = field(default="", compare=False)  # its file, relative to the project root
    line: int = field(default=0, compare=False)  # first line (its first decorator) and last line
    end_line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class LinkRow:
    python: str
    go_symbol: str
    repo: str
    ref: str
    status: str  # "found", "missing", or "not indexed" (its repository is not in the index)


ROOT = Path(__file__).resolve().parent.parent  # the project: reference_impl/ is beside analyzer/


def reference_links(package: str = "reference_impl", root: Path = ROOT) -> list[Link]:
    """Every @mirrors link of the reference implementations, read from their source with `ast`."""
    links = []
    trees = {}
    for path in sorted((root / package.replace(".", "/")).rglob("*.py")):
        relative = path.relative_to(root)
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        trees[module] = (relative, ast.parse(path.read_text(encoding="utf-8"), str(relative)))
    resolved: dict[str, dict[str, str]] = {}
    for module, (relative, tree) in trees.items():
        constants = _module_constants(module, trees, resolved)
        for qualname, node in _functions(tree.body, ""):
            for symbol in _mirrored(node, constants, relative):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                links.append(Link(f"{module}.{qualname}", symbol, relative.as_posix(), first,
                                  node.end_lineno or node.lineno))
    return sorted(links)


def _functions(body: list[ast.stmt], prefix: str):
    """(qualname, node) of every function, method and class (a class may be decorated too), as
    Python's __qualname__ spells them."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node.body, f"{prefix}{node.name}.<locals>.")
        elif isinstance(node, ast.ClassDef):
            yield prefix + node.name, node
            yield from _functions(node.body, f"{prefix}{node.name}.")


def _module_constants(module: str, trees: dict, resolved: dict[str, dict[str, str]]) -> dict[str, str]:
    """A module's string constants, with those it imports by name from another module of the
    package (`from reference_impl.etcd.raft.messages import PKG`) resolved in that module."""
    if module not in resolved:
        resolved[module] = {}  # a cycle of imports sees what is known so far
        imported = {}
        for node in trees[module][1].body:
            if isinstance(node, ast.ImportFrom) and node.module in trees and node.level == 0:
                source = _module_constants(node.module, trees, resolved)
                imported.update({alias.asname or alias.name: source[alias.name]
                                 for alias in node.names if alias.name in source})
        resolved[module] = _string_constants(trees[module][1].body, imported)
    return resolved[module]


def _string_constants(body: list[ast.stmt], imported: dict[str, str] | None = None) -> dict[str, str]:
    """Module-level `NAME = "text"` (or an f-string of earlier such names, or of names imported from
    the package): the prefixes decorators spell symbols with, `f"(*{SERVER}.applierV3backend).Put"`."""
    constants: dict[str, str] = dict(imported or {})
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            value = _string(node.value, constants)
            if value is not None:
                constants[node.targets[0].id] = value
    return constants


def _string(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.FormattedValue) and node.conversion == -1 and node.format_spec is None:
        return _string(node.value, constants)
    if isinstance(node, ast.JoinedStr):
        parts = [_string(value, constants) for value in node.values]
        return None if None in parts else "".join(parts)
    return None


def _mirrored(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, constants: dict[str, str],
              path: Path) -> list[str]:
    """The Go symbols of the definition's `@mirrors(...)` decorators."""
    symbols = []
    for decorator in node.decorator_list:
        if not (isinstance(decorator, ast.Call)
                and getattr(decorator.func, "id", getattr(decorator.func, "attr", None)) == "mirrors"):
            continue
        for arg in decorator.args:
            symbol = _string(arg, constants)
            if symbol is None:
                raise LinkError(path, arg.lineno)
            symbols.append(symbol)
    return symbols


def repo_of(go_symbol: str) -> str:
    return "etcd" if package_of(go_symbol).startswith(ETCD_PREFIX) else "kubernetes"


def check_links(db: sqlite3.Connection, links: list[Link]) -> list[LinkRow]:
    latest = store.latest_commits(db)
    rows = []
    for link in links:
        repo = repo_of(link.go_symbol)
        commit = latest.get(repo)
        if commit is None:
            rows.append(LinkRow(link.python, link.go_symbol, repo, "", "not indexed"))
            continue
        found = db.execute(
            "SELECT 1 FROM symbols s JOIN names n ON n.id = s.name WHERE n.name = ? "
            "AND s.commit_id = ? LIMIT 1", (link.go_symbol, commit.id)).fetchone()
        rows.append(LinkRow(link.python, link.go_symbol, repo, commit.ref,
                            "found" if found else "missing"))
    return rows


def render(rows: list[LinkRow]) -> str:
    counts = {status: sum(r.status == status for r in rows) for status in ("found", "missing", "not indexed")}
    lines = [f"reference links: {len(rows)} @mirrors names, {counts['found']} found, "
             f"{counts['missing']} missing, {counts['not indexed']} in repositories not indexed"]
    lines.extend(f"  {r.status:<11} {r.go_symbol}  ← {r.python}" for r in rows if r.status != "found")
    return "\n".join(lines)
