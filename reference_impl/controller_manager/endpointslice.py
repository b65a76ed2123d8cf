"""The EndpointSlice controller: for each Service with a selector, discovery.k8s.io/v1
EndpointSlices (addressType IPv4, at most 100 endpoints each) listing the selected pods that have
an IP, with ready/serving/terminating conditions, their node and zone, and the Service's ports
resolved against each pod's container ports. kube-proxy in 1.24 reads these, not Endpoints.

Two deliberate differences from the Go controller, both because our controller-manager runs
level-triggered passes over informer caches instead of a work queue with an endpointSliceTracker:
new slices get a deterministic name (`<service>-<n>`, the lowest n free in the namespace) instead
of `generateName`, so a pass over a cache that has not yet seen the last create gets a 409 rather
than making a duplicate; and an Update is only sent when the slice really changes. Slices of a
deleted Service are deleted here, by label and owner UID, where Go leaves them to the garbage
collector through their ownerReference: ours only collects the kinds it watches.
"""
from __future__ import annotations

import copy

from reference_impl.machinery.actions import Create, Delete, Outcome, RecordEvent, Update
from reference_impl.machinery.labels import map_selector_matches
from reference_impl.machinery.objects import object_reference, pod_ready
from reference_impl.controller_manager.endpoints import _target_port as find_port
from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors

MAX_ENDPOINTS_PER_SLICE = 100  # --max-endpoints-per-slice default
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
EVENT_SOURCE = "endpoint-slice-controller"
LABEL_SERVICE_NAME = "kubernetes.io/service-name"
LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
LABEL_HEADLESS = "service.kubernetes.io/headless"
LABEL_ZONE = "topology.kubernetes.io/zone"
RESERVED_LABELS = (LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS)
ADDRESS_TYPE = "IPv4"  # single-stack IPv4 only: the reference apiserver gives pods IPv4 addresses


# --- endpoints and ports from pods -------------------------------------------------------------------

@mirrors("k8s.io/kubernetes/pkg/controller/util/endpoint.ShouldPodBeInEndpointSlice")
def should_pod_be_in_endpoint_slice(pod: dict) -> bool:
    """With EndpointSliceTerminatingCondition (beta, on in 1.24) terminating pods stay in, marked."""
    status = pod.get("status") or {}
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    restart_policy, phase = (pod.get("spec") or {}).get("restartPolicy"), status.get("phase")
    if restart_policy == "Never":
        return phase not in ("Failed", "Succeeded")
    if restart_policy == "OnFailure":
        return phase != "Succeeded"
    return True


def _pod_ipv4s(pod: dict) -> list[str]:
    status = pod.get("status") or {}
    ips = [p["ip"] for p in status.get("podIPs") or [] if p.get("ip")] or [status.get("podIP")]
    return [ip for ip in ips if ip and ":" not in ip]


@mirrors("k8s.io/kubernetes/pkg/controller/endpointslice.podToEndpoint")
def pod_to_endpoint(pod: dict, node: dict | None, service: dict) -> dict:
    meta = pod["metadata"]
    serving = pod_ready(pod)
    terminating = bool(meta.get("deletionTimestamp"))
    ready = bool(service["spec"].get("publishNotReadyAddresses")) or (serving and not terminating)
    # targetRef leaves out the pod's resourceVersion (Go keeps it): with it every pod status write
    # would rewrite the slice.
    endpoint = {"addresses": _pod_ipv4s(pod),
                "conditions": {"ready": ready, "serving": serving, "terminating": terminating},
                "targetRef": {"kind": "Pod", "namespace": meta["namespace"], "name": meta["name"],
                              "uid": meta.get("uid", "")}}
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        endpoint["nodeName"] = spec["nodeName"]
    zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(LABEL_ZONE)
    if zone:
        endpoint["zone"] = zone
    if (spec.get("hostname") and spec.get("subdomain") == service["metadata"]["name"]
            and meta["namespace"] == service["metadata"]["namespace"]):
        endpoint["hostname"] = spec["hostname"]
    return endpoint


