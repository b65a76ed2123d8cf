"""UIDTrackingControllerExpectations under concurrent observers, as upstream's uidStoreLock makes
them: the informer's thread and a sync's delete threads see the pod keys and their count together."""
from __future__ import annotations

import threading

from reference_impl.controller_manager import expectations
from reference_impl.controller_manager.expectations import UIDTrackingControllerExpectations
from reference_impl.machinery.clock import ManualClock


def test_a_deletion_observed_while_deletions_are_expected_waits_for_their_count(monkeypatch):
    """ExpectDeletions stores the pod keys and sets their count under uidStoreLock: an informer
    thread observing one of the pods in between waits, and lowers the count once it is set, so the
    controller is satisfied when the last pod goes (not stuck until the 5-minute TTL)."""
    uids = UIDTrackingControllerExpectations(ManualClock())
    set_count = expectations.ControllerExpectations.expect_deletions
    informer = threading.Thread(target=uids.deletion_observed, args=("ns/rs", "ns/p1"))

    def observed_before_the_count_is_set(self, key, deletes):
        informer.start()
        informer.join(timeout=0.5)
        set_count(self, key, deletes)

    monkeypatch.setattr(expectations.ControllerExpectations, "expect_deletions", observed_before_the_count_is_set)
    uids.expect_deletions("ns/rs", ["ns/p1", "ns/p2"])
    informer.join(timeout=5)
    uids.deletion_observed("ns/rs", "ns/p2")
    assert uids.satisfied("ns/rs")
