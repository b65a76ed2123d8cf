"""The scheduler process's adapter (run.py) without sockets: a fake REST client stands in for the
apiserver, the informers' stores are filled by hand, and binding cycles run on the binder pool."""
from __future__ import annotations

import http.client
import io
import random
import socket
import threading
import time
from pathlib import Path

import pytest

from sched_fixtures import RecordingPostBind, fake_clock, node, pod

from reference_impl.apiserver.core import validation
from reference_impl.client import APIStatusError, InClusterConfigError, LeaderElectionLost
from reference_impl.scheduler import Bind, ConfigError, PatchPodStatus, RecordEvent, Scheduler, load_profile
from reference_impl.client.leaderelection import LeaderElector
from reference_impl.machinery.actions import Delete
from reference_impl.machinery.clock import WallClock
from reference_impl.machinery import process
from reference_impl.client import informer as informer_module
from reference_impl.machinery import crash
from reference_impl.machinery.process import Panic
from reference_impl.scheduler import run
from reference_impl.scheduler.run import SchedulerRunner

SCHEDULED = RecordEvent("default-scheduler", {"kind": "Pod", "namespace": "default", "name": "p"}, "Normal", "Scheduled",
                        "x")


class FakeClient:
    """Records every call; a binding POST answers 409 while `refuse_binds` is set."""

    timeout = 30.0  # seconds, as RestClient's: the event recorder bounds its waits by it

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.bodies: list[dict | None] = []
        self.refuse_binds = False
        self.lock = threading.Lock()

    def request(self, method, path, body=None, content_type="application/json"):
        with self.lock:
            self.calls.append((method, path))
            self.bodies.append(body)
        if path.endswith("/binding") and self.refuse_binds:
            raise APIStatusError(method, path, 409, {"message": "already assigned"})
        return {}

    def request_patch(self, path, patch):
        return self.request("PATCH", path, patch)


def runner_with(nodes, pods) -> tuple[SchedulerRunner, FakeClient]:
    client = FakeClient()
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1)))
    for n in nodes:
        runner.nodes.store.add(n)
    for p in pods:
        runner.pods.store.add(p)
    return runner, client


def bind_all(runner: SchedulerRunner) -> None:
    """What the scheduling loop does: each cycle's actions go to the binder pool."""
    while True:
        with runner.lock:
            actions = runner.scheduler.schedule_one()
        if not actions:
            break
        runner.binders.submit(runner.perform, actions)
    runner.binders.shutdown(wait=True)


def test_binding_cycles_post_a_binding_and_a_scheduled_event_per_pod():
    runner, client = runner_with([node("n1"), node("n2")], [pod(f"p{i}", cpu="100m") for i in range(6)])
    bind_all(runner)
    binds = sorted(path for method, path in client.calls if path.endswith("/binding"))
    assert binds == [f"/api/v1/namespaces/default/pods/p{i}/binding" for i in range(6)]
    assert sum(1 for _, path in client.calls if path.endswith("/events")) == 6
    assert len(runner.scheduler.cache.assumed) == 6  # assumed until the informer confirms


def test_a_refused_bind_forgets_the_assumed_pod_and_queues_it_again():
    """The binding cycle after a failed bind: the node's resources are released and the pod is
    retried after its backoff (a PodDelete moved the queue, so not held as unschedulable)."""
    runner, client = runner_with([node("n1", cpu="1")], [pod("big", cpu="800m")])
    client.refuse_binds = True
    bind_all(runner)
    cache, queue = runner.scheduler.cache, runner.scheduler.queue
    assert not cache.assumed and cache.nodes["n1"].requested.milli_cpu == 0
    assert [p["metadata"]["name"] for p in queue.pending_pods()] == ["big"] and "default/big" in queue.backoff_q


def test_a_refused_bind_is_reported_as_a_scheduler_error_not_as_scheduled():
    """As the real 1.24 kube-scheduler does when a webhook refuses the binding (seen on the
    binary): no Scheduled event (finishBinding records it only once bound), a FailedScheduling
    "binding rejected: running Bind plugin "DefaultBinder": <the Status message>" and the
    same as PodScheduled=False's message, reason SchedulerError."""
    runner, client = runner_with([node("n1", cpu="1")], [pod("big", cpu="800m")])
    client.refuse_binds = True
    bind_all(runner)
    calls = list(zip(client.calls, client.bodies))
    message = 'binding rejected: running Bind plugin "DefaultBinder": already assigned'
    assert [(body["reason"], body["note"]) for (_, path), body in calls if path.endswith("/events")] == [
        ("FailedScheduling", message)]
    patch = next(body for (_, path), body in calls if path == "/api/v1/namespaces/default/pods/big/status")
    assert [(c["reason"], c["message"]) for c in patch["status"]["conditions"]] == [("SchedulerError", message)]


class CutBindClient(FakeClient):
    """Sends each binding POST, then its answer is cut off (what http1.round_trip raises)."""

    def request(self, method, path, body=None, content_type="application/json"):
        answer = super().request(method, path, body, content_type)
        if path.endswith("/binding"):
            raise http.client.IncompleteRead(b"")
        return answer


def test_a_bind_whose_answer_is_cut_off_fails_its_binding_cycle():
    """Go's bind handles every error its POST returns: a cut-off answer (an http.client error,
    no OSError) fails the binding cycle too, the pod forgotten, its room freed and requeued."""
    runner, client = runner_with([node("n1", cpu="1")], [pod("big", cpu="800m")])
    runner.client = client = CutBindClient()
    bind_all(runner)
    cache, queue = runner.scheduler.cache, runner.scheduler.queue
    assert not cache.assumed and not runner.scheduler.binding and cache.nodes["n1"].requested.milli_cpu == 0
    assert [p["metadata"]["name"] for p in queue.pending_pods()] == ["big"]
    patch = next(body for (_, path), body in zip(client.calls, client.bodies) if path.endswith("/big/status"))
    assert [c["reason"] for c in patch["status"]["conditions"]] == ["SchedulerError"]


