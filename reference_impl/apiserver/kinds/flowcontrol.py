"""The API Priority and Fairness kinds (flowcontrol.apiserver.k8s.io v1beta2, preferred, and v1beta1,
the same fields and the version stored): FlowSchema and PriorityLevelConfiguration. Their resource facts, validation
(pkg/apis/flowcontrol/validation), defaults, OpenAPI schema, printer columns and protobuf layout.

The objects are stored and validated as upstream's, and the configuration 1.24 writes at start is
there (`core.flowcontrolbootstrap`), but the reference server does not throttle: no request is
classified by these schemas, queued or rejected by their priority levels.
"""
from __future__ import annotations

import math

from reference_impl.apiserver.core.conversion import Codec
from reference_impl.apiserver.core.flowcontrolbootstrap import (MANDATORY_FLOW_SCHEMA_SPECS,
                                                                MANDATORY_PRIORITY_LEVEL_SPECS)
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import META, arr, boolean, integer, kind, list_kind, obj, ref, string
from reference_impl.apiserver.core.validation import (duplicate, go_value, invalid, name_problems, required,
                                                      semantically_equal, unsupported)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.machinery.gofmt import go_pointer
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

GROUP = "flowcontrol.apiserver.k8s.io"
V1BETA2 = "io.k8s.api.flowcontrol.v1beta2."
V1BETA1 = "io.k8s.api.flowcontrol.v1beta1."
MAX_MATCHING_PRECEDENCE = 10000
MAX_QUEUES = 10 * 1000 * 1000
MAX_HASH_BITS = 60  # shufflesharding.MaxHashBits
VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch")
DISTINGUISHER_METHODS = ("ByNamespace", "ByUser")
SUBJECT_KINDS = ("Group", "ServiceAccount", "User")
PRIORITY_LEVEL_TYPES = ("Exempt", "Limited")
LIMIT_RESPONSE_TYPES = ("Queue", "Reject")
NAMESPACE_INTRO = "each member of this list must be '*' or a DNS-1123 label; "
SUBJECT_FIELDS = {"User": "user", "Group": "group", "ServiceAccount": "serviceAccount"}


# --- FlowSchema ------------------------------------------------------------------------------------


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateFlowSchema")
def validate_flow_schema(flow_schema: dict) -> list[str]:
    """The spec's rules, a mandatory schema's spec exactly as bootstrapped, the status's conditions."""
    name, spec = part(flow_schema, "metadata").get("name") or "", part(flow_schema, "spec")
    problems = _flow_schema_spec_problems(name, spec)
    if name in MANDATORY_FLOW_SCHEMA_SPECS and not semantically_equal(spec, MANDATORY_FLOW_SCHEMA_SPECS[name]):
        problems.append(_not_fixed(name, go_struct("FlowSchemaSpec", spec)))
    return problems + _status_problems(flow_schema)


def _not_fixed(name: str, shown: str) -> str:
    return f"spec: Invalid value: {shown}: spec of '{name}' must equal the fixed value"


# The internal types a mandatory object's spec is shown as: Go field, JSON field, how it prints.
GO_STRUCTS = {
    "FlowSchemaSpec": "PriorityLevelConfiguration priorityLevelConfiguration PriorityLevelConfigurationReference; "
                      "MatchingPrecedence matchingPrecedence int; DistinguisherMethod distinguisherMethod "
                      "*FlowDistinguisherMethod; Rules rules []PolicyRulesWithSubjects",
    "PriorityLevelConfigurationReference": "Name name string",
    "PolicyRulesWithSubjects": "Subjects subjects []Subject; ResourceRules resourceRules []ResourcePolicyRule; "
                               "NonResourceRules nonResourceRules []NonResourcePolicyRule",
    "Subject": "Kind kind string; User user *UserSubject; Group group *GroupSubject; "
               "ServiceAccount serviceAccount *ServiceAccountSubject",
    "ResourcePolicyRule": "Verbs verbs []string; APIGroups apiGroups []string; Resources resources []string; "
                          "ClusterScope clusterScope bool; Namespaces namespaces []string",
    "NonResourcePolicyRule": "Verbs verbs []string; NonResourceURLs nonResourceURLs []string",
    "PriorityLevelConfigurationSpec": "Type type string; Limited limited *LimitedPriorityLevelConfiguration",
}


