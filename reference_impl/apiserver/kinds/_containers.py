"""The parts of a container: probes and lifecycle hooks, security contexts, the sources of
environment variables, an ephemeral container, and a container's status."""
from __future__ import annotations

from reference_impl.apiserver.core.schemas import (CORE, INT_OR_STRING, META, QUANTITY, arr, atomic, boolean,
                                                   integer, obj, ref, string, strings)
from reference_impl.apiserver.kinds._podspec import CONTAINER_FIELDS

DEFINITIONS = {
    CORE + "Probe": obj(
        "A health check: an exec, HTTP, TCP or gRPC action and its timings.",
        exec=ref(CORE + "ExecAction", "Run a command."),
        failureThreshold=integer("Consecutive failures after which the probe counts as failed; defaults to 3."),
        grpc=ref(CORE + "GRPCAction", "Call a gRPC health check."),
        httpGet=ref(CORE + "HTTPGetAction", "Send an HTTP GET."),
        initialDelaySeconds=integer("Seconds after the container starts before the probe first runs."),
        periodSeconds=integer("Seconds between probes; defaults to 10."),
        successThreshold=integer("Consecutive successes after a failure for the probe to pass; defaults to 1."),
        tcpSocket=ref(CORE + "TCPSocketAction", "Open a TCP connection."),
        terminationGracePeriodSeconds=integer("Grace period when the probe fails; overrides the pod's.", "int64"),
        timeoutSeconds=integer("Seconds after which the probe times out; defaults to 1.")),
    CORE + "ExecAction": obj(
        "A command run in the container.",
        command=strings("Command to run in the container, not in a shell; exit status 0 is success.")),
    CORE + "HTTPGetAction": obj(
        "An HTTP GET request sent to the container.", ("port",),
        host=string("Host to connect to; defaults to the pod's IP."),
        httpHeaders=arr(ref(CORE + "HTTPHeader"), "Headers to send with the request."),
        path=string("Path to request."),
        port=ref(INT_OR_STRING, "Port number or name."),
        scheme=string("HTTP or HTTPS; defaults to HTTP.")),
    CORE + "HTTPHeader": obj(
        "A header of an HTTP probe's request.", ("name", "value"),
        name=string("Header name."),
        value=string("Header value.")),
    CORE + "TCPSocketAction": obj(
        "A TCP connection opened to the container.", ("port",),
        host=string("Host to connect to; defaults to the pod's IP."),
        port=ref(INT_OR_STRING, "Port number or name.")),
    CORE + "GRPCAction": obj(
        "A gRPC health check of the container.", ("port",),
        port=integer("Port number of the gRPC service."),
        service=string("Service name in the gRPC health check request; empty checks the server.")),
    CORE + "Lifecycle": obj(
        "Handlers run after a container starts and before it stops.",
        postStart=ref(CORE + "LifecycleHandler", "Run right after the container is created."),
        preStop=ref(CORE + "LifecycleHandler", "Run before the container is stopped.")),
    CORE + "LifecycleHandler": obj(
        "What a lifecycle hook does: an exec, HTTP or TCP action.",
        exec=ref(CORE + "ExecAction", "Run a command."),
        httpGet=ref(CORE + "HTTPGetAction", "Send an HTTP GET."),
        tcpSocket=ref(CORE + "TCPSocketAction", "Open a TCP connection (deprecated; kept for compatibility).")),
    CORE + "SecurityContext": obj(
        "Security settings of one container.",
        allowPrivilegeEscalation=boolean("Whether a process may gain more privileges than its parent."),
        capabilities=ref(CORE + "Capabilities", "Linux capabilities added and dropped."),
        privileged=boolean("Run the container privileged."),
        procMount=string("Kind of /proc mount: Default or Unmasked."),
        readOnlyRootFilesystem=boolean("Mount the container's root filesystem read-only."),
        runAsGroup=integer("Group id the container's process runs as.", "int64"),
        runAsNonRoot=boolean("Refuse to start a container whose user is root."),
        runAsUser=integer("User id the container's process runs as.", "int64"),
        seLinuxOptions=ref(CORE + "SELinuxOptions", "The SELinux context applied."),
        seccompProfile=ref(CORE + "SeccompProfile", "The seccomp profile applied."),
        windowsOptions=ref(CORE + "WindowsSecurityContextOptions", "Windows-specific settings.")),
    CORE + "PodSecurityContext": obj(
        "Security settings applied to every container of a pod.",
        fsGroup=integer("Group owning the pod's volumes, added to every container's groups.", "int64"),
        fsGroupChangePolicy=string("When the volumes' ownership is changed: OnRootMismatch or Always."),
        runAsGroup=integer("Group id the container's process runs as.", "int64"),
        runAsNonRoot=boolean("Refuse to start a container whose user is root."),
        runAsUser=integer("User id the container's process runs as.", "int64"),
        seLinuxOptions=ref(CORE + "SELinuxOptions", "The SELinux context applied."),
        seccompProfile=ref(CORE + "SeccompProfile", "The seccomp profile applied."),
        supplementalGroups=arr(integer("", "int64"), "Groups added to every container's process."),
        sysctls=arr(ref(CORE + "Sysctl"), "Namespaced kernel parameters set for the pod."),
        windowsOptions=ref(CORE + "WindowsSecurityContextOptions", "Windows-specific settings.")),
    CORE + "Capabilities": obj(
        "Linux capabilities added and dropped.",
        add=strings("Capabilities to add."),
        drop=strings("Capabilities to drop.")),
    CORE + "SELinuxOptions": obj(
        "The SELinux label applied.",
        level=string("SELinux level label."),
        role=string("SELinux role label."),
        type=string("SELinux type label."),
        user=string("SELinux user label.")),
    CORE + "SeccompProfile": obj(
        "The seccomp profile applied.", ("type",),
        localhostProfile=string("Profile file on the node, relative to the kubelet's seccomp directory."),
        type=string("RuntimeDefault, Unconfined or Localhost.")),
    CORE + "WindowsSecurityContextOptions": obj(
        "Windows-specific security settings.",
        gmsaCredentialSpec=string("The GMSA credential spec's contents."),
        gmsaCredentialSpecName=string("Name of the GMSACredentialSpec to use."),
        hostProcess=boolean("Whether the container runs as a host process."),
        runAsUserName=string("Windows user name the container's process runs as.")),
    CORE + "Sysctl": obj(
        "A kernel parameter set for the pod.", ("name", "value"),
        name=string("Name of the kernel parameter."),
        value=string("Value to set.")),
    CORE + "EnvVarSource": obj(
        "A field, resource, ConfigMap key or Secret key to read a value from.",
        configMapKeyRef=ref(CORE + "ConfigMapKeySelector", "A key of a ConfigMap."),
        fieldRef=ref(CORE + "ObjectFieldSelector", "A field of the pod."),
        resourceFieldRef=ref(CORE + "ResourceFieldSelector", "A resource limit or request of the container."),
        secretKeyRef=ref(CORE + "SecretKeySelector", "A key of a Secret.")),
    CORE + "ObjectFieldSelector": atomic(obj(
        "A field of the pod.", ("fieldPath",),
        apiVersion=string("Version of the schema the field path is written in; defaults to v1."),
        fieldPath=string("Path of the field to select."))),
    CORE + "ResourceFieldSelector": atomic(obj(
        "A resource limit or request of a container.", ("resource",),
        containerName=string("Container whose resource is read; required for volumes."),
        divisor=ref(QUANTITY, "Unit the value is expressed in; defaults to 1."),
        resource=string("Resource to select, e.g. limits.cpu."))),
    CORE + "ConfigMapKeySelector": atomic(obj(
        "One key of a ConfigMap.", ("key",),
        key=string("The key to select."),
        name=string("Name of the ConfigMap."),
        optional=boolean("Whether the object or its keys may be missing."))),
    CORE + "SecretKeySelector": atomic(obj(
        "One key of a Secret.", ("key",),
        key=string("The key to select."),
        name=string("Name of the Secret."),
        optional=boolean("Whether the object or its keys may be missing."))),
    CORE + "EnvFromSource": obj(
        "A ConfigMap or Secret whose keys become environment variables.",
        configMapRef=ref(CORE + "ConfigMapEnvSource", "The ConfigMap to read."),
        prefix=string("Prefix added to every variable name."),
        secretRef=ref(CORE + "SecretEnvSource", "The Secret to read.")),
    CORE + "ConfigMapEnvSource": obj(
        "A ConfigMap whose keys become environment variables.",
        name=string("Name of the ConfigMap."),
        optional=boolean("Whether the object or its keys may be missing.")),
    CORE + "SecretEnvSource": obj(
        "A Secret whose keys become environment variables.",
        name=string("Name of the Secret."),
        optional=boolean("Whether the object or its keys may be missing.")),
    CORE + "EphemeralContainer": obj("A debugging container added to a running pod.", ("name",), **dict(sorted({
        **CONTAINER_FIELDS,
        "targetContainerName": string("Container whose namespaces the ephemeral container joins.")}.items()))),
    CORE + "ContainerStatus": obj(
        "The state of one container.", ("image", "imageID", "name", "ready", "restartCount"),
        containerID=string("Id of the container, as `<runtime>://<id>`."),
        image=string("Image the container runs."),
        imageID=string("Id of the image the container runs."),
        lastState=ref(CORE + "ContainerState", "State of the container's last termination."),
        name=string("Name of the container."),
        ready=boolean("Whether the container passes its readiness probe."),
        restartCount=integer("Times the container has been restarted."),
        started=boolean("Whether the container passed its startup probe."),
        state=ref(CORE + "ContainerState", "Current state.")),
    CORE + "ContainerState": obj(
        "Whether a container is waiting, running or terminated.",
        running=ref(CORE + "ContainerStateRunning", "Set while the container runs."),
        terminated=ref(CORE + "ContainerStateTerminated", "Set once the container has terminated."),
        waiting=ref(CORE + "ContainerStateWaiting", "Set while the container waits to run.")),
    CORE + "ContainerStateRunning": obj(
        "A running container.",
        startedAt=ref(META + "Time", "When the container (last) started.")),
    CORE + "ContainerStateTerminated": obj(
        "A container that has terminated.", ("exitCode",),
        containerID=string("Id of the container, as `<runtime>://<id>`."),
        exitCode=integer("Exit status of the last termination."),
        finishedAt=ref(META + "Time", "When the container last terminated."),
        message=string("Message about the termination."),
        reason=string("Why the container terminated."),
        signal=integer("Signal that terminated the container."),
        startedAt=ref(META + "Time", "When the container (last) started.")),
    CORE + "ContainerStateWaiting": obj(
        "A container not yet running.",
        message=string("Message about the wait."),
        reason=string("Why the container is not yet running.")),
}


