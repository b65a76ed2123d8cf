"""ControllerRevisions after pkg/controller/history: the snapshots of a pod template that the
DaemonSet and StatefulSet controllers keep, named `<owner>-<hash>` and numbered by `revision`.

A revision's `data` is the patch that turns any object of the owner's kind back into this template
(upstream's getPatch): `{"spec": {"template": {..., "$patch": "replace"}}}`. The hash is
deployment.compute_hash over that data, so the names differ from a real cluster's (fnv32a there),
the behaviour does not.
"""
from __future__ import annotations

import copy

from reference_impl.machinery.objects import controller_ref, owner_reference
from reference_impl.controller_manager.deployment import compute_hash
from reference_impl.mirrors import mirrors

# The label every revision, and every pod made from one, carries: the revision's hash.
REVISION_HASH_LABEL = "controller-revision-hash"


def template_patch(owner: dict) -> dict:
    """The data a revision of `owner` stores: its pod template, replacing whatever is there."""
    template = copy.deepcopy(owner["spec"]["template"])
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


@mirrors("k8s.io/kubernetes/pkg/controller/history.HashControllerRevision")
def hash_revision(data: dict, collision_count: int = 0) -> str:
    return compute_hash(data, collision_count)


@mirrors("k8s.io/kubernetes/pkg/controller/history.ControllerRevisionName")
def revision_name(prefix: str, hash_: str) -> str:
    # Upstream cuts the prefix so that the name stays a valid DNS label.
    return f"{prefix[:223]}-{hash_}"


@mirrors("k8s.io/kubernetes/pkg/controller/history.NewControllerRevision")
def new_revision(owner: dict, kind: str, revision: int, collision_count: int = 0) -> dict:
    """A ControllerRevision of `owner`'s current template, controlled by `owner`."""
    data = template_patch(owner)
    hash_ = hash_revision(data, collision_count)
    labels = dict((owner["spec"]["template"].get("metadata") or {}).get("labels") or {})
    labels[REVISION_HASH_LABEL] = hash_
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {"name": revision_name(owner["metadata"]["name"], hash_),
                         "namespace": owner["metadata"]["namespace"], "labels": labels,
                         "ownerReferences": [owner_reference(owner, kind, "apps/v1")]},
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
