"""A sans-IO Raft core mirroring etcd's `raft` package (go.etcd.io/etcd/raft/v3 at v3.5.1).

Modules, one job each, named after the Go files they follow:
  messages    raftpb: Message and MessageType, Entry, HardState, Snapshot, ConfChange, Ready
  storage     MemoryStorage, the stable log the application writes and the core reads
  log         raftLog and unstable: the log as the core sees it, commit and apply cursors
  progress    tracker and quorum: Progress (probe/replicate/snapshot), Inflights, ProgressTracker
  confchange  single-step membership changes (voters and learners, no joint consensus)
  read_only   pending ReadIndex requests (ReadOnlySafe)
  raft        the state machine: elections with PreVote and CheckQuorum, replication, ReadIndex,
              leader transfer, snapshots, membership
  rawnode     RawNode: tick, step, propose, and the Ready/Advance loop an application drives
No module reads a clock, does I/O or uses global randomness.
"""
from reference_impl.etcd.raft.errors import ErrProposalDropped, RaftError
from reference_impl.etcd.raft.messages import (
    ConfChange, ConfChangeType, ConfState, Entry, EntryType, HardState, Message, MessageType, Ready,
    Snapshot, SnapshotMetadata)
from reference_impl.etcd.raft.raft import Config, RaftState
from reference_impl.etcd.raft.rawnode import RawNode
from reference_impl.etcd.raft.read_only import ReadOnlyOption
from reference_impl.etcd.raft.storage import MemoryStorage

__all__ = ["Config", "ConfChange", "ConfChangeType", "ConfState", "Entry", "EntryType", "ErrProposalDropped",
           "HardState", "MemoryStorage", "Message", "MessageType", "RaftError", "RaftState", "RawNode",
           "Ready", "ReadOnlyOption", "Snapshot", "SnapshotMetadata"]
