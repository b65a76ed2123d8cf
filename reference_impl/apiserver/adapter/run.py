"""Run the reference kube-apiserver: `run(options)` serves the Kubernetes API over HTTPS on top of an
etcd until SIGTERM or SIGINT, printing one "ready" line with its URL once clients can connect.

`kubeatlas run apiserver --etcd-servers URL --cert-dir DIR --secure-port PORT ...` calls `main`; so
does `python -m reference_impl.apiserver.adapter.run` (the same flags), which the integration tests start. A
port of 0 asks the system for a free port, and the ready line tells which one it chose.

Start-up follows kube-apiserver's: certificates (made in --cert-dir when absent), the authentication
chain (client certificates against --client-ca-file, default the generated CA; bearer tokens from
--token-auth-file; requests without credentials as system:anonymous unless --anonymous-auth=false),
Node and RBAC authorization (kubeadm's --authorization-mode=Node,RBAC), the admission chain
(NodeRestriction among its plugins), then the post-start work of writing the system namespaces and
the bootstrap RBAC policy. With --kubeconfig-out it writes a kubeconfig for the admin certificate
(group system:masters).

Kubelets are reached over HTTPS with --kubelet-client-certificate and --kubelet-client-key
(default: the apiserver-kubelet-client pair made in --cert-dir), their serving certificates
checked against --kubelet-certificate-authority when it is given and not checked otherwise, as
kube-apiserver does.
"""
from __future__ import annotations

import argparse
import base64
import errno
import ipaddress
import os
import socket
import ssl
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import yaml

from reference_impl.machinery import pflag
from reference_impl.machinery.clock import WallClock
from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import authenticationtrust, bootstrappolicy, discovery, endpointreconciler
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.auth import AuthConfigError, new_authenticator
from reference_impl.apiserver.adapter.apfcontroller import APFConfigController
from reference_impl.apiserver.adapter.certs import CertBundle, CertError, ensure_certs
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.storage.etcdclient import DEFAULT_TIMEOUT, EtcdClient, EtcdClientError
from reference_impl.apiserver.storage.listers import Lister
from reference_impl.apiserver.core.nodeauthorizer import NodeAuthorizer, NodeGraph
from reference_impl.apiserver.core.rbac import RegistrySource, new_authorizer
from reference_impl.apiserver.core.registry import DEFAULT_EVENT_TTL, Registry
from reference_impl.apiserver.adapter.server import APIServer
from reference_impl.machinery.tlsclientauth import request_client_certificates
from reference_impl.apiserver.adapter.webhookclient import WebhookClient
from reference_impl.apiserver.core.openidmetadata import new_openid_metadata
from reference_impl.apiserver.core.tokenrequest import (ISSUER, LegacyServiceAccountTokenAuthenticator,
                                                        ServiceAccountTokenAuthenticator)
from reference_impl.mirrors import mirrors
from reference_impl.machinery.process import Component, relax_collector, stop_on_signals
from reference_impl.machinery.process import main as machinery_main
from reference_impl.machinery.timefmt import parse_duration

DEFAULT_SECURE_PORT = 6443
DEFAULT_BIND_ADDRESS = "127.0.0.1"
CLUSTER_NAME = "kubeatlas"


class RunError(Exception):
    """A reason the server cannot start, said in one line."""

    def __init__(self, subject: str, problem: str) -> None:
        self.subject, self.problem = subject, problem
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem}"


@dataclass(frozen=True)
class Options:
    """The server's flags, named as kube-apiserver names them."""

    etcd_servers: str
    cert_dir: Path
    secure_port: int = DEFAULT_SECURE_PORT
    bind_address: str = DEFAULT_BIND_ADDRESS
    token_auth_file: Path | None = None
    client_ca_file: Path | None = None
    anonymous_auth: bool = True
    kubeconfig_out: Path | None = None
    etcd_wait_seconds: float = 120.0
    event_ttl: int = DEFAULT_EVENT_TTL  # seconds
    kubelet_client_certificate: Path | None = None
    kubelet_client_key: Path | None = None
    kubelet_certificate_authority: Path | None = None
    advertise_address: str | None = None  # None: the bind address, unless that is loopback or unspecified


