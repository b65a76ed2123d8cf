"""The EndpointSlice kind (discovery.k8s.io/v1): its resource facts, validation, defaults, OpenAPI
schema, printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import (CORE, DISCOVERY, arr, atomic, boolean, integer, kind, list_kind, obj,
                                                   ref, string, string_map, strings)
from reference_impl.apiserver.core.validation import required, unsupported
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell
from reference_impl.apiserver.kinds.endpoints import ports_defaults
from reference_impl.mirrors import mirrors

ADDRESS_TYPES = ("IPv4", "IPv6", "FQDN")


@mirrors("k8s.io/kubernetes/pkg/apis/discovery/validation.ValidateEndpointSlice")
def validate_endpoint_slice(obj: dict) -> list[str]:
    address_type = obj.get("addressType")
    if not address_type:
        return [required("addressType")]
    if address_type not in ADDRESS_TYPES:
        return [unsupported("addressType", address_type, ADDRESS_TYPES)]
    return [required(f"endpoints[{i}].addresses") for i, endpoint in enumerate(obj.get("endpoints") or [])
            if not (endpoint or {}).get("addresses")]


RESOURCES = (
    Resource("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", True,
             validator=validate_endpoint_slice),
)


DEFAULTS = {"EndpointSlice": ports_defaults}
NO_SPEC = ("EndpointSlice",)


DEFINITIONS = {
    DISCOVERY + "EndpointSlice": kind(
        "discovery.k8s.io", "v1", "EndpointSlice", "A subset of the endpoints behind a service.",
        ("addressType", "endpoints"),
        addressType=string("IPv4, IPv6 or FQDN."),
        endpoints={**arr(ref(DISCOVERY + "Endpoint"), "The endpoints; at most 1000."),
                   "x-kubernetes-list-type": "atomic"},
        ports={**arr(ref(DISCOVERY + "EndpointPort"), "The ports of every endpoint."),
               "x-kubernetes-list-type": "atomic"}),
    DISCOVERY + "Endpoint": obj(
        "One endpoint: its addresses, conditions, target and topology.", ("addresses",),
        addresses={**strings("Addresses of the endpoint, all of the slice's addressType; usually one."),
                   "x-kubernetes-list-type": "set"},
        conditions=ref(DISCOVERY + "EndpointConditions", "Whether the endpoint is ready, serving, terminating."),
        deprecatedTopology=string_map("Topology labels of the v1beta1 API; not written in v1."),
        hints=ref(DISCOVERY + "EndpointHints", "Hints for topology-aware routing."),
        hostname=string("Hostname of the endpoint."),
        nodeName=string("Node hosting the endpoint."),
        targetRef=ref(CORE + "ObjectReference", "The object behind the endpoint, usually a pod."),
        zone=string("Zone the endpoint is in.")),
    DISCOVERY + "EndpointConditions": obj(
        "The state of an endpoint.",
        ready=boolean("Ready for traffic; false while terminating."),
        serving=boolean("Ready for traffic, whether terminating or not."),
        terminating=boolean("Terminating.")),
    DISCOVERY + "EndpointHints": obj(
        "Hints for topology-aware routing.",
        forZones={**arr(ref(DISCOVERY + "ForZone"), "Zones that should consume the endpoint."),
                  "x-kubernetes-list-type": "atomic"}),
    DISCOVERY + "ForZone": obj("A zone that should consume an endpoint.", ("name",), name=string("Name of the zone.")),
    DISCOVERY + "EndpointPort": atomic(obj(
        "A port of every endpoint of a slice.",
        appProtocol=string("The application protocol on the port."),
        name=string("Name of the port; empty or a DNS label."),
        port=integer("Port number; empty means every port."),
        protocol=string("TCP, UDP or SCTP; defaults to TCP."))),
    DISCOVERY + "EndpointSliceList": list_kind("discovery.k8s.io", "v1", DISCOVERY + "EndpointSlice"),
}


GO_TYPES = {
    DISCOVERY + "EndpointSlice": {"addressType": "v1.AddressType", "endpoints": "[]v1.Endpoint",
                                  "ports": "[]v1.EndpointPort"},
    DISCOVERY + "Endpoint": {"hints": "*v1.EndpointHints", "targetRef": "*v1.ObjectReference"},
    DISCOVERY + "EndpointPort": {"protocol": "*v1.Protocol"},
}


def _first_three(values: list[str]) -> str:
    shown = ",".join(values[:3])
    return shown + (f" + {len(values) - 3} more..." if len(values) > 3 else "")


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printEndpointSlice")
def _endpoint_slice(obj: dict, now: float) -> list:
    ports = [str(p["port"]) if p.get("port") is not None else "<unset>"
             for p in obj.get("ports") or [] if isinstance(p, dict)]
    addresses = [a for e in obj.get("endpoints") or [] if isinstance(e, dict) for a in e.get("addresses") or []]
    return [name_cell(obj), obj.get("addressType", ""), _first_three(ports) or "<unset>",
            _first_three(addresses) or "<unset>", age_cell(obj, now)]


PRINTERS = {
    "EndpointSlice": ([NAME, ("AddressType", "string", 0, "IPv4, IPv6 or FQDN."),
                       ("Ports", "string", 0, "Ports of the endpoints."),
                       ("Endpoints", "string", 0, "Addresses of the endpoints."), AGE], _endpoint_slice),
}


MESSAGES = """
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
"""
