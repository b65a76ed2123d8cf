"""Defaulting several kinds share: the pod spec's SetDefaults funcs (containers, probes, volumes) that
every pod template gets, a DaemonSet's and StatefulSet's update strategy, and the helpers that
find or create the object a default goes in."""
from __future__ import annotations

from reference_impl.machinery import imageref, quantity
from reference_impl.mirrors import mirrors

DEFAULT_MODE = 0o644  # 420, what secret, configMap, downwardAPI and projected volumes default to
VOLUME_SOURCES_WITH_MODE = ("secret", "configMap", "downwardAPI", "projected")


def object_field(parent: dict, field: str) -> dict | None:
    """`parent[field]` when it is an object, created empty when absent, else None."""
    value = parent.setdefault(field, {}) if parent.get(field) is None else parent[field]
    return value if isinstance(value, dict) else None


def update_strategy(spec: dict, **rolling_defaults) -> None:
    """A DaemonSet's or StatefulSet's `updateStrategy`: RollingUpdate unless set, and its
    `rollingUpdate` filled with `rolling_defaults`."""
    strategy = object_field(spec, "updateStrategy")
    if strategy is None:
        return
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = object_field(strategy, "rollingUpdate")
        if rolling is not None:
            for field, value in rolling_defaults.items():
                rolling.setdefault(field, value)


# ObjectMeta's maps and lists, all omitempty: Go writes an empty one as nothing, so an object
# decoded and stored never keeps `labels: {}`.
OMITTED_WHEN_EMPTY_META = ("labels", "annotations", "ownerReferences", "finalizers")


def omit_empty_metadata(obj: dict) -> None:
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        for field in OMITTED_WHEN_EMPTY_META:
            if meta.get(field) in ({}, []):
                del meta[field]


def default_zero(obj: dict, field: str, value: object) -> None:
    """Default a string or integer field as Go's `if obj.X == ""` (or `== 0`) does: absent, null
    and the zero value all decode to the zero value."""
    if not obj.get(field):
        obj[field] = value


def default_nil(obj: dict, field: str, value: object) -> None:
    """Default a pointer field as Go's `if obj.X == nil` does: absent or null, never a zero value."""
    if obj.get(field) is None:
        obj[field] = value


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ResourceList")
def resource_lists(holder: object, *fields: str) -> None:
    """The ResourceLists `holder` has under `fields`, each quantity rounded up to thousandths.
    The generated defaulters of the core, apps, batch and storage groups do this to every v1
    ResourceList they reach (a RuntimeClass's overhead is none of them)."""
    if not isinstance(holder, dict):
        return
    for field in fields:
        resources = holder.get(field)
        if isinstance(resources, dict):
            for name, written in resources.items():
                resources[name] = quantity.rounded_up_to_milli(written)


