"""The Role, RoleBinding, ClusterRole, ClusterRoleBinding kinds (rbac.authorization.k8s.io/v1): their
resource facts, validation, defaults, OpenAPI schema, printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import META, RBAC, arr, atomic, kind, list_kind, obj, ref, string, strings
from reference_impl.apiserver.core.validation import (converts_to_selector, invalid, label_selector_problems,
                                                    name_problems, required, unsupported)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell
from reference_impl.apiserver.kinds._defaulting import default_zero, object_field
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

GROUP = "rbac.authorization.k8s.io"


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/validation.ValidatePolicyRule")
def _role_rules(obj: dict, namespaced: bool) -> list[str]:
    problems = []
    for i, rule in enumerate(obj.get("rules") or []):
        here = f"rules[{i}]"
        if not rule.get("verbs"):
            problems.append(required(f"{here}.verbs", "verbs must contain at least one value"))
        urls = rule.get("nonResourceURLs")
        if urls:
            if namespaced:
                problems.append(invalid(f"{here}.nonResourceURLs", urls,
                                        "namespaced rules cannot apply to non-resource URLs"))
            if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
                problems.append(invalid(f"{here}.nonResourceURLs", urls,
                                        "rules cannot apply to both regular resources and non-resource URLs"))
            continue
        if not rule.get("apiGroups"):
            problems.append(required(f"{here}.apiGroups", "resource rules must supply at least one api group"))
        if not rule.get("resources"):
            problems.append(required(f"{here}.resources", "resource rules must supply at least one resource"))
    return problems


def validate_role(obj: dict) -> list[str]:
    return _role_rules(obj, namespaced=True)


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/validation.ValidateClusterRole")
def validate_cluster_role(obj: dict) -> list[str]:
    return _role_rules(obj, namespaced=False) + _aggregation_rule(obj.get("aggregationRule"))


def _aggregation_rule(rule: dict | None) -> list[str]:
    """An aggregationRule, once given, names at least one selector, and each one validates and
    converts to a labels.Selector."""
    if rule is None:
        return []
    here = "aggregationRule.clusterRoleSelectors"
    selectors = rule.get("clusterRoleSelectors") or []
    problems = [] if selectors else [required(here, "at least one clusterRoleSelector required if aggregationRule "
                                                    "is non-nil")]
    for i, selector in enumerate(selectors):
        problems += label_selector_problems(selector, f"{here}[{i}]")
        if not converts_to_selector(selector):
            # field.Invalid is handed the nil labels.Selector LabelSelectorAsSelector failed with.
            problems.append(invalid(f"{here}[{i}]", "null", "invalid label selector."))
    return problems


def _binding(obj: dict, role_kinds: tuple[str, ...], namespaced: bool) -> list[str]:
    ref = obj.get("roleRef") or {}
    problems = []
    if ref.get("apiGroup") != "rbac.authorization.k8s.io":
        problems.append(unsupported("roleRef.apiGroup", ref.get("apiGroup", ""),
                                    ("rbac.authorization.k8s.io",)))
    if ref.get("kind") not in role_kinds:
        problems.append(unsupported("roleRef.kind", ref.get("kind", ""), role_kinds))
    if not ref.get("name"):
        problems.append(required("roleRef.name"))
    else:
        problems += name_problems(ref["name"], "path", "roleRef.name")
    for i, subject in enumerate(obj.get("subjects") or []):
        problems += _subject(subject, namespaced, f"subjects[{i}]")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/validation.ValidateRoleBindingSubject")
def _subject(subject: dict, namespaced: bool, here: str) -> list[str]:
    """A ServiceAccount subject names a valid account in the core group, and its namespace where no
    binding namespace stands in for it; a User or Group subject is in the rbac group."""
    problems = []
    name, group = subject.get("name") or "", subject.get("apiGroup") or ""
    if not name:
        problems.append(required(f"{here}.name"))
    kind = subject.get("kind")
    if kind == "ServiceAccount":
        if name:
            problems += name_problems(name, "subdomain", f"{here}.name")
        if group:
            problems.append(unsupported(f"{here}.apiGroup", group, ("",)))
        if not namespaced and not subject.get("namespace"):
            problems.append(required(f"{here}.namespace"))
    elif kind in ("User", "Group"):
        if group != GROUP:
            problems.append(unsupported(f"{here}.apiGroup", group, (GROUP,)))
    else:
        problems.append(unsupported(f"{here}.kind", kind or "", ("ServiceAccount", "User", "Group")))
    return problems


def validate_role_binding(obj: dict) -> list[str]:
    return _binding(obj, ("Role", "ClusterRole"), namespaced=True)


def validate_cluster_role_binding(obj: dict) -> list[str]:
    return _binding(obj, ("ClusterRole",), namespaced=False)


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/validation.ValidateRoleBindingUpdate",
         "k8s.io/kubernetes/pkg/apis/rbac/validation.ValidateClusterRoleBindingUpdate")
def validate_role_ref_immutable(old: dict, new: dict) -> list[str]:
    """The RoleRef struct may not change; the new one is shown as Go's %#v prints it."""
    fields = ("apiGroup", "kind", "name")
    old_ref, new_ref = (tuple((obj.get("roleRef") or {}).get(f) or "" for f in fields) for obj in (old, new))
    if old_ref == new_ref:
        return []
    shown = ", ".join(f"{go_name}:{quote(value)}" for go_name, value in zip(("APIGroup", "Kind", "Name"), new_ref))
    return [f"roleRef: Invalid value: rbac.RoleRef{{{shown}}}: cannot change roleRef"]


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/v1.SetDefaults_RoleBinding",
         "k8s.io/kubernetes/pkg/apis/rbac/v1.SetDefaults_ClusterRoleBinding",
         "k8s.io/kubernetes/pkg/apis/rbac/v1.SetDefaults_Subject")
