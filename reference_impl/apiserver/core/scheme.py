"""The runtime.Schemes a body's apiVersion and kind are looked up in while it is decoded.

A codec reads apiVersion and kind first (SimpleMetaFactory.Interpret), fills what they leave out
from a default, asks its scheme for the Go type of that group/version/kind (Scheme.New) and, when
it is not the type the handler decodes into, converts it. Each step has its own error, and the
handlers quote them: this module answers with those errors as plain `DecodeError`s. The kinds are
the ones kube-apiserver 1.24 installs (`pkg/apis/<group>/install`, each version's addKnownTypes),
not only the ones served here, so that a body of a known kind in an old version converts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from reference_impl.machinery import gojson
from reference_impl.mirrors import mirrors

INTERNAL_VERSION = "__internal"


class DecodeError(Exception):
    """Why a body does not decode into a kind, in the codec's words; `gvk` is what the codec read
    of the body's apiVersion and kind, None when it could not read them."""

    def __init__(self, problem: str, gvk: GroupVersionKind | None = None):
        super().__init__(problem)
        self.problem = problem
        self.gvk = gvk


class NotRegistered(DecodeError):
    """runtime.notRegisteredErr: the scheme makes no object of the kind, so the body is decoded into
    no struct at all."""


@dataclass(frozen=True)
class GroupVersionKind:
    group: str
    version: str
    kind: str

    @property
    def group_version(self) -> str:
        """schema.GroupVersion.String: the version alone for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version


@mirrors("(k8s.io/apimachinery/pkg/runtime/serializer/json.SimpleMetaFactory).Interpret")
def interpret(obj: dict) -> tuple[str, str]:
    """apiVersion and kind as encoding/json unmarshals them into a struct of two strings: keys match
    case-insensitively, the last one wins, null leaves the field empty, and anything but a string
    is an UnmarshalTypeError of the anonymous struct's field; an apiVersion of more than one `/`
    does not parse."""
    read = {"apiversion": "", "kind": ""}
    earlier = [(key, value) for key, values in getattr(obj, "shadowed", {}).items() for value in values]
    for key, value in earlier + list(obj.items()):  # a value written before the one kept is checked too
        field = key.lower()
        if field not in read or value is None:
            continue
        if not isinstance(value, str):
            name = "apiVersion" if field == "apiversion" else "kind"
            raise DecodeError("couldn't get version/kind; json parse error: "
                              + gojson.type_error(gojson.type_name(value), "string", f".{name}"))
        read[field] = value
    if read["apiversion"] != "/" and read["apiversion"].count("/") > 1:
        # Interpret parses the apiVersion it read with ParseGroupVersion, which takes one `/` at most.
        raise DecodeError(f"unexpected GroupVersion string: {read['apiversion']}")
    return read["apiversion"], read["kind"]


@mirrors("k8s.io/apimachinery/pkg/runtime/schema.FromAPIVersionAndKind")
def from_api_version_and_kind(api_version: str, kind: str) -> GroupVersionKind:
    """An apiVersion with more than one `/` does not parse and leaves group and version empty."""
    if api_version in ("", "/"):
        return GroupVersionKind("", "", kind)
    parts = api_version.split("/")
    if len(parts) == 1:
        return GroupVersionKind("", api_version, kind)
    if len(parts) == 2:
        return GroupVersionKind(parts[0], parts[1], kind)
    return GroupVersionKind("", "", kind)


@mirrors("k8s.io/apimachinery/pkg/runtime/serializer/json.gvkWithDefaults")
def with_defaults(actual: GroupVersionKind, default: GroupVersionKind) -> GroupVersionKind:
    kind = actual.kind or default.kind
    group, version = actual.group, actual.version
    if not version and not group:
        group, version = default.group, default.version
    if not version and group == default.group:
        version = default.version
    return GroupVersionKind(group, version, kind)


@dataclass(frozen=True)
class Scheme:
    """A scheme's name (the file and line that made it, as naming.GetNameFromCallsite writes it), the
    kinds each group/version registers, the unversioned kinds it makes in any version, and the Go
    type each kind's internal version is where it is not `<first label of the group>.<Kind>`."""
    name: str
    known_types: Mapping[str, frozenset[str]]
    unversioned: Mapping[str, str]  # kind -> Go type
    internal_types: Mapping[tuple[str, str], str]  # (group, kind) -> Go type

    @mirrors("(*k8s.io/apimachinery/pkg/runtime.Scheme).New",
             "(*k8s.io/apimachinery/pkg/runtime.notRegisteredErr).Error")
    def go_type(self, gvk: GroupVersionKind) -> str:
        """The Go type (as reflect prints it) the scheme makes for `gvk`; not registered otherwise."""
        if gvk.version == INTERNAL_VERSION:
            if any(gvk.kind in kinds for gv, kinds in self.known_types.items() if gv.rpartition("/")[0] == gvk.group):
                return self.internal_type(gvk.group, gvk.kind)
        elif gvk.kind in self.known_types.get(gvk.group_version, ()):
            package = "v1" if gvk.kind in META_KINDS or gvk.group == "meta.k8s.io" else gvk.version
            return f"{package}.{gvk.kind}"
        if gvk.kind in self.unversioned:
            return self.unversioned[gvk.kind]
        if gvk.version == INTERNAL_VERSION:
            raise NotRegistered(f"no kind {gojson.quote(gvk.kind)} is registered for the internal version of group "
                                f"{gojson.quote(gvk.group)} in scheme {gojson.quote(self.name)}", gvk)
        raise NotRegistered(f"no kind {gojson.quote(gvk.kind)} is registered for version "
                            f"{gojson.quote(gvk.group_version)} in scheme {gojson.quote(self.name)}", gvk)

    def internal_type(self, group: str, kind: str) -> str:
        """The Go type of `kind`'s internal version, which every version of it converts to."""
        return self.internal_types.get((group, kind)) or f"{group.split('.')[0] or 'core'}.{kind}"

    @mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/versioning.codec).Decode",
             "k8s.io/apimachinery/pkg/runtime.UseOrCreateObject",
             "(*k8s.io/apimachinery/pkg/conversion.Converter).Convert")
    def decode(self, obj: dict, into: GroupVersionKind, default: GroupVersionKind | None) -> GroupVersionKind:
        """What `obj` decodes as, decoded into `into`'s internal type: its apiVersion and kind with
        `default`'s filling what they leave out (else the internal version of `into`), which must be
        registered and convert into that type."""
        api_version, kind = interpret(obj)
        fallback = default or GroupVersionKind(into.group, INTERNAL_VERSION, into.kind)
        gvk = with_defaults(from_api_version_and_kind(api_version, kind), fallback)
        go_type = self.go_type(gvk)
        target = self.internal_type(into.group, into.kind)
        if go_type != target and self.internal_type(gvk.group, gvk.kind) != target:
            raise DecodeError(f"converting ({go_type}) to ({target}): unknown conversion", gvk)
        return gvk


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/versioning.codec).Decode")
def decode_meta_kind(scheme: Scheme, obj: dict, default: GroupVersionKind) -> GroupVersionKind:
    """What `obj` decodes as into the meta/v1 struct of `default`'s kind with a group's own codec,
    which registers the meta kinds in each of its versions (not in meta.k8s.io/v1): another meta kind
    there is a conversion it does not know."""
    api_version, kind = interpret(obj)
    gvk = with_defaults(from_api_version_and_kind(api_version, kind), default)
    go_type, target = scheme.go_type(gvk), f"v1.{default.kind}"
    if go_type != target:
        raise DecodeError(f"converting ({go_type}) to ({target}): unknown conversion", gvk)
    return gvk