def test_a_bind_refused_for_a_pod_the_scheduler_did_not_assume_is_only_logged():
    """perform survives a refused bind it has no binding cycle for: nothing more is sent."""
    runner, client = runner_with([node("n1")], [pod("p")])
    client.refuse_binds = True
    runner.perform([Bind("default", "p", "n1"), SCHEDULED])
    assert [path.rsplit("/", 1)[1] for _, path in client.calls] == ["binding"]


def test_an_event_is_named_as_client_go_names_it():
    """record's makeEvent names an event `<pod>.<unix nanoseconds in hex>`; the generateName
    `<pod>.` it was sent with is no valid name prefix, which the apiserver refuses."""
    runner, client = runner_with([node("n1")], [pod("p")])
    runner.perform([SCHEDULED])
    metadata = client.bodies[0]["metadata"]
    name, _, stamp = metadata["name"].partition(".")
    assert (name, "generateName" in metadata) == ("p", False) and int(stamp, 16) > 0
    assert validation.name_problems(metadata["name"], "subdomain") == []


def test_events_are_written_as_events_k8s_io_v1_with_the_action_of_each():
    """The scheduler's recorder is client-go's events.k8s.io/v1 one (NewEventBroadcasterAdapter on
    a server that has the group): Scheduled comes with action Binding, FailedScheduling with
    Scheduling, reported by the profile's scheduler name and `<name>-<hostname>`."""
    runner, client = runner_with([node("n1", cpu="1")], [pod("fits", cpu="500m"), pod("big", cpu="4")])
    bind_all(runner)
    events = {body["reason"]: (path, body) for (_, path), body in zip(client.calls, client.bodies)
              if path.endswith("/events")}
    path, scheduled = events["Scheduled"]
    assert path == "/apis/events.k8s.io/v1/namespaces/default/events"
    assert (scheduled["apiVersion"], scheduled["action"], scheduled["type"], scheduled["note"]) == (
        "events.k8s.io/v1", "Binding", "Normal", "Successfully assigned default/fits to n1")
    assert scheduled["reportingController"] == "default-scheduler"
    assert scheduled["reportingInstance"] == f"default-scheduler-{socket.gethostname()}"
    assert scheduled["regarding"]["name"] == "fits" and scheduled["metadata"]["name"].startswith("fits.")
    path, failed = events["FailedScheduling"]
    assert (path, failed["action"], failed["type"]) == (
        "/apis/events.k8s.io/v1/namespaces/default/events", "Scheduling", "Warning")


def test_an_unchanged_pod_scheduled_condition_is_not_written_again():
    """updatePod (UpdatePodCondition): the same condition again writes nothing, so the pod keeps its
    resourceVersion; a new message is written with the first lastTransitionTime."""
    old = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "m1",
           "lastProbeTime": None, "lastTransitionTime": "2026-01-01T00:00:00Z"}
    waiting = pod("p")
    waiting["status"] = {"conditions": [old]}
    runner, client = runner_with([], [waiting])
    runner.perform([PatchPodStatus("default", "p", {**old, "lastTransitionTime": "2026-01-01T00:05:00Z"})])
    assert client.calls == []
    runner.perform([PatchPodStatus("default", "p", {**old, "message": "m2", "lastTransitionTime": "2026-01-01T00:05:00Z"})])
    assert client.calls == [("PATCH", "/api/v1/namespaces/default/pods/p/status")]
    assert client.bodies[0]["status"]["conditions"] == [{**old, "message": "m2"}]


def test_a_nomination_is_written_even_with_an_unchanged_condition():
    """updatePod writes when the nominated node is new, though UpdatePodCondition changed nothing."""
    old = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "m1",
           "lastProbeTime": None, "lastTransitionTime": "2026-01-01T00:00:00Z"}
    waiting = pod("p")
    waiting["status"] = {"conditions": [old]}
    runner, client = runner_with([], [waiting])
    runner.perform([PatchPodStatus("default", "p", old, "n1")])
    assert client.calls == [("PATCH", "/api/v1/namespaces/default/pods/p/status")]
    assert client.bodies[0]["status"]["nominatedNodeName"] == "n1"


def test_a_preemption_deletes_its_victims_records_preempted_and_clears_nominations():
    """The victim is DELETEd, its Preempted event (events.k8s.io/v1) names the preemptor as
    related, and a lower-priority pod nominated to the node has its nomination patched away."""
    mid = pod("mid", cpu="1", priority=5)
    mid["status"] = {"nominatedNodeName": "n1"}
    runner, client = runner_with([node("n1", cpu="1")], [pod("low", cpu="1", node_name="n1", priority=0), mid,
                                                         pod("high", cpu="1", priority=10)])
    with runner.lock:
        actions = runner.scheduler.schedule_one()
    runner.perform(actions)
    runner.binders.shutdown(wait=True)
    calls = list(zip(client.calls, client.bodies))
    assert (("DELETE", "/api/v1/namespaces/default/pods/low"), None) in calls
    assert (("PATCH", "/api/v1/namespaces/default/pods/mid/status"), {"status": {"nominatedNodeName": None}}) in calls
    preempted = next(body for (_, path), body in calls if path.endswith("/events") and body["reason"] == "Preempted")
    assert (preempted["regarding"]["name"], preempted["related"]["name"], preempted["action"]) == (
        "low", "high", "Preempting")
    patch = next(body for (_, path), body in calls if path == "/api/v1/namespaces/default/pods/high/status")
    assert patch["status"]["nominatedNodeName"] == "n1"