def binding(obj: dict, spec: dict) -> None:
    """An empty roleRef.apiGroup is rbac's (a missing roleRef is Go's zero struct, defaulted too);
    so is a User's or Group's subject's, while a ServiceAccount's stays the core group."""
    role_ref = object_field(obj, "roleRef")
    if role_ref is not None:
        default_zero(role_ref, "apiGroup", GROUP)
    for subject in obj.get("subjects") or []:
        if isinstance(subject, dict) and subject.get("kind") in ("User", "Group"):
            default_zero(subject, "apiGroup", GROUP)


def role(obj: dict, spec: dict) -> None:
    """`rules` is not omitempty in rbac/v1's Role and ClusterRole: absent, it is Go's nil slice,
    which is written as null."""
    obj["rules"] = obj.get("rules")


def store_empty_rules_as_nil(obj: dict) -> None:
    """An empty list of rules, stored as protobuf (where it is no field at all), reads back as the
    nil slice: the object written back after the write says null. Upstream's strategies have no
    such step; it stands in for the round trip through storage, after the field manager saw []."""
    if obj.get("rules") == []:
        obj["rules"] = None


DEFAULTS = {"RoleBinding": binding, "ClusterRoleBinding": binding, "Role": role, "ClusterRole": role}
NO_SPEC = ("RoleBinding", "ClusterRoleBinding", "Role", "ClusterRole")


RESOURCES = (
    Resource("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", True, name_validation="path-name",
             validator=validate_role, canonicalize=store_empty_rules_as_nil,
             zero_value={"rules": None},
             allow_create_on_update=True,
             update_validator_runs=2, update_metadata_checks=UpdateMetadataChecks(full=2, update=1)),
    Resource("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", True,
             name_validation="path-name", validator=validate_role_binding,
             update_validator=validate_role_ref_immutable,
             zero_value={"roleRef": {"apiGroup": "", "kind": "", "name": ""}},
             allow_create_on_update=True,
             update_validator_runs=2, update_metadata_checks=UpdateMetadataChecks(full=2, update=1)),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", False,
             name_validation="path-name", validator=validate_cluster_role, canonicalize=store_empty_rules_as_nil,
             zero_value={"rules": None},
             allow_create_on_update=True,
             update_validator_runs=2, update_metadata_checks=UpdateMetadataChecks(full=2, update=1)),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
             "clusterrolebinding", False, name_validation="path-name",
             validator=validate_cluster_role_binding, update_validator=validate_role_ref_immutable,
             zero_value={"roleRef": {"apiGroup": "", "kind": "", "name": ""}},
             allow_create_on_update=True,
             update_validator_runs=2, update_metadata_checks=UpdateMetadataChecks(full=2, update=1)),
)