def parse_etcd_server(value: str) -> str:
    """The `http://HOST:PORT` etcd URLs of --etcd-servers, comma separated (members of one
    cluster, used in turn as they fail)."""
    urls = [u.strip() for u in value.split(",") if u.strip()]
    if not urls:
        raise RunError("--etcd-servers", f"{value!r} names no http://HOST:PORT URL")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/"):
            raise RunError("--etcd-servers", f"{url!r} is not of the form http://HOST:PORT "
                                             "(TLS to etcd is not supported)")
        try:
            port = parts.port
        except ValueError:
            port = None
        if not port:
            raise RunError("--etcd-servers", f"{url!r} has no valid port")
    return ",".join(urls)


def _check_listen_flags(options: Options) -> None:
    try:
        ipaddress.ip_address(options.bind_address)
    except ValueError:
        raise RunError("--bind-address", f"{options.bind_address!r} is not an IP address") from None
    if not 0 <= options.secure_port <= 65535:
        raise RunError("--secure-port", f"{options.secure_port} is not a port from 0 to 65535")


def _check_free(host: str, port: int) -> None:
    """Bind the address once with a plain socket, to say why it cannot be used."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except PermissionError:
        raise RunError(f"cannot listen on {host}:{port}", "permission denied") from None
    except OSError as err:
        problem = "the port is already in use" if err.errno == errno.EADDRINUSE else err.strerror
        raise RunError(f"cannot listen on {host}:{port}", str(problem)) from None


@mirrors("(*k8s.io/apiserver/pkg/server/options.SecureServingOptions).ApplyTo")
def tls_context(bundle: CertBundle, client_ca_file: Path) -> ssl.SSLContext:
    """Serve the serving certificate; ask clients for a certificate but neither require nor
    verify one at the handshake: the x509 authenticator verifies it against the client CA and
    answers a bad one with 401, as kube-apiserver does."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(bundle.serving.cert_path, bundle.serving.key_path)
    context.verify_mode = ssl.CERT_OPTIONAL
    try:
        context.load_verify_locations(cafile=str(client_ca_file))
    except (OSError, ssl.SSLError) as err:
        raise RunError(f"--client-ca-file {client_ca_file}", str(err)) from None
    request_client_certificates(context)
    # Go's server offers h2 and http/1.1; this one speaks HTTP/1.1 only, and says so to a client
    # that asks (kubectl, client-go then speak HTTP/1.1, as they do to any server without h2).
    context.set_alpn_protocols(["http/1.1"])
    # A client that ends its side without TLS's close_notify still reads the answer (OpenSSL 3
    # would fail the connection and refuse to write it; Go's crypto/tls keeps writing).
    context.options |= ssl.OP_IGNORE_UNEXPECTED_EOF
    return context


@mirrors("k8s.io/kubernetes/pkg/kubelet/client.MakeTransport",
         "(*k8s.io/kubernetes/pkg/kubelet/client.KubeletClientConfig).transportConfig")
def kubelet_client_tls(options: Options, bundle: CertBundle) -> ssl.SSLContext:
    """The TLS the apiserver dials kubelets with: its kubelet client certificate, and the
    kubelets' serving certificates verified (names and all) against --kubelet-certificate-authority,
    or taken as they come without one (rest.Config's Insecure)."""
    if options.kubelet_certificate_authority is None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    else:
        try:
            context = ssl.create_default_context(cafile=str(options.kubelet_certificate_authority))
        except (OSError, ssl.SSLError) as err:
            raise RunError(f"--kubelet-certificate-authority {options.kubelet_certificate_authority}",
                           str(err)) from None
    cert = options.kubelet_client_certificate or bundle.kubelet_client.cert_path
    key = options.kubelet_client_key or bundle.kubelet_client.key_path
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as err:
        raise RunError(f"--kubelet-client-certificate {cert}, --kubelet-client-key {key}", str(err)) from None
    return context


