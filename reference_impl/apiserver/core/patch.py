"""The three PATCH flavours kube-apiserver applies to a stored object, as pure functions on JSON dicts.

- JSON patch (RFC 6902, `application/json-patch+json`): a list of add/remove/replace/move/copy/test
  operations addressed by JSON pointers.
- JSON merge patch (RFC 7386, `application/merge-patch+json`): maps merge, `null` deletes, anything
  else (lists included) replaces.
- Strategic merge patch (`application/strategic-merge-patch+json`, what `kubectl apply` and
  `kubectl edit` send): a merge patch in which lists declared "merge" are merged element by element
  on a merge key (`spec.containers` by `name`), with the `$patch: replace|delete` directives,
  `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` and `$retainKeys`. Which lists merge
  and on which key comes from a `PatchMetaLookup` (the OpenAPI schema in `openapi.py`, or `MergeKeys`,
  an explicit table of list paths).

Every function returns a new object and never mutates its inputs; a bad patch raises `PatchError`
(the handler answers 400 for a malformed patch, 422 for one that does not apply).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol

from reference_impl.machinery import gojson
from reference_impl.machinery.gofmt import format_s, format_v, type_of
from reference_impl.machinery.objects import copy_json_without_recursion, deep_copy_json
from reference_impl.mirrors import mirrors

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/"
SET_ELEMENT_ORDER = "$setElementOrder/"


class PatchError(Exception):
    """A patch that cannot be applied; `malformed` tells a patch the server refuses as it is (400;
    strategicpatch's plain errors, which upstream answers with a 500, are the client's mistake too)
    from a JSON patch whose operations fail on this object (422)."""

    def __init__(self, message: str, malformed: bool = False):
        super().__init__(message)
        self.message = message
        self.malformed = malformed


class TooManyOperations(PatchError):
    """A JSON patch of more operations than PatchResource applies (a 413, before any is tried)."""


# --- JSON patch (RFC 6902) -------------------------------------------------------------------
# As github.com/evanphx/json-patch v4 applies it, quirks and error texts included: a pointer's
# parent must exist, `replace` of a missing object key adds it, negative array indices count from
# the end, an operation's missing `value` is null. Errors read as pkg/errors wraps them
# ("context: cause"); they end in one of these causes.

_MISSING = "missing value"
_INVALID_INDEX = "invalid index referenced"
_TEST_FAILED = "test failed"
_DECIMAL = re.compile(r"[+-]?[0-9]+")


def _op_field(op: dict, field: str, context: str, keep_cause: bool = True) -> str:
    """Operation.Path or Operation.From as a string, its failure wrapped in `context` (add,
    remove and copy wrap "missing value" in place of the cause when the path is bad)."""
    value = op.get(field)
    if isinstance(value, str):
        return value
    if value is None:
        cause = (f"operation missing path field: {_MISSING}" if field == "path"
                 else f"operation, missing from field: {_MISSING}")
    else:
        cause = gojson.type_error(gojson.type_name(value), "string")
    raise PatchError(f"{context}: {cause if keep_cause else _MISSING}")


def _wrap(context: str, error: PatchError) -> PatchError:
    return PatchError(f"{context}: {error.message}")


def _atoi(key: str) -> int:
    """strconv.Atoi, its errors in its words."""
    if not _DECIMAL.fullmatch(key):
        raise PatchError(f'strconv.Atoi: parsing "{key}": invalid syntax')
    number = int(key)
    if not -2**63 <= number < 2**63:
        raise PatchError(f'strconv.Atoi: parsing "{key}": value out of range')
    return number


def _bounded(index: int, size: int) -> int:
    """partialArray's check of an index into `size` slots: a negative one counts from the end."""
    if not -size <= index < size:
        raise PatchError(f"Unable to access invalid index: {index}: {_INVALID_INDEX}")
    return index + size if index < 0 else index


def _array_index(key: str, size: int) -> int:
    return _bounded(_atoi(key), size)


def _get(container: dict | list, key: str) -> Any:
    """partialDoc.get (None for a missing key, as for null) and partialArray.get."""
    if isinstance(container, dict):
        return container.get(key)
    return container[_array_index(key, len(container))]


