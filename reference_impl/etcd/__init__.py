"""A reference etcd in Python: etcd's KV, lease and watch behaviour, on one member or as a Raft
cluster of several. It answers as etcd 3.4 (see `version`); the Go it names is etcd v3.5.1's.

Layers, each usable on its own:
  mvcc      the multi-version store (revisions, generations, compaction, history)
  lease     the lessor (grant, renew, expiry against a clock passed in)
  watch     the watch hub (catch-up from history, live events, progress)
  apply     etcd's request checks and applier (range options, put, delete, txn)
  auth      users, roles, permissions and tokens (etcd 3.4's auth store)
  backend   the store as etcd's bbolt buckets hold it: HashKV, snapshot files, restoring them
  bolt      a minimal bbolt file reader and writer, for etcd's snapshot files
  version   the etcd release the server reports (Status, metrics, a snapshot's cluster version)
  server    `EtcdServer`, the sans-IO facade an adapter calls, one method per RPC
  wal       the write-ahead log and snapshot files: append, sync, read back, repair, release
  state     the applied state and requests as JSON-able data, for log entries and snapshots
  raft      a sans-IO Raft core mirroring etcd's raft package
  raftnode  `RaftNode`: requests as Raft entries applied to an EtcdServer, membership, snapshots
  peer      the TCP transport between members (length-prefixed frames of Raft messages)
  member    `ClusterMember`: one member's driver thread, WAL, snapshots and waiting clients; a
            lone member (`ClusterMember.alone`) is etcd without clustering flags
The cores read no clock and do no I/O; `wal` and `member` are the only modules that touch disk,
`peer` the only one that opens sockets.
"""
from reference_impl.etcd.errors import EtcdError
from reference_impl.etcd.server import EtcdServer
from reference_impl.etcd.member import ClusterMember

__all__ = ["ClusterMember", "EtcdError", "EtcdServer"]
