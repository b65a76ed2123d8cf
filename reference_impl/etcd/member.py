"""One member of a replicated reference etcd: the driver thread, the disk and the waiting clients
around a `RaftNode`, behind `EtcdServer`'s methods, so the gRPC adapter serves it. Without
clustering flags the reference etcd is one of these too, the only member (`ClusterMember.alone`).

The driver thread owns the RaftNode, or lends it to a client thread for a turn (_submit).
Everything else reaches it through its inbox (messages from peers, conf changes, leader
transfers) or, for clients' proposals and ReadIndex requests, a queue that every turn drains.
Each turn it ticks when a heartbeat interval has passed, then handles every Ready in etcd's
order (raftNode.start):
persist the snapshot, entries and hard state to the write-ahead log and fsync (before any message
leaves: a vote or an append acknowledgement is a promise about the disk), send the messages,
apply the committed entries under the state lock, wake the clients waiting on them, advance.

Writes: a client thread proposes with a request id and sleeps on a waiter; whichever member
applies the entry answers only the client it holds. A follower forwards the proposal to the
leader inside Raft (MsgProp), so a write sent to a follower works as it does in etcd.
Linearizable reads wait for a ReadIndex (one in flight at a time, serving every read that
arrived meanwhile, as etcd's linearizableReadLoop batches them) and for the apply to reach it;
a leader that is the only voter, whose ReadIndex Raft answers with its commit index at once, reads
that index itself unless another thread is driving. Serializable reads are answered from the local
state at once. Leases expire only on the leader, which proposes their revokes.

Group commit: a turn takes every proposal waiting before asking for a Ready, so
N concurrent writers share one WAL record and one fsync; a lone member commits an entry as soon
as it is persisted (its own vote is the quorum), applies it and answers in the same turn.

The disk: a failed fsync, or a member with peers whose WAL append fails, stops the member (etcd
panics), and every waiting and later request gets that error. A lone leader's append the disk
refuses (full) fails only the requests in it: no one else has seen those entries, so they become
no-ops, written with the next entries the disk takes.

Where it differs from etcd, on purpose or not yet: a proposal still waiting when leadership
moves is answered "leader changed" at once (etcd waits out its request timeout; the client knows
the outcome in neither case); and a member that installs a leader's snapshot starts a new watch
hub, so its open watches get no further events (etcd re-syncs them against the new store).

On disk, in the data directory: wal.py's segments holding records {"hs": [term, vote, commit]}
and {"ents": [[term, index, type, data length], ...]} followed by the entries' data raw, and
snapshots holding the Raft snapshot (its metadata, then the state machine raw), the hard state and
the log entries after it. A restart rebuilds the Raft log from those, and the state machine by
applying the committed entries again.
"""
from __future__ import annotations

import base64
import fcntl
import itertools
import json
import os
import queue
import re
import sys
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from reference_impl.etcd.alarm import DEFAULT_QUOTA_BYTES
from reference_impl.etcd.apply import is_txn_readonly
from reference_impl.etcd.auth import AuthStore, simple_token_prefix
from reference_impl.etcd.backend import BackendState, KeyBucketLayout
from reference_impl.etcd.expvar import fd_limit, fd_used
from reference_impl.etcd.errors import (
    ErrBadCluster, ErrBadLeaderTransferee, ErrCorruptWAL, ErrDataDirNotEmpty, ErrLeaderChanged,
    ErrLearnerNotReady, ErrMemberNotFound, ErrMemberNotLearner, ErrNoLeader,
    ErrNotEnoughStartedMembers, ErrNotLeader, ErrNoSpace, ErrOldDataDir, ErrProposeDeadline,
    ErrStopped, ErrTimeout, ErrTimeoutLeaderTransfer, ErrUnhealthy, ErrWALWrite, EtcdError)
from reference_impl.etcd.messages import (
    AlarmRequest, AuthRequest, CompactionRequest, DeleteRangeRequest, InternalAuthenticateRequest,
    LeaseGrantRequest, LeaseKeepAliveRequest, LeaseKeepAliveResponse, LeaseRevokeRequest,
    LeaseTimeToLiveRequest, LeaseTimeToLiveResponse, Member, MutatingRequest, PutRequest,
    RangeRequest, StatusResponse, TxnRequest, WatchCreateRequest)
from reference_impl.etcd.metrics import HealthChecks, ServerMetrics
from reference_impl.etcd.peerhttp import PeerHTTP
from reference_impl.etcd.peer import (
    Transport, fetch_members, lease_ttl_remote, promote_member_remote, renew_lease_remote)
from reference_impl.etcd.raft import (
    Config, ConfChange, ConfChangeType, ConfState, Entry, EntryType, ErrProposalDropped, HardState,
    MemoryStorage, Message, RaftError, RaftState, RawNode, Ready, Snapshot, SnapshotMetadata)
from reference_impl.etcd.raftnode import (
    Applied, RaftNode, compute_cluster_id, compute_member_id, conf_change_for_add,
    check_peer_urls, decode_entry, member_from_plain, member_to_plain, parse_initial_cluster)
from reference_impl.etcd.server import EtcdServer, IdGenerator
from reference_impl.etcd.state import encode_snapshot
from reference_impl.etcd.version import CLUSTER_VERSION, VERSION
from reference_impl.etcd.wal import DB_FILE, WAL, Snapshotter, open_private, touch_dir_all, write_atomically
from reference_impl.machinery.clock import Clock
from reference_impl.mirrors import mirrors

ETCDSERVER = "go.etcd.io/etcd/server/v3/etcdserver"
DEFAULT_HEARTBEAT_MS = 100
DEFAULT_ELECTION_MS = 1000
DEFAULT_SNAPSHOT_COUNT = 10000
DEFAULT_CATCH_UP_ENTRIES = 5000
LEARNER_READY_PERCENT = 0.9  # etcdserver's readyPercent
HEALTH_INTERVAL = 5.0  # etcdserver.HealthInterval: how long peers must have been reachable
MEMBERSHIP = "go.etcd.io/etcd/server/v3/etcdserver/api/membership"
# etcd's default --initial-advertise-peer-urls: a lone member advertises it, nothing listens there.
DEFAULT_PEER_URLS = ("http://localhost:2380",)


def _entries_plain(entries) -> tuple[list, bytes]:
    """Entries as a WAL record holds them: [term, index, type, data length] each, and their data
    one after the other, written raw (a request's entry data is its one encoding)."""
    return ([[e.term, e.index, int(e.type), len(e.data)] for e in entries],
            b"".join([e.data for e in entries]))


class _NoLogBeforeSnapshots(Exception):
    """The log's first entry follows a snapshot: it cannot be replayed without one."""


def _entries_from(plain, raw: bytes, at: int = 0) -> list[Entry]:
    """The entries `_entries_plain` wrote, their data read from `raw` from offset `at` on (or,
    in a log written before data went raw, from base64 in the record)."""
    entries = []
    for term, index, kind, data in plain:
        if isinstance(data, str):
            entries.append(Entry(term, index, EntryType(kind), base64.b64decode(data)))
            continue
        entries.append(Entry(term, index, EntryType(kind), raw[at:at + data]))
        at += data
    return entries


class _Waiter:
    """A client's wait for its answer: a lock the driver releases once (a cheaper wake-up than an
    Event, which matters on the path of every write). `taken` is set once a turn has taken the
    client's proposal from the queue (ClusterMember._contend)."""

    __slots__ = ("_done", "result", "taken")

    def __init__(self) -> None:
        self._done = threading.Lock()
        self._done.acquire()
        self.result: tuple[bool, object] | None = None
        self.taken = False

    def set(self, ok: bool, value: object) -> None:
        if self.result is None:
            self.result = (ok, value)
            self._done.release()

    def wait(self, timeout: float) -> bool:
        return self._done.acquire(timeout=timeout)


ID_FILE = "member_id"
ID_CRC_FILE = "member_id.crc"
# member_id as reference etcds write it: the two ids in lowercase hexadecimal (and their CRC-32
# as a third word, from the build just before member_id.crc).
_IDS = re.compile(rb"([0-9a-f]{1,16}) ([0-9a-f]{1,16})( [0-9a-f]{8})?\n")
_CRC = re.compile(rb"[0-9a-f]{8}\n")


def _warn_of_an_etcd_data_dir(data_dir: Path) -> None:
    """etcd 3.4 started on a data dir it cannot read warns of each entry it does not know
    ("found invalid file under data directory") and starts a new member; the reference, started
    on an etcd data dir (one with member/snap/db or member/wal, where etcd keeps its keys),
    starts a new member too and says how to read those keys. (`etcdctl defrag --data-dir`
    needs that member/snap/db too, which the reference does not keep: on its data dir etcdctl
    3.4 panics "cannot open database at DIR/member/snap/db (open DIR/member/snap/db: no such
    file or directory)", as on an empty folder.) --restore-from-snapshot reads member/snap/db
    only, so it is named only where that file is."""
    member = data_dir / "member"
    if (member / "snap" / "db").is_file():
        print(f"reference etcd: {data_dir} is an etcd data dir (member/snap/db, member/wal), not read "
              f"in place: starting a new member; --restore-from-snapshot {data_dir} on an empty "
              f"--data-dir reads its keys", file=sys.stderr, flush=True)
    elif (member / "wal").is_dir():
        print(f"reference etcd: {data_dir} is an etcd data dir (member/wal, no member/snap/db), not "
              f"read in place: starting a new member; the reference reads no etcd WAL", file=sys.stderr,
              flush=True)


def _ids_text(member_id: int, cluster_id: int) -> bytes:
    return f"{member_id:x} {cluster_id:x}\n".encode()


