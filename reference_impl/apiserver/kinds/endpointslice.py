"""The EndpointSlice kind (discovery.k8s.io/v1): its resource facts, validation, defaults, OpenAPI
schema, printer columns and protobuf layout; and its conversion to and from discovery.k8s.io/v1beta1,
the version 1.24 stores it in (the group's first version priority), which `betaversions` also serves."""
from __future__ import annotations

from typing import Callable

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.conversion import Codec
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (CORE, DISCOVERY, arr, atomic, boolean, integer, kind, list_kind, obj,
                                                   ref, string, string_map, strings)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell
from reference_impl.apiserver.kinds._defaulting import dict_items
from reference_impl.apiserver.kinds.endpoints import address_problems, ports_defaults
from reference_impl.machinery.labels import DNS_SUBDOMAIN
from reference_impl.mirrors import mirrors

# sets.String's List(): sorted.
ADDRESS_TYPES = ("FQDN", "IPv4", "IPv6")
MAX_TOPOLOGY_LABELS = 16
MAX_ADDRESSES, MAX_PORTS, MAX_ENDPOINTS = 100, 20000, 1000


@mirrors("k8s.io/kubernetes/pkg/apis/discovery/validation.ValidateEndpointSlice",
         "k8s.io/kubernetes/pkg/apis/discovery/validation.validateAddressType")
def validate_endpoint_slice(obj: dict) -> list[str]:
    address_type = obj.get("addressType")
    if not address_type:
        problems = [v.required("addressType")]
    elif address_type not in ADDRESS_TYPES:
        problems = [v.unsupported("addressType", address_type, ADDRESS_TYPES)]
    else:
        problems = []
    return problems + _endpoint_problems(obj, address_type) + _port_problems(obj)


@mirrors("k8s.io/kubernetes/pkg/apis/discovery/validation.validateEndpoints")
def _endpoint_problems(obj: dict, address_type: object) -> list[str]:
    """At most 1000 endpoints (past that nothing else of them is checked), between one and 100
    addresses per endpoint, each of the slice's type (an unknown type checks none),
    a DNS subdomain nodeName, at most 16 valid deprecatedTopology labels and a DNS label hostname.
    (The strategy's dropTopologyOnV1 clears deprecatedTopology from a discovery.k8s.io/v1 request
    first: only a v1beta1 slice's topology gets here.)"""
    endpoints = dict_items(obj.get("endpoints"))
    if len(endpoints) > MAX_ENDPOINTS:  # then none of them is looked at
        return [_too_many("endpoints", len(endpoints), MAX_ENDPOINTS)]
    problems = []
    for i, endpoint in enumerate(endpoints):
        at = f"endpoints[{i}]"
        addresses = endpoint.get("addresses") or []
        if not addresses:
            problems.append(v.required(f"{at}.addresses", "must contain at least 1 address"))
        elif len(addresses) > MAX_ADDRESSES:
            problems.append(_too_many(f"{at}.addresses", len(addresses), MAX_ADDRESSES))
        for j, address in enumerate(addresses):
            problems += _address_problems(address, address_type, f"{at}.addresses[{j}]")
        if endpoint.get("nodeName") is not None:
            problems += v.name_problems(endpoint["nodeName"], "subdomain", f"{at}.nodeName")
        problems += _deprecated_topology_problems(endpoint.get("deprecatedTopology"), f"{at}.deprecatedTopology")
        if endpoint.get("hostname") is not None:
            problems += v.name_problems(endpoint["hostname"], "label", f"{at}.hostname")
    return problems


def _too_many(path: str, count: int, limit: int) -> str:
    """field.TooMany's error."""
    return f"{path}: Too many: {count}: must have at most {limit} items"


def _deprecated_topology_problems(topology: object, path: str) -> list[str]:
    if not isinstance(topology, dict):
        return []
    too_many = len(topology) > MAX_TOPOLOGY_LABELS
    counted = [_too_many(path, len(topology), MAX_TOPOLOGY_LABELS)] if too_many else []
    return counted + v.label_problems(topology, path)


def _address_problems(address: str, address_type: object, path: str) -> list[str]:
    if address_type in ("IPv4", "IPv6"):
        parsed = v.parse_ip(address)
        # IsValidIPv4Address and IsValidIPv6Address ask To4: an IPv4-mapped address is IPv4.
        if parsed is None or v.go_ip(parsed).version != int(address_type[-1]):
            wrong_family = v.invalid(path, address, f"must be a valid {address_type} address")
            return [wrong_family] + address_problems(address, path)
        return address_problems(address, path)
    if address_type == "FQDN":
        return _fqdn_problems(address, path)
    return []


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsFullyQualifiedDomainName")
def _fqdn_problems(name: str, path: str) -> list[str]:
    """A DNS subdomain (a trailing dot aside) of at least two labels of at most 63 characters;
    only the first error."""
    if not name:
        return [v.required(path)]
    name = name.removesuffix(".")
    why = (["must be no more than 253 characters"] if len(name) > 253 else []) + (
        [] if DNS_SUBDOMAIN.match(name) else [v.SUBDOMAIN_MSG])
    if why:
        return [v.invalid(path, name, ",".join(why))]
    if "." not in name:
        return [v.invalid(path, name, "should be a domain with at least two segments separated by dots")]
    return [v.invalid(path, label, "must be no more than 63 characters") for label in name.split(".")
            if len(label) > 63][:1]


