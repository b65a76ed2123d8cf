"""The reference kube-controller-manager's secure port: /healthz as upstream's mutable healthz
handler answers it, and the work queues' metrics counted from the keys they handle."""
from __future__ import annotations

import datetime

from reference_impl.client.leaderelection import LeaderElector
from reference_impl.client.workqueue import QueueMetrics, RateLimitingQueue
from reference_impl.controller_manager import serving
from reference_impl.controller_manager.run import COMMAND, parse_args
from reference_impl.machinery import componentserver as cs
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.process import main as process_main
from reference_impl.machinery.prometheus import Registry


def test_healthz_is_ping_until_the_controllers_run_then_one_check_each():
    started: list[str] = []
    mux = serving.secure_mux(lambda: tuple(started), Registry(), {})
    assert mux(cs.Request("GET", "/healthz", "verbose")).body == b"[+]ping ok\nhealthz check passed\n"
    started += ["replicaset", "deployment"]
    assert mux(cs.Request("GET", "/healthz", "verbose&exclude=job")).body == (
        b'[+]replicaset ok\n[+]deployment ok\nwarn: some health checks cannot be excluded: no matches for "job"\n'
        b"healthz check passed\n")


def test_with_leader_election_healthz_lists_the_election_check_then_the_controllers_started():
    """Run's checks with --leader-elect: leaderElection alone (no ping) until the leader starts its
    controllers, each added after it."""
    started: list[str] = []
    election = cs.leader_election_check(lambda: None)
    mux = serving.secure_mux(lambda: tuple(started), Registry(), {}, election)
    assert mux(cs.Request("GET", "/healthz", "verbose")).body == b"[+]leaderElection ok\nhealthz check passed\n"
    started.append("replicaset")
    assert mux(cs.Request("GET", "/healthz", "verbose")).body == (
        b"[+]leaderElection ok\n[+]replicaset ok\nhealthz check passed\n")


def test_a_leader_that_stopped_renewing_fails_healthz():
    """The HealthzAdaptor's 20s past the lease's 15s: a wedged leader's /healthz is a 500."""
    clock = ManualClock()
    elector = LeaderElector("me", clock)
    elector.on_written(elector.try_acquire_or_renew(None))
    mux = serving.secure_mux(lambda: ("replicaset",), Registry(), {},
                             cs.leader_election_check(lambda: elector))
    clock.advance(36)
    reply = mux(cs.Request("GET", "/healthz"))
    assert (reply.code, reply.body) == (500, b"[-]leaderElection failed: reason withheld\n[+]replicaset ok\n"
                                             b"healthz check failed\n")


def test_only_healthz_itself_is_served_not_its_checks():
    """NewBaseHandler mounts the healthz handler on /healthz alone: /healthz/ping is a 404."""
    mux = serving.secure_mux(lambda: ("replicaset",), Registry(), {})
    assert mux(cs.Request("GET", "/healthz/ping")).body == b"404 page not found\n"
    assert mux(cs.Request("GET", "/healthz/replicaset")).code == 404
    assert mux(cs.Request("DELETE", "/metrics")).body.startswith(b"# HELP go_")


def test_a_named_queue_counts_adds_retries_and_depth():
    """client-go's queue metrics: an add of a key already queued is no add; a get lowers the depth;
    every rate-limited add is a retry."""
    registry = Registry()
    queue = RateLimitingQueue(ManualClock(0.0), metrics=QueueMetrics(registry).named("replicaset"))
    queue.add("a")
    queue.add("a")
    queue.add("b")
    key = queue.get()
    queue.add_rate_limited(key)
    text = registry.text().decode()
    assert 'workqueue_adds_total{name="replicaset"} 2\n' in text
    assert 'workqueue_depth{name="replicaset"} 1\n' in text
    assert 'workqueue_retries_total{name="replicaset"} 1\n' in text


def test_the_controller_manager_serves_10257_by_default_and_reads_its_flags():
    args = parse_args(["--kubeconfig", "k"], {})
    assert (args.secure_port, args.bind_address) == (10257, "0.0.0.0")
    assert process_main(COMMAND, ["--kubeconfig", "k", "--secure-port", "-1"], {}) == 1


def test_cluster_signing_duration_is_read_under_both_its_names():
    """--cluster-signing-duration (and its deprecated --experimental- twin) sets the signers' TTL,
    a year by default; it is acted on, so not reported as a flag without effect."""
    assert parse_args(["--kubeconfig", "k"], {}).cluster_signing_duration == datetime.timedelta(hours=8760)
    for flag in ("--cluster-signing-duration", "--experimental-cluster-signing-duration"):
        args = parse_args(["--kubeconfig", "k", f"{flag}=10h30m"], {})
        assert args.cluster_signing_duration == datetime.timedelta(hours=10, minutes=30)
        assert not args.no_effect
