"""The source of one pod volume, validated as validateVolumeSource in
k8s.io/kubernetes/pkg/apis/core/validation does it: file modes and key paths of secrets, config maps
and downward API files, host paths and their types, and the fields each network or cloud disk source
requires, and an ephemeral volume's claim template. A projected volume's sources are podvalidation's."""
from __future__ import annotations

import re
from collections.abc import Callable

from reference_impl.apiserver.core.envvalidation import (divisor_problems, object_field_selector_problems,
                                                         resource_field_selector_problems)
from reference_impl.apiserver.core.selectors import DNS_SUBDOMAIN
from reference_impl.apiserver.core.validation import (SUBDOMAIN_MSG, annotation_problems, as_object, forbidden,
                                                      invalid, label_problems, name_problems, required, unsupported)
from reference_impl.machinery import quantity
from reference_impl.mirrors import mirrors

FILE_MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive"
PARTITION_MSG = "must be between 1 and 255, inclusive"
HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate",
                   "Socket")  # sorted, as sets.String.List() gives them
# The fields of a pod a downward API volume may write (validVolumeDownwardAPIFieldPathExpressions).
VOLUME_FIELD_PATHS = ("metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
                      "metadata.uid")


def volume_source_problems(kind: str, source: dict, path: str) -> list[str]:
    """The problems of the volume's (first) source `kind`, at `path` (the volume's path)."""
    check = SOURCES.get(kind)
    return check(source, f"{path}.{GO_FIELD.get(kind, kind)}") if check else []


def _mode_problems(mode: object, path: str) -> list[str]:
    return [invalid(path, mode, FILE_MODE_MSG)] if isinstance(mode, int) and not 0 <= mode <= 0o777 else []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validatePathNoBacksteps")
def no_backsteps_problems(target: str, path: str) -> list[str]:
    return [invalid(path, target, "must not contain '..'")] if ".." in target.split("/") else []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateLocalDescendingPath")
def descending_path_problems(target: str, path: str) -> list[str]:
    problems = [invalid(path, target, "must be a relative path")] if target.startswith("/") else []
    return problems + no_backsteps_problems(target, path)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateLocalNonReservedPath")
