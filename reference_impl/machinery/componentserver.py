"""The HTTP(S) ports of kube-scheduler, kube-controller-manager and kube-proxy.

The scheduler (10259) and the controller-manager (10257) serve a secure port built from
k8s.io/apiserver: a PathRecorderMux with `/healthz`, `/metrics` and `/configz`, behind the filters
of their buildHandlerChain: Cache-Control on every answer, then delegated authentication (a client
certificate, a TokenReview for a bearer token, else system:anonymous) and authorization (the
always-allowed paths, system:masters, then a SubjectAccessReview, every path a non-resource
one). kube-proxy serves plain HTTP with no filters: `/healthz` on 10256 and its metrics port 10249.

The muxes and checks are plain functions from a `Request` to a `Reply`; `serve` puts one on a
port with the connection handling of `goserver`.
"""
from __future__ import annotations

import argparse
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import parse_qs, unquote

from reference_impl.apiserver.core import errors, jsonserializer
from reference_impl.apiserver.core.discovery import version_info
from reference_impl.apiserver.core.auth import (BearerTokenAuthenticator, RequestAuthenticator, X509Authenticator,
                                                token_authenticators)
from reference_impl.apiserver.core.rbac import AttributesRecord
from reference_impl.client import ClientError
from reference_impl.client.leaderelection import LeaderElector
from reference_impl.client.informer import load_client
from reference_impl.client.rest import RestClient
from reference_impl.machinery import pflag, requestline
from reference_impl.machinery.delegatedauth import (ALWAYS_ALLOW_GROUPS, ALWAYS_ALLOW_PATHS,
                                                    PathAuthorizer, PathPatternError, PrivilegedGroups, Review,
                                                    ReviewError, TokenReviewAuthenticator, UnionAuthorizer,
                                                    WebhookAuthorizer)
from reference_impl.machinery.goserver import (TEXT, GoConnectionHandler, GoServer, Reply, http_error, mux_reply,
                                               not_found, self_signed_pair, serve_mux_answer, serving_context)
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.prometheus import TEXT_CONTENT_TYPE, Family, Registry
from reference_impl.mirrors import mirrors

# SecureServingInfo.Serve's http.Server: IdleTimeout, and ReadHeaderTimeout (which bounds the
# handshake too).
IDLE_TIMEOUT_SECONDS = 90.0
READ_HEADER_TIMEOUT_SECONDS = 32.0
# DelegatingAuthenticationOptions' and DelegatingAuthorizationOptions' cache defaults.
TOKEN_CACHE_TTL = 10.0
ALLOW_CACHE_TTL = 10.0
DENY_CACHE_TTL = 10.0
TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews"
ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
NOSNIFF = ("X-Content-Type-Options", "nosniff")


@dataclass(frozen=True)
class Request:
    """What a handler reads of a request: the method, the path decoded (Go's URL.Path), the raw
    query, the headers and the client's certificate, as the authenticators read them."""

    method: str
    path: str
    raw_query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    peer_certificate_der: bytes | None = None
    request_uri: str = ""

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.raw_query, keep_blank_values=True)


Handler = Callable[[Request], Reply]


# --- healthz ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HealthCheck:
    """healthz.HealthChecker: `check` returns why it fails, None when healthy."""

    name: str
    check: Callable[[], str | None] = lambda: None


PING = HealthCheck("ping")  # healthz.PingHealthz
# NewLeaderHealthzAdaptor(time.Second * 20), in kube-controller-manager's Run and kube-scheduler's Config.
LEADER_HEALTHZ_TIMEOUT = 20.0


@mirrors("k8s.io/client-go/tools/leaderelection.NewLeaderHealthzAdaptor")
def leader_election_check(elector: Callable[[], LeaderElector | None]) -> HealthCheck:
    """The leaderElection check a component with --leader-elect adds: healthy until `elector()`
    exists (the HealthzAdaptor's SetLeaderElection), then failing once the leader has not renewed
    its lease for 20s past the lease's duration."""
    def check() -> str | None:
        current = elector()
        return None if current is None else current.check(LEADER_HEALTHZ_TIMEOUT)
    return HealthCheck("leaderElection", check)