class RefusingDeletes(FakeClient):
    """Refuses the DELETE of the pods named in `refused` (403, as a webhook or RBAC would)."""

    def __init__(self, refused: set[str]) -> None:
        super().__init__()
        self.refused = refused

    def request(self, method, path, body=None, content_type="application/json"):
        if method == "DELETE" and path.rsplit("/", 1)[1] in self.refused:
            with self.lock:
                self.calls.append((method, path))
                self.bodies.append(body)
            raise APIStatusError(method, path, 403, {"message": "forbidden"})
        return super().request(method, path, body, content_type)


def preempting_runner(client):
    """n1 holds low1 and low2 (priority 0, 1 cpu each) and mid is nominated to it; high needs both cpus."""
    mid = pod("mid", cpu="1", priority=5)
    mid["status"] = {"nominatedNodeName": "n1"}
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1)))
    runner.nodes.store.add(node("n1", cpu="2"))
    for p in (pod("low1", cpu="1", node_name="n1", priority=0), pod("low2", cpu="1", node_name="n1", priority=0),
              mid, pod("high", cpu="2", priority=10)):
        runner.pods.store.add(p)
    with runner.lock:
        actions = runner.scheduler.schedule_one()
    return runner, actions


def test_a_victim_delete_refused_ends_the_preemption_and_the_pod_is_not_nominated(capsys):
    """prepareCandidate returns at the first DELETE that fails: no Preempted event for it, no
    later victim deleted, no nomination cleared, no victims observed; the PostFilter's Error
    status leaves the preemptor un-nominated (neither in its status patch nor in the nominator),
    and both are logged as errors ("Preempting pod", "Status after running PostFilter plugins")."""
    client = RefusingDeletes({"low1", "low2"})
    runner, actions = preempting_runner(client)
    assert runner.scheduler.queue.nominator.node_of.get("default/high") == "n1"  # the cycle's, at once
    runner.perform(actions)
    victim = next(a.name for a in actions if isinstance(a, Delete))
    logged = capsys.readouterr().err
    assert f"Preempting pod default/{victim}: " in logged and "forbidden" in logged
    assert "Status after running PostFilter plugins for pod default/high: " in logged
    runner.binders.shutdown(wait=True)
    calls = list(zip(client.calls, client.bodies))
    assert [path for (method, path), _ in calls if method == "DELETE"] == [
        f"/api/v1/namespaces/default/pods/{next(a.name for a in actions if isinstance(a, Delete))}"]
    assert not [body for (_, path), body in calls if path.endswith("/events") and body["reason"] == "Preempted"]
    assert not [path for (_, path), _ in calls if path.endswith("/mid/status")]
    patch = next(body for (_, path), body in calls if path == "/api/v1/namespaces/default/pods/high/status")
    assert "nominatedNodeName" not in patch["status"]
    assert "default/high" not in runner.scheduler.queue.nominator.node_of
    assert runner.metrics.preemption_victims.value() == 0
    assert runner.metrics.preemption_attempts.value() == 1


def test_a_refused_victim_delete_is_logged_with_the_status_message_alone(capsys):
    """1.24 logs `"Preempting pod" err=...` with DeletePod's *StatusError, whose Error() is the
    Status's message alone: no method, path or code before it; the PostFilter's Error status
    carries the same words."""
    client = RefusingDeletes({"low1", "low2"})
    runner, actions = preempting_runner(client)
    runner.perform(actions)
    runner.binders.shutdown(wait=True)
    victim = next(a.name for a in actions if isinstance(a, Delete))
    logged = capsys.readouterr().err.splitlines()
    assert f"default-scheduler: Preempting pod default/{victim}: forbidden" in logged
    assert "default-scheduler: Status after running PostFilter plugins for pod default/high: forbidden" in logged


def test_postbind_runs_after_an_accepted_bind_and_not_after_a_refused_one():
    """The runner tells the core a bind's result: PostBind for the pod the apiserver bound,
    none for one whose binding POST it refused."""
    profile = load_profile(data={"plugins": {"postBind": {"enabled": [{"name": "sched_fixtures:RecordingPostBind"}]}}})
    client = FakeClient()
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1), profile))
    runner.nodes.store.add(node("n1"))
    runner.pods.store.add(pod("p"))
    RecordingPostBind.calls.clear()
    client.refuse_binds = True
    with runner.lock:
        actions = runner.scheduler.schedule_one()
    runner.perform(actions)
    assert RecordingPostBind.calls == []
    client.refuse_binds = False
    runner.scheduler.clock.advance(10)  # its backoff is over
    runner.scheduler.tick()
    with runner.lock:
        actions = runner.scheduler.schedule_one()
    runner.perform(actions)
    runner.binders.shutdown(wait=True)
    assert RecordingPostBind.calls == [("default/p", "n1")]


def waiting_at_permit_runner(client) -> SchedulerRunner:
    """A runner whose pod p, fitting node n1, waits 30s at WaitingPermit once scheduled."""
    profile = load_profile(data={"plugins": {"permit": {"enabled": [{"name": "sched_fixtures:WaitingPermit"}]}},
                                 "pluginConfig": [{"name": "WaitingPermit", "args": {"timeout": 30}}]})
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1), profile))
    runner.nodes.store.add(node("n1"))
    runner.pods.store.add(pod("p"))
    return runner


