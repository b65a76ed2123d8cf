"""Objects to JSON bytes for storage, responses and watch events, and stored bytes back: the
apiserver's hottest encoder and decoder, through `machinery.jsonbytes` (orjson, with the standard
library for what orjson would refuse or change)."""
from __future__ import annotations

from typing import Any

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
