"""Questions every component asks of an object's JSON, and the one change they all make to it: its
`namespace/name` key, its controller and owner references, getting and setting a status condition,
and whether a pod is ready or still active."""
from __future__ import annotations

from collections.abc import Callable

from reference_impl.machinery.timefmt import parse_rfc3339
from reference_impl.mirrors import mirrors


_JSON_SCALARS = (str, int, float, bool, type(None))
_EXACT_JSON_SCALARS = frozenset(_JSON_SCALARS)


@mirrors("k8s.io/apimachinery/pkg/runtime.DeepCopyJSONValue")
def deep_copy_json(value):
    """A copy of a decoded JSON value (dicts, lists, strings, numbers, booleans, None): copy.deepcopy
    without its memo and dispatch, five times faster on an object. Anything else is a TypeError, as
    upstream panics. A value nested past Python's stack (a patch may bring one 10,000 levels deep)
    is copied without recursion."""
    try:
        return _copy(value)
    except RecursionError:
        return copy_json_without_recursion(value)


def _copy(value):
    kind = type(value)
    if kind is dict or kind is list:
        # A shallow copy, then only the members that are no plain scalar copied in place (replacing
        # a dict's value keeps its size, so iterating stays valid): most members of an object are
        # scalars, and skipping a call for each makes a pod's copy a third cheaper.
        copied = value.copy()
        for k, v in (copied.items() if kind is dict else enumerate(copied)):
            if type(v) not in _EXACT_JSON_SCALARS:
                copied[k] = _copy(v)
        return copied
    if isinstance(value, _JSON_SCALARS):
        return value
    if isinstance(value, dict):  # an object decoded with a key written twice (decoding.RepeatedKeys)
        return _copy(dict(value))
    raise TypeError(f"cannot deep copy {kind.__name__} as JSON: {value!r}")


def copy_json_without_recursion(value, members_of: Callable[[dict], dict] = dict):
    """A copy of a decoded JSON value with each map in it made `members_of(map)`, a new map of the
    members it keeps (all of them by default), with an explicit stack of the containers whose
    members are still to be copied: a patch may bring a value 10,000 levels deep (in a field the
    kind does not have, which only the decode after the patch drops). Anything but JSON is a
    TypeError, as in deep_copy_json."""
    root = [value]
    pending = [(root, 0)]
    while pending:
        container, at = pending.pop()
        item = container[at]
        if isinstance(item, dict):
            item = container[at] = members_of(item)
        elif isinstance(item, list):
            item = container[at] = list(item)
        elif isinstance(item, _JSON_SCALARS):
            continue
        else:
            raise TypeError(f"cannot deep copy {type(item).__name__} as JSON: {item!r}")
        pending.extend((item, key) for key in (item if isinstance(item, dict) else range(len(item))))
    return root[0]


@mirrors("k8s.io/client-go/tools/cache.MetaNamespaceKeyFunc")
def meta_namespace_key(obj: dict) -> str:
    meta = obj.get("metadata", {})
    namespace = meta.get("namespace")
    return f"{namespace}/{meta['name']}" if namespace else meta["name"]


def owner_reference(owner: dict, kind: str, api_version: str) -> dict:
    """The controller reference a controller stamps on what it creates (metav1.NewControllerRef)."""
    return {"apiVersion": api_version, "kind": kind, "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


@mirrors("k8s.io/client-go/tools/reference.GetReference")
def object_reference(obj: dict, kind: str, api_version: str) -> dict:
    """The ObjectReference an event is about: kind, namespace, name, uid, apiVersion and
    resourceVersion, each left out when empty (a Node has no namespace)."""
    meta = obj.get("metadata") or {}
    reference = {"kind": kind, "namespace": meta.get("namespace"), "name": meta.get("name"),
                 "uid": meta.get("uid"), "apiVersion": api_version, "resourceVersion": meta.get("resourceVersion")}
    return {key: value for key, value in reference.items() if value}


def controller_ref(obj: dict) -> dict | None:
    return next((r for r in obj["metadata"].get("ownerReferences") or [] if r.get("controller")), None)


def condition(obj: dict, kind: str) -> dict | None:
    return next((c for c in obj.get("status", {}).get("conditions") or [] if c.get("type") == kind), None)


def set_condition(conditions: list[dict], new: dict, now: str) -> None:
    """Put `new` into `conditions` in place, matched by type, as meta.SetStatusCondition does: a new
    type is appended with lastTransitionTime `now`; an existing one takes the new status, reason
    and message, and its lastTransitionTime moves to `now` only when the status changes."""
    old = next((c for c in conditions if c.get("type") == new["type"]), None)
    if old is None:
        conditions.append({**new, "lastTransitionTime": now})
        return
    if old.get("status") != new.get("status"):
        old["lastTransitionTime"] = now
    old.update({key: value for key, value in new.items() if key != "lastTransitionTime"})


def pod_ready(pod: dict) -> bool:
    c = condition(pod, "Ready")
    return c is not None and c.get("status") == "True"


@mirrors("k8s.io/kubernetes/pkg/api/v1/pod.IsPodAvailable")
def pod_available(pod: dict, min_ready_seconds: int, now: float) -> bool:
    """Ready, and for more than `min_ready_seconds` since its Ready condition last turned True
    (at once when that is 0; never while the condition has no transition time)."""
    if not pod_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = condition(pod, "Ready").get("lastTransitionTime")
    return bool(since) and parse_rfc3339(since) + min_ready_seconds < now


def pod_active(pod: dict) -> bool:
    """Not terminal and not being deleted (controller.IsPodActive)."""
    return (pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")
            and not pod["metadata"].get("deletionTimestamp"))
