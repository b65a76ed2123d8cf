"""The ValidatingWebhookConfiguration and MutatingWebhookConfiguration kinds
(admissionregistration.k8s.io/v1): their resource facts, defaults, validation, OpenAPI schema,
printer columns and protobuf layout. The webhooks they register are called by `core.webhooks`."""
from __future__ import annotations

from urllib.parse import urlsplit

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (META, arr, integer, kind, list_kind, obj, ref, string,
                                                   strings)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell
from reference_impl.apiserver.kinds._defaulting import default_nil, dict_items
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.labels import dns_subdomain_problems
from reference_impl.mirrors import mirrors

GROUP = "admissionregistration.k8s.io"
ADMISSIONREGISTRATION = "io.k8s.api.admissionregistration.v1."

# The sets upstream's validation checks against, as sets.String's List() gives them: sorted.
FAILURE_POLICIES = ("Fail", "Ignore")
MATCH_POLICIES = ("Equivalent", "Exact")
NO_SIDE_EFFECT_CLASSES = ("None", "NoneOnDryRun")
SIDE_EFFECT_CLASSES = ("None", "NoneOnDryRun", "Some", "Unknown")
OPERATIONS = ("*", "CONNECT", "CREATE", "DELETE", "UPDATE")
REINVOCATION_POLICIES = ("IfNeeded", "Never")
SCOPES = ("*", "Cluster", "Namespaced")
# The AdmissionReview versions a webhook may ask for (AcceptedAdmissionReviewVersions: not sorted).
ADMISSION_REVIEW_VERSIONS = ("v1", "v1beta1")
URL_FORM = "; desired format: https://host[/path]"


@mirrors("k8s.io/kubernetes/pkg/apis/admissionregistration/v1.SetObjectDefaults_ValidatingWebhookConfiguration",
         "k8s.io/kubernetes/pkg/apis/admissionregistration/v1.SetObjectDefaults_MutatingWebhookConfiguration",
         "k8s.io/kubernetes/pkg/apis/admissionregistration/v1.SetDefaults_ValidatingWebhook",
         "k8s.io/kubernetes/pkg/apis/admissionregistration/v1.SetDefaults_MutatingWebhook",
         "k8s.io/kubernetes/pkg/apis/admissionregistration/v1.SetDefaults_ServiceReference",
         "k8s.io/kubernetes/pkg/apis/admissionregistration/v1.SetDefaults_Rule")
def _webhook_defaults(config: dict, mutating: bool) -> None:
    """Every webhook fails closed, matches equivalent resources, selects every namespace and object
    and waits ten seconds unless it says otherwise; a mutating one is not called again; a service
    listens on 443; a rule covers both scopes. sideEffects and admissionReviewVersions have no
    default in v1: they are required."""
    for hook in dict_items(config.get("webhooks")):
        for field, value in (("failurePolicy", "Fail"), ("matchPolicy", "Equivalent"), ("namespaceSelector", {}),
                             ("objectSelector", {}), ("timeoutSeconds", 10)):
            default_nil(hook, field, value)
        if mutating:
            default_nil(hook, "reinvocationPolicy", "Never")
        service = (hook.get("clientConfig") or {}).get("service")
        if isinstance(service, dict):
            default_nil(service, "port", 443)
        for rule in dict_items(hook.get("rules")):
            default_nil(rule, "scope", "*")


def validating_webhook_configuration(config: dict, spec: dict) -> None:
    _webhook_defaults(config, mutating=False)


def mutating_webhook_configuration(config: dict, spec: dict) -> None:
    _webhook_defaults(config, mutating=True)


@mirrors("k8s.io/kubernetes/pkg/apis/admissionregistration/validation.validateValidatingWebhookConfiguration",
         "k8s.io/kubernetes/pkg/apis/admissionregistration/validation.validateMutatingWebhookConfiguration")
