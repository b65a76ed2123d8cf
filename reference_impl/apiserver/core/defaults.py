"""Defaulting: what the SetObjectDefaults_<Kind> funcs of k8s.io/kubernetes/pkg/apis/*/v1 fill in
before an object is validated and stored, so stored objects look like upstream's.

The real controllers rely on these: the deployment controller loops on a strategy without a type
and dereferences `rollingUpdate` without checking it, the job controller reads `parallelism` and
`backoffLimit` as set. Every function fills in place and leaves what the client set; a part of
the wrong type (a list where an object belongs) is left for validation to refuse.
"""
from __future__ import annotations

import base64

from reference_impl.mirrors import mirrors

DEFAULT_MODE = 0o644  # 420, what secret, configMap, downwardAPI and projected volumes default to
VOLUME_SOURCES_WITH_MODE = ("secret", "configMap", "downwardAPI", "projected")


def _dict(parent: dict, field: str) -> dict | None:
    """`parent[field]` when it is an object, created empty when absent, else None."""
    value = parent.setdefault(field, {}) if parent.get(field) is None else parent[field]
    return value if isinstance(value, dict) else None


def _update_strategy(spec: dict, **rolling_defaults) -> None:
    """A DaemonSet's or StatefulSet's `updateStrategy`: RollingUpdate unless set, and its
    `rollingUpdate` filled with `rolling_defaults`."""
    strategy = _dict(spec, "updateStrategy")
    if strategy is None:
        return
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = _dict(strategy, "rollingUpdate")
        if rolling is not None:
            for field, value in rolling_defaults.items():
                rolling.setdefault(field, value)


def _dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# A port's protocol default is no SetDefaults func in 1.24 but a `+default` tag, which the
# generated SetObjectDefaults_Pod applies.
@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Container",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Probe",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetObjectDefaults_Pod")
def container(c: dict) -> None:
    image = str(c.get("image", ""))
    # parsers.ParseImageName: no tag and no digest means the tag latest, which pulls every time.
    last = image.split("@", 1)[0].rsplit("/", 1)[-1]
    tag = last.partition(":")[2]
    latest = tag == "latest" or (not tag and "@" not in image)
    c.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in _dicts(c.get("ports")):
        port.setdefault("protocol", "TCP")
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(name)
        if isinstance(probe, dict):
            for field, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                                 ("failureThreshold", 3)):
                probe.setdefault(field, value)
    for env in _dicts(c.get("env")):
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Volume",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_SecretVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ConfigMapVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_DownwardAPIVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ProjectedVolumeSource")
def volume(v: dict) -> None:
    if not any(key != "name" for key in v):
        v["emptyDir"] = {}
    for source in VOLUME_SOURCES_WITH_MODE:
        if isinstance(v.get(source), dict):
            v[source].setdefault("defaultMode", DEFAULT_MODE)


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_PodSpec",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Pod")
def pod_spec(spec: dict) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    for c in _dicts(spec.get("containers")) + _dicts(spec.get("initContainers")):
        container(c)
        # SetDefaults_Pod: a container that sets only limits requests what it is limited to.
        resources = c["resources"] if isinstance(c["resources"], dict) else {}
        if isinstance(resources.get("limits"), dict) and resources["limits"]:
            requests = resources.setdefault("requests", {})
            if isinstance(requests, dict):
                for name, quantity in resources["limits"].items():
                    requests.setdefault(name, quantity)
    for v in _dicts(spec.get("volumes")):
        volume(v)


def _template(spec: dict) -> None:
    template = spec.get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        pod_spec(template["spec"])


@mirrors("k8s.io/kubernetes/pkg/apis/apps/v1.SetDefaults_Deployment")
def deployment(obj: dict, spec: dict) -> None:
    spec.setdefault("replicas", 1)
    strategy = _dict(spec, "strategy")
    if strategy is not None:
        if not strategy.get("type"):  # `strategy: {}`, what `kubectl create deployment` writes
            strategy["type"] = "RollingUpdate"
        if strategy["type"] == "RollingUpdate":
            rolling = _dict(strategy, "rollingUpdate")
            if rolling is not None:
                rolling.setdefault("maxUnavailable", "25%")
                rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/apps/v1.SetDefaults_DaemonSet")