def test_a_pod_whose_wait_at_permit_times_out_is_reported_unschedulable():
    """The runner's tick rejects a pod that waited at Permit past its plugin's timeout: its
    binding cycle reports FailedScheduling and PodScheduled=False Unschedulable with
    newWaitingPod's message; nothing is bound."""
    client = FakeClient()
    runner = waiting_at_permit_runner(client)
    with runner.lock:
        assert runner.scheduler.schedule_one() == []
    runner.scheduler.clock.advance(30)
    runner._tick()
    runner.binders.shutdown(wait=True)
    calls = list(zip(client.calls, client.bodies))
    message = "rejected due to timeout after waiting 30s at plugin WaitingPermit"
    patch = next(body for (_, path), body in calls if path == "/api/v1/namespaces/default/pods/p/status")
    assert [(c["reason"], c["message"]) for c in patch["status"]["conditions"]] == [("Unschedulable", message)]
    assert [body["note"] for (_, path), body in calls if path.endswith("/events")] == [message]
    assert not [path for _, path in client.calls if path.endswith("/binding")]


def test_a_pod_whose_wait_at_permit_times_out_counts_as_an_unschedulable_attempt():
    """As 1.24's binding cycle after WaitOnPermit (metrics.PodUnschedulable): a pod rejected
    by its wait's timeout counts in scheduler_schedule_attempts_total{result="unschedulable"}, its
    attempt lasting from scheduleOne's `start` to the rejection: the 5s its cycle took before
    Permit and the 30s wait."""
    runner = waiting_at_permit_runner(FakeClient())
    framework, run_permit_plugins = runner.scheduler.framework, runner.scheduler.framework.run_permit_plugins

    def after_a_slow_filter(*args):
        runner.scheduler.clock.advance(5)
        return run_permit_plugins(*args)

    framework.run_permit_plugins = after_a_slow_filter
    with runner.lock:
        assert runner.scheduler.schedule_one() == []
    runner.scheduler.clock.advance(30)
    runner._tick()
    runner.binders.shutdown(wait=True)
    metrics = runner.metrics
    assert metrics.schedule_attempts.value("unschedulable", "default-scheduler") == 1
    assert metrics.attempt_duration.value("unschedulable", "default-scheduler") == 1
    duration_sum = next(line for line in metrics.attempt_duration.text().splitlines()
                        if line.startswith("scheduler_scheduling_attempt_duration_seconds_sum"))
    assert 35 <= float(duration_sum.split()[-1]) < 40


def test_a_pod_bound_after_a_permit_timeout_took_two_attempts():
    """scheduler_pod_scheduling_attempts, observed once a pod is bound (1.24's binding cycle,
    podInfo.Attempts): the cycle whose wait at Permit timed out counts, so a pod bound by the
    next cycle took 2 attempts."""
    runner = waiting_at_permit_runner(FakeClient())
    with runner.lock:
        assert runner.scheduler.schedule_one() == []
    runner.scheduler.clock.advance(30)
    runner._tick()
    runner.binders.shutdown(wait=True)
    with runner.lock:
        for _ in range(2):  # a minute in unschedulableQ, then its backoff
            runner.scheduler.clock.advance(61)
            runner.scheduler.tick()
        assert runner.scheduler.schedule_one() == [] and "default/p" in runner.scheduler.waiting_pods
        actions = runner.scheduler.allow_waiting_pod("default/p")
    runner.perform(actions)
    text = runner.metrics.pod_scheduling_attempts.text()
    assert 'scheduler_pod_scheduling_attempts_bucket{le="2"} 1\n' in text
    assert 'scheduler_pod_scheduling_attempts_bucket{le="1"} 0\n' in text
    assert "scheduler_pod_scheduling_attempts_sum 2\n" in text


def waiting_victim_runner(client):
    """n1 (2 cpus) holds low1 (bound, started) and low2, which waits on Permit (every pod does in
    this profile); high needs both cpus: the runner and the actions of high's cycle, which
    preempts low1, then low2."""
    profile = load_profile(data={"plugins": {"permit": {"enabled": [{"name": "sched_fixtures:WaitingPermit"}]}}})
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1), profile))
    runner.nodes.store.add(node("n1", cpu="2"))
    low1 = pod("low1", cpu="1", node_name="n1", priority=0)
    low1["status"] = {"startTime": "1970-01-01T00:00:00Z"}  # started before low2: more important
    runner.pods.store.add(low1)
    runner.pods.store.add(pod("low2", cpu="1", priority=0))
    with runner.lock:
        assert runner.scheduler.schedule_one() == [] and "default/low2" in runner.scheduler.waiting_pods
    runner.pods.store.add(pod("high", cpu="2", priority=10))
    with runner.lock:
        actions = runner.scheduler.schedule_one()
    return runner, actions


def test_a_waiting_pod_rejected_by_a_preemption_or_its_deletion_counts_as_an_unschedulable_attempt():
    """WaitOnPermit's failure is metrics.PodUnschedulable whatever rejected the pod: a waiting
    victim the preemption rejects counts one attempt, as does a waiting pod deleted (the
    informer's deletion, RejectWaitingPod "removed")."""
    runner, actions = waiting_victim_runner(FakeClient())
    runner.perform(actions)  # high's own failure, performed here with no attempt start: not counted
    assert runner.metrics.schedule_attempts.value("unschedulable", "default-scheduler") == 1
    runner.pods.store.delete(pod("low1", cpu="1", node_name="n1", priority=0))  # the eviction lands
    with runner.lock:
        runner.scheduler.clock.advance(120)
        runner.scheduler.tick()
        runner.scheduler.tick()
        assert runner.scheduler.schedule_one() == [] and "default/high" in runner.scheduler.waiting_pods
    runner.pods.store.delete(pod("high", cpu="2", priority=10))
    runner.binders.shutdown(wait=True)
    assert runner.metrics.schedule_attempts.value("unschedulable", "default-scheduler") == 2


