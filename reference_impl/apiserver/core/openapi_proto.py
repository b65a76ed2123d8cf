"""The gnostic `openapi_v2.Document` protobuf form of a Swagger 2.0 dict, for `/openapi/v2`.

kubectl 1.27 and later accept nothing but this protobuf for v2 (client-go's `OpenAPISchema()` only
decodes protobuf). This small writer covers the fields kubectl reads: definitions (type, format,
description, required, properties, items, additionalProperties, `$ref`, `x-kubernetes-*` vendor
extensions) and the operations' GVK extensions; field numbers are those of gnostic's
openapiv2/OpenAPIv2.proto, and anything else in the JSON is left out.
"""
from __future__ import annotations

from typing import Any, Iterable

import yaml

from reference_impl.apiserver.core.protobuf import put


def _bytes_field(number: int, payload: bytes) -> bytes:
    return put(number, 2, payload)


def _string(number: int, text: str) -> bytes:
    return _bytes_field(number, text.encode()) if text else b""


def _bool(number: int, flag: bool) -> bytes:
    return put(number, 0, 1) if flag else b""


def _messages(number: int, payloads: Iterable[bytes]) -> bytes:
    return b"".join(_bytes_field(number, payload) for payload in payloads)


def _named_any(name: str, value: Any) -> bytes:
    """NamedAny{name=1, value=2: Any{yaml=2}}: how gnostic keeps vendor extensions."""
    text = yaml.safe_dump(value, default_flow_style=False, sort_keys=True)
    return _string(1, name) + _bytes_field(2, _string(2, text))


def _extensions(number: int, obj: dict) -> bytes:
    return _messages(number, (_named_any(k, v) for k, v in sorted(obj.items()) if k.startswith("x-")))


def _pb_schema(node: dict) -> bytes:
    """An openapi_v2.Schema message for one JSON schema node."""
    out = [_string(1, node.get("$ref", "")), _string(2, node.get("format", "")),
           _string(4, node.get("description", ""))]
    out.append(b"".join(_string(19, name) for name in node.get("required", ())))
    additional = node.get("additionalProperties")
    if isinstance(additional, dict):
        out.append(_bytes_field(21, _bytes_field(1, _pb_schema(additional))))
    elif isinstance(additional, bool):
        out.append(_bytes_field(21, _bool(2, additional) or put(2, 0, 0)))
    if node.get("type"):
        types = node["type"] if isinstance(node["type"], list) else [node["type"]]
        out.append(_bytes_field(22, b"".join(_string(1, t) for t in types)))
    if isinstance(node.get("items"), dict):
        out.append(_bytes_field(23, _bytes_field(1, _pb_schema(node["items"]))))
    if node.get("properties"):
        named = (_string(1, name) + _bytes_field(2, _pb_schema(prop)) for name, prop in node["properties"].items())
        out.append(_bytes_field(25, _messages(1, named)))
    out.append(_extensions(31, node))
    return b"".join(out)


def _operation(operation: dict) -> bytes:
    responses = _messages(1, (_string(1, code) + _bytes_field(2, _bytes_field(1, _string(1, r.get("description", ""))))
                              for code, r in operation.get("responses", {}).items()))
    return (_string(5, operation.get("operationId", "")) + _bytes_field(9, responses)
            + _extensions(13, operation))


def _path_item(item: dict) -> bytes:
    numbers = {"get": 2, "put": 3, "post": 4, "delete": 5, "patch": 8}
    return b"".join(_bytes_field(numbers[verb], _operation(op)) for verb, op in item.items() if verb in numbers)


def protobuf_document(swagger: dict) -> bytes:
    """The whole openapi_v2.Document for a Swagger 2.0 dict."""
    info = swagger.get("info", {})
    paths = _messages(2, (_string(1, path) + _bytes_field(2, _path_item(item))
                          for path, item in swagger.get("paths", {}).items()))
    definitions = _messages(1, (_string(1, name) + _bytes_field(2, _pb_schema(node))
                                for name, node in swagger.get("definitions", {}).items()))
    return (_string(1, swagger.get("swagger", "2.0"))
            + _bytes_field(2, _string(1, info.get("title", "")) + _string(2, info.get("version", "")))
            + _bytes_field(8, paths) + _bytes_field(9, definitions))
