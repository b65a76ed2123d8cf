"""The apiserver's HTTP(S) front: `APIServer` serves the handler chain on a loopback port.

The chain mirrors k8s.io/apiserver's DefaultBuildHandlerChain, outermost first: panic recovery (any
unexpected exception becomes a 500 Status), request info (URL -> group/version/resource/verb),
authentication (401), authorization (403), then the director: the non-resource endpoints
(`/healthz`, `/livez`, `/readyz`, `/version`, discovery, `/openapi/v2`) or the REST handlers, which
run admission on writes. `handle(request)` is the whole chain as a plain function, so tests can call
it without sockets; `APIServer` is the thin adapter around `http.server` that feeds it and streams
watch responses as chunked JSON lines.
"""
from __future__ import annotations

import email.utils
import functools
import gzip
import hashlib
import http.server
import json
import re
import socket
import ssl
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, Sequence
from urllib.parse import unquote, unquote_to_bytes

from reference_impl.apiserver import kinds
from reference_impl.apiserver.adapter import framing, logfiles, logproxy, resourceproxy, upgradeproxy
from reference_impl.machinery import gofileserver, requestline
from reference_impl.machinery.goserver import (HANDSHAKE_TIMEOUT_SECONDS, GoRequestHandler, handshake,
                                               log_dropped_connection)
from reference_impl.machinery.tlsclientauth import peer_intermediates_der
from reference_impl.apiserver.adapter.probe import http_probe
from reference_impl.apiserver.core import (componentstatus, discovery, errors, fieldvalidation, gostruct,
                                            jsonserializer, limits, metrics, openapi, openidmetadata, protobuf,
                                            reviews, scheme)
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.escalation import EscalationCheck
from reference_impl.apiserver.core.impersonation import ImpersonationRequestError, impersonate
from reference_impl.apiserver.storage.etcdclient import DeadlineExceeded, RequestTooLarge
from reference_impl.apiserver.core.handlers import (Request, RequestInfoError, Response, RESTHandlers,
                                               error_response, WatchResponse, begin_create, check_export,
                                               decode_as,
                                               decode_body, decode_into_kind, field_manager_of, is_pretty_print,
                                               is_upgrade_request, list_options, negotiate, negotiate_for,
                                               request_info, route_accepts, ROUTE_MEDIA_TYPES)
from reference_impl.apiserver.core.lifecycle import rfc3339
from reference_impl.apiserver.core.podexec import UpgradeResponse
from reference_impl.apiserver.core.resourceproxy import ProxyResponse, root_redirect
from reference_impl.apiserver.fieldmanager import FieldManager
from reference_impl.apiserver.fieldmanager.typed import Schema
from reference_impl.apiserver.core.rbac import AttributesRecord
from reference_impl.apiserver.core.resources import COMMON_FIELDS, DEFAULT_FIELD_LABEL_CONVERSION
from reference_impl.apiserver.core.selectors import parse_field_selector, parse_label_selector
from reference_impl.apiserver.storage.predicate import SelectionPredicate
from reference_impl.machinery import gojson, trace
from reference_impl.mirrors import mirrors

# The checks a 1.24 kube-apiserver installs, in its order: the generic ones, each post-start hook
# (the reference does the work of each at start, before it serves), the aggregator's
# autoregister-completion among them, and readyz's informer-sync and shutdown.
POST_START_CHECKS = tuple(f"poststarthook/{hook}" for hook in (
    "start-kube-apiserver-admission-initializer", "generic-apiserver-start-informers",
    "priority-and-fairness-config-consumer", "priority-and-fairness-filter", "start-apiextensions-informers",
    "start-apiextensions-controllers", "crd-informer-synced", "bootstrap-controller", "rbac/bootstrap-roles",
    "scheduling/bootstrap-system-priority-classes", "priority-and-fairness-config-producer",
    "start-cluster-authentication-info-controller", "start-kube-aggregator-informers",
    "apiservice-registration-controller", "apiservice-status-available-controller",
    "kube-apiserver-autoregistration")) + ("autoregister-completion", "poststarthook/apiservice-openapi-controller")
HEALTH_CHECKS = {"/healthz": ("ping", "log", "etcd", *POST_START_CHECKS),
                 "/livez": ("ping", "log", "etcd", *POST_START_CHECKS),
                 "/readyz": ("ping", "log", "etcd", "informer-sync", *POST_START_CHECKS, "shutdown")}
PROTOBUF_OPENAPI = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.InternalError")
def internal_error_page(request: Request, problem: str) -> Response:
    """A filter's 500 in plain text, as http.Error writes it: the request URI quoted, the sentence
    HTML-escaped. WithRequestInfo answers so before anyone is authenticated."""
    text = errors.html_escaped(f"Internal Server Error: {gojson.quote(request.uri)}: {problem}")
    return Response(500, f"{text}\n".encode(), "text/plain; charset=utf-8")


def routed_document(path: str, go_restful_groups: set[str]) -> bool:
    """Whether a document is a go-restful route, served to GET only: /version, /api, /api/<version>
    and a built-in /apis/<group>/<version> (/apis and /apis/<group> are the aggregator's plain
    handlers, a custom group's version the CRD discovery's)."""
    return path == "/version" or path.split("/")[1] == "api" or (
        path.count("/") == 3 and path.split("/")[2] in go_restful_groups)


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver.crdHandler).ServeHTTP")
def crd_scope_matches(resource, info) -> bool:
    """Whether the CRD handler serves a request at this scope: a cluster-scoped resource never
    below a namespace, a namespaced one outside a namespace only to list and watch."""
    if info.namespace:
        return resource.namespaced
    return not resource.namespaced or info.verb in ("list", "watch")


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.WriteObjectNegotiated")
def discovery_response(request: Request, document: dict) -> Response:
    """A discovery document as DefaultEndpointRestrictions negotiate it: JSON, YAML or protobuf,
    never converted (a Table or PartialObjectMetadata asked for is a 406)."""
    options = negotiate(request.header("Accept"), conversions=False)
    if options.serializer == "yaml":
        return Response(200, jsonserializer.encode_yaml(document), "application/yaml")
    if options.serializer == "protobuf":
        return Response(200, protobuf.encode(document), protobuf.MEDIA_TYPE)
    return Response.json(200, document, options.pretty or is_pretty_print(request))


