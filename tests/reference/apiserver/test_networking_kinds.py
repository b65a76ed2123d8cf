"""networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy: what ValidateIngressSpec,
validateIngressClassSpec and ValidateNetworkPolicySpec refuse, with their texts, and the defaults
SetDefaults_NetworkPolicy and SetDefaults_IngressClass fill. One rule per case."""
from __future__ import annotations

import copy

import pytest

from reference_impl.apiserver import kinds

SUBDOMAIN_TAIL = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                  "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                  r"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
BACKEND = {"service": {"name": "web", "port": {"number": 80}}}
PATH = {"path": "/", "pathType": "Prefix", "backend": BACKEND}


def ingress(**spec) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "d"},
            "spec": spec}


def rule(host: str = "foo.com", **path) -> dict:
    return {"host": host, "http": {"paths": [{**PATH, **path}]}}


def problems(plural: str, obj: dict) -> list[str]:
    return kinds.find("networking.k8s.io", "v1", plural).validate(obj)


def test_a_valid_ingress_has_no_problems():
    """A host rule with a Prefix path to a service port, as `kubectl create ingress` writes it."""
    assert problems("ingresses", ingress(rules=[rule()])) == []


@pytest.mark.parametrize("spec,message", [
    ({}, "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"),
    ({"rules": [{"http": {"paths": [{"path": "/", "backend": BACKEND}]}}]},
     "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"),
    ({"rules": [rule(pathType="Regex")]},
     'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", '
     '"ImplementationSpecific", "Prefix"'),
    ({"rules": [rule(path="api")]}, 'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'),
    ({"rules": [rule(path="/a//b")]},
     "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"),
    ({"rules": [{"host": "foo.com", "http": {"paths": []}}]}, "spec.rules[0].http.paths: Required value"),
    ({"rules": [rule(backend={"service": {"port": {"number": 80}}})]},
     "spec.rules[0].http.paths[0].backend.service.name: Required value"),
    ({"rules": [rule(backend={"service": {"name": "web"}})]},
     "spec.rules[0].http.paths[0].backend: Required value: port name or number is required"),
    ({"rules": [rule(backend={"service": {"name": "web", "port": {"name": "http", "number": 80}}})]},
     'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number'),
    ({"rules": [rule(backend={"service": {"name": "web", "port": {"number": 70000}}})]},
     "spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, "
     "inclusive"),
    ({"rules": [rule(backend={})]},
     'spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required'),
    ({"defaultBackend": {"service": {"name": "web", "port": {"number": 80}},
                         "resource": {"kind": "Bucket", "name": "b"}}},
     'spec.defaultBackend: Invalid value: "": cannot set both resource and service backends'),
    ({"defaultBackend": {"resource": {"name": "b"}}}, "spec.defaultBackend.resource.kind: Required value: kind is "
                                                      "required"),
    ({"rules": [rule(host="10.0.0.1")]},
     'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'),
    ({"rules": [rule(host="foo.*.com")]},
     'spec.rules[0].host: Invalid value: "foo.*.com": a wildcard DNS-1123 subdomain must start with \'*.\', followed '
     "by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
     r"alphanumeric character (e.g. '*.example.com', regex used for validation is '\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?"
     r"(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ({"rules": [rule(host="Foo.com")]}, f'spec.rules[0].host: Invalid value: "Foo.com": {SUBDOMAIN_TAIL}'),
    ({"rules": [rule()], "ingressClassName": "Nginx"},
     f'spec.ingressClassName: Invalid value: "Nginx": {SUBDOMAIN_TAIL}'),
])
def test_an_invalid_ingress_is_refused_with_upstreams_text(spec, message):
    """Each mistake is reported as ValidateIngressSpec words it."""
    assert problems("ingresses", ingress(**spec)) == [message]


def test_a_wildcard_host_is_allowed_as_the_first_label():
    """`*.foo.com` is a wildcard subdomain."""
    assert problems("ingresses", ingress(rules=[rule(host="*.foo.com")])) == []


def ingresses():
    return kinds.find("networking.k8s.io", "v1", "ingresses")


def test_a_created_ingress_may_not_name_its_class_twice():
    """ValidateIngressCreate: the kubernetes.io/ingress.class annotation and spec.ingressClassName
    together are refused on create; an update of such an ingress (made before the rule) is not."""
    obj = ingress(rules=[rule()], ingressClassName="nginx")
    obj["metadata"]["annotations"] = {"kubernetes.io/ingress.class": "nginx"}
    assert ingresses().validate_create(obj) == [
        'annotations.kubernetes.io/ingress.class: Invalid value: "nginx": can not be set when the class field is '
        "also set"]
    assert ingresses().validate_update(obj, copy.deepcopy(obj)) == []


def test_an_update_keeps_an_invalid_tls_secret_name_the_stored_ingress_had():
    """ValidateIngressUpdate's AllowInvalidSecretName: TLS secret names go unchecked while the
    stored ingress already has an invalid one; a create checks them."""
    old = ingress(rules=[rule()], tls=[{"hosts": ["foo.com"], "secretName": "Web_TLS"}])
    new = copy.deepcopy(old)
    new["spec"]["tls"].append({"hosts": ["bar.com"], "secretName": "Other_TLS"})
    assert ingresses().validate_update(old, new) == []
    assert ingresses().validate_create(new)[0] == f'spec.tls[0].secretName: Invalid value: "Web_TLS": {SUBDOMAIN_TAIL}'
    assert ingresses().validate_update(ingress(rules=[rule()]), new)[0].startswith(
        'spec.tls[0].secretName: Invalid value: "Web_TLS"')


def test_an_update_keeps_invalid_paths_under_a_wildcard_host_the_stored_ingress_had():
    """ValidateIngressUpdate's AllowInvalidWildcardHostRule: the paths of wildcard-host rules go
    unchecked while the stored ingress already has an invalid one; other hosts' paths are checked."""
    old = ingress(rules=[rule(host="*.foo.com", path="api")])
    assert ingresses().validate_create(old) == [
        'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path']
    new = ingress(rules=[rule(host="*.foo.com", path="v2"), rule(host="bar.com", path="v2")])
    assert ingresses().validate_update(old, new) == [
        'spec.rules[1].http.paths[0].path: Invalid value: "v2": must be an absolute path']


def test_an_ingress_status_load_balancer_ip_must_be_an_ip():
    """ValidateIngressStatusUpdate checks the load balancer's ingress points."""
    resource = kinds.find("networking.k8s.io", "v1", "ingresses")
    new = {**ingress(rules=[rule()]), "status": {"loadBalancer": {"ingress": [{"ip": "nope"}]}}}
    assert resource.validate_status_update(ingress(), new) == [
        'status.loadBalancer.ingress[0].ip: Invalid value: "nope": must be a valid IP address']


def ingress_class(**spec) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx"}, "spec": spec}


@pytest.mark.parametrize("spec,message", [
    ({}, "spec.controller: Required value"),
    ({"controller": "nginx"}, 'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as '
                              '"acme.io/foo")'),
    ({"controller": "k8s.io/ingress-nginx", "parameters": {"kind": "Config", "name": "c", "scope": "Namespace"}},
     "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"),
    ({"controller": "k8s.io/ingress-nginx", "parameters": {"kind": "Config", "name": "c", "scope": "Cluster",
                                                           "namespace": "x"}},
     "spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"),
    ({"controller": "k8s.io/ingress-nginx", "parameters": {"kind": "Config", "name": "c", "scope": "Global"}},
     'spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"'),
])
def test_an_invalid_ingress_class_is_refused_with_upstreams_text(spec, message):
    """validateIngressClassSpec: a domain-prefixed controller and well-scoped parameters."""
    assert problems("ingressclasses", ingress_class(**spec)) == [message]


def test_an_ingress_class_controller_is_immutable():
    """ValidateIngressClassUpdate."""
    resource = kinds.find("networking.k8s.io", "v1", "ingressclasses")
    old, new = ingress_class(controller="k8s.io/a"), ingress_class(controller="k8s.io/b")
    assert resource.validate_update(old, new) == ['spec.controller: Invalid value: "k8s.io/b": field is immutable']


def test_an_ingress_class_update_lists_immutability_before_the_spec_s_own_problems():
    """ValidateIngressClassUpdate checks the spec update, then the whole new class."""
    resource = kinds.find("networking.k8s.io", "v1", "ingressclasses")
    old, new = ingress_class(controller="k8s.io/a"), ingress_class(controller="")
    assert resource.validate_update(old, new) == ['spec.controller: Invalid value: "": field is immutable',
                                                  "spec.controller: Required value"]


def test_ingress_class_parameters_default_to_cluster_scope():
    """SetDefaults_IngressClass: parameters without a scope are cluster-scoped."""
    obj = ingress_class(controller="k8s.io/a", parameters={"kind": "Config", "name": "c"})
    kinds.set_object_defaults("IngressClass", obj)
    assert obj["spec"]["parameters"]["scope"] == "Cluster"


def policy(**spec) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "p", "namespace": "d"}, "spec": {"podSelector": {}, **spec}}


