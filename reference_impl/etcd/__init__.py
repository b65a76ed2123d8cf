"""A reference etcd in Python: etcd v3.5.1's KV, lease and watch behaviour for one member.

Layers, each usable on its own:
  mvcc      the multi-version store (revisions, generations, compaction, history)
  lease     the lessor (grant, renew, expiry against a clock passed in)
  watch     the watch hub (catch-up from history, live events, progress)
  apply     etcd's request checks and applier (range options, put, delete, txn)
  server    `EtcdServer`, the sans-IO facade an adapter calls, one method per RPC
  storage   `DurableServer`, the same API with a write-ahead log, snapshots and recovery
The cores read no clock and do no I/O; `storage` is the only module that touches disk.
"""
from reference_impl.etcd.errors import EtcdError
from reference_impl.etcd.server import EtcdServer
from reference_impl.etcd.storage import DurableServer

__all__ = ["DurableServer", "EtcdError", "EtcdServer"]
