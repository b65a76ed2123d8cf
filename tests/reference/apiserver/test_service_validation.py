"""Services as Kubernetes 1.24 checks them: ValidateService and ValidateServiceUpdate
(pkg/apis/core/validation) and the allocators the service REST runs before them
(pkg/registry/core/service/storage), each refusal a 422 in upstream's words."""
from __future__ import annotations

import json
import threading

import pytest

from reference_impl.apiserver.core.handlers import Request
from tests.reference.apiserver.test_namespace_lifecycle import call, chain, ns  # noqa: F401 (fixtures)

PORT = {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}
SPEC = {"selector": {"app": "probe"}, "ports": [PORT]}
LB_SOURCE_RANGES = "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 "


def dry_run(chain, method: str, path: str, body: dict):
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    response = chain.handle(Request(method, path, {"dryRun": ["All"]}, headers, json.dumps(body).encode()))
    return response.code, json.loads(response.body)


def create(chain, ns: str, name: str, dry: bool = True, **spec):
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": {**SPEC, **spec}}
    return (dry_run if dry else call)(chain, "POST", f"/api/v1/namespaces/{ns}/services", body)


def problems(name: str, code_and_status) -> str:
    code, status = code_and_status
    assert (code, status["reason"]) == (422, "Invalid"), status
    return status["message"].removeprefix(f'Service "{name}" is invalid: ')