@mirrors("k8s.io/kubernetes/pkg/apis/discovery/validation.validatePorts")
def _port_problems(obj: dict) -> list[str]:
    """At most 20000 ports (past that none is checked), each port's name a DNS label (if any) and
    unique, a known protocol and a qualified name as its appProtocol."""
    ports = dict_items(obj.get("ports"))
    if len(ports) > MAX_PORTS:
        return [_too_many("ports", len(ports), MAX_PORTS)]
    problems, names = [], set()
    for i, port in enumerate(ports):
        at, name = f"ports[{i}]", port.get("name") or ""
        if name:
            problems += v.name_problems(name, "label", f"{at}.name")
        if name in names:
            problems.append(v.duplicate(f"{at}.name", name))
        names.add(name)
        if port.get("protocol") is None:
            problems.append(v.required(f"{at}.protocol"))
        elif port["protocol"] not in v.PROTOCOLS:
            problems.append(v.unsupported(f"{at}.protocol", port["protocol"], v.PROTOCOLS))
        if port.get("appProtocol") is not None:
            problems += v.label_name_problems(port["appProtocol"], f"{at}.appProtocol")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/discovery/validation.ValidateEndpointSliceUpdate")
def validate_endpoint_slice_update(old: dict, new: dict) -> list[str]:
    if new.get("addressType") == old.get("addressType"):
        return []
    return [v.invalid("addressType", new.get("addressType", ""), "field is immutable")]


@mirrors("(k8s.io/kubernetes/pkg/registry/discovery/endpointslice.endpointSliceStrategy).PrepareForCreate",
         "k8s.io/kubernetes/pkg/registry/discovery/endpointslice.dropDisabledFieldsOnCreate",
         "k8s.io/kubernetes/pkg/registry/discovery/endpointslice.dropTopologyOnV1")
def prepare_for_create(obj: dict, user: object) -> None:
    """A new slice is generation 1. TopologyAwareHints is off in 1.24: every endpoint loses its
    hints; and a v1 request writes no deprecatedTopology."""
    obj["metadata"]["generation"] = 1
    for endpoint in dict_items(obj.get("endpoints")):
        endpoint.pop("hints", None)
        endpoint.pop("deprecatedTopology", None)


@mirrors("(k8s.io/kubernetes/pkg/registry/discovery/endpointslice.endpointSliceStrategy).PrepareForUpdate",
         "k8s.io/kubernetes/pkg/registry/discovery/endpointslice.dropDisabledFieldsOnUpdate",
         "k8s.io/kubernetes/pkg/registry/discovery/endpointslice.dropTopologyOnV1")
def prepare_for_update(new: dict, old: dict) -> None:
    """The generation goes up when anything but the metadata changes, or the labels do. Hints are
    kept once a stored endpoint has some; deprecatedTopology is cleared unless the endpoints are
    unchanged."""
    meta, old_meta = new["metadata"], old["metadata"]
    if _without_metadata(new) != _without_metadata(old) or meta.get("labels") != old_meta.get("labels"):
        meta["generation"] = old_meta.get("generation", 0) + 1
    endpoints = dict_items(new.get("endpoints"))
    if not any("hints" in endpoint for endpoint in dict_items(old.get("endpoints"))):
        for endpoint in endpoints:
            endpoint.pop("hints", None)
    if new.get("endpoints") != old.get("endpoints"):
        for endpoint in endpoints:
            endpoint.pop("deprecatedTopology", None)


def _without_metadata(obj: dict) -> dict:
    return {key: value for key, value in obj.items() if key != "metadata"}


def endpoint_slice_defaults(obj: dict, spec: dict) -> None:
    """Ports are TCP; every endpoint has conditions, a struct that is never omitted."""
    ports_defaults(obj, spec)
    for endpoint in dict_items(obj.get("endpoints")):
        endpoint.setdefault("conditions", {})


# discovery.k8s.io/v1beta1's topology map holds what v1 keeps in zone and nodeName.
TOPOLOGY_ZONE, HOSTNAME = "topology.kubernetes.io/zone", "kubernetes.io/hostname"
V1_ENDPOINT_FIELDS = ("addresses", "conditions", "hostname", "targetRef", "deprecatedTopology", "nodeName", "zone",
                      "hints")