@mirrors("fmt.Sprintf")
def go_struct(type_name: str, value: object) -> str:
    """`value` as %#v prints the internal flowcontrol type `type_name`."""
    if type_name.startswith("*"):
        return go_pointer(f"flowcontrol.{type_name[1:]}", value)
    if type_name.startswith("[]"):
        item = type_name[2:]
        go_type = "[]string" if item == "string" else f"[]flowcontrol.{item}"
        if not value:
            return f"{go_type}(nil)"
        return go_type + "{" + ", ".join(go_struct(item, v) for v in value) + "}"
    if type_name == "string":
        return quote(value or "")
    if type_name in ("int", "bool"):
        return go_value(value or (False if type_name == "bool" else 0))
    fields = (field.split() for field in GO_STRUCTS[type_name].split("; "))
    value = value if isinstance(value, dict) else {}
    return f"flowcontrol.{type_name}{{" + ", ".join(
        f"{go_name}:{go_struct(go_type, value.get(json_name))}" for go_name, json_name, go_type in fields) + "}"


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateFlowSchemaSpec")
def _flow_schema_spec_problems(name: str, spec: dict) -> list[str]:
    problems = []
    precedence = spec.get("matchingPrecedence") or 0
    if precedence <= 0:
        problems.append(invalid("spec.matchingPrecedence", precedence, "must be a positive value"))
    if precedence > MAX_MATCHING_PRECEDENCE:
        problems.append(invalid("spec.matchingPrecedence", precedence,
                                f"must not be greater than {MAX_MATCHING_PRECEDENCE}"))
    if precedence == 1 and name != "exempt":
        problems.append(invalid("spec.matchingPrecedence", precedence,
                                "only the schema named 'exempt' may have matchingPrecedence 1"))
    method = spec.get("distinguisherMethod")
    if isinstance(method, dict) and method.get("type") not in DISTINGUISHER_METHODS:
        problems.append(f"spec.distinguisherMethod.type: Unsupported value: flowcontrol.FlowDistinguisherMethod"
                        f"{{Type:\"{method.get('type') or ''}\"}}: supported values: \"ByNamespace\", \"ByUser\"")
    level = part(spec, "priorityLevelConfiguration").get("name") or ""
    if level:
        problems += name_problems(level, "subdomain", "spec.priorityLevelConfiguration.name")
    else:
        problems.append(required("spec.priorityLevelConfiguration.name", "must reference a priority level"))
    for i, rule in enumerate(spec.get("rules") or []):
        problems += _rule_problems(rule if isinstance(rule, dict) else {}, f"spec.rules[{i}]")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateFlowSchemaPolicyRulesWithSubjects")
def _rule_problems(rule: dict, path: str) -> list[str]:
    subjects = rule.get("subjects") or []
    problems = [] if subjects else [required(f"{path}.subjects", "subjects must contain at least one value")]
    for i, subject in enumerate(subjects):
        problems += _subject_problems(subject if isinstance(subject, dict) else {}, f"{path}.subjects[{i}]")
    resource_rules, non_resource_rules = rule.get("resourceRules") or [], rule.get("nonResourceRules") or []
    if not resource_rules and not non_resource_rules:
        problems.append(required(path, "at least one of resourceRules and nonResourceRules has to be non-empty"))
    for i, resource_rule in enumerate(resource_rules):
        problems += _resource_rule_problems(resource_rule, f"{path}.resourceRules[{i}]")
    for i, non_resource_rule in enumerate(non_resource_rules):
        problems += _non_resource_rule_problems(non_resource_rule, f"{path}.nonResourceRules[{i}]")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateFlowSchemaSubject")
def _subject_problems(subject: dict, path: str) -> list[str]:
    """The member its kind names is there and valid; the other two are not."""
    kind = subject.get("kind") or ""
    if kind not in SUBJECT_FIELDS:
        return [unsupported(f"{path}.kind", kind, SUBJECT_KINDS)]
    own = SUBJECT_FIELDS[kind]
    member = subject.get(own)
    if member is None:
        problems = [required(f"{path}.{own}", f"{own} is required when subject kind is '{kind}'")]
    else:
        problems = _member_problems(kind, member, f"{path}.{own}")
    # Upstream checks the others in its case's order: a service account's user, then group, ...
    others = {"ServiceAccount": ("User", "Group"), "User": ("ServiceAccount", "Group"),
              "Group": ("ServiceAccount", "User")}[kind]
    for other in others:
        field = SUBJECT_FIELDS[other]
        if subject.get(field) is not None:
            problems.append(f"{path}.{field}: Forbidden: {field} is forbidden when subject kind is not '{other}'")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateServiceAccountSubject",
         "k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateUserSubject",
         "k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateGroupSubject")