@mirrors("net/http.NotFound")
def not_found_page() -> Response:
    """What the end of 1.24's delegation chain (notfoundhandler) answers for a path no server
    routes: Go's plain 404, not a Status (kubectl reports "the server could not find the requested
    resource" all the same), with http.Error's nosniff header."""
    return Response(404, b"404 page not found\n", "text/plain; charset=utf-8",
                    headers=(("X-Content-Type-Options", "nosniff"),))


@mirrors("k8s.io/kube-aggregator/pkg/apiserver.proxyError")
def service_unavailable() -> Response:
    """What the aggregator's proxy answers for an APIService whose service is not available, as
    every aggregated one is here: http.Error's plain 503."""
    return Response(503, b"service unavailable\n", "text/plain; charset=utf-8",
                    headers=(("X-Content-Type-Options", "nosniff"),))


@mirrors("github.com/prometheus/client_golang/prometheus/promhttp.gzipAccepted")
def gzip_accepted(accept_encoding: str) -> bool:
    return any(part.strip() == "gzip" or part.strip().startswith("gzip;") for part in accept_encoding.split(","))


@mirrors("net/url.ParseQuery", "net/url.parseQuery")
def parse_query(query: str) -> dict[str, list[str]]:
    """The query's values as url.ParseQuery reads them (its error ignored, as URL.Query does): a
    pair holding a `;` or an escape that is no `%XX` is dropped, `+` is a space. A byte that is no
    UTF-8 is read as U+FFFD; but a label selector keeps it (as a lone surrogate), for the parser's
    message that quotes it with %q ("\\xff"). Other values would carry it into code that writes
    them out."""
    values: dict[str, list[str]] = {}
    for pair in query.split("&"):
        if not pair or ";" in pair:
            continue
        key, _, value = pair.partition("=")
        if _BAD_ESCAPE.search(key) or _BAD_ESCAPE.search(value):
            continue
        key = unquote_to_bytes(key.replace("+", " ")).decode("utf-8", "replace")
        errors = "surrogateescape" if key == "labelSelector" else "replace"
        values.setdefault(key, []).append(unquote_to_bytes(value.replace("+", " ")).decode("utf-8", errors))
    return values


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class User:
    """The user a server without an authenticator runs every request as."""

    name: str = "system:admin"
    uid: str = ""
    groups: list[str] = field(default_factory=lambda: ["system:masters", "system:authenticated"])
    extra: dict = field(default_factory=dict)


