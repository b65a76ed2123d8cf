"""discovery.k8s.io/v1 EndpointSlices as Kubernetes 1.24's ValidateEndpointSlice and
ValidateEndpointSliceUpdate check them, with their texts. One rule per case."""
from __future__ import annotations

import copy

import pytest

from reference_impl.apiserver import kinds

SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
             "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
             r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
         "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
NAME_PART = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
             "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
             "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
SLICE = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "web", "namespace": "d"},
         "addressType": "IPv4",
         "endpoints": [{"addresses": ["10.1.2.3"], "conditions": {"ready": True}, "hostname": "h", "nodeName": "n1"}],
         "ports": [{"name": "http", "port": 80, "protocol": "TCP", "appProtocol": "http"}]}


def problems(obj: dict) -> list[str]:
    return kinds.find("discovery.k8s.io", "v1", "endpointslices").validate(obj)


def with_field(path: tuple, value: object) -> dict:
    obj = copy.deepcopy(SLICE)
    parent = obj
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return obj


def test_a_valid_endpoint_slice_has_no_problems():
    assert problems(SLICE) == []


@pytest.mark.parametrize("path,value,expected", [
    (("addressType",), "Bogus", ['addressType: Unsupported value: "Bogus": supported values: "FQDN", "IPv4", "IPv6"']),
    (("addressType",), "IPv6", ['endpoints[0].addresses[0]: Invalid value: "10.1.2.3": must be a valid IPv6 address']),
    (("endpoints", 0, "addresses"), ["x"], ['endpoints[0].addresses[0]: Invalid value: "x": must be a valid IPv4 address',
                                            'endpoints[0].addresses[0]: Invalid value: "x": must be a valid IP address']),
    (("endpoints", 0, "addresses"), [], ["endpoints[0].addresses: Required value: must contain at least 1 address"]),
    (("endpoints", 0, "hostname"), "UPPER", [f'endpoints[0].hostname: Invalid value: "UPPER": {LABEL}']),
    (("endpoints", 0, "nodeName"), "", [f'endpoints[0].nodeName: Invalid value: "": {SUBDOMAIN}']),
    (("ports", 0, "protocol"), "Bogus",
     ['ports[0].protocol: Unsupported value: "Bogus": supported values: "SCTP", "TCP", "UDP"']),
    (("ports", 0, "name"), "UPPER", [f'ports[0].name: Invalid value: "UPPER": {LABEL}']),
    (("ports",), [{"name": "a", "port": 1, "protocol": "TCP"}, {"name": "a", "port": 2, "protocol": "TCP"}],
     ['ports[1].name: Duplicate value: "a"']),
    (("ports", 0, "appProtocol"), "a b", [f'ports[0].appProtocol: Invalid value: "a b": {NAME_PART}']),
], ids=["address-type", "ipv4-as-ipv6", "not-an-ip", "no-address", "hostname", "node-name", "protocol", "port-name",
        "duplicate-port", "app-protocol"])
def test_an_invalid_endpoint_slice_is_refused_with_upstreams_text(path, value, expected):
    """validateAddressType, validateEndpoints and validatePorts: addresses of the slice's type,
    DNS names for hosts and nodes, unique DNS label port names, a known protocol."""
    assert problems(with_field(path, value)) == expected


@pytest.mark.parametrize("address,expected", [
    ("UPPER", f'endpoints[0].addresses[0]: Invalid value: "UPPER": {SUBDOMAIN}'),
    ("example.com.", None), ("localhost",
                             'endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least '
                             "two segments separated by dots"),
], ids=["upper", "trailing-dot", "one-label"])
def test_an_fqdn_slice_holds_fully_qualified_domain_names(address, expected):
    """IsFullyQualifiedDomainName: a DNS subdomain, a trailing dot aside, of at least two labels."""
    obj = with_field(("endpoints", 0, "addresses"), [address])
    obj["addressType"] = "FQDN"
    assert problems(obj) == ([expected] if expected else [])


def test_the_address_type_is_immutable():
    """ValidateEndpointSliceUpdate: the new slice's own problems, then a changed addressType."""
    resource = kinds.find("discovery.k8s.io", "v1", "endpointslices")
    changed = with_field(("addressType",), "IPv6")
    assert resource.validate_update(SLICE, changed) == [
        'endpoints[0].addresses[0]: Invalid value: "10.1.2.3": must be a valid IPv6 address',
        'addressType: Invalid value: "IPv6": field is immutable']


def test_deprecated_topology_is_not_validated_through_v1():
    """dropTopologyOnV1 clears deprecatedTopology from a v1 request before validation, so labels
    that would be invalid are not refused."""
    slice_ = with_field(("endpoints", 0, "deprecatedTopology"), {"a b": "c"})
    kinds.find("discovery.k8s.io", "v1", "endpointslices").prepare_for_create(slice_, None)
    assert problems(slice_) == []


def test_a_v1_create_drops_hints_and_deprecated_topology():
    """dropDisabledFieldsOnCreate (TopologyAwareHints is off in 1.24) clears each endpoint's hints,
    and dropTopologyOnV1 its deprecatedTopology."""
    resource = kinds.find("discovery.k8s.io", "v1", "endpointslices")
    obj = with_field(("endpoints", 0, "hints"), {"forZones": [{"name": "z"}]})
    obj["endpoints"][0]["deprecatedTopology"] = {"a": "b"}
    resource.prepare_for_create(obj, None)
    assert obj["endpoints"] == SLICE["endpoints"]


