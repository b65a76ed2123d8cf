"""The requests a core asks the apiserver for, as frozen data: a controller's sync returns
Create/Update/Delete/Patch, the kubelet patches pod and node status and deletes the pods it has
stopped, a scheduling cycle ends in a Bind; an adapter turns each into an HTTP call."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Create:
    resource: str  # plural, e.g. "pods"
    namespace: str | None
    obj: dict = field(compare=False)
    # Status reasons or cause types of a refusal that leaves nothing to do (the namespace is gone
    # or terminating): the create counts as done and is not retried.
    done_if_refused_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delete:
    resource: str
    namespace: str | None
    name: str
    # "Background", "Foreground" or "Orphan"; None lets the server default.
    propagation_policy: str | None = None
    grace_period_seconds: int | None = None  # 0: now, as the kubelet ends a graceful deletion
    uid: str | None = None  # preconditions.uid: delete only this incarnation of the object


@dataclass(frozen=True)
class Update:
    """A full PUT of `obj` (its resourceVersion makes it conditional)."""
    resource: str
    namespace: str | None
    obj: dict = field(compare=False)
    subresource: str | None = None  # "status" or "finalize"


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
