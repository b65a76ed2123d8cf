"""Durability for the reference etcd: a write-ahead log with group commit, snapshots, recovery.

`DurableServer` wraps an `EtcdServer` and gives it etcd's promise: a write is acknowledged only
once it is on disk, and a restart, even after `kill -9` or a power cut, comes back with every
acknowledged write. It follows etcd's own order (raft log fsync, then apply): every mutating
request is appended to the log with its time, the log is fsync'd, and only then is the request
applied and answered, so no reader or watcher ever sees a write a crash could take back.

Group commit: callers append under the lock, and whichever caller finds no fsync running starts
one (outside the lock, so others keep appending), then applies and answers every record the
fsync covered. N concurrent writers cost about N / batch fsyncs, not N.

On disk, in `data_dir`:
  wal-<first seq>.log   records: 4-byte length, 4-byte CRC-32 of the payload, JSON payload
  snap-<seq>.json       the whole state after record <seq>, in the same framing
  LOCK                  held (flock) while a process serves the directory
A snapshot is written to a temporary file, fsync'd, renamed into place and the directory fsync'd,
so it is either wholly there or not at all; log segments older than it are then deleted.
A record cut short at the end of the last segment is a write that never finished, hence was
never acknowledged: recovery drops it. A bad record anywhere else is damage: `ErrCorruptWAL`.
"""
from __future__ import annotations

import base64
import dataclasses
import fcntl
import json
import os
import struct
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

from reference_impl.etcd.apply import is_txn_readonly
from reference_impl.etcd.errors import ErrCorruptWAL, EtcdError, ErrLeaseNotFound
from reference_impl.etcd.messages import (
    MESSAGE_TYPES, CompactionRequest, CompactionResponse, DeleteRangeRequest, DeleteRangeResponse,
    LeaseGrantRequest, LeaseGrantResponse, LeaseKeepAliveRequest, LeaseKeepAliveResponse,
    LeaseLeasesResponse, LeaseRevokeRequest, LeaseRevokeResponse, LeaseTimeToLiveRequest,
    LeaseTimeToLiveResponse, Member, MutatingRequest, PutRequest, PutResponse, RangeRequest,
    RangeResponse, ResponseHeader, StatusResponse, TxnRequest, TxnResponse, WatchCreateRequest,
    WatchResponse)
from reference_impl.etcd.server import EtcdServer
from reference_impl.machinery.clock import Clock
from reference_impl.mirrors import mirrors

WAL = "go.etcd.io/etcd/server/v3/wal"
SERVER = "go.etcd.io/etcd/server/v3/etcdserver"

_FRAME = struct.Struct("<II")  # payload length, CRC-32 of the payload
DEFAULT_SNAPSHOT_EVERY = 10000


