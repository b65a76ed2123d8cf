"""The Service kind (core/v1): its resource facts, validation, defaults, OpenAPI schema, printer columns
and protobuf layout."""
from __future__ import annotations

import ipaddress
from typing import Callable

from reference_impl.apiserver.core.podvalidation import port_name_problems
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (CORE, INT_OR_STRING, META, arr, atomic, boolean, conditions, integer,
                                                   kind, list_kind, obj, ref, string, string_map, strings)
from reference_impl.apiserver.core.validation import (IP_MSG, PORT_RANGE_MSG, PROTOCOLS, as_list, as_object,
                                                      duplicate, invalid, label_name_problems, label_problems,
                                                      load_balancer_status_problems, name_problems, parse_cidr,
                                                      go_value, parse_ip, required, unsupported)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.kinds._defaulting import default_nil, dict_items
from reference_impl.apiserver.kinds.endpoints import address_problems, loopback_problems
from reference_impl.machinery import intstr
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.labels import qualified_name_problems
from reference_impl.mirrors import mirrors

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
SESSION_AFFINITIES = ("ClientIP", "None")
TRAFFIC_POLICIES = ("Cluster", "Local")
IP_FAMILIES = ("IPv4", "IPv6")
IP_FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
MAX_CLIENT_IP_AFFINITY_SECONDS = 86400  # core.MaxClientIPServiceAffinitySeconds
DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800  # v1.DefaultClientIPServiceAffinitySeconds
KUBELET_PORT = 10250
# kube-apiserver's default --service-node-port-range, and the --service-cluster-ip-range it is run with.
NODE_PORT_RANGE = (30000, 32767)
# The --service-cluster-ip-range the local cluster's apiserver allocates from.
SERVICE_CLUSTER_IP_RANGE = ipaddress.ip_network("10.96.0.0/12")


def is_headless(spec: dict) -> bool:
    return spec.get("clusterIPs") == ["None"]


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/service/ipallocator.Range).Allocate")
def cluster_ip_allocation_problems(requested: str, allocated: set[str]) -> list[str]:
    """Why the cluster IP allocator refuses a requested IP: outside the range (whose network and
    broadcast addresses it never gives) or given already. An IP that does not parse is left to
    validation."""
    ip, network = parse_ip(requested), SERVICE_CLUSTER_IP_RANGE
    if ip is None:
        return []
    if ip not in network or ip in (network.network_address, network.broadcast_address):
        why = f"the provided IP ({requested}) is not in the valid range. The range of valid IPs is {network}"
    elif requested in allocated:
        why = "provided IP is already allocated"
    else:
        return []
    return [f'spec.clusterIPs: Invalid value: []string{{"{requested}"}}: failed to allocate IP {requested}: {why}']


