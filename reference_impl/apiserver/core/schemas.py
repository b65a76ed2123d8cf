"""Our own OpenAPI v2 definitions of the served kinds and the types they reference, as one table.

Property names, types, formats, required fields and the strategic-merge metadata
(`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`) are facts of the Kubernetes API;
the descriptions are our own one-line summaries. kubectl reads these definitions for client-side
validation (an unknown field in a described object is an error), for `kubectl explain`, and for the
merge keys of the patches `kubectl apply` computes; the server reads the same merge keys.

A type we do not describe field by field is `opaque`: no `type` and no `properties`, which kubectl
parses as an arbitrary value and accepts whatever it holds (it does not act on
`x-kubernetes-preserve-unknown-fields` in v2 documents; the marker is there for other readers).
"""
from __future__ import annotations

from typing import Any

CORE = "io.k8s.api.core.v1."
APPS = "io.k8s.api.apps.v1."
COORDINATION = "io.k8s.api.coordination.v1."
RBAC = "io.k8s.api.rbac.v1."
AUTOSCALING = "io.k8s.api.autoscaling.v1."
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
REF_PREFIX = "#/definitions/"

# --- builders ----------------------------------------------------------------------------------


def _described(schema: dict, description: str) -> dict:
    return {**schema, "description": description} if description else schema


def string(description: str, format: str = "") -> dict:
    return _described({"type": "string", **({"format": format} if format else {})}, description)


def integer(description: str, format: str = "int32") -> dict:
    return _described({"type": "integer", "format": format}, description)


def boolean(description: str) -> dict:
    return _described({"type": "boolean"}, description)


def ref(name: str, description: str = "") -> dict:
    return _described({"$ref": REF_PREFIX + name}, description)


def strings(description: str) -> dict:
    return arr(string(""), description)


def string_map(description: str, format: str = "") -> dict:
    return _described({"type": "object", "additionalProperties": string("", format)}, description)


def quantity_map(description: str) -> dict:
    return _described({"type": "object", "additionalProperties": ref(QUANTITY)}, description)


def arr(item: dict, description: str, merge_key: str = "", strategy: str = "") -> dict:
    """An array; with a merge key (or a strategy), a strategic merge merges it instead of replacing it."""
    schema = _described({"type": "array", "items": item}, description)
    if merge_key or strategy:
        schema["x-kubernetes-patch-strategy"] = strategy or "merge"
    if merge_key:
        schema["x-kubernetes-patch-merge-key"] = merge_key
    return schema


