"""Leader election on a Lease: acquire, renew, lose on expiry (fake clock, no I/O)."""
from __future__ import annotations

from reference_impl.machinery.clock import ManualClock
from reference_impl.client.leaderelection import LeaderElector
from reference_impl.machinery.timefmt import micro_time


def stored(lease, rv="1"):
    lease = dict(lease)
    lease["metadata"] = {**lease["metadata"], "resourceVersion": rv}
    return lease


def test_absent_lease_is_created_with_us_as_holder():
    """With no Lease, the candidate creates one naming itself holder."""
    e = LeaderElector("a", ManualClock())
    lease = e.try_acquire_or_renew(None)
    assert lease["spec"]["holderIdentity"] == "a" and lease["spec"]["leaseDurationSeconds"] == 15
    e.on_written(stored(lease))
    assert e.is_leader()


def test_others_unexpired_lease_is_respected():
    """A lease held by another and renewed within its duration is not taken."""
    clock = ManualClock()
    a, b = LeaderElector("a", clock), LeaderElector("b", clock)
    lease = stored(a.try_acquire_or_renew(None))
    assert b.try_acquire_or_renew(lease) is None
    clock.advance(14)
    assert b.try_acquire_or_renew(lease) is None and not b.is_leader()


def test_expired_lease_is_taken_over_with_a_transition():
    """A lease unchanged for leaseDurationSeconds (on our clock) is acquired; transitions +1."""
    clock = ManualClock()
    a, b = LeaderElector("a", clock), LeaderElector("b", clock)
    lease = stored(a.try_acquire_or_renew(None))
    assert b.try_acquire_or_renew(lease) is None
    clock.advance(16)
    taken = b.try_acquire_or_renew(lease)
    assert taken["spec"]["holderIdentity"] == "b" and taken["spec"]["leaseTransitions"] == 1
    assert taken["metadata"]["resourceVersion"] == "1"  # the update is conditional


def test_renewal_keeps_others_out():
    """The holder renewing (renewTime changes) restarts the others' expiry countdown."""
    clock = ManualClock()
    a, b = LeaderElector("a", clock), LeaderElector("b", clock)
    lease = stored(a.try_acquire_or_renew(None))
    a.on_written(lease)
    assert b.try_acquire_or_renew(lease) is None
    clock.advance(10)
    lease = stored(a.try_acquire_or_renew(lease), "2")
    a.on_written(lease)
    assert b.try_acquire_or_renew(lease) is None
    clock.advance(10)  # 20 s since b first saw it, 10 s since the renewal
    assert b.try_acquire_or_renew(lease) is None


def test_leader_that_cannot_renew_stops_leading():
    """Without a successful renewal within renew_deadline the leader is no longer leader."""
    clock = ManualClock()
    a = LeaderElector("a", clock, renew_deadline=10)
    a.on_written(stored(a.try_acquire_or_renew(None)))
    clock.advance(9)
    assert a.is_leader()
    clock.advance(2)
    assert not a.is_leader()


def test_a_lease_with_a_null_spec_is_taken_over():
    """`spec: null` decodes to an empty LeaseSpec: no holder, so the candidate takes the Lease."""
    elector = LeaderElector("me", ManualClock(100.0))
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "kube-controller-manager", "namespace": "kube-system"}, "spec": None}
    desired = elector.try_acquire_or_renew(lease)
    assert desired["spec"]["holderIdentity"] == "me" and desired["spec"]["leaseTransitions"] == 1


def test_a_leader_that_stops_renewing_fails_its_check_after_the_lease_and_the_tolerance():
    """LeaderElector.Check: a holder unrenewed for leaseDuration + the tolerance is unhealthy;
    a candidate that never held the lease is always healthy."""
    clock = ManualClock()
    leader, candidate = LeaderElector("a", clock), LeaderElector("b", clock)
    lease = stored(leader.try_acquire_or_renew(None))
    leader.on_written(lease)
    candidate.try_acquire_or_renew(lease)
    clock.advance(35)
    assert leader.check(20.0) is None
    clock.advance(0.5)
    assert leader.check(20.0) == "failed election to renew leadership on lease kube-controller-manager"
    assert candidate.check(20.0) is None


def test_release_writes_no_holder_and_a_one_second_lease_over_ours():
    """client-go's release (ReleaseOnCancel): the Lease we last wrote, its holder emptied and its
    duration one second so a candidate takes it at once; nothing to write when we do not lead."""
    clock = ManualClock()
    e = LeaderElector("a", clock)
    assert e.release() is None
    e.on_written(stored(e.try_acquire_or_renew(None), "7"))
    clock.advance(3)
    released = e.release()
    assert released["metadata"]["resourceVersion"] == "7"
    assert released["spec"] == {"holderIdentity": "", "leaseDurationSeconds": 1, "leaseTransitions": 0,
                                "acquireTime": micro_time(clock.now()), "renewTime": micro_time(clock.now())}
    b = LeaderElector("b", clock)
    assert b.try_acquire_or_renew(stored(released, "8"))["spec"]["holderIdentity"] == "b"
