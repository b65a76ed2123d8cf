"""Authorization: may this user do this verb on this resource (or non-resource URL)?

Mirrors the kube-apiserver's `--authorization-mode=RBAC` chain: first the privileged-group
authorizer (group system:masters may do anything), then the RBAC authorizer
(kubernetes/plugin/pkg/auth/authorizer/rbac). RBAC walks every ClusterRoleBinding, then, for a
namespaced request, every RoleBinding in that namespace; a binding whose subjects include the user
contributes the rules of the Role or ClusterRole it references, and the first rule that covers the
request allows it. RBAC only ever allows: anything no rule covers is denied with "no opinion".

Rules are the PolicyRule dicts stored in Role and ClusterRole objects (`verbs`, `apiGroups`,
`resources`, `resourceNames`, `nonResourceURLs`). The authorizer reads roles and bindings through an
`RBACSource`; `RegistrySource` reads them from the registry, tests use `StaticSource`, and the
authorizer `new_authorizer` builds sees either through a `ListerSource`, as upstream's reads listers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol, Sequence

from reference_impl.apiserver.core.errors import StatusError, aggregate, not_found
from reference_impl.machinery import gojson
from reference_impl.mirrors import mirrors

VERB_ALL = API_GROUP_ALL = RESOURCE_ALL = NON_RESOURCE_ALL = "*"
SYSTEM_PRIVILEGED_GROUP = "system:masters"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
RBAC_GROUP = "rbac.authorization.k8s.io"


@dataclass(frozen=True)
class AttributesRecord:
    """authorizer.AttributesRecord: one request as the authorizer sees it. `verb` is the Kubernetes
    verb (get, list, watch, create, update, patch, delete, deletecollection) for resource requests
    and the lower-case HTTP method for non-resource ones."""

    user: object  # has .name and .groups
    verb: str
    namespace: str = ""
    api_group: str = ""
    api_version: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    path: str = ""
    is_resource_request: bool = True


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/v1.VerbMatches")
def verb_matches(rule: dict, verb: str) -> bool:
    return any(v == VERB_ALL or v == verb for v in rule.get("verbs") or ())


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/v1.APIGroupMatches")
def api_group_matches(rule: dict, group: str) -> bool:
    return any(g == API_GROUP_ALL or g == group for g in rule.get("apiGroups") or ())


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/v1.ResourceMatches")
def resource_matches(rule: dict, combined_resource: str, subresource: str) -> bool:
    """`*`, the exact `resource` or `resource/subresource`, or `*/subresource` for any resource's
    subresource. A rule for `pods` does not cover `pods/status`."""
    for resource in rule.get("resources") or ():
        if resource in (RESOURCE_ALL, combined_resource):
            return True
        if subresource and resource == "*/" + subresource:
            return True
    return False


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/v1.ResourceNameMatches")
def resource_name_matches(rule: dict, name: str) -> bool:
    """No resourceNames means any name; otherwise the request's name must be listed, so a list,
    watch or create (which carry no name) never matches a rule that names objects."""
    names = rule.get("resourceNames") or ()
    return not names or name in names


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/v1.NonResourceURLMatches")
def non_resource_url_matches(rule: dict, path: str) -> bool:
    """`*`, the exact path, or a prefix ending in `*` (`/apis/*` covers `/apis/apps`)."""
    for url in rule.get("nonResourceURLs") or ():
        if url in (NON_RESOURCE_ALL, path):
            return True
        if url.endswith("*") and path.startswith(url.rstrip("*")):
            return True
    return False


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.RuleAllows")
def rule_allows(attributes: AttributesRecord, rule: dict) -> bool:
    if attributes.is_resource_request:
        combined = attributes.resource
        if attributes.subresource:
            combined = f"{attributes.resource}/{attributes.subresource}"
        return (verb_matches(rule, attributes.verb)
                and api_group_matches(rule, attributes.api_group)
                and resource_matches(rule, combined, attributes.subresource)
                and resource_name_matches(rule, attributes.name))
    return verb_matches(rule, attributes.verb) and non_resource_url_matches(rule, attributes.path)


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.RulesAllow")
def rules_allow(attributes: AttributesRecord, rules: Sequence[dict]) -> bool:
    return any(rule_allows(attributes, rule) for rule in rules)


@mirrors("k8s.io/kubernetes/pkg/registry/rbac/validation.appliesToUser")
def applies_to_user(user: object, subject: dict, namespace: str) -> bool:
    """User and Group subjects match by name; a ServiceAccount subject matches the user
    `system:serviceaccount:<ns>:<name>`, its namespace defaulting to the binding's."""
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return user.name == name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        sa_namespace = subject.get("namespace") or namespace
        return bool(sa_namespace) and user.name == f"{SERVICE_ACCOUNT_PREFIX}{sa_namespace}:{name}"
    return False


