"""Rules for the reference proxier's iptables rendering; golden rule sets for fixture services.

Refresh the golden files with: python tests/reference/proxy/test_proxy_iptables.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from reference_impl.proxy import RulesSyntaxError, UnsupportedServiceError  # noqa: E402
from reference_impl.proxy.iptables import (  # noqa: E402
    ProxierConfig,
    check_restore_syntax,
    compute_probability,
    service_port_chain_name,
    service_port_endpoint_chain_name,
    sync_proxy_rules,
)

GOLDEN = Path(__file__).parent / "golden"


def service(ns, name, cluster_ip, ports, type_="ClusterIP", **spec):
    return {"metadata": {"namespace": ns, "name": name},
            "spec": {"type": type_, "clusterIP": cluster_ip, "ports": ports, **spec}}


def endpoints(ns, name, ips, ports, not_ready=()):
    subset = {"addresses": [{"ip": ip} for ip in ips], "ports": ports}
    if not_ready:
        subset["notReadyAddresses"] = [{"ip": ip} for ip in not_ready]
    return {"metadata": {"namespace": ns, "name": name}, "subsets": [subset]}


P80 = [{"name": "p80", "port": 80, "protocol": "TCP"}]
EP80 = [{"name": "p80", "port": 80, "protocol": "TCP"}]

FIXTURES: dict[str, tuple[list[dict], list[dict], ProxierConfig]] = {
    "clusterip_one_endpoint": (
        [service("ns1", "svc1", "10.20.30.41", P80)],
        [endpoints("ns1", "svc1", ["10.180.0.1"], EP80)],
        ProxierConfig(cluster_cidr="10.0.0.0/24"),
    ),
    "clusterip_three_endpoints": (
        [service("ns1", "web", "10.96.0.10", [{"name": "http", "port": 80, "protocol": "TCP"}])],
        [endpoints("ns1", "web", ["10.244.1.3", "10.244.1.2", "10.244.2.7"],
                   [{"name": "http", "port": 8080, "protocol": "TCP"}], not_ready=["10.244.3.9"])],
        ProxierConfig(),
    ),
    "nodeport_udp_and_tcp": (
        [service("kube-system", "dns", "10.96.0.53",
                 [{"name": "dns", "port": 53, "protocol": "UDP", "nodePort": 30053},
                  {"name": "dns-tcp", "port": 53, "protocol": "TCP", "nodePort": 30054}], type_="NodePort")],
        [endpoints("kube-system", "dns", ["10.244.0.5", "10.244.0.6"],
                   [{"name": "dns", "port": 53, "protocol": "UDP"},
                    {"name": "dns-tcp", "port": 53, "protocol": "TCP"}])],
        ProxierConfig(),
    ),
    "no_endpoints_and_affinity": (
        [service("default", "empty", "10.96.1.1", [{"port": 443, "protocol": "TCP", "nodePort": 30443}],
                 type_="NodePort"),
         service("default", "sticky", "10.96.1.2", [{"port": 80, "protocol": "TCP"}], sessionAffinity="ClientIP",
                 sessionAffinityConfig={"clientIP": {"timeoutSeconds": 300}}),
         service("default", "headless", "None", [{"port": 80}])],
        [endpoints("default", "sticky", ["10.244.5.1", "10.244.5.2"], [{"port": 8000, "protocol": "TCP"}])],
        ProxierConfig(masquerade_all=True),
    ),
}


def render(name: str) -> str:
    services, eps, config = FIXTURES[name]
    return sync_proxy_rules(services, eps, config)


def test_service_chain_name_matches_upstream_vector():
    """KUBE-SVC-<hash> is base32(sha256(servicePortName + protocol))[:16], as in upstream's own tests."""
    assert service_port_chain_name("ns1/svc1:p80", "tcp") == "KUBE-SVC-XPGD46QRK7WJZT7O"
    assert service_port_chain_name("ns2/svc2:p80", "tcp") == "KUBE-SVC-GNZBNJ2PO5MGZ6GT"


def test_endpoint_chain_name_matches_upstream_vector():
    """KUBE-SEP-<hash> adds the "ip:port" endpoint to the hashed string."""
    assert service_port_endpoint_chain_name("ns1/svc1:p80", "tcp", "10.180.0.1:80") == "KUBE-SEP-SXIVWICOYRO3J4NJ"
    assert service_port_endpoint_chain_name("ns4/svc4:p80", "tcp", "10.180.0.5:80") == "KUBE-SEP-C6EBXVWJJZMIWKLZ"


def test_probability_is_formatted_with_ten_decimals():
    """Probabilities are 1/n printed with %0.10f."""
    assert [compute_probability(n) for n in (2, 3, 6)] == ["0.5000000000", "0.3333333333", "0.1666666667"]


