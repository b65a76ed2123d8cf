"""The kubelet's pod lifecycle as a sans-IO state machine (Kubernetes 1.24 `pkg/kubelet`).

Inputs: the pods bound to this node (`set_desired_pods`), runtime events (`container_started`,
`container_exited`, `container_start_failed`), probe outcomes (`probe_result`) and volume set-up
outcomes (`volumes_set_up`). Output: each
`sync_loop_iteration()` returns the actions an adapter must carry out (see `actions`). Time comes
from the clock passed in; nothing here touches processes, sockets or the API server.

`hollow=True` is kwok's trick for scale tests: containers are marked running (and stop) without
any process, and probes are taken to succeed, so thousands of pods cost only memory.

A pod's containers start only once every volume they mount is set up (the volume manager's
WaitForAttachAndMount): until then they wait as ContainerCreating, each failed attempt is a
FailedMount event, and attempts back off as upstream's pending operations do.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors
from reference_impl.machinery.actions import Delete, Patch, RecordEvent
from reference_impl.machinery.timefmt import micro_time, parse_rfc3339, rfc3339

from . import status as podstatus
from .actions import (
    MountVolumes,
    PodKey,
    RegisterNode,
    RunProbe,
    SignalContainer,
    StartContainer,
    UnmountVolumes,
    UpdateLease,
    container_field_path,
    image_present_message,
    node_event,
    pod_event,
)
from . import volumes
from .envvars import EnvVarError, resolve_container
from .errors import KubeletError, ProbePortError, UnsupportedPodError

# kubelet's container restart back-off (flowcontrol.NewBackOff(backOffPeriod, MaxContainerBackOff)).
BACKOFF_INITIAL_SECONDS = 10.0
BACKOFF_MAX_SECONDS = 300.0
DEFAULT_GRACE_SECONDS = 30
LEASE_DURATION_SECONDS = 40
NODE_IP = "127.0.0.1"  # every reference node is this host; its pods get addresses of their own
NODE_STATUS_REPORT_FREQUENCY = 300.0
EXIT_CODE_START_ERROR = 128
# nestedpendingoperations: a failed mount is retried after 500ms, doubling up to 2m2s.
MOUNT_BACKOFF_INITIAL_SECONDS = 0.5
MOUNT_BACKOFF_MAX_SECONDS = 122.0
# podAttachAndMountTimeout: how long syncPod waits for volumes before its "timed out" FailedMount.
MOUNT_TIMEOUT_SECONDS = 123.0
# podWorkers' backOffPeriod: a sync that failed (a populator error, such as an unbound PVC) is retried after it.
POD_WORKER_BACKOFF_SECONDS = 10.0
# The node's conditions as the status setters write them for a node under no pressure, Ready last.
NODE_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)
# syncFrequency: a mounted configMap, secret, downwardAPI or projected volume is refreshed this often.
REMOUNT_PERIOD_SECONDS = 60.0


@dataclass
class ContainerRecord:
    """What the kubelet knows about one container of one pod."""

    spec: dict
    ephemeral: bool = False  # a spec.ephemeralContainers entry: never restarted, never ready
    state: str = "waiting"  # waiting | running | terminated
    waiting_reason: str = "ContainerCreating"
    waiting_message: str = ""
    start_requested: bool = False
    container_id: str = ""
    started_at: float | None = None
    exit_code: int | None = None
    terminated_reason: str = ""
    finished_at: float | None = None
    last_state: dict = field(default_factory=dict)
    restart_count: int = 0
    ready: bool = False
    backoff: float = 0.0
    backoff_updated: float | None = None
    sync_error_event_at: float | None = None  # when a sync that could not start it last wrote its events
    kill_signal_sent: str = ""
    kill_deadline: float | None = None
    liveness_failed: bool = False
    probe_last_run: dict = field(default_factory=dict)
    probe_in_flight: set = field(default_factory=set)
    probe_successes: dict = field(default_factory=dict)
    probe_failures: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec["name"]

    def event(self, key: PodKey, type_: str, reason: str, message: str) -> RecordEvent:
        """An Event about this container (its involvedObject's fieldPath names it)."""
        return pod_event(key, type_, reason, message, container_field_path(self.name, self.ephemeral))


@dataclass
class VolumeState:
    """The volume manager's view of one pod: what its containers mount and what is set up."""

    expected: list[str]
    mounted: set[str] = field(default_factory=set)
    in_flight: bool = False
    next_attempt: float = 0.0
    backoff: float = 0.0
    waiting_since: float | None = None  # when the current wait for unmounted volumes began

    @property
    def unmounted(self) -> list[str]:
        return [name for name in self.expected if name not in self.mounted]


@dataclass
class PodRecord:
    key: PodKey
    pod: dict
    containers: dict[str, ContainerRecord]
    start_time: float
    removed: bool = False  # no longer bound to this node / deleted from the API
    delete_sent: bool = False
    last_status: dict | None = None
    pod_ip: str = ""
    volumes: VolumeState = field(default_factory=lambda: VolumeState([]))

    @property
    def terminating(self) -> bool:
        return self.removed or bool(self.pod["metadata"].get("deletionTimestamp"))

    @property
    def grace_seconds(self) -> float:
        meta, spec = self.pod["metadata"], self.pod["spec"]
        grace = meta.get("deletionGracePeriodSeconds")
        return float(grace if grace is not None else spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE_SECONDS))


