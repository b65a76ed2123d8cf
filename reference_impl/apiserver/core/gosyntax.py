"""Go's `%#v` of an internal struct, as field.Invalid prints a whole value in its message: a Job's
immutable `spec.template` is shown as the `core.PodTemplateSpec` the request decoded to.

%#v writes every field of a struct, in the struct's order, as `Name:value`; a nested pointer as
its type and address (`(*int64)(0xc000000000)`, one fixed address standing in for Go's), except a
*metav1.Time, whose GoString prints `time.Date(...)` (and `<nil>` for nil); nil slices and maps as
`[]T(nil)`, set ones with their elements, a map's keys sorted; a named string type as a quoted
string. The struct layouts are the internal types' (pkg/apis/core/types.go), each field with the
JSON name of its versioned twin; only the types a pod template holds by value are here: what
sits behind a pointer prints as an address.
"""
from __future__ import annotations

from reference_impl.machinery import quantity
from reference_impl.machinery.gofmt import go_pointer
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.timefmt import civil_from_days, instant
from reference_impl.mirrors import mirrors

ZERO_TIME = "time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

# Go field name -> JSON name where the JSON name is not the Go name with its first letter lowered;
# "" for an embedded struct, whose fields JSON inlines.
JSON_NAMES = {"ObjectMeta": "metadata", "UID": "uid", "TTY": "tty", "IP": "ip", "DNSPolicy": "dnsPolicy",
              "DNSConfig": "dnsConfig", "OS": "os", "APIVersion": "apiVersion", "NFS": "nfs", "ISCSI": "iscsi",
              "RBD": "rbd", "FC": "fc", "CSI": "csi", "GCEPersistentDisk": "gcePersistentDisk",
              "AWSElasticBlockStore": "awsElasticBlockStore", "CephFS": "cephfs", "StorageOS": "storageos",
              "VolumeSource": "", "EphemeralContainerCommon": ""}