@mirrors("k8s.io/apiserver/pkg/server/healthz.handleRootHealth")
def health_report(name: str, checks: tuple[HealthCheck, ...], query: Mapping[str, list[str]]) -> Reply:
    """`/healthz`: "ok", or with `verbose` each check's line (the `exclude`d ones marked, a warning
    naming an `exclude` that matches no check); 500 with every line when a check fails, whose
    reason is withheld, the endpoint being public."""
    excluded = set(query.get("exclude", ()))
    lines, failed = [], False
    for check in checks:
        if check.name in excluded:
            excluded.discard(check.name)
            lines.append(f"[+]{check.name} excluded: ok\n")
        elif check.check() is not None:
            failed = True
            lines.append(f"[-]{check.name} failed: reason withheld\n")
        else:
            lines.append(f"[+]{check.name} ok\n")
    if excluded:
        quoted = ",".join(quote(check) for check in sorted(excluded))
        lines.append(f"warn: some health checks cannot be excluded: no matches for {quoted}\n")
    if failed:
        return http_error(500, f"{''.join(lines)}{name} check failed")
    headers = (("Content-Type", TEXT), NOSNIFF)
    if "verbose" not in query:
        return Reply(200, b"ok", headers)
    return Reply(200, f"{''.join(lines)}{name} check passed\n".encode(), headers)


@mirrors("k8s.io/apiserver/pkg/server/healthz.adaptCheckToHandler")
def check_reply(check: HealthCheck) -> Reply:
    """`/healthz/<name>`: "ok", or 500 naming why."""
    failure = check.check()
    if failure is not None:
        return http_error(500, f"internal server error: {failure}")
    return Reply(200, b"ok", sniffed_type=TEXT)


class PathRecorderMux:
    """k8s.io/apiserver's mux: a handler for an exact path, else the first prefix that matches,
    else net/http's 404. It cleans no path and looks at no method."""

    def __init__(self) -> None:
        self.exact: dict[str, Handler] = {}
        self.prefixes: list[tuple[str, Handler]] = []

    def handle(self, path: str, handler: Handler) -> None:
        self.exact[path] = handler

    def handle_prefix(self, prefix: str, handler: Handler) -> None:
        self.prefixes.append((prefix, handler))

    @mirrors("(*k8s.io/apiserver/pkg/server/mux.pathHandler).ServeHTTP")
    def __call__(self, request: Request) -> Reply:
        handler = self.exact.get(request.path)
        if handler is None:
            handler = next((h for prefix, h in self.prefixes if request.path.startswith(prefix)), None)
        return not_found() if handler is None else handler(request)


@mirrors("k8s.io/apiserver/pkg/server/healthz.InstallPathHandler")
def install_healthz(mux: PathRecorderMux, checks: Callable[[], tuple[HealthCheck, ...]], path: str = "/healthz",
                    each: bool = True) -> None:
    """`path` for all `checks()` (the ping check when there are none), and with `each`
    `path/<name>` for each of them."""
    name = path.strip("/").split("/")[0]

    def current() -> tuple[HealthCheck, ...]:
        return checks() or (PING,)

    mux.handle(path, lambda request: health_report(name, current(), request.query))
    if each:
        for check in current():
            mux.handle(f"{path}/{check.name}", lambda request, check=check: check_reply(check))


@mirrors("k8s.io/component-base/configz.InstallHandler")
def install_configz(mux: PathRecorderMux, configs: Callable[[], dict]) -> None:
    """`/configz`: the component's configurations by name, as Go's json.Marshal writes them."""
    def configz(request: Request) -> Reply:
        return Reply(200, jsonserializer.encode(configs()), (("Content-Type", "application/json"), NOSNIFF))
    mux.handle("/configz", configz)


@mirrors("k8s.io/component-base/metrics/prometheus/version.init#1")
def register_build_info(registry: Registry) -> None:
    """kubernetes_build_info, the constant 1 labelled with the release the component says it is
    (version.Get), which a component's main registers by importing the version metrics."""
    version = version_info()
    family = registry.register(Family(
        "kubernetes_build_info", "[ALPHA] A metric with a constant '1' value labeled by major, minor, git version, "
        "git commit, git tree state, build date, Go version, and compiler from which Kubernetes was built, and "
        "platform on which it is running.", "gauge",
        ("major", "minor", "git_version", "git_commit", "git_tree_state", "build_date", "go_version", "compiler",
         "platform")))
    family.set(*(version[key] for key in ("major", "minor", "gitVersion", "gitCommit", "gitTreeState", "buildDate",
                                          "goVersion", "compiler", "platform")), value=1)


@mirrors("k8s.io/component-base/metrics/legacyregistry.HandlerWithReset")
def install_metrics(mux: PathRecorderMux, registry: Registry, resettable: bool = False) -> None:
    """`/metrics` in the text format; with `resettable` (the scheduler's) a DELETE empties the
    registry instead."""
    def metrics(request: Request) -> Reply:
        if resettable and request.method == "DELETE":
            registry.reset()
            return Reply(200, b"metrics reset\n", sniffed_type=TEXT)
        return Reply(200, registry.text(), (("Content-Type", TEXT_CONTENT_TYPE),))
    mux.handle("/metrics", metrics)


# --- the secure port's filters ------------------------------------------------------------------