DEFINITIONS = {
    RBAC + "Role": kind("rbac.authorization.k8s.io", "v1", "Role", "Permissions within one namespace.",
                        rules=arr(ref(RBAC + "PolicyRule"), "The permissions granted.")),
    RBAC + "ClusterRole": kind("rbac.authorization.k8s.io", "v1", "ClusterRole",
                               "Permissions across the cluster, or a reusable set of them.",
                               aggregationRule=ref(RBAC + "AggregationRule",
                                                   "Selects ClusterRoles whose rules are combined into this one."),
                               rules=arr(ref(RBAC + "PolicyRule"), "The permissions granted.")),
    RBAC + "AggregationRule": obj(
        "Which ClusterRoles' rules a ClusterRole is made of.",
        clusterRoleSelectors=arr(ref(META + "LabelSelector"), "A ClusterRole matching any of them is aggregated.")),
    RBAC + "RoleBinding": kind("rbac.authorization.k8s.io", "v1", "RoleBinding",
                               "Grants a role's permissions in one namespace.", ("roleRef",),
                               roleRef=ref(RBAC + "RoleRef", "The role granted; cannot change."),
                               subjects=arr(ref(RBAC + "Subject"), "Who is granted the role.")),
    RBAC + "ClusterRoleBinding": kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding",
                                      "Grants a cluster role's permissions cluster-wide.", ("roleRef",),
                                      roleRef=ref(RBAC + "RoleRef", "The cluster role granted; cannot change."),
                                      subjects=arr(ref(RBAC + "Subject"), "Who is granted the role.")),
    RBAC + "PolicyRule": obj(
        "Verbs allowed on resources or non-resource URLs.", ("verbs",),
        apiGroups=strings("API groups of the resources; `\"\"` is the core group."),
        nonResourceURLs=strings("URL paths allowed, for cluster roles."),
        resourceNames=strings("Object names the rule is limited to."),
        resources=strings("Resources the rule applies to; `*` for all."),
        verbs=strings("Verbs allowed; `*` for all.")),
    RBAC + "Subject": atomic(obj(
        "A user, group or service account.", ("kind", "name"),
        apiGroup=string("API group of the subject kind."),
        kind=string("User, Group or ServiceAccount."),
        name=string("Name of the subject."),
        namespace=string("Namespace of a service account."))),
    RBAC + "RoleRef": atomic(obj(
        "The role a binding grants.", ("apiGroup", "kind", "name"),
        apiGroup=string("API group of the role."),
        kind=string("Role or ClusterRole."),
        name=string("Name of the role."))),
    RBAC + "RoleList": list_kind("rbac.authorization.k8s.io", "v1", RBAC + "Role"),
    RBAC + "RoleBindingList": list_kind("rbac.authorization.k8s.io", "v1", RBAC + "RoleBinding"),
    RBAC + "ClusterRoleList": list_kind("rbac.authorization.k8s.io", "v1", RBAC + "ClusterRole"),
    RBAC + "ClusterRoleBindingList": list_kind("rbac.authorization.k8s.io", "v1", RBAC + "ClusterRoleBinding"),
}


GO_TYPES = {
    RBAC + "ClusterRole": {"aggregationRule": "*v1.AggregationRule"},
}


def _binding_row(obj: dict, now: float) -> list:
    ref = obj.get("roleRef") or {}
    subjects = obj.get("subjects") or []

    def names(kind: str) -> str:
        return ", ".join((f"{s.get('namespace', '')}/{s['name']}" if kind == "ServiceAccount" else s["name"])
                         for s in subjects if s.get("kind") == kind)

    return [name_cell(obj), f"{ref.get('kind')}/{ref.get('name')}", age_cell(obj, now),
            names("User"), names("Group"), names("ServiceAccount")]


BINDING_COLUMNS = [NAME, ("Role", "string", 0, "The role that is bound."), AGE,
                   ("Users", "string", 1, "Bound users"), ("Groups", "string", 1, "Bound groups"),
                   ("ServiceAccounts", "string", 1, "Bound service accounts")]


PRINTERS = {
    "RoleBinding": (BINDING_COLUMNS, _binding_row),
    "ClusterRoleBinding": (BINDING_COLUMNS, _binding_row),
}


MESSAGES = """
rbac.AggregationRule: 1 clusterRoleSelectors? []meta.LabelSelector
rbac.ClusterRole: 1 metadata! meta.ObjectMeta; 2 rules* []rbac.PolicyRule; 3 aggregationRule rbac.AggregationRule
rbac.ClusterRoleBinding: 1 metadata! meta.ObjectMeta; 2 subjects? []rbac.Subject; 3 roleRef! rbac.RoleRef
rbac.ClusterRoleBindingList: 1 metadata! meta.ListMeta; 2 items* []rbac.ClusterRoleBinding
rbac.ClusterRoleList: 1 metadata! meta.ListMeta; 2 items* []rbac.ClusterRole
rbac.PolicyRule: 1 verbs* []string; 2 apiGroups? []string; 3 resources? []string; 4 resourceNames? []string;
    5 nonResourceURLs? []string
rbac.Role: 1 metadata! meta.ObjectMeta; 2 rules* []rbac.PolicyRule
rbac.RoleBinding: 1 metadata! meta.ObjectMeta; 2 subjects? []rbac.Subject; 3 roleRef! rbac.RoleRef
rbac.RoleBindingList: 1 metadata! meta.ListMeta; 2 items* []rbac.RoleBinding
rbac.RoleList: 1 metadata! meta.ListMeta; 2 items* []rbac.Role
rbac.RoleRef: 1 apiGroup! string; 2 kind! string; 3 name! string
rbac.Subject: 1 kind! string; 2 apiGroup? string; 3 name! string; 4 namespace? string
"""
