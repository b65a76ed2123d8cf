"""The scheduler cache: nodes with the pods bound or assumed onto them, and the per-cycle snapshot.

Mirrors `pkg/scheduler/internal/cache` (1.24, `schedulerCache`). An assumed pod counts against
its node as soon as the scheduling cycle picks it, before the Bind lands, so the next cycle does
not overcommit; a bound pod arriving from the informer confirms it, `forget_pod` undoes it.
Nodes are listed in the order they were added (upstream interleaves zones; see the module notes
in `__init__`).
"""
from __future__ import annotations

from reference_impl.mirrors import mirrors
from reference_impl.scheduler.errors import SchedulerError
from reference_impl.scheduler.podcounts import PodCounts
from reference_impl.scheduler.types import NodeInfo, pod_key


class LeastRoom:
    """A floor under every listed node's room: the cpu, memory, ephemeral storage and pod slots
    (allocatable less requested) no node has less of, so NodeResourcesFit's PreFilter can tell
    that a pod fits everywhere without a look at each node.

    A pod added to a node lowers the floor to that node's room at once; a pod removed or a node
    changed leaves it a floor, maybe below the true least, and marks it loose: it is counted
    again over all nodes only when a request does not fit under it.
    """

    def __init__(self, nodes: dict[str, NodeInfo]) -> None:
        self._nodes = nodes  # the cache's NodeInfos by name; those without a Node object are not listed
        self._floor: tuple[int, int, int, int] | None = None  # None: not counted yet
        self._loose = False

    def lowered(self, info: NodeInfo) -> None:
        """`info` has less room now (a pod added) or new allocatable (its Node changed)."""
        if self._floor is not None and info.node is not None:
            self._floor = tuple(map(min, self._floor, _room(info)))

    def loosened(self) -> None:
        """Some node has more room now (a pod or a node removed, a Node changed)."""
        self._loose = True

    def fits_everywhere(self, milli_cpu: int, memory: int, ephemeral_storage: int) -> bool:
        """Whether every listed node has room for one more pod with these requests (what
        NodeResourcesFit's Filter finds node by node when the pod asks for no extended resource)."""
        if self._floor is None or (self._loose and not self._under(milli_cpu, memory, ephemeral_storage)):
            rooms = [_room(info) for info in self._nodes.values() if info.node is not None]
            self._floor = tuple(map(min, *rooms)) if len(rooms) > 1 else rooms[0] if rooms else None
            self._loose = False
            if self._floor is None:  # no nodes: none lacks room
                return True
        return self._under(milli_cpu, memory, ephemeral_storage)

    def _under(self, milli_cpu: int, memory: int, ephemeral_storage: int) -> bool:
        cpu_room, memory_room, storage_room, pod_slots = self._floor
        return (milli_cpu <= cpu_room and memory <= memory_room and ephemeral_storage <= storage_room
                and pod_slots >= 1)


def _room(info: NodeInfo) -> tuple[int, int, int, int]:
    alloc, used = info.allocatable, info.requested
    return (alloc.milli_cpu - used.milli_cpu, alloc.memory - used.memory,
            alloc.ephemeral_storage - used.ephemeral_storage, alloc.allowed_pod_number - len(info.pods))


class Snapshot:
    """The node list one cycle sees, the cache's pod counts and its floor under the nodes' room;
    plugins read it through `framework.snapshot`."""

    def __init__(self, node_infos: list[NodeInfo], pod_counts: PodCounts, least_room: LeastRoom) -> None:
        self.node_info_list = node_infos
        self.pod_counts = pod_counts
        self.least_room = least_room

    def __len__(self) -> int:
        return len(self.node_info_list)


