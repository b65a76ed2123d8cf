"""kube-proxy's --config: a KubeProxyConfiguration file, read and refused as kube-proxy 1.24 does.

Options.Complete reads the file and decodes it with the scheme's codec: strictly first, and when
only the strict checks fail (unknown fields) leniently, saying so in the log; every other decoding
error ends the start ("failed complete: failed to decode: ..."). Validate then checks the
addresses the reference serves on ("failed validate: KubeProxyConfiguration.BindAddress: ...").
The fields the reference acts on are bindAddress, healthzBindAddress, metricsBindAddress and
clientConnection.kubeconfig.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reference_impl.machinery.strictjson import DecodeError, Map, Named, Slice, Struct, decode_file
from reference_impl.mirrors import mirrors
from reference_impl.proxy.errors import ProxyConfigError
from reference_impl.proxy.serving import HEALTHZ_PORT, METRICS_PORT, split_host_port

API_VERSION, KIND = "kubeproxy.config.k8s.io/v1alpha1", "KubeProxyConfiguration"
SCHEME = "k8s.io/kubernetes/pkg/proxy/apis/config/scheme/scheme.go:29"


def _struct(name: str, fields: Mapping[str, object]) -> Struct:
    return Struct(name, fields, "v1alpha1")


KUBE_PROXY_CONFIGURATION = _struct(KIND, {
    "apiVersion": "string", "kind": "string", "featureGates": Map("bool"), "bindAddress": "string",
    "healthzBindAddress": "string", "metricsBindAddress": "string", "bindAddressHardFail": "bool",
    "enableProfiling": "bool", "clusterCIDR": "string", "hostnameOverride": "string",
    "clientConnection": Struct("ClientConnectionConfiguration", {
        "kubeconfig": "string", "acceptContentTypes": "string", "contentType": "string", "qps": "float32",
        "burst": "int32"}, "v1alpha1"),
    "iptables": _struct("KubeProxyIPTablesConfiguration", {
        "masqueradeBit": "int32", "masqueradeAll": "bool", "syncPeriod": "duration", "minSyncPeriod": "duration"}),
    "ipvs": _struct("KubeProxyIPVSConfiguration", {
        "syncPeriod": "duration", "minSyncPeriod": "duration", "scheduler": "string", "excludeCIDRs": Slice("string"),
        "strictARP": "bool", "tcpTimeout": "duration", "tcpFinTimeout": "duration", "udpTimeout": "duration"}),
    "oomScoreAdj": "int32", "mode": Named("v1alpha1.ProxyMode", "string"), "portRange": "string",
    "udpIdleTimeout": "duration",
    "conntrack": _struct("KubeProxyConntrackConfiguration", {
        "maxPerCore": "int32", "min": "int32", "tcpEstablishedTimeout": "duration", "tcpCloseWaitTimeout": "duration"}),
    "configSyncPeriod": "duration", "nodePortAddresses": Slice("string"),
    "winkernel": _struct("KubeProxyWinkernelConfiguration", {
        "networkName": "string", "sourceVip": "string", "enableDSR": "bool"}),
    "showHiddenMetricsForVersion": "string", "detectLocalMode": Named("v1alpha1.LocalMode", "string")})


@dataclass(frozen=True)
class ProxyConfiguration:
    """What the reference takes from the file, upstream's defaults filled in, except the bind
    address (None when the file has none: the reference's own default, loopback, stays); and
    the lenient decoding's reason to log (None when the strict one passed)."""

    bind_address: str | None
    healthz_bind_address: str
    metrics_bind_address: str
    kubeconfig: str
    lenient_because: str | None = None


@mirrors("(*k8s.io/kubernetes/cmd/kube-proxy/app.Options).loadConfigFromFile")
def load(path: Path) -> ProxyConfiguration:
    try:
        text = path.read_text()
    except OSError as error:  # os.ReadFile's words
        raise ProxyConfigError(f"failed complete: open {path}: {(error.strerror or str(error)).lower()}") from None
    config, lenient_because = _decode(text)
    connection = config.get("clientConnection") or {}
    loaded = ProxyConfiguration(config.get("bindAddress") or None,
                                _with_port(config.get("healthzBindAddress") or "0.0.0.0", HEALTHZ_PORT),
                                _with_port(config.get("metricsBindAddress") or "127.0.0.1", METRICS_PORT),
                                connection.get("kubeconfig") or "", lenient_because)
    problem = validation_problem(loaded)
    if problem:
        raise ProxyConfigError(f"failed validate: {problem}")
    return loaded


@mirrors("k8s.io/kubernetes/pkg/proxy/util.AppendPortIfNeeded")
def _with_port(address: str, port: int) -> str:
    """SetDefaults_KubeProxyConfiguration's: an IP alone gets the default port."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"


def _decode(text: str) -> tuple[dict, str | None]:
    try:
        return decode_file(text, {(API_VERSION, KIND): KUBE_PROXY_CONFIGURATION}, SCHEME)
    except DecodeError as error:
        raise ProxyConfigError(f"failed complete: failed to decode: {error}") from None


@mirrors("k8s.io/kubernetes/pkg/proxy/apis/config/validation.Validate")
def validation_problem(config: ProxyConfiguration) -> str | None:
    """The first of Validate's errors about the addresses the reference serves on."""
    try:
        ipaddress.ip_address(config.bind_address or "0.0.0.0")
    except ValueError:
        return (f'KubeProxyConfiguration.BindAddress: Invalid value: "{config.bind_address}": '
                "not a valid textual representation of an IP address")
    for field, address in (("HealthzBindAddress", config.healthz_bind_address),
                           ("MetricsBindAddress", config.metrics_bind_address)):
        problem = _host_port_problem(address)
        if problem:
            return f"KubeProxyConfiguration.{field}: {problem}"
    return None


@mirrors("k8s.io/kubernetes/pkg/proxy/apis/config/validation.validateHostPort")
def _host_port_problem(address: str) -> str | None:
    try:
        host, port = split_host_port(address)
    except ValueError:
        return f'Invalid value: "{address}": must be IP:port'
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return f'Invalid value: "{host}": must be a valid IP'
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        return f'Invalid value: "{port}": must be a valid port'
    return None