class HandlerChain:
    """The request path from URL to response, with no I/O: `handle(request) -> Response | WatchResponse`."""

    def __init__(self, registry, authenticator=None, authorizer=None, admission=None,
                 now: Callable[[], float] = time.time, server_address: str = "127.0.0.1:6443",
                 etcd_servers: Sequence[str] = (), probe: componentstatus.Prober = http_probe,
                 kubelet_tls: ssl.SSLContext | None = None):
        self.authenticator = authenticator
        self.authorizer = authorizer
        # How the logs, exec, attach and port-forward proxies reach a kubelet: TLS with the
        # kubelet client certificate (None: plain HTTP, for tests' kubelets).
        self.kubelet_tls = kubelet_tls
        self.rest = RESTHandlers(registry, admission, now,
                                 open_log=lambda location: logproxy.open_log(location, kubelet_tls))
        self.rest.escalation = EscalationCheck.for_authorizer(authorizer) if authorizer is not None else None
        self.rest.authorizer = authorizer
        self.server_address = server_address
        # The current /openapi/v2 body of each format: its ETag and when it was last rebuilt.
        self._openapi_built: dict[str, tuple[str, float]] = {}
        self.registry = registry
        self.metrics = metrics.APIServerMetrics(storage=registry.storage.metrics if registry is not None else None)
        self.component_servers = componentstatus.servers_to_validate(etcd_servers)
        self.probe = probe
        # Service account issuer discovery, served once the server has a token signing key.
        self.openid_metadata: openidmetadata.OpenIDMetadata | None = None
        # What `/logs/` serves: the host's log directory, as upstream's route always does.
        self.log_dir = logfiles.LOG_DIR

    def custom_resources(self) -> tuple:
        """The custom resources served now (none for a chain without a registry, which serves only
        the documents)."""
        return self.registry.custom_resources() if self.registry is not None else ()

    @property
    def served(self) -> tuple:
        """Every resource served now: the built-in kinds, the reviews, the legacy bindings, the
        component statuses, the custom resources."""
        return (*kinds.RESOURCES, *discovery.REVIEWS.values(), discovery.LEGACY_BINDINGS,
                discovery.COMPONENT_STATUSES, *self.custom_resources())

    def aggregated(self) -> list[discovery.APIServiceOrder]:
        """The APIServices naming a service: aggregated APIs, listed in discovery but never
        reached (nothing proxies to them here)."""
        if self.registry is None:
            return []
        return [discovery.remote_api_service_order(s) for s in self.registry.list("apiservices")["items"]
                if (s.get("spec") or {}).get("service")]

    def is_aggregated(self, group: str, version: str) -> bool:
        """Whether an APIService naming a service holds `group/version`; a version served here
        is local (its APIService's name is taken, as discovery's api_group_list also has it),
        which spares a resource request the listing."""
        if any((r.group, r.version) == (group, version) for r in self.served):
            return False
        return any((s.group, s.version) == (group, version) for s in self.aggregated())

    @property
    def go_restful_groups(self) -> set[str]:
        """The groups a go-restful web service serves: the built-in ones. A group only custom
        resources are in is the CRD handler's, a plain handler whose misses are Go's plain 404."""
        return {r.group for r in self.served if not r.custom}

    @mirrors("k8s.io/apiserver/pkg/server.DefaultBuildHandlerChain",
             "k8s.io/apiserver/pkg/server/filters.WithPanicRecovery")
    def handle(self, request: Request) -> Response | WatchResponse | UpgradeResponse:
        """Run `request` through the chain; every failure comes back as a Status response. A request
        that reached a REST route is counted when its response is known (a watch's when it ends)."""
        received = self.metrics.clock.now()
        response = self.serve(request)
        if request.routed:
            self.monitor(request, response, received)
        return response

    @mirrors("k8s.io/apiserver/pkg/endpoints/metrics.InstrumentRouteFunc")
    def monitor(self, request: Request, response: Response | WatchResponse | UpgradeResponse,
                received: float) -> None:
        info, recorder = request.info, self.metrics
        verb = metrics.reported_verb(request.method, info, request.header("Content-Type"))
        dry_run = metrics.clean_dry_run(request.query)
        if isinstance(response, (UpgradeResponse, ProxyResponse)):  # the installer instruments a Connecter as CONNECT
            recorder.monitor_request("CONNECT", dry_run, info, response.code, recorder.clock.now() - received)
            return
        if isinstance(response, Response):
            recorder.monitor_request(verb, dry_run, info, response.code, recorder.clock.now() - received)
            return
        chunks = response.chunks

        def monitored():
            recorder.note_long_running(verb, info, 1)
            try:
                yield from chunks
            finally:
                recorder.note_long_running(verb, info, -1)
                recorder.monitor_request(verb, dry_run, info, response.code, recorder.clock.now() - received)
        response.chunks = monitored()

    def serve(self, request: Request) -> Response | WatchResponse:
        try:
            request.info = request_info(request.method, request.path, request.query)
        except RequestInfoError as err:
            return internal_error_page(request, f"failed to create RequestInfo: {err}, {request.uri}")
        try:
            info = request.info
            trace.record("request", verb=info.verb, resource=info.resource, subresource=info.subresource,
                         namespace=info.namespace, name=info.name,
                         agent=request.header("User-Agent").split("/", 1)[0])
            self.authenticate(request)
            response = self.execute(request)
            if isinstance(response, (Response, WatchResponse)):
                response.warnings = request.warnings
            return response
        except ImpersonationRequestError as err:
            return internal_error_page(request, str(err))
        except StatusError as err:
            # A warning recorded before the failure is a header already (WithWarningRecorder's).
            response = error_response(request, err)
            response.warnings = request.warnings
            return response
        except RequestTooLarge as err:
            return error_response(request, limits.too_large_for_storage(err))
        except DeadlineExceeded:
            # etcd answered on no member in time: Kubernetes' handler gives up at its context's
            # deadline with this 504 (finishRequest), whatever clientv3 was still retrying.
            return error_response(request, errors.timeout("request did not complete within requested timeout - "
                                                          "context deadline exceeded"))
        except Exception as err:  # the panic-recovery filter: a bug must not kill the connection
            # ... but it is logged with its stack, as WithPanicRecovery logs a panic.
            print(f"reference kube-apiserver: panic serving {request.method} {request.path}:", file=sys.stderr)
            traceback.print_exc()
            failure = errors.internal_error(f"{type(err).__name__}: {err}")
            return Response.json(500, failure.status())

    @mirrors("k8s.io/apiserver/pkg/server/filters.WithPriorityAndFairness")
    def execute(self, request: Request) -> Response | WatchResponse:
        """Authorize and serve, counted in apiserver_current_inflight_requests while executing; a
        long-running request is not, but for a watch until its stream starts."""
        info = request.info
        if metrics.is_long_running(info) and info.verb != "watch":
            self.authorize(request)
            return self.direct(request)
        self.metrics.note_executing(info, 1)
        try:
            self.authorize(request)
            return self.direct(request)
        finally:
            self.metrics.note_executing(info, -1)

    @mirrors("k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication")
    def authenticate(self, request: Request) -> None:
        if self.authenticator is None:
            request.user = User()
            return
        request.user = self.authenticator.authenticate(request)
        if request.user is None:
            raise errors.unauthorized()
        request.user = impersonate(request.user, request.headers, self.authorizer)
        trace.record("authenticated", user=request.user.name, groups=list(request.user.groups))

    def attributes(self, request: Request) -> AttributesRecord:
        info = request.info
        return AttributesRecord(request.user, info.verb, info.namespace, info.api_group, info.api_version,
                          info.resource, info.subresource, info.name, info.path, info.is_resource_request)

    @mirrors("k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization")
    def authorize(self, request: Request) -> None:
        if self.authorizer is None:
            return
        allowed, reason = self.authorizer.authorize(self.attributes(request))
        trace.record("authorized", user=request.user.name, allowed=allowed, reason=reason)
        if not allowed:
            info = request.info
            raise errors.forbidden(request.user.name, info.verb, info.resource, info.namespace, info.name,
                                   info.api_group, info.subresource, "" if info.is_resource_request else info.path,
                                   reason)

    def direct(self, request: Request) -> Response | WatchResponse:
        """The mux: resource requests to the REST handlers, everything else to the fixed endpoints."""
        if not request.path.startswith("/") or request.path.startswith("//"):
            # The director and the non-go-restful mux match the path as sent: `//api/v1/pods`
            # (a resource request to the request-info filter, which trims slashes) and `*` reach no handler.
            return not_found_page()
        info = request.info
        if not info.is_resource_request:
            return self.non_resource(request)
        review = discovery.REVIEWS.get((info.api_group, info.api_version, info.resource))
        # A create-only storage has no /watch/ or /proxy/ route: those paths are go-restful's 404.
        if review is not None and not info.subresource and not info.name and not info.special_verb \
                and info.under_namespace == review.namespaced:
            if info.verb != "create":
                raise errors.generic_server_response(405)  # its one route is a POST to the collection
            request.routed = True
            return self.review(request, review)
        path = (info.api_group, info.api_version, info.resource)
        if path == ("", "v1", "componentstatuses") and not info.under_namespace and request.path.startswith("/api/"):
            return self.component_statuses(request)
        if path == ("", "v1", "bindings") and info.under_namespace and not info.name \
                and not info.special_verb:
            if request.method != "POST":
                raise errors.generic_server_response(405)  # its one route is a POST to the collection
            if not route_accepts(request.header("Accept"), ROUTE_MEDIA_TYPES):
                raise errors.unacceptable_route()  # go-restful's, before the handler reads the body
            request.routed = True
            request.table_convertor = False  # LegacyBindingREST converts to no Table
            return self.rest.legacy_bind(request)
        resource = kinds.find(*path) or next(
            (r for r in self.custom_resources() if (r.group, r.version, r.plural) == path), None)
        # A resource found is served here, so its group/version is no aggregated API's: only a
        # miss pays for is_aggregated's walk of every served resource and listing of APIServices.
        if resource is None and info.api_prefix == "apis" and self.is_aggregated(info.api_group, info.api_version):
            return service_unavailable()
        if (resource is None and info.api_group not in self.go_restful_groups) or \
                (info.api_prefix == "apis" and not info.api_group):
            return not_found_page()  # no go-restful web service for the group (/apis//v1 is none)
        if resource is not None and resource.custom and not crd_scope_matches(resource, info):
            return not_found_page()  # the CRD handler passes it on, to the end of the chain
        # The /proxy/ paths are authorized as the verb proxy, but no route has served them since 1.10.
        if resource is None or (info.under_namespace and not resource.namespaced) or info.verb == "proxy":
            raise errors.resource_not_served()
        return self.rest.serve(request, resource)

    def non_resource(self, request: Request) -> Response:
        if request.path == "/metrics":
            return self.serve_metrics(request)
        if self.openid_metadata is not None and openidmetadata.routes(request.path):
            return openidmetadata.serve(self.openid_metadata, request)
        if logfiles.routes(request.path):
            return logfiles.serve(request, self.log_dir)
        path = request.path.rstrip("/") or "/"
        # Health checks, the index, /apis, a group's discovery (the aggregator's) and /openapi/v2
        # are plain handlers on a mux and answer any method as GET; go-restful routes only GET.
        for prefix, checks in HEALTH_CHECKS.items():
            if path == prefix or path.startswith(prefix + "/"):
                return self.health(request, path, prefix, checks)
        if path in ("/", "/index.html"):
            return self.index()
        document = self.document(path, request)
        if document is not None:
            return document
        if self.routed_by_go_restful(path):
            raise errors.resource_not_served()
        return not_found_page()

    @mirrors("k8s.io/component-base/metrics.HandlerWithReset")
    def serve_metrics(self, request: Request) -> Response:
        """Profiling is on by default, so 1.24 installs MetricsWithReset: a DELETE resets the
        metrics, any other method scrapes them (promhttp ignores the method), gzipped for a client
        that accepts it."""
        if request.method == "DELETE":
            self.metrics.reset()
            return Response(200, b"metrics reset\n", "text/plain; charset=utf-8")
        if gzip_accepted(request.header("Accept-Encoding")):
            return Response(200, gzip.compress(self.metrics.text()), metrics.TEXT_CONTENT_TYPE,
                            content_encoding="gzip")
        return Response(200, self.metrics.text(), metrics.TEXT_CONTENT_TYPE)

    @mirrors("(k8s.io/apiserver/pkg/server/routes.IndexLister).ServeHTTP")
    def index(self) -> Response:
        """`/`: the paths the server lists, indented as WriteRawJSON writes them."""
        issuer_discovery = (openidmetadata.OPENID_CONFIG_PATH, openidmetadata.JWKS_PATH) if self.openid_metadata else ()
        # The aggregator lists the handlers it adds for each aggregated APIService.
        aggregated = tuple(path for s in self.aggregated()
                           for path in (f"/apis/{s.group}", f"/apis/{s.group}/{s.version}"))
        paths = discovery.root_paths(self.served, HEALTH_CHECKS, (logfiles.ROOT, *issuer_discovery, *aggregated))
        return Response(200, json.dumps(paths, indent=2).encode())

    @mirrors("(k8s.io/apiserver/pkg/server.director).ServeHTTP")
    def routed_by_go_restful(self, path: str) -> bool:
        """Whether a web service's root path prefixes `path` (`/api`, `/apis/<group>`, `/version`;
        `/apis` only as itself): its misses are Status bodies, everything else's Go's plain 404."""
        parts = path.split("/")
        if parts[1] in ("api", "version"):
            return True
        return parts[1] == "apis" and len(parts) > 2 and parts[2] in self.go_restful_groups - {""}

    @mirrors("k8s.io/apiserver/pkg/server/healthz.InstallPathHandler")
    def health(self, request: Request, path: str, prefix: str, checks: tuple[str, ...]) -> Response:
        check = path.removeprefix(prefix).strip("/")
        if check and check not in checks:
            return not_found_page()  # each check is a path of its own: an unknown one has none
        if check:
            return Response(200, b"ok", "text/plain; charset=utf-8")
        request.routed = request.path == prefix  # only the root check is instrumented (InstallPathHandler)
        nosniff = (("X-Content-Type-Options", "nosniff"),)  # handleRootHealth's, not a single check's
        if "verbose" in request.query:
            lines = "".join(f"[+]{name} ok\n" for name in checks)
            return Response(200, f"{lines}{prefix.strip('/')} check passed\n".encode(), "text/plain; charset=utf-8",
                            headers=nosniff)
        return Response(200, b"ok", "text/plain; charset=utf-8", headers=nosniff)

    def document(self, path: str, request: Request) -> Response | None:
        """The discovery, version and OpenAPI documents, or None for an unknown path. A go-restful
        route refuses another method than GET (405) before it looks at the Accept header (406)."""
        if path == "/openapi/v2":
            return self.openapi_v2(request)
        parts = path.strip("/").split("/")
        if parts[0] == "apis" and len(parts) == 3 and self.is_aggregated(parts[1], parts[2]):
            return service_unavailable()
        document = discovery.version_info() if path == "/version" else self.discovery_document(path)
        if document is None:
            return None
        routed = routed_document(path, self.go_restful_groups)
        if request.method != "GET" and routed:
            raise errors.generic_server_response(405)
        if path == "/version":  # the route produces JSON only, written by WriteRawJSON: indented
            if not route_accepts(request.header("Accept"), ("application/json",)):
                raise errors.unacceptable_route()
            return Response.json(200, document, pretty=True)
        if routed and not route_accepts(request.header("Accept"), ROUTE_MEDIA_TYPES):
            raise errors.unacceptable_route()
        return discovery_response(request, document)

    def discovery_document(self, path: str) -> dict | None:
        """/api, /apis, a group's or a group version's discovery document, or None."""
        parts = path.strip("/").split("/")
        if path == "/api":
            return discovery.api_versions(self.server_address)
        if path == "/apis":
            return discovery.api_group_list(self.served, self.aggregated())
        if parts[0] == "api" and len(parts) == 2:
            return discovery.api_resource_list(self.served, "", parts[1])
        if parts[0] == "apis" and len(parts) == 2:
            return discovery.api_group(self.served, parts[1], self.aggregated())
        if parts[0] == "apis" and len(parts) == 3:
            return discovery.api_resource_list(self.served, parts[1], parts[2])
        return None

    @mirrors("(*k8s.io/kube-openapi/pkg/handler.OpenAPIService).RegisterOpenAPIVersionedService",
             "k8s.io/kube-openapi/pkg/handler.computeETag")
    def openapi_v2(self, request: Request) -> Response:
        """Protobuf when the client asks for it first (kubectl does), else JSON; 406 for neither.
        Served as http.ServeContent serves it: an ETag (the SHA-512 of the bytes), Last-Modified
        (when this server first built those bytes), conditional requests and byte ranges, a type
        sniffed from the bytes (JSON is text/plain); protobuf goes out as application/octet-stream,
        as the media type kubectl asks for has an `@`, which Go's mime parser rejects."""
        for item in request.header("Accept").split(",") or ["application/json"]:
            kind = item.split(";")[0].strip().lower()
            if kind == PROTOBUF_OPENAPI:
                return self._openapi_content(request, "protobuf", openapi.swagger_protobuf(self.custom_resources()))
            if kind in ("", "application/json", "application/*", "*/*"):
                return self._openapi_content(request, "json", openapi.swagger_json(self.custom_resources()))
        raise StatusError(406, "NotAcceptable", "only the following media types are accepted: application/json, "
                                                f"{PROTOBUF_OPENAPI}")

    def _openapi_content(self, request: Request, media: str, data: bytes) -> Response:
        """Only the current body of each format is kept; a body that changes (even back to an
        earlier one) carries the time of that change, as kube-openapi's handler reports its last update."""
        etag = '"%s"' % hashlib.sha512(data).hexdigest().upper()
        current = self._openapi_built.get(media)
        if current is None or current[0] != etag:
            current = self._openapi_built[media] = (etag, self.rest.now())
        built = current[1]
        answer = gofileserver.serve_content(gofileserver.FileRequest(request.path, headers=request.headers),
                                            "/openapi/v2", built, data, etag, request.method)
        headers = (("Etag", etag), ("Vary", "Accept"), *answer.headers)
        return Response(answer.code, answer.body, answer.content_type, headers=headers)

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.createHandler")
    def review(self, request: Request, resource: discovery.VirtualResource) -> Response:
        """A review (SelfSubjectAccessReview, TokenReview, ...): decoded into its kind and given the
        managedFields of its create, as any created object is, then answered from the authorizer or
        the authenticator, returned as created, never stored. Its CreateOptions are validated first,
        as for any create, after the route's and createHandler's media types (406, then 415)."""
        if not route_accepts(request.header("Accept"), ROUTE_MEDIA_TYPES):
            raise errors.unacceptable_route()
        request.table_convertor = False  # a review's storage converts to no Table
        begin_create(request)
        info, kind = request.info, resource.kind
        body = decode_body(request, into_kind=kind, into_api_version=f"{resource.group}/{resource.version}",
                           prune_to=fieldvalidation.kind_schema(resource.group, resource.version, kind))[0]
        if isinstance(body, dict):
            gvk = decode_as(body, scheme.GroupVersionKind(resource.group, resource.version, kind), request.body)
            if gvk.group_version != f"{resource.group}/{resource.version}":
                raise errors.api_version_mismatch(gvk.group_version, f"{resource.group}/{resource.version}")
        body = reviews.decode_review(body, kind)
        body = reviews.without_empty_fields(decode_into_kind(request, resource, body))
        api_version = f"{resource.group}/{resource.version}"
        body = FieldManager(Schema.for_kind(api_version, kind), api_version, kind=kind).update(
            None, body, field_manager_of(request), rfc3339(self.rest.now()))
        if info.resource == "tokenreviews":
            answer = reviews.token_review(self.authenticator, body)
        elif info.resource == "selfsubjectaccessreviews":
            answer = reviews.self_subject_access_review(self.authorizer, request.user, body)
        elif info.resource == "selfsubjectrulesreviews":
            answer = reviews.self_subject_rules_review(self.authorizer, request.user, body)
        elif info.resource == "localsubjectaccessreviews":
            answer = reviews.local_subject_access_review(self.authorizer, info.namespace, body)
        else:
            answer = reviews.subject_access_review(self.authorizer, body)
        return Response.json(201, gostruct.as_encoded(answer))


    def component_statuses(self, request: Request) -> Response:
        """GET of `componentstatuses` or of one of them, each probed now; any other method has no
        route (405). Every routed answer carries the kind's deprecation warning."""
        info, resource = request.info, discovery.COMPONENT_STATUSES
        if info.subresource or len(info.parts) > 2 or info.special_verb == "watch":
            raise errors.resource_not_served()  # no /watch/ route either: the kind does not watch
        if request.method != "GET":
            raise errors.generic_server_response(405)
        if not route_accepts(request.header("Accept"), ROUTE_MEDIA_TYPES):
            raise errors.unacceptable_route()
        request.routed = True
        request.warnings.append(componentstatus.DEPRECATION_WARNING)
        if info.verb == "watch":
            raise errors.method_not_allowed(resource.plural, "watch")
        negotiate_for(request)  # the get and list handlers' first step, before the options
        if info.name and info.verb == "get":
            check_export(request)
            try:
                found = componentstatus.get(self.component_servers, info.name, self.probe)
            except componentstatus.ComponentNotFound as err:
                # Upstream's plain error, a 500; a name that is none is the client's mistake.
                raise errors.bad_request(str(err)) from None
            return self.rest._output(request, 200, found, resource)
        list_options(request)  # ListResource decodes and validates them all (a limit that is no number: 400)
        labels = parse_label_selector(request.param("labelSelector"))
        fields = parse_field_selector(request.param("fieldSelector"), DEFAULT_FIELD_LABEL_CONVERSION)
        matches = SelectionPredicate(labels, fields, COMMON_FIELDS)
        listed = componentstatus.list_statuses(self.component_servers, self.probe, matches)
        return self.rest._output(request, 200, listed, resource)


