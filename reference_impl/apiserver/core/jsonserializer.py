"""Objects to JSON bytes for storage, responses and watch events, and stored bytes back: the
apiserver's hottest encoder and decoder, through `machinery.jsonbytes` (orjson, with the standard
library for what orjson would refuse or change). A response may also be YAML, as the same
serializer writes it in its yaml mode."""
from __future__ import annotations

import re
from typing import Any

import yaml

from reference_impl.machinery import gojson, jsonbytes
from reference_impl.mirrors import mirrors


# A JSON text as the tokens json.Indent tells apart: a string, a bracket, a comma or colon, the rest.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[][{}:,]|[^][{}:,"]+')


# A lone low surrogate the standard library escaped: a byte that was no UTF-8, kept by a
# surrogateescape decoding; one after a high surrogate is the second half of a pair, one after a
# backslash is text.
_LONE_SURROGATE = re.compile(rb"(?<!\\ud[89ab][0-9a-f]{2})(?<!\\)\\ud[c-f][0-9a-f]{2}")


@mirrors("encoding/json.Marshal")
def encode(value: Any) -> bytes:
    """`value` as compact JSON, escaped as Go escapes it; a byte that is no UTF-8 is written as
    U+FFFD, as Go writes it."""
    data = jsonbytes.dumps(value)
    if b"\\ud" in data:
        data = _LONE_SURROGATE.sub(rb"\\ufffd", data)
    return gojson.marshal_escapes(data)


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Encode")
def encode_response(value: Any, pretty: bool = False) -> bytes:
    """`value` as a response body: compact JSON ended by the newline json.Encoder writes after
    it, or, from the pretty serializer, indented by two spaces with no newline after
    (json.MarshalIndent)."""
    return indent(encode(value)) if pretty else encode(value) + b"\n"


@mirrors("encoding/json.Indent")
def indent(compact: bytes) -> bytes:
    """Compact JSON laid out one member or element a line, two spaces a level; an empty object
    or array stays `{}` or `[]`."""
    out, depth, opened = [], 0, False
    for token in _TOKENS.findall(compact):
        if opened and token not in (b"}", b"]"):
            out.append(b"\n" + b"  " * depth)
        opened = False
        if token in (b"{", b"["):
            depth += 1
            opened = True
            out.append(token)
        elif token in (b"}", b"]"):
            depth -= 1
            if out[-1] not in (b"{", b"["):
                out.append(b"\n" + b"  " * depth)
            out.append(token)
        elif token == b",":
            out.append(b",\n" + b"  " * depth)
        elif token == b":":
            out.append(b": ")
        else:
            out.append(token)
    return b"".join(out)


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Decode")
def decode(raw: bytes) -> Any:
    """Stored JSON bytes as Python values, exactly as `json.loads` reads them."""
    return jsonbytes.loads(raw)


class _GoYAMLDumper(yaml.SafeDumper):
    """go-yaml v2's style where PyYAML's differs: a string that would read back as another type
    ("1", "true", "") is double-quoted, one with line breaks is a literal block. Any other string
    is left to the emitter, which (as libyaml's, which both derive from) writes it plain, else
    single-quoted (`': '` in a message), else double-quoted."""


@mirrors("(*gopkg.in/yaml.v2.encoder).stringv")
def _represent_str(dumper: _GoYAMLDumper, text: str) -> yaml.ScalarNode:
    if "\n" in text:
        style = "|"
    elif dumper.resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str":
        style = '"'
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_GoYAMLDumper.add_representer(str, _represent_str)


@mirrors("sigs.k8s.io/yaml.JSONToYAML")
def encode_yaml(value: Any) -> bytes:
    """`value` as the YAML the apiserver sends for `Accept: application/yaml`: the JSON encoding
    turned into block-style YAML with every map's keys sorted."""
    return yaml.dump(value, Dumper=_GoYAMLDumper, default_flow_style=False, sort_keys=True,
                     allow_unicode=True).encode()