def pod_key(pod: dict) -> PodKey:
    meta = pod["metadata"]
    return PodKey(meta.get("namespace", "default"), meta["name"], meta.get("uid", ""))


@mirrors("k8s.io/kubernetes/pkg/kubelet/container.ShouldContainerBeRestarted")
def should_restart(restart_policy: str, exit_code: int) -> bool:
    if restart_policy == "Never":
        return False
    if restart_policy == "OnFailure":
        return exit_code != 0
    return True


@mirrors("k8s.io/kubernetes/pkg/kubelet/prober.extractPort")
def extract_port(port, container: dict) -> int:
    """A probe's port as a number: a name is looked up in the container's ports (then read as a
    number written as a string, as strconv.Atoi reads it); ProbePortError in upstream's words when
    it names no port or is outside 1-65535."""
    if isinstance(port, str):
        named = next((p.get("containerPort") for p in container.get("ports") or [] if p.get("name") == port), None)
        if named is None and not re.fullmatch(r"[+-]?[0-9]+", port):  # Atoi reads ASCII digits only
            raise ProbePortError(f'strconv.Atoi: parsing "{port}": invalid syntax')
        port = named if named is not None else int(port)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ProbePortError(f"invalid port number: {port}")
    return port


def resolved_probe(probe: dict, container: dict) -> dict:
    """The probe with its httpGet or tcpSocket port as a number; ProbePortError when it is unusable."""
    for handler in ("httpGet", "tcpSocket"):
        if handler in probe:
            port = extract_port(probe[handler].get("port"), container)
            return {**probe, handler: {**probe[handler], "port": port}}
    return probe


