"""The Ingress and IngressClass kinds (networking.k8s.io/v1): their resource facts, validation,
defaults, OpenAPI schema, printer columns and protobuf layout."""
from __future__ import annotations

import re

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.podvalidation import port_name_problems
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import CORE, NETWORKING, arr, integer, kind, list_kind, obj, ref, string
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.machinery.labels import regex_error
from reference_impl.mirrors import mirrors

PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")  # sorted, as supportedPathTypes.List() gives them
INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_PATH_SUFFIXES = ("/..", "/.")
PARAMETERS_SCOPES = ("Cluster", "Namespace")
MAX_CONTROLLER_LENGTH = 250
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"

WILDCARD_SUBDOMAIN_FMT = r"\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
WILDCARD_SUBDOMAIN = re.compile(f"^{WILDCARD_SUBDOMAIN_FMT}\\Z")
WILDCARD_SUBDOMAIN_MSG = regex_error(
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of "
    "lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
    WILDCARD_SUBDOMAIN_FMT, "*.example.com")
HTTP_PATH_FMT = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"
HTTP_PATH = re.compile(f"^{HTTP_PATH_FMT}\\Z")


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsWildcardDNS1123Subdomain",
         "k8s.io/apimachinery/pkg/util/validation.IsDNS1123Subdomain")
def host_problems(host: str, path: str) -> list[str]:
    """A host with a `*` is a wildcard subdomain (`*.example.com`), any other a DNS subdomain."""
    if "*" not in host:
        return v.name_problems(host, "subdomain", path)
    problems = [v.invalid(path, host, "must be no more than 253 characters")] if len(host) > 253 else []
    return problems + ([] if WILDCARD_SUBDOMAIN.match(host) else [v.invalid(path, host, WILDCARD_SUBDOMAIN_MSG)])


def _port_number_problems(number: object, path: str) -> list[str]:
    """validation.IsValidPortNum."""
    ok = isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= 65535
    return [] if ok else [v.invalid(path, number, v.PORT_RANGE_MSG)]


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.validateIngressTypedLocalObjectReference")
def typed_reference_problems(reference: dict, path: str) -> list[str]:
    problems = []
    if reference.get("apiGroup") is not None:
        problems += v.name_problems(reference["apiGroup"], "subdomain", f"{path}.apiGroup")
    for field in ("kind", "name"):
        if not reference.get(field):
            problems.append(v.required(f"{path}.{field}", f"{field} is required"))
        else:
            problems += v.name_problems(reference[field], "path", f"{path}.{field}")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.validateIngressBackend")