@mirrors("k8s.io/kubernetes/pkg/controller/endpointslice.getEndpointPorts")
def endpoint_ports(service: dict, pod: dict) -> list[dict]:
    ports = []
    for sp in service["spec"].get("ports") or []:
        number = find_port(sp, pod)
        if number is None:
            continue  # a named targetPort this pod does not declare: the port is left out
        port = {"name": sp.get("name", ""), "protocol": sp.get("protocol", "TCP"), "port": number}
        if sp.get("appProtocol"):
            port["appProtocol"] = sp["appProtocol"]
        ports.append(port)
    return ports


def port_map_key(ports: list[dict]) -> tuple:
    """endpointutil.NewPortMapKey: slices group pods whose resolved ports are the same set. The
    apiserver may drop an empty name or default the protocol, so both are normalised."""
    return tuple(sorted((p.get("name") or "", p.get("protocol") or "TCP", p.get("port"),
                         p.get("appProtocol") or "") for p in ports))


def endpoint_key(endpoint: dict) -> tuple:
    """hashEndpoint: an endpoint is known by its addresses and hostname."""
    return (tuple(sorted(endpoint.get("addresses") or [])), endpoint.get("hostname") or "")


def _same_endpoint(a: dict, b: dict) -> bool:
    """EndpointsEqualBeyondHash, with nodeName and zone compared as Go means to (1.24 compares
    each with itself) and serving/terminating as well as ready, so a not-ready pod that starts
    terminating is written (1.24 misses it)."""
    fields = ("nodeName", "zone", "targetRef", "conditions")
    return all(a.get(f) == b.get(f) for f in fields)


# --- slices --------------------------------------------------------------------------------------

@mirrors("k8s.io/kubernetes/pkg/controller/endpointslice.setEndpointSliceLabels")
def slice_labels(service: dict) -> dict:
    labels = {k: v for k, v in (service["metadata"].get("labels") or {}).items() if k not in RESERVED_LABELS}
    if service["spec"].get("clusterIP") in ("None", ""):
        labels[LABEL_HEADLESS] = ""
    labels[LABEL_SERVICE_NAME] = service["metadata"]["name"]
    labels[LABEL_MANAGED_BY] = CONTROLLER_NAME
    return labels


@mirrors("k8s.io/kubernetes/pkg/controller/endpointslice.newEndpointSlice")
def new_endpoint_slice(service: dict, ports: list[dict]) -> dict:
    meta = service["metadata"]
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"namespace": meta["namespace"], "labels": slice_labels(service),
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": meta["name"],
                                              "uid": meta.get("uid", ""), "controller": True,
                                              "blockOwnerDeletion": True}]},
            "addressType": ADDRESS_TYPE, "endpoints": [], "ports": copy.deepcopy(ports)}


@mirrors("k8s.io/kubernetes/pkg/controller/endpointslice.ownedBy")
def owned_by(endpoint_slice: dict, service: dict) -> bool:
    return any(o.get("uid") == service["metadata"].get("uid") and o.get("kind") == "Service"
               and o.get("apiVersion") == "v1"
               for o in endpoint_slice["metadata"].get("ownerReferences") or [])


def managed_slices_of(name: str, slices: list[dict]) -> list[dict]:
    """The slices syncService lists: labelled with the service's name and managed by us."""
    return [s for s in slices if (s["metadata"].get("labels") or {}).get(LABEL_SERVICE_NAME) == name
            and (s["metadata"].get("labels") or {}).get(LABEL_MANAGED_BY) == CONTROLLER_NAME]


@mirrors("k8s.io/kubernetes/pkg/controller/endpointslice.getSliceToFill")
def slice_to_fill(slices: list[dict], num_endpoints: int, max_endpoints: int) -> dict | None:
    """The slice that will be closest to full once `num_endpoints` are added, if any fits."""
    closest_diff, closest = max_endpoints, None
    for s in slices:
        diff = max_endpoints - (num_endpoints + len(s.get("endpoints") or []))
        if 0 <= diff < closest_diff:
            closest_diff, closest = diff, s
            if diff == 0:
                break
    return closest


