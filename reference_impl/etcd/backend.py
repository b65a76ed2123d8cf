"""The MVCC store as etcd's bbolt backend holds it (sans-IO): the bytes of each revision's key and
value in the `key` bucket, and what etcd computes from those bytes (HashKV's checksum).

etcd keys the `key` bucket by revision: 8 bytes of main revision (big-endian), "_", 8 bytes of sub
revision, and a trailing "t" for a tombstone; the value is the mvccpb.KeyValue protobuf (a
tombstone's holds only the key). Those exact bytes are what `endpoint hashkv` hashes and what a
snapshot file stores, so they are produced here once.
"""
from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import google_crc32c
from google.protobuf.message import DecodeError

from reference_impl.etcd.authpb import auth_buckets, auth_state
from reference_impl.etcd.bolt import BoltError, TreeSizer, read_db
from reference_impl.etcd.errors import ErrCompacted, ErrFutureRev, EtcdError
from reference_impl.etcd.messages import AlarmMember, KeyValue, Member
from reference_impl.etcd.mvcc import KVStore, Revision
from reference_impl.etcd.version import CLUSTER_VERSION
from reference_impl.machinery.protowire import BYTES, VARINT, consume_field, consume_varint, encode_varint, int64
from reference_impl.mirrors import mirrors

MVCC = "go.etcd.io/etcd/server/v3/mvcc"
MEMBERSHIP = "go.etcd.io/etcd/server/v3/etcdserver/api/membership"
KEY_BUCKET = b"key"
LEASE_BUCKET = b"lease"
META_BUCKET = b"meta"
ALARM_BUCKET = b"alarm"
CLUSTER_BUCKET = b"cluster"
MEMBERS_BUCKET = b"members"
MEMBERS_REMOVED_BUCKET = b"members_removed"
# etcdserverpb.AlarmType by number; a number past them is an alarm type etcd keeps as it came
ALARM_TYPES = ("NONE", "NOSPACE", "CORRUPT")
_INT64 = struct.Struct(">q")
_REV = struct.Struct(">Q")
_TOMBSTONE_MARK = b"t"


@mirrors(f"{MVCC}.revToBytes", f"{MVCC}.appendMarkTombstone")
def rev_to_bytes(rev: Revision, tombstone: bool = False) -> bytes:
    return _REV.pack(rev.main) + b"_" + _REV.pack(rev.sub) + (_TOMBSTONE_MARK if tombstone else b"")


@mirrors(f"{MVCC}.bytesToRev", f"{MVCC}.isTombstone")
def bytes_to_rev(data: bytes) -> tuple[Revision, bool]:
    """The revision a `key` bucket key names, and whether it is a tombstone."""
    return Revision(_REV.unpack(data[:8])[0], _REV.unpack(data[9:17])[0]), data[17:] == _TOMBSTONE_MARK


@mirrors("(*go.etcd.io/etcd/api/v3/mvccpb.KeyValue).Marshal")
def marshal_key_value(kv: KeyValue, tombstone: bool = False) -> bytes:
    """mvccpb.KeyValue as gogoproto writes it: fields in number order, zero values left out."""
    out = bytearray()
    if kv.key:
        out += b"\x0a" + encode_varint(len(kv.key)) + kv.key
    if tombstone:
        return bytes(out)
    for tag, number in ((0x10, kv.create_revision), (0x18, kv.mod_revision), (0x20, kv.version)):
        if number:
            out += bytes([tag]) + encode_varint(number)
    if kv.value:
        out += b"\x2a" + encode_varint(len(kv.value)) + kv.value
    if kv.lease:
        out += b"\x30" + encode_varint(kv.lease)
    return bytes(out)


@mirrors("(*go.etcd.io/etcd/api/v3/mvccpb.KeyValue).Unmarshal")
def unmarshal_key_value(data: bytes) -> KeyValue:
    fields: dict[int, int | bytes] = {}
    i = 0
    while i < len(data):
        number, wire, value, i = consume_field(data, i)
        if wire == VARINT:
            fields[number] = int64(value)
        elif wire == BYTES:
            fields[number] = value
        else:
            raise ValueError(f"mvccpb.KeyValue: unexpected wire type {wire}")
    return KeyValue(key=fields.get(1, b""), value=fields.get(5, b""),  # type: ignore[arg-type]
                    create_revision=fields.get(2, 0), mod_revision=fields.get(3, 0),  # type: ignore[arg-type]
                    version=fields.get(4, 0), lease=fields.get(6, 0))  # type: ignore[arg-type]


