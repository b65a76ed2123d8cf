"""kube-controller-manager's leader election as upstream's runs it: on by default, and a leader
that loses the kube-system/kube-controller-manager Lease ends the process (Run's
OnStoppedLeading calls klog.Fatalf("leaderelection lost")) instead of waiting as a candidate."""
from __future__ import annotations

import http.client
import io
from dataclasses import replace

import pytest

from reference_impl.client import APIStatusError, LeaderElectionLost
from reference_impl.client.leaderelection import LeaderElector
from reference_impl.controller_manager import run as controller_manager_run
from reference_impl.controller_manager.run import ControllerManager, parse_args
from reference_impl.machinery import process
from reference_impl.scheduler import run as scheduler_run
from reference_impl.machinery.clock import ManualClock

LEASE = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager"


class LeaseStore:
    """The apiserver's one Lease: GET (404 while none), POST creates, PUT replaces; each write
    gets the next resourceVersion. While `down`, every request fails to connect."""

    def __init__(self) -> None:
        self.lease: dict | None = None
        self.version, self.down = 0, False

    def request(self, method, path, body=None):
        if self.down:
            raise OSError("connection refused")
        if method == "GET":
            if self.lease is None:
                raise APIStatusError(method, path, 404, {"reason": "NotFound"})
            return self.lease
        self.version += 1
        self.lease = {**body, "metadata": {**body["metadata"], "resourceVersion": str(self.version)}}
        return self.lease

    def take(self, holder: str) -> None:
        self.request("PUT", LEASE, {**self.lease, "spec": {**self.lease["spec"], "holderIdentity": holder}})


def test_leader_election_is_on_by_default():
    """--leader-elect defaults to true, as kube-controller-manager's does; =false turns it off."""
    assert parse_args(["--kubeconfig", "k"], {}).leader_elect is True
    assert parse_args(["--kubeconfig", "k", "--leader-elect=false"], {}).leader_elect is False
    assert parse_args(["--kubeconfig", "k", "--leader-elect"], {}).leader_elect is True


def test_a_leader_whose_lease_another_took_stops_with_leaderelection_lost():
    store, clock = LeaseStore(), ManualClock()
    manager, elector = ControllerManager(store), LeaderElector("me", clock)
    assert manager._lease_step(elector, leading=False) is True
    store.take("other")
    with pytest.raises(LeaderElectionLost, match="^leaderelection lost$"):
        manager._lease_step(elector, leading=True)


def test_a_leader_that_cannot_renew_within_the_deadline_stops():
    """Errors renewing are tolerated for renewDeadline (10s); past it the leader stops."""
    store, clock = LeaseStore(), ManualClock()
    manager, elector = ControllerManager(store), LeaderElector("me", clock)
    assert manager._lease_step(elector, leading=False) is True
    store.down = True
    clock.advance(5)
    assert manager._lease_step(elector, leading=True) is True
    clock.advance(6)
    with pytest.raises(LeaderElectionLost):
        manager._lease_step(elector, leading=True)


def test_an_answer_cut_off_while_renewing_is_a_failed_renewal():
    """A renewal whose answer is cut off mid-body (http.client.IncompleteRead) is an error
    renewing, tolerated within renewDeadline as a refused connection is, not an exception that
    ends the controller manager."""
    store, clock = LeaseStore(), ManualClock()
    manager, elector = ControllerManager(store), LeaderElector("me", clock)
    assert manager._lease_step(elector, leading=False) is True

    def cut_off(method, path, body=None):
        raise http.client.IncompleteRead(b"{", 10)

    store.request = cut_off
    clock.advance(5)
    assert manager._lease_step(elector, leading=True) is True


def test_a_candidate_that_does_not_get_the_lease_waits():
    """Only a leader stops: a candidate facing another holder keeps trying."""
    store, clock = LeaseStore(), ManualClock()
    store.request("POST", LEASE, LeaderElector("other", clock).try_acquire_or_renew(None))
    manager = ControllerManager(store)
    assert manager._lease_step(LeaderElector("me", clock), leading=False) is False


def _lost(args, process):
    raise LeaderElectionLost("leaderelection lost")


@pytest.mark.parametrize("command, code", [(controller_manager_run.COMMAND, 255), (scheduler_run.COMMAND, 1)])
def test_a_lost_lease_exits_as_each_upstream_command_does(command, code):
    """kube-controller-manager's OnStoppedLeading is klog.Fatalf, which exits 255;
    kube-scheduler's calls os.Exit(1)."""
    err = io.StringIO()
    assert process.main(replace(command, run=_lost), ["--kubeconfig", "k"], {}, out=io.StringIO(), err=err) == code
    assert err.getvalue() == f"{command.name}: error: leaderelection lost\n"
