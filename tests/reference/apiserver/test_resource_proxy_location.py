"""The proxy subresources' core, with no sockets: how `[scheme:]name[:port]` is read, which backend
ResourceLocation picks for a pod, a service and a node (and its refusals, in the real 1.24's words,
seen side by side), the path passed on, and how redirects and HTML links are rewritten."""
from __future__ import annotations

import random

import pytest

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import discovery, resourceproxy
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.resourceproxy import ProxyLocation


def refusal(call) -> tuple[int, str, str]:
    with pytest.raises(StatusError) as caught:
        call()
    return caught.value.code, caught.value.reason, caught.value.message


@pytest.mark.parametrize("id_, expected", [
    ("web", ("", "web", "")),
    ("web:8080", ("", "web", "8080")),
    ("web:http", ("", "web", "http")),
    ("https:web:8443", ("https", "web", "8443")),
    ("http:web:", ("http", "web", "")),
    ("ftp:web:80", None),
    (":80", None),
    ("a:b:c:d", None),
])
def test_a_name_is_scheme_name_and_port(id_, expected):
    """SplitSchemeNamePort: one to three parts, a name, and a scheme of http, https or none."""
    assert resourceproxy.split_scheme_name_port(id_) == expected


def test_a_name_that_does_not_split_is_a_400_naming_the_kind():
    assert refusal(lambda: resourceproxy.parse_id("pod", "a:b:c:d")) == (
        400, "BadRequest", 'invalid pod request "a:b:c:d"')


@pytest.mark.parametrize("parts, request_path, expected", [
    (("pods", "web", "proxy"), "/api/v1/namespaces/n/pods/web/proxy", ""),
    (("pods", "web", "proxy"), "/api/v1/namespaces/n/pods/web/proxy/", "/"),
    (("pods", "web", "proxy", "a", "b"), "/x/proxy/a/b", "/a/b"),
    (("pods", "web", "proxy", "a", ""), "/x/proxy/a/", "/a/"),
    (("pods", "web", "proxy", "a", "..", "b", "", "c"), "/x/proxy/a/../b//c", "/b/c"),
])
def test_the_path_is_what_follows_proxy_cleaned_with_its_trailing_slash(parts, request_path, expected):
    """getRequestOptions, then JoinPreservingTrailingSlash("", path): path.Clean's result, the
    request's trailing slash kept (the real 1.24 sent `/b/c` for `a/../b//c`)."""
    path = resourceproxy.join_preserving_trailing_slash("", resourceproxy.sub_path(parts, request_path))
    assert resourceproxy.backend_path(path, request_path) == expected


def pod(ip: str | None = "10.1.2.3", ports=(8080,)) -> dict:
    containers = [{"name": "c", "ports": [{"containerPort": p} for p in ports]}]
    return {"metadata": {"name": "web"}, "spec": {"containers": containers},
            "status": {"podIPs": [{"ip": ip}]} if ip else {}}


def test_a_pod_is_reached_on_its_first_containers_first_port_unless_one_is_named():
    assert resourceproxy.pod_location(pod(), "", "") == ProxyLocation("http", "10.1.2.3", "8080")
    assert resourceproxy.pod_location(pod(), "https", "9443") == ProxyLocation("https", "10.1.2.3", "9443")
    assert resourceproxy.pod_location(pod(ports=()), "", "").netloc == "10.1.2.3"


@pytest.mark.parametrize("ip", [None, "127.0.0.1", "127.0.1.2", "169.254.1.1", "::1", "fe80::1", "ff02::1",
                                "224.0.0.5"])
def test_a_pod_without_a_proxyable_ip_is_a_400(ip):
    """IsProxyableIP: no IP, loopback and link-local ones are refused as the real 1.24 refused
    them, 400 "address not allowed" (the reference kubelet's 127.0.N.x pods included)."""
    assert refusal(lambda: resourceproxy.pod_location(pod(ip), "", "")) == (400, "BadRequest", "address not allowed")


NS = "ns"


