"""The scheduling cycle: pop a pod, filter and score nodes, assume, reserve, permit, bind.

Mirrors `pkg/scheduler/scheduler.go` and `generic_scheduler.go` (1.24). `schedule_one` returns
the actions a thin adapter performs against the apiserver (a Bind, or a PodScheduled=False status
patch plus a FailedScheduling event); the binding cycle runs inline rather than in a goroutine.
Informer callbacks are the `on_*` methods. Nothing here reads the wall clock or global randomness.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import accumulate, compress, islice
from operator import add, attrgetter, eq, itemgetter

from reference_impl.machinery import trace
from reference_impl.machinery.actions import RecordEvent
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.objects import object_reference
from reference_impl.mirrors import mirrors
from reference_impl.machinery.timefmt import format_duration, rfc3339
from reference_impl.scheduler import queue as q
from reference_impl.scheduler.cache import Cache
from reference_impl.scheduler.errors import SchedulerError
from reference_impl.scheduler.framework import Framework, Profile
from reference_impl.scheduler.types import (
    Code, CycleState, NodeInfo, PatchPodStatus, QueuedPodInfo, Status, pod_key,
)

MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
MIN_FILTER_RUN = 16  # the fewest nodes one round of filtering checks: fewer calls when few are still wanted
NO_NODE_AVAILABLE_MSG = "0/{} nodes are available"
ERR_NO_NODES_AVAILABLE = "no nodes available to schedule pods"
REASON_UNSCHEDULABLE = "Unschedulable"
REASON_SCHEDULER_ERROR = "SchedulerError"
MAX_MESSAGE_LENGTH = 1024
_NAME = attrgetter("name")


def bind_error(plugin: str, status: Status) -> str:
    """A failed bind as 1.24 words it: RunBindPlugins wraps a plugin's failure as an Error
    naming it; none bound (all skipped) is (*Scheduler).bind's `bind status: Skip, <message>`."""
    if status.code == Code.ERROR:
        return f"running Bind plugin {quote(plugin)}: {status.message()}"
    return f"bind status: {status.code.name.title().replace('_', '')}, {status.message()}"


def assumed_pod(pod: dict, host: str) -> dict:
    """The pod as the cache assumes it: a copy on `host` (scheduleOne's assumedPod, a DeepCopy
    whose Spec.NodeName is set)."""
    return {**pod, "spec": {**pod.get("spec", {}), "nodeName": host}}


@dataclass
class Diagnosis:
    node_to_status: dict[str, Status] = field(default_factory=dict)
    unschedulable_plugins: set[str] = field(default_factory=set)


class FitError(SchedulerError):
    """No node fits the pod; the message aggregates the per-node reasons, as `kubectl describe` shows."""

    def __init__(self, pod: dict, num_all_nodes: int, diagnosis: Diagnosis) -> None:
        self.pod = pod
        self.num_all_nodes = num_all_nodes
        self.diagnosis = diagnosis
        super().__init__(self.error())

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework.FitError).Error")
    def error(self) -> str:
        reasons: dict[str, int] = {}
        for status in self.diagnosis.node_to_status.values():
            for reason in status.reasons:
                reasons[reason] = reasons.get(reason, 0) + 1
        histogram = sorted(f"{count} {reason}" for reason, count in reasons.items())
        return NO_NODE_AVAILABLE_MSG.format(self.num_all_nodes) + ": " + ", ".join(histogram) + "."


class NoNodesAvailable(SchedulerError):
    def __init__(self) -> None:
        super().__init__(ERR_NO_NODES_AVAILABLE)


@dataclass(frozen=True)
class ScheduleResult:
    suggested_host: str
    evaluated_nodes: int
    feasible_nodes: int


