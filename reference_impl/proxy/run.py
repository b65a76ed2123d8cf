"""Run the reference kube-proxy in userspace mode: Service and Endpoints informers drive a
`UserspaceProxier` that listens for each service port on --bind-address and forwards every TCP
connection (or UDP client) round-robin to the port's ready endpoints.

`python -m reference_impl.proxy.run --kubeconfig PATH [--bind-address 127.0.0.1]
[--status-file PATH]` prints one "ready" line after its first sync and exits 0 on SIGTERM or SIGINT.

There is no cluster IP on a loopback-only node, so a service port is served on its nodePort when it
has one, else on its `port` when that is free; a port that cannot be bound is logged once and
skipped. The status file (JSON, rewritten on every change) maps "namespace/name:portName/PROTOCOL"
to the local port actually served.

It serves plain HTTP as upstream's does: `/healthz` on --healthz-bind-address and the metrics
port on --metrics-bind-address (`serving`); each sync marks the proxy healthy.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from reference_impl.client import ClientError, InClusterConfigError, KubeconfigError
from reference_impl.client.cache import ResourceEventHandler
from reference_impl.client.rest import RequestResults, RestClient
from reference_impl.client.informer import Informer, load_client, log, start_and_sync, stop_informers
from reference_impl.proxy.errors import ProxyError, UnsupportedServiceError
from reference_impl.proxy.iptables import endpoints_map, service_port_infos
from reference_impl.proxy.userspace import UserspaceProxier
from reference_impl.proxy import config, serving
from reference_impl.machinery import componentserver, pflag, upstreamflags
from reference_impl.machinery.goserver import GoServer, ServingError
from reference_impl.machinery.crash import Crash
from reference_impl.machinery.process import Component, Process
from reference_impl.machinery.process import main as machinery_main
from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors

COMPONENT = "kube-proxy"
SYNC_PERIOD = 1.0
PROXY_MODE = "userspace"


class ProxyRunner:
    def __init__(self, client: RestClient, bind_address: str, status_file: Path | None,
                 stop: threading.Event | None = None, health: serving.ProxierHealth | None = None):
        self.stop, self.wake = stop or threading.Event(), threading.Event()
        self.health = health or serving.ProxierHealth()
        # A handler that raises is a panic, as its processorListener's HandleCrash panics on.
        self.crash = Crash(lambda message: log(COMPONENT, message), self.stop, self.wake)
        self.services = Informer(client, "/api/v1/services", self.stop, self.wake, COMPONENT,
                                 handle_error=self.crash.handler_error)
        self.endpoints = Informer(client, "/api/v1/endpoints", self.stop, self.wake, COMPONENT,
                                  handle_error=self.crash.handler_error)
        # Every change the proxier hears of is queued work the health check waits on.
        def queued(*_objs: dict) -> None:
            self.health.queued_update()
        for informer in (self.services, self.endpoints):
            informer.store.add_event_handler(ResourceEventHandler(queued, queued, queued))
        self.proxier = UserspaceProxier(host=bind_address)
        self.bind_address, self.status_file = bind_address, status_file
        self.serving: dict[str, int] = {}  # "ns/name:port/PROTO" -> local port
        self.failed: dict[str, int] = {}  # the same, for ports that could not be bound
        self.reported: set[str] = set()
        self.status_written = False

    def run(self, out) -> None:
        """Proxy until stopped; a Panic when any thread panicked (see machinery.crash), once the
        informers, whose handlers may still, have stopped."""
        try:
            self._run(out)
        finally:
            self.proxier.close()
            stop_informers([self.services, self.endpoints], self.stop)
            self.crash.raise_panic()

    def _run(self, out) -> None:
        if not start_and_sync([self.services, self.endpoints], self.stop):
            return
        self._sync()
        print(f"ready: reference kube-proxy (userspace) on {self.bind_address}, "
              f"{len(self.serving)} service ports", file=out, flush=True)
        while not self.stop.is_set():
            self.wake.wait(SYNC_PERIOD)
            self.wake.clear()
            self._sync()

    @mirrors("(*k8s.io/kubernetes/pkg/proxy/userspace.Proxier).SyncLoop")
    def _sync(self) -> None:
        """sync_once on SyncLoop's goroutine, which has no recover: an exception out of it is a
        panic that ends the process with nothing logged by Go first (`panic: VALUE`)."""
        try:
            self.sync_once()
        except Exception as error:  # noqa: BLE001 - logged in full and ends kube-proxy, see machinery.crash
            raise self.crash.crash(error, recovered=False) from error

    @mirrors("(*k8s.io/kubernetes/pkg/proxy/userspace.Proxier).syncProxyRules")
    def sync_once(self) -> None:
        """syncProxyRules for the userspace mode: open new service ports, then set every port's
        endpoints (none for a port whose Service is gone, so its connections are refused)."""
        wanted: dict[str, tuple[str, str, int]] = {}  # key -> (service port name, protocol, listen port)
        for service in self.services.store.list():
            try:
                infos = service_port_infos(service)
            except UnsupportedServiceError as error:
                self._say_once(f"unsupported:{error.service}", str(error))
                continue
            for info in infos:
                key = f"{info.service_name_string}/{info.protocol.upper()}"
                wanted[key] = (info.service_name_string, info.protocol.upper(), info.node_port or info.port)
        changed = False
        for key, (name, protocol, port) in sorted(wanted.items()):
            if key in self.serving or self.failed.get(key) == port:
                continue
            try:
                self.serving[key] = self.proxier.add_service(name, protocol, port)
                self.failed.pop(key, None)
                changed = True
            except (OSError, ProxyError) as error:
                self.failed[key] = port
                log(COMPONENT, f"cannot serve {key} on {self.bind_address}:{port}: {error}")
        ready = {name: [(ep.ip, int(ep.endpoint.rsplit(":", 1)[1])) for ep in eps if ep.ready]
                 for name, eps in endpoints_map(self.endpoints.store.list()).items()}
        for key in self.serving:
            name = key.rsplit("/", 1)[0]
            self.proxier.load_balancer.on_endpoints_update(name, ready.get(name, []) if key in wanted else [])
        trace.record("rules synced", services=sorted(wanted),
                     endpoints={name: len(ready.get(name, [])) for name, _, _ in sorted(wanted.values())})
        if changed or not self.status_written:
            self._write_status()
        self.health.updated()

    def _say_once(self, key: str, message: str) -> None:
        if key not in self.reported:
            self.reported.add(key)
            log(COMPONENT, message)

    def _write_status(self) -> None:
        if self.status_file is None:
            return
        tmp = self.status_file.with_name(self.status_file.name + ".tmp")
        tmp.write_text(json.dumps(self.serving, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.status_file)
        self.status_written = True


@mirrors("(*k8s.io/kubernetes/pkg/util/flag.IPVar).Set")
def bind_address(text: str) -> str:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(f'"{text}" is not a valid IP address') from None
    return text


def status_file(text: str) -> Path:
    """A file to (re)write: its folder must exist, and it must not be a folder itself."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a folder, not a file")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: its folder {path.parent} does not exist")
    return path


