"""The node lifecycle controller on a fake clock, one rule per test."""
from __future__ import annotations

from cm_fixtures import pod

from reference_impl.client import FakeClock
from reference_impl.controller_manager.actions import Delete, Update
from reference_impl.controller_manager.nodelifecycle import (GRACE_PERIOD, MONITOR_PERIOD, UNREACHABLE,
                                                             NodeLifecycleController)


def node(name="n1", ready="True", taints=None):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "spec": {"taints": taints or []},
            "status": {"conditions": [{"type": "Ready", "status": ready}]}}


def lease(name="n1", renew="2026-01-01T00:00:00.000000Z"):
    return {"metadata": {"name": name, "namespace": "kube-node-lease"}, "spec": {"renewTime": renew}}


def status_updates(actions):
    return [a.obj for a in actions if isinstance(a, Update) and a.subresource == "status"]


def taint_updates(actions):
    return [a.obj for a in actions if isinstance(a, Update) and a.subresource is None]


class World:
    """A node, its lease and its pods; applies the controller's node updates."""

    def __init__(self, pods=()):
        self.clock = FakeClock()
        self.ctl = NodeLifecycleController(self.clock)
        self.node, self.lease, self.pods = node(), lease(), list(pods)

    def sync(self):
        actions = self.ctl.sync([self.node], [self.lease], self.pods)
        for a in actions:
            if isinstance(a, Update):
                self.node = a.obj
        return actions


def test_renewed_lease_keeps_the_node_ready():
    """A node whose lease keeps being renewed is never marked Unknown."""
    w = World()
    for i in range(10):
        w.lease = lease(renew=f"2026-01-01T00:{i:02d}:00.000000Z")
        assert w.sync() == []
        w.clock.step(30)


