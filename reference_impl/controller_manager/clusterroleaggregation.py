"""The clusterrole-aggregation controller (pkg/controller/clusterroleaggregation): a ClusterRole
with an aggregationRule (admin, edit, view, or any an administrator writes) holds the rules of
every other ClusterRole one of its clusterRoleSelectors matches. Any ClusterRole change may change
any aggregated role, so each change enqueues every aggregated role; the sync of one role gathers
the matched roles' rules, in name order without repeats, and server-side applies them when they
differ from the stored ones.
"""
from __future__ import annotations

from reference_impl.machinery.actions import Apply
from reference_impl.machinery.labels import selector_matches
from reference_impl.mirrors import mirrors

FIELD_MANAGER = "clusterrole-aggregation-controller"


@mirrors("(*k8s.io/kubernetes/pkg/controller/clusterroleaggregation.ClusterRoleAggregationController).enqueue")
def aggregated_role_names(cluster_roles: list[dict]) -> list[str]:
    """The keys one ClusterRole event enqueues: every role with an aggregationRule."""
    return [role["metadata"]["name"] for role in cluster_roles if role.get("aggregationRule") is not None]


@mirrors("(*k8s.io/kubernetes/pkg/controller/clusterroleaggregation.ClusterRoleAggregationController).syncClusterRole")
def sync_cluster_role(name: str, cluster_roles: list[dict]) -> list[Apply]:
    """An apply of the aggregated rules of the role `name`; none when it is gone, not aggregated, or
    already holds exactly those rules."""
    by_name = {role["metadata"]["name"]: role for role in cluster_roles}
    shared = by_name.get(name)
    if shared is None or shared.get("aggregationRule") is None:
        return []
    rules: list[dict] = []
    for selector in shared["aggregationRule"].get("clusterRoleSelectors") or []:
        for role_name in sorted(by_name):
            role = by_name[role_name]
            if role_name == name or not selector_matches(selector, role["metadata"].get("labels")):
                continue
            for rule in role.get("rules") or []:
                if rule not in rules:
                    rules.append(rule)
    if rules == (shared.get("rules") or []):
        return []
    return [Apply("clusterroles", None, name, FIELD_MANAGER, apply_configuration(name, rules), force=True)]


@mirrors("k8s.io/kubernetes/pkg/controller/clusterroleaggregation.toApplyPolicyRules",
         "(*k8s.io/client-go/applyconfigurations/rbac/v1.ClusterRoleApplyConfiguration).WithRules")
def apply_configuration(name: str, rules: list[dict]) -> dict:
    """The ClusterRole the controller applies. No rules leave the field out (a nil slice, omitted):
    the apply then only gives up rules this controller applied before, and rules another manager
    wrote (a role that aggregates nothing, or only itself) stay."""
    body = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name}}
    return {**body, "rules": rules} if rules else body
