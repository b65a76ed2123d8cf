"""A reference etcd in Python: etcd v3.5.1's KV, lease and watch behaviour for one member.

Layers, each usable on its own:
  mvcc      the multi-version store (revisions, generations, compaction, history)
  lease     the lessor (grant, renew, expiry against a clock passed in)
  watch     the watch hub (catch-up from history, live events, progress)
  apply     etcd's request checks and applier (range options, put, delete, txn)
  server    `EtcdServer`, the sans-IO facade an adapter calls, one method per RPC
  storage   `DurableServer`, the same API with a write-ahead log, snapshots and recovery
  raft      a sans-IO Raft core mirroring etcd's raft package (not yet used by the server)
The cores read no clock and do no I/O; `storage` is the only module that touches disk.
"""
from reference_impl.etcd.errors import EtcdError
from reference_impl.etcd.server import EtcdServer, ManualClock, WallClock
from reference_impl.etcd.storage import DurableServer

__all__ = ["DurableServer", "EtcdError", "EtcdServer", "ManualClock", "WallClock"]