def _configuration_problems(config: dict, mutating: bool, require_no_side_effects: bool = True,
                            require_recognized_version: bool = True, require_unique_names: bool = True) -> list[str]:
    problems, names = [], set()
    for i, hook in enumerate(dict_items(config.get("webhooks"))):
        at = f"webhooks[{i}]"
        problems += _webhook_problems(hook, at, mutating, require_no_side_effects)
        problems += review_version_problems(hook.get("admissionReviewVersions"), require_recognized_version,
                                            f"{at}.admissionReviewVersions")
        name = hook.get("name") or ""
        if require_unique_names and name:
            if name in names:
                problems.append(v.duplicate(f"{at}.name", name))
            names.add(name)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/admissionregistration/validation.ValidateValidatingWebhookConfiguration",
         "k8s.io/kubernetes/pkg/apis/admissionregistration/validation.ValidateMutatingWebhookConfiguration")
def validate_webhook_configuration(config: dict, mutating: bool) -> list[str]:
    return _configuration_problems(config, mutating)


@mirrors("k8s.io/kubernetes/pkg/apis/admissionregistration/validation.ValidateValidatingWebhookConfigurationUpdate",
         "k8s.io/kubernetes/pkg/apis/admissionregistration/validation.ValidateMutatingWebhookConfigurationUpdate")
def validate_webhook_configuration_update(old: dict, new: dict, mutating: bool) -> list[str]:
    """An update is held to the create rules only where the stored configuration already kept them,
    so that one written by an older server stays writable."""
    hooks = dict_items(old.get("webhooks"))
    names = [hook.get("name") for hook in hooks]
    return _configuration_problems(
        new, mutating,
        require_no_side_effects=all(hook.get("sideEffects") in NO_SIDE_EFFECT_CLASSES for hook in hooks),
        require_recognized_version=all(
            not hook.get("admissionReviewVersions")
            or any(version in ADMISSION_REVIEW_VERSIONS for version in hook["admissionReviewVersions"])
            for hook in hooks),
        require_unique_names=len(names) == len(set(names)))


@mirrors("k8s.io/kubernetes/pkg/apis/admissionregistration/validation.validateValidatingWebhook",
         "k8s.io/kubernetes/pkg/apis/admissionregistration/validation.validateMutatingWebhook")
def _webhook_problems(hook: dict, at: str, mutating: bool, require_no_side_effects: bool) -> list[str]:
    problems = _fully_qualified_name_problems(hook.get("name") or "", f"{at}.name")
    for i, rule in enumerate(dict_items(hook.get("rules"))):
        problems += _rule_with_operations_problems(rule, f"{at}.rules[{i}]")
    problems += _enum_problems(hook, "failurePolicy", FAILURE_POLICIES, at)
    problems += _enum_problems(hook, "matchPolicy", MATCH_POLICIES, at)
    allowed = NO_SIDE_EFFECT_CLASSES if require_no_side_effects else SIDE_EFFECT_CLASSES
    if hook.get("sideEffects") is None:
        problems.append(v.required(f"{at}.sideEffects", f"must specify one of {', '.join(allowed)}"))
    else:
        problems += _enum_problems(hook, "sideEffects", allowed, at)
    timeout = hook.get("timeoutSeconds")
    if timeout is not None and not 1 <= timeout <= 30:
        problems.append(v.invalid(f"{at}.timeoutSeconds", timeout, "the timeout value must be between 1 and 30 seconds"))
    for selector in ("namespaceSelector", "objectSelector"):
        problems += v.label_selector_problems(hook.get(selector), f"{at}.{selector}")
    if mutating:
        problems += _enum_problems(hook, "reinvocationPolicy", REINVOCATION_POLICIES, at)
    return problems + client_config_problems(hook.get("clientConfig") or {}, f"{at}.clientConfig")


def _enum_problems(hook: dict, field: str, supported: tuple[str, ...], at: str) -> list[str]:
    value = hook.get(field)
    return [] if value is None or value in supported else [v.unsupported(f"{at}.{field}", value, supported)]


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsFullyQualifiedName")
def _fully_qualified_name_problems(name: str, path: str) -> list[str]:
    if not name:
        return [v.required(path)]
    problems = dns_subdomain_problems(name)
    if problems:
        return [v.invalid(path, name, ",".join(problems))]
    if len(name.split(".")) < 3:
        return [v.invalid(path, name, "should be a domain with at least three segments separated by dots")]
    return []


