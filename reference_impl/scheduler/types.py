"""The scheduler's data: statuses, resources, NodeInfo, queued pods and the actions a cycle emits.

Mirrors `pkg/scheduler/framework/types.go` and `interface.go`. Pods and nodes stay plain JSON
dicts as the apiserver returns them; NodeInfo caches what filters need (requested resources,
used host ports) so a filter is a few dict look-ups; pod counts per topology domain, which
upstream reads off NodeInfo's pod lists, live in the cache (`podcounts`).
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from reference_impl.mirrors import mirrors

MAX_NODE_SCORE = 100
MIN_NODE_SCORE = 0
# Scoring uses these for containers that request nothing, so empty pods still spread out.

DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024


class Code(IntEnum):
    SUCCESS = 0
    ERROR = 1
    UNSCHEDULABLE = 2
    UNSCHEDULABLE_AND_UNRESOLVABLE = 3
    WAIT = 4
    SKIP = 5


@dataclass
class Status:
    """A plugin's verdict; `reasons` are the human strings that end up in the FitError message."""

    code: Code = Code.SUCCESS
    reasons: tuple[str, ...] = ()
    failed_plugin: str = ""

    @property
    def ok(self) -> bool:
        return self.code == Code.SUCCESS

    def message(self) -> str:
        return ", ".join(self.reasons)


SUCCESS = Status()
# "Nothing to do for this pod": from PreFilter, its Filter passes every node; from PreScore, its
# Score would be the same on every node.
SKIP = Status(Code.SKIP)


def unschedulable(*reasons: str, unresolvable: bool = False) -> Status:
    return Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE if unresolvable else Code.UNSCHEDULABLE, reasons)


# ---- quantities and resources ------------------------------------------------------------------

_SUFFIX = {
    "": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}
MAX_INT64 = 2**63 - 1
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(m|[kMGTPE]i?|)$")


def parse_quantity(value: Any, milli: bool = False) -> int:
    """A resource.Quantity as an int: milli-units when `milli` (cpu), else whole units rounded up.
    A quantity may have any exponent ("1e400"); beyond int64 it saturates at MAX_INT64."""
    if isinstance(value, (int, float)):
        return _saturated(float(value) * 1000 if milli else float(value), milli)
    if isinstance(value, str):
        return _parse_text(value, milli)
    try:
        return _parse_text.__wrapped__(str(value), milli)
    except ValueError:
        raise ValueError(f"invalid quantity {value!r}") from None


@functools.lru_cache(maxsize=4096)  # a pod's requests are read in PreFilter, Score and on every assume and add
def _parse_text(value: str, milli: bool) -> int:
    m = _QUANTITY.match(value.strip())
    if not m:
        raise ValueError(f"invalid quantity {value!r}")
    number, suffix = float(m.group(1)), m.group(2)
    if suffix == "m":
        return _saturated(number if milli else number / 1000, milli)
    scaled = number * _SUFFIX[suffix]
    return _saturated(scaled * 1000 if milli else scaled, milli)


