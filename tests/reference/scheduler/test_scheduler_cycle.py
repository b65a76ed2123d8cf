"""Whole scheduling cycles: binding, failure reporting, node sampling, tie-breaking and configuration."""
from __future__ import annotations

import json

import pytest
from sched_fixtures import RecordingPostBind, RecordingReserve, fake_clock, node, pod, scheduler

from reference_impl.scheduler import Bind, ConfigError, PatchPodStatus, PluginNotFound, RecordEvent, load_profile
from reference_impl.scheduler.scheduler import bind_error
from reference_impl.machinery import labels as lbl
from reference_impl.scheduler.types import Code, CycleState, Status


def bound(actions):
    return next((a.node for a in actions if isinstance(a, Bind)), None)


def event_about(name, type_, reason, message):
    involved = {"kind": "Pod", "namespace": "default", "name": name, "apiVersion": "v1"}
    # The action each of the scheduler's Eventf calls passes with its reason.
    action = {"Scheduled": "Binding", "FailedScheduling": "Scheduling"}[reason]
    return RecordEvent("default-scheduler", involved, type_, reason, message, action)


def test_full_cycle_binds_to_best_node_and_confirms():
    """A schedulable pod yields Bind + a Scheduled event; the assumed pod then counts against its node."""
    s = scheduler([node("small", cpu="2"), node("big", cpu="8")], [pod("p", cpu="1")])
    actions = s.schedule_one()
    assert actions[0] == Bind("default", "p", "big")
    assert actions[1] == event_about("p", "Normal", "Scheduled", "Successfully assigned default/p to big")
    assert s.cache.nodes["big"].requested.milli_cpu == 1000 and s.cache.is_assumed(pod("p"))
    s.on_pod_add(pod("p", cpu="1", node_name="big"))
    assert not s.cache.is_assumed(pod("p")) and s.cache.nodes["big"].requested.milli_cpu == 1000


def test_an_event_is_about_the_pod_of_the_cycle_from_the_profiles_recorder():
    """Eventf(pod, ...) on the profile's recorder: the involvedObject is the pod the cycle
    scheduled (its uid and resourceVersion), the source the profile's schedulerName."""
    p = pod("p", schedulerName="tight-scheduler")
    p["metadata"].update(uid="u-1", resourceVersion="7")
    s = scheduler([node("n1")], [p], profile=load_profile(data={"schedulerName": "tight-scheduler"}))
    _, event = s.schedule_one()
    assert (event.component, event.involved) == ("tight-scheduler", {
        "kind": "Pod", "namespace": "default", "name": "p", "uid": "u-1", "apiVersion": "v1", "resourceVersion": "7"})


def test_assumed_pod_prevents_overcommit_before_bind_lands():
    """A second pod sees the first, assumed but not yet bound, and does not overcommit its node."""
    s = scheduler([node("n1", cpu="1")], [pod("a", cpu="800m"), pod("b", cpu="800m")])
    assert bound(s.schedule_one()) == "n1"
    assert bound(s.schedule_one()) is None