def store(service_ports=({"name": "http", "port": 80},), subsets=None, pods=None):
    """A getter over a service `web`, its Endpoints (absent for subsets None) and pods by name."""
    objects = {("services", "web"): {"metadata": {"name": "web"}, "spec": {"ports": list(service_ports)}}}
    if subsets is not None:
        objects[("endpoints", "web")] = {"metadata": {"name": "web"}, "subsets": subsets}
    for name, ip in (pods or {"backend": "10.0.0.5"}).items():
        objects[("pods", name)] = {"metadata": {"name": name}, "status": {"podIPs": [{"ip": ip}]}}

    def get(resource, namespace, name):
        if (resource, name) not in objects:
            raise StatusError(404, "NotFound", f'{resource} "{name}" not found')
        return objects[(resource, name)]
    return get


def address(ip="10.0.0.5", pod_name="backend", namespace=NS):
    return {"ip": ip, "targetRef": {"kind": "Pod", "namespace": namespace, "name": pod_name}}


def subset(*addresses, ports=({"name": "http", "port": 8080},)):
    return {"addresses": list(addresses), "ports": list(ports)}


def test_a_service_is_reached_at_an_address_of_its_endpoints_port():
    get = store(subsets=[subset(address())])
    assert resourceproxy.service_location(get, NS, "web:http") == ProxyLocation("http", "10.0.0.5", "8080")
    assert resourceproxy.service_location(get, NS, "https:web:http").scheme == "https"


def test_a_port_number_is_read_as_the_service_ports_name():
    get = store(subsets=[subset(address())])
    assert resourceproxy.service_location(get, NS, "web:80").port == "8080"
    assert refusal(lambda: resourceproxy.service_location(get, NS, "web:99")) == (
        503, "ServiceUnavailable", 'no service port 99 found for service "web"')


def test_a_service_with_no_port_named_uses_its_unnamed_endpoint_port():
    get = store(subsets=[subset(address(), ports=({"port": 8080},))])
    assert resourceproxy.service_location(get, NS, "web").port == "8080"


def test_a_service_without_endpoints_is_a_503_or_a_404_naming_the_service():
    """No subsets: 503 naming the service; no Endpoints at all: the endpoints store's NotFound,
    which names the request's resource (`services "web" not found`), as the real 1.24 answered."""
    assert refusal(lambda: resourceproxy.service_location(store(subsets=[]), NS, "web")) == (
        503, "ServiceUnavailable", 'no endpoints available for service "web"')
    assert refusal(lambda: resourceproxy.service_location(store(), NS, "web")) == (
        404, "NotFound", 'services "web" not found')


@pytest.mark.parametrize("candidate", [
    {"ip": "10.0.0.5"},  # no targetRef
    address(namespace="other"),
    address(pod_name="gone"),
    address(ip="10.0.0.9"),  # not the pod's IP
])
def test_only_an_address_of_a_pod_of_the_namespace_with_that_ip_is_used(candidate):
    """isValidAddress skips the rest; with none left the 503 names the whole id as asked."""
    get = store(subsets=[subset(candidate)])
    assert refusal(lambda: resourceproxy.service_location(get, NS, "web:http")) == (
        503, "ServiceUnavailable", 'no endpoints available for service "web:http"')


def test_the_address_is_picked_at_random_among_the_valid_ones():
    get = store(subsets=[subset(address("10.0.0.5", "a"), address("10.0.0.6", "b"))],
                pods={"a": "10.0.0.5", "b": "10.0.0.6"})
    picked = {resourceproxy.service_location(get, NS, "web:http", random.Random(seed)).host for seed in range(20)}
    assert picked == {"10.0.0.5", "10.0.0.6"}


def no_lookup(host):
    raise AssertionError("the kubelet's own port needs no lookup")


def test_a_node_is_reached_at_its_kubelet_over_https_whatever_scheme_is_asked():
    assert resourceproxy.node_location(("10.0.0.1", 10250), "http", "", no_lookup) == \
        ProxyLocation("https", "10.0.0.1", "10250", kubelet=True)
    assert resourceproxy.node_location(("10.0.0.1", 10250), "", "10250", no_lookup).kubelet


