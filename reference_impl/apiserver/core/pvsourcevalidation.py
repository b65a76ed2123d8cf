"""The source of a PersistentVolume, validated as ValidatePersistentVolumeSpec in
k8s.io/kubernetes/pkg/apis/core/validation does it: exactly one source (a flexVolume is counted but
never refused), the first one checked. Most sources are checked as a pod's volume is; the ones a
PersistentVolume spells apart (secret references with a namespace, a local path, an iSCSI target
named after the volume) have their own rules here."""
from __future__ import annotations

from collections.abc import Callable

from reference_impl.apiserver.core.validation import as_object, invalid, name_problems, required
from reference_impl.apiserver.core.volumevalidation import (ISCSI_FORMATS, _disk, _requires, csi_driver_name_problems,
                                                            fc_problems, flex_volume_problems, flocker_problems,
                                                            host_path_problems, nfs_problems, no_backsteps_problems,
                                                            quobyte_problems, azure_disk_problems)
from reference_impl.mirrors import mirrors

ISCSI_TARGET_TOO_LONG = ("Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if "
                         "iscsi.initiatorName is specified.")


def _secret_reference_problems(reference: object, path: str, label_names: bool = False) -> list[str]:
    """A SecretReference set must name a secret and its namespace; CSI's also checks both as DNS
    labels, reporting them on the source's own `name` and `namespace` (as upstream's paths do)."""
    if reference is None:
        return []
    reference, parent = as_object(reference), path.rsplit(".", 1)[0]
    problems = []
    for field in ("name", "namespace"):
        value = reference.get(field) or ""
        if not value:
            problems.append(required(f"{path}.{field}"))
        elif label_names:
            problems += name_problems(value, "label", f"{parent}.{field}")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateGlusterfsPersistentVolumeSource")
def glusterfs_problems(source: dict, path: str) -> list[str]:
    problems = _requires("endpoints", "path")(source, path)
    namespace = source.get("endpointsNamespace")
    if namespace == "":
        problems.append(invalid(f"{path}.endpointsNamespace", "",
                                "if the endpointnamespace is set, it must be a valid namespace name"))
    elif namespace is not None:
        problems += name_problems(namespace, "label", f"{path}.endpointsNamespace")
    return problems