@mirrors("k8s.io/kubernetes/pkg/registry/core/service/storage.initNodePorts")
def allocate_node_ports(spec: dict, taken: set[int], pick: Callable[[set[int]], int],
                        kept: set[int], check_range: bool) -> list[str]:
    """Give each port of a NodePort or LoadBalancer service a node port, one per service port
    number: the one that number has already, else the first requested for it, else `pick(taken)`.
    A requested node port outside the node-port range (unless the service had it already: `kept`;
    a dry run's allocator does not check) or taken (by another service, or by another port
    number of this one) is refused."""
    ports = dict_items(spec.get("ports"))
    should_allocate = spec.get("type") == "NodePort" or (
        spec.get("type") == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is not False)
    low, high = NODE_PORT_RANGE

    def refusal(i: int, asked: int) -> list[str]:
        if check_range and asked not in kept and not low <= asked <= high:
            return [invalid(f"spec.ports[{i}].nodePort", asked, "provided port is not in the valid range. "
                            f"The range of valid ports is {low}-{high}")]
        if asked in taken:
            return [invalid(f"spec.ports[{i}].nodePort", asked, "provided port is already allocated")]
        return []

    by_port_number: dict[object, int] = {}
    for i, port in enumerate(ports):
        if not port.get("nodePort") and not should_allocate:
            continue
        number, asked = port.get("port"), port.get("nodePort")
        if number not in by_port_number:
            asked = next((p["nodePort"] for p in ports if p.get("port") == number and p.get("nodePort")), None)
            if asked is None:
                asked = pick(taken)
            elif problems := refusal(i, asked):
                return problems
            taken.add(asked)
            by_port_number[number] = port["nodePort"] = asked
        elif not asked:
            port["nodePort"] = by_port_number[number]
        elif asked != by_port_number[number]:
            if problems := refusal(i, asked):
                return problems
            taken.add(asked)
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateService")
def validate_service(obj: dict) -> list[str]:
    """The service's spec, rule by rule in upstream's order (its metadata is checked apart)."""
    spec = as_object(obj.get("spec"))
    kind, ports = spec.get("type", "ClusterIP"), dict_items(spec.get("ports"))
    problems = []
    if not ports and not is_headless(spec) and kind != "ExternalName":
        problems.append(required("spec.ports"))
    if kind == "LoadBalancer":
        problems += [invalid(f"spec.ports[{i}]", KUBELET_PORT, f"may not expose port {KUBELET_PORT} externally "
                             "since it is used by kubelet") for i, port in enumerate(ports)
                     if port.get("port") == KUBELET_PORT]
    if kind in ("LoadBalancer", "NodePort") and is_headless(spec):
        problems.append(invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {kind} services"))
    if kind == "ExternalName":
        for field in ("clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if spec.get(field):
                problems.append(f"spec.{field}: Forbidden: may not be set for ExternalName services")
        cname = str(spec.get("externalName") or "").removesuffix(".")  # a trailing dot: fully qualified
        problems += name_problems(cname, "subdomain", "spec.externalName") if cname else \
            [required("spec.externalName")]
    names: set[str] = set()
    for i, port in enumerate(ports):
        problems += service_port_problems(port, len(ports) > 1, names, f"spec.ports[{i}]")
    problems += label_problems(spec.get("selector"), "spec.selector")
    problems += session_affinity_problems(spec)
    problems += cluster_ips_problems(spec)
    for i, ip in enumerate(as_list(spec.get("externalIPs"))):
        problems += external_ip_problems(ip, f"spec.externalIPs[{i}]")
    if kind not in SERVICE_TYPES:
        problems.append(unsupported("spec.type", kind, SERVICE_TYPES))
    if kind == "ClusterIP":
        problems += [f"spec.ports[{i}].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
                     for i, port in enumerate(ports) if port.get("nodePort")]
    problems += duplicate_port_problems(ports)
    if spec.get("loadBalancerSourceRanges"):
        problems += source_range_problems(spec)
    if spec.get("allocateLoadBalancerNodePorts") is not None and kind != "LoadBalancer":
        problems.append("spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is "
                        "'LoadBalancer'")
    problems += load_balancer_class_problems(None, spec)
    problems += traffic_policy_problems(spec)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateLoadBalancerClassField")
def load_balancer_class_problems(before: dict | None, spec: dict) -> list[str]:
    """A loadBalancerClass is a qualified name, only on a LoadBalancer service, and stays what it
    was while the service stays one (`before`, the old spec of an update)."""
    cls, load_balancer = spec.get("loadBalancerClass"), spec.get("type") == "LoadBalancer"
    problems = []
    if before is not None and load_balancer and before.get("type") == "LoadBalancer" and \
            before.get("loadBalancerClass") != cls:
        problems.append(invalid("spec.loadBalancerClass", cls, "may not change once set"))
    if cls is not None and load_balancer:
        problems += [invalid("spec.loadBalancerClass", cls, why) for why in qualified_name_problems(str(cls))]
    elif cls is not None:
        problems.append("spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateServicePort")
def service_port_problems(port: dict, require_name: bool, names: set[str], here: str) -> list[str]:
    """A name (when there are several ports) that is a unique DNS label, a port number, a known
    protocol, a target port and a qualified-name appProtocol."""
    problems, name = [], port.get("name") or ""
    if require_name and not name:
        problems.append(required(f"{here}.name"))
    elif name:
        problems += name_problems(name, "label", f"{here}.name")
        if name in names:
            problems.append(duplicate(f"{here}.name", name))
        names.add(name)
    number = port.get("port", 0)
    if not isinstance(number, int) or not 1 <= number <= 65535:
        problems.append(invalid(f"{here}.port", number, PORT_RANGE_MSG))
    if port.get("protocol", "TCP") not in PROTOCOLS:
        problems.append(unsupported(f"{here}.protocol", port.get("protocol"), PROTOCOLS))
    problems += port_number_or_name_problems(port.get("targetPort"), f"{here}.targetPort")
    if port.get("appProtocol") is not None:
        problems += label_name_problems(str(port["appProtocol"]), f"{here}.appProtocol")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateClientIPAffinityConfig")
def session_affinity_problems(spec: dict) -> list[str]:
    affinity = spec.get("sessionAffinity") or ""
    if not affinity:
        return [required("spec.sessionAffinity")]
    if affinity not in SESSION_AFFINITIES:
        return [unsupported("spec.sessionAffinity", affinity, SESSION_AFFINITIES)]
    config = spec.get("sessionAffinityConfig")
    if affinity == "None":
        return [] if config is None else \
            ["spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"]
    path, why = "spec.sessionAffinityConfig", "when session affinity type is ClientIP"
    for field in ("clientIP", "timeoutSeconds"):
        if config is None:
            return [required(path, why)]
        config, path = as_object(config).get(field), f"{path}.{field}"
    if config is None:
        return [required(path, why)]
    if not isinstance(config, int) or not 0 < config <= MAX_CLIENT_IP_AFFINITY_SECONDS:
        return [invalid(path, config, f"must be greater than 0 and less than {MAX_CLIENT_IP_AFFINITY_SECONDS}")]
    return []


# The local cluster, like the differential's real one, serves one IP family: IPv4 (10.96.0.0/12).
CLUSTER_IP_FAMILY = "IPv4"


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/service/storage.Allocators).initIPFamilyFields")
def ip_family_problems(spec: dict, before: dict | None) -> list[str]:
    """Defaults ipFamilyPolicy (the old one on an update; RequireDualStack for a headless service
    without a selector; else SingleStack) and ipFamilies (from the cluster IPs, else the cluster's
    family), and says why a family or policy asks for what a single-stack IPv4 cluster does not
    have. A headless service without a selector may list both families."""
    if spec.get("type") == "ExternalName":
        return []
    if spec.get("ipFamilyPolicy") is None:
        headless_selectorless = spec.get("clusterIP") == "None" and not spec.get("selector")
        spec["ipFamilyPolicy"] = (before or {}).get("ipFamilyPolicy") or (
            "RequireDualStack" if headless_selectorless else "SingleStack")
    policy, cluster_ips = spec["ipFamilyPolicy"], as_list(spec.get("clusterIPs"))
    families = spec["ipFamilies"] = as_list(spec.get("ipFamilies"))
    problems = []
    if policy == "SingleStack":
        for count, what in ((len(cluster_ips), "cluster IPs"), (len(families), "IP families")):
            if count == 2:
                problems.append(invalid("spec.ipFamilyPolicy", policy, "must be 'RequireDualStack' or "
                                        f"'PreferDualStack' when multiple {what} are specified"))
    for i, ip in enumerate(cluster_ips):
        if ip == "None":
            break
        family = "IPv6" if ":" in str(ip) else "IPv4"
        if i < len(families):
            continue
        if family != CLUSTER_IP_FAMILY:
            problems.append(f"spec.clusterIPs[{i}]: Invalid value: {go_value(cluster_ips)}: "
                            f"{family} is not configured on this cluster")
        else:
            families.append(family)
    if problems:
        return problems
    if spec.get("clusterIP") == "None" and not spec.get("selector"):
        families[:] = families or [CLUSTER_IP_FAMILY]
        if len(families) < 2 and policy != "SingleStack":
            families.append("IPv6" if families[0] == "IPv4" else "IPv4")
        return []
    if policy == "RequireDualStack":
        problems.append(invalid("spec.ipFamilyPolicy", policy,
                                "this cluster is not configured for dual-stack services"))
    problems += [invalid(f"spec.ipFamilies[{i}]", family, "not configured on this cluster")
                 for i, family in enumerate(families) if family != CLUSTER_IP_FAMILY]
    families[:] = families or [CLUSTER_IP_FAMILY]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateServiceClusterIPsRelatedFields")
def cluster_ips_problems(spec: dict) -> list[str]:
    """clusterIP and clusterIPs in step, known and distinct IP families and a known family policy,
    cluster IPs that are IPs (or a lone "None"), one of each family, each of its listed family."""
    if spec.get("type") == "ExternalName":
        return []
    problems, cluster_ip, cluster_ips = [], spec.get("clusterIP") or "", as_list(spec.get("clusterIPs"))
    if cluster_ip and not cluster_ips:
        problems.append(required("spec.clusterIPs"))
    elif cluster_ip and cluster_ips[0] != cluster_ip:
        problems.append(invalid("spec.clusterIPs", cluster_ips, "first value must match `clusterIP`"))
    elif not cluster_ip and cluster_ips:
        problems.append(invalid("spec.clusterIPs", cluster_ips, "must be empty when `clusterIP` is not specified"))
    families = as_list(spec.get("ipFamilies"))
    for i, family in enumerate(families):
        if family not in IP_FAMILIES:
            problems.append(unsupported(f"spec.ipFamilies[{i}]", family, IP_FAMILIES))
        if family in families[:i]:
            problems.append(duplicate(f"spec.ipFamilies[{i}]", str(family)))
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in IP_FAMILY_POLICIES:
        problems.append(unsupported("spec.ipFamilyPolicy", policy, IP_FAMILY_POLICIES))
    bad_ips = False
    for i, ip in enumerate(cluster_ips):
        if i == 0 and ip == "None":
            if len(cluster_ips) > 1:
                bad_ips = True
                problems.append(invalid("spec.clusterIPs", cluster_ips, "'None' must be the first and only value"))
        elif parse_ip(ip) is None:
            bad_ips = True
            problems.append(invalid(f"spec.clusterIPs[{i}]", ip, IP_MSG))
    if len(cluster_ips) > 2:
        problems.append(invalid("spec.clusterIPs", cluster_ips, "may only hold up to 2 values"))
    if bad_ips:  # the checks below would only say it again, less clearly
        return problems
    addresses = [parse_ip(ip) for ip in cluster_ips]
    if len(addresses) > 1 and len({address.version for address in addresses}) < len(addresses):
        problems.append(invalid("spec.clusterIPs", cluster_ips, "may specify no more than one IP for each IP family"))
    if not is_headless(spec):
        for i, (address, family) in enumerate(zip(addresses, families)):
            expected = {"IPv4": 4, "IPv6": 6}.get(family)
            if expected and address.version != expected:
                problems.append(invalid(f"spec.clusterIPs[{i}]", cluster_ips[i],
                                        f"expected an {family} value as indicated by `ipFamilies[{i}]`"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNonSpecialIP")
def external_ip_problems(ip: object, path: str) -> list[str]:
    """An IP that is not unspecified, loopback or link-local: traffic to it must leave the node."""
    if parse_ip(ip) is None:
        return [invalid(path, ip if isinstance(ip, str) else "", IP_MSG)]
    return loopback_problems(ip, path) + address_problems(ip, path)


def duplicate_port_problems(ports: list[dict]) -> list[str]:
    """Two ports with one node port, or one port number, on one protocol."""
    problems, node_ports, numbers = [], set(), set()
    for i, port in enumerate(ports):
        protocol = port.get("protocol", "TCP")
        if port.get("nodePort"):
            if (protocol, port["nodePort"]) in node_ports:
                problems.append(f"spec.ports[{i}].nodePort: Duplicate value: {port['nodePort']}")
            node_ports.add((protocol, port["nodePort"]))
    for i, port in enumerate(ports):
        key = (port.get("protocol", "TCP"), port.get("port", 0))
        if key in numbers:
            # field.Duplicate prints the core.ServicePort key, holding only the protocol and the port, with %#v.
            problems.append(f'spec.ports[{i}]: Duplicate value: core.ServicePort{{Name:"", Protocol:{quote(key[0])}, '
                            f"AppProtocol:(*string)(nil), Port:{key[1]}, TargetPort:intstr.IntOrString{{Type:0, "
                            'IntVal:0, StrVal:""}, NodePort:0}')
        numbers.add(key)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1/helper.GetLoadBalancerSourceRanges")
def source_range_problems(spec: dict) -> list[str]:
    ranges = as_list(spec.get("loadBalancerSourceRanges"))
    problems = []
    if spec.get("type") != "LoadBalancer":
        problems.append("spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'")
    if any(parse_cidr(str(cidr).strip()) is None for cidr in ranges):
        problems.append(invalid("spec.LoadBalancerSourceRanges", "[" + " ".join(map(str, ranges)) + "]",
                                "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 "))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateServiceExternalTrafficPolicy",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateServiceInternalTrafficFieldsValue")
def traffic_policy_problems(spec: dict) -> list[str]:
    """An external policy only where node ports take outside traffic, a health-check node port
    only for a LoadBalancer that keeps it Local, and a known internal policy."""
    problems, external = [], spec.get("externalTrafficPolicy") or ""
    if spec.get("type") not in ("LoadBalancer", "NodePort"):
        if external:
            problems.append(invalid("spec.externalTrafficPolicy", external,
                                    "may only be set when `type` is 'NodePort' or 'LoadBalancer'"))
    elif not external:
        problems.append(required("spec.externalTrafficPolicy"))
    elif external not in TRAFFIC_POLICIES:
        problems.append(unsupported("spec.externalTrafficPolicy", external, TRAFFIC_POLICIES))
    health_check = spec.get("healthCheckNodePort") or 0
    if not needs_health_check(spec):
        if health_check:
            problems.append(invalid("spec.healthCheckNodePort", health_check,
                                    "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is "
                                    "'Local'"))
    elif not health_check:
        problems.append(required("spec.healthCheckNodePort"))
    elif not isinstance(health_check, int) or not 1 <= health_check <= 65535:
        problems.append(invalid("spec.healthCheckNodePort", health_check, PORT_RANGE_MSG))
    internal = spec.get("internalTrafficPolicy")
    if internal is not None and internal not in TRAFFIC_POLICIES:
        problems.append(unsupported("spec.internalTrafficPolicy", internal, TRAFFIC_POLICIES))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateServiceUpdate",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateUpgradeDowngradeClusterIPs",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateServiceExternalTrafficFieldsUpdate")
def validate_service_update(old: dict, new: dict) -> list[str]:
    """A cluster IP, once allocated, stays: clusterIPs may gain or lose a secondary IP, never
    change one (headless and ExternalName services have none to keep); nor does the health-check
    node port of a service that needs one before and after."""
    before, after = as_object(old.get("spec")), as_object(new.get("spec"))
    problems = []
    if "ExternalName" not in (before.get("type"), after.get("type")) and not (is_headless(before) and
                                                                               is_headless(after)):
        old_ips, new_ips = as_list(before.get("clusterIPs")), as_list(after.get("clusterIPs"))
        if len(old_ips) == len(new_ips):
            problems += [invalid(f"spec.clusterIPs[{i}]", new_ips, "may not change once set")
                         for i, ip in enumerate(old_ips) if ip != new_ips[i]]
        elif old_ips and not new_ips:
            problems.append(invalid("spec.clusterIPs[0]", new_ips, "primary clusterIP can not be unset"))
        elif old_ips and new_ips[0] != old_ips[0]:
            problems.append(invalid("spec.clusterIPs[0]", new_ips, "may not change once set"))
    problems += load_balancer_class_problems(before, after)
    if needs_health_check(before) and needs_health_check(after) and \
            before.get("healthCheckNodePort") != after.get("healthCheckNodePort"):
        problems.append("spec.healthCheckNodePort: Forbidden: field is immutable")
    return problems + validate_service(new)


@mirrors("k8s.io/kubernetes/pkg/registry/core/service.dropTypeDependentFields")
def drop_type_dependent_fields(new: dict, old: dict) -> None:
    """On a change of type, the allocated values the new type does not use, unless the client
    changed them too (then validation says why they may not be there)."""
    before, after = as_object(old.get("spec")), as_object(new.get("spec"))

    def same(*fields: str) -> bool:
        return all(before.get(field) == after.get(field) for field in fields)

    if before.get("type") != "ExternalName" and after.get("type") == "ExternalName":
        for fields in (("clusterIP", "clusterIPs"), ("ipFamilies",), ("ipFamilyPolicy",)):
            if same(*fields):
                for field in fields:
                    after.pop(field, None)
    node_ports = ("NodePort", "LoadBalancer")
    old_ports, new_ports = dict_items(before.get("ports")), dict_items(after.get("ports"))
    if before.get("type") in node_ports and after.get("type") not in node_ports and \
            [p.get("nodePort") for p in old_ports] == [p.get("nodePort") for p in new_ports]:
        for port in new_ports:
            port.pop("nodePort", None)
    if needs_health_check(before) and not needs_health_check(after) and same("healthCheckNodePort"):
        after.pop("healthCheckNodePort", None)
    if before.get("type") in node_ports and after.get("type") not in node_ports and same("externalTrafficPolicy"):
        after.pop("externalTrafficPolicy", None)
    if before.get("type") == "LoadBalancer" and after.get("type") != "LoadBalancer":
        for field in ("allocateLoadBalancerNodePorts", "loadBalancerClass"):
            if same(field):
                after.pop(field, None)


def needs_health_check(spec: dict) -> bool:
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePortNumOrName")
def port_number_or_name_problems(port: object, path: str) -> list[str]:
    """An intstr port: a number is a port number, a string an IANA service name (so "8080" is not)."""
    if isinstance(port, str):
        return [invalid(path, port, message) for message in port_name_problems(port)]
    number = port or 0  # a service without a port defaults its targetPort to the zero port
    if not isinstance(number, int) or not 1 <= number <= 65535:
        return [invalid(path, number, PORT_RANGE_MSG)]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Service",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetObjectDefaults_Service")
def service(obj: dict, spec: dict) -> None:
    spec.setdefault("type", "ClusterIP")
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    # A config is dropped for no affinity and filled in for ClientIP when it lacks a timeout, so a
    # client turning affinity on or off needs to write only the type.
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        config = spec.get("sessionAffinityConfig")
        client_ip = config.get("clientIP") if isinstance(config, dict) else None
        if not isinstance(client_ip, dict) or client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": DEFAULT_CLIENT_IP_AFFINITY_SECONDS}}
    default_nil(spec, "internalTrafficPolicy", "Cluster")
    for port in dict_items(spec.get("ports")):
        port.setdefault("protocol", "TCP")
        if intstr.is_zero_or_empty(port.get("targetPort")):
            port["targetPort"] = port.get("port")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateServiceStatusUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    return load_balancer_status_problems(part(new, "status", "loadBalancer"), "status.loadBalancer")


RESOURCES = (
    Resource("", "v1", "Service", "services", "service", True, ("svc",), subresources=("status", "proxy"),
             return_deleted_object=True,
             categories=("all",), name_validation="dns1035", status_reset_on_update=True,
             validator=validate_service, validator_on_update=validate_service_update,
             prepare_for_update=drop_type_dependent_fields,
             validate_status_update=validate_status_update,
             storage_prefix="services/specs",
             zero_value={"spec": {}, "status": {"loadBalancer": {}}},
             allow_create_on_update=True,
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"Service": service}


DEFINITIONS = {
    META + "Condition": obj(
        "A generic condition of an object's state.", ("lastTransitionTime", "message", "reason", "status", "type"),
        lastTransitionTime=ref(META + "Time", "When the status last changed."),
        message=string("Human-readable details."),
        observedGeneration=integer("The generation the condition was computed for.", "int64"),
        reason=string("CamelCase reason for the last transition."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    CORE + "Service": kind("", "v1", "Service", "A stable name and address for a set of pods.",
                           spec=ref(CORE + "ServiceSpec", "The desired behaviour of the service."),
                           status=ref(CORE + "ServiceStatus", "The observed state of the service.")),
    CORE + "ServiceSpec": obj(
        "The desired behaviour of a service.",
        allocateLoadBalancerNodePorts=boolean("Whether a LoadBalancer service gets node ports."),
        clusterIP=string("The virtual IP; `None` makes a headless service."),
        clusterIPs=arr(string(""), "The virtual IPs, one per family.", list_type="atomic"),
        externalIPs=strings("Extra IPs the nodes accept traffic for."),
        externalName=string("DNS name an ExternalName service aliases."),
        externalTrafficPolicy=string("Cluster or Local routing of external traffic."),
        healthCheckNodePort=integer("Health check node port for Local external traffic."),
        internalTrafficPolicy=string("Cluster or Local routing of in-cluster traffic."),
        ipFamilies=arr(string(""), "IP families of the service, e.g. IPv4.", list_type="atomic"),
        ipFamilyPolicy=string("SingleStack, PreferDualStack or RequireDualStack."),
        loadBalancerClass=string("Which load balancer implementation serves it."),
        loadBalancerIP=string("Requested load balancer IP."),
        loadBalancerSourceRanges=strings("Client CIDRs a load balancer admits."),
        ports=arr(ref(CORE + "ServicePort"), "The ports the service exposes.", merge_key="port",
                  map_keys=("port", "protocol")),
        publishNotReadyAddresses=boolean("Publish addresses of pods that are not ready."),
        selector=atomic(string_map("Labels of the pods that receive the traffic.")),
        sessionAffinity=string("ClientIP or None."),
        sessionAffinityConfig=ref(CORE + "SessionAffinityConfig", "Settings of client IP session affinity."),
        type=string("ClusterIP, NodePort, LoadBalancer or ExternalName.")),
    CORE + "ServicePort": obj(
        "One port of a service.", ("port",),
        appProtocol=string("The application protocol on the port."),
        name=string("Name of the port; required when there are several."),
        nodePort=integer("Port on every node for NodePort and LoadBalancer services."),
        port=integer("Port number the service exposes."),
        protocol={**string("TCP, UDP or SCTP; defaults to TCP."), "default": "TCP"},
        targetPort=ref(INT_OR_STRING, "Port number or name on the pods; defaults to `port`.")),
    CORE + "ServiceStatus": obj(
        "The observed state of a service.",
        conditions=conditions(META + "Condition", map_keys=("type",)),
        loadBalancer=ref(CORE + "LoadBalancerStatus", "Ingress points of the load balancer.")),
    CORE + "SessionAffinityConfig": obj(
        "Settings of a service's session affinity.",
        clientIP=ref(CORE + "ClientIPConfig", "Settings of ClientIP affinity.")),
    CORE + "ClientIPConfig": obj(
        "Settings of ClientIP session affinity.",
        timeoutSeconds=integer("How long a client sticks to a pod, in seconds; defaults to 10800 (3 hours).")),
    CORE + "LoadBalancerStatus": obj(
        "The ingress points of a load balancer (of a service or an ingress).",
        ingress=arr(ref(CORE + "LoadBalancerIngress"), "The load balancer's ingress points.")),
    CORE + "LoadBalancerIngress": obj(
        "One ingress point of a load balancer: an IP or a hostname.",
        hostname=string("Hostname of a DNS-based load balancer."),
        ip=string("IP of an IP-based load balancer."),
        ports={**arr(ref(CORE + "PortStatus"), "The status of each service port."),
               "x-kubernetes-list-type": "atomic"}),
    CORE + "PortStatus": obj(
        "The status of one port of a load balancer.", ("port", "protocol"),
        error=string("Why the port is in error, as a CamelCase reason or a domain-prefixed one."),
        port=integer("The port number."),
        protocol=string("TCP, UDP or SCTP.")),
    CORE + "ServiceList": list_kind("", "v1", CORE + "Service"),
}


GO_TYPES = {
    CORE + "ServicePort": {"protocol": "v1.Protocol"},
    CORE + "ServiceSpec": {"externalTrafficPolicy": "v1.ServiceExternalTrafficPolicyType",
                           "internalTrafficPolicy": "v1.ServiceInternalTrafficPolicyType",
                           "ipFamilies": "[]v1.IPFamily", "ipFamilyPolicy": "v1.IPFamilyPolicyType",
                           "sessionAffinity": "v1.ServiceAffinity",
                           "sessionAffinityConfig": "*v1.SessionAffinityConfig", "type": "v1.ServiceType"},
    CORE + "SessionAffinityConfig": {"clientIP": "*v1.ClientIPConfig"},
    CORE + "PortStatus": {"protocol": "v1.Protocol"},
    META + "Condition": {"status": "v1.ConditionStatus"},
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printService")
def _service(svc: dict, now: float) -> list:
    spec = part(svc, "spec")
    kind = spec.get("type", "ClusterIP")
    external = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        external_cell = ",".join(external) or "<none>"
    elif kind == "LoadBalancer":
        ingress = [i.get("ip") or i.get("hostname") for i in
                   (part(svc, "status", "loadBalancer").get("ingress") or [])]
        external_cell = ",".join(ingress + external) or "<pending>"
    elif kind == "ExternalName":
        external_cell = spec.get("externalName", "")
    else:
        external_cell = "<unknown>"
    ports = ",".join(f"{p.get('port', 0)}:{p['nodePort']}/{p.get('protocol', 'TCP')}" if p.get("nodePort")
                     else f"{p.get('port', 0)}/{p.get('protocol', 'TCP')}"
                     for p in spec.get("ports") or [] if isinstance(p, dict))
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
    return [name_cell(svc), kind, cluster_ips[0] if cluster_ips else "<none>", external_cell,
            ports or "<none>", age_cell(svc, now), selector or "<none>"]


PRINTERS = {
    "Service": ([NAME, ("Type", "string", 0, "Service type."),
                 ("Cluster-IP", "string", 0, "Virtual IP of the service."),
                 ("External-IP", "string", 0, "External addresses of the service."),
                 ("Port(s)", "string", 0, "Service ports."), AGE,
                 ("Selector", "string", 1, "Pods the service selects.")],
                _service),
}


MESSAGES = """
core.ClientIPConfig: 1 timeoutSeconds int32
core.LoadBalancerIngress: 1 ip? string; 2 hostname? string; 4 ports? []core.PortStatus
core.LoadBalancerStatus: 1 ingress? []core.LoadBalancerIngress
core.PortStatus: 1 port! int32; 2 protocol! string; 3 error string
core.Service: 1 metadata! meta.ObjectMeta; 2 spec! core.ServiceSpec; 3 status! core.ServiceStatus
core.ServiceList: 1 metadata! meta.ListMeta; 2 items* []core.Service
core.ServicePort: 1 name? string; 2 protocol? string; 6 appProtocol string; 3 port! int32;
    4 targetPort! intstr.IntOrString; 5 nodePort? int32
core.ServiceSpec: 1 ports? []core.ServicePort; 2 selector? {}string; 3 clusterIP? string; 18 clusterIPs? []string;
    4 type? string; 5 externalIPs? []string; 7 sessionAffinity? string; 8 loadBalancerIP? string;
    9 loadBalancerSourceRanges? []string; 10 externalName? string; 11 externalTrafficPolicy? string;
    12 healthCheckNodePort? int32; 13 publishNotReadyAddresses? bool;
    14 sessionAffinityConfig core.SessionAffinityConfig; 19 ipFamilies? []string; 17 ipFamilyPolicy string;
    20 allocateLoadBalancerNodePorts bool; 21 loadBalancerClass string; 22 internalTrafficPolicy string
core.ServiceStatus: 1 loadBalancer! core.LoadBalancerStatus; 2 conditions? []meta.Condition
core.SessionAffinityConfig: 1 clientIP core.ClientIPConfig
"""
