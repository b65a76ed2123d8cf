"""Rules of the kubelet core's pod state machine: deterministic, no processes, one rule per test."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from reference_impl.machinery.clock import ManualClock  # noqa: E402
from reference_impl.kubelet import KubeletError, UnsupportedPodError  # noqa: E402
from reference_impl.machinery.actions import Delete, Patch, RecordEvent  # noqa: E402
from reference_impl.kubelet.actions import (  # noqa: E402
    MountVolumes,
    RegisterNode,
    RunProbe,
    SignalContainer,
    StartContainer,
    UpdateLease,
    pod_event,
)
from reference_impl.kubelet.kubelet import Kubelet  # noqa: E402
from reference_impl.kubelet.volumes import VolumeSetUp  # noqa: E402


def make_pod(name="p", containers=None, restart_policy="Always", node="node-1", uid=None, **spec):
    containers = containers or [{"name": "app", "image": "busybox", "command": ["sleep", "60"]}]
    return {"metadata": {"namespace": "default", "name": name, "uid": uid or f"uid-{name}"},
            "spec": {"nodeName": node, "restartPolicy": restart_policy, "containers": containers, **spec}}


def of(actions, kind):
    return [a for a in actions if isinstance(a, kind)]


def status_patches(actions, resource="pods"):
    return [a for a in actions if isinstance(a, Patch) and a.resource == resource]


def last_status(actions):
    return status_patches(actions)[-1].patch["status"]


def cond(status, type_):
    return next(c for c in status["conditions"] if c["type"] == type_)


@pytest.fixture
def clock():
    return ManualClock(1_700_000_000.0)


@pytest.fixture
def kubelet(clock):
    return Kubelet("node-1", clock)


def started(kubelet, pod):
    """Feed the pod in, start its containers as the runtime would, return the key."""
    kubelet.set_desired_pods([pod])
    actions = kubelet.sync_loop_iteration()
    for a in of(actions, StartContainer):
        kubelet.container_started(a.pod, a.container["name"], f"process://{a.container['name']}")
    return of(actions, StartContainer)[0].pod


def test_new_pod_starts_each_container(kubelet):
    """A pod bound to this node gets one StartContainer per container, restart count 0."""
    pod = make_pod(containers=[{"name": "a", "command": ["x"]}, {"name": "b", "command": ["y"]}])
    kubelet.set_desired_pods([pod])
    starts = of(kubelet.sync_loop_iteration(), StartContainer)
    assert [(s.container["name"], s.restart_count) for s in starts] == [("a", 0), ("b", 0)]


def test_pods_bound_elsewhere_are_ignored(kubelet):
    """Pods whose spec.nodeName is another node produce no actions."""
    kubelet.set_desired_pods([make_pod(node="node-2")])
    assert kubelet.sync_loop_iteration() == []


def test_pending_pod_reports_container_creating(kubelet):
    """Before the runtime confirms a start the pod is Pending, the container Waiting/ContainerCreating."""
    kubelet.set_desired_pods([make_pod()])
    status = last_status(kubelet.sync_loop_iteration())
    assert status["phase"] == "Pending"
    assert status["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}


def test_running_pod_is_ready_without_readiness_probe(kubelet):
    """Running containers without a readiness probe are ready; the pod is Running with all four conditions True."""
    started(kubelet, make_pod())
    status = last_status(kubelet.sync_loop_iteration())
    assert status["phase"] == "Running"
    assert {c["type"]: c["status"] for c in status["conditions"]} == {
        "Initialized": "True", "Ready": "True", "ContainersReady": "True", "PodScheduled": "True"}


def test_status_is_reported_only_on_change(kubelet):
    """An iteration that changes nothing emits no pod status patch."""
    started(kubelet, make_pod())
    kubelet.sync_loop_iteration()
    assert status_patches(kubelet.sync_loop_iteration()) == []


def test_status_patch_carries_only_what_differs_from_the_apiservers_copy(kubelet):
    """As PatchPodStatus: the patch holds the status fields that differ from the pod as last seen
    from the apiserver, with metadata.uid as a precondition; fields the kubelet does not set stay."""
    pod = make_pod()
    key = started(kubelet, pod)
    running = last_status(kubelet.sync_loop_iteration())
    # The apiserver's copy now has that status (and a field the kubelet never sets).
    kubelet.set_desired_pods([{**pod, "status": {**running, "qosClass": "BestEffort"}}])
    assert status_patches(kubelet.sync_loop_iteration()) == []
    kubelet.container_exited(key, "app", 1)
    patch = status_patches(kubelet.sync_loop_iteration())[-1].patch
    assert patch["metadata"] == {"uid": "uid-p"}
    assert set(patch["status"]) == {"conditions", "containerStatuses"}  # still Running: it restarts


def test_status_equal_to_the_apiservers_copy_is_not_sent(kubelet):
    """A kubelet that restarts and computes the status the apiserver already has sends nothing."""
    other = Kubelet("node-1", kubelet.clock)
    pod = make_pod()
    started(other, pod)
    running = last_status(other.sync_loop_iteration())
    key = started(kubelet, {**pod, "status": running})
    assert key.uid == "uid-p"
    assert status_patches(kubelet.sync_loop_iteration()) == []


def test_always_restarts_a_succeeded_container(kubelet, clock):
    """restartPolicy Always restarts a container that exited 0, counting the restart."""
    key = started(kubelet, make_pod(restart_policy="Always"))
    kubelet.container_exited(key, "app", 0)
    starts = of(kubelet.sync_loop_iteration(), StartContainer)
    assert [s.restart_count for s in starts] == [1]


def test_on_failure_does_not_restart_success(kubelet):
    """restartPolicy OnFailure leaves an exit-0 container terminated and the pod Succeeded."""
    key = started(kubelet, make_pod(restart_policy="OnFailure"))
    kubelet.container_exited(key, "app", 0)
    actions = kubelet.sync_loop_iteration()
    assert of(actions, StartContainer) == []
    assert last_status(actions)["phase"] == "Succeeded"


def test_on_failure_restarts_failure(kubelet):
    """restartPolicy OnFailure restarts a container that exited non-zero."""
    key = started(kubelet, make_pod(restart_policy="OnFailure"))
    kubelet.container_exited(key, "app", 3)
    assert len(of(kubelet.sync_loop_iteration(), StartContainer)) == 1


def test_never_fails_pod_with_exit_code(kubelet):
    """restartPolicy Never: a non-zero exit makes the pod Failed and the exit code is reported."""
    key = started(kubelet, make_pod(restart_policy="Never"))
    kubelet.container_exited(key, "app", 7)
    actions = kubelet.sync_loop_iteration()
    status = last_status(actions)
    assert of(actions, StartContainer) == []
    assert status["phase"] == "Failed"
    assert status["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 7
    assert status["containerStatuses"][0]["state"]["terminated"]["reason"] == "Error"


def test_back_off_doubles_between_restarts(kubelet, clock):
    """The first restart is immediate; the next waits 10 s, then 20 s (CrashLoopBackOff meanwhile)."""
    key = started(kubelet, make_pod())
    delays = []
    for _ in range(3):
        kubelet.container_exited(key, "app", 1)
        waited = 0
        while not of(kubelet.sync_loop_iteration(), StartContainer):
            clock.advance(1)
            waited += 1
        kubelet.container_started(key, "app", "process://x")
        delays.append(waited)
    assert delays == [0, 10, 20]


def test_crash_loop_status_shows_last_exit(kubelet, clock):
    """While backing off the container is Waiting/CrashLoopBackOff with the exit in lastState."""
    key = started(kubelet, make_pod())
    kubelet.container_exited(key, "app", 1)
    kubelet.sync_loop_iteration()
    kubelet.container_started(key, "app", "process://y")
    kubelet.container_exited(key, "app", 2)
    cs = last_status(kubelet.sync_loop_iteration())["containerStatuses"][0]
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["lastState"]["terminated"]["exitCode"] == 2
    assert cs["restartCount"] == 1


def test_a_container_backing_off_records_a_back_off_event_each_pod_worker_back_off(kubelet, clock):
    """doBackOff: a sync that finds the container still in its back-off writes `Back-off restarting
    failed container` (Warning, BackOff) about the container; its error requeues the pod for the
    pod worker's 10 s, so the next one is written 10 s later, not at every sync. The sync that
    restarts the container writes none."""
    key = started(kubelet, make_pod())
    back_off = pod_event(key, "Warning", "BackOff", "Back-off restarting failed container", "spec.containers{app}")

    def back_offs_until_restarted() -> list[int]:
        """The seconds after the exit at which a BackOff was written, until the restart."""
        kubelet.container_exited(key, "app", 1)
        seen, second = [], 0
        while True:
            actions = kubelet.sync_loop_iteration()
            seen += [second for event in of(actions, RecordEvent) if event == back_off]
            if of(actions, StartContainer):
                kubelet.container_started(key, "app", "process://y")
                return seen
            clock.advance(1)
            second += 1

    assert back_offs_until_restarted() == []  # the first restart is immediate
    assert back_offs_until_restarted() == [0]  # 10 s
    assert back_offs_until_restarted() == [0, 10]  # 20 s


def test_deletion_sends_sigterm_then_sigkill_after_grace(kubelet, clock):
    """A deleted pod's running containers get SIGTERM, and SIGKILL only once the grace period is over."""
    pod = make_pod(terminationGracePeriodSeconds=5)
    key = started(kubelet, pod)
    pod["metadata"]["deletionTimestamp"] = "2023-01-01T00:00:00Z"
    kubelet.set_desired_pods([pod])
    assert of(kubelet.sync_loop_iteration(), SignalContainer) == [SignalContainer(key, "app", "SIGTERM")]
    clock.advance(4)
    assert of(kubelet.sync_loop_iteration(), SignalContainer) == []
    clock.advance(1)
    assert of(kubelet.sync_loop_iteration(), SignalContainer) == [SignalContainer(key, "app", "SIGKILL")]