def to_plain(obj: object) -> object:
    """A message as JSON-able data: dataclasses tagged with their type, bytes as base64."""
    if isinstance(obj, bytes):
        return {"b64": base64.b64encode(obj).decode("ascii")}
    if isinstance(obj, (tuple, list)):
        return [to_plain(item) for item in obj]
    if dataclasses.is_dataclass(obj):
        plain = {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return {"@": type(obj).__name__, **plain}
    return obj


def from_plain(data: object) -> object:
    if isinstance(data, list):
        return tuple(from_plain(item) for item in data)
    if isinstance(data, dict):
        if "@" not in data:
            return base64.b64decode(data["b64"])
        cls = MESSAGE_TYPES[data["@"]]
        return cls(**{name: from_plain(value) for name, value in data.items() if name != "@"})
    return data


def frame(payload: dict) -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return _FRAME.pack(len(body), zlib.crc32(body)) + body


@mirrors(f"(*{WAL}.decoder).decodeRecord", f"(*{WAL}.decoder).isTornEntry")
def read_frames(path: Path, last_segment: bool) -> Iterator[tuple[int, dict]]:
    """(end offset, payload) of each record in a log file.

    Stops at a torn tail of the last segment (cut short, or ending in a zeroed or unverifiable
    write); raises ErrCorruptWAL for a bad record that has intact data after it.
    """
    data = path.read_bytes()
    offset = 0
    while offset < len(data):
        end = offset + _FRAME.size
        length, crc = _FRAME.unpack(data[offset:end]) if end <= len(data) else (None, None)
        body = data[end:end + length] if length else b""
        if length and len(body) == length and zlib.crc32(body) == crc:
            offset = end + length
            yield offset, json.loads(body)
            continue
        torn = length is None or end + (length or 0) >= len(data) or not any(data[offset:])
        if last_segment and torn:
            return
        raise ErrCorruptWAL(path=str(path), offset=offset)


class DurableServer:
    """An `EtcdServer` whose state lives in `data_dir`; thread-safe, same methods."""

    @mirrors(f"{SERVER}.NewServer", f"{SERVER}.restartNode", f"{WAL}.Open", f"(*{WAL}.WAL).ReadAll")
    def __init__(self, data_dir: str | os.PathLike, clock: Clock, *,
                 fsync: Callable[[int], None] = os.fsync,
                 snapshot_every: int = DEFAULT_SNAPSHOT_EVERY, **server_options: object) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._fsync = fsync
        self._snapshot_every = snapshot_every
        self._cond = threading.Condition(threading.Lock())
        self._lock_file = open(self.data_dir / "LOCK", "a+b")
        try:
            # Two processes appending to one log would interleave records; etcd locks its WAL too.
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._server = EtcdServer(clock, **server_options)  # type: ignore[arg-type]
            self._pending: deque[tuple[int, MutatingRequest, float]] = deque()
            self._results: dict[int, tuple[bool, object]] = {}
            self._syncing = False
            self._failed: BaseException | None = None
            self._applied_seq = self._recover()
            self._next_seq = self._applied_seq + 1
            self._since_snapshot = 0
            self._fd = self._open_segment(self._next_seq)
            self._write_restart_marker()
        except BaseException:
            self._lock_file.close()  # closing drops the flock: the directory is free again
            raise

    # -- recovery ----------------------------------------------------------------------------

    def _recover(self) -> int:
        for stale in self.data_dir.glob("*.tmp"):
            stale.unlink()
        seq = 0
        snaps = sorted(self.data_dir.glob("snap-*.json"))
        if snaps:
            seq = self._load_snapshot(snaps[-1])
        segments = self._segments()
        for i, path in enumerate(segments):
            valid_end = 0
            for valid_end, record in read_frames(path, last_segment=i == len(segments) - 1):
                if record["seq"] <= seq:
                    continue
                if record["seq"] != seq + 1:
                    raise ErrCorruptWAL(path=str(path), missing_seq=seq + 1)
                self._replay(record)
                seq = record["seq"]
            if path.stat().st_size > valid_end:
                self._cut_torn_tail(path, valid_end)
        return seq

    @mirrors(f"{WAL}.Repair")
    def _cut_torn_tail(self, path: Path, valid_end: int) -> None:
        # New records go to a new segment, after which this one is no longer the last: a torn
        # tail left in it would then read as damage.
        with open(path, "r+b") as f:
            f.truncate(valid_end)
            self._fsync(f.fileno())

    def _replay(self, record: dict) -> None:
        if "restart" in record:
            self._rebase_leases(record["now"])
            return
        try:
            self._server.apply(from_plain(record["req"]), record["now"])  # type: ignore[arg-type]
        except EtcdError:
            pass  # it failed the same way when first applied, and changed nothing then either

    def _rebase_leases(self, now: float) -> None:
        server = self._server
        if server.last_applied_now is not None:
            server.lessor.rebase(server.last_applied_now, now)
        server.last_applied_now = now

    def _write_restart_marker(self) -> None:
        # Lease expiries from before a restart are on the old clock; the marker records where the
        # new clock starts, so replaying the log later moves them over at exactly this point.
        now = self._clock.now()
        seq = self._next_seq
        self._next_seq += 1
        os.write(self._fd, frame({"seq": seq, "now": now, "restart": True}))
        self._fsync(self._fd)
        self._rebase_leases(now)
        self._applied_seq = seq

    def _segments(self) -> list[Path]:
        return sorted(self.data_dir.glob("wal-*.log"))

    def _segment_path(self, first_seq: int) -> Path:
        return self.data_dir / f"wal-{first_seq:020d}.log"

    @mirrors(f"{WAL}.Create", f"(*{WAL}.WAL).cut")
    def _open_segment(self, first_seq: int) -> int:
        # An empty segment of that name (from a cut with nothing written since) is simply reused.
        fd = os.open(self._segment_path(first_seq), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._fsync_dir()
        return fd

    @mirrors("go.etcd.io/etcd/client/pkg/v3/fileutil.Fsync")
    def _fsync_dir(self) -> None:
        dir_fd = os.open(self.data_dir, os.O_RDONLY)
        try:
            self._fsync(dir_fd)
        finally:
            os.close(dir_fd)

    # -- snapshots ---------------------------------------------------------------------------

    def _load_snapshot(self, path: Path) -> int:
        frames = list(read_frames(path, last_segment=False))
        if len(frames) != 1:
            raise ErrCorruptWAL(path=str(path), offset=0)
        state = frames[0][1]
        server = self._server
        server.lessor.recover([tuple(lease) for lease in state["leases"]])
        records = [from_plain(kv) for kv in state["records"]]
        server.store.restore(records, state["current"], state["compacted"])  # type: ignore[arg-type]
        server.raft_index = state["raft_index"]
        server.last_applied_now = state["last_applied_now"]
        return state["seq"]

    @mirrors(f"(*{SERVER}.EtcdServer).snapshot",
             "(*go.etcd.io/etcd/server/v3/etcdserver/api/snap.Snapshotter).SaveSnap")
    def snapshot(self) -> None:
        """Write the applied state to disk now and drop the log it makes unnecessary."""
        with self._cond:
            while self._syncing:
                self._cond.wait()
            self._snapshot_locked()

    def _snapshot_locked(self) -> None:
        server, seq = self._server, self._applied_seq
        state = {
            "seq": seq, "raft_index": server.raft_index, "last_applied_now": server.last_applied_now,
            "current": server.store.current_revision, "compacted": server.store.compact_revision,
            "records": [to_plain(kv) for kv in server.store.records()],
            "leases": server.lessor.dump(),
        }
        final = self.data_dir / f"snap-{seq:020d}.json"
        tmp = final.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(frame(state))
            f.flush()
            self._fsync(f.fileno())
        os.replace(tmp, final)
        self._fsync_dir()
        # Records after `seq` may still sit in the current segment (appended, not yet applied), so
        # it stays until a later snapshot covers it; later appends go to a new segment.
        self._fsync(self._fd)
        os.close(self._fd)
        old_segments = [p for p in self._segments() if p != self._segment_path(self._next_seq)]
        self._fd = self._open_segment(self._next_seq)
        for older in self.data_dir.glob("snap-*.json"):
            if older != final:
                older.unlink()
        firsts = [int(p.stem.split("-")[1]) for p in old_segments] + [self._next_seq]
        for path, next_first in zip(old_segments, firsts[1:]):
            if next_first - 1 <= seq:
                path.unlink()
        self._since_snapshot = 0

    # -- the commit path ---------------------------------------------------------------------

    @mirrors(f"(*{SERVER}.EtcdServer).processInternalRaftRequestOnce", f"(*{WAL}.WAL).Save",
             f"(*{WAL}.WAL).sync")
    def _commit(self, request: MutatingRequest):
        with self._cond:
            if self._failed:
                raise self._failed
            self._server.check(request)
            request = self._server.prepare(request)
            now = self._clock.now()
            seq = self._next_seq
            self._next_seq += 1
            os.write(self._fd, frame({"seq": seq, "now": now, "req": to_plain(request)}))
            self._pending.append((seq, request, now))
            while seq not in self._results:
                if self._failed:
                    raise self._failed
                if self._syncing:
                    self._cond.wait()
                else:
                    self._sync_and_apply()
            ok, value = self._results.pop(seq)
        if ok:
            return value
        raise value  # type: ignore[misc]

    def _sync_and_apply(self) -> None:
        """Called with the lock held: fsync everything appended so far, then apply and answer it."""
        self._syncing = True
        covered, fd = self._next_seq - 1, self._fd
        self._cond.release()
        try:
            self._fsync(fd)
        except BaseException as exc:
            # After a failed fsync the kernel may have dropped the dirty pages: nothing after this
            # point can be promised durable, so the server stops taking writes.
            self._failed = exc
            raise
        finally:
            self._cond.acquire()
            self._syncing = False
            self._cond.notify_all()
        while self._pending and self._pending[0][0] <= covered:
            seq, request, now = self._pending.popleft()
            try:
                self._results[seq] = (True, self._server.apply(request, now))
            except EtcdError as err:
                self._results[seq] = (False, err)
            except Exception as exc:
                # A bug, not a refusal: the state may be half-changed, so stop taking writes.
                self._results[seq] = (False, exc)
                self._failed = exc
            self._applied_seq = seq
            self._since_snapshot += 1
        if self._since_snapshot >= self._snapshot_every:
            self._snapshot_locked()
        self._cond.notify_all()

    def _read(self, fn: Callable, *args: object):
        with self._cond:
            return fn(*args)

    # -- the EtcdServer API ------------------------------------------------------------------

    def header(self) -> ResponseHeader:
        return self._read(self._server.header)

    def range(self, req: RangeRequest) -> RangeResponse:
        return self._read(self._server.range, req)

    def put(self, req: PutRequest) -> PutResponse:
        return self._commit(req)

    def delete_range(self, req: DeleteRangeRequest) -> DeleteRangeResponse:
        return self._commit(req)

    def txn(self, req: TxnRequest) -> TxnResponse:
        if is_txn_readonly(req):
            return self._read(self._server.txn, req)
        return self._commit(req)

    def compact(self, req: CompactionRequest) -> CompactionResponse:
        return self._commit(req)

    def lease_grant(self, req: LeaseGrantRequest) -> LeaseGrantResponse:
        return self._commit(req)

    def lease_revoke(self, req: LeaseRevokeRequest) -> LeaseRevokeResponse:
        return self._commit(req)

    def lease_keep_alive(self, req: LeaseKeepAliveRequest) -> LeaseKeepAliveResponse:
        try:
            return self._commit(req)
        except ErrLeaseNotFound:
            return LeaseKeepAliveResponse(self.header(), req.id, 0)

    def lease_time_to_live(self, req: LeaseTimeToLiveRequest) -> LeaseTimeToLiveResponse:
        return self._read(self._server.lease_time_to_live, req)

    def lease_leases(self) -> LeaseLeasesResponse:
        return self._read(self._server.lease_leases)

    def tick(self) -> tuple[int, ...]:
        """Expire leases whose time is up, each through the log like a revoke request."""
        with self._cond:
            now = self._clock.now()
            self._server.watches.tick(now)
            expired = self._server.expired_leases(now)
        revoked = []
        for lease_id in expired:
            try:
                self._commit(LeaseRevokeRequest(lease_id))
                revoked.append(lease_id)
            except ErrLeaseNotFound:
                pass  # revoked by a client in the meantime
        return tuple(revoked)

    def watch_create(self, req: WatchCreateRequest) -> int:
        return self._read(self._server.watch_create, req)

    def watch_cancel(self, watch_id: int) -> bool:
        return self._read(self._server.watch_cancel, watch_id)

    def watch_progress(self, watch_id: int | None = None) -> None:
        self._read(self._server.watch_progress, watch_id)

    def watch_drain(self, watch_id: int) -> list[WatchResponse]:
        return self._read(self._server.watch_drain, watch_id)

    def set_watch_listener(self, listener: Callable[[int], None]) -> None:
        self._read(self._server.set_watch_listener, listener)

    def status(self) -> StatusResponse:
        return self._read(self._server.status)

    def alarms(self) -> list:
        return self._read(self._server.alarms)

    def members(self) -> tuple[Member, ...]:
        return self._read(self._server.members)

    @mirrors(f"(*{WAL}.WAL).Close")
    def close(self) -> None:
        """Wait for the fsync in flight, then release the log and the directory."""
        with self._cond:
            while self._syncing:
                self._cond.wait()
            if self._fd >= 0:
                self._fsync(self._fd)
                os.close(self._fd)
                self._fd = -1
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)
                self._lock_file.close()

    def __enter__(self) -> DurableServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


