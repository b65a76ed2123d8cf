"""DefaultPreemption (1.24's defaultpreemption and framework/preemption), one rule a test: who may
preempt, which nodes are tried, which pods are evicted, which node is chosen, and what a later
cycle makes of the nomination."""
from __future__ import annotations

import random

from sched_fixtures import fake_clock, node, pod, scheduler

from reference_impl.machinery.actions import Delete
from reference_impl.scheduler import Bind, PatchPodStatus, RecordEvent, load_profile
from reference_impl.scheduler.plugins.defaultpreemption import (
    PREEMPTION_NOT_HELPFUL, Candidate, DefaultPreemption, aggregate_error, filter_pods_with_pdb_violation,
    pick_one_node_for_preemption,
)
from reference_impl.scheduler.errors import SchedulerError
from reference_impl.scheduler.types import ClearNominatedNodeName, Code, RejectWaitingPod, Status


def on(node_name, name, priority, cpu="1", **kw):
    return pod(name, cpu=cpu, node_name=node_name, priority=priority, **kw)


def deleted(actions):
    return sorted(a.name for a in actions if isinstance(a, Delete))


def nominated(actions):
    return next((a.nominated_node_name for a in actions if isinstance(a, PatchPodStatus)), None)


def pdb(name, labels, allowed, disrupted=(), namespace="default"):
    return {"metadata": {"name": name, "namespace": namespace},
            "spec": {"selector": {"matchLabels": labels}},
            "status": {"disruptionsAllowed": allowed, "disruptedPods": {p: "2026-01-01T00:00:00Z" for p in disrupted}}}


def test_a_pod_that_fits_nowhere_evicts_the_fewest_lower_priority_pods_and_is_nominated():
    """All lower-priority pods come off; the most important are put back while the pod still fits:
    here the priority-2 pod stays and only the priority-1 pod is evicted."""
    s = scheduler([node("n1", cpu="2")], [on("n1", "low1", 1), on("n1", "low2", 2), pod("high", cpu="1", priority=10)])
    actions = s.schedule_one()
    assert deleted(actions) == ["low1"]
    assert nominated(actions) == "n1"
    assert s.queue.nominator.node_of["default/high"] == "n1"
    # The what-if left the node as it was: both pods still count until their deletion arrives.
    assert s.cache.nodes["n1"].requested.milli_cpu == 2000 and len(s.cache.nodes["n1"].pods) == 2


def test_of_two_equal_pods_not_started_the_one_added_first_is_evicted():
    """MoreImportantPod gives a pod with no startTime time.Now() when compared, the first compared
    the earlier: the insertion sort then puts the later-added pod first, and reprieves it (what
    the real kube-scheduler did with two such pods, compared side by side)."""
    s = scheduler([node("n1", cpu="2")], [on("n1", "first", 0), on("n1", "second", 0), pod("high", cpu="1", priority=10)])
    assert deleted(s.schedule_one()) == ["first"]
    started = on("n1", "second", 0)
    started["status"] = {"startTime": "1970-01-01T00:00:00Z"}  # started before now: more important
    s = scheduler([node("n1", cpu="2")], [started, on("n1", "first", 0), pod("high", cpu="1", priority=10)])
    assert deleted(s.schedule_one()) == ["first"]


def test_the_dry_run_leaves_each_nodes_pods_in_their_order():
    """Upstream's what-ifs work on a clone of the NodeInfo; ours, made in place, put the pods back
    in their order, which decides the victim among equal pods of a later preemption."""
    s = scheduler([node("n1", cpu="2"), node("n2", cpu="1")],
                  [on("n1", "first", 0), on("n1", "second", 0), on("n2", "x", -1), pod("high", cpu="1", priority=10)])
    before = list(s.cache.nodes["n1"].pods)
    assert deleted(s.schedule_one()) == ["x"]  # n1 was tried too, both its pods taken off and put back
    assert list(s.cache.nodes["n1"].pods) == before


def test_each_victim_gets_a_preempted_event_naming_the_preemptor_as_related():
    s = scheduler([node("n1", cpu="1")], [on("n1", "low", 0), pod("high", cpu="1", priority=10)])
    events = [a for a in s.schedule_one() if isinstance(a, RecordEvent) and a.reason == "Preempted"]
    assert len(events) == 1
    event = events[0]
    assert (event.type, event.action, event.message) == ("Normal", "Preempting", "Preempted by default/high on node n1")
    assert event.involved["name"] == "low" and event.related["name"] == "high"


def test_the_failure_is_still_reported_with_the_filters_message():
    """1.24's FailedScheduling message is the FitError's: preemption adds nothing to it."""
    s = scheduler([node("n1", cpu="1")], [on("n1", "low", 0), pod("high", cpu="1", priority=10)])
    events = [a for a in s.schedule_one() if isinstance(a, RecordEvent) and a.reason == "FailedScheduling"]
    assert events[0].message == "0/1 nodes are available: 1 Insufficient cpu."