def _go_list(type_name: str, values: list) -> str:
    """A slice as %#v prints it, e.g. `[]string{"*", "pods"}`."""
    return f"{type_name}{{{', '.join(quote(str(value)) for value in values)}}}"


@mirrors("k8s.io/kubernetes/pkg/apis/admissionregistration/validation.validateRuleWithOperations")
def _rule_with_operations_problems(rule: dict, at: str) -> list[str]:
    operations = rule.get("operations") or []
    problems = [] if operations else [v.required(f"{at}.operations")]
    if len(operations) > 1 and "*" in operations:
        problems.append(f"{at}.operations: Invalid value: "
                        f"{_go_list('[]admissionregistration.OperationType', operations)}: "
                        "if '*' is present, must not specify other operations")
    problems += [v.unsupported(f"{at}.operations[{i}]", operation, OPERATIONS)
                 for i, operation in enumerate(operations) if operation not in OPERATIONS]
    return problems + _rule_problems(rule, at)


@mirrors("k8s.io/kubernetes/pkg/apis/admissionregistration/validation.validateRule")
def _rule_problems(rule: dict, at: str) -> list[str]:
    groups, versions = rule.get("apiGroups") or [], rule.get("apiVersions") or []
    problems = [] if groups else [v.required(f"{at}.apiGroups")]
    if len(groups) > 1 and "*" in groups:
        problems.append(f"{at}.apiGroups: Invalid value: {_go_list('[]string', groups)}: "
                        "if '*' is present, must not specify other API groups")
    if not versions:
        problems.append(v.required(f"{at}.apiVersions"))
    if len(versions) > 1 and "*" in versions:
        problems.append(f"{at}.apiVersions: Invalid value: {_go_list('[]string', versions)}: "
                        "if '*' is present, must not specify other API versions")
    problems += [v.required(f"{at}.apiVersions[{i}]") for i, version in enumerate(versions) if version == ""]
    problems += _resources_problems(rule.get("resources") or [], f"{at}.resources")
    scope = rule.get("scope")
    if scope is not None and scope not in SCOPES:
        problems.append(v.unsupported(f"{at}.scope", scope, SCOPES))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/admissionregistration/validation.validateResources")
def _resources_problems(resources: list, at: str) -> list[str]:
    """Resources, `resource/subresource` pairs and their wildcards, none covering another."""
    problems = [] if resources else [v.required(at)]
    wildcard_subresources, wildcard_resources = set(), set()  # the x of `x/*`, and of `*/x`
    double_wildcard = single_wildcard = resource_without_subresource = False
    for i, entry in enumerate(resources):
        if entry == "":
            problems.append(v.required(f"{at}[{i}]"))
            continue
        double_wildcard |= entry == "*/*"
        single_wildcard |= entry == "*"
        if "/" not in entry:
            resource_without_subresource = entry != "*"  # the last such entry decides, as upstream's loop does
            continue
        resource, subresource = entry.split("/", 1)
        if resource in wildcard_subresources:
            problems.append(v.invalid(f"{at}[{i}]", entry, f"if '{resource}/*' is present, must not specify {entry}"))
        if subresource in wildcard_resources:
            problems.append(v.invalid(f"{at}[{i}]", entry,
                                      f"if '*/{subresource}' is present, must not specify {entry}"))
        if subresource == "*":
            wildcard_subresources.add(resource)
        if resource == "*":
            wildcard_resources.add(subresource)
    if len(resources) > 1 and double_wildcard:
        problems.append(f"{at}: Invalid value: {_go_list('[]string', resources)}: "
                        "if '*/*' is present, must not specify other resources")
    if single_wildcard and resource_without_subresource:
        problems.append(f"{at}: Invalid value: {_go_list('[]string', resources)}: "
                        "if '*' is present, must not specify other resources without subresources")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/admissionregistration/validation.validateAdmissionReviewVersions",
         "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.validateConversionReviewVersions")