def key_bucket(store: KVStore) -> Iterator[tuple[bytes, bytes]]:
    """The `key` bucket's entries, in key (= revision) order."""
    for rev, kv in store.revisions():
        yield key_entry(rev, kv)


def key_entry(rev: Revision, kv) -> tuple[bytes, bytes]:
    """One record of the `key` bucket: its revision as the key (a tombstone's marked), the
    KeyValue as the value."""
    tombstone = kv.version == 0
    return rev_to_bytes(rev, tombstone), marshal_key_value(kv, tombstone)


class KeyBucketLayout:
    """The pages of the `key` bucket in write_db's layout, kept as the store grows: its keys are
    revisions, so a write only appends, and each count feeds the sizer just the records written
    since the last one. A compaction (records gone from the middle) or a store replaced makes it
    lay the bucket out again from the first record."""

    _KEY_SIZE = len(rev_to_bytes(Revision(0)))

    def __init__(self) -> None:
        self._reset(None)

    def _reset(self, store: KVStore | None) -> None:
        self._store, self._sizer = store, TreeSizer()
        self._last: Revision | None = None
        self._compacted = store.compact_revision if store else None

    def _stale(self, store: KVStore) -> bool:
        return store is not self._store or store.compact_revision != self._compacted

    def take(self, store: KVStore) -> tuple | None:
        """Under the store's lock: if the bucket must be laid out from its first record again (a
        store not seen before, as after a start, or compacted since), what lay_out needs to do
        that without the lock: the records as they are now (a copy of the backend's dict, put in
        revision order by lay_out); else None."""
        if not self._stale(store):
            return None
        return store, store.compact_revision, store.backend_copy()

    @classmethod
    def lay_out(cls, taken: tuple) -> tuple:
        """The pages of the records `take` took, counted with no lock held: the per-record work
        (each record's protobuf size) that made the first Status after a start or a compaction
        hold up every write (some 25 ms per 10,000 records)."""
        store, compacted, records = taken
        sizer = TreeSizer()
        last = cls._add_records(sizer, sorted(records.items(), key=lambda item: (item[0].main, item[0].sub)))
        return store, compacted, sizer, last

    def adopt(self, laid: tuple, current: KVStore) -> None:
        """Under the store's lock again: start from what lay_out counted if `current` (the
        server's store now) is the one it took, not compacted since, and not laid out meanwhile
        (sizer() then adds only the records written after); else nothing. A store replaced in
        between (a snapshot installed) keeps its own layout, if it has one."""
        store, compacted, sizer, last = laid
        if store is current and self._stale(store) and store.compact_revision == compacted:
            self._store, self._compacted, self._sizer, self._last = store, compacted, sizer, last

    def sizer(self, store: KVStore) -> TreeSizer:
        """The TreeSizer of `store`'s `key` bucket as it is now."""
        if self._stale(store):
            self._reset(store)
        self._feed(store)
        if self._sizer.count != store.records_size()[0]:  # taken from the middle: start again
            self._reset(store)
            self._feed(store)
        return self._sizer

    def _feed(self, store: KVStore) -> None:
        self._last = self._add_records(self._sizer, store.revisions_after(self._last)) or self._last

    @classmethod
    def _add_records(cls, sizer: TreeSizer, records) -> Revision | None:
        """Add each (revision, KeyValue) of `records`, in revision order, to `sizer` as the `key`
        bucket holds it (a tombstone's key one byte longer); the last revision added (None: none)."""
        last = None
        for rev, kv in records:
            tombstone = kv.version == 0
            sizer.add(cls._KEY_SIZE + tombstone, len(marshal_key_value(kv, tombstone)))
            last = rev
        return last


@mirrors(f"(*{MVCC}.store).HashByRev", f"(*{MVCC}.treeIndex).Keep")
def hash_by_rev(store: KVStore, rev: int) -> tuple[int, int, int]:
    """(hash, current revision, compact revision) of the `key` bucket up to `rev` (0: now): etcd's
    HashKV. Revisions at or below the compacted one count only if still visible at `rev`."""
    current, compacted = store.current_revision, store.compact_revision
    if 0 < rev <= compacted:
        raise ErrCompacted(revision=rev, compact_revision=compacted)
    if rev > current:
        raise ErrFutureRev(revision=rev, current_revision=current)
    rev = rev or current
    keep = store.visible_revisions(rev)
    crc = google_crc32c.extend(0, KEY_BUCKET)  # Go's crc32.Update with the Castagnoli table
    for kr, kv in store.revisions():
        if kr.main > rev:
            continue
        if kr.main <= compacted and keep and kr not in keep:
            continue  # etcd has scheduled it for deletion by the compaction
        key, value = key_entry(kr, kv)
        crc = google_crc32c.extend(google_crc32c.extend(crc, key), value)
    return crc, current, compacted


