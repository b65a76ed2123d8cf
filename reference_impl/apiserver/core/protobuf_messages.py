"""The protobuf layout of every message the served kinds use, as Kubernetes 1.24 defines it.

One line per message: `group.Message: NUMBER jsonName TYPE; ...` (`group.version.Message` for the
one kind served at another version than v1), continued on indented lines. The field numbers and JSON
names are facts of the API, read from the `protobuf:"..."` and `json:"..."` struct tags of the Go
types (k8s.io/api and k8s.io/apimachinery at v1.24.0). A TYPE is a scalar or a message, `[]` before
it for a repeated field and `{}` for a map<string, TYPE>; the JSON name `-` marks a field whose
message is inlined into its parent's JSON (`VolumeSource` in `Volume`), and `?` after a name a
scalar field that is `omitempty` and not a pointer: gogo writes its zero value, which then means the
field is absent, as in JSON (a pointer's zero, `replicas: 0`, is a value). A line
`group.Name: = []string` is a named slice (`ExtraValue`), a message of one repeated field 1 whose
JSON is the bare list.
"""

TABLE = """
meta.Condition: 1 type string; 2 status string; 3 observedGeneration? int64; 4 lastTransitionTime meta.Time;
    5 reason string; 6 message string
meta.DeleteOptions: 1 gracePeriodSeconds int64; 2 preconditions meta.Preconditions; 3 orphanDependents bool;
    4 propagationPolicy string; 5 dryRun []string
meta.LabelSelector: 1 matchLabels {}string; 2 matchExpressions []meta.LabelSelectorRequirement
meta.LabelSelectorRequirement: 1 key string; 2 operator string; 3 values []string
meta.ListMeta: 1 selfLink? string; 2 resourceVersion? string; 3 continue? string; 4 remainingItemCount int64
meta.ListOptions: 1 labelSelector? string; 2 fieldSelector? string; 3 watch? bool; 4 resourceVersion? string;
    5 timeoutSeconds int64; 7 limit? int64; 8 continue? string; 9 allowWatchBookmarks? bool;
    10 resourceVersionMatch? string
meta.ManagedFieldsEntry: 1 manager? string; 2 operation? string; 3 apiVersion? string; 4 time meta.Time;
    6 fieldsType? string; 7 fieldsV1 meta.FieldsV1; 8 subresource? string
meta.ObjectMeta: 1 name? string; 2 generateName? string; 3 namespace? string; 4 selfLink? string; 5 uid? string;
    6 resourceVersion? string; 7 generation? int64; 8 creationTimestamp meta.Time; 9 deletionTimestamp meta.Time;
    10 deletionGracePeriodSeconds int64; 11 labels {}string; 12 annotations {}string;
    13 ownerReferences []meta.OwnerReference; 14 finalizers []string; 15 clusterName? string;
    17 managedFields []meta.ManagedFieldsEntry
meta.OwnerReference: 1 kind string; 3 name string; 4 uid string; 5 apiVersion string; 6 controller bool;
    7 blockOwnerDeletion bool
meta.Preconditions: 1 uid string; 2 resourceVersion string
meta.Status: 1 metadata meta.ListMeta; 2 status? string; 3 message? string; 4 reason? string;
    5 details meta.StatusDetails; 6 code? int32
meta.StatusCause: 1 reason? string; 2 message? string; 3 field? string
meta.StatusDetails: 1 name? string; 2 group? string; 3 kind? string; 4 causes []meta.StatusCause;
    5 retryAfterSeconds? int32; 6 uid? string
meta.WatchEvent: 1 type string; 2 object runtime.RawExtension
core.AWSElasticBlockStoreVolumeSource: 1 volumeID string; 2 fsType? string; 3 partition? int32; 4 readOnly? bool
core.Affinity: 1 nodeAffinity core.NodeAffinity; 2 podAffinity core.PodAffinity;
    3 podAntiAffinity core.PodAntiAffinity
core.AttachedVolume: 1 name string; 2 devicePath string
core.AvoidPods: 1 preferAvoidPods []core.PreferAvoidPodsEntry
core.AzureDiskVolumeSource: 1 diskName string; 2 diskURI string; 3 cachingMode string; 4 fsType string;
    5 readOnly bool; 6 kind string
core.AzureFilePersistentVolumeSource: 1 secretName string; 2 shareName string; 3 readOnly? bool;
    4 secretNamespace string
core.AzureFileVolumeSource: 1 secretName string; 2 shareName string; 3 readOnly? bool
core.Binding: 1 metadata meta.ObjectMeta; 2 target core.ObjectReference
core.CSIPersistentVolumeSource: 1 driver string; 2 volumeHandle string; 3 readOnly? bool; 4 fsType? string;
    5 volumeAttributes {}string; 6 controllerPublishSecretRef core.SecretReference;
    7 nodeStageSecretRef core.SecretReference; 8 nodePublishSecretRef core.SecretReference;
    9 controllerExpandSecretRef core.SecretReference
core.CSIVolumeSource: 1 driver string; 2 readOnly bool; 3 fsType string; 4 volumeAttributes {}string;
    5 nodePublishSecretRef core.LocalObjectReference
core.Capabilities: 1 add []string; 2 drop []string
core.CephFSPersistentVolumeSource: 1 monitors []string; 2 path? string; 3 user? string; 4 secretFile? string;
    5 secretRef core.SecretReference; 6 readOnly? bool
core.CephFSVolumeSource: 1 monitors []string; 2 path? string; 3 user? string; 4 secretFile? string;
    5 secretRef core.LocalObjectReference; 6 readOnly? bool
core.CinderPersistentVolumeSource: 1 volumeID string; 2 fsType? string; 3 readOnly? bool;
    4 secretRef core.SecretReference
core.CinderVolumeSource: 1 volumeID string; 2 fsType? string; 3 readOnly? bool;
    4 secretRef core.LocalObjectReference
core.ClientIPConfig: 1 timeoutSeconds int32
core.ComponentCondition: 1 type string; 2 status string; 3 message? string; 4 error? string
core.ComponentStatus: 1 metadata meta.ObjectMeta; 2 conditions []core.ComponentCondition
core.ComponentStatusList: 1 metadata meta.ListMeta; 2 items []core.ComponentStatus
core.ConfigMap: 1 metadata meta.ObjectMeta; 2 data {}string; 3 binaryData {}bytes; 4 immutable bool
core.ConfigMapEnvSource: 1 - core.LocalObjectReference; 2 optional bool
core.ConfigMapKeySelector: 1 - core.LocalObjectReference; 2 key string; 3 optional bool
core.ConfigMapList: 1 metadata meta.ListMeta; 2 items []core.ConfigMap
core.ConfigMapNodeConfigSource: 1 namespace string; 2 name string; 3 uid? string; 4 resourceVersion? string;
    5 kubeletConfigKey string
core.ConfigMapProjection: 1 - core.LocalObjectReference; 2 items []core.KeyToPath; 4 optional bool
core.ConfigMapVolumeSource: 1 - core.LocalObjectReference; 2 items []core.KeyToPath; 3 defaultMode int32;
    4 optional bool
core.Container: 1 name string; 2 image? string; 3 command []string; 4 args []string; 5 workingDir? string;
    6 ports []core.ContainerPort; 7 env []core.EnvVar; 8 resources core.ResourceRequirements;
    9 volumeMounts []core.VolumeMount; 10 livenessProbe core.Probe; 11 readinessProbe core.Probe;
    12 lifecycle core.Lifecycle; 13 terminationMessagePath? string; 14 imagePullPolicy? string;
    15 securityContext core.SecurityContext; 16 stdin? bool; 17 stdinOnce? bool; 18 tty? bool;
    19 envFrom []core.EnvFromSource; 20 terminationMessagePolicy? string; 21 volumeDevices []core.VolumeDevice;
    22 startupProbe core.Probe
core.ContainerImage: 1 names []string; 2 sizeBytes? int64
core.ContainerPort: 1 name? string; 2 hostPort? int32; 3 containerPort int32; 4 protocol? string; 5 hostIP? string
core.ContainerState: 1 waiting core.ContainerStateWaiting; 2 running core.ContainerStateRunning;
    3 terminated core.ContainerStateTerminated
core.ContainerStateRunning: 1 startedAt meta.Time
core.ContainerStateTerminated: 1 exitCode int32; 2 signal? int32; 3 reason? string; 4 message? string;
    5 startedAt meta.Time; 6 finishedAt meta.Time; 7 containerID? string
core.ContainerStateWaiting: 1 reason? string; 2 message? string
core.ContainerStatus: 1 name string; 2 state core.ContainerState; 3 lastState core.ContainerState; 4 ready bool;
    5 restartCount int32; 6 image string; 7 imageID string; 8 containerID? string; 9 started bool
core.DaemonEndpoint: 1 Port int32
core.DownwardAPIProjection: 1 items []core.DownwardAPIVolumeFile
core.DownwardAPIVolumeFile: 1 path string; 2 fieldRef core.ObjectFieldSelector;
    3 resourceFieldRef core.ResourceFieldSelector; 4 mode int32
core.DownwardAPIVolumeSource: 1 items []core.DownwardAPIVolumeFile; 2 defaultMode int32
core.EmptyDirVolumeSource: 1 medium? string; 2 sizeLimit resource.Quantity
core.EndpointAddress: 1 ip string; 2 targetRef core.ObjectReference; 3 hostname? string; 4 nodeName string
core.EndpointPort: 1 name? string; 2 port int32; 3 protocol? string; 4 appProtocol string
core.EndpointSubset: 1 addresses []core.EndpointAddress; 2 notReadyAddresses []core.EndpointAddress;
    3 ports []core.EndpointPort
core.Endpoints: 1 metadata meta.ObjectMeta; 2 subsets []core.EndpointSubset
core.EndpointsList: 1 metadata meta.ListMeta; 2 items []core.Endpoints
core.EnvFromSource: 1 prefix? string; 2 configMapRef core.ConfigMapEnvSource; 3 secretRef core.SecretEnvSource
core.EnvVar: 1 name string; 2 value? string; 3 valueFrom core.EnvVarSource
core.EnvVarSource: 1 fieldRef core.ObjectFieldSelector; 2 resourceFieldRef core.ResourceFieldSelector;
    3 configMapKeyRef core.ConfigMapKeySelector; 4 secretKeyRef core.SecretKeySelector
core.EphemeralContainer: 1 - core.EphemeralContainerCommon; 2 targetContainerName? string
core.EphemeralContainerCommon: 1 name string; 2 image? string; 3 command []string; 4 args []string;
    5 workingDir? string; 6 ports []core.ContainerPort; 7 env []core.EnvVar; 8 resources core.ResourceRequirements;
    9 volumeMounts []core.VolumeMount; 10 livenessProbe core.Probe; 11 readinessProbe core.Probe;
    12 lifecycle core.Lifecycle; 13 terminationMessagePath? string; 14 imagePullPolicy? string;
    15 securityContext core.SecurityContext; 16 stdin? bool; 17 stdinOnce? bool; 18 tty? bool;
    19 envFrom []core.EnvFromSource; 20 terminationMessagePolicy? string; 21 volumeDevices []core.VolumeDevice;
    22 startupProbe core.Probe
core.EphemeralVolumeSource: 1 volumeClaimTemplate core.PersistentVolumeClaimTemplate
core.Event: 1 metadata meta.ObjectMeta; 2 involvedObject core.ObjectReference; 3 reason? string; 4 message? string;
    5 source core.EventSource; 6 firstTimestamp meta.Time; 7 lastTimestamp meta.Time; 8 count? int32;
    9 type? string; 10 eventTime meta.MicroTime; 11 series core.EventSeries; 12 action? string;
    13 related core.ObjectReference; 14 reportingComponent string; 15 reportingInstance string
core.EventList: 1 metadata meta.ListMeta; 2 items []core.Event
core.EventSeries: 1 count? int32; 2 lastObservedTime meta.MicroTime
core.EventSource: 1 component? string; 2 host? string
core.ExecAction: 1 command []string
core.FCVolumeSource: 1 targetWWNs []string; 2 lun int32; 3 fsType? string; 4 readOnly? bool; 5 wwids []string
core.FlexPersistentVolumeSource: 1 driver string; 2 fsType? string; 3 secretRef core.SecretReference;
    4 readOnly? bool; 5 options {}string
core.FlexVolumeSource: 1 driver string; 2 fsType? string; 3 secretRef core.LocalObjectReference; 4 readOnly? bool;
    5 options {}string
core.FlockerVolumeSource: 1 datasetName? string; 2 datasetUUID? string
core.GCEPersistentDiskVolumeSource: 1 pdName string; 2 fsType? string; 3 partition? int32; 4 readOnly? bool
core.GRPCAction: 1 port int32; 2 service string
core.GitRepoVolumeSource: 1 repository string; 2 revision? string; 3 directory? string
core.GlusterfsPersistentVolumeSource: 1 endpoints string; 2 path string; 3 readOnly? bool;
    4 endpointsNamespace string
core.GlusterfsVolumeSource: 1 endpoints string; 2 path string; 3 readOnly? bool
core.HTTPGetAction: 1 path? string; 2 port intstr.IntOrString; 3 host? string; 4 scheme? string;
    5 httpHeaders []core.HTTPHeader
core.HTTPHeader: 1 name string; 2 value string
core.HostAlias: 1 ip? string; 2 hostnames []string
core.HostPathVolumeSource: 1 path string; 2 type string
core.ISCSIPersistentVolumeSource: 1 targetPortal string; 2 iqn string; 3 lun int32; 4 iscsiInterface? string;
    5 fsType? string; 6 readOnly? bool; 7 portals []string; 8 chapAuthDiscovery? bool;
    10 secretRef core.SecretReference; 11 chapAuthSession? bool; 12 initiatorName string
core.ISCSIVolumeSource: 1 targetPortal string; 2 iqn string; 3 lun int32; 4 iscsiInterface? string;
    5 fsType? string; 6 readOnly? bool; 7 portals []string; 8 chapAuthDiscovery? bool;
    10 secretRef core.LocalObjectReference; 11 chapAuthSession? bool; 12 initiatorName string
core.KeyToPath: 1 key string; 2 path string; 3 mode int32
core.Lifecycle: 1 postStart core.LifecycleHandler; 2 preStop core.LifecycleHandler
core.LifecycleHandler: 1 exec core.ExecAction; 2 httpGet core.HTTPGetAction; 3 tcpSocket core.TCPSocketAction
core.LimitRange: 1 metadata meta.ObjectMeta; 2 spec core.LimitRangeSpec
core.LimitRangeItem: 1 type string; 2 max {}resource.Quantity; 3 min {}resource.Quantity;
    4 default {}resource.Quantity; 5 defaultRequest {}resource.Quantity; 6 maxLimitRequestRatio {}resource.Quantity
core.LimitRangeList: 1 metadata meta.ListMeta; 2 items []core.LimitRange
core.LimitRangeSpec: 1 limits []core.LimitRangeItem
core.LoadBalancerIngress: 1 ip? string; 2 hostname? string; 4 ports []core.PortStatus
core.LoadBalancerStatus: 1 ingress []core.LoadBalancerIngress
core.LocalObjectReference: 1 name? string
core.LocalVolumeSource: 1 path string; 2 fsType string
core.NFSVolumeSource: 1 server string; 2 path string; 3 readOnly? bool
core.Namespace: 1 metadata meta.ObjectMeta; 2 spec core.NamespaceSpec; 3 status core.NamespaceStatus
core.NamespaceCondition: 1 type string; 2 status string; 4 lastTransitionTime meta.Time; 5 reason? string;
    6 message? string
core.NamespaceList: 1 metadata meta.ListMeta; 2 items []core.Namespace
core.NamespaceSpec: 1 finalizers []string
core.NamespaceStatus: 1 phase? string; 2 conditions []core.NamespaceCondition
core.Node: 1 metadata meta.ObjectMeta; 2 spec core.NodeSpec; 3 status core.NodeStatus
core.NodeAddress: 1 type string; 2 address string
core.NodeAffinity: 1 requiredDuringSchedulingIgnoredDuringExecution core.NodeSelector;
    2 preferredDuringSchedulingIgnoredDuringExecution []core.PreferredSchedulingTerm
core.NodeCondition: 1 type string; 2 status string; 3 lastHeartbeatTime meta.Time; 4 lastTransitionTime meta.Time;
    5 reason? string; 6 message? string
core.NodeConfigSource: 2 configMap core.ConfigMapNodeConfigSource
core.NodeConfigStatus: 1 assigned core.NodeConfigSource; 2 active core.NodeConfigSource;
    3 lastKnownGood core.NodeConfigSource; 4 error? string
core.NodeDaemonEndpoints: 1 kubeletEndpoint core.DaemonEndpoint
core.NodeList: 1 metadata meta.ListMeta; 2 items []core.Node
core.NodeProxyOptions: 1 path? string
core.NodeSelector: 1 nodeSelectorTerms []core.NodeSelectorTerm
core.NodeSelectorRequirement: 1 key string; 2 operator string; 3 values []string
core.NodeSelectorTerm: 1 matchExpressions []core.NodeSelectorRequirement;
    2 matchFields []core.NodeSelectorRequirement
core.NodeSpec: 1 podCIDR? string; 2 externalID? string; 3 providerID? string; 4 unschedulable? bool;
    5 taints []core.Taint; 6 configSource core.NodeConfigSource; 7 podCIDRs []string
core.NodeStatus: 1 capacity {}resource.Quantity; 2 allocatable {}resource.Quantity; 3 phase? string;
    4 conditions []core.NodeCondition; 5 addresses []core.NodeAddress; 6 daemonEndpoints core.NodeDaemonEndpoints;
    7 nodeInfo core.NodeSystemInfo; 8 images []core.ContainerImage; 9 volumesInUse []string;
    10 volumesAttached []core.AttachedVolume; 11 config core.NodeConfigStatus
core.NodeSystemInfo: 1 machineID string; 2 systemUUID string; 3 bootID string; 4 kernelVersion string;
    5 osImage string; 6 containerRuntimeVersion string; 7 kubeletVersion string; 8 kubeProxyVersion string;
    9 operatingSystem string; 10 architecture string
core.ObjectFieldSelector: 1 apiVersion? string; 2 fieldPath string
core.ObjectReference: 1 kind? string; 2 namespace? string; 3 name? string; 4 uid? string; 5 apiVersion? string;
    6 resourceVersion? string; 7 fieldPath? string
core.PersistentVolume: 1 metadata meta.ObjectMeta; 2 spec core.PersistentVolumeSpec;
    3 status core.PersistentVolumeStatus
core.PersistentVolumeClaim: 1 metadata meta.ObjectMeta; 2 spec core.PersistentVolumeClaimSpec;
    3 status core.PersistentVolumeClaimStatus
core.PersistentVolumeClaimCondition: 1 type string; 2 status string; 3 lastProbeTime meta.Time;
    4 lastTransitionTime meta.Time; 5 reason? string; 6 message? string
core.PersistentVolumeClaimList: 1 metadata meta.ListMeta; 2 items []core.PersistentVolumeClaim
core.PersistentVolumeClaimSpec: 1 accessModes []string; 2 resources core.ResourceRequirements; 3 volumeName? string;
    4 selector meta.LabelSelector; 5 storageClassName string; 6 volumeMode string;
    7 dataSource core.TypedLocalObjectReference; 8 dataSourceRef core.TypedLocalObjectReference
core.PersistentVolumeClaimStatus: 1 phase? string; 2 accessModes []string; 3 capacity {}resource.Quantity;
    4 conditions []core.PersistentVolumeClaimCondition; 5 allocatedResources {}resource.Quantity;
    6 resizeStatus string
core.PersistentVolumeClaimTemplate: 1 metadata meta.ObjectMeta; 2 spec core.PersistentVolumeClaimSpec
core.PersistentVolumeClaimVolumeSource: 1 claimName string; 2 readOnly? bool
core.PersistentVolumeList: 1 metadata meta.ListMeta; 2 items []core.PersistentVolume
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
core.PersistentVolumeSpec: 1 capacity {}resource.Quantity; 2 - core.PersistentVolumeSource; 3 accessModes []string;
    4 claimRef core.ObjectReference; 5 persistentVolumeReclaimPolicy? string; 6 storageClassName? string;
    7 mountOptions []string; 8 volumeMode string; 9 nodeAffinity core.VolumeNodeAffinity
core.PersistentVolumeStatus: 1 phase? string; 2 message? string; 3 reason? string
core.PhotonPersistentDiskVolumeSource: 1 pdID string; 2 fsType? string
core.Pod: 1 metadata meta.ObjectMeta; 2 spec core.PodSpec; 3 status core.PodStatus
core.PodAffinity: 1 requiredDuringSchedulingIgnoredDuringExecution []core.PodAffinityTerm;
    2 preferredDuringSchedulingIgnoredDuringExecution []core.WeightedPodAffinityTerm
core.PodAffinityTerm: 1 labelSelector meta.LabelSelector; 2 namespaces []string; 3 topologyKey string;
    4 namespaceSelector meta.LabelSelector
core.PodAntiAffinity: 1 requiredDuringSchedulingIgnoredDuringExecution []core.PodAffinityTerm;
    2 preferredDuringSchedulingIgnoredDuringExecution []core.WeightedPodAffinityTerm
core.PodAttachOptions: 1 stdin? bool; 2 stdout? bool; 3 stderr? bool; 4 tty? bool; 5 container? string
core.PodCondition: 1 type string; 2 status string; 3 lastProbeTime meta.Time; 4 lastTransitionTime meta.Time;
    5 reason? string; 6 message? string
core.PodDNSConfig: 1 nameservers []string; 2 searches []string; 3 options []core.PodDNSConfigOption
core.PodDNSConfigOption: 1 name? string; 2 value string
core.PodExecOptions: 1 stdin? bool; 2 stdout? bool; 3 stderr? bool; 4 tty? bool; 5 container? string;
    6 command []string
core.PodIP: 1 ip? string
core.PodList: 1 metadata meta.ListMeta; 2 items []core.Pod
core.PodLogOptions: 1 container? string; 2 follow? bool; 3 previous? bool; 4 sinceSeconds int64;
    5 sinceTime meta.Time; 6 timestamps? bool; 7 tailLines int64; 8 limitBytes int64;
    9 insecureSkipTLSVerifyBackend? bool
core.PodOS: 1 name string
core.PodPortForwardOptions: 1 ports []int32
core.PodProxyOptions: 1 path? string
core.PodReadinessGate: 1 conditionType string
core.PodSecurityContext: 1 seLinuxOptions core.SELinuxOptions; 2 runAsUser int64; 3 runAsNonRoot bool;
    4 supplementalGroups []int64; 5 fsGroup int64; 6 runAsGroup int64; 7 sysctls []core.Sysctl;
    8 windowsOptions core.WindowsSecurityContextOptions; 9 fsGroupChangePolicy string;
    10 seccompProfile core.SeccompProfile
core.PodSignature: 1 podController meta.OwnerReference
core.PodSpec: 1 volumes []core.Volume; 2 containers []core.Container; 3 restartPolicy? string;
    4 terminationGracePeriodSeconds int64; 5 activeDeadlineSeconds int64; 6 dnsPolicy? string;
    7 nodeSelector {}string; 8 serviceAccountName? string; 9 serviceAccount? string; 10 nodeName? string;
    11 hostNetwork? bool; 12 hostPID? bool; 13 hostIPC? bool; 14 securityContext core.PodSecurityContext;
    15 imagePullSecrets []core.LocalObjectReference; 16 hostname? string; 17 subdomain? string;
    18 affinity core.Affinity; 19 schedulerName? string; 20 initContainers []core.Container;
    21 automountServiceAccountToken bool; 22 tolerations []core.Toleration; 23 hostAliases []core.HostAlias;
    24 priorityClassName? string; 25 priority int32; 26 dnsConfig core.PodDNSConfig; 27 shareProcessNamespace bool;
    28 readinessGates []core.PodReadinessGate; 29 runtimeClassName string; 30 enableServiceLinks bool;
    31 preemptionPolicy string; 32 overhead {}resource.Quantity;
    33 topologySpreadConstraints []core.TopologySpreadConstraint; 34 ephemeralContainers []core.EphemeralContainer;
    35 setHostnameAsFQDN bool; 36 os core.PodOS
core.PodStatus: 1 phase? string; 2 conditions []core.PodCondition; 3 message? string; 4 reason? string;
    5 hostIP? string; 6 podIP? string; 7 startTime meta.Time; 8 containerStatuses []core.ContainerStatus;
    9 qosClass? string; 10 initContainerStatuses []core.ContainerStatus; 11 nominatedNodeName? string;
    12 podIPs []core.PodIP; 13 ephemeralContainerStatuses []core.ContainerStatus
core.PodStatusResult: 1 metadata meta.ObjectMeta; 2 status core.PodStatus
core.PodTemplate: 1 metadata meta.ObjectMeta; 2 template core.PodTemplateSpec
core.PodTemplateList: 1 metadata meta.ListMeta; 2 items []core.PodTemplate
core.PodTemplateSpec: 1 metadata meta.ObjectMeta; 2 spec core.PodSpec
core.PortStatus: 1 port int32; 2 protocol string; 3 error string
core.PortworxVolumeSource: 1 volumeID string; 2 fsType? string; 3 readOnly? bool
core.Preconditions: 1 uid string
core.PreferAvoidPodsEntry: 1 podSignature core.PodSignature; 2 evictionTime meta.Time; 3 reason? string;
    4 message? string
core.PreferredSchedulingTerm: 1 weight int32; 2 preference core.NodeSelectorTerm
core.Probe: 1 - core.ProbeHandler; 2 initialDelaySeconds? int32; 3 timeoutSeconds? int32; 4 periodSeconds? int32;
    5 successThreshold? int32; 6 failureThreshold? int32; 7 terminationGracePeriodSeconds int64
core.ProbeHandler: 1 exec core.ExecAction; 2 httpGet core.HTTPGetAction; 3 tcpSocket core.TCPSocketAction;
    4 grpc core.GRPCAction
core.ProjectedVolumeSource: 1 sources []core.VolumeProjection; 2 defaultMode int32
core.QuobyteVolumeSource: 1 registry string; 2 volume string; 3 readOnly? bool; 4 user? string; 5 group? string;
    6 tenant? string
core.RBDPersistentVolumeSource: 1 monitors []string; 2 image string; 3 fsType? string; 4 pool? string;
    5 user? string; 6 keyring? string; 7 secretRef core.SecretReference; 8 readOnly? bool
core.RBDVolumeSource: 1 monitors []string; 2 image string; 3 fsType? string; 4 pool? string; 5 user? string;
    6 keyring? string; 7 secretRef core.LocalObjectReference; 8 readOnly? bool
core.RangeAllocation: 1 metadata meta.ObjectMeta; 2 range string; 3 data bytes
core.ReplicationController: 1 metadata meta.ObjectMeta; 2 spec core.ReplicationControllerSpec;
    3 status core.ReplicationControllerStatus
core.ReplicationControllerCondition: 1 type string; 2 status string; 3 lastTransitionTime meta.Time;
    4 reason? string; 5 message? string
core.ReplicationControllerList: 1 metadata meta.ListMeta; 2 items []core.ReplicationController
core.ReplicationControllerSpec: 1 replicas int32; 2 selector {}string; 3 template core.PodTemplateSpec;
    4 minReadySeconds? int32
core.ReplicationControllerStatus: 1 replicas int32; 2 fullyLabeledReplicas? int32; 3 observedGeneration? int64;
    4 readyReplicas? int32; 5 availableReplicas? int32; 6 conditions []core.ReplicationControllerCondition
core.ResourceFieldSelector: 1 containerName? string; 2 resource string; 3 divisor resource.Quantity
core.ResourceQuota: 1 metadata meta.ObjectMeta; 2 spec core.ResourceQuotaSpec; 3 status core.ResourceQuotaStatus
core.ResourceQuotaList: 1 metadata meta.ListMeta; 2 items []core.ResourceQuota
core.ResourceQuotaSpec: 1 hard {}resource.Quantity; 2 scopes []string; 3 scopeSelector core.ScopeSelector
core.ResourceQuotaStatus: 1 hard {}resource.Quantity; 2 used {}resource.Quantity
core.ResourceRequirements: 1 limits {}resource.Quantity; 2 requests {}resource.Quantity
core.SELinuxOptions: 1 user? string; 2 role? string; 3 type? string; 4 level? string
core.ScaleIOPersistentVolumeSource: 1 gateway string; 2 system string; 3 secretRef core.SecretReference;
    4 sslEnabled? bool; 5 protectionDomain? string; 6 storagePool? string; 7 storageMode? string;
    8 volumeName? string; 9 fsType? string; 10 readOnly? bool
core.ScaleIOVolumeSource: 1 gateway string; 2 system string; 3 secretRef core.LocalObjectReference;
    4 sslEnabled? bool; 5 protectionDomain? string; 6 storagePool? string; 7 storageMode? string;
    8 volumeName? string; 9 fsType? string; 10 readOnly? bool
core.ScopeSelector: 1 matchExpressions []core.ScopedResourceSelectorRequirement
core.ScopedResourceSelectorRequirement: 1 scopeName string; 2 operator string; 3 values []string
core.SeccompProfile: 1 type string; 2 localhostProfile string
core.Secret: 1 metadata meta.ObjectMeta; 2 data {}bytes; 3 type? string; 4 stringData {}string; 5 immutable bool
core.SecretEnvSource: 1 - core.LocalObjectReference; 2 optional bool
core.SecretKeySelector: 1 - core.LocalObjectReference; 2 key string; 3 optional bool
core.SecretList: 1 metadata meta.ListMeta; 2 items []core.Secret
core.SecretProjection: 1 - core.LocalObjectReference; 2 items []core.KeyToPath; 4 optional bool
core.SecretReference: 1 name? string; 2 namespace? string
core.SecretVolumeSource: 1 secretName? string; 2 items []core.KeyToPath; 3 defaultMode int32; 4 optional bool
core.SecurityContext: 1 capabilities core.Capabilities; 2 privileged bool; 3 seLinuxOptions core.SELinuxOptions;
    4 runAsUser int64; 5 runAsNonRoot bool; 6 readOnlyRootFilesystem bool; 7 allowPrivilegeEscalation bool;
    8 runAsGroup int64; 9 procMount string; 10 windowsOptions core.WindowsSecurityContextOptions;
    11 seccompProfile core.SeccompProfile
core.SerializedReference: 1 reference core.ObjectReference
core.Service: 1 metadata meta.ObjectMeta; 2 spec core.ServiceSpec; 3 status core.ServiceStatus
core.ServiceAccount: 1 metadata meta.ObjectMeta; 2 secrets []core.ObjectReference;
    3 imagePullSecrets []core.LocalObjectReference; 4 automountServiceAccountToken bool
core.ServiceAccountList: 1 metadata meta.ListMeta; 2 items []core.ServiceAccount
core.ServiceAccountTokenProjection: 1 audience? string; 2 expirationSeconds int64; 3 path string
core.ServiceList: 1 metadata meta.ListMeta; 2 items []core.Service
core.ServicePort: 1 name? string; 2 protocol? string; 3 port int32; 4 targetPort intstr.IntOrString;
    5 nodePort? int32; 6 appProtocol string
core.ServiceProxyOptions: 1 path? string
core.ServiceSpec: 1 ports []core.ServicePort; 2 selector {}string; 3 clusterIP? string; 4 type? string;
    5 externalIPs []string; 7 sessionAffinity? string; 8 loadBalancerIP? string;
    9 loadBalancerSourceRanges []string; 10 externalName? string; 11 externalTrafficPolicy? string;
    12 healthCheckNodePort? int32; 13 publishNotReadyAddresses? bool;
    14 sessionAffinityConfig core.SessionAffinityConfig; 17 ipFamilyPolicy string; 18 clusterIPs []string;
    19 ipFamilies []string; 20 allocateLoadBalancerNodePorts bool; 21 loadBalancerClass string;
    22 internalTrafficPolicy string
core.ServiceStatus: 1 loadBalancer core.LoadBalancerStatus; 2 conditions []meta.Condition
core.SessionAffinityConfig: 1 clientIP core.ClientIPConfig
core.StorageOSPersistentVolumeSource: 1 volumeName? string; 2 volumeNamespace? string; 3 fsType? string;
    4 readOnly? bool; 5 secretRef core.ObjectReference
core.StorageOSVolumeSource: 1 volumeName? string; 2 volumeNamespace? string; 3 fsType? string; 4 readOnly? bool;
    5 secretRef core.LocalObjectReference
core.Sysctl: 1 name string; 2 value string
core.TCPSocketAction: 1 port intstr.IntOrString; 2 host? string
core.Taint: 1 key string; 2 value? string; 3 effect string; 4 timeAdded meta.Time
core.Toleration: 1 key? string; 2 operator? string; 3 value? string; 4 effect? string; 5 tolerationSeconds int64
core.TopologySelectorLabelRequirement: 1 key string; 2 values []string
core.TopologySelectorTerm: 1 matchLabelExpressions []core.TopologySelectorLabelRequirement
core.TopologySpreadConstraint: 1 maxSkew int32; 2 topologyKey string; 3 whenUnsatisfiable string;
    4 labelSelector meta.LabelSelector
core.TypedLocalObjectReference: 1 apiGroup string; 2 kind string; 3 name string
core.Volume: 1 name string; 2 - core.VolumeSource
core.VolumeDevice: 1 name string; 2 devicePath string
core.VolumeMount: 1 name string; 2 readOnly? bool; 3 mountPath string; 4 subPath? string; 5 mountPropagation string;
    6 subPathExpr? string
core.VolumeNodeAffinity: 1 required core.NodeSelector
core.VolumeProjection: 1 secret core.SecretProjection; 2 downwardAPI core.DownwardAPIProjection;
    3 configMap core.ConfigMapProjection; 4 serviceAccountToken core.ServiceAccountTokenProjection
core.VolumeSource: 1 hostPath core.HostPathVolumeSource; 2 emptyDir core.EmptyDirVolumeSource;
    3 gcePersistentDisk core.GCEPersistentDiskVolumeSource;
    4 awsElasticBlockStore core.AWSElasticBlockStoreVolumeSource; 5 gitRepo core.GitRepoVolumeSource;
    6 secret core.SecretVolumeSource; 7 nfs core.NFSVolumeSource; 8 iscsi core.ISCSIVolumeSource;
    9 glusterfs core.GlusterfsVolumeSource; 10 persistentVolumeClaim core.PersistentVolumeClaimVolumeSource;
    11 rbd core.RBDVolumeSource; 12 flexVolume core.FlexVolumeSource; 13 cinder core.CinderVolumeSource;
    14 cephfs core.CephFSVolumeSource; 15 flocker core.FlockerVolumeSource;
    16 downwardAPI core.DownwardAPIVolumeSource; 17 fc core.FCVolumeSource; 18 azureFile core.AzureFileVolumeSource;
    19 configMap core.ConfigMapVolumeSource; 20 vsphereVolume core.VsphereVirtualDiskVolumeSource;
    21 quobyte core.QuobyteVolumeSource; 22 azureDisk core.AzureDiskVolumeSource;
    23 photonPersistentDisk core.PhotonPersistentDiskVolumeSource; 24 portworxVolume core.PortworxVolumeSource;
    25 scaleIO core.ScaleIOVolumeSource; 26 projected core.ProjectedVolumeSource;
    27 storageos core.StorageOSVolumeSource; 28 csi core.CSIVolumeSource; 29 ephemeral core.EphemeralVolumeSource
core.VsphereVirtualDiskVolumeSource: 1 volumePath string; 2 fsType? string; 3 storagePolicyName? string;
    4 storagePolicyID? string
core.WeightedPodAffinityTerm: 1 weight int32; 2 podAffinityTerm core.PodAffinityTerm
core.WindowsSecurityContextOptions: 1 gmsaCredentialSpecName string; 2 gmsaCredentialSpec string;
    3 runAsUserName string; 4 hostProcess bool
apps.ControllerRevision: 1 metadata meta.ObjectMeta; 2 data runtime.RawExtension; 3 revision int64
apps.ControllerRevisionList: 1 metadata meta.ListMeta; 2 items []apps.ControllerRevision
apps.DaemonSet: 1 metadata meta.ObjectMeta; 2 spec apps.DaemonSetSpec; 3 status apps.DaemonSetStatus
apps.DaemonSetCondition: 1 type string; 2 status string; 3 lastTransitionTime meta.Time; 4 reason? string;
    5 message? string
apps.DaemonSetList: 1 metadata meta.ListMeta; 2 items []apps.DaemonSet
apps.DaemonSetSpec: 1 selector meta.LabelSelector; 2 template core.PodTemplateSpec;
    3 updateStrategy apps.DaemonSetUpdateStrategy; 4 minReadySeconds? int32; 6 revisionHistoryLimit int32
apps.DaemonSetStatus: 1 currentNumberScheduled int32; 2 numberMisscheduled int32; 3 desiredNumberScheduled int32;
    4 numberReady int32; 5 observedGeneration? int64; 6 updatedNumberScheduled? int32; 7 numberAvailable? int32;
    8 numberUnavailable? int32; 9 collisionCount int32; 10 conditions []apps.DaemonSetCondition
apps.DaemonSetUpdateStrategy: 1 type? string; 2 rollingUpdate apps.RollingUpdateDaemonSet
apps.Deployment: 1 metadata meta.ObjectMeta; 2 spec apps.DeploymentSpec; 3 status apps.DeploymentStatus
apps.DeploymentCondition: 1 type string; 2 status string; 4 reason? string; 5 message? string;
    6 lastUpdateTime meta.Time; 7 lastTransitionTime meta.Time
apps.DeploymentList: 1 metadata meta.ListMeta; 2 items []apps.Deployment
apps.DeploymentSpec: 1 replicas int32; 2 selector meta.LabelSelector; 3 template core.PodTemplateSpec;
    4 strategy apps.DeploymentStrategy; 5 minReadySeconds? int32; 6 revisionHistoryLimit int32; 7 paused? bool;
    9 progressDeadlineSeconds int32
apps.DeploymentStatus: 1 observedGeneration? int64; 2 replicas? int32; 3 updatedReplicas? int32;
    4 availableReplicas? int32; 5 unavailableReplicas? int32; 6 conditions []apps.DeploymentCondition;
    7 readyReplicas? int32; 8 collisionCount int32
apps.DeploymentStrategy: 1 type? string; 2 rollingUpdate apps.RollingUpdateDeployment
apps.ReplicaSet: 1 metadata meta.ObjectMeta; 2 spec apps.ReplicaSetSpec; 3 status apps.ReplicaSetStatus
apps.ReplicaSetCondition: 1 type string; 2 status string; 3 lastTransitionTime meta.Time; 4 reason? string;
    5 message? string
apps.ReplicaSetList: 1 metadata meta.ListMeta; 2 items []apps.ReplicaSet
apps.ReplicaSetSpec: 1 replicas int32; 2 selector meta.LabelSelector; 3 template core.PodTemplateSpec;
    4 minReadySeconds? int32
apps.ReplicaSetStatus: 1 replicas int32; 2 fullyLabeledReplicas? int32; 3 observedGeneration? int64;
    4 readyReplicas? int32; 5 availableReplicas? int32; 6 conditions []apps.ReplicaSetCondition
apps.RollingUpdateDaemonSet: 1 maxUnavailable intstr.IntOrString; 2 maxSurge intstr.IntOrString
apps.RollingUpdateDeployment: 1 maxUnavailable intstr.IntOrString; 2 maxSurge intstr.IntOrString
apps.RollingUpdateStatefulSetStrategy: 1 partition int32
apps.StatefulSet: 1 metadata meta.ObjectMeta; 2 spec apps.StatefulSetSpec; 3 status apps.StatefulSetStatus
apps.StatefulSetCondition: 1 type string; 2 status string; 3 lastTransitionTime meta.Time; 4 reason? string;
    5 message? string
apps.StatefulSetList: 1 metadata meta.ListMeta; 2 items []apps.StatefulSet
apps.StatefulSetPersistentVolumeClaimRetentionPolicy: 1 whenDeleted? string; 2 whenScaled? string
apps.StatefulSetSpec: 1 replicas int32; 2 selector meta.LabelSelector; 3 template core.PodTemplateSpec;
    4 volumeClaimTemplates []core.PersistentVolumeClaim; 5 serviceName string; 6 podManagementPolicy? string;
    7 updateStrategy apps.StatefulSetUpdateStrategy; 8 revisionHistoryLimit int32; 9 minReadySeconds? int32;
    10 persistentVolumeClaimRetentionPolicy apps.StatefulSetPersistentVolumeClaimRetentionPolicy
apps.StatefulSetStatus: 1 observedGeneration? int64; 2 replicas int32; 3 readyReplicas? int32;
    4 currentReplicas? int32; 5 updatedReplicas? int32; 6 currentRevision? string; 7 updateRevision? string;
    9 collisionCount int32; 10 conditions []apps.StatefulSetCondition; 11 availableReplicas int32
apps.StatefulSetUpdateStrategy: 1 type? string; 2 rollingUpdate apps.RollingUpdateStatefulSetStrategy
batch.CronJob: 1 metadata meta.ObjectMeta; 2 spec batch.CronJobSpec; 3 status batch.CronJobStatus
batch.CronJobList: 1 metadata meta.ListMeta; 2 items []batch.CronJob
batch.CronJobSpec: 1 schedule string; 2 startingDeadlineSeconds int64; 3 concurrencyPolicy? string; 4 suspend bool;
    5 jobTemplate batch.JobTemplateSpec; 6 successfulJobsHistoryLimit int32; 7 failedJobsHistoryLimit int32
batch.CronJobStatus: 1 active []core.ObjectReference; 4 lastScheduleTime meta.Time; 5 lastSuccessfulTime meta.Time
batch.Job: 1 metadata meta.ObjectMeta; 2 spec batch.JobSpec; 3 status batch.JobStatus
batch.JobCondition: 1 type string; 2 status string; 3 lastProbeTime meta.Time; 4 lastTransitionTime meta.Time;
    5 reason? string; 6 message? string
batch.JobList: 1 metadata meta.ListMeta; 2 items []batch.Job
batch.JobSpec: 1 parallelism int32; 2 completions int32; 3 activeDeadlineSeconds int64;
    4 selector meta.LabelSelector; 5 manualSelector bool; 6 template core.PodTemplateSpec; 7 backoffLimit int32;
    8 ttlSecondsAfterFinished int32; 9 completionMode string; 10 suspend bool
batch.JobStatus: 1 conditions []batch.JobCondition; 2 startTime meta.Time; 3 completionTime meta.Time;
    4 active? int32; 5 succeeded? int32; 6 failed? int32; 7 completedIndexes? string;
    8 uncountedTerminatedPods batch.UncountedTerminatedPods; 9 ready int32
batch.JobTemplateSpec: 1 metadata meta.ObjectMeta; 2 spec batch.JobSpec
batch.UncountedTerminatedPods: 1 succeeded []string; 2 failed []string
coordination.Lease: 1 metadata meta.ObjectMeta; 2 spec coordination.LeaseSpec
coordination.LeaseList: 1 metadata meta.ListMeta; 2 items []coordination.Lease
coordination.LeaseSpec: 1 holderIdentity string; 2 leaseDurationSeconds int32; 3 acquireTime meta.MicroTime;
    4 renewTime meta.MicroTime; 5 leaseTransitions int32
discovery.Endpoint: 1 addresses []string; 2 conditions discovery.EndpointConditions; 3 hostname string;
    4 targetRef core.ObjectReference; 5 deprecatedTopology {}string; 6 nodeName string; 7 zone string;
    8 hints discovery.EndpointHints
discovery.EndpointConditions: 1 ready bool; 2 serving bool; 3 terminating bool
discovery.EndpointHints: 1 forZones []discovery.ForZone
discovery.EndpointPort: 1 name string; 2 protocol string; 3 port int32; 4 appProtocol string
discovery.EndpointSlice: 1 metadata meta.ObjectMeta; 2 endpoints []discovery.Endpoint;
    3 ports []discovery.EndpointPort; 4 addressType string
discovery.EndpointSliceList: 1 metadata meta.ListMeta; 2 items []discovery.EndpointSlice
discovery.ForZone: 1 name string
events.Event: 1 metadata meta.ObjectMeta; 2 eventTime meta.MicroTime; 3 series events.EventSeries;
    4 reportingController? string; 5 reportingInstance? string; 6 action? string; 7 reason? string;
    8 regarding core.ObjectReference; 9 related core.ObjectReference; 10 note? string; 11 type? string;
    12 deprecatedSource core.EventSource; 13 deprecatedFirstTimestamp meta.Time;
    14 deprecatedLastTimestamp meta.Time; 15 deprecatedCount? int32
events.EventList: 1 metadata meta.ListMeta; 2 items []events.Event
events.EventSeries: 1 count int32; 2 lastObservedTime meta.MicroTime
storage.CSIDriver: 1 metadata meta.ObjectMeta; 2 spec storage.CSIDriverSpec
storage.CSIDriverList: 1 metadata meta.ListMeta; 2 items []storage.CSIDriver
storage.CSIDriverSpec: 1 attachRequired bool; 2 podInfoOnMount bool; 3 volumeLifecycleModes []string;
    4 storageCapacity bool; 5 fsGroupPolicy string; 6 tokenRequests []storage.TokenRequest; 7 requiresRepublish bool
storage.CSINode: 1 metadata meta.ObjectMeta; 2 spec storage.CSINodeSpec
storage.CSINodeDriver: 1 name string; 2 nodeID string; 3 topologyKeys []string;
    4 allocatable storage.VolumeNodeResources
storage.CSINodeList: 1 metadata meta.ListMeta; 2 items []storage.CSINode
storage.CSINodeSpec: 1 drivers []storage.CSINodeDriver
storage.StorageClass: 1 metadata meta.ObjectMeta; 2 provisioner string; 3 parameters {}string;
    4 reclaimPolicy string; 5 mountOptions []string; 6 allowVolumeExpansion bool; 7 volumeBindingMode string;
    8 allowedTopologies []core.TopologySelectorTerm
storage.StorageClassList: 1 metadata meta.ListMeta; 2 items []storage.StorageClass
storage.TokenRequest: 1 audience string; 2 expirationSeconds int64
storage.VolumeAttachment: 1 metadata meta.ObjectMeta; 2 spec storage.VolumeAttachmentSpec;
    3 status storage.VolumeAttachmentStatus
storage.VolumeAttachmentList: 1 metadata meta.ListMeta; 2 items []storage.VolumeAttachment
storage.VolumeAttachmentSource: 1 persistentVolumeName string; 2 inlineVolumeSpec core.PersistentVolumeSpec
storage.VolumeAttachmentSpec: 1 attacher string; 2 source storage.VolumeAttachmentSource; 3 nodeName string
storage.VolumeAttachmentStatus: 1 attached bool; 2 attachmentMetadata {}string; 3 attachError storage.VolumeError;
    4 detachError storage.VolumeError
storage.VolumeError: 1 time meta.Time; 2 message? string
storage.VolumeNodeResources: 1 count int32
policy.Eviction: 1 metadata meta.ObjectMeta; 2 deleteOptions meta.DeleteOptions
policy.PodDisruptionBudget: 1 metadata meta.ObjectMeta; 2 spec policy.PodDisruptionBudgetSpec;
    3 status policy.PodDisruptionBudgetStatus
policy.PodDisruptionBudgetList: 1 metadata meta.ListMeta; 2 items []policy.PodDisruptionBudget
policy.PodDisruptionBudgetSpec: 1 minAvailable intstr.IntOrString; 2 selector meta.LabelSelector;
    3 maxUnavailable intstr.IntOrString
policy.PodDisruptionBudgetStatus: 1 observedGeneration? int64; 2 disruptedPods {}meta.Time;
    3 disruptionsAllowed int32; 4 currentHealthy int32; 5 desiredHealthy int32; 6 expectedPods int32;
    7 conditions []meta.Condition
certificates.CertificateSigningRequest: 1 metadata meta.ObjectMeta;
    2 spec certificates.CertificateSigningRequestSpec; 3 status certificates.CertificateSigningRequestStatus
certificates.CertificateSigningRequestCondition: 1 type string; 2 reason? string; 3 message? string;
    4 lastUpdateTime meta.Time; 5 lastTransitionTime meta.Time; 6 status string
certificates.CertificateSigningRequestList: 1 metadata meta.ListMeta;
    2 items []certificates.CertificateSigningRequest
certificates.CertificateSigningRequestSpec: 1 request bytes; 2 username? string; 3 uid? string; 4 groups []string;
    5 usages []string; 6 extra {}certificates.ExtraValue; 7 signerName string; 8 expirationSeconds int32
certificates.CertificateSigningRequestStatus: 1 conditions []certificates.CertificateSigningRequestCondition;
    2 certificate? bytes
rbac.AggregationRule: 1 clusterRoleSelectors []meta.LabelSelector
rbac.ClusterRole: 1 metadata meta.ObjectMeta; 2 rules []rbac.PolicyRule; 3 aggregationRule rbac.AggregationRule
rbac.ClusterRoleBinding: 1 metadata meta.ObjectMeta; 2 subjects []rbac.Subject; 3 roleRef rbac.RoleRef
rbac.ClusterRoleBindingList: 1 metadata meta.ListMeta; 2 items []rbac.ClusterRoleBinding
rbac.ClusterRoleList: 1 metadata meta.ListMeta; 2 items []rbac.ClusterRole
rbac.PolicyRule: 1 verbs []string; 2 apiGroups []string; 3 resources []string; 4 resourceNames []string;
    5 nonResourceURLs []string
rbac.Role: 1 metadata meta.ObjectMeta; 2 rules []rbac.PolicyRule
rbac.RoleBinding: 1 metadata meta.ObjectMeta; 2 subjects []rbac.Subject; 3 roleRef rbac.RoleRef
rbac.RoleBindingList: 1 metadata meta.ListMeta; 2 items []rbac.RoleBinding
rbac.RoleList: 1 metadata meta.ListMeta; 2 items []rbac.Role
rbac.RoleRef: 1 apiGroup string; 2 kind string; 3 name string
rbac.Subject: 1 kind string; 2 apiGroup? string; 3 name string; 4 namespace? string
authorization.LocalSubjectAccessReview: 1 metadata meta.ObjectMeta; 2 spec authorization.SubjectAccessReviewSpec;
    3 status authorization.SubjectAccessReviewStatus
authorization.NonResourceAttributes: 1 path? string; 2 verb? string
authorization.NonResourceRule: 1 verbs []string; 2 nonResourceURLs []string
authorization.ResourceAttributes: 1 namespace? string; 2 verb? string; 3 group? string; 4 version? string;
    5 resource? string; 6 subresource? string; 7 name? string
authorization.ResourceRule: 1 verbs []string; 2 apiGroups []string; 3 resources []string; 4 resourceNames []string
authorization.SelfSubjectAccessReview: 1 metadata meta.ObjectMeta; 2 spec authorization.SelfSubjectAccessReviewSpec;
    3 status authorization.SubjectAccessReviewStatus
authorization.SelfSubjectAccessReviewSpec: 1 resourceAttributes authorization.ResourceAttributes;
    2 nonResourceAttributes authorization.NonResourceAttributes
authorization.SelfSubjectRulesReview: 1 metadata meta.ObjectMeta; 2 spec authorization.SelfSubjectRulesReviewSpec;
    3 status authorization.SubjectRulesReviewStatus
authorization.SelfSubjectRulesReviewSpec: 1 namespace? string
authorization.SubjectAccessReview: 1 metadata meta.ObjectMeta; 2 spec authorization.SubjectAccessReviewSpec;
    3 status authorization.SubjectAccessReviewStatus
authorization.SubjectAccessReviewSpec: 1 resourceAttributes authorization.ResourceAttributes;
    2 nonResourceAttributes authorization.NonResourceAttributes; 3 user? string; 4 groups []string;
    5 extra {}authorization.ExtraValue; 6 uid? string
authorization.SubjectAccessReviewStatus: 1 allowed bool; 2 reason? string; 3 evaluationError? string; 4 denied? bool
authorization.SubjectRulesReviewStatus: 1 resourceRules []authorization.ResourceRule;
    2 nonResourceRules []authorization.NonResourceRule; 3 incomplete bool; 4 evaluationError? string
authentication.BoundObjectReference: 1 kind? string; 2 apiVersion? string; 3 name? string; 4 uid? string
authentication.TokenRequest: 1 metadata meta.ObjectMeta; 2 spec authentication.TokenRequestSpec;
    3 status authentication.TokenRequestStatus
authentication.TokenRequestSpec: 1 audiences []string; 3 boundObjectRef authentication.BoundObjectReference;
    4 expirationSeconds int64
authentication.TokenRequestStatus: 1 token string; 2 expirationTimestamp meta.Time
authentication.TokenReview: 1 metadata meta.ObjectMeta; 2 spec authentication.TokenReviewSpec;
    3 status authentication.TokenReviewStatus
authentication.TokenReviewSpec: 1 token? string; 2 audiences []string
authentication.TokenReviewStatus: 1 authenticated? bool; 2 user authentication.UserInfo; 3 error? string;
    4 audiences []string
authentication.UserInfo: 1 username? string; 2 uid? string; 3 groups []string; 4 extra {}authentication.ExtraValue
autoscaling.ContainerResourceMetricSource: 1 name string; 2 targetAverageUtilization int32;
    3 targetAverageValue resource.Quantity; 5 container string
autoscaling.ContainerResourceMetricStatus: 1 name string; 2 currentAverageUtilization int32;
    3 currentAverageValue resource.Quantity; 4 container string
autoscaling.CrossVersionObjectReference: 1 kind string; 2 name string; 3 apiVersion? string
autoscaling.ExternalMetricSource: 1 metricName string; 2 metricSelector meta.LabelSelector;
    3 targetValue resource.Quantity; 4 targetAverageValue resource.Quantity
autoscaling.ExternalMetricStatus: 1 metricName string; 2 metricSelector meta.LabelSelector;
    3 currentValue resource.Quantity; 4 currentAverageValue resource.Quantity
autoscaling.HorizontalPodAutoscaler: 1 metadata meta.ObjectMeta; 2 spec autoscaling.HorizontalPodAutoscalerSpec;
    3 status autoscaling.HorizontalPodAutoscalerStatus
autoscaling.HorizontalPodAutoscalerCondition: 1 type string; 2 status string; 3 lastTransitionTime meta.Time;
    4 reason? string; 5 message? string
autoscaling.HorizontalPodAutoscalerList: 1 metadata meta.ListMeta; 2 items []autoscaling.HorizontalPodAutoscaler
autoscaling.HorizontalPodAutoscalerSpec: 1 scaleTargetRef autoscaling.CrossVersionObjectReference;
    2 minReplicas int32; 3 maxReplicas int32; 4 targetCPUUtilizationPercentage int32
autoscaling.HorizontalPodAutoscalerStatus: 1 observedGeneration int64; 2 lastScaleTime meta.Time;
    3 currentReplicas int32; 4 desiredReplicas int32; 5 currentCPUUtilizationPercentage int32
autoscaling.MetricSpec: 1 type string; 2 object autoscaling.ObjectMetricSource; 3 pods autoscaling.PodsMetricSource;
    4 resource autoscaling.ResourceMetricSource; 5 external autoscaling.ExternalMetricSource;
    7 containerResource autoscaling.ContainerResourceMetricSource
autoscaling.MetricStatus: 1 type string; 2 object autoscaling.ObjectMetricStatus;
    3 pods autoscaling.PodsMetricStatus; 4 resource autoscaling.ResourceMetricStatus;
    5 external autoscaling.ExternalMetricStatus; 7 containerResource autoscaling.ContainerResourceMetricStatus
autoscaling.ObjectMetricSource: 1 target autoscaling.CrossVersionObjectReference; 2 metricName string;
    3 targetValue resource.Quantity; 4 selector meta.LabelSelector; 5 averageValue resource.Quantity
autoscaling.ObjectMetricStatus: 1 target autoscaling.CrossVersionObjectReference; 2 metricName string;
    3 currentValue resource.Quantity; 4 selector meta.LabelSelector; 5 averageValue resource.Quantity
autoscaling.PodsMetricSource: 1 metricName string; 2 targetAverageValue resource.Quantity;
    3 selector meta.LabelSelector
autoscaling.PodsMetricStatus: 1 metricName string; 2 currentAverageValue resource.Quantity;
    3 selector meta.LabelSelector
autoscaling.ResourceMetricSource: 1 name string; 2 targetAverageUtilization int32;
    3 targetAverageValue resource.Quantity
autoscaling.ResourceMetricStatus: 1 name string; 2 currentAverageUtilization int32;
    3 currentAverageValue resource.Quantity
autoscaling.Scale: 1 metadata meta.ObjectMeta; 2 spec autoscaling.ScaleSpec; 3 status autoscaling.ScaleStatus
autoscaling.ScaleSpec: 1 replicas? int32
autoscaling.ScaleStatus: 1 replicas int32; 2 selector? string
networking.HTTPIngressPath: 1 path? string; 2 backend networking.IngressBackend; 3 pathType string
networking.HTTPIngressRuleValue: 1 paths []networking.HTTPIngressPath
networking.IPBlock: 1 cidr string; 2 except []string
networking.Ingress: 1 metadata meta.ObjectMeta; 2 spec networking.IngressSpec; 3 status networking.IngressStatus
networking.IngressBackend: 3 resource core.TypedLocalObjectReference; 4 service networking.IngressServiceBackend
networking.IngressClass: 1 metadata meta.ObjectMeta; 2 spec networking.IngressClassSpec
networking.IngressClassList: 1 metadata meta.ListMeta; 2 items []networking.IngressClass
networking.IngressClassParametersReference: 1 apiGroup string; 2 kind string; 3 name string; 4 scope string;
    5 namespace string
networking.IngressClassSpec: 1 controller? string; 2 parameters networking.IngressClassParametersReference
networking.IngressList: 1 metadata meta.ListMeta; 2 items []networking.Ingress
networking.IngressRule: 1 host? string; 2 - networking.IngressRuleValue
networking.IngressRuleValue: 1 http networking.HTTPIngressRuleValue
networking.IngressServiceBackend: 1 name string; 2 port networking.ServiceBackendPort
networking.IngressSpec: 1 defaultBackend networking.IngressBackend; 2 tls []networking.IngressTLS;
    3 rules []networking.IngressRule; 4 ingressClassName string
networking.IngressStatus: 1 loadBalancer core.LoadBalancerStatus
networking.IngressTLS: 1 hosts []string; 2 secretName? string
networking.NetworkPolicy: 1 metadata meta.ObjectMeta; 2 spec networking.NetworkPolicySpec
networking.NetworkPolicyEgressRule: 1 ports []networking.NetworkPolicyPort; 2 to []networking.NetworkPolicyPeer
networking.NetworkPolicyIngressRule: 1 ports []networking.NetworkPolicyPort; 2 from []networking.NetworkPolicyPeer
networking.NetworkPolicyList: 1 metadata meta.ListMeta; 2 items []networking.NetworkPolicy
networking.NetworkPolicyPeer: 1 podSelector meta.LabelSelector; 2 namespaceSelector meta.LabelSelector;
    3 ipBlock networking.IPBlock
networking.NetworkPolicyPort: 1 protocol string; 2 port intstr.IntOrString; 3 endPort int32
networking.NetworkPolicySpec: 1 podSelector meta.LabelSelector; 2 ingress []networking.NetworkPolicyIngressRule;
    3 egress []networking.NetworkPolicyEgressRule; 4 policyTypes []string
networking.ServiceBackendPort: 1 name? string; 2 number? int32
node.Overhead: 1 podFixed {}resource.Quantity
node.RuntimeClass: 1 metadata meta.ObjectMeta; 2 handler string; 3 overhead node.Overhead;
    4 scheduling node.Scheduling
node.RuntimeClassList: 1 metadata meta.ListMeta; 2 items []node.RuntimeClass
node.Scheduling: 1 nodeSelector {}string; 2 tolerations []core.Toleration
scheduling.PriorityClass: 1 metadata meta.ObjectMeta; 2 value int32; 3 globalDefault? bool; 4 description? string;
    5 preemptionPolicy string
scheduling.PriorityClassList: 1 metadata meta.ListMeta; 2 items []scheduling.PriorityClass
storage.v1beta1.CSIStorageCapacity: 1 metadata meta.ObjectMeta; 2 nodeTopology meta.LabelSelector;
    3 storageClassName string; 4 capacity resource.Quantity; 5 maximumVolumeSize resource.Quantity
storage.v1beta1.CSIStorageCapacityList: 1 metadata meta.ListMeta; 2 items []storage.v1beta1.CSIStorageCapacity
authentication.ExtraValue: = []string
authorization.ExtraValue: = []string
certificates.ExtraValue: = []string
"""