def test_endpoint_rules_use_decreasing_denominators():
    """With n endpoints the service chain matches 1/n, 1/(n-1), ..., 1/2, then an unconditional jump."""
    lines = [ln for ln in render("clusterip_three_endpoints").splitlines() if ln.startswith("-A KUBE-SVC-")]
    jumps = [ln for ln in lines if "-j KUBE-SEP-" in ln]
    assert "--probability 0.3333333333" in jumps[0]
    assert "--probability 0.5000000000" in jumps[1]
    assert "statistic" not in jumps[2]


def test_not_ready_endpoints_get_no_chain():
    """Only ready addresses become KUBE-SEP chains."""
    assert "10.244.3.9" not in render("clusterip_three_endpoints")


def test_service_without_endpoints_is_rejected_in_filter_table():
    """A service with no ready endpoints gets a REJECT rule in filter KUBE-SERVICES and no KUBE-SVC chain."""
    text = render("no_endpoints_and_affinity")
    assert '-A KUBE-SERVICES -m comment --comment "default/empty has no endpoints"' in text
    assert service_port_chain_name("default/empty", "tcp") not in text


def test_nodeport_jumps_from_kube_nodeports_and_marks_masq():
    """A NodePort (Cluster policy) is marked for masquerade in the service chain and reached from KUBE-NODEPORTS."""
    text = render("nodeport_udp_and_tcp")
    chain = service_port_chain_name("kube-system/dns:dns", "udp")
    assert f"-A KUBE-NODEPORTS -m comment --comment kube-system/dns:dns -m udp -p udp --dport 30053 -j {chain}" in text
    assert f"-A {chain} -m comment --comment kube-system/dns:dns -m udp -p udp --dport 30053 -j KUBE-MARK-MASQ" in text


def test_headless_service_gets_no_rules():
    """clusterIP: None services are not proxied."""
    assert "default/headless" not in render("no_endpoints_and_affinity")


def test_external_traffic_policy_local_is_refused():
    """externalTrafficPolicy: Local (KUBE-XLB chains) is outside this reference; it raises, never renders wrongly."""
    svc = service("a", "b", "10.0.0.1", [{"port": 80, "nodePort": 30080}], type_="NodePort",
                  externalTrafficPolicy="Local")
    with pytest.raises(UnsupportedServiceError):
        sync_proxy_rules([svc], [])


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_golden_rules(name):
    """Rendered rules equal the golden file (refresh: run this file as a script)."""
    assert render(name) == (GOLDEN / f"{name}.rules").read_text()


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_rendered_rules_pass_python_syntax_check(name):
    """Every rendered rule set passes the pure-Python iptables-restore syntax check."""
    check_restore_syntax(render(name))


def test_python_syntax_check_rejects_undeclared_chain():
    """A jump to a chain never declared in the table is a syntax error."""
    with pytest.raises(RulesSyntaxError):
        check_restore_syntax("*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j KUBE-SVC-NOPE\nCOMMIT\n")


def _usable_restore_binaries() -> list[str]:
    """iptables-restore binaries (nft and legacy) whose --test accepts an empty kube-proxy rule set."""
    usable = []
    for name in ("iptables-restore", "iptables-legacy-restore"):
        binary = shutil.which(name)
        if binary is None:
            continue
        probe = subprocess.run([binary, "--test", "--noflush"], input=sync_proxy_rules([], []),
                               capture_output=True, text=True, timeout=20)
        if probe.returncode == 0:
            usable.append(binary)
    return usable


RESTORE_BINARIES = _usable_restore_binaries()
NO_RESTORE = "iptables-restore absent, or its --test cannot run here (needs root and netfilter)"


@pytest.mark.skipif(not RESTORE_BINARIES, reason=NO_RESTORE)
@pytest.mark.parametrize("binary", RESTORE_BINARIES or ["none"])
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_rendered_rules_pass_iptables_restore_test(name, binary):
    """The real iptables-restore --test --noflush accepts every rendered rule set."""
    result = subprocess.run([binary, "--test", "--noflush"], input=render(name),
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, f"{binary} --test rejected {name}:\n{result.stderr}"


@pytest.mark.skipif(not RESTORE_BINARIES, reason=NO_RESTORE)
@pytest.mark.parametrize("binary", RESTORE_BINARIES or ["none"])
def test_iptables_restore_test_rejects_bad_rules(binary):
    """The --test check is real: an out-of-range --probability is refused.

    (The nf_tables backend's --test does not check that a jump target chain exists; the
    pure-Python check above does.)
    """
    result = subprocess.run([binary, "--test", "--noflush"],
                            input="*nat\n:KUBE-SERVICES - [0:0]\n"
                                  "-A KUBE-SERVICES -m statistic --mode random --probability 1.5 -j RETURN\nCOMMIT\n",
                            capture_output=True, text=True, timeout=20)
    assert result.returncode != 0


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for fixture in sorted(FIXTURES):
        (GOLDEN / f"{fixture}.rules").write_text(render(fixture))
        print(f"wrote {GOLDEN / fixture}.rules")
