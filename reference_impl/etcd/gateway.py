"""etcd's grpc-gateway: the v3 API as JSON over HTTP/1 on the client port (`POST /v3/kv/range`
with `{"key":"Zm9v"}`), under /v3/ and /v3beta/ as etcd 3.4 serves it.

As upstream, the gateway is a client of the member's own gRPC server: a request's JSON becomes
the protobuf request (unknown fields ignored, bytes in base64, int64 as a number or a string), the
call goes over a loopback channel, and the answer comes back as JSON with the proto field names,
int64 as strings and zero values left out. A gRPC error becomes grpc-gateway v1's body
`{"error":...,"message":...,"code":N}` with the HTTP status its code maps to. Streams (watch,
lease keep-alive, snapshot) answer one `{"result":...}` line per message.

`route` and `call` are the decisions; clienthttp.py does the HTTP. The behaviour copied is
grpc-gateway v1's runtime package (JSONPb, DefaultHTTPError, ForwardResponseStream), a
repository the analyzer does not index, so only etcd's side carries @mirrors.
"""
from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import grpc
from aetcd.rpc import rpc_pb2
from google.protobuf import descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from reference_impl.etcd import concurrencypb as pb
from reference_impl.etcd.gogostrings import lenient_class
from reference_impl.etcd.gojsonpb import DECODER, JSONPBError, check_message, go_syntax_error
from reference_impl.machinery import jsonscan
from reference_impl.machinery.gojson import NonJSONConstant, marshal_escapes, quote_char, syntax_error
from reference_impl.machinery.jsonscan import first_value_too_deep
from reference_impl.machinery.strconv import parse_int


PREFIXES = ("/v3/", "/v3beta/")

# etcd 3.4's rpc.proto google.api.http annotations: path below the prefix → (service, method).
ROUTES: dict[str, tuple[str, str]] = {
    "kv/range": ("KV", "Range"), "kv/put": ("KV", "Put"), "kv/deleterange": ("KV", "DeleteRange"),
    "kv/txn": ("KV", "Txn"), "kv/compaction": ("KV", "Compact"),
    "watch": ("Watch", "Watch"),
    "lease/grant": ("Lease", "LeaseGrant"), "lease/revoke": ("Lease", "LeaseRevoke"),
    "kv/lease/revoke": ("Lease", "LeaseRevoke"), "lease/keepalive": ("Lease", "LeaseKeepAlive"),
    "lease/timetolive": ("Lease", "LeaseTimeToLive"), "kv/lease/timetolive": ("Lease", "LeaseTimeToLive"),
    "lease/leases": ("Lease", "LeaseLeases"), "kv/lease/leases": ("Lease", "LeaseLeases"),
    "cluster/member/add": ("Cluster", "MemberAdd"), "cluster/member/remove": ("Cluster", "MemberRemove"),
    "cluster/member/update": ("Cluster", "MemberUpdate"), "cluster/member/list": ("Cluster", "MemberList"),
    "cluster/member/promote": ("Cluster", "MemberPromote"),
    "maintenance/alarm": ("Maintenance", "Alarm"), "maintenance/status": ("Maintenance", "Status"),
    "maintenance/defragment": ("Maintenance", "Defragment"),
    # Hash and HashKV share a path; etcd 3.4's gateway answers with Hash.
    "maintenance/hash": ("Maintenance", "Hash"),
    "maintenance/snapshot": ("Maintenance", "Snapshot"),
    "maintenance/transfer-leadership": ("Maintenance", "MoveLeader"),
    "auth/enable": ("Auth", "AuthEnable"), "auth/disable": ("Auth", "AuthDisable"),
    "auth/authenticate": ("Auth", "Authenticate"),
    "auth/user/add": ("Auth", "UserAdd"), "auth/user/get": ("Auth", "UserGet"),
    "auth/user/list": ("Auth", "UserList"), "auth/user/delete": ("Auth", "UserDelete"),
    "auth/user/changepw": ("Auth", "UserChangePassword"), "auth/user/grant": ("Auth", "UserGrantRole"),
    "auth/user/revoke": ("Auth", "UserRevokeRole"),
    "auth/role/add": ("Auth", "RoleAdd"), "auth/role/get": ("Auth", "RoleGet"),
    "auth/role/list": ("Auth", "RoleList"), "auth/role/delete": ("Auth", "RoleDelete"),
    "auth/role/grant": ("Auth", "RoleGrantPermission"), "auth/role/revoke": ("Auth", "RoleRevokePermission"),
}