def test_a_waiting_victim_is_rejected_in_its_turn_and_its_binding_cycle_fails_as_preempted():
    """prepareCandidate rejects a victim waiting on Permit (waitingPod.Reject "preempted") where it
    would delete one: no DELETE; its binding cycle fails at WaitOnPermit, it is forgotten and
    reported Unschedulable "preempted", and the pods unschedulable so far (the preemptor) are
    moved to be tried again, as after a PodDelete."""
    client = FakeClient()
    runner, actions = waiting_victim_runner(client)
    assert "default/high" in runner.scheduler.queue.unschedulable_q
    runner.perform(actions)
    calls = list(zip(client.calls, client.bodies))
    assert [path for (method, path), _ in calls if method == "DELETE"] == ["/api/v1/namespaces/default/pods/low1"]
    s = runner.scheduler
    assert "default/low2" not in s.waiting_pods and not s.cache.is_assumed(pod("low2"))
    failed = next(body for (_, path), body in calls if path.endswith("/events") and body["reason"] == "FailedScheduling"
                  and body["regarding"]["name"] == "low2")
    assert failed["note"] == "preempted"
    patch = next(body for (_, path), body in calls if path == "/api/v1/namespaces/default/pods/low2/status")
    assert [(c["reason"], c["message"]) for c in patch["status"]["conditions"]] == [("Unschedulable", "preempted")]
    assert [body["regarding"]["name"] for (_, path), body in calls
            if path.endswith("/events") and body["reason"] == "Preempted"] == ["low1", "low2"]
    assert "default/high" not in s.queue.unschedulable_q and "default/low2" in s.queue.unschedulable_q


def test_a_delete_refused_before_a_waiting_victim_leaves_it_waiting():
    """prepareCandidate returns at the first DELETE that fails, before rejecting a waiting victim
    later in its list: that one goes on waiting, with nothing reported about it."""
    client = RefusingDeletes({"low1"})
    runner, actions = waiting_victim_runner(client)
    runner.perform(actions)
    assert "default/low2" in runner.scheduler.waiting_pods and runner.scheduler.cache.is_assumed(pod("low2"))
    assert not [path for _, path in client.calls if "low2" in path]
    assert not [body for (_, path), body in zip(client.calls, client.bodies)
                if path.endswith("/events") and body["regarding"]["name"] == "low2"]


def test_a_victim_no_longer_waiting_when_its_turn_comes_is_deleted():
    """A victim allowed (or gone) between the cycle that chose it and its rejection is no waiting
    pod any more: it is deleted, as prepareCandidate deletes a victim it finds not waiting."""
    client = FakeClient()
    runner, actions = waiting_victim_runner(client)
    with runner.lock:
        runner.scheduler.allow_waiting_pod("default/low2")
    runner.perform(actions)
    assert [path for method, path in client.calls if method == "DELETE"] == [
        "/api/v1/namespaces/default/pods/low1", "/api/v1/namespaces/default/pods/low2"]


def test_a_preemption_carried_out_counts_its_attempt_and_observes_its_victims():
    """scheduler_preemption_attempts_total counts each PostFilter run; scheduler_preemption_victims
    observes the number of victims once they are all deleted (LinearBuckets(5, 5, 10))."""
    runner, actions = preempting_runner(FakeClient())
    runner.perform(actions)
    runner.binders.shutdown(wait=True)
    text = runner.metrics.preemption_attempts.text() + runner.metrics.preemption_victims.text()
    assert "\nscheduler_preemption_attempts_total 1\n" in text
    assert 'scheduler_preemption_victims_bucket{le="5"} 1\n' in text
    assert "scheduler_preemption_victims_sum 2\nscheduler_preemption_victims_count 1\n" in text


def test_the_nominator_leaves_out_a_pod_the_pod_informer_no_longer_holds():
    """nominator.add checks the pod lister: a pod deleted meanwhile is not nominated."""
    runner, _ = runner_with([], [])
    runner.scheduler.queue.nominator.add(pod("gone", priority=1), "n1")
    assert runner.scheduler.queue.nominator.pods_by_node == {}
    runner.pods.store.add(pod("here", priority=1))
    runner.scheduler.queue.nominator.add(pod("here", priority=1), "n1")
    assert runner.scheduler.queue.nominator.node_of == {"default/here": "n1"}


class LeaseHeldBy(FakeClient):
    """The kube-scheduler Lease held by `holder` (None: free, so ours once written); writes echo."""

    def __init__(self, holder: str | None) -> None:
        super().__init__()
        self.lease = {"metadata": {"name": "kube-scheduler", "namespace": "kube-system", "resourceVersion": "1"},
                      "spec": {"holderIdentity": holder, "leaseDurationSeconds": 15}}

    def request(self, method, path, body=None, content_type="application/json"):
        super().request(method, path, body)
        if "/leases/" in path and method == "GET":
            return self.lease
        if "/leases" in path:
            self.lease = body
        return body or {}


def scheduled_pods_with_lease(monkeypatch, holder: str | None) -> list[str]:
    """Run the scheduling loop with --leader-elect a moment over one pending pod and a node it fits."""
    return [path for method, path in run_with_lease(monkeypatch, holder).calls if path.endswith("/binding")]


def run_with_lease(monkeypatch, holder: str | None) -> LeaseHeldBy:
    """The scheduling loop with --leader-elect, run a moment then stopped; its client's calls."""
    monkeypatch.setattr(run, "start_and_sync", lambda informers, stop: True)
    monkeypatch.setattr(run, "relax_collector", lambda: None)  # a process-wide setting, not the test's
    client = LeaseHeldBy(holder)
    elector = LeaderElector("me", WallClock(), name=run.LEASE_NAME)
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1)), elector=elector)
    runner.nodes.store.add(node("n1"))
    runner.pods.store.add(pod("p"))
    thread = threading.Thread(target=runner.run, args=(io.StringIO(),))
    thread.start()
    time.sleep(0.5)
    runner.stop.set()
    thread.join(timeout=10)
    return client


