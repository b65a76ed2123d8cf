"""The bridge between client-side and server-side `kubectl apply`, as upstream's lastAppliedManager
and lastAppliedUpdater keep it for the manager "kubectl": a server-side apply does not conflict on
the fields the client-side `kubectl.kubernetes.io/last-applied-configuration` still describes, and
it keeps that annotation up to date, so that either kind of apply can follow the other.
"""
from __future__ import annotations

import json
from typing import Any

from reference_impl.apiserver.fieldmanager import typed
from reference_impl.apiserver.fieldmanager.typed import Schema, TypedError
from reference_impl.apiserver.fieldmanager.updater import Conflicts
from reference_impl.machinery.gojson import marshal
from reference_impl.mirrors import mirrors

KUBECTL = "kubectl"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024  # apimachinery validation's TotalAnnotationSizeLimitB


def _annotations(obj: dict) -> dict:
    annotations = (obj.get("metadata") or {}).get("annotations")
    return annotations if isinstance(annotations, dict) else {}


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.lastAppliedManager).allowedConflictsFromLastApplied")
def allowed_conflicts(live: dict, schema: Schema, api_version: str) -> frozenset | None:
    """The fields the live object's last-applied configuration sets to the values they still have;
    None when it has none that can be read in this apiVersion."""
    text = _annotations(live).get(LAST_APPLIED)
    if not text:
        return None
    try:
        last_applied = json.loads(text)
    except ValueError:
        return None
    if not isinstance(last_applied, dict) or last_applied.get("apiVersion") != api_version:
        return None
    try:
        fields = typed.to_field_set(last_applied, schema)
        changed = typed.compare(last_applied, live, schema)
    except TypedError:
        return None
    return frozenset(fields - changed.modified - changed.added - changed.removed)


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.lastAppliedManager).Apply",
         "k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.conflictsDifference")
def remaining_conflicts(conflicts: Conflicts, allowed: frozenset | None) -> Conflicts | None:
    """The conflicts an apply by "kubectl" still has once those the last-applied configuration
    allows are set aside; None when none remain (the apply is then forced)."""
    if allowed is None:
        return conflicts
    remaining = [conflict for conflict in conflicts.conflicts if conflict.path not in allowed]
    return Conflicts(remaining) if remaining else None


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.lastAppliedUpdater).Apply",
         "k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.buildLastApplied",
         "k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.setLastApplied")
def with_last_applied(obj: dict, applied: dict) -> dict:
    """`obj` (a private copy) with its last-applied annotation set to the applied configuration,
    when it has one: compact JSON with sorted keys and a newline, as Go's encoder writes it. An
    annotation that would take the annotations past their size limit is dropped."""
    annotations = _annotations(obj)
    if not annotations.get(LAST_APPLIED):
        return obj
    config: dict[str, Any] = json.loads(json.dumps(applied))
    if isinstance((config.get("metadata") or {}).get("annotations"), dict):
        config["metadata"]["annotations"].pop(LAST_APPLIED, None)
    annotations[LAST_APPLIED] = marshal(config, sort_keys=True).decode("utf-8", "surrogatepass") + "\n"
    if sum(len(key.encode("utf-8", "surrogateescape")) + len(value.encode("utf-8", "surrogateescape"))
           for key, value in annotations.items()) > TOTAL_ANNOTATION_SIZE_LIMIT:
        del annotations[LAST_APPLIED]
    return obj
