"""OpenAPI v2 definitions of the cluster-level kinds served since issue 12: discovery.k8s.io/v1
EndpointSlice, node.k8s.io/v1 RuntimeClass, certificates.k8s.io/v1 CertificateSigningRequest,
events.k8s.io/v1 Event, and storage.k8s.io's StorageClass, VolumeAttachment, CSIDriver, CSINode
(v1) and CSIStorageCapacity (v1beta1 in 1.24).

Built as `schemas` builds its table: top-level fields described, their deeper parts `opaque`.
"""
from __future__ import annotations

from reference_impl.apiserver.core.schemas import (CORE, META, QUANTITY, arr, boolean, integer, kind, list_kind, obj,
                                              opaque, ref, string, string_map, strings)

DISCOVERY = "io.k8s.api.discovery.v1."
NODE = "io.k8s.api.node.v1."
CERTIFICATES = "io.k8s.api.certificates.v1."
EVENTS = "io.k8s.api.events.v1."
STORAGE = "io.k8s.api.storage.v1."
STORAGE_BETA = "io.k8s.api.storage.v1beta1."

DEFINITIONS: dict[str, dict] = {
    DISCOVERY + "EndpointSlice": kind(
        "discovery.k8s.io", "v1", "EndpointSlice", "A subset of the endpoints behind a service.",
        ("addressType", "endpoints"),
        addressType=string("IPv4, IPv6 or FQDN."),
        endpoints=arr(opaque("One endpoint: its addresses, conditions, target and topology."),
                      "The endpoints; at most 1000."),
        ports=arr(opaque("A port: name, protocol, port and appProtocol."), "The ports of every endpoint.")),
    NODE + "RuntimeClass": kind(
        "node.k8s.io", "v1", "RuntimeClass", "A container runtime configuration pods may choose.", ("handler",),
        handler=string("The CRI handler that runs the pods."),
        overhead=opaque("Resources the runtime itself uses per pod."),
        scheduling=opaque("Node selector and tolerations for the pods of this class.")),
    CERTIFICATES + "CertificateSigningRequest": kind(
        "certificates.k8s.io", "v1", "CertificateSigningRequest", "A request for a signed certificate.",
        ("spec",),
        spec=ref(CERTIFICATES + "CertificateSigningRequestSpec", "The request."),
        status=opaque("Conditions (Approved, Denied, Failed) and the issued certificate.")),
    CERTIFICATES + "CertificateSigningRequestSpec": obj(
        "What is asked to be signed, and by whom.", ("request", "signerName"),
        expirationSeconds=integer("The validity asked for."),
        extra=opaque("Extra attributes of the requesting user."),
        groups=strings("Groups of the requesting user."),
        request=string("The PEM-encoded PKCS#10 request.", "byte"),
        signerName=string("The signer asked to sign."),
        uid=string("UID of the requesting user."),
        usages=strings("Key usages asked for."),
        username=string("The requesting user.")),
    EVENTS + "Event": kind(
        "events.k8s.io", "v1", "Event", "A report of something that happened to an object.", ("eventTime",),
        action=string("What was done or failed."),
        deprecatedCount=integer("core/v1 count."),
        deprecatedFirstTimestamp=ref(META + "Time", "core/v1 firstTimestamp."),
        deprecatedLastTimestamp=ref(META + "Time", "core/v1 lastTimestamp."),
        deprecatedSource=opaque("core/v1 source."),
        eventTime=ref(META + "MicroTime", "When the event first happened."),
        note=string("Human-readable description."),
        reason=string("Short CamelCase reason."),
        regarding=ref(CORE + "ObjectReference", "The object the event is about."),
        related=ref(CORE + "ObjectReference", "A second object involved."),
        reportingController=string("The controller that emitted the event."),
        reportingInstance=string("The instance of that controller."),
        series=opaque("Data on a series of repeated events."),
        type=string("Normal or Warning.")),
    STORAGE + "StorageClass": kind(
        "storage.k8s.io", "v1", "StorageClass", "A class of dynamically provisioned volumes.", ("provisioner",),
        allowVolumeExpansion=boolean("Whether claims of this class may grow."),
        allowedTopologies=arr(opaque("A topology selector term."), "Where volumes may be provisioned."),
        mountOptions=strings("Mount options of provisioned volumes."),
        parameters=string_map("Parameters for the provisioner."),
        provisioner=string("The volume plugin that provisions."),
        reclaimPolicy=string("Delete or Retain; defaults to Delete."),
        volumeBindingMode=string("Immediate or WaitForFirstConsumer.")),
    STORAGE + "VolumeAttachment": kind(
        "storage.k8s.io", "v1", "VolumeAttachment", "A volume to attach to, or detach from, a node.", ("spec",),
        spec=opaque("The attacher, the node and the volume source."),
        status=opaque("Whether the volume is attached, and errors.")),
    STORAGE + "CSIDriver": kind(
        "storage.k8s.io", "v1", "CSIDriver", "A CSI volume driver installed in the cluster.", ("spec",),
        spec=opaque("How Kubernetes interacts with the driver.")),
    STORAGE + "CSINode": kind(
        "storage.k8s.io", "v1", "CSINode", "The CSI drivers installed on one node.", ("spec",),
        spec=opaque("The drivers registered on the node.")),
    STORAGE_BETA + "CSIStorageCapacity": kind(
        "storage.k8s.io", "v1beta1", "CSIStorageCapacity", "Storage available in one topology segment.",
        ("storageClassName",),
        capacity=ref(QUANTITY, "Capacity available for new volumes."),
        maximumVolumeSize=ref(QUANTITY, "The largest volume that can be created."),
        nodeTopology=ref(META + "LabelSelector", "Nodes that can reach the storage."),
        storageClassName=string("The StorageClass the capacity is for.")),
}

_LISTED = (("discovery.k8s.io", "v1", DISCOVERY, ("EndpointSlice",)), ("node.k8s.io", "v1", NODE, ("RuntimeClass",)),
           ("certificates.k8s.io", "v1", CERTIFICATES, ("CertificateSigningRequest",)),
           ("events.k8s.io", "v1", EVENTS, ("Event",)),
           ("storage.k8s.io", "v1", STORAGE, ("StorageClass", "VolumeAttachment", "CSIDriver", "CSINode")),
           ("storage.k8s.io", "v1beta1", STORAGE_BETA, ("CSIStorageCapacity",)))
DEFINITIONS.update({prefix + name + "List": list_kind(group, version, prefix + name)
                    for group, version, prefix, names in _LISTED for name in names})