def obj(description: str, required: tuple[str, ...] = (), **properties: dict) -> dict:
    schema: dict[str, Any] = {"type": "object", "description": description, "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def opaque(description: str) -> dict:
    """An object we do not describe field by field: any content is accepted."""
    return {"description": description, "x-kubernetes-preserve-unknown-fields": True}


def _gvk(group: str, version: str, kind: str) -> dict:
    return {"x-kubernetes-group-version-kind": [{"group": group, "kind": kind, "version": version}]}


def kind(group: str, version: str, name: str, description: str, required: tuple[str, ...] = (),
         **properties: dict) -> dict:
    """A top-level kind: apiVersion, kind and metadata, then its own properties."""
    schema = obj(description, required,
                 apiVersion=string("The versioned schema of this object, e.g. `v1` or `apps/v1`."),
                 kind=string("The kind of this object, in CamelCase."),
                 metadata=ref(META + "ObjectMeta", "Standard object metadata."), **properties)
    return {**schema, **_gvk(group, version, name)}


def list_kind(group: str, version: str, definition: str) -> dict:
    """The `<Kind>List` of a kind: apiVersion, kind, list metadata and its items."""
    name = definition.rsplit(".", 1)[1]
    schema = obj(f"A list of {name} objects.", ("items",),
                 apiVersion=string("The versioned schema of this list."),
                 items=arr(ref(definition), f"The {name} objects."),
                 kind=string("The kind of this list."),
                 metadata=ref(META + "ListMeta", "Standard list metadata."))
    return {**schema, **_gvk(group, version, name + "List")}


def references(schema: Any) -> set[str]:
    """The definition names a schema node refers to, at any depth."""
    if isinstance(schema, dict):
        found = {schema["$ref"].removeprefix(REF_PREFIX)} if isinstance(schema.get("$ref"), str) else set()
        return found.union(*(references(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(references(item) for item in schema))
    return set()


def _conditions(name: str) -> dict:
    return arr(ref(name), "Observations of the object's current state, one per condition type.", merge_key="type")


# --- meta/v1 and the value types ---------------------------------------------------------------

_META = {
    META + "ObjectMeta": obj(
        "Metadata every persisted object carries.",
        annotations=string_map("Arbitrary non-identifying key/value data for tools."),
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
    META + "OwnerReference": obj(
        "Names an owning object, which must be in the same namespace.", ("apiVersion", "kind", "name", "uid"),
        apiVersion=string("API version of the owner."),
        blockOwnerDeletion=boolean("Whether the owner waits for this object in foreground deletion."),
        controller=boolean("Whether the owner is the managing controller."),
        kind=string("Kind of the owner."),
        name=string("Name of the owner."),
        uid=string("UID of the owner.")),
    META + "ManagedFieldsEntry": opaque("One field manager's set of owned fields."),
    META + "LabelSelector": obj(
        "A label query; all of its terms must match. An empty selector matches everything.",
        matchExpressions=arr(ref(META + "LabelSelectorRequirement"), "Set-based requirements."),
        matchLabels=string_map("Labels that must be present with exactly these values.")),
    META + "LabelSelectorRequirement": obj(
        "One set-based requirement on a label.", ("key", "operator"),
        key=string("The label key."),
        operator=string("One of In, NotIn, Exists, DoesNotExist."),
        values=strings("Values for In and NotIn; empty for Exists and DoesNotExist.")),
    META + "Condition": obj(
        "A generic condition of an object's state.", ("lastTransitionTime", "message", "reason", "status", "type"),
        lastTransitionTime=ref(META + "Time", "When the status last changed."),
        message=string("Human-readable details."),
        observedGeneration=integer("The generation the condition was computed for.", "int64"),
        reason=string("CamelCase reason for the last transition."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    META + "Time": string("A timestamp in RFC 3339 form, to the second.", "date-time"),
    META + "MicroTime": string("A timestamp in RFC 3339 form, to the microsecond.", "date-time"),
    INT_OR_STRING: string("Either an integer or a string, e.g. a port number or name, or a percentage.",
                          "int-or-string"),
    QUANTITY: string("A decimal amount with an optional SI or binary suffix, e.g. `100m`, `1Gi`."),
}

# --- core/v1: pods and their parts -------------------------------------------------------------

_PODS = {
    CORE + "Pod": kind("", "v1", "Pod", "A group of containers scheduled together on one node.",
                       spec=ref(CORE + "PodSpec", "The desired behaviour of the pod."),
                       status=ref(CORE + "PodStatus", "The observed state of the pod; set by the system.")),
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
        nodeSelector=string_map("Labels a node must have to run the pod."),
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
                                      "How the pods spread across topology domains.", merge_key="topologyKey"),
        volumes=arr(ref(CORE + "Volume"), "Volumes the containers may mount.", merge_key="name",
                    strategy="merge,retainKeys")),
    CORE + "Container": obj(
        "One container of a pod.", ("name",),
        args=strings("Arguments to the entrypoint."),
        command=strings("The entrypoint, replacing the image's."),
        env=arr(ref(CORE + "EnvVar"), "Environment variables.", merge_key="name"),
        envFrom=arr(ref(CORE + "EnvFromSource"), "Sources of many environment variables at once."),
        image=string("The container image."),
        imagePullPolicy=string("Always, Never or IfNotPresent."),
        lifecycle=ref(CORE + "Lifecycle", "Hooks run after start and before stop."),
        livenessProbe=ref(CORE + "Probe", "Check that restarts the container when it fails."),
        name=string("Name of the container, unique in the pod."),
        ports=arr(ref(CORE + "ContainerPort"), "Ports the container exposes.", merge_key="containerPort"),
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
        workingDir=string("Working directory; defaults to the image's.")),
    CORE + "ContainerPort": obj(
        "A network port of a container.", ("containerPort",),
        containerPort=integer("Port number on the pod's IP."),
        hostIP=string("Host IP to bind a host port to."),
        hostPort=integer("Port number on the host."),
        name=string("Name services can refer to the port by."),
        protocol=string("TCP, UDP or SCTP; defaults to TCP.")),
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
    CORE + "PodStatus": obj(
        "The observed state of a pod.",
        conditions=_conditions(CORE + "PodCondition"),
        containerStatuses=arr(ref(CORE + "ContainerStatus"), "One entry per container."),
        ephemeralContainerStatuses=arr(ref(CORE + "ContainerStatus"), "One entry per ephemeral container."),
        hostIP=string("IP of the node running the pod."),
        initContainerStatuses=arr(ref(CORE + "ContainerStatus"), "One entry per init container."),
        message=string("Why the pod is in its phase."),
        nominatedNodeName=string("Node the pod is expected to run on after preemption."),
        phase=string("Pending, Running, Succeeded, Failed or Unknown."),
        podIP=string("The pod's IP address."),
        podIPs=arr(ref(CORE + "PodIP"), "All of the pod's IP addresses.", merge_key="ip"),
        qosClass=string("Guaranteed, Burstable or BestEffort."),
        reason=string("CamelCase reason for the pod's state."),
        startTime=ref(META + "Time", "When the kubelet acknowledged the pod.")),
    CORE + "PodIP": obj("One IP address of a pod.", ip=string("The address.")),
}

# Parts of a pod we accept as they come, without describing their fields.
_PODS.update({CORE + name: opaque(description) for name, description in (
    ("Affinity", "Node affinity, pod affinity and pod anti-affinity rules."),
    ("PodDNSConfig", "Nameservers, search domains and resolver options."),
    ("EphemeralContainer", "A debugging container added to a running pod."),
    ("HostAlias", "An IP address and the hostnames for it."),
    ("PodOS", "The operating system of a pod."),
    ("PodReadinessGate", "A condition type that must be true for readiness."),
    ("PodSecurityContext", "Security settings applied to every container of a pod."),
    ("TopologySpreadConstraint", "How far pods may be unevenly spread across a topology."),
    ("Volume", "A named volume and its source."),
    ("EnvFromSource", "A ConfigMap or Secret whose keys become environment variables."),
    ("Lifecycle", "Handlers run after a container starts and before it stops."),
    ("Probe", "A health check: an exec, HTTP, TCP or gRPC action and its timings."),
    ("SecurityContext", "Security settings of one container."),
    ("VolumeDevice", "A raw block volume mapped into a container."),
    ("EnvVarSource", "A field, resource, ConfigMap key or Secret key to read a value from."),
    ("PodCondition", "One condition of a pod, e.g. Ready."),
    ("ContainerStatus", "The state of one container."),
)})

# --- core/v1: the other served kinds -----------------------------------------------------------

_CORE = {
    CORE + "Namespace": kind("", "v1", "Namespace", "A scope for names of namespaced objects.",
                             spec=ref(CORE + "NamespaceSpec", "The desired state of the namespace."),
                             status=ref(CORE + "NamespaceStatus", "The observed state of the namespace.")),
    CORE + "NamespaceSpec": obj("The desired state of a namespace.",
                                finalizers=strings("What must finish before the namespace is removed.")),
    CORE + "NamespaceStatus": obj("The observed state of a namespace.",
                                  conditions=_conditions(CORE + "NamespaceCondition"),
                                  phase=string("Active or Terminating.")),
    CORE + "NamespaceCondition": opaque("One condition of a namespace."),
    CORE + "Node": kind("", "v1", "Node", "A worker machine.",
                        spec=ref(CORE + "NodeSpec", "How the node is configured."),
                        status=ref(CORE + "NodeStatus", "The observed state of the node.")),
    CORE + "NodeSpec": obj(
        "How a node is configured.",
        configSource=opaque("Deprecated dynamic kubelet configuration."),
        externalID=string("Deprecated."),
        podCIDR=string("The pod IP range of the node."),
        podCIDRs=arr(string(""), "The pod IP ranges of the node, one per family.", strategy="merge"),
        providerID=string("The cloud provider's id of the node."),
        taints=arr(ref(CORE + "Taint"), "Taints that repel pods without a toleration."),
        unschedulable=boolean("Keep new pods off the node.")),
    CORE + "Taint": obj(
        "Repels pods that do not tolerate it.", ("effect", "key"),
        effect=string("NoSchedule, PreferNoSchedule or NoExecute."),
        key=string("The taint key."),
        timeAdded=ref(META + "Time", "When a NoExecute taint was added."),
        value=string("The taint value.")),
    CORE + "NodeStatus": obj(
        "The observed state of a node.",
        addresses=arr(ref(CORE + "NodeAddress"), "Addresses the node is reachable at.", merge_key="type"),
        allocatable=quantity_map("Resources available to pods."),
        capacity=quantity_map("Total resources of the node."),
        conditions=_conditions(CORE + "NodeCondition"),
        config=opaque("Status of dynamic kubelet configuration."),
        daemonEndpoints=opaque("Ports of the node's daemons."),
        images=arr(opaque("An image present on the node."), "Images present on the node."),
        nodeInfo=ref(CORE + "NodeSystemInfo", "Versions and ids reported by the node."),
        phase=string("Deprecated."),
        volumesAttached=arr(opaque("An attached volume."), "Volumes attached to the node."),
        volumesInUse=strings("Volumes in use on the node.")),
    CORE + "NodeAddress": obj("One address of a node.", ("address", "type"),
                              address=string("The address."), type=string("Hostname, InternalIP or ExternalIP.")),
    CORE + "NodeCondition": opaque("One condition of a node, e.g. Ready."),
    CORE + "NodeSystemInfo": opaque("Kernel, OS, runtime and kubelet versions of a node."),
    CORE + "Service": kind("", "v1", "Service", "A stable name and address for a set of pods.",
                           spec=ref(CORE + "ServiceSpec", "The desired behaviour of the service."),
                           status=ref(CORE + "ServiceStatus", "The observed state of the service.")),
    CORE + "ServiceSpec": obj(
        "The desired behaviour of a service.",
        allocateLoadBalancerNodePorts=boolean("Whether a LoadBalancer service gets node ports."),
        clusterIP=string("The virtual IP; `None` makes a headless service."),
        clusterIPs=strings("The virtual IPs, one per family."),
        externalIPs=strings("Extra IPs the nodes accept traffic for."),
        externalName=string("DNS name an ExternalName service aliases."),
        externalTrafficPolicy=string("Cluster or Local routing of external traffic."),
        healthCheckNodePort=integer("Health check node port for Local external traffic."),
        internalTrafficPolicy=string("Cluster or Local routing of in-cluster traffic."),
        ipFamilies=strings("IP families of the service, e.g. IPv4."),
        ipFamilyPolicy=string("SingleStack, PreferDualStack or RequireDualStack."),
        loadBalancerClass=string("Which load balancer implementation serves it."),
        loadBalancerIP=string("Requested load balancer IP."),
        loadBalancerSourceRanges=strings("Client CIDRs a load balancer admits."),
        ports=arr(ref(CORE + "ServicePort"), "The ports the service exposes.", merge_key="port"),
        publishNotReadyAddresses=boolean("Publish addresses of pods that are not ready."),
        selector=string_map("Labels of the pods that receive the traffic."),
        sessionAffinity=string("ClientIP or None."),
        sessionAffinityConfig=opaque("Settings of client IP session affinity."),
        type=string("ClusterIP, NodePort, LoadBalancer or ExternalName.")),
    CORE + "ServicePort": obj(
        "One port of a service.", ("port",),
        appProtocol=string("The application protocol on the port."),
        name=string("Name of the port; required when there are several."),
        nodePort=integer("Port on every node for NodePort and LoadBalancer services."),
        port=integer("Port number the service exposes."),
        protocol=string("TCP, UDP or SCTP; defaults to TCP."),
        targetPort=ref(INT_OR_STRING, "Port number or name on the pods; defaults to `port`.")),
    CORE + "ServiceStatus": obj(
        "The observed state of a service.",
        conditions=_conditions(META + "Condition"),
        loadBalancer=opaque("Ingress points of the load balancer.")),
    CORE + "Endpoints": kind("", "v1", "Endpoints", "The addresses that back a service.",
                             subsets=arr(ref(CORE + "EndpointSubset"), "Groups of addresses sharing ports.")),
    CORE + "EndpointSubset": obj(
        "Addresses that share one set of ports.",
        addresses=arr(ref(CORE + "EndpointAddress"), "Ready addresses."),
        notReadyAddresses=arr(ref(CORE + "EndpointAddress"), "Addresses not ready yet."),
        ports=arr(ref(CORE + "EndpointPort"), "The ports of these addresses.")),
    CORE + "EndpointAddress": obj(
        "One endpoint address.", ("ip",),
        hostname=string("Hostname of the endpoint."),
        ip=string("IP of the endpoint."),
        nodeName=string("Node hosting the endpoint."),
        targetRef=ref(CORE + "ObjectReference", "The object behind the endpoint, usually a pod.")),
    CORE + "EndpointPort": obj(
        "One port of an endpoint subset.", ("port",),
        appProtocol=string("The application protocol on the port."),
        name=string("Name matching the service port's name."),
        port=integer("Port number."),
        protocol=string("TCP, UDP or SCTP.")),
    CORE + "ObjectReference": obj(
        "Points at another object.",
        apiVersion=string("API version of the object."),
        fieldPath=string("A field inside the object, when the reference is to part of it."),
        kind=string("Kind of the object."),
        name=string("Name of the object."),
        namespace=string("Namespace of the object."),
        resourceVersion=string("A specific version of the object."),
        uid=string("UID of the object.")),
    CORE + "LocalObjectReference": obj("Points at an object in the same namespace.",
                                       name=string("Name of the object.")),
    CORE + "ServiceAccount": kind(
        "", "v1", "ServiceAccount", "An identity for processes in pods.",
        automountServiceAccountToken=boolean("Whether pods mount the account's token by default."),
        imagePullSecrets=arr(ref(CORE + "LocalObjectReference"), "Secrets pods of this account pull images with."),
        secrets=arr(ref(CORE + "ObjectReference"), "Secrets pods of this account may use.", merge_key="name")),
    CORE + "Secret": kind(
        "", "v1", "Secret", "A small amount of sensitive data.",
        data=string_map("Base64-encoded values by key.", "byte"),
        immutable=boolean("Forbid changes to the data."),
        stringData=string_map("Plain-text values merged into `data` on write."),
        type=string("How the data is used, e.g. Opaque.")),
    CORE + "ConfigMap": kind(
        "", "v1", "ConfigMap", "Non-confidential configuration as key/value pairs.",
        binaryData=string_map("Base64-encoded binary values by key.", "byte"),
        data=string_map("UTF-8 values by key."),
        immutable=boolean("Forbid changes to the data.")),
    CORE + "Event": kind(
        "", "v1", "Event", "A report of something that happened to an object.", ("involvedObject", "metadata"),
        action=string("What was done or failed."),
        count=integer("How many times the event occurred."),
        eventTime=ref(META + "MicroTime", "When the event first happened."),
        firstTimestamp=ref(META + "Time", "First time the event happened."),
        involvedObject=ref(CORE + "ObjectReference", "Involved object."),
        lastTimestamp=ref(META + "Time", "When the event was last recorded."),
        message=string("Human-readable description."),
        reason=string("Short CamelCase reason."),
        related=ref(CORE + "ObjectReference", "A second object involved."),
        reportingComponent=string("The controller that emitted the event."),
        reportingInstance=string("The instance of that controller."),
        series=opaque("Data on a series of repeated events."),
        source=opaque("The component and host that reported the event."),
        type=string("Normal or Warning.")),
    CORE + "Binding": kind("", "v1", "Binding", "Binds a pod to a node.", ("target",),
                           target=ref(CORE + "ObjectReference", "The node to bind to.")),
}

# --- apps/v1 -----------------------------------------------------------------------------------

_APPS = {
    APPS + "Deployment": kind("apps", "v1", "Deployment", "Declarative rollouts of a replicated pod template.",
                              spec=ref(APPS + "DeploymentSpec", "The desired state of the deployment."),
                              status=ref(APPS + "DeploymentStatus", "The observed state of the deployment.")),
    APPS + "DeploymentSpec": obj(
        "The desired state of a deployment.", ("selector", "template"),
        minReadySeconds=integer("Seconds a new pod must be ready to count as available."),
        paused=boolean("Stop rolling out changes."),
        progressDeadlineSeconds=integer("Seconds before a stalled rollout is reported as failed."),
        replicas=integer("Number of desired pods; defaults to 1."),
        revisionHistoryLimit=integer("Old ReplicaSets kept for rollback; defaults to 10."),
        selector=ref(META + "LabelSelector", "Selects the pods the deployment manages; must match the template."),
        strategy=ref(APPS + "DeploymentStrategy", "How old pods are replaced by new ones."),
        template=ref(CORE + "PodTemplateSpec", "The pods to create.")),
    APPS + "DeploymentStrategy": obj(
        "How a deployment replaces pods.",
        rollingUpdate=ref(APPS + "RollingUpdateDeployment", "Settings of a RollingUpdate."),
        type=string("Recreate or RollingUpdate.")),
    APPS + "RollingUpdateDeployment": obj(
        "Bounds of a rolling update.",
        maxSurge=ref(INT_OR_STRING, "Pods allowed above the desired count, a number or a percentage."),
        maxUnavailable=ref(INT_OR_STRING, "Pods allowed to be unavailable, a number or a percentage.")),
    APPS + "DeploymentStatus": obj(
        "The observed state of a deployment.",
        availableReplicas=integer("Pods available for at least minReadySeconds."),
        collisionCount=integer("Hash collisions seen when naming ReplicaSets."),
        conditions=_conditions(APPS + "DeploymentCondition"),
        observedGeneration=integer("The generation the controller last acted on.", "int64"),
        readyReplicas=integer("Pods that are ready."),
        replicas=integer("Pods of all the deployment's ReplicaSets."),
        unavailableReplicas=integer("Pods still needed to reach the desired count."),
        updatedReplicas=integer("Pods running the current template.")),
    APPS + "DeploymentCondition": opaque("One condition of a deployment, e.g. Available."),
    APPS + "ReplicaSet": kind("apps", "v1", "ReplicaSet", "Keeps a number of identical pods running.",
                              spec=ref(APPS + "ReplicaSetSpec", "The desired state of the ReplicaSet."),
                              status=ref(APPS + "ReplicaSetStatus", "The observed state of the ReplicaSet.")),
    APPS + "ReplicaSetSpec": obj(
        "The desired state of a ReplicaSet.", ("selector",),
        minReadySeconds=integer("Seconds a new pod must be ready to count as available."),
        replicas=integer("Number of desired pods; defaults to 1."),
        selector=ref(META + "LabelSelector", "Selects the pods the ReplicaSet counts."),
        template=ref(CORE + "PodTemplateSpec", "The pods to create when there are too few.")),
    APPS + "ReplicaSetStatus": obj(
        "The observed state of a ReplicaSet.", ("replicas",),
        availableReplicas=integer("Pods available for at least minReadySeconds."),
        conditions=_conditions(APPS + "ReplicaSetCondition"),
        fullyLabeledReplicas=integer("Pods whose labels match the template's."),
        observedGeneration=integer("The generation the controller last acted on.", "int64"),
        readyReplicas=integer("Pods that are ready."),
        replicas=integer("Pods the ReplicaSet currently has.")),
    APPS + "ReplicaSetCondition": opaque("One condition of a ReplicaSet."),
}

# --- coordination, rbac, autoscaling -----------------------------------------------------------

_OTHERS = {
    COORDINATION + "Lease": kind("coordination.k8s.io", "v1", "Lease", "A lock held by one holder for a time.",
                                 spec=ref(COORDINATION + "LeaseSpec", "The holder and timing of the lease.")),
    COORDINATION + "LeaseSpec": obj(
        "Who holds a lease and until when.",
        acquireTime=ref(META + "MicroTime", "When the current holder took the lease."),
        holderIdentity=string("The current holder."),
        leaseDurationSeconds=integer("How long a holder may go without renewing."),
        leaseTransitions=integer("How many times the holder changed."),
        renewTime=ref(META + "MicroTime", "When the holder last renewed.")),
    RBAC + "Role": kind("rbac.authorization.k8s.io", "v1", "Role", "Permissions within one namespace.",
                        rules=arr(ref(RBAC + "PolicyRule"), "The permissions granted.")),
    RBAC + "ClusterRole": kind("rbac.authorization.k8s.io", "v1", "ClusterRole",
                               "Permissions across the cluster, or a reusable set of them.",
                               aggregationRule=opaque("Selects ClusterRoles whose rules are combined into this one."),
                               rules=arr(ref(RBAC + "PolicyRule"), "The permissions granted.")),
    RBAC + "RoleBinding": kind("rbac.authorization.k8s.io", "v1", "RoleBinding",
                               "Grants a role's permissions in one namespace.", ("roleRef",),
                               roleRef=ref(RBAC + "RoleRef", "The role granted; cannot change."),
                               subjects=arr(ref(RBAC + "Subject"), "Who is granted the role.")),
    RBAC + "ClusterRoleBinding": kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding",
                                      "Grants a cluster role's permissions cluster-wide.", ("roleRef",),
                                      roleRef=ref(RBAC + "RoleRef", "The cluster role granted; cannot change."),
                                      subjects=arr(ref(RBAC + "Subject"), "Who is granted the role.")),
    RBAC + "PolicyRule": obj(
        "Verbs allowed on resources or non-resource URLs.", ("verbs",),
        apiGroups=strings("API groups of the resources; `\"\"` is the core group."),
        nonResourceURLs=strings("URL paths allowed, for cluster roles."),
        resourceNames=strings("Object names the rule is limited to."),
        resources=strings("Resources the rule applies to; `*` for all."),
        verbs=strings("Verbs allowed; `*` for all.")),
    RBAC + "Subject": obj(
        "A user, group or service account.", ("kind", "name"),
        apiGroup=string("API group of the subject kind."),
        kind=string("User, Group or ServiceAccount."),
        name=string("Name of the subject."),
        namespace=string("Namespace of a service account.")),
    RBAC + "RoleRef": obj(
        "The role a binding grants.", ("apiGroup", "kind", "name"),
        apiGroup=string("API group of the role."),
        kind=string("Role or ClusterRole."),
        name=string("Name of the role.")),
    AUTOSCALING + "Scale": kind("autoscaling", "v1", "Scale", "The scale subresource of a scalable kind.",
                                spec=ref(AUTOSCALING + "ScaleSpec", "The desired scale."),
                                status=ref(AUTOSCALING + "ScaleStatus", "The current scale.")),
    AUTOSCALING + "ScaleSpec": obj("The desired scale.", replicas=integer("Number of desired instances.")),
    AUTOSCALING + "ScaleStatus": obj("The current scale.", ("replicas",),
                                     replicas=integer("Number of observed instances."),
                                     selector=string("Label selector of the instances, as a string.")),
}

# The kinds that have a served list, by group/version.
_LISTED = (("", "v1", CORE, ("Namespace", "Pod", "Node", "Service", "Endpoints", "ServiceAccount", "Secret",
                             "ConfigMap", "Event")),
           ("apps", "v1", APPS, ("Deployment", "ReplicaSet")),
           ("coordination.k8s.io", "v1", COORDINATION, ("Lease",)),
           ("rbac.authorization.k8s.io", "v1", RBAC, ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")))

DEFINITIONS: dict[str, dict] = {**_META, **_PODS, **_CORE, **_APPS, **_OTHERS}
DEFINITIONS.update({prefix + name + "List": list_kind(group, version, prefix + name)
                    for group, version, prefix, names in _LISTED for name in names})
DEFINITIONS = dict(sorted(DEFINITIONS.items()))