# grpc-gateway v1's HTTPStatusFromCode, by gRPC code number (etcd 3.4's answers FailedPrecondition
# with 412).
HTTP_STATUS = {0: 200, 1: 408, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 412,
               10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401}


@dataclass(frozen=True)
class Method:
    """One gRPC method the gateway forwards to."""

    service: str
    name: str
    request_type: type
    response_type: type
    client_streaming: bool
    server_streaming: bool

    @property
    def path(self) -> str:
        return f"/{self.service}/{self.name}"


class GatewayError(Exception):
    """What grpc-gateway answers instead of a response: a gRPC code and its message."""

    def __init__(self, code: int, message: str, from_server: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.from_server = from_server  # the gRPC call's error, with the call's trailer

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 500)

    def body(self) -> bytes:
        return compact({"error": self.message, "message": self.message, "code": self.code})


def compact(value) -> bytes:
    """JSON as grpc-gateway's JSONPb writes it: strings by json.Marshal, HTML characters escaped
    and each byte that is no UTF-8 (a surrogate here, as surrogateescape keeps it) as \\ufffd."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return marshal_escapes(_NOT_UTF8.sub(r"\\ufffd", text).encode())


_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _method(service: str, name: str) -> Method:
    """An etcdserverpb method, its responses read with string fields as bytes (gogostrings): etcd
    answers a name that is no UTF-8 as it was given, which Python's protobuf would refuse."""
    descriptor = rpc_pb2.DESCRIPTOR.services_by_name[service].methods_by_name[name]
    return Method(f"etcdserverpb.{service}", name, message_factory.GetMessageClass(descriptor.input_type),
                  lenient_class(message_factory.GetMessageClass(descriptor.output_type)),
                  descriptor.client_streaming, descriptor.server_streaming)


def _concurrency(service: str, name: str, request_type: type, response_type: type,
                 server_streaming: bool = False) -> Method:
    """A v3lock or v3election method: their messages are declared in concurrencypb, which has no
    service descriptors."""
    return Method(service, name, request_type, response_type, False, server_streaming)


# etcd 3.4's v3lock.proto and v3election.proto annotations.
_LOCK, _ELECTION = pb.LOCK_SERVICE, pb.ELECTION_SERVICE
CONCURRENCY_METHODS = {
    "lock/lock": _concurrency(_LOCK, "Lock", pb.LockRequest, pb.LockResponse),
    "lock/unlock": _concurrency(_LOCK, "Unlock", pb.UnlockRequest, pb.UnlockResponse),
    "election/campaign": _concurrency(_ELECTION, "Campaign", pb.CampaignRequest, pb.CampaignResponse),
    "election/proclaim": _concurrency(_ELECTION, "Proclaim", pb.ProclaimRequest, pb.ProclaimResponse),
    "election/leader": _concurrency(_ELECTION, "Leader", pb.LeaderRequest, pb.LeaderResponse),
    "election/observe": _concurrency(_ELECTION, "Observe", pb.LeaderRequest, pb.LeaderResponse,
                                     server_streaming=True),
    "election/resign": _concurrency(_ELECTION, "Resign", pb.ResignRequest, pb.ResignResponse),
}
METHODS = {**{path: _method(*target) for path, target in ROUTES.items()}, **CONCURRENCY_METHODS}


def route(path: str) -> Method | None:
    """The method a gateway path names, or None (not a gateway path, or none there)."""
    for prefix in PREFIXES:
        if path.startswith(prefix):
            return METHODS.get(path[len(prefix):])
    return None


def is_gateway_path(path: str) -> bool:
    return path.startswith(PREFIXES)


def decode_requests(method: Method, body: bytes) -> list:
    """The request(s) a body holds: one JSON object (none: an empty request), or for a method
    that streams requests, any number one after another. A byte that is no UTF-8 is kept
    (surrogateescape) until jsonpb's checks, so that an error names the byte Go names.

    A unary body that does not decode is InvalidArgument. A stream's first request that does
    not decode is grpc-gateway's bare error, so Unknown (HTTP 500); after the first, the requests
    end there, as its send loop stops at a decode error."""
    text = body.decode("utf-8", "surrogateescape")
    requests, at = [], _skip_space(text, 0)
    while at < len(text):
        try:
            value, end = _decode_value(text, body, at)
            requests.append(_from_json(method.request_type, value))
        except GatewayError as err:
            if not method.client_streaming:
                raise
            if not requests:
                raise GatewayError(2, err.message) from None
            break
        at = _skip_space(text, end)
        if not method.client_streaming:
            break
    return requests or [method.request_type()]


