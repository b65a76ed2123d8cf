"""Single-step membership changes, as etcd's raft/confchange (Changer.Simple and Restore).

A change never moves more than one voter at a time: with that rule any two consecutive
majorities overlap, so no joint configuration is needed (Raft thesis §4.1). A new member's
Progress starts at the leader's last index, probing, and counts as recently active so that
CheckQuorum does not step the leader down before the newcomer has had a chance to answer.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from reference_impl.etcd.raft.errors import ConfChangeError
from reference_impl.etcd.raft.messages import ConfChange, ConfChangeType, ConfState
from reference_impl.etcd.raft.progress import Progress, ProgressTracker
from reference_impl.mirrors import mirrors

CONFCHANGE = "go.etcd.io/etcd/raft/v3/confchange"


@dataclass(frozen=True)
class Changed:
    """A configuration a change produces, for `(*raft).switchToConfig` to install."""

    voters: frozenset[int]
    learners: frozenset[int]
    progress: dict[int, Progress]


@mirrors(f"({CONFCHANGE}.Changer).Simple")
def simple(tracker: ProgressTracker, last_index: int, changes: Sequence[ConfChange]) -> Changed:
    """Apply `changes` to a copy of the tracker's configuration; refuse more than one voter moved."""
    voters, learners = set(tracker.voters), set(tracker.learners)
    # Copies, as Go's checkAndCopy makes: a refused change must leave the tracker untouched.
    progress = {node_id: copy.copy(pr) for node_id, pr in tracker.progress.items()}
    for cc in changes:
        if cc.node_id == 0:
            # etcd zeroes the node id of a change it decided, above raft, not to apply.
            continue
        if cc.type == ConfChangeType.ConfChangeAddNode:
            _make_voter(voters, learners, progress, cc.node_id, tracker.max_inflight, last_index)
        elif cc.type == ConfChangeType.ConfChangeAddLearnerNode:
            _make_learner(voters, learners, progress, cc.node_id, tracker.max_inflight, last_index)
        elif cc.type == ConfChangeType.ConfChangeRemoveNode:
            voters.discard(cc.node_id)
            learners.discard(cc.node_id)
            progress.pop(cc.node_id, None)
    if not voters:
        raise ConfChangeError("removed all voters")
    if len(voters ^ tracker.voters) > 1:
        raise ConfChangeError("more than one voter changed without entering joint config")
    return Changed(frozenset(voters), frozenset(learners), progress)


@mirrors(f"{CONFCHANGE}.Restore")
def restore(tracker: ProgressTracker, last_index: int, cs: ConfState) -> Changed:
    """The configuration `cs` (from storage or a snapshot), built one single-step change at a time."""
    if set(cs.voters) & set(cs.learners):
        raise ConfChangeError(f"{sorted(set(cs.voters) & set(cs.learners))} both voter and learner")
    scratch = ProgressTracker(tracker.max_inflight)
    changes = [ConfChange(ConfChangeType.ConfChangeAddNode, v) for v in cs.voters]
    changes += [ConfChange(ConfChangeType.ConfChangeAddLearnerNode, n) for n in cs.learners]
    for cc in changes:
        changed = simple(scratch, last_index, [cc])
        scratch.voters, scratch.learners, scratch.progress = changed.voters, changed.learners, changed.progress
    return Changed(scratch.voters, scratch.learners, scratch.progress)


@mirrors(f"({CONFCHANGE}.Changer).makeVoter")
def _make_voter(voters: set[int], learners: set[int], progress: dict[int, Progress], node_id: int,
                max_inflight: int, last_index: int) -> None:
    pr = progress.get(node_id)
    if pr is None:
        progress[node_id] = _init_progress(max_inflight, last_index, is_learner=False)
    else:
        pr.is_learner = False
    learners.discard(node_id)
    voters.add(node_id)


@mirrors(f"({CONFCHANGE}.Changer).makeLearner")
def _make_learner(voters: set[int], learners: set[int], progress: dict[int, Progress], node_id: int,
                  max_inflight: int, last_index: int) -> None:
    pr = progress.get(node_id)
    if pr is None:
        progress[node_id] = _init_progress(max_inflight, last_index, is_learner=True)
    else:
        # A demoted voter keeps its Progress: the leader already knows how far its log goes.
        pr.is_learner = True
        voters.discard(node_id)
    learners.add(node_id)


@mirrors(f"({CONFCHANGE}.Changer).initProgress")
def _init_progress(max_inflight: int, last_index: int, is_learner: bool) -> Progress:
    return Progress(max(last_index, 1), max_inflight, is_learner=is_learner, recent_active=True)
