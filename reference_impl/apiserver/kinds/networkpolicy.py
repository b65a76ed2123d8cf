"""The NetworkPolicy kind (networking.k8s.io/v1): its resource facts, validation, defaults, OpenAPI
schema, printer columns and protobuf layout."""
from __future__ import annotations

import ipaddress

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.podvalidation import port_name_problems
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (INT_OR_STRING, META, NETWORKING, arr, integer, kind, list_kind,
                                                   obj, ref, string, strings)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part, selector_cell
from reference_impl.apiserver.kinds._defaulting import dict_items
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

NETWORK_POLICY_PROTOCOLS = ("TCP", "UDP", "SCTP")  # in upstream's order, not sorted
POLICY_TYPES = ("Ingress", "Egress")


def _cidr(text: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network a CIDR names (netutils.ParseCIDRSloppy), host bits allowed, or None."""
    if not isinstance(text, str) or "/" not in text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.ValidateIPBlock")
def ip_block_problems(block: dict, path: str) -> list[str]:
    """A CIDR, and each exception a CIDR strictly inside it."""
    cidr = block.get("cidr") or ""
    if not cidr:
        return [v.required(f"{path}.cidr")]
    network = _cidr(cidr)
    if network is None:
        return [v.invalid(f"{path}.cidr", cidr, "not a valid CIDR")]
    problems = []
    for i, text in enumerate(v.as_list(block.get("except"))):
        here, exception = f"{path}.except[{i}]", _cidr(text)
        if exception is None:
            return problems + [v.invalid(here, str(text), "not a valid CIDR")]
        inside = exception.version == network.version and exception.network_address in network
        if not inside or network.prefixlen >= exception.prefixlen:
            problems.append(v.invalid(here, text, "must be a strict subset of `cidr`"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.ValidateNetworkPolicyPort")
def port_problems(port: dict, path: str) -> list[str]:
    """TCP, UDP or SCTP; a port number or name; an endPort only after a numeric port, not below it."""
    problems = []
    protocol, number, end = port.get("protocol"), port.get("port"), port.get("endPort")
    if protocol is not None and protocol not in NETWORK_POLICY_PROTOCOLS:
        problems.append(v.unsupported(f"{path}.protocol", protocol, NETWORK_POLICY_PROTOCOLS))
    if number is None:
        if end is not None:
            problems.append(v.invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))
        return problems
    if isinstance(number, str):
        if end is not None:
            problems.append(v.invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
        return problems + [v.invalid(f"{path}.port", number, m) for m in port_name_problems(number)]
    if not 1 <= number <= 65535:
        problems.append(v.invalid(f"{path}.port", number, v.PORT_RANGE_MSG))
    if end is not None:
        if end < number:  # upstream shows the port, not the endPort, here
            problems.append(v.invalid(f"{path}.endPort", number, "must be greater than or equal to `port`"))
        if not 1 <= end <= 65535:
            problems.append(v.invalid(f"{path}.endPort", end, v.PORT_RANGE_MSG))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.ValidateNetworkPolicyPeer")
def peer_problems(peer: dict, path: str) -> list[str]:
    """At least one of podSelector, namespaceSelector and ipBlock; ipBlock alone."""
    problems = []
    for selector in ("podSelector", "namespaceSelector"):
        if peer.get(selector) is not None:
            problems += v.label_selector_problems(peer[selector], f"{path}.{selector}")
    if peer.get("ipBlock") is not None:
        problems += ip_block_problems(v.as_object(peer["ipBlock"]), f"{path}.ipBlock")
    present = [key for key in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(key) is not None]
    if not present:
        problems.append(v.required(path, "must specify a peer"))
    elif len(present) > 1 and "ipBlock" in present:
        problems.append(f"{path}: Forbidden: may not specify both ipBlock and another peer")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.ValidateNetworkPolicySpec")
def validate_network_policy(obj: dict) -> list[str]:
    spec, path = part(obj, "spec"), "spec"
    problems = v.label_selector_problems(spec.get("podSelector"), f"{path}.podSelector")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(v.as_list(spec.get(direction))):
            rule, here = v.as_object(rule), f"{path}.{direction}[{i}]"
            for j, port in enumerate(v.as_list(rule.get("ports"))):
                problems += port_problems(v.as_object(port), f"{here}.ports[{j}]")
            for j, peer in enumerate(v.as_list(rule.get(peers))):
                problems += peer_problems(v.as_object(peer), f"{here}.{peers}[{j}]")
    policy_types = v.as_list(spec.get("policyTypes"))
    if len(policy_types) > len(POLICY_TYPES):
        shown = ", ".join(quote(str(t)) for t in policy_types)
        return problems + [f"{path}.policyTypes: Invalid value: []networking.PolicyType{{{shown}}}: "
                           "may not specify more than two policyTypes"]
    return problems + [v.unsupported(f"{path}.policyTypes[{i}]", t, POLICY_TYPES)
                       for i, t in enumerate(policy_types) if t not in POLICY_TYPES]


@mirrors("k8s.io/kubernetes/pkg/apis/networking/v1.SetDefaults_NetworkPolicy",
         "k8s.io/kubernetes/pkg/apis/networking/v1.SetDefaults_NetworkPolicyPort")
def network_policy(obj: dict, spec: dict) -> None:
    """Ports are TCP unless they say; a policy without policyTypes is an Ingress policy, and an
    Egress one too when it has egress rules."""
    for direction in ("ingress", "egress"):
        for rule in dict_items(spec.get(direction)):
            for port in dict_items(rule.get("ports")):
                if port.get("protocol") is None:
                    port["protocol"] = "TCP"
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


RESOURCES = (
    Resource("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy", True, ("netpol",),
             tracks_generation=True, kind_group="extensions", validator=validate_network_policy,
             # ValidateNetworkPolicyUpdate validates the spec again after the strategy's own pass.
             update_validator_runs=2,
             zero_value={"spec": {"podSelector": {}}},
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"NetworkPolicy": network_policy}


DEFINITIONS = {
    NETWORKING + "NetworkPolicy": kind(
        "networking.k8s.io", "v1", "NetworkPolicy", "The traffic a set of pods may receive and send.",
        spec=ref(NETWORKING + "NetworkPolicySpec", "The pods and the traffic allowed to and from them.")),
    NETWORKING + "NetworkPolicySpec": obj(
        "The pods a policy selects and the traffic it allows them.", ("podSelector",),
        egress=arr(ref(NETWORKING + "NetworkPolicyEgressRule"), "Traffic the pods may send."),
        ingress=arr(ref(NETWORKING + "NetworkPolicyIngressRule"), "Traffic the pods may receive."),
        podSelector=ref(META + "LabelSelector", "The pods of the namespace the policy applies to."),
        policyTypes=strings("Ingress, Egress or both: the directions the policy isolates.")),
    NETWORKING + "NetworkPolicyIngressRule": obj(
        "Traffic allowed in: from these peers, to these ports.",
        **{"from": arr(ref(NETWORKING + "NetworkPolicyPeer"), "Sources allowed; empty means any."),
           "ports": arr(ref(NETWORKING + "NetworkPolicyPort"), "Ports allowed; empty means all.")}),
    NETWORKING + "NetworkPolicyEgressRule": obj(
        "Traffic allowed out: to these peers, on these ports.",
        ports=arr(ref(NETWORKING + "NetworkPolicyPort"), "Ports allowed; empty means all."),
        to=arr(ref(NETWORKING + "NetworkPolicyPeer"), "Destinations allowed; empty means any.")),
    NETWORKING + "NetworkPolicyPeer": obj(
        "Pods, namespaces or an IP block traffic may come from or go to.",
        ipBlock=ref(NETWORKING + "IPBlock", "A range of IP addresses."),
        namespaceSelector=ref(META + "LabelSelector", "Namespaces whose pods are peers."),
        podSelector=ref(META + "LabelSelector", "Pods that are peers.")),
    NETWORKING + "NetworkPolicyPort": obj(
        "A port, or a range of ports, and its protocol.",
        endPort=integer("The last port of a range starting at port."),
        port=ref(INT_OR_STRING, "A port number or a named port."),
        protocol=string("TCP, UDP or SCTP; defaults to TCP.")),
    NETWORKING + "IPBlock": obj(
        "A CIDR and the ranges inside it left out.", ("cidr",),
        cidr=string("The range, e.g. `10.0.0.0/8`."),
        **{"except": strings("Ranges inside cidr that are not peers.")}),
    NETWORKING + "NetworkPolicyList": list_kind("networking.k8s.io", "v1", NETWORKING + "NetworkPolicy"),
}


GO_TYPES = {
    NETWORKING + "NetworkPolicyPort": {"protocol": "v1.Protocol"},
    NETWORKING + "NetworkPolicySpec": {"policyTypes": "[]v1.PolicyType"},
}


PRINTERS = {
    "NetworkPolicy": ([NAME, ("Pod-Selector", "string", 0, "The pods the policy applies to."), AGE],
                      lambda o, now: [name_cell(o), selector_cell(part(o, "spec").get("podSelector")),
                                      age_cell(o, now)]),
}


MESSAGES = """
networking.IPBlock: 1 cidr! string; 2 except? []string
networking.NetworkPolicy: 1 metadata! meta.ObjectMeta; 2 spec! networking.NetworkPolicySpec
networking.NetworkPolicyEgressRule: 1 ports? []networking.NetworkPolicyPort; 2 to? []networking.NetworkPolicyPeer
networking.NetworkPolicyIngressRule: 1 ports? []networking.NetworkPolicyPort; 2 from? []networking.NetworkPolicyPeer
networking.NetworkPolicyList: 1 metadata! meta.ListMeta; 2 items* []networking.NetworkPolicy
networking.NetworkPolicyPeer: 1 podSelector meta.LabelSelector; 2 namespaceSelector meta.LabelSelector;
    3 ipBlock networking.IPBlock
networking.NetworkPolicyPort: 1 protocol string; 2 port intstr.IntOrString; 3 endPort int32
networking.NetworkPolicySpec: 1 podSelector! meta.LabelSelector; 2 ingress? []networking.NetworkPolicyIngressRule;
    3 egress? []networking.NetworkPolicyEgressRule; 4 policyTypes? []string
"""
