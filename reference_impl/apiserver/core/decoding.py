"""Bounded decoding of request bodies: JSON and YAML that cannot blow up the server.

Upstream decodes JSON with sigs.k8s.io/json, which refuses nesting over 10,000 levels, and YAML
with sigs.k8s.io/yaml on go-yaml v2, which converts YAML to JSON (timestamps stay strings, keys
become strings) and refuses a document whose aliases expand far beyond its size ("billion laughs").
Python's own decoders recurse, so a deep document would end in RecursionError; here the depth is
measured before anything recursive runs, JSON deeper than Python's decoder takes is decoded with an
explicit stack (the handlers then prune it to the kind's schema, which drops deep unknown fields),
YAML is converted from its node graph with an explicit stack, and alias expansion is counted as
go-yaml counts it. Every refusal is a `DecodeError` the handlers turn into a 400.
"""
from __future__ import annotations

import base64
import binascii
import heapq
import json
import math
import re
import struct
from collections.abc import Callable
from json.decoder import scanstring

import yaml
from yaml.constructor import SafeConstructor

from reference_impl.machinery import gojson
from reference_impl.machinery.gofmt import format_float
from reference_impl.mirrors import mirrors

# sigs.k8s.io/json's maxDepth.
MAX_JSON_DEPTH = 10_000
# go-yaml v2's max_flow_level and max_indents: how deep flow collections, and block indentation,
# may nest.
MAX_YAML_DEPTH = 10_000
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


def check_depth(depth: int, limit: int = MAX_PROCESSED_DEPTH) -> None:
    if depth > MAX_JSON_DEPTH:
        raise DecodeError(f"json: exceeded max depth of {MAX_JSON_DEPTH}")
    if depth > limit:
        raise DecodeError(f"the object is nested {depth} levels deep; this server accepts at most {limit}")


class RepeatedKeys(dict):
    """A JSON object in which a key was written more than once, as this server decodes it before it
    knows the type the object goes into: each key holds its last value, and `shadowed` the values
    written before it, in order. What encoding/json makes of them depends on that type, so the
    schema walk (fieldvalidation) decides: a struct decodes each later object into the earlier one,
    a map keeps its entries and replaces the ones written again, a slice decodes into the earlier
    one's elements, anything else (a type with its own UnmarshalJSON, a value of any content) takes
    the last value. The root of a body with a repeat anywhere in it is one too, so that `plain`
    knows to look inside. One as decoded keeps its key/value `pairs` in the body's order, for
    checks that report the first problem as the decoder meets it."""

    shadowed: dict[str, list]
    pairs: list[tuple[str, object]]


