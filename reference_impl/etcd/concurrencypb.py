"""The messages of etcd's v3lock and v3election gRPC services (v3lockpb, v3electionpb).

aetcd ships stubs for rpc.proto, kv.proto and auth.proto only, so the two small files etcd
generates these from (server/etcdserver/api/v3lock/v3lockpb/v3lock.proto and
v3election/v3electionpb/v3election.proto) are declared here as descriptors, field for field,
and their message classes made by protobuf's message factory. They refer to the stubs' own
`etcdserverpb.ResponseHeader` and `mvccpb.KeyValue`, so a response built from the KV
service's messages needs no conversion. The gogoproto and google.api options of the .proto
files change nothing on the wire and are left out.
"""
from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from aetcd.rpc import kv_pb2, rpc_pb2

_FIELD = descriptor_pb2.FieldDescriptorProto
BYTES, INT64, MESSAGE = _FIELD.TYPE_BYTES, _FIELD.TYPE_INT64, _FIELD.TYPE_MESSAGE
HEADER = ".etcdserverpb.ResponseHeader"

LOCK_SERVICE = "v3lockpb.Lock"
ELECTION_SERVICE = "v3electionpb.Election"

# message name -> its fields: (name, number, type, message type for a MESSAGE field)
_V3LOCK = {
    "LockRequest": [("name", 1, BYTES), ("lease", 2, INT64)],
    "LockResponse": [("header", 1, MESSAGE, HEADER), ("key", 2, BYTES)],
    "UnlockRequest": [("key", 1, BYTES)],
    "UnlockResponse": [("header", 1, MESSAGE, HEADER)],
}
_V3ELECTION = {
    "CampaignRequest": [("name", 1, BYTES), ("lease", 2, INT64), ("value", 3, BYTES)],
    "CampaignResponse": [("header", 1, MESSAGE, HEADER),
                         ("leader", 2, MESSAGE, ".v3electionpb.LeaderKey")],
    "LeaderKey": [("name", 1, BYTES), ("key", 2, BYTES), ("rev", 3, INT64), ("lease", 4, INT64)],
    "LeaderRequest": [("name", 1, BYTES)],
    "LeaderResponse": [("header", 1, MESSAGE, HEADER), ("kv", 2, MESSAGE, ".mvccpb.KeyValue")],
    "ResignRequest": [("leader", 1, MESSAGE, ".v3electionpb.LeaderKey")],
    "ResignResponse": [("header", 1, MESSAGE, HEADER)],
    "ProclaimRequest": [("leader", 1, MESSAGE, ".v3electionpb.LeaderKey"), ("value", 2, BYTES)],
    "ProclaimResponse": [("header", 1, MESSAGE, HEADER)],
}


def _file(name: str, package: str, messages: dict[str, list[tuple]]) -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(
        name=name, package=package, syntax="proto3",
        dependency=[rpc_pb2.DESCRIPTOR.name, kv_pb2.DESCRIPTOR.name])
    for message_name, fields in messages.items():
        message = proto.message_type.add(name=message_name)
        for field_name, number, kind, *type_name in fields:
            field = message.field.add(name=field_name, number=number, type=kind,
                                      label=_FIELD.LABEL_OPTIONAL)
            if type_name:
                field.type_name = type_name[0]
    return proto


def _classes(name: str, package: str, messages: dict[str, list[tuple]]) -> dict[str, type]:
    pool = descriptor_pool.Default()
    try:
        file = pool.FindFileByName(name)
    except KeyError:
        file = pool.AddSerializedFile(_file(name, package, messages).SerializeToString())
    return {message: message_factory.GetMessageClass(file.message_types_by_name[message])
            for message in messages}


_lock = _classes("v3lock.proto", "v3lockpb", _V3LOCK)
_election = _classes("v3election.proto", "v3electionpb", _V3ELECTION)

LockRequest, LockResponse = _lock["LockRequest"], _lock["LockResponse"]
UnlockRequest, UnlockResponse = _lock["UnlockRequest"], _lock["UnlockResponse"]
CampaignRequest, CampaignResponse = _election["CampaignRequest"], _election["CampaignResponse"]
LeaderKey = _election["LeaderKey"]
LeaderRequest, LeaderResponse = _election["LeaderRequest"], _election["LeaderResponse"]
ResignRequest, ResignResponse = _election["ResignRequest"], _election["ResignResponse"]
ProclaimRequest, ProclaimResponse = _election["ProclaimRequest"], _election["ProclaimResponse"]