def test_deleted_pod_is_removed_once_containers_stop(kubelet):
    """When every container of a deleted pod has stopped, the kubelet finishes the deletion once."""
    pod = make_pod()
    key = started(kubelet, pod)
    pod["metadata"]["deletionTimestamp"] = "2023-01-01T00:00:00Z"
    kubelet.set_desired_pods([pod])
    kubelet.sync_loop_iteration()
    kubelet.container_exited(key, "app", 143)
    actions = kubelet.sync_loop_iteration()
    assert of(actions, Delete) == [Delete("pods", key.namespace, key.name, grace_period_seconds=0, uid=key.uid)]
    assert of(actions, StartContainer) == []
    assert of(kubelet.sync_loop_iteration(), Delete) == []


def test_pod_gone_from_api_is_killed(kubelet):
    """A pod no longer in the desired set is killed (no status reports) and forgotten after it stops."""
    key = started(kubelet, make_pod())
    kubelet.set_desired_pods([])
    actions = kubelet.sync_loop_iteration()
    assert of(actions, SignalContainer) == [SignalContainer(key, "app", "SIGTERM")]
    assert status_patches(actions) == []
    kubelet.container_exited(key, "app", 143)
    kubelet.sync_loop_iteration()
    assert kubelet.pods == {}


READINESS = {"exec": {"command": ["true"]}, "periodSeconds": 5, "initialDelaySeconds": 2}