@mirrors("(*encoding/json.decodeState).object")
def _object_of_pairs(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object's key/value pairs as a dict; a RepeatedKeys that records every write when a
    key is written twice."""
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    repeated = RepeatedKeys()
    repeated.shadowed = {}
    for key, value in pairs:
        write(repeated, key, value)
    repeated.pairs = pairs
    return repeated


def write(obj: RepeatedKeys, key: str, value: object) -> None:
    """Write `key` of `obj`, keeping a value written before in `obj.shadowed`."""
    if key in obj:
        obj.shadowed.setdefault(key, []).append(obj[key])
    obj[key] = value


def writes(obj: dict, key: str) -> tuple:
    """Every value `key` of `obj` was written with, in order: what it shadowed, then what it holds."""
    return (*getattr(obj, "shadowed", {}).get(key, ()), obj[key])


def writes_in_order(obj: dict) -> list[tuple[str, object]]:
    """Every write of `obj`'s keys as (key, value): in the body's order for an object as decoded,
    else each key's writes in turn."""
    pairs = getattr(obj, "pairs", None)
    return pairs if pairs is not None else [(key, value) for key in obj for value in writes(obj, key)]


def write_all(held: RepeatedKeys, later: dict) -> RepeatedKeys:
    """`later`'s keys written into `held`, in place, each of its values a further write of its key:
    an object decoded into a struct or a map already there (the type decides what the writes of a
    key make)."""
    for key in later:
        for written in writes(later, key):
            write(held, key, written)
    return held


@mirrors("(*encoding/json.decodeState).object")
def merged(value: object, value_structs: frozenset[str] = frozenset()) -> object:
    """`value` with every key written twice decided as if each object were a struct, made plain
    dicts: a later object decodes into the earlier one, anything else replaces it. For a body this
    server checks against no schema (an Eviction's, a TokenRequest's). `value_structs` names the
    root's fields that are structs held by value (no pointer): a null written after an object
    leaves it, as encoding/json ignores a null for such a field, where it sets a pointer, map or
    slice to nil. Without recursion; every object and array is a copy, so that `value` keeps its
    earlier values for their type checks."""
    if type(value) is not RepeatedKeys:
        return value
    root = _fields_merged(value, value_structs)
    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        for key, child in list(item.items() if isinstance(item, dict) else enumerate(item)):
            if type(child) is RepeatedKeys:
                child = item[key] = _fields_merged(child)
            elif isinstance(child, (dict, list)):
                child = item[key] = type(child)(child)
            if isinstance(child, (dict, list)):
                stack.append(child)
    return root


def _fields_merged(obj: RepeatedKeys, value_structs: frozenset[str] = frozenset()) -> dict:
    """`obj` as a plain dict whose every key holds its writes decoded one into another as into a
    struct field (what they hold may be a RepeatedKeys still); a null leaves the object of a key
    in `value_structs`."""
    fields = dict(obj)
    for key, earlier in obj.shadowed.items():
        held, owned = earlier[0], False
        for written in (*earlier[1:], obj[key]):
            if written is None and key in value_structs and isinstance(held, dict):
                continue
            if isinstance(held, dict) and isinstance(written, dict):
                if not owned:  # copied once, then written in place: a copy per write is quadratic
                    held, owned = repeated(held), True
                write_all(held, written)
            else:
                held, owned = written, False
        fields[key] = held
    return fields


def repeated(obj: dict) -> RepeatedKeys:
    """`obj` as a RepeatedKeys of its own: the same values, a copy of what it shadowed (so that
    writing into it leaves `obj` as it was)."""
    marked = RepeatedKeys(obj)
    marked.shadowed = {key: list(values) for key, values in getattr(obj, "shadowed", {}).items()}
    return marked


def plain(value: object) -> object:
    """`value` with every RepeatedKeys in it made a plain dict of its last values (what it shadowed
    dropped, as a map[string]interface{} decodes a key written twice): what is stored and served
    holds JSON types only. Only a root that is a RepeatedKeys is looked into."""
    if type(value) is not RepeatedKeys:
        return value
    root = dict(value)
    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        members = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in list(members):
            if isinstance(child, (dict, list)):
                if type(child) is RepeatedKeys:
                    child = item[key] = dict(child)
                stack.append(child)
    return root


@mirrors("sigs.k8s.io/json.UnmarshalCaseSensitivePreserveInts")
def decode_json(data: bytes, max_depth: int = MAX_PROCESSED_DEPTH, into_struct: bool = False) -> object:
    """JSON text to Python values; DecodeError for bad JSON or for nesting past `max_depth`
    (at most upstream's 10,000). Past what Python's recursive decoder takes, it decodes with
    an explicit stack: the caller must then bring the value within MAX_PROCESSED_DEPTH (by
    pruning it to its kind's schema) or refuse it, before recursive code walks it.

    Python's decoder runs first (it refuses nesting past the recursion limit with a
    RecursionError, it does not crash); the depth is measured only of a body long enough to
    nest past `max_depth`, each level taking at least two bytes. A body decoded `into_struct`
    (a built-in kind's) keeps every value of a key written twice (`RepeatedKeys`) for the kind's
    schema to decide what they make."""
    text = data.decode("utf-8", "replace")  # encoding/json turns invalid UTF-8 into U+FFFD
    repeats: list[RepeatedKeys] = []

    def object_noting_repeats(pairs: list[tuple[str, object]]) -> dict:
        obj = _object_of_pairs(pairs)
        if type(obj) is RepeatedKeys:
            repeats.append(obj)
        return obj

    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_int,
                           object_pairs_hook=object_noting_repeats if into_struct else None)
    except RecursionError:
        check_depth(nesting_depth(data), max_depth)
        repeats.clear()  # what the recursive decoder met before it gave up
        try:
            value = _without_lone_surrogates(_decode_deep(text, into_struct=into_struct, repeats=repeats))
        except ValueError as err:
            raise DecodeError(str(err)) from None
        return repeated(value) if repeats and type(value) is dict else value
    except ValueError as err:
        raise DecodeError(str(err)) from None
    if len(data) > 2 * max_depth:
        check_depth(nesting_of(value), max_depth)
    if repeats and type(value) is dict:
        value = repeated(value)  # a repeat inside: `plain` must look through the body
    return _without_lone_surrogates(value) if _SURROGATE_ESCAPE.search(data) else value


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _fix_string(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _without_lone_surrogates(value: object) -> object:
    """`value` with every unpaired surrogate (`"\\ud800"`) in its strings and keys replaced by
    U+FFFD, as encoding/json decodes it; Python keeps them, and no UTF-8 encoder takes them."""
    if isinstance(value, str):
        return _fix_string(value)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in list(item):
                child = item.pop(key) if _fix_string(key) != key else item[key]
                item[_fix_string(key)] = _fix_string(child) if isinstance(child, str) else child
                stack.append(child)
        elif isinstance(item, list):
            for index, child in enumerate(item):
                if isinstance(child, str):
                    item[index] = _fix_string(child)
                stack.append(child)
    return value


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"(-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)|true|false|null")


