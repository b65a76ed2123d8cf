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

from reference_impl.apiserver.core.conversion import EVENTS_V1_TO_CORE
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


def _part(obj: dict, *path: str) -> dict:
    """The object at `path` inside `obj`, or {} where a stored object has null or something else
    (an older server wrote `status: null`): printing must never fail on data."""
    for name in path:
        obj = obj.get(name) if isinstance(obj, dict) else None
    return obj if isinstance(obj, dict) else {}


def _name(obj: dict) -> str:
    return _part(obj, "metadata").get("name", "")


def _age(obj: dict, now: float) -> str:
    return _since(_part(obj, "metadata").get("creationTimestamp"), now)


def _containers(template_spec: dict) -> tuple[str, str]:
    containers = [c for c in template_spec.get("containers") or [] if isinstance(c, dict)]
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
    spec, status = _part(pod, "spec"), _part(pod, "status")
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
    if _part(pod, "metadata").get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    pod_ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    true_conditions = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
    gate_cell = (f"{sum(g.get('conditionType') in true_conditions for g in gates)}/{len(gates)}"
                 if gates else "<none>")
    return [_name(pod), f"{ready}/{len(spec.get('containers') or [])}", reason, str(restarts),
            _age(pod, now), pod_ips[0]["ip"] if pod_ips else status.get("podIP") or "<none>",
            spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", gate_cell]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printNode")
def _node(node: dict, now: float) -> list:
    status = _part(node, "status")
    ready = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
    states = [("Ready" if c.get("status") == "True" else "NotReady") for c in ready] or ["Unknown"]
    if _part(node, "spec").get("unschedulable"):
        states.append("SchedulingDisabled")
    labels = _part(node, "metadata").get("labels") or {}
    roles = sorted({k.removeprefix("node-role.kubernetes.io/") for k in labels
                    if k.startswith("node-role.kubernetes.io/") and k != "node-role.kubernetes.io/"}
                   | ({labels["kubernetes.io/role"]} if labels.get("kubernetes.io/role") else set()))
    info = status.get("nodeInfo") or {}
    addresses = {a.get("type"): a.get("address") for a in reversed(status.get("addresses") or [])}
    return [_name(node), ",".join(states), ",".join(roles) or "<none>", _age(node, now),
            info.get("kubeletVersion", ""), addresses.get("InternalIP", "<none>"),
            addresses.get("ExternalIP", "<none>"), info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>", info.get("containerRuntimeVersion") or "<unknown>"]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printService")
def _service(svc: dict, now: float) -> list:
    spec = _part(svc, "spec")
    kind = spec.get("type", "ClusterIP")
    external = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        external_cell = ",".join(external) or "<none>"
    elif kind == "LoadBalancer":
        ingress = [i.get("ip") or i.get("hostname") for i in
                   (_part(svc, "status", "loadBalancer").get("ingress") or [])]
        external_cell = ",".join(ingress + external) or "<pending>"
    elif kind == "ExternalName":
        external_cell = spec.get("externalName", "")
    else:
        external_cell = "<unknown>"
    ports = ",".join(f"{p.get('port', 0)}:{p['nodePort']}/{p.get('protocol', 'TCP')}" if p.get("nodePort")
                     else f"{p.get('port', 0)}/{p.get('protocol', 'TCP')}"
                     for p in spec.get("ports") or [] if isinstance(p, dict))
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
    return [_name(svc), kind, cluster_ips[0] if cluster_ips else "<none>", external_cell,
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
    return [_name(endpoints), cell, _age(endpoints, now)]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printEvent")
def _event(event: dict, now: float) -> list:
    event = {EVENTS_V1_TO_CORE.get(k, k): v for k, v in event.items()}  # both versions print alike
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
            source_cell, (event.get("message") or "").strip(), first, count, _name(event)]


def _deployment(obj: dict, now: float) -> list:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    names, images = _containers(_part(spec, "template", "spec"))
    return [_name(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0), _age(obj, now),
            names, images, _selector(spec.get("selector"))]


def _replica_set(obj: dict, now: float) -> list:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    names, images = _containers(_part(spec, "template", "spec"))
    return [_name(obj), spec.get("replicas", 1), status.get("replicas", 0),
            status.get("readyReplicas", 0), _age(obj, now), names, images, _selector(spec.get("selector"))]


