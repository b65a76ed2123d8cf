"""What each volume of a pod holds, as the kubelet's volume plugins decide it (Kubernetes 1.24
`pkg/volume/{configmap,secret,projected,downwardapi,emptydir,hostpath}` and the volume manager's
populator), with no I/O: the API objects come from a `VolumeSources` passed in, and the answer is a
`payload` (relative path -> `FileProjection`) that `volumemanager.AtomicWriter` puts on disk, or a
host directory the volume is.

Errors are `VolumeSetUpError` carrying upstream's text, which the kubelet puts into FailedMount
events: `configmap "x" not found` (the watch-based ConfigMap manager names the resource in the
singular), `configmap references non-existent config key: k`, `error processing PVC ns/c: PVC is not
bound`, ...
"""
from __future__ import annotations

import base64
import math
import posixpath
from dataclasses import dataclass
from typing import Protocol

from reference_impl.machinery import quantity
from reference_impl.mirrors import mirrors

from .errors import KubeletError

# The directory each plugin's volumes live in under <root-dir>/pods/<uid>/volumes/ (the plugin
# name with "/" escaped as "~", as kubelet's getPodVolumeDir does).
PLUGIN_DIRS = {
    "configMap": "kubernetes.io~configmap", "secret": "kubernetes.io~secret",
    "projected": "kubernetes.io~projected", "downwardAPI": "kubernetes.io~downward-api",
    "emptyDir": "kubernetes.io~empty-dir",
}
DEFAULT_MODE = 0o644  # ConfigMapVolumeSourceDefaultMode, SecretVolumeSourceDefaultMode, ...
HOST_PATH_TYPES = ("", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice",
                   "BlockDevice")


class VolumeSetUpError(KubeletError):
    """A volume that cannot be set up now; str() is upstream's message for it."""


@dataclass(frozen=True)
class FileProjection:
    data: bytes
    mode: int


@dataclass(frozen=True)
class VolumeSetUp:
    """What one MountVolumes attempt achieved: the volumes now mounted, the SetUp failures
    (volume, upstream's message), and the populator's pod-level errors (a PVC not bound...)."""

    mounted: tuple[str, ...] = ()
    failures: tuple[tuple[str, str], ...] = ()
    pod_errors: tuple[str, ...] = ()


class VolumeSources(Protocol):
    """The API objects volumes are made from. Getters answer None for an object that does not
    exist and raise VolumeSetUpError for any other failure."""

    def config_map(self, namespace: str, name: str) -> dict | None: ...

    def secret(self, namespace: str, name: str) -> dict | None: ...

    def persistent_volume_claim(self, namespace: str, name: str) -> dict | None: ...

    def persistent_volume(self, name: str) -> dict | None: ...

    def service_account_token(self, namespace: str, service_account: str, spec: dict) -> str: ...

    def forget_pod(self, uid: str) -> None:
        """The pod is gone: drop what is kept for it (its tokens)."""


def plugin_of(volume: dict) -> str | None:
    """The source kind of a pod volume ("configMap", "hostPath", ...), None for one not run here."""
    for kind in (*PLUGIN_DIRS, "hostPath", "persistentVolumeClaim"):
        if kind in volume:
            return kind
    return None


@mirrors("k8s.io/kubernetes/pkg/volume/util.GetPodVolumeNames")
def expected_volumes(pod: dict) -> list[str]:
    """The volumes some container mounts (or uses as a device), sorted; only these are set up
    and waited for (the populator ignores a volume no container uses)."""
    spec = pod["spec"]
    names = set()
    for container in (spec.get("initContainers") or []) + spec["containers"] + (spec.get("ephemeralContainers") or []):
        names.update(m["name"] for m in container.get("volumeMounts") or [])
        names.update(d["name"] for d in container.get("volumeDevices") or [])
    return sorted(names)


@mirrors("(k8s.io/apimachinery/pkg/util/errors.aggregate).Error")
def aggregate(errors: list[str]) -> str:
    """One message as it is, several (duplicates dropped) as "[a, b]"."""
    unique = list(dict.fromkeys(errors))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


@mirrors("k8s.io/kubernetes/pkg/volume/configmap.MakePayload")
def config_map_payload(items: list[dict], config_map: dict, default_mode: int, optional: bool) -> dict:
    data = {k: v.encode() for k, v in (config_map.get("data") or {}).items()}
    data.update({k: base64.b64decode(v) for k, v in (config_map.get("binaryData") or {}).items()})
    return _key_payload(items, data, default_mode, optional, "configmap references non-existent config key")


@mirrors("k8s.io/kubernetes/pkg/volume/secret.MakePayload")
def secret_payload(items: list[dict], secret: dict, default_mode: int, optional: bool) -> dict:
    data = {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}
    return _key_payload(items, data, default_mode, optional, "references non-existent secret key")


