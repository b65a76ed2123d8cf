"""The applied state as data: requests as Raft entries carry them, and snapshots.

`to_plain` / `from_plain` turn the request and response dataclasses into plain data and back
(bytes as base64, each dataclass tagged with its type); `dump_state` / `recover_state` do the same
for a whole `EtcdServer`'s applied state but its key-values; `encode_snapshot` /
`decode_snapshot` make that state, the key-values and the member list a snapshot's bytes.

A snapshot is compact JSON (the state without key-values, the members), a newline, then every
stored key-value in revision order as a fixed header (key and value lengths, create and mod
revision, version, lease) followed by the key and the value: the store is most of a snapshot, and
base64 plus a JSON pass over it cost more than the rest of a snapshot together.
"""
from __future__ import annotations

import base64
import json
import struct

from reference_impl.etcd.messages import FIELD_NAMES, MESSAGE_TYPES, KeyValue
from reference_impl.etcd.server import EtcdServer
from reference_impl.machinery import jsonbytes

_KV_HEADER = struct.Struct("<IIqqqq")  # key length, value length, create, mod, version, lease


def to_plain(obj: object, raw: bytearray | None = None) -> object:
    """A message as JSON-able data: dataclasses tagged with their type, bytes as base64 or, given
    `raw`, appended to it and named by {"r": [offset, length]} (kept out of the JSON: no base64
    and no JSON pass over a request's values)."""
    kind = type(obj)
    if kind is bytes:
        if raw is None:
            return {"b64": base64.b64encode(obj).decode("ascii")}  # type: ignore[arg-type]
        offset = len(raw)
        raw += obj  # type: ignore[operator]
        return {"r": [offset, len(obj)]}  # type: ignore[arg-type]
    if kind is tuple or kind is list:
        return [to_plain(item, raw) for item in obj]  # type: ignore[attr-defined]
    names = FIELD_NAMES.get(kind)
    if names is None:
        return obj
    plain: dict[str, object] = {"@": kind.__name__}
    for name in names:
        value = getattr(obj, name)
        # Most fields are numbers, flags and enum names, which stand for themselves: no call.
        plain[name] = value if type(value) in _AS_IS else to_plain(value, raw)
    return plain


_AS_IS = frozenset((int, str, bool, float, type(None)))


def from_plain(data: object, raw: bytes = b"") -> object:
    """The message `to_plain` made of `data`, its raw bytes read from `raw`."""
    if isinstance(data, list):
        return tuple(from_plain(item, raw) for item in data)
    if isinstance(data, dict):
        if "@" not in data:
            if "r" in data:
                offset, length = data["r"]
                return raw[offset:offset + length]
            return base64.b64decode(data["b64"])
        cls = MESSAGE_TYPES[data["@"]]
        return cls(**{name: from_plain(value, raw) for name, value in data.items() if name != "@"})
    return data


def dump_state(server: EtcdServer) -> dict:
    """The applied state of `server` but its key-values, as JSON-able data."""
    return {
        "raft_index": server.raft_index, "last_applied_now": server.last_applied_now,
        "current": server.store.current_revision, "compacted": server.store.compact_revision,
        "leases": server.lessor.dump(),
        "auth": server.auth.dump(),
        "alarms": server.alarm_store.dump(),
        "cluster_version": server.cluster_version,
        "removed_members": sorted(server.removed_members),
    }


def recover_state(server: EtcdServer, state: dict, records: list[KeyValue]) -> None:
    """Load what `dump_state` wrote, and the key-values, into a fresh `server` (one that has
    applied nothing)."""
    server.lessor.recover([tuple(lease) for lease in state["leases"]])
    server.store.restore(records, state["current"], state["compacted"])
    server.raft_index = state["raft_index"]
    server.last_applied_now = state["last_applied_now"]
    server.auth.recover(state["auth"])
    server.alarm_store.recover(state["alarms"])
    server.cluster_version = state.get("cluster_version")  # absent in snapshots from before it
    server.removed_members = set(state.get("removed_members", ()))  # so is this


def encode_snapshot(server: EtcdServer, members: list[dict]) -> bytes:
    """What a snapshot holds: `server`'s whole applied state and the member list (plain)."""
    parts = [jsonbytes.dumps({"state": dump_state(server), "members": members}), b"\n"]
    pack = _KV_HEADER.pack
    for kv in server.store.records():
        parts += (pack(len(kv.key), len(kv.value), kv.create_revision, kv.mod_revision,
                       kv.version, kv.lease), kv.key, kv.value)
    return b"".join(parts)


def decode_snapshot(data: bytes) -> tuple[dict, list[KeyValue], list[dict]]:
    """(state, key-values, members) from what `encode_snapshot` wrote."""
    head_end = data.find(b"\n")
    if head_end < 0:  # written before key-values went raw: all JSON, key-values in plain form
        plain = json.loads(data)
        records = [from_plain(kv) for kv in plain["state"]["records"]]
        return plain["state"], records, plain["members"]  # type: ignore[return-value]
    plain = json.loads(data[:head_end])
    records = []
    view = memoryview(data)
    offset, end, size = head_end + 1, len(data), _KV_HEADER.size
    unpack = _KV_HEADER.unpack_from
    while offset < end:
        key_len, value_len, create, mod, version, lease = unpack(data, offset)
        offset += size
        key = bytes(view[offset:offset + key_len])
        offset += key_len
        value = bytes(view[offset:offset + value_len])
        offset += value_len
        records.append(KeyValue(key, value, create, mod, version, lease))
    return plain["state"], records, plain["members"]