def review_version_problems(versions: list | None, require_recognized: bool, at: str,
                            required_detail: str | None = None) -> list[str]:
    """Distinct DNS-1035 names, one of them a review version this server speaks. A CRD's
    conversionReviewVersions (validateConversionReviewVersions) say no more than Required."""
    accepted = ", ".join(ADMISSION_REVIEW_VERSIONS)
    if not versions:
        return [v.required(at, f"must specify one of {accepted}" if required_detail is None else required_detail)]
    problems, seen = [], set()
    for i, version in enumerate(versions):
        if version in seen:
            problems.append(v.invalid(f"{at}[{i}]", version, "duplicate version"))
            continue
        seen.add(version)
        problems += v.name_problems(version, "dns1035", f"{at}[{i}]")
    if require_recognized and not any(version in ADMISSION_REVIEW_VERSIONS for version in versions):
        problems.append(f"{at}: Invalid value: {_go_list('[]string', versions)}: must include at least one of {accepted}")
    return problems


def client_config_problems(client_config: dict, at: str) -> list[str]:
    url, service = client_config.get("url"), client_config.get("service")
    if (url is None) == (service is None):
        return [v.required(at, "exactly one of url or service is required")]
    if url is not None:
        return webhook_url_problems(url, f"{at}.url")
    return _service_problems(service, f"{at}.service")


@mirrors("k8s.io/apiserver/pkg/util/webhook.ValidateWebhookURL")
def webhook_url_problems(url: str, at: str) -> list[str]:
    """An https URL with a host and no user information, fragment or query. Go's url.Parse refuses
    a few more URLs than urlsplit does: those with control characters or no scheme before a colon."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return [v.required(at, f'url must be a valid URL: parse {quote(url)}: net/url: invalid control character '
                               f"in URL{URL_FORM}")]
    if url.startswith(":"):
        return [v.required(at, f"url must be a valid URL: parse {quote(url)}: missing protocol scheme{URL_FORM}")]
    parts = urlsplit(url)
    user, _, host = parts.netloc.rpartition("@")
    problems = []
    if parts.scheme != "https":
        problems.append(v.invalid(at, parts.scheme, "'https' is the only allowed URL scheme" + URL_FORM))
    if not host:
        problems.append(v.invalid(at, host, "host must be provided" + URL_FORM))
    if "@" in parts.netloc:
        problems.append(v.invalid(at, user, "user information is not permitted in the URL"))
    if parts.fragment:
        problems.append(v.invalid(at, parts.fragment, "fragments are not permitted in the URL"))
    if parts.query:
        problems.append(v.invalid(at, parts.query, "query parameters are not permitted in the URL"))
    return problems


@mirrors("k8s.io/apiserver/pkg/util/webhook.ValidateWebhookService")
def _service_problems(service: dict, at: str) -> list[str]:
    problems = [] if service.get("name") else [v.required(f"{at}.name", "service name is required")]
    if not service.get("namespace"):
        problems.append(v.required(f"{at}.namespace", "service namespace is required"))
    port = service.get("port", 443)
    if not 1 <= port <= 65535:
        problems.append(v.invalid(f"{at}.port", port, f"port is not valid: {v.PORT_RANGE_MSG}"))
    path = service.get("path")
    if path is None or path in ("", "/"):
        return problems
    if path == "//":
        return problems + [v.invalid(f"{at}.path", path, "segment[0] may not be empty")]
    if not path.startswith("/"):
        problems.append(v.invalid(f"{at}.path", path, "must start with a '/'"))
    steps = path[1:].removesuffix("/").split("/")
    for i, step in enumerate(steps):
        if not step:
            problems.append(v.invalid(f"{at}.path", path, f"segment[{i}] may not be empty"))
            continue
        problems += [v.invalid(f"{at}.path", path, f"segment[{i}]: {problem}")
                     for problem in dns_subdomain_problems(step)]
    return problems


@mirrors("(k8s.io/kubernetes/pkg/registry/admissionregistration/validatingwebhookconfiguration."
         "validatingWebhookConfigurationStrategy).PrepareForUpdate",
         "(k8s.io/kubernetes/pkg/registry/admissionregistration/mutatingwebhookconfiguration."
         "mutatingWebhookConfigurationStrategy).PrepareForUpdate")
def prepare_for_update(new: dict, old: dict) -> None:
    """The webhooks are the configuration's spec: any change to them is a new generation."""
    if new.get("webhooks") != old.get("webhooks"):
        new["metadata"]["generation"] = (old["metadata"].get("generation") or 0) + 1


