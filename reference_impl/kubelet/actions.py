"""What the kubelet core decides; an adapter carries each action out (process, socket, API call).
Status patches, the final pod deletion and events are the shared `machinery.actions` Patch, Delete
and RecordEvent."""
from __future__ import annotations

from dataclasses import dataclass, field

from reference_impl.machinery.actions import RecordEvent
from reference_impl.mirrors import mirrors

EVENT_SOURCE = "kubelet"  # the source.component of every event the kubelet records


@dataclass(frozen=True)
class PodKey:
    namespace: str
    name: str
    uid: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class StartContainer:
    pod: PodKey
    container: dict  # the spec.containers entry: command, args, env, workingDir
    restart_count: int  # names the log file: <log root>/<ns>_<pod>_<uid>/<container>/<restart_count>.log
    ephemeral: bool = False  # a spec.ephemeralContainers entry (its events name that field)


@dataclass(frozen=True)
class SignalContainer:
    """Send `signal` ("SIGTERM" or "SIGKILL") to a running container's process."""

    pod: PodKey
    container_name: str
    signal: str


@dataclass(frozen=True)
class RunProbe:
    """Run one liveness or readiness probe; feed the outcome back with `Kubelet.probe_result`."""

    pod: PodKey
    container_name: str
    probe_type: str  # "liveness" | "readiness"
    probe: dict  # the probe spec: exec / httpGet / tcpSocket, timeoutSeconds
    pod_ip: str = "127.0.0.1"  # where httpGet and tcpSocket probes connect unless they name a host


@dataclass(frozen=True)
class RegisterNode:
    node: dict


@dataclass(frozen=True)
class UpdateLease:
    lease: dict


@dataclass(frozen=True)
class MountVolumes:
    """Set up the volumes the pod's containers mount; feed the outcome back with `Kubelet.volumes_set_up`."""

    pod: PodKey
    manifest: dict = field(compare=False)  # the pod as last seen: its volumes, and its fields for downwardAPI


@dataclass(frozen=True)
class UnmountVolumes:
    """Remove the pod's directory under <root-dir>/pods: its volumes and container roots."""

    pod: PodKey


@mirrors("k8s.io/kubernetes/pkg/kubelet/container.GenerateContainerRef")
def pod_reference(pod: PodKey, field_path: str = "") -> dict:
    """The ObjectReference of an event about the pod; one about a container names it in
    `field_path` (the involvedObject's fieldPath)."""
    involved = {"apiVersion": "v1", "kind": "Pod", "namespace": pod.namespace, "name": pod.name, "uid": pod.uid}
    return {**involved, "fieldPath": field_path} if field_path else involved


def pod_event(pod: PodKey, type_: str, reason: str, message: str, field_path: str = "") -> RecordEvent:
    """A core/v1 Event about the pod, or one of its containers, as the kubelet's recorder writes it."""
    return RecordEvent(EVENT_SOURCE, pod_reference(pod, field_path), type_, reason, message)


def node_event(node_name: str, type_: str, reason: str, message: str) -> RecordEvent:
    """A core/v1 Event about the kubelet's own Node: its nodeRef (kind Node, the node's name as its
    UID), which the recorder writes to the default namespace."""
    return RecordEvent(EVENT_SOURCE, {"kind": "Node", "name": node_name, "uid": node_name}, type_, reason, message)


def image_present_message(image: str) -> str:
    """The Pulled event's message for an image already on the node (imageManager.EnsureImageExists)."""
    return f'Container image "{image}" already present on machine'


@mirrors("k8s.io/kubernetes/pkg/kubelet/container.fieldPath")
def container_field_path(container_name: str, ephemeral: bool = False) -> str:
    """`spec.containers{<name>}`: where a container's events point inside its pod
    (kubecontainer.GenerateContainerRef's fieldPath)."""
    field = "ephemeralContainers" if ephemeral else "containers"
    return f"spec.{field}{{{container_name}}}"
