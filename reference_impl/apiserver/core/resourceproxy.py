"""The proxy subresources: `pods/NAME/proxy/PATH`, `services/NAME/proxy/PATH` and
`nodes/NAME/proxy/PATH`, which `kubectl get --raw`, `kubectl proxy` users and dashboards reach a
pod, a service's endpoint or a kubelet through.

Upstream each is a Connecter (ProxyREST) whose ResourceLocation reads `[scheme:]name[:port]` and
picks the backend: the pod's IP, a ready endpoint address of the service's port, or the node's
kubelet. An UpgradeAwareHandler then proxies the request there with every method, its path and
query, hop-by-hop headers dropped and `Location` rewritten to go through the apiserver again.
Here the core decides where the request goes (`ProxyResponse`), with the same 400/404/503 refusals;
the HTTP adapter (`adapter/resourceproxy`) dials the backend and moves the bytes.
"""
from __future__ import annotations

import html
import ipaddress
import random
import re
import socket
import urllib.parse
from dataclasses import dataclass
from typing import Callable

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.machinery import gojson, gopath
from reference_impl.mirrors import mirrors

# The kinds the proxy subresources decode their options into.
PROXY_OPTIONS_KINDS = {"pods": "PodProxyOptions", "services": "ServiceProxyOptions", "nodes": "NodeProxyOptions"}
# ProxyREST.ConnectMethods: every method is carried on, HEAD and OPTIONS too.
PROXY_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_INT64 = re.compile(r"[+-]?[0-9]+")

# Reads one object of a resource (plural) in a namespace: the registry's get, 404 as a StatusError.
Getter = Callable[[str, "str | None", str], dict]


@dataclass(frozen=True)
class ProxyLocation:
    """Where a proxied request goes: `scheme://host:port` (port "" for the scheme's own); a
    kubelet's location is dialled with the apiserver's kubelet client certificate."""

    scheme: str
    host: str
    port: str = ""
    kubelet: bool = False

    @property
    def netloc(self) -> str:
        """The URL's host, and port when one is named."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port else host

    @property
    @mirrors("net/url.validOptionalPort")
    def parses(self) -> bool:
        """Whether the location is a URL Go parses again: a named port (`pods/web:http`) is not,
        and 1.24's normalizeLocation then dereferences nil, a panic that drops the connection."""
        return self.port == "" or self.port.isdigit()

    @property
    def dial_address(self) -> str:
        """`host:port` as Go's transport dials it: the scheme's port when none is named."""
        return self.netloc if self.port else f"{self.netloc}:{443 if self.scheme == 'https' else 80}"


@dataclass
class ProxyResponse:
    """Proxy this request to `location` + `path` with the client's query; `request_path` is the
    path the client asked for, which the 301 for an empty path and rewritten redirects build on."""

    location: ProxyLocation
    path: str
    request_path: str
    code: int = 200  # what the metrics record for a request handed over


@mirrors("k8s.io/apimachinery/pkg/util/net.SplitSchemeNamePort")
def split_scheme_name_port(id_: str) -> tuple[str, str, str] | None:
    """`name`, `name:port` or `scheme:name:port` as (scheme, name, port); None for an empty name,
    more than three parts, or a scheme that is neither http nor https."""
    parts = id_.split(":")
    if len(parts) > 3:
        return None
    scheme, name, port = {1: ("", id_, ""), 2: ("", *parts), 3: tuple(parts)}[len(parts)]
    if not name or scheme not in ("http", "https", ""):
        return None
    return scheme, name, port


def parse_id(kind: str, id_: str) -> tuple[str, str, str]:
    split = split_scheme_name_port(id_)
    if split is None:
        raise errors.bad_request(f"invalid {kind} request {gojson.quote(id_)}")
    return split


@mirrors("k8s.io/apimachinery/pkg/util/net.JoinPreservingTrailingSlash")
def join_preserving_trailing_slash(*elems: str) -> str:
    """path.Join, keeping the last non-empty element's trailing slash."""
    present = [e for e in elems if e]
    result = gopath.clean("/".join(present)) if present else ""
    if present and present[-1].endswith("/") and not result.endswith("/"):
        result += "/"
    return result


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.getRequestOptions")
def sub_path(parts: tuple[str, ...], request_path: str) -> str:
    """The `path` option: what follows `<resource>/<name>/proxy`, with a leading slash and the
    request's trailing one. A `?path=` in the query is overwritten by it, even when empty."""
    path = "/".join(parts[3:])
    if path and not path.startswith("/"):
        path = "/" + path
    if request_path.endswith("/") and not path.endswith("/"):
        path += "/"
    return path