def _add(container: dict | list, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
    elif key == "-":
        container.append(value)
    else:
        try:
            index = _atoi(key)
        except PatchError as error:
            raise _wrap(f"value was not a proper array index: '{key}'", error) from None
        container.insert(_bounded(index, len(container) + 1), value)


def _remove(container: dict | list, key: str) -> None:
    if isinstance(container, list):
        del container[_array_index(key, len(container))]
    elif key in container:
        del container[key]
    else:
        raise PatchError(f"Unable to remove nonexistent key: {key}: {_MISSING}")


# The maps a patch parsed, by id: sorted once when all operations are applied, since only the
# result's order shows (a 422 quotes it); sorting at every step made a patch quadratic.
Parsed = dict[int, dict]


def _find_object(doc: dict, path: str, parsed: Parsed) -> tuple[dict | list | None, str]:
    """findObject: the object or array holding the pointer's last token, and that token decoded;
    None when the pointer has no "/" or a step on the way is missing, null or a scalar. Only
    what follows the first "/" counts, so "a/b" is read as "/b". Each map it steps into is
    parsed (intoDoc), so ApplyPatch writes it with its keys sorted: it is noted in `parsed`."""
    split = path.split("/")
    if len(split) < 2:
        return None, ""
    node: Any = doc
    for part in split[1:-1]:
        try:
            node = _get(node, _decode_key(part))
        except PatchError:
            return None, ""
        if not isinstance(node, (dict, list)):
            return None, ""
        if isinstance(node, dict):
            parsed[id(node)] = node
    return node, _decode_key(split[-1])


def _sort_parsed(parsed: Parsed) -> None:
    for node in parsed.values():
        ordered = sorted(node.items())
        node.clear()
        node.update(ordered)


def _decode_key(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _equal(a: Any, b: Any) -> bool:
    """lazyNode.equal: objects and arrays by member, scalars by their JSON text (1 is not 1.0).
    Without recursion: earlier operations may have built values 10,000 levels deep."""
    pairs = [(a, b)]
    while pairs:
        a, b = pairs.pop()
        if isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                return False
            pairs.extend((a[key], b[key]) for key in a)
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                return False
            pairs.extend(zip(a, b))
        elif type(a) in (dict, list) or type(b) in (dict, list) or json.dumps(a) != json.dumps(b):
            return False
    return True


def _apply_add(doc: dict, op: dict, parsed: Parsed) -> dict:
    path = _op_field(op, "path", "add operation failed to decode path", keep_cause=False)
    container, key = _find_object(doc, path, parsed)
    if container is None:
        raise PatchError(f'add operation does not apply: doc is missing path: "{path}": {_MISSING}')
    try:
        _add(container, key, deep_copy_json(op.get("value")))
    except PatchError as error:
        raise _wrap(f"error in add for path: '{path}'", error) from None
    return doc


def _apply_remove(doc: dict, op: dict, parsed: Parsed) -> dict:
    path = _op_field(op, "path", "remove operation failed to decode path", keep_cause=False)
    container, key = _find_object(doc, path, parsed)
    if container is None:
        raise PatchError(f'remove operation does not apply: doc is missing path: "{path}": {_MISSING}')
    try:
        _remove(container, key)
    except PatchError as error:
        raise _wrap(f"error in remove for path: '{path}'", error) from None
    return doc


def _apply_replace(doc: dict, op: dict, parsed: Parsed) -> Any:
    path = _op_field(op, "path", "replace operation failed to decode path")
    value = deep_copy_json(op.get("value"))
    if path == "":
        # Only an object or an array replaces the whole document; v4 ignores anything else.
        return value if isinstance(value, (dict, list)) else doc
    container, key = _find_object(doc, path, parsed)
    if container is None:
        raise PatchError(f"replace operation does not apply: doc is missing path: {path}: {_MISSING}")
    try:
        _get(container, key)
    except PatchError:
        raise PatchError(f"replace operation does not apply: doc is missing key: {path}: {_MISSING}") from None
    container[key if isinstance(container, dict) else _array_index(key, len(container))] = value
    return doc


def _apply_move(doc: dict, op: dict, parsed: Parsed) -> dict:
    source = _op_field(op, "from", "move operation failed to decode from")
    container, key = _find_object(doc, source, parsed)
    if container is None:
        raise PatchError(f"move operation does not apply: doc is missing from path: {source}: {_MISSING}")
    try:
        value = _get(container, key)
        _remove(container, key)
    except PatchError as error:
        raise _wrap(f"error in move for path: '{key}'", error) from None
    path = _op_field(op, "path", "move operation failed to decode path")
    container, key = _find_object(doc, path, parsed)
    if container is None:
        raise PatchError(f"move operation does not apply: doc is missing destination path: {path}: {_MISSING}")
    try:
        _add(container, key, value)
    except PatchError as error:
        raise _wrap(f"error in move for path: '{path}'", error) from None
    return doc


def _apply_test(doc: dict, op: dict, parsed: Parsed) -> dict:
    path = _op_field(op, "path", "test operation failed to decode path")
    failed = PatchError(f"testing value {path} failed: {_TEST_FAILED}")
    if path == "":
        if not _equal(doc, op.get("value")):
            raise failed
        _note_parsed_below(doc, parsed)
        return doc
    container, key = _find_object(doc, path, parsed)
    if container is None:
        raise PatchError(f"test operation does not apply: is missing path: {path}: {_MISSING}")
    try:
        current = _get(container, key)
    except PatchError as error:
        raise _wrap(f"error in test for path: '{path}'", error) from None
    # A missing or null member passes only against a missing or null value.
    if current is None and op.get("value") is None:
        return doc
    if current is None or op.get("value") is None or not _equal(current, op["value"]):
        raise failed
    _note_parsed_below(current, parsed)
    return doc


def _note_parsed_below(node: Any, parsed: Parsed) -> None:
    """lazyNode.equal parses each map and array it compares (tryDoc, tryAry), so a passed test
    leaves the whole tested subtree to be written sorted (the real 1.24 server's 422 after a test
    of /spec/template quotes the template and its containers with their keys sorted). Walked
    without recursion: a value the patch added may be 10,000 deep."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            parsed[id(node)] = node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _apply_copy(doc: dict, op: dict, parsed: Parsed) -> dict:
    source = _op_field(op, "from", "copy operation failed to decode from")
    container, key = _find_object(doc, source, parsed)
    if container is None:
        raise PatchError(f"copy operation does not apply: doc is missing from path: {source}: {_MISSING}")
    try:
        value = _marshalled_copy(_get(container, key), parsed)
    except PatchError as error:
        raise _wrap(f"error in copy for from: '{source}'", error) from None
    path = _op_field(op, "path", "copy operation failed to decode path", keep_cause=False)
    container, key = _find_object(doc, path, parsed)
    if container is None:
        raise PatchError(f"copy operation does not apply: doc is missing destination path: {path}: {_MISSING}")
    try:
        _add(container, key, value)
    except PatchError as error:
        raise _wrap("error while adding value during copy", error) from None
    return doc


@mirrors("github.com/evanphx/json-patch.deepCopy")
def _marshalled_copy(value: Any, parsed: Parsed) -> Any:
    """deepCopy marshals the node and keeps the bytes: a map the patch has parsed is written
    sorted there and then, one it has not keeps its order. Without recursion: an earlier operation
    may have added a value 10,000 levels deep."""
    return copy_json_without_recursion(value, lambda members: dict(sorted(members.items()))
                                       if id(members) in parsed else dict(members))


MAX_JSON_PATCH_OPERATIONS = 10000  # handlers.maxJSONPatchOperations
_OPERATIONS = {"add": _apply_add, "remove": _apply_remove, "replace": _apply_replace, "move": _apply_move,
               "test": _apply_test, "copy": _apply_copy}


@mirrors("github.com/evanphx/json-patch.DecodePatch", "(github.com/evanphx/json-patch.Patch).Apply",
         "(*k8s.io/apiserver/pkg/endpoints/handlers.jsonPatcher).applyJSPatch")
def apply_json_patch(original: Any, operations: Any) -> Any:
    """Apply the RFC 6902 `operations` (the decoded JSON body) to a copy of `original`. A body that
    is not a list of objects does not decode (malformed), one of more than 10000 operations is
    refused as it is (TooManyOperations); every other fault shows when applied."""
    if operations is not None and not isinstance(operations, list):
        raise PatchError(gojson.type_error(gojson.type_name(operations), "jsonpatch.Patch"),
                         malformed=True)
    for op in operations or ():
        if op is not None and not isinstance(op, dict):
            raise PatchError(gojson.type_error(gojson.type_name(op), "jsonpatch.Operation"),
                             malformed=True)
    if len(operations or ()) > MAX_JSON_PATCH_OPERATIONS:
        raise TooManyOperations(f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, "
                                f"got {len(operations)}")
    doc, parsed = deep_copy_json(original), {}
    for op in operations or ():
        op = op or {}
        kind = op.get("op") if isinstance(op.get("op"), str) else "unknown"
        if kind not in _OPERATIONS:
            raise PatchError(f"Unexpected kind: {kind}")
        doc = _OPERATIONS[kind](doc, op, parsed)
    _sort_parsed(parsed)
    return doc


# --- JSON merge patch (RFC 7386) -------------------------------------------------------------


@mirrors("github.com/evanphx/json-patch.MergePatch")
def apply_merge_patch(original: Any, patch: Any) -> Any:
    """RFC 7386: a map patch merges key by key (`null` deletes); an array replaces. A patch that
    is null or a scalar is no patch at all (ErrBadJSONPatch). The result's keys are in the order
    MergePatch writes them (the 422 of a result the kind cannot hold quotes it): each map it
    parsed, the document's and those the patch went into or brought, sorted as json.Marshal
    writes a map; what the patch left alone as the document had it (a lazyNode keeps its bytes)."""
    if isinstance(patch, list):
        return deep_copy_json(patch)
    if not isinstance(patch, dict):
        raise PatchError("Invalid JSON Patch", malformed=True)
    return _merge_docs(deep_copy_json(original) if isinstance(original, dict) else {}, patch)


@mirrors("github.com/evanphx/json-patch.mergeDocs")
def _merge_docs(doc: dict, patch: dict) -> dict:
    """`patch` merged into `doc`, a copy private to the caller, as a map written sorted."""
    for key, value in patch.items():
        if value is None:
            doc.pop(key, None)
        elif doc.get(key) is None:
            doc[key] = _pruned(value)
        else:
            doc[key] = _merge(doc[key], value)
    return {key: doc[key] for key in sorted(doc)}


@mirrors("github.com/evanphx/json-patch.merge")
def _merge(current: Any, patch: Any) -> Any:
    """A member the patch sets where the document has one: maps merge; anything else replaces."""
    if not isinstance(current, dict):
        return _pruned(patch)
    if not isinstance(patch, dict):
        return deep_copy_json(patch)
    return _merge_docs(current, patch)


@mirrors("github.com/evanphx/json-patch.pruneNulls")
def _pruned(value: Any) -> Any:
    """A value the patch brings: its maps lose their null members (arrays keep theirs), all the
    way down, and are written sorted."""
    return copy_json_without_recursion(value, lambda members: {key: members[key] for key in sorted(members)
                                                               if members[key] is not None})


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

    def slice_field(self, name: str) -> tuple[PatchMeta, "PatchMetaLookup"]:
        """`field(name)` for a `$setElementOrder/` list; a PatchError where the schema knows the
        object has no such field."""


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

    slice_field = field  # any field may be a list


@dataclass(frozen=True)
class NoPatchMeta:
    """No metadata: strategic merge degrades to a JSON merge patch (lists replace)."""

    meta: PatchMeta = field(default_factory=PatchMeta)

    def field(self, name: str) -> tuple[PatchMeta, "NoPatchMeta"]:
        return self.meta, self

    slice_field = field


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.StrategicMergeMapPatchUsingLookupPatchMeta")
def apply_strategic_merge_patch(original: dict, patch: Any, schema: PatchMetaLookup) -> dict:
    """Apply a strategic merge `patch` (a decoded JSON map; null is an empty one) to a copy of
    `original`. Another JSON value is refused as it cannot unmarshal into the patch map."""
    if patch is None:
        patch = {}
    if not isinstance(patch, dict):
        raise PatchError(gojson.type_error(gojson.type_name(patch), "map[string]interface {}"), malformed=True)
    return _merge_map(deep_copy_json(original), deep_copy_json(patch), schema)


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.mergeMap",
         "k8s.io/apimachinery/pkg/util/strategicpatch.mergeMapHandler")
def _merge_map(original: dict, patch: dict, schema: PatchMetaLookup) -> dict:
    if DIRECTIVE in patch:
        return _map_directive(patch)
    if RETAIN_KEYS in patch:
        _retain_keys(original, patch, patch.pop(RETAIN_KEYS))
    for key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(key)
        if not isinstance(order, list):
            raise _bad_arg_type("[]interface {}", order)
        _merge_ordered(original, patch, key.removeprefix(SET_ELEMENT_ORDER), order, schema)
    for key in [k for k in patch if k.startswith(DELETE_FROM_PRIMITIVE_LIST)]:
        _delete_from_primitive_list(original, key.removeprefix(DELETE_FROM_PRIMITIVE_LIST), patch.pop(key), schema)
    for key, value in patch.items():
        meta, child = schema.field(key)
        if value is None:
            original.pop(key, None)
        elif key not in original or type(original[key]) is not type(value):
            original[key] = value  # taken as it is, directives unread (a `$patch` key stays a label)
        elif isinstance(value, dict) and "replace" in meta.strategies:
            original[key] = value  # mergeMapHandler: the patch is the map, as it is
        elif isinstance(value, dict):
            original[key] = _merge_map(original[key], value, child)
        elif isinstance(value, list) and meta.merges:
            original[key] = _merge_list(original[key], value, meta, child)
        else:
            original[key] = _strip_directives(value)
    return original


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.preprocessDeletionListForMerging",
         "k8s.io/apimachinery/pkg/util/strategicpatch.deleteFromSlice")
def _delete_from_primitive_list(original: dict, name: str, doomed: Any, schema: PatchMetaLookup) -> None:
    """`$deleteFromPrimitiveList/<name>` goes through mergeMap as <name> itself would, marked as a
    deletion: null removes the field; a list of primitives merged by strategy loses the items
    named; but a list without the merge strategy is replaced by the deletions, and a map or a
    scalar is merged or set as if it were the field's own patch."""
    if doomed is None:
        original.pop(name, None)
        return
    if name not in original or type(original[name]) is not type(doomed):
        return
    current = original[name]
    if isinstance(doomed, list):
        meta, child = schema.slice_field(name)
        if not meta.merges:
            original[name] = doomed
        elif (current or doomed) and _element_type(current, doomed) is not dict:
            original[name] = [item for item in current if item not in doomed]
        elif current or doomed:
            original[name] = _merge_list(current, doomed, meta, child)
    elif isinstance(doomed, dict):
        meta, child = schema.field(name)
        original[name] = doomed if "replace" in meta.strategies else _merge_map(current, doomed, child)
    else:
        original[name] = doomed


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.mergePatchIntoOriginal")
def _merge_ordered(original: dict, patch: dict, name: str, order: list, schema: PatchMetaLookup) -> None:
    """A list with a `$setElementOrder/`: merged (or taken whole from the patch), then put in its
    order, before the rest of the map is merged."""
    for value in (original.get(name, []), patch.get(name, [])):
        if not isinstance(value, list):
            raise _bad_arg_type("[]interface {}", value)
    meta, child = schema.slice_field(name)
    original_list, patch_list = original.get(name), patch.get(name)
    _validate_patch_with_set_order_list(patch_list or [], order, meta.merge_key or "")
    if name not in original and name not in patch:
        return
    server = original.get(name, [])
    if name not in patch:
        merged = server
    elif name not in original or not meta.merges:
        merged = patch.pop(name)
    else:
        merged = _merge_list(server, patch.pop(name), meta, child)
    if meta.merge_key:
        _partition_maps_by_present_in_list(merged, order, meta.merge_key)
    _check_set_element_order(original_list, patch_list, order, meta.merge_key or "")
    original[name] = _normalize_element_order(merged, order, server, meta.merge_key)


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.partitionMapsByPresentInList",
         "k8s.io/apimachinery/pkg/util/strategicpatch.findMapInSliceBasedOnKeyValue")
def _partition_maps_by_present_in_list(merged: list, order: list, merge_key: str) -> None:
    """What partitioning the merged maps by the `$setElementOrder/` list refuses: a merged item
    that is no map or lacks the merge key, and an order item that is no map met (by its index)
    while looking for a merged item's key, before that key is found."""
    for item in merged:
        if not isinstance(item, dict):
            raise _bad_arg_type("map[string]interface {}", item)
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
        for index, wanted in enumerate(order):
            if not isinstance(wanted, dict):
                raise PatchError(f"value for key {index} is not a map", malformed=True)
            if merge_key in wanted and wanted[merge_key] == item[merge_key]:
                break


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.handleDirectiveInMergeMap")
def _map_directive(patch: dict) -> dict:
    """A map's `$patch`: replace takes the patch as the map, delete empties it (the field stays,
    an empty map); there is no other."""
    directive = patch[DIRECTIVE]
    if directive == "replace":
        del patch[DIRECTIVE]
        return _strip_directives(patch)
    if directive == "delete":
        return {}
    raise _bad_patch_type(directive, patch)


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.mergePatchIntoOriginal",
         "k8s.io/apimachinery/pkg/util/strategicpatch.validateMergeKeyInLists")
