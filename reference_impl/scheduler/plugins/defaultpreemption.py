"""DefaultPreemption: the PostFilter that makes room for a pod no node fits, by evicting pods of
lower priority (1.24 `framework/plugins/defaultpreemption` and `framework/preemption`).

For a pod allowed to preempt, each node whose failure a preemption might cure is tried in turn
from a random offset: all its lower-priority pods taken off, the pod must then pass the Filters
(nominated pods of no lower priority counted, as in a scheduling cycle), then those pods are put
back most important first (the ones whose eviction would break a PodDisruptionBudget first), each
staying only if the pod still fits. The nodes with victims are candidates; the dry run stops once
enough are found (10% of the nodes, at least 100) with one that breaks no budget. The best
candidate (pickOneNodeForPreemption) has its victims deleted, each with a Preempted event, and
lower-priority pods nominated to it lose their nomination; the scheduler then nominates the pod
to that node and it waits in the queue for the deletions to land.

As a sans-IO core this returns the deletions (a rejection for a victim waiting on Permit), events
and status patches as actions instead of making the calls; the runner carries them out in turn
as prepareCandidate does, stopping at the first deletion that fails and then not nominating the
pod. An error on a node in the dry run is the
PostFilter's Error status when no node is a candidate. The what-ifs run on the cache's NodeInfo itself, undone before the cycle goes
on (see `Cache.trial_remove`), and the Filters are rerun with a fresh PreFilter each time instead
of upstream's PreFilter extensions (AddPod/RemovePod): the same state from the same pods. Nodes
are tried one after another (upstream: 16 goroutines, so which candidates it finds is not fixed).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reference_impl.machinery import labels as lbl
from reference_impl.machinery.actions import Delete, RecordEvent
from reference_impl.machinery.objects import object_reference
from reference_impl.machinery.timefmt import parse_rfc3339
from reference_impl.mirrors import mirrors
from reference_impl.scheduler.errors import SchedulerError
from reference_impl.scheduler.framework import Plugin
from reference_impl.scheduler.types import (
    Code, CycleState, NodeInfo, Status, ClearNominatedNodeName, RejectWaitingPod, pod_key, pod_priority,
)

NAME = "DefaultPreemption"
# DefaultPreemptionArgs' defaults (v1beta2/v1beta3).
MIN_CANDIDATE_NODES_PERCENTAGE = 10
MIN_CANDIDATE_NODES_ABSOLUTE = 100
PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling"


@dataclass(frozen=True)
class Candidate:
    """A node where preemption would make the pod fit, and the pods it would evict there (in the
    order they were found: the PDB-violating ones first, each group most important first)."""

    name: str
    victims: tuple[dict, ...]
    num_pdb_violations: int


@dataclass(frozen=True)
class PostFilterResult:
    nominated_node_name: str
    actions: tuple = field(default=(), compare=False)  # what preparing the candidate asks of the apiserver


def pod_start_time(pod: dict, now: float) -> float:
    """util.GetPodStartTime: status.startTime, or now for a pod not started (bound, no kubelet yet)."""
    start = (pod.get("status") or {}).get("startTime")
    return parse_rfc3339(start) if start else now


@mirrors("k8s.io/kubernetes/pkg/scheduler/util.MoreImportantPod")
def more_important(a: dict, b: dict, now: float) -> bool:
    """Higher priority, then started earlier. A pod not started takes time.Now() when compared,
    and `a`'s is taken first: of two such pods of one priority, `a` is the more important."""
    pa, pb = pod_priority(a), pod_priority(b)
    if pa != pb:
        return pa > pb
    a_start, b_start = (a.get("status") or {}).get("startTime"), (b.get("status") or {}).get("startTime")
    if not a_start and not b_start:
        return True
    return pod_start_time(a, now) < pod_start_time(b, now)


def more_important_first(pods: list[dict], now: float) -> list[dict]:
    """The pods sorted as sort.Slice sorts them by `more_important`: a short slice (12 or fewer,
    a node's usual victims) by insertion sort, which with the comparison above reverses each run
    of not-started pods of one priority, as the real scheduler (built with Go 1.19, whose pdqsort
    insertion-sorts up to 12) does with pods no kubelet started. Longer slices are sorted the same
    way here; pdqsort orders such ties differently there, and Go 1.18's sort.Slice (a gap-6 pass
    first) does from 7 pods on."""
    pods = list(pods)
    for i in range(1, len(pods)):
        j = i
        while j > 0 and more_important(pods[j], pods[j - 1], now):
            pods[j], pods[j - 1] = pods[j - 1], pods[j]
            j -= 1
    return pods