@mirrors("k8s.io/kubernetes/pkg/proxy/util.IsProxyableIP")
def check_proxyable_ip(ip: str) -> None:
    """400 "address not allowed" for what is no IP, or a loopback or link-local one: the
    apiserver must not be made to reach its own host's services."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        raise errors.bad_request("address not allowed") from None
    multicast_scope = address.packed[1] & 0x0F if address.version == 6 and address.packed[0] == 0xFF else None
    if address.is_loopback or address.is_link_local or multicast_scope in (0x01, 0x02) or \
            (address.version == 4 and address in ipaddress.ip_network("224.0.0.0/24")):
        raise errors.bad_request("address not allowed")


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod.ResourceLocation")
def pod_location(pod: dict, scheme: str, port: str) -> ProxyLocation:
    """The pod's first IP, on the port asked for or else its first container's first port."""
    if not port:
        port = next((str(c["ports"][0].get("containerPort", 0)) for c in (pod.get("spec") or {}).get("containers") or []
                     if c.get("ports")), "")
    pod_ips = (pod.get("status") or {}).get("podIPs") or []
    pod_ip = pod_ips[0].get("ip", "") if pod_ips else ""
    check_proxyable_ip(pod_ip)
    return ProxyLocation(scheme or "http", pod_ip, port)


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/service/storage.REST).ResourceLocation")
def service_location(get: Getter, namespace: str, id_: str, rand: random.Random = random) -> ProxyLocation:
    """A ready address of the service's port, from a subset and an address picked at random; a
    port number is first read as the service port's name. 503 when no address backs the port."""
    scheme, name, port = parse_id("service", id_)
    if _INT64.fullmatch(port) and -2**63 <= int(port) < 2**63:
        service = get("services", namespace, name)
        number = int(port)
        named = next((p.get("name", "") for p in (service.get("spec") or {}).get("ports") or []
                      if p.get("port") == number), None)
        if named is None:
            raise errors.service_unavailable(f"no service port {number} found for service {gojson.quote(name)}")
        port = named
    subsets = _endpoints(get, namespace, name).get("subsets") or []
    if not subsets:
        raise errors.service_unavailable(f"no endpoints available for service {gojson.quote(name)}")
    start = rand.randrange(len(subsets))
    for subset in subsets[start:] + subsets[:start]:
        addresses = subset.get("addresses") or []
        if not addresses:
            continue
        for endpoint_port in subset.get("ports") or []:
            if endpoint_port.get("name", "") != port:
                continue
            first = rand.randrange(len(addresses))
            for address in addresses[first:] + addresses[:first]:
                if _backs_service(get, namespace, address):
                    return ProxyLocation(scheme or "http", address["ip"], str(endpoint_port.get("port", 0)))
    raise errors.service_unavailable(f"no endpoints available for service {gojson.quote(id_)}")


def _endpoints(get: Getter, namespace: str, name: str) -> dict:
    """The service's Endpoints; a 404 names the service, the resource of the request, as the
    endpoints store names its NotFound (qualifiedResourceFromContext)."""
    try:
        return get("endpoints", namespace, name)
    except StatusError as err:
        if err.code != 404:
            raise
        raise errors.not_found("services", name) from None


@mirrors("k8s.io/kubernetes/pkg/registry/core/service/storage.isValidAddress")
def _backs_service(get: Getter, namespace: str, address: dict) -> bool:
    """Whether an endpoint address is a pod of the service's namespace that has its IP."""
    target = address.get("targetRef")
    if not target or target.get("namespace", "") != namespace:
        return False
    try:
        pod = get("pods", namespace, target.get("name", ""))
    except StatusError:
        return False
    return any(ip.get("ip") == address.get("ip") for ip in (pod.get("status") or {}).get("podIPs") or [])


@mirrors("k8s.io/kubernetes/pkg/registry/core/node.ResourceLocation")
def node_location(kubelet: tuple[str, int], scheme: str, port: str,
                  resolve: Callable[[str], list[str]]) -> ProxyLocation:
    """The node's kubelet over HTTPS when no port or the kubelet's is asked for; another port of
    the node's address only when that address is proxyable (`resolve` gives a host's IPs)."""
    host, kubelet_port = kubelet
    if not port or port == str(kubelet_port):
        return ProxyLocation("https", host, str(kubelet_port), kubelet=True)
    check_proxyable_hostname(host, resolve)
    return ProxyLocation(scheme or "http", host, port)