def test_another_port_of_a_node_needs_a_proxyable_address():
    location = resourceproxy.node_location(("10.0.0.1", 10250), "", "9100", resourceproxy.resolve_host)
    assert location == ProxyLocation("http", "10.0.0.1", "9100")
    assert refusal(lambda: resourceproxy.node_location(("127.0.0.1", 10250), "", "9100",
                                                       resourceproxy.resolve_host)) == (
        400, "BadRequest", "address not allowed")


def test_a_get_of_the_bare_proxy_path_is_redirected_to_it_with_a_slash():
    """proxyRedirectsforRootPath: GET and HEAD only, the query kept."""
    assert resourceproxy.root_redirect("", "GET", "/api/v1/namespaces/n/pods/web/proxy", "a=1") == \
        "/api/v1/namespaces/n/pods/web/proxy/?a=1"
    assert resourceproxy.root_redirect("", "POST", "/p/proxy", "") is None
    assert resourceproxy.root_redirect("/", "GET", "/p/proxy/", "") is None


PREFIX = "/api/v1/namespaces/n/services/web/proxy"


@pytest.mark.parametrize("target, expected", [
    ("http://10.0.0.5:8080/target/x?q=1", PREFIX + "/target/x?q=1"),  # the real 1.24's answer
    ("/t/", PREFIX + "/t/"),
    ("target", "target"),  # relative: resolves under the proxy path already
    ("http://example.com/t", "http://example.com/t"),
    ("https://api.local:6443/t", "https://api.local:6443" + PREFIX + "/t"),  # the client's own host
    (PREFIX + "/already", PREFIX + "/already"),
])
def test_a_redirect_on_the_backends_host_goes_through_the_proxy_again(target, expected):
    assert resourceproxy.rewrite_url(target, "10.0.0.5:8080", "api.local:6443", PREFIX) == expected


def test_the_prefix_is_the_request_path_without_the_backends():
    """defaultProxyTransport's PathPrepend: TrimSuffix, so a path that was cleaned is kept whole."""
    assert resourceproxy.path_prepend(PREFIX + "/a/b", "/a/b") == PREFIX
    assert resourceproxy.path_prepend(PREFIX + "/", "") == PREFIX
    assert resourceproxy.path_prepend(PREFIX + "/a/b/..", "/a") == PREFIX + "/a/b/.."


def test_html_links_are_rewritten_in_url_attributes_only():
    """rewriteHTML: url-valued attributes of the tags it knows, written again with double
    quotes; comments and other attributes stay."""
    page = "<html><A HREF=/x>a</a><!-- <a href='/c'> --><img src='http://10.0.0.5:8080/i.png' alt=\"x&amp;y\"/>" \
           "<p class=z>"
    rewritten = resourceproxy.rewrite_html(page, lambda url: resourceproxy.rewrite_url(url, "10.0.0.5:8080", "",
                                                                                        PREFIX))
    assert rewritten == f'<html><a href="{PREFIX}/x">a</a><!-- <a href=\'/c\'> --><img src="{PREFIX}/i.png" ' \
                        'alt="x&amp;y"/><p class=z>'


@pytest.mark.parametrize("resource, kind", [("pods", "PodProxyOptions"), ("services", "ServiceProxyOptions"),
                                            ("nodes", "NodeProxyOptions")])
def test_each_proxy_is_discovered_with_its_options_kind_and_verbs(resource, kind):
    """/api/v1 lists `<resource>/proxy` with the verbs of its seven methods, as 1.24 does."""
    entries = discovery.api_resource_list(kinds.RESOURCES, "", "v1")["resources"]
    entry = next(e for e in entries if e["name"] == f"{resource}/proxy")
    assert (entry["kind"], entry["verbs"]) == (kind, ["create", "delete", "get", "patch", "update"])