@mirrors("(*go.etcd.io/etcd/server/v3/lease/leasepb.Lease).Marshal")
def marshal_lease(lease_id: int, ttl: int) -> bytes:
    return b"\x08" + encode_varint(lease_id) + (b"\x10" + encode_varint(ttl) if ttl else b"")


@mirrors(f"{MEMBERSHIP}.unsafeSaveMemberToBackend")
def marshal_member(member: Member) -> tuple[bytes, bytes]:
    """A `members` record: the id in hex, then the member's JSON (Go's field order, empty
    optional fields left out)."""
    fields: dict = {"id": member.id, "peerURLs": list(member.peer_urls)}
    if member.is_learner:
        fields["isLearner"] = True
    if member.name:
        fields["name"] = member.name
    if member.client_urls:
        fields["clientURLs"] = list(member.client_urls)
    return f"{member.id:x}".encode(), json.dumps(fields, separators=(",", ":")).encode()


@mirrors("(*go.etcd.io/etcd/api/v3/etcdserverpb.AlarmMember).Marshal")
def marshal_alarm_member(member: AlarmMember) -> bytes:
    """An `alarm` bucket key (its value is empty): the AlarmMember protobuf."""
    out = b"\x08" + encode_varint(member.member_id) if member.member_id else b""
    alarm = ALARM_TYPES.index(member.alarm) if member.alarm in ALARM_TYPES else int(member.alarm)
    return out + (b"\x10" + encode_varint(alarm) if alarm else b"")


@mirrors("(*go.etcd.io/etcd/api/v3/etcdserverpb.AlarmMember).Unmarshal")
def unmarshal_alarm_member(data: bytes) -> AlarmMember:
    fields = {1: 0, 2: 0, **_varint_fields(data)}
    alarm = fields[2]
    return AlarmMember(fields[1], ALARM_TYPES[alarm] if alarm < len(ALARM_TYPES) else str(alarm))


@mirrors(f"(*{MVCC}.store).saveIndex", f"(*{MVCC}.store).compact",
         f"{MEMBERSHIP}.mustSaveClusterVersionToBackend", f"{MEMBERSHIP}.mustDeleteMemberFromBackend")
def backend_buckets(store: KVStore, leases: Iterable[tuple[int, int]], consistent_index: int,
                    auth: dict, members: Iterable[Member], alarms: Iterable[AlarmMember],
                    removed_members: Iterable[int] = (), *,
                    key_layout: KeyBucketLayout | None = None) -> dict:
    """What etcd's bbolt backend holds: the `key`, `lease`, `meta`, auth, membership and `alarm`
    buckets, `auth` in AuthStore.dump()'s form. A removed member's id (in hex, as its members
    key was) stays in members_removed with the value "removed". With `key_layout`, the `key`
    bucket is that layout's TreeSizer, for bolt.layout_size, not its records."""
    meta = [(b"consistent_index", _REV.pack(consistent_index))]
    if store.compact_revision >= 0:
        compacted = rev_to_bytes(Revision(store.compact_revision))
        meta += [(b"finishedCompactRev", compacted), (b"scheduledCompactRev", compacted)]
    return {
        KEY_BUCKET: key_layout.sizer(store) if key_layout else list(key_bucket(store)),
        LEASE_BUCKET: [(_INT64.pack(lid), marshal_lease(lid, ttl)) for lid, ttl in leases],
        META_BUCKET: meta,
        **auth_buckets(auth),
        ALARM_BUCKET: [(marshal_alarm_member(alarm), b"") for alarm in alarms],
        CLUSTER_BUCKET: [(b"clusterVersion", CLUSTER_VERSION.encode())],
        MEMBERS_BUCKET: [marshal_member(member) for member in members],
        MEMBERS_REMOVED_BUCKET: [(f"{member_id:x}".encode(), b"removed") for member_id in removed_members],
    }


@mirrors("(*go.etcd.io/etcd/server/v3/mvcc/backend.backend).Hash", f"(*{MVCC}.store).Hash")
def hash_backend(buckets: dict[bytes, list[tuple[bytes, bytes]]]) -> int:
    """Maintenance.Hash: crc32c over each bucket's name, then its keys and values, in bbolt's
    (sorted) order; meta's consistent_index is left out, as it moves without any user write."""
    crc = 0
    for name in sorted(buckets):
        crc = google_crc32c.extend(crc, name)
        for key, value in sorted(buckets[name]):
            if (name, key) != (META_BUCKET, b"consistent_index"):
                crc = google_crc32c.extend(crc, key + value)
    return crc


