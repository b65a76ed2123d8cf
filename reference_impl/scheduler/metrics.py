"""The reference kube-scheduler's metrics, as pkg/scheduler/metrics names them: every scheduling
attempt by its result and profile with its latency, the attempts each bound pod took, the pods
waiting in each queue, and the preemption attempts with the number of victims of each preemption
carried out."""
from __future__ import annotations

from reference_impl.machinery.prometheus import Family, Registry, exponential_buckets
from reference_impl.mirrors import mirrors

from .queue import PriorityQueue

SCHEDULED, UNSCHEDULABLE, ERROR = "scheduled", "unschedulable", "error"
ATTEMPT_BUCKETS = exponential_buckets(0.001, 2, 15)
POD_ATTEMPTS_BUCKETS = exponential_buckets(1, 2, 5)
VICTIM_BUCKETS = tuple(5.0 * i for i in range(1, 11))  # LinearBuckets(5, 5, 10): 50 or more is one bucket


class SchedulerMetrics:
    """The families of pkg/scheduler/metrics this scheduler keeps true, in one registry."""

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry or Registry()
        add = self.registry.register
        self.schedule_attempts = add(Family(
            "scheduler_schedule_attempts_total",
            "[STABLE] Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be "
            "scheduled, while 'error' means an internal scheduler problem.", "counter", ("result", "profile")))
        self.attempt_duration = add(Family(
            "scheduler_scheduling_attempt_duration_seconds",
            "[STABLE] Scheduling attempt latency in seconds (scheduling algorithm + binding)", "histogram",
            ("result", "profile"), ATTEMPT_BUCKETS))
        # Observed once a pod is bound: every cycle it was popped for counts, a Permit timeout's too.
        self.pod_scheduling_attempts = add(Family(
            "scheduler_pod_scheduling_attempts", "[STABLE] Number of attempts to successfully schedule a pod.",
            "histogram", (), POD_ATTEMPTS_BUCKETS))
        self.pending_pods = add(_PendingPods(
            "scheduler_pending_pods",
            "[STABLE] Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' "
            "means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulableQ.", "gauge",
            ("queue",)))
        # DefaultPreemption's PostFilter counts every attempt; prepareCandidate observes the
        # victims once all of them are deleted.
        self.preemption_attempts = add(Family(
            "scheduler_preemption_attempts_total", "[STABLE] Total preemption attempts in the cluster till now",
            "counter"))
        self.preemption_victims = add(Family(
            "scheduler_preemption_victims", "[STABLE] Number of selected preemption victims", "histogram", (),
            VICTIM_BUCKETS))

    @mirrors("k8s.io/kubernetes/pkg/scheduler/metrics.observeScheduleAttemptAndLatency")
    def attempt(self, result: str, profile: str, seconds: float) -> None:
        self.schedule_attempts.inc(result, profile)
        self.attempt_duration.observe(result, profile, value=seconds)

    def pending_from(self, queue: PriorityQueue) -> None:
        """Count `queue`'s pending pods whenever the registry is written."""
        self.pending_pods.queue = queue


class _PendingPods(Family):
    """scheduler_pending_pods, counted from the queue when /metrics is written: upstream's queue
    moves the gauges on every change, which here cost three gauge writes per informer event and
    per scheduling cycle for values only a scrape reads."""

    queue: PriorityQueue | None = None

    def count(self, queue: PriorityQueue) -> None:
        self.set("active", value=len(queue.active_q))
        self.set("backoff", value=len(queue.backoff_q))
        self.set("unschedulable", value=len(queue.unschedulable_q))

    def text(self) -> str:
        if self.queue is not None:
            self.count(self.queue)
        return super().text()
