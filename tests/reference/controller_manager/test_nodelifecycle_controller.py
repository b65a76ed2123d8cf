"""The node lifecycle controller on a fake clock, one rule per test."""
from __future__ import annotations

from cm_fixtures import pod

from reference_impl.machinery.actions import Delete, RecordEvent, Update
from reference_impl.machinery.clock import ManualClock
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
    """The spec.taints each taint update writes (None: the update leaves the field out)."""
    return [(a.obj.get("spec") or {}).get("taints") for a in actions if isinstance(a, Update) and a.subresource is None]


class World:
    """A node, its lease and its pods, beside two healthy nodes whose leases are renewed on every
    pass (a cluster whose every node is unready is treated apart); applies the controller's
    updates of the node."""

    def __init__(self, pods=()):
        self.clock = ManualClock()
        self.ctl = NodeLifecycleController(self.clock)
        self.node, self.lease, self.pods = node(), lease(), list(pods)
        self.passes = 0

    def sync(self):
        self.passes += 1
        healthy = [node(f"ok{i}") for i in (1, 2)]
        renewed = [lease(f"ok{i}", renew=f"2026-01-01T00:00:00.{self.passes:06d}Z") for i in (1, 2)]
        actions = self.all_actions = self.ctl.sync([self.node, *healthy], [self.lease, *renewed], self.pods)
        for a in actions:
            if isinstance(a, Update) and a.obj["metadata"]["name"] == self.node["metadata"]["name"]:
                self.node = a.obj
        return [a for a in actions if not isinstance(a, RecordEvent)]  # events: see their own tests


def test_renewed_lease_keeps_the_node_ready():
    """A node whose lease keeps being renewed is never marked Unknown."""
    w = World()
    for i in range(10):
        w.lease = lease(renew=f"2026-01-01T00:{i:02d}:00.000000Z")
        assert w.sync() == []
        w.clock.advance(30)