@pytest.mark.parametrize("spec,message", [
    ({"sessionAffinity": "Bogus"},
     'spec.sessionAffinity: Unsupported value: "Bogus": supported values: "ClientIP", "None"'),
    ({"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 0}}},
     "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: "
     "must be greater than 0 and less than 86400"),
    ({"externalTrafficPolicy": "Local"},
     "spec.externalTrafficPolicy: Invalid value: \"Local\": "
     "may only be set when `type` is 'NodePort' or 'LoadBalancer'"),
    ({"type": "LoadBalancer", "externalTrafficPolicy": "Local", "healthCheckNodePort": -1},
     "spec.healthCheckNodePort: Invalid value: -1: must be between 1 and 65535, inclusive"),
    ({"internalTrafficPolicy": "Bogus"},
     'spec.internalTrafficPolicy: Unsupported value: "Bogus": supported values: "Cluster", "Local"'),
    ({"ipFamilies": ["IPv9"]}, 'spec.ipFamilies[0]: Unsupported value: "IPv9": supported values: "IPv4", "IPv6"'),
    ({"ipFamilies": ["IPv4", "IPv4"]}, 'spec.ipFamilies[1]: Duplicate value: "IPv4"'),
    ({"ipFamilyPolicy": "Bogus"},
     'spec.ipFamilyPolicy: Unsupported value: "Bogus": supported values: "PreferDualStack", "RequireDualStack", '
     '"SingleStack"'),
    ({"loadBalancerSourceRanges": ["x"]},
     "[spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer', "
     f'spec.LoadBalancerSourceRanges: Invalid value: "[x]": {LB_SOURCE_RANGES}]'),
    ({"externalIPs": ["x"]}, 'spec.externalIPs[0]: Invalid value: "x": must be a valid IP address, '
                             "(e.g. 10.9.8.7 or 2001:db8::ffff)"),
    ({"externalIPs": ["0.0.0.0"]}, 'spec.externalIPs[0]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)'),
    ({"allocateLoadBalancerNodePorts": False},
     "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"),
    ({"ports": [{**PORT, "nodePort": 30080}]},
     "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
    ({"ports": [{**PORT, "appProtocol": "a b"}]},
     'spec.ports[0].appProtocol: Invalid value: "a b": name part must consist of alphanumeric characters, '
     "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
     "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
    ({"ports": [PORT, {**PORT, "name": "other"}]},
     'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
     'Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'),
    ({"type": "ExternalName", "externalName": "UPPER_x"},
     'spec.externalName: Invalid value: "UPPER_x": a lowercase RFC 1123 subdomain must consist of lower case '
     "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
     "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ({"type": "ExternalName", "externalName": "a.b", "clusterIP": "10.96.0.50"},
     "spec.clusterIPs: Forbidden: may not be set for ExternalName services"),
    ({"type": "NodePort", "clusterIP": "None"},
     "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"),
    ({"clusterIP": "192.168.0.1"},
     'spec.clusterIPs: Invalid value: []string{"192.168.0.1"}: failed to allocate IP 192.168.0.1: the provided IP '
     "(192.168.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
], ids=["session-affinity", "affinity-timeout", "external-traffic-policy", "health-check-node-port",
        "internal-traffic-policy", "ip-family", "ip-family-twice", "ip-family-policy", "source-ranges",
        "external-ip", "external-ip-unspecified", "allocate-node-ports", "node-port-on-cluster-ip",
        "app-protocol", "duplicate-port", "external-name", "external-name-cluster-ip", "headless-node-port",
        "cluster-ip-out-of-range"])
def test_service_rule(chain, ns, spec, message):
    """ValidateService, and the cluster IP allocator that runs before it on a create."""
    assert problems("s", create(chain, ns, "s", **spec)) == message


def test_a_node_port_outside_the_range_passes_a_dry_run(chain, ns):
    """The dry-run node-port allocator skips the range check: only a real create refuses port 80."""
    node_port = {"type": "NodePort", "ports": [{**PORT, "nodePort": 80}]}
    assert create(chain, ns, "dry", **node_port)[0] == 201
    assert problems("wet", create(chain, ns, "wet", dry=False, **node_port)) == (
        "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
        "The range of valid ports is 30000-32767")


@pytest.mark.parametrize("cluster_ip, allocated", [("None", "10.96.0.70"), ("10.96.0.77", "10.96.0.71"),
                                                   ("192.168.0.1", "10.96.0.72")])
def test_a_cluster_ip_may_not_change_once_set(chain, ns, cluster_ip, allocated):
    """validateUpgradeDowngradeClusterIPs: a new clusterIP (or none at all) is a new service, even
    one outside the service range: the update's allocator leaves a set IP alone, so validation
    speaks first (the real kube-apiserver 1.24's answer). (Each case allocates its own IP: one
    service's IP is taken for every namespace.)"""
    assert create(chain, ns, "keep", dry=False, clusterIP=allocated)[0] == 201
    _, service = call(chain, "GET", f"/api/v1/namespaces/{ns}/services/keep")
    service["spec"]["clusterIP"] = cluster_ip
    assert problems("keep", dry_run(chain, "PUT", f"/api/v1/namespaces/{ns}/services/keep", service)) == (
        f'spec.clusterIPs[0]: Invalid value: []string{{"{cluster_ip}"}}: may not change once set')


@pytest.mark.parametrize("spec,message", [
    ({"loadBalancerClass": "example.com/lb"}, "spec.loadBalancerClass: Forbidden: may only be used when `type` is "
                                              "'LoadBalancer'"),
    ({"type": "LoadBalancer", "loadBalancerClass": "a/b/c"},
     'spec.loadBalancerClass: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '
     "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
     "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
     "subdomain prefix and '/' (e.g. 'example.com/MyName')"),
    ({"type": "LoadBalancer", "loadBalancerClass": "example.com/lb"}, None),
], ids=["cluster-ip", "bad-name", "load-balancer"])
def test_load_balancer_class_rule(chain, ns, spec, message):
    """validateLoadBalancerClassField on a create: only a LoadBalancer service has a class, and
    it is a qualified name."""
    answer = create(chain, ns, "lb", **spec)
    assert (problems("lb", answer) if message else answer[0]) == (message or 201)


@pytest.mark.parametrize("old,change,causes", [
    ({}, {"loadBalancerClass": "example.com/lb"},
     ["spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"] * 2),
    ({"type": "LoadBalancer", "loadBalancerClass": "example.com/a"}, {"loadBalancerClass": "example.com/b"},
     ['spec.loadBalancerClass: Invalid value: "example.com/b": may not change once set']),
], ids=["cluster-ip", "changed"])
def test_load_balancer_class_stays_on_update(chain, ns, old, change, causes):
    """ValidateServiceUpdate checks the class against the old service (it may not change while the
    service stays a LoadBalancer), then ValidateService checks it again: a class on another type
    is a cause twice."""
    assert create(chain, ns, "lbu", dry=False, **old)[0] == 201
    _, service = call(chain, "GET", f"/api/v1/namespaces/{ns}/services/lbu")
    service["spec"].update(change)
    code, status = dry_run(chain, "PUT", f"/api/v1/namespaces/{ns}/services/lbu", service)
    assert code == 422
    assert [f"{c['field']}: {c['message']}" for c in status["details"]["causes"]] == causes


def test_an_external_name_service_turned_cluster_ip_gets_its_requested_ip_checked(chain, ns):
    """handleClusterIPsForUpdatedService's case A: a service that had no IP allocates one on update,
    so a requested IP outside the range is the allocator's refusal."""
    assert create(chain, ns, "ext", dry=False, type="ExternalName", externalName="example.com")[0] == 201
    _, service = call(chain, "GET", f"/api/v1/namespaces/{ns}/services/ext")
    service["spec"] = {"type": "ClusterIP", "clusterIP": "192.168.0.1", "ports": [PORT]}
    assert problems("ext", dry_run(chain, "PUT", f"/api/v1/namespaces/{ns}/services/ext", service)) == (
        'spec.clusterIPs: Invalid value: []string{"192.168.0.1"}: failed to allocate IP 192.168.0.1: the provided IP '
        "(192.168.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12")


@pytest.mark.parametrize("old,new,message", [
    ({}, {"type": "ExternalName", "externalName": ""}, "spec.externalName: Required value"),
    ({"type": "NodePort"}, {"type": "ClusterIP"}, None),
    ({"type": "LoadBalancer", "externalTrafficPolicy": "Local"}, {"type": "ClusterIP"}, None),
], ids=["external-name", "node-port", "load-balancer"])
def test_type_change_drops_unused_values(chain, ns, old, new, message):
    """dropTypeDependentFields: cluster IPs, node ports, a health-check port the client left as
    they were go with the type that used them, so validation does not refuse them."""
    assert create(chain, ns, "typed", dry=False, **old)[0] == 201
    _, service = call(chain, "GET", f"/api/v1/namespaces/{ns}/services/typed")
    service["spec"].update(new)
    answer = dry_run(chain, "PUT", f"/api/v1/namespaces/{ns}/services/typed", service)
    if message:
        assert problems("typed", answer) == message
    else:
        assert answer[0] == 200, answer


@pytest.mark.parametrize("spec,message", [
    ({"ipFamilies": ["IPv6"]}, 'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster'),
    ({"ipFamilyPolicy": "RequireDualStack"},
     'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services'),
    ({"ipFamilies": ["IPv4", "IPv6"]}, 'spec.ipFamilyPolicy: Invalid value: "SingleStack": must be '
                                      "'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"),
    ({"clusterIP": "fd00::10", "clusterIPs": ["fd00::10"]},
     'spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster'),
    ({"ipFamilyPolicy": "SingleStack", "clusterIP": "10.96.0.50", "clusterIPs": ["10.96.0.50", "fd00::1"]},
     '[spec.ipFamilyPolicy: Invalid value: "SingleStack": must be \'RequireDualStack\' or \'PreferDualStack\' when '
     'multiple cluster IPs are specified, spec.clusterIPs[1]: Invalid value: []string{"10.96.0.50", "fd00::1"}: '
     "IPv6 is not configured on this cluster]"),
    ({"clusterIP": "None", "ipFamilies": ["IPv6"]}, 'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster'),
], ids=["ipv6", "require-dual", "two-families", "ipv6-ip", "two-ips", "headless-ipv6"])
def test_ip_family_rule(chain, ns, spec, message):
    """initIPFamilyFields on a single-stack IPv4 cluster refuses other families and dual stack, as
    the real 1.24 answers."""
    assert problems("fam", create(chain, ns, "fam", **spec)) == message


def test_headless_selectorless_dual(chain, ns):
    """A headless service without a selector: ipFamilyPolicy defaults to RequireDualStack and both
    families are listed, even on a single-stack cluster."""
    code, created = create(chain, ns, "headless", clusterIP="None", selector=None)
    assert code == 201, created
    assert (created["spec"]["ipFamilyPolicy"], created["spec"]["ipFamilies"]) == ("RequireDualStack", ["IPv4", "IPv6"])


def test_a_dry_run_may_ask_for_a_cluster_ip_already_given(chain, ns):
    """dryRunRange.Allocate checks only the range: a dry run asking for a taken IP is created (as the
    real 1.24 answers); the real create is refused."""
    assert create(chain, ns, "first", dry=False, clusterIP="10.96.0.73")[0] == 201
    assert create(chain, ns, "again", clusterIP="10.96.0.73")[0] == 201
    assert problems("again", create(chain, ns, "again", dry=False, clusterIP="10.96.0.73")) == (
        'spec.clusterIPs: Invalid value: []string{"10.96.0.73"}: failed to allocate IP 10.96.0.73: '
        "provided IP is already allocated")


@pytest.mark.parametrize("spec,expected", [
    ({"sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10}}}, None),
    ({"sessionAffinity": "", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10}}}, None),
    ({"sessionAffinity": "ClientIP"}, {"clientIP": {"timeoutSeconds": 10800}}),
    ({"sessionAffinity": "ClientIP", "sessionAffinityConfig": {}}, {"clientIP": {"timeoutSeconds": 10800}}),
    ({"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {}}}, {"clientIP": {"timeoutSeconds": 10800}}),
    ({"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 5}}},
     {"clientIP": {"timeoutSeconds": 5}}),
], ids=["none-drops", "empty-drops", "client-ip", "empty-config", "no-timeout", "kept"])
def test_affinity_config_default(chain, ns, spec, expected):
    """SetDefaults_Service: no affinity drops the config; ClientIP without a timeout gets the
    default 10800 seconds, so neither is refused (the real 1.24 creates both)."""
    code, service = create(chain, ns, "aff", **spec)
    assert code == 201, service
    assert service["spec"].get("sessionAffinityConfig") == expected


def test_turning_client_ip_affinity_on_by_patch_defaults_its_config(chain, ns):
    """A merge patch writing only sessionAffinity: ClientIP is defaulted, not refused."""
    assert create(chain, ns, "affp", dry=False)[0] == 201
    headers = {"Accept": "application/json", "Content-Type": "application/merge-patch+json"}
    response = chain.handle(Request("PATCH", f"/api/v1/namespaces/{ns}/services/affp", {"dryRun": ["All"]}, headers,
                                    b'{"spec":{"sessionAffinity":"ClientIP"}}'))
    assert response.code == 200, response.body
    assert json.loads(response.body)["spec"]["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}


def test_a_local_load_balancers_health_check_port_stays(chain, ns):
    """validateServiceExternalTrafficFieldsUpdate: while a service needs a health-check node port
    (LoadBalancer, externalTrafficPolicy Local) before and after an update, the port may not change."""
    assert create(chain, ns, "hc", dry=False, type="LoadBalancer", externalTrafficPolicy="Local")[0] == 201
    _, service = call(chain, "GET", f"/api/v1/namespaces/{ns}/services/hc")
    allocated = service["spec"]["healthCheckNodePort"]
    service["spec"]["healthCheckNodePort"] = 30999 if allocated != 30999 else 30998
    assert problems("hc", dry_run(chain, "PUT", f"/api/v1/namespaces/{ns}/services/hc", service)) == (
        "spec.healthCheckNodePort: Forbidden: field is immutable")
    service["spec"].update(healthCheckNodePort=allocated, externalTrafficPolicy="Cluster")
    assert dry_run(chain, "PUT", f"/api/v1/namespaces/{ns}/services/hc", service)[0] == 200


def test_an_update_that_leaves_out_the_health_check_port_keeps_it(chain, ns):
    """patchAllocatedValues: a Local LoadBalancer service updated without its health-check node port
    (or with 0) keeps the allocated one, not a new one."""
    assert create(chain, ns, "hck", dry=False, type="LoadBalancer", externalTrafficPolicy="Local")[0] == 201
    _, service = call(chain, "GET", f"/api/v1/namespaces/{ns}/services/hck")
    allocated = service["spec"]["healthCheckNodePort"]
    for left_out in (0, None):
        service["spec"]["healthCheckNodePort"] = left_out
        code, updated = dry_run(chain, "PUT", f"/api/v1/namespaces/{ns}/services/hck", service)
        assert (code, updated["spec"]["healthCheckNodePort"]) == (200, allocated)


def test_two_services_asking_at_once_for_one_node_port_do_not_both_get_it(chain, ns):
    """Upstream's port allocator claims a node port in etcd with a compare-and-swap: of two
    Services created at once with nodePort 30555, one is 201 and the other 422 "provided port is
    already allocated" (real 1.24: 16 at once, one 201). Here the rival's create starts while the
    first is between choosing its port and writing itself."""
    storage, rival = chain.registry.storage, {}
    write = storage.create

    def create_with_a_rival_starting(key, obj, *args):
        if "/services/" in key and not rival:
            rival["thread"] = threading.Thread(target=lambda: rival.setdefault(
                "answer", create(chain, ns, "second", dry=False, type="NodePort",
                                 ports=[{**PORT, "nodePort": 30555}])))
            rival["thread"].start()
            rival["thread"].join(0.5)  # long enough for the rival to write itself, unless it must wait
        return write(key, obj, *args)

    storage.create = create_with_a_rival_starting
    try:
        first = create(chain, ns, "first", dry=False, type="NodePort", ports=[{**PORT, "nodePort": 30555}])
        rival["thread"].join(10)
    finally:
        storage.create = write
    assert first[0] == 201, first
    code, status = rival["answer"]
    assert code == 422, status
    assert status["message"] == ('Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30555: '
                                 'provided port is already allocated')


def test_a_service_write_during_anothers_admission_is_not_held_up_and_its_ports_stay_claimed(chain, ns):
    """Upstream claims a Service's node port before admission and keeps it claimed through admission
    (webhooks, up to 30 s): while one Service create is in validating admission, another Service
    write goes ahead at once (it used to wait for the first to finish, so a webhook writing a
    Service while reviewing one hung), and may not take the port the first one claimed."""
    answers = {}

    def admission_writing_services(obj: dict) -> None:
        def rivals() -> None:
            answers["same port"] = create(chain, ns, "rival", dry=False, type="NodePort",
                                          ports=[{**PORT, "nodePort": 30556}])
            answers["other port"] = create(chain, ns, "other", dry=False, type="NodePort",
                                           ports=[{**PORT, "nodePort": 30557}])
        writer = threading.Thread(target=rivals)
        writer.start()
        writer.join(3)
        answers["done during admission"] = not writer.is_alive()

    body = {"metadata": {"name": "reviewed"},
            "spec": {**SPEC, "type": "NodePort", "ports": [{**PORT, "nodePort": 30556}]}}
    created = chain.registry.create("services", ns, body, create_validation=admission_writing_services)
    assert created["spec"]["ports"][0]["nodePort"] == 30556
    assert answers["done during admission"]
    code, status = answers["same port"]
    assert (code, status["message"]) == (422, 'Service "rival" is invalid: spec.ports[0].nodePort: Invalid value: '
                                               '30556: provided port is already allocated'), status
    assert answers["other port"][0] == 201, answers["other port"]
