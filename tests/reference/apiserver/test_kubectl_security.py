"""kubectl against the reference kube-apiserver for the privilege checks of issue 13: `--as`
impersonation, `kubectl create token`, and RBAC escalation refused, with kubectl printing
upstream's messages."""
from __future__ import annotations

import pytest

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)

NS = "default"


@pytest.fixture(scope="module")
def kube(reference_control_plane: Cluster) -> Cluster:  # noqa: F811
    return reference_control_plane


def test_as_runs_the_request_as_the_impersonated_user(kube):
    """admin may impersonate; `nobody` then holds no rights, so the list is refused for nobody."""
    result = kube.kubectl("get", "pods", "-n", NS, "--as=nobody")
    assert result.returncode != 0
    assert 'User "nobody" cannot list resource "pods" in API group "" in the namespace "default"' in result.stderr


def test_as_needs_the_impersonate_verb(kube):
    result = kube.kubectl("get", "pods", "-n", NS, "--as=nobody", user="alice")
    assert result.returncode != 0
    assert ('users "nobody" is forbidden: User "alice" cannot impersonate resource "users" in API group "" '
            "at the cluster scope") in result.stderr


def test_create_token_issues_a_token_the_server_accepts(kube):
    assert kube.kubectl("create", "serviceaccount", "robot", "-n", NS).returncode == 0
    result = kube.kubectl("create", "token", "robot", "-n", NS, "--duration=20m")
    assert result.returncode == 0, result.stderr
    code, status = kube.request("GET", f"/api/v1/namespaces/{NS}/secrets", token=result.stdout.strip())
    assert code == 403 and 'User "system:serviceaccount:default:robot" cannot list' in status["message"]


def test_binding_yourself_to_cluster_admin_is_refused(kube):
    kube.kubectl("create", "role", "bind-only", "-n", NS, "--verb=create", "--resource=rolebindings")
    kube.kubectl("create", "rolebinding", "alice-bind-only", "-n", NS, "--role=bind-only", "--user=alice")
    result = kube.kubectl("create", "rolebinding", "mine", "-n", NS, "--clusterrole=cluster-admin",
                          "--user=alice", user="alice")
    assert result.returncode != 0
    assert "attempting to grant RBAC permissions not currently held" in result.stderr
    assert kube.kubectl("get", "secrets", "-n", NS, user="alice").returncode != 0


def test_a_server_dry_run_delete_deletes_nothing(kube):
    """`kubectl delete --dry-run=server` (dryRun inside the DeleteOptions body), for one object and
    for --all, reports the delete and keeps every object."""
    assert kube.kubectl("create", "configmap", "dry-kept", "-n", NS, "--from-literal=a=b").returncode == 0
    for args in (("configmap", "dry-kept"), ("configmaps", "--all")):
        result = kube.kubectl("delete", *args, "-n", NS, "--dry-run=server")
        assert result.returncode == 0 and "(server dry run)" in result.stdout, result.stderr
    assert kube.kubectl("get", "configmap", "dry-kept", "-n", NS).returncode == 0


def test_delete_with_an_unknown_propagation_policy_in_the_query_deletes_nothing(kube):
    """A raw DELETE of the collection with propagationPolicy=bogus is 422 before anything goes."""
    assert kube.kubectl("create", "configmap", "bogus-kept", "-n", NS).returncode == 0
    status, body = kube.request("DELETE", f"/api/v1/namespaces/{NS}/configmaps?propagationPolicy=bogus")
    assert (status, body["reason"]) == (422, "Invalid")
    assert kube.kubectl("get", "configmap", "bogus-kept", "-n", NS).returncode == 0


def test_auth_can_i_list_prints_the_callers_rules(kube):
    """`kubectl auth can-i --list` (a SelfSubjectRulesReview): admin holds cluster-admin's `*`;
    alice, bound to nothing in this namespace but the basic roles, holds the review rights."""
    result = kube.kubectl("auth", "can-i", "--list", "-n", NS)
    assert result.returncode == 0, result.stderr
    assert any(line.split()[:4] == ["*.*", "[]", "[]", "[*]"] for line in result.stdout.splitlines()), result.stdout
    alice = kube.kubectl("auth", "can-i", "--list", "-n", "kube-system", user="alice")
    assert alice.returncode == 0, alice.stderr
    assert "selfsubjectrulesreviews.authorization.k8s.io" in alice.stdout and "*.*" not in alice.stdout


def test_auth_can_i_as_another_user_answers_for_that_user(kube):
    assert kube.kubectl("auth", "can-i", "get", "pods", "-n", NS).stdout.strip() == "yes"
    result = kube.kubectl("auth", "can-i", "get", "pods", "-n", NS, "--as=nobody")
    assert (result.returncode, result.stdout.strip()) == (1, "no")


def test_a_subject_access_review_created_with_kubectl_comes_back_answered(kube):
    review = ('{"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": {"user": "nobody", '
              '"groups": ["system:masters"], "resourceAttributes": {"verb": "delete", "resource": "nodes"}}}')
    result = kube.kubectl("create", "-f", "-", "-o", "jsonpath={.status.allowed}", input=review)
    assert (result.returncode, result.stdout) == (0, "true"), result.stderr
    denied = kube.kubectl("create", "-f", "-", "-o", "name", input=review, user="alice")
    assert denied.returncode != 0 and 'cannot create resource "subjectaccessreviews"' in denied.stderr


def test_a_token_review_created_with_kubectl_names_the_tokens_user(kube):
    kube.kubectl("create", "serviceaccount", "reviewed", "-n", NS)
    token = kube.kubectl("create", "token", "reviewed", "-n", NS).stdout.strip()
    review = ('{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": "%s"}}' % token)
    result = kube.kubectl("create", "-f", "-", "-o", "jsonpath={.status.user.username}", input=review)
    assert (result.returncode, result.stdout) == (0, f"system:serviceaccount:{NS}:reviewed"), result.stderr


def test_a_token_review_of_a_token_whose_account_is_gone_gives_the_validators_reason(kube):
    """The token authenticators sit behind one bearer-token authenticator, after the one for the
    server's loopback token: the review's error is the loopback authenticator's 'invalid bearer
    token', then the service account validator's reason (the token file has no opinion)."""
    kube.kubectl("create", "serviceaccount", "departed", "-n", NS)
    token = kube.kubectl("create", "token", "departed", "-n", NS).stdout.strip()
    assert kube.kubectl("delete", "serviceaccount", "departed", "-n", NS).returncode == 0
    code, review = kube.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                                {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                 "spec": {"token": token}})
    assert (code, review["status"]) == (201, {"user": {}, "error": '[invalid bearer token, serviceaccounts "departed" not found]'})