def _crc_text(ids_text: bytes) -> bytes:
    """member_id.crc's content: the CRC-32 of member_id's line, its newline left out (as the
    build that kept it in member_id computed it)."""
    crc = zlib.crc32(ids_text.rstrip(b"\n"))
    return f"{crc:08x}\n".encode()


def _write_ids(data_dir: Path, member_id: int, cluster_id: int, *, write: Callable[[int, bytes], int],
               fsync: Callable[[int], None]) -> None:
    """member_id, and its CRC-32 beside it in member_id.crc, as etcd's WAL metadata record, which
    holds the ids, carries its CRC: a flipped bit in an id still reads as hexadecimal, and a
    member started under an id not its cluster's waits for an election it can never win. The
    CRC is a file of its own so that member_id stays as a reference etcd from before it reads
    it (any other word there refuses its start), for a rollback. Each written atomically (a
    crash must not leave an empty file that refuses every later start), the CRC first: a crash
    between the two leaves no member_id, and the next start writes both again."""
    ids = _ids_text(member_id, cluster_id)
    write_atomically(data_dir / ID_CRC_FILE, _crc_text(ids), write=write, fsync=fsync)
    write_atomically(data_dir / ID_FILE, ids, write=write, fsync=fsync)


def _read_ids(data_dir: Path) -> tuple[int, int]:
    """The member's and the cluster's ids that member_id holds, exactly as _write_ids writes
    them (int() would also take "0x1f", "+1f" or "1_f", which no reference etcd wrote); damage
    is refused in one line, as etcd refuses WAL metadata it cannot read. Its CRC is checked
    where member_id.crc is there, or where member_id carries it as a third word (as the build
    just before that file wrote it)."""
    id_file, crc_file = data_dir / ID_FILE, data_dir / ID_CRC_FILE
    data = id_file.read_bytes()
    match = _IDS.fullmatch(data)
    ids = (int(match[1], 16), int(match[2], 16)) if match else (0, 0)
    ids_text = data[:match.start(3)] + b"\n" if match and match[3] else data
    if not all(ids) or ids_text != _ids_text(*ids):  # zero, or zeros before an id
        raise ErrCorruptWAL(path=str(id_file), offset=0,
                            problem="not a member id and a cluster id in hexadecimal")
    crc = None
    if match[3]:
        crc = match[3].lstrip() + b"\n"
    elif crc_file.exists():
        crc = crc_file.read_bytes()
        if not _CRC.fullmatch(crc):
            raise ErrCorruptWAL(path=str(crc_file), offset=0, problem="not a CRC-32 in hexadecimal")
    if crc is not None and crc != _crc_text(ids_text):
        raise ErrCorruptWAL(path=str(id_file), offset=0, problem="CRC mismatch")
    return ids


def _check_ids_agree(id_file: Path, ids: tuple[int, int], wal_ids: dict[str, int]) -> None:
    """member_id read whole (its CRC checked, or none to check) must name the ids the WAL's
    segment headers hold: two records that disagree, neither failing its check, are refused,
    as etcd's ReadAll refuses a metadata record unlike the one before (ErrMetadataConflict)."""
    if ids != (wal_ids["member_id"], wal_ids["cluster_id"]):
        raise ErrCorruptWAL(path=str(id_file), offset=0,
                            problem=f"member {ids[0]:x} of cluster {ids[1]:x}, where the WAL's segment "
                                    f"headers say member {wal_ids['member_id']:x} of cluster "
                                    f"{wal_ids['cluster_id']:x}")


def _log_names_members(storage: MemoryStorage, snapshot: Snapshot | None) -> bool:
    """Whether the recovered log says who the members are: a snapshot lists them, and the log's
    first entries add the first members with each one's name and peer URLs (those an older
    reference etcd wrote carry bare ids, which only the flags can name)."""
    if snapshot is not None:
        return True
    if storage.last_index() == 0:
        return False
    first = storage.entries(storage.first_index(), storage.first_index() + 1)[0]
    return first.type == EntryType.EntryConfChange and bool(ConfChange.unmarshal(first.data).context)


def _bootstrap_ids(storage: MemoryStorage) -> list[int]:
    """The members the log's bootstrap entries add: the conf changes it opens with, at term 1."""
    ids = []
    for entry in storage.entries(storage.first_index(), storage.last_index() + 1):
        if entry.term != 1 or entry.type != EntryType.EntryConfChange:
            break
        ids.append(ConfChange.unmarshal(entry.data).node_id)
    return ids


def _published_members(storage: MemoryStorage) -> dict[int, Member]:
    """The members whose attributes the log holds, by id: every start of a member publishes
    itself, its peer URLs too (the last publish of each is kept)."""
    published = {}
    for entry in storage.entries(storage.first_index(), storage.last_index() + 1):
        if entry.type == EntryType.EntryNormal and b'"attr":' in entry.data:
            plain, _ = decode_entry(entry.data)
            if "attr" in plain:
                member = member_from_plain(plain["attr"])
                published[member.id] = member
    return published


def _name_bare_bootstrap_ids(storage: MemoryStorage, initial_cluster: Mapping[int, Member], me: Member,
                             member_id: int) -> dict[int, Member]:
    """The first members of a log whose bootstrap entries carry bare ids (an older reference
    etcd), named from the flags: this member (--name) under the id its data dir holds, the
    others where the flags give their ids, or else as they published themselves in the log.
    The ids stay the log's, as etcd takes them from its WAL: with another
    --initial-cluster-token the flags' ids name no member of the log."""
    by_id = {m.id: m for m in initial_cluster.values() if m.name != me.name}
    by_id[member_id] = replace(me, id=member_id)
    ids = _bootstrap_ids(storage)
    if any(i not in by_id for i in ids):
        by_id = {**_published_members(storage), **by_id}
    unnamed = [f"{i:x}" for i in ids if i not in by_id]
    if unnamed:
        raise ErrBadCluster(problem=f"the log (written by an older reference etcd) names member(s) "
                                    f"{', '.join(unnamed)} by id alone, never published, and "
                                    f"--initial-cluster gives no member that id: start with the "
                                    f"--initial-cluster-token the cluster was created with")
    return {i: by_id[i] for i in ids}