V1BETA1_ENDPOINT_FIELDS = ("addresses", "conditions", "hostname", "targetRef", "topology", "nodeName", "hints")


def _in_order(obj: dict, fields: tuple[str, ...]) -> dict:
    return {**{k: obj[k] for k in fields if k in obj}, **{k: v for k, v in obj.items() if k not in fields}}


@mirrors("k8s.io/kubernetes/pkg/apis/discovery/v1beta1.Convert_v1beta1_Endpoint_To_discovery_Endpoint")
def endpoint_to_v1(endpoint: dict) -> dict:
    """The topology's zone is v1's zone; its hostname is dropped where it is the nodeName (v1beta1
    could hold two different ones); the rest is deprecatedTopology."""
    converted = {k: value for k, value in endpoint.items() if k != "topology"}
    topology = endpoint.get("topology")
    if isinstance(topology, dict):
        deprecated = dict(topology)
        if TOPOLOGY_ZONE in deprecated:
            converted["zone"] = deprecated.pop(TOPOLOGY_ZONE)
        node_name = endpoint.get("nodeName")
        if HOSTNAME in deprecated and node_name is not None and deprecated[HOSTNAME] == node_name:
            del deprecated[HOSTNAME]
        if deprecated:
            converted["deprecatedTopology"] = deprecated
    return _in_order(converted, V1_ENDPOINT_FIELDS)


@mirrors("k8s.io/kubernetes/pkg/apis/discovery/v1beta1.Convert_discovery_Endpoint_To_v1beta1_Endpoint")
def endpoint_to_v1beta1(endpoint: dict) -> dict:
    """deprecatedTopology, with the zone and (unless it names one already) the nodeName as topology
    labels."""
    converted = {k: value for k, value in endpoint.items() if k not in ("deprecatedTopology", "zone")}
    deprecated, zone, node = endpoint.get("deprecatedTopology"), endpoint.get("zone"), endpoint.get("nodeName")
    if deprecated is None and zone is None and node is None:
        return converted
    topology = dict(deprecated or {})
    if zone is not None:
        topology[TOPOLOGY_ZONE] = zone
    if node is not None and not topology.get(HOSTNAME):
        topology[HOSTNAME] = node
    converted["topology"] = dict(sorted(topology.items()))  # a Go map: encoding/json sorts its keys
    return _in_order(converted, V1BETA1_ENDPOINT_FIELDS)


def endpoints_converted(convert: Callable[[dict], dict]) -> Callable[[dict], dict]:
    def converted(slice_: dict) -> dict:
        endpoints = slice_.get("endpoints")
        if not isinstance(endpoints, list):
            return slice_
        return {**slice_, "endpoints": [convert(e) if isinstance(e, dict) else e for e in endpoints]}
    return converted


V1, V1BETA1 = "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1"


def _to_storage(slice_: dict) -> dict:
    return {**endpoints_converted(endpoint_to_v1beta1)(slice_), "apiVersion": V1BETA1}


def _from_storage(slice_: dict) -> dict:
    """A stored v1beta1 slice as v1 (one stored as v1 by an older reference server as it is)."""
    converted = endpoints_converted(endpoint_to_v1)(slice_) if slice_.get("apiVersion") == V1BETA1 else slice_
    return {**converted, "apiVersion": V1}


RESOURCES = (
    Resource("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", True,
             storage_codec=Codec(_to_storage, _from_storage), stored_as=V1BETA1,
             validator=validate_endpoint_slice, update_validator=validate_endpoint_slice_update,
             prepare_for_create=prepare_for_create, prepare_for_update=prepare_for_update,
             zero_value={"addressType": "", "endpoints": None, "ports": None},
             update_metadata_checks=UpdateMetadataChecks(full=1, update=0)),
)


DEFAULTS = {"EndpointSlice": endpoint_slice_defaults}
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
discovery.Endpoint: 1 addresses* []string; 2 conditions! discovery.EndpointConditions; 3 hostname string;
    4 targetRef core.ObjectReference; 5 deprecatedTopology? {}string; 6 nodeName string; 7 zone string;
    8 hints discovery.EndpointHints
discovery.EndpointConditions: 1 ready bool; 2 serving bool; 3 terminating bool
discovery.EndpointHints: 1 forZones? []discovery.ForZone
discovery.EndpointPort: 1 name string; 2 protocol string; 3 port int32; 4 appProtocol string
discovery.EndpointSlice: 1 metadata! meta.ObjectMeta; 4 addressType! string; 2 endpoints* []discovery.Endpoint;
    3 ports* []discovery.EndpointPort
discovery.EndpointSliceList: 1 metadata! meta.ListMeta; 2 items* []discovery.EndpointSlice
discovery.ForZone: 1 name! string
"""