def _check_set_element_order(original_list: list | None, patch_list: list | None, order: list,
                             merge_key: str) -> None:
    """What mergePatchIntoOriginal checks of a `$setElementOrder/` list once merged, before
    ordering by it: the lists hold items of one type and, for a list of maps, each item of the
    order has the merge key. The lists are None where absent."""
    if original_list is None and patch_list is None:
        return
    if _element_type(original_list or [], patch_list or []) is dict:
        for item in order:
            if not isinstance(item, dict):
                raise _bad_arg_type("map[string]interface {}", item)
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.validatePatchWithSetOrderList")
def _validate_patch_with_set_order_list(patch_list: list, order: list, merge_key: str) -> None:
    """Every item of the patch list, deletions and other directives aside, is in `order`, and in
    the same relative order."""
    if not order or not patch_list:
        return
    items = patch_list
    if merge_key:
        for item in items:
            if not isinstance(item, dict):
                raise _bad_arg_type("map[string]interface {}", item)
        items = [item for item in items if item.get(DIRECTIVE) != "delete"]
    at = 0
    for wanted in order:
        while at < len(items) and isinstance(items[at], dict) and DIRECTIVE in items[at]:
            at += 1
        if at == len(items):
            return
        if _merge_key_value_equal(items[at], wanted, merge_key):
            at += 1
    if at < len(items):
        raise PatchError(f"The order in patch list:\n{format_v(patch_list)}\n doesn't match $setElementOrder list:\n"
                         f"{format_v(order)}\n", malformed=True)


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.mergeKeyValueEqual")
def _merge_key_value_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return left == right
    for item in (left, right):
        if not isinstance(item, dict):
            raise _bad_arg_type("map[string]interface {}", item)
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
    return left[merge_key] == right[merge_key]


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.sliceElementType")
def _element_type(original: list, patch: list) -> type:
    """The one type of the items of both lists; items of two types are refused, as are no items."""
    types = {type(item) for item in original + patch}
    if not types:
        raise PatchError("no elements in any of the given slices", malformed=True)
    if len(types) > 1:
        raise PatchError(f"list element types are not identical: {format_v([original, patch])}", malformed=True)
    return types.pop()


