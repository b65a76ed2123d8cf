"""NodeResourcesFit (requests must fit; LeastAllocated/MostAllocated scoring) and BalancedAllocation."""
from __future__ import annotations

from operator import attrgetter

from reference_impl.mirrors import mirrors
from reference_impl.scheduler import queue as q
from reference_impl.scheduler.errors import ConfigError
from reference_impl.scheduler.framework import Plugin
from reference_impl.scheduler.plugins.helper import filter_one
from reference_impl.scheduler.types import (
    MAX_NODE_SCORE, SKIP, SUCCESS, CycleState, NodeInfo, Resource, Status, Code, pod_non_zero_requests, pod_requests,
)

DEFAULT_RESOURCES = (("cpu", 1), ("memory", 1))


def _resource_weights(args: dict) -> tuple[tuple[str, int], ...]:
    spec = (args.get("scoringStrategy") or {}).get("resources") or args.get("resources")
    if not spec:
        return DEFAULT_RESOURCES
    return tuple((r["name"], int(r.get("weight") or 1)) for r in spec)


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources.leastResourceScorer")
def least_resource_scorer(requested: dict[str, int], allocatable: dict[str, int], weights) -> int:
    """Weighted mean over resources of (allocatable - requested) * 100 / allocatable."""
    node_score = weight_sum = 0
    for name, weight in weights:
        if name not in allocatable:
            continue
        capacity, req = allocatable[name], requested[name]
        score = 0 if capacity == 0 or req > capacity else (capacity - req) * MAX_NODE_SCORE // capacity
        node_score += score * weight
        weight_sum += weight
    return node_score // weight_sum if weight_sum else 0


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources.mostResourceScorer")
def most_resource_scorer(requested: dict[str, int], allocatable: dict[str, int], weights) -> int:
    """Weighted mean over resources of requested * 100 / allocatable (capped at 100)."""
    node_score = weight_sum = 0
    for name, weight in weights:
        if name not in allocatable:
            continue
        capacity, req = allocatable[name], requested[name]
        score = 0 if capacity == 0 else min(req, capacity) * MAX_NODE_SCORE // capacity
        node_score += score * weight
        weight_sum += weight
    return node_score // weight_sum if weight_sum else 0


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources.balancedResourceScorer")
def balanced_resource_scorer(requested: dict[str, int], allocatable: dict[str, int]) -> int:
    """(1 - standard deviation of the requested fractions) * 100; fractions are capped at 1."""
    fractions = [min(requested[name] / allocatable[name], 1.0) for name in requested]
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:
        mean = sum(fractions) / len(fractions)
        std = (sum((f - mean) ** 2 for f in fractions) / len(fractions)) ** 0.5
    else:
        std = 0.0
    return int((1 - std) * MAX_NODE_SCORE)


def _allocatable(node_info: NodeInfo, name: str) -> int:
    a = node_info.allocatable
    if name == "cpu":
        return a.milli_cpu
    if name == "memory":
        return a.memory
    if name == "ephemeral-storage":
        return a.ephemeral_storage
    return a.scalar.get(name, 0)


def _amount(r: Resource, name: str) -> int:
    if name == "cpu":
        return r.milli_cpu
    if name == "memory":
        return r.memory
    if name == "ephemeral-storage":
        return r.ephemeral_storage
    return r.scalar.get(name, 0)


def least_allocated_cpu_memory(numbers: tuple[int, ...], cpu: int, mem: int) -> int:
    """leastResourceScorer over cpu and memory (weights 1) of a node's `NodeInfo.cpu_memory`, for a
    pod's non-zero requests, without building dicts: same arithmetic."""
    capacity_cpu, capacity_mem, _, _, non_zero_cpu, non_zero_mem = numbers
    total = n = 0
    if capacity_cpu:
        n = 1
        if non_zero_cpu + cpu <= capacity_cpu:
            total = (capacity_cpu - non_zero_cpu - cpu) * MAX_NODE_SCORE // capacity_cpu
    if capacity_mem:
        n += 1
        if non_zero_mem + mem <= capacity_mem:
            total += (capacity_mem - non_zero_mem - mem) * MAX_NODE_SCORE // capacity_mem
    return total // n if n else 0


