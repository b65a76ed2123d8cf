"""Run the reference kube-proxy in userspace mode: Service and Endpoints informers drive a
`UserspaceProxier` that listens for each service port on --bind-address and forwards every TCP
connection (or UDP client) round-robin to the port's ready endpoints.

`python -m reference_impl.proxy.run --kubeconfig PATH [--bind-address 127.0.0.1]
[--status-file PATH]` prints one "ready" line after its first sync and exits 0 on SIGTERM or SIGINT.

There is no cluster IP on a loopback-only node, so a service port is served on its nodePort when it
has one, else on its `port` when that is free; a port that cannot be bound is logged once and
skipped. The status file (JSON, rewritten on every change) maps "namespace/name:portName/PROTOCOL"
to the local port actually served.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from reference_impl.client import ClientError, KubeconfigError
from reference_impl.client.rest import RestClient
from reference_impl.client.informer import Informer, load_client, log, start_and_sync
from reference_impl.machinery.objects import meta_namespace_key
from reference_impl.proxy.errors import ProxyError, UnsupportedServiceError
from reference_impl.proxy.iptables import endpoints_map, service_port_infos
from reference_impl.proxy.userspace import UserspaceProxier
from reference_impl.machinery.process import Component, Process, env_default
from reference_impl.machinery.process import main as machinery_main
from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors

COMPONENT = "kube-proxy"
SYNC_PERIOD = 1.0


class ProxyRunner:
    def __init__(self, client: RestClient, bind_address: str, status_file: Path | None,
                 stop: threading.Event | None = None):
        self.stop, self.wake = stop or threading.Event(), threading.Event()
        self.services = Informer(client, "/api/v1/services", self.stop, self.wake, COMPONENT)
        self.endpoints = Informer(client, "/api/v1/endpoints", self.stop, self.wake, COMPONENT)
        self.proxier = UserspaceProxier(host=bind_address)
        self.bind_address, self.status_file = bind_address, status_file
        self.serving: dict[str, int] = {}  # "ns/name:port/PROTO" -> local port
        self.failed: dict[str, int] = {}  # the same, for ports that could not be bound
        self.reported: set[str] = set()
        self.status_written = False

    def run(self, out) -> None:
        if not start_and_sync([self.services, self.endpoints], self.stop):
            return
        try:
            self.sync_once()
            print(f"ready: reference kube-proxy (userspace) on {self.bind_address}, "
                  f"{len(self.serving)} service ports", file=out, flush=True)
            while not self.stop.is_set():
                self.wake.wait(SYNC_PERIOD)
                self.wake.clear()
                self.sync_once()
        finally:
            self.proxier.close()

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
            except Exception as error:  # noqa: BLE001 - one Service that cannot be read must not stop the sync
                self._say_once(f"unreadable:{meta_namespace_key(service)}",
                               f"skipping service {meta_namespace_key(service)}: {type(error).__name__}: {error}")
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


@mirrors("k8s.io/kubernetes/pkg/proxy/apis/config/validation.Validate")
def bind_address(text: str) -> str:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'KubeProxyConfiguration.BindAddress: Invalid value: "{text}": not a valid textual '
            "representation of an IP address") from None
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
    parser = argparse.ArgumentParser(prog="kubeatlas run proxy",
                                     description="Run the reference kube-proxy (userspace mode).")
    parser.add_argument("--kubeconfig", type=Path, **env_default(env, "KUBECONFIG"),
                        help="kubeconfig of the apiserver (default $KUBECONFIG)")
    parser.add_argument("--bind-address", type=bind_address, default="127.0.0.1",
                        help="the IP address service ports listen on")
    parser.add_argument("--status-file", type=status_file,
                        help="write the service port -> local port mapping here (JSON)")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, process: Process) -> None:
    ProxyRunner(load_client(args.kubeconfig), args.bind_address, args.status_file, process.stop).run(process.out)


COMMAND = Component("reference kube-proxy", parse_args, run, errors=(ClientError, ProxyError, OSError),
                    config_errors=(KubeconfigError,))


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    return machinery_main(COMMAND, argv, env)


if __name__ == "__main__":
    sys.exit(main())
