"""etcd without clustering flags: the only member of a new cluster, running through Raft like any
member, elected at once; the process listens for peers on etcd's default, localhost:2380, the
member made in a test (ClusterMember.alone) on none unless asked to."""
from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

from processes import ROOT, START_TIMEOUT, etcdctl, read_ready_line, reference_server, stop_process
from reference_impl.cluster import free_port
from reference_impl.etcd import ClusterMember
from reference_impl.etcd.errors import ErrLearnerNotReady
from reference_impl.etcd.member import DEFAULT_ELECTION_MS
from reference_impl.etcd.messages import PutRequest, RangeRequest, WatchCreateRequest
from reference_impl.machinery.clock import ManualClock


def test_a_lone_member_leads_at_once_and_listens_for_no_peers(tmp_path):
    """Elected well within one election timeout (a member with peers waits at least that long),
    named and addressed as etcd's default (default=http://localhost:2380), no peer socket."""
    started = time.monotonic()
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        assert time.monotonic() - started < DEFAULT_ELECTION_MS / 1000 / 2
        assert member.status().leader == member.id
        assert [(m.name, m.peer_urls) for m in member.members()] == [
            ("default", ("http://localhost:2380",))]
        assert member.transport.listener is None
        assert member.put(PutRequest(b"k", b"v")).header.revision == 2
    with ClusterMember.alone(tmp_path, ManualClock()) as member:  # and again after a restart
        assert member.status().leader == member.id
        assert member.range(RangeRequest(b"k")).kvs[0].value == b"v"


# A heartbeat of a minute: were starting or stopping waiting for a tick, it would take that long.
SLOW_TICKS = {"heartbeat_ms": 60_000, "election_ms": 600_000}


def test_a_lone_member_serves_without_waiting_for_a_tick(tmp_path):
    """Its campaign, the cluster version and its attributes are proposed and applied in the turns
    that start it, as etcd publishes at once: it serves long before its first heartbeat."""
    started = time.monotonic()
    with ClusterMember.alone(tmp_path, ManualClock(), **SLOW_TICKS) as member:
        assert time.monotonic() - started < 10
        assert member.put(PutRequest(b"k", b"v")).header.revision == 2


def test_close_wakes_the_driver_instead_of_waiting_for_its_next_tick(tmp_path):
    member = ClusterMember.alone(tmp_path, ManualClock(), **SLOW_TICKS)
    started = time.monotonic()
    member.close()
    assert time.monotonic() - started < 10


def test_a_lone_member_listens_for_peers_when_told_where(tmp_path):
    port = free_port()
    with ClusterMember.alone(tmp_path, ManualClock(), listen_peer=("127.0.0.1", port)):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_a_lone_member_process_listens_for_peers_on_etcds_default(tmp_path):
    """Without --initial-cluster or --listen-peer-urls, etcd 3.4 listens for peers on its default
    http://localhost:2380 and advertises it (checked on /usr/bin/etcd 3.4.23 --name lone: "embed:
    listening for peers on 127.0.0.1:2380", `member list` peerURLs ["http://localhost:2380"]; with
    the port taken it exits, "bind: address already in use"). The reference listened for none.
    The port is held here, or by whatever holds it already (a real etcd, another run's member),
    so the test shows where the member would listen without taking localhost:2380 from anyone;
    should that other holder let the port go before the member looks, the member listens there
    itself, which shows the same; while this test holds the port, only a refusal will do."""
    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            held.bind(("127.0.0.1", 2380))
            held.listen()
            held_here = True
        except OSError as err:
            if err.errno != errno.EADDRINUSE:
                raise
            held_here = False
        with subprocess.Popen(
                [sys.executable, "-m", "reference_impl.etcd.run", "--name", "lone", "--data-dir",
                 str(tmp_path / "d"), "--listen-client-urls", "http://127.0.0.1:0"], cwd=ROOT,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)}) as member:
            try:
                ready = read_ready_line(member, START_TIMEOUT)
            finally:
                stop_process(member)
            stderr = member.stderr.read()
    if ready:
        # Only another holder letting the port go may let the member start; one that started
        # while this test held the port would not be listening there.
        assert not held_here, ready
        assert ready.rstrip().endswith("peers on http://localhost:2380"), ready
    else:
        assert member.returncode == 1, stderr
        assert "cannot listen on localhost:2380: the port is already in use" in stderr, stderr