def backend_problems(backend: dict, path: str) -> list[str]:
    """Either a resource or a service; a service has a DNS-1035 name and a port name or number."""
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        return [v.invalid(path, "", "cannot set both resource and service backends")]
    if resource is not None:
        return typed_reference_problems(v.as_object(resource), f"{path}.resource")
    if service is None:
        return [v.invalid(path, "", "resource or service backend is required")]
    service, problems = v.as_object(service), []
    if not service.get("name"):
        problems.append(v.required(f"{path}.service.name"))
    else:
        problems += v.name_problems(service["name"], "dns1035", f"{path}.service.name")
    port = v.as_object(service.get("port"))
    name, number = port.get("name") or "", port.get("number") or 0
    if name and number:
        problems.append(v.invalid(path, "", "cannot set both port name & port number"))
    elif name:
        problems += [v.invalid(f"{path}.service.port.name", name, m) for m in port_name_problems(name)]
    elif number:
        problems += _port_number_problems(number, f"{path}.service.port.number")
    else:
        problems.append(v.required(path, "port name or number is required"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.validateHTTPIngressPath")
def http_path_problems(http_path: dict, path: str) -> list[str]:
    """A pathType is required; Exact and Prefix paths are absolute and clean, an
    ImplementationSpecific path absolute when given."""
    path_type, value = http_path.get("pathType"), http_path.get("path") or ""
    if path_type is None:
        return [v.required(f"{path}.pathType", "pathType must be specified")]
    problems = []
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            problems.append(v.invalid(f"{path}.path", value, "must be an absolute path"))
        problems += [v.invalid(f"{path}.path", value, f"must not contain '{sequence}'")
                     for sequence in INVALID_PATH_SEQUENCES if sequence in value]
        problems += [v.invalid(f"{path}.path", value, f"cannot end with '{suffix}'")
                     for suffix in INVALID_PATH_SUFFIXES if value.endswith(suffix)]
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            problems.append(v.invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        problems.append(v.unsupported(f"{path}.pathType", path_type, PATH_TYPES))
    return problems + backend_problems(v.as_object(http_path.get("backend")), f"{path}.backend")


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.validateIngressRuleValue")
def rule_value_problems(rule: dict, path: str) -> list[str]:
    """An http rule has at least one path."""
    if rule.get("http") is None:
        return []
    paths, problems = v.as_list(v.as_object(rule["http"]).get("paths")), []
    if not paths:
        problems.append(v.required(f"{path}.http.paths"))
    for j, http_path in enumerate(paths):
        problems += http_path_problems(v.as_object(http_path), f"{path}.http.paths[{j}]")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.validateIngressRules")
def rules_problems(rules: list, path: str, allow_invalid_wildcard_host_rule: bool = False) -> list[str]:
    """A host is a DNS name (a wildcard only as the first label), not an IP address. The rule values
    of wildcard hosts go unchecked when `allow_invalid_wildcard_host_rule`."""
    problems = []
    for i, rule in enumerate(rules):
        rule, here = v.as_object(rule), f"{path}[{i}]"
        host = rule.get("host") or ""
        if host:
            if v.parse_ip(host) is not None:
                problems.append(v.invalid(f"{here}.host", host, "must be a DNS name, not an IP address"))
            problems += host_problems(host, f"{here}.host")
        if "*" not in host or not allow_invalid_wildcard_host_rule:
            problems += rule_value_problems(rule, here)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.ValidateIngressSpec",
         "k8s.io/kubernetes/pkg/apis/networking/validation.validateIngressTLS")
def validate_ingress(obj: dict, allow_invalid_secret_name: bool = False,
                     allow_invalid_wildcard_host_rule: bool = False) -> list[str]:
    """The spec; the `allow_` options are IngressValidationOptions, which only an update sets."""
    spec, path, problems = part(obj, "spec"), "spec", []
    rules = v.as_list(spec.get("rules"))
    if not rules and spec.get("defaultBackend") is None:
        shown = "[]networking.IngressRule(nil)" if spec.get("rules") is None else "[]networking.IngressRule{}"
        problems.append(f"{path}: Invalid value: {shown}: either `defaultBackend` or `rules` must be specified")
    if spec.get("defaultBackend") is not None:
        problems += backend_problems(v.as_object(spec["defaultBackend"]), f"{path}.defaultBackend")
    problems += rules_problems(rules, f"{path}.rules", allow_invalid_wildcard_host_rule)
    for i, tls in enumerate(v.as_list(spec.get("tls"))):
        tls = v.as_object(tls)
        for j, host in enumerate(v.as_list(tls.get("hosts"))):
            problems += host_problems(str(host), f"{path}.tls[{i}].hosts[{j}]")
        if not allow_invalid_secret_name:
            problems += _tls_secret_name_problems(tls, f"{path}.tls[{i}].secretName")
    if spec.get("ingressClassName") is not None:
        problems += v.name_problems(spec["ingressClassName"], "subdomain", f"{path}.ingressClassName")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.validateTLSSecretName")
def _tls_secret_name_problems(tls: dict, path: str) -> list[str]:
    return v.name_problems(tls["secretName"], "subdomain", path) if tls.get("secretName") else []


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.ValidateIngressCreate")
def validate_ingress_create(obj: dict) -> list[str]:
    """The class is named by the spec or by the legacy annotation, not both."""
    annotations = v.as_object((obj.get("metadata") or {}).get("annotations"))
    if INGRESS_CLASS_ANNOTATION in annotations and part(obj, "spec").get("ingressClassName") is not None:
        return [v.invalid(f"annotations.{INGRESS_CLASS_ANNOTATION}", annotations[INGRESS_CLASS_ANNOTATION],
                          "can not be set when the class field is also set")]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.ValidateIngressUpdate",
         "k8s.io/kubernetes/pkg/apis/networking/validation.allowInvalidSecretName",
         "k8s.io/kubernetes/pkg/apis/networking/validation.allowInvalidWildcardHostRule")
def validate_ingress_update(old: dict, new: dict) -> list[str]:
    """What the stored ingress already got wrong (an invalid TLS secret name, invalid paths under a
    wildcard host) stays allowed, for the ingresses stored before those rules."""
    old_spec = part(old, "spec")
    invalid_secret_name = any(_tls_secret_name_problems(v.as_object(tls), "")
                              for tls in v.as_list(old_spec.get("tls")))
    invalid_wildcard_host_rule = any("*" in (v.as_object(rule).get("host") or "")
                                     and rule_value_problems(v.as_object(rule), "")
                                     for rule in v.as_list(old_spec.get("rules")))
    return validate_ingress(new, invalid_secret_name, invalid_wildcard_host_rule)


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.ValidateIngressStatusUpdate")
def validate_ingress_status_update(old: dict, new: dict) -> list[str]:
    return v.load_balancer_status_problems(part(new, "status", "loadBalancer"), "status.loadBalancer")


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.validateIngressClassParametersReference")
def parameters_problems(parameters: dict, path: str) -> list[str]:
    """A kind and a name; a scope, Namespace with a namespace or Cluster without one."""
    problems = typed_reference_problems(parameters, path)
    scope = parameters.get("scope")
    if scope is None:
        return problems + [v.required(f"{path}.scope")]
    if scope not in PARAMETERS_SCOPES:
        return problems + [v.unsupported(f"{path}.scope", scope, PARAMETERS_SCOPES)]
    namespace = parameters.get("namespace")
    if scope == "Namespace":
        if namespace is None:
            problems.append(v.required(f"{path}.namespace", "`parameters.scope` is set to 'Namespace'"))
        else:
            problems += v.name_problems(namespace, "label", f"{path}.namespace")
    elif namespace is not None:
        problems.append(f"{path}.namespace: Forbidden: `parameters.scope` is set to 'Cluster'")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.validateIngressClassSpec",
         "k8s.io/apimachinery/pkg/util/validation.IsDomainPrefixedPath")
