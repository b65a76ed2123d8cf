"""The drift check: does the code the component manifest names still exist in each analysed tree?

For every complete commit of a component's repository in the index (kubernetes 1.19 and 1.24,
say), each entry point, key file, main loop and evidence symbol of the manifest is

- `found`: exactly as written;
- `moved`: not under its own name, but under one of its listed alternatives; or, failing that,
  a symbol with the same short name (`(*Type).Method`, `Func`) in a related package, or a file
  of the same name in a related directory. Related means of the same name (`go.etcd.io/etcd/mvcc`
  and `go.etcd.io/etcd/server/v3/mvcc`) or one inside the other (`pkg/scheduler/core` and
  `pkg/scheduler`); a mere namesake elsewhere is not taken for the same code, so that a guess
  never hides a real loss;
- `missing`: nowhere.

The answer comes from the index alone (the files table for paths, the symbols and names tables
for symbols); nothing is parsed again, and each commit's names are loaded once.
"""
from __future__ import annotations

import bisect
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from analyzer import store
from analyzer.manifest import Component, KeyFile, SymbolRef

FOUND, MOVED, MISSING = "found", "moved", "missing"
FILE, SYMBOL, ENTRYPOINT = "file", "symbol", "entrypoint"
MAIN_LOOP = "main loop"  # the role of a component's main-loop symbol


@dataclass(frozen=True, slots=True)
class DriftRow:
    component: str
    kind: str  # FILE, SYMBOL or ENTRYPOINT
    item: str  # the symbol name or path as the manifest writes it
    ref: str  # the analysed commit, as it was fetched
    sha: str
    status: str  # FOUND, MOVED or MISSING
    where: str = ""  # found: "path:line" of a symbol, the path of a file; moved: what matched
    role: str = ""  # MAIN_LOOP, or the capability an evidence symbol supports
    repo: str = ""


def analysed_commits(db: sqlite3.Connection) -> dict[str, list[store.CommitRecord]]:
    """Complete commits by repository, one per SHA (its newest index), in index order."""
    newest = {(commit.repo, commit.sha): commit for commit in store.complete_commits(db)}
    by_repo: dict[str, list[store.CommitRecord]] = {}
    for commit in sorted(newest.values(), key=lambda c: c.id):
        by_repo.setdefault(commit.repo, []).append(commit)
    return by_repo


def not_indexed(db: sqlite3.Connection, manifest: Iterable[Component]) -> list[str]:
    """Components whose repository has no complete commit in the index (and so no rows)."""
    commits = analysed_commits(db)
    return [component.name for component in manifest if component.repo not in commits]


def check(db: sqlite3.Connection, manifest: Iterable[Component]) -> list[DriftRow]:
    """One row per manifest item and analysed commit of the item's repository."""
    commits = analysed_commits(db)
    trees: dict[int, _Tree] = {}
    rows: list[DriftRow] = []
    for component in manifest:
        for commit in commits.get(component.repo, ()):
            if commit.id not in trees:
                trees[commit.id] = _Tree(db, commit.id)
        analysed = [(commit, trees[commit.id]) for commit in commits.get(component.repo, ())]
        for kind, role, entry in _items(component):
            for commit, tree in analysed:
                if kind == FILE:
                    status, where = tree.resolve_file(entry)
                    item = entry.path
                else:
                    status, where = tree.resolve_symbol(entry)
                    item = entry.name
                rows.append(DriftRow(component.name, kind, item, commit.ref, commit.sha, status,
                                     where, role, component.repo))
    return rows


def has_missing(rows: Iterable[DriftRow]) -> bool:
    """Whether some item resolves nowhere in some analysed commit (the CLI then exits non-zero)."""
    return any(row.status == MISSING for row in rows)


def as_json(rows: Iterable[DriftRow]) -> str:
    return json.dumps([asdict(row) for row in rows], indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class Table:
    """One component's rows regrouped: a line per (kind, role, item), a column per (ref, sha)."""

    component: str
    repo: str
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str, str], dict[tuple[str, str], DriftRow]]


def tables(rows: Sequence[DriftRow]) -> list[Table]:
    out = []
    for component in dict.fromkeys(row.component for row in rows):
        own = [row for row in rows if row.component == component]
        cells: dict[tuple[str, str, str], dict[tuple[str, str], DriftRow]] = {}
        for row in own:
            cells.setdefault((row.kind, row.role, row.item), {})[row.ref, row.sha] = row
        out.append(Table(component, own[0].repo, list(dict.fromkeys((row.ref, row.sha) for row in own)), cells))
    return out