def test_readiness_probe_waits_for_initial_delay(kubelet, clock):
    """No probe runs before initialDelaySeconds; then one RunProbe per period."""
    started(kubelet, make_pod(containers=[{"name": "app", "command": ["x"], "readinessProbe": READINESS}]))
    assert of(kubelet.sync_loop_iteration(), RunProbe) == []
    clock.advance(2)
    assert [p.probe_type for p in of(kubelet.sync_loop_iteration(), RunProbe)] == ["readiness"]


def test_container_with_readiness_probe_starts_unready(kubelet):
    """A container with a readiness probe is not ready until a probe succeeds; Ready is False meanwhile."""
    started(kubelet, make_pod(containers=[{"name": "app", "command": ["x"], "readinessProbe": READINESS}]))
    status = last_status(kubelet.sync_loop_iteration())
    assert cond(status, "Ready")["status"] == "False"
    assert cond(status, "ContainersReady")["message"] == "containers with unready status: [app]"


def test_readiness_success_makes_pod_ready(kubelet, clock):
    """A successful readiness probe result flips the container and the pod to ready."""
    key = started(kubelet, make_pod(containers=[{"name": "app", "command": ["x"], "readinessProbe": READINESS}]))
    kubelet.sync_loop_iteration()
    kubelet.probe_result(key, "app", "readiness", True)
    assert cond(last_status(kubelet.sync_loop_iteration()), "Ready")["status"] == "True"