def validate_ingress_class(obj: dict) -> list[str]:
    """The controller is a domain-prefixed path (`example.com/ingress-controller`)."""
    spec, path = part(obj, "spec"), "spec.controller"
    controller, problems = spec.get("controller") or "", []
    if len(controller) > MAX_CONTROLLER_LENGTH:
        problems.append(f"{path}: Too long: must have at most {MAX_CONTROLLER_LENGTH} bytes")
    host, _, rest = controller.partition("/")
    if not controller:
        problems.append(v.required(path))
    elif not host or not rest:
        problems.append(v.invalid(path, controller, 'must be a domain-prefixed path (such as "acme.io/foo")'))
    else:
        problems += v.name_problems(host, "subdomain", path)
        if not HTTP_PATH.match(rest):
            problems.append(v.invalid(path, rest, regex_error("Invalid path", HTTP_PATH_FMT)))
    if spec.get("parameters") is not None:
        problems += parameters_problems(v.as_object(spec["parameters"]), "spec.parameters")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/networking/validation.ValidateIngressClassUpdate")
def validate_ingress_class_update(old: dict, new: dict) -> list[str]:
    """The controller is immutable; then the new class is checked as a created one is."""
    controller = part(new, "spec").get("controller")
    problems = ([v.invalid("spec.controller", controller or "", "field is immutable")]
                if controller != part(old, "spec").get("controller") else [])
    return problems + validate_ingress_class(new)


@mirrors("k8s.io/kubernetes/pkg/apis/networking/v1.SetDefaults_IngressClass")
def ingress_class(obj: dict, spec: dict) -> None:
    parameters = spec.get("parameters")
    if isinstance(parameters, dict) and parameters.get("scope") is None:
        parameters["scope"] = "Cluster"


