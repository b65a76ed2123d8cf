"""The sizes the apiserver accepts: a request body, query integers, watch timeouts, and objects
(ConfigMap and Secret data, annotations), with the errors upstream answers when they are passed.
"""
from __future__ import annotations

import binascii

from reference_impl.apiserver.core import errors
from reference_impl.mirrors import mirrors

MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
# Query integers are Go int64s; a larger one is a client's mistake, not a value to pass on to etcd.
MAX_INT64 = 2**63 - 1
# --min-request-timeout's default: a watch without timeoutSeconds ends after one to two times this.
MIN_REQUEST_TIMEOUT_SECONDS = 1800
# core.MaxSecretSize: what the data of one ConfigMap or Secret may hold.
MAX_SECRET_SIZE = 1024 * 1024


def too_large() -> errors.StatusError:
    return errors.request_entity_too_large(f"limit is {MAX_REQUEST_BODY_BYTES}")


def too_large_for_storage(err: Exception) -> errors.StatusError:
    """etcd's "request is too large" is the client's object being too big: 413, not a 500."""
    return errors.request_entity_too_large(f"the object is too large to store: {err}")


def _decoded_size(value: object) -> int:
    if not isinstance(value, str):
        return 0
    try:
        return len(binascii.a2b_base64(value))
    except binascii.Error:
        return len(value)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateConfigMap",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateSecret")
def size_problems(kind: str, obj: dict) -> list[str]:
    """A ConfigMap's keys and values (data and binaryData) or a Secret's decoded data over 1 MiB
    is 422 Invalid, as the validation of both kinds says."""
    problems: list[str] = []
    if kind == "ConfigMap":
        total = sum(len(key) + len(value.encode("utf-8", "surrogateescape"))
                    for key, value in (obj.get("data") or {}).items() if isinstance(value, str))
        total += sum(len(key) + _decoded_size(value) for key, value in (obj.get("binaryData") or {}).items())
        where = "[]"
    elif kind == "Secret":
        total = sum(_decoded_size(value) for value in (obj.get("data") or {}).values())
        total += sum(len(value.encode("utf-8", "surrogateescape"))
                     for value in (obj.get("stringData") or {}).values() if isinstance(value, str))
        where = "data"
    else:
        return problems
    if total > MAX_SECRET_SIZE:
        problems.append(f"{where}: Too long: must have at most {MAX_SECRET_SIZE} bytes")
    return problems


@mirrors("k8s.io/apiserver/pkg/api/validation/path.IsValidPathSegmentName",
         "k8s.io/apiserver/pkg/registry/generic/registry.NamespaceKeyFunc")
def check_path_segment(name: str) -> None:
    """A name that would make another etcd key than its own — `.`, `..`, or one holding `/` or `%`
    — is 400 before storage is asked. The namespace is not checked: a request naming namespace
    `..` reads a key of no namespace and finds nothing (404)."""
    if name in (".", ".."):
        problem = f"may not be '{name}'"
    elif "/" in name or "%" in name:
        problem = f"may not contain '{'/' if '/' in name else '%'}'"
    else:
        return
    raise errors.bad_request(f'Name parameter invalid: "{name}": {problem}')