@mirrors("k8s.io/kubernetes/pkg/scheduler/util.GetEarliestPodStartTime")
def earliest_start_of_highest_priority(victims: tuple[dict, ...], now: float) -> float:
    """The earliest start time among the victims of the highest priority."""
    highest = max(map(pod_priority, victims))
    return min(pod_start_time(p, now) for p in victims if pod_priority(p) == highest)


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultpreemption.filterPodsWithPDBViolation")
def filter_pods_with_pdb_violation(pods: list[dict], pdbs: list[dict]) -> tuple[list[dict], list[dict]]:
    """(violating, non-violating), each in `pods` order: a pod violates when, counting the pods
    before it, some budget of its namespace whose selector matches it has no disruption left
    (a pod already among the budget's disruptedPods is not counted against it again)."""
    allowed = [(pdb.get("status") or {}).get("disruptionsAllowed") or 0 for pdb in pdbs]
    violating, non_violating = [], []
    for pod in pods:
        meta = pod["metadata"]
        pod_labels = meta.get("labels") or {}
        violated = False
        if pod_labels:
            for i, pdb in enumerate(pdbs):
                if pdb["metadata"].get("namespace") != meta.get("namespace", "default"):
                    continue
                selector = (pdb.get("spec") or {}).get("selector")
                # A nil selector matches nothing and an empty one is Everything(), which upstream skips too.
                if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
                    continue
                try:
                    if not lbl.selector_matches(selector, pod_labels):
                        continue
                except (lbl.SelectorError, ValueError):
                    continue
                if meta["name"] in ((pdb.get("status") or {}).get("disruptedPods") or {}):
                    continue
                allowed[i] -= 1
                if allowed[i] < 0:
                    violated = True
        (violating if violated else non_violating).append(pod)
    return violating, non_violating