def test_a_lone_member_told_where_listens_there_and_advertises_etcds_default(tmp_path):
    """--listen-peer-urls with port 0 takes a free port, which the ready line names; the member
    still advertises http://localhost:2380, as etcd's lone member does."""
    with reference_server(tmp_path / "m", "--name", "lone", "--listen-peer-urls", "http://127.0.0.1:0") as server:
        port = int(re.search(r"peers on http://127\.0\.0\.1:(\d+)$", server.ready.strip()).group(1))
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        members = etcdctl(server, "member", "list").stdout.split(", ")
    assert members[2:4] == ["lone", "http://localhost:2380"]


def test_a_watch_is_woken_once_for_the_writes_one_ready_applies(tmp_path):
    """Writes committed together wake their watch's listener once, after all are applied, so
    its stream drains them together; each revision is still queued as its own response."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        watch_id = member.watch_create(WatchCreateRequest(b"k", b"l"))
        woken = []
        member.set_watch_listener(woken.append)
        with member._driving:  # no one drives until all three writes wait in the queue
            writers = [threading.Thread(target=member.put, args=(PutRequest(f"k{i}".encode(), b"v"),))
                       for i in range(3)]
            for writer in writers:
                writer.start()
            deadline = time.monotonic() + 5
            while len(member._waiters) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
        for writer in writers:
            writer.join(5)
        assert woken == [watch_id]
        created, *responses = member.watch_drain(watch_id)
        assert created.created
        assert sorted(e.kv.key for r in responses for e in r.events) == [b"k0", b"k1", b"k2"]
        assert [len(r.events) for r in responses] == [1, 1, 1]


def test_a_write_queued_behind_a_turn_is_driven_by_its_own_client(tmp_path):
    """A write that arrives while another thread holds the member's turn waits for that turn to
    end and drives the next itself: it is not handed to the driver thread (one wake-up more) and
    answered from there. With a minute's heartbeat the driver thread wakes for nothing else."""
    with ClusterMember.alone(tmp_path, ManualClock(), **SLOW_TICKS) as member:
        proposed_by = []
        handle = member._handle

        def recording(item):
            if item[0] == "prop":
                proposed_by.append(threading.current_thread().name)
            handle(item)
        member._handle = recording
        answers = []
        member._driving.acquire()  # a turn another client drives
        writer = threading.Thread(target=lambda: answers.append(member.put(PutRequest(b"k", b"v"))),
                                  name="writer")
        writer.start()
        deadline = time.monotonic() + 2
        while not getattr(member, "_contending", None) and time.monotonic() < deadline:
            time.sleep(0.01)
        member._let_go()  # that turn ends
        writer.join(10)
        assert [a.header.revision for a in answers] == [2]
        assert proposed_by == ["writer"]


