"""A deterministic simulation of a Raft cluster built from RawNodes, with safety checks at every step.

Everything that varies comes from one `random.Random(seed)`: the scenario (3 or 5 nodes, PreVote,
CheckQuorum, loss and duplication rates, membership changes, compaction), the network (loss,
duplication, delay and hence reordering, partitions), crashes and restarts, client writes and
reads, and each node's randomized election timeout. A failing seed therefore reproduces exactly.

A member is the application around one RawNode, as etcd's raftexample is: it persists what a
Ready asks (to a MemoryStorage that stands for its disk), sends the messages, applies committed
entries to its state machine, applies conf changes, and compacts its log behind a snapshot. A
crash loses the RawNode, the state machine and the messages in flight to it, and keeps the disk.

The state machine is a hash chain over the applied entries, so two members applied the same
sequence up to an index exactly when their hashes at that index are equal. After every handled
Ready, delivered message and tick the simulation checks (Raft paper, Figure 3):
  election safety      at most one leader per term;
  log matching         two persisted entries with the same index and term have the same data and
                       the same predecessor term (which, by induction, makes the prefixes equal);
  leader completeness  a new leader's log holds every entry any member has seen committed;
  state-machine safety every member applies the same entry at each index, in index order;
  linearizable reads   a ReadIndex answer is at least every index applied anywhere before the read.
Then the network heals and every member restarts; within a bounded number of ticks a leader must
emerge and a write must be applied by every voter (liveness).
"""
from __future__ import annotations

import hashlib
import heapq
import random
from collections import deque
from dataclasses import dataclass

from reference_impl.etcd.raft import (
    Config, ConfChange, ConfChangeType, Entry, EntryType, MemoryStorage, Message, MessageType,
    RaftState, RawNode, Ready)
from reference_impl.etcd.raft.errors import ErrProposalDropped, ErrStepPeerNotFound

RERUN = ("RAFT_SIM_SEED={seed} PYTHONPATH=$PWD python3 -m pytest -q "
         "tests/reference/etcd/raft/test_raft_simulation.py -k seeded")


class SimulationFailure(AssertionError):
    """A safety or liveness property failed; the message names the seed and how to rerun it."""


@dataclass(frozen=True)
class Scenario:
    """What one seed simulates; drawn from the seed so that a run is one number."""

    seed: int
    voters: int
    spares: int
    pre_vote: bool
    check_quorum: bool
    loss: float
    duplicate: float
    max_delay: int
    partitions: bool
    crashes: bool
    membership: bool
    compaction: bool
    chaos_ticks: int
    heal_ticks: int
    election_tick: int = 10
    heartbeat_tick: int = 2
    max_size_per_msg: int = 200
    max_inflight: int = 4

    @classmethod
    def from_seed(cls, seed: int, chaos_ticks: int = 80) -> Scenario:
        rng = random.Random(f"scenario-{seed}")
        membership = rng.random() < 0.3
        return cls(
            seed=seed,
            voters=rng.choice((3, 5)),
            spares=2 if membership else 0,
            # Removed members that never learn of their removal campaign forever; only PreVote
            # keeps them from disrupting the cluster, so membership runs always use it.
            pre_vote=membership or rng.random() < 0.5,
            check_quorum=rng.random() < 0.5,
            loss=rng.choice((0.0, 0.05, 0.15, 0.3)),
            duplicate=rng.choice((0.0, 0.05, 0.2)),
            max_delay=rng.choice((0, 1, 3, 6)),
            partitions=rng.random() < 0.5,
            crashes=rng.random() < 0.5,
            membership=membership,
            compaction=rng.random() < 0.5,
            chaos_ticks=chaos_ticks,
            heal_ticks=400,
            # Small messages split a catch-up into many appends, so acknowledgements often cover
            # older-term entries but not the new leader's own (the Figure 8 situation).
            max_size_per_msg=rng.choice((20, 200, 2**64 - 1)),
        )


def _chain(prev: bytes, index: int, term: int, data: bytes) -> bytes:
    return hashlib.blake2b(b"%d/%d/" % (index, term) + data, key=prev, digest_size=16).digest()