def _saturated(number: float, milli: bool) -> int:
    """Milli-units rounded, whole units rounded up, clamped to int64 (the float may be inf)."""
    if not math.isfinite(number) or abs(number) >= MAX_INT64:
        return MAX_INT64 if number > 0 else -MAX_INT64
    return int(round(number)) if milli else int(-(-number // 1))


@dataclass(slots=True)  # slots: Fit and BalancedAllocation read these fields for every node of every cycle
class Resource:
    """framework.Resource: cpu in milli-cores, memory and ephemeral storage in bytes, extended as ints."""

    milli_cpu: int = 0
    memory: int = 0
    ephemeral_storage: int = 0
    allowed_pod_number: int = 0
    scalar: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_list(cls, resources: dict[str, Any] | None) -> "Resource":
        r = cls()
        for name, quantity in (resources or {}).items():
            r.add_one(name, quantity)
        return r

    def add_one(self, name: str, quantity: Any) -> None:
        if name == "cpu":
            self.milli_cpu += parse_quantity(quantity, milli=True)
        elif name == "memory":
            self.memory += parse_quantity(quantity)
        elif name == "ephemeral-storage":
            self.ephemeral_storage += parse_quantity(quantity)
        elif name == "pods":
            self.allowed_pod_number += parse_quantity(quantity)
        else:
            self.scalar[name] = self.scalar.get(name, 0) + parse_quantity(quantity)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework.Resource).Add")
    def add(self, other: "Resource", sign: int = 1) -> None:
        self.milli_cpu += sign * other.milli_cpu
        self.memory += sign * other.memory
        self.ephemeral_storage += sign * other.ephemeral_storage
        for name, value in other.scalar.items():
            self.scalar[name] = self.scalar.get(name, 0) + sign * value

    def set_max(self, other: "Resource") -> None:
        self.milli_cpu = max(self.milli_cpu, other.milli_cpu)
        self.memory = max(self.memory, other.memory)
        self.ephemeral_storage = max(self.ephemeral_storage, other.ephemeral_storage)
        for name, value in other.scalar.items():
            self.scalar[name] = max(self.scalar.get(name, 0), value)


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources.computePodResourceRequest")
def pod_requests(pod: dict) -> Resource:
    """Sum of container requests, raised to each init container's, plus the pod overhead."""
    spec = pod.get("spec") or {}
    total = Resource()
    for c in spec.get("containers") or ():
        total.add(Resource.from_list((c.get("resources") or {}).get("requests")))
    for c in spec.get("initContainers") or ():
        total.set_max(Resource.from_list((c.get("resources") or {}).get("requests")))
    if spec.get("overhead"):
        total.add(Resource.from_list(spec["overhead"]))
    return total


def pod_non_zero_requests(pod: dict) -> tuple[int, int]:
    """(milli_cpu, memory) with upstream's non-zero defaults for containers that request nothing."""
    cpu = mem = 0
    for c in (pod.get("spec") or {}).get("containers") or ():
        requests = (c.get("resources") or {}).get("requests") or {}
        cpu += parse_quantity(requests["cpu"], milli=True) if "cpu" in requests else DEFAULT_MILLI_CPU_REQUEST
        mem += parse_quantity(requests["memory"]) if "memory" in requests else DEFAULT_MEMORY_REQUEST
    return cpu, mem


def pod_host_ports(pod: dict) -> list[tuple[str, str, int]]:
    """(hostIP, protocol, hostPort) for every container port that asks for a host port."""
    out = []
    for c in (pod.get("spec") or {}).get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("hostPort"):
                out.append((p.get("hostIP") or "0.0.0.0", p.get("protocol") or "TCP", int(p["hostPort"])))
    return out


@mirrors("k8s.io/component-helpers/scheduling/corev1.PodPriority")
def pod_priority(pod: dict) -> int:
    """spec.priority, 0 when unset (the Priority admission plugin sets it on create)."""
    return (pod.get("spec") or {}).get("priority") or 0


def pod_key(pod: dict) -> str:
    meta = pod["metadata"]
    return f"{meta.get('namespace', 'default')}/{meta['name']}"


def has_pod_affinity(pod: dict) -> bool:
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    return bool(affinity.get("podAffinity") or affinity.get("podAntiAffinity"))


# ---- NodeInfo ----------------------------------------------------------------------------------


class NodeInfo:
    """A node plus the pods on it and the totals the filters read, kept up to date incrementally."""

    __slots__ = ("node", "name", "labels", "unschedulable", "taints", "pods", "requested", "non_zero_cpu",
                 "non_zero_mem", "allocatable", "used_ports", "generation", "cpu_memory", "cpu_memory_key")

    @mirrors("k8s.io/kubernetes/pkg/scheduler/framework.NewNodeInfo")
    def __init__(self, node: dict | None = None) -> None:
        self.pods: dict[str, dict] = {}
        self.requested = Resource()
        self.non_zero_cpu = 0
        self.non_zero_mem = 0
        self.used_ports: dict[tuple[str, str, int], int] = {}
        self.generation = 0
        self.name = ""
        self.set_node(node)

    def set_node(self, node: dict | None) -> None:
        self.node = node
        if node:  # a deleted node's NodeInfo keeps its name while its pods are still bound there
            self.name = node["metadata"]["name"]
        self.labels = (node["metadata"].get("labels") or {}) if node else {}
        self.allocatable = Resource.from_list(((node or {}).get("status") or {}).get("allocatable"))
        # Read for every node of every cycle by NodeUnschedulable and TaintToleration: taken out once.
        spec = (node or {}).get("spec") or {}
        self.unschedulable = bool(spec.get("unschedulable"))
        self.taints = spec.get("taints") or ()
        self.generation += 1
        self._sum_cpu_memory()

    def _sum_cpu_memory(self) -> None:
        # The six numbers NodeResourcesFit's and BalancedAllocation's scores read for every node
        # of every cycle, in one tuple: one attribute load a node instead of six through two objects.
        alloc, used = self.allocatable, self.requested
        self.cpu_memory = (alloc.milli_cpu, alloc.memory, used.milli_cpu, used.memory, self.non_zero_cpu,
                           self.non_zero_mem)
        # The same as a str, whose hash Python keeps: a key looked up for every node of a cycle.
        self.cpu_memory_key = "%d %d %d %d %d %d" % self.cpu_memory

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework.NodeInfo).AddPod")
    def add_pod(self, pod: dict) -> None:
        self._account(pod, +1)

    def update_pod_in_place(self, pod: dict) -> bool:
        """Swap in a newer state of a pod already here when nothing the totals or the plugins' pod
        counts read has changed (its spec, namespace, labels, whether it is terminating). Upstream
        removes and re-adds it; here that would also recount it in the cache's pod counts
        (`podcounts`) on every bind confirmation and kubelet status update. False when it cannot."""
        key = pod_key(pod)
        current = self.pods.get(key)
        if current is None or not _same_for_scheduling(current, pod):
            return False
        self.pods[key] = pod
        return True

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework.NodeInfo).RemovePod")
    def remove_pod(self, pod: dict) -> None:
        if pod_key(pod) in self.pods:
            self._account(self.pods[pod_key(pod)], -1)

    def _account(self, pod: dict, sign: int) -> None:
        key = pod_key(pod)
        if sign > 0:
            self.pods[key] = pod
        else:
            self.pods.pop(key, None)
        self.requested.add(pod_requests(pod), sign)
        cpu, mem = pod_non_zero_requests(pod)
        self.non_zero_cpu += sign * cpu
        self.non_zero_mem += sign * mem
        for port in pod_host_ports(pod):
            count = self.used_ports.get(port, 0) + sign
            if count > 0:
                self.used_ports[port] = count
            else:
                self.used_ports.pop(port, None)
        self.generation += 1
        self._sum_cpu_memory()