_LAYOUTS = {
    "core.PodTemplateSpec": "ObjectMeta v1.ObjectMeta; Spec core.PodSpec",
    "v1.ObjectMeta": "Name string; GenerateName string; Namespace string; SelfLink string; UID types.UID; "
                     "ResourceVersion string; Generation int64; CreationTimestamp v1.Time; DeletionTimestamp *v1.Time; "
                     "DeletionGracePeriodSeconds *int64; Labels map[string]string; Annotations map[string]string; "
                     "OwnerReferences []v1.OwnerReference; Finalizers []string; ClusterName string; "
                     "ManagedFields []v1.ManagedFieldsEntry",
    "v1.ManagedFieldsEntry": "Manager string; Operation v1.ManagedFieldsOperationType; APIVersion string; "
                             "Time *v1.Time; FieldsType string; FieldsV1 *v1.FieldsV1; Subresource string",
    "v1.OwnerReference": "APIVersion string; Kind string; Name string; UID types.UID; Controller *bool; "
                         "BlockOwnerDeletion *bool",
    "core.PodSpec": "Volumes []core.Volume; InitContainers []core.Container; Containers []core.Container; "
                    "EphemeralContainers []core.EphemeralContainer; RestartPolicy core.RestartPolicy; "
                    "TerminationGracePeriodSeconds *int64; ActiveDeadlineSeconds *int64; DNSPolicy core.DNSPolicy; "
                    "NodeSelector map[string]string; ServiceAccountName string; AutomountServiceAccountToken *bool; "
                    "NodeName string; SecurityContext *core.PodSecurityContext; "
                    "ImagePullSecrets []core.LocalObjectReference; Hostname string; Subdomain string; "
                    "SetHostnameAsFQDN *bool; Affinity *core.Affinity; SchedulerName string; "
                    "Tolerations []core.Toleration; HostAliases []core.HostAlias; PriorityClassName string; "
                    "Priority *int32; PreemptionPolicy *core.PreemptionPolicy; DNSConfig *core.PodDNSConfig; "
                    "ReadinessGates []core.PodReadinessGate; RuntimeClassName *string; Overhead core.ResourceList; "
                    "EnableServiceLinks *bool; TopologySpreadConstraints []core.TopologySpreadConstraint; "
                    "OS *core.PodOS",
    "core.Container": "Name string; Image string; Command []string; Args []string; WorkingDir string; "
                      "Ports []core.ContainerPort; EnvFrom []core.EnvFromSource; Env []core.EnvVar; "
                      "Resources core.ResourceRequirements; VolumeMounts []core.VolumeMount; "
                      "VolumeDevices []core.VolumeDevice; LivenessProbe *core.Probe; ReadinessProbe *core.Probe; "
                      "StartupProbe *core.Probe; Lifecycle *core.Lifecycle; TerminationMessagePath string; "
                      "TerminationMessagePolicy core.TerminationMessagePolicy; ImagePullPolicy core.PullPolicy; "
                      "SecurityContext *core.SecurityContext; Stdin bool; StdinOnce bool; TTY bool",
    "core.EphemeralContainer": "EphemeralContainerCommon core.EphemeralContainerCommon; TargetContainerName string",
    "core.ContainerPort": "Name string; HostPort int32; ContainerPort int32; Protocol core.Protocol; HostIP string",
    "core.EnvFromSource": "Prefix string; ConfigMapRef *core.ConfigMapEnvSource; SecretRef *core.SecretEnvSource",
    "core.EnvVar": "Name string; Value string; ValueFrom *core.EnvVarSource",
    "core.ResourceRequirements": "Limits core.ResourceList; Requests core.ResourceList",
    "core.VolumeMount": "Name string; ReadOnly bool; MountPath string; SubPath string; "
                        "MountPropagation *core.MountPropagationMode; SubPathExpr string",
    "core.VolumeDevice": "Name string; DevicePath string",
    "core.Volume": "Name string; VolumeSource core.VolumeSource",
    "core.VolumeSource": "HostPath *core.HostPathVolumeSource; EmptyDir *core.EmptyDirVolumeSource; "
                         "GCEPersistentDisk *core.GCEPersistentDiskVolumeSource; "
                         "AWSElasticBlockStore *core.AWSElasticBlockStoreVolumeSource; GitRepo *core.GitRepoVolumeSource; "
                         "Secret *core.SecretVolumeSource; NFS *core.NFSVolumeSource; ISCSI *core.ISCSIVolumeSource; "
                         "Glusterfs *core.GlusterfsVolumeSource; "
                         "PersistentVolumeClaim *core.PersistentVolumeClaimVolumeSource; RBD *core.RBDVolumeSource; "
                         "Quobyte *core.QuobyteVolumeSource; FlexVolume *core.FlexVolumeSource; "
                         "Cinder *core.CinderVolumeSource; CephFS *core.CephFSVolumeSource; "
                         "Flocker *core.FlockerVolumeSource; DownwardAPI *core.DownwardAPIVolumeSource; "
                         "FC *core.FCVolumeSource; AzureFile *core.AzureFileVolumeSource; "
                         "ConfigMap *core.ConfigMapVolumeSource; VsphereVolume *core.VsphereVirtualDiskVolumeSource; "
                         "AzureDisk *core.AzureDiskVolumeSource; PhotonPersistentDisk *core.PhotonPersistentDiskVolumeSource; "
                         "Projected *core.ProjectedVolumeSource; PortworxVolume *core.PortworxVolumeSource; "
                         "ScaleIO *core.ScaleIOVolumeSource; StorageOS *core.StorageOSVolumeSource; "
                         "CSI *core.CSIVolumeSource; Ephemeral *core.EphemeralVolumeSource",
    "core.LocalObjectReference": "Name string",
    "core.Toleration": "Key string; Operator core.TolerationOperator; Value string; Effect core.TaintEffect; "
                       "TolerationSeconds *int64",
    "core.HostAlias": "IP string; Hostnames []string",
    "core.PodReadinessGate": "ConditionType core.PodConditionType",
    "core.TopologySpreadConstraint": "MaxSkew int32; TopologyKey string; "
                                     "WhenUnsatisfiable core.UnsatisfiableConstraintAction; "
                                     "LabelSelector *v1.LabelSelector",
}
_LAYOUTS["core.EphemeralContainerCommon"] = _LAYOUTS["core.Container"]