class DelegatingAuth:
    """WithAuthentication and WithAuthorization of a component's secure port."""

    def __init__(self, authenticator: RequestAuthenticator, authorizer: UnionAuthorizer) -> None:
        self.authenticator, self.authorizer = authenticator, authorizer

    @mirrors("k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication",
             "k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization")
    def check(self, request: Request) -> Reply | None:
        """None to serve the request; else 401 for a credential no authenticator took, 403 when no
        authorizer allows the path to the user, 500 when the apiserver could not be asked."""
        try:
            user = self.authenticator.authenticate(request)
        except ReviewError:
            user = None
        if user is None:
            return status_reply(request, errors.unauthorized())
        # RequestInfoFactory with no API prefixes: every path is a non-resource one.
        attributes = AttributesRecord(user, request.method.lower(), path=request.path, is_resource_request=False)
        try:
            decision, reason = self.authorizer.decide(attributes)
        except ReviewError as err:
            return http_error(500, internal_error_text(request, str(err)))
        if decision == "allow":
            return None
        return status_reply(request, errors.forbidden(user.name, attributes.verb, path=request.path, reason=reason))


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.InternalError")
def internal_error_text(request: Request, why: str) -> str:
    text = f"Internal Server Error: {quote(request.request_uri or request.path)}: {why}"
    return text.replace("<", "&lt;").replace(">", "&gt;")


def status_reply(request: Request, failure: errors.StatusError) -> Reply:
    """The Status as responsewriters.ErrorNegotiated writes it, in the media type the client
    accepts (JSON, YAML or protobuf)."""
    # The apiserver's handlers module is slow to import: only a refused request needs it.
    from reference_impl.apiserver.core.handlers import Request as APIRequest, error_response

    query = request.query
    response = error_response(APIRequest(request.method, request.path, query, request.headers), failure)
    return Reply(response.code, response.body, (("Content-Type", response.content_type), NOSNIFF))


@mirrors("k8s.io/kubernetes/cmd/kube-scheduler/app.buildHandlerChain")
def secure_handler(mux: Handler, auth: DelegatingAuth) -> Handler:
    """The secure port's chain: Cache-Control on every answer, then the filters, then the mux."""
    def chain(request: Request) -> Reply:
        reply = auth.check(request) or mux(request)
        return Reply(reply.code, reply.body, (("Cache-Control", "no-cache, private"), *reply.headers),
                     reply.sniffed_type)
    return chain


@mirrors("(*net/http.ServeMux).ServeHTTP")
def serve_mux(routes: Mapping[str, Handler]) -> Handler:
    """net/http's ServeMux with exact paths only: an unclean path is redirected, `*` refused."""
    def mux(request: Request) -> Reply:
        target_path = request.request_uri.partition("?")[0]
        answer = serve_mux_answer(request.method, target_path, request.raw_query)
        if answer is not None:
            return mux_reply(request.method, answer)
        handler = routes.get(request.path)
        return not_found() if handler is None else handler(request)
    return mux


# --- the adapter --------------------------------------------------------------------------------

class _Connection(GoConnectionHandler):
    server: "_Server"

    def serve(self) -> None:
        if self.path == "*" and self.command == "OPTIONS":  # net/http's globalOptionsHandler
            self.reply(Reply(200, headers=(("Content-Length", "0"),)))
            return
        target_path, raw_query = requestline.split_target(self.path, self.command)
        request = Request(self.command, unquote(target_path), raw_query, self.headers, self.peer_certificate_der,
                          self.path)
        self.reply(self.server.handler(request))


class _Server(GoServer):
    handler: Handler


def serve(address: tuple[str, int], handler: Handler, tls: ssl.SSLContext | None, name: str,
          idle_timeout: float = IDLE_TIMEOUT_SECONDS, read_timeout: float = READ_HEADER_TIMEOUT_SECONDS) -> GoServer:
    """Listen on `address` (port 0: a free one) and answer each request with `handler`, in
    daemon threads; ServingError when the address cannot be bound."""
    server = _Server(address, _Connection, tls, idle_timeout, read_timeout)
    server.handler = handler
    server.start(name)
    return server


# --- flags --------------------------------------------------------------------------------------

def add_secure_serving_flags(parser: argparse.ArgumentParser, port: int) -> None:
    """SecureServingOptions, DelegatingAuthenticationOptions and DelegatingAuthorizationOptions;
    `secure_serving_problem` validates them once parsed."""
    parser.add_argument("--secure-port", type=pflag.parse_int, default=port,
                        help=f"the HTTPS port of /healthz, /metrics and /configz; 0 serves none (default {port})")
    parser.add_argument("--bind-address", type=pflag.parse_ip, default="0.0.0.0",
                        help="the address the secure port listens on (default 0.0.0.0)")
    parser.add_argument("--cert-dir", type=Path,
                        help="where a self-signed pair is kept when --tls-cert-file is not given")
    parser.add_argument("--tls-cert-file", type=Path, help="the serving certificate (with any intermediates)")
    parser.add_argument("--tls-private-key-file", type=Path, help="the serving certificate's key")
    parser.add_argument("--client-ca-file", type=Path, help="CA bundle whose client certificates authenticate")
    parser.add_argument("--authentication-kubeconfig", type=Path,
                        help="kubeconfig of the apiserver that answers TokenReviews (none: tokens are not read)")
    parser.add_argument("--authorization-kubeconfig", type=Path,
                        help="kubeconfig of the apiserver that answers SubjectAccessReviews (none: only the "
                             "always-allowed paths and system:masters are served)")
    parser.add_argument("--authorization-always-allow-paths", type=path_list, default=ALWAYS_ALLOW_PATHS,
                        help="paths served to anyone (default /healthz,/readyz,/livez)")