def counts(rows: Sequence[DriftRow]) -> dict[str, int]:
    return {status: sum(row.status == status for row in rows) for status in (FOUND, MOVED, MISSING)}


def render(rows: Sequence[DriftRow]) -> str:
    """A text table per component: one line per item, one column per analysed commit; what a
    moved item was found as is listed under the table."""
    blocks = []
    for table in tables(rows):
        component, columns, cells = table.component, table.columns, table.cells
        label_width = max(len(_label(kind, role)) for kind, role, _ in cells)
        item_width = max(len(item) for _, _, item in cells)
        headers = [_short(ref, sha) for ref, sha in columns]
        widths = [max(len(header), len("moved [99]")) for header in headers]
        lines = [f"{component} [{table.repo}]".ljust(2 + label_width + 2 + item_width) + "  "
                 + "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
        notes: list[str] = []
        for (kind, role, item), by_commit in cells.items():
            shown = []
            for column, width in zip(columns, widths):
                row = by_commit.get(column)
                if row is None:
                    text = ""
                elif row.status == MOVED:
                    notes.append(f"  [{len(notes) + 1}] {_short(*column)}: {item}\n"
                                 f"      → {row.where}")
                    text = f"moved [{len(notes)}]"
                else:
                    text = row.status.upper() if row.status == MISSING else row.status
                shown.append(text.ljust(width))
            lines.append(f"  {_label(kind, role).ljust(label_width)}  {item.ljust(item_width)}  "
                         + "  ".join(shown).rstrip())
        blocks.append("\n".join(lines + notes))
    if not blocks:
        return "nothing to check: no component's repository is indexed"
    summary = ", ".join(f"{count} {status}" for status, count in counts(rows).items())
    return "\n\n".join(blocks) + f"\n\n{len(rows)} checks: {summary}"


def _label(kind: str, role: str) -> str:
    if role == MAIN_LOOP:
        return MAIN_LOOP
    return f"{kind}: {role}" if role else kind


def _short(ref: str, sha: str) -> str:
    return ref if sha.startswith(ref) or ref == sha else f"{ref} ({sha[:8]})"


def _items(component: Component) -> list[tuple[str, str, SymbolRef | KeyFile]]:
    """The component's items in reading order: (kind, role, entry)."""
    items: list[tuple[str, str, SymbolRef | KeyFile]] = []
    items += [(ENTRYPOINT, "", ref) for ref in component.entrypoints]
    items += [(FILE, "", key_file) for key_file in component.key_files]
    items.append((SYMBOL, MAIN_LOOP, component.main_loop))
    for capability in component.capabilities:
        items += [(SYMBOL, capability.name, ref) for ref in capability.evidence]
    return items


class _Tree:
    """One analysed commit's file paths and symbol names, loaded once; look-ups by short name
    and by file name are built the first time something is not found."""

    def __init__(self, db: sqlite3.Connection, commit_id: int):
        self.paths = sorted(path for (path,) in db.execute(
            "SELECT path FROM files WHERE commit_id = ?", (commit_id,)))
        self._path_set = set(self.paths)
        self.symbols: dict[str, str] = {}  # name → "path:line" of its first definition
        for name, path, line in db.execute(
                "SELECT n.name, p.name, s.line FROM symbols s JOIN names n ON n.id = s.name "
                "JOIN names p ON p.id = s.path WHERE s.commit_id = ? ORDER BY p.name, s.line",
                (commit_id,)):
            self.symbols.setdefault(name, f"{path}:{line}")
        self._by_short: dict[str, list[str]] | None = None
        self._by_basename: dict[str, list[str]] | None = None

    # Symbols

    def resolve_symbol(self, ref: SymbolRef) -> tuple[str, str]:
        if ref.name in self.symbols:
            return FOUND, self.symbols[ref.name]
        for alternative in ref.alternatives:
            if alternative in self.symbols:
                return MOVED, f"{alternative} ({self.symbols[alternative]})"
        candidates = self._same_short_name(ref)
        if candidates:
            best = candidates[0]
            more = f" and {len(candidates) - 1} more" if len(candidates) > 1 else ""
            return MOVED, f"{best} ({self.symbols[best]}){more}"
        return MISSING, ""

    def _same_short_name(self, ref: SymbolRef) -> list[str]:
        if self._by_short is None:
            self._by_short = {}
            for name in self.symbols:
                key = _short_key(name)
                if key:
                    self._by_short.setdefault(key[1], []).append(name)
        written = [key for key in map(_short_key, ref.names) if key]
        candidates = {other for package, short in written
                      for other in self._by_short.get(short, ())
                      if _related(package, _split_symbol(other)[0], _package_name)}
        package = _split_symbol(ref.name)[0]
        return sorted(candidates - set(ref.names),
                      key=lambda other: (_unlikeness(package, _split_symbol(other)[0]), other))

    # Files

    def resolve_file(self, key_file: KeyFile) -> tuple[str, str]:
        for position, path in enumerate(key_file.paths):
            where = self._directory(path) if key_file.is_dir else (
                path if path in self._path_set else "")
            if where:
                return (FOUND if position == 0 else MOVED), where
        if key_file.is_dir:
            return MISSING, ""
        candidates = self._same_file_name(key_file)
        if candidates:
            more = f" and {len(candidates) - 1} more" if len(candidates) > 1 else ""
            return MOVED, candidates[0] + more
        return MISSING, ""

    def _directory(self, path: str) -> str:
        start = bisect.bisect_left(self.paths, path)
        end = bisect.bisect_left(self.paths, path[:-1] + chr(ord("/") + 1))
        return f"{path} ({end - start} Go files)" if end > start else ""

    def _same_file_name(self, key_file: KeyFile) -> list[str]:
        """Files of the same name in a related directory, most alike first."""
        if self._by_basename is None:
            self._by_basename = {}
            for path in self.paths:
                self._by_basename.setdefault(path.rpartition("/")[2], []).append(path)
        directory, _, basename = key_file.path.rpartition("/")
        candidates = [path for path in self._by_basename.get(basename, ())
                      if _related(directory, path.rpartition("/")[0], _package_name)]
        return sorted(candidates, key=lambda other: (
            _unlikeness(directory, other.rpartition("/")[0]), other.count("/"), other))


_MAJOR_VERSION = re.compile(r"v[0-9]+")
_NOT_MOVABLE = re.compile(r"(main|init(#[0-9]+)?)")  # a program's main is its package's


def _split_symbol(name: str) -> tuple[str, str]:
    """A go/ssa name → (import path, the rest): `(*k8s.io/x/pkg.T).M` → ("k8s.io/x/pkg",
    "(*T).M"), `k8s.io/x/pkg.F$1` → ("k8s.io/x/pkg", "F$1")."""
    if name.startswith("("):
        close = name.find(")")
        if close < 0:
            return "", name
        receiver, rest = name[1:close], name[close + 1:]
        star = "*" if receiver.startswith("*") else ""
        receiver = receiver.lstrip("*")
        base = receiver.split("[", 1)[0]  # a generic receiver's type arguments stay with the type
        package, _, type_name = base.rpartition(".")
        return package, f"({star}{type_name}{receiver[len(base):]}){rest}"
    head, slash, last = name.rpartition("/")
    package_tail, _, func = last.rpartition(".")
    return head + slash + package_tail, func


def _short_key(name: str) -> tuple[str, str] | None:
    """(import path, what the symbol is called apart from it): a method's `(Type).Method`,
    pointer or not, or a function's `Func`. None for a main or init, which no other package's
    can stand for."""
    package, rest = _split_symbol(name)
    if not package or _NOT_MOVABLE.fullmatch(rest):
        return None
    return package, rest.replace("(*", "(", 1)


def _related(a: str, b: str, name_of) -> bool:
    """Whether two slash-separated places (import paths, directories) could hold the same code
    after a move: the same name (`name_of` each), or one inside the other."""
    if a == b:
        return False
    left, right = a.split("/") if a else [], b.split("/") if b else []
    shorter = min(len(left), len(right))
    return left[:shorter] == right[:shorter] or (bool(a) and bool(b) and name_of(a) == name_of(b))


def _package_name(import_path: str) -> str:
    """The last element of an import path or directory that is not a major-version suffix
    (`server/v3` → `server`)."""
    elements = import_path.split("/")
    while len(elements) > 1 and _MAJOR_VERSION.fullmatch(elements[-1]):
        elements.pop()
    return elements[-1]


def _unlikeness(a: str, b: str) -> tuple[int, int]:
    """A sort key putting the paths most like `a` first: most leading elements in common, then
    most elements shared."""
    left, right = a.split("/"), b.split("/")
    common = 0
    for x, y in zip(left, right):
        if x != y:
            break
        common += 1
    return -common, -len(set(left) & set(right))