class ClusterMember:
    """A reference etcd member of a Raft cluster; thread-safe, with EtcdServer's methods."""

    @mirrors(f"{ETCDSERVER}.NewServer", f"{ETCDSERVER}.startNode", f"{ETCDSERVER}.restartNode")
    def __init__(self, data_dir: str | os.PathLike, clock: Clock, *, name: str,
                 initial_cluster: Mapping[int, Member], initial_cluster_state: str = "new",
                 listen_peer: tuple[str, int] | None = None,
                 client_urls: tuple[str, ...] = (), heartbeat_ms: int = DEFAULT_HEARTBEAT_MS,
                 election_ms: int = DEFAULT_ELECTION_MS, snapshot_count: int = DEFAULT_SNAPSHOT_COUNT,
                 catch_up_entries: int = DEFAULT_CATCH_UP_ENTRIES, restore: BackendState | None = None,
                 fsync: Callable[[int], None] = os.fsync, write: Callable[[int, bytes], int] = os.write,
                 on_stop: Callable[[], None] = lambda: None,
                 quota_backend_bytes: int | None = DEFAULT_QUOTA_BYTES,
                 server_options: Mapping[str, object] = MappingProxyType({}),
                 wait_for_lock: Callable[[Callable[[], bool], str], None] | None = None) -> None:
        """`server_options`: EtcdServer's keyword options from etcd's flags (max_txn_ops,
        progress_interval, token_ttl, token_type). A data dir another process holds raises BlockingIOError,
        unless `wait_for_lock` is given: it is called with a function that tries the lock once
        (True once held) and the lock file's path, and returns once the lock is held."""
        self.data_dir = Path(data_dir)
        touch_dir_all(self.data_dir)
        self._clock = clock
        self._on_stop = on_stop
        self.heartbeat = heartbeat_ms / 1000
        self.request_timeout = 5 + 2 * election_ms / 1000  # etcd's ReqTimeout()
        self.election_timeout = election_ms / 1000
        lock_fd = open_private(self.data_dir / "LOCK", os.O_RDWR | os.O_CREAT)
        self._lock_file = os.fdopen(lock_fd, "r+b")
        self._wal = WAL(self.data_dir, write=write, fsync=fsync)
        self._snapshotter = Snapshotter(self.data_dir, write=write, fsync=fsync)
        try:
            # Two processes appending to one log would interleave records; etcd locks its WAL too.
            if not self._try_lock():
                if wait_for_lock is None:
                    raise BlockingIOError(f"{self.data_dir / 'LOCK'} is held by another process")
                wait_for_lock(self._try_lock, str(self.data_dir / "LOCK"))
            self._start(clock, name, initial_cluster, initial_cluster_state, listen_peer,
                        client_urls, heartbeat_ms, election_ms, snapshot_count,
                        catch_up_entries, restore, fsync, write, quota_backend_bytes, server_options)
        except BaseException:
            self._wal.close()
            self._lock_file.close()  # closing drops the flock: the directory is free again
            raise

    @property
    def max_request_bytes(self) -> int:
        """--max-request-bytes: the largest request this member proposes."""
        return self.server.max_request_bytes

    @property
    def is_learner(self) -> bool:
        """Whether this member is a learner of its cluster (one not yet promoted). Asked on every
        client call, so read without _state: one dict lookup sees the list before or after a
        change, either a true answer of some moment."""
        known = self.node.members.get(self.id)
        return known is not None and known.is_learner

    @property
    def failure(self) -> BaseException | None:
        """What stopped this member: a disk error (OSError, ErrWALWrite), or ErrStopped for a bug."""
        return self._failed

    def _try_lock(self) -> bool:
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    @classmethod
    def alone(cls, data_dir: str | os.PathLike, clock: Clock, *, name: str = "default",
              peer_urls: tuple[str, ...] = DEFAULT_PEER_URLS, **options) -> ClusterMember:
        """etcd without clustering flags: the only member of a new cluster (--initial-cluster
        NAME=http://localhost:2380), elected at once; returned once it serves clients."""
        initial = ",".join(f"{name}={url}" for url in peer_urls)
        member = cls(data_dir, clock, name=name, initial_cluster=parse_initial_cluster(initial), **options)
        if not member.ready.wait(member.request_timeout):
            member.close()
            raise ErrTimeout()
        return member

    def _start(self, clock, name, initial_cluster, initial_cluster_state, listen_peer,
               client_urls, heartbeat_ms, election_ms, snapshot_count,
               catch_up_entries, restore, fsync, write, quota_backend_bytes, server_options) -> None:
        storage = MemoryStorage()
        snapshot, last_seq = self._recover(storage)
        fresh = storage.last_index() == 0 and snapshot is None
        if fresh:
            _warn_of_an_etcd_data_dir(self.data_dir)
        mine = [m for m in initial_cluster.values() if m.name == name]
        restarting = (not fresh and restore is None and _log_names_members(storage, snapshot)
                      and ((self.data_dir / ID_FILE).exists() or self._wal.read_metadata is not None))
        if not mine and not restarting:
            raise ErrBadCluster(problem=f"--initial-cluster has no member named {name!r} (--name)")
        me = mine[0] if mine else None
        # Client URLs reach the other members through the log, once this member publishes them.
        members = dict(initial_cluster)
        if restore is not None:
            if not fresh:
                raise ErrDataDirNotEmpty(data_dir=str(self.data_dir))
            self._save_restored(restore, clock, members)
            storage = MemoryStorage()
            snapshot, last_seq = self._recover(storage)
            fresh = False
        id_file = self.data_dir / ID_FILE
        recorded = self._recorded_ids(write, fsync)
        if recorded is not None:
            self.id, cluster_id = recorded
        elif initial_cluster_state == "existing":
            cluster_id, members = self._join(initial_cluster, me)
            self.id = next(i for i, m in members.items() if m.peer_urls == me.peer_urls)
        else:
            self.id, cluster_id = me.id, compute_cluster_id(members)
        if not fresh and not restarting and not _log_names_members(storage, snapshot):
            members = _name_bare_bootstrap_ids(storage, initial_cluster, me, self.id)
        self._settle_recovery()
        if restarting:
            # etcd's restartNode: once there is a WAL, the membership is the log's (its bootstrap
            # entries name the first members, as its snapshot names them all) and the cluster
            # flags are not read (embed parses --initial-cluster only for a member not initialized).
            members = {}
            print(f"reference etcd: restarting member {self.id:x} in cluster {cluster_id:x} at commit "
                  f"index {storage.hard_state.commit}", file=sys.stderr, flush=True)
        if not id_file.exists():
            # A member added later has an id with its time of addition in it, and the cluster id
            # comes from the first members: flags cannot recompute them, so they are kept here
            # (etcd keeps them in the WAL's metadata).
            _write_ids(self.data_dir, self.id, cluster_id, write=write, fsync=fsync)
        # Until the log is applied, a restarting member knows its peer URLs from the flags at best.
        peer_urls = me.peer_urls if me is not None else ()
        server = EtcdServer(clock, name=name, member_id=self.id, peer_urls=peer_urls,
                            client_urls=tuple(client_urls), quota_backend_bytes=quota_backend_bytes,
                            **server_options)
        config = Config(self.id, storage, election_tick=max(2, round(election_ms / heartbeat_ms)),
                        heartbeat_tick=1, applied=snapshot.metadata.index if snapshot else 0,
                        check_quorum=True, pre_vote=True, max_size_per_msg=1024 * 1024,
                        max_inflight_msgs=4096 // 8)
        rawnode = RawNode(config)
        if fresh and initial_cluster_state == "new":
            # Each bootstrap entry carries its member, as etcd's startNode puts it in the
            # raft.Peer's context: a restart reads the first members from the log, not the flags.
            rawnode.bootstrap(sorted(members), {i: json.dumps(member_to_plain(m)).encode()
                                                for i, m in members.items()})
        # With a snapshot, install_snapshot below replaces `members` with the snapshot's.
        self.node = RaftNode(rawnode, server, members, cluster_id=cluster_id,
                             snapshot_count=snapshot_count,
                             catch_up_entries=catch_up_entries)
        if snapshot is not None:
            self.node.install_snapshot(snapshot)
            known = self.node.members.get(self.id)
            self.node.server.member = Member(self.id, name, known.peer_urls if known else peer_urls,
                                             tuple(client_urls))
        self._seq = last_seq
        self._wal.metadata = {"member_id": self.id, "cluster_id": cluster_id}
        self._wal.open(self._seq + 1)
        self._state = threading.Condition(threading.Lock())  # the state machine and `applied`
        self._key_layout_turn = threading.Lock()  # taken before _state, never while holding it
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._requests: queue.SimpleQueue = queue.SimpleQueue()  # clients' proposals and reads (_submit)
        self._waiters: dict[int, _Waiter] = {}
        # Client proposals made while there was no leader: etcd's raft node takes no proposal
        # then (its propc is nil) and the request waits for a leader or its timeout. By request id.
        self._awaiting_leader: dict[int, tuple] = {}
        self._awaiting_lock = threading.Lock()
        self._conf_waiters: dict[int, _Waiter] = {}
        self._read_waiters: list[_Waiter] = []
        self._reads_in_flight: dict[bytes, tuple[float, list[_Waiter]]] = {}
        self._read_ctx = itertools.count(1)
        self._ids = IdGenerator(self.id, clock.now())
        self._stopped = threading.Event()
        # Held while driving the RaftNode: by the driver thread, or by a client's thread (_submit).
        self._driving = threading.Lock()
        # The proposing clients waiting for _driving to drive the turn that takes their proposal
        # (_contend): while there are any, one of them takes what is queued, not the driver thread.
        self._contending: list[_Waiter] = []
        self._published_at = 0.0
        self._publish_ids: set[int] = set()  # this start's attribute proposals
        self._version_proposed_at = 0.0
        # Set once the cluster knows this member's attributes: clients are served from then on.
        self.ready = threading.Event()
        self._known_lead = 0
        self._leader_changes_seen = 0
        # etcd's proposalsFailed: proposals that timed out or died with a leader (not refusals)
        self.proposals_failed = 0
        # The revokes this leader proposed for expired leases, by request id, and how many of
        # them applied (etcd's leaseExpired, counted when such a LeaseRevoke succeeds)
        self._expiry_revokes: dict[int, int] = {}
        self.leases_expired = 0
        self.health_checks = HealthChecks()  # counted by etcdhttp.check_health
        self._raft_status = (0, rawnode.raft.term, rawnode.raft.raft_log.committed)
        self._watch_listener: Callable[[int], None] = lambda watch_id: None
        # While a Ready is applied: the watches given responses, woken once it is all applied.
        self._watches_to_wake: set[int] | None = None
        self._failed: BaseException | None = None  # a disk error that stopped this member
        self.transport = Transport(listen_peer, self._on_message, self._on_unreachable,
                                   self._on_snapshot_status, self._answer_peer_query, local_id=self.id,
                                   on_http=PeerHTTP(self).serve_connection)
        self._sync_peers()
        self._driver = threading.Thread(target=self._run, name="etcd-raft", daemon=True)
        self._driver.start()

    # -- recovery ------------------------------------------------------------------------------

    def _recorded_ids(self, write, fsync) -> tuple[int, int] | None:
        """The member's and cluster's ids the data dir holds (None for a new member, or a data
        dir from before member_id): member_id's, checked against the WAL's segment headers'
        where those have ids. etcd keeps them in its WAL alone, so the log's ids stand in for a
        member_id deleted or damaged (unreadable, or its CRC failing), and the file is written
        again from them; an intact member_id naming other ids is refused (_check_ids_agree).
        The files are written here, before this start writes any segment with ids."""
        id_file, wal_ids = self.data_dir / ID_FILE, self._wal.read_metadata
        if not id_file.exists():
            if wal_ids is None:
                return None
            problem = f"{id_file} was missing"
        else:
            try:
                ids = _read_ids(self.data_dir)
            except ErrCorruptWAL as damage:
                if wal_ids is None:
                    raise
                problem = str(damage)
            else:
                if wal_ids is not None:
                    _check_ids_agree(id_file, ids, wal_ids)
                if not (self.data_dir / ID_CRC_FILE).exists():
                    # Deleted (member_id was checked against the log's ids instead), or a data
                    # dir from before the file.
                    _write_ids(self.data_dir, *ids, write=write, fsync=fsync)
                    how = "checked against the WAL's segment headers" if wal_ids is not None else "unchecked"
                    print(f"reference etcd: {self.data_dir / ID_CRC_FILE} was missing: written for "
                          f"member_id ({how})", file=sys.stderr, flush=True)
                return ids
        ids = wal_ids["member_id"], wal_ids["cluster_id"]
        _write_ids(self.data_dir, *ids, write=write, fsync=fsync)
        print(f"reference etcd: {problem}: the member and cluster ids written again from the WAL's "
              f"segment headers", file=sys.stderr, flush=True)
        return ids

    @mirrors(f"{ETCDSERVER}.GetClusterFromRemotePeers")
    def _join(self, initial_cluster: Mapping[int, Member], me: Member) -> tuple[int, dict[int, Member]]:
        """Ask the other members who is in the cluster: `member add` chose this member's id."""
        others = [u for m in initial_cluster.values() if m.name != me.name for u in m.peer_urls]
        plain = fetch_members(others)
        if plain is None:
            raise ErrBadCluster(problem="--initial-cluster-state existing: no member of "
                                        "--initial-cluster answers on its peer URL")
        members = {m.id: m for m in map(member_from_plain, plain["members"])}
        if not any(m.peer_urls == me.peer_urls for m in members.values()):
            raise ErrBadCluster(problem=f"--initial-cluster-state existing: the cluster has no member "
                                        f"with peer URLs {', '.join(me.peer_urls)} (run `etcdctl "
                                        f"member add` first)")
        return plain["cluster_id"], members

    @mirrors("(*go.etcd.io/etcd/etcdutl/v3/snapshot.v3Manager).Restore")
    def _save_restored(self, backend: BackendState, clock: Clock, members: Mapping[int, Member]) -> None:
        """Start an empty data directory from an etcd backend (a snapshot file), as `etcdctl
        snapshot restore` does: a Raft snapshot at the index of the bootstrap entries (one per
        member, term 1) holding the restored keys, so every member restored from the same file
        with the same --initial-cluster starts from the same log."""
        server, now = EtcdServer(clock), clock.now()
        # A restored lease starts its whole TTL again, as etcd's leases do on a new leader.
        server.lessor.recover([(lease_id, ttl, now + ttl) for lease_id, ttl in backend.leases])
        server.store.restore(backend.records, backend.current_revision, backend.compact_revision)
        server.auth.recover(backend.auth)
        server.alarm_store.recover([[alarm.member_id, alarm.alarm] for alarm in backend.alarms])
        index = len(members)
        server.raft_index = index
        server.last_applied_now = now
        data = encode_snapshot(server, [member_to_plain(m) for m in members.values()])
        self._snapshotter.save(0, {"index": index, "term": 1, "voters": sorted(members), "learners": [],
                                   "data_len": len(data), "hs": [1, 0, index], "tail": []}, data)

    def _settle_recovery(self) -> None:
        """What the recovery found, written down once the start can no longer be refused (the
        member's ids checked too): a torn tail of the log cut off, damaged snapshots renamed
        *.broken, a snapshot read from db.json written again. A refused start leaves every file
        as it was, so that the next start meets the same and says the same."""
        self._wal.repair_torn_tail()
        self._snapshotter.set_aside_damaged()
        for damage in self._snapshotter.damaged:
            # etcd 3.4's loadSnap: "renamed to a broken snap file".
            print(f"reference etcd: renamed to a broken snap file {damage.path}.broken", file=sys.stderr,
                  flush=True)
        if self._snapshotter.from_db:
            # etcd's state stays in its bolt db whatever happens to its snap files; here db.json
            # was the last copy, so the snapshot it holds is written again at once. Only a
            # second copy: a disk that cannot take it (full, failing) does not stop the start.
            path = self._snapshotter.path_of(self._snapshotter.db_seq)
            try:
                self._snapshotter.rewrite_from_db()
            except OSError as err:
                print(f"reference etcd: failed to write snapshot file {path} again from {DB_FILE}: "
                      f"{err.strerror or err}", file=sys.stderr, flush=True)
            else:
                print(f"reference etcd: wrote snapshot file {path} again from {DB_FILE}", file=sys.stderr,
                      flush=True)

    @mirrors(f"{ETCDSERVER}.readWAL", "(*go.etcd.io/etcd/server/v3/etcdserver/api/snap.Snapshotter).Load")
    def _recover(self, storage: MemoryStorage):
        """Load the newest snapshot and the log after it into `storage`; the snapshot (or None) and
        the sequence number of the last WAL record read. No file is changed: see _settle_recovery."""
        try:
            loaded = self._snapshotter.load()
        finally:
            for damage in self._snapshotter.damaged:
                print(f"reference etcd: corrupted snapshot file {damage.path}: {damage.problem}",
                      file=sys.stderr, flush=True)
        damaged = self._snapshotter.damaged
        if self._snapshotter.from_db:
            # etcd 3.5's words where every snap file failed: its keys come from its bolt db.
            print(f"reference etcd: No snapshot found. Recovering WAL from scratch! (the state from "
                  f"{self.data_dir / DB_FILE} at record {loaded[0]})", file=sys.stderr, flush=True)
        snap_seq, snapshot, hs = 0, None, HardState()
        if loaded is not None:
            snap_seq, state = loaded
            if "records" in state:
                raise ErrOldDataDir(data_dir=str(self.data_dir))
            md = SnapshotMetadata(ConfState(tuple(state["voters"]), tuple(state["learners"])),
                                  state["index"], state["term"])
            raw = state.get("raw", b"")
            data = base64.b64decode(state["data"]) if "data" in state else raw[:state["data_len"]]
            snapshot = Snapshot(data, md)
            storage.apply_snapshot(snapshot)
            storage.append(_entries_from(state["tail"], raw, len(data)))
            hs = HardState(*state["hs"])
        last_seq = snap_seq
        try:
            # Whether the newest snapshot was taken after its cut is read from the newest one
            # that reads whole (a damaged one newer than it is taken to be of the same build);
            # one of an older reference etcd may rightly have no segment after it.
            cut_first = loaded is not None and loaded[1].get("cut_first", False)
            newest = max(snap_seq, self._snapshotter.newest_seq()) if cut_first else 0
            for record in self._wal.read_all(after=snap_seq, newest_cut_snapshot=newest):
                last_seq = record["seq"]
                if "req" in record or "restart" in record:
                    raise ErrOldDataDir(data_dir=str(self.data_dir))
                if "ents" in record:
                    entries = _entries_from(record["ents"], record.get("raw", b""))
                    if snapshot is None and entries and entries[0].index > storage.last_index() + 1:
                        raise _NoLogBeforeSnapshots()  # the entries a restored snapshot held
                    storage.append(entries)
                if "hs" in record:
                    hs = HardState(*record["hs"])
        except (ErrCorruptWAL, _NoLogBeforeSnapshots) as err:
            gap = isinstance(err, _NoLogBeforeSnapshots)
            if snapshot is not None or not (gap or (damaged and err.details.get("missing_seq") == 1)):
                raise
            why = (f"{damaged[0].problem}, and no other snapshot reads whole" if damaged
                   else "the log starts after a snapshot, and there is none")
            raise ErrCorruptWAL(path=damaged[0].path if damaged else str(self.data_dir), offset=0,
                                problem=f"{why}; the log before it was released (or restored into "
                                        f"it) and there is no {DB_FILE} (a data dir of an older "
                                        f"reference etcd), so nothing else holds its state: restore "
                                        f"the data dir from a backup (etcdctl snapshot save)") from None
        storage.set_hard_state(hs)
        return snapshot, last_seq

    # -- the driver ----------------------------------------------------------------------------

    def _on_message(self, m: Message) -> None:
        self._inbox.put(("msg", m))

    def _on_unreachable(self, peer_id: int) -> None:
        self._inbox.put(("unreachable", peer_id))

    def _on_snapshot_status(self, peer_id: int, failed: bool) -> None:
        self._inbox.put(("snapstatus", peer_id, failed))

    def _members_plain(self) -> dict:
        with self._state:
            return {"cluster_id": self.node.cluster_id,
                    "members": [member_to_plain(m) for m in self.node.members.values()]}

    def _answer_peer_query(self, query: dict) -> dict:
        if query["query"] == "promote":
            return self._promote_for_peer(query["id"])
        if query["query"] in ("lease_renew", "lease_ttl"):
            return self._lease_for_peer(query)
        return self._members_plain()

    @mirrors("(*go.etcd.io/etcd/server/v3/etcdserver/api/etcdhttp.peerMemberPromoteHandler).ServeHTTP")
    def _promote_for_peer(self, member_id: int) -> dict:
        try:
            return {"members": [member_to_plain(m) for m in self.member_promote(member_id)]}
        except EtcdError as err:
            return {"error": type(err).__name__}

    @mirrors("(*go.etcd.io/etcd/server/v3/lease/leasehttp.leaseHandler).ServeHTTP")
    def _lease_for_peer(self, query: dict) -> dict:
        """A follower's keep-alive or time-to-live, answered from this member's lessor if it leads."""
        if not self.node.is_leader():
            return {"error": ErrNotLeader.__name__}
        if query["query"] == "lease_renew":
            return {"ttl": self._read(lambda: self.server.lease_keep_alive(
                LeaseKeepAliveRequest(query["id"]))).ttl}
        resp = self._read(lambda: self.server.lease_time_to_live(
            LeaseTimeToLiveRequest(query["id"], query["keys"])))
        return {"ttl": resp.ttl, "granted_ttl": resp.granted_ttl,
                "keys": [base64.b64encode(key).decode("ascii") for key in resp.keys]}

    def _sync_peers(self) -> None:
        for member_id, member in self.node.members.items():
            if member_id != self.id:
                self.transport.add_peer(member_id, member.peer_urls)
        for member_id in list(self.transport.peers):
            if member_id not in self.node.members:
                self.transport.remove_peer(member_id)

    def _run(self) -> None:
        self._guarded(self._drive)

    def _guarded(self, drive: Callable[[], None]) -> None:
        """Run `drive` (the driver's loop, or one turn of it); a failure stops the member."""
        try:
            drive()
        except (OSError, ErrWALWrite) as err:
            # After a failed fsync the kernel may have dropped the dirty pages, and a member with
            # peers cannot take back entries it has sent: nothing more can be promised durable.
            print(f"reference etcd: the disk failed ({err}); stopping", file=sys.stderr, flush=True)
            self._stop_with(err)
        except BaseException:
            # A bug: the state machine may be half-changed, so this member stops serving rather
            # than answer from it (etcd panics here).
            traceback.print_exc()
            print("reference etcd: the raft driver failed; stopping", file=sys.stderr, flush=True)
            self._stop_with(ErrStopped())

    def _stop_with(self, err: BaseException) -> None:
        """Stop serving: every waiting client and every later request gets `err`."""
        self._failed = err
        self._stopped.set()
        with self._state:
            reads, self._read_waiters = self._read_waiters, []
            reads += [w for _, ws in self._reads_in_flight.values() for w in ws]
        for waiter in reads:
            waiter.set(False, err)
        for waiters in (self._waiters, self._conf_waiters):
            for key in list(waiters):
                self._answer(waiters, key, False, err)
        self._on_stop()

    @mirrors(f"(*{ETCDSERVER}.raftNode).start", f"(*{ETCDSERVER}.EtcdServer).run")
    def _drive(self) -> None:
        next_tick = time.monotonic() + self.heartbeat
        with self._driving:
            self._turn()  # a new cluster's bootstrap entries, a lone member's election
        while not self._stopped.is_set():
            # Client requests queued while this thread held _driving are this thread's to take
            # (_submit): it does not sleep while there are any.
            wait = 0.0 if not self._requests.empty() else max(0.0, next_tick - time.monotonic())
            try:
                item = self._inbox.get(timeout=wait)
            except queue.Empty:
                item = None
            with self._driving:
                if self._stopped.is_set():
                    break  # stopped while waiting for _driving: a failed write must not be retried
                if item is not None:
                    self._handle(item)
                if time.monotonic() >= next_tick:
                    next_tick += self.heartbeat
                    if next_tick < time.monotonic():
                        next_tick = time.monotonic() + self.heartbeat
                    self.node.rawnode.tick()
                self._turn()

    def _submit(self, item: tuple) -> None:
        """Queue a client's request; if no one is driving, drive a turn for it in the calling
        client's thread: a request then needs no handoff to the driver thread and back, the round
        trip that dominated a lone member's write. Requests arriving while someone drives wait
        for the next turn, sharing it and its fsync. No thread sleeps on this queue, so queueing
        wakes no one: a client that drove hands what arrived meanwhile to the driver thread with
        one wake-up, and the driver thread looks again each time it lets go of _driving. A proposing
        client that found _driving taken then waits its turn in _contend."""
        self._requests.put(item)
        if not self._driving.acquire(blocking=False):
            return
        try:
            if not self._stopped.is_set():
                self._guarded(self._turn)
        finally:
            self._let_go()

    def _contend(self, waiter: _Waiter, deadline: float) -> None:
        """Wait for _driving and drive the turn that takes this client's queued proposal, unless
        another's turn has taken it by then (its answer then comes through `waiter`). Handed to
        the driver thread, the proposals queued during a turn cost that thread's wake-up and a
        hand-off back to each client; under concurrent writes that thread drove most turns."""
        self._contending.append(waiter)
        try:
            acquired = self._driving.acquire(timeout=max(0.0, deadline - time.monotonic()))
        finally:
            self._contending.remove(waiter)
        if not acquired:
            self._hand_over()
            return
        try:
            if not self._stopped.is_set() and not waiter.taken and not self._requests.empty():
                self._guarded(self._turn)
        finally:
            self._let_go()

    def _let_go(self) -> None:
        """Release _driving taken by a client's thread, handing the client requests queued
        meanwhile on (_hand_over)."""
        self._driving.release()
        self._hand_over()

    def _hand_over(self) -> None:
        """Queued client requests are a contending client's, which takes them all once it holds
        _driving; with none contending, they go to the driver thread with one wake-up."""
        if not self._requests.empty() and not self._contending:
            self._inbox.put(("requests",))

    def _turn(self) -> None:
        """Handle what the inbox holds and the queued client requests, then every Ready they led
        to (called holding _driving)."""
        for waiting in (self._inbox, self._requests):
            try:
                while True:
                    self._handle(waiting.get_nowait())
            except queue.Empty:
                pass
        self._issue_read_index()
        self._propose_own()
        while self.node.rawnode.has_ready():
            self._process_ready(self.node.rawnode.ready())
            self._propose_own()
        raft = self.node.rawnode.raft
        self._raft_status = (raft.lead, raft.term, raft.raft_log.committed)

    def _propose_own(self) -> None:
        """What this member proposes of itself: a lone member's campaign, a new leader's cluster
        version, its attributes once it knows a leader. Proposed within the turn, their Readies
        are handled in it too, not a heartbeat later: a lone member serves as soon as it starts."""
        self._campaign_if_alone()
        self._maybe_decide_cluster_version()
        self._maybe_publish()

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).adjustTicks")
    def _campaign_if_alone(self) -> None:
        """The only voter needs no election timeout: it campaigns (and wins) at once, once the
        conf changes it has committed are applied (Raft refuses a campaign before)."""
        raft = self.node.rawnode.raft
        if (raft.state != RaftState.StateLeader and raft.prs.voters == {self.id}
                and raft.raft_log.applied >= raft.raft_log.committed):
            self.node.rawnode.campaign()

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).publishV3")
    def _maybe_publish(self) -> None:
        """Propose this member's name and client URLs (once a second) until one proposal is
        applied. As etcd, every start publishes, even when the log already holds the same
        attributes: the entry is part of the raft index clients see."""
        if self.ready.is_set() or self.id not in self.node.members:
            return
        now = time.monotonic()
        if self.node.rawnode.raft.lead == 0 or now - self._published_at < 1.0:
            return
        self._published_at = now
        request_id = self._ids.next()
        try:
            self.node.publish(request_id, self.server.member)
        except ErrProposalDropped:
            return  # tried again in a second
        self._publish_ids.add(request_id)

    def _note_published(self, applied: Applied) -> None:
        """Ready once a publish of this member is applied, or a snapshot brought attributes equal
        to its own (its entry then lies inside the snapshot)."""
        if self.ready.is_set():
            return
        known = self.node.members.get(self.id)
        me = self.server.member
        if self._publish_ids & applied.results.keys() or (
                applied.snapshot_installed and known is not None
                and (known.name, known.client_urls) == (me.name, me.client_urls)):
            self.ready.set()

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).monitorVersions")
    def _maybe_decide_cluster_version(self) -> None:
        """A leader of a cluster with no version yet proposes its own (once a second until it is
        applied), as etcd's new leader does at once: every member runs this release. Proposed as
        soon as this member leads, it commits before any client's request."""
        if self.server.cluster_version is not None or not self.node.is_leader():
            return
        now = time.monotonic()
        if now - self._version_proposed_at < 1.0:
            return
        self._version_proposed_at = now
        try:
            self.node.propose_cluster_version(self._ids.next(), CLUSTER_VERSION)
        except ErrProposalDropped:
            pass  # tried again in a second

    def _handle(self, item: tuple) -> None:
        kind = item[0]
        rn = self.node.rawnode
        try:
            if kind == "msg":
                rn.step(item[1])
            elif kind == "prop":
                _, request_id, request, now = item
                waiter = self._waiters.get(request_id)
                if waiter is not None:
                    waiter.taken = True
                try:
                    with self._state:
                        # _propose checked a client's request for its form before queueing
                        # it; the member's own (lease revokes, checkpoints) are well-formed.
                        self.node.propose(request_id, request, now, checked=True)
                except ErrProposalDropped:
                    if rn.raft.lead:
                        self._answer(self._waiters, request_id, False, ErrNoLeader())
                        self._expiry_revokes.pop(request_id, None)
                    else:
                        with self._awaiting_lock:  # until a leader is known or its client gives up
                            self._awaiting_leader[request_id] = item
                except EtcdError as err:
                    self._answer(self._waiters, request_id, False, err)
                    self._expiry_revokes.pop(request_id, None)
            elif kind == "conf":
                _, cc = item
                try:
                    self.node.propose_conf_change(cc)
                except ErrProposalDropped:
                    self._answer(self._conf_waiters, cc.id, False, ErrNoLeader())
                except EtcdError as err:
                    self._answer(self._conf_waiters, cc.id, False, err)
            elif kind == "transfer":
                rn.transfer_leader(item[1])
            elif kind == "unreachable":
                rn.report_unreachable(item[1])
            elif kind == "snapstatus":
                rn.report_snapshot(item[1], item[2])
            elif kind == "snapshot":
                try:
                    self._snapshot_now(force=True)
                except OSError as err:  # the asker hears of it before the member stops
                    item[1].set(False, err)
                    raise
                item[1].set(True, None)
            # ("read",) only asks for a turn, which then asks for a ReadIndex (_issue_read_index);
            # ("requests",) wakes the driver thread for the client requests queued; ("stop",)
            # wakes it to see that the member is stopping.
        except RaftError:
            pass  # a message from a removed member, or for a term long gone: Raft ignores it too

    def _propose_awaiting_leader(self) -> None:
        """A leader is known: the proposals that waited for one and whose clients still wait
        (none has timed out) go in again."""
        with self._awaiting_lock:
            awaiting, self._awaiting_leader = self._awaiting_leader, {}
        for request_id, item in awaiting.items():
            if request_id in self._waiters:
                self._inbox.put(item)

    def _fail_pending(self) -> None:
        """Leadership moved: a proposal still waiting may have died with the old leader's log (or
        may yet commit). Its client hears "leader changed" now rather than a timeout later; to
        the client the outcome is unknown either way. (etcd waits out its request timeout.)"""
        self.node.forget_proposals()
        for waiters in (self._waiters, self._conf_waiters):
            for key in list(waiters):
                self._answer(waiters, key, False, ErrLeaderChanged())
        self._expiry_revokes.clear()  # failed with the rest: not counted should one yet commit

    @staticmethod
    def _answer(waiters: dict, key: int, ok: bool, value: object) -> None:
        waiter = waiters.pop(key, None)
        if waiter is not None:
            waiter.set(ok, value)

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).linearizableReadLoop")
    def _issue_read_index(self) -> None:
        """One ReadIndex for every read waiting; again if the last got no answer (no leader yet)."""
        now = time.monotonic()
        stale = [ctx for ctx, (sent, _) in self._reads_in_flight.items() if now - sent > 3 * self.heartbeat]
        with self._state:
            for ctx in stale:
                self._read_waiters.extend(self._reads_in_flight.pop(ctx)[1])
            if not self._read_waiters or self._reads_in_flight:
                return
            waiters, self._read_waiters = self._read_waiters, []
        ctx = next(self._read_ctx).to_bytes(8, "big")
        self._reads_in_flight[ctx] = (now, waiters)
        self.node.rawnode.read_index(ctx)

    @mirrors(f"(*{ETCDSERVER}.raftNode).start", "(*go.etcd.io/etcd/server/v3/wal.WAL).Save")
    def _persist(self, rd: Ready) -> Ready:
        """The snapshot, entries and hard state on disk (fsync'd when Raft needs it), then in the
        Raft storage; one record for all the Ready's entries, one fsync for the whole Ready.
        Returns `rd`."""
        if not rd.snapshot.is_empty():
            storage = self.node.rawnode.raft.raft_log.storage
            hs = rd.hard_state if not rd.hard_state.is_empty() else storage.hard_state
            # The log before a leader's snapshot is not this member's to replay: no older
            # snapshot can stand in for this one.
            self._save_snapshot(rd.snapshot, hs, tail=(), keep_previous=False)
        hs = rd.hard_state
        hs_plain = {"hs": [hs.term, hs.vote, hs.commit]} if not hs.is_empty() else {}
        # A write the disk refuses stops the member (ErrWALWrite reaches _guarded), as etcd ends
        # on a failed Save: entries others may have seen cannot be taken back, and after a failed
        # fsync the kernel may have dropped the pages, so nothing more can be promised durable.
        if rd.entries:
            ents, raw = _entries_plain(rd.entries)
            self._append({"ents": ents, **hs_plain}, raw)  # one record: entries and their commit
        elif hs_plain:
            self._append(hs_plain)
        if rd.must_sync:
            self._wal.sync()
        self.node.stable(rd)
        return rd

    def _append(self, record: dict, raw: bytes = b"") -> None:
        seq = self._seq + 1  # the log's records are numbered without gaps
        self._wal.append({"seq": seq, **record}, raw)
        self._seq = seq

    def _snapshot_now(self, force: bool = False) -> None:
        """Take a snapshot when --snapshot-count entries were applied since the last (or now, if
        `force`d) and save it, which releases the log it covers."""
        with self._state:
            snap = self.node.maybe_snapshot(force=force)
        if snap is not None:
            self._save_snapshot(snap, self.node.rawnode.raft.raft_log.storage.hard_state)

    def _save_snapshot(self, snap: Snapshot, hs: HardState, tail=None, keep_previous: bool = True) -> None:
        """The snapshot with the hard state and the log after it (`tail`; by default what the Raft
        storage holds after it), so the segments before it (or before the oldest snapshot kept
        as a stand-in) can go."""
        storage = self.node.rawnode.raft.raft_log.storage
        md = snap.metadata
        if tail is None:
            last = storage.last_index()
            tail = storage.entries(md.index + 1, last + 1) if last > md.index else ()
        tail_plain, tail_raw = _entries_plain(tail)
        # The cut first: the segment starting after the snapshot then exists whenever the
        # snapshot does, as etcd's WAL holds a snapshot record for each snap file, so a start
        # that finds a snapshot without it knows the log after it was deleted (read_all). The
        # snapshot says so ("cut_first"): an older reference etcd cut after its snapshots, and a
        # crash or a full disk between the two left its snapshots without that segment.
        self._wal.cut(self._seq + 1)
        kept_from = self._snapshotter.save(self._seq, {
            "index": md.index, "term": md.term, "voters": list(md.conf_state.voters),
            "learners": list(md.conf_state.learners), "data_len": len(snap.data),
            "hs": [hs.term, hs.vote, hs.commit], "tail": tail_plain, "cut_first": True},
            snap.data + tail_raw, keep_previous=keep_previous)
        self._wal.release(kept_from)

    def _process_ready(self, rd: Ready) -> None:
        if rd.soft_state is not None and rd.soft_state.lead != self._known_lead:
            if self._known_lead:
                self._fail_pending()
            self._known_lead = rd.soft_state.lead
            if self._known_lead:
                self._propose_awaiting_leader()
                self._leader_changes_seen += 1
            if self._known_lead == self.id:
                with self._state:
                    self.server.lessor.promote(self._clock.now(), self.election_timeout)
        # A leader sends its appends before its own fsync (Raft thesis §10.2.1; etcd's raftNode
        # does the same): the followers write in parallel with it. Safe here because this one
        # thread steps the followers' acknowledgements, which alone can move the commit index,
        # only after this fsync has returned. Anyone else's messages (votes, acknowledgements)
        # promise what is on disk, so they wait for it.
        leader = self.node.is_leader()
        if leader:
            self.transport.send(list(rd.messages))
        rd = self._persist(rd)
        if not leader:
            self.transport.send(list(rd.messages))
        with self._state:
            self._watches_to_wake = set()
            try:
                applied = self.node.apply(rd)
            finally:
                woken, self._watches_to_wake = self._watches_to_wake, None
            self._state.notify_all()
            for rs in rd.read_states:
                entry = self._reads_in_flight.pop(rs.request_ctx, None)
                for waiter in entry[1] if entry else ():
                    waiter.set(True, rs.index)
        if applied.snapshot_installed:
            print(f"reference etcd: applied the leader's snapshot at index {rd.snapshot.metadata.index}",
                  file=sys.stderr, flush=True)
        if applied.conf_changes or applied.snapshot_installed:
            self._sync_peers()
        self.node.advance(rd)
        try:
            self._snapshot_now()
        except OSError as err:
            # The entries are safe in the log, which simply stays until the next snapshot.
            print(f"reference etcd: snapshot failed: {err}", file=sys.stderr, flush=True)
        # Last: a woken client runs once this thread lets go of the interpreter, which it does
        # as soon as it waits again, so its answer waits for no further bookkeeping.
        self._note_published(applied)
        for request_id, (ok, value) in applied.results.items():
            self._answer(self._waiters, request_id, ok, value)
            if self._expiry_revokes.pop(request_id, None) is not None and ok:
                self.leases_expired += 1
        for change_id, (ok, value) in applied.conf_changes.items():
            self._answer(self._conf_waiters, change_id, ok, value)
        for watch_id in woken:
            self._watch_listener(watch_id)
        if applied.removed:
            self._stopped.set()
            self._on_stop()

    # -- requests ------------------------------------------------------------------------------

    def _check_running(self) -> None:
        if self._failed is not None:
            raise self._failed
        if self._stopped.is_set():
            raise ErrStopped()

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).processInternalRaftRequestOnce")
    def _propose(self, request: MutatingRequest, *, checked: bool = False):
        """Propose `request` and wait for its answer. A malformed one is refused here, in the
        client's thread, unless the gRPC adapter has already (`checked`); RaftNode.propose
        checks the rest."""
        self._check_running()
        if not checked:
            self.server.check_request(request)  # reads no state
        request_id = self._ids.next()
        deadline = time.monotonic() + self.request_timeout
        waiter = self._waiters[request_id] = _Waiter()
        self._submit(("prop", request_id, request, self._clock.now()))
        if not waiter.taken and waiter.result is None:
            self._contend(waiter, deadline)
        if self._stopped.is_set() and waiter.result is None:  # stopped meanwhile: no one will answer
            self._waiters.pop(request_id, None)
            self._check_running()
        if not waiter.wait(max(0.0, deadline - time.monotonic())):
            self._waiters.pop(request_id, None)
            self.proposals_failed += 1
            with self._awaiting_lock:
                awaited_leader = self._awaiting_leader.pop(request_id, None) is not None
            if awaited_leader:
                raise ErrProposeDeadline()
            raise ErrTimeout()
        ok, value = waiter.result
        if ok:
            return value
        if isinstance(value, ErrLeaderChanged):  # lost with the old leader's log: etcd's times out
            self.proposals_failed += 1
        raise value  # type: ignore[misc]

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).linearizableReadNotify")
    def _read_barrier(self, timeout: float | None = None) -> None:
        """Return once this member has applied everything committed when the read arrived;
        ErrTimeout after `timeout` seconds (by default, the request timeout)."""
        self._check_running()
        timeout = self.request_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        index = self._lone_read_index()
        if index is None:
            waiter = _Waiter()
            with self._state:
                self._read_waiters.append(waiter)
            self._submit(("read",))
            if not waiter.wait(timeout):
                raise ErrTimeout()
            index = waiter.result[1]
        with self._state:
            while self.node.applied < index:  # type: ignore[operator]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ErrTimeout()
                self._state.wait(left)

    @mirrors("go.etcd.io/etcd/raft/v3.stepLeader")
    def _lone_read_index(self) -> int | None:
        """The read index of a leader that is the only voter: its commit index, which Raft gives
        such a leader's ReadIndex at once (stepLeader's IsSingleton case). Read here, in the
        client's thread, it costs no request queued, no turn and no Ready. None when this member
        is not that leader, another thread is driving, or proposals wait to be handled (a lease
        revoke from tick(), a client's write): the read then asks Raft in a turn, after them, as
        it always came after what was queued before it."""
        if not self._driving.acquire(blocking=False):
            return None
        try:
            raft = self.node.rawnode.raft
            idle = self._inbox.empty() and self._requests.empty()
            if idle and self.node.is_leader() and raft.prs.is_singleton():
                return raft.raft_log.committed
            return None
        finally:
            self._let_go()

    def _read(self, fn: Callable, *args: object):
        with self._state:
            return fn(*args)

    @property
    def server(self) -> EtcdServer:
        return self.node.server

    def header(self):
        return self._read(lambda: self.server.header())

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).Range")
    def range(self, req: RangeRequest):
        if not req.serializable:
            self._read_barrier()
        return self._read(lambda: self.server.range(req))

    def put(self, req: PutRequest, *, checked: bool = False):
        return self._propose(req, checked=checked)

    def delete_range(self, req: DeleteRangeRequest, *, checked: bool = False):
        return self._propose(req, checked=checked)

    def txn(self, req: TxnRequest, *, checked: bool = False):
        if is_txn_readonly(req):
            self._read_barrier()
            return self._read(lambda: self.server.txn(req, checked=checked))
        return self._propose(req, checked=checked)

    def compact(self, req: CompactionRequest):
        # Applying a compaction sizes the backend first (the file keeps the pages it frees): the
        # key bucket laid out now, without the state lock, leaves the apply only what is newer.
        # Only on this member, the one the client asked: the other members of a cluster apply
        # the compaction from the log and, after a start, still lay the bucket out inside the
        # apply, holding their lock.
        self._lay_out_key_bucket()
        return self._propose(req)

    def lease_grant(self, req: LeaseGrantRequest):
        return self._propose(req)

    def lease_revoke(self, req: LeaseRevokeRequest):
        return self._propose(req)

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).LeaseRenew")
    def lease_keep_alive(self, req: LeaseKeepAliveRequest) -> LeaseKeepAliveResponse:
        """The leader renews in its lessor alone, with no log entry, as etcd's lessor.Renew does:
        only the leader's expiries count, and a new leader (or a restart) gives every lease its
        whole TTL. A follower asks the leader, as etcd's does over the peer API."""
        self._check_running()
        if self.node.is_leader():
            checkpoint = self._read(lambda: self.server.renew_checkpoint(req.id))
            if checkpoint is not None:
                self._propose(checkpoint)
            return self._read(lambda: self.server.lease_keep_alive(req))
        answer = self._ask_leader(lambda urls, timeout: renew_lease_remote(urls, req.id, timeout))
        return LeaseKeepAliveResponse(self.header(), req.id, answer["ttl"])

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).LeaseTimeToLive")
    def lease_time_to_live(self, req: LeaseTimeToLiveRequest) -> LeaseTimeToLiveResponse:
        """From the leader's lessor, whose expiries alone are renewed: a follower asks it."""
        self._check_running()
        if self.node.is_leader():
            return self._read(lambda: self.server.lease_time_to_live(req))
        answer = self._ask_leader(lambda urls, timeout: lease_ttl_remote(urls, req.id, req.keys, timeout))
        return LeaseTimeToLiveResponse(self.header(), req.id, answer["ttl"], answer["granted_ttl"],
                                       tuple(base64.b64decode(key) for key in answer["keys"]))

    def lease_leases(self):
        return self._read(lambda: self.server.lease_leases())

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).revokeExpiredLeases")
    def tick(self) -> tuple[int, ...]:
        """Watch progress everywhere; on the leader, a revoke proposal for each expired lease
        and one for the lease checkpoints due."""
        now = self._clock.now()
        with self._state:
            self.server.watches.tick(now)
            expired = self.node.expired_leases(now)
            checkpoints = self.node.due_checkpoints(now)
        for lease_id in expired:
            request_id = self._ids.next()
            self._expiry_revokes[request_id] = lease_id
            self._inbox.put(("prop", request_id, LeaseRevokeRequest(lease_id), now))
        if checkpoints is not None:
            self._inbox.put(("prop", self._ids.next(), checkpoints, now))
        return tuple(expired)

    def watch_create(self, req: WatchCreateRequest) -> int:
        return self._read(lambda: self.server.watch_create(req))

    def watch_cancel(self, watch_id: int) -> bool:
        return self._read(lambda: self.server.watch_cancel(watch_id))

    def watch_drain(self, watch_id: int):
        return self._read(lambda: self.server.watch_drain(watch_id))

    def set_watch_listener(self, listener: Callable[[int], None]) -> None:
        """Call `listener(watch_id)` when responses are queued for a watch. Those a Ready's
        entries queue are told once per watch after the whole Ready is applied and its clients
        answered: a stream then wakes once and sends the Ready's revisions together (coalesce),
        instead of waking, and competing with this thread, at each entry."""
        self._watch_listener = listener
        self._read(lambda: self.server.set_watch_listener(self._queued_for_watch))

    def _queued_for_watch(self, watch_id: int) -> None:
        # Called by the core, holding _state.
        if self._watches_to_wake is not None:
            self._watches_to_wake.add(watch_id)
        else:
            self._watch_listener(watch_id)

    @mirrors("(*go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.maintenanceServer).Status")
    def status(self) -> StatusResponse:
        """The server's status as this member's Raft sees it: a member without a leader says so
        first among its errors, as etcd's maintenance server does."""
        lead, term, commit = self._raft_status
        self._lay_out_key_bucket()
        with self._state:
            base = self.server.status()
            is_learner = self.node.members.get(self.id, Member(self.id, "")).is_learner
            errors = base.errors if lead else (ErrNoLeader.message, *base.errors)
            return StatusResponse(base.header, VERSION, base.db_size, lead, commit, term,
                                  self.node.applied, errors, base.db_size_in_use, is_learner)

    def hash_kv(self, revision: int):
        return self._read(lambda: self.server.hash_kv(revision))

    def defragment(self) -> None:
        self._read(self.server.defragment)

    def snapshot_db(self) -> bytes:
        return self._read(lambda: self.server.snapshot_db(self.node.members.values()))

    def hash(self):
        return self._read(lambda: self.server.hash(self.node.members.values()))

    def check_request(self, request) -> None:
        self.server.check_request(request)  # reads no state

    def authorize(self, token, request=None, *, admin: bool = False) -> None:
        self._read(lambda: self.server.authorize(token, request, admin=admin))

    def wait_applied(self, index: int, timeout: float) -> bool:
        """Whether this member has applied `index`, waiting up to `timeout` seconds for it
        (etcd's applyWait, which a simple token's index is waited on with)."""
        deadline = time.monotonic() + timeout
        with self._state:
            while self.node.applied < index:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._state.wait(left)
        return True

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).Authenticate")
    def authenticate(self, name: str, password: str, token: str | None = None) -> str:
        """A token from an Authenticate entry, which every member applies. The password is
        checked before proposing; if users or roles changed before the entry applied, the check
        is stale (the password may have changed), so it is done again."""
        self._read_barrier()
        while True:
            checked = self._read(lambda: self.server.auth.check_password(name, password))
            self.authorize(token)
            issued = self._propose(InternalAuthenticateRequest(name, simple_token_prefix()))
            if checked == self._read(lambda: self.server.auth.revision):
                return issued

    def auth_change(self, request: AuthRequest):
        return self._propose(request)

    @property
    def auth(self) -> AuthStore:
        return self.server.auth

    def read(self, fn: Callable[[], object]):
        return self._read(fn)

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).raftRequestOnce")
    def auth_read_barrier(self) -> None:
        """etcd sends a user or role get or list through raft, so it sees every change committed
        before it, a `user add` acknowledged by another member too; a read index orders it the
        same way (without the log entry)."""
        self._read_barrier()

    def alarms(self):
        return self._read(lambda: self.server.alarms())

    def alarm(self, request: AlarmRequest):
        return self._propose(request)

    @mirrors("(*go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.quotaAlarmer).check")
    def check_quota(self, request) -> None:
        if self._read(lambda: self.server.quota_available(request)):
            return
        try:
            self._propose(self.server.nospace_alarm())
        except EtcdError:
            pass  # etcd ignores the alarm request's outcome: the write is refused either way
        raise ErrNoSpace()

    @property
    def leader(self) -> int:
        """The leader's member id as this member last saw it; 0 while there is none."""
        return self._raft_status[0]

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).Do")
    def quorum_read(self, timeout: float) -> None:
        """Return once a read here would be linearizable, as the v2 quorum GET etcd's health
        check sends through Raft; ErrTimeout after `timeout` seconds."""
        self._read_barrier(timeout)

    def _lay_out_key_bucket(self) -> None:
        """Count the `key` bucket's pages from its first record, if Status would have to (after
        a start or a compaction), with the state lock let go meanwhile: the records are taken
        under it, counted without it, and adopted under it again, so writes go on meanwhile.
        One caller at a time: a Status, /metrics or compaction arriving meanwhile waits for
        that one and finds the bucket laid out, rather than copying and counting it too."""
        with self._key_layout_turn:
            with self._state:
                taken = self.server.key_layout_to_rebuild()
            if taken is not None:
                laid = KeyBucketLayout.lay_out(taken)
                with self._state:
                    self.server.adopt_key_layout(laid)

    def metrics(self) -> ServerMetrics:
        lead, _, commit = self._raft_status
        self._lay_out_key_bucket()
        with self._state:
            status = self.server.status()
            db_size, in_use = status.db_size, status.db_size_in_use
            watchers = self.server.watches.watcher_count()
            keys = self.server.store.keys_total()
            applied = self.node.applied
            store, server = self.server.store, self.server
            lessor = server.lessor
            leases = dict(leases_granted=lessor.granted, leases_revoked=lessor.revoked,
                          leases_renewed=lessor.renewed, lease_ttls=lessor.ttls.snapshot())
            state = dict(**leases, current_revision=store.current_revision, compact_revision=store.compact_revision,
                         auth_revision=server.auth.revision, cluster_version=server.cluster_version,
                         quota_backend_bytes=server.quota_backend_bytes, is_learner=self.is_learner,
                         mvcc=store.counts.snapshot())
        return ServerMetrics(**state, member_id=self.id, fd_limit=fd_limit(), fd_used=fd_used(),
                             has_leader=lead != 0, is_leader=lead == self.id,
                             leader_changes_seen=self._leader_changes_seen,
                             proposals_failed=self.proposals_failed, leases_expired=self.leases_expired,
                             proposals_committed=commit, proposals_applied=applied,
                             db_total_size=db_size, keys_total=keys, db_size_in_use=in_use,
                             proposals_pending=len(self._waiters), watchers=watchers,
                             wal_fsync=self._wal.fsync_durations.snapshot(), server_version=VERSION,
                             health_success=self.health_checks.success,
                             health_failures=self.health_checks.failures)

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).snapshot")
    def snapshot(self) -> None:
        """Write a snapshot of the applied state now and release the log segments it covers."""
        self._check_running()
        waiter = _Waiter()
        self._inbox.put(("snapshot", waiter))
        if not waiter.wait(self.request_timeout):
            raise ErrTimeout()
        ok, err = waiter.result
        if not ok:
            raise err  # type: ignore[misc]

    # -- leadership and membership --------------------------------------------------------------

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).MoveLeader")
    def move_leader(self, target_id: int, timeout: float | None = None,
                    is_active: Callable[[], bool] = lambda: True) -> None:
        """Hand leadership to `target_id` and wait until it has it (this member must lead).

        As etcd, the wait has no bound of its own: it lasts as long as the caller's deadline
        (`timeout` seconds; None, none) and the caller (`is_active`), then it is
        ErrTimeoutLeaderTransfer. A transferee that cannot take over (down, cut off) keeps a
        client without a deadline waiting until it goes."""
        self._check_running()
        if self._raft_status[0] != self.id:
            raise ErrNotLeader()
        with self._state:
            member = self.node.members.get(target_id)
        if member is None or member.is_learner:
            raise ErrBadLeaderTransferee(target_id=target_id)
        self._inbox.put(("transfer", target_id))
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._raft_status[0] != target_id:
            left = None if deadline is None else deadline - time.monotonic()
            if (left is not None and left <= 0) or not is_active():
                raise ErrTimeoutLeaderTransfer()
            # wake at the deadline itself, so the answer reaches the caller before its own timer
            time.sleep(self.heartbeat / 4 if left is None else min(self.heartbeat / 4, left))

    def members(self) -> tuple[Member, ...]:
        with self._state:
            return tuple(sorted(self.node.members.values(), key=lambda m: m.id))

    def _conf_change(self, cc: ConfChange) -> tuple[Member, ...]:
        self._check_running()
        waiter = self._conf_waiters[cc.id] = _Waiter()
        self._inbox.put(("conf", cc))
        if not waiter.wait(self.request_timeout):
            self._conf_waiters.pop(cc.id, None)
            raise ErrTimeout()
        ok, value = waiter.result
        if not ok:
            raise value  # type: ignore[misc]
        return tuple(sorted(value, key=lambda m: m.id))  # type: ignore[arg-type]

    def _connected_since(self, since: float, members: list[Member]) -> int:
        """How many of `members` (this one included) this member has reached since `since`."""
        count = 0
        for m in members:
            active = self.transport.active_since(m.id)
            count += m.id == self.id or (active is not None and active <= since)
        return count

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).mayAddMember",
             f"(*{MEMBERSHIP}.RaftCluster).IsReadyToAddVotingMember", f"{ETCDSERVER}.isConnectedFullySince")
    def _may_add_member(self, is_learner: bool) -> None:
        """etcd's --strict-reconfig-check (on by default): a new voter needs a quorum of started
        members counting it, and this member connected to every voter for HEALTH_INTERVAL."""
        with self._state:
            voters = [m for m in self.node.members.values() if not m.is_learner]
        started = sum(1 for m in voters if m.name)
        if not is_learner and not (started == 1 and len(voters) == 1) and started < (len(voters) + 1) // 2 + 1:
            raise ErrNotEnoughStartedMembers()
        since = time.monotonic() - HEALTH_INTERVAL
        if self._connected_since(since, voters) != len(voters):
            raise ErrUnhealthy()

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).mayRemoveMember",
             f"(*{MEMBERSHIP}.RaftCluster).IsReadyToRemoveVotingMember")
    def _may_remove_member(self, member_id: int) -> None:
        with self._state:
            target = self.node.members.get(member_id)
            voters = [m for m in self.node.members.values() if not m.is_learner]
        if target is not None and target.is_learner:
            return  # a learner holds no quorum; an unknown id is counted as etcd counts it,
            # and refused when applied only if the voters would keep a quorum of started ones
        rest = [m for m in voters if m.id != member_id]
        if sum(1 for m in rest if m.name) < len(rest) // 2 + 1:
            raise ErrNotEnoughStartedMembers()
        if member_id != self.id and self.transport.active_since(member_id) is None:
            return  # a member that is down is no part of the active quorum
        active = self._connected_since(time.monotonic() - HEALTH_INTERVAL, voters)
        if active - 1 < 1 + (len(voters) - 1) // 2:
            raise ErrUnhealthy()

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).isLearnerReady")
    def _is_learner_ready(self, member_id: int) -> None:
        """A member Raft tracks is promoted only once its log has reached LEARNER_READY_PERCENT
        of the leader's; an id it does not track is left to the conf change, which refuses it.
        Only the leader tracks progress: elsewhere, ErrNotLeader."""
        with self._driving:
            raft = self.node.rawnode.raft
            if raft.lead != self.id:
                raise ErrNotLeader()
            if member_id not in raft.prs.progress:
                return
            match, leader_match = raft.prs.progress[member_id].match, raft.prs.progress[self.id].match
        if match < leader_match * LEARNER_READY_PERCENT:
            raise ErrLearnerNotReady(member_id=member_id, match=match, leader_match=leader_match)

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).AddMember")
    def member_add(self, peer_urls: tuple[str, ...], is_learner: bool) -> tuple[Member, tuple[Member, ...]]:
        peer_urls = check_peer_urls(peer_urls)
        self._check_running()
        self._may_add_member(is_learner)
        member = Member(compute_member_id(peer_urls, "", int(self._clock.now())), "",
                        tuple(sorted(peer_urls)), (), is_learner)
        return member, self._conf_change(conf_change_for_add(member, is_learner, self._ids.next()))

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).RemoveMember")
    def member_remove(self, member_id: int) -> tuple[Member, ...]:
        self._may_remove_member(member_id)
        return self._conf_change(ConfChange(ConfChangeType.ConfChangeRemoveNode, member_id,
                                            id=self._ids.next()))

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).PromoteMember")
    def member_promote(self, member_id: int) -> tuple[Member, ...]:
        """Only the leader knows whether the learner is in sync, so a follower forwards the
        promote to it (etcd over the peer HTTP API) and answers what the leader answers."""
        self._check_running()
        try:
            self._is_learner_ready(member_id)
        except ErrNotLeader:
            return self._promote_on_leader(member_id)
        return self._conf_change(ConfChange(ConfChangeType.ConfChangeAddNode, member_id,
                                            id=self._ids.next()))

    def _promote_on_leader(self, member_id: int) -> tuple[Member, ...]:
        """A refusal about the member itself is final; anything else is retried."""
        final = {error.__name__: error for error in (ErrLearnerNotReady, ErrMemberNotFound,
                                                       ErrMemberNotLearner)}
        answer = self._ask_leader(lambda urls, timeout: promote_member_remote(urls, member_id, timeout),
                                  done=lambda answer: "members" in answer or answer["error"] in final)
        if "members" in answer:
            return tuple(map(member_from_plain, answer["members"]))
        raise final[answer["error"]]()

    def _ask_leader(self, ask: Callable[[tuple[str, ...], float], dict | None],
                    done: Callable[[dict], bool] = lambda answer: "error" not in answer) -> dict:
        """`ask(leader's peer URLs, time left)` until its answer is `done` or the request timeout
        passes; no answer (no leader yet, leadership moving) is asked again."""
        deadline = time.monotonic() + self.request_timeout
        while (remaining := deadline - time.monotonic()) > 0:
            with self._state:
                leader = self.node.members.get(self.leader)
            answer = ask(leader.peer_urls, remaining) if leader else None
            if answer is not None and done(answer):
                return answer
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))  # no busy loop while retrying
        raise ErrTimeout()

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).UpdateMember")
    def member_update(self, member_id: int, peer_urls: tuple[str, ...]) -> tuple[Member, ...]:
        with self._state:
            old = self.node.members.get(member_id)
        if old is None:
            raise ErrMemberNotFound()
        # v3rpc's MemberUpdate sends RaftAttributes{PeerURLs} alone: a learner updated is listed
        # as a voter from then on (etcd 3.4.23 does so), though Raft still counts it a learner.
        updated = Member(member_id, old.name, tuple(sorted(peer_urls)), old.client_urls, False)
        return self._conf_change(ConfChange(ConfChangeType.ConfChangeUpdateNode, member_id,
                                            json.dumps(member_to_plain(updated)).encode(),
                                            self._ids.next()))

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).Stop")
    def close(self) -> None:
        self._stopped.set()
        self._inbox.put(("stop",))  # the driver may be waiting for its next tick
        if self._driver.is_alive() and threading.current_thread() is not self._driver:
            self._driver.join()
        self.transport.close()
        with self._driving:  # a client's thread may be in a turn, writing the log
            if self._wal.closed:
                return
            try:
                self._wal.close()
            except OSError:
                if self._failed is None:
                    raise  # after a disk failure that already stopped the member, a last fsync fails too
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()

    def __enter__(self) -> ClusterMember:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