def _member_problems(kind: str, member: dict, path: str) -> list[str]:
    name = member.get("name") or ""
    if kind != "ServiceAccount":
        return [] if name else [required(f"{path}.name")]
    problems = []
    if not name:
        problems.append(required(f"{path}.name"))
    elif name != "*":
        problems += name_problems(name, "subdomain", f"{path}.name")
    namespace = member.get("namespace") or ""
    if namespace:
        problems += name_problems(namespace, "label", f"{path}.namespace")
    else:
        problems.append(required(f"{path}.namespace", "must specify namespace for service account"))
    return problems


def _verbs_problems(verbs: list, path: str) -> list[str]:
    if not verbs:
        return [required(path, "verbs must contain at least one value")]
    if "*" in verbs:
        return [invalid(path, verbs, "if '*' is present, must not specify other verbs")] if len(verbs) > 1 else []
    if not set(verbs) <= set(VERBS):
        choices = ", ".join(quote(verb) for verb in VERBS)
        return [f"{path}: Unsupported value: {go_value(verbs)}: supported values: {choices}"]
    return []


def _wildcard_alone(values: list, path: str, what: str, missing: str) -> list[str]:
    if not values:
        return [required(path, missing)]
    if len(values) > 1 and "*" in values:
        return [invalid(path, values, f"if '*' is present, must not specify other {what}")]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateFlowSchemaResourcePolicyRule")
def _resource_rule_problems(rule: dict, path: str) -> list[str]:
    problems = _verbs_problems(rule.get("verbs") or [], f"{path}.verbs")
    problems += _wildcard_alone(rule.get("apiGroups") or [], f"{path}.apiGroups", "api groups",
                                "resource rules must supply at least one api group")
    problems += _wildcard_alone(rule.get("resources") or [], f"{path}.resources", "resources",
                                "resource rules must supply at least one resource")
    namespaces = rule.get("namespaces") or []
    if not namespaces and not rule.get("clusterScope"):
        problems.append(required(f"{path}.namespaces",
                                 "resource rules that are not cluster scoped must supply at least one namespace"))
    elif "*" in namespaces:
        if len(namespaces) > 1:
            problems.append(invalid(f"{path}.namespaces", namespaces,
                                    "if '*' is present, must not specify other namespaces"))
    else:
        for i, namespace in enumerate(namespaces):
            head = f"{path}.namespaces[{i}]: Invalid value: {quote(namespace)}: "
            problems += [head + NAMESPACE_INTRO + problem.removeprefix(head)
                         for problem in name_problems(namespace, "label", f"{path}.namespaces[{i}]")]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateFlowSchemaNonResourcePolicyRule")
def _non_resource_rule_problems(rule: dict, path: str) -> list[str]:
    problems = _verbs_problems(rule.get("verbs") or [], f"{path}.verbs")
    urls = rule.get("nonResourceURLs") or []
    if not urls:
        problems.append(required(f"{path}.nonResourceURLs", "nonResourceURLs must contain at least one value"))
    elif "*" in urls:
        if len(urls) > 1:
            problems.append(invalid(f"{path}.nonResourceURLs", urls,
                                    "if '*' is present, must not specify other non-resource URLs"))
    else:
        for i, url in enumerate(urls):
            problem = non_resource_url_problem(url)
            if problem:
                problems.append(invalid(f"{path}.nonResourceURLs[{i}]", url, problem))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateNonResourceURLPath")
def non_resource_url_problem(url: str) -> str | None:
    if not url:
        return "must not be empty"
    if url == "/":
        return None
    if not url.startswith("/"):
        return "must start with slash"
    if " " in url:
        return "must not contain white-space"
    if "//" in url:
        return "must not contain double slash"
    wildcards = url.count("*")
    if wildcards > 1 or (wildcards == 1 and url[-2:] != "/*"):
        return "wildcard can only do suffix matching"
    return None


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateFlowSchemaStatus",
         "k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidatePriorityLevelConfigurationStatus")
def _status_problems(obj: dict) -> list[str]:
    """Each condition has a type, and no type is there twice."""
    problems, seen = [], set()
    for i, condition in enumerate(part(obj, "status").get("conditions") or []):
        kind = (condition if isinstance(condition, dict) else {}).get("type") or ""
        if kind in seen:
            problems.append(duplicate(f"status.conditions[{i}].type", kind))
        seen.add(kind)
        if not kind:
            problems.append(required(f"status.conditions[{i}].type", "must not be empty"))
    return problems


def validate_status_update(old: dict, new: dict) -> list[str]:
    return _status_problems(new)


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/v1beta2.SetDefaults_FlowSchemaSpec")
def flow_schema(obj: dict, spec: dict) -> None:
    if not spec.get("matchingPrecedence"):
        spec["matchingPrecedence"] = 1000


# --- PriorityLevelConfiguration --------------------------------------------------------------------


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidatePriorityLevelConfiguration")
def validate_priority_level(priority_level: dict) -> list[str]:
    name, spec = part(priority_level, "metadata").get("name") or "", part(priority_level, "spec")
    problems = _priority_level_spec_problems(name, spec)
    if name in MANDATORY_PRIORITY_LEVEL_SPECS and not semantically_equal(spec, MANDATORY_PRIORITY_LEVEL_SPECS[name]):
        problems.append(_not_fixed(name, go_struct("PriorityLevelConfigurationSpec", spec)))
    return problems + _status_problems(priority_level)


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidatePriorityLevelConfigurationSpec")
def _priority_level_spec_problems(name: str, spec: dict) -> list[str]:
    kind, limited = spec.get("type") or "", spec.get("limited")
    problems = []
    if (name == "exempt") != (kind == "Exempt"):
        problems.append(invalid("spec.type", kind, "type must be 'Exempt' if and only if name is 'exempt'"))
    if kind == "Exempt":
        if limited is not None:
            problems.append("spec.limited: Forbidden: must be nil if the type is not Limited")
    elif kind == "Limited":
        if limited is None:
            problems.append(required("spec.limited", "must not be empty when type is Limited"))
        else:
            problems += _limited_problems(limited)
    else:
        problems.append(unsupported("spec.type", kind, PRIORITY_LEVEL_TYPES))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateLimitedPriorityLevelConfiguration",
         "k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidateLimitResponse")
def _limited_problems(limited: dict) -> list[str]:
    problems = []
    shares = limited.get("assuredConcurrencyShares") or 0
    if shares <= 0:
        problems.append(invalid("spec.limited.assuredConcurrencyShares", shares, "must be positive"))
    response = part(limited, "limitResponse")
    kind, queuing, path = response.get("type") or "", response.get("queuing"), "spec.limited.limitResponse"
    if kind == "Reject":
        if queuing is not None:
            problems.append(f"{path}.queuing: Forbidden: must be nil if limited.limitResponse.type is not Limited")
    elif kind == "Queue":
        if queuing is None:
            problems.append(required(f"{path}.queuing", "must not be empty if limited.limitResponse.type is Limited"))
        else:
            problems += _queuing_problems(queuing, f"{path}.queuing")
    else:
        problems.append(unsupported(f"{path}.type", kind, LIMIT_RESPONSE_TYPES))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/validation.ValidatePriorityLevelQueuingConfiguration")
def _queuing_problems(queuing: dict, path: str) -> list[str]:
    """Shuffle sharding's bounds: at most 10 million queues, a hand no larger than the deck, and
    no more than 60 bits of entropy to deal it."""
    length, queues, hand = (queuing.get(k) or 0 for k in ("queueLengthLimit", "queues", "handSize"))
    problems = []
    if length <= 0:
        problems.append(invalid(f"{path}.queueLengthLimit", length, "must be positive"))
    if queues <= 0:
        problems.append(invalid(f"{path}.queues", queues, "must be positive"))
    elif queues > MAX_QUEUES:
        problems.append(invalid(f"{path}.queues", queues, f"must not be greater than {MAX_QUEUES}"))
    if hand <= 0:
        problems.append(invalid(f"{path}.handSize", hand, "must be positive"))
    elif hand > queues:
        problems.append(invalid(f"{path}.handSize", hand, f"should not be greater than queues ({queues})"))
    elif required_entropy_bits(queues, hand) > MAX_HASH_BITS:
        problems.append(invalid(f"{path}.handSize", hand, f"required entropy bits of deckSize {queues} and "
                                                          f"handSize {hand} should not be greater than {MAX_HASH_BITS}"))
    return problems