def test_a_learner_that_has_not_caught_up_is_not_promoted(tmp_path):
    """isLearnerReady: the leader promotes a learner only once its log has reached 90% of the
    leader's. A learner that never started is refused FAILED_PRECONDITION 'can only promote a
    learner member which is in sync with leader', as etcd 3.4 answers, and the lone member keeps
    its quorum (promoted, the absent member made two voters with one down: no leader)."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        learner, _ = member.member_add(("http://127.0.0.1:1",), is_learner=True)
        member.put(PutRequest(b"k", b"v"))
        with pytest.raises(ErrLearnerNotReady) as caught:
            member.member_promote(learner.id)
        assert (caught.value.grpc_code, caught.value.message) == (
            "FAILED_PRECONDITION",
            "etcdserver: can only promote a learner member which is in sync with leader")
        assert [m.is_learner for m in member.members() if m.id == learner.id] == [True]
        assert member.put(PutRequest(b"k", b"after")).header.revision == 3


def test_a_new_leader_decides_the_cluster_version_through_the_log(tmp_path):
    """The first leader proposes the cluster version (3.4.0) as an entry of its own, so after
    bootstrap the log holds four: the member's conf change, the leader's empty entry, the
    member's attributes and the version; the first put is entry 5, as in etcd 3.4. A restart
    recovers the version from the log instead of proposing it again, and publishes the same
    attributes again after the new term's empty entry: the next put is entry 8."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        member.put(PutRequest(b"k", b"v"))
        assert member.status().raft_index == 5
        assert member.server.cluster_version == "3.4.0"
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        assert member.server.cluster_version == "3.4.0"
        member.put(PutRequest(b"k", b"w"))
        assert member.status().raft_index == 8


def test_a_lone_leaders_linearizable_read_asks_raft_for_no_read_index(tmp_path):
    """Raft answers the ReadIndex of a leader that is the only voter with its commit index at
    once (stepLeader's IsSingleton case), so the member reads that index itself: the read sees
    every acknowledged write and no ReadIndex request goes through a turn."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        member.put(PutRequest(b"k", b"v1"))
        asked = []
        read_index = member.node.rawnode.read_index
        member.node.rawnode.read_index = lambda ctx: (asked.append(ctx), read_index(ctx))
        member.put(PutRequest(b"k", b"v2"))
        assert member.range(RangeRequest(b"k")).kvs[0].value == b"v2"
        assert asked == []


def test_a_lone_leaders_read_while_another_thread_drives_waits_for_its_turn(tmp_path):
    """While another thread holds the member's turn, a linearizable read asks Raft in the next
    turn, and still sees the write that turn's holder acknowledged."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        got = []
        with member._driving:
            reader = threading.Thread(target=lambda: got.append(member.range(RangeRequest(b"k"))))
            reader.start()
            time.sleep(0.05)
            assert got == []  # no turn yet: the read waits for one
        reader.join(5)
        assert got and got[0].header.revision == 1
        member.put(PutRequest(b"k", b"v"))
        assert member.range(RangeRequest(b"k")).kvs[0].value == b"v"


def test_an_authenticate_whose_check_went_stale_before_its_entry_applied_is_checked_again(tmp_path):
    """EtcdServer.Authenticate checks the password, then proposes the entry; if the auth revision
    moved in between (here the password changed), it checks again, so the old password gets no
    token, as it would get none after the change."""
    from reference_impl.etcd.errors import ErrAuthFailed
    from reference_impl.etcd.messages import (
        AuthEnableRequest, AuthUserAddRequest, AuthUserChangePasswordRequest, AuthUserGrantRoleRequest)

    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        for request in (AuthUserAddRequest("root", "pw"), AuthUserGrantRoleRequest("root", "root"),
                        AuthEnableRequest()):
            member.auth_change(request)
        authorize, changes = member.authorize, [AuthUserChangePasswordRequest("root", "new")]

        def change_password_first(token, *args, **kwargs):
            # called between the password check and the proposal
            while changes:
                member.auth_change(changes.pop())
            return authorize(token, *args, **kwargs)

        member.authorize = change_password_first
        with pytest.raises(ErrAuthFailed):
            member.authenticate("root", "pw")
        assert member.authenticate("root", "new")