def server_url(bind_address: str, port: int) -> str:
    """The URL clients dial: loopback for a wildcard bind address."""
    host = bind_address
    if ipaddress.ip_address(host).is_unspecified:
        host = "127.0.0.1"
    return f"https://[{host}]:{port}" if ":" in host else f"https://{host}:{port}"


@mirrors("k8s.io/kubernetes/cmd/kubeadm/app/phases/kubeconfig.CreateKubeConfigFile")
def admin_kubeconfig(url: str, bundle: CertBundle) -> dict:
    """A kubeconfig for the admin client certificate, certificates inlined as *-data."""
    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    user = "kubernetes-admin"
    context = f"{user}@{CLUSTER_NAME}"
    return {"apiVersion": "v1", "kind": "Config", "preferences": {},
            "clusters": [{"name": CLUSTER_NAME,
                          "cluster": {"server": url, "certificate-authority-data": b64(bundle.ca.cert_pem)}}],
            "users": [{"name": user,
                       "user": {"client-certificate-data": b64(bundle.admin.cert_pem),
                                "client-key-data": b64(bundle.admin.key_pem)}}],
            "contexts": [{"name": context, "context": {"cluster": CLUSTER_NAME, "user": user}}],
            "current-context": context}


def write_kubeconfig(path: Path, config: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            yaml.safe_dump(config, file, sort_keys=False)
    except OSError as err:
        raise RunError(f"--kubeconfig-out {path}", err.strerror or str(err)) from None


ETCD_PROBE_SECONDS = 1.0  # how long one try at start waits for etcd to answer


@mirrors("k8s.io/apiserver/pkg/storage/storagebackend/factory.newETCD3Check")
def _connect_etcd(url: str, *, wait: float, sleep=time.sleep, clock=time.monotonic,
                  log: TextIO | None = None) -> EtcdClient:
    """A client for etcd, after one read proves it answers. kube-apiserver waits for an etcd that
    is not up yet: retry with backoff (0.25 s doubling to 4 s), saying so, for up to `wait` seconds.
    A try gives etcd ETCD_PROBE_SECONDS to answer, not a request's whole deadline, so the first
    "waiting" line comes at once."""
    deadline, delay = clock() + wait, 0.25
    while True:
        client = EtcdClient(url, timeout=ETCD_PROBE_SECONDS)
        try:
            client.range("/registry/", prefix=True, count_only=True)
            client.timeout = DEFAULT_TIMEOUT  # from now on a request waits as long as any
            return client
        except EtcdClientError as err:
            client.close()
            if clock() + delay > deadline:
                raise RunError(f"cannot reach etcd at {url}", str(err)) from None
            print(f"reference kube-apiserver: waiting for etcd at {url}: {err}", file=log or sys.stderr, flush=True)
            sleep(delay)
            delay = min(delay * 2, 4.0)


def served_group_versions() -> list[tuple[str, str]]:
    """Every group version the server serves itself (not the custom resources')."""
    served = discovery.group_versions((*kinds.RESOURCES, *discovery.REVIEWS.values(), discovery.COMPONENT_STATUSES))
    return [(group, version) for group, versions in served.items() for version in versions]


@mirrors("k8s.io/kubernetes/cmd/kube-apiserver/app.Run", "k8s.io/kubernetes/cmd/kube-apiserver/app.CreateServerChain")
def run(options: Options, *, out: TextIO | None = None, stop: threading.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT (or until `stop` is set, for callers in another thread).
    Raises RunError, CertError or AuthConfigError (one-line messages) before anything is served."""
    out = out or sys.stdout
    stop = stop or threading.Event()
    etcd_url = parse_etcd_server(options.etcd_servers)
    _check_listen_flags(options)
    bundle = ensure_certs(options.cert_dir)
    client_ca = options.client_ca_file or bundle.ca.cert_path
    authenticator = new_authenticator(client_ca, options.token_auth_file, options.anonymous_auth,
                                      loopback_token=str(uuid.uuid4()), clock=time.time)
    context = tls_context(bundle, client_ca)
    kubelet_tls = kubelet_client_tls(options, bundle)
    _check_free(options.bind_address, options.secure_port)
    client = _connect_etcd(etcd_url, wait=options.etcd_wait_seconds)
    registry = Registry(client, clock=WallClock(), event_ttl=options.event_ttl)
    registry.conversion_webhook = WebhookClient(registry).conversion
    listers: dict[str, Lister] = {}
    apf = kubernetes_service = None
    try:
        registry.start_watch_caches()
        registry.start_observing_counts()
        try:
            bootstrappolicy.ensure_system_namespaces(registry)
            bootstrappolicy.ensure_rbac_policy(registry)
            bootstrappolicy.ensure_system_priority_classes(registry)
            bootstrappolicy.ensure_local_api_services(registry, served_group_versions())
            bootstrappolicy.ensure_flowcontrol_configuration(registry)
            authenticationtrust.sync_config_map(registry, client_ca.read_text())
        except (EtcdClientError, StatusError) as err:
            raise RunError(f"writing the bootstrap objects to etcd at {etcd_url}", str(err)) from None
        apf = APFConfigController(registry).start()
        listers = {plural: Lister(registry.storage, registry.prefix(registry.resource(plural), None)).start()
                   for plural in ("namespaces", "serviceaccounts", "limitranges", "resourcequotas",
                                  "priorityclasses", "runtimeclasses", "storageclasses", "ingressclasses",
                                  "mutatingwebhookconfigurations", "validatingwebhookconfigurations")}
        graph = NodeGraph(lambda plural: registry.list(plural)["items"])
        authorizer = new_authorizer(RegistrySource(registry), NodeAuthorizer(graph))
        server = APIServer(registry, authenticator, authorizer,
                           new_admission_chain(registry, listers["namespaces"], listers["serviceaccounts"],
                                               authorizer, limit_ranges=listers["limitranges"],
                                               resource_quotas=listers["resourcequotas"],
                                               priority_classes=listers["priorityclasses"],
                                               runtime_classes=listers["runtimeclasses"],
                                               storage_classes=listers["storageclasses"],
                                               ingress_classes=listers["ingressclasses"],
                                               webhook_call=WebhookClient(registry),
                                               webhook_configurations=listers),
                           ssl_context=context, host=options.bind_address, port=options.secure_port,
                           etcd_servers=etcd_url.split(","), kubelet_tls=kubelet_tls)
        # TokenRequest signs with the serving key; the tokens it issues authenticate from then on.
        server.chain.rest.token_key = bundle.serving.private_key
        server.chain.openid_metadata = new_openid_metadata(ISSUER, server.url.removeprefix("https://"),
                                                           [bundle.serving.private_key.public_key()])
        # As BuiltInAuthenticationOptions does: the legacy issuer's tokens first, then the bound ones.
        for service_account_tokens in (LegacyServiceAccountTokenAuthenticator, ServiceAccountTokenAuthenticator):
            authenticator.add_token_authenticator(service_account_tokens(
                bundle.serving.private_key.public_key(), registry.get, time.time))
        try:
            server.start()
        except OSError as err:
            raise RunError(f"cannot listen on {options.bind_address}:{options.secure_port}",
                           err.strerror or str(err)) from None
        # Once listening: the service targets the port bound (a --secure-port of 0 picks one).
        kubernetes_service = KubernetesServiceLoop(registry, advertise_address(options), server.port)
        _serve(server, options, bundle, etcd_url, out, stop)
    finally:
        if kubernetes_service is not None:
            kubernetes_service.stop()
        if apf is not None:
            apf.stop()
        for lister in listers.values():
            lister.stop()
        registry.close()
        client.close()


class KubernetesServiceLoop:
    """The bootstrap controller's RunKubernetesService: this apiserver's endpoints removed once
    first (Controller.Start: a lease a crash left behind), a round at once (the Service and its
    endpoints are there when the server reports ready), then one every ENDPOINT_INTERVAL, its
    lines logged to `log` (stderr) as klog's; at stop, this apiserver's lease is removed and the
    endpoints reconciled without it (Controller.Stop), given STOP_WAIT at most: upstream gives
    it twice the interval, which would hold up the exit 20 s when etcd is gone."""

    STOP_WAIT = 5.0

    def __init__(self, registry: Registry, ip: str | None, secure_port: int, log: TextIO | None = None,
                 interval: float = endpointreconciler.ENDPOINT_INTERVAL) -> None:
        self.registry, self.ip, self.port, self.interval = registry, ip, secure_port, interval
        self.log = log or sys.stderr
        self.reconciler = endpointreconciler.LeaseEndpointReconciler(
            registry, endpointreconciler.MasterLeases(registry.storage),
            lambda line: print(line, file=self.log, flush=True))
        self._stop = threading.Event()
        if ip:
            endpointreconciler.remove_stale_endpoints(self.reconciler, ip, secure_port, self.log)
        self._round()
        self._thread = threading.Thread(target=self._run, name="kubernetes-service", daemon=True)
        self._thread.start()

    def _round(self) -> None:
        endpointreconciler.run_kubernetes_service(self.registry, self.reconciler, self.ip, self.port, self.log)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._round()

    @mirrors("(*k8s.io/kubernetes/pkg/controlplane.Controller).Stop")
    def stop(self) -> None:
        self._stop.set()
        if not self.ip:
            return
        removing = threading.Thread(target=self._remove_endpoints, name="kubernetes-service-stop", daemon=True)
        removing.start()
        removing.join(self.STOP_WAIT)
        if removing.is_alive():
            print("RemoveEndpoints() timed out", file=self.log, flush=True)

    def _remove_endpoints(self) -> None:
        self._thread.join()  # a round under way ends first
        endpointreconciler.remove_endpoints_at_stop(self.reconciler, self.ip, self.port, self.log)


def _serve(server, options: Options, bundle: CertBundle, etcd_url: str, out: TextIO,
           stop: threading.Event) -> None:
    with stop_on_signals(stop):
        try:
            url = server_url(options.bind_address, server.port)
            if options.kubeconfig_out:
                write_kubeconfig(options.kubeconfig_out, admin_kubeconfig(url, bundle))
            relax_collector()
            print(f"ready: reference kube-apiserver serving on {url} (etcd {etcd_url})", file=out, flush=True)
            while not stop.wait(0.5):  # a timed wait keeps the main thread responsive to signals
                pass
        finally:
            server.stop()


@mirrors("(*k8s.io/apiserver/pkg/server/options.ServerRunOptions).DefaultAdvertiseAddress",
         "k8s.io/apimachinery/pkg/util/net.ResolveBindAddress")
def advertise_address(options: Options, choose_host_interface=None) -> str | None:
    """The address published as the kubernetes Service's endpoint: --advertise-address, else the
    bind address when it names one interface, else (a loopback or unspecified bind address, as a
    local cluster's 127.0.0.1) the host's address on its default route, as upstream's
    ResolveBindAddress picks it: the real 1.24 bound to 127.0.0.1 publishes 192.0.2.2 on a host
    whose default route leaves from there. An unspecified --advertise-address (0.0.0.0, ::)
    counts as none given. With no default route upstream refuses to start; here nothing is
    published instead."""
    if options.advertise_address and not ipaddress.ip_address(options.advertise_address).is_unspecified:
        return options.advertise_address
    try:
        bound = ipaddress.ip_address(options.bind_address)
    except ValueError:
        return None
    if not (bound.is_loopback or bound.is_unspecified):
        return str(bound)
    return (choose_host_interface or default_route_address)(prefer_ipv6=bound.version == 6)


@mirrors("k8s.io/apimachinery/pkg/util/net.ChooseHostInterface")
def default_route_address(prefer_ipv6: bool = False) -> str | None:
    """This host's source address toward a destination only the default route reaches (IPv4
    first unless the bind address is IPv6), as chooseHostInterfaceFromRoute takes the default
    route's interface address. A UDP connect sends nothing; it only asks the kernel's routing."""
    families = [(socket.AF_INET, "8.8.8.8"), (socket.AF_INET6, "2001:4860:4860::8888")]
    for family, destination in reversed(families) if prefer_ipv6 else families:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((destination, 53))
                address = ipaddress.ip_address(probe.getsockname()[0].split("%")[0])
        except OSError:
            continue
        if not (address.is_loopback or address.is_link_local or address.is_unspecified):  # IsGlobalUnicast
            return str(address)
    return None


def parse_args(argv: list[str] | None) -> Options:
    # pflag's rules, as the real kube-apiserver's cobra command: no abbreviated flags
    # (`--etcd-server` is "unknown flag", not --etcd-servers) and "Error: ..." with exit 1.
    parser = pflag.FlagSet("kube-apiserver", "Serve the reference kube-apiserver over HTTPS.",
                           prog="kubeatlas run apiserver")
    parser.add_argument("--etcd-servers", required=True, help="the etcd to store in: http://HOST:PORT, or several members' URLs comma separated")
    parser.add_argument("--cert-dir", required=True, type=Path,
                        help="where the CA, serving and admin certificates are kept (made when absent)")
    parser.add_argument("--secure-port", type=pflag.parse_int, default=DEFAULT_SECURE_PORT,
                        help="the HTTPS port (0: any free port; the ready line tells which)")
    parser.add_argument("--bind-address", type=pflag.parse_ip, default=DEFAULT_BIND_ADDRESS, help="the IP address to listen on")
    parser.add_argument("--advertise-address", type=pflag.parse_ip, default=None,
                        help="the IP address published as the endpoint of the kubernetes Service "
                             "(default: --bind-address, unless loopback or unspecified)")
    parser.add_argument("--token-auth-file", type=Path,
                        help='bearer tokens, CSV lines token,user,uid,"group1,group2"')
    parser.add_argument("--client-ca-file", type=Path,
                        help="CA bundle that client certificates must chain to (default: the generated CA)")
    parser.add_argument("--anonymous-auth", type=pflag.parse_bool, nargs="?", const=True, default=True, metavar="BOOL",
                        help="serve requests without credentials as system:anonymous (default true; "
                             "--anonymous-auth=false refuses them with 401)")
    parser.add_argument("--kubeconfig-out", type=Path, help="write an admin kubeconfig here")
    parser.add_argument("--kubelet-client-certificate", type=Path,
                        help="client certificate shown to kubelets "
                             "(default: apiserver-kubelet-client.crt in --cert-dir)")
    parser.add_argument("--kubelet-client-key", type=Path, help="the key of --kubelet-client-certificate")
    parser.add_argument("--kubelet-certificate-authority", type=Path,
                        help="CA bundle kubelets' serving certificates must chain to (default: not checked)")
    parser.add_argument("--etcd-wait-seconds", type=float, default=120.0,
                        help="how long to wait for etcd to answer at start (not a kube-apiserver flag: it waits on)")
    parser.add_argument("--event-ttl", type=_event_ttl, default=DEFAULT_EVENT_TTL, metavar="DURATION",
                        help="how long Events are kept after their last write, a Go duration (default 1h0m0s; "
                             "0 keeps them until deleted)")
    args = parser.parse_args(argv)
    if (args.kubelet_client_certificate is None) != (args.kubelet_client_key is None):
        raise pflag.OptionsError("--kubelet-client-certificate and --kubelet-client-key go together")
    return Options(args.etcd_servers, args.cert_dir, args.secure_port, args.bind_address,
                   args.token_auth_file, args.client_ca_file, args.anonymous_auth, args.kubeconfig_out,
                   args.etcd_wait_seconds, args.event_ttl, args.kubelet_client_certificate,
                   args.kubelet_client_key, args.kubelet_certificate_authority, args.advertise_address)


def _event_ttl(text: str) -> int:
    """--event-ttl in whole seconds, as the event storage's TTLFunc takes it."""
    try:
        seconds = parse_duration(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if seconds < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return int(seconds)


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    component = Component("reference kube-apiserver", lambda argv, env: parse_args(argv),
                          lambda options, process: run(options, out=process.out, stop=process.stop),
                          errors=(RunError, CertError, AuthConfigError))
    return machinery_main(component, argv, env)


if __name__ == "__main__":
    sys.exit(main())