@mirrors("k8s.io/apiserver/pkg/util/shufflesharding.RequiredEntropyBits")
def required_entropy_bits(deck_size: int, hand_size: int) -> int:
    return int(math.ceil(hand_size * math.log2(deck_size)))


@mirrors("k8s.io/kubernetes/pkg/apis/flowcontrol/v1beta2.SetDefaults_LimitedPriorityLevelConfiguration",
         "k8s.io/kubernetes/pkg/apis/flowcontrol/v1beta2.SetDefaults_QueuingConfiguration")
def priority_level(obj: dict, spec: dict) -> None:
    limited = spec.get("limited")
    if not isinstance(limited, dict):
        return
    if not limited.get("assuredConcurrencyShares"):
        limited["assuredConcurrencyShares"] = 30
    limited.setdefault("limitResponse", {})
    queuing = limited["limitResponse"].get("queuing")
    if isinstance(queuing, dict):
        for field, value in (("queues", 64), ("handSize", 8), ("queueLengthLimit", 50)):
            if not queuing.get(field):
                queuing[field] = value


# --- served resources ------------------------------------------------------------------------------


def _deprecation(version: str, kind: str, deprecated: str, removed: str) -> str:
    return f"{GROUP}/{version} {kind} is deprecated in v{deprecated}+, unavailable in v{removed}+"


def _as_version(api_version: str):
    return lambda obj: {**obj, "apiVersion": api_version}


# v1beta1 has v1beta2's fields, and is the version 1.24 stores (the group's first version
# priority): a v1beta2 object differs from its stored form only in its apiVersion. Each version
# reads with its own apiVersion stamped, v1beta1 too: an older reference server stored v1beta2.
STORAGE_VERSION = f"{GROUP}/v1beta1"


def _codec(version: str) -> Codec:
    return Codec(_as_version(STORAGE_VERSION), _as_version(f"{GROUP}/{version}"))


def _resources(version: str, deprecated: str, removed: str) -> tuple[Resource, ...]:
    codec, stored_as = _codec(version), STORAGE_VERSION
    return (
        Resource(GROUP, version, "FlowSchema", "flowschemas", "flowschema", False, subresources=("status",),
                 tracks_generation=True, status_reset_on_update=True, storage_codec=codec, stored_as=stored_as,
                 deprecation_warning=_deprecation(version, "FlowSchema", deprecated, removed),
                 validator=validate_flow_schema, validate_status_update=validate_status_update,
                 update_metadata_checks=UpdateMetadataChecks(full=1, update=0)),
        Resource(GROUP, version, "PriorityLevelConfiguration", "prioritylevelconfigurations",
                 "prioritylevelconfiguration", False, subresources=("status",), tracks_generation=True,
                 status_reset_on_update=True, storage_codec=codec, stored_as=stored_as,
                 deprecation_warning=_deprecation(version, "PriorityLevelConfiguration", deprecated, removed),
                 validator=validate_priority_level, validate_status_update=validate_status_update,
                 update_metadata_checks=UpdateMetadataChecks(full=1, update=0)),
    )


RESOURCES = (*_resources("v1beta2", "1.26", "1.29"), *_resources("v1beta1", "1.23", "1.26"))


DEFAULTS = {"FlowSchema": flow_schema, "PriorityLevelConfiguration": priority_level}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printFlowSchema")
def flow_schema_row(schema: dict, now: float) -> list:
    """MISSINGPL is the Dangling condition's status, `?` without one."""
    spec = part(schema, "spec")
    method = spec.get("distinguisherMethod")
    missing = next((c.get("status", "") for c in part(schema, "status").get("conditions") or []
                    if isinstance(c, dict) and c.get("type") == "Dangling"), "?")
    return [name_cell(schema), part(spec, "priorityLevelConfiguration").get("name", ""),
            spec.get("matchingPrecedence") or 0, method.get("type", "") if isinstance(method, dict) else "<none>",
            age_cell(schema, now), missing]


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printPriorityLevelConfiguration")
def priority_level_row(level: dict, now: float) -> list:
    """The limits of a Limited level, `<none>` for what it does not have."""
    spec = part(level, "spec")
    limited = spec.get("limited")
    shares = queues = hand = length = "<none>"
    if isinstance(limited, dict):
        shares = limited.get("assuredConcurrencyShares") or 0
        queuing = part(limited, "limitResponse").get("queuing")
        if isinstance(queuing, dict):
            queues, hand, length = (queuing.get(k) or 0 for k in ("queues", "handSize", "queueLengthLimit"))
    return [name_cell(level), spec.get("type", ""), shares, queues, hand, length, age_cell(level, now)]