def test_lease_not_renewed_within_grace_marks_ready_unknown():
    """After the grace period without a renewal, the Ready condition becomes Unknown."""
    w = World()
    w.sync()
    w.clock.step(GRACE_PERIOD)
    assert status_updates(w.sync()) == []
    w.clock.step(MONITOR_PERIOD)
    (updated,) = status_updates(w.sync())
    ready = next(c for c in updated["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "Unknown" and ready["reason"] == "NodeStatusUnknown"


def test_unreachable_node_gets_noschedule_then_noexecute_taints():
    """A node with Ready=Unknown gets node.kubernetes.io/unreachable twice: NoSchedule from
    doNoScheduleTaintingPass (nodeConditionToTaintKeyStatusMap), which runs on the status update,
    first, then NoExecute from doNoExecuteTaintingPass; AddOrUpdateTaintOnNode appends each."""
    w = World()
    w.sync()
    w.clock.step(GRACE_PERIOD + 1)
    w.sync()
    w.clock.step(MONITOR_PERIOD)
    w.sync()
    assert [(t["key"], t["effect"]) for t in w.node["spec"]["taints"]] == [
        (UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")]


def test_noexecute_taint_waits_for_the_next_monitor_pass():
    """processTaintBaseEviction acts on the Ready condition tryUpdateNodeHealth observed before
    it marked the node Unknown, so the NoExecute taint comes one nodeMonitorPeriod later; the
    NoSchedule taint, set on the node update, comes at once."""
    w = World()
    w.sync()
    w.clock.step(GRACE_PERIOD + 1)
    w.sync()
    assert [(t["key"], t["effect"]) for t in w.node["spec"]["taints"]] == [(UNREACHABLE, "NoSchedule")]
    w.clock.step(MONITOR_PERIOD - 1)
    w.sync()
    assert [t["effect"] for t in w.node["spec"]["taints"]] == ["NoSchedule"]
    w.clock.step(1)
    w.sync()
    assert [t["effect"] for t in w.node["spec"]["taints"]] == ["NoSchedule", "NoExecute"]


def test_health_is_judged_once_per_monitor_period():
    """monitorNodeHealth runs every nodeMonitorPeriod: a pass sooner than that after the last
    one does not mark the node Unknown, even past the grace period."""
    w = World()
    w.sync()
    w.clock.step(GRACE_PERIOD - 2)
    w.sync()
    w.clock.step(3)
    assert status_updates(w.sync()) == []
    w.clock.step(MONITOR_PERIOD - 3)
    assert len(status_updates(w.sync())) == 1


def test_noschedule_taints_follow_node_conditions_and_unschedulable():
    """doNoScheduleTaintingPass: Ready=False → not-ready, MemoryPressure=True → memory-pressure,
    spec.unschedulable → unschedulable, all NoSchedule with timeAdded; other taints are kept."""
    w = World()
    w.node["spec"] = {"unschedulable": True, "taints": [{"key": "mine", "effect": "NoSchedule"}]}
    w.node["status"]["conditions"] = [{"type": "Ready", "status": "False"},
                                      {"type": "MemoryPressure", "status": "True"}]
    w.sync()
    noschedule = [t for t in w.node["spec"]["taints"] if t["effect"] == "NoSchedule"]
    assert [t["key"] for t in noschedule] == ["mine", "node.kubernetes.io/not-ready",
                                              "node.kubernetes.io/memory-pressure",
                                              "node.kubernetes.io/unschedulable"]
    assert all("timeAdded" in t for t in noschedule[1:])


def test_noschedule_taint_goes_when_its_condition_clears():
    """A condition taint whose condition no longer holds is removed (TaintSetDiff's taintsToDel)."""
    w = World()
    w.node["spec"]["taints"] = [{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]
    (updated,) = taint_updates(w.sync())
    assert "taints" not in updated["spec"]


def test_recovered_node_loses_the_taints_and_the_field():
    """When the node is Ready again, the unreachable taints are removed; with none left the
    field is absent, as taintutils.DeleteTaint leaves a nil slice that omitempty drops."""
    w = World()
    w.sync()
    w.clock.step(GRACE_PERIOD + 1)
    w.sync()
    w.clock.step(MONITOR_PERIOD)
    w.sync()
    w.node["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    w.lease = lease(renew="2026-01-02T00:00:00.000000Z")
    w.clock.step(MONITOR_PERIOD)
    (updated,) = taint_updates(w.sync())
    assert "taints" not in updated["spec"]


def test_pods_are_evicted_after_their_toleration_seconds():
    """A pod tolerating unreachable for 300 s is deleted 300 s after the taint, not before."""
    tolerations = [{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
    w = World([pod("p", tolerations=tolerations)])
    w.sync()
    w.clock.step(GRACE_PERIOD + 1)
    w.sync()
    w.clock.step(MONITOR_PERIOD)
    assert not [a for a in w.sync() if isinstance(a, Delete)]
    w.clock.step(299)
    assert not [a for a in w.sync() if isinstance(a, Delete)]
    w.clock.step(2)
    assert [a for a in w.sync() if isinstance(a, Delete)] == [Delete("pods", "default", "p")]


def test_pods_without_a_toleration_are_evicted_at_once():
    """A pod that does not tolerate the NoExecute taint is evicted in the pass that applies it."""
    w = World([pod("p", tolerations=[])])
    w.sync()
    w.clock.step(GRACE_PERIOD + 1)
    w.sync()
    w.clock.step(MONITOR_PERIOD)
    assert [a for a in w.sync() if isinstance(a, Delete)] == [Delete("pods", "default", "p")]


def test_pods_tolerating_forever_stay():
    """A toleration without tolerationSeconds keeps the pod on the node."""
    w = World([pod("p", tolerations=[{"operator": "Exists"}])])
    w.sync()
    w.clock.step(GRACE_PERIOD + 1)
    w.sync()
    w.clock.step(10_000)
    assert not [a for a in w.sync() if isinstance(a, Delete)]


def test_pods_on_healthy_nodes_stay():
    """Pods on a node without NoExecute taints are never evicted."""
    w = World([pod("p", tolerations=[])])
    for _ in range(3):
        w.lease = lease(renew=f"2026-01-01T00:00:0{_}.000000Z")
        assert w.sync() == []
        w.clock.step(20)