def _decode_value(text: str, body: bytes, at: int) -> tuple[object, int]:
    start = len(text[:at].encode("utf-8", "surrogateescape"))
    if too_deep := first_value_too_deep(body[start:]):
        raise GatewayError(3, f"invalid character {quote_char(ord(too_deep))} exceeded max depth")
    try:
        return jsonscan.raw_decode(DECODER, text, at)
    except json.JSONDecodeError as err:
        raise GatewayError(3, go_syntax_error(err, body, start)) from None
    except NonJSONConstant:
        raise GatewayError(3, syntax_error(body[start:])) from None


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _from_json(request_type: type, value) -> object:
    try:
        checked = check_message(request_type.DESCRIPTOR, value)
        return json_format.ParseDict(checked or {}, request_type(), ignore_unknown_fields=True)
    except JSONPBError as err:
        raise GatewayError(3, str(err)) from None
    except json_format.ParseError as err:  # a case jsonpb's checks above do not know
        raise GatewayError(3, str(err)) from None


def encode_response(response) -> bytes:
    """As etcd's gateway marshals: proto field names, int64 as strings, zero values left out,
    bytes in base64 and strings as text."""
    value = json_format.MessageToDict(response, preserving_proto_field_name=True)
    return compact(_strings_as_text(value, response.DESCRIPTOR))


def _strings_as_text(value: dict, descriptor: Descriptor) -> dict:
    """A lenient message's JSON (`descriptor` its class's) with the string fields it read as
    bytes, so wrote in base64, given back as text."""
    strict = descriptor_pool.Default().FindMessageTypeByName(descriptor.full_name)
    for name, item in value.items():
        field, strict_field = descriptor.fields_by_name[name], strict.fields_by_name[name]
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            items = item if field.is_repeated else [item]
            for message in items:
                _strings_as_text(message, field.message_type)
        elif field.type != strict_field.type:
            value[name] = [_text(v) for v in item] if field.is_repeated else _text(item)
    return value


def _text(encoded: str) -> str:
    return base64.b64decode(encoded).decode("utf-8", "surrogateescape")


METADATA_HEADER_PREFIX = "Grpc-Metadata-"
# A key grpcio can send: gRPC's own lower-case characters, none of its reserved "grpc-" keys.
_METADATA_KEY = re.compile(r"(?!grpc-)[0-9a-z_.-]+\Z")
_METADATA_VALUE = re.compile(r"[ -~]*\Z")


def metadata_of(headers) -> tuple[tuple[str, str | bytes], ...]:
    """The call metadata the gateway forwards, as grpc-gateway's AnnotateContext makes it: the
    Authorization header (which etcd reads as the auth token), and each Grpc-Metadata-KEY
    header as KEY (etcd reads "token" and "hasleader"), a KEY ending in -Bin decoded from
    base64 (GatewayError InvalidArgument if it is none). Keys and values grpcio cannot send are
    left out; the other headers grpc-gateway forwards no etcd handler reads."""
    pairs: list[tuple[str, str | bytes]] = []
    for key, value in headers.items():
        key = _canonical_header_key(key)
        if key == "Authorization":
            pairs.append(("authorization", value))  # "" too: an invalid token
        elif key.startswith(METADATA_HEADER_PREFIX):
            name = key[len(METADATA_HEADER_PREFIX):].lower()
            if not _METADATA_KEY.match(name):
                continue
            if name.endswith("-bin"):
                pairs.append((name, _decode_bin_header(key, value.strip(" \t"))))
            elif _METADATA_VALUE.match(value.strip(" \t")):
                pairs.append((name, value.strip(" \t")))
    return tuple(pairs)


def _canonical_header_key(key: str) -> str:
    """Go's textproto.CanonicalMIMEHeaderKey for a key of token characters: each word
    capitalised, the rest lower case."""
    return "-".join(word[:1].upper() + word[1:].lower() for word in key.split("-"))


