"""Server-side printing: an object or a list as a `meta.k8s.io/v1` Table, the format `kubectl get` asks
for (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) and prints as columns.

Like upstream's TableConvertor the server always fills every column; columns with priority 1 are
the extra ones kubectl shows only with `-o wide`. The columns and cells follow Kubernetes 1.24's
`pkg/printers/internalversion/printers.go`; kinds without a printer there (roles, cluster roles)
get the default table, Name and Created At. Ages are relative to the `now` passed in (epoch seconds).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from reference_impl.mirrors import mirrors

Column = tuple[str, str, int, str]  # name, type, priority, description
Printer = Callable[[dict, float], list]

NAME = ("Name", "string", 0, "Object name.")
AGE = ("Age", "string", 0, "Time since the object was created.")
WIDE_TEMPLATE = [("Containers", "string", 1, "Container names from the pod template."),
                 ("Images", "string", 1, "Container images from the pod template."),
                 ("Selector", "string", 1, "The label selector.")]


@mirrors("k8s.io/apimachinery/pkg/util/duration.HumanDuration")
def human_duration(seconds: float) -> str:
    """A duration the way kubectl's AGE column writes it: 45s, 3m20s, 5h, 2d3h, 400d, 3y12d."""
    if seconds < -1:
        return "<invalid>"
    s = max(0, int(seconds))
    minutes, hours, days = s // 60, s // 3600, s // 86400
    if s < 120:
        return f"{s}s"
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        return f"{days}d" if hours % 24 == 0 else f"{days}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    years, rest = days // 365, days % 365
    if hours < 24 * 365 * 8:
        return f"{years}y" if rest == 0 else f"{years}y{rest}d"
    return f"{years}y"