# metav1.AddToGroupVersion adds these to every group/version: they are meta/v1's Go types.
META_KINDS = frozenset(("WatchEvent", "ListOptions", "GetOptions", "DeleteOptions", "CreateOptions", "UpdateOptions",
                        "PatchOptions"))
# ...and these to the scheme in any version.
_UNVERSIONED = {kind: f"v1.{kind}" for kind in ("Status", "APIVersions", "APIGroupList", "APIGroup", "APIResourceList")}


def _known_types(table: str, meta_kinds: frozenset[str] = META_KINDS) -> dict[str, frozenset[str]]:
    """`group/version: Kind ...` lines, the meta kinds added to each."""
    known = {}
    for line in table.strip().splitlines():
        group_version, _, kinds = line.partition(":")
        known[group_version.strip()] = frozenset(kinds.split()) | meta_kinds
    return known


# The kinds each installed version's addKnownTypes registers.
LEGACY_SCHEME = Scheme("pkg/api/legacyscheme/scheme.go:30", _known_types("""
v1: Pod PodList PodStatusResult PodTemplate PodTemplateList ReplicationController ReplicationControllerList Service ServiceProxyOptions ServiceList Endpoints EndpointsList Node NodeList NodeProxyOptions Binding Event EventList List LimitRange LimitRangeList ResourceQuota ResourceQuotaList Namespace NamespaceList Secret SecretList ServiceAccount ServiceAccountList PersistentVolume PersistentVolumeList PersistentVolumeClaim PersistentVolumeClaimList PodAttachOptions PodLogOptions PodExecOptions PodPortForwardOptions PodProxyOptions ComponentStatus ComponentStatusList SerializedReference RangeAllocation ConfigMap ConfigMapList
admission.k8s.io/v1beta1: AdmissionReview
admission.k8s.io/v1: AdmissionReview
admissionregistration.k8s.io/v1beta1: ValidatingWebhookConfiguration ValidatingWebhookConfigurationList MutatingWebhookConfiguration MutatingWebhookConfigurationList
admissionregistration.k8s.io/v1: ValidatingWebhookConfiguration ValidatingWebhookConfigurationList MutatingWebhookConfiguration MutatingWebhookConfigurationList
internal.apiserver.k8s.io/v1alpha1: StorageVersion StorageVersionList
apps/v1beta1: Deployment DeploymentList DeploymentRollback Scale StatefulSet StatefulSetList ControllerRevision ControllerRevisionList
apps/v1beta2: Deployment DeploymentList Scale StatefulSet StatefulSetList DaemonSet DaemonSetList ReplicaSet ReplicaSetList ControllerRevision ControllerRevisionList
apps/v1: Deployment DeploymentList StatefulSet StatefulSetList DaemonSet DaemonSetList ReplicaSet ReplicaSetList ControllerRevision ControllerRevisionList
authentication.k8s.io/v1beta1: TokenReview
authentication.k8s.io/v1: TokenReview TokenRequest
authorization.k8s.io/v1beta1: SelfSubjectRulesReview SelfSubjectAccessReview SubjectAccessReview LocalSubjectAccessReview
authorization.k8s.io/v1: SelfSubjectRulesReview SelfSubjectAccessReview SubjectAccessReview LocalSubjectAccessReview
autoscaling/v1: HorizontalPodAutoscaler HorizontalPodAutoscalerList Scale
autoscaling/v2: HorizontalPodAutoscaler HorizontalPodAutoscalerList
autoscaling/v2beta1: HorizontalPodAutoscaler HorizontalPodAutoscalerList
autoscaling/v2beta2: HorizontalPodAutoscaler HorizontalPodAutoscalerList
batch/v1: Job JobList CronJob CronJobList
batch/v1beta1: JobTemplate CronJob CronJobList
certificates.k8s.io/v1: CertificateSigningRequest CertificateSigningRequestList
certificates.k8s.io/v1beta1: CertificateSigningRequest CertificateSigningRequestList
coordination.k8s.io/v1: Lease LeaseList
coordination.k8s.io/v1beta1: Lease LeaseList
discovery.k8s.io/v1: EndpointSlice EndpointSliceList
discovery.k8s.io/v1beta1: EndpointSlice EndpointSliceList
events.k8s.io/v1: Event EventList
events.k8s.io/v1beta1: Event EventList
extensions/v1beta1: Deployment DeploymentList DeploymentRollback Scale DaemonSetList DaemonSet Ingress IngressList ReplicaSet ReplicaSetList PodSecurityPolicy PodSecurityPolicyList NetworkPolicy NetworkPolicyList
flowcontrol.apiserver.k8s.io/v1alpha1: FlowSchema FlowSchemaList PriorityLevelConfiguration PriorityLevelConfigurationList
flowcontrol.apiserver.k8s.io/v1beta1: FlowSchema FlowSchemaList PriorityLevelConfiguration PriorityLevelConfigurationList
flowcontrol.apiserver.k8s.io/v1beta2: FlowSchema FlowSchemaList PriorityLevelConfiguration PriorityLevelConfigurationList
imagepolicy.k8s.io/v1alpha1: ImageReview
networking.k8s.io/v1: Ingress IngressList IngressClass IngressClassList NetworkPolicy NetworkPolicyList
networking.k8s.io/v1beta1: Ingress IngressList IngressClass IngressClassList
node.k8s.io/v1: RuntimeClass RuntimeClassList
node.k8s.io/v1alpha1: RuntimeClass RuntimeClassList
node.k8s.io/v1beta1: RuntimeClass RuntimeClassList
policy/v1: PodDisruptionBudget PodDisruptionBudgetList Eviction
policy/v1beta1: PodDisruptionBudget PodDisruptionBudgetList PodSecurityPolicy PodSecurityPolicyList Eviction
rbac.authorization.k8s.io/v1: Role RoleBinding RoleBindingList RoleList ClusterRole ClusterRoleBinding ClusterRoleBindingList ClusterRoleList
rbac.authorization.k8s.io/v1alpha1: Role RoleBinding RoleBindingList RoleList ClusterRole ClusterRoleBinding ClusterRoleBindingList ClusterRoleList
rbac.authorization.k8s.io/v1beta1: Role RoleBinding RoleBindingList RoleList ClusterRole ClusterRoleBinding ClusterRoleBindingList ClusterRoleList
scheduling.k8s.io/v1: PriorityClass PriorityClassList
scheduling.k8s.io/v1alpha1: PriorityClass PriorityClassList
scheduling.k8s.io/v1beta1: PriorityClass PriorityClassList
storage.k8s.io/v1: StorageClass StorageClassList VolumeAttachment VolumeAttachmentList CSINode CSINodeList CSIDriver CSIDriverList
storage.k8s.io/v1alpha1: VolumeAttachment VolumeAttachmentList CSIStorageCapacity CSIStorageCapacityList
storage.k8s.io/v1beta1: StorageClass StorageClassList VolumeAttachment VolumeAttachmentList CSIDriver CSIDriverList CSINode CSINodeList CSIStorageCapacity CSIStorageCapacityList
"""), _UNVERSIONED, {
    # pkg/apis/extensions and pkg/apis/events register other groups' internal types.
    **{("extensions", kind): f"apps.{kind}" for kind in ("Deployment", "DeploymentList", "DeploymentRollback",
                                                          "DaemonSet", "DaemonSetList", "ReplicaSet", "ReplicaSetList")},
    **{("extensions", kind): f"networking.{kind}" for kind in ("Ingress", "IngressList", "NetworkPolicy",
                                                                "NetworkPolicyList")},
    ("extensions", "PodSecurityPolicy"): "policy.PodSecurityPolicy",
    ("extensions", "PodSecurityPolicyList"): "policy.PodSecurityPolicyList",
    **{(group, "Scale"): "autoscaling.Scale" for group in ("extensions", "apps")},
    ("events.k8s.io", "Event"): "core.Event", ("events.k8s.io", "EventList"): "core.EventList",
    ("internal.apiserver.k8s.io", "StorageVersion"): "apiserverinternal.StorageVersion",
    ("internal.apiserver.k8s.io", "StorageVersionList"): "apiserverinternal.StorageVersionList",
})