@mirrors("(*k8s.io/kubernetes/pkg/controller/endpointslice.reconciler).reconcileByPortMapping")
def reconcile_by_port_mapping(service: dict, existing: list[dict], desired: dict[tuple, dict],
                              ports: list[dict], max_endpoints: int) -> tuple[list, list, list]:
    """Keep desired endpoints where they already are, drop the rest, then fill: first the slices
    being updated anyway, then the unchanged slice closest to full, then new slices.
    Returns (to_create, to_update, to_delete); `desired` (endpoint_key -> endpoint) is consumed."""
    by_name: dict[str, dict] = {}
    unchanged, to_update, to_delete = [], [], []
    labels = slice_labels(service)
    for s in existing:
        name = s["metadata"]["name"]
        by_name[name] = s
        kept, updated = [], False
        for endpoint in s.get("endpoints") or []:
            got = desired.pop(endpoint_key(endpoint), None)
            if got is not None:
                kept.append(got)
                updated = updated or not _same_endpoint(got, endpoint)
        if updated or len(kept) != len(s.get("endpoints") or []):
            if not kept:
                to_delete.append(name)
                continue
            by_name[name] = dict(copy.deepcopy(s), endpoints=kept)
            by_name[name]["metadata"]["labels"] = labels
            to_update.append(name)
        elif (s["metadata"].get("labels") or {}) != labels:
            by_name[name] = copy.deepcopy(s)
            by_name[name]["metadata"]["labels"] = labels
            to_update.append(name)
        else:
            unchanged.append(name)

    pending = list(desired.values())
    # Slices already being written take new endpoints first, the emptiest first (endpointSliceEndpointLen).
    for name in sorted(to_update, key=lambda n: len(by_name[n].get("endpoints") or [])):
        room = max_endpoints - len(by_name[name].get("endpoints") or [])
        by_name[name]["endpoints"] = (by_name[name].get("endpoints") or []) + pending[:max(room, 0)]
        pending = pending[max(room, 0):]

    to_create = []
    while pending:
        fill = None
        if len(pending) < max_endpoints and unchanged:
            fill = slice_to_fill([by_name[n] for n in unchanged], len(pending), max_endpoints)
        if fill is None:
            fill = new_endpoint_slice(service, ports)
        else:
            fill = copy.deepcopy(fill)
            by_name[fill["metadata"]["name"]] = fill
        room = max_endpoints - len(fill.get("endpoints") or [])
        fill["endpoints"] = (fill.get("endpoints") or []) + pending[:room]
        pending = pending[room:]
        name = fill["metadata"].get("name")
        if name:
            unchanged.remove(name)
            to_update.append(name)
        else:
            to_create.append(fill)
    return to_create, [by_name[n] for n in to_update], [by_name[n] for n in to_delete]


@mirrors("(*k8s.io/kubernetes/pkg/controller/endpointslice.reconciler).reconcile",
         "(*k8s.io/kubernetes/pkg/controller/endpointslice.reconciler).reconcileByAddressType",
         "(*k8s.io/kubernetes/pkg/controller/endpointslice.reconciler).finalize")