class Kubelet:
    """The core. One instance per node; see the module docstring for its inputs and outputs."""

    def __init__(self, node_name: str, clock, *, capacity: dict | None = None, node_ip: str = NODE_IP,
                 hollow: bool = False, lease_duration_seconds: int = LEASE_DURATION_SECONDS,
                 pod_cidr: str | None = None) -> None:
        self.node_name = node_name
        self.clock = clock
        self.capacity = capacity or {"cpu": "4", "memory": "8Gi", "pods": "110"}
        self.node_ip = node_ip
        self.hollow = hollow
        self.lease_duration_seconds = lease_duration_seconds
        # nodelease renews every quarter of the lease duration (renewIntervalFraction 0.25).
        self.lease_renew_interval = lease_duration_seconds * 0.25
        self.registered = False
        self.last_lease_renew: float | None = None
        self.last_node_status: float | None = None
        self.conditions_since: float | None = None  # the conditions' lastTransitionTime: they never change
        self.pods: dict[str, PodRecord] = {}  # by uid
        # (pod, error) of pod syncs that failed since the adapter last read them; the adapter logs them.
        self.sync_errors: list[tuple[PodKey, Exception]] = []
        # (pod, container, probe type, result) -> how many probes ended so: prober_probe_total.
        self.probe_counts: dict[tuple[PodKey, str, str, str], int] = {}
        # Pod IPs come from pod_cidr, as host-local IPAM hands them out (the first address is the
        # gateway's); with none every pod shares the node's IP. On Linux all of 127.0.0.0/8 is
        # loopback, so a 127.0.N.0/24 per node gives each process its own address with no setup.
        self.pod_cidr = ipaddress.ip_network(pod_cidr) if pod_cidr else None

    # ---- node ----

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).initialNode")
    def initial_node(self) -> dict:
        return {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": self.node_name, "labels": {
                "kubernetes.io/hostname": self.node_name, "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64"}},
            "spec": {},
            "status": self.node_status(),
        }

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).defaultNodeStatusFuncs")
    def node_status(self) -> dict:
        """The node's status; its conditions in the setters' order, Ready last. The node is never
        under pressure, so the three pressure conditions are False from the start."""
        if self.conditions_since is None:
            self.conditions_since = self.clock.now()
        now, since = rfc3339(self.clock.now()), rfc3339(self.conditions_since)
        conditions = [{"type": type_, "status": status, "reason": reason, "message": message,
                       "lastHeartbeatTime": now, "lastTransitionTime": since}
                      for type_, status, reason, message in NODE_CONDITIONS]
        return {
            "capacity": dict(self.capacity), "allocatable": dict(self.capacity),
            "conditions": conditions,
            "addresses": [{"type": "InternalIP", "address": self.node_ip},
                          {"type": "Hostname", "address": self.node_name}],
            "nodeInfo": {"kubeletVersion": "v1.24.0", "operatingSystem": "linux", "architecture": "amd64",
                         "containerRuntimeVersion": "hollow://0.1" if self.hollow else "process://0.1"},
        }

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).registerWithAPIServer")
    @trace.decision
    def register_node(self) -> list:
        """Ask the adapter to create this Node; call `node_registered()` once the API accepted it.
        Each attempt writes the node's start-up events first (`node_events`), as upstream's come
        from building the initial Node before it is sent."""
        return [*self.node_events(), RegisterNode(self.initial_node())]

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).BirthCry",
             "(*k8s.io/kubernetes/pkg/kubelet.Kubelet).recordNodeStatusEvent")
    def node_events(self) -> list[RecordEvent]:
        """What `kubectl get events` shows of a starting node: `Starting kubelet.`, each pressure
        condition's first status (the setters record a change from Unknown) and the container
        manager's NodeAllocatableEnforced. Ready was never anything else, so no NodeReady is
        recorded, as upstream records it only on a change. A hollow node writes none, as kwok's."""
        if self.hollow:
            return []
        name = self.node_name
        return [node_event(name, "Normal", "Starting", "Starting kubelet."),
                *(node_event(name, "Normal", event, f"Node {name} status is now: {event}")
                  for event in ("NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID")),
                node_event(name, "Normal", "NodeAllocatableEnforced",
                                "Updated Node Allocatable limit across pods")]

    @mirrors("k8s.io/kubernetes/pkg/kubelet/nodestatus.ReadyCondition")
    def node_registered(self, existing_status: dict | None = None) -> list[RecordEvent]:
        """The API holds the Node now; `existing_status` is the status it had when this kubelet
        found it already registered (a restart). A Ready condition that was anything but True
        there (the node controller marks a silent node Unknown) becomes True with a NodeReady
        event, as the first status update after a restart records it."""
        self.registered = True
        self.last_node_status = self.clock.now()
        ready = next((c for c in (existing_status or {}).get("conditions") or [] if c.get("type") == "Ready"), None)
        if self.hollow or ready is None or ready.get("status") == "True":
            return []
        return [node_event(self.node_name, "Normal", "NodeReady",
                                f"Node {self.node_name} status is now: NodeReady")]

    def lease(self) -> dict:
        return {
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": self.node_name, "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": self.node_name, "leaseDurationSeconds": self.lease_duration_seconds,
                     "renewTime": micro_time(self.clock.now())},
        }

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).syncNodeStatus")
    def _node_actions(self, now: float) -> list:
        if not self.registered:
            return []
        actions: list = []
        if self.last_lease_renew is None or now - self.last_lease_renew >= self.lease_renew_interval:
            self.last_lease_renew = now
            actions.append(UpdateLease(self.lease()))
        if self.last_node_status is None or now - self.last_node_status >= NODE_STATUS_REPORT_FREQUENCY:
            self.last_node_status = now
            actions.append(Patch("nodes", None, self.node_name, {"status": self.node_status()}, "status"))
        return actions

    # ---- inputs ----

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).HandlePodAdditions")
    def set_desired_pods(self, pods: list[dict]) -> None:
        """The full set of pods bound to this node, as the API lists them; others are ignored."""
        seen = set()
        for pod in pods:
            if pod.get("spec", {}).get("nodeName") != self.node_name:
                continue
            uid = pod["metadata"]["uid"]
            seen.add(uid)
            record = self.pods.get(uid)
            if record is None:
                if pod["spec"].get("initContainers"):
                    raise UnsupportedPodError(str(pod_key(pod)), "spec.initContainers")
                record = self.pods[uid] = PodRecord(
                    pod_key(pod), pod, {c["name"]: ContainerRecord(c) for c in pod["spec"]["containers"]},
                    start_time=self._start_time(pod), pod_ip=self._allocate_ip(pod))
            record.pod = pod
            record.volumes.expected = [] if self.hollow else volumes.expected_volumes(pod)
            # Ephemeral containers are only ever added, through the pods/ephemeralcontainers subresource.
            for c in pod["spec"].get("ephemeralContainers") or []:
                record.containers.setdefault(c["name"], ContainerRecord(c, ephemeral=True))
        for uid, record in self.pods.items():
            if uid not in seen:
                record.removed = True

    def _allocate_ip(self, pod: dict) -> str:
        """The lowest free address of pod_cidr after the gateway; "" when none is free."""
        if self.pod_cidr is None or pod["spec"].get("hostNetwork"):
            return self.node_ip
        taken = {r.pod_ip for r in self.pods.values()}
        for address in list(self.pod_cidr.hosts())[1:]:
            if str(address) not in taken:
                return str(address)
        return ""

    def _container(self, key: PodKey, name: str) -> ContainerRecord:
        record = self.pods.get(key.uid)
        if record is None or name not in record.containers:
            raise KubeletError(f"unknown container {key}/{name}")
        return record.containers[name]

    def container_started(self, key: PodKey, name: str, container_id: str) -> None:
        c = self._container(key, name)
        c.state, c.container_id, c.started_at = "running", container_id, self.clock.now()
        c.start_requested = False
        c.waiting_reason, c.waiting_message = "ContainerCreating", ""  # a started container clears the reasonCache
        c.ready = not c.ephemeral and (self.hollow or "readinessProbe" not in c.spec)
        c.kill_signal_sent, c.kill_deadline, c.liveness_failed = "", None, False
        c.probe_last_run.clear(), c.probe_in_flight.clear(), c.probe_successes.clear(), c.probe_failures.clear()

    def container_exited(self, key: PodKey, name: str, exit_code: int) -> None:
        c = self._container(key, name)
        c.state, c.exit_code, c.finished_at, c.ready = "terminated", exit_code, self.clock.now(), False
        c.terminated_reason = "Completed" if exit_code == 0 else "Error"

    def container_start_failed(self, key: PodKey, name: str, message: str) -> None:
        """The process could not start: recorded as containerd does, exit code 128, reason StartError.
        The sync's result, ErrRunContainer with the runtime's message, is what upstream's reasonCache
        keeps, and the status shows it as the Waiting reason until a start succeeds."""
        c = self._container(key, name)
        c.start_requested = False
        c.started_at = c.finished_at = self.clock.now()
        c.state, c.exit_code, c.terminated_reason, c.waiting_message = "terminated", EXIT_CODE_START_ERROR, \
            "StartError", message
        c.waiting_reason = "RunContainerError"

    @mirrors("(*k8s.io/kubernetes/pkg/volume/util/nestedpendingoperations.nestedPendingOperations).operationComplete")
    def volumes_set_up(self, key: PodKey, outcome: volumes.VolumeSetUp) -> list:
        """A MountVolumes attempt ended: the FailedMount events it calls for, and when to try again."""
        record = self.pods.get(key.uid)
        if record is None:
            return []
        state, now = record.volumes, self.clock.now()
        state.in_flight = False
        state.mounted.update(outcome.mounted)
        events = [pod_event(key, "Warning", "FailedMount", message) for _, message in outcome.failures]
        if not state.unmounted:
            state.backoff, state.waiting_since = 0.0, None
            state.next_attempt = now + REMOUNT_PERIOD_SECONDS
        elif outcome.pod_errors:
            # WaitForAttachAndMount returns the populator's errors at once; the pod worker backs off.
            events.append(pod_event(key, "Warning", "FailedMount", volumes.unable_to_mount(
                state.unmounted, state.expected, "; ".join(outcome.pod_errors))))
            state.waiting_since = now
            state.next_attempt = now + POD_WORKER_BACKOFF_SECONDS
        else:
            state.backoff = min(state.backoff * 2 or MOUNT_BACKOFF_INITIAL_SECONDS, MOUNT_BACKOFF_MAX_SECONDS)
            state.next_attempt = now + state.backoff
        return events

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/prober.prober).probe")
    def probe_result(self, key: PodKey, name: str, probe_type: str, success: bool, output: str = "",
                     error: str | None = None) -> list:
        """A probe finished; thresholds (successThreshold, failureThreshold) apply here. Every
        failure is an Unhealthy event with the probe's output (or the `error` that kept it from
        running), before any threshold is reached."""
        c = self._container(key, name)
        c.probe_in_flight.discard(probe_type)
        counted = (key, name, probe_type, "unknown" if error is not None else "successful" if success else "failed")
        self.probe_counts[counted] = self.probe_counts.get(counted, 0) + 1
        if c.state != "running":
            return []
        probe = c.spec[f"{probe_type}Probe"]
        if success:
            c.probe_failures[probe_type] = 0
            c.probe_successes[probe_type] = c.probe_successes.get(probe_type, 0) + 1
            if probe_type == "readiness" and c.probe_successes[probe_type] >= probe.get("successThreshold", 1):
                c.ready = True
        else:
            c.probe_successes[probe_type] = 0
            c.probe_failures[probe_type] = c.probe_failures.get(probe_type, 0) + 1
            if c.probe_failures[probe_type] >= probe.get("failureThreshold", 3):
                if probe_type == "readiness":
                    c.ready = False
                else:
                    c.liveness_failed = True
            detail = f"errored: {error}" if error is not None else f"failed: {output}"
            return [c.event(key, "Warning", "Unhealthy", f"{probe_type.capitalize()} probe {detail}")]
        return []

    # ---- the loop ----

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).syncLoopIteration")
    def sync_loop_iteration(self) -> list:
        """The node's actions, then each pod's sync. A pod whose sync fails with a KubeletError
        (syncPod's returned error) is kept in sync_errors and the others synced; any other
        exception is raised, a panic in that pod's worker, which runs under HandleCrash."""
        now = self.clock.now()
        actions = self._node_actions(now)
        for uid in sorted(self.pods, key=lambda u: (str(self.pods[u].key), u)):
            try:
                actions.extend(self.sync_pod(self.pods[uid], now))
            except KubeletError as error:  # podWorkers: "Error syncing pod, skipping"
                self.sync_errors.append((self.pods[uid].key, error))
        for uid in [u for u, r in self.pods.items() if r.removed and self._all_stopped(r)]:
            if not self.hollow:
                actions.append(UnmountVolumes(self.pods[uid].key))
            del self.pods[uid]
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).syncPod",
             "(*k8s.io/kubernetes/pkg/kubelet/kuberuntime.kubeGenericRuntimeManager).computePodActions")
    @trace.decision
    def sync_pod(self, record: PodRecord, now: float) -> list:
        actions: list = []
        if record.terminating:
            actions.extend(self._kill_pod(record, now))
        else:
            terminal = self._phase(record) in ("Succeeded", "Failed")
            actions.extend(self._wait_for_volumes(record, now))
            volumes_ready = not record.volumes.unmounted
            for c in record.containers.values():
                if c.state == "running" and c.liveness_failed:
                    restart = ", will be restarted" if self._restart_policy(record, c) != "Never" else ""
                    actions.extend(self._kill_container(record, c, now,
                                                        f"Container {c.name} failed liveness probe{restart}"))
                elif c.state == "running":
                    actions.extend(self._probes(record, c, now))
                elif not terminal and volumes_ready:
                    actions.extend(self._maybe_start(record, c, self._restart_policy(record, c), now))
        if record.removed:
            return actions
        status = self.generate_api_pod_status(record, now)
        if status != record.last_status:
            record.last_status = status
            # Diffed against the pod as last seen from the apiserver, as the status manager diffs
            # against the apiserver's copy: a lagging copy only makes the patch larger.
            patch = podstatus.status_patch(record.key.uid, record.pod.get("status") or {}, status)
            if patch is not None:
                actions.append(Patch("pods", record.key.namespace, record.key.name, patch, "status"))
        if record.terminating and self._all_stopped(record) and not record.delete_sent:
            record.delete_sent = True
            actions.append(Delete("pods", record.key.namespace, record.key.name, grace_period_seconds=0,
                                  uid=record.key.uid))
        return actions

    def _maybe_start(self, record: PodRecord, c: ContainerRecord, restart_policy: str, now: float) -> list:
        if c.start_requested:
            return []
        if not record.pod_ip:
            c.waiting_reason, c.waiting_message = "ContainerCreating", f"no free IP in pod CIDR {self.pod_cidr}"
            return []
        try:
            resolved = resolve_container(record.pod, c.spec, record.pod_ip)
        except EnvVarError as error:
            c.waiting_reason, c.waiting_message = "CreateContainerConfigError", str(error)
            return self._sync_error_events(c, now, [
                c.event(record.key, "Normal", "Pulled", image_present_message(c.spec.get("image", ""))),
                c.event(record.key, "Warning", "Failed", f"Error: {error}")])
        restarting = c.state == "terminated"
        if restarting:
            if not should_restart(restart_policy, c.exit_code or 0):
                return []
            if c.backoff_updated is not None and now - c.finished_at < c.backoff:
                c.waiting_reason = "CrashLoopBackOff"
                return self._sync_error_events(c, now, [
                    c.event(record.key, "Warning", "BackOff", "Back-off restarting failed container")])
            self._advance_backoff(c, now)
            c.last_state = {"terminated": self._terminated_state(c)}
            c.restart_count += 1
        c.state, c.exit_code = "waiting", None
        if not restarting:  # a restart keeps the last sync's reason (upstream's reasonCache) until it runs
            c.waiting_reason = "ContainerCreating"
        c.sync_error_event_at = None
        if self.hollow:
            self.container_started(record.key, c.name, f"hollow://{record.key.uid}/{c.name}")
            return []
        c.start_requested = True
        return [StartContainer(record.key, resolved, c.restart_count, c.ephemeral)]

    @staticmethod
    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.podWorkers).completeWork")
    def _sync_error_events(c: ContainerRecord, now: float, events: list) -> list:
        """The events of a sync that could not start the container (its back-off, an error in its
        config). That sync's error sends the pod back to the pod worker's queue for backOffPeriod,
        so upstream syncs (and writes them) again about that much later, not at each pass of
        this loop."""
        if c.sync_error_event_at is not None and now - c.sync_error_event_at < POD_WORKER_BACKOFF_SECONDS:
            return []
        c.sync_error_event_at = now
        return events

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/volumemanager.volumeManager).WaitForAttachAndMount")
    def _wait_for_volumes(self, record: PodRecord, now: float) -> list:
        """A MountVolumes when an attempt is due (a refresh, once all are mounted); the "timed out"
        FailedMount each time volumes have stayed unmounted for podAttachAndMountTimeout."""
        state, actions = record.volumes, []
        if not state.expected:
            return actions
        if state.unmounted and state.waiting_since is None:
            state.waiting_since = now
        if state.unmounted and now - state.waiting_since >= MOUNT_TIMEOUT_SECONDS:
            state.waiting_since = now
            actions.append(pod_event(record.key, "Warning", "FailedMount", volumes.unable_to_mount(
                state.unmounted, state.expected, "timed out waiting for the condition")))
        if not state.in_flight and now >= state.next_attempt:
            state.in_flight = True
            actions.append(MountVolumes(record.key, record.pod))
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/kuberuntime.kubeGenericRuntimeManager).doBackOff")
    def _advance_backoff(self, c: ContainerRecord, now: float) -> None:
        """flowcontrol.Backoff.Next: the first restart is immediate, then 10s doubling to 300s.

        An entry idle for twice the maximum is forgotten, so the back-off starts again at 10s.
        """
        if c.backoff_updated is None or now - c.backoff_updated > 2 * BACKOFF_MAX_SECONDS:
            c.backoff = BACKOFF_INITIAL_SECONDS
        else:
            c.backoff = min(c.backoff * 2, BACKOFF_MAX_SECONDS)
        c.backoff_updated = now

    def _probes(self, record: PodRecord, c: ContainerRecord, now: float) -> list:
        actions = []
        for probe_type in ("liveness", "readiness"):
            probe = c.spec.get(f"{probe_type}Probe")
            if probe is None:
                continue
            if self.hollow:
                c.ready = True
                continue
            if probe_type in c.probe_in_flight or now < c.started_at + probe.get("initialDelaySeconds", 0):
                continue
            last = c.probe_last_run.get(probe_type)
            if last is not None and now - last < probe.get("periodSeconds", 10):
                continue
            c.probe_last_run[probe_type] = now
            try:
                runnable = resolved_probe(probe, c.spec)
            except ProbePortError as error:  # upstream's "Probe errored": a failure, counted as any other
                actions.extend(self.probe_result(record.key, c.name, probe_type, False, error=str(error)))
                continue
            c.probe_in_flight.add(probe_type)
            actions.append(RunProbe(record.key, c.name, probe_type, runnable, record.pod_ip or self.node_ip))
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/kuberuntime.kubeGenericRuntimeManager).killContainer")
    def _kill_container(self, record: PodRecord, c: ContainerRecord, now: float, message: str = "") -> list:
        """SIGTERM first, recorded in a Killing event (`message`, or `Stopping container <name>`);
        SIGKILL once the grace period has run out and the process is still there."""
        if self.hollow:
            self.container_exited(record.key, c.name, 0)
            return []
        if not c.kill_signal_sent:
            c.kill_signal_sent, c.kill_deadline = "SIGTERM", now + record.grace_seconds
            return [c.event(record.key, "Normal", "Killing", message or f"Stopping container {c.name}"),
                    SignalContainer(record.key, c.name, "SIGTERM")]
        if c.kill_signal_sent == "SIGTERM" and now >= c.kill_deadline:
            c.kill_signal_sent = "SIGKILL"
            return [SignalContainer(record.key, c.name, "SIGKILL")]
        return []

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).killPod")
    def _kill_pod(self, record: PodRecord, now: float) -> list:
        actions = []
        for c in record.containers.values():
            if c.state == "running":
                actions.extend(self._kill_container(record, c, now))
        return actions

    @staticmethod
    def _all_stopped(record: PodRecord) -> bool:
        return all(c.state != "running" and not c.start_requested for c in record.containers.values())

    # ---- status ----

    def _terminated_state(self, c: ContainerRecord) -> dict:
        state = {"exitCode": c.exit_code, "reason": c.terminated_reason,
                 "startedAt": rfc3339(c.started_at) if c.started_at is not None else None,
                 "finishedAt": rfc3339(c.finished_at)}
        if c.waiting_message:
            state["message"] = c.waiting_message
        if c.container_id:
            state["containerID"] = c.container_id
        return state

    @staticmethod
    def _waiting_state(c: ContainerRecord) -> dict:
        """Waiting: the reason and message the last sync left (upstream's reasonCache); an exited
        container to be restarted that has none shows CrashLoopBackOff."""
        if c.waiting_reason in ("CreateContainerConfigError", "RunContainerError"):
            return {"reason": c.waiting_reason, "message": c.waiting_message}
        if c.waiting_reason == "CrashLoopBackOff" or c.state == "terminated":
            return {"reason": "CrashLoopBackOff", "message": f"back-off restarting failed container {c.name}"}
        return {"reason": c.waiting_reason}

    @staticmethod
    def _restart_policy(record: PodRecord, c: ContainerRecord) -> str:
        """The pod's restart policy; an ephemeral container's is Never, whatever the pod's."""
        return "Never" if c.ephemeral else record.pod["spec"].get("restartPolicy", "Always")

    def container_status(self, record: PodRecord, c: ContainerRecord) -> dict:
        restarting = (c.state == "terminated" and not record.terminating
                      and should_restart(self._restart_policy(record, c), c.exit_code or 0))
        if c.state == "running":
            state = {"running": {"startedAt": rfc3339(c.started_at)}}
            last_state = c.last_state
        elif c.state == "terminated" and restarting:
            # Waiting to be restarted: the exit shows as lastState, as kubectl's RESTARTS/STATUS expect.
            state = {"waiting": self._waiting_state(c)}
            last_state = {"terminated": self._terminated_state(c)}
        elif c.state == "terminated":
            state, last_state = {"terminated": self._terminated_state(c)}, c.last_state
        else:
            state, last_state = {"waiting": self._waiting_state(c)}, c.last_state
        out = {"name": c.name, "state": state, "lastState": last_state, "ready": c.ready,
               "restartCount": c.restart_count, "image": c.spec.get("image", ""), "imageID": ""}
        if not c.ephemeral:  # the prober manager reports started for the pod's containers only
            out["started"] = c.state == "running"
        if c.container_id:
            out["containerID"] = c.container_id
        return out

    def _statuses(self, record: PodRecord, ephemeral: bool) -> list[dict]:
        return [self.container_status(record, c) for c in record.containers.values() if c.ephemeral == ephemeral]

    def _phase(self, record: PodRecord) -> str:
        return podstatus.get_phase(record.pod["spec"], self._statuses(record, ephemeral=False))

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/status.manager).updateStatusInternal")
    def _start_time(self, pod: dict) -> float:
        """When the pod started: the status.startTime it already has (a restarted kubelet adopting
        its pods keeps it, as the status manager keeps the old status's), else now."""
        start_time = (pod.get("status") or {}).get("startTime")
        return parse_rfc3339(start_time) if start_time else self.clock.now()

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).generateAPIPodStatus")
    def generate_api_pod_status(self, record: PodRecord, now: float) -> dict:
        spec = record.pod["spec"]
        statuses = self._statuses(record, ephemeral=False)
        phase = podstatus.get_phase(spec, statuses)
        conditions = [podstatus.initialized_condition(spec), podstatus.pod_ready_condition(spec, statuses, phase),
                      podstatus.containers_ready_condition(spec, statuses, phase),
                      {"type": "PodScheduled", "status": "True"}]
        previous = (record.last_status or record.pod.get("status") or {}).get("conditions", [])
        status = {
            "phase": phase,
            "conditions": podstatus.with_transition_times(conditions, previous, now),
            "hostIP": self.node_ip, **({"podIP": record.pod_ip, "podIPs": [{"ip": record.pod_ip}]} if record.pod_ip else {}),
            "startTime": rfc3339(record.start_time),
            "containerStatuses": statuses,
        }
        ephemeral = self._statuses(record, ephemeral=True)
        if ephemeral:
            status["ephemeralContainerStatuses"] = ephemeral
        return status
