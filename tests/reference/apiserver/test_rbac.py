"""RBAC authorization without a network: one upstream rule per test, its docstring stating the rule.

Roles and bindings live in a `StaticSource`; requests are `AttributesRecord`s as the HTTP layer builds
them. The semantics are those of k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac and
pkg/apis/rbac/v1/evaluation_helpers.go.
"""
from __future__ import annotations

import pytest

from reference_impl.apiserver.kinds import rbac as rbac_kinds
from reference_impl.apiserver.core import bootstrappolicy
from reference_impl.apiserver.core.auth import ANONYMOUS, UserInfo
from reference_impl.apiserver.core.rbac import (AttributesRecord, RBACAuthorizer, StaticSource, new_authorizer,
                                           rule_allows)

BOB = UserInfo("bob", groups=("devs", "system:authenticated"))


def res(verb, resource, namespace="default", group="", subresource="", name="", user=BOB):
    return AttributesRecord(user, verb, namespace, group, "v1", resource, subresource, name)


def url(verb, path, user=BOB):
    return AttributesRecord(user, verb, path=path, is_resource_request=False)


# --- one PolicyRule against one request (RuleAllows) ---------------------------------------------

RULES = [
    # (rule, request, allowed, the rule in words)
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, res("get", "pods"), True,
     "a listed verb, group and resource allow"),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, res("list", "pods"), False,
     "a verb not listed is refused"),
    ({"verbs": ["*"], "apiGroups": [""], "resources": ["pods"]}, res("deletecollection", "pods"), True,
     "verb * covers every verb"),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["deployments"]},
     res("get", "deployments", group="apps"), False, "the core group '' does not cover apps"),
    ({"verbs": ["get"], "apiGroups": ["*"], "resources": ["deployments"]},
     res("get", "deployments", group="apps"), True, "apiGroups * covers every group"),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["*"]}, res("get", "secrets"), True,
     "resources * covers every resource"),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["*"]},
     res("get", "pods", subresource="status"), True, "resources * covers subresources too"),
    ({"verbs": ["update"], "apiGroups": [""], "resources": ["pods"]},
     res("update", "pods", subresource="status"), False, "a rule for pods does not cover pods/status"),
    ({"verbs": ["update"], "apiGroups": [""], "resources": ["pods/status"]},
     res("update", "pods", subresource="status"), True, "pods/status names the subresource"),
    ({"verbs": ["update"], "apiGroups": [""], "resources": ["pods/status"]}, res("update", "pods"), False,
     "a rule for pods/status does not cover pods"),
    ({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*/scale"]},
     res("get", "deployments", group="apps", subresource="scale"), True,
     "*/scale covers the scale subresource of any resource"),
    ({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*/scale"]},
     res("get", "deployments", group="apps"), False, "*/scale does not cover the resource itself"),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app"]},
     res("get", "configmaps", name="app"), True, "a listed resourceName allows that object"),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app"]},
     res("get", "configmaps", name="other"), False, "resourceNames refuse other objects"),
    ({"verbs": ["list"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app"]},
     res("list", "configmaps"), False, "resourceNames never match a request without a name (list)"),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}, url("get", "/healthz"), True,
     "an exact nonResourceURL allows that path"),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}, url("get", "/healthz/etcd"), False,
     "an exact nonResourceURL is not a prefix"),
    ({"verbs": ["get"], "nonResourceURLs": ["/apis/*"]}, url("get", "/apis/apps/v1"), True,
     "a trailing * makes a prefix"),
    ({"verbs": ["get"], "nonResourceURLs": ["/apis/*"]}, url("get", "/apis"), False,
     "/apis/* does not cover /apis itself"),
    ({"verbs": ["*"], "nonResourceURLs": ["*"]}, url("post", "/anything"), True,
     "nonResourceURLs * covers every path"),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}, url("post", "/healthz"), False,
     "non-resource verbs are HTTP methods and must match too"),
    ({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*"]}, url("get", "/version"), False,
     "resource rules never allow non-resource requests"),
    ({"verbs": ["get"], "nonResourceURLs": ["*"]}, res("get", "pods"), False,
     "nonResourceURL rules never allow resource requests"),
]


