"""The three PATCH flavours kube-apiserver applies to a stored object, as pure functions on JSON dicts.

- JSON patch (RFC 6902, `application/json-patch+json`): a list of add/remove/replace/move/copy/test
  operations addressed by JSON pointers.
- JSON merge patch (RFC 7386, `application/merge-patch+json`): maps merge, `null` deletes, anything
  else (lists included) replaces.
- Strategic merge patch (`application/strategic-merge-patch+json`, what `kubectl apply` and
  `kubectl edit` send): a merge patch in which lists declared "merge" are merged element by element
  on a merge key (`spec.containers` by `name`), with the `$patch: replace|delete` directives,
  `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`. Which lists merge and on which
  key comes from a `PatchMetaLookup` (the OpenAPI schema in `openapi.py`, or `MergeKeys`, an explicit
  table of list paths). `$retainKeys` is accepted and ignored.

Every function returns a new object and never mutates its inputs; a bad patch raises `PatchError`
(the handler answers 400 for a malformed patch, 422 for one that does not apply).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol

from reference_impl.machinery.objects import deep_copy_json
from reference_impl.mirrors import mirrors

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/"
SET_ELEMENT_ORDER = "$setElementOrder/"


class PatchError(Exception):
    """A patch that cannot be applied; `malformed` tells a syntax problem (400) from a patch whose
    operations fail on this object (422)."""

    def __init__(self, message: str, malformed: bool = False):
        super().__init__(message)
        self.message = message
        self.malformed = malformed


# --- JSON patch (RFC 6902) -------------------------------------------------------------------


def _pointer(path: object) -> list[str]:
    if path == "":
        return []
    if not isinstance(path, str) or not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}", malformed=True)
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _index(container: list, token: str, adding: bool) -> int:
    if adding and token == "-":
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise PatchError(f"invalid array index {token!r}")
    index = int(token)
    if index > len(container) or (not adding and index == len(container)):
        raise PatchError(f"array index {index} out of bounds")
    return index


def _parent(doc: Any, tokens: list[str], path: str) -> Any:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, adding=False)]
        else:
            raise PatchError(f"path {path!r} does not exist")
    return node


def _get(doc: Any, path: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return doc
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, adding=False)]
    raise PatchError(f"path {path!r} does not exist")


def _add(doc: Any, path: str, value: Any) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, adding=True), value)
    else:
        raise PatchError(f"path {path!r} does not exist")
    return doc


def _remove(doc: Any, path: str) -> tuple[Any, Any]:
    tokens = _pointer(path)
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return doc, parent.pop(last)
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, last, adding=False))
    raise PatchError(f"path {path!r} does not exist")


@mirrors("github.com/evanphx/json-patch.DecodePatch", "(github.com/evanphx/json-patch.Patch).Apply")
def apply_json_patch(original: Any, operations: Any) -> Any:
    """Apply the RFC 6902 `operations` (a decoded JSON list) to a copy of `original`."""
    if not isinstance(operations, list):
        raise PatchError("json patch must be a list of operations", malformed=True)
    doc = deep_copy_json(original)
    for op in operations:
        if not isinstance(op, dict) or not isinstance(op.get("op"), str) or "path" not in op:
            raise PatchError(f"invalid json patch operation: {op!r}", malformed=True)
        kind, path = op["op"], op["path"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"operation {kind} on {path!r} has no value", malformed=True)
        if kind == "add":
            doc = _add(doc, path, deep_copy_json(op["value"]))
        elif kind == "remove":
            doc, _ = _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            doc, _ = _remove(doc, path) if _pointer(path) else (doc, None)
            doc = _add(doc, path, deep_copy_json(op["value"]))
        elif kind in ("move", "copy"):
            if "from" not in op:
                raise PatchError(f"operation {kind} on {path!r} has no from", malformed=True)
            if kind == "move":
                doc, value = _remove(doc, op["from"])
            else:
                value = deep_copy_json(_get(doc, op["from"]))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"testing value {path} failed: test failed")
        else:
            raise PatchError(f"unexpected kind: {kind}", malformed=True)
    return doc


# --- JSON merge patch (RFC 7386) -------------------------------------------------------------


@mirrors("github.com/evanphx/json-patch.MergePatch")
def apply_merge_patch(original: Any, patch: Any) -> Any:
    """RFC 7386: a map patch merges key by key (`null` deletes); any other value replaces."""
    if not isinstance(patch, dict):
        return deep_copy_json(patch)
    result = deep_copy_json(original) if isinstance(original, dict) else {}
    _merge_into(result, patch)
    return result


def _merge_into(target: dict, patch: dict) -> None:
    """Merge `patch` into `target`, a copy private to the caller: copied once at the top, not
    again at every level the patch descends into."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            inner = target.get(key)
            if not isinstance(inner, dict):  # a map patch over a non-map starts from an empty map
                inner = target[key] = {}
            _merge_into(inner, value)
        else:
            target[key] = deep_copy_json(value)


# --- strategic merge patch -------------------------------------------------------------------


@dataclass(frozen=True)
class PatchMeta:
    """How one field merges: `strategies` from `x-kubernetes-patch-strategy` ("merge",
    "retainKeys", "replace"), and the list `merge_key` from `x-kubernetes-patch-merge-key`."""

    strategies: tuple[str, ...] = ()
    merge_key: str | None = None

    @property
    def merges(self) -> bool:
        return "merge" in self.strategies