def _labels(labels: dict | None) -> str:
    """labels.FormatLabels: `a=b,c=d` sorted, `<none>` when empty."""
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items())) or "<none>"


def _or_na(value: object) -> str:
    return "N/A" if value is None else str(value)


def _replication_controller(obj: dict, now: float) -> list:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    names, images = _containers(_part(spec, "template", "spec"))
    return [_name(obj), spec.get("replicas", 1), status.get("replicas", 0),
            status.get("readyReplicas", 0), _age(obj, now), names, images, _labels(spec.get("selector"))]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printDaemonSet")
def _daemon_set(obj: dict, now: float) -> list:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    names, images = _containers(_part(spec, "template", "spec"))
    return [_name(obj), status.get("desiredNumberScheduled", 0),
            status.get("currentNumberScheduled", 0), status.get("numberReady", 0),
            status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0),
            _labels(_part(spec, "template", "spec").get("nodeSelector")), _age(obj, now), names, images,
            _selector(spec.get("selector"))]


def _stateful_set(obj: dict, now: float) -> list:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    names, images = _containers(_part(spec, "template", "spec"))
    return [_name(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            _age(obj, now), names, images]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printControllerRevision")
def _controller_revision(obj: dict, now: float) -> list:
    owner = next((o for o in _part(obj, "metadata").get("ownerReferences") or []
                  if isinstance(o, dict) and o.get("controller")), None)
    controller = "<none>"
    if owner:
        group = str(owner.get("apiVersion", "")).rpartition("/")[0]
        kind = str(owner.get("kind", "")).lower() + (f".{group}" if group else "")
        controller = f"{kind}/{owner.get('name', '')}"
    return [_name(obj), controller, obj.get("revision", 0), _age(obj, now)]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printJob")
def _job(obj: dict, now: float) -> list:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif (spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    start, end = status.get("startTime"), status.get("completionTime")
    if not start:
        duration = ""
    elif not end:
        duration = _since(start, now)
    else:
        duration = human_duration(_epoch(end) - _epoch(start))
    names, images = _containers(_part(spec, "template", "spec"))
    return [_name(obj), completions, duration, _age(obj, now), names, images,
            _selector(spec.get("selector"))]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printCronJob")
def _cron_job(obj: dict, now: float) -> list:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    job_spec = _part(spec, "jobTemplate", "spec")
    names, images = _containers(_part(job_spec, "template", "spec"))
    last = _since(status["lastScheduleTime"], now) if status.get("lastScheduleTime") else "<none>"
    return [_name(obj), spec.get("schedule", ""), bool(spec.get("suspend")),
            len(status.get("active") or []), last, _age(obj, now), names, images,
            _selector(job_spec.get("selector"))]


def _pod_disruption_budget(obj: dict, now: float) -> list:
    spec = _part(obj, "spec")
    return [_name(obj), _or_na(spec.get("minAvailable")), _or_na(spec.get("maxUnavailable")),
            _part(obj, "status").get("disruptionsAllowed", 0), _age(obj, now)]


ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
                "ReadWriteOncePod": "RWOP"}


def _access_modes(modes: list | None) -> str:
    """GetAccessModesAsString: the short forms, each once, in this fixed order."""
    present = set(modes or [])
    return ",".join(short for mode, short in ACCESS_MODES.items() if mode in present)


def _storage_class_of(obj: dict, spec: dict) -> str:
    annotations = _part(obj, "metadata").get("annotations") or {}
    return annotations.get("volume.beta.kubernetes.io/storage-class") or spec.get("storageClassName") or ""


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printPersistentVolume")
def _persistent_volume(obj: dict, now: float) -> list:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    claim = _part(spec, "claimRef")
    claim_cell = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
    phase = "Terminating" if _part(obj, "metadata").get("deletionTimestamp") else status.get("phase", "")
    return [_name(obj), _part(spec, "capacity").get("storage", "0"),
            _access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""), phase,
            claim_cell, _storage_class_of(obj, spec), status.get("reason", ""), _age(obj, now),
            spec.get("volumeMode") or "<unset>"]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printPersistentVolumeClaim")
