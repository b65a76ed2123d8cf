"""The reference kube-proxy's two plain HTTP ports, as upstream's serveHealthz and serveMetrics
open them: `/healthz` on --healthz-bind-address (default 0.0.0.0:10256), JSON saying when the
rules were last synced and 503 once a queued change has waited too long; and the metrics port on
--metrics-bind-address (default 127.0.0.1:10249): `/healthz` (ping), `/proxyMode`, `/metrics`,
`/configz`. Neither has authentication; an empty address serves nothing."""
from __future__ import annotations

import ipaddress
import threading
import time

from reference_impl.machinery import componentserver
from reference_impl.machinery.goserver import Reply
from reference_impl.machinery.prometheus import Registry
from reference_impl.machinery.timefmt import go_now_string
from reference_impl.mirrors import mirrors

HEALTHZ_BIND_ADDRESS, HEALTHZ_PORT = "0.0.0.0:10256", 10256  # ports.ProxyHealthzPort
METRICS_BIND_ADDRESS, METRICS_PORT = "127.0.0.1:10249", 10249  # ports.ProxyStatusPort
# NewProxierHealthServer's healthTimeout: twice the iptables sync period (30 s by default).
HEALTH_TIMEOUT_SECONDS = 60.0
CONFIGZ_NAME = "kubeproxy.config.k8s.io"
_STARTED_NS = time.monotonic_ns()  # Go's monotonic readings count from the process's start


class ProxierHealth:
    """proxierHealthServer's record: when a change was last queued and when the rules were last
    synced, in (wall, monotonic) nanoseconds."""

    def __init__(self, timeout: float = HEALTH_TIMEOUT_SECONDS) -> None:
        self.timeout_ns = int(timeout * 1e9)
        self.last_queued: tuple[int, int] | None = None
        self.last_updated: tuple[int, int] | None = None
        self._lock = threading.Lock()

    @mirrors("(*k8s.io/kubernetes/pkg/proxy/healthcheck.proxierHealthServer).QueuedUpdate")
    def queued_update(self) -> None:
        with self._lock:
            self.last_queued = now()

    @mirrors("(*k8s.io/kubernetes/pkg/proxy/healthcheck.proxierHealthServer).Updated")
    def updated(self) -> None:
        with self._lock:
            self.last_updated = now()

    @mirrors("(k8s.io/kubernetes/pkg/proxy/healthcheck.healthzHandler).ServeHTTP")
    def healthz(self, current: tuple[int, int]) -> Reply:
        """Healthy while starting (never synced), when the last sync came after the last queued
        change, or while that change is younger than the timeout; a healthy answer names the
        current time as its lastUpdated."""
        with self._lock:
            queued, updated = self.last_queued, self.last_updated
        healthy = (updated is None or queued is None or updated[1] > queued[1]
                   or current[1] - queued[1] < self.timeout_ns)
        shown = current if healthy else updated
        body = f'{{"lastUpdated": "{go_time(shown)}","currentTime": "{go_time(current)}"}}'
        return Reply(200 if healthy else 503, body.encode(),
                     (("Content-Type", "application/json"), componentserver.NOSNIFF))


def now() -> tuple[int, int]:
    return time.time_ns(), time.monotonic_ns() - _STARTED_NS


def go_time(moment: tuple[int, int] | None) -> str:
    """A time.Time's String(); the zero Time for None."""
    return "0001-01-01 00:00:00 +0000 UTC" if moment is None else go_now_string(*moment)


@mirrors("k8s.io/kubernetes/cmd/kube-proxy/app.newProxyServer")
def metrics_registry() -> Registry:
    """What /metrics exports in userspace mode: the build info, and none of pkg/proxy/metrics'
    kubeproxy_* families, which newProxyServer registers only for the iptables and ipvs proxiers
    (the userspace proxier observes none of them)."""
    registry = Registry()
    componentserver.register_build_info(registry)
    return registry


def healthz_mux(health: ProxierHealth) -> componentserver.Handler:
    return componentserver.serve_mux({"/healthz": lambda request: health.healthz(now())})


@mirrors("k8s.io/kubernetes/cmd/kube-proxy/app.serveMetrics")
def metrics_mux(proxy_mode: str, registry: Registry, config: dict) -> componentserver.PathRecorderMux:
    mux = componentserver.PathRecorderMux()
    componentserver.install_healthz(mux, lambda: ())
    mux.handle("/proxyMode", lambda request: Reply(200, proxy_mode.encode(),
                                                   (("Content-Type", componentserver.TEXT), componentserver.NOSNIFF)))
    componentserver.install_metrics(mux, registry)
    componentserver.install_configz(mux, lambda: {CONFIGZ_NAME: config})
    return mux


@mirrors("(*k8s.io/kubernetes/pkg/util/flag.IPPortVar).Set")
def ip_port(text: str, default_port: int) -> tuple[str, int] | None:
    """--healthz-bind-address's and --metrics-bind-address's value: IP:port, or an IP alone on
    `default_port` (addressFromDeprecatedFlags appends --healthz-port's or --metrics-port's);
    "" for none."""
    if text == "":
        return None
    try:
        return str(ipaddress.ip_address(text)), default_port
    except ValueError:
        pass
    try:
        host, port = split_host_port(text)
    except ValueError as error:
        raise ValueError(f'"{text}" is not in a valid format (ip or ip:port): {error}') from None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f'"{host}" is not a valid IP address') from None
    if not port.isdigit() or int(port) > 65535:  # ParsePort allowing 0
        raise ValueError(f'"{port}" is not a valid number')
    return host, int(port)


@mirrors("net.SplitHostPort")
def split_host_port(text: str) -> tuple[str, str]:
    """host and port of "host:port" or "[host]:port"; a ValueError in Go's AddrError words."""
    def refused(why: str) -> ValueError:
        return ValueError(f"address {text}: {why}")
    last_colon = text.rfind(":")
    if last_colon < 0:
        raise refused("missing port in address")
    no_open, no_close = 0, 0  # where a '[' or ']' may no longer appear
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise refused("missing ']' in address")
        if end + 1 != last_colon:  # the ']' must be followed by the last colon, and only it
            raise refused("too many colons in address" if text[end + 1:end + 2] == ":" else "missing port in address")
        host, no_open, no_close = text[1:end], 1, end + 1
    else:
        host = text[:last_colon]
        if ":" in host:
            raise refused("too many colons in address")
    if "[" in text[no_open:]:
        raise refused("unexpected '[' in address")
    if "]" in text[no_close:]:
        raise refused("unexpected ']' in address")
    return host, text[last_colon + 1:]
