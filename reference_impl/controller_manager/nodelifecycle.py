"""The node lifecycle controller: a node whose kubelet stops renewing its Lease (in
kube-node-lease) for longer than the grace period gets Ready=Unknown, at once the
`node.kubernetes.io/unreachable:NoSchedule` taint and one monitor period later the NoExecute one;
the taint manager then evicts its pods once their toleration for that taint runs out (at once for
pods that do not tolerate it), with a TaintManagerEviction event on each. The pods of a node not
Ready are marked Ready=False, each with a NodeNotReady event. Node conditions map to NoSchedule
taints, and a zone whose nodes are mostly unready (or a cluster where none is ready) is not
tainted NoExecute, as upstream's zone states decide.

Like upstream, a lease is judged by when *this controller* saw its renewTime change, on its own
clock, so skew between kubelet and controller clocks does not matter.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from reference_impl.machinery.actions import Delete, Outcome, RecordEvent, Update
from reference_impl.machinery.objects import condition, object_reference
from reference_impl.machinery.scheduling import toleration_tolerates
from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors
from reference_impl.machinery.timefmt import parse_rfc3339, rfc3339

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
GRACE_PERIOD = 40.0
# --node-monitor-period's default: how often node health is judged and NoExecute taints set.
MONITOR_PERIOD = 5.0
# --unhealthy-zone-threshold and --large-cluster-size-threshold defaults.
UNHEALTHY_ZONE_THRESHOLD = 0.55
LARGE_CLUSTER_THRESHOLD = 50
# --node-eviction-rate and --secondary-node-eviction-rate defaults: NoExecute taints per second and zone.
EVICTION_LIMITER_QPS = 0.1
SECONDARY_EVICTION_LIMITER_QPS = 0.01
# Zone states (ZoneState); a zone seen for the first time is Initial.
EVENT_SOURCE = "node-controller"
# The taint manager has a recorder of its own (NewNoExecuteTaintManager).
TAINT_MANAGER_SOURCE = "taint-controller"
INITIAL, NORMAL, PARTIAL_DISRUPTION, FULL_DISRUPTION = "Initial", "Normal", "PartialDisruption", "FullDisruption"
# A node with this label counts in no zone's health.
DISRUPTION_EXCLUSION_LABEL = "node.kubernetes.io/exclude-disruption"


# Which NoSchedule taint each node condition status calls for (nodeConditionToTaintKeyStatusMap).
NODE_CONDITION_TAINTS = {
    "Ready": {"False": NOT_READY, "Unknown": UNREACHABLE},
    "MemoryPressure": {"True": "node.kubernetes.io/memory-pressure"},
    "DiskPressure": {"True": "node.kubernetes.io/disk-pressure"},
    "NetworkUnavailable": {"True": "node.kubernetes.io/network-unavailable"},
    "PIDPressure": {"True": "node.kubernetes.io/pid-pressure"},
}
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
_CONDITION_TAINT_KEYS = {key for by_status in NODE_CONDITION_TAINTS.values() for key in by_status.values()}


def _matches(a: dict, b: dict) -> bool:
    """Taint.MatchTaint: the same key and effect."""
    return a["key"] == b["key"] and a["effect"] == b["effect"]


@mirrors("k8s.io/kubernetes/pkg/controller.AddOrUpdateTaintOnNode",
         "k8s.io/kubernetes/pkg/controller.RemoveTaintOffNode")
def swap_taints(taints: list[dict], to_add: list[dict], to_remove: list[dict]) -> list[dict]:
    """A taint to add replaces the one with its key and effect in place, or goes last."""
    result = list(taints)
    for taint in to_add:
        at = next((i for i, t in enumerate(result) if _matches(t, taint)), None)
        if at is None:
            result.append(taint)
        else:
            result[at] = taint
    return [t for t in result if not any(_matches(t, gone) for gone in to_remove)]


@mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).doNoScheduleTaintingPass")
def no_schedule_taints(node: dict, taints: list[dict], now: float) -> list[dict]:
    """`taints` with the NoSchedule taints the node's conditions (and spec.unschedulable) call for,
    in the order of its conditions, and without those they no longer call for."""
    wanted = [{"key": key, "effect": "NoSchedule"}
              for c in (node.get("status") or {}).get("conditions") or []
              if (key := NODE_CONDITION_TAINTS.get(c.get("type"), {}).get(c.get("status")))]
    if (node.get("spec") or {}).get("unschedulable"):
        wanted.append({"key": UNSCHEDULABLE, "effect": "NoSchedule"})
    present = [t for t in taints if t["effect"] == "NoSchedule"
               and (t["key"] == UNSCHEDULABLE or t["key"] in _CONDITION_TAINT_KEYS)]
    to_add = [dict(t, timeAdded=rfc3339(now)) for t in wanted if not any(_matches(t, p) for p in present)]
    to_remove = [p for p in present if not any(_matches(p, t) for t in wanted)]
    if not to_add and not to_remove:
        return taints
    return swap_taints(taints, to_add, to_remove)


def _without_condition_no_execute(taints: list[dict]) -> list[dict]:
    return [t for t in taints if not (t["key"] in (UNREACHABLE, NOT_READY) and t["effect"] == "NoExecute")]


def _no_execute_taint(key: str, now: float) -> dict:
    return {"key": key, "effect": "NoExecute", "timeAdded": rfc3339(now)}


@mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).processTaintBaseEviction",
         "(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).markNodeAsReachable")
def process_taint_base_eviction(taints: list[dict], observed_ready: str | None, now: float) -> tuple[list[dict], bool]:
    """(`taints` after one monitoring pass, whether the node waits for the tainter), from the
    Ready status observed before the pass updated it: True removes the unreachable and not-ready
    NoExecute taints; False or Unknown swaps the opposite one at once, else queues the node."""
    present = {t["key"] for t in taints if t["key"] in (UNREACHABLE, NOT_READY) and t["effect"] == "NoExecute"}
    if observed_ready == "True":
        return (_without_condition_no_execute(taints) if present else taints), False
    want = {"Unknown": UNREACHABLE, "False": NOT_READY}.get(observed_ready)
    if want is None:
        return taints, False
    opposite = NOT_READY if want == UNREACHABLE else UNREACHABLE
    if opposite in present:
        return swap_taints(taints, [_no_execute_taint(want, now)], [{"key": opposite, "effect": "NoExecute"}]), False
    return taints, want not in present


@mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).doNoExecuteTaintingPass")
def taint_no_execute(taints: list[dict], current_ready: str | None, now: float) -> list[dict]:
    """A queued node's taints once the tainter takes it: after the Ready status it finds then,
    so a node ready again by that time is left alone."""
    key = {"Unknown": UNREACHABLE, "False": NOT_READY}.get(current_ready)
    if key is None:
        return taints
    other = NOT_READY if key == UNREACHABLE else UNREACHABLE
    return swap_taints(taints, [_no_execute_taint(key, now)], [{"key": other, "effect": "NoExecute"}])


class RateLimitedTimedQueue:
    """One zone's nodes waiting for a NoExecute taint, released in the order they came by a token
    bucket of burst 1 (scheduler.RateLimitedTimedQueue); a rate of 0 releases none."""

    def __init__(self, qps: float):
        self.qps = qps
        self._next_token = float("-inf")
        self._queue: dict[str, float] = {}

    def add(self, name: str, now: float) -> None:
        self._queue.setdefault(name, now)

    def remove(self, name: str) -> None:
        self._queue.pop(name, None)

    def clear(self) -> None:
        self._queue.clear()

    def _try_accept(self, now: float) -> bool:
        if self.qps <= 0 or now < self._next_token:
            return False
        self._next_token = now + 1 / self.qps
        return True

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle/scheduler.RateLimitedTimedQueue).SwapLimiter")
    def swap_limiter(self, qps: float, now: float) -> None:
        """A new rate; the new bucket starts full only if the old one still held a token, so
        leaving a rate of 0 waits a whole period before the first taint."""
        if qps == self.qps:
            return
        if qps > 0:
            self._next_token = now if self._try_accept(now) else now + 1 / qps
        self.qps = qps

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle/scheduler.RateLimitedTimedQueue).Try")
    def try_release(self, now: float) -> list[str]:
        """The nodes the bucket lets through now, oldest first; each takes a token."""
        released = []
        for name in sorted(self._queue, key=self._queue.__getitem__):
            if not self._try_accept(now):
                break
            released.append(name)
            del self._queue[name]
        return released


@mirrors("k8s.io/component-helpers/node/topology.GetZoneKey")
def zone_key(node: dict) -> str:
    labels = node["metadata"].get("labels") or {}
    zone = labels.get("failure-domain.beta.kubernetes.io/zone", labels.get("topology.kubernetes.io/zone", ""))
    region = labels.get("failure-domain.beta.kubernetes.io/region", labels.get("topology.kubernetes.io/region", ""))
    return f"{region}:\x00:{zone}" if region or zone else ""


@mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).ComputeZoneState")
def compute_zone_state(ready_statuses: list[str | None]) -> str:
    ready = sum(1 for status in ready_statuses if status == "True")
    not_ready = len(ready_statuses) - ready
    if ready == 0 and not_ready > 0:
        return FULL_DISRUPTION
    if not_ready > 2 and not_ready / (not_ready + ready) >= UNHEALTHY_ZONE_THRESHOLD:
        return PARTIAL_DISRUPTION
    return NORMAL


@mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).setLimiterInZone",
         "(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).ReducedQPSFunc",
         "(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).HealthyQPSFunc")
def tainter_qps(state: str, zone_size: int) -> float:
    """The zone tainter's rate: a partially disrupted zone of a small cluster stops (0), of a
    large one slows down; a fully disrupted zone keeps the healthy rate."""
    if state == PARTIAL_DISRUPTION:
        return SECONDARY_EVICTION_LIMITER_QPS if zone_size > LARGE_CLUSTER_THRESHOLD else 0.0
    return EVICTION_LIMITER_QPS


@mirrors("k8s.io/kubernetes/pkg/controller/util/node.RecordNodeEvent")
def _node_event(name: str, uid: str, reason: str, event: str) -> RecordEvent:
    return _about_node(name, uid, reason, f"Node {name} event: {event}")


def _about_node(name: str, uid: str, reason: str, message: str) -> RecordEvent:
    """A Normal event about the Node, referred to by name and UID."""
    involved = {"kind": "Node", "name": name, "uid": uid, "apiVersion": "v1"}
    return RecordEvent(EVENT_SOURCE, {key: value for key, value in involved.items() if value}, "Normal", reason,
                       message)


@mirrors("k8s.io/kubernetes/pkg/controller/util/node.RecordNodeStatusChange")
def _node_status_change(node: dict, new_status: str) -> RecordEvent:
    """Recorded once, as the Ready the kubelet posted gives way to the Unknown this controller writes."""
    name = node["metadata"]["name"]
    return _about_node(name, node["metadata"].get("uid", ""), new_status, f"Node {name} status is now: {new_status}")


@mirrors("k8s.io/kubernetes/pkg/controller/util/node.MarkPodsNotReady")
def mark_pods_not_ready(pods: list[dict], now: float) -> list[Update]:
    """A status update setting Ready=False on each pod whose Ready condition says otherwise, the
    Warning NodeNotReady "Node is not ready" on the pod recorded once it is answered."""
    updates = []
    for pod in pods:
        ready = condition(pod, "Ready")
        if ready is None or ready.get("status") == "False":
            continue
        updated = copy.deepcopy(pod)
        # utilpod.UpdatePodCondition: only the status changes, and with it lastTransitionTime.
        condition(updated, "Ready").update(status="False", lastTransitionTime=rfc3339(now))
        event = RecordEvent(EVENT_SOURCE, object_reference(pod, "Pod", "v1"), "Warning", "NodeNotReady",
                            "Node is not ready")
        # Upstream records the event after any answer but NotFound; a Conflict here is a pass over a
        # stale cache of a pod marked already, whose event the first update recorded.
        updates.append(Update("pods", pod["metadata"]["namespace"], updated, "status",
                              outcome=Outcome(event, event, quiet_for=("NotFound", "Conflict"))))
    return updates


def _taint_manager_event(pod: dict, verb: str) -> RecordEvent:
    """emitPodDeletionEvent and emitCancelPodDeletionEvent: about the pod by namespace and name only."""
    meta = pod["metadata"]
    involved = {"kind": "Pod", "name": meta["name"], "namespace": meta["namespace"]}
    return RecordEvent(TAINT_MANAGER_SOURCE, involved, "Normal", "TaintManagerEviction",
                       f"{verb} Pod {meta['namespace']}/{meta['name']}")


@dataclass
class _NodeHealth:
    renew_time: str | None
    probe_timestamp: float


class NodeLifecycleController:
    def __init__(self, clock, grace_period: float = GRACE_PERIOD, monitor_period: float = MONITOR_PERIOD):
        self.clock, self.grace_period, self.monitor_period = clock, grace_period, monitor_period
        self._health: dict[str, _NodeHealth] = {}
        self._last_monitor: float | None = None
        self._zone_states: dict[str, str] = {}
        self._tainters: dict[str, RateLimitedTimedQueue] = {}  # zone → its NoExecute tainter
        self._known_nodes: dict[str, str] = {}  # knownNodeSet: name → UID of each node seen
        self._scheduled_evictions: set[str] = set()  # the taint manager's timed work: pod UIDs

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).monitorNodeHealth")
    @trace.decision
    def sync(self, nodes: list[dict], leases: list[dict], pods: list[dict]) -> list:
        """Actions for one pass: node status and taint updates, then pod evictions. Health is
        judged, and NoExecute taints follow it, at most once per monitor period; the NoSchedule
        taints and the evictions, event-driven upstream, are brought up to date on every pass."""
        now = self.clock.now()
        monitoring = self._last_monitor is None or now >= self._last_monitor + self.monitor_period
        if monitoring:
            self._last_monitor = now
        by_node = {l["metadata"]["name"]: l for l in leases}
        pods_by_node: dict[str, list[dict]] = {}
        for pod in pods:
            pods_by_node.setdefault(pod.get("spec", {}).get("nodeName"), []).append(pod)
        actions: list = self._classify_nodes(nodes) if monitoring else []
        observed: dict[str, str | None] = {}
        zone_ready: dict[str, list[str | None]] = {}
        updated_nodes = []
        for node in nodes:
            # addPodEvictorForNewZone: a zone's tainter starts at the healthy rate.
            self._tainters.setdefault(zone_key(node), RateLimitedTimedQueue(EVICTION_LIMITER_QPS))
            if monitoring:
                # processTaintBaseEviction acts on the Ready status observed *before* this pass
                # updates it: a node marked Unknown now is tainted NoExecute one period later.
                observed[node["metadata"]["name"]] = (condition(node, "Ready") or {}).get("status")
                node = self._update_health(node, by_node.get(node["metadata"]["name"]), now, actions)
                if DISRUPTION_EXCLUSION_LABEL not in (node["metadata"].get("labels") or {}):
                    zone_ready.setdefault(zone_key(node), []).append((condition(node, "Ready") or {}).get("status"))
            updated_nodes.append(node)
        wanted = {}
        for node in updated_nodes:
            name = node["metadata"]["name"]
            wanted[name] = no_schedule_taints(node, (node.get("spec") or {}).get("taints") or [], now)
            if monitoring:
                wanted[name], queued = process_taint_base_eviction(wanted[name], observed[name], now)
                if queued:
                    self._tainters[zone_key(node)].add(name, now)
                else:
                    self._tainters[zone_key(node)].remove(name)
        if monitoring and self._handle_disruption(zone_ready, now):
            for tainter in self._tainters.values():
                tainter.clear()
            wanted = {name: _without_condition_no_execute(taints) for name, taints in wanted.items()}
        by_name = {node["metadata"]["name"]: node for node in updated_nodes}
        for tainter in self._tainters.values():
            for name in tainter.try_release(now):
                if name in by_name:
                    wanted[name] = taint_no_execute(wanted[name], (condition(by_name[name], "Ready") or {}).get("status"), now)
        for node in updated_nodes:
            name = node["metadata"]["name"]
            node = self._set_taints(node, wanted[name], actions)
            if (condition(node, "Ready") or {}).get("status") not in (None, "True"):
                actions += mark_pods_not_ready(pods_by_node.get(name, []), now)
            actions += self._evictions(node, pods_by_node.get(name, []), now)
        self._scheduled_evictions &= {pod["metadata"].get("uid", "") for pod in pods}
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).classifyNodes")
    def _classify_nodes(self, nodes: list[dict]) -> list[RecordEvent]:
        """RegisteredNode for each node not seen before (every node, after a restart) and
        RemovingNode for each one gone since."""
        current = {node["metadata"]["name"]: node["metadata"].get("uid", "") for node in nodes}
        events = [_node_event(name, uid, "RegisteredNode", f"Registered Node {name} in Controller")
                  for name, uid in current.items() if name not in self._known_nodes]
        events += [_node_event(name, uid, "RemovingNode", f"Removing Node {name} from Controller")
                   for name, uid in self._known_nodes.items() if name not in current]
        self._known_nodes = current
        return events

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).handleDisruption")
    def _handle_disruption(self, zone_ready: dict[str, list[str | None]], now: float) -> bool:
        """Track each zone's state and its tainter's rate; True when every zone has just become
        fully disrupted, which upstream takes for a fault of its own rather than of the nodes:
        it stops tainting everywhere and makes every node reachable again."""
        new_states = {zone: compute_zone_state(ready) for zone, ready in zone_ready.items()}
        all_are = all(state == FULL_DISRUPTION for state in new_states.values())
        for zone in new_states:
            self._zone_states.setdefault(zone, INITIAL)
        all_were = True
        for zone, state in list(self._zone_states.items()):
            if zone not in new_states:
                del self._zone_states[zone]
                continue
            if state != FULL_DISRUPTION:
                all_were = False
                break
        if all_are and all_were:
            return False
        if all_are:
            for zone in self._zone_states:
                self._tainters[zone].swap_limiter(0.0, now)
                self._zone_states[zone] = FULL_DISRUPTION
            return True
        if all_were:
            # Leaving that mode: every node's health is judged afresh from now.
            for health in self._health.values():
                health.probe_timestamp = now
        for zone, state in self._zone_states.items():
            if zone in new_states and (all_were or state != new_states[zone]):
                self._tainters[zone].swap_limiter(tainter_qps(new_states[zone], len(zone_ready[zone])), now)
                self._zone_states[zone] = new_states[zone]
        return False

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).tryUpdateNodeHealth")
    def _update_health(self, node: dict, lease: dict | None, now: float, actions: list) -> dict:
        name = node["metadata"]["name"]
        renew = (lease or {}).get("spec", {}).get("renewTime")
        health = self._health.get(name)
        if health is None:
            health = self._health[name] = _NodeHealth(renew, now)
        elif renew != health.renew_time:
            health.renew_time, health.probe_timestamp = renew, now
        if now <= health.probe_timestamp + self.grace_period:
            return node
        ready = condition(node, "Ready")
        if ready is not None and ready.get("status") == "Unknown":
            return node
        updated = copy.deepcopy(node)
        conditions = updated.setdefault("status", {}).setdefault("conditions", [])
        if not any(c.get("type") == "Ready" for c in conditions):
            conditions.append({"type": "Ready"})
        for c in conditions:
            if c["type"] in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
                c.update(status="Unknown", reason="NodeStatusUnknown",
                         message="Kubelet stopped posting node status.",
                         lastTransitionTime=rfc3339(now))
        actions.append(Update("nodes", None, copy.deepcopy(updated), "status"))
        if (ready or {}).get("status") == "True":
            actions.append(_node_status_change(node, "NodeNotReady"))
        return updated

    @staticmethod
    def _set_taints(node: dict, wanted: list[dict], actions: list) -> dict:
        """One update of the node's taints for this pass's changes, if any. Upstream patches
        them; a conditional update here keeps a pass over a stale cache from writing back taints
        the last pass changed (it fails with a conflict and the next pass tries again)."""
        if wanted == ((node.get("spec") or {}).get("taints") or []):
            return node
        updated = copy.deepcopy(node)
        if wanted:
            updated.setdefault("spec", {})["taints"] = wanted
        else:
            # taintutils.DeleteTaint leaves a nil slice, which omitempty drops from the object.
            updated.get("spec", {}).pop("taints", None)
        actions.append(Update("nodes", None, copy.deepcopy(updated)))
        return updated

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle/scheduler.NoExecuteTaintManager).processPodOnNode",
             "k8s.io/kubernetes/pkg/controller/nodelifecycle/scheduler.getMinTolerationTime")
    def _evictions(self, node: dict, pods: list[dict], now: float) -> list:
        """The deletes of the pods whose toleration of the node's NoExecute taints has run out,
        each after "Marking for deletion"; a pod that was waiting for its toleration to run out
        and now tolerates the taints forever, or finds them gone, gets "Cancelling deletion"."""
        taints = [t for t in node.get("spec", {}).get("taints") or [] if t["effect"] == "NoExecute"]
        actions: list = []
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            uid = pod["metadata"].get("uid", "")
            deadline = _eviction_deadline(pod, taints, now)
            if deadline is None:
                if uid in self._scheduled_evictions:
                    self._scheduled_evictions.discard(uid)
                    actions.append(_taint_manager_event(pod, "Cancelling deletion of"))
            elif now < deadline:
                self._scheduled_evictions.add(uid)
            else:
                self._scheduled_evictions.discard(uid)
                actions += [_taint_manager_event(pod, "Marking for deletion"),
                            Delete("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])]
        return actions


def _eviction_deadline(pod: dict, taints: list[dict], now: float) -> float | None:
    """When the pod's tolerations of the NoExecute `taints` run out; None: never."""
    deadline: float | None = None
    for taint in taints:
        matching = [t for t in pod.get("spec", {}).get("tolerations") or [] if toleration_tolerates(t, taint)]
        added = parse_rfc3339(taint["timeAdded"]) if taint.get("timeAdded") else now
        if not matching:
            deadline = added if deadline is None else min(deadline, added)
            continue
        seconds = [t["tolerationSeconds"] for t in matching if t.get("tolerationSeconds") is not None]
        if len(seconds) == len(matching):
            until = added + max(0, min(seconds))
            deadline = until if deadline is None else min(deadline, until)
    return deadline