def decode_type_meta_json(data: bytes) -> object:
    """JSON that is known to be good, decoded at any depth with any number (past float64 as
    inf): for reading its apiVersion and kind, as Interpret does, once the map decoder refused a
    number in it."""
    text = data.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except RecursionError:
        return _decode_deep(text, real=float)


def _decode_deep(text: str, real: Callable[[str], float] | None = None, into_struct: bool = False,
                 repeats: list[RepeatedKeys] | None = None) -> object:
    """json.loads without recursion: containers on an explicit stack, strings by json's own
    scanner, numbers and literals by a regular expression of JSON's grammar (a number with a
    fraction or an exponent read by `real`, by default refusing one past float64). `into_struct`
    keeps every value of a key written twice as `decode_json` does, each such object made a
    RepeatedKeys noted in `repeats`."""
    real = real or _finite_float
    stack: list[tuple[object, str | None]] = []  # (open container, the key its next value goes to)
    index = _WHITESPACE.match(text, 0).end()
    while True:
        if index >= len(text):
            raise ValueError("unexpected end of JSON input")
        char = text[index]
        if char in "{[":
            container: object = {} if char == "{" else []
            index = _WHITESPACE.match(text, index + 1).end()
            if text.startswith("}" if char == "{" else "]", index):
                value, index = container, index + 1
            else:
                if char == "{":
                    key, index = _object_key(text, index)
                    stack.append((container, key))
                else:
                    stack.append((container, None))
                continue
        elif char == '"':
            value, index = scanstring(text, index + 1, True)
        else:
            match = _SCALAR.match(text, index)
            if not match:
                raise ValueError(f"invalid character {char!r} looking for beginning of value at {index}")
            token = match.group(0)
            if match.group(1):
                value = real(token) if match.group(2) or match.group(3) else _int(token)
            else:
                value = {"true": True, "false": False, "null": None}[token]
            index = match.end()
        # `value` is complete: put it into its container, closing every container it completes.
        while True:
            if not stack:
                if _WHITESPACE.match(text, index).end() != len(text):
                    raise ValueError(f"invalid character after top-level value at {index}")
                return value
            container, key = stack[-1]
            if key is None:
                container.append(value)
            elif into_struct and key in container:
                if type(container) is not RepeatedKeys:
                    container = repeated(container)
                    stack[-1] = (container, key)
                    if repeats is not None:
                        repeats.append(container)
                write(container, key, value)
            else:
                container[key] = value
            index = _WHITESPACE.match(text, index).end()
            closing = "}" if key is not None else "]"
            if text.startswith(",", index):
                index = _WHITESPACE.match(text, index + 1).end()
                if key is not None:
                    key, index = _object_key(text, index)
                    stack[-1] = (container, key)
                break
            if not text.startswith(closing, index):
                raise ValueError(f"expected ',' or {closing!r} at {index}")
            stack.pop()
            value, index = container, index + 1


def _object_key(text: str, index: int) -> tuple[str, int]:
    """An object key and the index after its colon."""
    if not text.startswith('"', index):
        raise ValueError(f"expected a string key at {index}")
    key, index = scanstring(text, index + 1, True)
    index = _WHITESPACE.match(text, index).end()
    if not text.startswith(":", index):
        raise ValueError(f"expected ':' after object key at {index}")
    return key, _WHITESPACE.match(text, index + 1).end()


def nesting_of(value: object) -> int:
    """How deep lists and dicts nest in a decoded value, without recursion: one level at a time,
    each a list built in one comprehension, which costs a body's every value far less than a
    stack of (value, depth) pairs."""
    depth, level = 0, [value]
    while True:
        containers = [item for item in level if isinstance(item, (dict, list))]
        if not containers:
            return depth
        depth += 1
        level = [child for container in containers
                 for child in (container.values() if isinstance(container, dict) else container)]


def _finite_float(token: str) -> float:
    """A JSON number as a float; one past float64's range is an error, as in Go."""
    value = float(token)
    if not math.isfinite(value):
        raise ValueError(f"json: cannot unmarshal number {token} into Go value of type float64")
    return gojson.number_literal(token, value)