@mirrors("(*go.etcd.io/etcd/server/v3/lease/leasepb.Lease).Unmarshal")
def unmarshal_lease(data: bytes) -> tuple[int, int]:
    """(ID, TTL) of a leasepb.Lease (ID field 1, TTL field 2, both int64)."""
    fields = {1: 0, 2: 0, **_varint_fields(data)}
    return int64(fields[1]), int64(fields[2])


def _varint_fields(data: bytes) -> dict[int, int]:
    """The fields of a message that has only varint fields (AlarmMember, leasepb.Lease), by number."""
    fields, i = {}, 0
    while i < len(data):
        tag, i = consume_varint(data, i)
        fields[tag >> 3], i = consume_varint(data, i)
    return fields


@dataclass(frozen=True)
class BackendState:
    """What etcd keeps in bbolt that the reference restores: history, leases, raft position, auth."""

    records: list[KeyValue]  # revision order, tombstones with only key and mod_revision
    current_revision: int
    compact_revision: int
    leases: list[tuple[int, int]]  # (id, ttl)
    consistent_index: int
    auth: dict  # users, roles, enabled and revision in AuthStore.dump()'s form
    alarms: list[AlarmMember]


class SnapshotHashError(EtcdError):
    """A snapshot file whose SHA-256 is missing or does not match what precedes it."""

    message = "snapshot integrity check failed"

    def __str__(self) -> str:
        return f"{self.details.get('path')}: {self.details.get('problem')}"


@mirrors("(*go.etcd.io/etcd/etcdutl/v3/snapshot.v3Manager).saveDB", f"(*{MVCC}.store).restore")
def read_snapshot(data: bytes, path: str = "", *, sha256: bool = False,
                  skip_hash_check: bool = False) -> BackendState:
    """Read a bare bbolt database (an etcd data dir's member/snap/db, which never carries a
    SHA-256: its size only has to be whole pages as bbolt reads it), or, with `sha256`, an
    `etcdctl snapshot save` file, whose SHA-256 must be there and match. A snapshot file without
    one is refused, as `etcdctl snapshot restore` refuses it: a file cut short has lost its
    SHA-256 first, and what is left may still read as a smaller store. `skip_hash_check` is
    etcdctl's --skip-hash-check: a SHA-256 there (by the file's size) is dropped unchecked, and
    a file without one is read as a bare database."""
    if sha256:
        has_hash = len(data) % 512 == hashlib.sha256().digest_size  # etcd's hasChecksum
        if has_hash:
            data, digest = data[:-32], data[-32:]
        if not has_hash and not skip_hash_check:
            raise SnapshotHashError(path=path, problem="snapshot missing hash but --skip-hash-check=false "
                                                       "(a copy of a data dir's member/snap/db has none: "
                                                       "give --skip-hash-check)")
        if has_hash and not skip_hash_check and hashlib.sha256(data).digest() != digest:
            raise SnapshotHashError(path=path, problem="snapshot SHA-256 mismatch")
    try:
        return _backend_state(read_db(data, path))
    except (struct.error, IndexError, KeyError, ValueError, RecursionError, DecodeError) as err:
        # a page or record pointing outside the file, a cycle, a value that is no protobuf
        raise BoltError(path=path, problem=f"not a readable etcd snapshot ({err!r})") from None


def _backend_state(buckets: dict[bytes, list[tuple[bytes, bytes]]]) -> BackendState:
    records, current = [], 1
    for key, value in buckets.get(KEY_BUCKET, []):
        rev, tombstone = bytes_to_rev(key)
        kv = unmarshal_key_value(value)
        records.append(KeyValue(kv.key, mod_revision=rev.main) if tombstone else kv)
        current = max(current, rev.main)
    meta = dict(buckets.get(META_BUCKET, []))
    compacted = bytes_to_rev(meta[b"finishedCompactRev"])[0].main if b"finishedCompactRev" in meta else -1
    index = _REV.unpack(meta[b"consistent_index"])[0] if b"consistent_index" in meta else 0
    leases = [unmarshal_lease(value) for _, value in buckets.get(LEASE_BUCKET, [])]
    alarms = [unmarshal_alarm_member(key) for key, _ in buckets.get(ALARM_BUCKET, [])]
    return BackendState(records, max(current, compacted), compacted, leases, index, auth_state(buckets),
                        alarms)