PRINTERS = {
    "FlowSchema": ([NAME, ("PriorityLevel", "string", 0, "The priority level the matched requests are assigned."),
                    ("MatchingPrecedence", "string", 0, "Which schema matches first: the lowest."),
                    ("DistinguisherMethod", "string", 0, "How the flows of the matched requests are told apart."),
                    AGE, ("MissingPL", "string", 0, "references a broken or non-existent PriorityLevelConfiguration")],
                   flow_schema_row),
    "PriorityLevelConfiguration": (
        [NAME, ("Type", "string", 0, "Exempt or Limited."),
         ("AssuredConcurrencyShares", "string", 0, "The level's share of the server's concurrency limit."),
         ("Queues", "string", 0, "The number of queues."), ("HandSize", "string", 0, "The queues a flow is dealt."),
         ("QueueLengthLimit", "string", 0, "The requests a queue may hold."), AGE],
        priority_level_row),
}


@mirrors("(k8s.io/kubernetes/pkg/apis/flowcontrol/util.FlowSchemaSequence).Less")
def flow_schema_order(schema: dict) -> tuple[int, str]:
    """printFlowSchemaList's order: lowest matchingPrecedence first, then by name."""
    return part(schema, "spec").get("matchingPrecedence") or 0, name_cell(schema)


LIST_ORDERS = {"FlowSchema": flow_schema_order}