@mirrors("k8s.io/kubernetes/pkg/registry/rbac/validation.appliesTo")
def applies_to(user: object, subjects: Sequence[dict], namespace: str) -> dict | None:
    """The first subject that names the user, or None."""
    return next((s for s in subjects if applies_to_user(user, s, namespace)), None)


class RBACSource(Protocol):
    """Where the authorizer reads roles and bindings (upstream: four informer listers). Getters
    raise StatusError (404) for a missing role."""

    def get_role(self, namespace: str, name: str) -> dict: ...
    def list_role_bindings(self, namespace: str) -> list[dict]: ...
    def get_cluster_role(self, name: str) -> dict: ...
    def list_cluster_role_bindings(self) -> list[dict]: ...


@dataclass
class StaticSource:
    """Roles and bindings held in lists, as in upstream's validation.StaticRoles (for tests)."""

    roles: list[dict] = field(default_factory=list)
    role_bindings: list[dict] = field(default_factory=list)
    cluster_roles: list[dict] = field(default_factory=list)
    cluster_role_bindings: list[dict] = field(default_factory=list)

    def get_role(self, namespace: str, name: str) -> dict:
        return _find(self.roles, "roles", name, namespace)

    def list_role_bindings(self, namespace: str) -> list[dict]:
        return [b for b in self.role_bindings if b["metadata"].get("namespace") == namespace]

    def get_cluster_role(self, name: str) -> dict:
        return _find(self.cluster_roles, "clusterroles", name)

    def list_cluster_role_bindings(self) -> list[dict]:
        return list(self.cluster_role_bindings)


def _find(objects: list[dict], resource: str, name: str, namespace: str | None = None) -> dict:
    for obj in objects:
        meta = obj["metadata"]
        if meta["name"] == name and (namespace is None or meta.get("namespace") == namespace):
            return obj
    raise StatusError(404, "NotFound", f'{resource}.{RBAC_GROUP} "{name}" not found')


class RegistrySource:
    """Roles and bindings read through the registry on every request (no informer cache)."""

    def __init__(self, registry: object) -> None:
        self.registry = registry

    def get_role(self, namespace: str, name: str) -> dict:
        return self.registry.get("roles", namespace, name)

    def list_role_bindings(self, namespace: str) -> list[dict]:
        return self.registry.list("rolebindings", namespace)["items"]

    def get_cluster_role(self, name: str) -> dict:
        return self.registry.get("clusterroles", None, name)

    def list_cluster_role_bindings(self) -> list[dict]:
        return self.registry.list("clusterrolebindings")["items"]


class ListerSource:
    """What the RBAC authorizer reads: another source as kube-apiserver's informer listers serve it.
    A generated lister's missing object is NewNotFound of the singular resource
    (`clusterrole.rbac.authorization.k8s.io "x" not found`), where storage says `clusterroles`."""

    def __init__(self, storage: RBACSource) -> None:
        self.storage = storage

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.RoleGetter).GetRole")
    def get_role(self, namespace: str, name: str) -> dict:
        try:
            return self.storage.get_role(namespace, name)
        except StatusError as err:
            if err.code != 404:
                raise
            raise not_found("role", name, RBAC_GROUP) from None

    def list_role_bindings(self, namespace: str) -> list[dict]:
        return self.storage.list_role_bindings(namespace)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.ClusterRoleGetter).GetClusterRole")
    def get_cluster_role(self, name: str) -> dict:
        try:
            return self.storage.get_cluster_role(name)
        except StatusError as err:
            if err.code != 404:
                raise
            raise not_found("clusterrole", name, RBAC_GROUP) from None

    def list_cluster_role_bindings(self) -> list[dict]:
        return self.storage.list_cluster_role_bindings()


