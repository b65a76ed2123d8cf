"""Who owns which field after a write, as sigs.k8s.io/structured-merge-diff/v4/merge.Updater decides.

An update (any write but apply) gives its manager every field it added or changed and takes them
from every other manager; a field it removed is nobody's any more. An apply merges the applied
configuration into the live object, gives its manager exactly the fields it applied, removes the
fields it applied last time but no longer does (unless someone else owns them), and fails with
`Conflicts` when it would change a field another manager owns, unless forced.

Managers are keyed by their identifier (see `managedfields.build_manager_identifier`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reference_impl.apiserver.fieldmanager import typed
from reference_impl.apiserver.fieldmanager.fieldpath import Path, PathElement
from reference_impl.apiserver.fieldmanager.typed import Comparison, Schema, recursive_difference
from reference_impl.mirrors import mirrors


@dataclass(frozen=True)
class VersionedSet:
    """fieldpath.VersionedSet: the fields one manager owns, in the apiVersion it wrote them, and
    whether it applied them."""

    paths: frozenset
    api_version: str
    applied: bool = False


ManagedFields = dict  # manager identifier -> VersionedSet


@dataclass(frozen=True)
class Conflict:
    manager: str
    path: Path


class Conflicts(Exception):
    """merge.Conflicts: the fields an apply would change that other managers own."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__(f"{len(conflicts)} conflicts")
        self.conflicts = conflicts


@mirrors("(*sigs.k8s.io/structured-merge-diff/v4/fieldpath.Set).Iterate")
def iterate(paths: frozenset) -> list[Path]:
    """Set.Iterate's order (at each level its members, sorted, then its children's subtrees), with
    each path as a caller that keeps it uncopied reads it once the walk is over. Go builds every
    path by `append(prefix, element)`, which writes into the prefix's array while it has room: a
    member kept before a sibling's subtree is walked ends with that sibling's name instead
    (ConflictsFromManagers keeps them so, and the real server prints them so)."""
    kept: list[tuple[list, int]] = []

    def append(prefix: tuple[list, int], element: PathElement) -> tuple[list, int]:
        array, length = prefix
        if length == len(array):  # full: growslice copies into one twice as large
            array = array + [None] * max(1, length)
        array[length] = element
        return array, length + 1

    def walk(prefix: tuple[list, int], below: list[Path]) -> None:
        depth = prefix[1]
        members = sorted((p[-1] for p in below if len(p) == depth + 1), key=PathElement.sort_key)
        children = sorted({p[depth] for p in below if len(p) > depth + 1}, key=PathElement.sort_key)
        kept.extend(append(prefix, member) for member in members)
        for child in children:
            walk(append(prefix, child), [p for p in below if len(p) > depth + 1 and p[depth] == child])

    walk(([], 0), [p for p in paths if p])
    return [tuple(array[:length]) for array, length in kept]


@mirrors("sigs.k8s.io/structured-merge-diff/v4/merge.ConflictsFromManagers")
def conflicts_from_managers(sets: dict[str, frozenset]) -> Conflicts:
    return Conflicts([Conflict(manager, path) for manager in sorted(sets) for path in iterate(sets[manager])])


@dataclass(frozen=True)
class Updater:
    """merge.Updater for one kind: its schema, and the fields its strategy resets (IgnoredFields)."""

    schema: Schema
    ignored: frozenset = frozenset()

    @mirrors("(*sigs.k8s.io/structured-merge-diff/v4/merge.Updater).update")
    def _update(self, live: Any, new: Any, api_version: str, managers: ManagedFields, workflow: str,
                force: bool) -> tuple[ManagedFields, Comparison]:
        # Compare's FilterFields upstream: the ignored fields are skipped by the compare itself.
        comparison = typed.compare(live, new, self.schema, self.ignored)
        changed = frozenset(comparison.modified | comparison.added)
        conflicts, removed = {}, frozenset(comparison.removed)
        managers = dict(managers)
        for manager, owned in managers.items():
            if manager != workflow and owned.paths & changed:
                conflicts[manager] = owned.paths & changed
        if conflicts and not force:
            raise conflicts_from_managers(conflicts)
        for manager, owned in list(managers.items()):
            if manager == workflow:
                continue
            paths = owned.paths - conflicts.get(manager, frozenset()) - removed
            if paths:
                managers[manager] = VersionedSet(paths, owned.api_version, owned.applied)
            else:
                del managers[manager]
        return managers, comparison

    @mirrors("(*sigs.k8s.io/structured-merge-diff/v4/merge.Updater).Update")
    def update(self, live: Any, new: Any, api_version: str, managers: ManagedFields,
               manager: str) -> ManagedFields:
        managers, comparison = self._update(live, new, api_version, managers, manager, force=True)
        previous = managers.get(manager, VersionedSet(frozenset(), api_version)).paths
        paths = frozenset(recursive_difference(
            (previous | comparison.modified | comparison.added) - comparison.removed, self.ignored))
        managers.pop(manager, None)
        if paths:
            managers[manager] = VersionedSet(paths, api_version, False)
        return managers

    @mirrors("(*sigs.k8s.io/structured-merge-diff/v4/merge.Updater).Apply")
    def apply(self, live: Any, config: Any, api_version: str, managers: ManagedFields, manager: str,
              force: bool) -> tuple[Any, ManagedFields]:
        """The merged object (None when the apply changes nothing) and the new managers."""
        applied = frozenset(recursive_difference(typed.to_field_set(config, self.schema), self.ignored))
        merged = typed.merge(live, config, self.schema)
        last = managers.get(manager)
        managers = {**managers, manager: VersionedSet(applied, api_version, True)}
        if last is not None:
            merged = self._prune(merged, managers, last.paths)
        managers, comparison = self._update(live, merged, api_version, managers, manager, force)
        return (None if comparison.is_same() else merged), managers

    @mirrors("(*sigs.k8s.io/structured-merge-diff/v4/merge.Updater).prune",
             "(*sigs.k8s.io/structured-merge-diff/v4/merge.Updater).addBackOwnedItems")
    def _prune(self, merged: Any, managers: ManagedFields, last: frozenset) -> Any:
        """Remove what the manager applied last time and no manager owns now, and the maps left
        empty above it that nobody owns either."""
        owned = frozenset().union(*(owner.paths for owner in managers.values()))
        owned_prefixes = {path[:i] for path in owned for i in range(len(path) + 1)}
        doomed = {path for path in last if path not in owned_prefixes}
        merged = typed.remove_items(merged, frozenset(doomed), self.schema)
        emptied = {path[:i] for path in doomed for i in range(1, len(path))} - owned_prefixes
        while True:
            empty = frozenset(path for path in emptied if _lookup(merged, path) == {})
            if not empty:
                return merged
            merged = typed.remove_items(merged, empty, self.schema)
            emptied -= empty


def _lookup(value: Any, path: Path) -> Any:
    """The value at a path of field names, None when it is not there or passes through a list."""
    for element in path:
        if element.kind != "f" or not isinstance(value, dict):
            return None
        value = value.get(element.value)
    return value