def test_readiness_needs_failure_threshold_to_unready(kubelet):
    """A ready container turns unready only after failureThreshold consecutive failures."""
    probe = {**READINESS, "failureThreshold": 2}
    key = started(kubelet, make_pod(containers=[{"name": "app", "command": ["x"], "readinessProbe": probe}]))
    kubelet.probe_result(key, "app", "readiness", True)
    kubelet.probe_result(key, "app", "readiness", False)
    assert kubelet.pods["uid-p"].containers["app"].ready
    kubelet.probe_result(key, "app", "readiness", False)
    assert not kubelet.pods["uid-p"].containers["app"].ready


def test_every_failed_probe_is_an_unhealthy_event_quoting_its_output(kubelet):
    """prober.probe: each failure, before failureThreshold is reached too, writes `<Type> probe
    failed: <output>` (Warning, Unhealthy) about the container; a success writes nothing."""
    probe = {**READINESS, "failureThreshold": 3}
    key = started(kubelet, make_pod(containers=[{"name": "app", "command": ["x"], "readinessProbe": probe,
                                                 "livenessProbe": probe}]))
    assert kubelet.probe_result(key, "app", "readiness", True) == []
    assert kubelet.probe_result(key, "app", "readiness", False, "HTTP probe failed with statuscode: 503") == [
        pod_event(key, "Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503",
                  "spec.containers{app}")]
    assert [e.message for e in kubelet.probe_result(key, "app", "liveness", False, "")] == ["Liveness probe failed: "]


def test_liveness_failure_kills_and_restarts(kubelet, clock):
    """failureThreshold liveness failures SIGTERM the container; after it exits it is restarted."""
    probe = {"tcpSocket": {"port": 1}, "failureThreshold": 1}
    key = started(kubelet, make_pod(containers=[{"name": "app", "command": ["x"], "livenessProbe": probe}]))
    kubelet.sync_loop_iteration()
    kubelet.probe_result(key, "app", "liveness", False)
    assert of(kubelet.sync_loop_iteration(), SignalContainer) == [SignalContainer(key, "app", "SIGTERM")]
    kubelet.container_exited(key, "app", 143)
    assert len(of(kubelet.sync_loop_iteration(), StartContainer)) == 1


def test_a_named_probe_port_is_resolved_against_the_containers_ports(kubelet, clock):
    """extractPort: an httpGet or tcpSocket port written as a name probes that container port."""
    container = {"name": "app", "command": ["x"], "ports": [{"name": "web", "containerPort": 8080}],
                 "livenessProbe": {"httpGet": {"path": "/", "port": "web"}},
                 "readinessProbe": {"tcpSocket": {"port": "web"}}}
    started(kubelet, make_pod(containers=[container]))
    probes = of(kubelet.sync_loop_iteration(), RunProbe)
    assert [p.probe.get("httpGet", p.probe.get("tcpSocket"))["port"] for p in probes] == [8080, 8080]
    assert container["livenessProbe"]["httpGet"]["port"] == "web"  # the pod spec is not modified


def test_a_probe_port_no_container_port_names_is_a_failed_probe(kubelet, clock):
    """A port name the container does not have fails the probe without running it (upstream's
    "Probe errored"), each period, until failureThreshold kills the container."""
    probe = {"httpGet": {"path": "/", "port": "missing"}, "failureThreshold": 2, "periodSeconds": 1}
    key = started(kubelet, make_pod(containers=[{"name": "app", "command": ["x"], "livenessProbe": probe}]))
    assert of(kubelet.sync_loop_iteration(), RunProbe) == []
    assert of(kubelet.sync_loop_iteration(), SignalContainer) == []
    clock.advance(1)
    kubelet.sync_loop_iteration()
    assert of(kubelet.sync_loop_iteration(), SignalContainer) == [SignalContainer(key, "app", "SIGTERM")]


