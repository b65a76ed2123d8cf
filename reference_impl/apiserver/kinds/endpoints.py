"""The Endpoints kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

import ipaddress

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import CORE, arr, atomic, integer, kind, list_kind, obj, ref, string
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell
from reference_impl.apiserver.kinds._defaulting import dict_items
from reference_impl.mirrors import mirrors


def ports_defaults(obj: dict, spec: dict) -> None:
    """Endpoints subsets' and EndpointSlices' ports are TCP unless they say otherwise."""
    for subset in dict_items(obj.get("subsets")):
        for port in dict_items(subset.get("ports")):
            port.setdefault("protocol", "TCP")
    for port in dict_items(obj.get("ports")):
        port.setdefault("protocol", "TCP")
        port.setdefault("name", "")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNonSpecialIP")
def address_problems(ip: object, path: str) -> list[str]:
    """An IP address, neither unspecified nor link-local (unicast or multicast): kube-proxy would
    send traffic there. Go's net.IP tests an IPv4-mapped address as IPv4, and IsLinkLocalMulticast
    takes ff02::, ff12::, ... (a 2 in the scope nibble). Upstream also refuses loopback addresses;
    the reference cluster's nodes and host-network pods live on 127.0.0.1, so its endpoints are
    loopback and are let through (`loopback_problems` is the check the reference leaves out)."""
    address = v.parse_ip(ip)
    if address is None:
        return [v.invalid(path, ip if isinstance(ip, str) else "", "must be a valid IP address")]
    address, problems = v.go_ip(address), []
    if address.is_unspecified:
        problems.append(v.invalid(path, ip, f"may not be unspecified ({ip})"))
    if address.is_link_local:
        problems.append(v.invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
    if (address in ipaddress.ip_network("224.0.0.0/24")
            or (address.version == 6 and address.packed[0] == 0xFF and address.packed[1] & 0x0F == 0x02)):
        problems.append(v.invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
    return problems


def loopback_problems(ip: object, path: str) -> list[str]:
    """ValidateNonSpecialIP's loopback check (an IPv4-mapped 127.x.y.z is loopback too)."""
    address = v.parse_ip(ip)
    if address is None or not v.go_ip(address).is_loopback:
        return []
    return [v.invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateEndpointSubsets")
def validate_endpoints(obj: dict) -> list[str]:
    """Each subset has addresses, each address a usable IP (and a DNS label hostname, a DNS
    subdomain nodeName), each port a number in range, a qualified-name appProtocol and, when a
    subset has several, a name."""
    problems = []
    for i, subset in enumerate(dict_items(obj.get("subsets"))):
        here = f"subsets[{i}]"
        if not subset.get("addresses") and not subset.get("notReadyAddresses"):
            problems.append(f"{here}: Required value: must specify `addresses` or `notReadyAddresses`")
        for field in ("addresses", "notReadyAddresses"):
            for j, address in enumerate(dict_items(subset.get(field))):
                at, ip = f"{here}.{field}[{j}]", address.get("ip")
                if v.parse_ip(ip) is None:  # validation.IsValidIP, then ValidateNonSpecialIP says it again
                    problems.append(v.invalid(f"{at}.ip", ip if isinstance(ip, str) else "",
                                              v.IP_MSG))
                if address.get("hostname"):
                    problems += v.name_problems(address["hostname"], "label", f"{at}.hostname")
                if address.get("nodeName") is not None:
                    problems += v.name_problems(str(address["nodeName"]), "subdomain", f"{at}.nodeName")
                problems += address_problems(ip, f"{at}.ip")
        ports = dict_items(subset.get("ports"))
        for j, port in enumerate(ports):
            at = f"{here}.ports[{j}]"
            if len(ports) > 1 and not port.get("name"):
                problems.append(v.required(f"{at}.name"))
            elif port.get("name"):
                problems += v.name_problems(port["name"], "label", f"{at}.name")
            number = port.get("port", 0)
            if not isinstance(number, int) or not 1 <= number <= 65535:
                problems.append(v.invalid(f"{at}.port", number, v.PORT_RANGE_MSG))
            if port.get("protocol") and port["protocol"] not in v.PROTOCOLS:
                problems.append(v.unsupported(f"{at}.protocol", port["protocol"], v.PROTOCOLS))
            if port.get("appProtocol") is not None:
                problems += v.label_name_problems(str(port["appProtocol"]), f"{at}.appProtocol")
    return problems


RESOURCES = (
    Resource("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",),
             storage_prefix="services/endpoints", validator=validate_endpoints,
             allow_create_on_update=True,
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"Endpoints": ports_defaults}
NO_SPEC = ("Endpoints",)


DEFINITIONS = {
    CORE + "Endpoints": kind("", "v1", "Endpoints", "The addresses that back a service.",
                             subsets=arr(ref(CORE + "EndpointSubset"), "Groups of addresses sharing ports.")),
    CORE + "EndpointSubset": obj(
        "Addresses that share one set of ports.",
        addresses=arr(ref(CORE + "EndpointAddress"), "Ready addresses."),
        notReadyAddresses=arr(ref(CORE + "EndpointAddress"), "Addresses not ready yet."),
        ports=arr(ref(CORE + "EndpointPort"), "The ports of these addresses.")),
    CORE + "EndpointAddress": atomic(obj(
        "One endpoint address.", ("ip",),
        hostname=string("Hostname of the endpoint."),
        ip=string("IP of the endpoint."),
        nodeName=string("Node hosting the endpoint."),
        targetRef=ref(CORE + "ObjectReference", "The object behind the endpoint, usually a pod."))),
    CORE + "EndpointPort": atomic(obj(
        "One port of an endpoint subset.", ("port",),
        appProtocol=string("The application protocol on the port."),
        name=string("Name matching the service port's name."),
        port=integer("Port number."),
        protocol=string("TCP, UDP or SCTP."))),
    CORE + "EndpointsList": list_kind("", "v1", CORE + "Endpoints"),
}


GO_TYPES = {
    CORE + "EndpointPort": {"protocol": "v1.Protocol"},
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.formatEndpoints")
def _endpoints(endpoints: dict, now: float) -> list:
    shown: list[str] = []
    count = 0
    for subset in endpoints.get("subsets") or []:
        ips = [a.get("ip", "") for a in subset.get("addresses") or []]
        targets = ([f"{ip}:{p.get('port')}" if ":" not in ip else f"[{ip}]:{p.get('port')}"
                    for p in subset["ports"] for ip in ips] if subset.get("ports") else ips)
        for target in targets:
            if len(shown) < 3:
                shown.append(target)
            count += 1
    cell = ",".join(shown) + (f" + {count - 3} more..." if count > 3 else "") if count else "<none>"
    return [name_cell(endpoints), cell, age_cell(endpoints, now)]


PRINTERS = {
    "Endpoints": ([NAME, ("Endpoints", "string", 0, "Endpoint addresses and ports."), AGE],
                  _endpoints),
}


MESSAGES = """
core.EndpointAddress: 1 ip! string; 3 hostname? string; 4 nodeName string; 2 targetRef core.ObjectReference
core.EndpointPort: 1 name? string; 2 port! int32; 3 protocol? string; 4 appProtocol string
core.EndpointSubset: 1 addresses? []core.EndpointAddress; 2 notReadyAddresses? []core.EndpointAddress;
    3 ports? []core.EndpointPort
core.Endpoints: 1 metadata! meta.ObjectMeta; 2 subsets? []core.EndpointSubset
core.EndpointsList: 1 metadata! meta.ListMeta; 2 items* []core.Endpoints
"""
