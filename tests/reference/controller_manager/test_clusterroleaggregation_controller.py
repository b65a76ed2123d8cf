"""The clusterrole-aggregation controller (pkg/controller/clusterroleaggregation): a ClusterRole
with an aggregationRule holds the rules of every other ClusterRole its selectors match. One rule
per test, sans-IO over the bootstrap policy's roles."""
from __future__ import annotations

from reference_impl.apiserver.core import bootstrappolicy
from reference_impl.controller_manager.clusterroleaggregation import FIELD_MANAGER, sync_cluster_role
from reference_impl.machinery.actions import Apply

TO_ADMIN = {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}
CRONTABS = {"verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
            "apiGroups": ["stable.example.com"], "resources": ["crontabs"]}


def cluster_role(name, rules, labels=None):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, "labels": dict(labels or {})}, "rules": rules}


def bootstrap_roles():
    return bootstrappolicy.cluster_roles()


def aggregating(name, rules, labels=None):
    """A ClusterRole gathering the roles labelled aggregate-to-admin."""
    selectors = [{"matchLabels": TO_ADMIN}]
    return {**cluster_role(name, rules, labels), "aggregationRule": {"clusterRoleSelectors": selectors}}


def by_name(roles, name):
    return next(role for role in roles if role["metadata"]["name"] == name)


def test_admin_is_filled_from_a_new_cluster_role_labelled_aggregate_to_admin():
    """A ClusterRole labelled rbac.authorization.k8s.io/aggregate-to-admin=true adds its rules to
    admin, after those of the roles before it by name (edit, system:aggregate-to-admin)."""
    roles = [*bootstrap_roles(), cluster_role("zz-crontabs-admin", [CRONTABS], TO_ADMIN)]
    [action] = sync_cluster_role("admin", roles)
    assert isinstance(action, Apply)
    assert (action.resource, action.name, action.field_manager, action.force) == \
        ("clusterroles", "admin", FIELD_MANAGER, True)
    assert action.obj["rules"][-1] == CRONTABS
    assert action.obj["rules"][:-1] == by_name(roles, "system:aggregate-to-admin")["rules"]


def test_rules_come_from_the_matched_roles_sorted_by_name_without_duplicates():
    """Matches are taken by name; a rule already gathered is not repeated."""
    roles = [cluster_role("b", [CRONTABS, {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}], TO_ADMIN),
             cluster_role("a", [CRONTABS], TO_ADMIN),
             aggregating("admin", [])]
    [action] = sync_cluster_role("admin", roles)
    assert action.obj["rules"] == [CRONTABS, {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]


def test_an_aggregated_role_never_aggregates_itself():
    """A role whose own labels match its selector is skipped."""
    assert sync_cluster_role("admin", [aggregating("admin", [], TO_ADMIN)]) == []


def test_rules_already_aggregated_need_no_apply():
    """When the gathered rules equal the stored ones there is nothing to send."""
    roles = [cluster_role("a", [CRONTABS], TO_ADMIN),
             aggregating("admin", [CRONTABS])]
    assert sync_cluster_role("admin", roles) == []


def test_a_role_without_aggregation_rule_or_gone_is_left_alone():
    roles = bootstrap_roles()
    assert sync_cluster_role("system:kube-dns", roles) == []
    assert sync_cluster_role("no-such-role", roles) == []


def test_view_edit_admin_chain_up():
    """view's rules flow into edit and edit's into admin: each pass fills one level more."""
    roles = bootstrap_roles()
    for _ in range(3):
        for name in ("view", "edit", "admin"):
            for action in sync_cluster_role(name, roles):
                by_name(roles, name)["rules"] = action.obj["rules"]
    view, admin = by_name(roles, "view")["rules"], by_name(roles, "admin")["rules"]
    assert view == by_name(roles, "system:aggregate-to-view")["rules"]
    assert all(rule in admin for rule in view)
    assert not any("secrets" in rule.get("resources", ()) for rule in view)


def test_no_gathered_rules_leave_the_rules_field_out_of_the_apply():
    """toApplyPolicyRules of nothing is a nil slice, which the apply configuration omits: an
    aggregated role that matches nothing (or only itself) is applied without `rules`, so that the
    rules another manager wrote into it stay (the real 1.24 controller leaves them)."""
    own = [{"verbs": ["list"], "apiGroups": [""], "resources": ["secrets"]}]
    [action] = sync_cluster_role("admin", [aggregating("admin", own, TO_ADMIN)])
    assert "rules" not in action.obj
    [action] = sync_cluster_role("admin", [aggregating("admin", own), cluster_role("other", own, {"x": "y"})])
    assert action.obj == {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                          "metadata": {"name": "admin"}}