def _persistent_volume_claim(obj: dict, now: float) -> list:
    spec, status = _part(obj, "spec"), _part(obj, "status")
    phase = "Terminating" if _part(obj, "metadata").get("deletionTimestamp") else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = _access_modes(status.get("accessModes"))
        capacity = _part(status, "capacity").get("storage", "0")
    return [_name(obj), phase, spec.get("volumeName", ""), capacity, modes,
            _storage_class_of(obj, spec), _age(obj, now), spec.get("volumeMode") or "<unset>"]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printResourceQuota")
def _resource_quota(obj: dict, now: float) -> list:
    status = _part(obj, "status")
    hard, used = _part(status, "hard"), _part(status, "used")
    requests, limits = [], []
    for name in sorted(hard):
        column = limits if name.split(".")[0] == "limits" and "." in name else requests
        column.append(f"{name}: {used.get(name, '0')}/{hard[name]}")
    return [_name(obj), _age(obj, now), ", ".join(requests), ", ".join(limits)]


def _pod_template(obj: dict, now: float) -> list:
    names, images = _containers(_part(obj, "template", "spec"))
    return [_name(obj), names, images, _labels(_part(obj, "template", "metadata").get("labels"))]


def _first_three(values: list[str]) -> str:
    shown = ",".join(values[:3])
    return shown + (f" + {len(values) - 3} more..." if len(values) > 3 else "")


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printEndpointSlice")
def _endpoint_slice(obj: dict, now: float) -> list:
    ports = [str(p["port"]) if p.get("port") is not None else "<unset>"
             for p in obj.get("ports") or [] if isinstance(p, dict)]
    addresses = [a for e in obj.get("endpoints") or [] if isinstance(e, dict) for a in e.get("addresses") or []]
    return [_name(obj), obj.get("addressType", ""), _first_three(ports) or "<unset>",
            _first_three(addresses) or "<unset>", _age(obj, now)]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.extractCSRStatus")
def _csr_condition(status: dict) -> str:
    types = {c.get("type") for c in status.get("conditions") or [] if isinstance(c, dict)}
    cell = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    return cell + (",Failed" if "Failed" in types else "") + (",Issued" if status.get("certificate") else "")


def _certificate_signing_request(obj: dict, now: float) -> list:
    spec = _part(obj, "spec")
    seconds = spec.get("expirationSeconds")
    return [_name(obj), _age(obj, now), spec.get("signerName") or "<none>", spec.get("username", ""),
            human_duration(seconds) if seconds is not None else "<none>", _csr_condition(_part(obj, "status"))]


def _storage_class(obj: dict, now: float) -> list:
    annotations = _part(obj, "metadata").get("annotations") or {}
    default = "true" in (annotations.get("storageclass.kubernetes.io/is-default-class"),
                         annotations.get("storageclass.beta.kubernetes.io/is-default-class"))
    return [_name(obj) + (" (default)" if default else ""), obj.get("provisioner", ""),
            obj.get("reclaimPolicy", "Delete"), obj.get("volumeBindingMode", "Immediate"),
            str(bool(obj.get("allowVolumeExpansion"))).lower(), _age(obj, now)]


def _csi_driver(obj: dict, now: float) -> list:
    spec = _part(obj, "spec")
    tokens = spec.get("tokenRequests")
    return [_name(obj), spec.get("attachRequired", True), spec.get("podInfoOnMount", False),
            spec.get("storageCapacity", False),
            "<unset>" if tokens is None else ",".join(t.get("audience", "") for t in tokens if isinstance(t, dict)),
            spec.get("requiresRepublish", False), ",".join(spec.get("volumeLifecycleModes") or []) or "<none>",
            _age(obj, now)]


def _volume_attachment(obj: dict, now: float) -> list:
    spec = _part(obj, "spec")
    return [_name(obj), spec.get("attacher", ""),
            _part(spec, "source").get("persistentVolumeName", ""), spec.get("nodeName", ""),
            bool(_part(obj, "status").get("attached")), _age(obj, now)]