RESOURCES = (
    # stored under /registry/ingress/, one of kube-apiserver's SpecialDefaultResourcePrefixes
    Resource("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", True, ("ing",), storage_prefix="ingress",
             subresources=("status",), status_reset_on_update=True, tracks_generation=True, kind_group="extensions",
             validator=validate_ingress, create_validator=validate_ingress_create,
             validator_on_update=validate_ingress_update, validate_status_update=validate_ingress_status_update,
             zero_value={"spec": {}, "status": {"loadBalancer": {}}},
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
    Resource("networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", False,
             tracks_generation=True, validator=validate_ingress_class,
             validator_on_update=validate_ingress_class_update,
             zero_value={"spec": {}},
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"IngressClass": ingress_class}


DEFINITIONS = {
    NETWORKING + "Ingress": kind(
        "networking.k8s.io", "v1", "Ingress", "Rules routing external HTTP(S) traffic to services.",
        spec=ref(NETWORKING + "IngressSpec", "The desired state of the ingress."),
        status=ref(NETWORKING + "IngressStatus", "The observed state of the ingress.")),
    NETWORKING + "IngressSpec": obj(
        "Where an ingress sends traffic.",
        defaultBackend=ref(NETWORKING + "IngressBackend", "The backend for requests no rule matches."),
        ingressClassName=string("The IngressClass of the controller that implements the ingress."),
        rules=arr(ref(NETWORKING + "IngressRule"), "Host rules; requests matching none go to defaultBackend.",
                  list_type="atomic"),
        tls=arr(ref(NETWORKING + "IngressTLS"), "TLS settings, per set of hosts.", list_type="atomic")),
    NETWORKING + "IngressRule": obj(
        "Routes the requests for one host (or every host).",
        host=string("A DNS name, or a wildcard `*.` followed by one."),
        http=ref(NETWORKING + "HTTPIngressRuleValue", "The paths of the host and their backends.")),
    NETWORKING + "HTTPIngressRuleValue": obj(
        "The paths of one host.", ("paths",),
        paths=arr(ref(NETWORKING + "HTTPIngressPath"), "Paths matched against the request path.", list_type="atomic")),
    NETWORKING + "HTTPIngressPath": obj(
        "A path and the backend requests for it go to.", ("pathType", "backend"),
        backend=ref(NETWORKING + "IngressBackend", "Where matching requests go."),
        path=string("The path to match; absolute."),
        pathType=string("Exact, Prefix or ImplementationSpecific.")),
    NETWORKING + "IngressBackend": obj(
        "A service (or another resource) requests go to.",
        resource=ref(CORE + "TypedLocalObjectReference", "Another resource in the same namespace."),
        service=ref(NETWORKING + "IngressServiceBackend", "A service and one of its ports.")),
    NETWORKING + "IngressServiceBackend": obj(
        "A service and one of its ports.", ("name",),
        name=string("The service's name."),
        port=ref(NETWORKING + "ServiceBackendPort", "The service's port, by name or number.")),
    NETWORKING + "ServiceBackendPort": obj(
        "A service port, by name or by number.",
        name=string("The port's name."),
        number=integer("The port's number.")),
    NETWORKING + "IngressTLS": obj(
        "TLS for a set of hosts.",
        hosts=arr(string(""), "Hosts the certificate covers.", list_type="atomic"),
        secretName=string("The secret holding the certificate and key.")),
    NETWORKING + "IngressStatus": obj(
        "The observed state of an ingress.",
        loadBalancer=ref(CORE + "LoadBalancerStatus", "Ingress points of the load balancer.")),
    NETWORKING + "IngressList": list_kind("networking.k8s.io", "v1", NETWORKING + "Ingress"),
    NETWORKING + "IngressClass": kind(
        "networking.k8s.io", "v1", "IngressClass", "A kind of ingress and the controller implementing it.",
        spec=ref(NETWORKING + "IngressClassSpec", "The controller and its parameters.")),
    NETWORKING + "IngressClassSpec": obj(
        "The controller of an IngressClass and its parameters.",
        controller=string("The controller, a domain-prefixed path such as `example.com/ingress-controller`."),
        parameters=ref(NETWORKING + "IngressClassParametersReference", "The controller's configuration.")),
    NETWORKING + "IngressClassParametersReference": obj(
        "The resource holding a controller's configuration.", ("kind", "name"),
        apiGroup=string("The resource's API group."),
        kind=string("The resource's kind."),
        name=string("The resource's name."),
        namespace=string("The resource's namespace, when scope is Namespace."),
        scope=string("Cluster or Namespace; defaults to Cluster.")),
    NETWORKING + "IngressClassList": list_kind("networking.k8s.io", "v1", NETWORKING + "IngressClass"),
}


GO_TYPES = {
    NETWORKING + "HTTPIngressPath": {"pathType": "v1.PathType"},
}


def _hosts(rules: list) -> str:
    """formatHosts: up to three hosts, `*` when no rule names one."""
    hosts = [rule.get("host") for rule in rules[:3] if isinstance(rule, dict) and rule.get("host")]
    if not hosts:
        return "*"
    return ",".join(hosts) + (f" + {len(rules) - 3} more..." if len(rules) > 3 else "")


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printIngress",
         "k8s.io/kubernetes/pkg/printers/internalversion.loadBalancerStatusStringer")
def _ingress(obj: dict, now: float) -> list:
    spec = part(obj, "spec")
    points = {p.get("ip") or p.get("hostname") for p in v.as_list(part(obj, "status", "loadBalancer").get("ingress"))
              if isinstance(p, dict)} - {None, ""}
    return [name_cell(obj), spec.get("ingressClassName") or "<none>", _hosts(v.as_list(spec.get("rules"))),
            ",".join(sorted(points)), "80, 443" if spec.get("tls") else "80", age_cell(obj, now)]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printIngressClass")
def _ingress_class(obj: dict, now: float) -> list:
    spec = part(obj, "spec")
    parameters = spec.get("parameters")
    shown = "<none>"
    if isinstance(parameters, dict):
        group = f".{parameters['apiGroup']}" if parameters.get("apiGroup") is not None else ""
        shown = f"{parameters.get('kind', '')}{group}/{parameters.get('name', '')}"
    return [name_cell(obj), spec.get("controller", ""), shown, age_cell(obj, now)]


PRINTERS = {
    "Ingress": ([NAME, ("Class", "string", 0, "The IngressClass of the ingress."),
                 ("Hosts", "string", 0, "Hosts the rules match."),
                 ("Address", "string", 0, "Ingress points of the load balancer."),
                 ("Ports", "string", 0, "Ports the ingress opens."), AGE], _ingress),
    "IngressClass": ([NAME, ("Controller", "string", 0, "The controller implementing the class."),
                      ("Parameters", "string", 0, "The controller's configuration."), AGE], _ingress_class),
}


MESSAGES = """
networking.HTTPIngressPath: 1 path? string; 3 pathType* string; 2 backend! networking.IngressBackend
networking.HTTPIngressRuleValue: 1 paths* []networking.HTTPIngressPath
networking.Ingress: 1 metadata! meta.ObjectMeta; 2 spec! networking.IngressSpec; 3 status! networking.IngressStatus
networking.IngressBackend: 4 service networking.IngressServiceBackend; 3 resource core.TypedLocalObjectReference
networking.IngressClass: 1 metadata! meta.ObjectMeta; 2 spec! networking.IngressClassSpec
networking.IngressClassList: 1 metadata! meta.ListMeta; 2 items* []networking.IngressClass
networking.IngressClassParametersReference: 1 apiGroup string; 2 kind! string; 3 name! string; 4 scope* string;
    5 namespace string
networking.IngressClassSpec: 1 controller? string; 2 parameters networking.IngressClassParametersReference
networking.IngressList: 1 metadata! meta.ListMeta; 2 items* []networking.Ingress
networking.IngressRule: 1 host? string; 2 - networking.IngressRuleValue
networking.IngressRuleValue: 1 http networking.HTTPIngressRuleValue
networking.IngressServiceBackend: 1 name! string; 2 port! networking.ServiceBackendPort
networking.IngressSpec: 4 ingressClassName string; 1 defaultBackend networking.IngressBackend;
    2 tls? []networking.IngressTLS; 3 rules? []networking.IngressRule
networking.IngressStatus: 1 loadBalancer! core.LoadBalancerStatus
networking.IngressTLS: 1 hosts? []string; 2 secretName? string
networking.ServiceBackendPort: 1 name? string; 2 number? int32
"""