def dict_items(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _tag(image: object) -> str:
    """The image's tag, "latest" where it names none; "" where it does not parse (SetDefaults_Container
    ignores the error)."""
    try:
        return imageref.parse_image_name(str(image or "")).tag
    except ValueError:
        return ""


# A port's protocol default is no SetDefaults func in 1.24 but a `+default` tag, which the
# generated SetObjectDefaults_Pod applies.
@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Container",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Probe",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetObjectDefaults_Pod")
def container(c: dict) -> None:
    default_zero(c, "imagePullPolicy", "Always" if _tag(c.get("image")) == "latest" else "IfNotPresent")
    default_zero(c, "terminationMessagePath", "/dev/termination-log")
    default_zero(c, "terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    resource_lists(c["resources"], "limits", "requests")
    for port in dict_items(c.get("ports")):
        default_zero(port, "protocol", "TCP")
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(name)
        if isinstance(probe, dict):
            for field, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                                 ("failureThreshold", 3)):
                default_zero(probe, field, value)
            http_get_defaults(probe.get("httpGet"))
    lifecycle = c.get("lifecycle")
    for hook in ("postStart", "preStop"):
        if isinstance(lifecycle, dict) and isinstance(lifecycle.get(hook), dict):
            http_get_defaults(lifecycle[hook].get("httpGet"))
    for env in dict_items(c.get("env")):
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            default_zero(field_ref, "apiVersion", "v1")


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_HTTPGetAction")
def http_get_defaults(action: object) -> None:
    if isinstance(action, dict):
        default_zero(action, "path", "/")
        default_zero(action, "scheme", "HTTP")


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Volume",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_SecretVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ConfigMapVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_DownwardAPIVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ProjectedVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ServiceAccountTokenProjection",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_PersistentVolumeClaimSpec")
def volume(v: dict) -> None:
    if not any(key != "name" for key in v):
        v["emptyDir"] = {}
    ephemeral = v.get("ephemeral")
    claim_template = ephemeral.get("volumeClaimTemplate") if isinstance(ephemeral, dict) else None
    claim_spec = object_field(claim_template, "spec") if isinstance(claim_template, dict) else None
    if claim_spec is not None:
        default_nil(claim_spec, "volumeMode", "Filesystem")
        resource_lists(claim_spec.get("resources"), "limits", "requests")
    for source in VOLUME_SOURCES_WITH_MODE:
        if isinstance(v.get(source), dict):
            v[source].setdefault("defaultMode", DEFAULT_MODE)
    host_path_defaults(v.get("hostPath"))
    plugin_source_defaults(v)
    projected = v["projected"] if isinstance(v.get("projected"), dict) else {}
    projections = dict_items(projected.get("sources"))
    for token in (p.get("serviceAccountToken") for p in projections):
        if isinstance(token, dict):
            default_nil(token, "expirationSeconds", 3600)
    for downward_api in [v.get("downwardAPI"), *(p.get("downwardAPI") for p in projections)]:
        for item in dict_items(downward_api.get("items") if isinstance(downward_api, dict) else None):
            if isinstance(item.get("fieldRef"), dict):
                default_zero(item["fieldRef"], "apiVersion", "v1")  # SetDefaults_ObjectFieldSelector


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_HostPathVolumeSource")
def host_path_defaults(host_path: object) -> None:
    """A hostPath without a type is HostPathUnset, the empty type: no check before mounting."""
    if isinstance(host_path, dict):
        default_nil(host_path, "type", "")


# The plugin volume sources whose SetDefaults fill in what their driver assumes: the same fields
# in a pod's volume and in a PersistentVolume's spec.
SOURCE_ZERO_DEFAULTS = {"rbd": {"pool": "rbd", "user": "admin", "keyring": "/etc/ceph/keyring"},
                        "iscsi": {"iscsiInterface": "default"},
                        "scaleIO": {"storageMode": "ThinProvisioned", "fsType": "xfs"}}
AZURE_DISK_NIL_DEFAULTS = {"cachingMode": "ReadWrite", "kind": "Shared", "fsType": "ext4", "readOnly": False}


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_RBDVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_RBDPersistentVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ISCSIVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ISCSIPersistentVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ScaleIOVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ScaleIOPersistentVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_AzureDiskVolumeSource")
def plugin_source_defaults(holder: dict) -> None:
    """The defaults of the rbd, iscsi, scaleIO and azureDisk sources a pod volume or a
    PersistentVolume spec (`holder`) names."""
    for source, defaults in SOURCE_ZERO_DEFAULTS.items():
        if isinstance(holder.get(source), dict):
            for field, value in defaults.items():
                default_zero(holder[source], field, value)
    if isinstance(holder.get("azureDisk"), dict):
        for field, value in AZURE_DISK_NIL_DEFAULTS.items():
            default_nil(holder["azureDisk"], field, value)


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_PodSpec")
def pod_spec(spec: dict) -> None:
    default_zero(spec, "restartPolicy", "Always")
    default_nil(spec, "terminationGracePeriodSeconds", 30)
    default_zero(spec, "dnsPolicy", "ClusterFirst")
    default_nil(spec, "securityContext", {})
    default_zero(spec, "schedulerName", "default-scheduler")
    resource_lists(spec, "overhead")
    for c in dict_items(spec.get("containers")) + dict_items(spec.get("initContainers")):
        container(c)
        if spec.get("hostNetwork") is True:  # defaultHostNetworkPorts: on the host, the host port is the port
            for port in dict_items(c.get("ports")):
                if not port.get("hostPort"):
                    port["hostPort"] = port.get("containerPort")
    for c in dict_items(spec.get("ephemeralContainers")):
        container(c)  # SetDefaults_EphemeralContainer
    for v in dict_items(spec.get("volumes")):
        volume(v)


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.Convert_v1_PodSpec_To_core_PodSpec",
         "k8s.io/kubernetes/pkg/apis/core/v1.Convert_core_PodSpec_To_v1_PodSpec")
def service_account_alias(spec: dict) -> None:
    """The round trip through the internal PodSpec, which has serviceAccountName only: the
    deprecated serviceAccount fills a missing serviceAccountName, is ignored beside one, and comes
    back equal to it. So changing only serviceAccount changes nothing, on a pod or a template."""
    name, alias = spec.get("serviceAccountName"), spec.get("serviceAccount")
    if not isinstance(name, (str, type(None))) or not isinstance(alias, (str, type(None))):
        return  # the decoder refuses the wrong type
    name = name or alias
    if name:
        spec["serviceAccountName"] = spec["serviceAccount"] = name
    else:
        spec.pop("serviceAccount", None)


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Pod")
def pod_defaults(spec: dict) -> None:
    """The defaults a Pod's spec gets and a pod template's does not: requests from limits and
    enableServiceLinks."""
    default_nil(spec, "enableServiceLinks", True)
    for c in dict_items(spec.get("containers")) + dict_items(spec.get("initContainers")):
        resources = c["resources"] if isinstance(c["resources"], dict) else {}
        if isinstance(resources.get("limits"), dict) and resources["limits"]:
            requests = resources.setdefault("requests", {})
            if isinstance(requests, dict):
                for name, limit in resources["limits"].items():
                    requests.setdefault(name, limit)


def embedded_object_meta(parent: dict) -> None:
    """An embedded ObjectMeta (a template's) is a struct Go always writes, its zero
    creationTimestamp as null: `metadata: {creationTimestamp: null}` even when none was sent."""
    meta = object_field(parent, "metadata")
    if meta is not None:
        meta.setdefault("creationTimestamp", None)


def template_defaults(spec: dict) -> None:
    """SetDefaults_PodSpec on a workload's pod template: Go's template and its pod spec are structs,
    so they are defaulted (restartPolicy Always, ...) even when the client sent neither."""
    template = object_field(spec, "template")
    if template is not None:
        embedded_object_meta(template)
    pod = object_field(template, "spec") if template is not None else None
    if pod is not None:
        pod_spec(pod)
        service_account_alias(pod)