def resolve_host(host: str) -> list[str]:
    """A host's IPs: an IP is its own, a name is looked up (net.Resolver.LookupIPAddr)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


@mirrors("k8s.io/kubernetes/pkg/proxy/util.IsProxyableHostname")
def check_proxyable_hostname(host: str, resolve: Callable[[str], list[str]]) -> None:
    try:
        addresses = resolve(host)
    except OSError as err:
        raise errors.bad_request(f"lookup {host}: {err}") from None
    if not addresses:
        raise errors.bad_request("no addresses for hostname")
    for address in addresses:
        check_proxyable_ip(address)


@mirrors("(*k8s.io/apimachinery/pkg/util/proxy.UpgradeAwareHandler).ServeHTTP")
def backend_path(location_path: str, request_path: str) -> str:
    """The backend's path: the request's trailing slash kept even for an empty sub-path."""
    if not location_path.endswith("/") and request_path.endswith("/"):
        return location_path + "/"
    return location_path


@mirrors("k8s.io/apimachinery/pkg/util/proxy.proxyRedirectsforRootPath")
def root_redirect(path: str, method: str, request_path: str, raw_query: str) -> str | None:
    """The `Location` of the 301 a GET or HEAD of the bare `.../proxy` gets: the same path with a
    slash (kubernetes#4958), so that the backend's relative links resolve under it."""
    if path or method not in ("GET", "HEAD"):
        return None
    return request_path + "/" + (f"?{raw_query}" if raw_query else "")


@mirrors("(*k8s.io/apimachinery/pkg/util/proxy.UpgradeAwareHandler).defaultProxyTransport")
def path_prepend(request_path: str, location_path: str) -> str:
    """What the apiserver's path adds in front of the backend's: the prefix redirects get back."""
    suffix = location_path
    if request_path.endswith("/") and not suffix.endswith("/"):
        suffix += "/"
    return request_path[:-len(suffix)] if suffix and request_path.endswith(suffix) else request_path


@mirrors("(*k8s.io/apimachinery/pkg/util/proxy.Transport).rewriteURL")
def rewrite_url(target: str, backend_netloc: str, request_host: str, prepend: str) -> str:
    """A backend's absolute-path URL on its own host (or the client's) made to go through the
    proxy again: relative to the apiserver, under `prepend`. Other hosts and relative paths stay."""
    try:
        url = urllib.parse.urlsplit(target)
    except ValueError:
        return target
    if (url.netloc and url.netloc not in (backend_netloc, request_host)) or not url.path.startswith("/"):
        return target
    # The server's own URL has no scheme and host: the rewritten one is relative, unless it
    # named the client's host, which is kept.
    scheme, netloc = (url.scheme, url.netloc) if url.netloc == request_host else ("", "")
    path = url.path
    if not path.startswith(prepend):
        path = gopath.clean(f"{prepend}/{url.path}") + ("/" if url.path.endswith("/") else "")
    return urllib.parse.urlunsplit((scheme, netloc, path, url.query, url.fragment))


# The URL-valued attributes of each element, whose values an HTML page's links are rewritten in.
URL_ATTRIBUTES = {
    "a": {"href"}, "applet": {"codebase"}, "area": {"href"}, "audio": {"src"}, "base": {"href"},
    "blockquote": {"cite"}, "body": {"background"}, "button": {"formaction"}, "command": {"icon"},
    "del": {"cite"}, "embed": {"src"}, "form": {"action"}, "frame": {"longdesc", "src"}, "head": {"profile"},
    "html": {"manifest"}, "iframe": {"longdesc", "src"}, "img": {"longdesc", "src", "usemap"},
    "input": {"src", "usemap", "formaction"}, "ins": {"cite"}, "link": {"href"},
    "object": {"classid", "codebase", "data", "usemap"}, "q": {"cite"}, "script": {"src"}, "source": {"src"},
    "video": {"poster", "src"},
}
_COMMENT_OR_TAG = re.compile(r"<!--.*?-->|<([a-zA-Z][^\s/>]*)"
                             r"((?:\s+[^\s/>=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*(/?)>", re.S)
_ATTRIBUTE = re.compile(r"([^\s/>=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")


@mirrors("k8s.io/apimachinery/pkg/util/proxy.rewriteHTML")
def rewrite_html(page: str, rewrite: Callable[[str], str]) -> str:
    """The page with the URL-valued attributes of its start tags passed through `rewrite`; such a
    tag is written again as Go's html.Token.String writes it (lowercase names, values unescaped,
    then escaped in double quotes). Comments and other tags stay as they were."""
    def retag(match: re.Match) -> str:
        name = (match.group(1) or "").lower()
        if name not in URL_ATTRIBUTES:
            return match.group(0)
        attributes = []
        for attribute in _ATTRIBUTE.finditer(match.group(2)):
            key = attribute.group(1).lower()
            value = html.unescape(next((v for v in attribute.groups()[1:] if v is not None), ""))
            if key in URL_ATTRIBUTES[name]:
                value = rewrite(value)
            attributes.append(f' {key}="{_escape(value)}"')
        return f"<{name}{''.join(attributes)}{'/' if match.group(3) else ''}>"
    return _COMMENT_OR_TAG.sub(retag, page)


@mirrors("html.EscapeString")
def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;"))
