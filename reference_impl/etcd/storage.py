"""Durability for the reference etcd: a write-ahead log with group commit, snapshots, recovery.

`DurableServer` wraps an `EtcdServer` and gives it etcd's promise: a write is acknowledged only
once it is on disk, and a restart, even after `kill -9` or a power cut, comes back with every
acknowledged write. It follows etcd's own order (raft log fsync, then apply): every mutating
request is appended to the log with its time, the log is fsync'd, and only then is the request
applied and answered, so no reader or watcher ever sees a write a crash could take back.

Group commit: callers append under the lock, and whichever caller finds no fsync running starts
one (outside the lock, so others keep appending), then applies and answers every record the
fsync covered. N concurrent writers cost about N / batch fsyncs, not N.

On disk, in `data_dir`: the log segments and snapshots of `wal.py` (which also tells a torn
tail, repaired, from damage, refused), and LOCK, held (flock) while a process serves the
directory. A snapshot is taken every `snapshot_every` records counted from the last one on disk
(etcd's --snapshot-count), and the log segments it covers are deleted. A record the disk refuses
(full, I/O error) is cut off again and the request fails; a failed fsync stops all writes.
"""
from __future__ import annotations

import base64
import dataclasses
import fcntl
import os
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from reference_impl.etcd.apply import is_txn_readonly
from reference_impl.etcd.errors import ErrDataDirNotEmpty, EtcdError, ErrLeaseNotFound
from reference_impl.etcd.auth import AuthStore
from reference_impl.etcd.backend import BackendState
from reference_impl.etcd.messages import (
    AuthRequest,
    MESSAGE_TYPES, CompactionRequest, CompactionResponse, DeleteRangeRequest, DeleteRangeResponse,
    HashKVResponse,
    LeaseGrantRequest, LeaseGrantResponse, LeaseKeepAliveRequest, LeaseKeepAliveResponse,
    LeaseLeasesResponse, LeaseRevokeRequest, LeaseRevokeResponse, LeaseTimeToLiveRequest,
    LeaseTimeToLiveResponse, Member, MutatingRequest, PutRequest, PutResponse, RangeRequest,
    RangeResponse, ResponseHeader, StatusResponse, TxnRequest, TxnResponse, WatchCreateRequest,
    WatchResponse)
from reference_impl.etcd.server import EtcdServer
from reference_impl.etcd.wal import WAL, WAL_PKG, Snapshotter
from reference_impl.machinery.clock import Clock
from reference_impl.mirrors import mirrors

SERVER = "go.etcd.io/etcd/server/v3/etcdserver"

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