def daemon_set(obj: dict, spec: dict) -> None:
    _update_strategy(spec, maxUnavailable=1, maxSurge=0)
    spec.setdefault("revisionHistoryLimit", 10)
    _template(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/apps/v1.SetDefaults_StatefulSet")
def stateful_set(obj: dict, spec: dict) -> None:
    spec.setdefault("podManagementPolicy", "OrderedReady")
    _update_strategy(spec, partition=0)
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    for claim in _dicts(spec.get("volumeClaimTemplates")):
        if isinstance(claim.get("spec"), dict):
            claim["spec"].setdefault("volumeMode", "Filesystem")
    _template(spec)


def replica_set(obj: dict, spec: dict) -> None:
    spec.setdefault("replicas", 1)
    _template(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ReplicationController")
def replication_controller(obj: dict, spec: dict) -> None:
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if labels:
        spec.setdefault("selector", dict(labels))
        if not obj["metadata"].get("labels"):
            obj["metadata"]["labels"] = dict(labels)
    spec.setdefault("replicas", 1)
    _template(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/batch/v1.SetDefaults_Job")
def job(obj: dict, spec: dict) -> None:
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if labels and not obj["metadata"].get("labels"):
        obj["metadata"]["labels"] = dict(labels)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    _template(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/batch/v1.SetDefaults_CronJob")
def cron_job(obj: dict, spec: dict) -> None:
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_spec = (spec.get("jobTemplate") or {}).get("spec")
    if isinstance(job_spec, dict):
        _template(job_spec)


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Service",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetObjectDefaults_Service")
def service(obj: dict, spec: dict) -> None:
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    for port in _dicts(spec.get("ports")):
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_PersistentVolumeClaim")
def persistent_volume_claim(obj: dict, spec: dict) -> None:
    spec.setdefault("volumeMode", "Filesystem")
    status = _dict(obj, "status")
    if status is not None:
        status.setdefault("phase", "Pending")


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_PersistentVolume")
def persistent_volume(obj: dict, spec: dict) -> None:
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    status = _dict(obj, "status")
    if status is not None:
        status.setdefault("phase", "Pending")


def _ports(obj: dict, spec: dict) -> None:
    """Endpoints subsets' and EndpointSlices' ports are TCP unless they say otherwise."""
    for subset in _dicts(obj.get("subsets")):
        for port in _dicts(subset.get("ports")):
            port.setdefault("protocol", "TCP")
    for port in _dicts(obj.get("ports")):
        port.setdefault("protocol", "TCP")
        port.setdefault("name", "")


@mirrors("k8s.io/kubernetes/pkg/apis/storage/v1.SetDefaults_StorageClass")
def storage_class(obj: dict, spec: dict) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


@mirrors("k8s.io/kubernetes/pkg/apis/storage/v1.SetDefaults_CSIDriver")
def csi_driver(obj: dict, spec: dict) -> None:
    for field, value in (("attachRequired", True), ("podInfoOnMount", False), ("storageCapacity", False),
                         ("fsGroupPolicy", "ReadWriteOnceWithFSType"), ("requiresRepublish", False),
                         ("volumeLifecycleModes", ["Persistent"])):
        spec.setdefault(field, value)


def node(obj: dict, spec: dict) -> None:
    status = obj.get("status")
    if isinstance(status, dict) and status.get("capacity") and "allocatable" not in status:
        status["allocatable"] = dict(status["capacity"])  # SetDefaults_NodeStatus


def secret(obj: dict, spec: dict) -> None:
    obj.setdefault("type", "Opaque")
    for key, value in (obj.pop("stringData", None) or {}).items():
        obj.setdefault("data", {})[key] = base64.b64encode(str(value).encode()).decode()


def namespace(obj: dict, spec: dict) -> None:
    spec.setdefault("finalizers", ["kubernetes"])
    status = _dict(obj, "status")
    if status is not None:
        status.setdefault("phase", "Active")


def pod(obj: dict, spec: dict) -> None:
    pod_spec(spec)


def pod_template(obj: dict, spec: dict) -> None:
    _template(obj)


# kind -> its defaulting func, called with the object and its spec (created empty when absent,
# as every Go spec struct is there). Kinds not listed have no defaults.
BY_KIND = {
    "Pod": pod, "PodTemplate": pod_template, "ReplicationController": replication_controller,
    "Service": service, "Endpoints": _ports, "EndpointSlice": _ports, "Secret": secret,
    "Namespace": namespace, "Node": node, "PersistentVolume": persistent_volume,
    "PersistentVolumeClaim": persistent_volume_claim,
    "Deployment": deployment, "ReplicaSet": replica_set, "DaemonSet": daemon_set,
    "StatefulSet": stateful_set, "Job": job, "CronJob": cron_job,
    "StorageClass": storage_class, "CSIDriver": csi_driver,
}
# Kinds whose Go type has no spec field: their defaults live at the top level or in status.
NO_SPEC = ("Endpoints", "EndpointSlice", "Secret", "PodTemplate", "StorageClass")


def set_object_defaults(kind: str, obj: dict) -> None:
    """Fill the defaults upstream's SetObjectDefaults_<kind> fills, in place."""
    defaulter = BY_KIND.get(kind)
    if defaulter is None:
        return
    spec = {} if kind in NO_SPEC else _dict(obj, "spec")
    if spec is not None:
        defaulter(obj, spec)
