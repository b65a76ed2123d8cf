"""The requests a sync function asks for, as frozen data; an adapter turns them into HTTP calls."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Create:
    resource: str  # plural, e.g. "pods"
    namespace: str | None
    obj: dict = field(compare=False)


@dataclass(frozen=True)
class Delete:
    resource: str
    namespace: str | None
    name: str
    # "Background", "Foreground" or "Orphan"; None lets the server default.
    propagation_policy: str | None = None


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


def name_of(obj: dict) -> str:
    return obj["metadata"]["name"]


def namespace_of(obj: dict) -> str | None:
    return obj["metadata"].get("namespace")


def key_of(obj: dict) -> str:
    ns = namespace_of(obj)
    return f"{ns}/{name_of(obj)}" if ns else name_of(obj)