class DurableServer:
    """An `EtcdServer` whose state lives in `data_dir`; thread-safe, same methods."""

    @mirrors(f"{SERVER}.NewServer", f"{SERVER}.restartNode")
    def __init__(self, data_dir: str | os.PathLike, clock: Clock, *,
                 fsync: Callable[[int], None] = os.fsync, write: Callable[[int, bytes], int] = os.write,
                 snapshot_every: int = DEFAULT_SNAPSHOT_EVERY, restore: BackendState | None = None,
                 **server_options: object) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._snapshot_every = snapshot_every
        self._wal = WAL(self.data_dir, write=write, fsync=fsync)
        self._snapshotter = Snapshotter(self.data_dir, fsync=fsync)
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
            self._snapshot_seq = self._load_snapshot()
            self._applied_seq = self._snapshot_seq
            for record in self._wal.read_all(after=self._snapshot_seq):
                self._replay(record)
                self._applied_seq = record["seq"]
            if restore is not None:
                self._restore(restore)
            self._next_seq = self._applied_seq + 1
            self._wal.open(self._next_seq)
            if restore is not None:
                self._snapshot_locked()  # on disk before anything else: a crash keeps it
            self._write_restart_marker()
        except BaseException:
            self._wal.close()
            self._lock_file.close()  # closing drops the flock: the directory is free again
            raise

    # -- recovery ----------------------------------------------------------------------------

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
        self._wal.append({"seq": seq, "now": now, "restart": True})
        self._next_seq += 1
        self._wal.sync()
        self._rebase_leases(now)
        self._applied_seq = seq

    @mirrors("(*go.etcd.io/etcd/etcdutl/v3/snapshot.v3Manager).Restore")
    def _restore(self, state: BackendState) -> None:
        """Start from an etcd backend (a snapshot file), in an empty data directory only: as
        `etcdctl snapshot restore` refuses an existing one, nothing here is overwritten."""
        if self._applied_seq or any(self.data_dir.glob("snap-*.json")):
            raise ErrDataDirNotEmpty(data_dir=str(self.data_dir))
        server, now = self._server, self._clock.now()
        # A restored lease starts its whole TTL again, as etcd's leases do on a new leader.
        server.lessor.recover([(lease_id, ttl, now + ttl) for lease_id, ttl in state.leases])
        server.store.restore(state.records, state.current_revision, state.compact_revision)
        server.raft_index = state.consistent_index
        server.last_applied_now = now

    # -- snapshots ---------------------------------------------------------------------------

    def _load_snapshot(self) -> int:
        loaded = self._snapshotter.load()
        if loaded is None:
            return 0
        seq, state = loaded
        recover_state(self._server, state)
        return seq

    @mirrors(f"(*{SERVER}.EtcdServer).snapshot",
             "(*go.etcd.io/etcd/server/v3/etcdserver/api/snap.Snapshotter).SaveSnap")
    def snapshot(self) -> None:
        """Write the applied state to disk now and drop the log it makes unnecessary."""
        with self._cond:
            while self._syncing:
                self._cond.wait()
            self._snapshot_locked()

    @mirrors(f"(*{SERVER}.EtcdServer).triggerSnapshot")
    def _snapshot_locked(self) -> None:
        server, seq = self._server, self._applied_seq
        self._snapshotter.save(seq, dump_state(server))
        # Records after `seq` may still sit in the current segment (appended, not yet applied), so
        # it stays until a later snapshot covers it; later appends go to a new segment.
        self._wal.cut(self._next_seq)
        self._wal.release(seq)
        self._snapshot_seq = seq

    # -- the commit path ---------------------------------------------------------------------

    @mirrors(f"(*{SERVER}.EtcdServer).processInternalRaftRequestOnce", f"(*{WAL_PKG}.WAL).Save",
             f"(*{WAL_PKG}.WAL).sync")
    def _commit(self, request: MutatingRequest):
        with self._cond:
            if self._failed:
                raise self._failed
            self._server.check(request)
            request = self._server.prepare(request)
            now = self._clock.now()
            seq = self._next_seq
            # A failed append leaves the log as it was: the request is refused, nothing is lost.
            self._wal.append({"seq": seq, "now": now, "req": to_plain(request)})
            self._next_seq += 1
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
        covered = self._next_seq - 1
        self._cond.release()
        try:
            self._wal.sync()
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
        if self._applied_seq - self._snapshot_seq >= self._snapshot_every:
            # Counted from the last snapshot on disk, not from this process's start, so a server
            # restarted often still snapshots (etcd: appliedi - snapi > SnapshotCount).
            try:
                self._snapshot_locked()
            except OSError as err:
                # The writes are safe in the log; the snapshot is retried after the next write.
                print(f"reference etcd: snapshot failed: {err}", file=sys.stderr, flush=True)
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

    def hash_kv(self, revision: int) -> HashKVResponse:
        return self._read(self._server.hash_kv, revision)

    def snapshot_db(self) -> bytes:
        return self._read(self._server.snapshot_db)

    def authorize(self, token: str | None, request=None, *, admin: bool = False) -> None:
        self._read(lambda: self._server.authorize(token, request, admin=admin))

    def authenticate(self, name: str, password: str) -> str:
        return self._read(self._server.authenticate, name, password)

    def auth_change(self, request: AuthRequest) -> ResponseHeader:
        return self._commit(request)

    @property
    def auth(self) -> AuthStore:
        """The auth store, for reads under `read(fn)`; change it only with auth_change."""
        return self._server.auth

    def read(self, fn: Callable[[], object]):
        """Call `fn` with the server's lock held: a consistent read of several things."""
        return self._read(fn)

    def move_leader(self, target_id: int) -> None:
        self._read(self._server.move_leader, target_id)

    def alarms(self) -> list:
        return self._read(self._server.alarms)

    def members(self) -> tuple[Member, ...]:
        return self._read(self._server.members)

    @mirrors(f"(*{WAL_PKG}.WAL).Close")
    def close(self) -> None:
        """Wait for the fsync in flight, then release the log and the directory."""
        with self._cond:
            while self._syncing:
                self._cond.wait()
            if not self._wal.closed:
                self._wal.close()
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)
                self._lock_file.close()

    def __enter__(self) -> DurableServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