def balanced_cpu_memory(numbers: tuple[int, ...], request_cpu: int, request_mem: int) -> int:
    """balancedResourceScorer over cpu and memory of a node's `NodeInfo.cpu_memory`, for a pod's
    requests (a resource the node has none of left out), with min and abs written out: same floats."""
    capacity_cpu, capacity_mem, used_cpu, used_mem, _, _ = numbers
    if capacity_cpu and capacity_mem:
        cpu = (used_cpu + request_cpu) / capacity_cpu
        mem = (used_mem + request_mem) / capacity_mem
        half_diff = ((cpu if cpu < 1.0 else 1.0) - (mem if mem < 1.0 else 1.0)) / 2
        return int((1 - (half_diff if half_diff >= 0 else -half_diff)) * MAX_NODE_SCORE)
    return MAX_NODE_SCORE  # one fraction or none: no spread between resources


_CPU_MEMORY_KEY = attrgetter("cpu_memory_key")


class ScoresByNumbers:
    """A score plugin's scores of nodes for one pod request, by the node's `NodeInfo.cpu_memory`.

    With the default cpu and memory weights, Fit's and BalancedAllocation's scores are functions of
    those six numbers and the pod's requests alone. Between two cycles only the nodes a pod was
    added to or removed from change their numbers, and pods of one workload ask for the same, so
    most nodes are looked up (in C) instead of scored again; the others are scored and kept.
    """

    # Scores remembered over all requests; past it all are forgotten. Each costs ~120 bytes (its
    # key's text and the dict's entry), so this holds ~8 MB; a cycle adds one per node whose
    # numbers changed since the request's last cycle.
    MAX_SCORES = 1 << 16

    def __init__(self) -> None:
        self._tables: dict[tuple, dict[str, int]] = {}  # request -> NodeInfo.cpu_memory_key -> score
        self._kept = 0  # scores in all tables

    def scores(self, request: tuple, nodes: list[NodeInfo], score_of) -> list[int]:
        """Each node's score for `request`; `score_of(numbers)` scores numbers not seen with it."""
        if self._kept + len(nodes) > self.MAX_SCORES:
            self._tables.clear()
            self._kept = 0
        table = self._tables.get(request)
        if table is None:
            table = self._tables[request] = {}
        keys = list(map(_CPU_MEMORY_KEY, nodes))
        scores = list(map(table.get, keys))
        i = -1
        try:
            while True:
                i = scores.index(None, i + 1)
                scores[i] = table[keys[i]] = score_of(nodes[i].cpu_memory)
                self._kept += 1
        except ValueError:  # no node left unscored
            pass
        return scores