@pytest.mark.parametrize("rule,request_,allowed,words", RULES, ids=[r[3] for r in RULES])
def test_rule_allows(rule, request_, allowed, words):
    assert rule_allows(request_, rule) is allowed, words


# --- bindings, scope and subjects (RBACAuthorizer.Authorize) -------------------------------------

def role(name, namespace, *rules):
    return {"kind": "Role", "metadata": {"name": name, "namespace": namespace}, "rules": list(rules)}


def cluster_role(name, *rules):
    return {"kind": "ClusterRole", "metadata": {"name": name}, "rules": list(rules)}


def binding(name, namespace, role_kind, role_name, *subjects):
    meta = {"name": name, "namespace": namespace} if namespace else {"name": name}
    return {"kind": "RoleBinding" if namespace else "ClusterRoleBinding", "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
            "subjects": list(subjects)}


def user(name):
    return {"kind": "User", "name": name}


def group(name):
    return {"kind": "Group", "name": name}


READ_PODS = {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["pods"]}


def test_nothing_bound_means_denied():
    """With no binding for the user RBAC has no opinion: the request is denied, with no reason."""
    assert RBACAuthorizer(StaticSource()).authorize(res("get", "pods")) == (False, "")


def test_role_binding_allows_in_its_namespace_only():
    """A RoleBinding grants its Role's rules in the binding's namespace and nowhere else."""
    source = StaticSource(roles=[role("reader", "default", READ_PODS)],
                          role_bindings=[binding("bob-reads", "default", "Role", "reader", user("bob"))])
    authorizer = RBACAuthorizer(source)
    allowed, reason = authorizer.authorize(res("list", "pods", namespace="default"))
    assert allowed and reason == 'RBAC: allowed by RoleBinding "bob-reads/default" of Role "reader" to User "bob"'
    assert authorizer.authorize(res("list", "pods", namespace="other"))[0] is False
    assert authorizer.authorize(res("list", "pods", namespace=""))[0] is False


def test_role_binding_to_cluster_role_is_namespaced():
    """A RoleBinding may reference a ClusterRole; the rules still apply only in its namespace."""
    source = StaticSource(cluster_roles=[cluster_role("pod-reader", READ_PODS)],
                          role_bindings=[binding("b", "team", "ClusterRole", "pod-reader", user("bob"))])
    authorizer = RBACAuthorizer(source)
    assert authorizer.authorize(res("get", "pods", namespace="team"))[0] is True
    assert authorizer.authorize(res("get", "pods", namespace="default"))[0] is False


def test_cluster_role_binding_allows_everywhere():
    """A ClusterRoleBinding grants its rules in every namespace and at the cluster scope."""
    source = StaticSource(cluster_roles=[cluster_role("node-reader", {"verbs": ["get"], "apiGroups": [""],
                                                                        "resources": ["nodes", "pods"]})],
                          cluster_role_bindings=[binding("b", "", "ClusterRole", "node-reader", user("bob"))])
    authorizer = RBACAuthorizer(source)
    assert authorizer.authorize(res("get", "nodes", namespace=""))[0] is True
    assert authorizer.authorize(res("get", "pods", namespace="anywhere"))[0] is True


def test_group_subject_matches_members():
    """A Group subject covers every user in that group, and only them."""
    source = StaticSource(cluster_roles=[cluster_role("r", READ_PODS)],
                          cluster_role_bindings=[binding("b", "", "ClusterRole", "r", group("devs"))])
    authorizer = RBACAuthorizer(source)
    assert authorizer.authorize(res("get", "pods"))[0] is True
    assert authorizer.authorize(res("get", "pods", user=UserInfo("eve", groups=("ops",))))[0] is False


def test_service_account_subject_defaults_to_binding_namespace():
    """A ServiceAccount subject is the user system:serviceaccount:<ns>:<name>; without a namespace
    it means the RoleBinding's namespace."""
    sa = UserInfo("system:serviceaccount:team:builder", groups=("system:serviceaccounts",))
    source = StaticSource(roles=[role("r", "team", READ_PODS)],
                          role_bindings=[binding("b", "team", "Role", "r", {"kind": "ServiceAccount",
                                                                              "name": "builder"})])
    assert RBACAuthorizer(source).authorize(res("get", "pods", namespace="team", user=sa))[0] is True
    other = UserInfo("system:serviceaccount:default:builder")
    assert RBACAuthorizer(source).authorize(res("get", "pods", namespace="team", user=other))[0] is False


