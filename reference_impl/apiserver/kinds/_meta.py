"""What every kind shares: meta/v1's types (ObjectMeta, ListMeta, LabelSelector, Time, ...), the
value types (IntOrString, Quantity), object references, and the subresource kinds Binding and Scale."""
from __future__ import annotations

from reference_impl.apiserver.core.schemas import (AUTOSCALING, CORE, INT_OR_STRING, META, QUANTITY, arr, atomic,
                                                   boolean, integer, kind, obj, opaque, ref, string, string_map,
                                                   strings)

DEFINITIONS = {
    META + "ObjectMeta": obj(
        "Metadata every persisted object carries.",
        annotations=string_map("Arbitrary non-identifying key/value data for tools."),
        # 1.24's ObjectMeta still declares it (ZZZ_DeprecatedClusterName), so its OpenAPI lists it.
        clusterName=string("Deprecated; never set by the server."),
        creationTimestamp=ref(META + "Time", "When the server created the object; set by the server."),
        deletionGracePeriodSeconds=integer("Seconds the object has left to terminate gracefully.", "int64"),
        deletionTimestamp=ref(META + "Time", "When the object is to be deleted; set by the server."),
        finalizers=arr(string(""), "Conditions that must clear before the object is removed.", strategy="merge"),
        generateName=string("Prefix for a server-generated name when `name` is empty."),
        generation=integer("Sequence number of changes to the desired state.", "int64"),
        labels=string_map("Key/value pairs that selectors match on."),
        managedFields=arr(ref(META + "ManagedFieldsEntry"), "Which manager owns which fields."),
        name=string("Unique name within the namespace (or cluster for cluster-scoped kinds)."),
        namespace=string("The namespace the object lives in."),
        ownerReferences=arr(ref(META + "OwnerReference"), "Objects this one depends on.", merge_key="uid"),
        resourceVersion=string("Opaque version for optimistic concurrency and watches."),
        selfLink=string("Deprecated; not set."),
        uid=string("Unique id of this object across time; set by the server.")),
    META + "ListMeta": obj(
        "Metadata of a list response.",
        **{"continue": string("Token to fetch the next page of a paginated list.")},
        remainingItemCount=integer("Items left after this page, when known.", "int64"),
        resourceVersion=string("The storage version the list was read at."),
        selfLink=string("Deprecated; not set.")),
    META + "OwnerReference": atomic(obj(
        "Names an owning object, which must be in the same namespace.", ("apiVersion", "kind", "name", "uid"),
        apiVersion=string("API version of the owner."),
        blockOwnerDeletion=boolean("Whether the owner waits for this object in foreground deletion."),
        controller=boolean("Whether the owner is the managing controller."),
        kind=string("Kind of the owner."),
        name=string("Name of the owner."),
        uid=string("UID of the owner."))),
    META + "FieldsV1": opaque("The fields a manager owns, as a trie of field paths; any content."),
    META + "ManagedFieldsEntry": obj(
        "One field manager's set of owned fields.",
        apiVersion=string("Version of the resource the fields were written in."),
        fieldsType=string("Format of the field set: FieldsV1."),
        fieldsV1=ref(META + "FieldsV1", "The fields the manager owns."),
        manager=string("Name of the manager."),
        operation=string("Apply or Update."),
        subresource=string("Subresource the fields were written through; empty for the main resource."),
        time=ref(META + "Time", "When the fields were last changed.")),
    META + "LabelSelector": {**obj(
        "A label query; all of its terms must match. An empty selector matches everything.",
        matchExpressions=arr(ref(META + "LabelSelectorRequirement"), "Set-based requirements."),
        matchLabels=string_map("Labels that must be present with exactly these values.")),
        "x-kubernetes-map-type": "atomic"},  # one field to server-side apply, as `+structType=atomic` makes it
    META + "LabelSelectorRequirement": obj(
        "One set-based requirement on a label.", ("key", "operator"),
        # Upstream's `patchStrategy:"merge" patchMergeKey:"key"` tags sit on this string field.
        key={**string("The label key."), "x-kubernetes-patch-merge-key": "key", "x-kubernetes-patch-strategy": "merge"},
        operator=string("One of In, NotIn, Exists, DoesNotExist."),
        values=strings("Values for In and NotIn; empty for Exists and DoesNotExist.")),
    META + "Time": string("A timestamp in RFC 3339 form, to the second.", "date-time"),
    META + "MicroTime": string("A timestamp in RFC 3339 form, to the microsecond.", "date-time"),
    INT_OR_STRING: string("Either an integer or a string, e.g. a port number or name, or a percentage.",
                          "int-or-string"),
    QUANTITY: string("A decimal amount with an optional SI or binary suffix, e.g. `100m`, `1Gi`."),
    CORE + "ObjectReference": atomic(obj(
        "Points at another object.",
        apiVersion=string("API version of the object."),
        fieldPath=string("A field inside the object, when the reference is to part of it."),
        kind=string("Kind of the object."),
        name=string("Name of the object."),
        namespace=string("Namespace of the object."),
        resourceVersion=string("A specific version of the object."),
        uid=string("UID of the object."))),
    CORE + "LocalObjectReference": atomic(obj("Points at an object in the same namespace.",
                                              name=string("Name of the object."))),
    CORE + "TypedLocalObjectReference": atomic(obj(
        "Points at an object of some kind in the same namespace.", ("kind", "name"),
        apiGroup=string("API group of the object; empty for the core group."),
        kind=string("Kind of the object."),
        name=string("Name of the object."))),
    CORE + "Binding": kind("", "v1", "Binding", "Binds a pod to a node.", ("target",),
                           target=ref(CORE + "ObjectReference", "The node to bind to.")),
    AUTOSCALING + "Scale": kind("autoscaling", "v1", "Scale", "The scale subresource of a scalable kind.",
                                spec=ref(AUTOSCALING + "ScaleSpec", "The desired scale."),
                                status=ref(AUTOSCALING + "ScaleStatus", "The current scale.")),
    AUTOSCALING + "ScaleSpec": obj("The desired scale.", replicas=integer("Number of desired instances.")),
    AUTOSCALING + "ScaleStatus": obj("The current scale.", ("replicas",),
                                     replicas=integer("Number of observed instances."),
                                     selector=string("Label selector of the instances, as a string.")),
}