def _definitions(prefix: str, version: str) -> dict:
    return {
        prefix + "FlowSchema": kind(
            GROUP, version, "FlowSchema", "Which requests belong to which flow at which priority level.",
            spec=ref(prefix + "FlowSchemaSpec", "The schema's rules."),
            status=ref(prefix + "FlowSchemaStatus", "The schema's conditions.")),
        prefix + "FlowSchemaSpec": obj(
            "The rules of a FlowSchema.", ("priorityLevelConfiguration",),
            priorityLevelConfiguration=ref(prefix + "PriorityLevelConfigurationReference", "The priority level."),
            matchingPrecedence=integer("Which schema matches first: the lowest (default 1000)."),
            distinguisherMethod=ref(prefix + "FlowDistinguisherMethod", "How flows are told apart."),
            rules=arr(ref(prefix + "PolicyRulesWithSubjects"), "The rules; a request matches one.",
                      list_type="atomic")),
        prefix + "PriorityLevelConfigurationReference": obj(
            "A priority level by name.", ("name",), name=string("The priority level's name.")),
        prefix + "FlowDistinguisherMethod": obj(
            "How flows are told apart.", ("type",), type=string("ByUser or ByNamespace.")),
        prefix + "PolicyRulesWithSubjects": obj(
            "Rules and the subjects they hold for.", ("subjects",),
            subjects=arr(ref(prefix + "Subject"), "Who makes the requests.", list_type="atomic"),
            resourceRules=arr(ref(prefix + "ResourcePolicyRule"), "Resource requests.", list_type="atomic"),
            nonResourceRules=arr(ref(prefix + "NonResourcePolicyRule"), "Non-resource requests.",
                                 list_type="atomic")),
        prefix + "Subject": obj(
            "A user, group or service account.", ("kind",), kind=string("User, Group or ServiceAccount."),
            user=ref(prefix + "UserSubject", "The user."), group=ref(prefix + "GroupSubject", "The group."),
            serviceAccount=ref(prefix + "ServiceAccountSubject", "The service account.")),
        prefix + "UserSubject": obj("A user.", ("name",), name=string("The user's name, or *.")),
        prefix + "GroupSubject": obj("A group.", ("name",), name=string("The group's name, or *.")),
        prefix + "ServiceAccountSubject": obj(
            "A service account.", ("namespace", "name"), namespace=string("Its namespace."),
            name=string("Its name, or *.")),
        prefix + "ResourcePolicyRule": obj(
            "Which resource requests match.", ("verbs", "apiGroups", "resources"),
            verbs=arr(string(""), "The verbs, or *.", list_type="set"),
            apiGroups=arr(string(""), "The API groups, or *.", list_type="set"),
            resources=arr(string(""), "The resources, or *.", list_type="set"),
            clusterScope=boolean("Whether cluster-scoped requests match."),
            namespaces=arr(string(""), "The namespaces, or *.", list_type="set")),
        prefix + "NonResourcePolicyRule": obj(
            "Which non-resource requests match.", ("verbs", "nonResourceURLs"),
            verbs=arr(string(""), "The verbs, or *.", list_type="set"),
            nonResourceURLs=arr(string(""), "The URL paths, or *.", list_type="set")),
        prefix + "FlowSchemaStatus": obj("The state of a FlowSchema.", conditions=_conditions(
            prefix + "FlowSchemaCondition")),
        prefix + "FlowSchemaCondition": _condition("FlowSchema"),
        prefix + "FlowSchemaList": list_kind(GROUP, version, prefix + "FlowSchema"),
        prefix + "PriorityLevelConfiguration": kind(
            GROUP, version, "PriorityLevelConfiguration", "A priority level and its limits.",
            spec=ref(prefix + "PriorityLevelConfigurationSpec", "The level's limits."),
            status=ref(prefix + "PriorityLevelConfigurationStatus", "The level's conditions.")),
        prefix + "PriorityLevelConfigurationSpec": obj(
            "The limits of a priority level.", ("type",), type=string("Exempt or Limited."),
            limited=ref(prefix + "LimitedPriorityLevelConfiguration", "The limits of a Limited level.")),
        prefix + "LimitedPriorityLevelConfiguration": obj(
            "How a Limited level shares the server's concurrency.",
            assuredConcurrencyShares=integer("The level's share (default 30)."),
            limitResponse=ref(prefix + "LimitResponse", "What happens to a request beyond the limit.")),
        prefix + "LimitResponse": obj(
            "Queue or Reject the requests beyond the limit.", ("type",), type=string("Queue or Reject."),
            queuing=ref(prefix + "QueuingConfiguration", "The queues of a Queue response.")),
        prefix + "QueuingConfiguration": obj(
            "Shuffle-sharded queues.", queues=integer("The number of queues (default 64)."),
            handSize=integer("The queues a flow is dealt (default 8)."),
            queueLengthLimit=integer("The requests a queue may hold (default 50).")),
        prefix + "PriorityLevelConfigurationStatus": obj("The state of a priority level.", conditions=_conditions(
            prefix + "PriorityLevelConfigurationCondition")),
        prefix + "PriorityLevelConfigurationCondition": _condition("PriorityLevelConfiguration"),
        prefix + "PriorityLevelConfigurationList": list_kind(GROUP, version, prefix + "PriorityLevelConfiguration"),
    }


def _conditions(definition: str) -> dict:
    return arr(ref(definition), "Its conditions.", map_keys=("type",))


def _condition(kind: str) -> dict:
    return obj(f"One condition of a {kind}.", type=string("The condition's type."),
               status=string("True, False or Unknown."),
               lastTransitionTime=ref(META + "Time", "When the status last changed."),
               reason=string("Why, in CamelCase."), message=string("Why, for people."))


DEFINITIONS = {**_definitions(V1BETA2, "v1beta2"), **_definitions(V1BETA1, "v1beta1")}


# The pointers to structs, and the named string types (`v1beta2.SubjectKind`), that a decoding
# error names.
GO_TYPES = {prefix + definition: {field: go_type.replace("*", f"*{version}.") if go_type.startswith("*")
                                  else f"{version}.{go_type}" for field, go_type in fields.items()}
            for prefix, version in ((V1BETA2, "v1beta2"), (V1BETA1, "v1beta1"))
            for definition, fields in {
                "FlowSchemaSpec": {"distinguisherMethod": "*FlowDistinguisherMethod"},
                "FlowDistinguisherMethod": {"type": "FlowDistinguisherMethodType"},
                "Subject": {"kind": "SubjectKind", "user": "*UserSubject", "group": "*GroupSubject",
                            "serviceAccount": "*ServiceAccountSubject"},
                "FlowSchemaCondition": {"type": "FlowSchemaConditionType", "status": "ConditionStatus"},
                "PriorityLevelConfigurationSpec": {"type": "PriorityLevelEnablement",
                                                   "limited": "*LimitedPriorityLevelConfiguration"},
                "LimitResponse": {"type": "LimitResponseType", "queuing": "*QueuingConfiguration"},
                "PriorityLevelConfigurationCondition": {"type": "PriorityLevelConfigurationConditionType",
                                                        "status": "ConditionStatus"}}.items()}


