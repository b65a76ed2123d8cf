"""The node lifecycle controller: a node whose kubelet stops renewing its Lease (in
kube-node-lease) for longer than the grace period gets Ready=Unknown and the
`node.kubernetes.io/unreachable:NoExecute` taint; the taint manager then evicts its pods once
their toleration for that taint runs out (at once for pods that do not tolerate it).

Like upstream, a lease is judged by when *this controller* saw its renewTime change, on its own
clock, so skew between kubelet and controller clocks does not matter.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from reference_impl.machinery.actions import Delete, Update
from reference_impl.machinery.objects import condition
from reference_impl.machinery.scheduling import toleration_tolerates
from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors
from reference_impl.machinery.timefmt import rfc3339

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
GRACE_PERIOD = 40.0


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@dataclass
class _NodeHealth:
    renew_time: str | None
    probe_timestamp: float


class NodeLifecycleController:
    def __init__(self, clock, grace_period: float = GRACE_PERIOD):
        self.clock, self.grace_period = clock, grace_period
        self._health: dict[str, _NodeHealth] = {}

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).monitorNodeHealth")
    @trace.decision
    def sync(self, nodes: list[dict], leases: list[dict], pods: list[dict]) -> list:
        """Actions for one pass: node status and taint updates, then pod evictions."""
        now = self.clock.now()
        by_node = {l["metadata"]["name"]: l for l in leases}
        pods_by_node: dict[str, list[dict]] = {}
        for pod in pods:
            pods_by_node.setdefault(pod.get("spec", {}).get("nodeName"), []).append(pod)
        actions: list = []
        for node in nodes:
            name = node["metadata"]["name"]
            node = self._update_health(node, by_node.get(name), now, actions)
            node = self._reconcile_taints(node, now, actions)
            actions += self._evictions(node, pods_by_node.get(name, []), now)
        return actions

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
        return updated

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle.Controller).doNoExecuteTaintingPass")
    def _reconcile_taints(self, node: dict, now: float, actions: list) -> dict:
        ready = (condition(node, "Ready") or {}).get("status")
        want = {"Unknown": UNREACHABLE, "False": NOT_READY}.get(ready)
        taints = node.get("spec", {}).get("taints") or []
        ours = [t for t in taints if t["key"] in (UNREACHABLE, NOT_READY) and t["effect"] == "NoExecute"]
        if [t["key"] for t in ours] == ([want] if want else []):
            return node
        kept = [t for t in taints if t not in ours]
        if want:
            kept.append({"key": want, "effect": "NoExecute", "timeAdded": rfc3339(now)})
        updated = copy.deepcopy(node)
        updated.setdefault("spec", {})["taints"] = kept
        actions.append(Update("nodes", None, copy.deepcopy(updated)))
        return updated

    @mirrors("(*k8s.io/kubernetes/pkg/controller/nodelifecycle/scheduler.NoExecuteTaintManager).processPodOnNode",
             "k8s.io/kubernetes/pkg/controller/nodelifecycle/scheduler.getMinTolerationTime")
    def _evictions(self, node: dict, pods: list[dict], now: float) -> list:
        taints = [t for t in node.get("spec", {}).get("taints") or [] if t["effect"] == "NoExecute"]
        if not taints:
            return []
        evictions = []
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            deadline: float | None = None  # None: tolerated forever
            for taint in taints:
                matching = [t for t in pod.get("spec", {}).get("tolerations") or [] if toleration_tolerates(t, taint)]
                added = parse_time(taint["timeAdded"]) if taint.get("timeAdded") else now
                if not matching:
                    deadline = added if deadline is None else min(deadline, added)
                    continue
                seconds = [t["tolerationSeconds"] for t in matching if t.get("tolerationSeconds") is not None]
                if len(seconds) == len(matching):
                    until = added + max(0, min(seconds))
                    deadline = until if deadline is None else min(deadline, until)
            if deadline is not None and now >= deadline:
                evictions.append(Delete("pods", pod["metadata"]["namespace"], pod["metadata"]["name"]))
        return evictions
