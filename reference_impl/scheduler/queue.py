"""The scheduling queue: activeQ, backoffQ and unschedulableQ, driven by an injected clock.

Mirrors `pkg/scheduler/internal/queue/scheduling_queue.go` (1.24). `pop` never blocks: it returns
None when activeQ is empty, and the caller (a test, the benchmark, a thin adapter) decides when to
call `flush_backoff_q_completed` / `flush_unschedulable_q_leftover`, which upstream runs every 1 s
and 30 s from goroutines (`Scheduler.flush_queues` keeps both periods).
"""
from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable

from reference_impl.mirrors import mirrors
from reference_impl.scheduler.types import QueuedPodInfo, has_pod_affinity, pod_key
from reference_impl.machinery import labels as lbl

# Cluster events that can make an unschedulable pod schedulable (framework.ClusterEvent).
NODE_ADD = "NodeAdd"
NODE_UPDATE = "NodeUpdate"
ASSIGNED_POD_ADD = "AssignedPodAdd"
ASSIGNED_POD_UPDATE = "AssignedPodUpdate"
ASSIGNED_POD_DELETE = "AssignedPodDelete"
UNSCHEDULABLE_TIMEOUT = "UnschedulableTimeout"
WILDCARD = "*"

DEFAULT_POD_INITIAL_BACKOFF = 1.0
DEFAULT_POD_MAX_BACKOFF = 10.0
# unschedulableQTimeInterval at this tree's commit (later releases made it 5 minutes and configurable).
DEFAULT_POD_MAX_IN_UNSCHEDULABLE = 60.0
# How often PriorityQueue.Run's second goroutine flushes the unschedulableQ leftover.
UNSCHEDULABLE_Q_FLUSH_PERIOD = 30.0


def nominated_node_name(pod: dict) -> str:
    return (pod.get("status") or {}).get("nominatedNodeName") or ""


class Nominator:
    """The pods nominated to a node by an earlier preemption, by node (upstream's nominator):
    later cycles filter that node as if they were on it, when they are not of lower priority."""

    def __init__(self, pod_lister=None) -> None:
        self.pods_by_node: dict[str, list[dict]] = {}
        self.node_of: dict[str, str] = {}  # pod key -> the node it is nominated to
        # The pod informer's store (pod key -> pod or None), when there is one: a pod it no
        # longer holds is not nominated (its deletion may have been handled already).
        self.pod_lister = pod_lister

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.nominator).add")
    def add(self, pod: dict, node_name: str = "") -> None:
        """Nominate `pod` to `node_name`, or to its status.nominatedNodeName when that is empty;
        not a pod the pod lister no longer has."""
        self.delete(pod)
        node_name = node_name or nominated_node_name(pod)
        if not node_name:
            return
        if self.pod_lister is not None and self.pod_lister(pod_key(pod)) is None:
            return
        self.node_of[pod_key(pod)] = node_name
        self.pods_by_node.setdefault(node_name, []).append(pod)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.nominator).delete")
    def delete(self, pod: dict) -> None:
        key = pod_key(pod)
        node_name = self.node_of.pop(key, None)
        if node_name is None:
            return
        pods = [p for p in self.pods_by_node[node_name] if pod_key(p) != key]
        if pods:
            self.pods_by_node[node_name] = pods
        else:
            del self.pods_by_node[node_name]

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.nominator).UpdateNominatedPod")
    def update(self, old_pod: dict, new_pod: dict) -> None:
        """A nomination made in memory outlives an update that carries none yet (the status patch
        that writes it may not have arrived); one the update adds, changes or clears is taken."""
        node_name = ""
        if not nominated_node_name(old_pod) and not nominated_node_name(new_pod):
            node_name = self.node_of.get(pod_key(old_pod), "")
        self.delete(old_pod)
        self.add(new_pod, node_name)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.nominator).NominatedPodsForNode")
    def pods_for_node(self, node_name: str) -> list[dict]:
        return list(self.pods_by_node.get(node_name, ()))