class Fit(Plugin):
    name = "NodeResourcesFit"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        strategy = (self.args.get("scoringStrategy") or {}).get("type", "LeastAllocated")
        if strategy not in ("LeastAllocated", "MostAllocated"):
            raise ConfigError(f"NodeResourcesFit: unsupported scoringStrategy {strategy!r}")
        self.scorer = least_resource_scorer if strategy == "LeastAllocated" else most_resource_scorer
        self.weights = _resource_weights(self.args)
        self._memo = ScoresByNumbers()

    def events_to_register(self):
        return {q.ASSIGNED_POD_DELETE, q.NODE_ADD, q.NODE_UPDATE}

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources.Fit).PreFilter")
    def pre_filter(self, state: CycleState, pod: dict):
        """The pod's requests, for Filter and Score; Skip when the cache's floor under every node's
        room (`LeastRoom`) shows the pod fits on each node, so Filter would reject none."""
        request = state["NodeResourcesFit"] = pod_requests(pod)
        snapshot = self.handle.snapshot if self.handle is not None else None
        if (snapshot is not None and not request.scalar
                and snapshot.least_room.fits_everywhere(request.milli_cpu, request.memory, request.ephemeral_storage)):
            return SKIP
        return SUCCESS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources.Fit).Filter")
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo):
        return filter_one(self, state, pod, node_info)

    def filter_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        """`filter` over `nodes`: the rejected ones with their status."""
        request = state.get("NodeResourcesFit") or pod_requests(pod)
        cpu, memory, storage = request.milli_cpu, request.memory, request.ephemeral_storage
        quick = not request.scalar
        rejected = []
        for node_info in nodes:
            alloc, used = node_info.allocatable, node_info.requested
            if (quick and cpu <= alloc.milli_cpu - used.milli_cpu and memory <= alloc.memory - used.memory
                    and len(node_info.pods) < alloc.allowed_pod_number
                    and storage <= alloc.ephemeral_storage - used.ephemeral_storage):
                continue  # room for every resource: what fitsRequest finds, without listing reasons
            reasons = fits_request(request, node_info)
            if reasons:
                rejected.append((node_info, Status(Code.UNSCHEDULABLE, tuple(reasons))))
        return rejected

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources.Fit).Score")
    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """Scored on non-zero requests: a container asking for nothing counts as 100m cpu / 200Mi."""
        return self.score_nodes(state, pod, [node_info])[0]

    def score_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> list[int]:
        """`score` of each node, the loop inside the plugin (upstream spreads it over goroutines)."""
        cached = state.get("NodeResourcesFit/nonzero")
        if cached is None:
            cached = state["NodeResourcesFit/nonzero"] = pod_non_zero_requests(pod)
        cpu, mem = cached
        if self.weights is not DEFAULT_RESOURCES or self.scorer is not least_resource_scorer:
            return [self._score_weighted(state, node_info, cpu, mem) for node_info in nodes]
        return self._memo.scores((cpu, mem), nodes, lambda numbers: least_allocated_cpu_memory(numbers, cpu, mem))

    def _score_weighted(self, state: CycleState, node_info: NodeInfo, cpu: int, mem: int) -> int:
        requested, allocatable = {}, {}
        for name, _ in self.weights:
            alloc = _allocatable(node_info, name)
            if alloc == 0:
                continue
            allocatable[name] = alloc
            if name == "cpu":
                requested[name] = node_info.non_zero_cpu + cpu
            elif name == "memory":
                requested[name] = node_info.non_zero_mem + mem
            else:
                requested[name] = _amount(node_info.requested, name) + _amount(state["NodeResourcesFit"], name)
        return self.scorer(requested, allocatable, self.weights)


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources.fitsRequest")
def fits_request(request: Resource, node_info: NodeInfo) -> list[str]:
    """Every resource the node lacks, in upstream's order: pods, cpu, memory, ephemeral-storage, extended."""
    reasons = []
    alloc, used = node_info.allocatable, node_info.requested
    if len(node_info.pods) + 1 > alloc.allowed_pod_number:
        reasons.append("Too many pods")
    if request.milli_cpu == 0 and request.memory == 0 and request.ephemeral_storage == 0 and not request.scalar:
        return reasons
    if request.milli_cpu > 0 and request.milli_cpu > alloc.milli_cpu - used.milli_cpu:
        reasons.append("Insufficient cpu")
    if request.memory > 0 and request.memory > alloc.memory - used.memory:
        reasons.append("Insufficient memory")
    if request.ephemeral_storage > 0 and request.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage:
        reasons.append("Insufficient ephemeral-storage")
    for name in sorted(request.scalar):
        amount = request.scalar[name]
        if amount > 0 and amount > alloc.scalar.get(name, 0) - used.scalar.get(name, 0):
            reasons.append(f"Insufficient {name}")
    return reasons


class BalancedAllocation(Plugin):
    name = "NodeResourcesBalancedAllocation"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        self.weights = _resource_weights(self.args)
        self._memo = ScoresByNumbers()

    def events_to_register(self):
        return {q.ASSIGNED_POD_DELETE, q.NODE_ADD, q.NODE_UPDATE}

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources.BalancedAllocation).Score")
    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """Favors nodes whose cpu and memory fractions stay close after placing the pod (actual requests)."""
        return self.score_nodes(state, pod, [node_info])[0]

    def score_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> list[int]:
        """`score` of each node, the loop inside the plugin."""
        request = state.get("NodeResourcesFit") or pod_requests(pod)
        default = self.weights is DEFAULT_RESOURCES
        request_cpu, request_mem = request.milli_cpu, request.memory
        if default:
            return self._memo.scores((request_cpu, request_mem), nodes,
                                     lambda numbers: balanced_cpu_memory(numbers, request_cpu, request_mem))
        scores = []
        for node_info in nodes:
            requested, allocatable = {}, {}
            for name, _ in self.weights:
                capacity = _allocatable(node_info, name)
                if capacity:
                    allocatable[name] = capacity
                    requested[name] = _amount(node_info.requested, name) + _amount(request, name)
            scores.append(balanced_resource_scorer(requested, allocatable))
        return scores
