"""Scheduling queue rules: activeQ order, backoff, unschedulableQ and requeue on cluster events."""
from __future__ import annotations

from sched_fixtures import fake_clock, pod

from reference_impl.scheduler import queue as q
from reference_impl.scheduler.framework import Framework


def make_queue(clock=None, plugin_events=None):
    clock = clock or fake_clock()
    less = Framework().plugins["PrioritySort"].less
    return q.PriorityQueue(clock, less, plugin_events=plugin_events), clock


def names(infos):
    return [i.pod["metadata"]["name"] for i in infos]


def fail(queue, info, plugin="NodeResourcesFit"):
    """Report `info` unschedulable in the cycle it was popped in, rejected by `plugin` (its
    FitError's), whose events move it (any, when the queue has none registered for it)."""
    info.unschedulable_plugins = {plugin}
    queue.add_unschedulable_if_not_present(info, queue.scheduling_cycle)


def test_pop_orders_by_priority_then_arrival():
    """activeQ pops the highest priority first, then earliest arrival."""
    queue, clock = make_queue()
    queue.add(pod("low", priority=1))
    clock.advance(1)
    queue.add(pod("high", priority=5))
    clock.advance(1)
    queue.add(pod("low2", priority=1))
    assert names([queue.pop(), queue.pop(), queue.pop()]) == ["high", "low", "low2"]
    assert queue.pop() is None


def test_pop_counts_attempts_and_cycles():
    """Each pop starts a scheduling cycle and counts an attempt for the pod."""
    queue, _ = make_queue()
    queue.add(pod("p"))
    info = queue.pop()
    assert info.attempts == 1 and queue.scheduling_cycle == 1


def test_backoff_doubles_from_one_second_to_ten():
    """Backoff is 1s after the first attempt, doubling per attempt, capped at 10s."""
    queue, _ = make_queue()
    info = queue._new_info(pod("p"))
    durations = []
    for attempts in range(1, 7):
        info.attempts = attempts
        durations.append(queue.calculate_backoff_duration(info))
    assert durations == [1, 2, 4, 8, 10, 10]


def test_unschedulable_pod_parks_in_unschedulable_q():
    """A pod that failed with no move request since its cycle began goes to unschedulableQ."""
    queue, _ = make_queue()
    queue.add(pod("p"))
    fail(queue, queue.pop())
    assert list(queue.unschedulable_q) == ["default/p"] and len(queue.active_q) == 0


def test_move_request_during_cycle_sends_pod_to_backoff():
    """If a cluster event arrived during the pod's cycle, the failed pod goes to backoffQ, not unschedulableQ."""
    queue, _ = make_queue()
    queue.add(pod("p"))
    info = queue.pop()
    queue.move_all_to_active_or_backoff_queue(q.NODE_ADD)
    fail(queue, info)
    assert "default/p" in queue.backoff_q and not queue.unschedulable_q


def test_node_add_moves_backing_off_pod_to_backoff_q():
    """A move event sends an unschedulable pod still in its backoff window to backoffQ."""
    queue, clock = make_queue()
    queue.add(pod("p"))
    fail(queue, queue.pop())
    clock.advance(0.5)
    queue.move_all_to_active_or_backoff_queue(q.NODE_ADD)
    assert "default/p" in queue.backoff_q


def test_node_add_moves_backed_off_pod_to_active_q():
    """A move event sends an unschedulable pod whose backoff has expired straight to activeQ."""
    queue, clock = make_queue()
    queue.add(pod("p"))
    fail(queue, queue.pop())
    clock.advance(1.5)
    queue.move_all_to_active_or_backoff_queue(q.NODE_ADD)
    assert names([queue.pop()]) == ["p"]


def test_flush_backoff_q_after_expiry_only():
    """flushBackoffQCompleted moves a pod to activeQ only once its backoff expired."""
    queue, clock = make_queue()
    queue.add(pod("p"))
    info = queue.pop()
    queue.move_all_to_active_or_backoff_queue(q.NODE_ADD)
    fail(queue, info)
    clock.advance(0.9)
    queue.flush_backoff_q_completed()
    assert queue.pop() is None
    clock.advance(0.2)
    queue.flush_backoff_q_completed()
    assert names([queue.pop()]) == ["p"]


def test_event_not_registered_by_rejecting_plugin_does_not_move():
    """A pod rejected only by plugins that did not register an event stays in unschedulableQ on that event."""
    queue, _ = make_queue(plugin_events={"NodeUnschedulable": {q.NODE_ADD, q.NODE_UPDATE}})
    queue.add(pod("p"))
    fail(queue, queue.pop(), "NodeUnschedulable")
    queue.move_all_to_active_or_backoff_queue(q.ASSIGNED_POD_DELETE)
    assert "default/p" in queue.unschedulable_q
    queue.move_all_to_active_or_backoff_queue(q.NODE_UPDATE)
    assert "default/p" not in queue.unschedulable_q