def _int(token: str) -> int:
    """A JSON integer; one past int64 is a float64 to Go, so one past float64's range is the same
    error as for a float (and never reaches int(), which refuses over 4,300 digits)."""
    if len(token) > 20:
        _finite_float(token)
    return int(token)


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
    """Composes the node graph only; values are built by `decode_yaml` without recursion. What
    go-yaml refuses and PyYAML takes is refused while composing: a %YAML directive other than
    1.1, and an alias inside the node its anchor names."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._open_anchors: set[str] = set()
        self._key_levels: list[int] = []  # a heap of the flow levels with a possible simple key
        # Where an alias stands, as (id of its collection, index, 0 for an item or key, 1 for a
        # value): PyYAML puts the anchored node itself there, go-yaml an alias node it counts.
        self.alias_slots: set[tuple[int, int, int]] = set()
        self.plain_end: tuple[int, int] | None = None  # where the last plain scalar stopped, its indent

    def scan_plain(self):
        token = super().scan_plain()
        self.plain_end = (self.index, self.indent + 1)
        return token

    # PyYAML looks through every possible simple key at every token, one per open flow level:
    # quadratic in the nesting. The oldest key is the one of the lowest level (PyYAML's own note),
    # and keys go stale oldest first, so a heap of the levels finds both at once.
    def save_possible_simple_key(self):
        super().save_possible_simple_key()
        if self.flow_level in self.possible_simple_keys:
            heapq.heappush(self._key_levels, self.flow_level)

    def _oldest_simple_key_level(self) -> int | None:
        levels = self._key_levels
        while levels and levels[0] not in self.possible_simple_keys:
            heapq.heappop(levels)
        return levels[0] if levels else None

    def next_possible_simple_key(self):
        level = self._oldest_simple_key_level()
        return None if level is None else self.possible_simple_keys[level].token_number

    def stale_possible_simple_keys(self):
        while (level := self._oldest_simple_key_level()) is not None:
            key = self.possible_simple_keys[level]
            if key.line == self.line and self.index - key.index <= 1024:
                return
            if key.required:
                raise yaml.scanner.ScannerError("while scanning a simple key", key.mark,
                                                "could not find expected ':'", self.get_mark())
            del self.possible_simple_keys[level]

    @mirrors("gopkg.in/yaml.v2.yaml_parser_increase_flow_level")
    def fetch_flow_collection_start(self, TokenClass):
        if self.flow_level >= MAX_YAML_DEPTH:
            mark = self.get_mark()
            raise yaml.scanner.ScannerError("while increasing flow level", mark,
                                            f"exceeded max depth of {MAX_YAML_DEPTH}", mark)
        return super().fetch_flow_collection_start(TokenClass)

    @mirrors("gopkg.in/yaml.v2.yaml_parser_roll_indent")
    def add_indent(self, column):
        if self.indent < column and len(self.indents) >= MAX_YAML_DEPTH:
            mark = self.get_mark()
            raise yaml.scanner.ScannerError("while increasing indent level", mark,
                                            f"exceeded max depth of {MAX_YAML_DEPTH}", mark)
        return super().add_indent(column)

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            return _resolve_plain(self, value)
        return super().resolve(kind, value, implicit)

    @mirrors("gopkg.in/yaml.v2.yaml_parser_process_directives")
    def process_directives(self):
        if self.check_token(yaml.DirectiveToken):
            token = self.peek_token()
            if token.name == "YAML" and token.value != (1, 1):
                raise yaml.YAMLError("found incompatible YAML document")
        return super().process_directives()

    @mirrors("(*gopkg.in/yaml.v2.parser).parse", "(*gopkg.in/yaml.v2.decoder).alias")
    def compose_node(self, parent, index):
        """PyYAML's Composer.compose_node with an explicit stack instead of recursion (the scanner
        bounds nesting at go-yaml's 10,000, far past Python's recursion limit); an alias inside the
        node its anchor names is refused as go-yaml refuses it."""
        stack: list[list] = []  # open collections: [node, pending mapping key or None, anchor]
        while True:
            aliased = self.check_event(yaml.AliasEvent)
            if aliased:
                event = self.get_event()
                if event.anchor in self._open_anchors:
                    raise yaml.YAMLError(f"anchor '{event.anchor}' value contains itself")
                if event.anchor not in self.anchors:
                    raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                                      event.start_mark)
                node = self.anchors[event.anchor]
            else:
                event = self.peek_event()
                anchor = event.anchor
                if anchor is not None and anchor in self.anchors:
                    raise yaml.composer.ComposerError(
                        f"found duplicate anchor {anchor!r}; first occurrence", self.anchors[anchor].start_mark,
                        "second occurrence", event.start_mark)
                if self.check_event(yaml.ScalarEvent):
                    node = self.compose_scalar_node(anchor)
                else:
                    start = self.get_event()
                    sequence = isinstance(start, yaml.SequenceStartEvent)
                    node_class = yaml.SequenceNode if sequence else yaml.MappingNode
                    tag = start.tag
                    if tag is None or tag == "!":
                        tag = self.resolve(node_class, None, start.implicit)
                    node = node_class(tag, [], start.start_mark, None, flow_style=start.flow_style)
                    if anchor is not None:
                        self.anchors[anchor] = node
                        self._open_anchors.add(anchor)
                    stack.append([node, None, anchor])
                    node = None
            # Put the finished node into its collection; close every collection that ends here.
            while True:
                if node is not None:
                    if not stack:
                        return node
                    top = stack[-1]
                    if aliased:
                        part = int(isinstance(top[0], yaml.MappingNode) and top[1] is not None)
                        self.alias_slots.add((id(top[0]), len(top[0].value), part))
                        aliased = False
                    if isinstance(top[0], yaml.SequenceNode):
                        top[0].value.append(node)
                    elif top[1] is None:
                        top[1] = node
                    else:
                        top[0].value.append((top[1], node))
                        top[1] = None
                if not self.check_event(yaml.SequenceEndEvent, yaml.MappingEndEvent):
                    break
                node, _, anchor = stack.pop()
                node.end_mark = self.get_event().end_mark
                self._open_anchors.discard(anchor)


# go-yaml v2's resolve table reads y, Y, n and N as booleans too, which PyYAML's YAML 1.1 resolver
# leaves strings.
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
_INT_TAG, _FLOAT_TAG, _STR_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:str"


@mirrors("gopkg.in/yaml.v2.resolve")
def _resolve_plain(loader: _Loader, value: str) -> str:
    """The tag of a plain scalar: go-yaml's own rules for numbers (strconv's, not YAML 1.1's, so
    `1e3` and `0o17` are numbers and `1:30` a string), PyYAML's for the rest, where the two agree."""
    if value[:1] in "0123456789+-." and value:
        number = _go_number(value)
        if number is not None:
            return _FLOAT_TAG if isinstance(number, float) else _INT_TAG
        tag = yaml.SafeLoader.resolve(loader, yaml.ScalarNode, value, (True, False))
        # .inf and .nan (go-yaml's map) and timestamps (strings to an interface{}) are left to PyYAML.
        return tag if tag not in (_INT_TAG, _FLOAT_TAG) or value.lstrip("+-").lower() in (".inf", ".nan") else _STR_TAG
    return yaml.SafeLoader.resolve(loader, yaml.ScalarNode, value, (True, False))