@functools.lru_cache(maxsize=2)
def _http_date(second: int) -> str:
    """The Date header's text, written once for each second it names rather than on every response."""
    return email.utils.formatdate(second, usegmt=True)


@mirrors("k8s.io/apimachinery/pkg/util/net.NewWarningHeader")
def warning_fields(warnings: list[str]) -> list[str]:
    """Each warning as the header field a response's head carries: code 299, no agent, the text
    quoted with its quotes and backslashes escaped (makeQuotedString)."""
    return ['Warning: 299 - "%s"' % warning.replace("\\", "\\\\").replace('"', '\\"') for warning in warnings]


class _HTTPHandler(GoRequestHandler):
    """Feeds each HTTP request to the chain and writes its response (chunked for watches). The
    head and the body's framing are read as every Go server's (GoRequestHandler); the body by
    `framing`, whose refusals of what it then reads are Status objects; 100 Continue goes out as
    soon as the head is read, as the handler reads every body."""

    # What http.server assumes before it has read a version: its refusals of other request lines
    # (505 for HTTP/2.0, 400) then start with a status line instead of going out as a bare body.
    default_request_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the headers (~40 ms per response on a kept-alive connection).
    disable_nagle_algorithm = True
    server: "_HTTPServer"

    def setup(self) -> None:
        # A connection's peer certificate is fixed by its handshake: read it once, not per request.
        self.peer, self.peer_der, self.peer_intermediates = None, None, ()
        self.speaks_tls = True
        if isinstance(self.request, ssl.SSLSocket):
            # Plain HTTP on the TLS port is answered in net/http's words, not a failed handshake.
            self.speaks_tls = handshake(self.request, HANDSHAKE_TIMEOUT_SECONDS)
        if self.speaks_tls and isinstance(self.request, ssl.SSLSocket):
            self.peer, self.peer_der = self.request.getpeercert() or None, self.request.getpeercert(binary_form=True)
            if self.peer_der:
                self.peer_intermediates = peer_intermediates_der(self.request)
        super().setup()
        self.idle = False
        self.server.track(self)

    def handle(self) -> None:
        if self.speaks_tls:
            super().handle()

    def finish(self) -> None:
        self.server.untrack(self)
        super().finish()

    def read_request_line(self) -> bool:
        """Wait for the connection's next request (idle meanwhile); a stopping server serves none."""
        self.idle = True
        try:
            if self.server.stopping:
                self.close_connection = True
                return False
            return super().read_request_line()
        finally:
            self.idle = False

    def handle_one_request(self) -> None:
        super().handle_one_request()
        if self.server.stopping:  # net/http's doKeepAlives is off once Shutdown began
            self.close_connection = True

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        """Quiet: the tests and the ready line own stdout/stderr."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        return _http_date(int(time.time() if timestamp is None else timestamp))

    def _status_line(self, code: int) -> str:
        """In the request's version, as net/http answers: HTTP/1.0 to an HTTP/1.0 request."""
        version = "HTTP/1.0" if self.request_version == "HTTP/1.0" else "HTTP/1.1"
        return f"{version} {code} {self.responses.get(code, ('',))[0]}"

    @mirrors("(*net/http.chunkWriter).writeHeader")
    def _connection_fields(self, length_known: bool = True) -> list[str]:
        """Connection as net/http writes it: `keep-alive` to an HTTP/1.0 client that asked for it
        when the answer's length is known (else the connection ends the answer), `close` to an
        HTTP/1.1 client whose connection ends after this answer."""
        if self.request_version == "HTTP/1.0":
            self.close_connection = self.close_connection or not length_known
            return [] if self.close_connection else ["Connection: keep-alive"]
        return ["Connection: close"] if self.close_connection else []

    @mirrors("(net/http.globalOptionsHandler).ServeHTTP")
    def _global_options(self) -> None:
        """`OPTIONS *` is the server's own 200, before any filter; a body of up to 4 KiB is read,
        a longer one (or one that does not match its framing) ends the connection."""
        if self.content_length is not None and self.content_length > 4096:
            self.close_connection = True
        else:
            try:
                self.close_connection |= len(framing.read_body(self.content_length, self.rfile)) > 4096
            except StatusError:
                self.close_connection = True
        self.log_request(200)
        lines = [self._status_line(200), "Content-Length: 0", f"Date: {self.date_time_string()}",
                 *self._connection_fields()]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def _serve(self) -> None:
        if self.command == "OPTIONS" and self.path == "*":
            return self._global_options()
        path, query = requestline.split_target(self.path, self.command)
        proxied = self._proxied(unquote(path))
        try:
            # A proxy subresource's body is passed on as it arrives, never read whole here.
            body = framing.read_body(self.content_length, self.rfile) if not proxied else b""
        except StatusError as err:
            self.close_connection = True
            self._write(Response.json(err.code, err.status()))
            if err.code == 413:
                framing.drain(self.connection, self.rfile)
            return
        # The handlers read the path decoded, as net/http's URL.Path: c%31 is c1, %2F a separator,
        # %FF the byte it is (kept by surrogateescape), not U+FFFD as a JSON body's would be.
        request = Request(self.command, unquote(path, errors="surrogateescape"), parse_query(query), self.headers,
                          body, self.peer, self.peer_der, request_uri=self.path,
                          peer_intermediates_der=self.peer_intermediates)
        response = self.server.chain.handle(request)
        drain = False
        if proxied and self.content_length != 0 and not isinstance(response, ProxyResponse):
            # The body nobody read is read now, before the answer: closing on it unread would reset
            # the connection under a client still sending it (net/http keeps the connection for a
            # body under 256 KiB, and after a longer one closes its side and waits).
            if not framing.discard_unread(self.content_length, self.rfile):
                self.close_connection = drain = True
        if isinstance(response, WatchResponse):
            self._stream(response)
        elif isinstance(response, UpgradeResponse):
            self._upgrade(request, response)
        elif isinstance(response, ProxyResponse):
            self._proxy(request, response, query)
        else:
            self._write(response, head=self.command == "HEAD")
            if drain:
                framing.drain(self.connection, self.rfile)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def __getattr__(self, name: str):
        """Any other method (OPTIONS, BREW, ...) goes through the chain too, as every method reaches
        Kubernetes' handler: a resource's path answers it with go-restful's 405, never with
        http.server's 501 HTML page."""
        if not name.startswith("do_"):
            raise AttributeError(name)
        return self._serve

    def _write(self, response: Response, head: bool = False) -> None:
        """Status line, headers and body in one write: one TLS record and one send for a small
        response instead of two (Go's server buffers the same way)."""
        self.log_request(response.code)
        lines = [f"{self._status_line(response.code)}\r\nDate: {self.date_time_string()}\r\n"]
        # A body-less redirect or 412 has no type, and a 204 or 304 no length either, as Go writes
        # them (bodyAllowedForStatus).
        if response.content_type:
            lines.append(f"Content-Type: {response.content_type}\r\n")
        if response.code not in (204, 304):
            lines.append(f"Content-Length: {len(response.body)}\r\n")
        lines.append(f"Cache-Control: {response.cache_control}\r\n")
        lines += [f"{name}: {value}\r\n" for name, value in response.headers]
        lines += [f"{field}\r\n" for field in warning_fields(response.warnings)]
        if response.retry_after_seconds > 0:
            lines.append(f"Retry-After: {response.retry_after_seconds}\r\n")
        if response.content_encoding:
            lines.append(f"Content-Encoding: {response.content_encoding}\r\n")
        lines += [f"{field}\r\n" for field in self._connection_fields()]
        lines.append("\r\n")
        self.wfile.write("".join(lines).encode("latin-1", "strict") + (b"" if head else response.body))

    def _upgrade(self, request: Request, response: UpgradeResponse) -> None:
        """Hand the connection to the upgrade proxy; it is never used for another request."""
        self.close_connection = True
        try:
            upgradeproxy.proxy_upgrade(response, self.command, self.headers, self.client_address[0], self.connection,
                                       self._buffered(), self.server.chain.kubelet_tls)
        except StatusError as err:
            self._write(error_response(request, err))

    def _proxied(self, path: str) -> bool:
        """Whether the request is for a proxy subresource (not the long-gone `/api/v1/proxy/...`)."""
        if "/proxy" not in path:  # most requests: no second parse of the path
            return False
        try:
            info = request_info(self.command, path, {})
        except RequestInfoError:
            return False
        return info.subresource == "proxy" and info.verb != "proxy"

    @mirrors("(*k8s.io/apimachinery/pkg/util/proxy.UpgradeAwareHandler).ServeHTTP")
    def _proxy(self, request: Request, target: ProxyResponse, raw_query: str) -> None:
        """An upgrade goes through the upgrade proxy; a GET of the bare `.../proxy` is redirected
        to `.../proxy/`; any other request is sent to the backend, whose answer streams back."""
        location, kubelet_tls = target.location, self.server.chain.kubelet_tls
        if not location.parses:  # upstream's panic: the connection ends with no answer
            self.close_connection = True
            return
        if is_upgrade_request(request):
            host, port = location.dial_address.rsplit(":", 1)
            # 1.24's tryUpgrade dials the handler's location, to which only the plain path gives
            # the client's query: an upgrade reaches the backend without it.
            upgrade = UpgradeResponse(host.strip("[]"), int(port), target.path or "/")
            self.close_connection = True
            try:
                upgradeproxy.proxy_upgrade(upgrade, self.command, self.headers, self.client_address[0],
                                           self.connection, self._buffered(),
                                           resourceproxy.backend_tls(location, kubelet_tls))
            except StatusError as err:
                self._write(error_response(request, err))
            return
        redirect = root_redirect(target.path, self.command, target.request_path, raw_query)
        if redirect is not None:
            self.close_connection = self.close_connection or self.content_length != 0
            # Go's server writes no Content-Length for a bodyless answer to a HEAD.
            length = [] if self.command == "HEAD" else [("Content-Length", "0")]
            self._write_head(301, [("Location", redirect), *length])
            return
        try:
            answer = resourceproxy.proxy_request(target, self.command, self.headers,
                                                 framing.stream_body(self.content_length, self.rfile),
                                                 self.content_length, raw_query, self.client_address[0], kubelet_tls)
        except StatusError as err:
            self.close_connection = True  # the body may be partly read
            self._write(error_response(request, err), head=self.command == "HEAD")
            return
        self._write_head(answer.code, answer.headers + ([("Transfer-Encoding", "chunked")] if answer.chunked else []))
        try:
            for chunk in filter(None, answer.chunks()):  # an empty chunk would end a chunked body
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if answer.chunked else chunk)
                self.wfile.flush()
            if answer.chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (OSError, ValueError):  # the client went away
            self.close_connection = True

    def _write_head(self, code: int, headers: list[tuple[str, str]]) -> None:
        """A status line and `headers`, with the Date and Cache-Control the server adds when
        the handler set none."""
        self.log_request(code)
        names = {name.lower() for name, _ in headers}
        lines = [self._status_line(code)]
        lines += [f"{name}: {value}" for name, value in headers]
        if "date" not in names:
            lines.append(f"Date: {self.date_time_string()}")
        if "cache-control" not in names:
            lines.append("Cache-Control: no-cache, private")
        lines += self._connection_fields(length_known="content-length" in names or self.command == "HEAD")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace"))

    def _buffered(self) -> bytes:
        """What the client sent past its request that rfile has read already, without waiting for more."""
        self.connection.settimeout(0.0)
        try:
            return self.rfile.read1(65536) or b""
        except (BlockingIOError, ssl.SSLWantReadError):
            return b""
        finally:
            self.connection.settimeout(None)

    def _stream(self, response: WatchResponse) -> None:
        """A watch's events as they come: chunked over HTTP/1.1; over HTTP/1.0, which has no
        chunks, until the connection ends."""
        chunked = self.request_version != "HTTP/1.0"
        self.log_request(response.code)
        self.close_connection = True
        head = [self._status_line(response.code), f"Date: {self.date_time_string()}",
                f"Content-Type: {response.content_type}", "Cache-Control: no-cache, private",
                *warning_fields(response.warnings)]
        self.wfile.write(("\r\n".join(head + ["Transfer-Encoding: chunked"] * chunked) + "\r\n\r\n").encode("latin-1"))
        try:
            self.wfile.flush()
            for chunk in response.chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                self.wfile.flush()
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (OSError, ValueError):  # the client went away
            response.stop()


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    stopping = False  # once set, connections serve no more requests

    def __init__(self, *args, **kwargs) -> None:
        self._handlers: set[_HTTPHandler] = set()
        self._handlers_lock = threading.Lock()
        super().__init__(*args, **kwargs)
    allow_reuse_address = True
    request_queue_size = 1024  # the default backlog of 5 makes 50 clients connecting at once wait
    chain: HandlerChain

    def handle_error(self, request, client_address) -> None:
        """A client that drops a connection or fails the TLS handshake is not a server error."""
        log_dropped_connection(client_address)

    def track(self, handler: "_HTTPHandler") -> None:
        with self._handlers_lock:
            self._handlers.add(handler)

    def untrack(self, handler: "_HTTPHandler") -> None:
        with self._handlers_lock:
            self._handlers.discard(handler)

    @mirrors("(*net/http.Server).closeIdleConns")
    def close_idle_connections(self) -> None:
        """Serve no more requests: connections waiting for one are closed now, the others once
        their answer is out. A client that sent a request on a connection closed unanswered sends
        it again on a new connection (Go's transport retries an idempotent request then)."""
        self.stopping = True
        with self._handlers_lock:
            idle = [handler.connection for handler in self._handlers if handler.idle]
        for connection in idle:
            try:  # the plain socket's shutdown: the handler's thread is still reading through TLS
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
            except OSError:
                pass


