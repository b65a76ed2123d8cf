"""RBAC escalation prevention: nobody grants permissions they do not hold.

Writing a Role or ClusterRole is allowed when the writer is in system:masters, may `escalate` that
role, or already holds every permission its rules grant; writing a RoleBinding or
ClusterRoleBinding when the writer is in system:masters, may `bind` the referenced role, or holds
every permission that role grants (pkg/registry/rbac/{role,clusterrole,rolebinding,
clusterrolebinding}/policybased). Otherwise 403: "attempting to grant RBAC permissions not
currently held". Held permissions are the rules the RBAC authorizer's resolver finds for the user.
"""
from __future__ import annotations

from typing import Iterator

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.rbac import (RBAC_GROUP, SYSTEM_PRIVILEGED_GROUP, AttributesRecord, ListerSource,
                                                RBACAuthorizer)
from reference_impl.mirrors import mirrors

ROLE_KINDS = {"roles": "Role", "clusterroles": "ClusterRole"}
BINDING_KINDS = {"rolebindings": "RoleBinding", "clusterrolebindings": "ClusterRoleBinding"}


def _simple_rules(rule: dict) -> Iterator[tuple]:
    """pkg/registry/rbac/validation.BreakdownRule: one (group, resource, name, verb) or
    (url, verb) per combination; the name is None for a rule naming no object, as an empty name
    is one a rule may list."""
    verbs = rule.get("verbs") or []
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            for name in rule.get("resourceNames") or [None]:
                for verb in verbs:
                    yield ("resource", group, resource, name, verb)
    for url in rule.get("nonResourceURLs") or []:
        for verb in verbs:
            yield ("url", url, verb)


def _covers_one(owner: dict, simple: tuple) -> bool:
    """validation.ruleCovers: the owner rule grants this one permission."""
    verbs = owner.get("verbs") or []
    if simple[-1] not in verbs and "*" not in verbs:
        return False
    if simple[0] == "url":
        url = simple[1]
        return any(own == "*" or own == url or (own.endswith("*") and url.startswith(own.rstrip("*")))
                   for own in owner.get("nonResourceURLs") or [])
    _, group, resource, name, _ = simple
    groups = owner.get("apiGroups") or []
    if group not in groups and "*" not in groups:
        return False
    resources = owner.get("resources") or []
    _, _, sub = resource.partition("/")
    if not (resource in resources or "*" in resources or (sub and f"*/{sub}" in resources)):
        return False
    names = owner.get("resourceNames") or []
    return not names or (name is not None and name in names)


@mirrors("k8s.io/kubernetes/pkg/registry/rbac/validation.Covers")
def uncovered(owner_rules: list[dict], requested: list[dict]) -> list[dict]:
    """The requested rules (as simple one-permission rules) that no owner rule covers."""
    missing = []
    for rule in requested:
        for simple in _simple_rules(rule):
            if not any(_covers_one(owner, simple) for owner in owner_rules):
                if simple[0] == "url":
                    missing.append({"nonResourceURLs": [simple[1]], "verbs": [simple[2]]})
                else:
                    entry = {"apiGroups": [simple[1]], "resources": [simple[2]], "verbs": [simple[4]]}
                    if simple[3] is not None:
                        entry["resourceNames"] = [simple[3]]
                    missing.append(entry)
    return missing


@mirrors("k8s.io/kubernetes/pkg/registry/rbac/validation.CompactRules")
def compact_rules(rules: list[dict]) -> list[dict]:
    """The one-permission rules `uncovered` returns, merged into one rule per (group, resource,
    name) that holds all their verbs; non-resource rules stay as they are."""
    compacted, simple = [], {}
    for rule in rules:
        if rule.get("nonResourceURLs"):
            compacted.append(rule)
            continue
        key = (rule["apiGroups"][0], rule["resources"][0], tuple(rule.get("resourceNames") or ()))
        if key in simple:
            simple[key]["verbs"] += rule["verbs"]
        else:
            simple[key] = {**rule, "verbs": list(rule["verbs"])}
    return compacted + list(simple.values())


def _describe_rule(rule: dict) -> str:
    """rbacv1helpers.CompactString's shape: {APIGroups:["apps"], Resources:["pods"], Verbs:["get"]}."""
    parts = []
    for key, label in (("apiGroups", "APIGroups"), ("resources", "Resources"), ("resourceNames", "ResourceNames"),
                       ("nonResourceURLs", "NonResourceURLs"), ("verbs", "Verbs")):
        if rule.get(key):
            parts.append(f"{label}:[{' '.join(chr(34) + v + chr(34) for v in rule[key])}]")
    return "{" + ", ".join(parts) + "}"


# What the garbage collector changes on any object; such an update grants nothing.
GC_FIELDS = ("ownerReferences", "finalizers")
# What the server fills in, so a client's copy may lack or differ in it without changing the object.
SERVER_FIELDS = ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields",
                 "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")


@mirrors("k8s.io/kubernetes/pkg/registry/rbac.IsOnlyMutatingGCFields")
def only_mutating_gc_fields(obj: dict, old: dict) -> bool:
    """The update changes nothing but owner references and finalizers."""
    def comparable(value: dict) -> dict:
        metadata = {k: v for k, v in (value.get("metadata") or {}).items() if k not in GC_FIELDS + SERVER_FIELDS}
        return {**{k: v for k, v in value.items() if k not in ("metadata", "apiVersion", "kind")},
                "metadata": metadata}
    return comparable(obj) == comparable(old)