class Cache:
    def __init__(self) -> None:
        self.nodes: dict[str, NodeInfo] = {}
        self.pod_node: dict[str, str] = {}  # pod key -> node name, for bound and assumed pods
        self.assumed: set[str] = set()
        self._list: list[NodeInfo] | None = None
        self.pod_counts = PodCounts(self.nodes)
        self.least_room = LeastRoom(self.nodes)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/cache.schedulerCache).AddNode")
    def add_node(self, node: dict) -> NodeInfo:
        name = node["metadata"]["name"]
        # A pod can be added before its node (informers are not ordered): its NodeInfo is kept.
        info = self.nodes.get(name)
        if info is None:
            info = self.nodes[name] = NodeInfo()
        if info.node is None:
            self._list = None
        self._set_node(info, node)
        return info

    def _set_node(self, info: NodeInfo, node: dict | None) -> None:
        old_labels = info.labels
        info.set_node(node)
        self.pod_counts.labels_changed(info, old_labels)
        self.least_room.lowered(info)
        self.least_room.loosened()

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/cache.schedulerCache).UpdateNode")
    def update_node(self, node: dict) -> NodeInfo:
        return self.add_node(node)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/cache.schedulerCache).RemoveNode")
    def remove_node(self, node: dict) -> None:
        info = self.nodes.get(node["metadata"]["name"])
        if info is None:
            return
        self._set_node(info, None)
        if not info.pods:  # else pods are still bound there until their deletes arrive
            del self.nodes[info.name]
        self._list = None

    def _info_for(self, node_name: str) -> NodeInfo:
        info = self.nodes.get(node_name)
        if info is None:
            info = self.nodes[node_name] = NodeInfo(None)
            info.name = node_name
        return info

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/cache.schedulerCache).AssumePod")
    def assume_pod(self, pod: dict) -> None:
        key = pod_key(pod)
        if key in self.pod_node:
            raise SchedulerError(f"pod {key} is in the cache, so can't be assumed")
        self._add(pod["spec"]["nodeName"], pod)
        self.assumed.add(key)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/cache.schedulerCache).ForgetPod")
    def forget_pod(self, pod: dict) -> None:
        key = pod_key(pod)
        if key in self.assumed:
            self._remove(key)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/cache.schedulerCache).FinishBinding")
    def finish_binding(self, pod: dict) -> None:
        """Upstream starts the assumed pod's TTL here; this cache keeps assumed pods until confirmed."""

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/cache.schedulerCache).AddPod")
    def add_pod(self, pod: dict) -> None:
        """A bound pod from the informer: confirms an assumed pod, moving it if it landed elsewhere."""
        key = pod_key(pod)
        node_name = pod["spec"]["nodeName"]
        if self.pod_node.get(key) == node_name and self.nodes[node_name].update_pod_in_place(pod):
            self.assumed.discard(key)  # confirmed where it was assumed, or a status update
            return
        if key in self.pod_node:
            self._remove(key)
        self._add(node_name, pod)

    def update_pod(self, pod: dict) -> None:
        self.add_pod(pod)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/cache.schedulerCache).RemovePod")
    def remove_pod(self, pod: dict) -> None:
        key = pod_key(pod)
        if key in self.pod_node:
            self._remove(key)

    def _add(self, node_name: str, pod: dict) -> None:
        info = self._info_for(node_name)
        info.add_pod(pod)
        self.pod_counts.add_pod(info, pod)
        self.least_room.lowered(info)
        self.pod_node[pod_key(pod)] = node_name

    def _remove(self, key: str) -> None:
        node_name = self.pod_node.pop(key)
        self.assumed.discard(key)
        info = self.nodes.get(node_name)
        if info is None:
            return
        pod = info.pods.get(key)
        if pod is not None:
            info.remove_pod(pod)
            self.pod_counts.remove_pod(info, pod)
            self.least_room.loosened()
        if info.node is None and not info.pods:
            del self.nodes[node_name]
            self._list = None

    def trial_remove(self, info: NodeInfo, pod: dict) -> None:
        """Take `pod` off `info` for a what-if (preemption's dry run) and no longer: the pod stays
        the cache's (`pod_node`, assumed), and `trial_add` puts it back. Upstream runs its what-ifs
        on a clone of the NodeInfo; here the plugins read the cache's pod counts, so the what-if is
        made in place, between two calls of one scheduling cycle, and undone before it ends."""
        info.remove_pod(pod)
        self.pod_counts.remove_pod(info, pod)
        self.least_room.loosened()

    def trial_add(self, info: NodeInfo, pod: dict) -> None:
        """Put `pod` on `info` for a what-if, or back after `trial_remove` (see there)."""
        info.add_pod(pod)
        self.pod_counts.add_pod(info, pod)
        self.least_room.lowered(info)

    def is_assumed(self, pod: dict) -> bool:
        return pod_key(pod) in self.assumed

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/cache.schedulerCache).UpdateSnapshot")
    def update_snapshot(self) -> Snapshot:
        if self._list is None:
            self._list = [n for n in self.nodes.values() if n.node is not None]
        return Snapshot(self._list, self.pod_counts, self.least_room)