def _key_payload(items: list[dict], data: dict[str, bytes], default_mode: int, optional: bool, missing: str) -> dict:
    """Every key as a file named after it, or with `items` only those keys, at their paths."""
    if not items:
        return {key: FileProjection(value, default_mode) for key, value in data.items()}
    payload = {}
    for item in items:
        if item["key"] not in data:
            if optional:
                continue
            raise VolumeSetUpError(f"{missing}: {item['key']}")
        payload[item["path"]] = FileProjection(data[item["key"]], item.get("mode", default_mode))
    return payload


@mirrors("k8s.io/kubernetes/pkg/fieldpath.FormatMap")
def format_map(values: dict) -> str:
    """`key="value"` lines in key order (Go's %q quoting), no newline after the last."""
    return "\n".join(f"{key}={_go_quote(values[key])}" for key in sorted(values))


def _go_quote(text: str) -> str:
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return '"' + "".join(escapes.get(ch, ch) if ch.isprintable() or ch in escapes else f"\\x{ord(ch):02x}"
                         for ch in text) + '"'


@mirrors("k8s.io/kubernetes/pkg/fieldpath.ExtractFieldPathAsString")
def field_path_value(pod: dict, field_path: str) -> str:
    meta = pod["metadata"]
    for field in ("annotations", "labels"):
        prefix = f"metadata.{field}"
        if field_path == prefix:
            return format_map(meta.get(field) or {})
        if field_path.startswith(prefix + "['") and field_path.endswith("']"):
            return (meta.get(field) or {}).get(field_path[len(prefix) + 2:-2], "")
    simple = {"metadata.name": "name", "metadata.namespace": "namespace", "metadata.uid": "uid"}
    if field_path in simple:
        return meta.get(simple[field_path], "")
    raise VolumeSetUpError(f"unsupported fieldPath: {field_path}")


@mirrors("k8s.io/kubernetes/pkg/api/v1/resource.ExtractContainerResourceValue")
def resource_field_value(pod: dict, ref: dict, allocatable: dict) -> str:
    """A container's request or limit divided by `divisor` and rounded up; an unset limit is the
    node's allocatable (MergeContainerResourceLimits)."""
    name = ref.get("containerName", "")
    container = next((c for c in pod["spec"]["containers"] if c["name"] == name), None)
    if container is None:
        raise VolumeSetUpError(f"container {name} not found")
    kind, _, resource = ref.get("resource", "").partition(".")
    if kind not in ("limits", "requests") or resource not in ("cpu", "memory", "ephemeral-storage"):
        raise VolumeSetUpError(f"unsupported container resource : {ref.get('resource', '')}")
    resources = container.get("resources") or {}
    amount = (resources.get(kind) or {}).get(resource)
    if amount is None and kind == "limits":
        amount = allocatable.get(resource, "0")
    value = quantity.exact(amount or "0")
    divisor = quantity.exact(ref.get("divisor") or "1")
    if resource == "cpu":  # in millicores first, as convertResourceCPUToString works
        return str(math.ceil(math.ceil(value * 1000) / math.ceil(divisor * 1000)))
    return str(math.ceil(math.ceil(value) / math.ceil(divisor)))


@mirrors("k8s.io/kubernetes/pkg/volume/downwardapi.CollectData")
def downward_api_payload(items: list[dict], pod: dict, default_mode: int, allocatable: dict) -> dict:
    payload, errors = {}, []
    for item in items:
        try:
            if "fieldRef" in item:
                data = field_path_value(pod, item["fieldRef"].get("fieldPath", ""))
            else:
                data = resource_field_value(pod, item.get("resourceFieldRef") or {}, allocatable)
        except VolumeSetUpError as error:
            errors.append(str(error))
            data = ""
        payload[posixpath.normpath(item["path"])] = FileProjection(data.encode(), item.get("mode", default_mode))
    if errors:
        raise VolumeSetUpError(aggregate(errors))
    return payload


def _object(getter, namespace: str, name: str, kind: str, optional: bool) -> dict | None:
    """The named object; {} when it is missing but optional; upstream's NotFound text otherwise."""
    obj = getter(namespace, name)
    if obj is None and not optional:
        raise VolumeSetUpError(f'{kind} "{name}" not found')
    return obj or {}


@mirrors("(*k8s.io/kubernetes/pkg/volume/projected.projectedVolumeMounter).collectData")
def projected_payload(source: dict, pod: dict, sources: VolumeSources, allocatable: dict) -> dict:
    """Every source's files together; the errors of all sources reported at once."""
    mode = source.get("defaultMode", DEFAULT_MODE)
    namespace = pod["metadata"].get("namespace", "default")
    payload, errors = {}, []
    for projection in source.get("sources") or []:
        try:
            payload.update(_projection(projection, mode, pod, namespace, sources, allocatable))
        except VolumeSetUpError as error:
            errors.append(str(error))
    if errors:
        raise VolumeSetUpError(aggregate(errors))
    return payload