@mirrors("(*k8s.io/apiserver/pkg/server/options.SecureServingOptions).Validate")
def secure_serving_problem(args: argparse.Namespace) -> str | None:
    """What upstream's options refuse once the flags are parsed, in its words; None when nothing."""
    if not 0 <= args.secure_port <= 65535:
        if args.secure_port > 65535:
            return f"--secure-port {args.secure_port} must be between 1 and 65535, inclusive. It cannot be turned off with 0"
        return f"--secure-port {args.secure_port} must be between 0 and 65535, inclusive. 0 for turning off secure port"
    try:
        PathAuthorizer(args.authorization_always_allow_paths)
    except PathPatternError as err:
        return str(err)
    return None


def path_list(text: str) -> tuple[str, ...]:
    return tuple(path for path in text.split(",") if path)


@mirrors("(*k8s.io/apiserver/pkg/server/options.SecureServingOptions).MaybeDefaultWithSelfSignedCerts")
def tls_context(args: argparse.Namespace, pair_name: str) -> ssl.SSLContext:
    """--tls-cert-file's pair, else a self-signed one for localhost and 127.0.0.1: kept in
    --cert-dir as <pair_name>.crt and .key, or, with no --cert-dir, made for this run only."""
    if args.tls_cert_file:
        return serving_context(args.tls_cert_file, args.tls_private_key_file or args.tls_cert_file,
                               args.client_ca_file)
    if args.cert_dir:
        cert, key = self_signed_pair(args.cert_dir, pair_name, "localhost", "127.0.0.1")
        return serving_context(cert, key, args.client_ca_file)
    with tempfile.TemporaryDirectory() as scratch:
        cert, key = self_signed_pair(Path(scratch), pair_name, "localhost", "127.0.0.1")
        return serving_context(cert, key, args.client_ca_file)


def review(client: RestClient, path: str) -> Review:
    """POST a review to the apiserver; any failure is the core's ReviewError."""
    def post(body: dict) -> dict:
        try:
            return client.request("POST", path, body)
        except (ClientError, OSError) as error:
            raise ReviewError(f"{path}: {error}") from None
    return post


def kubeconfig_review(kubeconfig: Path, path: str) -> Review:
    return review(load_client(kubeconfig), path)


def delegating_auth(args: argparse.Namespace, clock: Callable[[], float],
                    reviews: Callable[[Path, str], Review] = kubeconfig_review) -> DelegatingAuth:
    """The filters from the flags: x509 with --client-ca-file, TokenReviews with an
    --authentication-kubeconfig, anonymous for the rest; the always-allowed paths,
    system:masters, then SubjectAccessReviews with an --authorization-kubeconfig."""
    authenticators: list[object] = [X509Authenticator.from_file(args.client_ca_file)] if args.client_ca_file else []
    if args.authentication_kubeconfig:
        authenticators += token_authenticators(BearerTokenAuthenticator(TokenReviewAuthenticator(
            reviews(args.authentication_kubeconfig, TOKEN_REVIEWS), clock, TOKEN_CACHE_TTL)))
    authorizers: list[object] = [PrivilegedGroups(ALWAYS_ALLOW_GROUPS), PathAuthorizer(args.authorization_always_allow_paths)]
    if args.authorization_kubeconfig:
        authorizers.append(WebhookAuthorizer(reviews(args.authorization_kubeconfig, ACCESS_REVIEWS), clock,
                                             ALLOW_CACHE_TTL, DENY_CACHE_TTL))
    return DelegatingAuth(RequestAuthenticator(authenticators, anonymous=True), UnionAuthorizer(authorizers))


def serve_secure(args: argparse.Namespace, mux: PathRecorderMux, pair_name: str, clock: Callable[[], float]
                 ) -> GoServer | None:
    """The secure port the flags ask for; None for --secure-port 0."""
    if args.secure_port == 0:
        return None
    auth = delegating_auth(args, clock)
    return serve((args.bind_address, args.secure_port), secure_handler(mux, auth), tls_context(args, pair_name),
                 pair_name)

