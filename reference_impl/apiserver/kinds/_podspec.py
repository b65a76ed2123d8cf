"""The pod template every workload embeds: PodTemplateSpec, PodSpec and their parts, and the schema
fragments workload specs share (selector, template, revision history)."""
from __future__ import annotations

from reference_impl.apiserver.core.schemas import (CORE, META, arr, atomic, boolean, integer, obj, quantity_map,
                                                   ref, string, string_map, strings)

SELECTOR = ref(META + "LabelSelector", "Selects the pods; must match the template's labels.")
TEMPLATE = ref(CORE + "PodTemplateSpec", "The pods to create.")
REVISIONS = integer("Old revisions kept for rollback; defaults to 10.")
MIN_READY = integer("Seconds a new pod must be ready to count as available.")
# An empty PodTemplateSpec as Go writes it: its ObjectMeta's null creationTimestamp, its PodSpec's
# containers (no omitempty) as null. Part of the zero value of every kind with a pod template.
ZERO_TEMPLATE = {"metadata": {"creationTimestamp": None}, "spec": {"containers": None}}


# A Container's fields, which an EphemeralContainer shares (upstream's EphemeralContainerCommon).
CONTAINER_FIELDS = dict(
    args=strings("Arguments to the entrypoint."),
    command=strings("The entrypoint, replacing the image's."),
    env=arr(ref(CORE + "EnvVar"), "Environment variables.", merge_key="name"),
    envFrom=arr(ref(CORE + "EnvFromSource"), "Sources of many environment variables at once."),
    image=string("The container image."),
    imagePullPolicy=string("Always, Never or IfNotPresent."),
    lifecycle=ref(CORE + "Lifecycle", "Hooks run after start and before stop."),
    livenessProbe=ref(CORE + "Probe", "Check that restarts the container when it fails."),
    name=string("Name of the container, unique in the pod."),
    ports=arr(ref(CORE + "ContainerPort"), "Ports the container exposes.", merge_key="containerPort",
              map_keys=("containerPort", "protocol")),
    readinessProbe=ref(CORE + "Probe", "Check that gates traffic to the container."),
    resources=ref(CORE + "ResourceRequirements", "Compute resources requested and allowed."),
    securityContext=ref(CORE + "SecurityContext", "Security settings of the container."),
    startupProbe=ref(CORE + "Probe", "Check that must pass before the other probes run."),
    stdin=boolean("Keep a stdin buffer open."),
    stdinOnce=boolean("Close stdin after the first attach ends."),
    terminationMessagePath=string("File the termination message is read from."),
    terminationMessagePolicy=string("File or FallbackToLogsOnError."),
    tty=boolean("Allocate a TTY."),
    volumeDevices=arr(ref(CORE + "VolumeDevice"), "Block devices the container uses.", merge_key="devicePath"),
    volumeMounts=arr(ref(CORE + "VolumeMount"), "Volumes mounted into the container.", merge_key="mountPath"),
    workingDir=string("Working directory; defaults to the image's."))

