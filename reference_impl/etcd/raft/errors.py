"""The errors the Raft core raises, with the wording of etcd's raft package (v3.5.1).

`RaftError` is the one root. Some are control flow in Go (`ErrCompacted` from a storage read,
`ErrProposalDropped` from `Step`); a caller catches them by class. The rest report bad input: an
invalid `Config`, a local message stepped from the network, a conf change that breaks the rules.
"""
from __future__ import annotations

from typing import ClassVar


class RaftError(Exception):
    """Root of every error the Raft core raises on purpose."""

    message: ClassVar[str] = "raft: error"

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(f"{self.message}: {detail}" if detail else self.message)


class ErrCompacted(RaftError):
    """The requested index is older than the storage's first index (compacted away)."""

    message = "requested index is unavailable due to compaction"


class ErrSnapOutOfDate(RaftError):
    """A snapshot older than the storage's current snapshot was offered."""

    message = "requested index is older than the existing snapshot"


class ErrUnavailable(RaftError):
    """The requested index is past the storage's last index."""

    message = "requested entry at index is unavailable"


class ErrSnapshotTemporarilyUnavailable(RaftError):
    """The storage cannot produce a snapshot right now; the leader tries again later."""

    message = "snapshot is temporarily unavailable"


class ErrProposalDropped(RaftError):
    """A proposal was ignored: no leader known, a leader transfer under way, or too much in flight."""

    message = "raft proposal dropped"


class ErrStepLocalMsg(RaftError):
    """A message type that only the node itself may generate arrived through `RawNode.step`."""

    message = "raft: cannot step raft local message"


class ErrStepPeerNotFound(RaftError):
    """A response came from a node that is not in the configuration."""

    message = "raft: cannot step as peer not found"


class ConfigError(RaftError):
    """A `Config` that `(*Config).validate` would refuse."""

    message = "raft: invalid config"


class ConfChangeError(RaftError):
    """A configuration change that the confchange package refuses, or bytes that do not decode."""

    message = "raft: invalid conf change"
