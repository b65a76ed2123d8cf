"""The protobuf layout of the messages no kind module owns, as Kubernetes 1.24 defines them: requests
and subresources (Binding, Scale, Eviction, the access and token reviews), volume sources and
other parts several kinds share, and groups served only through those. Each kind module (`kinds`)
holds its own messages as `MESSAGES`, in the format described here.

One line per message: `group.Message: NUMBER jsonName TYPE; ...` (`group.version.Message` for a
kind served at another version than v1), continued on indented lines, the fields in the Go struct's
order (what encoding/json writes them in; the numbers say the wire order). The field numbers and
JSON names are facts of the API, read from the `protobuf:"..."` and `json:"..."` struct tags of the
Go types (k8s.io/api and k8s.io/apimachinery at v1.24.0). A TYPE is a scalar or a message, `[]`
before it for a repeated field and `{}` for a map<string, TYPE>; the JSON name `-` marks a field
whose message is inlined into its parent's JSON (`VolumeSource` in `Volume`). A mark after a name says
what encoding/json does with the field's zero value:

- `?` a field that is `omitempty` and not a pointer: its zero value (and an empty list or map) is
  left out, and gogo writes a scalar's zero, which then means the field is absent (a pointer's
  zero, `replicas: 0`, is a value);
- `!` a value always written, even when the client never sent it: a struct value (omitempty has no
  effect on a struct: `status: {}`, and a zero Time is `null`) or a scalar without omitempty
  (`reportingComponent: ""`);
- `*` a pointer, slice or map without omitempty: nil is written `null` (`rules: null`);
- none: a pointer with omitempty (or a slice or map, which `?` marks too), left out when nil.

The marks are facts of the Go types (pointer or not, `omitempty` or not). A line
`group.Name: = []string` is a named slice (`ExtraValue`), a message of one repeated field 1 whose
JSON is the bare list.
"""