@pytest.mark.parametrize("port,error", [("missing", 'strconv.Atoi: parsing "missing": invalid syntax'),
                                        (70000, "invalid port number: 70000"), ("-3", "invalid port number: -3"),
                                        ("٨٠", 'strconv.Atoi: parsing "٨٠": invalid syntax')])
def test_a_probe_that_cannot_run_is_an_unhealthy_event_saying_why(kubelet, port, error):
    """prober.probe: a port extractPort refuses is `<Type> probe errored: <its error>` (Warning,
    Unhealthy), in strconv's and extractPort's words."""
    probe = {"tcpSocket": {"port": port}, "periodSeconds": 1}
    key = started(kubelet, make_pod(containers=[{"name": "app", "command": ["x"], "readinessProbe": probe}]))
    assert of(kubelet.sync_loop_iteration(), RecordEvent) == [
        pod_event(key, "Warning", "Unhealthy", f"Readiness probe errored: {error}", "spec.containers{app}")]


def test_conditions_written_without_status_or_transition_time_are_read_as_empty(kubelet):
    """A pod status someone patched with bare conditions ({"type": "Ready"}, no status, no
    lastTransitionTime) is read as Go reads it, zero values, and the kubelet writes its own."""
    pod = make_pod()
    pod["status"] = {"conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready"}]}
    kubelet.set_desired_pods([pod])
    status = last_status(kubelet.sync_loop_iteration())
    assert cond(status, "PodScheduled")["lastTransitionTime"] is None
    assert cond(status, "Ready")["status"] == "False" and cond(status, "Ready")["lastTransitionTime"]


def test_a_pod_whose_sync_returns_an_error_is_skipped_and_the_others_synced(kubelet, monkeypatch):
    """podWorkers: "Error syncing pod, skipping" — one pod's sync error (a KubeletError, what
    syncPod returns) is kept in sync_errors for the adapter to log and does not stop the
    iteration over the node's other pods."""
    kubelet.set_desired_pods([make_pod("a"), make_pod("b")])
    real = kubelet.sync_pod

    def sync_pod(record, now):
        if record.key.name == "a":
            raise KubeletError("unknown container default/a/app")
        return real(record, now)
    monkeypatch.setattr(kubelet, "sync_pod", sync_pod)
    actions = kubelet.sync_loop_iteration()
    assert [a.pod.name for a in of(actions, StartContainer)] == ["b"]
    assert [(key.name, type(error)) for key, error in kubelet.sync_errors] == [("a", KubeletError)]


def test_a_pod_whose_sync_raises_a_bug_is_a_panic_out_of_the_iteration(kubelet, monkeypatch):
    """A pod's sync raising what Go returns no error for (a bug) is a panic in its pod worker,
    whose HandleCrash ends the kubelet: it leaves sync_loop_iteration, not kept in sync_errors."""
    kubelet.set_desired_pods([make_pod("a"), make_pod("b")])

    def sync_pod(record, now):
        raise KeyError("status")
    monkeypatch.setattr(kubelet, "sync_pod", sync_pod)
    with pytest.raises(KeyError, match="status"):
        kubelet.sync_loop_iteration()
    assert kubelet.sync_errors == []


def test_condition_transition_time_kept_while_status_unchanged(kubelet, clock):
    """lastTransitionTime changes only when a condition's status changes."""
    key = started(kubelet, make_pod())
    first = cond(last_status(kubelet.sync_loop_iteration()), "Ready")["lastTransitionTime"]
    clock.advance(30)
    kubelet.container_exited(key, "app", 1)
    status = last_status(kubelet.sync_loop_iteration())
    assert cond(status, "PodScheduled")["lastTransitionTime"] == first
    assert cond(status, "Ready")["lastTransitionTime"] != first


def test_init_containers_are_refused(kubelet):
    """Init containers are outside this reference kubelet; the pod is refused loudly."""
    with pytest.raises(UnsupportedPodError):
        kubelet.set_desired_pods([make_pod(initContainers=[{"name": "i", "command": ["x"]}])])