def test_a_service_account_subject_is_named_with_its_namespace_in_the_reason():
    """describeSubject names a ServiceAccount NAME/NAMESPACE (the binding's when the subject has
    none), as the real 1.24 server's SubjectAccessReview reason shows."""
    sa = UserInfo("system:serviceaccount:team:builder")
    account = {"kind": "ServiceAccount", "name": "builder"}
    read_nodes = {"verbs": ["get"], "apiGroups": [""], "resources": ["nodes"]}
    source = StaticSource(roles=[role("r", "team", READ_PODS)], cluster_roles=[cluster_role("r", read_nodes)],
                          role_bindings=[binding("b", "team", "Role", "r", account)],
                          cluster_role_bindings=[binding("c", "", "ClusterRole", "r",
                                                         {**account, "namespace": "team"})])
    authorizer = RBACAuthorizer(source)
    assert authorizer.authorize(res("get", "pods", namespace="team", user=sa)) == (
        True, 'RBAC: allowed by RoleBinding "b/team" of Role "r" to ServiceAccount "builder/team"')
    assert authorizer.authorize(res("get", "nodes", namespace="", user=sa)) == (
        True, 'RBAC: allowed by ClusterRoleBinding "c" of ClusterRole "r" to ServiceAccount "builder/team"')


def test_role_binding_cannot_reference_role_of_another_namespace():
    """A RoleBinding's Role is looked up in the binding's own namespace."""
    source = StaticSource(roles=[role("r", "other", READ_PODS)],
                          role_bindings=[binding("b", "team", "Role", "r", user("bob"))])
    allowed, reason = RBACAuthorizer(source).authorize(res("get", "pods", namespace="team"))
    assert not allowed and reason == 'RBAC: roles.rbac.authorization.k8s.io "r" not found'


def test_binding_to_missing_role_is_reported_not_fatal():
    """A binding to a missing role adds an error to the reason; other bindings still allow."""
    source = StaticSource(cluster_roles=[cluster_role("ok", READ_PODS)],
                          cluster_role_bindings=[binding("broken", "", "ClusterRole", "gone", user("bob")),
                                                 binding("fine", "", "ClusterRole", "ok", user("bob"))])
    assert RBACAuthorizer(source).authorize(res("get", "pods"))[0] is True
    denied = RBACAuthorizer(source).authorize(res("delete", "pods"))
    assert denied == (False, 'RBAC: clusterroles.rbac.authorization.k8s.io "gone" not found')


def test_the_authorizer_names_a_missing_role_as_its_informer_lister_does():
    """kube-apiserver's RBAC authorizer reads roles through generated listers, whose NotFound names
    the singular resource: `role.rbac.authorization.k8s.io "x" not found`, not the storage's
    plural (which the escalation check, reading storage, keeps)."""
    source = StaticSource(role_bindings=[binding("b", "team", "Role", "gone", user("bob"))],
                          cluster_role_bindings=[binding("c", "", "ClusterRole", "later", user("bob"))])
    authorizer = new_authorizer(source)
    denied = authorizer.authorize(res("get", "pods", namespace="team"))
    assert denied == (False, 'RBAC: [clusterrole.rbac.authorization.k8s.io "later" not found, '
                             'role.rbac.authorization.k8s.io "gone" not found]')


def test_system_masters_may_do_anything():
    """Group system:masters is allowed every request without any binding (privileged-group authorizer)."""
    admin = UserInfo("kubernetes-admin", groups=("system:masters", "system:authenticated"))
    authorizer = new_authorizer(StaticSource())
    assert authorizer.authorize(res("delete", "nodes", namespace="", user=admin))[0] is True
    assert authorizer.authorize(url("post", "/whatever", user=admin))[0] is True
    assert authorizer.authorize(res("delete", "nodes", namespace=""))[0] is False