def reconcile(service: dict, pods: list[dict], existing: list[dict], nodes: dict[str, dict],
              taken_names: set[str], max_endpoints: int = MAX_ENDPOINTS_PER_SLICE) -> list:
    """The creates, updates and deletes that make `existing` (this service's managed slices) list
    `pods` (the selected ones). `taken_names` are the slice names used in the namespace."""
    managed = existing
    to_delete = [s for s in managed if s.get("addressType") != ADDRESS_TYPE or not owned_by(s, service)]
    existing = [s for s in managed if s not in to_delete]
    existing_by_ports: dict[tuple, list[dict]] = {}
    for s in existing:
        existing_by_ports.setdefault(port_map_key(s.get("ports") or []), []).append(s)

    desired_ports: dict[tuple, list[dict]] = {}
    desired: dict[tuple, dict[tuple, dict]] = {}
    for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
        if not should_pod_be_in_endpoint_slice(pod):
            continue
        ports = endpoint_ports(service, pod)
        key = port_map_key(ports)
        desired_ports.setdefault(key, ports)
        endpoints = desired.setdefault(key, {})
        endpoint = pod_to_endpoint(pod, nodes.get((pod.get("spec") or {}).get("nodeName", "")), service)
        if endpoint["addresses"]:
            endpoints[endpoint_key(endpoint)] = endpoint

    to_create, to_update = [], []
    for key, endpoints in desired.items():
        c, u, d = reconcile_by_port_mapping(service, existing_by_ports.get(key, []), endpoints,
                                            desired_ports[key], max_endpoints)
        to_create, to_update, to_delete = to_create + c, to_update + u, to_delete + d
    for key, slices in existing_by_ports.items():
        if key not in desired:
            to_delete += slices
    if not to_create and {s["metadata"]["name"] for s in to_delete} >= {s["metadata"]["name"] for s in managed}:
        # No endpoints at all: one empty placeholder slice says so.
        to_create.append(new_endpoint_slice(service, []))

    # finalize: a slice about to be deleted is reused (updated) for one about to be created.
    for old in list(to_delete):
        if not to_create:
            break
        if old.get("addressType") == ADDRESS_TYPE and owned_by(old, service):
            new = to_create.pop()
            new["metadata"] = dict(copy.deepcopy(old["metadata"]), labels=new["metadata"]["labels"])
            to_update.append(new)
            to_delete.remove(old)

    before = {s["metadata"]["name"]: s for s in existing}
    ns = service["metadata"]["namespace"]
    actions: list = []
    if not service["metadata"].get("deletionTimestamp"):
        taken = set(taken_names)
        for s in to_create:
            s["metadata"]["name"] = _free_name(service["metadata"]["name"], taken)
            actions.append(Create("endpointslices", ns, _as_sent(s), outcome=_failed(
                service, "failed to create EndpointSlice", quiet_for=("NamespaceTerminating",))))
    for s in to_update:
        if _normalized(before.get(s["metadata"]["name"])) != _normalized(s):
            what = f"failed to update {s['metadata']['name']} EndpointSlice"
            actions.append(Update("endpointslices", ns, _as_sent(s), outcome=_failed(service, what)))
    for s in to_delete:
        what = f"failed to delete {s['metadata']['name']} EndpointSlice"
        actions.append(Delete("endpointslices", ns, s["metadata"]["name"], outcome=_failed(service, what)))
    return actions


def _failed(service: dict, what: str, quiet_for: tuple[str, ...] = ()) -> Outcome:
    """A refused write of a slice is FailedToUpdateEndpointSlices about the Service, in the words
    the reconciler's error and syncService give it (a create into a terminating namespace is dropped).
    The writes after a refused one are not sent (the controller-manager sends them InOrder), as
    finalize returns its first error: one sync, one event."""
    key = f"{service['metadata']['namespace']}/{service['metadata']['name']}"
    return Outcome(failed=RecordEvent(
        EVENT_SOURCE, object_reference(service, "Service", "v1"), "Warning", "FailedToUpdateEndpointSlices",
        f"Error updating Endpoint Slices for Service {key}: {what} for Service {key}: {{error}}"),
        quiet_for=quiet_for)


def _as_sent(endpoint_slice: dict) -> dict:
    """The slice as the Go controller's write reaches the apiserver: in protobuf, where an empty
    list of endpoints or ports is not written at all, so it is stored as none (null), and the
    field manager does not list it."""
    return {key: value for key, value in endpoint_slice.items() if key not in ("endpoints", "ports") or value}


def _normalized(endpoint_slice: dict | None) -> dict | None:
    """What a write would change: the server may leave out empty lists."""
    if endpoint_slice is None:
        return None
    return dict(endpoint_slice, endpoints=endpoint_slice.get("endpoints") or [],
                ports=endpoint_slice.get("ports") or [])


def _free_name(service_name: str, taken: set[str]) -> str:
    n = 0
    while f"{service_name}-{n}" in taken:
        n += 1
    taken.add(f"{service_name}-{n}")
    return f"{service_name}-{n}"


@mirrors("(*k8s.io/kubernetes/pkg/controller/endpointslice.Controller).syncService")
@trace.decision
def sync_service(namespace: str, name: str, service: dict | None, pods: list[dict],
                 slices: list[dict], nodes: dict[str, dict]) -> list:
    """Actions for the Service `namespace/name`: `pods` and `slices` are the namespace's, `nodes`
    every node by name (for zones)."""
    managed = managed_slices_of(name, slices)
    if service is None:
        return [Delete("endpointslices", namespace, s["metadata"]["name"]) for s in managed]
    if service["spec"].get("selector") is None:
        return []  # slices of a selector-less service are managed by hand
    selected = [p for p in pods if map_selector_matches(service["spec"]["selector"], p["metadata"].get("labels"))]
    return reconcile(service, selected, managed, nodes, {s["metadata"]["name"] for s in slices})