_GO_INT = re.compile(r"^[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")


@mirrors("gopkg.in/yaml.v2.resolve")
def _go_number(value: str) -> int | float | None:
    """The number go-yaml makes of a plain scalar (its underscores dropped): what strconv.ParseInt
    or ParseUint read with base 0 (0x, 0o, 0b and a leading 0 for octal), else a float written as
    yamlStyleFloat allows that ParseFloat reads in range; None for a string."""
    plain = value.replace("_", "")
    if value[:1] == ".":
        plain = value  # a '.' hint: ParseFloat of the text as written
        try:
            number = float(plain)
        except ValueError:
            return None
        return number if math.isfinite(number) and _YAML_STYLE_FLOAT.match(plain) else None
    if _GO_INT.match(plain):
        sign, digits = (-1 if plain[0] == "-" else 1), plain.lstrip("+-")
        base = {"x": 16, "o": 8, "b": 2}.get(digits[1:2].lower(), 8 if digits[:1] == "0" and len(digits) > 1 else 10)
        # Decimal digits past uint64's 20 are out of range (and past 4,300 int() refuses them).
        number = sign * int(digits[2:] if base != 10 and digits[1:2].isalpha() else digits, base) \
            if base != 10 or len(digits) <= 20 else 2**64
        if -2**63 <= number < 2**63 or (plain[0] != "+" and sign > 0 and number < 2**64):
            return number
    if _YAML_STYLE_FLOAT.match(plain):
        number = float(plain)
        return number if math.isfinite(number) else None  # ParseFloat's range error: a string
    return None
_GO_YAML_BOOLS = {"y": True, "yes": True, "true": True, "on": True, "n": False, "no": False, "false": False, "off": False}


# PyYAML's problems (it is a port of libyaml, as go-yaml is) and go-yaml's words for them, by the
# start of PyYAML's text and, where one text stands for two, the context it was met in.
_GO_YAML_PROBLEMS = [
    ("expected the node content", None, "did not find expected node content"),
    ("expected ',' or '}'", None, "did not find expected ',' or '}'"),
    ("expected ',' or ']'", None, "did not find expected ',' or ']'"),
    ("expected <block end>", "while parsing a block collection", "did not find expected '-' indicator"),
    ("expected <block end>", "while parsing a block mapping", "did not find expected key"),
    ("found undefined tag handle", None, "found undefined tag handle"),
    ("mapping values are not allowed here", None, "mapping values are not allowed in this context"),
    ("could not find expected ':'", None, "could not find expected ':'"),
    ("found unexpected end of stream", None, "found unexpected end of stream"),
    ("found character", None, "found character that cannot start any token"),
    ("sequence entries are not allowed here", None, "block sequence entries are not allowed in this context"),
    (f"exceeded max depth of {MAX_YAML_DEPTH}", None, f"exceeded max depth of {MAX_YAML_DEPTH}"),
]


