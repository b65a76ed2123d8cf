"""Reference etcd members (`RaftNode`s) on a simulated network: instant, in-order delivery, links
that can be cut, one manual clock, and the owner's loop (persist, send, apply, advance) done as
member.py's driver does it, minus the disk and the threads."""
from __future__ import annotations

from reference_impl.etcd.messages import Member
from reference_impl.etcd.raft import Config, MemoryStorage, Message, RawNode
from reference_impl.etcd.raft.errors import RaftError
from reference_impl.etcd.raftnode import RaftNode, compute_cluster_id, parse_initial_cluster
from reference_impl.etcd.server import EtcdServer
from reference_impl.machinery.clock import ManualClock

INITIAL_CLUSTER = ",".join(f"n{i}=http://10.0.0.{i}:2380" for i in (1, 2, 3))


def new_node(member: Member, members: dict[int, Member], clock: ManualClock, *, bootstrap: bool = True,
             snapshot_count: int = 1000, catch_up_entries: int = 5) -> RaftNode:
    config = Config(member.id, MemoryStorage(), election_tick=10, heartbeat_tick=1, check_quorum=True,
                    pre_vote=True)
    rawnode = RawNode(config)
    if bootstrap:
        rawnode.bootstrap(sorted(members))
    server = EtcdServer(clock, name=member.name, member_id=member.id, peer_urls=member.peer_urls)
    return RaftNode(rawnode, server, members, cluster_id=compute_cluster_id(members),
                    snapshot_count=snapshot_count,
                    catch_up_entries=catch_up_entries)


class SimCluster:
    def __init__(self, **options: object) -> None:
        self.clock = ManualClock(1000.0)
        self.members = parse_initial_cluster(INITIAL_CLUSTER)
        self.nodes = {i: new_node(m, self.members, self.clock, **options) for i, m in self.members.items()}
        self.ids = sorted(self.nodes)
        self.cut: set[int] = set()  # members whose links are all down
        self.results: dict[int, dict[int, tuple[bool, object]]] = {i: {} for i in self.nodes}
        self.read_states: dict[int, list] = {i: [] for i in self.nodes}
        self.snapshots_sent = 0
        self._next_id = 1

    def add(self, member: Member, **options: object) -> RaftNode:
        """A member joining after `member add`: it knows the members (etcd asks its peers) but
        starts with an empty log."""
        members = {**self.leader().members, member.id: member}
        node = self.nodes[member.id] = new_node(member, members, self.clock, bootstrap=False, **options)
        self.results[member.id], self.read_states[member.id] = {}, []
        return node

    def request_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def step_all(self) -> None:
        """Process Readies and deliver messages until nothing moves."""
        moved = True
        while moved:
            moved = False
            outbox: list[Message] = []
            for node_id, node in list(self.nodes.items()):
                while node.rawnode.has_ready():
                    moved = True
                    rd = node.rawnode.ready()
                    node.stable(rd)
                    outbox.extend(rd.messages)
                    applied = node.apply(rd)
                    self.results[node_id].update(applied.results)
                    self.read_states[node_id].extend(rd.read_states)
                    node.advance(rd)
                    node.maybe_snapshot()
            for m in outbox:
                if m.to in self.cut or m.from_ in self.cut or m.to not in self.nodes:
                    continue
                if m.snapshot.metadata.index:
                    self.snapshots_sent += 1
                try:
                    self.nodes[m.to].rawnode.step(m)
                except RaftError:
                    pass
                if m.snapshot.metadata.index:
                    self.nodes[m.from_].rawnode.report_snapshot(m.to, False)

    def tick(self, n: int = 1) -> None:
        for _ in range(n):
            self.clock.advance(0.1)
            for node in self.nodes.values():
                node.rawnode.tick()
            self.step_all()

    def leader(self) -> RaftNode:
        leads = [n for i, n in self.nodes.items() if i not in self.cut and n.is_leader()]
        assert len(leads) == 1, f"expected one leader, found {len(leads)}"
        return leads[0]

    def elect(self) -> RaftNode:
        for _ in range(50):
            self.tick()
            leads = [n for i, n in self.nodes.items() if i not in self.cut and n.is_leader()]
            if len(leads) == 1:
                return leads[0]
        raise AssertionError("no leader after 50 ticks")

    def followers(self) -> list[RaftNode]:
        return [n for n in self.nodes.values() if not n.is_leader()]