def _projection(projection: dict, mode: int, pod: dict, namespace: str, sources: VolumeSources,
                allocatable: dict) -> dict:
    if "configMap" in projection:
        ref = projection["configMap"]
        optional = bool(ref.get("optional"))
        config_map = _object(sources.config_map, namespace, ref.get("name", ""), "configmap", optional)
        return config_map_payload(ref.get("items") or [], config_map, mode, optional)
    if "secret" in projection:
        ref = projection["secret"]
        optional = bool(ref.get("optional"))
        secret = _object(sources.secret, namespace, ref.get("name", ""), "secret", optional)
        return secret_payload(ref.get("items") or [], secret, mode, optional)
    if "downwardAPI" in projection:
        return downward_api_payload(projection["downwardAPI"].get("items") or [], pod, mode, allocatable)
    if "serviceAccountToken" in projection:
        token = projection["serviceAccountToken"]
        return {token["path"]: FileProjection(service_account_token(token, pod, sources).encode(), mode)}
    return {}


def service_account_token(projection: dict, pod: dict, sources: VolumeSources) -> str:
    """A TokenRequest for the pod's service account, bound to the pod, as the projected plugin asks."""
    meta = pod["metadata"]
    spec = {"audiences": [projection["audience"]] if projection.get("audience") else [],
            "expirationSeconds": projection.get("expirationSeconds", 3600),
            "boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": meta["name"], "uid": meta.get("uid", "")}}
    return sources.service_account_token(meta.get("namespace", "default"),
                                         pod["spec"].get("serviceAccountName") or "default", spec)


def volume_payload(volume: dict, pod: dict, sources: VolumeSources, allocatable: dict) -> dict:
    """The files of a configMap, secret, downwardAPI or projected volume."""
    namespace = pod["metadata"].get("namespace", "default")
    if "configMap" in volume:
        ref = volume["configMap"]
        optional = bool(ref.get("optional"))
        config_map = _object(sources.config_map, namespace, ref.get("name", ""), "configmap", optional)
        return config_map_payload(ref.get("items") or [], config_map, ref.get("defaultMode", DEFAULT_MODE), optional)
    if "secret" in volume:
        ref = volume["secret"]
        optional = bool(ref.get("optional"))
        secret = _object(sources.secret, namespace, ref.get("secretName", ""), "secret", optional)
        return secret_payload(ref.get("items") or [], secret, ref.get("defaultMode", DEFAULT_MODE), optional)
    if "downwardAPI" in volume:
        ref = volume["downwardAPI"]
        return downward_api_payload(ref.get("items") or [], pod, ref.get("defaultMode", DEFAULT_MODE), allocatable)
    return projected_payload(volume["projected"], pod, sources, allocatable)


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/volumemanager/populator.desiredStateOfWorldPopulator).getPVCExtractPV",
         "(*k8s.io/kubernetes/pkg/kubelet/volumemanager/populator.desiredStateOfWorldPopulator).getPVSpec")
def claimed_volume(namespace: str, claim_name: str, sources: VolumeSources) -> dict:
    """The PersistentVolume a claim is bound to; the populator's errors while it is not usable."""
    def failed(reason: str) -> VolumeSetUpError:
        return VolumeSetUpError(f"error processing PVC {namespace}/{claim_name}: {reason}")
    claim = sources.persistent_volume_claim(namespace, claim_name)
    if claim is None:
        raise failed('failed to fetch PVC from API server: persistentvolumeclaims '
                     f'"{claim_name}" not found')
    if claim["metadata"].get("deletionTimestamp"):
        raise failed("PVC is being deleted")
    if (claim.get("status") or {}).get("phase") != "Bound":
        raise failed("PVC is not bound")
    pv_name = (claim.get("spec") or {}).get("volumeName", "")
    if not pv_name:
        raise failed("PVC has empty pvc.Spec.VolumeName")
    pv = sources.persistent_volume(pv_name)
    if pv is None:
        raise failed(f'failed to fetch PV {pv_name} from API server: persistentvolumes "{pv_name}" not found')
    claim_ref = (pv.get("spec") or {}).get("claimRef")
    if claim_ref is None:
        raise failed(f"found PV object {pv_name} but it has a nil pv.Spec.ClaimRef indicating it is not yet "
                     "bound to the claim")
    if claim_ref.get("uid") != claim["metadata"].get("uid"):
        raise failed(f"found PV object {pv_name} but its pv.Spec.ClaimRef.UID {claim_ref.get('uid', '')} does not "
                     f"point to claim.UID {claim['metadata'].get('uid', '')}")
    return pv


@mirrors("(*k8s.io/kubernetes/pkg/volume/util/operationexecutor.VolumeToMount).GenerateError")
def set_up_failed(volume_name: str, message: str) -> str:
    return f'MountVolume.SetUp failed for volume "{volume_name}" : {message}'


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/volumemanager.volumeManager).WaitForAttachAndMount")
def unable_to_mount(unmounted: list[str], expected: list[str], reason: str) -> str:
    """The pod-level FailedMount text. "unattached" lists every expected volume: 1.24 looks the
    volumes' spec names up among unique volume names, which never match."""
    return (f"Unable to attach or mount volumes: unmounted volumes=[{' '.join(unmounted)}], "
            f"unattached volumes=[{' '.join(expected)}]: {reason}")