_MESSAGES = """
flowcontrol.VERSION.FlowDistinguisherMethod: 1 type! string
flowcontrol.VERSION.FlowSchema: 1 metadata! meta.ObjectMeta; 2 spec! flowcontrol.VERSION.FlowSchemaSpec;
    3 status! flowcontrol.VERSION.FlowSchemaStatus
flowcontrol.VERSION.FlowSchemaCondition: 1 type? string; 2 status? string; 3 lastTransitionTime! meta.Time;
    4 reason? string; 5 message? string
flowcontrol.VERSION.FlowSchemaList: 1 metadata! meta.ListMeta; 2 items* []flowcontrol.VERSION.FlowSchema
flowcontrol.VERSION.FlowSchemaSpec: 1 priorityLevelConfiguration! flowcontrol.VERSION.PriorityLevelConfigurationReference;
    2 matchingPrecedence! int32; 3 distinguisherMethod flowcontrol.VERSION.FlowDistinguisherMethod;
    4 rules? []flowcontrol.VERSION.PolicyRulesWithSubjects
flowcontrol.VERSION.FlowSchemaStatus: 1 conditions? []flowcontrol.VERSION.FlowSchemaCondition
flowcontrol.VERSION.GroupSubject: 1 name! string
flowcontrol.VERSION.LimitResponse: 1 type! string; 2 queuing flowcontrol.VERSION.QueuingConfiguration
flowcontrol.VERSION.LimitedPriorityLevelConfiguration: 1 assuredConcurrencyShares! int32;
    2 limitResponse! flowcontrol.VERSION.LimitResponse
flowcontrol.VERSION.NonResourcePolicyRule: 1 verbs* []string; 6 nonResourceURLs* []string
flowcontrol.VERSION.PolicyRulesWithSubjects: 1 subjects* []flowcontrol.VERSION.Subject;
    2 resourceRules? []flowcontrol.VERSION.ResourcePolicyRule;
    3 nonResourceRules? []flowcontrol.VERSION.NonResourcePolicyRule
flowcontrol.VERSION.PriorityLevelConfiguration: 1 metadata! meta.ObjectMeta;
    2 spec! flowcontrol.VERSION.PriorityLevelConfigurationSpec;
    3 status! flowcontrol.VERSION.PriorityLevelConfigurationStatus
flowcontrol.VERSION.PriorityLevelConfigurationCondition: 1 type? string; 2 status? string;
    3 lastTransitionTime! meta.Time; 4 reason? string; 5 message? string
flowcontrol.VERSION.PriorityLevelConfigurationList: 1 metadata! meta.ListMeta;
    2 items* []flowcontrol.VERSION.PriorityLevelConfiguration
flowcontrol.VERSION.PriorityLevelConfigurationReference: 1 name! string
flowcontrol.VERSION.PriorityLevelConfigurationSpec: 1 type! string;
    2 limited flowcontrol.VERSION.LimitedPriorityLevelConfiguration
flowcontrol.VERSION.PriorityLevelConfigurationStatus: 1 conditions? []flowcontrol.VERSION.PriorityLevelConfigurationCondition
flowcontrol.VERSION.QueuingConfiguration: 1 queues! int32; 2 handSize! int32; 3 queueLengthLimit! int32
flowcontrol.VERSION.ResourcePolicyRule: 1 verbs* []string; 2 apiGroups* []string; 3 resources* []string;
    4 clusterScope? bool; 5 namespaces* []string
flowcontrol.VERSION.ServiceAccountSubject: 1 namespace! string; 2 name! string
flowcontrol.VERSION.Subject: 1 kind! string; 2 user flowcontrol.VERSION.UserSubject;
    3 group flowcontrol.VERSION.GroupSubject; 4 serviceAccount flowcontrol.VERSION.ServiceAccountSubject
flowcontrol.VERSION.UserSubject: 1 name! string
"""
MESSAGES = "\n".join(_MESSAGES.strip().replace("VERSION", version) for version in ("v1beta2", "v1beta1"))