@mirrors("k8s.io/apimachinery/pkg/util/mergepatch.ErrBadArgType")
def _bad_arg_type(expected: str, value: Any) -> PatchError:
    return PatchError(f"expected a {expected}, but received a {type_of(value)}", malformed=True)


@mirrors("k8s.io/apimachinery/pkg/util/mergepatch.ErrBadPatchType")
def _bad_patch_type(directive: Any, patch: dict) -> PatchError:
    return PatchError(f"unknown patch type: {format_s(directive)} in map: {format_v(patch)}", malformed=True)


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.applyRetainKeysDirective")
def _retain_keys(original: dict, patch: dict, retained: Any) -> None:
    """Remove the keys of `original` that `$retainKeys` does not name; the list must name every key
    the patch sets (a null or a list directive need not be named)."""
    if not isinstance(retained, list) or any(
            value is not None and not key.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER))
            and key not in retained for key, value in patch.items()):
        raise PatchError("invalid patch format of retainKeys", malformed=True)
    for key in [k for k in original if k not in retained]:
        del original[key]


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.mergeSlice",
         "k8s.io/apimachinery/pkg/util/strategicpatch.mergeSliceWithSpecialElements")
def _merge_list(original: list, patch: list, meta: PatchMeta, item_schema: PatchMetaLookup) -> list:
    if not original and not patch:
        return original
    _element_type(original, patch)
    key = meta.merge_key
    if key is None:  # a merged list of primitives: their union, each once
        merged: list = []
        for item in original + patch:
            if item not in merged:
                merged.append(item)
        return _normalize_element_order(merged, patch, original, None)
    # The items with a `$patch` first: each delete, or a replace of the whole list.
    items, replace = [], False
    for item in patch:
        if not (isinstance(item, dict) and DIRECTIVE in item):
            items.append(item)
            continue
        directive = item[DIRECTIVE]
        if directive == "delete":
            if key not in item:
                raise _no_merge_key(item, key)
            original = [old for old in original if not (isinstance(old, dict) and old.get(key) == item[key])]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise PatchError("merging lists cannot yet be specified in the patch", malformed=True)
        else:
            raise _bad_patch_type(directive, item)
    if replace:
        return [_strip_directives(item) for item in items]
    result = list(original)
    for item in items:
        if not isinstance(item, dict) or key not in item:
            raise _no_merge_key(item, key)
        at = next((i for i, old in enumerate(result)
                   if isinstance(old, dict) and old.get(key) == item[key]), None)
        if at is None:
            # Appended as it is, its directives unread (a `$retainKeys` is not checked); the
            # typed decode then drops them as unknown fields, which some of our schemas keep.
            result.append(_strip_directives(item))
        else:
            result[at] = _merge_map(result[at], item, item_schema)
    return _normalize_element_order(result, items, original, key)