def parse_args(argv: list[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    parser = pflag.FlagSet("kube-proxy", "Run the reference kube-proxy (userspace mode).", prog="kubeatlas run proxy")
    parser.add_argument("--kubeconfig", type=Path, default=env.get("KUBECONFIG"),
                        help="kubeconfig of the apiserver (default $KUBECONFIG, or --config's clientConnection)")
    parser.add_argument("--config", type=Path,
                        help="a KubeProxyConfiguration file; its bind addresses and kubeconfig take the place "
                             "of the flags'")
    parser.add_argument("--bind-address", type=bind_address, default="127.0.0.1",
                        help="the IP address service ports listen on")
    parser.add_argument("--status-file", type=status_file,
                        help="write the service port -> local port mapping here (JSON)")
    parser.add_argument("--healthz-bind-address", type=partial(serving.ip_port, default_port=serving.HEALTHZ_PORT),
                        default=serving.HEALTHZ_BIND_ADDRESS,
                        help=f"IP:port of /healthz; empty serves none (default {serving.HEALTHZ_BIND_ADDRESS})")
    parser.add_argument("--metrics-bind-address", type=partial(serving.ip_port, default_port=serving.METRICS_PORT),
                        default=serving.METRICS_BIND_ADDRESS,
                        help=f"IP:port of /metrics, /proxyMode, /configz; empty serves none "
                             f"(default {serving.METRICS_BIND_ADDRESS})")
    parser.add_version_flag()
    parser.add_upstream_flags(upstreamflags.KUBE_PROXY)
    args = parser.parse_args(argv)
    return args


def apply_config_file(args: argparse.Namespace) -> None:
    """--config's values in place of the flags', as kube-proxy's Complete replaces its flags'
    configuration with the file's; the lenient decoding said once in the log."""
    loaded = config.load(args.config)
    if loaded.lenient_because:
        log(COMPONENT, f"Using lenient decoding as strict decoding failed: {loaded.lenient_because}")
    args.bind_address = loaded.bind_address or args.bind_address
    args.healthz_bind_address = serving.ip_port(loaded.healthz_bind_address, serving.HEALTHZ_PORT)
    args.metrics_bind_address = serving.ip_port(loaded.metrics_bind_address, serving.METRICS_PORT)
    args.kubeconfig = Path(loaded.kubeconfig) if loaded.kubeconfig else args.kubeconfig


def configuration(args: argparse.Namespace) -> dict:
    """The KubeProxyConfiguration this proxy runs with, in the field names of upstream's internal
    type (no JSON tags): the fields the reference has."""
    def address(value: tuple[str, int] | None) -> str:
        return "" if value is None else f"{value[0]}:{value[1]}"
    return {"BindAddress": args.bind_address, "HealthzBindAddress": address(args.healthz_bind_address),
            "MetricsBindAddress": address(args.metrics_bind_address), "Mode": PROXY_MODE,
            "ClientConnection": {"Kubeconfig": str(args.kubeconfig)}}


def serve_ports(args: argparse.Namespace, health: serving.ProxierHealth, registry) -> list[GoServer]:
    """The healthz and metrics ports the flags name (none for an empty one), plain HTTP."""
    handlers = ((args.healthz_bind_address, serving.healthz_mux(health), "healthz"),
                (args.metrics_bind_address, serving.metrics_mux(PROXY_MODE, registry, configuration(args)), "metrics"))
    servers = []
    try:
        for address, handler, name in handlers:
            if address is not None:
                servers.append(componentserver.serve(address, handler, None, f"kube-proxy-{name}"))
                log(COMPONENT, f"Starting {name} server on {address[0]}:{servers[-1].port}")
    except ServingError:
        for server in servers:
            server.stop()
        raise
    return servers


def run(args: argparse.Namespace, process: Process) -> None:
    for flag in args.no_effect:
        log(COMPONENT, f"{flag} is one of kube-proxy's flags the reference proxy does not act on")
    if args.config is not None:
        apply_config_file(args)
    if args.kubeconfig is None:  # where upstream falls back to the in-cluster configuration
        raise InClusterConfigError("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
                                   "KUBERNETES_SERVICE_PORT must be defined")
    client, health, registry = load_client(args.kubeconfig), serving.ProxierHealth(), serving.metrics_registry()
    client.results = RequestResults(registry)
    servers = serve_ports(args, health, registry)
    try:
        ProxyRunner(client, args.bind_address, args.status_file, process.stop, health).run(process.out)
    finally:
        for server in servers:
            server.stop()


COMMAND = Component("reference kube-proxy", parse_args, run, errors=(ClientError, ProxyError, ServingError, OSError),
                    config_errors=(KubeconfigError,))


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    return machinery_main(COMMAND, argv, env)


if __name__ == "__main__":
    sys.exit(main())