GO_TYPES = {
    CORE + "Probe": {"exec": "*v1.ExecAction", "grpc": "*v1.GRPCAction", "httpGet": "*v1.HTTPGetAction",
                     "tcpSocket": "*v1.TCPSocketAction"},
    CORE + "HTTPGetAction": {"scheme": "v1.URIScheme"},
    CORE + "Lifecycle": {"postStart": "*v1.LifecycleHandler", "preStop": "*v1.LifecycleHandler"},
    CORE + "LifecycleHandler": {"exec": "*v1.ExecAction", "httpGet": "*v1.HTTPGetAction",
                                "tcpSocket": "*v1.TCPSocketAction"},
    CORE + "SecurityContext": {"capabilities": "*v1.Capabilities", "procMount": "*v1.ProcMountType",
                               "seLinuxOptions": "*v1.SELinuxOptions", "seccompProfile": "*v1.SeccompProfile",
                               "windowsOptions": "*v1.WindowsSecurityContextOptions"},
    CORE + "PodSecurityContext": {"fsGroupChangePolicy": "*v1.PodFSGroupChangePolicy",
                                  "seLinuxOptions": "*v1.SELinuxOptions", "seccompProfile": "*v1.SeccompProfile",
                                  "windowsOptions": "*v1.WindowsSecurityContextOptions"},
    CORE + "Capabilities": {"add": "[]v1.Capability", "drop": "[]v1.Capability"},
    CORE + "SeccompProfile": {"type": "v1.SeccompProfileType"},
    CORE + "EnvVarSource": {"configMapKeyRef": "*v1.ConfigMapKeySelector", "fieldRef": "*v1.ObjectFieldSelector",
                            "resourceFieldRef": "*v1.ResourceFieldSelector", "secretKeyRef": "*v1.SecretKeySelector"},
    CORE + "EnvFromSource": {"configMapRef": "*v1.ConfigMapEnvSource", "secretRef": "*v1.SecretEnvSource"},
    CORE + "EphemeralContainer": {"imagePullPolicy": "v1.PullPolicy", "lifecycle": "*v1.Lifecycle",
                                  "livenessProbe": "*v1.Probe", "readinessProbe": "*v1.Probe",
                                  "securityContext": "*v1.SecurityContext", "startupProbe": "*v1.Probe",
                                  "terminationMessagePolicy": "v1.TerminationMessagePolicy"},
    CORE + "ContainerState": {"running": "*v1.ContainerStateRunning", "terminated": "*v1.ContainerStateTerminated",
                              "waiting": "*v1.ContainerStateWaiting"},
}