def _fields(layout: str) -> tuple[tuple[str, str, str], ...]:
    """(Go name, JSON name, Go type) of each field of a layout."""
    fields = []
    for field in layout.split("; "):
        name, type_ = field.split(" ")
        fields.append((name, JSON_NAMES.get(name, name[0].lower() + name[1:]), type_))
    return tuple(fields)


STRUCTS = {type_: _fields(layout) for type_, layout in _LAYOUTS.items()}
# Times the server sets itself (metav1.Now() when the field manager records an update) print in
# UTC; the others were decoded, and print in the server's Local zone.
SERVER_SET_TIMES = {("v1.ManagedFieldsEntry", "Time")}


@mirrors("fmt.Sprintf")
def go_syntax(type_: str, value: object) -> str:
    """`value` (decoded JSON, None where absent) as %#v prints a field of Go type `type_`."""
    if type_ == "*v1.Time":
        return "<nil>" if value is None else _time(value)
    if type_.startswith("*"):
        return go_pointer(type_[1:], value)
    if type_.startswith("[]"):
        if not isinstance(value, list):
            return f"{type_}(nil)"
        return f"{type_}{{{', '.join(go_syntax(type_[2:], item) for item in value)}}}"
    if type_ == "map[string]string" or type_ == "core.ResourceList":
        if not isinstance(value, dict):
            return f"{type_}(nil)"
        element = "resource.Quantity" if type_ == "core.ResourceList" else "string"
        return f"{type_}{{{', '.join(f'{quote(k)}:{go_syntax(element, value[k])}' for k in sorted(value))}}}"
    if type_ == "resource.Quantity":
        return quantity.go_syntax(value)
    if type_ == "v1.Time":
        return ZERO_TIME if value is None else _time(value)
    if type_ in ("int32", "int64"):
        return str(value or 0)
    if type_ == "bool":
        return "true" if value else "false"
    if type_ in STRUCTS:
        obj = value if isinstance(value, dict) else {}
        parts = []
        for name, json_name, field_type in STRUCTS[type_]:
            field = obj if json_name == "" else obj.get(json_name)
            shown = _server_time(field) if (type_, name) in SERVER_SET_TIMES else go_syntax(field_type, field)
            parts.append(f"{name}:{shown}")
        return f"{type_}{{{', '.join(parts)}}}"
    return quote(value if isinstance(value, str) else "")


def _time(text: object, zone: str = "time.Local") -> str:
    """A metav1.Time's GoString: decoded times are in the server's Local zone."""
    days, second = divmod(instant(str(text))[0], 86400)
    year, month, day = civil_from_days(days)
    return (f"time.Date({year}, time.{MONTHS[month - 1]}, {day}, {second // 3600}, "
            f"{second // 60 % 60}, {second % 60}, 0, {zone})")


def _server_time(text: object) -> str:
    """A *metav1.Time the server set (in UTC; its nanoseconds are not kept in the JSON here)."""
    return "<nil>" if text is None else _time(text, "time.UTC")


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.Convert_v1_PodSpec_To_core_PodSpec")
def internal_pod_template(template: object) -> dict:
    """What the internal PodTemplateSpec holds that its JSON does not say: a PodSecurityContext
    always (conversion makes one for the host namespace fields), and the deprecated
    serviceAccount as serviceAccountName when that is empty."""
    template = template if isinstance(template, dict) else {}
    spec = dict(template.get("spec") or {})
    spec["securityContext"] = spec.get("securityContext") or {}
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    return {**template, "spec": spec}
