"""The etcdserverpb and mvccpb messages the reference etcd core speaks, as frozen dataclasses.

Field names follow the protobuf definitions (api/etcdserverpb/rpc.proto, api/mvccpb/kv.proto in
etcd v3.5.1) in snake_case, and enums are their protobuf names as strings ("PUT", "ASCEND",
"NOPUT"...), so an adapter converts a message field by field. A protobuf `oneof` becomes one
field holding whichever message is set (`RequestOp.request`, `ResponseOp.response`); a
`Compare`'s target_union is `Compare.value` (bytes for VALUE, an int for the other targets).
A request leaves out what the core never reads (`WatchRequest` framing, the auth header: the
adapter checks a request's token before the core sees it).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Union

from reference_impl.machinery.frozen import quick_init
from reference_impl.machinery.protowire import size_varint

SortOrder = str  # "NONE" | "ASCEND" | "DESCEND"
SortTarget = str  # "KEY" | "VERSION" | "CREATE" | "MOD" | "VALUE"



# A protobuf string is bytes to etcd's Go code, UTF-8 or not. The core holds one as a str whose
# bytes that are not UTF-8 are surrogates (surrogateescape); these two convert at the edges.
def string_of(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def bytes_of(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")

@dataclass(frozen=True)
class KeyValue:
    key: bytes
    value: bytes = b""
    create_revision: int = 0
    mod_revision: int = 0
    version: int = 0
    lease: int = 0


@dataclass(frozen=True)
class Event:
    type: str  # "PUT" | "DELETE"
    kv: KeyValue
    prev_kv: KeyValue | None = None


@dataclass(frozen=True)
class ResponseHeader:
    cluster_id: int = 0
    member_id: int = 0
    revision: int = 0
    raft_term: int = 0


@dataclass(frozen=True)
class RangeRequest:
    key: bytes
    range_end: bytes = b""
    limit: int = 0
    revision: int = 0
    sort_order: SortOrder = "NONE"
    sort_target: SortTarget = "KEY"
    serializable: bool = False
    keys_only: bool = False
    count_only: bool = False
    min_mod_revision: int = 0
    max_mod_revision: int = 0
    min_create_revision: int = 0
    max_create_revision: int = 0


@dataclass(frozen=True)
class RangeResponse:
    header: ResponseHeader
    kvs: tuple[KeyValue, ...] = ()
    more: bool = False
    count: int = 0


@dataclass(frozen=True)
class PutRequest:
    key: bytes
    value: bytes = b""
    lease: int = 0
    prev_kv: bool = False
    ignore_value: bool = False
    ignore_lease: bool = False


@dataclass(frozen=True)
class PutResponse:
    header: ResponseHeader
    prev_kv: KeyValue | None = None


@dataclass(frozen=True)
class DeleteRangeRequest:
    key: bytes
    range_end: bytes = b""
    prev_kv: bool = False


@dataclass(frozen=True)
class DeleteRangeResponse:
    header: ResponseHeader
    deleted: int = 0
    prev_kvs: tuple[KeyValue, ...] = ()


@dataclass(frozen=True)
class Compare:
    result: str  # "EQUAL" | "GREATER" | "LESS" | "NOT_EQUAL"
    target: str  # "VERSION" | "CREATE" | "MOD" | "VALUE" | "LEASE"
    key: bytes
    range_end: bytes = b""
    value: bytes | int = 0


@dataclass(frozen=True)
class RequestOp:
    request: Union[RangeRequest, PutRequest, DeleteRangeRequest, "TxnRequest"]


@dataclass(frozen=True)
class ResponseOp:
    response: Union[RangeResponse, PutResponse, DeleteRangeResponse, "TxnResponse"]


@dataclass(frozen=True)
class TxnRequest:
    compare: tuple[Compare, ...] = ()
    success: tuple[RequestOp, ...] = ()
    failure: tuple[RequestOp, ...] = ()


@dataclass(frozen=True)
class TxnResponse:
    header: ResponseHeader
    succeeded: bool = False
    responses: tuple[ResponseOp, ...] = ()


@dataclass(frozen=True)
class CompactionRequest:
    revision: int
    physical: bool = False


@dataclass(frozen=True)
class CompactionResponse:
    header: ResponseHeader


@dataclass(frozen=True)
class LeaseGrantRequest:
    ttl: int
    id: int = 0


@dataclass(frozen=True)
class LeaseGrantResponse:
    header: ResponseHeader
    id: int = 0
    ttl: int = 0
    error: str = ""


@dataclass(frozen=True)
class LeaseRevokeRequest:
    id: int


@dataclass(frozen=True)
class LeaseCheckpoint:
    id: int
    remaining_ttl: int


@dataclass(frozen=True)
class LeaseCheckpointRequest:
    """The leader's record of leases' remaining TTLs (--experimental-enable-lease-checkpoint), for
    a later leader to start them from; a remaining TTL of 0 clears one (a keep-alive did)."""

    checkpoints: tuple[LeaseCheckpoint, ...]


@dataclass(frozen=True)
class LeaseRevokeResponse:
    header: ResponseHeader


@dataclass(frozen=True)
class LeaseKeepAliveRequest:
    id: int


@dataclass(frozen=True)
class LeaseKeepAliveResponse:
    header: ResponseHeader
    id: int = 0
    ttl: int = 0


@dataclass(frozen=True)
class LeaseTimeToLiveRequest:
    id: int
    keys: bool = False


@dataclass(frozen=True)
class LeaseTimeToLiveResponse:
    header: ResponseHeader
    id: int = 0
    ttl: int = 0
    granted_ttl: int = 0
    keys: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class LeaseLeasesResponse:
    header: ResponseHeader
    leases: tuple[int, ...] = ()


@dataclass(frozen=True)
class WatchCreateRequest:
    key: bytes
    range_end: bytes = b""
    start_revision: int = 0
    progress_notify: bool = False
    filters: tuple[str, ...] = ()  # "NOPUT" | "NODELETE"
    prev_kv: bool = False
    watch_id: int = 0
    fragment: bool = False


@dataclass(frozen=True)
class WatchResponse:
    header: ResponseHeader
    watch_id: int
    created: bool = False
    canceled: bool = False
    compact_revision: int = 0
    cancel_reason: str = ""
    events: tuple[Event, ...] = ()
    fragment: bool = False


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    peer_urls: tuple[str, ...] = ()
    client_urls: tuple[str, ...] = ()
    is_learner: bool = False


@dataclass(frozen=True)
class StatusResponse:
    header: ResponseHeader
    version: str
    db_size: int
    leader: int
    raft_index: int
    raft_term: int
    raft_applied_index: int
    errors: tuple[str, ...] = ()
    db_size_in_use: int = 0
    is_learner: bool = False



@dataclass(frozen=True)
class AlarmRequest:
    action: str = "GET"  # GET, ACTIVATE or DEACTIVATE
    member_id: int = 0
    alarm: str = "NONE"  # NONE (any, for GET), NOSPACE or CORRUPT


@dataclass(frozen=True)
class AlarmMember:
    member_id: int
    alarm: str

    def __str__(self) -> str:
        """As gogoproto's String() writes it, the form `alarm list` and Status's errors show:
        a field at its zero value (member 0, alarm NONE) is left out."""
        fields = ([f"memberID:{self.member_id} "] if self.member_id else []) + \
            ([f"alarm:{self.alarm} "] if self.alarm != "NONE" else [])
        return "".join(fields)


@dataclass(frozen=True)
class AlarmResponse:
    alarms: tuple[AlarmMember, ...] = ()  # etcd's applier answers with no header


@dataclass(frozen=True)
class HashResponse:
    header: ResponseHeader
    hash: int


@dataclass(frozen=True)
class HashKVResponse:
    header: ResponseHeader
    hash: int
    compact_revision: int


@dataclass(frozen=True)
class Permission:
    perm_type: str  # "READ" | "WRITE" | "READWRITE"
    key: bytes
    range_end: bytes = b""


@dataclass(frozen=True)
class AuthEnableRequest:
    pass


@dataclass(frozen=True)
class AuthDisableRequest:
    pass


@dataclass(frozen=True)
class AuthUserAddRequest:
    name: str
    password: str = ""  # in clear from the client; `prepare` hashes it into hashed_password
    hashed_password: str = ""
    no_password: bool = False


@dataclass(frozen=True)
class AuthUserDeleteRequest:
    name: str


@dataclass(frozen=True)
class AuthUserChangePasswordRequest:
    name: str
    password: str = ""
    hashed_password: str = ""


@dataclass(frozen=True)
class AuthUserGrantRoleRequest:
    user: str
    role: str


@dataclass(frozen=True)
class AuthUserRevokeRoleRequest:
    name: str
    role: str


@dataclass(frozen=True)
class AuthRoleAddRequest:
    name: str


@dataclass(frozen=True)
class AuthRoleDeleteRequest:
    role: str


@dataclass(frozen=True)
class AuthRoleGrantPermissionRequest:
    name: str
    perm: Permission


@dataclass(frozen=True)
class AuthRoleRevokePermissionRequest:
    role: str
    key: bytes
    range_end: bytes = b""


# Reads of one user or role: the only auth calls a user without the root role may make, on
# themselves and their own roles (authApplierV3.UserGet/RoleGet); never logged, but sized for
# the raft entry etcd 3.4 makes of them.
@dataclass(frozen=True)
class AuthUserGetRequest:
    name: str


@dataclass(frozen=True)
class AuthRoleGetRequest:
    role: str


# What etcd 3.4 logs for an Authenticate: the user and the token's random prefix, drawn by the
# member that took the call. No password: it was checked before proposing. Every member assigns
# the token when it applies the entry, so the token works on all of them.
@dataclass(frozen=True)
class InternalAuthenticateRequest:
    name: str
    simple_token: str


AuthRequest = Union[AuthEnableRequest, AuthDisableRequest, AuthUserAddRequest, AuthUserDeleteRequest,
                    AuthUserChangePasswordRequest, AuthUserGrantRoleRequest,
                    AuthUserRevokeRoleRequest, AuthRoleAddRequest, AuthRoleDeleteRequest,
                    AuthRoleGrantPermissionRequest, AuthRoleRevokePermissionRequest]
AUTH_REQUESTS = AuthRequest.__args__

# The requests that change state: the durability layer logs exactly these before applying them.
MutatingRequest = Union[PutRequest, DeleteRangeRequest, TxnRequest, CompactionRequest,
                        LeaseGrantRequest, LeaseRevokeRequest, LeaseKeepAliveRequest,
                        LeaseCheckpointRequest, AlarmRequest, InternalAuthenticateRequest, AuthRequest]

MESSAGE_TYPES: dict[str, type] = {
    cls.__name__: cls for cls in (
        KeyValue, Event, ResponseHeader, RangeRequest, RangeResponse, PutRequest, PutResponse,
        DeleteRangeRequest, DeleteRangeResponse, Compare, RequestOp, ResponseOp, TxnRequest,
        TxnResponse, CompactionRequest, CompactionResponse, LeaseGrantRequest, LeaseGrantResponse,
        LeaseRevokeRequest, LeaseRevokeResponse, LeaseKeepAliveRequest, LeaseKeepAliveResponse,
        LeaseCheckpoint, LeaseCheckpointRequest,
        LeaseTimeToLiveRequest, LeaseTimeToLiveResponse, LeaseLeasesResponse, WatchCreateRequest,
        WatchResponse, Member, StatusResponse, Permission, *AUTH_REQUESTS, AuthUserGetRequest,
        AuthRoleGetRequest, InternalAuthenticateRequest, AlarmRequest,
    )
}

for _message_type in MESSAGE_TYPES.values():
    quick_init(_message_type)  # every request and response is built at least once a write

# Each message type's field names in declaration order, read once: `dataclasses.fields` on every
# message of every request was a measurable share of a write's cost.
FIELD_NAMES: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in MESSAGE_TYPES.values()}


def encoded_size(message: object) -> int:
    """An upper estimate of the message's protobuf wire size, for etcd's request size limit.

    Every field is counted as if set (a tag, a length prefix for bytes and nested messages, a
    10-byte varint for numbers), so the estimate errs a few bytes high, never low.
    """
    kind = type(message)
    if kind is bytes or kind is str:
        size = len(message)  # type: ignore[arg-type]
        return 1 + size_varint(size) + size
    fixed = _FIXED_SIZE.get(kind)
    if fixed is not None:
        return fixed
    if kind is tuple:
        return sum(map(encoded_size, message))  # type: ignore[call-overload]
    names = FIELD_NAMES.get(kind)
    if names is None:
        raise TypeError(f"cannot size {kind.__name__}")
    inner = 0
    for name in names:
        # Scalar fields sized inline: most fields are, and a call for each added up.
        value = getattr(message, name)
        field_kind = type(value)
        fixed = _FIXED_SIZE.get(field_kind)
        if fixed is not None:
            inner += fixed
        elif field_kind is bytes or field_kind is str:
            size = len(value)
            inner += 1 + size_varint(size) + size
        else:
            inner += encoded_size(value)
    return 1 + size_varint(inner) + inner


_FIXED_SIZE = {bool: 2, int: 11, float: 9, type(None): 0}