DEFINITIONS = {
    CORE + "PodTemplateSpec": obj(
        "The pods a workload controller creates.",
        metadata=ref(META + "ObjectMeta", "Metadata of the created pods."),
        spec=ref(CORE + "PodSpec", "The spec of the created pods.")),
    CORE + "PodSpec": obj(
        "What a pod runs and how.", ("containers",),
        activeDeadlineSeconds=integer("Seconds the pod may run before the system fails it.", "int64"),
        affinity=ref(CORE + "Affinity", "Scheduling constraints relative to nodes and other pods."),
        automountServiceAccountToken=boolean("Whether the service account token is mounted."),
        containers=arr(ref(CORE + "Container"), "The containers of the pod; at least one.", merge_key="name"),
        dnsConfig=ref(CORE + "PodDNSConfig", "Extra DNS settings."),
        dnsPolicy=string("How the pod's DNS is set up, e.g. ClusterFirst."),
        enableServiceLinks=boolean("Whether service environment variables are injected."),
        ephemeralContainers=arr(ref(CORE + "EphemeralContainer"), "Debugging containers added later.",
                                merge_key="name"),
        hostAliases=arr(ref(CORE + "HostAlias"), "Extra /etc/hosts entries.", merge_key="ip"),
        hostIPC=boolean("Share the node's IPC namespace."),
        hostNetwork=boolean("Share the node's network namespace."),
        hostPID=boolean("Share the node's process namespace."),
        hostname=string("The pod's hostname; defaults to its name."),
        imagePullSecrets=arr(ref(CORE + "LocalObjectReference"), "Secrets for pulling images.", merge_key="name"),
        initContainers=arr(ref(CORE + "Container"), "Containers run to completion before the others.",
                           merge_key="name"),
        nodeName=string("The node the pod is bound to."),
        nodeSelector=atomic(string_map("Labels a node must have to run the pod.")),
        os=ref(CORE + "PodOS", "The operating system the pod needs."),
        overhead=quantity_map("Resources the pod's sandbox uses on top of its containers."),
        preemptionPolicy=string("Whether the pod may preempt lower-priority pods."),
        priority=integer("The pod's priority, resolved from its priority class."),
        priorityClassName=string("Name of the pod's priority class."),
        readinessGates=arr(ref(CORE + "PodReadinessGate"), "Extra conditions for pod readiness."),
        restartPolicy=string("Always, OnFailure or Never."),
        runtimeClassName=string("The RuntimeClass to run the pod with."),
        schedulerName=string("The scheduler that places the pod."),
        securityContext=ref(CORE + "PodSecurityContext", "Pod-wide security settings."),
        serviceAccount=string("Deprecated alias of serviceAccountName."),
        serviceAccountName=string("The service account the pod runs as."),
        setHostnameAsFQDN=boolean("Use the fully qualified domain name as hostname."),
        shareProcessNamespace=boolean("Share one PID namespace between the containers."),
        subdomain=string("Subdomain for the pod's DNS name."),
        terminationGracePeriodSeconds=integer("Seconds allowed for graceful shutdown.", "int64"),
        tolerations=arr(ref(CORE + "Toleration"), "Taints the pod tolerates."),
        topologySpreadConstraints=arr(ref(CORE + "TopologySpreadConstraint"),
                                      "How the pods spread across topology domains.", merge_key="topologyKey",
                                      map_keys=("topologyKey", "whenUnsatisfiable")),
        volumes=arr(ref(CORE + "Volume"), "Volumes the containers may mount.", merge_key="name",
                    strategy="merge,retainKeys")),
    CORE + "Container": obj("One container of a pod.", ("name",), **CONTAINER_FIELDS),
    CORE + "ContainerPort": obj(
        "A network port of a container.", ("containerPort",),
        containerPort=integer("Port number on the pod's IP."),
        hostIP=string("Host IP to bind a host port to."),
        hostPort=integer("Port number on the host."),
        name=string("Name services can refer to the port by."),
        protocol={**string("TCP, UDP or SCTP; defaults to TCP."), "default": "TCP"}),
    CORE + "EnvVar": obj(
        "One environment variable.", ("name",),
        name=string("Variable name."),
        value=string("Literal value; `$(VAR)` references are expanded."),
        valueFrom=ref(CORE + "EnvVarSource", "Where to read the value from instead.")),
    CORE + "ResourceRequirements": obj(
        "Compute resources of a container.",
        limits=quantity_map("The most the container may use."),
        requests=quantity_map("What the scheduler reserves for the container.")),
    CORE + "VolumeMount": obj(
        "A volume mounted at a path.", ("mountPath", "name"),
        mountPath=string("Path in the container."),
        mountPropagation=string("How mounts propagate between host and container."),
        name=string("Name of the pod volume."),
        readOnly=boolean("Mount read-only."),
        subPath=string("Path inside the volume to mount instead of its root."),
        subPathExpr=string("Like subPath, with `$(VAR)` expansion.")),
    CORE + "Toleration": obj(
        "Lets a pod schedule onto nodes with a matching taint.",
        effect=string("The taint effect to match; empty matches all."),
        key=string("The taint key to match; empty with Exists matches all."),
        operator=string("Exists or Equal."),
        tolerationSeconds=integer("How long a NoExecute taint is tolerated.", "int64"),
        value=string("The taint value to match with Equal.")),
    CORE + "PodDNSConfig": obj(
        "Nameservers, search domains and resolver options.",
        nameservers=strings("DNS servers to add."),
        options=arr(ref(CORE + "PodDNSConfigOption"), "Resolver options."),
        searches=strings("DNS search domains to add.")),
    CORE + "PodDNSConfigOption": obj(
        "One resolver option.",
        name=string("Option name."),
        value=string("Option value.")),
    CORE + "HostAlias": obj(
        "An IP address and the hostnames for it.",
        hostnames=strings("Hostnames for the address."),
        ip=string("IP address of the entry.")),
    CORE + "PodOS": obj(
        "The operating system of a pod.", ("name",),
        name=string("The operating system: linux or windows.")),
    CORE + "PodReadinessGate": obj(
        "A condition type that must be true for readiness.", ("conditionType",),
        conditionType=string("A condition type in the pod's conditions.")),
    CORE + "PodCondition": obj(
        "One condition of a pod, e.g. Ready.", ("status", "type"),
        lastProbeTime=ref(META + "Time", "When the condition was last probed."),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details of the last change."),
        reason=string("Machine-readable reason of the last change."),
        status=string("True, False or Unknown."),
        type=string("The condition type, e.g. Ready.")),
}


