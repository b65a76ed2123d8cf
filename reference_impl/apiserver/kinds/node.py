"""The Node kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns and protobuf
layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (CORE, META, arr, boolean, conditions, integer, kind, list_kind,
                                                   obj, quantity_map, ref, string, strings)
from reference_impl.apiserver.core.validation import (TAINT_EFFECTS, as_list, as_object, invalid, label_name_problems,
                                                      parse_cidr, required, resource_quantity_problems, unsupported)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.kinds._defaulting import default_zero, object_field, resource_lists
from reference_impl.machinery.gojson import GoType, quote, unmarshal
from reference_impl.machinery.labels import label_value_problems
from reference_impl.mirrors import mirrors


# NodeSystemInfo's fields, none of them omitempty.
SYSTEM_INFO_FIELDS = ("machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion",
                      "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture")


def node(obj: dict, spec: dict) -> None:
    """SetDefaults_NodeStatus, and what Go writes of a status left empty: its nodeInfo and
    daemonEndpoints are structs, not pointers, whose fields have no omitempty."""
    status = object_field(obj, "status")
    if status is not None:
        if status.get("capacity") and "allocatable" not in status:
            status["allocatable"] = dict(status["capacity"])  # SetDefaults_NodeStatus
        resource_lists(status, "capacity", "allocatable")
        info = object_field(status, "nodeInfo")
        for field in SYSTEM_INFO_FIELDS if info is not None else ():
            default_zero(info, field, "")
        endpoints = object_field(status, "daemonEndpoints")
        kubelet_endpoint = object_field(endpoints, "kubeletEndpoint") if endpoints is not None else None
        if kubelet_endpoint is not None:
            default_zero(kubelet_endpoint, "Port", 0)
    convert_pod_cidrs(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.Convert_core_NodeSpec_To_v1_NodeSpec")
def convert_pod_cidrs(spec: dict) -> None:
    """The round trip through the internal NodeSpec, which has podCIDRs only (`pod_cidrs`): back
    in v1, podCIDR is podCIDRs[0]."""
    cidrs = pod_cidrs(spec)
    if cidrs:
        spec["podCIDRs"] = cidrs
    if cidrs and cidrs[0]:
        spec["podCIDR"] = cidrs[0]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNode")
def validate_node(obj: dict) -> list[str]:
    """The annotations the scheduler reads, the taints (which ValidateNode passes the path
    metadata.taints, sic, so that is where errors point), the capacity and allocatable quantities
    and the pod CIDRs."""
    spec = as_object(obj.get("spec"))
    return (node_specific_annotation_problems(as_object(obj.get("metadata")).get("annotations"))
            + taint_problems(as_list(spec.get("taints")), "metadata.taints") + node_resource_problems(obj)
            + pod_cidr_problems(spec))


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNodeResources")
def node_resource_problems(node: dict) -> list[str]:
    """No negative capacity or allocatable quantity, and a whole number of what is counted in units
    (pods, an extended resource)."""
    status = as_object(node.get("status"))
    return [problem for field in ("capacity", "allocatable") for name, value in as_object(status.get(field)).items()
            for problem in resource_quantity_problems(name, value, f"status.{field}.{name}")]


_STRING = GoType("string", "string")
# The internal core.Taint, which has no json tags: its keys are the Go field names.
TAINTS = GoType("[]core.Taint", "slice", element=GoType("core.Taint", "struct", (
    ("Key", _STRING), ("Value", _STRING), ("Effect", GoType("core.TaintEffect", "string")),
    ("TimeAdded", GoType("v1.Time", "time")))))
_OWNER_REFERENCE = GoType("v1.OwnerReference", "struct", (
    ("apiVersion", _STRING), ("kind", _STRING), ("name", _STRING), ("uid", GoType("types.UID", "string")),
    ("controller", GoType("bool", "bool")), ("blockOwnerDeletion", GoType("bool", "bool"))))
_PREFER_AVOID_PODS_ENTRY = GoType("v1.PreferAvoidPodsEntry", "struct", (
    ("podSignature", GoType("v1.PodSignature", "struct", (("podController", _OWNER_REFERENCE),))),
    ("evictionTime", GoType("v1.Time", "time")), ("reason", _STRING), ("message", _STRING)))
AVOID_PODS = GoType("v1.AvoidPods", "struct", (
    ("preferAvoidPods", GoType("[]v1.PreferAvoidPodsEntry", "slice", element=_PREFER_AVOID_PODS_ENTRY)),))
TAINTS_ANNOTATION_KEY = "scheduler.alpha.kubernetes.io/taints"
PREFER_AVOID_PODS_ANNOTATION_KEY = "scheduler.alpha.kubernetes.io/preferAvoidPods"


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNodeSpecificAnnotations")
def node_specific_annotation_problems(annotations: object, path: str = "metadata.annotations") -> list[str]:
    annotations = as_object(annotations)
    problems = []
    if annotations.get(TAINTS_ANNOTATION_KEY):
        problems += taints_in_node_annotations_problems(str(annotations[TAINTS_ANNOTATION_KEY]), path)
    if annotations.get(PREFER_AVOID_PODS_ANNOTATION_KEY):
        problems += avoid_pods_in_node_annotations_problems(str(annotations[PREFER_AVOID_PODS_ANNOTATION_KEY]),
                                                            path)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateTaintsInNodeAnnotations",
         "k8s.io/kubernetes/pkg/apis/core/helper.GetTaintsFromNodeAnnotations")
def taints_in_node_annotations_problems(value: str, path: str) -> list[str]:
    """JSON that encoding/json decodes into []core.Taint, each taint as validateNodeTaints wants it."""
    try:
        taints = unmarshal(value, TAINTS) or []
    except ValueError as error:
        return [invalid(path, TAINTS_ANNOTATION_KEY, str(error))]
    # The fields by their v1 names, which taint_problems reads.
    taints = [{name[0].lower() + name[1:]: item for name, item in (taint or {}).items()} for taint in taints]
    return taint_problems(taints, f"{path}.{TAINTS_ANNOTATION_KEY}")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateAvoidPodsInNodeAnnotations",
         "k8s.io/kubernetes/pkg/apis/core/validation.validatePreferAvoidPodsEntry",
         "k8s.io/component-helpers/scheduling/corev1.GetAvoidPodsFromNodeAnnotations")
def avoid_pods_in_node_annotations_problems(value: str, path: str) -> list[str]:
    """JSON that encoding/json decodes into v1.AvoidPods, each entry's pod signature naming the
    controller of the pods to avoid."""
    try:
        avoid_pods = unmarshal(value, AVOID_PODS) or {}
    except ValueError as error:
        return [invalid(f"{path}.AvoidPods", PREFER_AVOID_PODS_ANNOTATION_KEY, str(error))]
    problems = []
    for index, entry in enumerate(avoid_pods.get("preferAvoidPods") or []):
        here = f"{path}.{PREFER_AVOID_PODS_ANNOTATION_KEY}[{index}].PodSignature"
        controller = as_object(as_object(entry).get("podSignature")).get("podController")
        if controller is None:
            problems.append(f"{here}: Required value")
        elif not controller.get("controller"):
            problems.append(f"{here}.PodController.Controller: Invalid value: false: must point to a controller")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateNodeTaints")
def taint_problems(taints: list, path: str) -> list[str]:
    """A valid key and value, one of the three effects, unique by key and effect."""
    problems, seen = [], set()
    for index, taint in enumerate(taints):
        taint = as_object(taint)
        here, key, effect = f"{path}[{index}]", taint.get("key") or "", taint.get("effect") or ""
        problems += label_name_problems(key, f"{here}.key")
        if label_value_problems(taint.get("value") or ""):
            problems.append(invalid(f"{here}.value", taint["value"], ";".join(label_value_problems(taint["value"]))))
        if not effect:
            problems.append(required(f"{here}.effect"))
        elif effect not in TAINT_EFFECTS:
            problems.append(unsupported(f"{here}.effect", effect, TAINT_EFFECTS))
        if (key, effect) in seen:
            problems.append(f"{here}: Duplicate value: {_go_taint(taint)}: taints must be unique by key and effect pair")
        seen.add((key, effect))
    return problems


def pod_cidr_problems(spec: dict) -> list[str]:
    """Each of a new node's (internal) podCIDRs is a CIDR; more than one are an IPv4 and an IPv6
    range, none repeated."""
    cidrs = pod_cidrs(spec)
    networks = [parse_cidr(cidr) for cidr in cidrs]
    problems = [invalid(f"spec.podCIDRs[{index}]", cidrs, "must be valid CIDR")
                for index, network in enumerate(networks) if network is None]
    if len(cidrs) < 2:
        return problems
    unparsed = next((cidr for cidr, network in zip(cidrs, networks) if network is None), None)
    if unparsed is not None:  # netutils.IsDualStackCIDRStrings stops at the first that does not parse
        problems.append(f"spec.podCIDRs: Internal error: invalid PodCIDRs. failed to check with dual stack with "
                        f"error:failed to parse cidr value:{quote(unparsed)} with error:invalid CIDR address: {unparsed}")
    families = {6 if n.version == 6 and not n.network_address.ipv4_mapped else 4 for n in networks if n}
    if unparsed is not None or families != {4, 6} or len(cidrs) > 2:
        problems.append(invalid("spec.podCIDRs", cidrs, "may specify no more than one CIDR for each IP family"))
    return problems + [f"spec.podCIDRs[{index}]: Duplicate value: {quote(cidr)}"
                       for index, cidr in enumerate(cidrs) if cidr in cidrs[:index]]


def _go_taint(taint: dict) -> str:
    """Go's %#v of a core.Taint, as a Duplicate error shows it. An unset timeAdded is <nil>: fmt calls
    the GoString *metav1.Time has from time.Time, and prints its nil receiver's panic so. A set one
    would be time.Time's GoString, in the server's zone; it is shown as unset."""
    return (f"core.Taint{{Key:{quote(taint.get('key') or '')}, Value:{quote(taint.get('value') or '')}, "
            f"Effect:{quote(taint.get('effect') or '')}, TimeAdded:<nil>}}")


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.Convert_v1_NodeSpec_To_core_NodeSpec")
def pod_cidrs(spec: dict) -> list[str]:
    """The internal spec.podCIDRs: v1's podCIDR, when set, is podCIDRs[0], and the only one when
    podCIDRs is empty or starts with another range."""
    cidrs, cidr = as_list(spec.get("podCIDRs")), spec.get("podCIDR") or ""
    return [cidr] if cidr and cidrs[:1] != [cidr] else cidrs


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNodeUpdate")
def validate_update(old: dict, new: dict) -> list[str]:
    """ValidateNodeUpdate, after ValidateNode (nodeStrategy runs both, so the annotations and taints
    are checked, and reported, twice): the rules it shares with a status update, then podCIDRs and
    providerID, which may be set once (by the node IPAM and cloud node controllers) and then stay,
    the taints again, and externalID, which never changes."""
    spec, old_spec = as_object(new.get("spec")), as_object(old.get("spec"))
    problems = validate_status_update(old, new)
    cidrs, old_cidrs = pod_cidrs(spec), pod_cidrs(old_spec)
    changed_cidr = 'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid'
    if old_cidrs and len(cidrs) != len(old_cidrs):
        problems.append(changed_cidr)
    elif old_cidrs:  # one error for each range that changed, as upstream compares them
        problems += [changed_cidr for cidr, old_cidr in zip(cidrs, old_cidrs) if cidr != old_cidr]
    if old_spec.get("providerID") and spec.get("providerID") != old_spec["providerID"]:
        problems.append('spec.providerID: Forbidden: node updates may not change providerID except from "" to valid')
    problems += taint_problems(as_list(spec.get("taints")), "metadata.taints")
    if (spec.get("externalID") or "") != (old_spec.get("externalID") or ""):
        problems.append("spec.externalID: Forbidden: may not be updated")
    return problems


@mirrors("k8s.io/kubernetes/pkg/registry/core/node.dropDisabledFields")
def drop_disabled_fields(new: dict, old: dict | None = None) -> None:
    """DynamicKubeletConfig is off in 1.24: a new node loses spec.configSource and status.config,
    an update loses spec.configSource unless the stored node has one."""
    if old is None:
        part(new, "spec").pop("configSource", None)
        part(new, "status").pop("config", None)
    elif not part(old, "spec").get("configSource"):
        part(new, "spec").pop("configSource", None)


@mirrors("(k8s.io/kubernetes/pkg/registry/core/node.nodeStatusStrategy).PrepareForUpdate")
def prepare_for_status_update(new: dict, old: dict) -> None:
    """nodes/status writes status.config only for a node that reports one already: the
    DynamicKubeletConfig gate, which would allow it, is off in 1.24."""
    if "config" not in (old.get("status") or {}):
        new["status"].pop("config", None)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNodeUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    """ValidateNodeUpdate's rules but the spec's (the stored one, checked when it was written): the
    annotations the scheduler reads, no negative capacity or allocatable quantity, no address
    listed twice."""
    status = as_object(new.get("status"))
    problems = node_specific_annotation_problems(as_object(new.get("metadata")).get("annotations"))
    problems += node_resource_problems(new)
    addresses = [(as_object(address).get("type") or "", as_object(address).get("address") or "")
                 for address in as_list(status.get("addresses"))]
    return problems + [f"status.addresses[{index}]: Duplicate value: "
                       f"core.NodeAddress{{Type:{quote(kind)}, Address:{quote(address)}}}"
                       for index, (kind, address) in enumerate(addresses) if (kind, address) in addresses[:index]]


# An empty Node as Go writes it: NodeStatus's daemonEndpoints and nodeInfo have no omitempty, nor
# have the port (named `Port` in its JSON) and the NodeSystemInfo strings.
ZERO_NODE = {"spec": {}, "status": {
    "daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
    "nodeInfo": dict.fromkeys(("machineID", "systemUUID", "bootID", "kernelVersion", "osImage",
                               "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion", "operatingSystem",
                               "architecture"), "")}}

RESOURCES = (
    Resource("", "v1", "Node", "nodes", "node", False, ("no",), subresources=("status", "proxy"),
             validator=validate_node,
             status_reset_on_update=True, field_selectors=(*COMMON_FIELDS, "spec.unschedulable"),
             field_label_conversion=FieldLabelConversion(("metadata.name", "spec.unschedulable")),
             storage_prefix="minions", update_validator=validate_update,
             prepare_for_create=lambda obj, user: drop_disabled_fields(obj), prepare_for_update=drop_disabled_fields,
             prepare_for_status_update=prepare_for_status_update,
             validate_status_update=validate_status_update,
             zero_value=ZERO_NODE,
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"Node": node}


DEFINITIONS = {
    CORE + "Node": kind("", "v1", "Node", "A worker machine.",
                        spec=ref(CORE + "NodeSpec", "How the node is configured."),
                        status=ref(CORE + "NodeStatus", "The observed state of the node.")),
    CORE + "NodeSpec": obj(
        "How a node is configured.",
        configSource=ref(CORE + "NodeConfigSource", "Deprecated dynamic kubelet configuration."),
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
        conditions=conditions(CORE + "NodeCondition"),
        config=ref(CORE + "NodeConfigStatus", "Status of dynamic kubelet configuration."),
        daemonEndpoints=ref(CORE + "NodeDaemonEndpoints", "Ports of the node's daemons."),
        images=arr(ref(CORE + "ContainerImage"), "Images present on the node."),
        nodeInfo=ref(CORE + "NodeSystemInfo", "Versions and ids reported by the node."),
        phase=string("Deprecated."),
        volumesAttached=arr(ref(CORE + "AttachedVolume"), "Volumes attached to the node."),
        volumesInUse=strings("Volumes in use on the node.")),
    CORE + "NodeConfigSource": obj(
        "Where a node's dynamic kubelet configuration comes from (deprecated).",
        configMap=ref(CORE + "ConfigMapNodeConfigSource", "A ConfigMap holding the configuration.")),
    CORE + "ConfigMapNodeConfigSource": obj(
        "A ConfigMap holding a kubelet configuration (deprecated).", ("namespace", "name", "kubeletConfigKey"),
        kubeletConfigKey=string("The ConfigMap's key holding the KubeletConfiguration."),
        name=string("Name of the ConfigMap."),
        namespace=string("Namespace of the ConfigMap."),
        resourceVersion=string("ResourceVersion of the ConfigMap; reported in status only."),
        uid=string("UID of the ConfigMap; reported in status only.")),
    CORE + "NodeConfigStatus": obj(
        "What the kubelet did with the assigned dynamic configuration (deprecated).",
        active=ref(CORE + "NodeConfigSource", "The configuration the kubelet runs with."),
        assigned=ref(CORE + "NodeConfigSource", "The configuration the kubelet was assigned."),
        error=string("Why the assigned configuration could not be used."),
        lastKnownGood=ref(CORE + "NodeConfigSource", "The configuration the kubelet falls back to.")),
    CORE + "NodeDaemonEndpoints": obj(
        "Ports the node's daemons listen on.",
        kubeletEndpoint=ref(CORE + "DaemonEndpoint", "The kubelet's port.")),
    CORE + "DaemonEndpoint": obj("A port a daemon listens on.", ("Port",), Port=integer("The port number.")),
    CORE + "ContainerImage": obj(
        "An image present on a node.",
        names=strings("Names the image is known by, e.g. a tag and a digest."),
        sizeBytes=integer("Size of the image in bytes.", "int64")),
    CORE + "AttachedVolume": obj(
        "A volume attached to a node.", ("name", "devicePath"),
        devicePath=string("Where the volume is attached on the node."),
        name=string("Name of the volume.")),
    CORE + "NodeAddress": obj("One address of a node.", ("address", "type"),
                              address=string("The address."), type=string("Hostname, InternalIP or ExternalIP.")),
    CORE + "NodeCondition": obj(
        "One condition of a node, e.g. Ready.", ("status", "type"),
        lastHeartbeatTime=ref(META + "Time", "When the node last reported the condition."),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    CORE + "NodeSystemInfo": obj(
        "Kernel, OS, runtime and kubelet versions of a node.",
        ("architecture", "bootID", "containerRuntimeVersion", "kernelVersion", "kubeProxyVersion", "kubeletVersion",
         "machineID", "operatingSystem", "osImage", "systemUUID"),
        architecture=string("CPU architecture of the node."),
        bootID=string("Id of the node's current boot."),
        containerRuntimeVersion=string("Container runtime and its version, as `<runtime>://<version>`."),
        kernelVersion=string("Kernel version (`uname -r`)."),
        kubeProxyVersion=string("Version of kube-proxy."),
        kubeletVersion=string("Version of the kubelet."),
        machineID=string("The node's machine-id."),
        operatingSystem=string("Operating system of the node."),
        osImage=string("OS image of the node, from /etc/os-release."),
        systemUUID=string("The node's system UUID.")),
    CORE + "NodeList": list_kind("", "v1", CORE + "Node"),
}


GO_TYPES = {
    CORE + "NodeAddress": {"type": "v1.NodeAddressType"},
    CORE + "NodeSpec": {"configSource": "*v1.NodeConfigSource"},
    CORE + "NodeStatus": {"config": "*v1.NodeConfigStatus", "phase": "v1.NodePhase",
                          "volumesInUse": "[]v1.UniqueVolumeName"},
    CORE + "NodeConfigSource": {"configMap": "*v1.ConfigMapNodeConfigSource"},
    CORE + "ConfigMapNodeConfigSource": {"uid": "types.UID"},
    CORE + "NodeConfigStatus": {"active": "*v1.NodeConfigSource", "assigned": "*v1.NodeConfigSource",
                                "lastKnownGood": "*v1.NodeConfigSource"},
    CORE + "AttachedVolume": {"name": "v1.UniqueVolumeName"},
    CORE + "Taint": {"effect": "v1.TaintEffect"},
    CORE + "NodeCondition": {"status": "v1.ConditionStatus", "type": "v1.NodeConditionType"},
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printNode")
def _node(node: dict, now: float) -> list:
    status = part(node, "status")
    ready = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
    states = [("Ready" if c.get("status") == "True" else "NotReady") for c in ready] or ["Unknown"]
    if part(node, "spec").get("unschedulable"):
        states.append("SchedulingDisabled")
    labels = part(node, "metadata").get("labels") or {}
    roles = sorted({k.removeprefix("node-role.kubernetes.io/") for k in labels
                    if k.startswith("node-role.kubernetes.io/") and k != "node-role.kubernetes.io/"}
                   | ({labels["kubernetes.io/role"]} if labels.get("kubernetes.io/role") else set()))
    info = status.get("nodeInfo") or {}
    addresses = {a.get("type"): a.get("address") for a in reversed(status.get("addresses") or [])}
    return [name_cell(node), ",".join(states), ",".join(roles) or "<none>", age_cell(node, now),
            info.get("kubeletVersion", ""), addresses.get("InternalIP", "<none>"),
            addresses.get("ExternalIP", "<none>"), info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>", info.get("containerRuntimeVersion") or "<unknown>"]


PRINTERS = {
    "Node": ([NAME, ("Status", "string", 0, "Node readiness"), ("Roles", "string", 0, "Node role labels"),
              AGE, ("Version", "string", 0, "Kubelet version."),
              ("Internal-IP", "string", 1, "First address of this type."),
              ("External-IP", "string", 1, "First address of this type."),
              ("OS-Image", "string", 1, "Operating system image."),
              ("Kernel-Version", "string", 1, "Kernel version."),
              ("Container-Runtime", "string", 1, "Container runtime and version.")], _node),
}


MESSAGES = """
core.AttachedVolume: 1 name! string; 2 devicePath! string
core.ConfigMapNodeConfigSource: 1 namespace! string; 2 name! string; 3 uid? string; 4 resourceVersion? string;
    5 kubeletConfigKey! string
