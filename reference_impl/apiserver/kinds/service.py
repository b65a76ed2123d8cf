"""The Service kind (core/v1): its resource facts, validation, defaults, OpenAPI schema, printer columns
and protobuf layout."""
from __future__ import annotations

import ipaddress
from typing import Callable

from reference_impl.apiserver.core.podvalidation import port_name_problems
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import (CORE, INT_OR_STRING, META, arr, boolean, conditions, integer,
                                                   kind, list_kind, obj, opaque, ref, string, string_map, strings)
from reference_impl.apiserver.core.validation import (IP_MSG, PORT_RANGE_MSG, PROTOCOLS, duplicate, invalid,
                                                      load_balancer_status_problems, parse_ip, required, unsupported)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.kinds._defaulting import dict_items
from reference_impl.mirrors import mirrors

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
# kube-apiserver's default --service-node-port-range.
NODE_PORT_RANGE = (30000, 32767)
# The --service-cluster-ip-range the local cluster's apiserver allocates from.
SERVICE_CLUSTER_IP_RANGE = ipaddress.ip_network("10.96.0.0/12")


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/service/ipallocator.Range).Allocate")
def cluster_ip_problems(requested: str, allocated: set[str]) -> list[str]:
    """Why the cluster IP allocator refuses a requested IP: outside the range (whose network and
    broadcast addresses it never gives) or given already. An IP that does not parse is left to
    validation."""
    ip, network = parse_ip(requested), SERVICE_CLUSTER_IP_RANGE
    if ip is None:
        return []
    if ip not in network or ip in (network.network_address, network.broadcast_address):
        why = f"the provided IP ({requested}) is not in the valid range. The range of valid IPs is {network}"
    elif requested in allocated:
        why = "provided IP is already allocated"
    else:
        return []
    return [f'spec.clusterIPs: Invalid value: []string{{"{requested}"}}: failed to allocate IP {requested}: {why}']


@mirrors("k8s.io/kubernetes/pkg/registry/core/service/storage.initNodePorts")
def allocate_node_ports(spec: dict, taken: set[int], pick: Callable[[set[int]], int]) -> list[str]:
    """Give each port of a NodePort or LoadBalancer service a node port, one per service port
    number: the one that number has already, else the first requested for it, else `pick(taken)`.
    A requested node port that is taken (by another service, or by another port number of this
    one) is refused."""
    ports = dict_items(spec.get("ports"))
    should_allocate = spec.get("type") == "NodePort" or (
        spec.get("type") == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is not False)
    by_port_number: dict[object, int] = {}
    for i, port in enumerate(ports):
        if not port.get("nodePort") and not should_allocate:
            continue
        number, asked = port.get("port"), port.get("nodePort")
        if number not in by_port_number:
            asked = next((p["nodePort"] for p in ports if p.get("port") == number and p.get("nodePort")), None)
            if asked is None:
                asked = pick(taken)
            elif asked in taken:
                return [invalid(f"spec.ports[{i}].nodePort", asked, "provided port is already allocated")]
            taken.add(asked)
            by_port_number[number] = port["nodePort"] = asked
        elif not asked:
            port["nodePort"] = by_port_number[number]
        elif asked != by_port_number[number]:
            if asked in taken:
                return [invalid(f"spec.ports[{i}].nodePort", asked, "provided port is already allocated")]
            taken.add(asked)
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateService")
def validate_service(obj: dict) -> list[str]:
    """Ports 1-65535 with unique names (required when there are several), a known type."""
    spec = obj.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    if kind not in SERVICE_TYPES:
        return [unsupported("spec.type", kind, SERVICE_TYPES)]
    if kind == "ExternalName":
        return [] if spec.get("externalName") else [required("spec.externalName")]
    ports = spec.get("ports") or []
    if not ports and spec.get("clusterIP") != "None":
        return [required("spec.ports")]
    problems, names = [], set()
    for i, port in enumerate(ports):
        here = f"spec.ports[{i}]"
        name = port.get("name", "")
        if len(ports) > 1 and not name:
            problems.append(required(f"{here}.name"))
        elif name in names:
            problems.append(duplicate(f"{here}.name", name))
        names.add(name)
        number = port.get("port", 0)
        if not isinstance(number, int) or not 1 <= number <= 65535:
            problems.append(invalid(f"{here}.port", number, PORT_RANGE_MSG))
        if port.get("protocol", "TCP") not in PROTOCOLS:
            problems.append(unsupported(f"{here}.protocol", port.get("protocol"), PROTOCOLS))
        problems += port_number_or_name_problems(port.get("targetPort"), f"{here}.targetPort")
        node_port = port.get("nodePort")
        if node_port and not NODE_PORT_RANGE[0] <= node_port <= NODE_PORT_RANGE[1]:
            # the node-port allocator's refusal; the proxy would otherwise listen on a host port below 30000
            problems.append(invalid(f"{here}.nodePort", node_port, "provided port is not in the valid range. The "
                                    f"range of valid ports is {NODE_PORT_RANGE[0]}-{NODE_PORT_RANGE[1]}"))
    cluster_ip = spec.get("clusterIP")
    if cluster_ip not in (None, "", "None") and parse_ip(cluster_ip) is None:
        problems.append(invalid("spec.clusterIPs[0]", cluster_ip, IP_MSG))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePortNumOrName")
def port_number_or_name_problems(port: object, path: str) -> list[str]:
    """An intstr port: a number is a port number, a string an IANA service name (so "8080" is not)."""
    if isinstance(port, str):
        return [invalid(path, port, message) for message in port_name_problems(port)]
    number = port or 0  # a service without a port defaults its targetPort to the zero port
    if not isinstance(number, int) or not 1 <= number <= 65535:
        return [invalid(path, number, PORT_RANGE_MSG)]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Service",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetObjectDefaults_Service")