def test_a_victim_waiting_on_permit_is_to_be_rejected_in_turn_not_deleted():
    """prepareCandidate: a victim that waits on Permit is rejected ("preempted") instead of deleted,
    in its turn among the victims' deletions, which the adapter makes: the cycle that chooses it
    leaves it waiting, still assumed on its node."""
    profile = load_profile(data={"plugins": {"permit": {"enabled": [{"name": "sched_fixtures:WaitingPermit"}]}}})
    s = scheduler([node("n1", cpu="1")], [pod("low", cpu="1", priority=0)], profile=profile)
    assert s.schedule_one() == [] and "default/low" in s.waiting_pods
    s.on_pod_add(pod("high", cpu="1", priority=10))
    actions = s.schedule_one()
    assert [a for a in actions if isinstance(a, (Delete, RejectWaitingPod))] == [
        RejectWaitingPod("default", "low", "preempted")]
    assert [(a.reason, a.involved["name"]) for a in actions if isinstance(a, RecordEvent)] == [
        ("Preempted", "low"), ("FailedScheduling", "high")]
    assert "default/low" in s.waiting_pods and s.cache.is_assumed(pod("low"))
    assert nominated(actions) == "n1"


def test_a_pod_with_preemption_policy_never_evicts_nothing():
    s = scheduler([node("n1", cpu="1")], [on("n1", "low", 0),
                                          pod("high", cpu="1", priority=10, preemptionPolicy="Never")])
    actions = s.schedule_one()
    assert deleted(actions) == [] and nominated(actions) == ""


def test_pods_of_equal_priority_are_not_victims():
    s = scheduler([node("n1", cpu="1")], [on("n1", "peer", 10), pod("high", cpu="1", priority=10)])
    actions = s.schedule_one()
    assert deleted(actions) == [] and nominated(actions) == ""


def test_a_node_failing_unschedulable_and_unresolvable_is_not_tried():
    """A node the pod's nodeSelector excludes is not a candidate, however many victims it has."""
    s = scheduler([node("n1", cpu="1", labels={"zone": "a"}), node("n2", cpu="1", labels={"zone": "b"})],
                  [on("n1", "low1", 0), on("n2", "low2", 0),
                   pod("high", cpu="1", priority=10, node_selector={"zone": "b"})])
    actions = s.schedule_one()
    assert deleted(actions) == ["low2"] and nominated(actions) == "n2"


def test_with_no_node_where_preemption_helps_the_statuses_say_so():
    s = scheduler([node("n1", labels={"zone": "a"})], [pod("high", priority=10, node_selector={"zone": "b"})])
    plugin = s.framework.plugins["DefaultPreemption"]
    s.framework.snapshot = s.cache.update_snapshot()
    statuses = {"n1": Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, ("x",))}
    candidates, node_statuses, _, _ = plugin.find_candidates(pod("high", priority=10), statuses)
    assert candidates == [] and node_statuses["n1"].reasons == (PREEMPTION_NOT_HELPFUL,)


def test_the_node_whose_victims_have_the_lowest_highest_priority_is_chosen():
    s = scheduler([node("n1", cpu="1"), node("n2", cpu="1")],
                  [on("n1", "mid", 5), on("n2", "low", 3), pod("high", cpu="1", priority=10)])
    actions = s.schedule_one()
    assert deleted(actions) == ["low"] and nominated(actions) == "n2"


def test_the_node_whose_victims_sum_lower_is_chosen_at_equal_highest_priorities():
    """The sum adds 2^31 to each victim's priority, so at equal priorities one victim beats two."""
    s = scheduler([node("n1", cpu="2"), node("n2", cpu="2")],
                  [on("n1", "a1", 0), on("n1", "a2", 0), on("n2", "b1", 0, cpu="2"),
                   pod("high", cpu="2", priority=10)])
    actions = s.schedule_one()
    assert deleted(actions) == ["b1"] and nominated(actions) == "n2"


def test_pick_one_node_rules_in_their_order():
    now = 1000.0

    def victim(name, priority, start=None):
        p = pod(name, priority=priority)
        if start:
            p["status"] = {"startTime": start}
        return p

    def c(name, victims, violations=0):
        return Candidate(name, tuple(victims), violations)

    # Fewest PDB violations first, whatever the priorities.
    assert pick_one_node_for_preemption([c("a", [victim("x", 1)], 1), c("b", [victim("y", 9)], 0)], now) == "b"
    # Then the lowest priority of the first (highest) victim.
    assert pick_one_node_for_preemption([c("a", [victim("x", 5)]), c("b", [victim("y", 4), victim("z", 4)])],
                                        now) == "b"
    # Then the smallest sum of priorities (each plus 2^31).
    assert pick_one_node_for_preemption([c("a", [victim("x", 4), victim("w", 3)]),
                                         c("b", [victim("y", 4), victim("z", 2)])], now) == "b"
    # Then the fewest victims.
    assert pick_one_node_for_preemption([c("a", [victim("x", 4), victim("w", -2**31)]), c("b", [victim("y", 4)])],
                                        now) == "b"
    # Then the latest start of the highest-priority victims; a tie goes to the first.
    early, late = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"
    assert pick_one_node_for_preemption([c("a", [victim("x", 4, early)]), c("b", [victim("y", 4, late)])],
                                        now) == "b"
    assert pick_one_node_for_preemption([c("a", [victim("x", 4, late)]), c("b", [victim("y", 4, late)])],
                                        now) == "a"