def _resource(kind: str, plural: str, mutating: bool) -> Resource:
    return Resource(GROUP, "v1", kind, plural, plural[:-1], False, categories=("api-extensions",),
                    tracks_generation=True, allow_unconditional_update=False,
                    validator=lambda config: validate_webhook_configuration(config, mutating),
                    validator_on_update=lambda old, new: validate_webhook_configuration_update(old, new, mutating),
                    prepare_for_update=prepare_for_update, kube_finalizers=False,
                    update_metadata_checks=UpdateMetadataChecks(full=1, update=0))


RESOURCES = (
    _resource("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", mutating=False),
    _resource("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", mutating=True),
)


DEFAULTS = {"ValidatingWebhookConfiguration": validating_webhook_configuration,
            "MutatingWebhookConfiguration": mutating_webhook_configuration}
NO_SPEC = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")


def _webhook(description: str, **more: dict) -> dict:
    return obj(description, ("name", "clientConfig", "sideEffects", "admissionReviewVersions"),
               admissionReviewVersions=strings("The AdmissionReview versions the webhook accepts, preferred first."),
               clientConfig=ref(ADMISSIONREGISTRATION + "WebhookClientConfig", "How to reach the webhook."),
               failurePolicy=string("Ignore or Fail: what an error calling the webhook means; defaults to Fail."),
               matchPolicy=string("Exact or Equivalent: whether a request through another version of a matched "
                                  "resource is sent; defaults to Equivalent."),
               name=string("The webhook's fully qualified name, e.g. `imagepolicy.kubernetes.io`."),
               namespaceSelector=ref(META + "LabelSelector", "The namespaces whose objects are sent."),
               objectSelector=ref(META + "LabelSelector", "The objects (by their labels) that are sent."),
               rules=arr(ref(ADMISSIONREGISTRATION + "RuleWithOperations"),
                         "The operations on resources the webhook cares about."),
               sideEffects=string("None or NoneOnDryRun: whether calling the webhook changes anything elsewhere."),
               timeoutSeconds=integer("How long to wait for the webhook, 1 to 30 seconds; defaults to 10."),
               **more)


def _configuration(kind_name: str, description: str) -> dict:
    return kind(GROUP, "v1", kind_name, description,
                webhooks=arr(ref(ADMISSIONREGISTRATION + kind_name.removesuffix("Configuration")),
                             "The webhooks and the resources and operations each is called for.", merge_key="name"))


DEFINITIONS = {
    ADMISSIONREGISTRATION + "ValidatingWebhookConfiguration": _configuration(
        "ValidatingWebhookConfiguration", "Webhooks that may accept or refuse an object."),
    ADMISSIONREGISTRATION + "MutatingWebhookConfiguration": _configuration(
        "MutatingWebhookConfiguration", "Webhooks that may accept, refuse or change an object."),
    ADMISSIONREGISTRATION + "ValidatingWebhook": _webhook("An admission webhook that accepts or refuses."),
    ADMISSIONREGISTRATION + "MutatingWebhook": _webhook(
        "An admission webhook that may also change the object.",
        reinvocationPolicy=string("Never or IfNeeded: whether the webhook is called again after later mutations; "
                                  "defaults to Never.")),
    ADMISSIONREGISTRATION + "RuleWithOperations": obj(
        "Operations on API groups, versions and resources.",
        apiGroups=strings("The API groups; `*` for all."),
        apiVersions=strings("The API versions; `*` for all."),
        operations=strings("CREATE, UPDATE, DELETE, CONNECT, or `*` for all."),
        resources=strings("The resources, `resource/subresource` or wildcards such as `*/status`."),
        scope=string("Cluster, Namespaced or `*`: the scope of the resources matched; defaults to `*`.")),
    ADMISSIONREGISTRATION + "WebhookClientConfig": obj(
        "How to reach a webhook: exactly one of url and service.",
        caBundle=string("PEM CA certificates that verify the webhook's serving certificate.", "byte"),
        service=ref(ADMISSIONREGISTRATION + "ServiceReference", "A service in the cluster."),
        url=string("The webhook's https URL, without user information, query or fragment.")),
    ADMISSIONREGISTRATION + "ServiceReference": obj(
        "A service the webhook is served by.", ("namespace", "name"),
        name=string("Name of the service."),
        namespace=string("Namespace of the service."),
        path=string("URL path requests are sent to."),
        port=integer("The service's port; defaults to 443.")),
    ADMISSIONREGISTRATION + "ValidatingWebhookConfigurationList": list_kind(
        GROUP, "v1", ADMISSIONREGISTRATION + "ValidatingWebhookConfiguration"),
    ADMISSIONREGISTRATION + "MutatingWebhookConfigurationList": list_kind(
        GROUP, "v1", ADMISSIONREGISTRATION + "MutatingWebhookConfiguration"),
}