GO_TYPES = {
    CORE + "ObjectReference": {"uid": "types.UID"},
    META + "LabelSelectorRequirement": {"operator": "v1.LabelSelectorOperator"},
    META + "ObjectMeta": {"uid": "types.UID"},
    META + "OwnerReference": {"uid": "types.UID"},
    META + "ManagedFieldsEntry": {"operation": "v1.ManagedFieldsOperationType"},
}


MESSAGES = """
meta.APIGroup: 1 name! string; 2 versions* []meta.GroupVersionForDiscovery;
    3 preferredVersion! meta.GroupVersionForDiscovery; 4 serverAddressByClientCIDRs? []meta.ServerAddressByClientCIDR
meta.APIGroupList: 1 groups* []meta.APIGroup
meta.APIResource: 1 name! string; 6 singularName! string; 2 namespaced! bool; 8 group? string; 9 version? string;
    3 kind! string; 4 verbs* meta.Verbs; 5 shortNames? []string; 7 categories? []string; 10 storageVersionHash? string
meta.APIResourceList: 1 groupVersion! string; 2 resources* []meta.APIResource
meta.APIVersions: 1 versions* []string; 2 serverAddressByClientCIDRs* []meta.ServerAddressByClientCIDR
meta.GroupVersionForDiscovery: 1 groupVersion! string; 2 version! string
meta.ServerAddressByClientCIDR: 1 clientCIDR! string; 2 serverAddress! string
meta.Verbs: = []string
meta.Condition: 1 type! string; 2 status! string; 3 observedGeneration? int64; 4 lastTransitionTime! meta.Time;
    5 reason! string; 6 message! string
meta.DeleteOptions: 1 gracePeriodSeconds int64; 2 preconditions meta.Preconditions; 3 orphanDependents bool;
    4 propagationPolicy string; 5 dryRun? []string
meta.LabelSelector: 1 matchLabels? {}string; 2 matchExpressions? []meta.LabelSelectorRequirement
meta.LabelSelectorRequirement: 1 key! string; 2 operator! string; 3 values? []string
meta.ListMeta: 1 selfLink? string; 2 resourceVersion? string; 3 continue? string; 4 remainingItemCount int64
meta.ListOptions: 1 labelSelector? string; 2 fieldSelector? string; 3 watch? bool; 9 allowWatchBookmarks? bool;
    4 resourceVersion? string; 10 resourceVersionMatch? string; 5 timeoutSeconds int64; 7 limit? int64;
    8 continue? string
meta.ManagedFieldsEntry: 1 manager? string; 2 operation? string; 3 apiVersion? string; 4 time meta.Time;
    6 fieldsType? string; 7 fieldsV1 meta.FieldsV1; 8 subresource? string
meta.ObjectMeta: 1 name? string; 2 generateName? string; 3 namespace? string; 4 selfLink? string; 5 uid? string;
    6 resourceVersion? string; 7 generation? int64; 8 creationTimestamp! meta.Time; 9 deletionTimestamp meta.Time;
    10 deletionGracePeriodSeconds int64; 11 labels? {}string; 12 annotations? {}string;
    13 ownerReferences? []meta.OwnerReference; 14 finalizers? []string; 15 clusterName? string;
    17 managedFields? []meta.ManagedFieldsEntry
meta.OwnerReference: 5 apiVersion! string; 1 kind! string; 3 name! string; 4 uid! string; 6 controller bool;
    7 blockOwnerDeletion bool
meta.PartialObjectMetadata: 1 metadata! meta.ObjectMeta
meta.PartialObjectMetadataList: 1 metadata! meta.ListMeta; 2 items* []meta.PartialObjectMetadata
meta.Preconditions: 1 uid string; 2 resourceVersion string
meta.Status: 1 metadata! meta.ListMeta; 2 status? string; 3 message? string; 4 reason? string;
    5 details meta.StatusDetails; 6 code? int32
meta.StatusCause: 1 reason? string; 2 message? string; 3 field? string
meta.StatusDetails: 1 name? string; 2 group? string; 3 kind? string; 6 uid? string; 4 causes? []meta.StatusCause;
    5 retryAfterSeconds? int32
meta.WatchEvent: 1 type! string; 2 object! runtime.RawExtension
meta.v1beta1.PartialObjectMetadata: 1 metadata! meta.ObjectMeta
meta.v1beta1.PartialObjectMetadataList: 2 metadata! meta.ListMeta; 1 items* []meta.PartialObjectMetadata
"""
