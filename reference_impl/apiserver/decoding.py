"""Bounded decoding of request bodies: JSON and YAML that cannot blow up the server.

Upstream decodes JSON with sigs.k8s.io/json, which refuses nesting over 10,000 levels, and YAML
with sigs.k8s.io/yaml on go-yaml v2, which converts YAML to JSON (timestamps stay strings, keys
become strings) and refuses a document whose aliases expand far beyond its size ("billion laughs").
Python's own decoders recurse, so a deep document would end in RecursionError; here the depth is
measured before anything recursive runs, YAML is converted from its node graph with an explicit
stack, and alias expansion is counted as go-yaml counts it. Every refusal is a `DecodeError` the
handlers turn into a 400.
"""
from __future__ import annotations

import json
import math
import re

import yaml
from yaml.constructor import SafeConstructor

from reference_impl.mirrors import mirrors

# sigs.k8s.io/json's maxDepth.
MAX_JSON_DEPTH = 10_000
# What this server's recursive code (validation, storage encoding, patches) can walk through within
# Python's default recursion limit; upstream's typed structs stop well before this for every kind
# it serves, so a deeper body can only be nested inside a field the kind does not have.
MAX_PROCESSED_DEPTH = 200
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[^\[\]{}]+")


class DecodeError(ValueError):
    """A body that is not a document this server accepts; the message says why."""


def nesting_depth(data: bytes) -> int:
    """How deep `[` and `{` nest in JSON text (brackets inside strings do not count)."""
    brackets = _BRACKETS.sub(b"", _STRING.sub(b'""', data))
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def check_depth(depth: int) -> None:
    if depth > MAX_JSON_DEPTH:
        raise DecodeError(f"json: exceeded max depth of {MAX_JSON_DEPTH}")
    if depth > MAX_PROCESSED_DEPTH:
        raise DecodeError(f"the object is nested {depth} levels deep; this server accepts at most "
                          f"{MAX_PROCESSED_DEPTH}")


@mirrors("sigs.k8s.io/json.UnmarshalCaseSensitivePreserveInts")
def decode_json(data: bytes) -> object:
    """JSON text to Python values; DecodeError for bad JSON or for nesting past the limits."""
    check_depth(nesting_depth(data))
    try:
        value = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError) as err:
        raise DecodeError(str(err)) from None
    return value


def _no_constant(name: str) -> object:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


@mirrors("gopkg.in/yaml.v2.allowedAliasRatio")
def allowed_alias_ratio(decode_count: int) -> float:
    """go-yaml's bound on aliases per decoded node: generous for small documents, 10% for huge ones."""
    if decode_count <= 400_000:
        return 0.99
    if decode_count >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * (decode_count - 400_000) / 3_600_000


class _Loader(yaml.SafeLoader):
    """Composes the node graph only; values are built by `decode_yaml` without recursion."""


@mirrors("sigs.k8s.io/yaml.YAMLToJSON", "(*gopkg.in/yaml.v2.decoder).unmarshal")
def decode_yaml(data: bytes) -> object:
    """One YAML document to the JSON-compatible value sigs.k8s.io/yaml would produce."""
    try:
        loader = _Loader(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise DecodeError(f"yaml: invalid UTF-8: {err}") from None
    except yaml.YAMLError as err:  # the reader refuses control characters up front
        raise DecodeError(f"yaml: {err}") from None
    try:
        node = loader.get_single_node()
    except RecursionError:
        raise DecodeError(f"yaml: exceeded max depth of {MAX_PROCESSED_DEPTH}") from None
    except yaml.YAMLError as err:
        raise DecodeError(f"yaml: {err}") from None
    finally:
        loader.dispose()
    return None if node is None else _to_json(node, loader)


def _to_json(root: yaml.Node, loader: _Loader) -> object:
    """Build the value of `root` with an explicit stack. Every node visited counts toward the
    decode count, every visit of a node already built once (an alias) toward the alias count, as
    go-yaml's decoder counts them; past the allowed ratio the document is refused."""
    decode_count = alias_count = 0
    seen: set[int] = set()
    result: list[object] = []
    # (node, container, key, depth): put the value of node into container[key]
    stack: list[tuple[yaml.Node, object, object, int]] = [(root, result, None, 1)]
    while stack:
        node, container, key, depth = stack.pop()
        decode_count += 1
        if id(node) in seen:
            alias_count += 1
            if alias_count > 100 and decode_count > 1000 and \
                    alias_count / decode_count > allowed_alias_ratio(decode_count):
                raise DecodeError("yaml: document contains excessive aliasing")
        seen.add(id(node))
        if depth > MAX_PROCESSED_DEPTH:
            raise DecodeError(f"yaml: the object is nested more than {MAX_PROCESSED_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            value = _scalar(node, loader)
        elif isinstance(node, yaml.SequenceNode):
            value = [None] * len(node.value)
            stack.extend((item, value, index, depth + 1) for index, item in enumerate(node.value))
        else:
            try:
                loader.flatten_mapping(node)
            except yaml.YAMLError as err:
                raise DecodeError(f"yaml: {err}") from None
            value = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise DecodeError("yaml: a mapping key must be a scalar to convert the document to JSON")
                name = _key(key_node, loader)
                value[name] = None
                stack.append((value_node, value, name, depth + 1))
        if container is result:
            result.append(value)
        else:
            container[key] = value
    return result[0]


def _scalar(node: yaml.ScalarNode, loader: _Loader) -> object:
    """A scalar as JSON has it: null, bool, int and float resolved as YAML 1.1 does; everything
    else (timestamps, binary, tagged strings) stays the string it was written as."""
    tag = node.tag.rsplit(":", 1)[-1]
    if tag in ("null", "bool", "int", "float"):
        try:
            value = getattr(SafeConstructor, f"construct_yaml_{tag}")(loader, node)
        except (ValueError, yaml.YAMLError) as err:
            raise DecodeError(f"yaml: invalid {tag} {node.value!r}: {err}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise DecodeError(f"yaml: {node.value!r} cannot be represented in JSON")
        return value
    return node.value


def _key(node: yaml.ScalarNode, loader: _Loader) -> str:
    """Mapping keys become strings, as YAMLToJSON writes them (`1` -> "1", `true` -> "true")."""
    value = _scalar(node, loader)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