def test_lease_not_renewed_within_grace_marks_ready_unknown():
    """After the grace period without a renewal, the Ready condition becomes Unknown."""
    w = World()
    w.sync()
    w.clock.advance(GRACE_PERIOD)
    assert status_updates(w.sync()) == []
    w.clock.advance(MONITOR_PERIOD)
    (updated,) = status_updates(w.sync())
    ready = next(c for c in updated["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "Unknown" and ready["reason"] == "NodeStatusUnknown"


def test_unreachable_node_gets_noschedule_then_noexecute_taints():
    """A node with Ready=Unknown gets node.kubernetes.io/unreachable twice: NoSchedule from
    doNoScheduleTaintingPass (nodeConditionToTaintKeyStatusMap), which runs on the status update,
    first, then NoExecute from doNoExecuteTaintingPass; AddOrUpdateTaintOnNode appends each."""
    w = World()
    w.sync()
    w.clock.advance(GRACE_PERIOD + 1)
    w.sync()
    w.clock.advance(MONITOR_PERIOD)
    w.sync()
    assert [(t["key"], t["effect"]) for t in w.node["spec"]["taints"]] == [
        (UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")]


def test_noexecute_taint_waits_for_the_next_monitor_pass():
    """processTaintBaseEviction acts on the Ready condition tryUpdateNodeHealth observed before
    it marked the node Unknown, so the NoExecute taint comes one nodeMonitorPeriod later; the
    NoSchedule taint, set on the node update, comes at once."""
    w = World()
    w.sync()
    w.clock.advance(GRACE_PERIOD + 1)
    w.sync()
    assert [(t["key"], t["effect"]) for t in w.node["spec"]["taints"]] == [(UNREACHABLE, "NoSchedule")]
    w.clock.advance(MONITOR_PERIOD - 1)
    w.sync()
    assert [t["effect"] for t in w.node["spec"]["taints"]] == ["NoSchedule"]
    w.clock.advance(1)
    w.sync()
    assert [t["effect"] for t in w.node["spec"]["taints"]] == ["NoSchedule", "NoExecute"]


def test_health_is_judged_once_per_monitor_period():
    """monitorNodeHealth runs every nodeMonitorPeriod: a pass sooner than that after the last
    one does not mark the node Unknown, even past the grace period."""
    w = World()
    w.sync()
    w.clock.advance(GRACE_PERIOD - 2)
    w.sync()
    w.clock.advance(3)
    assert status_updates(w.sync()) == []
    w.clock.advance(MONITOR_PERIOD - 3)
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
    (taints,) = taint_updates(w.sync())
    assert taints is None


def test_recovered_node_loses_the_taints_and_the_field():
    """When the node is Ready again, the unreachable taints are removed; with none left the
    field is absent, as taintutils.DeleteTaint leaves a nil slice that omitempty drops."""
    w = World()
    w.sync()
    w.clock.advance(GRACE_PERIOD + 1)
    w.sync()
    w.clock.advance(MONITOR_PERIOD)
    w.sync()
    w.node["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    w.lease = lease(renew="2026-01-02T00:00:00.000000Z")
    w.clock.advance(MONITOR_PERIOD)
    (taints,) = taint_updates(w.sync())
    assert taints is None


def test_pods_are_evicted_after_their_toleration_seconds():
    """A pod tolerating unreachable for 300 s is deleted 300 s after the taint, not before."""
    tolerations = [{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
    w = World([pod("p", tolerations=tolerations)])
    w.sync()
    w.clock.advance(GRACE_PERIOD + 1)
    w.sync()
    w.clock.advance(MONITOR_PERIOD)
    assert not [a for a in w.sync() if isinstance(a, Delete)]
    w.clock.advance(299)
    assert not [a for a in w.sync() if isinstance(a, Delete)]
    w.clock.advance(2)
    assert [a for a in w.sync() if isinstance(a, Delete)] == [Delete("pods", "default", "p")]


def test_pods_without_a_toleration_are_evicted_at_once():
    """A pod that does not tolerate the NoExecute taint is evicted in the pass that applies it."""
    w = World([pod("p", tolerations=[])])
    w.sync()
    w.clock.advance(GRACE_PERIOD + 1)
    w.sync()
    w.clock.advance(MONITOR_PERIOD)
    assert [a for a in w.sync() if isinstance(a, Delete)] == [Delete("pods", "default", "p")]


def test_pods_tolerating_forever_stay():
    """A toleration without tolerationSeconds keeps the pod on the node."""
    w = World([pod("p", tolerations=[{"operator": "Exists"}])])
    w.sync()
    w.clock.advance(GRACE_PERIOD + 1)
    w.sync()
    w.clock.advance(10_000)
    assert not [a for a in w.sync() if isinstance(a, Delete)]


def test_pods_on_healthy_nodes_stay():
    """Pods on a node without NoExecute taints are never evicted."""
    w = World([pod("p", tolerations=[])])
    for _ in range(3):
        w.lease = lease(renew=f"2026-01-01T00:00:0{_}.000000Z")
        assert w.sync() == []
        w.clock.advance(20)


def test_no_noexecute_taint_when_every_node_is_unready():
    """handleDisruption: when every zone is fully disrupted (no node Ready), upstream enters
    master disruption mode: markNodeAsReachable for every node and a tainter rate of 0, so nodes
    that all register NotReady get the not-ready NoSchedule taint but no NoExecute one."""
    ctl = NodeLifecycleController(ManualClock())
    actions = ctl.sync([node("a", ready="False"), node("b", ready="False")], [lease("a"), lease("b")], [])
    assert {(t["key"], t["effect"]) for taints in taint_updates(actions) for t in taints} == {
        ("node.kubernetes.io/not-ready", "NoSchedule")}


def test_one_unready_node_among_ready_ones_gets_the_noexecute_taint():
    """ComputeZoneState: one NotReady node of three is a Normal zone, whose tainter runs, so the
    node is tainted not-ready:NoExecute in the monitoring pass that observes Ready=False."""
    ctl = NodeLifecycleController(ManualClock())
    nodes = [node("a", ready="False"), node("b"), node("c")]
    (taints,) = taint_updates(ctl.sync(nodes, [lease("a"), lease("b"), lease("c")], []))
    assert ("node.kubernetes.io/not-ready", "NoExecute") in {(t["key"], t["effect"]) for t in taints}


def test_partially_disrupted_small_zone_is_not_tainted_noexecute():
    """More than 2 unready nodes making at least 55 % of a zone is PartialDisruption; in a cluster
    of at most 50 nodes ReducedQPSFunc gives the zone's tainter a rate of 0, so no NoExecute taint."""
    ctl = NodeLifecycleController(ManualClock())
    nodes = [node(n, ready="False") for n in "abc"] + [node("d")]
    actions = ctl.sync(nodes, [lease(n) for n in "abcd"], [])
    assert all(t["effect"] == "NoSchedule" for taints in taint_updates(actions) for t in taints)


def no_execute_keys(actions):
    return [[t["key"] for t in taints or [] if t["effect"] == "NoExecute"] for taints in taint_updates(actions)]


def test_zone_tainter_taints_one_node_per_ten_seconds():
    """The zone's NoExecute tainter is a RateLimitedTimedQueue at --node-eviction-rate 0.1 with
    burst 1: of two NotReady nodes among healthy ones, one is tainted at once, the other 10 s later."""
    clock = ManualClock()
    ctl = NodeLifecycleController(clock)
    nodes = [node("a", ready="False"), node("b", ready="False")] + [node(f"ok{i}") for i in range(4)]
    leases = [lease(n["metadata"]["name"]) for n in nodes]
    first = ctl.sync(nodes, leases, [])
    assert [keys for keys in no_execute_keys(first) if keys] == [["node.kubernetes.io/not-ready"]]
    # Both get their NoSchedule taint; only the one tainted NoExecute keeps it in the cache.
    patched = {a.obj["metadata"]["name"]: a.obj["spec"]["taints"] for a in first
               if isinstance(a, Update) and a.subresource is None}
    waiting = next(name for name, taints in patched.items() if all(t["effect"] == "NoSchedule" for t in taints))
    nodes = [dict(n, spec={"taints": patched[n["metadata"]["name"]]}) if n["metadata"]["name"] in patched else n
             for n in nodes]

    def waiting_tainted():
        actions = ctl.sync(nodes, leases, [])
        return any(t["effect"] == "NoExecute" for a in actions
                   if isinstance(a, Update) and a.obj["metadata"]["name"] == waiting
                   for t in a.obj["spec"].get("taints") or [])
    clock.advance(MONITOR_PERIOD)
    assert not waiting_tainted()
    clock.advance(MONITOR_PERIOD)
    assert waiting_tainted()


def test_leaving_master_disruption_waits_a_whole_period_before_tainting():
    """SwapLimiter from a rate of 0 drains the new bucket: when some nodes become Ready after all
    were unready, a node still NotReady is tainted NoExecute only 1/0.1 s later, and not at all if
    it is Ready by the time the tainter takes it (doNoExecuteTaintingPass rereads the node)."""
    clock = ManualClock()
    ctl = NodeLifecycleController(clock)
    ctl.sync([node("a", ready="False"), node("b", ready="False")], [lease("a"), lease("b")], [])
    clock.advance(MONITOR_PERIOD)
    nodes = [node("a", ready="False"), node("b")]
    assert not any(keys for keys in no_execute_keys(ctl.sync(nodes, [lease("a"), lease("b")], [])))
    clock.advance(MONITOR_PERIOD)
    assert not any(keys for keys in no_execute_keys(ctl.sync(nodes, [lease("a"), lease("b")], [])))
    clock.advance(MONITOR_PERIOD)
    assert no_execute_keys(ctl.sync(nodes, [lease("a"), lease("b")], [])) == [["node.kubernetes.io/not-ready"]]


def node_events(actions):
    return [(a.component, a.involved, a.type, a.reason, a.message) for a in actions if isinstance(a, RecordEvent)]


def test_a_node_first_seen_is_registered_once():
    """Each node the controller has not seen before gets RegisteredNode, about the Node by its UID
    (no namespace: the event goes to default); a later pass records nothing more."""
    clock = ManualClock()
    ctl = NodeLifecycleController(clock)
    first = {**node("n1"), "metadata": {"name": "n1", "uid": "u-1"}}
    assert node_events(ctl.sync([first], [lease("n1")], [])) == [
        ("node-controller", {"kind": "Node", "name": "n1", "uid": "u-1", "apiVersion": "v1"}, "Normal",
         "RegisteredNode", "Node n1 event: Registered Node n1 in Controller")]
    clock.advance(MONITOR_PERIOD)
    assert node_events(ctl.sync([first], [lease("n1")], [])) == []


def test_a_node_gone_is_removed_from_the_controller():
    clock = ManualClock()
    ctl = NodeLifecycleController(clock)
    ctl.sync([{**node("n1"), "metadata": {"name": "n1", "uid": "u-1"}}], [lease("n1")], [])
    clock.advance(MONITOR_PERIOD)
    assert [event[3:] for event in node_events(ctl.sync([], [], []))] == [
        ("RemovingNode", "Node n1 event: Removing Node n1 from Controller")]


def test_a_ready_node_gone_unknown_is_node_not_ready_once():
    """The pass that turns the kubelet's Ready True into Unknown records NodeNotReady on the Node;
    the passes after it, finding Unknown already, record nothing more."""
    clock = ManualClock()
    ctl = NodeLifecycleController(clock)
    current = {**node("n1"), "metadata": {"name": "n1", "uid": "u-1"}}
    ctl.sync([current], [lease("n1")], [])
    clock.advance(GRACE_PERIOD + MONITOR_PERIOD)
    actions = ctl.sync([current], [lease("n1")], [])
    assert node_events(actions) == [
        ("node-controller", {"kind": "Node", "name": "n1", "uid": "u-1", "apiVersion": "v1"},
         "Normal", "NodeNotReady", "Node n1 status is now: NodeNotReady")]
    (current,) = status_updates(actions)
    clock.advance(MONITOR_PERIOD)
    assert node_events(ctl.sync([current], [lease("n1")], [])) == []


def unreachable_world(pods):
    """A World whose node has just been tainted unreachable:NoExecute; the actions of that pass."""
    w = World(pods)
    w.sync()
    w.clock.advance(GRACE_PERIOD + 1)
    w.sync()
    w.clock.advance(MONITOR_PERIOD)
    w.sync()
    return w, w.all_actions


def test_pods_of_a_node_gone_unknown_are_marked_not_ready():
    """MarkPodsNotReady: the pass that finds the node not Ready sets its pods' Ready to False, and
    each status update, once answered, records the Warning NodeNotReady on the pod."""
    w = World([pod("p", tolerations=[{"operator": "Exists"}])])
    w.sync()
    w.clock.advance(GRACE_PERIOD + 1)
    w.sync()
    actions = w.all_actions
    (update,) = [a for a in actions if isinstance(a, Update) and a.resource == "pods"]
    assert (update.namespace, update.subresource) == ("default", "status")
    ready = next(c for c in update.obj["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and ready["lastTransitionTime"]
    event = update.outcome.event_for(answer=update.obj)
    assert (event.component, event.type, event.reason, event.message) == (
        "node-controller", "Warning", "NodeNotReady", "Node is not ready")
    assert (event.involved["kind"], event.involved["name"]) == ("Pod", "p")


def test_pods_already_not_ready_are_left_alone():
    """A pod whose Ready is False already is not updated again."""
    w = World([pod("p", ready=False, tolerations=[{"operator": "Exists"}])])
    w.sync()
    w.clock.advance(GRACE_PERIOD + 1)
    w.sync()
    assert not [a for a in w.all_actions if getattr(a, "resource", "") == "pods"]


def test_an_eviction_is_marked_for_deletion_first():
    """The taint manager records TaintManagerEviction "Marking for deletion Pod <ns>/<name>" from
    its own recorder, about the pod by namespace and name, before it deletes it."""
    _w, actions = unreachable_world([pod("p", tolerations=[])])
    evicting = [a for a in actions if isinstance(a, Delete)
                or (isinstance(a, RecordEvent) and a.reason == "TaintManagerEviction")]
    assert evicting == [RecordEvent("taint-controller", {"kind": "Pod", "name": "p", "namespace": "default"},
                                    "Normal", "TaintManagerEviction", "Marking for deletion Pod default/p"),
                        Delete("pods", "default", "p")]


def test_a_waiting_eviction_is_cancelled_when_the_node_recovers():
    """A pod waiting out its tolerationSeconds on a node that becomes Ready again gets
    "Cancelling deletion of Pod <ns>/<name>", once."""
    tolerations = [{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
    w, _actions = unreachable_world([pod("p", tolerations=tolerations)])
    w.node["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    w.lease = lease(renew="2026-01-02T00:00:00.000000Z")
    w.clock.advance(MONITOR_PERIOD)
    for expected in (["Cancelling deletion of Pod default/p"], []):
        w.sync()
        assert [a.message for a in w.all_actions if isinstance(a, RecordEvent) and a.reason == "TaintManagerEviction"] == expected