@dataclass
class Rules:
    """What a rule resolver answers (authorizer.RuleResolver.RulesFor): the rules that apply to a
    user in a namespace, whether that list may be short, and the errors met collecting it."""

    resource_rules: list[dict] = field(default_factory=list)
    non_resource_rules: list[dict] = field(default_factory=list)
    incomplete: bool = False
    evaluation_error: str = ""


Visit = tuple[str, "dict | None", "str | None"]  # (source description, rule, error)


class RBACAuthorizer:
    """The RBAC authorizer over an RBACSource."""

    def __init__(self, source: RBACSource) -> None:
        self.source = source

    @mirrors("(*k8s.io/kubernetes/pkg/registry/rbac/validation.DefaultRuleResolver).GetRoleReferenceRules")
    def role_reference_rules(self, role_ref: dict, binding_namespace: str) -> list[dict]:
        kind, name = role_ref.get("kind"), role_ref.get("name", "")
        if kind == "Role":
            return self.source.get_role(binding_namespace, name).get("rules") or []
        if kind == "ClusterRole":
            return self.source.get_cluster_role(name).get("rules") or []
        raise ValueError(f"unsupported role reference kind: {gojson.quote(kind or '')}")

    @mirrors("(*k8s.io/kubernetes/pkg/registry/rbac/validation.DefaultRuleResolver).VisitRulesFor")
    def visit_rules_for(self, user: object, namespace: str) -> Iterator[Visit]:
        """Every rule that applies to `user` in `namespace` (cluster-wide ones first), with where it
        came from; errors (a binding to a missing role) come through as visits with no rule."""
        scopes: list[tuple[str, Callable[[], list[dict]], str]] = [
            ("ClusterRoleBinding", self.source.list_cluster_role_bindings, "")]
        if namespace:
            scopes.append(("RoleBinding", lambda: self.source.list_role_bindings(namespace), namespace))
        for kind, list_bindings, binding_namespace in scopes:
            try:
                bindings = list_bindings()
            except StatusError as err:
                yield "", None, str(err)
                continue
            for binding in bindings:
                subject = applies_to(user, binding.get("subjects") or (), binding_namespace)
                if subject is None:
                    continue
                try:
                    rules = self.role_reference_rules(binding.get("roleRef") or {}, binding_namespace)
                except (StatusError, ValueError) as err:
                    yield "", None, str(err)
                    continue
                source = _describe(kind, binding, subject, binding_namespace)
                for rule in rules:
                    yield source, rule, None

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.RBACAuthorizer).Authorize",
             "(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.authorizingVisitor).visit")
    def authorize(self, attributes: AttributesRecord) -> tuple[bool, str]:
        """(True, "RBAC: allowed by ...") for the first rule that covers the request; otherwise
        (False, reason) where the reason lists the errors met on the way, or is empty."""
        errors = []
        for source, rule, error in self.visit_rules_for(attributes.user, attributes.namespace):
            if rule is not None and rule_allows(attributes, rule):
                return True, f"RBAC: allowed by {source}"
            if error:
                errors.append(error)
        if not errors:
            return False, ""
        return False, f"RBAC: {aggregate(errors)}"

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.RBACAuthorizer).RulesFor",
             "(*k8s.io/kubernetes/pkg/registry/rbac/validation.DefaultRuleResolver).RulesFor")
    def rules_for(self, user: object, namespace: str) -> Rules:
        """Every rule that applies, split into resource and non-resource rules (a rule naming both
        lands in each); bindings to missing roles become the evaluation error."""
        rules, errors = Rules(), []
        for _, rule, error in self.visit_rules_for(user, namespace):
            if error:
                errors.append(error)
            if rule is None:
                continue
            if rule.get("resources"):
                resource_rule = {"verbs": list(rule.get("verbs") or [])}
                for key in ("apiGroups", "resources", "resourceNames"):
                    if rule.get(key):
                        resource_rule[key] = list(rule[key])
                rules.resource_rules.append(resource_rule)
            if rule.get("nonResourceURLs"):
                rules.non_resource_rules.append({"verbs": list(rule.get("verbs") or []),
                                                 "nonResourceURLs": list(rule["nonResourceURLs"])})
        rules.evaluation_error = aggregate(errors)
        return rules


@mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.roleBindingDescriber).String",
         "k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.describeSubject")
def _describe(kind: str, binding: dict, subject: dict, binding_namespace: str) -> str:
    """clusterRoleBindingDescriber / roleBindingDescriber: which binding and subject allowed it. A
    ServiceAccount subject is named NAME/NAMESPACE, its namespace defaulting to the binding's."""
    meta, ref = binding.get("metadata", {}), binding.get("roleRef", {})
    where = f"{meta.get('name')}/{meta['namespace']}" if kind == "RoleBinding" else meta.get("name")
    name = subject.get("name")
    if subject.get("kind") == "ServiceAccount":
        name = f"{name}/{subject.get('namespace') or binding_namespace}"
    return f'{kind} "{where}" of {ref.get("kind")} "{ref.get("name")}" to {subject.get("kind")} "{name}"'


class PrivilegedGroupAuthorizer:
    """Members of the privileged groups (system:masters) may do anything."""

    def __init__(self, groups: Sequence[str] = (SYSTEM_PRIVILEGED_GROUP,)) -> None:
        self.groups = frozenset(groups)

    @mirrors("(*k8s.io/apiserver/pkg/authorization/authorizerfactory.privilegedGroupAuthorizer).Authorize")
    def authorize(self, attributes: AttributesRecord) -> tuple[bool, str]:
        return bool(self.groups & set(attributes.user.groups)), ""


class AlwaysAllowAuthorizer:
    """`--authorization-mode=AlwaysAllow`: every request is allowed (what a server without an
    authorizer does)."""

    @mirrors("(k8s.io/apiserver/pkg/authorization/authorizerfactory.alwaysAllowAuthorizer).Authorize")
    def authorize(self, attributes: AttributesRecord) -> tuple[bool, str]:
        return True, ""


class UnionAuthorizer:
    """Ask each authorizer in turn; the first to allow decides. Denials collect their reasons."""

    def __init__(self, authorizers: Sequence[object]) -> None:
        self.authorizers = tuple(authorizers)

    @mirrors("(k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler).Authorize")
    def authorize(self, attributes: AttributesRecord) -> tuple[bool, str]:
        reasons = []
        for authorizer in self.authorizers:
            allowed, reason = authorizer.authorize(attributes)
            if allowed:
                return True, reason
            if reason:
                reasons.append(reason)
        return False, "\n".join(reasons)

    @mirrors("(k8s.io/apiserver/pkg/authorization/union.unionAuthzRulesHandler).RulesFor")
    def rules_for(self, user: object, namespace: str) -> Rules:
        """The rules of every authorizer that can list them (kube-apiserver's rule resolvers: RBAC,
        not the system:masters check, whose members' rules come from cluster-admin's binding)."""
        union, errors = Rules(), []
        for authorizer in self.authorizers:
            if not hasattr(authorizer, "rules_for"):
                continue
            rules = authorizer.rules_for(user, namespace)
            union.resource_rules += rules.resource_rules
            union.non_resource_rules += rules.non_resource_rules
            union.incomplete = union.incomplete or rules.incomplete
            if rules.evaluation_error:
                errors.append(rules.evaluation_error)
        union.evaluation_error = aggregate(errors)
        return union


@mirrors("(k8s.io/kubernetes/pkg/kubeapiserver/authorizer.Config).New")
def new_authorizer(source: RBACSource, node_authorizer: object | None = None) -> UnionAuthorizer:
    """`--authorization-mode=RBAC` as kube-apiserver builds it: system:masters, then RBAC; with a
    node authorizer, kubeadm's `--authorization-mode=Node,RBAC`: system:masters, Node, RBAC."""
    node = [node_authorizer] if node_authorizer is not None else []
    return UnionAuthorizer([PrivilegedGroupAuthorizer(), *node, RBACAuthorizer(ListerSource(source))])