def service(obj: dict, spec: dict) -> None:
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    for port in dict_items(spec.get("ports")):
        port.setdefault("protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateServiceStatusUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    return load_balancer_status_problems(part(new, "status", "loadBalancer"), "status.loadBalancer")


RESOURCES = (
    Resource("", "v1", "Service", "services", "service", True, ("svc",), subresources=("status",),
             categories=("all",), name_validation="dns1035", status_reset_on_update=True,
             validator=validate_service, validate_status_update=validate_status_update,
             storage_prefix="services/specs"),
)


DEFAULTS = {"Service": service}


DEFINITIONS = {
    META + "Condition": obj(
        "A generic condition of an object's state.", ("lastTransitionTime", "message", "reason", "status", "type"),
        lastTransitionTime=ref(META + "Time", "When the status last changed."),
        message=string("Human-readable details."),
        observedGeneration=integer("The generation the condition was computed for.", "int64"),
        reason=string("CamelCase reason for the last transition."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
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
        ports=arr(ref(CORE + "ServicePort"), "The ports the service exposes.", merge_key="port",
                  map_keys=("port", "protocol")),
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
        protocol={**string("TCP, UDP or SCTP; defaults to TCP."), "default": "TCP"},
        targetPort=ref(INT_OR_STRING, "Port number or name on the pods; defaults to `port`.")),
    CORE + "ServiceStatus": obj(
        "The observed state of a service.",
        conditions=conditions(META + "Condition"),
        loadBalancer=opaque("Ingress points of the load balancer.")),
    CORE + "ServiceList": list_kind("", "v1", CORE + "Service"),
}


GO_TYPES = {
    CORE + "ServicePort": {"protocol": "v1.Protocol"},
    CORE + "ServiceSpec": {"externalTrafficPolicy": "v1.ServiceExternalTrafficPolicyType",
                           "internalTrafficPolicy": "v1.ServiceInternalTrafficPolicyType",
                           "ipFamilies": "[]v1.IPFamily", "ipFamilyPolicy": "v1.IPFamilyPolicyType",
                           "sessionAffinity": "v1.ServiceAffinity",
                           "sessionAffinityConfig": "v1.SessionAffinityConfig", "type": "v1.ServiceType"},
    CORE + "ServiceStatus": {"loadBalancer": "v1.LoadBalancerStatus"},
    META + "Condition": {"status": "v1.ConditionStatus"},
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printService")
def _service(svc: dict, now: float) -> list:
    spec = part(svc, "spec")
    kind = spec.get("type", "ClusterIP")
    external = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        external_cell = ",".join(external) or "<none>"
    elif kind == "LoadBalancer":
        ingress = [i.get("ip") or i.get("hostname") for i in
                   (part(svc, "status", "loadBalancer").get("ingress") or [])]
        external_cell = ",".join(ingress + external) or "<pending>"
    elif kind == "ExternalName":
        external_cell = spec.get("externalName", "")
    else:
        external_cell = "<unknown>"
    ports = ",".join(f"{p.get('port', 0)}:{p['nodePort']}/{p.get('protocol', 'TCP')}" if p.get("nodePort")
                     else f"{p.get('port', 0)}/{p.get('protocol', 'TCP')}"
                     for p in spec.get("ports") or [] if isinstance(p, dict))
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
    return [name_cell(svc), kind, cluster_ips[0] if cluster_ips else "<none>", external_cell,
            ports or "<none>", age_cell(svc, now), selector or "<none>"]


PRINTERS = {
    "Service": ([NAME, ("Type", "string", 0, "Service type."),
                 ("Cluster-IP", "string", 0, "Virtual IP of the service."),
                 ("External-IP", "string", 0, "External addresses of the service."),
                 ("Port(s)", "string", 0, "Service ports."), AGE,
                 ("Selector", "string", 1, "Pods the service selects.")],
                _service),
}


MESSAGES = """
core.ClientIPConfig: 1 timeoutSeconds int32
core.LoadBalancerIngress: 1 ip? string; 2 hostname? string; 4 ports []core.PortStatus
core.LoadBalancerStatus: 1 ingress []core.LoadBalancerIngress
core.PortStatus: 1 port int32; 2 protocol string; 3 error string
core.Service: 1 metadata meta.ObjectMeta; 2 spec core.ServiceSpec; 3 status core.ServiceStatus
core.ServiceList: 1 metadata meta.ListMeta; 2 items []core.Service
core.ServicePort: 1 name? string; 2 protocol? string; 3 port int32; 4 targetPort intstr.IntOrString;
    5 nodePort? int32; 6 appProtocol string
core.ServiceSpec: 1 ports []core.ServicePort; 2 selector {}string; 3 clusterIP? string; 4 type? string;
    5 externalIPs []string; 7 sessionAffinity? string; 8 loadBalancerIP? string;
    9 loadBalancerSourceRanges []string; 10 externalName? string; 11 externalTrafficPolicy? string;
    12 healthCheckNodePort? int32; 13 publishNotReadyAddresses? bool;
    14 sessionAffinityConfig core.SessionAffinityConfig; 17 ipFamilyPolicy string; 18 clusterIPs []string;
    19 ipFamilies []string; 20 allocateLoadBalancerNodePorts bool; 21 loadBalancerClass string;
    22 internalTrafficPolicy string
core.ServiceStatus: 1 loadBalancer core.LoadBalancerStatus; 2 conditions []meta.Condition
core.SessionAffinityConfig: 1 clientIP core.ClientIPConfig
"""