def test_pdb_violation_counts_each_budgets_allowance_and_skips_disrupted_pods():
    pods = [pod("a", labels={"app": "x"}), pod("b", labels={"app": "x"}), pod("c", labels={"app": "x"}),
            pod("d", labels={"app": "y"}), pod("e")]
    violating, ok = filter_pods_with_pdb_violation(pods, [pdb("x", {"app": "x"}, 1, disrupted=["a"]),
                                                         pdb("other-ns", {"app": "y"}, 0, namespace="kube-system")])
    assert [p["metadata"]["name"] for p in violating] == ["c"]
    assert [p["metadata"]["name"] for p in ok] == ["a", "b", "d", "e"]


def test_a_node_whose_victims_break_no_budget_is_preferred():
    s = scheduler([node("n1", cpu="1"), node("n2", cpu="1")],
                  [on("n1", "guarded", 0, labels={"app": "db"}), on("n2", "free", 5), pod("high", cpu="1", priority=10)])
    s.on_pdb_add(pdb("db", {"app": "db"}, 0))
    actions = s.schedule_one()
    assert deleted(actions) == ["free"] and nominated(actions) == "n2"


def test_victims_that_would_break_a_budget_are_reprieved_first():
    """Of two equal victims, the one a budget protects is put back first, so the other goes
    (without the budget, the first found would be put back and the protected one evicted)."""
    s = scheduler([node("n1", cpu="2")], [on("n1", "free", 0), on("n1", "guarded", 0, labels={"app": "db"}),
                                          pod("high", cpu="1", priority=10)])
    s.on_pdb_add(pdb("db", {"app": "db"}, 0))
    assert deleted(s.schedule_one()) == ["free"]