def test_unschedulable_leftover_flushed_after_sixty_seconds():
    """Pods sitting in unschedulableQ longer than 60 s (unschedulableQTimeInterval) are retried without any event."""
    queue, clock = make_queue()
    queue.add(pod("p"))
    fail(queue, queue.pop())
    clock.advance(59)
    queue.flush_unschedulable_q_leftover()
    assert "default/p" in queue.unschedulable_q
    clock.advance(2)
    queue.flush_unschedulable_q_leftover()
    assert names([queue.pop()]) == ["p"]


def test_assigned_pod_add_moves_pods_with_matching_affinity():
    """A newly bound pod moves unschedulable pods whose required affinity it satisfies, and no others."""
    queue, clock = make_queue()
    affinity = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "zone"}]}}
    queue.add(pod("web", affinity=affinity))
    queue.add(pod("plain"))
    fail(queue, queue.pop())
    fail(queue, queue.pop())
    clock.advance(5)
    queue.assigned_pod_added(pod("db", labels={"app": "db"}, node_name="n1"))
    assert list(queue.unschedulable_q) == ["default/plain"]
    assert names([queue.pop()]) == ["web"]


def test_delete_removes_from_every_queue():
    """Deleting a pending pod removes it whichever queue holds it."""
    queue, _ = make_queue()
    queue.add(pod("a"))
    queue.add(pod("b"))
    fail(queue, queue.pop())
    queue.delete(pod("a"))
    queue.delete(pod("b"))
    assert queue.pending_pods() == []


def test_update_of_unschedulable_pod_spec_requeues():
    """Updating an unschedulable pod's spec moves it back for another attempt."""
    queue, clock = make_queue()
    old = pod("p", node_selector={"disk": "ssd"})
    queue.add(old)
    fail(queue, queue.pop())
    clock.advance(2)
    queue.update(old, pod("p"))
    assert names([queue.pop()]) == ["p"]


def test_sort_key_pops_in_the_order_less_gives():
    """activeQ keyed by PrioritySort's sort_key pops exactly as activeQ ordered by its Less, through
    seeded adds, same-time arrivals, deletes and updates."""
    import random
    plugin = Framework().plugins["PrioritySort"]
    rng = random.Random(7)
    clock_a, clock_b = fake_clock(), fake_clock()
    by_less = q.PriorityQueue(clock_a, plugin.less)
    by_key = q.PriorityQueue(clock_b, plugin.less, sort_key=plugin.sort_key)
    popped = {"less": [], "key": []}
    for step in range(600):
        action = rng.random()
        for queue, clock, out in ((by_less, clock_a, popped["less"]), (by_key, clock_b, popped["key"])):
            r = random.Random(step)
            if action < 0.5:
                queue.add(pod(f"p{r.randrange(120)}", priority=r.choice([None, 0, 1, 5, 100])))
            elif action < 0.6:
                queue.delete(pod(f"p{r.randrange(120)}"))
            else:
                info = queue.pop()
                out.append(info and names([info])[0])
            if r.random() < 0.3:
                clock.advance(1)
    assert popped["less"] == popped["key"] and len([p for p in popped["key"] if p]) > 100


def test_a_less_overridden_below_sort_key_orders_the_queue_itself():
    """A QueueSort plugin subclassing PrioritySort with its own Less must not be ordered by the
    inherited sort_key: the framework offers none, and activeQ calls that Less."""
    from reference_impl.scheduler import load_profile
    from reference_impl.scheduler.plugins.basic import PrioritySort

    class LowestFirst(PrioritySort):
        name = "LowestFirst"

        def less(self, a, b):
            return not super().less(a, b) and super().less(b, a)

    profile = load_profile(data={"plugins": {"queueSort": {"disabled": [{"name": "*"}],
                                                            "enabled": [{"name": "LowestFirst"}]}}})
    framework = Framework(profile, registry={"LowestFirst": LowestFirst})
    assert framework.queue_sort_key() is None
    assert Framework().queue_sort_key() is not None
    queue = q.PriorityQueue(fake_clock(), framework.queue_sort_less(), sort_key=framework.queue_sort_key())
    queue.add(pod("high", priority=5))
    queue.add(pod("low", priority=1))
    assert names([queue.pop(), queue.pop()]) == ["low", "high"]


def test_a_pod_no_plugin_rejected_is_moved_only_by_the_wildcard():
    """podMatchesEvent intersects the plugins registered for the event with the pod's
    unschedulable plugins: a pod that failed with none (at Reserve, Permit or bind, after no
    FitError) is moved by no cluster event, only by a flush or MoveAll's wildcard."""
    queue, clock = make_queue(plugin_events={"NodeResourcesFit": {q.NODE_ADD}})
    queue.add(pod("p"))
    queue.add_unschedulable_if_not_present(queue.pop(), queue.scheduling_cycle)
    clock.advance(5)
    queue.move_all_to_active_or_backoff_queue(q.NODE_ADD)
    assert "default/p" in queue.unschedulable_q
    queue.move_all_to_active_or_backoff_queue(q.WILDCARD)
    assert "default/p" in queue.active_q
