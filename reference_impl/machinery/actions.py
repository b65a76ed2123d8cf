"""The requests a core asks the apiserver for, as frozen data: a controller's sync returns
Create/Update/Delete/Patch, the kubelet patches pod and node status and deletes the pods it has
stopped, a scheduling cycle ends in a Bind; an adapter turns each into an HTTP call. A RecordEvent
(from a controller, the scheduler or the kubelet), and the Outcome events a request records once its
answer is known, go through the adapter's event recorder (reference_impl.client.record)."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class RecordEvent:
    """A core/v1 Event about `involved` (an ObjectReference) from the recorder of `component`
    (its source.component: "kubelet", "default-scheduler", "replicaset-controller", ...)."""
    component: str
    involved: dict = field(hash=False)
    type: str  # Normal | Warning
    reason: str
    message: str
    # What an events.k8s.io/v1 recorder also writes (the scheduler's: "Binding", "Scheduling",
    # "Preempting"); a core/v1 recorder drops both, as client-go's adapter does.
    action: str = ""
    related: dict | None = field(default=None, hash=False)


@dataclass(frozen=True)
class Outcome:
    """The events a request records once it is answered, as upstream's PodControl records them
    after its create: `succeeded`, its message's `{name}` the name the server gave the object, or
    `failed`, its `{error}` the refusal's message. Either may be None (nothing recorded), and a
    refusal whose Status reason or cause type is in `quiet_for` (the object already gone, the
    namespace terminating) records nothing, as upstream's callers check for those first."""
    succeeded: RecordEvent | None = None
    failed: RecordEvent | None = None
    quiet_for: tuple[str, ...] = ()

    def event_for(self, answer: dict | None = None, refusal: dict | None = None) -> RecordEvent | None:
        """The event to record for the server's `answer`, or for its `refusal` (a Status)."""
        if refusal is None:
            name = ((answer or {}).get("metadata") or {}).get("name", "")
            return self.succeeded and replace(self.succeeded, message=self.succeeded.message.replace("{name}", name))
        causes = [cause.get("reason") for cause in (refusal.get("details") or {}).get("causes") or []]
        if self.failed is None or {refusal.get("reason"), *causes} & set(self.quiet_for):
            return None
        return replace(self.failed, message=self.failed.message.replace("{error}", refusal.get("message", "")))


@dataclass(frozen=True)
class Create:
    resource: str  # plural, e.g. "pods"
    namespace: str | None
    obj: dict = field(compare=False)
    # Status reasons or cause types of a refusal that leaves nothing to do (the namespace is gone
    # or terminating): the create counts as done and is not retried.
    done_if_refused_for: tuple[str, ...] = ()
    outcome: Outcome | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Delete:
    resource: str
    namespace: str | None
    name: str
    # "Background", "Foreground" or "Orphan"; None lets the server default.
    propagation_policy: str | None = None
    grace_period_seconds: int | None = None  # 0: now, as the kubelet ends a graceful deletion
    uid: str | None = None  # preconditions.uid: delete only this incarnation of the object
    outcome: Outcome | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Update:
    """A full PUT of `obj` (its resourceVersion makes it conditional)."""
    resource: str
    namespace: str | None
    obj: dict = field(compare=False)
    subresource: str | None = None  # "status", "finalize" or "approval"
    outcome: Outcome | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RetriedStatusUpdate(Update):
    """A write of `obj`'s status that, refused, is written again on a fresher copy of the object
    carrying this status: its `fields` (all of it when None). `fresh_from` "server": the copy
    read from the apiserver, once more after any refusal (the ReplicaSet and DaemonSet
    controllers' statusUpdateRetries); "cache": the informer's copy, after a Conflict only, five
    tries in all 10 ms apart (retry.RetryOnConflict with DefaultRetry, the StatefulSet's)."""
    verb = "Update"  # the request it is, in a trace
    fresh_from: str = "server"
    fields: tuple[str, ...] | None = None

    def on(self, fresh: dict) -> RetriedStatusUpdate:
        """This write again, on `fresh`."""
        obj = copy.deepcopy(fresh)
        ours = self.obj.get("status") or {}
        if self.fields is None:
            obj["status"] = copy.deepcopy(ours)
        else:
            # A stored `"status": null` is an empty status, as Go decodes it into the struct.
            status = obj["status"] = obj.get("status") or {}
            for name in self.fields:
                if name in ours:
                    status[name] = copy.deepcopy(ours[name])
                else:
                    status.pop(name, None)
        return replace(self, obj=obj)


@dataclass(frozen=True)
class Patch:
    """A JSON merge patch."""
    resource: str
    namespace: str | None
    name: str
    patch: dict = field(compare=False)
    subresource: str | None = None


@dataclass(frozen=True)
class Bind:
    """POST pods/<name>/binding: the decision a scheduling cycle ends with."""

    namespace: str
    pod: str
    node: str


@dataclass(frozen=True)
class Apply:
    """A server-side apply of `obj` (the fields `field_manager` owns); `force` takes over fields
    other managers own."""
    resource: str
    namespace: str | None
    name: str
    field_manager: str
    obj: dict = field(compare=False)
    force: bool = False


class SentTogether:
    """Requests a core asks to be sent at once (a controller's pod creates in slow-start
    batches, its pod deletes), each still a request of its own: `requests`, in order."""
    requests: tuple


def requests_of(actions) -> list:
    """`actions` with the requests of each SentTogether taken apart, each in its place: what a
    reader (a test, the trace) counts as requests, one by one."""
    return [request for action in actions
            for request in (action.requests if isinstance(action, SentTogether) else (action,))]


@dataclass(frozen=True)
class InOrder:
    """Requests sent one after another, those after the first that fails not sent at all: a Go
    loop of writes that returns its first error (the EndpointSlice reconciler's finalize)."""
    actions: tuple