def non_reserved_path_problems(target: str, path: str) -> list[str]:
    problems = descending_path_problems(target, path)
    if target.startswith("..") and not target.startswith("../"):
        problems.append(invalid(path, target, "must not start with '..'"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateKeyToPath")
def key_to_path_problems(item: dict, path: str) -> list[str]:
    key, target = item.get("key") or "", item.get("path") or ""
    problems = [] if key else [required(f"{path}.key")]
    problems += [] if target else [required(f"{path}.path")]
    return problems + non_reserved_path_problems(target, f"{path}.path") + _mode_problems(item.get("mode"),
                                                                                          f"{path}.mode")


def _items_problems(source: dict, path: str) -> list[str]:
    return [problem for index, item in enumerate(source.get("items") or [])
            for problem in key_to_path_problems(as_object(item), f"{path}.items[{index}]")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateSecretVolumeSource")
def secret_problems(source: dict, path: str) -> list[str]:
    problems = [] if source.get("secretName") else [required(f"{path}.secretName")]
    return problems + _mode_problems(source.get("defaultMode"), f"{path}.defaultMode") + _items_problems(source, path)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateConfigMapVolumeSource")
def config_map_problems(source: dict, path: str) -> list[str]:
    problems = [] if source.get("name") else [required(f"{path}.name")]
    return problems + _mode_problems(source.get("defaultMode"), f"{path}.defaultMode") + _items_problems(source, path)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateDownwardAPIVolumeSource")
def downward_api_problems(source: dict, path: str) -> list[str]:
    """The files' errors carry no index: upstream passes each file the source's own path."""
    problems = _mode_problems(source.get("defaultMode"), f"{path}.defaultMode")
    return problems + [problem for item in source.get("items") or []
                       for problem in downward_api_file_problems(as_object(item), path)]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateDownwardAPIVolumeFile")
def downward_api_file_problems(item: dict, path: str) -> list[str]:
    target = item.get("path") or ""
    problems = [] if target else [required(f"{path}.path")]
    problems += non_reserved_path_problems(target, f"{path}.path")
    if item.get("fieldRef") is not None:
        problems += object_field_selector_problems(as_object(item["fieldRef"]), VOLUME_FIELD_PATHS, f"{path}.fieldRef")
        if item.get("resourceFieldRef") is not None:
            problems.append(invalid(path, "resource",
                                    "fieldRef and resourceFieldRef can not be specified simultaneously"))
    elif item.get("resourceFieldRef") is not None:
        selector = as_object(item["resourceFieldRef"])
        if not selector.get("containerName"):  # a volume, unlike an env var, names the container
            problems.append(required(f"{path}.resourceFieldRef.containerName"))
            problems += divisor_problems(selector.get("resource") or "", selector.get("divisor"),
                                         f"{path}.resourceFieldRef")
        else:
            problems += resource_field_selector_problems(selector, f"{path}.resourceFieldRef")
    else:
        problems.append(required(path, "one of fieldRef and resourceFieldRef is required"))
    return problems + _mode_problems(item.get("mode"), f"{path}.mode")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateHostPathVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateHostPathType")
def host_path_problems(source: dict, path: str) -> list[str]:
    target = source.get("path") or ""
    if not target:
        return [required(f"{path}.path")]
    problems = no_backsteps_problems(target, f"{path}.path")
    kind = source.get("type")
    if kind is not None and kind not in HOST_PATH_TYPES:
        problems.append(unsupported(f"{path}.type", kind, HOST_PATH_TYPES))
    return problems


def empty_dir_problems(source: dict, path: str) -> list[str]:
    """validateVolumeSource's check of an emptyDir: no negative size limit."""
    limit = quantity.exact(source.get("sizeLimit")) if source.get("sizeLimit") is not None else None
    return [forbidden(f"{path}.sizeLimit", "SizeLimit field must be a valid resource quantity")] \
        if limit is not None and limit < 0 else []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateGitRepoVolumeSource")
def git_repo_problems(source: dict, path: str) -> list[str]:
    problems = [] if source.get("repository") else [required(f"{path}.repository")]
    return problems + descending_path_problems(source.get("directory") or "", f"{path}.directory")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateGCEPersistentDiskVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateAWSElasticBlockStoreVolumeSource")
def _disk(id_field: str) -> Callable[[dict, str], list[str]]:
    def problems(source: dict, path: str) -> list[str]:
        found = [] if source.get(id_field) else [required(f"{path}.{id_field}")]
        partition = source.get("partition") or 0
        if isinstance(partition, int) and not 0 <= partition <= 255:
            found.append(invalid(f"{path}.partition", partition, PARTITION_MSG))
        return found
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateNFSVolumeSource")
def nfs_problems(source: dict, path: str) -> list[str]:
    server, target = source.get("server") or "", source.get("path") or ""
    problems = [] if server else [required(f"{path}.server")]
    problems += [] if target else [required(f"{path}.path")]
    return problems + ([] if target.startswith("/") else [invalid(f"{path}.path", target, "must be an absolute path")])


def _requires(*fields: str) -> Callable[[dict, str], list[str]]:
    """The sources whose validation only wants some fields set (glusterfs, rbd, cinder, ...)."""
    def problems(source: dict, path: str) -> list[str]:
        return [required(f"{path}.{field}") for field in fields if not source.get(field)]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateFlockerVolumeSource")
def flocker_problems(source: dict, path: str) -> list[str]:
    name, uuid = source.get("datasetName") or "", source.get("datasetUUID") or ""
    problems = [] if name or uuid else [required(path, "one of datasetName and datasetUUID is required")]
    if name and uuid:
        problems.append(invalid(path, "resource", "datasetName and datasetUUID can not be specified simultaneously"))
    return problems + ([invalid(f"{path}.datasetName", name, "must not contain '/'")] if "/" in name else [])


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateFlexVolumeSource")
def flex_volume_problems(source: dict, path: str) -> list[str]:
    problems = [] if source.get("driver") else [required(f"{path}.driver")]
    for key in as_object(source.get("options")):
        namespace = "." + key.split("/", 1)[0].lower() if "/" in key else "." + key.lower()
        if namespace.endswith((".kubernetes.io", ".k8s.io")):
            problems.append(invalid(f"{path}.options[{key}]", key, "kubernetes.io and k8s.io namespaces are reserved"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateCinderVolumeSource")
def cinder_problems(source: dict, path: str) -> list[str]:
    problems = _requires("volumeID")(source, path)
    secret = source.get("secretRef")
    if secret is not None and not as_object(secret).get("name"):
        problems.append(required(f"{path}.secretRef.name"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateCSIDriverName")
def csi_driver_name_problems(name: str, path: str) -> list[str]:
    """A CSI driver's name: a DNS subdomain once lowercased, of at most 63 bytes."""
    problems = [required(path)] if not name else []
    if len(name) > 63:
        problems.append(f"{path}: Too long: must have at most 63 bytes")
    if len(name) > 253:
        problems.append(invalid(path, name, "must be no more than 253 characters"))
    if not DNS_SUBDOMAIN.match(name.lower()):
        problems.append(invalid(path, name, SUBDOMAIN_MSG))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateCSIVolumeSource")
def csi_problems(source: dict, path: str) -> list[str]:
    """The driver's name; a node-publish secret's name (whose error upstream puts on `name`, and
    whose missing name on `nodePublishSecretRef ` with a trailing space, as written there)."""
    problems = csi_driver_name_problems(source.get("driver") or "", f"{path}.driver")
    secret = source.get("nodePublishSecretRef")
    if secret is not None:
        name = as_object(secret).get("name") or ""
        problems += name_problems(name, "subdomain", f"{path}.name") if name else [
            required(f"{path}.nodePublishSecretRef .name")]
    return problems


# The CSI secrets a PersistentVolume names, in the order upstream checks them, and how its paths
# spell each: nodePublishSecretRef's Required errors carry a trailing space, as written there.
# nodeStageSecretRef is not checked in 1.24.
CSI_PV_SECRET_REFS = (("controllerPublishSecretRef", "controllerPublishSecretRef"),
                      ("controllerExpandSecretRef", "controllerExpandSecretRef"),
                      ("nodePublishSecretRef", "nodePublishSecretRef "))


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateCSIPersistentVolumeSource")
def csi_persistent_volume_problems(source: dict, path: str) -> list[str]:
    """A PersistentVolume's CSI source: the driver's name, a volume handle, and each secret it
    names with a name and a namespace that are RFC 1123 labels. Upstream puts an invalid name's
    error on `<path>.name` and an invalid namespace's on `<path>.namespace`, whichever secret it is."""
    problems = csi_driver_name_problems(str(source.get("driver") or ""), f"{path}.driver")
    if not source.get("volumeHandle"):
        problems.append(required(f"{path}.volumeHandle"))
    for field, spelled in CSI_PV_SECRET_REFS:
        secret = source.get(field)
        if secret is None:
            continue
        secret = as_object(secret)
        for key in ("name", "namespace"):
            value = str(secret.get(key) or "")
            problems += name_problems(value, "label", f"{path}.{key}") if value else [
                required(f"{path}.{spelled}.{key}")]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateGlusterfsPersistentVolumeSource")
def glusterfs_persistent_volume_problems(source: dict, path: str) -> list[str]:
    """Endpoints and a path; an endpointsNamespace, when given, a namespace's name."""
    problems = _requires("endpoints", "path")(source, path)
    namespace = source.get("endpointsNamespace")
    if namespace is not None:
        problems += [invalid(f"{path}.endpointsNamespace", "", "if the endpointnamespace is set, it must be a valid "
                             "namespace name")] if namespace == "" else name_problems(str(namespace), "label",
                                                                                   f"{path}.endpointsNamespace")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateCinderPersistentVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateStorageOSPersistentVolumeSource")
def _secret_reference_problems(source: dict, path: str) -> list[str]:
    """A PersistentVolume's secretRef (a SecretReference) with a name and a namespace."""
    secret = source.get("secretRef")
    if secret is None:
        return []
    secret = as_object(secret)
    return [required(f"{path}.secretRef.{key}") for key in ("name", "namespace") if not secret.get(key)]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateCinderPersistentVolumeSource")
def cinder_persistent_volume_problems(source: dict, path: str) -> list[str]:
    return _requires("volumeID")(source, path) + _secret_reference_problems(source, path)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateStorageOSPersistentVolumeSource")
def storageos_persistent_volume_problems(source: dict, path: str) -> list[str]:
    name, namespace = source.get("volumeName") or "", source.get("volumeNamespace") or ""
    problems = name_problems(name, "label", f"{path}.volumeName") if name else [required(f"{path}.volumeName")]
    problems += name_problems(namespace, "label", f"{path}.volumeNamespace") if namespace else []
    return problems + _secret_reference_problems(source, path)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateAzureFilePV")
def azure_file_persistent_volume_problems(source: dict, path: str) -> list[str]:
    problems = _requires("secretName", "shareName")(source, path)
    if source.get("secretNamespace") == "":
        problems.append(required(f"{path}.secretNamespace"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateLocalVolumeSource")
def local_problems(source: dict, path: str) -> list[str]:
    target = source.get("path") or ""
    return no_backsteps_problems(target, f"{path}.path") if target else [required(f"{path}.path")]


ISCSI_FORMATS = {"iqn": re.compile(r"iqn\.\d{4}-\d{2}\.([A-Za-z0-9\-.]+)(:[^,;*&$|\s]+)$"),
                 "eui": re.compile(r"^eui.[A-Za-z0-9]{16}$"), "naa": re.compile(r"^naa.[A-Za-z0-9]{32}$")}


def _iscsi_name_problems(name: str, path: str) -> list[str]:
    prefix = name[:3]
    if prefix not in ISCSI_FORMATS:
        return [invalid(path, name, "must be valid format starting with iqn, eui, or naa")]
    return [] if ISCSI_FORMATS[prefix].search(name) else [invalid(path, name, "must be valid format")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateISCSIVolumeSource")
def iscsi_problems(source: dict, path: str) -> list[str]:
    problems = [] if source.get("targetPortal") else [required(f"{path}.targetPortal")]
    problems += _iscsi_name_problems(source["iqn"], f"{path}.iqn") if source.get("iqn") else [required(f"{path}.iqn")]
    lun = source.get("lun") or 0
    if isinstance(lun, int) and not 0 <= lun <= 255:
        problems.append(invalid(f"{path}.lun", lun, "must be between 0 and 255, inclusive"))
    if (source.get("chapAuthDiscovery") or source.get("chapAuthSession")) and source.get("secretRef") is None:
        problems.append(required(f"{path}.secretRef"))
    if source.get("initiatorName") is not None:
        problems += _iscsi_name_problems(str(source["initiatorName"]), f"{path}.initiatorname")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateISCSIPersistentVolumeSource")
def iscsi_persistent_volume_problems(source: dict, path: str, volume_name: str) -> list[str]:
    """A pod's iSCSI checks, but a name of no known prefix is only "must be valid format", a
    secretRef needs its name, and with an initiatorName `<volume name>:<targetPortal>` must stay
    under 64 characters."""
    portal = str(source.get("targetPortal") or "")
    problems = [] if portal else [required(f"{path}.targetPortal")]
    if source.get("initiatorName") is not None and len(f"{volume_name}:{portal}") > 64:
        problems.append(invalid(f"{path}.targetportal", portal, "Total length of <volume name>:<iscsi.targetPortal> "
                                "must be under 64 characters if iscsi.initiatorName is specified."))
    iqn = str(source.get("iqn") or "")
    if not iqn:
        problems.append(required(f"{path}.iqn"))
    elif iqn[:3] not in ISCSI_FORMATS or not ISCSI_FORMATS[iqn[:3]].search(iqn):
        problems.append(invalid(f"{path}.iqn", iqn, "must be valid format"))
    lun = source.get("lun") or 0
    if isinstance(lun, int) and not 0 <= lun <= 255:
        problems.append(invalid(f"{path}.lun", lun, "must be between 0 and 255, inclusive"))
    if (source.get("chapAuthDiscovery") or source.get("chapAuthSession")) and source.get("secretRef") is None:
        problems.append(required(f"{path}.secretRef"))
    if source.get("secretRef") is not None and not as_object(source["secretRef"]).get("name"):
        problems.append(required(f"{path}.secretRef.name"))
    if source.get("initiatorName") is not None:
        initiator = str(source["initiatorName"])
        if initiator[:3] not in ISCSI_FORMATS or not ISCSI_FORMATS[initiator[:3]].search(initiator):
            problems.append(invalid(f"{path}.initiatorname", initiator, "must be valid format"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateFCVolumeSource")
def fc_problems(source: dict, path: str) -> list[str]:
    targets, wwids = source.get("targetWWNs") or [], source.get("wwids") or []
    problems = [] if targets or wwids else [
        required(f"{path}.targetWWNs", "must specify either targetWWNs or wwids, but not both")]
    if targets and wwids:
        problems.append(invalid(f"{path}.targetWWNs", targets,
                                "targetWWNs and wwids can not be specified simultaneously"))
    if targets:
        lun = source.get("lun")
        if lun is None:
            problems.append(required(f"{path}.lun", "lun is required if targetWWNs is specified"))
        elif isinstance(lun, int) and not 0 <= lun <= 255:
            problems.append(invalid(f"{path}.lun", lun, "must be between 0 and 255, inclusive"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateStorageOSVolumeSource")
def storageos_problems(source: dict, path: str) -> list[str]:
    name, namespace = source.get("volumeName") or "", source.get("volumeNamespace") or ""
    problems = name_problems(name, "label", f"{path}.volumeName") if name else [required(f"{path}.volumeName")]
    problems += name_problems(namespace, "label", f"{path}.volumeNamespace") if namespace else []
    secret = source.get("secretRef")
    if secret is not None and not as_object(secret).get("name"):
        problems.append(required(f"{path}.secretRef.name"))
    return problems


AZURE_CACHING_MODES = ("None", "ReadOnly", "ReadWrite")
AZURE_DISK_KINDS = ("Dedicated", "Managed", "Shared")
AZURE_MANAGED_URI = "/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}"
AZURE_BLOB_URI = "https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd"


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateAzureDisk")
def azure_disk_problems(source: dict, path: str) -> list[str]:
    """A disk name and URI, a known caching mode and kind, and a URI of the kind's form: a managed
    disk's under /subscriptions/, a blob disk's https (the kind defaults to Shared, a blob disk)."""
    uri, kind, caching = source.get("diskURI") or "", source.get("kind"), source.get("cachingMode")
    problems = [] if source.get("diskName") else [required(f"{path}.diskName")]
    problems += [] if uri else [required(f"{path}.diskURI")]
    if caching is not None and caching not in AZURE_CACHING_MODES:
        problems.append(unsupported(f"{path}.cachingMode", caching, AZURE_CACHING_MODES))
    if kind is not None and kind not in AZURE_DISK_KINDS:
        problems.append(unsupported(f"{path}.kind", kind, AZURE_DISK_KINDS))
    if kind == "Managed" and not uri.startswith("/subscriptions/"):
        problems.append(unsupported(f"{path}.diskURI", uri, (AZURE_MANAGED_URI,)))
    if kind is not None and kind != "Managed" and not uri.startswith("https://"):
        problems.append(unsupported(f"{path}.diskURI", uri, (AZURE_BLOB_URI,)))
    return problems


@mirrors("net.SplitHostPort")
def splits_as_host_port(pair: str) -> bool:
    """Whether `pair` is host:port, the host in brackets when it holds colons itself."""
    colon = pair.rfind(":")
    if colon < 0:
        return False
    if pair.startswith("["):
        end = pair.find("]")
        if end < 0 or end + 1 != colon:
            return False
        return "[" not in pair[1:] and "]" not in pair[end + 1:]
    return ":" not in pair[:colon] and "[" not in pair and "]" not in pair


QUOBYTE_REGISTRY_MSG = "must be a host:port pair or multiple pairs separated by commas"


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateQuobyteVolumeSource")
def quobyte_problems(source: dict, path: str) -> list[str]:
    """A registry of host:port pairs (one error for each pair that is not one), a tenant of at most
    64 characters (checked only with a registry, and then instead of it), and a volume."""
    registry, tenant = source.get("registry") or "", source.get("tenant") or ""
    if not registry:
        problems = [required(f"{path}.registry", QUOBYTE_REGISTRY_MSG)]
    elif len(tenant) >= 65:
        problems = [required(f"{path}.tenant", "must be a UUID and may not exceed a length of 64 characters")]
    else:
        problems = [invalid(f"{path}.registry", registry, QUOBYTE_REGISTRY_MSG)
                    for pair in registry.split(",") if not splits_as_host_port(pair)]
    return problems + ([] if source.get("volume") else [required(f"{path}.volume")])


# What an ephemeral volume's claim template may not set of its metadata, in ObjectMeta's field
# order, each with the name validateFieldAllowList gives it (the Go field's, first letter lowered).
CLAIM_TEMPLATE_META_FIELDS = (
    ("name", "name"), ("generateName", "generateName"), ("namespace", "namespace"), ("selfLink", "selfLink"),
    ("uid", "uID"), ("resourceVersion", "resourceVersion"), ("generation", "generation"),
    ("creationTimestamp", "creationTimestamp"), ("deletionTimestamp", "deletionTimestamp"),
    ("deletionGracePeriodSeconds", "deletionGracePeriodSeconds"), ("ownerReferences", "ownerReferences"),
    ("finalizers", "finalizers"), ("clusterName", "clusterName"), ("managedFields", "managedFields"))
# The one a pointer: set even when 0.
POINTER_META_FIELDS = ("deletionGracePeriodSeconds",)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateEphemeralVolumeSource",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidatePersistentVolumeClaimTemplate",
         "k8s.io/kubernetes/pkg/apis/core/validation.validatePersistentVolumeClaimTemplateObjectMeta")
def ephemeral_problems(source: dict, path: str) -> list[str]:
    """A claim template whose metadata has valid annotations and labels and nothing else, and
    whose spec is a valid claim's."""
    # The claim kind's module reaches this one through podvalidation: imported when first needed.
    from reference_impl.apiserver.kinds.persistentvolumeclaim import claim_spec_problems

    template = source.get("volumeClaimTemplate")
    if template is None:
        return [required(f"{path}.volumeClaimTemplate")]
    template, path = as_object(template), f"{path}.volumeClaimTemplate"
    meta = as_object(template.get("metadata"))
    problems = annotation_problems(meta.get("annotations"), f"{path}.metadata.annotations")
    problems += label_problems(meta.get("labels"), f"{path}.metadata.labels")
    problems += [forbidden(f"{path}.metadata.{go_name}", "cannot be set for an ephemeral volume")
                 for field, go_name in CLAIM_TEMPLATE_META_FIELDS
                 if meta.get(field) is not None and (field in POINTER_META_FIELDS or meta[field] not in ("", 0))]
    return problems + claim_spec_problems(as_object(template.get("spec")), f"{path}.spec")


SOURCES: dict[str, Callable[[dict, str], list[str]]] = {
    "emptyDir": empty_dir_problems, "hostPath": host_path_problems, "gitRepo": git_repo_problems,
    "gcePersistentDisk": _disk("pdName"), "awsElasticBlockStore": _disk("volumeID"), "secret": secret_problems,
    "nfs": nfs_problems, "glusterfs": _requires("endpoints", "path"), "flocker": flocker_problems,
    "persistentVolumeClaim": _requires("claimName"), "rbd": _requires("monitors", "image"), "cinder": cinder_problems,
    "cephfs": _requires("monitors"), "downwardAPI": downward_api_problems, "flexVolume": flex_volume_problems,
    "configMap": config_map_problems, "azureFile": _requires("secretName", "shareName"),
    "vsphereVolume": _requires("volumePath"), "photonPersistentDisk": _requires("pdID"),
    "portworxVolume": _requires("volumeID"), "csi": csi_problems, "iscsi": iscsi_problems, "fc": fc_problems,
    "scaleIO": _requires("gateway", "system", "volumeName"), "storageos": storageos_problems,
    "azureDisk": azure_disk_problems, "quobyte": quobyte_problems, "ephemeral": ephemeral_problems,
}
# The field names upstream's paths use where they differ from the JSON ones.
GO_FIELD = {"gcePersistentDisk": "persistentDisk"}