def _iscsi_format_problems(name: str, path: str) -> list[str]:
    prefix = name[:3]
    return [] if prefix in ISCSI_FORMATS and ISCSI_FORMATS[prefix].search(name) else \
        [invalid(path, name, "must be valid format")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateISCSIPersistentVolumeSource")
def iscsi_problems(source: dict, path: str, volume_name: str) -> list[str]:
    """As a pod's, but every badly formed name is only "must be valid format", a secret reference
    needs a name, and with an initiator name the volume's name and the portal must stay short."""
    portal = source.get("targetPortal") or ""
    problems = [] if portal else [required(f"{path}.targetPortal")]
    if source.get("initiatorName") is not None and len(f"{volume_name}:{portal}") > 64:
        problems.append(invalid(f"{path}.targetportal", portal, ISCSI_TARGET_TOO_LONG))
    iqn = source.get("iqn") or ""
    problems += _iscsi_format_problems(iqn, f"{path}.iqn") if iqn else [required(f"{path}.iqn")]
    lun = source.get("lun") or 0
    if isinstance(lun, int) and not 0 <= lun <= 255:
        problems.append(invalid(f"{path}.lun", lun, "must be between 0 and 255, inclusive"))
    secret = source.get("secretRef")
    if (source.get("chapAuthDiscovery") or source.get("chapAuthSession")) and secret is None:
        problems.append(required(f"{path}.secretRef"))
    if secret is not None and not as_object(secret).get("name"):
        problems.append(required(f"{path}.secretRef.name"))
    if source.get("initiatorName") is not None:
        problems += _iscsi_format_problems(str(source["initiatorName"]), f"{path}.initiatorname")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateCinderPersistentVolumeSource")
def cinder_problems(source: dict, path: str) -> list[str]:
    return _requires("volumeID")(source, path) + _secret_reference_problems(source.get("secretRef"), f"{path}.secretRef")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateAzureFilePV")
def azure_file_problems(source: dict, path: str) -> list[str]:
    problems = _requires("secretName", "shareName")(source, path)
    return problems + ([required(f"{path}.secretNamespace")] if source.get("secretNamespace") == "" else [])


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateLocalVolumeSource")
def local_problems(source: dict, path: str) -> list[str]:
    target = source.get("path") or ""
    return no_backsteps_problems(target, f"{path}.path") if target else [required(f"{path}.path")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateStorageOSPersistentVolumeSource")
def storageos_problems(source: dict, path: str) -> list[str]:
    name, namespace = source.get("volumeName") or "", source.get("volumeNamespace") or ""
    problems = name_problems(name, "label", f"{path}.volumeName") if name else [required(f"{path}.volumeName")]
    problems += name_problems(namespace, "label", f"{path}.volumeNamespace") if namespace else []
    return problems + _secret_reference_problems(source.get("secretRef"), f"{path}.secretRef")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateCSIPersistentVolumeSource")
def csi_problems(source: dict, path: str) -> list[str]:
    """The driver's name, a volume handle, and each secret reference set with a name and a
    namespace that are DNS labels; the node-publish one's missing fields are reported under
    `nodePublishSecretRef ` with a trailing space, as upstream writes that path."""
    problems = csi_driver_name_problems(source.get("driver") or "", f"{path}.driver")
    problems += [] if source.get("volumeHandle") else [required(f"{path}.volumeHandle")]
    for field, shown in (("controllerPublishSecretRef", "controllerPublishSecretRef"),
                         ("controllerExpandSecretRef", "controllerExpandSecretRef"),
                         ("nodePublishSecretRef", "nodePublishSecretRef ")):
        problems += _secret_reference_problems(source.get(field), f"{path}.{shown}", label_names=True)
    return problems


SOURCES: dict[str, Callable[[dict, str], list[str]]] = {
    "hostPath": host_path_problems, "gcePersistentDisk": _disk("pdName"), "awsElasticBlockStore": _disk("volumeID"),
    "glusterfs": glusterfs_problems, "flocker": flocker_problems, "nfs": nfs_problems,
    "rbd": _requires("monitors", "image"), "quobyte": quobyte_problems, "cephfs": _requires("monitors"),
    "cinder": cinder_problems, "fc": fc_problems, "flexVolume": flex_volume_problems, "azureFile": azure_file_problems,
    "vsphereVolume": _requires("volumePath"), "photonPersistentDisk": _requires("pdID"),
    "portworxVolume": _requires("volumeID"), "azureDisk": azure_disk_problems,
    "scaleIO": _requires("gateway", "system", "volumeName"), "local": local_problems, "storageos": storageos_problems,
    "csi": csi_problems,
}
# The PersistentVolumeSource fields in the order ValidatePersistentVolumeSpec counts them (iscsi,
# which needs the volume's name, is checked apart).
ORDER = ("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd", "quobyte",
         "cephfs", "iscsi", "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume", "photonPersistentDisk",
         "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi")
# Where upstream's paths differ from the JSON names: the source's checks, and the "more than 1" refusal.
CHECKED_AT = {"gcePersistentDisk": "persistentDisk"}
REFUSED_AT = {"cephfs": "cephFS"}


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePersistentVolumeSpec")
def volume_source_problems(spec: dict, volume_name: str, node_affinity_given: bool) -> list[str]:
    """Each source after the first is refused (a flexVolume never, and it is always checked); a
    local volume needs node affinity; none at all is "must specify a volume type"."""
    problems, counted = [], 0
    for kind in ORDER:
        if spec.get(kind) is None:
            continue
        if counted and kind != "flexVolume":
            problems.append(f"spec.{REFUSED_AT.get(kind, kind)}: Forbidden: may not specify more than 1 volume type")
            continue
        counted += 1
        source, path = as_object(spec[kind]), f"spec.{CHECKED_AT.get(kind, kind)}"
        problems += iscsi_problems(source, path, volume_name) if kind == "iscsi" else SOURCES[kind](source, path)
        if kind == "local" and not node_affinity_given:
            problems.append(required("spec.nodeAffinity", "Local volume requires node affinity"))
    return problems if counted else problems + [required("spec", "must specify a volume type")]