GO_TYPES = {
    CORE + "Container": {"imagePullPolicy": "v1.PullPolicy", "lifecycle": "*v1.Lifecycle",
                         "livenessProbe": "*v1.Probe", "readinessProbe": "*v1.Probe",
                         "securityContext": "*v1.SecurityContext", "startupProbe": "*v1.Probe",
                         "terminationMessagePolicy": "v1.TerminationMessagePolicy"},
    CORE + "ContainerPort": {"protocol": "v1.Protocol"},
    CORE + "EnvVar": {"valueFrom": "*v1.EnvVarSource"},
    CORE + "PodSpec": {"affinity": "*v1.Affinity", "dnsConfig": "*v1.PodDNSConfig", "dnsPolicy": "v1.DNSPolicy",
                       "os": "*v1.PodOS", "preemptionPolicy": "v1.PreemptionPolicy",
                       "restartPolicy": "v1.RestartPolicy", "securityContext": "*v1.PodSecurityContext"},
    CORE + "Toleration": {"effect": "v1.TaintEffect", "operator": "v1.TolerationOperator"},
    CORE + "VolumeMount": {"mountPropagation": "v1.MountPropagationMode"},
    CORE + "PodOS": {"name": "v1.OSName"},
    CORE + "PodReadinessGate": {"conditionType": "v1.PodConditionType"},
    CORE + "PodCondition": {"status": "v1.ConditionStatus", "type": "v1.PodConditionType"},
}