GO_TYPES = {
    ADMISSIONREGISTRATION + "ValidatingWebhook": {"failurePolicy": "*v1.FailurePolicyType",
                                                  "matchPolicy": "*v1.MatchPolicyType",
                                                  "sideEffects": "*v1.SideEffectClass"},
    ADMISSIONREGISTRATION + "MutatingWebhook": {"failurePolicy": "*v1.FailurePolicyType",
                                                "matchPolicy": "*v1.MatchPolicyType",
                                                "sideEffects": "*v1.SideEffectClass",
                                                "reinvocationPolicy": "*v1.ReinvocationPolicyType"},
    ADMISSIONREGISTRATION + "RuleWithOperations": {"operations": "[]v1.OperationType", "scope": "*v1.ScopeType"},
}


WEBHOOKS_COLUMN = ("Webhooks", "integer", 0, "Webhooks indicates the number of webhooks registered in this "
                                             "configuration")


def _webhook_configuration_row(config: dict, now: float) -> list:
    return [name_cell(config), len(dict_items(config.get("webhooks"))), age_cell(config, now)]


PRINTERS = {
    "ValidatingWebhookConfiguration": ([NAME, WEBHOOKS_COLUMN, AGE], _webhook_configuration_row),
    "MutatingWebhookConfiguration": ([NAME, WEBHOOKS_COLUMN, AGE], _webhook_configuration_row),
}


MESSAGES = """
admissionregistration.MutatingWebhook: 1 name! string; 2 clientConfig! admissionregistration.WebhookClientConfig;
    3 rules? []admissionregistration.RuleWithOperations; 4 failurePolicy string; 9 matchPolicy string;
    5 namespaceSelector meta.LabelSelector; 11 objectSelector meta.LabelSelector; 6 sideEffects* string;
    7 timeoutSeconds int32; 8 admissionReviewVersions* []string; 10 reinvocationPolicy string
admissionregistration.MutatingWebhookConfiguration: 1 metadata! meta.ObjectMeta;
    2 webhooks? []admissionregistration.MutatingWebhook
admissionregistration.MutatingWebhookConfigurationList: 1 metadata! meta.ListMeta;
    2 items* []admissionregistration.MutatingWebhookConfiguration
admissionregistration.Rule: 1 apiGroups? []string; 2 apiVersions? []string; 3 resources? []string; 4 scope string
admissionregistration.RuleWithOperations: 1 operations? []string; 2 - admissionregistration.Rule
admissionregistration.ServiceReference: 1 namespace! string; 2 name! string; 3 path string; 4 port int32
admissionregistration.ValidatingWebhook: 1 name! string; 2 clientConfig! admissionregistration.WebhookClientConfig;
    3 rules? []admissionregistration.RuleWithOperations; 4 failurePolicy string; 9 matchPolicy string;
    5 namespaceSelector meta.LabelSelector; 10 objectSelector meta.LabelSelector; 6 sideEffects* string;
    7 timeoutSeconds int32; 8 admissionReviewVersions* []string
admissionregistration.ValidatingWebhookConfiguration: 1 metadata! meta.ObjectMeta;
    2 webhooks? []admissionregistration.ValidatingWebhook
admissionregistration.ValidatingWebhookConfigurationList: 1 metadata! meta.ListMeta;
    2 items* []admissionregistration.ValidatingWebhookConfiguration
admissionregistration.WebhookClientConfig: 3 url string; 1 service admissionregistration.ServiceReference;
    2 caBundle? bytes
"""
