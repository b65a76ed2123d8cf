"""Field paths and sets of them, as sigs.k8s.io/structured-merge-diff/v4/fieldpath writes them.

A path names one field of an object: a struct field or map key (`f:replicas`), a list item by its
keys (`k:{"name":"nginx"}`), a set item by its value (`v:"finalizer"`) or an atomic-less list item by
its index (`i:0`). A `Set` here is the frozenset of the paths it holds; `fieldsV1` nests them as a
tree in which `".": {}` marks a node that is itself a member beside its children.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, NamedTuple

from reference_impl.mirrors import mirrors


class FieldPathError(ValueError):
    """A fieldsV1 document that does not decode into a set of paths."""


class PathElement(NamedTuple):
    """One step of a path: `kind` is "f", "k", "v" or "i"; `value` the field name, the sorted
    ((key, JSON value), ...) pairs, the item's JSON text, or the index."""

    kind: str
    value: Any

    @classmethod
    def field(cls, name: str) -> "PathElement":
        return cls("f", name)

    @classmethod
    def key(cls, fields: dict) -> "PathElement":
        return cls("k", tuple(sorted((name, _json(value)) for name, value in fields.items())))

    @classmethod
    def of_value(cls, value: Any) -> "PathElement":
        return cls("v", _json(value))

    @mirrors("(sigs.k8s.io/structured-merge-diff/v4/fieldpath.PathElement).String")
    def __str__(self) -> str:
        if self.kind == "f":
            return "." + self.value
        if self.kind == "k":
            return "[" + ",".join(f"{name}={_to_string(json.loads(value))}" for name, value in self.value) + "]"
        if self.kind == "v":
            return f"[={_to_string(json.loads(self.value))}]"
        return f"[{self.value}]"

    def sort_key(self) -> tuple:
        """PathElement.Compare: field names, then keys, then values, then indices."""
        if self.kind == "k":
            return (1, tuple((name, _value_order(json.loads(value))) for name, value in self.value))
        if self.kind == "v":
            return (2, _value_order(json.loads(self.value)))
        return ({"f": 0, "i": 3}[self.kind], self.value)


Path = tuple[PathElement, ...]
Set = frozenset  # of Path


def path_string(path: Path) -> str:
    """fieldpath.Path.String: `.spec.containers[name="nginx"].image`."""
    return "".join(str(element) for element in path)


# json.dumps with these options builds an encoder per call; every list item's key is written so.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _json(value: Any) -> str:
    return _COMPACT.encode(value)


def _to_string(value: Any) -> str:
    """value.ToString: strings quoted as Go's %q, other scalars as they print."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _value_order(value: Any) -> tuple:
    """value.Compare's order: null, then numbers, strings, booleans, lists and maps by their text."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (3, value)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (4, _json(value))


@mirrors("(*sigs.k8s.io/structured-merge-diff/v4/fieldpath.Set).ToJSON")
def encode_fields_v1(paths: Iterable[Path]) -> dict:
    """The fieldsV1 tree of `paths`, its keys in PathElement order as upstream serializes them."""
    root: dict = {}
    members: set[Path] = set()
    for path in paths:
        members.add(path)
        node = root
        for element in path:
            node = node.setdefault(element, {})
    return _encode_node(root, (), members)


def _encode_node(node: dict, prefix: Path, members: set[Path]) -> dict:
    encoded: dict = {}
    if prefix and node and prefix in members:
        encoded["."] = {}
    for element in sorted(node, key=PathElement.sort_key):
        encoded[_serialize(element)] = _encode_node(node[element], prefix + (element,), members)
    return encoded


def _serialize(element: PathElement) -> str:
    if element.kind == "k":
        return "k:{" + ",".join(f"{_json(name)}:{value}" for name, value in element.value) + "}"
    if element.kind == "i":
        return f"i:{element.value}"
    return f"{element.kind}:{element.value}"


@mirrors("(*sigs.k8s.io/structured-merge-diff/v4/fieldpath.Set).FromJSON",
         "sigs.k8s.io/structured-merge-diff/v4/fieldpath.DeserializePathElement")
def decode_fields_v1(tree: Any) -> Set:
    """The set a fieldsV1 tree holds: a node with no children, or with `"."`, is a member."""
    if not isinstance(tree, dict):
        raise FieldPathError("expected an object")
    paths: set[Path] = set()
    stack: list[tuple[Path, dict]] = [((), tree)]
    while stack:
        prefix, node = stack.pop()
        for text, child in node.items():
            if text == ".":
                paths.add(prefix)
                continue
            if not isinstance(child, dict):
                raise FieldPathError(f"expected an object for {text!r}")
            path = prefix + (_deserialize(text),)
            if child:
                stack.append((path, child))
            else:
                paths.add(path)
    return frozenset(paths)


def _deserialize(text: str) -> PathElement:
    kind, colon, rest = text.partition(":")
    if not colon or kind not in ("f", "k", "v", "i"):
        raise FieldPathError(f"unknown path element prefix in {text!r}")
    if kind == "f":
        return PathElement.field(rest)
    if kind == "i":
        try:
            return PathElement("i", int(rest))
        except ValueError:
            raise FieldPathError(f"invalid index in {text!r}") from None
    try:
        value = json.loads(rest)
    except ValueError:
        raise FieldPathError(f"invalid JSON in {text!r}") from None
    if kind == "k":
        if not isinstance(value, dict) or not value:
            raise FieldPathError(f"a key must be a non-empty object in {text!r}")
        return PathElement.key(value)
    return PathElement.of_value(value)


def under(paths: Iterable[Path], prefix: Path) -> bool:
    """Whether any of `paths` is `prefix` itself or lies below it."""
    return any(path[:len(prefix)] == prefix for path in paths)
