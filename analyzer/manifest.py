"""The component manifest: what each core component does and the code that proves it.

`components.toml` (packaged beside this module) names, for each of the six components, its
entry points, its main loop, its key files and its capabilities, each capability with the go/ssa
symbols that carry it out. This module reads that file into frozen dataclasses and rejects a
malformed one with a `ManifestError` that names the component and the field; it knows nothing
about any index (the drift check does that).

A symbol or a file may be written as a plain string or as a table with `alternatives`: the
names or paths the same code has in another era (`pkg/master/master.go` before 1.20,
`pkg/controlplane/instance.go` after).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError
from analyzer.workspace import REPOS

DEFAULT_MANIFEST = "components.toml"


class ManifestError(AnalyzerError):
    """The manifest cannot be read or breaks its schema; says which component and field.

    Its exit code is that of a usage mistake, so that the drift check's own non-zero exit (an
    entry found nowhere) stays distinguishable from a manifest it could not read."""

    exit_code = 2

    def __init__(self, path: str, reason: str, component: str | None = None,
                 field: str | None = None):
        self.path, self.reason, self.component, self.field = path, reason, component, field
        where = ": ".join(part for part in (path, component, field) if part)
        super().__init__(f"manifest {where}: {reason}")


@dataclass(frozen=True, slots=True)
class SymbolRef:
    """A go/ssa symbol name, with the names the same code has in other eras."""

    name: str
    alternatives: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alternatives)


@dataclass(frozen=True, slots=True)
class KeyFile:
    """A repository-relative path (a directory when it ends in "/"), with its other-era paths."""

    path: str
    alternatives: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path, *self.alternatives)

    @property
    def is_dir(self) -> bool:
        return self.path.endswith("/")


@dataclass(frozen=True, slots=True)
class Capability:
    name: str
    zh: str
    claim: str
    claim_zh: str  # the claim in Chinese, for the site's Chinese pages
    evidence: tuple[SymbolRef, ...]


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    zh: str
    repo: str  # "kubernetes" or "etcd"
    logic: str
    logic_zh: str  # the logic paragraph in Chinese
    entrypoints: tuple[SymbolRef, ...]
    main_loop: SymbolRef
    key_files: tuple[KeyFile, ...]
    capabilities: tuple[Capability, ...]

    @property
    def symbols(self) -> tuple[SymbolRef, ...]:
        """Every symbol the component names: entry points, main loop, then evidence."""
        evidence = tuple(ref for capability in self.capabilities for ref in capability.evidence)
        return (*self.entrypoints, self.main_loop, *evidence)


def load_manifest(path: str | Path | None = None) -> tuple[Component, ...]:
    """The components of a manifest file; by default the packaged `components.toml`."""
    if path is None:
        source = resources.files("analyzer") / DEFAULT_MANIFEST
        shown = f"analyzer/{DEFAULT_MANIFEST}"
    else:
        source = Path(path)
        shown = str(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as err:
        raise ManifestError(shown, f"cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise ManifestError(shown, "is not UTF-8") from None
    return parse_manifest(text, shown)


def parse_manifest(text: str, path: str = "<string>") -> tuple[Component, ...]:
    """The components described by manifest text; `path` only labels errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(path, f"not valid TOML: {err}") from None
    _no_unknown_keys(data, {"component"}, _Where(path))
    tables = data.get("component")
    if not isinstance(tables, list) or not tables:
        raise ManifestError(path, "needs at least one [[component]] table", field="component")
    components = []
    seen: set[str] = set()
    for position, table in enumerate(tables):
        component = _component(table, _Where(path, f"component[{position}]"))
        if component.name in seen:
            raise ManifestError(path, "appears twice", component.name, "name")
        seen.add(component.name)
        components.append(component)
    return tuple(components)


class _Where:
    """Which component (and which field of it) a check is about, for the error it may raise."""

    def __init__(self, path: str, component: str | None = None):
        self.path, self.component = path, component

    def error(self, field: str | None, reason: str) -> ManifestError:
        return ManifestError(self.path, reason, self.component, field)


_COMPONENT_KEYS = {"name", "zh", "repo", "logic", "logic_zh", "entrypoints", "main_loop", "key_files",
                   "capabilities"}
_CAPABILITY_KEYS = {"name", "zh", "claim", "claim_zh", "evidence"}


