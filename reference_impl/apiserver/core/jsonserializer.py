"""Objects to JSON bytes for storage, responses and watch events, and stored bytes back: the
apiserver's hottest encoder and decoder, through `machinery.jsonbytes` (orjson, with the standard
library for what orjson would refuse or change). A response may also be YAML, as the same
serializer writes it in its yaml mode."""
from __future__ import annotations

from typing import Any

import yaml

from reference_impl.machinery import jsonbytes
from reference_impl.mirrors import mirrors


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Encode")
def encode(value: Any) -> bytes:
    """`value` as compact JSON."""
    return jsonbytes.dumps(value)


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Decode")
def decode(raw: bytes) -> Any:
    """Stored JSON bytes as Python values, exactly as `json.loads` reads them."""
    return jsonbytes.loads(raw)


class _GoYAMLDumper(yaml.SafeDumper):
    """go-yaml v2's style where PyYAML's differs: a string that needs quoting is double-quoted,
    one with line breaks is a literal block."""

    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


_GoYAMLDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


@mirrors("sigs.k8s.io/yaml.JSONToYAML")
def encode_yaml(value: Any) -> bytes:
    """`value` as the YAML the apiserver sends for `Accept: application/yaml`: the JSON encoding
    turned into block-style YAML with every map's keys sorted."""
    return yaml.dump(value, Dumper=_GoYAMLDumper, default_flow_style=False, sort_keys=True,
                     allow_unicode=True).encode()
