"""ControllerRevisions after pkg/controller/history: the snapshots of a pod template that the
DaemonSet and StatefulSet controllers keep, named `<owner>-<hash>` and numbered by `revision`.

A revision's `data` is the patch that turns any object of the owner's kind back into this template
(upstream's getPatch): `{"spec": {"template": {..., "$patch": "replace"}}}`, the template as Go's
typed structs serialise it. A StatefulSet revision's hash is HashControllerRevision's: FNV-1 over
those bytes as Go's json.Marshal writes them, then the collision count, so its names match a real
cluster's. The DaemonSet controller names its revisions itself (daemonset.snapshot).
"""
from __future__ import annotations

import copy

from reference_impl.machinery.objects import controller_ref, owner_reference
from reference_impl.machinery.gojson import marshal
from reference_impl.mirrors import mirrors

# The label every DaemonSet revision, and every pod made from any revision, carries
# (apps.ControllerRevisionHashLabelKey, DefaultDaemonSetUniqueLabelKey, StatefulSetRevisionLabel).
REVISION_HASH_LABEL = "controller-revision-hash"
# The label NewControllerRevision puts on the revisions it makes (StatefulSet's).
CONTROLLER_REVISION_HASH_LABEL = "controller.kubernetes.io/hash"

# utilrand's alphabet: no vowels, no 0/1/3, so encoded hashes spell no words.
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


def typed_pod_template(template: dict) -> dict:
    """`template` as Go's PodTemplateSpec serialises it: struct fields without a pointer are
    written even when empty (metadata.creationTimestamp as null, each container's resources)."""
    typed = copy.deepcopy(template)
    typed.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    spec = typed.setdefault("spec", {})
    spec.setdefault("containers", None)
    for key in ("initContainers", "containers"):
        for container in spec.get(key) or []:
            container.setdefault("resources", {})
    return typed


def template_patch(owner: dict) -> dict:
    """The data a revision of `owner` stores: its pod template, replacing whatever is there."""
    template = typed_pod_template(owner["spec"]["template"])
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


@mirrors("k8s.io/apimachinery/pkg/util/rand.SafeEncodeString")
def safe_encode_string(text: str) -> str:
    return "".join(_ALPHANUMS[ord(c) % len(_ALPHANUMS)] for c in text)


def fnv32(data: bytes) -> int:
    """FNV-1 (hash/fnv.New32: multiply, then xor), not FNV-1a."""
    h = 0x811C9DC5
    for byte in data:
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= byte
    return h


@mirrors("k8s.io/kubernetes/pkg/controller/history.HashControllerRevision")
def hash_revision(data: dict, collision_count: int | None = 0) -> str:
    raw = marshal(data, sort_keys=True)
    if collision_count is not None:
        raw += str(collision_count).encode()
    return safe_encode_string(str(fnv32(raw)))


@mirrors("k8s.io/kubernetes/pkg/controller/history.ControllerRevisionName")
def revision_name(prefix: str, hash_: str) -> str:
    # Upstream cuts the prefix so that the name stays a valid DNS label.
    return f"{prefix[:223]}-{hash_}"


@mirrors("k8s.io/kubernetes/pkg/controller/history.NewControllerRevision",
         "k8s.io/kubernetes/pkg/controller/statefulset.newRevision")
def new_revision(owner: dict, kind: str, revision: int, collision_count: int = 0) -> dict:
    """A ControllerRevision of `owner`'s current template, controlled by `owner`, carrying the
    owner's annotations (kubectl's last-applied-configuration among them)."""
    data = template_patch(owner)
    hash_ = hash_revision(data, collision_count)
    labels = dict((owner["spec"]["template"].get("metadata") or {}).get("labels") or {})
    labels[CONTROLLER_REVISION_HASH_LABEL] = hash_
    metadata = {"name": revision_name(owner["metadata"]["name"], hash_),
                "namespace": owner["metadata"]["namespace"], "labels": labels,
                "ownerReferences": [owner_reference(owner, kind, "apps/v1")]}
    if owner["metadata"].get("annotations"):
        metadata["annotations"] = dict(owner["metadata"]["annotations"])
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": metadata,
            "data": data, "revision": revision}


@mirrors("k8s.io/kubernetes/pkg/controller/history.EqualRevision")
def equal_revision(a: dict, b: dict) -> bool:
    return a.get("data") == b.get("data")


@mirrors("k8s.io/kubernetes/pkg/controller/history.FindEqualRevisions")
def find_equal_revisions(revisions: list[dict], needle: dict) -> list[dict]:
    return [r for r in revisions if equal_revision(r, needle)]


@mirrors("k8s.io/kubernetes/pkg/controller/history.SortControllerRevisions")
def sort_revisions(revisions: list[dict]) -> list[dict]:
    return sorted(revisions, key=lambda r: (r.get("revision", 0), r["metadata"]["name"]))


def owned_revisions(owner: dict, revisions: list[dict]) -> list[dict]:
    """The revisions `owner` controls (the listers' ControllerRef filter)."""
    uid = owner["metadata"]["uid"]
    return [r for r in revisions if (controller_ref(r) or {}).get("uid") == uid]


def next_revision(revisions: list[dict]) -> int:
    return max((r.get("revision", 0) for r in revisions), default=0) + 1