class _Heap:
    """A keyed binary heap with removal, ordered by `less(a, b)`; ties break by insertion order.

    With `sort_key` (a key whose ascending order is `less`'s) an entry is a plain list
    [sort key, seq, key, info] that heapq compares in C; otherwise each comparison calls `less`,
    a Python call or two per step of every push and pop.
    """

    def __init__(self, less: Callable[[QueuedPodInfo, QueuedPodInfo], bool],
                 sort_key: Callable[[QueuedPodInfo], tuple] | None = None) -> None:
        self._items: list[list] = []
        self._by_key: dict[str, list] = {}
        self._seq = itertools.count()
        self._sort_key = sort_key

        class Entry(list):
            """[insertion seq, key, info]; compares by `less`, then seq."""

            __slots__ = ()

            def __lt__(a, b):  # noqa: N805 - heapq calls a < b
                if less(a[2], b[2]):
                    return True
                if less(b[2], a[2]):
                    return False
                return a[0] < b[0]

        self._Entry = Entry

    def _entry(self, info: QueuedPodInfo) -> list:
        """A heap entry; its last item is the info, its one before last the key."""
        if self._sort_key is not None:
            return [self._sort_key(info), next(self._seq), info.key, info]
        return self._Entry([next(self._seq), info.key, info])

    def add(self, info: QueuedPodInfo) -> None:
        self.delete(info.key)
        entry = self._entry(info)
        self._by_key[info.key] = entry
        heapq.heappush(self._items, entry)

    def delete(self, key: str) -> QueuedPodInfo | None:
        entry = self._by_key.pop(key, None)
        if entry is None:
            return None
        # Taken out now (a scan and a re-heapify, in C): a deleted entry left in place would be
        # compared on with an info that update() may since have changed, breaking the heap order.
        self._items.remove(entry)
        heapq.heapify(self._items)
        return entry[-1]

    def peek(self) -> QueuedPodInfo | None:
        return self._items[0][-1] if self._items else None

    def pop(self) -> QueuedPodInfo | None:
        info = self.peek()
        if info is not None:
            heapq.heappop(self._items)
            del self._by_key[info.key]
        return info

    def get(self, key: str) -> QueuedPodInfo | None:
        entry = self._by_key.get(key)
        return entry[-1] if entry else None

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def values(self) -> list[QueuedPodInfo]:
        return [e[-1] for e in self._by_key.values()]