def _component(table: Any, where: _Where) -> Component:
    if not isinstance(table, dict):
        raise where.error(None, "must be a table")
    if isinstance(table.get("name"), str) and table["name"].strip():
        where.component = table["name"].strip()  # name the component, not its position
    _no_unknown_keys(table, _COMPONENT_KEYS, where)
    name = _text(table, "name", where)
    repo = _text(table, "repo", where)
    if repo not in REPOS:
        raise where.error("repo", f"must be one of {', '.join(REPOS)}, not {repo!r}")
    capabilities = _list(table, "capabilities", where)
    names: set[str] = set()
    parsed = []
    for position, entry in enumerate(capabilities):
        capability = _capability(entry, f"capabilities[{position}]", where)
        if capability.name in names:
            raise where.error(f"capabilities[{position}].name",
                              f"capability {capability.name!r} appears twice")
        names.add(capability.name)
        parsed.append(capability)
    return Component(
        name=name,
        zh=_text(table, "zh", where),
        repo=repo,
        logic=_text(table, "logic", where),
        logic_zh=_text(table, "logic_zh", where),
        entrypoints=tuple(_symbol(entry, f"entrypoints[{i}]", where)
                          for i, entry in enumerate(_list(table, "entrypoints", where))),
        main_loop=_symbol(_required(table, "main_loop", where), "main_loop", where),
        key_files=tuple(_key_file(entry, f"key_files[{i}]", where)
                        for i, entry in enumerate(_list(table, "key_files", where))),
        capabilities=tuple(parsed),
    )


def _capability(table: Any, field: str, where: _Where) -> Capability:
    if not isinstance(table, dict):
        raise where.error(field, "must be a table with name, zh, claim, claim_zh and evidence")
    _no_unknown_keys(table, _CAPABILITY_KEYS, where, field)
    return Capability(
        name=_text(table, "name", where, field),
        zh=_text(table, "zh", where, field),
        claim=_text(table, "claim", where, field),
        claim_zh=_text(table, "claim_zh", where, field),
        evidence=tuple(_symbol(entry, f"{field}.evidence[{i}]", where)
                       for i, entry in enumerate(_list(table, "evidence", where, field))),
    )


def _symbol(value: Any, field: str, where: _Where) -> SymbolRef:
    name, alternatives = _entry(value, "symbol", field, where)
    for candidate, label in [(name, field), *((a, f"{field}.alternatives") for a in alternatives)]:
        if any(c.isspace() for c in candidate) or "." not in candidate:
            raise where.error(label, f"{candidate!r} is not a go/ssa symbol name "
                              "(like k8s.io/kubernetes/cmd/kube-scheduler.main)")
    return SymbolRef(name, alternatives)


def _key_file(value: Any, field: str, where: _Where) -> KeyFile:
    path, alternatives = _entry(value, "path", field, where)
    for candidate, label in [(path, field), *((a, f"{field}.alternatives") for a in alternatives)]:
        parts = candidate.rstrip("/").split("/")
        if candidate.startswith("/") or "\\" in candidate or ".." in parts or "" in parts:
            raise where.error(label, f"{candidate!r} is not a path relative to the repository root")
    return KeyFile(path, alternatives)


def _entry(value: Any, key: str, field: str, where: _Where) -> tuple[str, tuple[str, ...]]:
    """A plain string, or a table {key = "...", alternatives = ["...", ...]}."""
    if isinstance(value, str):
        if not value.strip():
            raise where.error(field, "must not be empty")
        return value.strip(), ()
    if not isinstance(value, dict):
        raise where.error(field, f"must be a string or a table "
                          f"{{{key} = ..., alternatives = [...]}}")
    _no_unknown_keys(value, {key, "alternatives"}, where, field)
    main = _text(value, key, where, field)
    alternatives = value.get("alternatives", [])
    if not isinstance(alternatives, list) or not all(
            isinstance(a, str) and a.strip() for a in alternatives):
        raise where.error(f"{field}.alternatives", "must be a list of non-empty strings")
    return main, tuple(a.strip() for a in alternatives)


def _required(table: dict, key: str, where: _Where, parent: str | None = None) -> Any:
    if key not in table:
        raise where.error(_join(parent, key), "is required")
    return table[key]


def _text(table: dict, key: str, where: _Where, parent: str | None = None) -> str:
    value = _required(table, key, where, parent)
    if not isinstance(value, str) or not value.strip():
        raise where.error(_join(parent, key), "must be a non-empty string")
    return value.strip()


def _list(table: dict, key: str, where: _Where, parent: str | None = None) -> list:
    value = _required(table, key, where, parent)
    if not isinstance(value, list) or not value:
        raise where.error(_join(parent, key), "must be a non-empty list")
    return value


def _no_unknown_keys(table: dict, known: set[str], where: _Where,
                     parent: str | None = None) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise where.error(_join(parent, unknown[0]),
                          f"unknown field (expected one of {', '.join(sorted(known))})")


def _join(parent: str | None, key: str) -> str:
    return f"{parent}.{key}" if parent else key
