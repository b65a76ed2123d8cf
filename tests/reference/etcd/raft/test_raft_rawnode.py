"""RawNode's Ready/Advance contract, MemoryStorage, restarts, raftpb encoding and bad input."""
from __future__ import annotations

import pytest

from reference_impl.etcd.raft import (
    Config, ConfChange, ConfChangeType, ConfState, Entry, EntryType, HardState, MemoryStorage, Message,
    MessageType, RaftState, RawNode, Ready)
from reference_impl.etcd.raft.errors import (
    ConfChangeError, ConfigError, ErrCompacted, ErrSnapOutOfDate, ErrStepLocalMsg, ErrStepPeerNotFound,
    ErrUnavailable, RaftError)
from reference_impl.etcd.raft.rawnode import must_sync


def handle(rn: RawNode, storage: MemoryStorage) -> list[Ready]:
    """The application loop: persist, apply conf changes, advance; the Readies it handled."""
    readies = []
    while rn.has_ready():
        rd = rn.ready()
        if not rd.snapshot.is_empty():
            storage.apply_snapshot(rd.snapshot)
        storage.append(rd.entries)
        if not rd.hard_state.is_empty():
            storage.set_hard_state(rd.hard_state)
        for e in rd.committed_entries:
            if e.type == EntryType.EntryConfChange:
                rn.apply_conf_change(ConfChange.unmarshal(e.data))
        rn.advance(rd)
        readies.append(rd)
    return readies


def single_node() -> tuple[RawNode, MemoryStorage]:
    storage = MemoryStorage()
    rn = RawNode(Config(1, storage))
    rn.bootstrap([1])
    handle(rn, storage)
    rn.campaign()
    handle(rn, storage)
    return rn, storage


def test_ready_asks_to_persist_new_entries_and_apply_committed_ones_then_advance_clears_it():
    """RawNode.Ready/Advance (TestRawNodeStart): a proposal shows up once as an entry to persist
    and once as a committed entry to apply; after Advance nothing is left to do."""
    rn, storage = single_node()
    assert rn.raft.state == RaftState.StateLeader
    rn.propose(b"foo")
    rd = rn.ready()
    assert [e.data for e in rd.entries] == [b"foo"]
    assert [e.data for e in rd.committed_entries] == [b"foo"]
    assert rd.hard_state == HardState(term=2, vote=1, commit=3) and rd.must_sync
    storage.append(rd.entries)
    storage.set_hard_state(rd.hard_state)
    rn.advance(rd)
    assert not rn.has_ready()
    assert rn.status().applied == 3


def test_must_sync_only_when_term_vote_or_entries_change():
    """MustSync: a new commit index alone need not be fsynced (it can be recomputed), a new term,
    vote or entry must."""

    prev = HardState(term=1, vote=1, commit=1)
    assert not must_sync(HardState(term=1, vote=1, commit=5), prev, 0)
    assert must_sync(HardState(term=2, vote=1, commit=1), prev, 0)
    assert must_sync(HardState(term=1, vote=2, commit=1), prev, 0)
    assert must_sync(prev, prev, 1)


def test_a_restarted_node_resumes_from_its_persisted_state_and_replays_committed_entries():
    """Raft §5 (Figure 2, persistent state): term, vote and log survive a restart because they
    were persisted from Ready. The configuration comes from the storage's snapshot (here none),
    so, as etcd does, the application replays the committed entries after it, conf changes too."""
    rn, storage = single_node()
    rn.propose(b"foo")
    handle(rn, storage)
    restarted = RawNode(Config(1, storage))
    r = restarted.raft
    assert (r.term, r.vote, r.raft_log.committed, r.raft_log.last_index()) == (2, 1, 3, 3)
    assert r.state == RaftState.StateFollower and r.prs.voters == set()
    [rd] = handle(restarted, storage)
    assert [e.index for e in rd.committed_entries] == [1, 2, 3]
    assert r.prs.voters == {1}
    restarted.campaign()
    handle(restarted, storage)
    assert (r.state, r.term) == (RaftState.StateLeader, 3)