def test_unschedulable_pod_gets_condition_and_aggregated_event():
    """No fit: FailedScheduling event and PodScheduled=False/Unschedulable, message counting nodes per reason."""
    taint = {"key": "dedicated", "value": "infra", "effect": "NoSchedule"}
    s = scheduler([node("n1", taints=[taint]), node("n2", cpu="1"), node("n3", cpu="1")], [pod("p", cpu="2")])
    event, patch = s.schedule_one()
    message = ("0/3 nodes are available: 1 node(s) had taint {dedicated: infra}, that the pod didn't tolerate, "
               "2 Insufficient cpu.")
    assert event == event_about("p", "Warning", "FailedScheduling", message)
    assert isinstance(patch, PatchPodStatus)
    assert {k: patch.condition[k] for k in ("type", "status", "reason", "message")} == {
        "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
    assert "default/p" in s.queue.unschedulable_q


def test_no_nodes_message():
    """With no nodes at all the pod is Unschedulable with 'no nodes available to schedule pods'."""
    s = scheduler([], [pod("p")])
    event, patch = s.schedule_one()
    assert event.message == "no nodes available to schedule pods" and patch.condition["reason"] == "Unschedulable"


def test_unschedulable_pod_retried_after_node_added():
    """A pod rejected for resources is scheduled once a node that fits is added and its backoff passes."""
    clock = fake_clock()
    s = scheduler([node("n1", cpu="1")], [pod("p", cpu="2")], clock=clock)
    assert bound(s.schedule_one()) is None
    clock.advance(2)
    s.on_node_add(node("n2", cpu="4"))
    assert bound(s.schedule_one()) == "n2"


def test_pod_for_other_scheduler_is_ignored():
    """Pods naming another schedulerName are not queued."""
    s = scheduler([node("n1")], [pod("p", schedulerName="other")])
    assert s.schedule_one() == []


@pytest.mark.parametrize("nodes, percentage, expected", [
    (50, 0, 50),        # under 100 nodes: all
    (1000, 0, 420),     # adaptive: 50 - 1000/125 = 42%
    (5000, 0, 500),     # adaptive: 50 - 40 = 10%
    (10000, 0, 500),    # adaptive floor 5%
    (1000, 5, 100),     # never fewer than 100
    (1000, 100, 1000),  # 100% scores everything
])
def test_num_feasible_nodes_to_find(nodes, percentage, expected):
    """percentageOfNodesToScore: upstream's adaptive 50 - n/125 % (min 5%) when 0, never under 100 nodes."""
    s = scheduler(profile=load_profile(data={"percentageOfNodesToScore": percentage}))
    assert s.num_feasible_nodes_to_find(nodes) == expected


def test_round_robin_start_index_advances_by_processed_nodes():
    """The next cycle starts filtering where the last stopped: index advances by the nodes checked."""
    nodes = [node(f"n{i:03d}") for i in range(200)]
    s = scheduler(nodes, profile=load_profile(data={"percentageOfNodesToScore": 50}))
    s.framework.snapshot = s.cache.update_snapshot()
    state = CycleState()
    from reference_impl.scheduler.scheduler import Diagnosis
    s.framework.run_pre_filter_plugins(state, pod("p"))
    feasible = s.find_nodes_that_pass_filters(state, pod("p"), Diagnosis(), s.framework.snapshot.node_info_list)
    assert len(feasible) == 100 and feasible[0].name == "n000" and s.next_start_node_index == 100
    feasible = s.find_nodes_that_pass_filters(state, pod("p"), Diagnosis(), s.framework.snapshot.node_info_list)
    assert feasible[0].name == "n100" and s.next_start_node_index == 0


def test_start_index_wraps_when_the_node_list_shrank():
    """A start index left past the end by a longer node list counts on from its remainder, as `(start+i) % n`."""
    s = scheduler([node(f"n{i}") for i in range(5)], [pod("p")])
    s.next_start_node_index = 7
    s.framework.snapshot = s.cache.update_snapshot()
    state = CycleState()
    from reference_impl.scheduler.scheduler import Diagnosis
    s.framework.run_pre_filter_plugins(state, pod("p"))
    feasible = s.find_nodes_that_pass_filters(state, pod("p"), Diagnosis(), s.framework.snapshot.node_info_list)
    assert [n.name for n in feasible] == ["n2", "n3", "n4", "n0", "n1"] and s.next_start_node_index == 2


def test_select_host_ties_broken_by_injected_random():
    """Equal top scores are chosen among uniformly via the injected Random; the max always wins otherwise."""
    s = scheduler()
    assert s.select_host([("a", 1), ("b", 5), ("c", 2)]) == "b"
    picks = {scheduler(seed=seed).select_host([("a", 5), ("b", 5), ("c", 5)]) for seed in range(30)}
    assert picks == {"a", "b", "c"}


def test_select_host_draws_as_reservoir_sampling_node_by_node():
    """selectHost's reservoir sampling draws once at every node tying the highest score before it,
    lower running maxima included: the choice and the Random's state after it are those of the
    node-by-node loop, for lists with ties at several levels."""
    import random

    def node_by_node(rng, scores):
        selected, max_score = scores[0]
        count = 1
        for name, score in scores[1:]:
            if score > max_score:
                selected, max_score, count = name, score, 1
            elif score == max_score:
                count += 1
                if rng.randrange(count) == 0:
                    selected = name
        return selected

    lists = random.Random(3)
    for case in range(300):
        scores = [(f"n{i}", lists.randrange(1 + case % 6)) for i in range(1 + lists.randrange(40))]
        s = scheduler(seed=case)
        expected_rng = random.Random(case)
        assert s.select_host(scores) == node_by_node(expected_rng, scores), scores
        assert s.rng.getstate() == expected_rng.getstate()


def test_config_yaml_disables_and_weights(tmp_path):
    """A YAML profile can disable a default plugin and add an out-of-tree one by import path with a weight."""
    path = tmp_path / "sched.yaml"
    path.write_text(
        "plugins:\n"
        "  score:\n"
        "    disabled: [{name: '*'}]\n"
        "    enabled: [{name: 'sched_fixtures:PreferNamed', weight: 3}]\n"
        "  filter:\n"
        "    disabled: [{name: TaintToleration}]\n"
        "pluginConfig:\n"
        "  - {name: PreferNamed, args: {node: n2}}\n")
    profile = load_profile(str(path))
    taint = {"key": "k", "value": "v", "effect": "NoSchedule"}
    s = scheduler([node("n1"), node("n2", taints=[taint]), node("n3")], [pod("p")], profile=profile)
    assert [p.name for p in s.framework.points["score"]] == ["PreferNamed"]
    assert s.framework.weights["PreferNamed"] == 3
    assert bound(s.schedule_one()) == "n2"


def test_a_score_outside_0_to_100_fails_the_cycle_naming_plugin_and_node(tmp_path):
    """RunScorePlugins rejects a score above MaxNodeScore: the pod gets a SchedulerError event."""
    path = tmp_path / "sched.yaml"
    path.write_text("plugins:\n  score:\n    disabled: [{name: '*'}]\n"
                    "    enabled: [{name: 'sched_fixtures:OutOfRangeScore'}]\n"
                    "pluginConfig:\n  - {name: OutOfRangeScore, args: {node: n2}}\n")
    s = scheduler([node("n1"), node("n2"), node("n3")], [pod("p")], profile=load_profile(str(path)))
    events = [a for a in s.schedule_one() if isinstance(a, RecordEvent)]
    assert [(e.reason, e.message) for e in events] == [
        ("FailedScheduling", "plugin OutOfRangeScore returned score 101 for node n2, outside [0, 100]")]


def test_config_json_registry_and_multipoint(tmp_path):
    """A JSON profile registers a plugin name to an import path; multiPoint enables it at every point it implements."""
    path = tmp_path / "sched.json"
    path.write_text(json.dumps({"registry": {"OnlyLabelled": "sched_fixtures:OnlyLabelled"},
                                "plugins": {"multiPoint": {"enabled": [{"name": "OnlyLabelled"}]}}}))
    s = scheduler([node("n1"), node("n2", labels={"allowed": "true"})], [pod("p"), pod("q", cpu="1")],
                  profile=load_profile(str(path)))
    assert bound(s.schedule_one()) == "n2"
    s.on_node_update(node("n2", labels={"allowed": "true"}), node("n2", labels={"allowed": "true"}, cpu="0"))
    event = s.schedule_one()[0]
    assert event.message == "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) not allowed."


def test_config_unknown_plugin_is_a_config_error():
    """Naming a plugin that is neither registered nor importable raises PluginNotFound."""
    with pytest.raises(PluginNotFound):
        scheduler(profile=load_profile(data={"plugins": {"filter": {"enabled": [{"name": "Nope"}]}}}))


def test_config_unknown_extension_point_rejected():
    """An unknown extension point in the configuration is a ConfigError, not silently ignored."""
    with pytest.raises(ConfigError):
        load_profile(data={"plugins": {"filters": {}}})


def test_reserve_failure_unreserves_and_forgets():
    """A Reserve rejection runs Unreserve, forgets the assumed pod and reports a SchedulerError,
    whatever the rejection's code (here Unschedulable), as 1.24's scheduleOne does."""
    RecordingReserve.calls.clear()
    profile = load_profile(data={"plugins": {"reserve": {"enabled": [{"name": "sched_fixtures:RecordingReserve"}]}},
                                 "pluginConfig": [{"name": "RecordingReserve", "args": {"reject": ["n1"]}}]})
    s = scheduler([node("n1")], [pod("p", cpu="1")], profile=profile)
    actions = s.schedule_one()
    assert RecordingReserve.calls == [("reserve", "n1"), ("unreserve", "n1")]
    assert not s.cache.is_assumed(pod("p")) and s.cache.nodes["n1"].requested.milli_cpu == 0
    assert actions[0].reason == "FailedScheduling" and actions[0].message == "reserve rejected"
    assert actions[1].condition["reason"] == "SchedulerError"


def test_a_reserve_rejection_leaves_the_pod_moved_by_the_events_of_its_last_fit_error():
    """1.24 sets a pod's unschedulable plugins from a FitError only: rejected at Reserve after
    failing NodeResourcesFit, the pod is still moved only by that plugin's events (not by an
    assigned pod's add), not by any event as a pod no plugin turned away."""
    profile = load_profile(data={"plugins": {"reserve": {"enabled": [{"name": "sched_fixtures:RecordingReserve"}]}},
                                 "pluginConfig": [{"name": "RecordingReserve", "args": {"reject": ["n1"]}}]})
    s = scheduler([node("n1", cpu="1")], [pod("p", cpu="2")], profile=profile)
    s.schedule_one()  # Insufficient cpu
    s.on_node_update(node("n1", cpu="1"), node("n1", cpu="4"))
    s.clock.advance(10)  # its backoff is over
    s.tick()
    assert s.schedule_one()[0].message == "reserve rejected"
    s.queue.move_all_to_active_or_backoff_queue("AssignedPodAdd")
    assert "default/p" in s.queue.unschedulable_q


def test_a_prebind_failure_is_a_scheduler_error_that_moves_the_unschedulable_pods():
    """PreBind failing: Unreserve, forget the pod, move the unschedulable pods (its room is free
    again) and report a SchedulerError; the pod itself waits out its backoff."""
    profile = load_profile(data={"plugins": {"preBind": {"enabled": [{"name": "sched_fixtures:RefusingPreBind"}]}}})
    s = scheduler([node("n1", cpu="1")], [pod("big", cpu="2")], profile=profile)
    s.schedule_one()
    assert "default/big" in s.queue.unschedulable_q
    s.on_pod_add(pod("p", cpu="1"))
    actions = s.schedule_one()
    assert [(a.condition["reason"], a.condition["message"]) for a in actions if isinstance(a, PatchPodStatus)] == [
        ("SchedulerError", "volume not ready")]
    assert not s.cache.is_assumed(pod("p")) and s.cache.nodes["n1"].requested.milli_cpu == 0
    assert "default/big" not in s.queue.unschedulable_q and "default/p" in s.queue.backoff_q


def test_permit_wait_then_allow_binds():
    """A Permit Wait parks the assumed pod; allowing it later runs the binding cycle."""
    profile = load_profile(data={"plugins": {"permit": {"enabled": [{"name": "sched_fixtures:WaitingPermit"}]}}})
    s = scheduler([node("n1")], [pod("p")], profile=profile)
    assert s.schedule_one() == [] and s.cache.is_assumed(pod("p"))
    assert bound(s.allow_waiting_pod("default/p")) == "n1"


def test_postbind_runs_only_once_the_bind_succeeded():
    """bindingCycle runs RunPostBindPlugins after sched.bind returned no error: not when the
    cycle hands out its Bind, not when the apiserver refuses it, once when it accepts it."""
    profile = load_profile(data={"plugins": {"postBind": {"enabled": [{"name": "sched_fixtures:RecordingPostBind"}]}}})
    s = scheduler([node("n1")], [pod("p"), pod("q")], profile=profile)
    RecordingPostBind.calls.clear()
    assert {bound(s.schedule_one()), bound(s.schedule_one())} == {"n1"}
    assert RecordingPostBind.calls == []
    s.binding_failed("default", "q", "pods \"q\" is forbidden")
    s.binding_succeeded("default", "p")
    assert RecordingPostBind.calls == [("default/p", "n1")]


def test_postbind_runs_when_the_informer_shows_the_pod_bound_before_the_bind_returns():
    """The watch may bring the bound pod before the POST's answer: its PostBind still runs."""
    profile = load_profile(data={"plugins": {"postBind": {"enabled": [{"name": "sched_fixtures:RecordingPostBind"}]}}})
    s = scheduler([node("n1")], [pod("p")], profile=profile)
    RecordingPostBind.calls.clear()
    assert bound(s.schedule_one()) == "n1"
    s.on_pod_update(pod("p"), pod("p", node_name="n1"))
    s.binding_succeeded("default", "p")
    assert RecordingPostBind.calls == [("default/p", "n1")]


def timed_out_actions(s) -> list:
    """The actions of the binding cycles a tick fails: those of the pods whose wait at Permit ran out."""
    return [action for _, actions in s.tick() for action in actions]


def waiting_permit_scheduler(timeout):
    profile = load_profile(data={"plugins": {"permit": {"enabled": [{"name": "sched_fixtures:WaitingPermit"}]}},
                                 "pluginConfig": [{"name": "WaitingPermit", "args": {"timeout": timeout}}]})
    s = scheduler([node("n1", cpu="1")], [pod("p", cpu="1")], profile=profile)
    assert s.schedule_one() == [] and "default/p" in s.waiting_pods
    return s


def test_a_pod_waiting_at_permit_is_rejected_once_its_timeout_passes():
    """newWaitingPod's timer: once the timeout its Permit plugin returned has passed, the pod is
    rejected ("rejected due to timeout after waiting 10s at plugin WaitingPermit") and its
    binding cycle fails as Unschedulable: it is forgotten, its room freed, and it is requeued."""
    s = waiting_permit_scheduler(10)
    s.clock.advance(9.5)
    assert not timed_out_actions(s) and "default/p" in s.waiting_pods
    s.clock.advance(0.5)
    actions = timed_out_actions(s)
    assert "default/p" not in s.waiting_pods and not s.cache.is_assumed(pod("p"))
    assert s.cache.nodes["n1"].requested.milli_cpu == 0 and "default/p" in s.queue.unschedulable_q
    assert [(a.condition["reason"], a.condition["message"]) for a in actions if isinstance(a, PatchPodStatus)] == [
        ("Unschedulable", "rejected due to timeout after waiting 10s at plugin WaitingPermit")]


def test_a_wait_of_zero_at_permit_is_rejected_in_the_same_cycle():
    """newWaitingPod's timer for a wait of 0 (time.AfterFunc(0)) fires at once: the cycle that
    made the pod wait rejects it ("after waiting 0s"), with no tick and no time passing."""
    profile = load_profile(data={"plugins": {"permit": {"enabled": [{"name": "sched_fixtures:WaitingPermit"}]}},
                                 "pluginConfig": [{"name": "WaitingPermit", "args": {"timeout": 0}}]})
    s = scheduler([node("n1", cpu="1")], [pod("p", cpu="1")], profile=profile)
    actions = s.schedule_one()
    assert "default/p" not in s.waiting_pods and not s.cache.is_assumed(pod("p"))
    assert "default/p" in s.queue.unschedulable_q
    assert [(a.condition["reason"], a.condition["message"]) for a in actions if isinstance(a, PatchPodStatus)] == [
        ("Unschedulable", "rejected due to timeout after waiting 0s at plugin WaitingPermit")]


def test_a_pod_bound_elsewhere_while_waiting_at_permit_is_rejected_and_not_requeued():
    """An unassigned pod that becomes assigned is a deletion to the unassigned handler
    (deletePodFromSchedulingQueue: RejectWaitingPod) and an addition to the cache: it stops
    waiting, counts on the node it was bound to only, and no later cycle tries to assume it."""
    s = waiting_permit_scheduler(10)
    s.on_node_add(node("n2", cpu="1"))
    s.on_pod_update(pod("p", cpu="1"), pod("p", cpu="1", node_name="n2"))
    assert "default/p" not in s.waiting_pods and not s.cache.is_assumed(pod("p"))
    assert (s.cache.nodes["n1"].requested.milli_cpu, s.cache.nodes["n2"].requested.milli_cpu) == (0, 1000)
    s.clock.advance(60)
    s.tick()
    assert s.queue.pending_pods() == [] and s.schedule_one() == []


def test_an_update_with_the_same_resource_version_does_not_queue_the_pod():
    """updatePodInSchedulingQueue passes over an update whose resourceVersion is the old one's
    (a re-list delivers every pod so): a pod in no queue, here one being deleted that its cycle
    skipped, is not queued again by it, while a real update (a new resourceVersion) is taken."""
    deleting = pod("p", cpu="1")
    deleting["metadata"].update(resourceVersion="7", deletionTimestamp="1970-01-01T00:00:00Z")
    s = scheduler([node("n1", cpu="1")], [deleting])
    assert s.schedule_one() == [] and s.queue.pending_pods() == []
    s.on_pod_update(deleting, deleting)
    assert s.queue.pending_pods() == []
    s.on_pod_update(deleting, {**deleting, "metadata": {**deleting["metadata"], "resourceVersion": "8"}})
    assert [p["metadata"]["resourceVersion"] for p in s.queue.pending_pods()] == ["8"]


def test_a_failed_cycle_requeues_the_informers_current_pod():
    """MakeDefaultErrorFunc requeues the pod lister's copy, so an update dropped while the pod
    was assumed is not lost; a pod the lister shows bound, or no longer has, is not requeued."""
    s = waiting_permit_scheduler(10)
    current = pod("p", cpu="1")
    current["spec"]["tolerations"] = [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]
    informer = {"default/p": current}
    s.pod_lister = informer.get
    s.on_pod_update(pod("p", cpu="1"), current)
    s.clock.advance(10)
    s.tick()
    assert s.queue.unschedulable_q["default/p"].pod is current
    for listed in ({}, {"default/p": pod("p", cpu="1", node_name="n1")}):
        s = waiting_permit_scheduler(10)
        s.pod_lister = listed.get
        s.clock.advance(10)
        assert timed_out_actions(s) and s.queue.pending_pods() == []


def test_a_pod_deleted_while_waiting_at_permit_gives_back_its_room():
    """deletePodFromSchedulingQueue rejects a waiting pod (RejectWaitingPod, "removed"): its
    binding cycle runs Unreserve and ForgetPod and moves the unschedulable pods, so a pod that
    did not fit beside it now does; the deleted pod is not requeued."""
    s = waiting_permit_scheduler(10)
    actions = s.on_pod_delete(pod("p", cpu="1"))
    assert [(a.condition["reason"], a.condition["message"]) for a in actions if isinstance(a, PatchPodStatus)] == [
        ("Unschedulable", "removed")]
    assert not s.waiting_pods and not s.cache.is_assumed(pod("p")) and not s.queue.pending_pods()
    assert s.cache.nodes["n1"].requested.milli_cpu == 0
    s.on_pod_add(pod("q", cpu="1"))
    assert s.schedule_one() == [] and "default/q" in s.waiting_pods


def test_a_failure_that_comes_later_is_requeued_as_of_the_current_cycle():
    """MakeDefaultErrorFunc requeues with podQueue.SchedulingCycle(), the current cycle: a pod
    whose wait at Permit times out after another pod's cycle is not sent to backoffQ by a move
    request made before that cycle (it goes to unschedulableQ)."""
    s = waiting_permit_scheduler(30)  # p waits, popped in cycle 1
    s.on_node_add(node("n2", cpu="1"))  # a move request in cycle 1
    s.on_pod_add(pod("q", cpu="8"))
    assert s.schedule_one()[0].reason == "FailedScheduling"  # cycle 2
    s.clock.advance(30)
    s.tick()
    assert "default/p" in s.queue.unschedulable_q and "default/p" not in s.queue.backoff_q


def test_a_permit_plugin_returning_a_bare_status_is_taken_with_no_timeout():
    """A plugin written to the earlier Permit contract (a Status alone) still lets the pod bind:
    its Status is taken as (status, 0)."""
    profile = load_profile(data={"plugins": {"permit": {"enabled": [{"name": "sched_fixtures:BarePermit"}]}}})
    s = scheduler([node("n1")], [pod("p")], profile=profile)
    assert bound(s.schedule_one()) == "n1"


def test_a_permit_error_names_its_plugin():
    """RunPermitPlugins wraps a failure that is not Unschedulable as an Error:
    `running Permit plugin "NAME": <message>`, a SchedulerError."""
    profile = load_profile(data={"plugins": {"permit": {"enabled": [{"name": "sched_fixtures:FailingPermit"}]}}})
    s = scheduler([node("n1")], [pod("p")], profile=profile)
    assert [(a.condition["reason"], a.condition["message"]) for a in s.schedule_one()
            if isinstance(a, PatchPodStatus)] == [
        ("SchedulerError", 'running Permit plugin "FailingPermit": quota service down')]


def test_when_every_bind_plugin_skips_the_last_ones_skip_is_reported_with_its_message():
    """RunBindPlugins answers the last plugin's Skip when all skip, and bind words it
    `bind status: Skip, <its message>`."""
    profile = load_profile(data={"plugins": {"bind": {"enabled": [{"name": "sched_fixtures:SkippingBinder"}],
                                                      "disabled": [{"name": "DefaultBinder"}]}}})
    s = scheduler([node("n1")], [pod("p")], profile=profile)
    assert [a.condition["message"] for a in s.schedule_one() if isinstance(a, PatchPodStatus)] == [
        "binding rejected: bind status: Skip, not my pod"]


def test_an_update_of_a_pod_waiting_at_permit_does_not_queue_it_again():
    """updatePodInSchedulingQueue returns at once for an assumed pod: one waiting at Permit
    stays out of the queue when its labels change."""
    s = waiting_permit_scheduler(10)
    before, touched = pod("p", cpu="1"), pod("p", cpu="1")
    before["metadata"]["resourceVersion"] = "1"  # a real update, not a re-list's passed over
    touched["metadata"].update(resourceVersion="2", labels={"touched": "yes"})
    s.on_pod_update(before, touched)
    assert not s.queue.pending_pods() and "default/p" in s.waiting_pods


def test_a_permit_timeout_is_at_most_15_minutes():
    """RunPermitPlugins caps a plugin's timeout at maxTimeout (15 minutes)."""
    s = waiting_permit_scheduler(3600)
    s.clock.advance(15 * 60 - 1)
    assert not timed_out_actions(s) and "default/p" in s.waiting_pods
    s.clock.advance(1)
    actions = timed_out_actions(s)
    assert "default/p" not in s.waiting_pods
    assert [a.condition["message"] for a in actions if isinstance(a, PatchPodStatus)] == [
        "rejected due to timeout after waiting 15m0s at plugin WaitingPermit"]


def test_a_failed_bind_is_worded_as_runbindplugins_and_bind_word_it():
    """A plugin's failure is wrapped as an Error naming it; no plugin binding (all skipped) is
    Scheduler.bind's `bind status: Skip, `."""
    assert bind_error("DefaultBinder", Status(Code.ERROR, ("pods \"p\" not found",))) == \
        'running Bind plugin "DefaultBinder": pods "p" not found'
    assert bind_error("", Status(Code.SKIP)) == "bind status: Skip, "


def test_a_pod_deleted_while_its_bind_is_out_is_only_forgotten_when_the_bind_fails():
    """MakeDefaultErrorFunc requeues only a pod the informer still has: one deleted meanwhile is
    forgotten (its room on the node freed) and nothing is reported about it."""
    s = scheduler([node("n1", cpu="1")], [pod("p", cpu="1")])
    assert bound(s.schedule_one()) == "n1"
    s.on_pod_delete(pod("p", cpu="1"))
    assert s.binding_failed("default", "p", "pods \"p\" not found") == []
    assert not s.cache.is_assumed(pod("p")) and s.cache.nodes["n1"].requested.milli_cpu == 0
    assert not s.queue.pending_pods()


def test_spread_and_anti_affinity_end_to_end():
    """Across cycles, hard zone spreading plus host anti-affinity place one replica per zone first."""
    zone = "topology.kubernetes.io/zone"
    nodes = [node(f"{z}{i}", labels={zone: z}) for z in "abc" for i in range(2)]
    spec = dict(labels={"app": "web"},
                spread=[{"maxSkew": 1, "topologyKey": zone, "whenUnsatisfiable": "DoNotSchedule",
                         "labelSelector": {"matchLabels": {"app": "web"}}}],
                affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}})
    s = scheduler(nodes)
    placed = []
    for i in range(6):
        p = pod(f"w{i}", **spec)
        s.on_pod_add(p)
        host = bound(s.schedule_one())
        s.on_pod_add({**p, "spec": {**p["spec"], "nodeName": host}})
        placed.append(host)
    assert sorted(h[0] for h in placed[:3]) == ["a", "b", "c"]
    assert sorted(placed) == sorted(n["metadata"]["name"] for n in nodes)
    s.on_pod_add(pod("w6", **spec))
    assert "didn't match pod anti-affinity rules" in s.schedule_one()[0].message