def test_not_eligible_while_lower_priority_pods_on_its_nominated_node_terminate():
    terminating = on("n1", "low", 0)
    terminating["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    high = pod("high", cpu="1", priority=10)
    high["status"] = {"nominatedNodeName": "n1"}
    s = scheduler([node("n1", cpu="1"), node("n2", cpu="1")], [terminating, on("n2", "other", 0), high])
    actions = s.schedule_one()
    assert deleted(actions) == [] and nominated(actions) == ""


def test_lower_priority_pods_nominated_to_the_node_lose_their_nomination():
    mid = pod("mid", cpu="1", priority=5)
    mid["status"] = {"nominatedNodeName": "n1"}
    s = scheduler([node("n1", cpu="1")], [on("n1", "low", 0), mid, pod("high", cpu="1", priority=10)])
    actions = s.schedule_one()  # high first: the queue orders by priority
    assert deleted(actions) == ["low"]
    assert ClearNominatedNodeName("default", "mid") in actions


def test_a_later_cycle_counts_pods_nominated_to_a_node_of_no_lower_priority():
    """After high is nominated to n1, a lower-priority pod does not take the room being made
    there, while a pod of higher priority than the nominee may."""
    s = scheduler([node("n1", cpu="1")], [on("n1", "low", 0), pod("high", cpu="1", priority=10)])
    s.schedule_one()
    s.on_pod_delete(on("n1", "low", 0))  # the eviction lands
    s.on_pod_add(pod("mid", cpu="1", priority=5))  # high waits out its backoff: mid's cycle comes first
    actions = s.schedule_one()
    assert actions[0].message == "0/1 nodes are available: 1 Insufficient cpu."
    s.on_pod_add(pod("top", cpu="1", priority=20))
    assert any(isinstance(a, Bind) and a.node == "n1" for a in s.schedule_one())


def test_the_preemptor_lands_on_its_nominated_node_once_the_victims_are_gone():
    """The nominated node is tried alone first (PreferNominatedNode): the pod lands there even
    when an emptier node, which scoring would prefer, has come free meanwhile."""
    clock = fake_clock()
    s = scheduler([node("n1", cpu="1"), node("n2", cpu="4")],
                  [on("n1", "a", 0), on("n2", "big", 20, cpu="4"), pod("high", cpu="1", priority=10)], clock=clock)
    assert nominated(s.schedule_one()) == "n1"
    before, high = pod("high", cpu="1", priority=10), pod("high", cpu="1", priority=10)
    before["metadata"]["resourceVersion"], high["metadata"]["resourceVersion"] = "1", "2"  # the nomination's patch
    high["status"] = {"nominatedNodeName": "n1"}
    s.on_pod_update(before, high)
    s.on_pod_delete(on("n1", "a", 0))
    s.on_pod_delete(on("n2", "big", 20, cpu="4"))
    clock.advance(2)
    s.tick()
    actions = s.schedule_one()
    assert [a.node for a in actions if isinstance(a, Bind)] == ["n1"]
    assert "default/high" not in s.queue.nominator.node_of  # assumed: no longer nominated


def test_the_dry_run_starts_at_a_seeded_offset_and_stops_at_enough_candidates():
    """With minCandidateNodesAbsolute 1 and percentage 0, the first node tried from the random
    offset is the one chosen among identical nodes."""
    profile = load_profile(data={"pluginConfig": [{"name": "DefaultPreemption", "args": {
        "minCandidateNodesPercentage": 0, "minCandidateNodesAbsolute": 1}}]})
    names = [f"n{i}" for i in range(7)]
    for seed in range(4):
        s = scheduler([node(n, cpu="1") for n in names], [on(n, f"v{n}", 0) for n in names]
                      + [pod("high", cpu="1", priority=10)], profile=profile, seed=seed)
        expected = names[random.Random(seed).randrange(len(names))]
        assert nominated(s.schedule_one()) == expected


def test_the_number_of_candidates_is_ten_percent_at_least_100_at_most_all():
    plugin = DefaultPreemption()
    assert [plugin.calculate_num_candidates(n) for n in (5, 100, 1000, 5000)] == [5, 100, 100, 500]


def test_the_nominator_keeps_an_in_memory_nomination_across_an_update_without_one():
    s = scheduler([node("n1", cpu="1")], [on("n1", "low", 0), pod("high", cpu="1", priority=10)])
    s.schedule_one()
    before = pod("high", cpu="1", priority=10)
    before["metadata"]["resourceVersion"] = "1"  # a real update, not a re-list's passed over
    s.on_pod_update(before, {**before, "metadata": {
        "name": "high", "namespace": "default", "labels": {"x": "y"}, "resourceVersion": "2"}})
    assert s.queue.nominator.node_of["default/high"] == "n1"
    s.on_pod_delete(pod("high", cpu="1", priority=10))
    assert s.queue.nominator.pods_by_node == {}


def test_an_error_in_the_dry_run_is_the_status_when_no_node_is_a_candidate():
    """findCandidates returns the dry run's errors (an aggregate: one message as it is, several in
    brackets, each once); with no candidate, Preempt returns them as an Error status, not a FitError."""
    s = scheduler([node("n1", cpu="1"), node("n2", cpu="1")],
                  [on("n1", "low1", 0), on("n2", "low2", 0), pod("high", cpu="1", priority=10)])
    plugin = s.framework.plugins["DefaultPreemption"]
    s.framework.snapshot = s.cache.update_snapshot()

    def broken(pod_, info, pdbs):
        if info.name == "n1":
            raise SchedulerError("n1 broke")
        return [], 0, Status()  # fits without evicting anything: "expected at least one victim"

    plugin.select_victims_on_node = broken
    statuses = {"n1": Status(Code.UNSCHEDULABLE, ("Insufficient cpu",)),
                "n2": Status(Code.UNSCHEDULABLE, ("Insufficient cpu",))}
    result, status = plugin.preempt(pod("high", cpu="1", priority=10), statuses)
    assert result is None and status.code == Code.ERROR
    assert set(status.message().strip("[]").split(", ")) == {
        "n1 broke", 'expected at least one victim pod on node "n2"'}
    assert status.message().startswith("[")


def test_a_dry_run_error_on_one_node_does_not_stop_a_candidate_on_another():
    s = scheduler([node("n1", cpu="1"), node("n2", cpu="1")],
                  [on("n1", "low1", 0), on("n2", "low2", 0), pod("high", cpu="1", priority=10)])
    plugin = s.framework.plugins["DefaultPreemption"]
    real = plugin.select_victims_on_node

    def broken_on_n1(pod_, info, pdbs):
        if info.name == "n1":
            raise SchedulerError("n1 broke")
        return real(pod_, info, pdbs)

    plugin.select_victims_on_node = broken_on_n1
    actions = s.schedule_one()
    assert deleted(actions) == ["low2"] and nominated(actions) == "n2"


def test_aggregate_error_formats_one_as_is_and_several_once_each_in_brackets():
    assert aggregate_error(["a"]) == "a"
    assert aggregate_error(["a", "b", "a"]) == "[a, b]"
    assert aggregate_error(["a", "a"]) == "a"