def test_a_scheduling_cycle_that_raises_ends_the_runner_as_a_panic(monkeypatch, capsys):
    """1.24 does not recover from a panic in scheduleOne (wait.UntilWithContext's HandleCrash logs
    "Observed a panic" and panics on): the runner logs the exception with its traceback and ends
    with a Panic (exit 2), rather than schedule on with the pod in no queue and assumed."""
    monkeypatch.setattr(run, "start_and_sync", lambda informers, stop: True)
    monkeypatch.setattr(run, "relax_collector", lambda: None)
    profile = load_profile(data={"plugins": {"reserve": {"enabled": [{"name": "sched_fixtures:RaisingReserve"}]}}})
    client = FakeClient()
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1), profile))
    runner.nodes.store.add(node("n1"))
    runner.pods.store.add(pod("p"))
    raised = []

    def run_and_keep_its_exception():
        try:
            runner.run(io.StringIO())
        except Exception as error:  # noqa: BLE001 - the test's to judge
            raised.append(error)

    thread = threading.Thread(target=run_and_keep_its_exception)
    thread.start()
    thread.join(timeout=10)
    runner.stop.set()  # a runner that scheduled on instead is stopped here
    thread.join(timeout=10)
    assert [type(error) for error in raised] == [Panic] and "KeyError" in str(raised[0])
    assert not any(path.endswith("/binding") for _, path in client.calls)
    err = capsys.readouterr().err
    assert "Observed a panic: KeyError('spec')" in err and "Traceback" in err


def exit_of(runner: SchedulerRunner, stop_after: float = 5.0) -> tuple[int, str]:
    """The exit code and stderr of a process running `runner` (machinery's main), stopped after
    `stop_after` seconds if it has not ended by then."""
    err = io.StringIO()
    component = process.Component("reference kube-scheduler", lambda argv, env: None,
                                  lambda options, proc: runner.run(proc.out))
    timer = threading.Timer(stop_after, runner.stop.set)
    timer.start()
    try:
        return process.main(component, [], {}, out=io.StringIO(), err=err), err.getvalue()
    finally:
        timer.cancel()


def panicking_runner(monkeypatch, plugins: dict, scheduler: Scheduler | None = None):
    monkeypatch.setattr(run, "start_and_sync", lambda informers, stop: True)
    monkeypatch.setattr(run, "relax_collector", lambda: None)
    profile = load_profile(data={"plugins": plugins, "pluginConfig": [{"name": "RaisingFilter",
                                                                       "args": {"pods": ["p"]}}]})
    client = FakeClient()
    runner = SchedulerRunner(client, scheduler or Scheduler(fake_clock(), random.Random(1), profile))
    runner.nodes.store.add(node("n1"))
    runner.pods.store.add(pod("p"))
    return runner, client


def test_a_filter_plugin_that_raises_ends_the_process_with_a_panic(monkeypatch, capsys):
    """ParallelizeUntil's workers run Filter under HandleCrash, which panics on: kube-scheduler
    exits 2 with Go's panic line, and the pod is neither bound nor marked unschedulable."""
    runner, client = panicking_runner(monkeypatch, {"filter": {"enabled": [{"name": "sched_fixtures:RaisingFilter"}]}})
    assert exit_of(runner) == (2, "panic: KeyError('spec') [recovered]\n\tpanic: KeyError('spec')\n")
    assert client.calls == []
    assert "Observed a panic: KeyError('spec')" in capsys.readouterr().err


def test_a_binding_cycle_that_raises_ends_the_process_with_a_panic(monkeypatch, capsys):
    """The binding goroutine has no recover: a PostBind plugin that raises, on a binder thread
    once the pod is bound, ends kube-scheduler (exit 2) with the runtime's `panic: VALUE` (no
    HandleCrash logged or recovered it) rather than a log line."""
    runner, client = panicking_runner(monkeypatch, {"postBind": {"enabled": [{"name": "sched_fixtures:RaisingPostBind"}]}})
    assert exit_of(runner) == (2, "panic: KeyError('spec')\n")
    assert ("POST", "/api/v1/namespaces/default/pods/p/binding") in client.calls
    err = capsys.readouterr().err
    assert "KeyError: 'spec'" in err and "Traceback" in err and "Observed a panic" not in err


def test_an_informer_handler_that_raises_ends_the_process_with_a_panic(monkeypatch, capsys):
    """A processorListener runs its handler under HandleCrash, which panics on: a handler that
    raises ends kube-scheduler (exit 2) instead of leaving its cache short of the object."""
    scheduler = Scheduler(fake_clock(), random.Random(1))

    def on_pdb_add(pdb):
        raise KeyError("spec")

    scheduler.on_pdb_add = on_pdb_add
    runner, _ = panicking_runner(monkeypatch, {}, scheduler)
    runner.pdbs.store.add({"metadata": {"namespace": "default", "name": "budget"}})
    assert exit_of(runner) == (2, "panic: KeyError('spec') [recovered]\n\tpanic: KeyError('spec')\n")
    assert "Observed a panic: KeyError('spec')" in capsys.readouterr().err


def test_a_leader_that_panics_does_not_release_the_lease(monkeypatch, capsys):
    """A panic ends kube-scheduler without its ReleaseOnCancel (the process is gone): the Lease
    stays written by it, to expire on its own, unlike a leader stopped by a signal."""
    monkeypatch.setattr(run, "start_and_sync", lambda informers, stop: True)
    monkeypatch.setattr(run, "relax_collector", lambda: None)
    profile = load_profile(data={"plugins": {"reserve": {"enabled": [{"name": "sched_fixtures:RaisingReserve"}]}}})
    client = LeaseHeldBy(None)
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1), profile),
                             elector=LeaderElector("me", WallClock(), name=run.LEASE_NAME))
    runner.nodes.store.add(node("n1"))
    runner.pods.store.add(pod("p"))
    with pytest.raises(Panic):
        runner.run(io.StringIO())
    assert client.lease["spec"]["holderIdentity"] == "me"