core.ContainerImage: 1 names* []string; 2 sizeBytes? int64
core.DaemonEndpoint: 1 Port! int32
core.Node: 1 metadata! meta.ObjectMeta; 2 spec! core.NodeSpec; 3 status! core.NodeStatus
core.NodeAddress: 1 type! string; 2 address! string
core.NodeCondition: 1 type! string; 2 status! string; 3 lastHeartbeatTime! meta.Time; 4 lastTransitionTime! meta.Time;
    5 reason? string; 6 message? string
core.NodeConfigSource: 2 configMap core.ConfigMapNodeConfigSource
core.NodeConfigStatus: 1 assigned core.NodeConfigSource; 2 active core.NodeConfigSource;
    3 lastKnownGood core.NodeConfigSource; 4 error? string
core.NodeDaemonEndpoints: 1 kubeletEndpoint! core.DaemonEndpoint
core.NodeList: 1 metadata! meta.ListMeta; 2 items* []core.Node
core.NodeSpec: 1 podCIDR? string; 7 podCIDRs? []string; 3 providerID? string; 4 unschedulable? bool;
    5 taints? []core.Taint; 6 configSource core.NodeConfigSource; 2 externalID? string
core.NodeStatus: 1 capacity? {}resource.Quantity; 2 allocatable? {}resource.Quantity; 3 phase? string;
    4 conditions? []core.NodeCondition; 5 addresses? []core.NodeAddress; 6 daemonEndpoints! core.NodeDaemonEndpoints;
    7 nodeInfo! core.NodeSystemInfo; 8 images? []core.ContainerImage; 9 volumesInUse? []string;
    10 volumesAttached? []core.AttachedVolume; 11 config core.NodeConfigStatus
core.NodeSystemInfo: 1 machineID! string; 2 systemUUID! string; 3 bootID! string; 4 kernelVersion! string;
    5 osImage! string; 6 containerRuntimeVersion! string; 7 kubeletVersion! string; 8 kubeProxyVersion! string;
    9 operatingSystem! string; 10 architecture! string
core.Taint: 1 key! string; 2 value? string; 3 effect! string; 4 timeAdded meta.Time
"""