def _same_for_scheduling(old: dict, new: dict) -> bool:
    o, n = old["metadata"], new["metadata"]
    return (o.get("namespace") == n.get("namespace") and o.get("labels") == n.get("labels")
            and bool(o.get("deletionTimestamp")) == bool(n.get("deletionTimestamp"))
            and old.get("spec") == new.get("spec"))


# ---- queue entries, cycle state, actions -------------------------------------------------------


@dataclass
class QueuedPodInfo:
    """A pod waiting in the scheduling queue, with its attempt count and timestamps (seconds)."""

    pod: dict
    timestamp: float
    initial_attempt_timestamp: float
    attempts: int = 0
    unschedulable_plugins: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return pod_key(self.pod)


class CycleState(dict):
    """Per-cycle scratch space plugins write in PreFilter/PreScore and read in Filter/Score."""


@dataclass(frozen=True)
class PatchPodStatus:
    """Set a pod condition (PodScheduled=False, reason Unschedulable) through the status subresource."""

    namespace: str
    pod: str
    condition: dict
    # Set with the condition when a preemption nominated the pod to this node (updatePod).
    nominated_node_name: str = ""


@dataclass(frozen=True)
class ClearNominatedNodeName:
    """Clear a pod's status.nominatedNodeName (util.ClearNominatedNodeName)."""

    namespace: str
    pod: str


@dataclass(frozen=True)
class RejectWaitingPod:
    """Reject a preemption's victim that waits on Permit (waitingPod.Reject) instead of deleting
    it; done in turn with the victims' deletions, so that a deletion failing before it leaves the
    pod waiting."""

    namespace: str
    pod: str
    message: str

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.pod}"
