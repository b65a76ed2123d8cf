"""`pods/portforward`: the checks PortForwardREST.Connect and PortForwardLocation make before the
upgrade is proxied to the kubelet, and the kubelet URL they write."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.podexec import UpgradeResponse
from tests.reference.apiserver.test_handlers import POD, call, chain, etcd, ns_path, registry  # noqa: F401
from tests.reference.apiserver.test_pod_exec import GetOnly, node, scheduled, status_of

SPDY = {"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": "portforward.k8s.io"}


def port_forward(chain, query=None, method="POST", headers=SPDY):
    return chain.handle(Request(method, ns_path(chain, "pods", "web") + "/portforward", query or {}, headers))


def test_an_upgrade_goes_to_the_kubelets_port_forward_url(chain):
    """PortForwardLocation: /portForward/<ns>/<pod>, no container, no query for a SPDY client."""
    call(chain, "POST", "/api/v1/nodes", node())
    call(chain, "POST", ns_path(chain, "pods"), scheduled())
    response = port_forward(chain)
    assert isinstance(response, UpgradeResponse)
    assert (response.host, response.port, response.path) == ("127.0.0.1", 10250, f"/portForward/{chain.namespace}/web")


def test_the_ports_asked_for_go_on_as_one_port_parameter(chain):
    """streamParams joins PodPortForwardOptions.Ports with commas, which is how the kubelet's
    WebSocket handler reads them."""
    call(chain, "POST", "/api/v1/nodes", node())
    call(chain, "POST", ns_path(chain, "pods"), scheduled())
    response = port_forward(chain, {"ports": ["80", "443"]}, method="GET")
    assert response.path == f"/portForward/{chain.namespace}/web?port=80%2C443"


@pytest.mark.parametrize("ports, message", [
    ("abc", 'strconv.ParseUint: parsing "abc": invalid syntax'),
    ("70000", 'strconv.ParseUint: parsing "70000": value out of range'),
    ("80,", 'strconv.ParseUint: parsing "": invalid syntax'),
    ("-1", 'strconv.ParseUint: parsing "-1": invalid syntax'),
    ("1_0", 'strconv.ParseUint: parsing "1_0": invalid syntax'),
])
def test_ports_that_are_no_16_bit_numbers_are_refused_before_the_pod_is_read(chain, ports, message):
    """Convert_Slice_string_To_Slice_int32 reads each comma-separated piece with ParseUint(.., 10,
    16) when the query becomes PodPortForwardOptions, before the pod is looked up: a missing pod
    is a 400 too (each answer as the real 1.24 server gives it)."""
    code, status = status_of(chain.handle(Request("GET", ns_path(chain, "pods", "absent") + "/portforward",
                                                  {"ports": [ports]}, SPDY)))
    assert (code, status["message"]) == (400, f"cannot convert to []int32: {message}")


def test_ports_go_on_as_the_numbers_read(chain):
    """streamParams formats the int32s again: a leading zero is gone."""
    call(chain, "POST", "/api/v1/nodes", node())
    call(chain, "POST", ns_path(chain, "pods"), scheduled())
    response = port_forward(chain, {"ports": ["080", "65535"]}, method="GET")
    assert response.path == f"/portForward/{chain.namespace}/web?port=80%2C65535"


def test_a_pod_without_a_node_has_no_host_to_forward_to(chain):
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = status_of(port_forward(chain))
    assert (code, status["message"]) == (400, "pod web does not have a host assigned")


def test_a_request_that_does_not_upgrade_is_refused(chain):
    call(chain, "POST", "/api/v1/nodes", node())
    call(chain, "POST", ns_path(chain, "pods"), scheduled())
    code, status = status_of(port_forward(chain, headers={}))
    assert (code, status["message"]) == (400, "Upgrade request required")


def test_port_forward_is_discovered_with_its_kind_and_verbs(chain):
    """pods/portforward is listed as PodPortForwardOptions with create and get, as 1.24 lists it."""
    resources = call(chain, "GET", "/api/v1")[1]["resources"]
    entry = next(r for r in resources if r["name"] == "pods/portforward")
    assert (entry["kind"], entry["verbs"]) == ("PodPortForwardOptions", ["create", "get"])


def test_a_get_must_also_be_allowed_to_create(registry):
    """As for exec: the WebSocket GET is authorized as `get`, then as `create`."""
    authorizer = GetOnly()
    guarded = HandlerChain(registry, authorizer=authorizer)
    guarded.namespace = "portforward-authz"
    call(guarded, "POST", "/api/v1/namespaces", {"metadata": {"name": guarded.namespace}})
    call(guarded, "POST", ns_path(guarded, "pods"), scheduled())
    authorizer.asked.clear()
    code, status = status_of(port_forward(guarded, method="GET"))
    assert [(a.verb, a.subresource) for a in authorizer.asked] == [("get", "portforward"), ("create", "portforward")]
    assert (code, status["message"]) == (403, 'pods "web" is forbidden: no create for you')
