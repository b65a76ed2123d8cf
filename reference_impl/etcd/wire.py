"""The protobuf wire size of a request as etcd marshals it into a Raft entry, for its size limit.

etcd refuses a write whose InternalRaftRequest (a RequestHeader with the request id, then the
request) marshals to more than --max-request-bytes. The KV requests carry the large keys and
values, so theirs are sized exactly here, field by field as proto3 encodes them (fields at their
zero value left out; a compare's operand, a oneof member, always written); other requests are
small and sized by `messages.encoded_size`'s upper estimate. No protobuf import: the core stays
free of the wire library, and the adapter's test checks these sizes against it.
"""
from __future__ import annotations

from reference_impl.etcd.messages import (
    Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest, encoded_size)
from reference_impl.machinery.protowire import size_varint
from reference_impl.mirrors import mirrors

ETCDSERVERPB = "go.etcd.io/etcd/api/v3/etcdserverpb"

_SORT_ORDER = {"NONE": 0, "ASCEND": 1, "DESCEND": 2}
_SORT_TARGET = {"KEY": 0, "VERSION": 1, "CREATE": 2, "MOD": 3, "VALUE": 4}
_COMPARE_RESULT = {"EQUAL": 0, "GREATER": 1, "LESS": 2, "NOT_EQUAL": 3}
_COMPARE_TARGET = {"VERSION": 0, "CREATE": 1, "MOD": 2, "VALUE": 3, "LEASE": 4}
# InternalRaftRequest's field for each request, and RequestOp's member for each op.
_RAFT_FIELD = {RangeRequest: 3, PutRequest: 4, DeleteRangeRequest: 5, TxnRequest: 6}
_OP_FIELD = {RangeRequest: 1, PutRequest: 2, DeleteRangeRequest: 3, TxnRequest: 4}


@mirrors(f"(*{ETCDSERVERPB}.InternalRaftRequest).Size")
def raft_request_size(request: object, request_id: int, username: str = "",
                      auth_revision: int = 0) -> int:
    """InternalRaftRequest{Header: {ID: request_id, Username: username, AuthRevision:
    auth_revision}, <request>}'s marshalled size (the user and revision of a caller with a token)."""
    header = _int(request_id) + _bytes(username.encode()) + _int(auth_revision)
    size = 2 + size_varint(header) + header  # field 100: a two-byte tag
    field = _RAFT_FIELD.get(type(request))
    if field is None:
        return size + encoded_size(request)
    return size + _embedded(message_size(request))


def message_size(message: object) -> int:
    """A KV request's own marshalled size (no tag or length of its own)."""
    if isinstance(message, PutRequest):
        return (_bytes(message.key) + _bytes(message.value) + _int(message.lease)
                + _bool(message.prev_kv) + _bool(message.ignore_value) + _bool(message.ignore_lease))
    if isinstance(message, DeleteRangeRequest):
        return _bytes(message.key) + _bytes(message.range_end) + _bool(message.prev_kv)
    if isinstance(message, RangeRequest):
        return (_bytes(message.key) + _bytes(message.range_end) + _int(message.limit)
                + _int(message.revision) + _int(_enum(_SORT_ORDER, message.sort_order))
                + _int(_enum(_SORT_TARGET, message.sort_target)) + _bool(message.serializable)
                + _bool(message.keys_only) + _bool(message.count_only)
                + _int(message.min_mod_revision) + _int(message.max_mod_revision)
                + _int(message.min_create_revision) + _int(message.max_create_revision))
    if isinstance(message, TxnRequest):
        return (sum(_embedded(_compare_size(c)) for c in message.compare)
                + sum(_embedded(_op_size(op)) for op in (*message.success, *message.failure)))
    raise TypeError(f"cannot size {type(message).__name__}")


def _compare_size(c: Compare) -> int:
    size = (_int(_enum(_COMPARE_RESULT, c.result)) + _int(_enum(_COMPARE_TARGET, c.target))
            + _bytes(c.key))
    if c.range_end:
        size += 2 + size_varint(len(c.range_end)) + len(c.range_end)  # field 64: two-byte tag
    if isinstance(c.value, bytes):
        size += 1 + size_varint(len(c.value)) + len(c.value)
    elif c.target in _COMPARE_TARGET:
        size += 1 + size_varint(c.value)
    return size


def _op_size(op: RequestOp) -> int:
    if op.request is None:
        return 0
    return _embedded(message_size(op.request))


def _enum(names: dict[str, int], name: str) -> int:
    return names[name] if name in names else int(name)  # an undefined value is kept as its number


def _embedded(size: int) -> int:
    return 1 + size_varint(size) + size


def _bytes(value: bytes) -> int:
    return 1 + size_varint(len(value)) + len(value) if value else 0


def _int(value: int) -> int:
    return 1 + size_varint(value) if value else 0


def _bool(value: bool) -> int:
    return 2 if value else 0