@mirrors("k8s.io/kubernetes/pkg/registry/rbac/clusterrole/policybased.hasAggregationRule")
def has_aggregation_rule(cluster_role: dict | None) -> bool:
    return bool(((cluster_role or {}).get("aggregationRule") or {}).get("clusterRoleSelectors"))


class EscalationCheck:
    """Runs before admission on writes of the four RBAC resources."""

    def __init__(self, authorizer, resolver) -> None:
        self.authorizer = authorizer
        self.resolver = resolver  # has visit_rules_for(user, namespace) and role_reference_rules

    @classmethod
    def for_authorizer(cls, authorizer) -> "EscalationCheck | None":
        """The check over the RBAC authorizer inside `authorizer` (a union), or None without one."""
        candidates = getattr(authorizer, "authorizers", (authorizer,))
        resolver = next((a for a in candidates if hasattr(a, "visit_rules_for")), None)
        if resolver is None:
            return None
        # The registry's policy resolves roles from storage, not from the authorizer's listers.
        source = resolver.source.storage if isinstance(resolver.source, ListerSource) else resolver.source
        return cls(authorizer, RBACAuthorizer(source))

    def _allowed(self, user, verb: str, resource: str, namespace: str, name: str, group: str = RBAC_GROUP) -> bool:
        attributes = AttributesRecord(user, verb, namespace, group, "*", resource, "", name)
        return self.authorizer.authorize(attributes)[0]

    @mirrors("(*k8s.io/kubernetes/pkg/registry/rbac/role/policybased.Storage).Create",
             "(*k8s.io/kubernetes/pkg/registry/rbac/rolebinding/policybased.Storage).Create",
             "k8s.io/kubernetes/pkg/registry/rbac.EscalationAllowed",
             "k8s.io/kubernetes/pkg/registry/rbac.RoleEscalationAuthorized",
             "k8s.io/kubernetes/pkg/registry/rbac.BindingAuthorized")
    def check(self, user, resource, namespace: str, obj: dict | None, old: dict | None = None,
              request_name: str = "") -> None:
        """403 when writing `obj` (a role or binding; `old` for an update) would grant `user` more
        than it holds. `request_name` is the URL's name (none for a create by POST)."""
        if obj is None or resource.group != RBAC_GROUP or user is None:
            return
        plural = resource.plural
        if plural not in ROLE_KINDS and plural not in BINDING_KINDS:
            return
        if SYSTEM_PRIVILEGED_GROUP in (getattr(user, "groups", ()) or ()):
            return
        if old is not None and only_mutating_gc_fields(obj, old):
            return
        name = (obj.get("metadata") or {}).get("name", "")
        namespace = namespace if resource.namespaced else ""
        if plural in ROLE_KINDS:
            # RoleEscalationAuthorized asks about the request's name: none for a POST, the URL's for
            # a PUT, which may create the role.
            if self._allowed(user, "escalate", plural, namespace, request_name):
                return
            rules = [r for r in obj.get("rules") or [] if isinstance(r, dict)]
            self.confirm_no_escalation(user, namespace, plural, name, rules)
            # Upstream asks for `*` on everything here, which includes the `escalate` refused above.
            if plural == "clusterroles" and (has_aggregation_rule(obj) or has_aggregation_rule(old)):
                raise errors.object_forbidden(plural, RBAC_GROUP, name, "must have cluster-admin privileges to use the aggregationRule")
            return
        ref = obj.get("roleRef") or {}
        ref_plural = {"Role": "roles", "ClusterRole": "clusterroles"}.get(ref.get("kind"))
        # BindingAuthorized asks in the binding's namespace, for a ClusterRole too, and in the
        # roleRef's API group, which validation (later) holds to RBAC's; of another kind it allows nothing.
        if ref_plural is not None and self._allowed(user, "bind", ref_plural, namespace, ref.get("name", ""),
                                                    ref.get("apiGroup", "")):
            return
        try:
            rules = self.resolver.role_reference_rules(ref, namespace)  # a missing role is its own 404
        except ValueError as err:
            # GetRoleReferenceRules' plain error, before validation: the real 1.24 server answers it
            # as any error that is no APIStatus, a 500; it is the client's mistake, so a 400 here
            # with the same text (no 5xx for a client's input).
            raise errors.bad_request(str(err)) from None
        self.confirm_no_escalation(user, namespace, plural, name, rules)

    @mirrors("k8s.io/kubernetes/pkg/registry/rbac/validation.ConfirmNoEscalation")
    def confirm_no_escalation(self, user, namespace: str, plural: str, name: str, rules: list[dict]) -> None:
        owner, resolution_errors = [], []
        for _, rule, error in self.resolver.visit_rules_for(user, namespace):
            if rule is not None:
                owner.append(rule)
            if error:
                resolution_errors.append(error)
        missing = uncovered(owner, rules)
        if not missing:
            return
        groups = " ".join(f'"{g}"' for g in getattr(user, "groups", ()))
        descriptions = sorted({_describe_rule(rule) for rule in compact_rules(missing)})
        message = (f'user "{user.name}" (groups=[{groups}]) is attempting to grant RBAC permissions not currently '
                   f"held:\n" + "\n".join(descriptions))
        if resolution_errors:  # RulesFor's aggregate error, printed inside a slice of errors
            message += f"; resolution errors: [{errors.aggregate(resolution_errors)}]"
        raise errors.object_forbidden(plural, RBAC_GROUP, name, message)