def test_a_member_without_a_leader_says_so_in_its_status(tmp_path):
    """maintenanceServer.Status lists "etcdserver: no leader" among the errors while there is no
    leader: etcd 3.4's lone member did, once a voter added at an unreachable URL had cost it its
    quorum; the reference listed none."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        assert member.status().errors == ()
        member.member_add(("http://127.0.0.1:1",), is_learner=False)
        deadline = time.monotonic() + 10
        while member.status().leader:
            assert time.monotonic() < deadline, "the leader kept leading without a quorum"
            time.sleep(0.05)
        assert member.status().errors == ("etcdserver: no leader",)


@contextlib.contextmanager
def leaderless(tmp_path):
    """A lone member that has lost its quorum (a voter added at an unreachable URL), once its
    leadership is gone."""
    with ClusterMember.alone(tmp_path, ManualClock(), heartbeat_ms=10, election_ms=100) as member:
        member.member_add(("http://127.0.0.1:1",), is_learner=False)
        deadline = time.monotonic() + 10
        while member.status().leader:
            assert time.monotonic() < deadline, "the leader kept leading without a quorum"
            time.sleep(0.01)
        yield member


def test_a_write_without_a_leader_waits_for_one_until_its_request_timeout(tmp_path):
    """etcd's raft node takes no proposal while there is no leader: the write waits for one, and
    with none in time ends in a timeout (etcdctl put waited out its 5 s command timeout against
    etcd 3.4 there), not at once with "no leader" as the reference answered. Never proposed, it
    fails with Propose's own error: `etcdctl role add`, which sets no timeout, got "rpc error:
    code = Unknown desc = context deadline exceeded" from etcd 3.4 after its 7 s."""
    from reference_impl.etcd.errors import ErrProposeDeadline

    with leaderless(tmp_path) as member:
        started = time.monotonic()
        with pytest.raises(ErrProposeDeadline) as caught:
            member.put(PutRequest(b"k", b"v"))
        assert time.monotonic() - started >= member.request_timeout - 0.1
        assert (caught.value.grpc_code, caught.value.message) == ("UNKNOWN", "context deadline exceeded")


def test_writes_that_gave_up_waiting_for_a_leader_are_not_kept(tmp_path):
    """Each write to a leaderless member waits for a leader until its timeout; once its client
    has gone it is dropped, so a busy client (an apiserver renewing leases) does not make the
    member hold every request it ever sent."""
    from reference_impl.etcd.errors import ErrProposeDeadline

    with leaderless(tmp_path) as member:
        member.request_timeout = 0.05
        for n in range(20):
            with pytest.raises(ErrProposeDeadline):
                member.put(PutRequest(b"k%d" % n, b"v"))
        assert len(member._awaiting_leader) <= 1


def test_a_user_or_role_read_waits_for_everything_committed_before_it(tmp_path, monkeypatch):
    """etcd sends user and role gets and lists through raft, so a member answers them only once
    it applied every change committed before (a `user add` another member acknowledged too);
    when it cannot learn how far that is, the read times out rather than answer from what it
    has. They were read from the member's own state at once."""
    from aetcd.rpc import rpc_pb2

    from reference_impl.etcd.errors import ErrTimeout
    from reference_impl.etcd.grpc_adapter import AuthServicer
    from reference_impl.etcd.messages import AuthRoleAddRequest, AuthUserAddRequest

    class Refused(Exception):
        pass

    class Context:
        def invocation_metadata(self):
            return ()

        def is_active(self):
            return True

        def time_remaining(self):
            return None

        def abort(self, code, details):
            raise Refused(code.name, details)

    def unreachable():
        raise ErrTimeout()

    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        member.auth_change(AuthUserAddRequest("root", "pw"))
        member.auth_change(AuthRoleAddRequest("root"))
        auth = AuthServicer(member)
        for call, request in ((auth.UserGet, rpc_pb2.AuthUserGetRequest(name="root")),
                              (auth.UserList, rpc_pb2.AuthUserListRequest()),
                              (auth.RoleGet, rpc_pb2.AuthRoleGetRequest(role="root")),
                              (auth.RoleList, rpc_pb2.AuthRoleListRequest())):
            barriers = []
            monkeypatch.setattr(member, "_read_barrier", lambda: barriers.append(True))
            call(request, Context())
            assert barriers == [True]
            monkeypatch.setattr(member, "_read_barrier", unreachable)
            with pytest.raises(Refused) as refused:
                call(request, Context())
            assert refused.value.args == ("UNAVAILABLE", "etcdserver: request timed out")