def test_a_v1_update_keeps_hints_only_when_the_stored_slice_has_some():
    """dropDisabledFieldsOnUpdate: hints stay once any stored endpoint has them; deprecatedTopology
    goes whenever the endpoints change."""
    resource = kinds.find("discovery.k8s.io", "v1", "endpointslices")
    hinted = with_field(("endpoints", 0, "hints"), {"forZones": [{"name": "z"}]})
    new = copy.deepcopy(hinted)
    new["endpoints"][0]["deprecatedTopology"] = {"a": "b"}
    resource.prepare_for_update(new, SLICE)
    assert new["endpoints"] == SLICE["endpoints"]
    new = copy.deepcopy(hinted)
    new["endpoints"][0]["hostname"] = "h2"
    resource.prepare_for_update(new, hinted)
    assert new["endpoints"][0]["hints"] == {"forZones": [{"name": "z"}]}


def test_every_endpoint_has_conditions_even_empty():
    """Endpoint.conditions is a struct, no pointer: the real server returns `conditions: {}` for an
    endpoint that sets none."""
    obj = copy.deepcopy(SLICE)
    del obj["endpoints"][0]["conditions"]
    kinds.set_object_defaults("EndpointSlice", obj)
    assert obj["endpoints"][0]["conditions"] == {}



NON_SPECIAL = {"link-local": "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
               "multicast": "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"}


@pytest.mark.parametrize("address_type,address,expected", [
    ("IPv6", "fe80::1", ["link-local"]), ("IPv6", "ff12::1", ["multicast"]), ("IPv4", "::ffff:169.254.0.1", ["link-local"]),
    ("IPv4", "224.0.0.9", ["multicast"]), ("IPv4", "010.001.2.3", []), ("IPv4", "::ffff:10.1.2.3", []),
    ("IPv4", "1.2.3.256", None), ("IPv6", "fe80::1%eth0", None), ("IPv6", "::ffff:10.1.2.3", "IPv6"),
])
def test_slice_addresses_are_parsed_sloppily_and_may_not_be_special(address_type, address, expected):
    """IsValidIPv4Address / IsValidIPv6Address then ValidateNonSpecialIP: netutils.ParseIPSloppy
    takes leading zeros in IPv4 octets and no IPv6 zone, Go's net.IP methods test an IPv4-mapped
    address as IPv4 (its To4, so it is no IPv6 address), and link-local unicast and multicast
    (ff02::, ff12::, ...) are refused. None: no IP at all, refused by both checks. (Loopback is
    upstream's refusal the reference leaves out: its nodes live on 127.0.0.1.)"""
    slice_ = with_field(("endpoints", 0, "addresses"), [address])
    slice_["addressType"] = address_type
    at = f'endpoints[0].addresses[0]: Invalid value: "{address}": '
    if expected is None:
        assert problems(slice_) == [f"{at}must be a valid {address_type} address", f"{at}must be a valid IP address"]
    elif expected == "IPv6":
        assert problems(slice_) == [f"{at}must be a valid IPv6 address"]
    else:
        assert problems(slice_) == [at + NON_SPECIAL[name] for name in expected]


@pytest.mark.parametrize("field", ["addresses", "notReadyAddresses"])
def test_endpoints_read_ipv4_octets_with_leading_zeros(field):
    """validateEndpointAddress's IsValidIP parses with netutils.ParseIPSloppy: 010.1.2.3 is an IP."""
    endpoints = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "e", "namespace": "d"},
                 "subsets": [{field: [{"ip": "010.1.2.3"}, {"ip": "fe80::1%1"}], "ports": [{"port": 80}]}]}
    at = f'subsets[0].{field}[1].ip: Invalid value: "fe80::1%1": '
    assert kinds.find("", "v1", "endpoints").validate(endpoints) == [
        f"{at}must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)", f"{at}must be a valid IP address"]


ENDPOINTS_1001 = [{"addresses": [f"10.1.{i // 250}.{i % 250 + 1}"]} for i in range(1001)]


@pytest.mark.parametrize("path,value,expected", [
    (("endpoints",), ENDPOINTS_1001[:1000], []),
    (("endpoints",), ENDPOINTS_1001, ["endpoints: Too many: 1001: must have at most 1000 items"]),
    (("endpoints",), [{"addresses": ["x"]}] * 1001, ["endpoints: Too many: 1001: must have at most 1000 items"]),
    (("endpoints", 0, "addresses"), [f"10.1.0.{i + 1}" for i in range(100)], []),
    (("endpoints", 0, "addresses"), [f"10.1.0.{i + 1}" for i in range(101)],
     ["endpoints[0].addresses: Too many: 101: must have at most 100 items"]),
    (("ports",), [{"name": f"p{i}", "port": i % 65535 + 1, "protocol": "TCP"} for i in range(20001)],
     ["ports: Too many: 20001: must have at most 20000 items"]),
], ids=["1000-endpoints", "1001-endpoints", "1001-bad-endpoints", "100-addresses", "101-addresses", "20001-ports"])
def test_a_slice_holds_at_most_1000_endpoints_of_100_addresses(path, value, expected):
    """validateEndpoints and validatePorts: past 1000 endpoints or 20000 ports nothing else of them
    is checked; an endpoint holds at most 100 addresses."""
    assert problems(with_field(path, value)) == expected