@mirrors("k8s.io/apimachinery/pkg/util/mergepatch.ErrNoMergeKey")
def _no_merge_key(item: Any, key: str) -> PatchError:
    return PatchError(f"map: {format_v(item)} does not contain declared merge key: {key}", malformed=True)


@mirrors("k8s.io/apimachinery/pkg/util/strategicpatch.normalizeElementOrder",
         "k8s.io/apimachinery/pkg/util/strategicpatch.mergeSortedSlice")
def _normalize_element_order(merged: list, patch_order: list, server_order: list,
                             merge_key: str | None) -> list:
    """A merged list in upstream's order: the items `patch_order` names, in its order, with the
    server's other items woven in, each before the first patch item the server had after it. An
    item new to the server so comes before the server's items that follow it."""
    def identity(item: Any) -> Any:
        return item.get(merge_key) if merge_key and isinstance(item, dict) else item

    named = [identity(item) for item in patch_order]
    server = [identity(item) for item in server_order]

    def server_index(item: Any) -> int:
        return server.index(identity(item)) if identity(item) in server else -1

    patch_items = sorted((item for item in merged if identity(item) in named),
                         key=lambda item: named.index(identity(item)))
    server_only = sorted((item for item in merged if identity(item) not in named), key=server_index)
    out: list = []
    while server_only or patch_items:
        left = server_only[0] if server_only else None
        right = patch_items[0] if patch_items else None
        take_left = not patch_items or (server_only and 0 <= server_index(left) < server_index(right))
        out.append((server_only if take_left else patch_items).pop(0))
    return out


def _strip_directives(value: Any) -> Any:
    return copy_json_without_recursion(value, _members_but_directives)


def _members_but_directives(members: dict) -> dict:
    return {k: v for k, v in members.items() if k != DIRECTIVE and k != RETAIN_KEYS
            and not k.startswith(SET_ELEMENT_ORDER) and not k.startswith(DELETE_FROM_PRIMITIVE_LIST)}
