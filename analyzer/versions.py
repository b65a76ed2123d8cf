"""What changed in a component's call tree between two analysed commits.

A call tree is reduced to the functions it reaches, each with the file that defines it. Two such
sets are compared by name, by these rules, in this order:

- *moved*: the same go/ssa name defined in another file; or a function that left the tree and one
  that joined it with the same local name (`(*genericScheduler).Schedule`, the import path left
  out), when that local name is unique on both sides: the function went to another package;
- *renamed*: of what is left, a function that left and one that joined in the same package or the
  same file, their local names at least RENAME_RATIO alike (difflib), closest pairs first;
- *added* and *removed*: everything else that joined or left the tree.

Comparing names and files rather than bodies keeps this cheap and explainable: every line of a
version page says which rule put it there.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer.query import Filters, GraphIndex, QueryError, package_of

RENAME_RATIO = 0.8
_NEVER_MOVED = re.compile(r"main|init(#[0-9]+)?")  # every program and package has its own


@dataclass(frozen=True)
class Function:
    name: str  # go/ssa name
    path: str  # defining file; "" when the commit does not define it (an interface method, say)


@dataclass(frozen=True)
class Moved:
    old: Function
    new: Function  # the same name in another file, or the same local name in another package


@dataclass(frozen=True)
class Renamed:
    old: Function
    new: Function
    ratio: float


@dataclass(frozen=True)
class TreeDiff:
    added: tuple[Function, ...]  # each list in file order, then by name
    removed: tuple[Function, ...]
    moved: tuple[Moved, ...]
    renamed: tuple[Renamed, ...]


def reachable(index: GraphIndex, roots: Iterable[str], depth: int, filters: Filters) -> dict[str, str]:
    """Every function the call trees of `roots` reach within `depth` calls, roots included, mapped
    to its defining file. A root this commit does not have is skipped."""
    found: dict[str, str] = {}
    for root in roots:
        try:
            tree = index.tree(root, "callees", depth, filters)
        except QueryError:
            continue
        for name in [tree.root, *(edge.callee for edge in tree.edges)]:
            if name not in found:
                found[name] = index.path_of(name)
    return found


def local_name(symbol: str) -> str:
    """The name without its import path: `(*k8s.io/x/pkg.T).M` → `(*T).M`, `k8s.io/x/pkg.F` → `F`."""
    package = package_of(symbol)
    return symbol.replace(package + ".", "", 1)


def diff(old: Mapping[str, str], new: Mapping[str, str], ratio: float = RENAME_RATIO) -> TreeDiff:
    """Compare two {function: defining file} maps."""
    removed = [Function(name, old[name]) for name in old.keys() - new.keys()]
    added = [Function(name, new[name]) for name in new.keys() - old.keys()]
    moved = [Moved(Function(name, old[name]), Function(name, new[name]))
             for name in old.keys() & new.keys() if old[name] and new[name] and old[name] != new[name]]
    moved += _package_moves(removed, added)
    renamed = _pair_renames(_unpaired(removed, moved), _unpaired(added, moved), ratio)
    paired = {f for pair in [*moved, *renamed] for f in (pair.old, pair.new)}
    return TreeDiff(added=_in_file_order(f for f in added if f not in paired),
                    removed=_in_file_order(f for f in removed if f not in paired),
                    moved=tuple(sorted(moved, key=lambda m: _file_order(m.new))),
                    renamed=tuple(sorted(renamed, key=lambda r: _file_order(r.new))))


def _package_moves(removed: list[Function], added: list[Function]) -> list[Moved]:
    """Pairs of a removed and an added function defined in the commits, whose local name no other
    removed or added function has."""
    def unique(functions: list[Function]) -> dict[str, Function]:
        defined = [f for f in functions if f.path and not _NEVER_MOVED.fullmatch(local_name(f.name))]
        counts = Counter(local_name(f.name) for f in defined)
        return {local_name(f.name): f for f in defined if counts[local_name(f.name)] == 1}

    before, after = unique(removed), unique(added)
    return [Moved(before[name], after[name]) for name in before.keys() & after.keys()]


def _unpaired(functions: list[Function], moved: list[Moved]) -> list[Function]:
    taken = {f for move in moved for f in (move.old, move.new)}
    return sorted((f for f in functions if f not in taken), key=_file_order)


def _pair_renames(removed: list[Function], added: list[Function], ratio: float) -> list[Renamed]:
    """Best-scoring pairs first, each function in at most one pair; ties broken by name so the
    outcome does not depend on set order."""
    candidates = []
    for old in removed:
        for new in added:
            if not _neighbours(old, new):
                continue
            score = difflib.SequenceMatcher(None, local_name(old.name), local_name(new.name)).ratio()
            if score >= ratio:
                candidates.append((-score, old.name, new.name, old, new))
    candidates.sort(key=lambda c: c[:3])
    pairs, used = [], set()
    for negative_score, _, _, old, new in candidates:
        if old not in used and new not in used:
            used.update((old, new))
            pairs.append(Renamed(old, new, round(-negative_score, 2)))
    return pairs


def _neighbours(old: Function, new: Function) -> bool:
    """Same package, or same defining file."""
    return package_of(old.name) == package_of(new.name) or bool(old.path and old.path == new.path)


def _file_order(function: Function) -> tuple[bool, str, str]:
    """Defined functions by file, then the rest; by name within."""
    return not function.path, function.path, function.name


def _in_file_order(functions: Iterable[Function]) -> tuple[Function, ...]:
    return tuple(sorted(functions, key=_file_order))
