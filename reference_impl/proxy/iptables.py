"""Render the iptables-restore input kube-proxy 1.24 writes, from Services and Endpoints.

A sans-IO mirror of `pkg/proxy/iptables/proxier.go`: `sync_proxy_rules` takes Services and
Endpoints as the apiserver returns them and returns the text `syncProxyRules` hands to
`iptables-restore --noflush --counters` (filter table, then nat table). Chain names use the same
hash as upstream, so a rendered rule set can be diffed against a real node's `iptables-save`.

Upstream iterates Go maps, so its service order is random; here services are sorted by their
ServicePortName and endpoints by "ip:port" so the output is stable enough for golden files.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from reference_impl.mirrors import mirrors

from .errors import RulesSyntaxError, UnsupportedServiceError

KUBE_SERVICES = "KUBE-SERVICES"
KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES"
KUBE_NODEPORTS = "KUBE-NODEPORTS"
KUBE_POSTROUTING = "KUBE-POSTROUTING"
KUBE_MARK_MASQ = "KUBE-MARK-MASQ"
KUBE_FORWARD = "KUBE-FORWARD"

# Above this many endpoint chains upstream drops per-rule comments to shrink the rule set.
ENDPOINT_CHAINS_NUMBER_THRESHOLD = 1000
DEFAULT_MASQUERADE_MARK = "0x4000"
DEFAULT_STICKY_MAX_AGE_SECONDS = 10800


@dataclass(frozen=True)
class ServicePortInfo:
    """One port of one Service, as `newServiceInfo` sees it."""

    service_name_string: str  # ServicePortName.String(): "ns/name" or "ns/name:port"
    protocol: str  # lower-case, as used in rules and in the chain-name hash
    cluster_ip: str
    port: int
    node_port: int = 0
    health_check_node_port: int = 0
    session_affinity_client_ip: bool = False
    sticky_max_age_seconds: int = DEFAULT_STICKY_MAX_AGE_SECONDS

    @property
    def service_port_chain_name(self) -> str:
        return service_port_chain_name(self.service_name_string, self.protocol)


@dataclass(frozen=True)
class EndpointInfo:
    """One backend of a service port: "ip:port", readiness, and whether it runs on this node."""

    endpoint: str
    ready: bool = True
    is_local: bool = False

    @property
    def ip(self) -> str:
        return self.endpoint.rsplit(":", 1)[0]


@mirrors("k8s.io/kubernetes/pkg/proxy/iptables.portProtoHash")
def port_proto_hash(service_port_name: str, protocol: str) -> str:
    digest = hashlib.sha256((service_port_name + protocol).encode()).digest()
    return base64.b32encode(digest).decode()[:16]


@mirrors("k8s.io/kubernetes/pkg/proxy/iptables.servicePortChainName")
def service_port_chain_name(service_port_name: str, protocol: str) -> str:
    return "KUBE-SVC-" + port_proto_hash(service_port_name, protocol)


@mirrors("k8s.io/kubernetes/pkg/proxy/iptables.servicePortEndpointChainName")
def service_port_endpoint_chain_name(service_port_name: str, protocol: str, endpoint: str) -> str:
    digest = hashlib.sha256((service_port_name + protocol + endpoint).encode()).digest()
    return "KUBE-SEP-" + base64.b32encode(digest).decode()[:16]


@lru_cache(maxsize=None)
@mirrors("k8s.io/kubernetes/pkg/proxy/iptables.computeProbability")
def compute_probability(n: int) -> str:
    # Go's "%0.10f" and Python's "%0.10f" both round half-to-even on the exact binary value.
    return "%0.10f" % (1.0 / n)


def service_port_name(namespace: str, name: str, port_name: str) -> str:
    """ServicePortName.String(): the port name is appended only when it is set."""
    return f"{namespace}/{name}" + (f":{port_name}" if port_name else "")


def service_port_infos(service: dict) -> list[ServicePortInfo]:
    """The service ports the iptables proxier programs for one Service (none for headless/ExternalName)."""
    # A field sent as JSON null is Go's zero value (an empty struct or slice), not a missing key.
    meta, spec = service["metadata"], service.get("spec") or {}
    svc_type = spec.get("type", "ClusterIP")
    cluster_ip = spec.get("clusterIP", "")
    if svc_type == "ExternalName" or cluster_ip in ("", "None"):
        return []
    full_name = f"{meta.get('namespace', 'default')}/{meta['name']}"
    if spec.get("externalIPs"):
        raise UnsupportedServiceError(full_name, "spec.externalIPs")
    if ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress"):
        raise UnsupportedServiceError(full_name, "status.loadBalancer.ingress")
    if svc_type in ("NodePort", "LoadBalancer") and spec.get("externalTrafficPolicy") == "Local":
        raise UnsupportedServiceError(full_name, "externalTrafficPolicy: Local")
    affinity = spec.get("sessionAffinity") == "ClientIP"
    timeout = (((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {})
               .get("timeoutSeconds", DEFAULT_STICKY_MAX_AGE_SECONDS))
    infos = []
    for port in spec.get("ports") or []:
        infos.append(ServicePortInfo(
            service_name_string=service_port_name(meta.get("namespace", "default"), meta["name"],
                                                  port.get("name", "")),
            protocol=port.get("protocol", "TCP").lower(),
            cluster_ip=cluster_ip,
            port=int(port["port"]),
            node_port=int(port.get("nodePort", 0) or 0) if svc_type in ("NodePort", "LoadBalancer") else 0,
            health_check_node_port=int(spec.get("healthCheckNodePort", 0) or 0),
            session_affinity_client_ip=affinity,
            sticky_max_age_seconds=int(timeout),
        ))
    return infos


def endpoints_map(endpoints_list: list[dict], hostname: str = "") -> dict[str, list[EndpointInfo]]:
    """ServicePortName string -> endpoints, from v1 Endpoints objects (ready and not-ready addresses)."""
    result: dict[str, list[EndpointInfo]] = {}
    for eps in endpoints_list:
        meta = eps["metadata"]
        for subset in eps.get("subsets") or []:
            for port in subset.get("ports") or []:
                key = service_port_name(meta.get("namespace", "default"), meta["name"], port.get("name", ""))
                bucket = result.setdefault(key, [])
                for ready, addresses in ((True, subset.get("addresses")), (False, subset.get("notReadyAddresses"))):
                    for addr in addresses or []:
                        bucket.append(EndpointInfo(
                            endpoint=f"{addr['ip']}:{port['port']}", ready=ready,
                            is_local=bool(hostname) and addr.get("nodeName") == hostname))
    for key in result:
        result[key] = sorted(result[key], key=lambda ep: ep.endpoint)
    return result


@dataclass
class _Buffer:
    """utiliptables.LineBuffer: each Write is one line of space-joined words."""

    lines: list[str] = field(default_factory=list)

    def write(self, *words: str | list[str] | tuple[str, ...]) -> None:
        flat: list[str] = []
        for w in words:
            flat.extend(w if isinstance(w, (list, tuple)) else [w])
        self.lines.append(" ".join(flat))


def _chain_line(chain: str) -> str:
    return f":{chain} - [0:0]"


@dataclass(frozen=True)
class ProxierConfig:
    """The proxier options that change the rendered rules."""

    masquerade_mark: str = DEFAULT_MASQUERADE_MARK
    cluster_cidr: str = ""  # enables detectLocalByCIDR's "! -s <cidr> -j KUBE-MARK-MASQ"
    masquerade_all: bool = False
    hostname: str = ""
    node_port_addresses: tuple[str, ...] = ()  # empty means every local address (0.0.0.0/0)
    random_fully: bool = False


@mirrors("(*k8s.io/kubernetes/pkg/proxy/iptables.Proxier).syncProxyRules")
def sync_proxy_rules(services: list[dict], endpoints: list[dict], config: ProxierConfig = ProxierConfig()) -> str:
    """The iptables-restore input for these Services and Endpoints (filter table, then nat)."""
    service_map = {info.service_name_string: info for svc in services for info in service_port_infos(svc)}
    eps_map = endpoints_map(endpoints, config.hostname)
    endpoint_chains_number = sum(len(eps_map.get(name, [])) for name in service_map)
    with_comments = endpoint_chains_number <= ENDPOINT_CHAINS_NUMBER_THRESHOLD
    mark = config.masquerade_mark

    filter_chains, filter_rules, nat_chains, nat_rules = _Buffer(), _Buffer(), _Buffer(), _Buffer()
    filter_chains.write("*filter")
    nat_chains.write("*nat")
    for chain in (KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS):
        filter_chains.write(_chain_line(chain))
    for chain in (KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ):
        nat_chains.write(_chain_line(chain))

    nat_rules.write("-A", KUBE_POSTROUTING, "-m", "mark", "!", "--mark", f"{mark}/{mark}", "-j", "RETURN")
    nat_rules.write("-A", KUBE_POSTROUTING, "-j", "MARK", "--xor-mark", mark)
    masq = ["-A", KUBE_POSTROUTING, "-m", "comment", "--comment",
            '"kubernetes service traffic requiring SNAT"', "-j", "MASQUERADE"]
    nat_rules.write(masq + (["--random-fully"] if config.random_fully else []))
    nat_rules.write("-A", KUBE_MARK_MASQ, "-j", "MARK", "--or-mark", mark)

    def comment(args: list[str], svc_name: str) -> list[str]:
        return args + ["-m", "comment", "--comment", svc_name] if with_comments else args

    for svc_name in sorted(service_map):
        svc = service_map[svc_name]
        protocol = svc.protocol
        all_endpoints = eps_map.get(svc_name, [])
        has_endpoints = any(ep.ready for ep in all_endpoints)
        ready_endpoint_chains: list[str] = []
        for ep in all_endpoints:
            if not ep.ready:
                continue
            ep_chain = service_port_endpoint_chain_name(svc_name, protocol, ep.endpoint)
            ready_endpoint_chains.append(ep_chain)
            nat_chains.write(_chain_line(ep_chain))
            args = comment(["-A", ep_chain], svc_name)
            nat_rules.write(args, "-s", ep.ip, "-j", KUBE_MARK_MASQ)
            if svc.session_affinity_client_ip:
                args = args + ["-m", "recent", "--name", ep_chain, "--set"]
            nat_rules.write(args + ["-m", protocol, "-p", protocol, "-j", "DNAT", "--to-destination", ep.endpoint])

        svc_chain = svc.service_port_chain_name
        if has_endpoints:
            nat_chains.write(_chain_line(svc_chain))
            args = ["-m", "comment", "--comment", f'"{svc_name} cluster IP"', "-m", protocol, "-p", protocol,
                    "-d", svc.cluster_ip, "--dport", str(svc.port)]
            if config.masquerade_all:
                nat_rules.write("-A", svc_chain, args, "-j", KUBE_MARK_MASQ)
            elif config.cluster_cidr:
                nat_rules.write("-A", svc_chain, args, "!", "-s", config.cluster_cidr, "-j", KUBE_MARK_MASQ)
            nat_rules.write("-A", KUBE_SERVICES, args, "-j", svc_chain)
        else:
            filter_rules.write("-A", KUBE_SERVICES, "-m", "comment", "--comment", f'"{svc_name} has no endpoints"',
                               "-m", protocol, "-p", protocol, "-d", svc.cluster_ip, "--dport", str(svc.port),
                               "-j", "REJECT")

        if svc.node_port:
            if has_endpoints:
                args = ["-m", "comment", "--comment", svc_name, "-m", protocol, "-p", protocol,
                        "--dport", str(svc.node_port)]
                nat_rules.write("-A", svc_chain, args, "-j", KUBE_MARK_MASQ)
                nat_rules.write("-A", KUBE_NODEPORTS, args, "-j", svc_chain)
            else:
                filter_rules.write("-A", KUBE_EXTERNAL_SERVICES, "-m", "comment", "--comment",
                                   f'"{svc_name} has no endpoints"', "-m", "addrtype", "--dst-type", "LOCAL",
                                   "-m", protocol, "-p", protocol, "--dport", str(svc.node_port), "-j", "REJECT")

        if svc.health_check_node_port:
            filter_rules.write("-A", KUBE_NODEPORTS, "-m", "comment", "--comment",
                               f'"{svc_name} health check node port"', "-m", "tcp", "-p", "tcp",
                               "--dport", str(svc.health_check_node_port), "-j", "ACCEPT")

        if has_endpoints:
            _write_service_to_endpoint_rules(nat_rules, svc, svc_chain, ready_endpoint_chains, comment)

    for address in config.node_port_addresses or ("0.0.0.0/0",):
        if address in ("0.0.0.0/0", "::/0"):
            nat_rules.write("-A", KUBE_SERVICES, "-m", "comment", "--comment",
                            '"kubernetes service nodeports; NOTE: this must be the last rule in this chain"',
                            "-m", "addrtype", "--dst-type", "LOCAL", "-j", KUBE_NODEPORTS)
            break
        nat_rules.write("-A", KUBE_SERVICES, "-m", "comment", "--comment",
                        '"kubernetes service nodeports; NOTE: this must be the last rule in this chain"',
                        "-d", address, "-j", KUBE_NODEPORTS)

    filter_rules.write("-A", KUBE_FORWARD, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP")
    filter_rules.write("-A", KUBE_FORWARD, "-m", "comment", "--comment", '"kubernetes forwarding rules"',
                       "-m", "mark", "--mark", f"{mark}/{mark}", "-j", "ACCEPT")
    filter_rules.write("-A", KUBE_FORWARD, "-m", "comment", "--comment", '"kubernetes forwarding conntrack rule"',
                       "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT")
    filter_rules.write("COMMIT")
    nat_rules.write("COMMIT")
    lines = filter_chains.lines + filter_rules.lines + nat_chains.lines + nat_rules.lines
    return "\n".join(lines) + "\n"


@mirrors("(*k8s.io/kubernetes/pkg/proxy/iptables.Proxier).writeServiceToEndpointRules")
def _write_service_to_endpoint_rules(nat_rules: _Buffer, svc: ServicePortInfo, svc_chain: str,
                                     endpoint_chains: list[str], comment) -> None:
    svc_name = svc.service_name_string
    if svc.session_affinity_client_ip:
        for ep_chain in endpoint_chains:
            nat_rules.write(comment(["-A", svc_chain], svc_name) + [
                "-m", "recent", "--name", ep_chain, "--rcheck", "--seconds", str(svc.sticky_max_age_seconds),
                "--reap", "-j", ep_chain])
    n = len(endpoint_chains)
    for i, ep_chain in enumerate(endpoint_chains):
        args = comment(["-A", svc_chain], svc_name)
        if i < n - 1:
            # 1/n, then 1/(n-1), ...: each later rule only sees what earlier rules let through.
            args += ["-m", "statistic", "--mode", "random", "--probability", compute_probability(n - i)]
        nat_rules.write(args, "-j", ep_chain)


_BUILTIN_TARGETS = {"ACCEPT", "DROP", "REJECT", "RETURN", "MARK", "MASQUERADE", "DNAT", "SNAT"}
_MAX_CHAIN_NAME = 28  # iptables' XT_EXTENSION_MAXNAMELEN - 1


def check_restore_syntax(text: str) -> None:
    """A pure-Python stand-in for `iptables-restore --test` on the subset of syntax kube-proxy emits.

    Checks table headers, chain declarations, that every `-A`/`-j` chain is declared (or a built-in
    target), chain-name length, balanced quotes and COMMIT; raises RulesSyntaxError at the first fault.
    """
    import shlex

    table = None
    chains: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            if table is not None:
                raise RulesSyntaxError(lineno, line, f"table {table} not committed")
            table, chains = line[1:], set()
            continue
        if table is None:
            raise RulesSyntaxError(lineno, line, "rule outside a table")
        if line == "COMMIT":
            table = None
            continue
        if line.startswith(":"):
            parts = line[1:].split()
            if len(parts) != 3 or parts[1] != "-" or not parts[2].startswith("["):
                raise RulesSyntaxError(lineno, line, "bad chain declaration")
            if len(parts[0]) > _MAX_CHAIN_NAME:
                raise RulesSyntaxError(lineno, line, "chain name longer than 28 characters")
            chains.add(parts[0])
            continue
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise RulesSyntaxError(lineno, line, str(exc)) from None
        if len(words) < 2 or words[0] not in ("-A", "-X"):
            raise RulesSyntaxError(lineno, line, "expected -A <chain> or -X <chain>")
        if words[1] not in chains:
            raise RulesSyntaxError(lineno, line, f"chain {words[1]} not declared in table {table}")
        if "-j" in words:
            target = words[words.index("-j") + 1] if words.index("-j") + 1 < len(words) else ""
            if target not in chains and target not in _BUILTIN_TARGETS:
                raise RulesSyntaxError(lineno, line, f"jump to undeclared chain {target!r}")
    if table is not None:
        raise RulesSyntaxError(0, "", f"table {table} not committed at end of input")