def test_a_pod_with_the_service_account_token_volume_runs_once_it_is_set_up(kubelet):
    """The projected volume ServiceAccount admission adds to every pod is set up first (a
    MountVolumes); once it is, the containers start as any pod's."""
    mount = {"name": "kube-api-access-x2b4z", "readOnly": True,
             "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
    containers = [{"name": "app", "image": "busybox", "command": ["sleep", "60"], "volumeMounts": [mount]}]
    volume = {"name": "kube-api-access-x2b4z", "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}
    kubelet.set_desired_pods([make_pod(containers=containers, volumes=[volume])])
    (mount_action,) = of(kubelet.sync_loop_iteration(), MountVolumes)
    kubelet.volumes_set_up(mount_action.pod, VolumeSetUp(mounted=("kube-api-access-x2b4z",)))
    key = started(kubelet, make_pod(containers=containers, volumes=[volume]))
    status = last_status(kubelet.sync_loop_iteration())
    assert key.name == "p" and status["phase"] == "Running"


def test_register_node_reports_capacity(clock):
    """Registration creates a Node carrying capacity, allocatable, the three pressure conditions
    False and Ready True, last, as the status setters order them."""
    kubelet = Kubelet("node-1", clock, capacity={"cpu": "2", "memory": "1Gi", "pods": "10"})
    (action,) = of(kubelet.register_node(), RegisterNode)
    assert action.node["status"]["capacity"] == {"cpu": "2", "memory": "1Gi", "pods": "10"}
    assert [(c["type"], c["status"], c["reason"]) for c in action.node["status"]["conditions"]] == [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory"), ("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID"), ("Ready", "True", "KubeletReady")]


def test_a_node_status_keeps_the_time_its_conditions_last_changed(kubelet, clock):
    """A later report renews lastHeartbeatTime only: no condition changed, so lastTransitionTime
    stays the first report's."""
    first = kubelet.node_status()["conditions"]
    clock.advance(300)
    later = kubelet.node_status()["conditions"]
    assert [c["lastTransitionTime"] for c in later] == [c["lastTransitionTime"] for c in first]
    assert all(c["lastHeartbeatTime"] > f["lastHeartbeatTime"] for c, f in zip(later, first))


def test_registering_records_the_nodes_start_up_events(kubelet):
    """BirthCry's `Starting kubelet.`, each pressure condition's first status (`Node <name> status
    is now: <event>`) and NodeAllocatableEnforced, all Normal; no NodeReady, since Ready never
    changed."""
    assert [(e.involved["name"], e.type, e.reason, e.message) for e in of(kubelet.register_node(), RecordEvent)] == [
        ("node-1", "Normal", "Starting", "Starting kubelet."),
        ("node-1", "Normal", "NodeHasSufficientMemory", "Node node-1 status is now: NodeHasSufficientMemory"),
        ("node-1", "Normal", "NodeHasNoDiskPressure", "Node node-1 status is now: NodeHasNoDiskPressure"),
        ("node-1", "Normal", "NodeHasSufficientPID", "Node node-1 status is now: NodeHasSufficientPID"),
        ("node-1", "Normal", "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods")]


@pytest.mark.parametrize("ready,events", [("Unknown", ["NodeReady"]), ("False", ["NodeReady"]), ("True", []),
                                         (None, [])])
def test_a_node_found_not_ready_at_a_restart_records_node_ready(kubelet, ready, events):
    """ReadyCondition: a kubelet that finds its Node registered with Ready anything but True (the
    node controller marks a silent node Unknown) records `Node <name> status is now: NodeReady`;
    a new Node or one still Ready records none."""
    existing = None if ready is None else {"conditions": [{"type": "Ready", "status": ready}]}
    recorded = kubelet.node_registered(existing)
    assert [(e.reason, e.message) for e in recorded] == [(r, f"Node node-1 status is now: {r}") for r in events]


def test_a_hollow_node_records_no_events(clock):
    """Like kwok's nodes, a hollow node writes no start-up events (thousands register at once)."""
    assert of(Kubelet("node-1", clock, hollow=True).register_node(), RecordEvent) == []


def test_lease_renewed_every_quarter_duration(kubelet, clock):
    """After registration the Lease is renewed every leaseDuration/4 (10 s of 40 s)."""
    kubelet.node_registered()
    leases = []
    for _ in range(21):
        leases += of(kubelet.sync_loop_iteration(), UpdateLease)
        clock.advance(1)
    assert len(leases) == 3
    assert leases[0].lease["spec"]["holderIdentity"] == "node-1"
    assert leases[0].lease["metadata"]["namespace"] == "kube-node-lease"


def test_no_lease_before_registration(kubelet):
    """An unregistered kubelet renews no Lease."""
    assert of(kubelet.sync_loop_iteration(), UpdateLease) == []


def test_node_status_reported_every_five_minutes(kubelet, clock):
    """Node status is re-posted when nodeStatusReportFrequency (5 min) has passed."""
    kubelet.node_registered()
    assert status_patches(kubelet.sync_loop_iteration(), "nodes") == []
    clock.advance(300)
    assert len(status_patches(kubelet.sync_loop_iteration(), "nodes")) == 1


def test_hollow_mode_runs_without_processes(clock):
    """In hollow mode containers are Running and Ready at once, with no StartContainer or RunProbe."""
    kubelet = Kubelet("node-1", clock, hollow=True)
    kubelet.set_desired_pods([make_pod(containers=[{"name": "app", "readinessProbe": READINESS}])])
    actions = kubelet.sync_loop_iteration()
    assert of(actions, StartContainer) == [] and of(actions, RunProbe) == []
    assert cond(last_status(actions), "Ready")["status"] == "True"


def test_hollow_mode_deletes_without_signals(clock):
    """In hollow mode a deleted pod stops at once and is deleted, with no signals."""
    kubelet = Kubelet("node-1", clock, hollow=True)
    pod = make_pod()
    kubelet.set_desired_pods([pod])
    kubelet.sync_loop_iteration()
    pod["metadata"]["deletionTimestamp"] = "2023-01-01T00:00:00Z"
    kubelet.set_desired_pods([pod])
    actions = kubelet.sync_loop_iteration()
    assert of(actions, SignalContainer) == []
    assert len(of(actions, Delete)) == 1


def test_hollow_mode_scales(clock):
    """Two thousand hollow pods become Running in one iteration."""
    kubelet = Kubelet("node-1", clock, hollow=True)
    kubelet.set_desired_pods([make_pod(name=f"p{i}") for i in range(2000)])
    statuses = status_patches(kubelet.sync_loop_iteration())
    assert len(statuses) == 2000 and all(s.patch["status"]["phase"] == "Running" for s in statuses)


def test_stopping_a_container_is_recorded_in_a_killing_event(kubelet):
    """killContainer records `Stopping container <name>` (Normal, Killing) when it sends SIGTERM,
    once: the SIGKILL after the grace period records nothing more."""
    started(kubelet, make_pod())
    kubelet.set_desired_pods([])
    actions = kubelet.sync_loop_iteration()
    assert [(e.type, e.reason, e.message, e.involved["fieldPath"]) for e in of(actions, RecordEvent)] == [
        ("Normal", "Killing", "Stopping container app", "spec.containers{app}")]
    assert [a.signal for a in of(actions, SignalContainer)] == ["SIGTERM"]
    assert of(kubelet.sync_loop_iteration(), RecordEvent) == []


def test_a_pod_that_already_started_keeps_its_start_time(clock):
    """The status manager keeps the old status's StartTime: a restarted (hollow) kubelet that
    adopts a pod the API already shows as started writes that startTime again, not its own now."""
    kubelet = Kubelet("node-1", clock, hollow=True)
    pod = {**make_pod(), "status": {"phase": "Running", "startTime": "2023-11-14T20:00:00Z"}}
    kubelet.set_desired_pods([pod, make_pod(name="new")])
    starts = {a.name: a.patch["status"].get("startTime") for a in status_patches(kubelet.sync_loop_iteration())}
    assert starts == {"p": None, "new": "2023-11-14T22:13:20Z"}  # p's is the API's already: nothing to patch