# apiextensions-apiserver's own scheme, which serves CustomResourceDefinitions.
APIEXTENSIONS_SCHEME = Scheme("k8s.io/apiextensions-apiserver/pkg/apiserver/apiserver.go:55", _known_types("""
apiextensions.k8s.io/v1: CustomResourceDefinition CustomResourceDefinitionList ConversionReview
apiextensions.k8s.io/v1beta1: CustomResourceDefinition CustomResourceDefinitionList ConversionReview
"""), _UNVERSIONED, {})

# kube-aggregator's own scheme, which serves APIServices.
AGGREGATOR_SCHEME = Scheme("k8s.io/kube-aggregator/pkg/apiserver/scheme/scheme.go:32", _known_types("""
apiregistration.k8s.io/v1: APIService APIServiceList
apiregistration.k8s.io/v1beta1: APIService APIServiceList
"""), _UNVERSIONED, {})

# The scheme DeleteResource decodes DeleteOptions with: the create, update and delete options are
# unversioned there, so a body may name DeleteOptions in any version.
META_SCHEME = Scheme("k8s.io/apimachinery/pkg/apis/meta/internalversion/scheme/register.go:27", _known_types("""
meta.k8s.io/v1: Table TableOptions PartialObjectMetadata PartialObjectMetadataList %s
meta.k8s.io/v1beta1: Table TableOptions PartialObjectMetadata PartialObjectMetadataList
""" % " ".join(sorted(META_KINDS)), frozenset()),
    {**_UNVERSIONED, **{kind: f"v1.{kind}" for kind in ("DeleteOptions", "CreateOptions", "UpdateOptions")}},
    {("meta.k8s.io", "DeleteOptions"): "v1.DeleteOptions"})
DELETE_OPTIONS = GroupVersionKind("meta.k8s.io", "v1", "DeleteOptions")


def for_group(group: str) -> Scheme:
    """The scheme a built-in kind of `group` is decoded with."""
    return {"apiextensions.k8s.io": APIEXTENSIONS_SCHEME, "apiregistration.k8s.io": AGGREGATOR_SCHEME}.get(
        group, LEGACY_SCHEME)