@mirrors("(*gopkg.in/yaml.v2.parser).fail", "(*gopkg.in/yaml.v2.parser).alias",
         "gopkg.in/yaml.v2.yaml_parser_scan_plain_scalar")
def _go_yaml_problem(err: yaml.MarkedYAMLError, end: int, plain_end: tuple[int, int] | None = None) -> str | None:
    """go-yaml's message for what PyYAML refused, None where its words are not known: the problem,
    after "line N: " for the problem's 0-based line (a scanner's plus one) or else the context's,
    when that is not 0. go-yaml puts the end of the stream (at index `end`) on a line of its own.
    A tab that starts a line left of a plain scalar's indent (`plain_end`: where the scalar
    stopped, and that indent) is go-yaml's own refusal, met while it scans the scalar."""
    problem = err.problem or ""
    mark = err.problem_mark
    if problem.startswith("found character '\\t'") and plain_end is not None and mark is not None \
            and mark.index == plain_end[0] and mark.column < plain_end[1]:
        return f"line {mark.line + 1}: found a tab character that violates indentation"
    if isinstance(err, yaml.composer.ComposerError) and problem.startswith("found undefined alias"):
        return f"unknown anchor {problem.removeprefix('found undefined alias ')} referenced"
    words = next((go for start, context, go in _GO_YAML_PROBLEMS
                  if problem.startswith(start) and context in (None, err.context)), None)
    if words is None:
        return None
    mark = err.problem_mark
    line = mark.line if mark is not None else 0
    at_stream_end = "<stream end>" in problem or words == "could not find expected ':'"
    if at_stream_end and mark is not None and mark.index == end and mark.column:
        line += 1
    if line:
        line += isinstance(err, yaml.scanner.ScannerError)
    elif err.context_mark is not None:
        line = err.context_mark.line
    return f"line {line}: {words}" if line else words