@pytest.mark.parametrize("spec,message", [
    ({"ingress": [{"ports": [{"protocol": "ICMP", "port": 80}]}]},
     'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'),
    ({"ingress": [{"ports": [{"port": 0}]}]},
     "spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"),
    ({"egress": [{"ports": [{"port": 8080, "endPort": 80}]}]},
     "spec.egress[0].ports[0].endPort: Invalid value: 8080: must be greater than or equal to `port`"),
    ({"egress": [{"ports": [{"port": "http", "endPort": 90}]}]},
     "spec.egress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric"),
    ({"ingress": [{"from": [{}]}]}, "spec.ingress[0].from[0]: Required value: must specify a peer"),
    ({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
     "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"),
    ({"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0"}}]}]},
     'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.0": not a valid CIDR'),
    ({"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.1.0.0/24"]}}]}]},
     'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`'),
    ({"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/16"]}}]}]},
     'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`'),
    ({"ingress": [{"from": [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "In"}]}}]}]},
     "spec.ingress[0].from[0].podSelector.matchExpressions[0].values: Required value: must be specified when "
     "`operator` is 'In' or 'NotIn'"),
    ({"policyTypes": ["Ingress", "Egress", "Ingress"]},
     'spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify '
     "more than two policyTypes"),
    ({"policyTypes": ["ingress"]},
     'spec.policyTypes[0]: Unsupported value: "ingress": supported values: "Ingress", "Egress"'),
])
def test_an_invalid_network_policy_is_refused_with_upstreams_text(spec, message):
    """ValidateNetworkPolicySpec: ports, protocols, peers, ipBlock CIDRs and policy types."""
    assert problems("networkpolicies", policy(**spec)) == [message]


def test_a_network_policy_with_egress_rules_defaults_both_policy_types_and_tcp():
    """SetDefaults_NetworkPolicy and SetDefaults_NetworkPolicyPort."""
    obj = policy(ingress=[{"ports": [{"port": 80}]}], egress=[{}])
    kinds.set_object_defaults("NetworkPolicy", obj)
    assert obj["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert obj["spec"]["ingress"][0]["ports"][0]["protocol"] == "TCP"
    only_ingress = copy.deepcopy(policy())
    kinds.set_object_defaults("NetworkPolicy", only_ingress)
    assert only_ingress["spec"]["policyTypes"] == ["Ingress"]


def test_a_network_policy_update_lists_the_specs_problems_twice():
    """networkPolicyStrategy.ValidateUpdate runs ValidateNetworkPolicy and then
    ValidateNetworkPolicyUpdate, which validates the spec again: the real 1.24 lists each cause twice."""
    resource = kinds.find("networking.k8s.io", "v1", "networkpolicies")
    new = policy(egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/8"]}}]}])
    problem = 'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "11.0.0.0/8": must be a strict subset of `cidr`'
    assert resource.validate_update(policy(), new) == [problem, problem]