@dataclass
class WaitingPod:
    """A pod a Permit plugin told to wait (upstream's waitingPod): its cycle's state, the node it
    is assumed on, and how long each plugin that said Wait lets it wait from `since`. Its
    scheduling cycle began at `cycle_start` (scheduleOne's `start`): a failed wait counts as an
    attempt from then, as metrics.PodUnschedulable(SinceInSeconds(start)) in its binding goroutine."""

    info: QueuedPodInfo
    state: CycleState
    node_name: str
    cycle_start: float
    since: float
    pending_plugins: dict[str, float]

    def timed_out(self, now: float) -> tuple[str, float] | None:
        """The plugin whose wait ran out first by `now`, and its wait; None while all still wait.
        Upstream starts a timer per plugin; the first to fire rejects the pod."""
        expired = [(wait, plugin) for plugin, wait in self.pending_plugins.items() if self.since + wait <= now]
        if not expired:
            return None
        wait, plugin = min(expired)
        return plugin, wait


class Scheduler:
    """One profile's scheduler: cache + queue + framework; feed it informer events, call schedule_one."""

    def __init__(self, clock, rng: random.Random | None = None, profile: Profile | None = None,
                 registry: dict | None = None, pod_initial_backoff: float = q.DEFAULT_POD_INITIAL_BACKOFF,
                 pod_max_backoff: float = q.DEFAULT_POD_MAX_BACKOFF) -> None:
        self.clock = clock
        self.rng = rng or random.Random(0)
        self.framework = Framework(profile, registry)
        self.profile = self.framework.profile
        self.percentage_of_nodes_to_score = self.profile.percentage_of_nodes_to_score
        self.cache = Cache()
        self.queue = q.PriorityQueue(clock, self.framework.queue_sort_less(), pod_initial_backoff,
                                     pod_max_backoff, plugin_events=self.framework.plugin_events(),
                                     sort_key=self.framework.queue_sort_key())
        self.next_start_node_index = 0
        # When the unschedulableQ leftover is next flushed; None: at the first flush_queues, as
        # wait.Until runs its function at once.
        self.next_leftover_flush: float | None = None
        # Pods a Permit plugin told to wait, by key.
        self.waiting_pods: dict[str, WaitingPod] = {}
        # Pods whose Bind is out to the apiserver, the same and the bind plugin's name, until the
        # adapter reports the bind's result (or the informer shows the pod gone).
        self.binding: dict[str, tuple[QueuedPodInfo, CycleState, str, str]] = {}
        # PodDisruptionBudgets by key, from their informer: DefaultPreemption counts their violations.
        self.pdbs: dict[str, dict] = {}
        # The pod informer's store (pod key -> pod or None), set by the runner: a failed cycle
        # requeues its current copy (upstream's podLister in MakeDefaultErrorFunc).
        self.pod_lister = None
        fwk = self.framework
        fwk.cache, fwk.nominator, fwk.clock, fwk.rng = self.cache, self.queue.nominator, clock, self.rng
        fwk.waiting_pods = self.waiting_pods
        fwk.pdb_lister = lambda: list(self.pdbs.values())

    # ---- informer callbacks (eventhandlers.go) -------------------------------------------------

    def responsible_for(self, pod: dict) -> bool:
        return ((pod.get("spec") or {}).get("schedulerName") or "default-scheduler") == self.profile.scheduler_name

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).addNodeToCache")
    def on_node_add(self, node: dict) -> None:
        self.cache.add_node(node)
        self.queue.move_all_to_active_or_backoff_queue(q.NODE_ADD)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).updateNodeInCache")
    def on_node_update(self, old: dict, new: dict) -> None:
        self.cache.update_node(new)
        if _node_scheduling_properties_changed(old, new):
            self.queue.move_all_to_active_or_backoff_queue(q.NODE_UPDATE)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).deleteNodeFromCache")
    def on_node_delete(self, node: dict) -> None:
        self.cache.remove_node(node)

    def on_pod_add(self, pod: dict) -> None:
        if (pod.get("spec") or {}).get("nodeName"):
            self._add_pod_to_cache(pod)
        elif self.responsible_for(pod):
            self._add_pod_to_scheduling_queue(pod)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).addPodToCache")
    def _add_pod_to_cache(self, pod: dict) -> None:
        self.cache.add_pod(pod)
        self.queue.assigned_pod_added(pod)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).addPodToSchedulingQueue")
    def _add_pod_to_scheduling_queue(self, pod: dict) -> None:
        self.queue.add(pod)

    def on_pod_update(self, old: dict, new: dict) -> list:
        """Returns the actions of a binding cycle it fails: a pod bound by someone else while it
        waits at Permit is, as upstream's filtered handlers see it, a deletion of an unassigned
        pod (rejected, not requeued) and the addition of an assigned one."""
        if (new.get("spec") or {}).get("nodeName"):
            actions = []
            if not (old.get("spec") or {}).get("nodeName"):
                actions = self._delete_pod_from_scheduling_queue(old)
            self.cache.update_pod(new)
            self.queue.assigned_pod_updated(new)
            return actions
        if self.responsible_for(new):
            self._update_pod_in_scheduling_queue(old, new)
        return []

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).updatePodInSchedulingQueue")
    def _update_pod_in_scheduling_queue(self, old: dict, new: dict) -> None:
        """An update that carries the same resourceVersion (a re-list's, the pod unchanged) is
        passed over, lest a pod in no queue (one being scheduled, or dropped) be queued twice
        (kubernetes#96071). An assumed pod (waiting at Permit, or its bind out) is not queued
        again by an update: its binding cycle is still under way."""
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return
        if not self.cache.is_assumed(new):
            self.queue.update(old, new)

    def on_pod_delete(self, pod: dict) -> list:
        """The informer's deletion; returns the actions of a binding cycle it fails (a pod
        deleted while it waits at Permit)."""
        if (pod.get("spec") or {}).get("nodeName"):
            self._delete_pod_from_cache(pod)
            return []
        self.binding.pop(pod_key(pod), None)  # a Bind out for it has nothing left to finish
        return self._delete_pod_from_scheduling_queue(pod)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).deletePodFromSchedulingQueue")
    def _delete_pod_from_scheduling_queue(self, pod: dict) -> list:
        """A pod deleted while it waits at Permit is rejected ("removed", RejectWaitingPod): its
        binding cycle fails, giving back its room on the node. It is not requeued: 1.24's error
        func drops a pod the informer no longer has."""
        key = pod_key(pod)
        actions = self.reject_waiting_pod(key, "removed") if key in self.waiting_pods else []
        self.queue.delete(pod)
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).deletePodFromCache")
    def _delete_pod_from_cache(self, pod: dict) -> None:
        self.cache.remove_pod(pod)
        self.queue.move_all_to_active_or_backoff_queue(q.ASSIGNED_POD_DELETE)

    def on_pdb_add(self, pdb: dict) -> None:
        self.pdbs[pod_key(pdb)] = pdb

    def on_pdb_update(self, old: dict, new: dict) -> None:
        self.pdbs[pod_key(new)] = new

    def on_pdb_delete(self, pdb: dict) -> None:
        self.pdbs.pop(pod_key(pdb), None)

    def tick(self) -> list[tuple[float, list]]:
        """What upstream's queue goroutines do every second (flush expired backoffs and stale pods)
        and its waiting pods' timers: reject the pods whose wait at Permit timed out. Returns, for
        each, when its scheduling cycle began and the actions of its failed binding cycle."""
        self.flush_queues()
        return self.reject_timed_out_waiting_pods()

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/internal/queue.PriorityQueue).Run")
    def flush_queues(self) -> None:
        """The queue's periodic flushes, called every second: expired backoffs to activeQ each
        time; pods unschedulable longer than 60 s moved only every 30 s, as upstream's second
        loop does, so that such a pod waits 60 to 90 s for its next try, not 60."""
        self.queue.flush_backoff_q_completed()
        now = self.clock.now()
        if self.next_leftover_flush is None or now >= self.next_leftover_flush:
            self.next_leftover_flush = now + q.UNSCHEDULABLE_Q_FLUSH_PERIOD
            self.queue.flush_unschedulable_q_leftover()

    @mirrors("k8s.io/kubernetes/pkg/scheduler/framework/runtime.newWaitingPod")
    def reject_timed_out_waiting_pods(self) -> list[tuple[float, list]]:
        """Each pod whose wait at Permit has timed out, rejected: when its scheduling cycle began (on
        the core's clock) and the actions of its failed binding cycle, which counts as an attempt."""
        return [(waiting.cycle_start, self._reject_if_timed_out(key))
                for key, waiting in list(self.waiting_pods.items()) if waiting.timed_out(self.clock.now())]

    def _reject_if_timed_out(self, key: str) -> list:
        """Reject the waiting pod `key` if a plugin's wait for it has run out, as that plugin's
        timer does; the actions of its failed binding cycle, or none while it still waits."""
        timed_out = self.waiting_pods[key].timed_out(self.clock.now())
        if timed_out is None:
            return []
        plugin, wait = timed_out
        return self.reject_waiting_pod(
            key, f"rejected due to timeout after waiting {format_duration(wait)} at plugin {plugin}")

    # ---- the scheduling cycle ------------------------------------------------------------------

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne")
    @trace.decision
    def schedule_one(self) -> list:
        """Schedule the head of activeQ; returns the actions to perform (empty when nothing to do).

        Whoever performs a Bind owes the core its answer: `binding_succeeded` or `binding_failed`
        ends the pod's binding cycle (PostBind, or Unreserve and requeue), kept in `binding` until
        then, as upstream's binding goroutine waits on the POST."""
        info = self.queue.pop()
        if info is None:
            return []
        pod = info.pod
        if self._skip_pod_schedule(pod):
            return []
        cycle_start, state = self.clock.now(), CycleState()
        try:
            result = self.schedule_pod(state, pod)
        except FitError as err:
            info.unschedulable_plugins = set(err.diagnosis.unschedulable_plugins)
            if not self.framework.points["postFilter"]:
                return self._record_scheduling_failure(info, str(err), REASON_UNSCHEDULABLE)
            # Preemption may make room for a later cycle: its evictions come first, then the
            # failure, which nominates the pod to the node made room on.
            result, status = self.framework.run_post_filter_plugins(state, pod, err.diagnosis.node_to_status)
            actions = list(result.actions) if result is not None else []
            nominated = result.nominated_node_name if status.ok and result is not None else ""
            return actions + self._record_scheduling_failure(info, str(err), REASON_UNSCHEDULABLE, nominated)
        except NoNodesAvailable as err:
            return self._record_scheduling_failure(info, str(err), REASON_UNSCHEDULABLE)
        except SchedulerError as err:  # a plugin's Error status; an exception is a panic, left to the runner
            # 1.24's scheduleOne records every failure of SchedulePod as Unschedulable, errors too.
            return self._record_scheduling_failure(info, str(err), REASON_UNSCHEDULABLE)

        host = result.suggested_host
        assumed = assumed_pod(pod, host)
        self._assume(assumed)
        status = self.framework.run_reserve_plugins_reserve(state, assumed, host)
        if not status.ok:  # whatever its code, a SchedulerError to 1.24
            return self._fail_after_assume(info, state, assumed, host, status, REASON_SCHEDULER_ERROR)
        status, plugins_wait_time = self.framework.run_permit_plugins(state, assumed, host)
        if status.code == Code.WAIT:
            self.waiting_pods[pod_key(pod)] = WaitingPod(info, state, host, cycle_start, self.clock.now(),
                                                         plugins_wait_time)
            # A wait of 0 is rejected now, as its timer (time.AfterFunc(0)) fires at once.
            return self._reject_if_timed_out(pod_key(pod))
        if not status.ok:
            return self._fail_after_assume(info, state, assumed, host, status)
        return self._binding_cycle(info, state, assumed, host)

    def allow_waiting_pod(self, key: str) -> list:
        """A Permit plugin's Wait resolved to Allow: run the binding cycle now."""
        waiting = self.waiting_pods.pop(key)
        info, host = waiting.info, waiting.node_name
        assumed = assumed_pod(info.pod, host)
        return self._binding_cycle(info, waiting.state, assumed, host)

    def reject_waiting_pod(self, key: str, message: str) -> list:
        """A Permit Wait resolved to a rejection: the binding cycle fails at WaitOnPermit, the pod
        is forgotten and requeued, and, as its room on the node is free again (a PodDelete to
        upstream), the other unschedulable pods are moved to be tried again."""
        waiting = self.waiting_pods.pop(key)
        info, host = waiting.info, waiting.node_name
        assumed = assumed_pod(info.pod, host)
        actions = self._fail_after_assume(info, waiting.state, assumed, host, Status(Code.UNSCHEDULABLE, (message,)))
        self.queue.move_all_to_active_or_backoff_queue(q.ASSIGNED_POD_DELETE, lambda pod: pod_key(pod) != key)
        return actions

    def _binding_cycle(self, info, state, assumed, host) -> list:
        status = self.framework.run_pre_bind_plugins(state, assumed, host)
        if not status.ok:
            return self._fail_binding_cycle(info, state, host, status.message())
        plugin, action = self._bind(state, assumed, host)
        if isinstance(action, Status):
            return self._fail_binding_cycle(info, state, host, "binding rejected: " + bind_error(plugin, action))
        self.binding[pod_key(assumed)] = (info, state, host, plugin)
        return [action, self._event(assumed, "Normal", "Scheduled", "Binding",
                                    f"Successfully assigned {pod_key(assumed)} to {host}")]

    def binding_succeeded(self, namespace: str, name: str) -> None:
        """The apiserver accepted a pod's Bind: the binding cycle ends with the PostBind plugins,
        which 1.24 runs only once bind has returned no error."""
        binding = self.binding.pop(f"{namespace}/{name}", None)
        if binding is None:  # deleted meanwhile
            return
        info, state, host, _ = binding
        assumed = assumed_pod(info.pod, host)
        self.framework.run_post_bind_plugins(state, assumed, host)
        if self.framework.metrics is not None:
            self.framework.metrics.pod_scheduling_attempts.observe(value=info.attempts)

    def binding_failed(self, namespace: str, name: str, error: str) -> list:
        """The apiserver refused a pod's Bind (or could not be asked), `error` in its words: the
        binding cycle fails as at a Bind plugin's error. A pod the informer has meanwhile seen
        deleted or bound (no longer assumed) is only forgotten."""
        pod = {"metadata": {"namespace": namespace, "name": name}}
        binding = self.binding.pop(pod_key(pod), None)
        if binding is None or not self.cache.is_assumed(pod):
            self.cache.forget_pod(pod)
            return []
        info, state, host, plugin = binding
        return self._fail_binding_cycle(info, state, host,
                                        "binding rejected: " + bind_error(plugin, Status(Code.ERROR, (error,))))

    def _fail_binding_cycle(self, info, state, host, message: str) -> list:
        """A binding cycle that fails after Permit (at PreBind or Bind): Unreserve, forget the
        assumed pod, move the unschedulable pods (its room is free again: a PodDelete to
        upstream), then report a SchedulerError."""
        assumed = assumed_pod(info.pod, host)
        self.framework.run_reserve_plugins_unreserve(state, assumed, host)
        self.cache.forget_pod(assumed)
        self.queue.move_all_to_active_or_backoff_queue(q.ASSIGNED_POD_DELETE)
        return self._record_scheduling_failure(info, message, REASON_SCHEDULER_ERROR)

    def _event(self, pod: dict, type_: str, reason: str, action: str, message: str) -> RecordEvent:
        """An Event about the pod of this cycle, from the recorder of the profile, whose scheduler
        name is its reporting controller (upstream's recorderFactory(profile.SchedulerName))."""
        return RecordEvent(self.profile.scheduler_name, object_reference(pod, "Pod", "v1"), type_, reason, message,
                           action)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).bind")
    def _bind(self, state: CycleState, assumed: dict, host: str):
        plugin, result = self.framework.run_bind_plugins(state, assumed, host)
        self._finish_binding(assumed)
        return plugin, result

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).finishBinding")
    def _finish_binding(self, assumed: dict) -> None:
        self.cache.finish_binding(assumed)

    def _fail_after_assume(self, info, state, assumed, host, status: Status, reason: str = "") -> list:
        """Unreserve, forget the assumed pod and report the failure: with `reason`, else (after
        Permit) Unschedulable or SchedulerError by the status's code."""
        self.framework.run_reserve_plugins_unreserve(state, assumed, host)
        self.cache.forget_pod(assumed)
        reason = reason or (REASON_UNSCHEDULABLE if status.code in (Code.UNSCHEDULABLE,
                                                                     Code.UNSCHEDULABLE_AND_UNRESOLVABLE)
                            else REASON_SCHEDULER_ERROR)
        # The plugins that made the pod unschedulable stay those of its last FitError: 1.24 sets
        # them from a FitError only, so a Reserve or Permit rejection does not choose its moves.
        return self._record_scheduling_failure(info, status.message() or "binding failed", reason)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).assume")
    def _assume(self, assumed: dict) -> None:
        self.cache.assume_pod(assumed)
        self.queue.nominator.delete(assumed)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).skipPodSchedule")
    def _skip_pod_schedule(self, pod: dict) -> bool:
        """A pod being deleted, or one already assumed (an update raced the bind), is not scheduled."""
        return bool(pod["metadata"].get("deletionTimestamp")) or self.cache.is_assumed(pod)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).recordSchedulingFailure")
    def _record_scheduling_failure(self, info: QueuedPodInfo, message: str, reason: str,
                                   nominated_node: str = "") -> list:
        """Requeue the pod and report: a FailedScheduling event and PodScheduled=False with the
        reason (and the node a preemption nominated it to, kept in the nominator at once). The pod
        is requeued as of the queue's current cycle, not its own (MakeDefaultErrorFunc passes
        SchedulingCycle()): a failure that comes later (a Permit timeout, a failed bind) is
        weighed against the moves since."""
        self._requeue(info)
        self.queue.nominator.add(info.pod, nominated_node)
        meta = info.pod["metadata"]
        namespace = meta.get("namespace", "default")
        truncated = message if len(message) <= MAX_MESSAGE_LENGTH else message[:MAX_MESSAGE_LENGTH - 3] + "..."
        condition = {"type": "PodScheduled", "status": "False", "reason": reason, "message": message,
                     "lastProbeTime": None, "lastTransitionTime": rfc3339(self.clock.now())}
        return [self._event(info.pod, "Warning", "FailedScheduling", "Scheduling", truncated),
                PatchPodStatus(namespace, meta["name"], condition, nominated_node)]

    @mirrors("k8s.io/kubernetes/pkg/scheduler.MakeDefaultErrorFunc")
    def _requeue(self, info: QueuedPodInfo) -> None:
        """Requeue the informer's current copy of the pod, so updates dropped while it was
        assumed are not lost; not a pod the informer no longer has, nor one it shows bound (by
        someone else meanwhile)."""
        if self.pod_lister is not None:
            current = self.pod_lister(info.key)
            if current is None or (current.get("spec") or {}).get("nodeName"):
                return
            info.pod = current
        self.queue.add_unschedulable_if_not_present(info, self.queue.scheduling_cycle)

    # ---- generic_scheduler.go ------------------------------------------------------------------

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.genericScheduler).Schedule")
    def schedule_pod(self, state: CycleState, pod: dict) -> ScheduleResult:
        snapshot = self.cache.update_snapshot()
        self.framework.snapshot = snapshot
        if len(snapshot) == 0:
            raise NoNodesAvailable()
        feasible, diagnosis = self.find_nodes_that_fit_pod(state, pod, snapshot.node_info_list)
        if not feasible:
            raise FitError(pod, len(snapshot), diagnosis)
        if len(feasible) == 1:
            trace.record("scheduled", pod=str(pod_key(pod)), feasible=[feasible[0].name], scores={},
                         host=feasible[0].name)
            return ScheduleResult(feasible[0].name, 1 + len(diagnosis.node_to_status), 1)
        scores = self.prioritize_nodes(state, pod, feasible)
        host = self.select_host(scores)
        if trace.enabled():  # the names and scores are gathered only for the trace
            trace.record("scheduled", pod=str(pod_key(pod)), feasible=[n.name for n in feasible],
                         scores=dict(scores), host=host)
        return ScheduleResult(host, len(feasible) + len(diagnosis.node_to_status), len(feasible))

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.genericScheduler).findNodesThatFitPod")
    def find_nodes_that_fit_pod(self, state: CycleState, pod: dict, nodes: list[NodeInfo]):
        diagnosis = Diagnosis()
        status = self.framework.run_pre_filter_plugins(state, pod)
        if not status.ok:
            # A PreFilter rejection applies to every node.
            for n in nodes:
                diagnosis.node_to_status[n.name] = status
            diagnosis.unschedulable_plugins.add(status.failed_plugin)
            return [], diagnosis
        # A node an earlier preemption nominated the pod to is likely the one it fits: tried alone
        # first (PreferNominatedNode, on by default in 1.24).
        nominated = (pod.get("status") or {}).get("nominatedNodeName")
        if nominated:
            info = self.cache.nodes.get(nominated)
            if info is not None and info.node is not None:
                feasible = self.find_nodes_that_pass_filters(state, pod, diagnosis, [info])
                if feasible:
                    return feasible, diagnosis
        return self.find_nodes_that_pass_filters(state, pod, diagnosis, nodes), diagnosis

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.genericScheduler).findNodesThatPassFilters")
    def find_nodes_that_pass_filters(self, state: CycleState, pod: dict, diagnosis: Diagnosis,
                                     nodes: list[NodeInfo]) -> list[NodeInfo]:
        """Check nodes from where the last cycle stopped, until enough feasible ones are found."""
        total = len(nodes)
        num_nodes_to_find = self.num_feasible_nodes_to_find(total)
        start = self.next_start_node_index % total  # the node list may have shrunk since
        if not self.framework.has_filter_plugins():
            feasible = [nodes[(start + i) % total] for i in range(num_nodes_to_find)]
            self.next_start_node_index = (start + len(feasible)) % total
            return feasible
        # Upstream checks nodes in parallel until enough are feasible. Here each plugin filters a
        # run of nodes in one call, a run no longer than the feasible nodes still wanted (plus a
        # floor), so the nodes checked, their statuses and the next start are those of checking
        # node by node in order and stopping at the last feasible node needed.
        ordered = nodes[start:] + nodes[:start] if start else nodes
        feasible: list[NodeInfo] = []
        node_to_status = diagnosis.node_to_status
        processed = begin = 0
        while begin < total and len(feasible) < num_nodes_to_find:
            end = min(total, begin + max(num_nodes_to_find - len(feasible), MIN_FILTER_RUN))
            run = ordered[begin:end]
            passed, failed = self.framework.run_filter_plugins_on_nodes(state, pod, run)
            if self.queue.nominator.pods_by_node:  # only after a preemption: most runs have none
                passed = self._filter_with_nominated_pods(pod, run, passed, failed)
            wanted = num_nodes_to_find - len(feasible)
            if len(passed) >= wanted:
                last = passed[wanted - 1]
                passed = passed[:wanted]
                cut = next(i for i, n in enumerate(run) if n is last) + 1
                if failed and cut < len(run):  # checked past the last node needed: forget those
                    unchecked = {n.name for n in run[cut:]}
                    failed = {name: status for name, status in failed.items() if name not in unchecked}
                processed = begin + cut
            else:
                processed = end
            feasible.extend(passed)
            node_to_status.update(failed)
            diagnosis.unschedulable_plugins.update(status.failed_plugin for status in failed.values())
            begin = end
        self.next_start_node_index = (start + processed) % total
        return feasible

    def _filter_with_nominated_pods(self, pod: dict, run: list[NodeInfo], passed: list[NodeInfo],
                                    failed: dict[str, Status]) -> list[NodeInfo]:
        """RunFilterPluginsWithNominatedPods' first pass for the nodes of `run` with pods nominated
        to them: a node that fails with them fails with that status, whatever it did without
        (`failed` is updated); the nodes of `passed` that still pass."""
        fwk = self.framework
        for info in run:
            added = fwk.nominated_pods_to_add(pod, info.name)
            if added:
                status = fwk.trial_filter(pod, info, added)
                if not status.ok:
                    failed[info.name] = status
        return [n for n in passed if n.name not in failed]

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.genericScheduler).numFeasibleNodesToFind")
    def num_feasible_nodes_to_find(self, num_all_nodes: int) -> int:
        """All nodes below 100 or at 100%; else the percentage (adaptive 50 - n/125, at least 5%), min 100."""
        if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND or self.percentage_of_nodes_to_score >= 100:
            return num_all_nodes
        adaptive = self.percentage_of_nodes_to_score
        if adaptive <= 0:
            adaptive = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
        num_nodes = num_all_nodes * adaptive // 100
        return max(num_nodes, MIN_FEASIBLE_NODES_TO_FIND)

    @mirrors("k8s.io/kubernetes/pkg/scheduler.prioritizeNodes")
    def prioritize_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> list[tuple[str, int]]:
        """Weighted sum of every score plugin's normalized score per node; 1 each with no plugins."""
        if not self.framework.points["score"]:
            return [(n.name, 1) for n in nodes]
        self.framework.run_pre_score_plugins(state, pod, nodes)
        per_plugin = self.framework.run_score_plugins(state, pod, nodes)
        if not per_plugin:  # every plugin skipped: all nodes score 0
            return [(n.name, 0) for n in nodes]
        columns = iter(per_plugin.values())
        totals = next(columns)
        for column in columns:  # summed plugin by plugin, in C: no tuple of scores per node
            totals = list(map(add, totals, column))
        return list(zip(map(_NAME, nodes), totals))

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler.genericScheduler).selectHost")
    def select_host(self, scores: list[tuple[str, int]]) -> str:
        """The highest score wins; ties are broken uniformly at random by reservoir sampling.

        Reservoir sampling draws at every node that ties the highest score seen before it, the
        lower running maxima included, so the same draws are made here: the running maximum and
        the ties to it are found in C, and only the ties (a few dozen of ~420 nodes) draw in Python.
        """
        if not scores:
            raise SchedulerError("empty priorityList")
        totals = list(map(itemgetter(1), scores))
        running = list(accumulate(totals, max))
        best = running[-1]
        selected = scores[running.index(best)][0]
        level, count = None, 1
        for i in compress(range(1, len(totals)), map(eq, islice(totals, 1, None), running)):
            if running[i] != level:  # the first tie to a new running maximum: its first node and this one
                level, count = running[i], 1
            count += 1
            if self.rng.randrange(count) == 0 and level == best:
                selected = scores[i][0]
        return selected


def _node_scheduling_properties_changed(old: dict, new: dict) -> bool:
    """nodeSchedulingPropertiesChange: unschedulable, allocatable, labels, taints or conditions changed."""
    o_spec, n_spec = old.get("spec") or {}, new.get("spec") or {}
    o_st, n_st = old.get("status") or {}, new.get("status") or {}
    return (o_spec.get("unschedulable") != n_spec.get("unschedulable")
            or o_st.get("allocatable") != n_st.get("allocatable")
            or old["metadata"].get("labels") != new["metadata"].get("labels")
            or o_spec.get("taints") != n_spec.get("taints")
            or _condition_statuses(o_st) != _condition_statuses(n_st))


@mirrors("k8s.io/kubernetes/pkg/scheduler.nodeConditionsChanged")
def _condition_statuses(node_status: dict) -> dict:
    """Condition type -> status: a heartbeat that only moves lastHeartbeatTime changes nothing."""
    return {c.get("type"): c.get("status") for c in node_status.get("conditions") or ()}