def test_a_scheduler_that_does_not_hold_the_lease_schedules_nothing(monkeypatch):
    """With --leader-elect only the holder of kube-system/kube-scheduler schedules (Run's
    OnStartedLeading); a free lease is taken and the pod bound."""
    assert scheduled_pods_with_lease(monkeypatch, "other") == []
    assert scheduled_pods_with_lease(monkeypatch, None) == ["/api/v1/namespaces/default/pods/p/binding"]


def test_leader_election_is_on_by_default_as_upstreams():
    """kube-scheduler's --leader-elect defaults to true; --leader-elect=false turns it off, and a
    value strconv.ParseBool refuses is a usage error."""
    assert run.parse_args(["--kubeconfig", "k"], {}).leader_elect is True
    assert run.parse_args(["--kubeconfig", "k", "--leader-elect=false"], {}).leader_elect is False
    assert run.main(["--kubeconfig", "k", "--leader-elect=maybe"], {}) != 0


def test_a_leader_that_loses_the_lease_stops_with_leaderelection_lost(monkeypatch):
    """Run's OnStoppedLeading: a leader that sees another holder exits (LeaderElectionLost, exit 1
    in `main`), where a candidate would only wait."""
    monkeypatch.setattr(run, "start_and_sync", lambda informers, stop: True)
    monkeypatch.setattr(run, "relax_collector", lambda: None)
    monkeypatch.setattr(run, "LEASE_RETRY_PERIOD", 0.05)
    client = LeaseHeldBy(None)
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1)),
                             elector=LeaderElector("me", WallClock(), name=run.LEASE_NAME))
    lost: list[BaseException] = []

    def scheduling() -> None:
        try:
            runner.run(io.StringIO())
        except LeaderElectionLost as error:
            lost.append(error)
    thread = threading.Thread(target=scheduling)
    thread.start()
    deadline = time.monotonic() + 5
    while not runner.elector.is_leader() and time.monotonic() < deadline:
        time.sleep(0.01)
    client.lease = {**client.lease, "spec": {"holderIdentity": "other", "leaseDurationSeconds": 15}}
    thread.join(timeout=5)
    runner.stop.set()
    assert [str(error) for error in lost] == ["Leaderelection lost"]


def test_a_leader_stopped_by_a_signal_releases_the_lease(monkeypatch):
    """ReleaseOnCancel, which kube-scheduler sets: on the way out the leader writes the Lease with
    no holder and a one-second duration, so the next scheduler need not wait 15s for it."""
    client = run_with_lease(monkeypatch, None)
    (method, path), release = client.calls[-1], client.bodies[-1]
    assert (method, path) == ("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler")
    assert release["spec"]["holderIdentity"] == "" and release["spec"]["leaseDurationSeconds"] == 1
    assert release["metadata"]["resourceVersion"] == "1"  # over the Lease last written, not a blind write


CONFIGURATION = "apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n"


def test_a_configurations_client_connection_kubeconfig_takes_the_place_of_the_flag(tmp_path):
    """As kube-scheduler's Options.Config: with --config its clientConnection.kubeconfig is the one
    used (no --kubeconfig needed); with neither, upstream's "no configuration" error."""
    with_kubeconfig, without = tmp_path / "with.yaml", tmp_path / "without.yaml"
    with_kubeconfig.write_text(CONFIGURATION + "clientConnection: {kubeconfig: /etc/scheduler.conf}\n")
    without.write_text(CONFIGURATION)
    def applied(*argv: str) -> Path:
        args = run.parse_args(argv, {})
        run.apply_config_file(args)
        return args.kubeconfig
    assert applied("--config", str(with_kubeconfig)) == Path("/etc/scheduler.conf")
    assert applied("--config", str(with_kubeconfig), "--kubeconfig", "k") == Path("/etc/scheduler.conf")
    assert applied("--config", str(without), "--kubeconfig", "k") == Path("k")
    with pytest.raises(InClusterConfigError, match="^invalid configuration: no configuration has been provided"):
        applied("--config", str(without))


@pytest.mark.parametrize("leader_election, flags, leader_elect", [
    ("leaderElection: {leaderElect: false}\n", [], False),
    ("leaderElection: {leaderElect: false}\n", ["--leader-elect=true"], True),
    ("leaderElection: {leaderElect: true}\n", ["--leader-elect=false"], False),
    ("", [], True),
])
def test_a_configurations_leader_elect_stands_unless_the_flag_is_given(leader_election, flags, leader_elect,
                                                                       tmp_path):
    """Options.ApplyTo with --config: the file's leaderElection.leaderElect (true when left out),
    which --leader-elect overrides only when it is given (ApplyLeaderElectionTo)."""
    path = tmp_path / "scheduler.yaml"
    path.write_text(CONFIGURATION + leader_election)
    args = run.parse_args(["--kubeconfig", "k", "--config", str(path), *flags], {})
    run.apply_config_file(args)
    assert args.leader_elect is leader_elect


def test_a_leader_elect_that_is_no_bool_is_refused_as_the_strict_decoder_does(tmp_path):
    path = tmp_path / "scheduler.yaml"
    path.write_text(CONFIGURATION + "leaderElection: {leaderElect: maybe}\n")
    with pytest.raises(ConfigError, match="cannot unmarshal string into Go struct field "
                                          "LeaderElectionConfiguration.leaderElection.leaderElect of type bool"):
        run.apply_config_file(run.parse_args(["--kubeconfig", "k", "--config", str(path)], {}))