def test_assigned_pod_delete_requeues_and_frees_resources():
    """Deleting a bound pod frees its requests and moves pods that failed on resources back for a retry."""
    clock = fake_clock()
    big = pod("big", cpu="3", node_name="n1")
    s = scheduler([node("n1", cpu="4")], [big, pod("p", cpu="2")], clock=clock)
    assert bound(s.schedule_one()) is None and "default/p" in s.queue.unschedulable_q
    clock.advance(2)
    s.on_pod_delete(big)
    assert bound(s.schedule_one()) == "n1"


def test_tick_flushes_backoff():
    """tick() moves pods whose backoff expired to activeQ, as upstream's 1 s flush loop does."""
    clock = fake_clock()
    s = scheduler([node("n1", cpu="1")], [pod("p", cpu="2")], clock=clock)
    info = s.queue.pop()
    s.queue.move_all_to_active_or_backoff_queue("NodeAdd")
    s.queue.add_unschedulable_if_not_present(info, s.queue.scheduling_cycle)
    clock.advance(1.5)
    s.tick()
    assert "default/p" in s.queue.active_q


def test_a_pod_that_fits_nowhere_is_retried_by_the_30_second_leftover_flush():
    """With no event to move it, a pod that fits no node waits in unschedulableQ until the
    leftover flush, which 1.24 runs every 30 s (the first at once) and which moves pods there
    longer than 60 s: failed just after a flush, it is 60 s in at the second flush after it and
    moved by the third, tried again 90 s after its failure, not 61 s, though tick() runs every
    second and other pods are bound meanwhile. The real kube-scheduler
    (-v=2) logged its two attempts 71.4 s apart: 60 s and the wait for its next 30 s flush."""
    clock = fake_clock()
    s = scheduler([node("n1", cpu="1", pods=500)], [pod("big", cpu="2")], clock=clock)
    s.tick()
    clock.advance(0.5)
    started, attempts = clock.now(), []
    for second in range(121):
        s.on_pod_add(pod(f"small-{second}", cpu="1m"))
        actions = s.schedule_one() + s.schedule_one()
        for action in actions:
            if isinstance(action, Bind):
                s.on_pod_add(pod(action.pod, cpu="1m", node_name=action.node))
            elif isinstance(action, PatchPodStatus):
                attempts.append((action.pod, clock.now() - started))
        clock.advance(1)
        s.tick()
    assert attempts == [("big", 0), ("big", 90)]