BOOTSTRAP = StaticSource(cluster_roles=bootstrappolicy.cluster_roles(),
                         cluster_role_bindings=bootstrappolicy.cluster_role_bindings())


@pytest.mark.parametrize("path", ["/api", "/api/v1", "/apis", "/apis/apps/v1", "/version", "/healthz",
                                  "/openapi/v2"])
def test_authenticated_users_may_discover(path):
    """system:discovery, bound to system:authenticated, lets every user read discovery and health."""
    assert new_authorizer(BOOTSTRAP).authorize(url("get", path))[0] is True


@pytest.mark.parametrize("path,allowed", [("/healthz", True), ("/livez", True), ("/readyz", True),
                                          ("/version", True), ("/api", False), ("/apis", False)])
def test_anonymous_sees_only_public_info(path, allowed):
    """system:public-info-viewer (health and version) is the only default grant to system:unauthenticated."""
    assert new_authorizer(BOOTSTRAP).authorize(url("get", path, user=ANONYMOUS))[0] is allowed


def test_bootstrap_rules_hold_their_lists_sorted():
    """PolicyRuleBuilder.Rule sorts a bootstrap rule's verbs, groups, resources, names and URLs, so
    the stored system:public-info-viewer lists /healthz before /livez, as a real cluster shows."""
    roles = {role["metadata"]["name"]: role for role in bootstrappolicy.cluster_roles()}
    assert roles["system:public-info-viewer"]["rules"] == [
        {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]}]
    assert roles["system:discovery"]["rules"] == [
        {"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                                               "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]}]


def test_defaults_grant_no_resources():
    """The bootstrap policy gives ordinary users no access to resources."""
    assert new_authorizer(BOOTSTRAP).authorize(res("list", "pods"))[0] is False



@pytest.mark.parametrize("rule, namespaced, problems", [
    ({}, False, ["rules[0].verbs: Required value: verbs must contain at least one value",
                 "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
                 "rules[0].resources: Required value: resource rules must supply at least one resource"]),
    ({"verbs": ["get"], "apiGroups": [], "resources": ["pods"]}, False,
     ["rules[0].apiGroups: Required value: resource rules must supply at least one api group"]),
    ({"verbs": ["get"], "nonResourceURLs": ["/x"], "resources": ["pods"]}, True,
     ['rules[0].nonResourceURLs: Invalid value: []string{"/x"}: namespaced rules cannot apply to non-resource URLs',
      'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources '
      "and non-resource URLs"]),
    ({"verbs": ["get"], "nonResourceURLs": ["/x"]}, False, []),
])
def test_policy_rules_are_validated_as_validate_policy_rule_does(rule, namespaced, problems):
    """ValidatePolicyRule's checks and words: an empty apiGroups list is missing too, and a rule
    with non-resource URLs may name no resources."""
    validate = rbac_kinds.validate_role if namespaced else rbac_kinds.validate_cluster_role
    assert validate({"rules": [rule]}) == problems


SELECTOR_PROBLEM = 'aggregationRule.clusterRoleSelectors[0]: Invalid value: "null": invalid label selector.'


@pytest.mark.parametrize("aggregation_rule, problems", [
    ({}, ["aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if "
          "aggregationRule is non-nil"]),
    ({"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]}, []),
    ({"clusterRoleSelectors": [{}]}, []),
    ({"clusterRoleSelectors": [{"matchExpressions": [{"key": "a", "operator": "Bogus"}]}]},
     ['aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: Invalid value: "Bogus": not a valid '
      "selector operator", SELECTOR_PROBLEM]),
    ({"clusterRoleSelectors": [{"matchExpressions": [{"key": "a", "operator": "In"}]}]},
     ["aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values: Required value: must be specified when "
      "`operator` is 'In' or 'NotIn'", SELECTOR_PROBLEM]),
])
def test_an_aggregation_rule_is_validated_as_validate_cluster_role_does(aggregation_rule, problems):
    """An aggregationRule with no selectors is refused, not stored as one that gathers nothing, and
    each selector must validate and convert, as the real 1.24 server answers (422)."""
    assert rbac_kinds.validate_cluster_role({"rules": None, "aggregationRule": aggregation_rule}) == problems