class APIServer:
    """The reference kube-apiserver on `host:port` (0 = any free port): HTTPS with `ssl_context`,
    plain HTTP without; kubelets are reached with `kubelet_tls` (plain HTTP without).
    `start()` serves in a daemon thread; `stop()` ends watches and the server."""

    def __init__(self, registry, authenticator=None, authorizer=None, admission=None,
                 ssl_context: ssl.SSLContext | None = None, host: str = "127.0.0.1", port: int = 0,
                 now: Callable[[], float] = time.time, etcd_servers: Sequence[str] = (),
                 kubelet_tls: ssl.SSLContext | None = None):
        self.registry = registry
        self.ssl_context = ssl_context
        self._httpd = _HTTPServer((host, port), _HTTPHandler, bind_and_activate=True)
        if ssl_context is not None:
            self._httpd.socket = ssl_context.wrap_socket(self._httpd.socket, server_side=True,
                                                         do_handshake_on_connect=False)
        self.host = host
        self.port = self._httpd.server_address[1]
        self._httpd.chain = HandlerChain(registry, authenticator, authorizer, admission, now,
                                         f"{host}:{self.port}", etcd_servers, kubelet_tls=kubelet_tls)
        self._thread: threading.Thread | None = None

    @property
    def chain(self) -> HandlerChain:
        return self._httpd.chain

    @property
    def url(self) -> str:
        protocol = "https" if self.ssl_context is not None else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{protocol}://{host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="apiserver", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening, then end the open watches. In that order a client whose watch ends
        finds the port closed and retries its watch quietly (a reflector sleeps a second on a
        refused connection and watches again from where it was), as when kube-apiserver exits;
        ended first, its new watch was accepted and cut at once ("very short watch"), and it
        listed again, logging "failed to list" for every informer until the server came back.
        Kept-alive connections serve no more requests either: a new watch sent on one was taken
        and cut the same way."""
        try:  # refuse new connections now, not once the accept loop's next poll sees the shutdown
            self._httpd.socket.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.close_idle_connections()
        self.chain.rest.stop_watches()
        if self._thread is not None:
            self._thread.join(timeout=5)

