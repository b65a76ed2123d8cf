"""The Endpoints controller: for each Service with a selector, an Endpoints object listing the
IPs of the matching pods — ready ones under `addresses`, the rest under `notReadyAddresses` —
with the Service's ports resolved against each pod's (named) container ports.
"""
from __future__ import annotations

import copy

from reference_impl.machinery.actions import Create, Delete, Outcome, RecordEvent, Update
from reference_impl.machinery.labels import map_selector_matches
from reference_impl.machinery.objects import condition, object_reference, pod_ready
from reference_impl.machinery import trace
from reference_impl.machinery.timefmt import parse_rfc3339, rfc3339
from reference_impl.mirrors import mirrors

EVENT_SOURCE = "endpoint-controller"
LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"


class TriggerTimeTracker:
    """When the change an Endpoints write follows was made: per Service, the creation time it
    had and each pod's Ready transition time at the last sync, so that a sync can say the
    earliest of those that changed since (the Service's creation time at its first sync)."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}

    @mirrors("(*k8s.io/kubernetes/pkg/controller/util/endpoint.TriggerTimeTracker).ComputeEndpointLastChangeTriggerTime")
    def compute(self, namespace: str, service: dict, pods: list[dict]) -> str | None:
        """The trigger time of this sync as RFC 3339 text, None when nothing changed."""
        key = (namespace, service["metadata"]["name"])
        known = key in self._states
        last_service, last_pods = self._states.get(key, (0.0, {}))
        changed, pod_times = [], {}
        for pod in pods:
            ready = condition(pod, "Ready") or {}
            if ready.get("lastTransitionTime"):
                when = parse_rfc3339(ready["lastTransitionTime"])
                pod_times[pod["metadata"]["name"]] = when
                if when > last_pods.get(pod["metadata"]["name"], 0.0):
                    changed.append(when)
        created = service["metadata"].get("creationTimestamp")
        service_time = parse_rfc3339(created) if created else 0.0
        if service_time > last_service:
            changed.append(service_time)
        self._states[key] = (service_time, pod_times)
        if not known:
            return rfc3339(service_time) if created else None
        return rfc3339(min(changed)) if changed else None

    @mirrors("(*k8s.io/kubernetes/pkg/controller/util/endpoint.TriggerTimeTracker).DeleteService")
    def delete(self, namespace: str, name: str) -> None:
        self._states.pop((namespace, name), None)


def _target_port(service_port: dict, pod: dict) -> int | None:
    target = service_port.get("targetPort", service_port["port"])
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for container in pod.get("spec", {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == service_port.get("protocol", "TCP"):
                return port["containerPort"]
    return None


def _address(pod: dict) -> dict:
    meta = pod["metadata"]
    address = {"ip": pod["status"]["podIP"],
               "targetRef": {"kind": "Pod", "namespace": meta["namespace"], "name": meta["name"],
                             "uid": meta.get("uid", "")}}
    if pod.get("spec", {}).get("nodeName"):
        address["nodeName"] = pod["spec"]["nodeName"]
    return address


@mirrors("(*k8s.io/kubernetes/pkg/controller/endpoint.Controller).syncService")
def desired_subsets(service: dict, pods: list[dict]) -> list[dict]:
    publish_not_ready = service["spec"].get("publishNotReadyAddresses", False)
    by_ports: dict[tuple, dict] = {}
    for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
        if not map_selector_matches(service["spec"].get("selector"), pod["metadata"].get("labels")):
            continue
        if not pod.get("status", {}).get("podIP") or pod["metadata"].get("deletionTimestamp"):
            continue
        ports = []
        for sp in service["spec"].get("ports") or []:
            number = _target_port(sp, pod)
            if number is None:
                continue
            port = {"port": number, "protocol": sp.get("protocol", "TCP")}
            if sp.get("name"):
                port["name"] = sp["name"]
            ports.append(port)
        subset = by_ports.setdefault(tuple(sorted((p["port"], p.get("name", "")) for p in ports)),
                                     {"addresses": [], "notReadyAddresses": [], "ports": ports})
        ready = pod_ready(pod) or publish_not_ready
        subset["addresses" if ready else "notReadyAddresses"].append(_address(pod))
    subsets = []
    for subset in by_ports.values():
        subsets.append({k: v for k, v in subset.items() if v})
    return subsets


def selected_pods(service: dict, pods: list[dict]) -> list[dict]:
    """The pods of `pods` the Service's selector matches, as syncService lists them."""
    return [pod for pod in pods if map_selector_matches(service["spec"].get("selector"), pod["metadata"].get("labels"))]


@trace.decision
def sync_service(namespace: str, name: str, service: dict | None, pods: list[dict],
                 endpoints: dict | None, trigger_time: str | None = None) -> list:
    """Actions that make the Endpoints `namespace/name` match its Service (deleted with it). A
    write carries `trigger_time` (TriggerTimeTracker's) as its last-change-trigger-time
    annotation, or drops the annotation when there is none."""
    if service is None:
        return [Delete("endpoints", namespace, name)] if endpoints is not None else []
    if service["spec"].get("selector") is None:
        return []  # endpoints of a selector-less service are managed by hand
    subsets = desired_subsets(service, pods)
    if endpoints is None:
        metadata = {"name": name, "namespace": namespace}
        if trigger_time:
            metadata["annotations"] = {LAST_CHANGE_TRIGGER_TIME: trigger_time}
        created = {"apiVersion": "v1", "kind": "Endpoints",
                   "metadata": {**metadata, "labels": dict(service["metadata"].get("labels") or {})},
                   "subsets": subsets}
        return [Create("endpoints", namespace, created, outcome=_failed(
            created, "FailedToCreateEndpoint", f"Failed to create endpoint for service {namespace}/{name}",
            quiet_for=("NamespaceTerminating",)))]
    if (endpoints.get("subsets") or []) == subsets:
        return []
    updated = copy.deepcopy(endpoints)
    updated["subsets"] = subsets
    annotations = {k: v for k, v in (updated["metadata"].get("annotations") or {}).items() if k != LAST_CHANGE_TRIGGER_TIME}
    if trigger_time:
        annotations[LAST_CHANGE_TRIGGER_TIME] = trigger_time
    if annotations:
        updated["metadata"]["annotations"] = annotations
    else:
        updated["metadata"].pop("annotations", None)
    return [Update("endpoints", namespace, updated,
                   outcome=_failed(updated, "FailedToUpdateEndpoint", f"Failed to update endpoint {namespace}/{name}"))]


def _failed(endpoints: dict, reason: str, what: str, quiet_for: tuple[str, ...] = ()) -> Outcome:
    """A refused write is a Warning about the Endpoints written (a create into a terminating
    namespace records nothing: it is dropped)."""
    involved = object_reference(endpoints, "Endpoints", "v1")
    return Outcome(failed=RecordEvent(EVENT_SOURCE, involved, "Warning", reason, what + ": {error}"),
                   quiet_for=quiet_for)
