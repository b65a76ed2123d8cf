"""The events upstream's RealPodControl (pkg/controller/controller_utils.go) records about the pods a
controller creates and deletes, on the controller's own object: the ReplicaSet, ReplicationController,
DaemonSet and Job controllers all create and delete their pods through it. A core attaches them to
its Create or Delete as an `Outcome`; the controller-manager records the one the answer calls for.
"""
from __future__ import annotations

from dataclasses import dataclass

from reference_impl.machinery.actions import Create, Delete, Outcome, RecordEvent, SentTogether
from reference_impl.machinery.objects import object_reference
from reference_impl.mirrors import mirrors

NORMAL, WARNING = "Normal", "Warning"


def record(component: str, obj: dict, kind: str, api_version: str, type_: str, reason: str,
           message: str) -> RecordEvent:
    """An event about the controller's object `obj`, as recorder.Eventf(obj, ...) makes one."""
    return RecordEvent(component, object_reference(obj, kind, api_version), type_, reason, message)


@mirrors("(k8s.io/kubernetes/pkg/controller.RealPodControl).createPods")
def create_pod(component: str, owner: dict, kind: str, api_version: str, pod: dict) -> Create:
    """A create of `pod` that records SuccessfulCreate "Created pod: <name>" or, unless the
    namespace is terminating, FailedCreate "Error creating: <error>" on `owner`."""
    return Create("pods", owner["metadata"]["namespace"], pod, outcome=Outcome(
        record(component, owner, kind, api_version, NORMAL, "SuccessfulCreate", "Created pod: {name}"),
        record(component, owner, kind, api_version, WARNING, "FailedCreate", "Error creating: {error}"),
        quiet_for=("NamespaceTerminating",)))


@mirrors("(k8s.io/kubernetes/pkg/controller.RealPodControl).DeletePod")
def delete_pod(component: str, owner: dict, kind: str, api_version: str, pod: dict) -> Delete:
    """A delete of `pod` that records SuccessfulDelete "Deleted pod: <name>" or, unless the pod
    is already gone, FailedDelete "Error deleting: <error>" on `owner`."""
    name = pod["metadata"]["name"]
    return Delete("pods", pod["metadata"]["namespace"], name, outcome=Outcome(
        record(component, owner, kind, api_version, NORMAL, "SuccessfulDelete", f"Deleted pod: {name}"),
        record(component, owner, kind, api_version, WARNING, "FailedDelete", "Error deleting: {error}"),
        quiet_for=("NotFound",)))


@dataclass(frozen=True)
class DeletePods(SentTogether):
    """Pod deletes sent all at once, a goroutine each, as manageReplicas and syncNodes send the
    ReplicaSet's, ReplicationController's and DaemonSet's (wg.Add(diff)): every delete sent even
    when one fails, done when each was accepted or found the pod gone (a delete answered NotFound
    is no error to them). A failed delete is no longer expected, as before."""
    deletes: tuple[Delete, ...]

    @property
    def requests(self) -> tuple[Delete, ...]:
        return self.deletes


# controller.SlowStartInitialBatchSize: the first batch of a slow start is one create.
SLOW_START_INITIAL_BATCH_SIZE = 1


@dataclass(frozen=True)
class SlowStartCreates(SentTogether):
    """Pod creates sent in batches of 1, 2, 4, ... while every create of a batch succeeds, the
    creates of a batch at once; after the first batch with a failure the rest are not sent, and
    each is no longer expected (the skipped pods' CreationObserved), as the ReplicaSet,
    ReplicationController, DaemonSet and Job controllers send theirs (slowStartBatch, a goroutine
    per create). A create refused because the namespace is terminating counts as done, as
    upstream's callers ignore it."""
    creates: tuple[Create, ...]

    @property
    def requests(self) -> tuple[Create, ...]:
        return self.creates


@mirrors("k8s.io/kubernetes/pkg/controller/replicaset.slowStartBatch")
def slow_start_batches(count: int, initial: int = SLOW_START_INITIAL_BATCH_SIZE) -> list[int]:
    """The batch sizes of a slow start of `count` calls when every batch succeeds."""
    sizes, remaining, size = [], count, min(count, initial)
    while size > 0:
        sizes.append(size)
        remaining -= size
        size = min(2 * size, remaining)
    return sizes