def _epoch(timestamp: str) -> float:
    return datetime.strptime(timestamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def _binding(obj: dict, now: float) -> list:
    ref = obj.get("roleRef") or {}
    subjects = obj.get("subjects") or []

    def names(kind: str) -> str:
        return ", ".join((f"{s.get('namespace', '')}/{s['name']}" if kind == "ServiceAccount" else s["name"])
                         for s in subjects if s.get("kind") == kind)

    return [_name(obj), f"{ref.get('kind')}/{ref.get('name')}", _age(obj, now),
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
                  lambda o, now: [_name(o), _part(o, "status").get("phase", ""), _age(o, now)]),
    "Service": ([NAME, ("Type", "string", 0, "Service type."),
                 ("Cluster-IP", "string", 0, "Virtual IP of the service."),
                 ("External-IP", "string", 0, "External addresses of the service."),
                 ("Port(s)", "string", 0, "Service ports."), AGE,
                 ("Selector", "string", 1, "Pods the service selects.")],
                _service),
    "Endpoints": ([NAME, ("Endpoints", "string", 0, "Endpoint addresses and ports."), AGE],
                  _endpoints),
    "ServiceAccount": ([NAME, ("Secrets", "string", 0, "Number of referenced secrets."), AGE],
                       lambda o, now: [_name(o), len(o.get("secrets") or []), _age(o, now)]),
    "Secret": ([NAME, ("Type", "string", 0, "Secret type."),
                ("Data", "string", 0, "Number of data keys."), AGE],
               lambda o, now: [_name(o), o.get("type", "Opaque"), len(o.get("data") or {}), _age(o, now)]),
    "ConfigMap": ([NAME, ("Data", "string", 0, "Number of data keys."), AGE],
                  lambda o, now: [_name(o), len(o.get("data") or {}) + len(o.get("binaryData") or {}),
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
              lambda o, now: [_name(o), _part(o, "spec").get("holderIdentity") or "", _age(o, now)]),
    "ReplicationController": ([NAME, ("Desired", "integer", 0, "Desired pods."),
                               ("Current", "integer", 0, "Current pods."), ("Ready", "integer", 0, "Ready pods."),
                               AGE, *WIDE_TEMPLATE], _replication_controller),
    "DaemonSet": ([NAME, ("Desired", "integer", 0, "Nodes that should run the daemon pod."),
                   ("Current", "integer", 0, "Nodes running at least one daemon pod."),
                   ("Ready", "integer", 0, "Nodes with a ready daemon pod."),
                   ("Up-to-date", "integer", 0, "Nodes running the current template."),
                   ("Available", "integer", 0, "Nodes with an available daemon pod."),
                   ("Node Selector", "string", 0, "The template's node selector."),
                   AGE, *WIDE_TEMPLATE], _daemon_set),
    "StatefulSet": ([NAME, ("Ready", "string", 0, "Ready pods out of desired"), AGE, *WIDE_TEMPLATE[:2]],
                    _stateful_set),
    "ControllerRevision": ([NAME, ("Controller", "string", 0, "Controller of the object"),
                            ("Revision", "string", 0, "The revision number."), AGE], _controller_revision),
    "Job": ([NAME, ("Completions", "string", 0, "Succeeded pods out of the completions wanted."),
             ("Duration", "string", 0, "Time required to complete the job."), AGE, *WIDE_TEMPLATE], _job),
    "CronJob": ([NAME, ("Schedule", "string", 0, "The cron schedule."),
                 ("Suspend", "boolean", 0, "Whether new jobs are suspended."),
                 ("Active", "integer", 0, "Running jobs."),
                 ("Last Schedule", "string", 0, "Time since a job was last scheduled."),
                 AGE, *WIDE_TEMPLATE], _cron_job),
    "PodDisruptionBudget": ([NAME, ("Min Available", "string", 0, "Pods that must stay available."),
                             ("Max Unavailable", "string", 0, "Pods that may be unavailable."),
                             ("Allowed Disruptions", "integer", 0, "Pods that may be disrupted now."), AGE],
                            _pod_disruption_budget),
    "PersistentVolume": ([NAME, ("Capacity", "string", 0, "Size of the volume."),
                          ("Access Modes", "string", 0, "How the volume can be mounted."),
                          ("Reclaim Policy", "string", 0, "What happens to it when released."),
                          ("Status", "string", 0, "Phase of the volume."),
                          ("Claim", "string", 0, "The claim bound to it."),
                          ("StorageClass", "string", 0, "StorageClass of the pv"),
                          ("Reason", "string", 0, "Why the volume is in its phase."), AGE,
                          ("VolumeMode", "string", 1, "Filesystem or Block.")], _persistent_volume),
    "PersistentVolumeClaim": ([NAME, ("Status", "string", 0, "Phase of the claim."),
                               ("Volume", "string", 0, "The volume bound to it."),
                               ("Capacity", "string", 0, "Size of the bound volume."),
                               ("Access Modes", "string", 0, "How the bound volume can be mounted."),
                               ("StorageClass", "string", 0, "StorageClass of the pvc"), AGE,
                               ("VolumeMode", "string", 1, "Filesystem or Block.")], _persistent_volume_claim),
    "ResourceQuota": ([NAME, AGE, ("Request", "string", 0, "Used and hard request quotas."),
                       ("Limit", "string", 0, "Used and hard limit quotas.")], _resource_quota),
    "PodTemplate": ([NAME, ("Containers", "string", 0, "Names of each container in the template."),
                     ("Images", "string", 0, "Images referenced by each container in the template."),
                     ("Pod Labels", "string", 0, "The labels for the pod template.")], _pod_template),
    "EndpointSlice": ([NAME, ("AddressType", "string", 0, "IPv4, IPv6 or FQDN."),
                       ("Ports", "string", 0, "Ports of the endpoints."),
                       ("Endpoints", "string", 0, "Addresses of the endpoints."), AGE], _endpoint_slice),
    "RuntimeClass": ([NAME, ("Handler", "string", 0, "The CRI handler."), AGE],
                     lambda o, now: [_name(o), o.get("handler", ""), _age(o, now)]),
    "CertificateSigningRequest": ([NAME, AGE, ("SignerName", "string", 0, "The signer asked to sign."),
                                   ("Requestor", "string", 0, "Who asked."),
                                   ("RequestedDuration", "string", 0, "Validity asked for."),
                                   ("Condition", "string", 0, "Approval and issue state.")],
                                  _certificate_signing_request),
    "StorageClass": ([NAME, ("Provisioner", "string", 0, "The volume plugin that provisions."),
                      ("ReclaimPolicy", "string", 0, "Reclaim policy of provisioned volumes."),
                      ("VolumeBindingMode", "string", 0, "When volumes are bound."),
                      ("AllowVolumeExpansion", "string", 0, "Whether claims may grow."), AGE], _storage_class),
    "CSIDriver": ([NAME, ("AttachRequired", "boolean", 0, "Whether volumes need attaching."),
                   ("PodInfoOnMount", "boolean", 0, "Whether mounts get pod information."),
                   ("StorageCapacity", "boolean", 0, "Whether capacity is reported."),
                   ("TokenRequests", "string", 0, "Audiences of requested tokens."),
                   ("RequiresRepublish", "boolean", 0, "Whether volumes are mounted again periodically."),
                   ("Modes", "string", 0, "Volume lifecycle modes."), AGE], _csi_driver),
    "CSINode": ([NAME, ("Drivers", "integer", 0, "CSI drivers registered on the node"), AGE],
                lambda o, now: [_name(o), len(_part(o, "spec").get("drivers") or []), _age(o, now)]),
    "VolumeAttachment": ([NAME, ("Attacher", "string", 0, "The attaching driver."),
                          ("PV", "string", 0, "The persistent volume."), ("Node", "string", 0, "The node."),
                          ("Attached", "boolean", 0, "Whether the volume is attached."), AGE],
                         _volume_attachment),
    "CSIStorageCapacity": ([NAME, ("StorageClassName", "string", 0, "The storage class."),
                            ("Capacity", "string", 0, "Capacity available.")],
                           lambda o, now: [_name(o), o.get("storageClassName", ""),
                                           o.get("capacity") or "<unset>"]),
    "RoleBinding": (BINDING_COLUMNS, _binding),
    "ClusterRoleBinding": (BINDING_COLUMNS, _binding),
}
DEFAULT_PRINTER: tuple[list[Column], Printer] = (
    [NAME, ("Created At", "date", 0, "When the object was created.")],
    lambda o, now: [_name(o), _part(o, "metadata").get("creationTimestamp", "")])


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
