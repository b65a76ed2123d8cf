"""The applied state as JSON-able data: requests as Raft entries carry them, and snapshots.

`to_plain` / `from_plain` turn the request and response dataclasses into plain data and back
(bytes as base64, each dataclass tagged with its type); `dump_state` / `recover_state` do the same
for a whole `EtcdServer`'s applied state, what a snapshot holds.
"""
from __future__ import annotations

import base64
from base64 import b64encode

from reference_impl.etcd.messages import FIELD_NAMES, MESSAGE_TYPES
from reference_impl.etcd.server import EtcdServer


def to_plain(obj: object) -> object:
    """A message as JSON-able data: dataclasses tagged with their type, bytes as base64."""
    kind = type(obj)
    if kind is bytes:
        return {"b64": b64encode(obj).decode("ascii")}  # type: ignore[arg-type]
    if kind is tuple or kind is list:
        return [to_plain(item) for item in obj]  # type: ignore[attr-defined]
    names = FIELD_NAMES.get(kind)
    if names is None:
        return obj
    plain: dict[str, object] = {"@": kind.__name__}
    for name in names:
        plain[name] = to_plain(getattr(obj, name))
    return plain


def from_plain(data: object) -> object:
    if isinstance(data, list):
        return tuple(from_plain(item) for item in data)
    if isinstance(data, dict):
        if "@" not in data:
            return base64.b64decode(data["b64"])
        cls = MESSAGE_TYPES[data["@"]]
        return cls(**{name: from_plain(value) for name, value in data.items() if name != "@"})
    return data


def dump_state(server: EtcdServer) -> dict:
    """The whole applied state of `server` as JSON-able data: what a snapshot holds."""
    return {
        "raft_index": server.raft_index, "last_applied_now": server.last_applied_now,
        "current": server.store.current_revision, "compacted": server.store.compact_revision,
        "records": [to_plain(kv) for kv in server.store.records()],
        "leases": server.lessor.dump(),
        "auth": server.auth.dump(),
    }


def recover_state(server: EtcdServer, state: dict) -> None:
    """Load what `dump_state` wrote into a fresh `server` (one that has applied nothing)."""
    server.lessor.recover([tuple(lease) for lease in state["leases"]])
    records = [from_plain(kv) for kv in state["records"]]
    server.store.restore(records, state["current"], state["compacted"])  # type: ignore[arg-type]
    server.raft_index = state["raft_index"]
    server.last_applied_now = state["last_applied_now"]
    server.auth.recover(state["auth"])