TABLE = """
core.AvoidPods: 1 preferAvoidPods? []core.PreferAvoidPodsEntry
core.AzureFilePersistentVolumeSource: 1 secretName! string; 2 shareName! string; 3 readOnly? bool;
    4 secretNamespace* string
core.Binding: 1 metadata! meta.ObjectMeta; 2 target! core.ObjectReference
core.CSIPersistentVolumeSource: 1 driver! string; 2 volumeHandle! string; 3 readOnly? bool; 4 fsType? string;
    5 volumeAttributes? {}string; 6 controllerPublishSecretRef core.SecretReference;
    7 nodeStageSecretRef core.SecretReference; 8 nodePublishSecretRef core.SecretReference;
    9 controllerExpandSecretRef core.SecretReference
core.CephFSPersistentVolumeSource: 1 monitors* []string; 2 path? string; 3 user? string; 4 secretFile? string;
    5 secretRef core.SecretReference; 6 readOnly? bool
core.CinderPersistentVolumeSource: 1 volumeID! string; 2 fsType? string; 3 readOnly? bool;
    4 secretRef core.SecretReference
core.ComponentCondition: 1 type! string; 2 status! string; 3 message? string; 4 error? string
core.ComponentStatus: 1 metadata! meta.ObjectMeta; 2 conditions? []core.ComponentCondition
core.ComponentStatusList: 1 metadata! meta.ListMeta; 2 items* []core.ComponentStatus
core.EventSource: 1 component? string; 2 host? string
core.FlexPersistentVolumeSource: 1 driver! string; 2 fsType? string; 3 secretRef core.SecretReference; 4 readOnly? bool;
    5 options? {}string
core.GlusterfsPersistentVolumeSource: 1 endpoints! string; 2 path! string; 3 readOnly? bool;
    4 endpointsNamespace string
core.ISCSIPersistentVolumeSource: 1 targetPortal! string; 2 iqn! string; 3 lun! int32; 4 iscsiInterface? string;
    5 fsType? string; 6 readOnly? bool; 7 portals? []string; 8 chapAuthDiscovery? bool; 11 chapAuthSession? bool;
    10 secretRef core.SecretReference; 12 initiatorName string
core.LocalVolumeSource: 1 path! string; 2 fsType string
core.NodeProxyOptions: 1 path? string
core.ObjectReference: 1 kind? string; 2 namespace? string; 3 name? string; 4 uid? string; 5 apiVersion? string;
    6 resourceVersion? string; 7 fieldPath? string
core.PersistentVolumeSource: 1 gcePersistentDisk core.GCEPersistentDiskVolumeSource;
    2 awsElasticBlockStore core.AWSElasticBlockStoreVolumeSource; 3 hostPath core.HostPathVolumeSource;
    4 glusterfs core.GlusterfsPersistentVolumeSource; 5 nfs core.NFSVolumeSource;
    6 rbd core.RBDPersistentVolumeSource; 7 iscsi core.ISCSIPersistentVolumeSource;
    8 cinder core.CinderPersistentVolumeSource; 9 cephfs core.CephFSPersistentVolumeSource;
    10 fc core.FCVolumeSource; 11 flocker core.FlockerVolumeSource; 12 flexVolume core.FlexPersistentVolumeSource;
    13 azureFile core.AzureFilePersistentVolumeSource; 14 vsphereVolume core.VsphereVirtualDiskVolumeSource;
    15 quobyte core.QuobyteVolumeSource; 16 azureDisk core.AzureDiskVolumeSource;
    17 photonPersistentDisk core.PhotonPersistentDiskVolumeSource; 18 portworxVolume core.PortworxVolumeSource;
    19 scaleIO core.ScaleIOPersistentVolumeSource; 20 local core.LocalVolumeSource;
    21 storageos core.StorageOSPersistentVolumeSource; 22 csi core.CSIPersistentVolumeSource
core.PodAttachOptions: 1 stdin? bool; 2 stdout? bool; 3 stderr? bool; 4 tty? bool; 5 container? string
core.PodExecOptions: 1 stdin? bool; 2 stdout? bool; 3 stderr? bool; 4 tty? bool; 5 container? string;
    6 command* []string
core.PodLogOptions: 1 container? string; 2 follow? bool; 3 previous? bool; 4 sinceSeconds int64;
    5 sinceTime meta.Time; 6 timestamps? bool; 7 tailLines int64; 8 limitBytes int64;
    9 insecureSkipTLSVerifyBackend? bool
core.PodPortForwardOptions: 1 ports? []int32
core.PodProxyOptions: 1 path? string
core.PodSignature: 1 podController meta.OwnerReference
core.PodStatusResult: 1 metadata! meta.ObjectMeta; 2 status! core.PodStatus
core.Preconditions: 1 uid string
core.PreferAvoidPodsEntry: 1 podSignature! core.PodSignature; 2 evictionTime! meta.Time; 3 reason? string;
    4 message? string
core.RBDPersistentVolumeSource: 1 monitors* []string; 2 image! string; 3 fsType? string; 4 pool? string;
    5 user? string; 6 keyring? string; 7 secretRef core.SecretReference; 8 readOnly? bool
core.RangeAllocation: 1 metadata! meta.ObjectMeta; 2 range! string; 3 data* bytes
core.ScaleIOPersistentVolumeSource: 1 gateway! string; 2 system! string; 3 secretRef* core.SecretReference;
    4 sslEnabled? bool; 5 protectionDomain? string; 6 storagePool? string; 7 storageMode? string;
    8 volumeName? string; 9 fsType? string; 10 readOnly? bool
core.SecretReference: 1 name? string; 2 namespace? string
core.SerializedReference: 1 reference! core.ObjectReference
core.ServiceProxyOptions: 1 path? string
core.StorageOSPersistentVolumeSource: 1 volumeName? string; 2 volumeNamespace? string; 3 fsType? string;
    4 readOnly? bool; 5 secretRef core.ObjectReference
core.VolumeNodeAffinity: 1 required core.NodeSelector
policy.Eviction: 1 metadata! meta.ObjectMeta; 2 deleteOptions meta.DeleteOptions
authorization.LocalSubjectAccessReview: 1 metadata! meta.ObjectMeta; 2 spec! authorization.SubjectAccessReviewSpec;
    3 status! authorization.SubjectAccessReviewStatus
authorization.NonResourceAttributes: 1 path? string; 2 verb? string
authorization.NonResourceRule: 1 verbs* []string; 2 nonResourceURLs? []string
authorization.ResourceAttributes: 1 namespace? string; 2 verb? string; 3 group? string; 4 version? string;
    5 resource? string; 6 subresource? string; 7 name? string
authorization.ResourceRule: 1 verbs* []string; 2 apiGroups? []string; 3 resources? []string; 4 resourceNames? []string
authorization.SelfSubjectAccessReview: 1 metadata! meta.ObjectMeta; 2 spec! authorization.SelfSubjectAccessReviewSpec;
    3 status! authorization.SubjectAccessReviewStatus
authorization.SelfSubjectAccessReviewSpec: 1 resourceAttributes authorization.ResourceAttributes;
    2 nonResourceAttributes authorization.NonResourceAttributes
authorization.SelfSubjectRulesReview: 1 metadata! meta.ObjectMeta; 2 spec! authorization.SelfSubjectRulesReviewSpec;
    3 status! authorization.SubjectRulesReviewStatus
authorization.SelfSubjectRulesReviewSpec: 1 namespace? string
authorization.SubjectAccessReview: 1 metadata! meta.ObjectMeta; 2 spec! authorization.SubjectAccessReviewSpec;
    3 status! authorization.SubjectAccessReviewStatus
authorization.SubjectAccessReviewSpec: 1 resourceAttributes authorization.ResourceAttributes;
    2 nonResourceAttributes authorization.NonResourceAttributes; 3 user? string; 4 groups? []string;
    5 extra? {}authorization.ExtraValue; 6 uid? string
authorization.SubjectAccessReviewStatus: 1 allowed! bool; 4 denied? bool; 2 reason? string; 3 evaluationError? string
authorization.SubjectRulesReviewStatus: 1 resourceRules* []authorization.ResourceRule;
    2 nonResourceRules* []authorization.NonResourceRule; 3 incomplete! bool; 4 evaluationError? string
authentication.BoundObjectReference: 1 kind? string; 2 apiVersion? string; 3 name? string; 4 uid? string
authentication.TokenRequest: 1 metadata! meta.ObjectMeta; 2 spec! authentication.TokenRequestSpec;
    3 status! authentication.TokenRequestStatus
authentication.TokenRequestSpec: 1 audiences* []string; 4 expirationSeconds* int64;
    3 boundObjectRef* authentication.BoundObjectReference
authentication.TokenRequestStatus: 1 token! string; 2 expirationTimestamp! meta.Time
authentication.TokenReview: 1 metadata! meta.ObjectMeta; 2 spec! authentication.TokenReviewSpec;
    3 status! authentication.TokenReviewStatus
authentication.TokenReviewSpec: 1 token? string; 2 audiences? []string
authentication.TokenReviewStatus: 1 authenticated? bool; 2 user! authentication.UserInfo; 4 audiences? []string;
    3 error? string
authentication.UserInfo: 1 username? string; 2 uid? string; 3 groups? []string; 4 extra? {}authentication.ExtraValue
autoscaling.Scale: 1 metadata! meta.ObjectMeta; 2 spec! autoscaling.ScaleSpec; 3 status! autoscaling.ScaleStatus
autoscaling.ScaleSpec: 1 replicas? int32
autoscaling.ScaleStatus: 1 replicas! int32; 2 selector? string
scheduling.PriorityClass: 1 metadata! meta.ObjectMeta; 2 value! int32; 3 globalDefault? bool; 4 description? string;
    5 preemptionPolicy string
scheduling.PriorityClassList: 1 metadata! meta.ListMeta; 2 items* []scheduling.PriorityClass
authentication.ExtraValue: = []string
authorization.ExtraValue: = []string
"""