@mirrors("(k8s.io/apimachinery/pkg/util/errors.aggregate).Error")
def aggregate_error(messages: list[str]) -> str:
    """One message as it is; several, each once in their order, joined by ", " in brackets."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/preemption.nodesWherePreemptionMightHelp")
def nodes_where_preemption_might_help(nodes: list[NodeInfo], statuses: dict[str, Status]
                                      ) -> tuple[list[NodeInfo], dict[str, Status]]:
    """The nodes whose failure was not UnschedulableAndUnresolvable, and a status for the others."""
    potential, not_helpful = [], {}
    for info in nodes:
        status = statuses.get(info.name)
        if status is not None and status.code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE:
            not_helpful[info.name] = Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (PREEMPTION_NOT_HELPFUL,))
        else:
            potential.append(info)
    return potential, not_helpful


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/preemption.pickOneNodeForPreemption")
def pick_one_node_for_preemption(candidates: list[Candidate], now: float) -> str:
    """Fewest PDB violations, then the lowest highest-victim priority, the smallest sum of victim
    priorities, the fewest victims, then the latest start of the highest-priority victims; the
    first of a tie. Upstream walks a map at the first step, so its order among ties is random."""
    if not candidates:
        return ""
    steps = (
        lambda c: c.num_pdb_violations,
        lambda c: pod_priority(c.victims[0]),  # the first victim: upstream's "highest" one
        lambda c: sum(pod_priority(p) + 2**31 for p in c.victims),
        lambda c: len(c.victims),
    )
    for step in steps:
        least = min(map(step, candidates))
        candidates = [c for c in candidates if step(c) == least]
        if len(candidates) == 1:
            return candidates[0].name
    chosen, latest = candidates[0], earliest_start_of_highest_priority(candidates[0].victims, now)
    for c in candidates[1:]:
        start = earliest_start_of_highest_priority(c.victims, now)
        if start > latest:
            chosen, latest = c, start
    return chosen.name


class DefaultPreemption(Plugin):
    """The PostFilter plugin. Through its handle (the Framework) it reads the scheduler's cache,
    nominator, waiting pods, PodDisruptionBudgets, clock and random source (`Scheduler` sets them)."""

    name = NAME

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        self.min_candidate_nodes_percentage = int(self.args.get("minCandidateNodesPercentage",
                                                                MIN_CANDIDATE_NODES_PERCENTAGE))
        self.min_candidate_nodes_absolute = int(self.args.get("minCandidateNodesAbsolute",
                                                              MIN_CANDIDATE_NODES_ABSOLUTE))

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultpreemption.DefaultPreemption).PostFilter")
    def post_filter(self, state: CycleState, pod: dict, statuses: dict[str, Status]):
        try:
            return self.preempt(pod, statuses)
        finally:
            if self.handle.metrics is not None:  # every attempt, whatever its outcome
                self.handle.metrics.preemption_attempts.inc()

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/preemption.Evaluator).Preempt")
    def preempt(self, pod: dict, statuses: dict[str, Status]) -> tuple[PostFilterResult | None, Status]:
        nominated = (pod.get("status") or {}).get("nominatedNodeName") or ""
        if not self.pod_eligible_to_preempt_others(pod, statuses.get(nominated)):
            return None, Status(Code.UNSCHEDULABLE)
        candidates, node_statuses, actions, errors = self.find_candidates(pod, statuses)
        if errors and not candidates:
            return None, Status(Code.ERROR, (aggregate_error(errors),))
        if not candidates:
            # A FitError's words over the nodes' preemption statuses (upstream's status message).
            reasons: dict[str, int] = {}
            for status in node_statuses.values():
                for reason in status.reasons:
                    reasons[reason] = reasons.get(reason, 0) + 1
            histogram = ", ".join(sorted(f"{count} {reason}" for reason, count in reasons.items()))
            message = f"0/{len(node_statuses)} nodes are available: {histogram}."
            return PostFilterResult("", tuple(actions)), Status(Code.UNSCHEDULABLE, (message,))
        best = self.select_candidate(candidates)
        return PostFilterResult(best.name, tuple(self.prepare_candidate(best, pod))), Status()

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultpreemption.DefaultPreemption).PodEligibleToPreemptOthers")
    def pod_eligible_to_preempt_others(self, pod: dict, nominated_node_status: Status | None) -> bool:
        """Not with preemptionPolicy Never; not while lower-priority pods on the node it is already
        nominated to are terminating (their room is coming), unless that node is now unresolvable."""
        spec = pod.get("spec") or {}
        if spec.get("preemptionPolicy") == "Never":
            return False
        nominated = (pod.get("status") or {}).get("nominatedNodeName")
        if nominated:
            if nominated_node_status is not None and nominated_node_status.code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE:
                return True
            info = self.handle.cache.nodes.get(nominated)
            if info is not None:
                priority = pod_priority(pod)
                for p in info.pods.values():
                    if p["metadata"].get("deletionTimestamp") and pod_priority(p) < priority:
                        return False
        return True

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/preemption.Evaluator).findCandidates")
    def find_candidates(self, pod: dict, statuses: dict[str, Status]):
        """(candidates, the statuses of the nodes without one, actions, the dry run's errors): with
        no node where preemption might help, the pod's own nomination is cleared."""
        nodes = self.handle.snapshot.node_info_list
        if not nodes:
            raise SchedulerError("no nodes available")
        potential, not_helpful = nodes_where_preemption_might_help(nodes, statuses)
        if not potential:
            actions = [ClearNominatedNodeName(pod["metadata"].get("namespace", "default"), pod["metadata"]["name"])] \
                if (pod.get("status") or {}).get("nominatedNodeName") else []
            return [], not_helpful, actions, []
        pdbs = self.handle.pdb_lister()
        offset, num_candidates = self.get_offset_and_num_candidates(len(potential))
        candidates, node_statuses, errors = self.dry_run_preemption(pod, potential, pdbs, offset, num_candidates)
        node_statuses.update(not_helpful)
        return candidates, node_statuses, [], errors

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultpreemption.DefaultPreemption).GetOffsetAndNumCandidates")
    def get_offset_and_num_candidates(self, num_nodes: int) -> tuple[int, int]:
        return self.handle.rng.randrange(num_nodes), self.calculate_num_candidates(num_nodes)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultpreemption.DefaultPreemption).calculateNumCandidates")
    def calculate_num_candidates(self, num_nodes: int) -> int:
        n = num_nodes * self.min_candidate_nodes_percentage // 100
        return min(max(n, self.min_candidate_nodes_absolute), num_nodes)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/preemption.Evaluator).DryRunPreemption")
    def dry_run_preemption(self, pod: dict, potential: list[NodeInfo], pdbs: list[dict], offset: int,
                           num_candidates: int) -> tuple[list[Candidate], dict[str, Status], list[str]]:
        """Nodes from `offset` round the list until `num_candidates` candidates with one that breaks
        no budget are found: those breaking none first, then the others, each in the order found;
        with the statuses of the nodes without victims and the messages of those that were Errors."""
        non_violating: list[Candidate] = []
        violating: list[Candidate] = []
        node_statuses: dict[str, Status] = {}
        errors: list[str] = []
        for i in range(len(potential)):
            info = potential[(offset + i) % len(potential)]
            try:
                victims, num_violations, status = self.select_victims_on_node(pod, info, pdbs)
            except SchedulerError as err:
                victims, num_violations, status = [], 0, Status(Code.ERROR, (str(err),))
            if status.ok and victims:
                (violating if num_violations else non_violating).append(
                    Candidate(info.name, tuple(victims), num_violations))
                if non_violating and len(non_violating) + len(violating) >= num_candidates:
                    break
                continue
            if status.ok:
                status = Status(Code.ERROR, (f'expected at least one victim pod on node "{info.name}"',))
            if status.code == Code.ERROR:
                errors.append(status.message())
            node_statuses[info.name] = status
        return non_violating + violating, node_statuses, errors

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultpreemption.DefaultPreemption).SelectVictimsOnNode")
    def select_victims_on_node(self, pod: dict, info: NodeInfo, pdbs: list[dict]
                               ) -> tuple[list[dict], int, Status]:
        """(victims, how many of them break a budget, status): the fewest lower-priority pods whose
        eviction makes `pod` fit on `info`, reprieving the most important ones it can."""
        fwk, cache = self.handle, self.handle.cache
        priority = pod_priority(pod)
        potential = [p for p in info.pods.values() if pod_priority(p) < priority]
        if not potential:
            return [], 0, Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
                                 (f"No victims found on node {info.name} for preemptor pod {pod['metadata']['name']}",))
        off = []  # the pods taken off the node for this what-if, put back before returning
        order = list(info.pods)  # and the node's pods in their order: it decides later victims' ties
        try:
            for p in potential:
                cache.trial_remove(info, p)
                off.append(p)
            status = fwk.run_filter_plugins_with_nominated_pods(pod, info)
            if not status.ok:
                return [], 0, status
            now = fwk.clock.now()
            violating, non_violating = filter_pods_with_pdb_violation(more_important_first(potential, now), pdbs)
            victims, num_violations = [], 0
            for group_violates, group in ((True, violating), (False, non_violating)):
                for p in group:
                    cache.trial_add(info, p)
                    off.remove(p)
                    if not fwk.run_filter_plugins_with_nominated_pods(pod, info).ok:
                        cache.trial_remove(info, p)
                        off.append(p)
                        victims.append(p)
                        num_violations += group_violates
            return victims, num_violations, Status()
        finally:
            for p in off:
                cache.trial_add(info, p)
            info.pods = {key: info.pods[key] for key in order}

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/preemption.Evaluator).SelectCandidate")
    def select_candidate(self, candidates: list[Candidate]) -> Candidate:
        if len(candidates) == 1:
            return candidates[0]
        name = pick_one_node_for_preemption(candidates, self.handle.clock.now())
        return next(c for c in candidates if c.name == name)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/preemption.Evaluator).prepareCandidate")
    def prepare_candidate(self, candidate: Candidate, pod: dict) -> list:
        """Evict the victims (a victim waiting on Permit is rejected instead), each with a Preempted
        event about it naming the preemptor, and clear the nomination of lower-priority pods
        nominated to the node."""
        fwk = self.handle
        meta = pod["metadata"]
        namespace = meta.get("namespace", "default")
        actions: list = []
        for victim in candidate.victims:
            key = pod_key(victim)
            if key in fwk.waiting_pods:
                actions.append(RejectWaitingPod(victim["metadata"].get("namespace", "default"),
                                                victim["metadata"]["name"], "preempted"))
            else:
                actions.append(Delete("pods", victim["metadata"].get("namespace", "default"),
                                      victim["metadata"]["name"]))
            actions.append(RecordEvent(fwk.profile.scheduler_name, object_reference(victim, "Pod", "v1"), "Normal",
                                       "Preempted", f"Preempted by {namespace}/{meta['name']} on node {candidate.name}",
                                       "Preempting", related=object_reference(pod, "Pod", "v1")))
        priority = pod_priority(pod)
        for nominated in fwk.nominator.pods_for_node(candidate.name):
            if pod_priority(nominated) < priority and (nominated.get("status") or {}).get("nominatedNodeName"):
                actions.append(ClearNominatedNodeName(nominated["metadata"].get("namespace", "default"),
                                                      nominated["metadata"]["name"]))
        return actions