def test_config_accepts_kube_scheduler_configuration(tmp_path):
    """A whole KubeSchedulerConfiguration is accepted: its first profile and top-level percentageOfNodesToScore."""
    path = tmp_path / "config.yaml"
    path.write_text(
        "apiVersion: kubescheduler.config.k8s.io/v1beta3\n"
        "kind: KubeSchedulerConfiguration\n"
        "percentageOfNodesToScore: 30\n"
        "profiles:\n"
        "  - schedulerName: my-scheduler\n"
        "    plugins:\n"
        "      score:\n"
        "        enabled: [{name: TaintToleration, weight: 7}]\n")
    profile = load_profile(str(path))
    assert profile.scheduler_name == "my-scheduler" and profile.percentage_of_nodes_to_score == 30
    assert scheduler(profile=profile).framework.weights["TaintToleration"] == 7


CONFIG = "apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n"


@pytest.mark.parametrize("text, problem", [
    ("apiVersion: kubescheduler.config.k8s.io/v9\nkind: KubeSchedulerConfiguration\n",
     'no kind "KubeSchedulerConfiguration" is registered for version "kubescheduler.config.k8s.io/v9" '
     'in scheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme/scheme.go:30"'),
    ("kind: KubeSchedulerConfiguration\nprofiles: []\n",
     "Object 'apiVersion' is missing in 'kind: KubeSchedulerConfiguration\\nprofiles: []\\n'"),
    # the real kube-scheduler 1.24's words, compared side by side: encoding/json's first type error,
    # then, with none, every unknown field in the order of the JSON's sorted keys
    (CONFIG + "profiles: 5\n", "json: cannot unmarshal number into Go struct field KubeSchedulerConfiguration.profiles "
                              "of type []v1beta3.KubeSchedulerProfile"),
    (CONFIG + "profiles:\n- plugins: {score: {enabled: [{name: 5}]}}\n",
     "json: cannot unmarshal number into Go struct field Plugin.profiles.plugins.score.enabled.name of type string"),
    (CONFIG + "profiles:\n- plugins: {score: {enabled: [{name: NodeResourcesFit, weight: x}]}}\n",
     "json: cannot unmarshal string into Go struct field Plugin.profiles.plugins.score.enabled.weight of type int32"),
    (CONFIG + "parallelism: 3000000000\n", "json: cannot unmarshal number 3000000000 into Go struct field "
                                          "KubeSchedulerConfiguration.parallelism of type int32"),
    (CONFIG + "profiles:\n- plugins: 5\n", "json: cannot unmarshal number into Go struct field "
                                          "KubeSchedulerProfile.profiles.plugins of type v1beta3.Plugins"),
    (CONFIG + "foo: 1\nbar: 2\n", 'strict decoding error: unknown field "bar", unknown field "foo"'),
    (CONFIG + "profiles:\n- foo: 1\n  plugins: {bar: {}}\n",
     'strict decoding error: unknown field "foo", unknown field "bar"'),
    (CONFIG + "healthzBindAddress: 1.2.3.4\n", 'strict decoding error: unknown field "healthzBindAddress"'),
    (CONFIG.replace("v1beta3", "v1beta2") + "healthzBindAddress: 5\n",  # a v1beta2 field
     "json: cannot unmarshal number into Go struct field KubeSchedulerConfiguration.healthzBindAddress of type string"),
    (CONFIG + "profiles:\n- pluginConfig: [{name: InterPodAffinity, args: {hardPodAffinityWeight: x}}]\n",
     "decoding .profiles[0].pluginConfig[0]: decoding args for plugin InterPodAffinity: json: cannot unmarshal "
     "string into Go struct field InterPodAffinityArgs.hardPodAffinityWeight of type int32"),
    (CONFIG + "profiles:\n- pluginConfig: [{name: InterPodAffinity, args: {foo: 1}}]\n",
     'decoding .profiles[0].pluginConfig[0]: decoding args for plugin InterPodAffinity: strict decoding error: '
     'unknown field "foo"'),
    (CONFIG + "profiles:\n- schedulerName: a\n- schedulerName: a\n",
     'profiles[1].schedulerName: Duplicate value: "a"'),
    (CONFIG + "profiles:\n- schedulerName: ''\n", "profiles[0].schedulerName: Required value"),
    (CONFIG + "parallelism: 0\npercentageOfNodesToScore: 200\n",
     "[parallelism: Invalid value: 0: should be an integer value greater than zero, "
     "percentageOfNodesToScore: Invalid value: 200: not in valid range [0-100]]"),
    (CONFIG + "podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 2\n",
     "podMaxBackoffSeconds: Invalid value: 2: must be greater than or equal to PodInitialBackoffSeconds"),
    (CONFIG + "profiles:\n- schedulerName: a\n- schedulerName: b\n",
     "the reference scheduler runs one profile; this configuration has 2"),
    # the reference's one-profile shorthand
    ("plugins: 5\n", "plugins: Invalid value: expected an object, got an integer"),
    ("plugins: {score: {enabled: [{name: NodeResourcesFit, weight: x}]}}\n",
     "plugins.score.enabled[0].weight: Invalid value: expected an integer, got a string"),
    ("registry: {a: 1}\n", "registry.a: Invalid value: expected a string, got an integer"),
    # plugin args
    (CONFIG + "profiles:\n- pluginConfig: [{name: InterPodAffinity, args: {hardPodAffinityWeight: 101}}]\n",
     "profiles[0].pluginConfig[0].args.hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]"),
    ("pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: 5}}]\n",
     "pluginConfig[0].args.scoringStrategy: Invalid value: expected an object, got an integer"),
    ("pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {resources: [{name: cpu, weight: 101}]}}}]\n",
     "pluginConfig[0].args.resources[0].weight: Invalid value: 101: resource weight of cpu not in valid range (0, 100]"),
    ("pluginConfig: [{name: NodeResourcesBalancedAllocation, args: {resources: [{name: cpu, weight: 2}, {name: cpu}]}}]\n",
     '[pluginConfig[0].args.resources[0].weight: Invalid value: 2: must be 1, '
     'pluginConfig[0].args.resources[1].name: Duplicate value: "cpu"]'),
    (CONFIG + "profiles:\n- pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 150}}]\n",
     "profiles[0].pluginConfig[0].args.minCandidateNodesPercentage: Invalid value: 150: not in valid range [0, 100]"),
    ("pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0}}]\n",
     "[pluginConfig[0].args.minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as "
     "minCandidateNodesAbsolute, pluginConfig[0].args.minCandidateNodesAbsolute: Invalid value: 0: cannot be zero "
     "at the same time as minCandidateNodesPercentage]"),
    ("pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesAbsolute: -1}}]\n",
     "pluginConfig[0].args.minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)"),
    (CONFIG + "profiles:\n- pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesAbsolute: x}}]\n",
     "decoding .profiles[0].pluginConfig[0]: decoding args for plugin DefaultPreemption: json: cannot unmarshal "
     "string into Go struct field DefaultPreemptionArgs.minCandidateNodesAbsolute of type int32"),
    ("pluginConfig: [{name: InterPodAffinity}, {name: InterPodAffinity}]\n",
     'pluginConfig[1]: Duplicate value: "InterPodAffinity"'),
])
def test_a_configuration_kube_scheduler_refuses_is_a_config_error(tmp_path, text, problem):
    """What ValidateKubeSchedulerConfiguration (or decoding) refuses, in its words; a second
    profile, which the reference cannot run, is refused rather than ignored."""
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_profile(str(path))
    assert str(info.value) == f"{path}: {problem}"