def test_read_index_on_a_single_node_is_answered_in_the_next_ready():
    """A single voter is its own quorum: a ReadIndex is answered at once with the commit index."""
    rn, storage = single_node()
    rn.read_index(b"ctx")
    [rd] = handle(rn, storage)
    assert [(rs.index, rs.request_ctx) for rs in rd.read_states] == [(2, b"ctx")]


def test_step_refuses_local_messages_and_answers_from_strangers():
    """RawNode.Step: MsgHup and the other local types may not arrive from the network, and a
    response from a node not in the configuration is refused."""
    rn, _ = single_node()
    with pytest.raises(ErrStepLocalMsg, match="MsgHup"):
        rn.step(Message(MessageType.MsgHup, from_=1, to=1))
    with pytest.raises(ErrStepPeerNotFound):
        rn.step(Message(MessageType.MsgAppResp, from_=9, to=1, term=2, index=1))


def test_invalid_configs_are_refused_with_a_clear_error():
    """Config.validate: id 0, no storage, heartbeat >= election and no inflight window are refused."""
    for kwargs, words in (({"id": 0}, "none as id"),
                          ({"id": 1, "storage": None}, "storage"),
                          ({"id": 1, "election_tick": 1, "heartbeat_tick": 1}, "election tick"),
                          ({"id": 1, "max_inflight_msgs": 0}, "inflight")):
        with pytest.raises(ConfigError, match=words):
            RawNode(Config(**{"storage": MemoryStorage(), **kwargs}))


def test_bootstrap_needs_peers_and_an_empty_storage():
    """RawNode.Bootstrap: a cluster is bootstrapped once, on empty storage."""
    with pytest.raises(RaftError, match="at least one peer"):
        RawNode(Config(1, MemoryStorage())).bootstrap([])
    _, storage = single_node()
    with pytest.raises(RaftError, match="nonempty"):
        RawNode(Config(1, storage)).bootstrap([1])


def test_conf_change_bytes_are_raftpb_protobuf_and_garbage_is_refused():
    """raftpb.ConfChange: the entry payload is the protobuf encoding etcd writes (fields 1-4);
    bytes that do not decode raise ConfChangeError instead of a traceback from deep inside."""
    cc = ConfChange(ConfChangeType.ConfChangeAddLearnerNode, 300, b"ctx")
    assert ConfChange(ConfChangeType.ConfChangeAddNode, 1).marshal() == bytes.fromhex("080010001801")
    assert ConfChange.unmarshal(cc.marshal()) == cc
    for garbage in (b"\x80", b"\x10\x09", b"\x22\x05ab", b"\x0d\x00\x00\x00\x00"):
        with pytest.raises(ConfChangeError):
            ConfChange.unmarshal(garbage)


def test_memory_storage_reports_compacted_and_unavailable_ranges():
    """MemoryStorage (TestStorageEntries, TestStorageCompact, TestStorageCreateSnapshot): reads
    below the snapshot are ErrCompacted, past the end ErrUnavailable; an older snapshot is
    ErrSnapOutOfDate; appending over a conflict truncates the old tail."""
    s = MemoryStorage()
    s.append([Entry(term=1, index=i) for i in range(1, 6)])
    s.create_snapshot(3, ConfState((1,)), b"data")
    s.compact(3)
    assert (s.first_index(), s.last_index(), s.term(3)) == (4, 5, 1)
    with pytest.raises(ErrCompacted):
        s.entries(3, 5)
    with pytest.raises(ErrUnavailable):
        s.entries(4, 7)
    with pytest.raises(ErrSnapOutOfDate):
        s.create_snapshot(2, None, b"")
    s.append([Entry(term=2, index=5), Entry(term=2, index=6)])
    assert [(e.index, e.term) for e in s.entries(4, 7)] == [(4, 1), (5, 2), (6, 2)]
    s.append([Entry(term=3, index=5)])
    assert s.last_index() == 5
