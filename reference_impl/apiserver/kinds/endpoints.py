"""The Endpoints kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import CORE, arr, integer, kind, list_kind, obj, ref, string
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


RESOURCES = (
    Resource("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",),
             storage_prefix="services/endpoints"),
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
    CORE + "EndpointsList": list_kind("", "v1", CORE + "Endpoints"),
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
core.EndpointAddress: 1 ip string; 2 targetRef core.ObjectReference; 3 hostname? string; 4 nodeName string
core.EndpointPort: 1 name? string; 2 port int32; 3 protocol? string; 4 appProtocol string
core.EndpointSubset: 1 addresses []core.EndpointAddress; 2 notReadyAddresses []core.EndpointAddress;
    3 ports []core.EndpointPort
core.Endpoints: 1 metadata meta.ObjectMeta; 2 subsets []core.EndpointSubset
core.EndpointsList: 1 metadata meta.ListMeta; 2 items []core.Endpoints
"""