@mirrors("sigs.k8s.io/yaml.YAMLToJSON", "(*gopkg.in/yaml.v2.decoder).unmarshal")
def decode_yaml(data: bytes, max_depth: int = MAX_PROCESSED_DEPTH) -> object:
    """The first YAML document to the JSON-compatible value sigs.k8s.io/yaml would produce; go-yaml's
    Unmarshal reads no further, so what follows a `---` is not looked at. go-yaml's scanner takes
    flow collections and indentation 10,000 deep each; the value may nest up to `max_depth` (as
    for `decode_json`, a caller that prunes it to its kind's schema takes upstream's 10,000)."""
    try:
        loader = _Loader(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise DecodeError(f"yaml: invalid UTF-8: {err}") from None
    except yaml.YAMLError as err:  # the reader refuses control characters up front
        raise DecodeError(f"yaml: {err}") from None
    try:
        node = loader.get_node() if loader.check_node() else None
    except RecursionError:
        raise DecodeError(f"yaml: exceeded max depth of {MAX_PROCESSED_DEPTH}") from None
    except yaml.MarkedYAMLError as err:
        raise DecodeError(f"yaml: {_go_yaml_problem(err, len(loader.buffer) - 1, loader.plain_end) or err}") from None
    except yaml.YAMLError as err:
        raise DecodeError(f"yaml: {err}") from None
    finally:
        loader.dispose()
    if node is None:
        return None
    _check_aliasing(node, loader.alias_slots)
    return _without_lone_surrogates(_to_json(node, loader, max_depth))


def _to_json(root: yaml.Node, loader: _Loader, max_depth: int = MAX_PROCESSED_DEPTH) -> object:
    """Build the value of `root` with an explicit stack (it visits no more nodes than
    `_check_aliasing` allows)."""
    result: list[object] = []
    # (node, container, key, depth): put the value of node into container[key]
    stack: list[tuple[yaml.Node, object, object, int]] = [(root, result, None, 1)]
    while stack:
        node, container, key, depth = stack.pop()
        if depth > max_depth:
            raise DecodeError(f"yaml: the object is nested more than {max_depth} levels deep")
        if isinstance(node, yaml.ScalarNode):
            value = _scalar(node, loader)
            if isinstance(value, float) and not math.isfinite(value):  # json.Marshal's refusal
                raise DecodeError(f"json: unsupported value: {format_float(value)}")
            if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
                value = int(value)  # json.Marshal writes the float64 as an integer, which an int field takes
        elif isinstance(node, yaml.SequenceNode):
            value = [None] * len(node.value)
            stack.extend((item, value, index, depth + 1) for index, item in enumerate(node.value))
        else:
            value = {}
            # YAMLToJSON writes the map go-yaml made with json.Marshal: its keys sorted.
            named = [(_key(key_node, value_node, loader), value_node)
                     for key_node, value_node in _last_of_each_key(_with_merges(node, depth, max_depth), loader)]
            for name, value_node in sorted(named, key=lambda pair: pair[0]):
                value[name] = None
                stack.append((value_node, value, name, depth + 1))
        if container is result:
            result.append(value)
        else:
            container[key] = value
    return result[0]


@mirrors("(*gopkg.in/yaml.v2.decoder).unmarshal", "(*gopkg.in/yaml.v2.decoder).alias")
def _check_aliasing(root: yaml.Node, alias_slots: set[tuple[int, int, int]]) -> None:
    """Walk the document as go-yaml's decoder does (in order, every key and value, a value later
    overridden and every merged map too) and count as it counts: each node decoded, and each one
    decoded inside an alias's expansion as aliased; past the allowed ratio the document is refused
    ("billion laughs", merges of merges included), so that the walk, and building the value after
    it, is bounded work."""
    decode_count, alias_count = 1, 0  # the document node
    # (node, whether it stands inside an alias's expansion, whether it stands where an alias is)
    stack: list[tuple[yaml.Node, bool, bool]] = [(root, False, False)]
    while stack:
        node, in_alias, at_alias = stack.pop()
        for _ in range(1 + at_alias):  # the alias node, then the node it names, inside the alias
            decode_count += 1
            alias_count += in_alias
            if alias_count > 100 and decode_count > 1000 and \
                    alias_count / decode_count > allowed_alias_ratio(decode_count):
                raise DecodeError("yaml: document contains excessive aliasing")
            in_alias = in_alias or at_alias
        children = [(child, (id(node), index, 0)) for index, child in enumerate(node.value)] \
            if isinstance(node, yaml.SequenceNode) else \
            _decoded_children(node) if isinstance(node, yaml.MappingNode) else []
        stack.extend((child, in_alias, slot in alias_slots) for child, slot in reversed(children))


def _decoded_children(node: yaml.MappingNode) -> list[tuple[yaml.Node, tuple[int, int, int]]]:
    """The nodes go-yaml's mapping decodes, in order, with where each stands: a key and its value,
    or for a merge key (which it does not decode) the merged map, or a merged sequence's items
    from the last to the first."""
    children = []
    for index, (key_node, value_node) in enumerate(node.value):
        if key_node.tag != _MERGE_TAG:
            children += [(key_node, (id(node), index, 0)), (value_node, (id(node), index, 1))]
        elif isinstance(value_node, yaml.SequenceNode):
            children += [(item, (id(value_node), item_index, 0))
                         for item_index, item in reversed(list(enumerate(value_node.value)))]
        else:
            children.append((value_node, (id(node), index, 1)))
    return children


@mirrors("(*gopkg.in/yaml.v2.decoder).mapping")
def _with_merges(node: yaml.MappingNode, depth: int, max_depth: int) -> list[tuple[yaml.Node, yaml.Node]]:
    """A mapping's pairs in the order go-yaml sets them: a merge key (`<<`) sets the merged map's
    pairs where it stands, so it overrides a key written before it and a key after it overrides
    the merge (not the YAML spec's rule, where explicit keys always win). Merges nest without
    recursion; each merged map counts as one level deeper toward `max_depth`, as a map in a map
    does (go-yaml's parser bounds both at 10,000)."""
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    # The mappings being read, innermost last: the rest of each one's pairs, and its depth.
    stack = [(iter(node.value), depth)]
    while stack:
        rest, at = stack[-1]
        pair = next(rest, None)
        if pair is None:
            stack.pop()
        elif pair[0].tag != _MERGE_TAG:
            pairs.append(pair)
        else:
            for merged in _merged_maps(pair[1]):
                if at + 1 > max_depth:
                    raise DecodeError(f"yaml: the object is nested more than {max_depth} levels deep")
                stack.append((iter(merged.value), at + 1))
    return pairs


_MERGE_TAG = "tag:yaml.org,2002:merge"


@mirrors("(*gopkg.in/yaml.v2.decoder).merge")
def _merged_maps(node: yaml.Node) -> list[yaml.MappingNode]:
    """The maps a merge sets, in the order they are to be read off a stack: of a sequence of maps
    go-yaml sets the last first, so that of two merged maps the first wins."""
    if isinstance(node, yaml.MappingNode):
        return [node]
    if isinstance(node, yaml.SequenceNode) and all(isinstance(item, yaml.MappingNode) for item in node.value):
        return node.value
    raise DecodeError("yaml: map merge requires map or sequence of maps as the value")


@mirrors("(*gopkg.in/yaml.v2.decoder).mapping")
def _last_of_each_key(pairs: list[tuple[yaml.Node, yaml.Node]], loader: _Loader) -> list[tuple[yaml.Node, yaml.Node]]:
    """A mapping's pairs, a key written twice keeping its last value as go-yaml's map does; a
    sequence or mapping as a key is refused in go-yaml's words."""
    last: dict[object, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in pairs:
        if not isinstance(key_node, yaml.ScalarNode):
            raise DecodeError(f"yaml: invalid map key: {_go_value(_to_json(key_node, loader))}")
        # Keys are the same when they read the same (`1` and `0x1`, `true` and `yes`), as in
        # go-yaml's map[interface{}]interface{}, whose int 1 and bool true stay two keys.
        resolved = _scalar(key_node, loader)
        same = (type(resolved), resolved)
        last.pop(same, None)
        last[same] = (key_node, value_node)
    return list(last.values())


@mirrors("(*gopkg.in/yaml.v2.decoder).scalar")
def _scalar(node: yaml.ScalarNode, loader: _Loader) -> object:
    """A scalar as JSON has it: null, bool, int and float resolved as YAML 1.1 does, !!binary
    base64-decoded; everything else (timestamps, tagged strings) stays the string it was written as."""
    tag = node.tag.rsplit(":", 1)[-1]
    if tag in ("bool", "null", "int", "float"):
        # go-yaml resolves the text as if untagged, then refuses a tag the text is not (an integer
        # may be tagged a float).
        resolved = _resolve_plain(loader, node.value).rsplit(":", 1)[-1]
        resolved = "str" if resolved == "timestamp" else resolved
        if resolved != tag and (tag, resolved) != ("float", "int"):
            raise DecodeError(f"yaml: cannot decode !!{resolved} `{node.value}` as a !!{tag}")
    if tag == "bool":
        return _GO_YAML_BOOLS[node.value.lower()]
    number = _go_number(node.value) if tag in ("int", "float") else None
    if number is not None:
        return float(number) if tag == "float" else number  # an !!float integer is a float64
    if tag in ("null", "int", "float"):
        try:
            value = getattr(SafeConstructor, f"construct_yaml_{tag}")(loader, node)
        except (ValueError, yaml.YAMLError) as err:
            raise DecodeError(f"yaml: invalid {tag} {node.value!r}: {err}") from None
        if isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**64:
            return float(value)  # go-yaml's resolve: what ParseInt and ParseUint refuse, ParseFloat reads
        return value
    if tag == "binary":
        try:
            return base64.b64decode(node.value.encode(), validate=True).decode("utf-8", "replace")
        except (ValueError, binascii.Error):
            raise DecodeError("yaml: !!binary value contains invalid base64 data") from None
    return node.value


@mirrors("sigs.k8s.io/yaml.convertToJSONableObject")
def _key(node: yaml.ScalarNode, value_node: yaml.Node, loader: _Loader) -> str:
    """Mapping keys become strings, as YAMLToJSON writes them (`1` -> "1", `true` -> "true"); a
    null key it refuses."""
    value = _scalar(node, loader)
    if value is None:
        of = _to_json(value_node, loader)
        raise DecodeError(f"Unsupported map key of type: %!s(<nil>), key: <nil>, "
                          f"value: {'<nil>' if of is None else _go_value(of)}")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = _float32_shortest_g(value)
        return _FLOAT_KEYS.get(text, text)
    return str(value)


# convertToJSONableObject writes the float keys FormatFloat spells in Go's words as YAML does.
_FLOAT_KEYS = {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}


@mirrors("strconv.FormatFloat")
def _float32_shortest_g(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 32), as convertToJSONableObject writes a float key: the
    fewest digits that read back as the same float32, in %e form for an exponent below -4 or from 6."""
    single = struct.unpack("f", struct.pack("f", value))[0]
    if math.isnan(single):
        return "NaN"
    if math.isinf(single):  # past float32's range: the conversion makes an infinity
        return "+Inf" if single > 0 else "-Inf"
    for precision in range(1, 10):
        text = f"{single:.{precision - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    mantissa, exponent = text.split("e")
    digits, exponent = mantissa.replace(".", "").lstrip("-").rstrip("0") or "0", int(exponent)
    sign = "-" if mantissa.startswith("-") else ""
    if exponent < -4 or exponent >= 6:
        fraction = f".{digits[1:]}" if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{fraction}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    whole = digits[:exponent + 1].ljust(exponent + 1, "0")
    return f"{sign}{whole}" + (f".{digits[exponent + 1:]}" if len(digits) > exponent + 1 else "")


def _go_value(value: object) -> str:
    """A decoded YAML value as Go's %#v prints the interface{} go-yaml made of it."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return gojson.quote(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_go_value(item) for item in value) + "}"
    if isinstance(value, dict):
        pairs = ", ".join(f"{_go_value(k)}:{_go_value(v)}" for k, v in value.items())
        return "map[interface {}]interface {}{" + pairs + "}"
    return str(value)