def test_a_binding_cycle_that_raises_is_handed_to_crash():
    """Upstream's binding goroutine has no recover: an exception out of a binding cycle goes to
    the pool's `crash` (the runner's, which ends the process), not to a log line."""
    crashed = []
    binders = run.BindingCycles(1, crashed.append)

    def fail():
        raise KeyError("spec")

    binders.submit(fail)
    binders.shutdown(wait=True)
    assert [repr(error) for error in crashed] == ["KeyError('spec')"]


def test_a_cycle_handed_over_after_shutdown_is_dropped_and_starts_no_threads():
    """A handler's failed binding cycle arriving once the runner has shut its binders down is
    not run and does not start a fresh set of threads that nothing will stop."""
    binders, done = run.BindingCycles(4, print), []
    binders.submit(done.append, "before")
    binders.shutdown(wait=True)
    binders.submit(done.append, "after")
    time.sleep(0.1)
    assert done == ["before"] and binders._threads == []
    assert not [t for t in threading.enumerate() if t.name.startswith("binder_") and t.is_alive()]


def test_a_shutdown_that_cancels_drops_the_cycles_not_started():
    started, release, done = threading.Event(), threading.Event(), []
    binders = run.BindingCycles(1, print)
    binders.submit(lambda: (started.set(), release.wait(5), done.append("first")))
    assert started.wait(5)
    binders.submit(done.append, "second")
    threads = list(binders._threads)
    binders.shutdown(wait=False, cancel_futures=True)  # while the first still runs
    release.set()
    for thread in threads:
        thread.join(5)
    assert done == ["first"]


def test_an_event_series_loop_that_raises_panics_as_handlecrash_recovered(monkeypatch, capsys):
    """StartRecordingToSink runs finishSeries under wait.Until, whose HandleCrash logs
    "Observed a panic" and panics on (`[recovered]`), not as a binding goroutine with no recover."""
    from reference_impl.client.events import EventsRecorder

    class RaisingRecorder(EventsRecorder):
        def finish_series(self):
            raise KeyError("series")

    monkeypatch.setattr(run, "FINISH_TIME", 0.0)
    monkeypatch.setattr(run, "TICK_PERIOD", 0.01)
    monkeypatch.setattr(run, "start_and_sync", lambda informers, stop: True)
    monkeypatch.setattr(run, "relax_collector", lambda: None)
    client = FakeClient()
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1)),
                             recorder=RaisingRecorder(client, WallClock()))
    assert exit_of(runner) == (2, "panic: KeyError('series') [recovered]\n\tpanic: KeyError('series')\n")
    assert "Observed a panic: KeyError('series')" in capsys.readouterr().err


def test_two_threads_crashing_at_once_keep_one_panic(monkeypatch):
    """Crash.crash checks and sets the runner's panic under one lock: of threads crashing together (a
    slow Panic lets them all pass an unlocked check), one panic is made and every call returns it."""
    made = []

    class SlowPanic(Panic):
        def __init__(self, value, recovered=True):
            time.sleep(0.05)
            super().__init__(value, recovered)
            made.append(self)

    monkeypatch.setattr(crash, "Panic", SlowPanic)
    runner = SchedulerRunner(FakeClient(), Scheduler(fake_clock(), random.Random(1)))
    barrier, returned = threading.Barrier(4), []

    def crash_with(i):
        barrier.wait()
        returned.append(runner.crash.crash(KeyError(i)))

    threads = [threading.Thread(target=crash_with, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and all(panic is runner.crash.panic for panic in returned)


def test_an_informer_handler_that_raises_as_the_runner_stops_still_ends_it_with_the_panic(monkeypatch, capsys):
    """A handler already running when the stop comes finishes (as processorListener.run finishes
    the notification it holds): one that raises then, once the runner is stopping, is a panic all
    the same (exit 2), not lost to an exit 0, because the runner looks at its panic only once the
    informers have stopped (events read after the stop reach no handler)."""
    scheduler = Scheduler(fake_clock(), random.Random(1))

    def on_pdb_add(pdb):
        runner.stop.wait()  # the runner is on its way out
        raise KeyError("spec")

    scheduler.on_pdb_add = on_pdb_add
    runner, _ = panicking_runner(monkeypatch, {}, scheduler)

    def watch_read_before_stopping(client, path, reflector, stop):
        if "poddisruptionbudgets" in path:
            reflector.on_event({"type": "ADDED", "object": {"metadata": {"namespace": "default", "name": "budget"}}})
        stop.wait()

    monkeypatch.setattr(informer_module, "run_reflector", watch_read_before_stopping)
    for informer in (runner.nodes, runner.pods, runner.pdbs):
        informer.start()
    assert exit_of(runner, stop_after=0.2) == (2, "panic: KeyError('spec') [recovered]\n\tpanic: KeyError('spec')\n")
    assert "Observed a panic: KeyError('spec')" in capsys.readouterr().err


def test_a_panic_on_another_thread_wins_over_the_loops_own_error(monkeypatch):
    """A binder's panic ends the process even when the scheduling loop ends on an error of its
    own at the same time (a leader that finds its Lease lost): the process's end is the panic,
    exit 2, not the loop's exit 1 with the panic logged and dropped."""
    runner, _ = runner_with([], [])

    def loop_losing_its_lease(out):
        runner.crash.crash(KeyError("spec"), recovered=False)  # a binding cycle, as the loop ends
        raise LeaderElectionLost("Leaderelection lost")

    monkeypatch.setattr(runner, "_run", loop_losing_its_lease)
    with pytest.raises(Panic, match=r"^KeyError\('spec'\)$"):
        runner.run(io.StringIO())