class PriorityQueue:
    """activeQ ordered by the QueueSort plugin's `less`; backoffQ by backoff expiry; unschedulableQ a map."""

    def __init__(self, clock, less: Callable[[QueuedPodInfo, QueuedPodInfo], bool],
                 pod_initial_backoff: float = DEFAULT_POD_INITIAL_BACKOFF,
                 pod_max_backoff: float = DEFAULT_POD_MAX_BACKOFF,
                 pod_max_in_unschedulable: float = DEFAULT_POD_MAX_IN_UNSCHEDULABLE,
                 plugin_events: dict[str, set[str]] | None = None,
                 sort_key: Callable[[QueuedPodInfo], tuple] | None = None) -> None:
        self.clock = clock
        self.pod_initial_backoff = pod_initial_backoff
        self.pod_max_backoff = pod_max_backoff
        self.pod_max_in_unschedulable = pod_max_in_unschedulable
        # Which cluster events may help a pod a given plugin rejected (EventsToRegister).
        self.plugin_events = plugin_events or {}
        self.active_q = _Heap(less, sort_key)
        self.backoff_q = _Heap(lambda a, b: self.get_backoff_time(a) < self.get_backoff_time(b))
        self.unschedulable_q: dict[str, QueuedPodInfo] = {}
        self.scheduling_cycle = 0
        # The cycle in which the last move request arrived: a pod that failed in a cycle that started
        # before it goes to backoffQ, since the event may already have made it schedulable.
        self.move_request_cycle = -1
        self.nominator = Nominator()

    def _new_info(self, pod: dict) -> QueuedPodInfo:
        now = self.clock.now()
        return QueuedPodInfo(pod=pod, timestamp=now, initial_attempt_timestamp=now)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).Add")
    def add(self, pod: dict) -> None:
        """A new pending pod goes straight to activeQ and leaves the other two queues."""
        info = self._new_info(pod)
        self.active_q.add(info)
        self.unschedulable_q.pop(info.key, None)
        self.backoff_q.delete(info.key)
        self.nominator.add(pod)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).Pop")
    def pop(self) -> QueuedPodInfo | None:
        """Take the head of activeQ, counting an attempt and starting a scheduling cycle; None if empty."""
        info = self.active_q.pop()
        if info is None:
            return None
        info.attempts += 1
        self.scheduling_cycle += 1
        return info

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).AddUnschedulableIfNotPresent")
    def add_unschedulable_if_not_present(self, info: QueuedPodInfo, pod_scheduling_cycle: int) -> None:
        key = info.key
        if key in self.unschedulable_q or key in self.active_q or key in self.backoff_q:
            return
        info.timestamp = self.clock.now()
        if self.move_request_cycle >= pod_scheduling_cycle:
            self.backoff_q.add(info)
        else:
            self.unschedulable_q[key] = info

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).calculateBackoffDuration")
    def calculate_backoff_duration(self, info: QueuedPodInfo) -> float:
        """initial * 2^(attempts-1), capped at the maximum."""
        duration = self.pod_initial_backoff
        for _ in range(1, info.attempts):
            if duration > self.pod_max_backoff - duration:
                return self.pod_max_backoff
            duration += duration
        return duration

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).getBackoffTime")
    def get_backoff_time(self, info: QueuedPodInfo) -> float:
        return info.timestamp + self.calculate_backoff_duration(info)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).isPodBackingoff")
    def is_pod_backing_off(self, info: QueuedPodInfo) -> bool:
        return self.get_backoff_time(info) > self.clock.now()

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).flushBackoffQCompleted")
    def flush_backoff_q_completed(self) -> None:
        """Move every pod whose backoff has expired from backoffQ to activeQ."""
        while True:
            info = self.backoff_q.peek()
            if info is None or self.is_pod_backing_off(info):
                return
            self.backoff_q.pop()
            self.active_q.add(info)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).flushUnschedulableQLeftover")
    def flush_unschedulable_q_leftover(self) -> None:
        """Pods stuck in unschedulableQ longer than the maximum are retried anyway."""
        now = self.clock.now()
        stale = [i for i in self.unschedulable_q.values() if now - i.timestamp > self.pod_max_in_unschedulable]
        if stale:
            self._move_pods(stale, UNSCHEDULABLE_TIMEOUT)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).MoveAllToActiveOrBackoffQueue")
    def move_all_to_active_or_backoff_queue(self, event: str, pre_check: Callable[[dict], bool] | None = None) -> None:
        """The unschedulable pods `event` may help (and `pre_check` lets through) to be tried again."""
        self._move_pods([info for info in self.unschedulable_q.values() if pre_check is None or pre_check(info.pod)],
                        event)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).podMatchesEvent")
    def pod_matches_event(self, info: QueuedPodInfo, event: str) -> bool:
        """A pod is moved by an event one of the plugins that rejected it registered. One that no
        plugin rejected (failed after a FitError-less cycle: Reserve, Permit, bind) has none to
        intersect with: only the wildcard (a flush, MoveAll) moves it, as upstream's intersect."""
        if event in (WILDCARD, UNSCHEDULABLE_TIMEOUT):
            return True
        for plugin in info.unschedulable_plugins:
            events = self.plugin_events.get(plugin)
            if events is None or event in events or WILDCARD in events:
                return True
        return False

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).movePodsToActiveOrBackoffQueue")
    def _move_pods(self, infos: Iterable[QueuedPodInfo], event: str) -> None:
        for info in infos:
            if event != UNSCHEDULABLE_TIMEOUT and not self.pod_matches_event(info, event):
                continue
            del self.unschedulable_q[info.key]
            if self.is_pod_backing_off(info):
                self.backoff_q.add(info)
            else:
                self.active_q.add(info)
        self.move_request_cycle = self.scheduling_cycle

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).AssignedPodAdded")
    def assigned_pod_added(self, pod: dict) -> None:
        """A newly bound pod can satisfy the required pod affinity of pods waiting for it."""
        self._move_pods(self._unschedulable_with_matching_affinity(pod), ASSIGNED_POD_ADD)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).AssignedPodUpdated")
    def assigned_pod_updated(self, pod: dict) -> None:
        """A bound pod's new labels can satisfy the required pod affinity of pods waiting for it."""
        self._move_pods(self._unschedulable_with_matching_affinity(pod), ASSIGNED_POD_UPDATE)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).getUnschedulablePodsWithMatchingAffinityTerm")
    def _unschedulable_with_matching_affinity(self, pod: dict) -> list[QueuedPodInfo]:
        out = []
        pod_labels = pod["metadata"].get("labels") or {}
        pod_ns = pod["metadata"].get("namespace", "default")
        for info in self.unschedulable_q.values():
            if not has_pod_affinity(info.pod):
                continue
            affinity = info.pod["spec"]["affinity"].get("podAffinity") or {}
            for term in affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or ():
                namespaces = term.get("namespaces") or [info.pod["metadata"].get("namespace", "default")]
                if pod_ns in namespaces and lbl.selector_matches(term.get("labelSelector"), pod_labels):
                    out.append(info)
                    break
        return out

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).Update")
    def update(self, old_pod: dict, new_pod: dict) -> None:
        """An update to a pending pod replaces it in place; an unschedulable pod whose spec changed retries."""
        key = pod_key(new_pod)
        for q in (self.active_q, self.backoff_q):
            info = q.get(key)
            if info is not None:
                info.pod = new_pod
                q.add(info)
                self.nominator.update(old_pod, new_pod)
                return
        info = self.unschedulable_q.get(key)
        if info is not None:
            info.pod = new_pod
            self.nominator.update(old_pod, new_pod)
            if (old_pod.get("spec") != new_pod.get("spec")
                    or old_pod["metadata"].get("labels") != new_pod["metadata"].get("labels")):
                del self.unschedulable_q[key]
                (self.backoff_q if self.is_pod_backing_off(info) else self.active_q).add(info)
            return
        self.add(new_pod)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).Delete")
    def delete(self, pod: dict) -> None:
        key = pod_key(pod)
        self.active_q.delete(key)
        self.backoff_q.delete(key)
        self.unschedulable_q.pop(key, None)
        self.nominator.delete(pod)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).PendingPods")
    def pending_pods(self) -> list[dict]:
        return ([i.pod for i in self.active_q.values()] + [i.pod for i in self.backoff_q.values()]
                + [i.pod for i in self.unschedulable_q.values()])