def _since(timestamp: str | None, now: float) -> str:
    if not timestamp:
        return "<unknown>"
    then = datetime.strptime(timestamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return human_duration(now - then.timestamp())


def _age(obj: dict, now: float) -> str:
    return _since(obj.get("metadata", {}).get("creationTimestamp"), now)


def _containers(template_spec: dict) -> tuple[str, str]:
    containers = template_spec.get("containers") or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def _selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: `a=b,c in (d)`, `<none>` for an empty selector."""
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr.get("operator"), expr.get("key"), ",".join(expr.get("values") or [])
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": key, "DoesNotExist": f"!{key}"}.get(op, key))
    return ",".join(parts) or "<none>"


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printPod")
def _pod(pod: dict, now: float) -> list:
    spec, status = pod.get("spec", {}), pod.get("status", {})
    reason = status.get("reason") or status.get("phase") or ""
    restarts = ready = 0
    has_running = False
    for container in reversed(status.get("containerStatuses") or []):
        restarts += container.get("restartCount", 0)
        state = container.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated and terminated.get("reason"):
            reason = terminated["reason"]
        elif terminated:
            reason = (f"Signal:{terminated['signal']}" if terminated.get("signal")
                      else f"ExitCode:{terminated.get('exitCode', 0)}")
        elif container.get("ready") and state.get("running") is not None:
            has_running = True
            ready += 1
    if reason == "Completed" and has_running:
        conditions = status.get("conditions") or []
        reason = "Running" if any(c.get("type") == "Ready" and c.get("status") == "True"
                                  for c in conditions) else "NotReady"
    if pod.get("metadata", {}).get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    pod_ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    true_conditions = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
    gate_cell = (f"{sum(g.get('conditionType') in true_conditions for g in gates)}/{len(gates)}"
                 if gates else "<none>")
    return [pod["metadata"]["name"], f"{ready}/{len(spec.get('containers') or [])}", reason, str(restarts),
            _age(pod, now), pod_ips[0]["ip"] if pod_ips else status.get("podIP") or "<none>",
            spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", gate_cell]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printNode")
def _node(node: dict, now: float) -> list:
    status = node.get("status", {})
    ready = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
    states = [("Ready" if c.get("status") == "True" else "NotReady") for c in ready] or ["Unknown"]
    if node.get("spec", {}).get("unschedulable"):
        states.append("SchedulingDisabled")
    labels = node.get("metadata", {}).get("labels") or {}
    roles = sorted({k.removeprefix("node-role.kubernetes.io/") for k in labels
                    if k.startswith("node-role.kubernetes.io/") and k != "node-role.kubernetes.io/"}
                   | ({labels["kubernetes.io/role"]} if labels.get("kubernetes.io/role") else set()))
    info = status.get("nodeInfo") or {}
    addresses = {a.get("type"): a.get("address") for a in reversed(status.get("addresses") or [])}
    return [node["metadata"]["name"], ",".join(states), ",".join(roles) or "<none>", _age(node, now),
            info.get("kubeletVersion", ""), addresses.get("InternalIP", "<none>"),
            addresses.get("ExternalIP", "<none>"), info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>", info.get("containerRuntimeVersion") or "<unknown>"]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printService")
def _service(svc: dict, now: float) -> list:
    spec = svc.get("spec", {})
    kind = spec.get("type", "ClusterIP")
    external = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        external_cell = ",".join(external) or "<none>"
    elif kind == "LoadBalancer":
        ingress = [i.get("ip") or i.get("hostname") for i in
                   (svc.get("status", {}).get("loadBalancer", {}).get("ingress") or [])]
        external_cell = ",".join(ingress + external) or "<pending>"
    elif kind == "ExternalName":
        external_cell = spec.get("externalName", "")
    else:
        external_cell = "<unknown>"
    ports = ",".join(f"{p['port']}:{p['nodePort']}/{p.get('protocol', 'TCP')}" if p.get("nodePort")
                     else f"{p['port']}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or [])
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
    return [svc["metadata"]["name"], kind, cluster_ips[0] if cluster_ips else "<none>", external_cell,
            ports or "<none>", _age(svc, now), selector or "<none>"]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.formatEndpoints")
def _endpoints(endpoints: dict, now: float) -> list:
    shown: list[str] = []
    count = 0
    for subset in endpoints.get("subsets") or []:
        ips = [a.get("ip", "") for a in subset.get("addresses") or []]
        targets = ([f"{ip}:{p.get('port')}" if ":" not in ip else f"[{ip}]:{p.get('port')}"
                    for p in subset["ports"] for ip in ips] if subset.get("ports") else ips)
        for target in targets:
            if len(shown) < 3:
                shown.append(target)
            count += 1
    cell = ",".join(shown) + (f" + {count - 3} more..." if count > 3 else "") if count else "<none>"
    return [endpoints["metadata"]["name"], cell, _age(endpoints, now)]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printEvent")
def _event(event: dict, now: float) -> list:
    first = (_since(event["firstTimestamp"], now) if event.get("firstTimestamp")
             else _since(event.get("eventTime"), now))
    last = _since(event["lastTimestamp"], now) if event.get("lastTimestamp") else first
    count = event.get("count") or 1
    if event.get("series"):
        last, count = _since(event["series"].get("lastObservedTime"), now), event["series"].get("count", count)
    involved = event.get("involvedObject") or {}
    target = involved.get("kind", "").lower() + (f"/{involved['name']}" if involved.get("name") else "")
    source = event.get("source") or {}
    source_cell = ", ".join(filter(None, [source.get("component") or event.get("reportingComponent", ""),
                                          source.get("host") or event.get("reportingInstance", "")]))
    return [last, event.get("type", ""), event.get("reason", ""), target, involved.get("fieldPath", ""),
            source_cell, (event.get("message") or "").strip(), first, count, event["metadata"]["name"]]


def _deployment(obj: dict, now: float) -> list:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    names, images = _containers(spec.get("template", {}).get("spec", {}))
    return [obj["metadata"]["name"], f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0), _age(obj, now),
            names, images, _selector(spec.get("selector"))]


def _replica_set(obj: dict, now: float) -> list:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    names, images = _containers(spec.get("template", {}).get("spec", {}))
    return [obj["metadata"]["name"], spec.get("replicas", 1), status.get("replicas", 0),
            status.get("readyReplicas", 0), _age(obj, now), names, images, _selector(spec.get("selector"))]


def _binding(obj: dict, now: float) -> list:
    ref = obj.get("roleRef") or {}
    subjects = obj.get("subjects") or []

    def names(kind: str) -> str:
        return ", ".join((f"{s.get('namespace', '')}/{s['name']}" if kind == "ServiceAccount" else s["name"])
                         for s in subjects if s.get("kind") == kind)

    return [obj["metadata"]["name"], f"{ref.get('kind')}/{ref.get('name')}", _age(obj, now),
            names("User"), names("Group"), names("ServiceAccount")]


BINDING_COLUMNS = [NAME, ("Role", "string", 0, "The role that is bound."), AGE,
                   ("Users", "string", 1, "Bound users"), ("Groups", "string", 1, "Bound groups"),
                   ("ServiceAccounts", "string", 1, "Bound service accounts")]

# kind -> (columns, printer): what printers.go registers for each served kind.
PRINTERS: dict[str, tuple[list[Column], Printer]] = {
    "Pod": ([NAME, ("Ready", "string", 0, "Ready containers out of all containers."),
             ("Status", "string", 0, "Summary of the pod's phase and container states."),
             ("Restarts", "string", 0, "Total container restarts."),
             AGE, ("IP", "string", 1, "Pod IP."),
             ("Node", "string", 1, "Node running the pod."),
             ("Nominated Node", "string", 1, "Node chosen for the pod after preemption."),
             ("Readiness Gates", "string", 1, "Readiness gates met out of all.")], _pod),
    "Node": ([NAME, ("Status", "string", 0, "Node readiness"), ("Roles", "string", 0, "Node role labels"),
              AGE, ("Version", "string", 0, "Kubelet version."),
              ("Internal-IP", "string", 1, "First address of this type."),
              ("External-IP", "string", 1, "First address of this type."),
              ("OS-Image", "string", 1, "Operating system image."),
              ("Kernel-Version", "string", 1, "Kernel version."),
              ("Container-Runtime", "string", 1, "Container runtime and version.")], _node),
    "Namespace": ([NAME, ("Status", "string", 0, "Namespace phase"), AGE],
                  lambda o, now: [o["metadata"]["name"], o.get("status", {}).get("phase", ""), _age(o, now)]),
    "Service": ([NAME, ("Type", "string", 0, "Service type."),
                 ("Cluster-IP", "string", 0, "Virtual IP of the service."),
                 ("External-IP", "string", 0, "External addresses of the service."),
                 ("Port(s)", "string", 0, "Service ports."), AGE,
                 ("Selector", "string", 1, "Pods the service selects.")],
                _service),
    "Endpoints": ([NAME, ("Endpoints", "string", 0, "Endpoint addresses and ports."), AGE],
                  _endpoints),
    "ServiceAccount": ([NAME, ("Secrets", "string", 0, "Number of referenced secrets."), AGE],
                       lambda o, now: [o["metadata"]["name"], len(o.get("secrets") or []), _age(o, now)]),
    "Secret": ([NAME, ("Type", "string", 0, "Secret type."),
                ("Data", "string", 0, "Number of data keys."), AGE],
               lambda o, now: [o["metadata"]["name"], o.get("type", "Opaque"), len(o.get("data") or {}), _age(o, now)]),
    "ConfigMap": ([NAME, ("Data", "string", 0, "Number of data keys."), AGE],
                  lambda o, now: [o["metadata"]["name"], len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                                  _age(o, now)]),
    "Event": ([("Last Seen", "string", 0, "Time since last seen."),
               ("Type", "string", 0, "Normal or Warning."),
               ("Reason", "string", 0, "Short reason code."),
               ("Object", "string", 0, "Object involved."),
               ("Subobject", "string", 1, "Part of the object involved."),
               ("Source", "string", 1, "Reporting component."),
               ("Message", "string", 0, "Event message."),
               ("First Seen", "string", 1, "Time since first seen."),
               ("Count", "string", 1, "Times seen."),
               ("Name", "string", 1, "Object name.")], _event),
    "Deployment": ([NAME, ("Ready", "string", 0, "Ready pods out of desired"),
                    ("Up-to-date", "string", 0, "Pods on the current template."),
                    ("Available", "string", 0, "Available pods."),
                    AGE, *WIDE_TEMPLATE], _deployment),
    "ReplicaSet": ([NAME, ("Desired", "integer", 0, "Desired pods."),
                    ("Current", "integer", 0, "Current pods."),
                    ("Ready", "integer", 0, "Ready pods."),
                    AGE, *WIDE_TEMPLATE], _replica_set),
    "Lease": ([NAME, ("Holder", "string", 0, "Current lease holder."), AGE],
              lambda o, now: [o["metadata"]["name"], o.get("spec", {}).get("holderIdentity") or "", _age(o, now)]),
    "RoleBinding": (BINDING_COLUMNS, _binding),
    "ClusterRoleBinding": (BINDING_COLUMNS, _binding),
}
DEFAULT_PRINTER: tuple[list[Column], Printer] = (
    [NAME, ("Created At", "date", 0, "When the object was created.")],
    lambda o, now: [o["metadata"]["name"], o.get("metadata", {}).get("creationTimestamp", "")])


def partial_metadata(obj: dict) -> dict:
    """What a row carries by default (includeObject=Metadata): a PartialObjectMetadata."""
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.asTable")
def as_table(kind: str, objects: list[dict], now: float, include_object: str = "Metadata",
             list_metadata: dict | None = None, no_headers: bool = False) -> dict:
    """The Table for `objects` (all of `kind`); `include_object` is None, Metadata or Object."""
    columns, printer = PRINTERS.get(kind, DEFAULT_PRINTER)
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": printer(obj, now)}
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = partial_metadata(obj)
        rows.append(row)
    definitions = [] if no_headers else [
        {"name": name, "type": type_, "format": "name" if name == "Name" else "", "description": description,
         "priority": priority} for name, type_, priority, description in columns]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": dict(list_metadata or {}),
            "columnDefinitions": definitions, "rows": rows}
