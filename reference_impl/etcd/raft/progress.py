"""What a leader knows of each follower: etcd's raft/tracker (Progress, Inflights, ProgressTracker)
and the majority arithmetic of raft/quorum.

A follower's `Progress` is in one of three states (tracker/state.go):
  StateProbe      the leader does not know where the follower's log ends; one append per
                  heartbeat interval until it learns the match index;
  StateReplicate  the follower keeps up; appends are streamed optimistically, at most
                  `max_inflight` messages unacknowledged (flow control by `Inflights`);
  StateSnapshot   the entries it needs are compacted away; a snapshot is on its way and
                  appends pause until it is acknowledged.
Only single-step configurations are modelled: one majority of voters, plus learners.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from enum import Enum

from reference_impl.etcd.raft.errors import RaftError
from reference_impl.etcd.raft.messages import ConfState
from reference_impl.mirrors import mirrors

TRACKER = "go.etcd.io/etcd/raft/v3/tracker"
QUORUM = "go.etcd.io/etcd/raft/v3/quorum"


class StateType(Enum):
    StateProbe = "StateProbe"
    StateReplicate = "StateReplicate"
    StateSnapshot = "StateSnapshot"


class VoteResult(Enum):
    VotePending = 1
    VoteLost = 2
    VoteWon = 3


class Inflights:
    """The last indexes of appends sent but not yet acknowledged, oldest first, at most `size`."""

    @mirrors(f"{TRACKER}.NewInflights")
    def __init__(self, size: int) -> None:
        self.size = size
        self.buffer: deque[int] = deque()

    @mirrors(f"(*{TRACKER}.Inflights).Add")
    def add(self, inflight: int) -> None:
        if self.full():
            raise RaftError("cannot add into a Full inflights")
        self.buffer.append(inflight)

    @mirrors(f"(*{TRACKER}.Inflights).FreeLE")
    def free_le(self, to: int) -> None:
        """Forget every append whose last index is <= `to`: the follower acknowledged up to it."""
        while self.buffer and self.buffer[0] <= to:
            self.buffer.popleft()

    @mirrors(f"(*{TRACKER}.Inflights).FreeFirstOne")
    def free_first_one(self) -> None:
        if self.buffer:
            self.buffer.popleft()

    @mirrors(f"(*{TRACKER}.Inflights).Full")
    def full(self) -> bool:
        return len(self.buffer) == self.size

    @mirrors(f"(*{TRACKER}.Inflights).Count")
    def count(self) -> int:
        return len(self.buffer)

    @mirrors(f"(*{TRACKER}.Inflights).reset")
    def reset(self) -> None:
        self.buffer.clear()


class Progress:
    def __init__(self, next_: int, max_inflight: int, *, match: int = 0, is_learner: bool = False,
                 recent_active: bool = False) -> None:
        self.match = match
        self.next = next_
        self.state = StateType.StateProbe
        self.pending_snapshot = 0
        self.recent_active = recent_active
        self.probe_sent = False
        self.inflights = Inflights(max_inflight)
        self.is_learner = is_learner

    def __repr__(self) -> str:
        learner = " learner" if self.is_learner else ""
        return f"{self.state.value} match={self.match} next={self.next}{learner}"

    @mirrors(f"(*{TRACKER}.Progress).ResetState")
    def reset_state(self, state: StateType) -> None:
        self.probe_sent = False
        self.pending_snapshot = 0
        self.state = state
        self.inflights.reset()

    @mirrors(f"(*{TRACKER}.Progress).BecomeProbe")
    def become_probe(self) -> None:
        # After a snapshot the follower has at least the snapshot, so probe just past it.
        if self.state == StateType.StateSnapshot:
            pending = self.pending_snapshot
            self.reset_state(StateType.StateProbe)
            self.next = max(self.match + 1, pending + 1)
        else:
            self.reset_state(StateType.StateProbe)
            self.next = self.match + 1

    @mirrors(f"(*{TRACKER}.Progress).BecomeReplicate")
    def become_replicate(self) -> None:
        self.reset_state(StateType.StateReplicate)
        self.next = self.match + 1

    @mirrors(f"(*{TRACKER}.Progress).BecomeSnapshot")
    def become_snapshot(self, snapshot_index: int) -> None:
        self.reset_state(StateType.StateSnapshot)
        self.pending_snapshot = snapshot_index

    @mirrors(f"(*{TRACKER}.Progress).MaybeUpdate")
    def maybe_update(self, n: int) -> bool:
        """An acknowledgement up to `n`: raise match (and next); False if it was stale."""
        updated = False
        if self.match < n:
            self.match = n
            updated = True
            self.probe_sent = False
        self.next = max(self.next, n + 1)
        return updated

    @mirrors(f"(*{TRACKER}.Progress).OptimisticUpdate")
    def optimistic_update(self, n: int) -> None:
        self.next = n + 1

    @mirrors(f"(*{TRACKER}.Progress).MaybeDecrTo")
    def maybe_decr_to(self, rejected: int, match_hint: int) -> bool:
        """A rejection of the append at `rejected`; move next back unless the rejection is stale."""
        if self.state == StateType.StateReplicate:
            if rejected <= self.match:
                return False
            self.next = self.match + 1
            return True
        # In probe state only the rejection of the probe actually outstanding counts.
        if self.next - 1 != rejected:
            return False
        self.next = max(min(rejected, match_hint + 1), 1)
        self.probe_sent = False
        return True

    @mirrors(f"(*{TRACKER}.Progress).IsPaused")
    def is_paused(self) -> bool:
        if self.state == StateType.StateProbe:
            return self.probe_sent
        if self.state == StateType.StateReplicate:
            return self.inflights.full()
        return True


@mirrors(f"({QUORUM}.MajorityConfig).CommittedIndex")
def committed_index(voters: frozenset[int], acked: Callable[[int], int]) -> int:
    """The highest index that a majority of `voters` has (the quorum's median match index)."""
    if not voters:
        # An empty configuration agrees to everything, as in Go (it matters for joint configs).
        return 2**64 - 1
    matches = sorted(acked(v) for v in voters)
    return matches[len(matches) - (len(matches) // 2 + 1)]


@mirrors(f"({QUORUM}.MajorityConfig).VoteResult")
def vote_result(voters: frozenset[int], votes: dict[int, bool]) -> VoteResult:
    if not voters:
        return VoteResult.VoteWon
    yes = sum(1 for v in voters if votes.get(v) is True)
    missing = sum(1 for v in voters if v not in votes)
    q = len(voters) // 2 + 1
    if yes >= q:
        return VoteResult.VoteWon
    if yes + missing >= q:
        return VoteResult.VotePending
    return VoteResult.VoteLost


class ProgressTracker:
    """The configuration (voters, learners), each member's Progress, and the votes of an election."""

    @mirrors(f"{TRACKER}.MakeProgressTracker")
    def __init__(self, max_inflight: int) -> None:
        self.max_inflight = max_inflight
        self.voters: frozenset[int] = frozenset()
        self.learners: frozenset[int] = frozenset()
        self.progress: dict[int, Progress] = {}
        self.votes: dict[int, bool] = {}

    @mirrors(f"(*{TRACKER}.ProgressTracker).ConfState")
    def conf_state(self) -> ConfState:
        return ConfState(tuple(sorted(self.voters)), tuple(sorted(self.learners)))

    @mirrors(f"(*{TRACKER}.ProgressTracker).IsSingleton")
    def is_singleton(self) -> bool:
        return len(self.voters) == 1

    @mirrors(f"(*{TRACKER}.ProgressTracker).Committed")
    def committed(self) -> int:
        return committed_index(self.voters, lambda v: self.progress[v].match if v in self.progress else 0)

    @mirrors(f"(*{TRACKER}.ProgressTracker).Visit")
    def visit(self) -> Iterator[tuple[int, Progress]]:
        """Members in id order, so that what a leader sends does not depend on dict order."""
        for node_id in sorted(self.progress):
            yield node_id, self.progress[node_id]

    @mirrors(f"(*{TRACKER}.ProgressTracker).QuorumActive")
    def quorum_active(self) -> bool:
        active = {node_id: pr.recent_active for node_id, pr in self.progress.items() if not pr.is_learner}
        return vote_result(self.voters, active) == VoteResult.VoteWon

    @mirrors(f"(*{TRACKER}.ProgressTracker).VoterNodes")
    def voter_nodes(self) -> list[int]:
        return sorted(self.voters)

    @mirrors(f"(*{TRACKER}.ProgressTracker).ResetVotes")
    def reset_votes(self) -> None:
        self.votes = {}

    @mirrors(f"(*{TRACKER}.ProgressTracker).RecordVote")
    def record_vote(self, node_id: int, v: bool) -> None:
        # The first answer counts: a duplicated or replayed response cannot flip a vote.
        self.votes.setdefault(node_id, v)

    @mirrors(f"(*{TRACKER}.ProgressTracker).TallyVotes")
    def tally_votes(self) -> tuple[int, int, VoteResult]:
        granted = sum(1 for node_id, v in self.votes.items() if v and self._votes(node_id))
        rejected = sum(1 for node_id, v in self.votes.items() if not v and self._votes(node_id))
        return granted, rejected, vote_result(self.voters, self.votes)

    def _votes(self, node_id: int) -> bool:
        pr = self.progress.get(node_id)
        return pr is not None and not pr.is_learner