GENESIS = bytes(16)


class Member:
    """The application around one RawNode: disk, state machine, conf state."""

    def __init__(self, sim: Simulation, node_id: int, bootstrap: tuple[int, ...]) -> None:
        self.sim = sim
        self.id = node_id
        self.disk = MemoryStorage()
        self.alive = False
        self.removed = False
        self.node: RawNode | None = None
        self.start()
        if bootstrap:
            assert self.node is not None
            self.node.bootstrap(bootstrap)

    def start(self) -> None:
        snap = self.disk.snapshot()
        sc = self.sim.scenario
        self.node = RawNode(Config(
            self.id, self.disk, election_tick=sc.election_tick, heartbeat_tick=sc.heartbeat_tick,
            applied=snap.metadata.index, max_inflight_msgs=sc.max_inflight,
            max_size_per_msg=sc.max_size_per_msg, check_quorum=sc.check_quorum, pre_vote=sc.pre_vote,
            rand=random.Random(self.sim.rng.getrandbits(64))))
        self.applied, self.state_hash = self._decode(snap.data) if not snap.is_empty() else (0, GENESIS)
        self.conf_state = snap.metadata.conf_state
        self.alive = True

    def crash(self) -> None:
        self.alive = False
        self.node = None

    @staticmethod
    def _decode(data: bytes) -> tuple[int, bytes]:
        index, digest = data.split(b":", 1)
        return int(index), bytes.fromhex(digest.decode())

    def handle_ready(self) -> None:
        node = self.node
        while self.alive and node is not None and node.has_ready():
            rd = node.ready()
            self.persist(rd)
            self.sim.check_persisted(self, rd)
            for m in rd.messages:
                self.sim.network.send(m)
            for rs in rd.read_states:
                self.sim.check_read(self, rs.request_ctx, rs.index)
            if not rd.snapshot.is_empty():
                self.install(rd)
            for e in rd.committed_entries:
                self.apply(e)
                if not self.alive:
                    return
            node.advance(rd)
            self.maybe_compact()
        if self.alive and node is not None:
            self.sim.check_role(self)

    def persist(self, rd: Ready) -> None:
        """Snapshot, then entries, then hard state, as etcd's raftexample writes its WAL."""
        if not rd.snapshot.is_empty():
            self.disk.apply_snapshot(rd.snapshot)
        self.disk.append(rd.entries)
        if not rd.hard_state.is_empty():
            self.disk.set_hard_state(rd.hard_state)

    def install(self, rd: Ready) -> None:
        index, digest = self._decode(rd.snapshot.data)
        self.sim.check_snapshot(self, index, digest)
        self.applied, self.state_hash = index, digest
        self.conf_state = rd.snapshot.metadata.conf_state

    def apply(self, e: Entry) -> None:
        if e.index != self.applied + 1:
            self.sim.fail(f"state-machine safety: member {self.id} applies index {e.index} "
                          f"after {self.applied}")
        self.state_hash = _chain(self.state_hash, e.index, e.term, e.data)
        self.applied = e.index
        self.sim.check_applied(self, e)
        if e.type == EntryType.EntryConfChange:
            assert self.node is not None
            cc = ConfChange.unmarshal(e.data)
            self.conf_state = self.node.apply_conf_change(cc)
            if cc.type == ConfChangeType.ConfChangeRemoveNode and cc.node_id == self.id:
                # etcd stops a member once it applies its own removal.
                self.removed = True
                self.crash()

    def maybe_compact(self) -> None:
        """Snapshot the state machine every few entries and drop the log behind it, keeping a
        random few entries so that some lagging followers catch up from the log, others by snapshot."""
        if not self.sim.scenario.compaction or self.applied - self.disk.snapshot().metadata.index < 6:
            return
        data = b"%d:%s" % (self.applied, self.state_hash.hex().encode())
        self.disk.create_snapshot(self.applied, self.conf_state, data)
        compact_to = self.applied - self.sim.rng.randrange(4)
        if compact_to >= self.disk.first_index():
            self.disk.compact(compact_to)