def test_config_unparsable_file_is_a_config_error(tmp_path):
    """A file that is not valid YAML raises ConfigError naming the file, on one line."""
    path = tmp_path / "bad.yaml"
    path.write_text("plugins: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        load_profile(str(path))
    assert str(info.value) == f"{path}: yaml: line 2: expected ',' or ']', but got '<stream end>'"


def test_a_config_file_that_cannot_be_read_is_refused_in_os_words(tmp_path):
    """As the real kube-scheduler says it: open PATH: no such file or directory."""
    with pytest.raises(ConfigError, match=f"^open {tmp_path}/missing.yaml: no such file or directory$"):
        load_profile(str(tmp_path / "missing.yaml"))


def test_node_heartbeat_alone_does_not_count_as_a_scheduling_change():
    """nodeConditionsChanged compares condition types and statuses only, not heartbeat times."""
    from reference_impl.scheduler.scheduler import _node_scheduling_properties_changed
    old = node("n1")
    old["status"]["conditions"] = [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-01-01T00:00:00Z"}]
    beat = json.loads(json.dumps(old))
    beat["status"]["conditions"][0]["lastHeartbeatTime"] = "2026-01-01T00:00:10Z"
    not_ready = json.loads(json.dumps(beat))
    not_ready["status"]["conditions"][0]["status"] = "False"
    assert not _node_scheduling_properties_changed(old, beat)
    assert _node_scheduling_properties_changed(beat, not_ready)


def test_quantities_beyond_int64_saturate_instead_of_failing():
    """resource.Quantity takes any exponent ("1e400" is valid): such a request is larger than any
    node and such an allocatable fits any pod, where converting the float raised before."""
    s = scheduler([node("huge", memory="1e400"), node("n1")],
                  [pod("greedy", cpu="1e400"), pod("p", cpu="1", memory="1e400")])
    event, _ = s.schedule_one()
    assert event.reason == "FailedScheduling" and "Insufficient cpu" in event.message
    assert bound(s.schedule_one()) == "huge"


def test_a_plugin_that_raises_is_not_turned_into_a_status():
    """An exception out of a Filter plugin is a Go plugin's panic, not its Error status: it leaves
    schedule_one for the runner to end the process on (see test_scheduler_runner); only a
    Status error becomes FailedScheduling with reason SchedulerError."""
    profile = load_profile(data={"plugins": {"filter": {"enabled": [{"name": "sched_fixtures:RaisingFilter"}]}},
                                 "pluginConfig": [{"name": "RaisingFilter", "args": {"pods": ["bad"]}}]})
    s = scheduler([node("n1")], [pod("bad")], profile=profile)
    with pytest.raises(KeyError, match="spec"):
        s.schedule_one()


@pytest.mark.parametrize("selector, problem", [
    ({"matchExpressions": [{"key": "a", "operator": "In"}]},
     "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"),
    ({"matchExpressions": [{"key": "a", "operator": "Bogus", "values": ["b"]}]},
     '"Bogus" is not a valid pod selector operator'),
    ({"matchExpressions": [{"operator": "Exists"}]}, 'key: Invalid value: "": name part must be non-empty'),
    ({"matchLabels": {"bad key!": "x"}}, 'key: Invalid value: "bad key!": name part must consist of'),
])
def test_an_invalid_hard_spread_selector_fails_prefilter_and_leaves_the_pod_unscheduled(selector, problem):
    """The apiserver stores a spread constraint's labelSelector unchecked; 1.24's PreFilter gets
    LabelSelectorAsSelector's error, an Error status, and scheduleOne records it as Unschedulable."""
    spread = [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": selector}]
    s = scheduler([node("n1", labels={"zone": "a"})], [pod("p", labels={"a": "b"}, spread=spread)])
    event, patch = s.schedule_one()
    prefix = ('running PreFilter plugin "PodTopologySpread": '
              "obtaining pod's hard topology spread constraints: ")
    assert event.reason == "FailedScheduling" and event.message.startswith(prefix + problem)
    assert (patch.condition["reason"], patch.condition["message"]) == ("Unschedulable", event.message)


def test_an_invalid_soft_spread_selector_fails_prescore():
    """PreScore converts the ScheduleAnyway selectors the same way; its error fails the cycle (two
    feasible nodes, as with one schedulePod takes it without scoring)."""
    spread = [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway",
               "labelSelector": {"matchExpressions": [{"key": "a", "operator": "NotIn"}]}}]
    s = scheduler([node("n1", labels={"zone": "a"}), node("n2", labels={"zone": "b"})], [pod("p", spread=spread)])
    event, patch = s.schedule_one()
    assert event.message == (
        'running PreScore plugin "PodTopologySpread": calculating preScoreState: '
        "obtaining pod's soft topology spread constraints: values: Invalid value: []string(nil): "
        "for 'in', 'notin' operators, values set can't be empty")
    assert patch.condition["reason"] == "Unschedulable"


def test_an_invalid_pod_affinity_selector_makes_the_pod_unschedulable_and_unresolvable():
    """NewPodInfo keeps LabelSelectorAsSelector's error as ParseError; InterPodAffinity's PreFilter
    returns it as UnschedulableAndUnresolvable, `parsing pod: <list>Terms: <error>`, for every node.
    A term without `key` is such an error, not an exception."""
    affinity = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "zone", "labelSelector": {"matchExpressions": [{"operator": "Exists"}]}}]}}
    s = scheduler([node("n1", labels={"zone": "a"}), node("n2", labels={"zone": "b"})],
                  [pod("p", labels={"a": "b"}, affinity=affinity)])
    event, patch = s.schedule_one()
    assert event.message == ('0/2 nodes are available: 2 parsing pod: requiredAntiAffinityTerms: key: Invalid value: "": '
                             + "; ".join(lbl.qualified_name_problems("")) + ".")
    assert patch.condition["reason"] == "Unschedulable"


def test_an_existing_pod_with_an_invalid_affinity_selector_does_not_stop_others():
    """An assigned pod whose terms do not parse counts with none of them (getAffinityTerms returns
    nil with its error): a pod its NotIn without values, read leniently, would repel still binds."""
    affinity = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "zone", "labelSelector": {"matchExpressions": [{"key": "a", "operator": "NotIn"}]}}]}}
    s = scheduler([node("n1", labels={"zone": "a"})],
                  [pod("old", labels={"a": "b"}, node_name="n1", affinity=affinity), pod("p", labels={"a": "b"})])
    assert bound(s.schedule_one()) == "n1"