class PatchMetaLookup(Protocol):
    """Patch metadata for the fields of one map in the object (strategicpatch.LookupPatchMeta)."""

    def field(self, name: str) -> tuple[PatchMeta, "PatchMetaLookup"]:
        """The field's metadata, and the lookup for its value (for a list: for its elements)."""


@dataclass(frozen=True)
class MergeKeys:
    """A lookup from dotted list paths to merge keys ({"spec.containers": "name"}); a listed path
    merges on its key, every other list is replaced."""

    keys: Mapping[str, str]
    prefix: str = ""

    def field(self, name: str) -> tuple[PatchMeta, "MergeKeys"]:
        path = f"{self.prefix}.{name}" if self.prefix else name
        key = self.keys.get(path)
        return PatchMeta(("merge",), key) if key else PatchMeta(), MergeKeys(self.keys, path)


@dataclass(frozen=True)
class NoPatchMeta:
    """No metadata: strategic merge degrades to a JSON merge patch (lists replace)."""

    meta: PatchMeta = field(default_factory=PatchMeta)

    def field(self, name: str) -> tuple[PatchMeta, "NoPatchMeta"]:
        return self.meta, self


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.StrategicMergeMapPatchUsingLookupPatchMeta")
def apply_strategic_merge_patch(original: dict, patch: Any, schema: PatchMetaLookup) -> dict:
    """Apply a strategic merge `patch` (a decoded JSON map) to a copy of `original`."""
    if not isinstance(patch, dict):
        raise PatchError("strategic merge patch must be a JSON object", malformed=True)
    merged = _merge_map(deep_copy_json(original), deep_copy_json(patch), schema)
    return merged if merged is not None else {}


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.mergeMap")
def _merge_map(original: dict, patch: dict, schema: PatchMetaLookup) -> dict | None:
    directive = patch.pop(DIRECTIVE, None)
    patch.pop(RETAIN_KEYS, None)
    if directive == "replace":
        return _strip_directives(patch)
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise PatchError(f"Unknown patch type: {directive}", malformed=True)
    orders: dict[str, list] = {}
    for key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        orders[key.removeprefix(SET_ELEMENT_ORDER)] = patch.pop(key)
    for key in [k for k in patch if k.startswith(DELETE_FROM_PRIMITIVE_LIST)]:
        name, doomed = key.removeprefix(DELETE_FROM_PRIMITIVE_LIST), patch.pop(key)
        if isinstance(original.get(name), list) and isinstance(doomed, list):
            original[name] = [item for item in original[name] if item not in doomed]
    for key, value in patch.items():
        meta, child = schema.field(key)
        if value is None:
            original.pop(key, None)
        elif isinstance(value, dict) and isinstance(original.get(key), dict):
            merged = _merge_map(original[key], value, child)
            if merged is None:
                original.pop(key)
            else:
                original[key] = merged
        elif isinstance(value, list) and meta.merges:
            original[key] = _merge_list(original.get(key) or [], value, meta, child)
        elif isinstance(value, dict):
            merged = _merge_map({}, value, child)
            if merged is not None:
                original[key] = merged
        else:
            original[key] = _strip_directives(value)
    for key, order in orders.items():
        if isinstance(original.get(key), list):
            original[key] = _set_element_order(original[key], order, schema.field(key)[0])
    return original


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.mergeSlice")
def _merge_list(original: list, patch: list, meta: PatchMeta, item_schema: PatchMetaLookup) -> list:
    if any(isinstance(p, dict) and p.get(DIRECTIVE) == "replace" and len(p) == 1 for p in patch):
        return [_strip_directives(p) for p in patch if not (isinstance(p, dict) and DIRECTIVE in p)]
    key = meta.merge_key
    if key is None:  # a merged list of primitives: a union that keeps the original order
        return original + [item for item in patch if item not in original]
    result = list(original)
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise PatchError(f"map: {item!r} does not contain declared merge key: {key}")
        at = next((i for i, old in enumerate(result)
                   if isinstance(old, dict) and old.get(key) == item[key]), None)
        if item.get(DIRECTIVE) == "delete":
            result = [old for old in result if not (isinstance(old, dict) and old.get(key) == item[key])]
        elif at is None:
            result.append(_merge_map({}, item, item_schema) or {})
        else:
            merged = _merge_map(result[at], item, item_schema)
            if merged is None:
                result.pop(at)
            else:
                result[at] = merged
    return result


def _set_element_order(items: list, order: list, meta: PatchMeta) -> list:
    """Put the elements named in `order` first, in that order; elements the patch did not mention
    keep their relative place after them (upstream interleaves them; the set is the same)."""
    def identity(item: Any) -> Any:
        return item.get(meta.merge_key) if meta.merge_key and isinstance(item, dict) else item

    wanted = [identity(o) for o in order]
    named = sorted((item for item in items if identity(item) in wanted),
                   key=lambda item: wanted.index(identity(item)))
    return named + [item for item in items if identity(item) not in wanted]


def _strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_directives(v) for k, v in value.items()
                if k != DIRECTIVE and k != RETAIN_KEYS and not k.startswith(SET_ELEMENT_ORDER)
                and not k.startswith(DELETE_FROM_PRIMITIVE_LIST)}
    if isinstance(value, list):
        return [_strip_directives(v) for v in value]
    return value