MESSAGES = """
core.AWSElasticBlockStoreVolumeSource: 1 volumeID! string; 2 fsType? string; 3 partition? int32; 4 readOnly? bool
core.Affinity: 1 nodeAffinity core.NodeAffinity; 2 podAffinity core.PodAffinity;
    3 podAntiAffinity core.PodAntiAffinity
core.AzureDiskVolumeSource: 1 diskName! string; 2 diskURI! string; 3 cachingMode string; 4 fsType string;
    5 readOnly bool; 6 kind string
core.AzureFileVolumeSource: 1 secretName! string; 2 shareName! string; 3 readOnly? bool
core.CSIVolumeSource: 1 driver! string; 2 readOnly bool; 3 fsType string; 4 volumeAttributes? {}string;
    5 nodePublishSecretRef core.LocalObjectReference
core.Capabilities: 1 add? []string; 2 drop? []string
core.CephFSVolumeSource: 1 monitors* []string; 2 path? string; 3 user? string; 4 secretFile? string;
    5 secretRef core.LocalObjectReference; 6 readOnly? bool
core.CinderVolumeSource: 1 volumeID! string; 2 fsType? string; 3 readOnly? bool;
    4 secretRef core.LocalObjectReference
core.ConfigMapEnvSource: 1 - core.LocalObjectReference; 2 optional bool
core.ConfigMapKeySelector: 1 - core.LocalObjectReference; 2 key! string; 3 optional bool
core.ConfigMapProjection: 1 - core.LocalObjectReference; 2 items? []core.KeyToPath; 4 optional bool
core.ConfigMapVolumeSource: 1 - core.LocalObjectReference; 2 items? []core.KeyToPath; 3 defaultMode int32;
    4 optional bool
core.Container: 1 name! string; 2 image? string; 3 command? []string; 4 args? []string; 5 workingDir? string;
    6 ports? []core.ContainerPort; 19 envFrom? []core.EnvFromSource; 7 env? []core.EnvVar;
    8 resources! core.ResourceRequirements; 9 volumeMounts? []core.VolumeMount; 21 volumeDevices? []core.VolumeDevice;
    10 livenessProbe core.Probe; 11 readinessProbe core.Probe; 22 startupProbe core.Probe; 12 lifecycle core.Lifecycle;
    13 terminationMessagePath? string; 20 terminationMessagePolicy? string; 14 imagePullPolicy? string;
    15 securityContext core.SecurityContext; 16 stdin? bool; 17 stdinOnce? bool; 18 tty? bool
core.ContainerPort: 1 name? string; 2 hostPort? int32; 3 containerPort! int32; 4 protocol? string; 5 hostIP? string
core.DownwardAPIProjection: 1 items? []core.DownwardAPIVolumeFile
core.DownwardAPIVolumeFile: 1 path! string; 2 fieldRef core.ObjectFieldSelector;
    3 resourceFieldRef core.ResourceFieldSelector; 4 mode int32
core.DownwardAPIVolumeSource: 1 items? []core.DownwardAPIVolumeFile; 2 defaultMode int32
core.EmptyDirVolumeSource: 1 medium? string; 2 sizeLimit resource.Quantity
core.EnvFromSource: 1 prefix? string; 2 configMapRef core.ConfigMapEnvSource; 3 secretRef core.SecretEnvSource
core.EnvVar: 1 name! string; 2 value? string; 3 valueFrom core.EnvVarSource
core.EnvVarSource: 1 fieldRef core.ObjectFieldSelector; 2 resourceFieldRef core.ResourceFieldSelector;
    3 configMapKeyRef core.ConfigMapKeySelector; 4 secretKeyRef core.SecretKeySelector
core.EphemeralContainer: 1 - core.EphemeralContainerCommon; 2 targetContainerName? string
core.EphemeralContainerCommon: 1 name! string; 2 image? string; 3 command? []string; 4 args? []string;
    5 workingDir? string; 6 ports? []core.ContainerPort; 19 envFrom? []core.EnvFromSource; 7 env? []core.EnvVar;
    8 resources! core.ResourceRequirements; 9 volumeMounts? []core.VolumeMount; 21 volumeDevices? []core.VolumeDevice;
    10 livenessProbe core.Probe; 11 readinessProbe core.Probe; 22 startupProbe core.Probe; 12 lifecycle core.Lifecycle;
    13 terminationMessagePath? string; 20 terminationMessagePolicy? string; 14 imagePullPolicy? string;
    15 securityContext core.SecurityContext; 16 stdin? bool; 17 stdinOnce? bool; 18 tty? bool
core.EphemeralVolumeSource: 1 volumeClaimTemplate core.PersistentVolumeClaimTemplate
core.ExecAction: 1 command? []string
core.FCVolumeSource: 1 targetWWNs? []string; 2 lun int32; 3 fsType? string; 4 readOnly? bool; 5 wwids? []string
core.FlexVolumeSource: 1 driver! string; 2 fsType? string; 3 secretRef core.LocalObjectReference; 4 readOnly? bool;
    5 options? {}string
core.FlockerVolumeSource: 1 datasetName? string; 2 datasetUUID? string
core.GCEPersistentDiskVolumeSource: 1 pdName! string; 2 fsType? string; 3 partition? int32; 4 readOnly? bool
core.GRPCAction: 1 port! int32; 2 service* string
core.GitRepoVolumeSource: 1 repository! string; 2 revision? string; 3 directory? string
core.GlusterfsVolumeSource: 1 endpoints! string; 2 path! string; 3 readOnly? bool
core.HTTPGetAction: 1 path? string; 2 port! intstr.IntOrString; 3 host? string; 4 scheme? string;
    5 httpHeaders? []core.HTTPHeader
core.HTTPHeader: 1 name! string; 2 value! string
core.HostAlias: 1 ip? string; 2 hostnames? []string
core.HostPathVolumeSource: 1 path! string; 2 type string
core.ISCSIVolumeSource: 1 targetPortal! string; 2 iqn! string; 3 lun! int32; 4 iscsiInterface? string; 5 fsType? string;
    6 readOnly? bool; 7 portals? []string; 8 chapAuthDiscovery? bool; 11 chapAuthSession? bool;
    10 secretRef core.LocalObjectReference; 12 initiatorName string
core.KeyToPath: 1 key! string; 2 path! string; 3 mode int32
core.Lifecycle: 1 postStart core.LifecycleHandler; 2 preStop core.LifecycleHandler
core.LifecycleHandler: 1 exec core.ExecAction; 2 httpGet core.HTTPGetAction; 3 tcpSocket core.TCPSocketAction
core.LocalObjectReference: 1 name? string
core.NFSVolumeSource: 1 server! string; 2 path! string; 3 readOnly? bool
core.NodeAffinity: 1 requiredDuringSchedulingIgnoredDuringExecution core.NodeSelector;
    2 preferredDuringSchedulingIgnoredDuringExecution? []core.PreferredSchedulingTerm
core.NodeSelector: 1 nodeSelectorTerms* []core.NodeSelectorTerm
core.NodeSelectorRequirement: 1 key! string; 2 operator! string; 3 values? []string
core.NodeSelectorTerm: 1 matchExpressions? []core.NodeSelectorRequirement; 2 matchFields? []core.NodeSelectorRequirement
core.ObjectFieldSelector: 1 apiVersion? string; 2 fieldPath! string
core.PersistentVolumeClaimSpec: 1 accessModes? []string; 4 selector meta.LabelSelector;
    2 resources! core.ResourceRequirements; 3 volumeName? string; 5 storageClassName string; 6 volumeMode string;
    7 dataSource core.TypedLocalObjectReference; 8 dataSourceRef core.TypedLocalObjectReference
core.PersistentVolumeClaimTemplate: 1 metadata! meta.ObjectMeta; 2 spec! core.PersistentVolumeClaimSpec
core.PersistentVolumeClaimVolumeSource: 1 claimName! string; 2 readOnly? bool
core.PhotonPersistentDiskVolumeSource: 1 pdID! string; 2 fsType? string
core.PodAffinity: 1 requiredDuringSchedulingIgnoredDuringExecution? []core.PodAffinityTerm;
    2 preferredDuringSchedulingIgnoredDuringExecution? []core.WeightedPodAffinityTerm
core.PodAffinityTerm: 1 labelSelector meta.LabelSelector; 2 namespaces? []string; 3 topologyKey! string;
    4 namespaceSelector meta.LabelSelector
core.PodAntiAffinity: 1 requiredDuringSchedulingIgnoredDuringExecution? []core.PodAffinityTerm;
    2 preferredDuringSchedulingIgnoredDuringExecution? []core.WeightedPodAffinityTerm
core.PodDNSConfig: 1 nameservers? []string; 2 searches? []string; 3 options? []core.PodDNSConfigOption
core.PodDNSConfigOption: 1 name? string; 2 value string
core.PodOS: 1 name! string
core.PodReadinessGate: 1 conditionType! string
core.PodSecurityContext: 1 seLinuxOptions core.SELinuxOptions; 8 windowsOptions core.WindowsSecurityContextOptions;
    2 runAsUser int64; 6 runAsGroup int64; 3 runAsNonRoot bool; 4 supplementalGroups? []int64; 5 fsGroup int64;
    7 sysctls? []core.Sysctl; 9 fsGroupChangePolicy string; 10 seccompProfile core.SeccompProfile
core.PodSpec: 1 volumes? []core.Volume; 20 initContainers? []core.Container; 2 containers* []core.Container;
    34 ephemeralContainers? []core.EphemeralContainer; 3 restartPolicy? string; 4 terminationGracePeriodSeconds int64;
    5 activeDeadlineSeconds int64; 6 dnsPolicy? string; 7 nodeSelector? {}string; 8 serviceAccountName? string;
    9 serviceAccount? string; 21 automountServiceAccountToken bool; 10 nodeName? string; 11 hostNetwork? bool;
    12 hostPID? bool; 13 hostIPC? bool; 27 shareProcessNamespace bool; 14 securityContext core.PodSecurityContext;
    15 imagePullSecrets? []core.LocalObjectReference; 16 hostname? string; 17 subdomain? string;
    18 affinity core.Affinity; 19 schedulerName? string; 22 tolerations? []core.Toleration;
    23 hostAliases? []core.HostAlias; 24 priorityClassName? string; 25 priority int32; 26 dnsConfig core.PodDNSConfig;
    28 readinessGates? []core.PodReadinessGate; 29 runtimeClassName string; 30 enableServiceLinks bool;
    31 preemptionPolicy string; 32 overhead? {}resource.Quantity;
    33 topologySpreadConstraints? []core.TopologySpreadConstraint; 35 setHostnameAsFQDN bool; 36 os core.PodOS
core.PodTemplateSpec: 1 metadata! meta.ObjectMeta; 2 spec! core.PodSpec
core.PortworxVolumeSource: 1 volumeID! string; 2 fsType? string; 3 readOnly? bool
core.PreferredSchedulingTerm: 1 weight! int32; 2 preference! core.NodeSelectorTerm
core.Probe: 1 - core.ProbeHandler; 2 initialDelaySeconds? int32; 3 timeoutSeconds? int32; 4 periodSeconds? int32;
    5 successThreshold? int32; 6 failureThreshold? int32; 7 terminationGracePeriodSeconds int64
core.ProbeHandler: 1 exec core.ExecAction; 2 httpGet core.HTTPGetAction; 3 tcpSocket core.TCPSocketAction;
    4 grpc core.GRPCAction
core.ProjectedVolumeSource: 1 sources* []core.VolumeProjection; 2 defaultMode int32
core.QuobyteVolumeSource: 1 registry! string; 2 volume! string; 3 readOnly? bool; 4 user? string; 5 group? string;
    6 tenant? string
core.RBDVolumeSource: 1 monitors* []string; 2 image! string; 3 fsType? string; 4 pool? string; 5 user? string;
    6 keyring? string; 7 secretRef core.LocalObjectReference; 8 readOnly? bool
core.ResourceFieldSelector: 1 containerName? string; 2 resource! string; 3 divisor! resource.Quantity
core.ResourceRequirements: 1 limits? {}resource.Quantity; 2 requests? {}resource.Quantity
core.SELinuxOptions: 1 user? string; 2 role? string; 3 type? string; 4 level? string
core.ScaleIOVolumeSource: 1 gateway! string; 2 system! string; 3 secretRef* core.LocalObjectReference;
    4 sslEnabled? bool; 5 protectionDomain? string; 6 storagePool? string; 7 storageMode? string;
    8 volumeName? string; 9 fsType? string; 10 readOnly? bool
core.SeccompProfile: 1 type! string; 2 localhostProfile string
core.SecretEnvSource: 1 - core.LocalObjectReference; 2 optional bool
core.SecretKeySelector: 1 - core.LocalObjectReference; 2 key! string; 3 optional bool
core.SecretProjection: 1 - core.LocalObjectReference; 2 items? []core.KeyToPath; 4 optional bool
core.SecretVolumeSource: 1 secretName? string; 2 items? []core.KeyToPath; 3 defaultMode int32; 4 optional bool
core.SecurityContext: 1 capabilities core.Capabilities; 2 privileged bool; 3 seLinuxOptions core.SELinuxOptions;
    10 windowsOptions core.WindowsSecurityContextOptions; 4 runAsUser int64; 8 runAsGroup int64; 5 runAsNonRoot bool;
    6 readOnlyRootFilesystem bool; 7 allowPrivilegeEscalation bool; 9 procMount string;
    11 seccompProfile core.SeccompProfile
core.ServiceAccountTokenProjection: 1 audience? string; 2 expirationSeconds int64; 3 path! string
core.StorageOSVolumeSource: 1 volumeName? string; 2 volumeNamespace? string; 3 fsType? string; 4 readOnly? bool;
    5 secretRef core.LocalObjectReference
core.Sysctl: 1 name! string; 2 value! string
core.TCPSocketAction: 1 port! intstr.IntOrString; 2 host? string
core.Toleration: 1 key? string; 2 operator? string; 3 value? string; 4 effect? string; 5 tolerationSeconds int64
core.TopologySpreadConstraint: 1 maxSkew! int32; 2 topologyKey! string; 3 whenUnsatisfiable! string;
    4 labelSelector meta.LabelSelector
core.TypedLocalObjectReference: 1 apiGroup* string; 2 kind! string; 3 name! string
core.Volume: 1 name! string; 2 - core.VolumeSource
core.VolumeDevice: 1 name! string; 2 devicePath! string
core.VolumeMount: 1 name! string; 2 readOnly? bool; 3 mountPath! string; 4 subPath? string; 5 mountPropagation string;
    6 subPathExpr? string
core.VolumeProjection: 1 secret core.SecretProjection; 2 downwardAPI core.DownwardAPIProjection;
    3 configMap core.ConfigMapProjection; 4 serviceAccountToken core.ServiceAccountTokenProjection
core.VolumeSource: 1 hostPath core.HostPathVolumeSource; 2 emptyDir core.EmptyDirVolumeSource;
    3 gcePersistentDisk core.GCEPersistentDiskVolumeSource;
    4 awsElasticBlockStore core.AWSElasticBlockStoreVolumeSource; 5 gitRepo core.GitRepoVolumeSource;
    6 secret core.SecretVolumeSource; 7 nfs core.NFSVolumeSource; 8 iscsi core.ISCSIVolumeSource;
    9 glusterfs core.GlusterfsVolumeSource; 10 persistentVolumeClaim core.PersistentVolumeClaimVolumeSource;
    11 rbd core.RBDVolumeSource; 12 flexVolume core.FlexVolumeSource; 13 cinder core.CinderVolumeSource;
    14 cephfs core.CephFSVolumeSource; 15 flocker core.FlockerVolumeSource; 16 downwardAPI core.DownwardAPIVolumeSource;
    17 fc core.FCVolumeSource; 18 azureFile core.AzureFileVolumeSource; 19 configMap core.ConfigMapVolumeSource;
    20 vsphereVolume core.VsphereVirtualDiskVolumeSource; 21 quobyte core.QuobyteVolumeSource;
    22 azureDisk core.AzureDiskVolumeSource; 23 photonPersistentDisk core.PhotonPersistentDiskVolumeSource;
    26 projected core.ProjectedVolumeSource; 24 portworxVolume core.PortworxVolumeSource;
    25 scaleIO core.ScaleIOVolumeSource; 27 storageos core.StorageOSVolumeSource; 28 csi core.CSIVolumeSource;
    29 ephemeral core.EphemeralVolumeSource
core.VsphereVirtualDiskVolumeSource: 1 volumePath! string; 2 fsType? string; 3 storagePolicyName? string;
    4 storagePolicyID? string
core.WeightedPodAffinityTerm: 1 weight! int32; 2 podAffinityTerm! core.PodAffinityTerm
core.WindowsSecurityContextOptions: 1 gmsaCredentialSpecName string; 2 gmsaCredentialSpec string;
    3 runAsUserName string; 4 hostProcess bool
"""