class Network:
    """Seeded loss, duplication, delay (hence reordering) and partitions between members."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        # (delivery tick, send order, message): a heap, so equal ticks keep the order of sending.
        self.queue: list[tuple[int, int, Message]] = []
        self.seq = 0
        self.groups: dict[int, int] = {}
        self.faulty = True

    def send(self, m: Message) -> None:
        sc, rng = self.sim.scenario, self.sim.rng
        copies = 1
        if self.faulty:
            if rng.random() < sc.loss:
                copies = 0
            elif rng.random() < sc.duplicate:
                copies = 2
        if copies == 0 and m.type == MessageType.MsgSnap:
            self.sim.report_snapshot(m, failed=True)
        for _ in range(copies):
            delay = rng.randint(0, sc.max_delay) if self.faulty else 0
            self.seq += 1
            heapq.heappush(self.queue, (self.sim.now + delay, self.seq, m))

    def connected(self, a: int, b: int) -> bool:
        return self.groups.get(a, 0) == self.groups.get(b, 0)

    def deliver_due(self) -> None:
        while self.queue and self.queue[0][0] <= self.sim.now:
            self.sim.deliver(heapq.heappop(self.queue)[2])


class Simulation:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.rng = random.Random(scenario.seed)
        self.now = 0
        self.network = Network(self)
        self.trace: deque[str] = deque(maxlen=40)
        self.leaders: dict[int, int] = {}
        self.persisted: dict[tuple[int, int], tuple[bytes, int]] = {}
        self.committed: dict[int, int] = {}
        self.applied: dict[int, bytes] = {}
        self.applied_entries: dict[int, tuple[int, bytes]] = {}
        self.reads: dict[bytes, int] = {}
        self.committed_upto = 0
        self.writes = 0
        voters = tuple(range(1, scenario.voters + 1))
        self.members = {i: Member(self, i, voters) for i in voters}
        self.spares = list(range(scenario.voters + 1, scenario.voters + scenario.spares + 1))
        for member in self.members.values():
            member.handle_ready()

    # --- failure reporting -------------------------------------------------------------------

    def fail(self, what: str) -> None:
        sc = self.scenario
        raise SimulationFailure(
            f"raft simulation seed={sc.seed} failed at tick {self.now}: {what}\n"
            f"scenario: {sc}\nlast events:\n  " + "\n  ".join(self.trace) +
            f"\nrerun exactly this seed with: {RERUN.format(seed=sc.seed)}")

    # --- invariants ---------------------------------------------------------------------------

    def check_role(self, member: Member) -> None:
        """Election safety: at most one leader per term; and leader completeness for each new
        leader. Called whenever a member has handled anything, the only time its role changes."""
        r = member.node.raft
        if r.state != RaftState.StateLeader:
            return
        seen = self.leaders.get(r.term)
        if seen is None:
            self.leaders[r.term] = member.id
            self.trace.append(f"t={self.now} {member.id} leads term {r.term}")
            self.check_leader_completeness(member)
        elif seen != member.id:
            self.fail(f"election safety: members {seen} and {member.id} both lead term {r.term}")

    def check_leader_completeness(self, member: Member) -> None:
        log = member.node.raft.raft_log
        first = log.first_index()
        for index, term in self.committed.items():
            if index < first - 1:
                continue  # inside the leader's snapshot, which holds only committed entries
            if log.term_or_zero(index) != term:
                self.fail(f"leader completeness: leader {member.id} of term {member.node.raft.term} lacks "
                          f"committed entry {index} (term {term}); it has term {log.term_or_zero(index)}")

    def check_persisted(self, member: Member, rd: Ready) -> None:
        disk = member.disk
        for e in rd.entries:
            if e.index < disk.first_index():
                continue
            key, value = (e.index, e.term), (e.data, disk.term(e.index - 1))
            known = self.persisted.setdefault(key, value)
            if known != value:
                self.fail(f"log matching: entry {key} persisted by {member.id} as (data, previous "
                          f"term) {value}, elsewhere as {known}")
        log = member.node.raft.raft_log
        for index in range(max(self.committed_upto + 1, log.first_index()), rd.hard_state.commit + 1):
            self.committed[index] = log.term(index)
            self.committed_upto = index

    def check_applied(self, member: Member, e) -> None:
        known = self.applied.setdefault(e.index, member.state_hash)
        self.applied_entries.setdefault(e.index, (e.term, e.data))
        if known != member.state_hash:
            self.fail(f"state-machine safety: member {member.id} applied {e.index} (term {e.term}, "
                      f"{e.data!r}) but another member applied {self.applied_entries[e.index]} there")
        if self.committed.get(e.index, e.term) != e.term:
            self.fail(f"state-machine safety: member {member.id} applied {e.index} at term {e.term}, "
                      f"committed at term {self.committed[e.index]}")

    def check_snapshot(self, member: Member, index: int, digest: bytes) -> None:
        if self.applied.get(index, digest) != digest:
            self.fail(f"state-machine safety: member {member.id} installs a snapshot at {index} "
                      f"whose state differs from what members applied")

    def check_read(self, member: Member, ctx: bytes, index: int) -> None:
        floor = self.reads.pop(ctx, None)
        if floor is not None and index < floor:
            self.fail(f"linearizable read: read {ctx!r} at {member.id} got index {index}, but index "
                      f"{floor} was applied before it was issued")

    def report_snapshot(self, m: Message, failed: bool) -> None:
        sender = self.members.get(m.from_)
        if sender is not None and sender.alive and sender.node is not None:
            sender.node.report_snapshot(m.to, failed)

    # --- driving ------------------------------------------------------------------------------

    def deliver(self, m: Message) -> None:
        to = self.members.get(m.to)
        if to is None or not to.alive or to.node is None or not self.network.connected(m.from_, m.to):
            # The transport notices a peer it cannot reach and tells raft, as etcd's rafthttp does.
            if m.type == MessageType.MsgSnap:
                self.report_snapshot(m, failed=True)
            sender = self.members.get(m.from_)
            if sender is not None and sender.alive and sender.node is not None:
                sender.node.report_unreachable(m.to)
            return
        self.trace.append(f"t={self.now} {m.type.name} {m.from_}->{m.to} term={m.term} "
                          f"index={m.index} logterm={m.log_term} n={len(m.entries)} "
                          f"commit={m.commit} reject={m.reject}")
        try:
            to.node.step(m)
        except (ErrProposalDropped, ErrStepPeerNotFound):
            pass  # a forwarded proposal without a leader, or an answer from a removed member
        to.handle_ready()
        if m.type == MessageType.MsgSnap:
            self.report_snapshot(m, failed=False)

    def tick(self) -> None:
        self.now += 1
        for member in list(self.members.values()):
            if member.alive and member.node is not None:
                member.node.tick()
                member.handle_ready()
        self.network.deliver_due()

    def live(self) -> list[Member]:
        return [m for m in self.members.values() if m.alive and m.node is not None]

    def leader(self) -> Member | None:
        leaders = [m for m in self.live() if m.node.raft.state == RaftState.StateLeader]
        return max(leaders, key=lambda m: m.node.raft.term, default=None)

    def propose(self, member: Member, data: bytes) -> None:
        try:
            member.node.propose(data)
        except ErrProposalDropped:
            return
        member.handle_ready()

    def chaos(self) -> None:
        """One tick of faults and client traffic during the unstable phase."""
        sc, rng = self.scenario, self.rng
        if sc.partitions and rng.random() < 0.04:
            ids = list(self.members)
            self.network.groups = {i: rng.randrange(2) for i in ids} if rng.random() < 0.7 else {}
            self.trace.append(f"t={self.now} partition {self.network.groups}")
        if sc.crashes and rng.random() < 0.04:
            victim = self.members[rng.choice(sorted(self.members))]
            if victim.alive:
                victim.crash()
                self.trace.append(f"t={self.now} crash {victim.id}")
            elif not victim.removed:
                victim.start()
                self.trace.append(f"t={self.now} restart {victim.id}")
                victim.handle_ready()
        live = self.live()
        if live and rng.random() < 0.3:
            self.writes += 1
            self.propose(rng.choice(live), b"w%d" % self.writes)
        if live and rng.random() < 0.05:
            self.read(rng.choice(live))
        if sc.membership and rng.random() < 0.04:
            self.change_membership()
        if live and rng.random() < 0.01:
            member, transferee = rng.choice(live), rng.choice(sorted(self.members))
            self.trace.append(f"t={self.now} transfer leadership to {transferee} via {member.id}")
            member.node.transfer_leader(transferee)
            member.handle_ready()

    def read(self, member: Member) -> None:
        ctx = b"r%d-%d" % (self.now, self.rng.getrandbits(32))
        self.reads[ctx] = max((m.applied for m in self.members.values()), default=0)
        member.node.read_index(ctx)
        member.handle_ready()

    def change_membership(self) -> None:
        """Propose one single-step change at the leader, judged against the leader's configuration.

        Raft lets a leader have one unapplied conf change at a time, so the leader's applied
        configuration is the one a new change follows. A voter is only removed from three or more:
        the member removed stops at once (as etcd stops it), and two voters that may not have
        learnt the removal yet must still be able to form a majority of the old configuration.
        """
        leader, rng = self.leader(), self.rng
        if leader is None:
            return
        cs = leader.conf_state
        choice = rng.random()
        if choice < 0.4 and self.spares:
            node_id = self.spares.pop(0)
            self.members[node_id] = Member(self, node_id, ())
            cc = ConfChange(ConfChangeType.ConfChangeAddLearnerNode, node_id)
        elif choice < 0.7 and cs.learners:
            cc = ConfChange(ConfChangeType.ConfChangeAddNode, rng.choice(cs.learners))
        elif len(cs.voters) >= 3:
            cc = ConfChange(ConfChangeType.ConfChangeRemoveNode, rng.choice(cs.voters))
        else:
            return
        self.trace.append(f"t={self.now} propose {cc.type.name} {cc.node_id} at {leader.id}")
        try:
            leader.node.propose_conf_change(cc)
        except ErrProposalDropped:
            return
        leader.handle_ready()

    def heal(self) -> None:
        self.network.groups = {}
        self.network.faulty = False
        for member in self.members.values():
            if not member.alive and not member.removed:
                member.start()
                member.handle_ready()
        self.trace.append(f"t={self.now} healed")

    def run(self) -> Simulation:
        for _ in range(self.scenario.chaos_ticks):
            self.chaos()
            self.tick()
        self.heal()
        self.check_liveness()
        return self

    def check_liveness(self) -> None:
        """After healing, a leader emerges and a new write is applied by every voter in time.

        A write proposed to a leader that then loses its term may never commit, so a fresh one is
        proposed to whoever leads every election timeout until one is applied everywhere.
        """
        sc = self.scenario
        deadline = self.now + sc.heal_ticks
        proposed_at = None
        while self.now < deadline:
            leader = self.leader()
            if leader is not None:
                done = [i for i, (_, data) in self.applied_entries.items() if data.startswith(b"alive-")]
                voters = leader.conf_state.voters
                if done and all(m.alive and m.applied >= min(done) for m in self.members.values()
                                if m.id in voters):
                    return
                if not done and (proposed_at is None or self.now - proposed_at > 2 * sc.election_tick):
                    proposed_at = self.now
                    self.propose(leader, b"alive-%d" % self.now)
            self.tick()
        leader = self.leader()
        self.fail(f"liveness: no write applied by every voter within {sc.heal_ticks} ticks of "
                  f"healing (leader: {leader.id if leader else None}, states: "
                  f"{[(m.id, m.alive, m.node.raft.state.value if m.node else None, m.applied) for m in self.members.values()]})")


def run_seed(seed: int) -> Simulation:
    return Simulation(Scenario.from_seed(seed)).run()