def _decode_bin_header(key: str, value: str) -> bytes:
    """A -Bin header's bytes: base64 with padding when the length is a multiple of four,
    without it otherwise, as grpc-gateway's decodeBinHeader reads it."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    padded = len(value) % 4 == 0
    body = value
    if padded:  # at most two "=" end the last group
        body = value[:-2] if value.endswith("==") else value[:-1] if value.endswith("=") else value
    bad = next((i for i, c in enumerate(body) if c not in alphabet), None)
    if bad is None and len(body) % 4 == 1:
        bad = len(body) - 1  # a lone last character holds no whole byte
    if bad is not None:
        raise GatewayError(3, f"invalid binary header {key}: illegal base64 data at input byte {bad}")
    return base64.b64decode(body + "=" * (-len(body) % 4))


# grpc-gateway's timeoutUnitToDuration, in nanoseconds
_TIMEOUT_UNITS = {"H": 3600 * 10**9, "M": 60 * 10**9, "S": 10**9, "m": 10**6, "u": 10**3, "n": 1}


def timeout_of(headers) -> float | None:
    """The call's deadline, in seconds, from the first Grpc-Timeout header (grpc-gateway's
    timeoutDecode: a base-10 int64 and one unit letter); None for no header or a zero timeout.
    Go multiplies in int64, so a timeout past 292 years wraps round, often to one already
    past. GatewayError InvalidArgument "invalid grpc-timeout: VALUE" if it does not parse."""
    value = (headers.get("Grpc-Timeout") or "").strip(" \t")  # Go trims header values
    if not value:
        return None
    unit = _TIMEOUT_UNITS.get(value[-1]) if len(value) >= 2 else None
    try:
        number = parse_int(value[:-1], 64, 10)
    except ValueError:
        number = None
    if unit is None or number is None:
        raise GatewayError(3, f"invalid grpc-timeout: {value}")
    nanos = (unit * number + 2**63) % 2**64 - 2**63
    # grpcio takes no deadline centuries ahead: past MAX_TIMEOUT it is as good as none
    return None if nanos == 0 or nanos / 1e9 > MAX_TIMEOUT else nanos / 1e9


MAX_TIMEOUT = 10 * 365 * 86400.0


def deadline_exceeded() -> GatewayError:
    """The gateway's context's error; a new one each time, as a shared one raised again would
    carry every earlier request's traceback."""
    return GatewayError(4, "context deadline exceeded")


HANG_UP_POLL = 0.2  # seconds between checks that a unary call's HTTP client is still there


def call(channel: grpc.Channel, method: Method, requests: Iterable, metadata,
         deadline: float | None = None, hung_up: Callable[[], bool] | None = None) -> object | Iterator:
    """Forward to the member's gRPC server by `deadline` (time.monotonic(); None: none): a
    unary method's response, or a streaming one's iterator of responses (cancel it to end the
    stream). A unary call is cancelled once `hung_up()` says the HTTP client went away, as Go
    cancels the request's context (a MoveLeader to a member that is down would wait for ever).
    Raises GatewayError."""
    timeout = None if deadline is None else deadline - time.monotonic()
    if timeout is not None and timeout <= 0:
        raise deadline_exceeded()  # the context is done before the call starts
    serialize, deserialize = method.request_type.SerializeToString, method.response_type.FromString
    options = {"metadata": metadata, "timeout": timeout}
    try:
        if method.client_streaming:
            return channel.stream_stream(method.path, serialize, deserialize)(iter(requests), **options)
        request = next(iter(requests))
        if method.server_streaming:
            return channel.unary_stream(method.path, serialize, deserialize)(request, **options)
        future = channel.unary_unary(method.path, serialize, deserialize).future(request, **options)
        while hung_up is not None:
            try:
                return future.result(timeout=HANG_UP_POLL)
            except grpc.FutureTimeoutError:
                if hung_up():
                    future.cancel()
                    raise GatewayError(1, "context canceled") from None
        return future.result()
    except grpc.RpcError as err:
        raise gateway_error(err) from None


def gateway_error(err: grpc.RpcError) -> GatewayError:
    if err.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
        return deadline_exceeded()  # grpc-go's client answers with its context's error
    return GatewayError(err.code().value[0], err.details() or "", from_server=True)


def stream_line(response) -> bytes:
    """One message of a stream as the gateway writes it: `{"result":...}` and a newline."""
    return b'{"result":' + encode_response(response) + b"}\n"


def stream_error_line(err: GatewayError) -> bytes:
    """A stream that fails after it started ends with its error, with no newline after it
    (grpc-gateway's handleForwardResponseStreamError writes no delimiter)."""
    return (b'{"error":' + compact({"grpc_code": err.code, "http_code": err.http_status,
                                    "message": err.message,
                                    "http_status": HTTP_REASONS.get(err.http_status, "")}) + b"}")


HTTP_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                408: "Request Timeout", 409: "Conflict", 429: "Too Many Requests",
                500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
                504: "Gateway Timeout"}
