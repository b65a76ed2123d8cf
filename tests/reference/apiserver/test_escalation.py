"""RBAC escalation prevention, as pkg/registry/rbac's policybased storages enforce it: a user may
write a Role or a binding only for permissions it holds, unless it may `escalate` (roles) or `bind`
(the referenced role), or is in system:masters. Sans-IO through the handler chain with the RBAC
authorizer over the registry."""
from __future__ import annotations

import json

import pytest

from reference_impl.apiserver.core import bootstrappolicy
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.auth import UserInfo
from reference_impl.apiserver.core.escalation import uncovered
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.rbac import RegistrySource, new_authorizer
from reference_impl.apiserver.adapter.server import HandlerChain
from tests.reference.apiserver.test_handlers import NOW, etcd, registry  # noqa: F401

RBAC = "/apis/rbac.authorization.k8s.io/v1"
USERS = {"admin": UserInfo("admin", groups=("system:masters", "system:authenticated")),
         "alice": UserInfo("alice", groups=("system:authenticated",)),
         "carol": UserInfo("carol", groups=("system:authenticated",))}


class TokenIsUser:
    def authenticate(self, request):
        return USERS.get(request.header("Authorization").removeprefix("Bearer "))


@pytest.fixture
def rbac_chain(registry, request):
    bootstrappolicy.ensure_rbac_policy(registry)
    chain = HandlerChain(registry, TokenIsUser(), new_authorizer(RegistrySource(registry)), now=lambda: NOW)
    chain.namespace = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:50].strip("-")
    send(chain, "admin", "POST", "/api/v1/namespaces", {"metadata": {"name": chain.namespace}})
    return chain


def send(chain, user, method, path, body=None):
    response = chain.handle(Request(method, path, {}, {"Authorization": f"Bearer {user}",
                                                       "Content-Type": "application/json"},
                                    json.dumps(body).encode() if body is not None else b""))
    return response.code, json.loads(response.body)


def grant(chain, rules, name="alice-rights", user="alice"):
    """Give `user` (alice) `rules` in the test's namespace (written by admin)."""
    ns = chain.namespace
    assert send(chain, "admin", "POST", f"{RBAC}/namespaces/{ns}/roles",
                {"metadata": {"name": name}, "rules": rules})[0] == 201
    assert send(chain, "admin", "POST", f"{RBAC}/namespaces/{ns}/rolebindings",
                {"metadata": {"name": name}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                                         "name": name},
                 "subjects": [{"kind": "User", "name": user}]})[0] == 201


def grant_cluster_wide(chain, rules, name):
    """Give alice `rules` everywhere through a ClusterRole and ClusterRoleBinding named after the test."""
    name = f"{name}-{chain.namespace}"
    assert send(chain, "admin", "POST", f"{RBAC}/clusterroles", {"metadata": {"name": name}, "rules": rules})[0] == 201
    assert send(chain, "admin", "POST", f"{RBAC}/clusterrolebindings",
                {"metadata": {"name": name}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                         "kind": "ClusterRole", "name": name},
                 "subjects": [{"kind": "User", "name": "alice"}]})[0] == 201


BIND_ONLY = [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings", "roles"],
              "verbs": ["create"]}]


def test_a_cluster_role_binding_to_a_role_is_refused_as_its_namespaced_lookup_fails(rbac_chain):
    """Without `bind`, the ClusterRoleBinding's roleRef is resolved with no namespace; a Role's
    lookup then fails in NamespaceKeyFunc, whose 400 the real 1.24 server returns as it is."""
    grant_cluster_wide(rbac_chain, [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterrolebindings"],
                                     "verbs": ["create"]}], "crb-writer")
    code, status = send(rbac_chain, "alice", "POST", f"{RBAC}/clusterrolebindings",
                        {"metadata": {"name": f"to-role-{rbac_chain.namespace}"},
                         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "any"},
                         "subjects": []})
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", "Namespace parameter required.")


def test_a_binding_to_a_role_of_another_kind_is_refused_in_the_resolvers_words(rbac_chain):
    """Without system:masters, the policy-based storage resolves a roleRef of kind Group before
    validation and fails with GetRoleReferenceRules' plain error, which the real 1.24 server
    answers as a 500 with no reason (rbac_random_differential's seed 3) and this one as the
    client's 400 with the same text: no 5xx for a client's input. An admin meets validation's
    422."""
    grant(rbac_chain, [*BIND_ONLY, {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "clusterroles"],
                                    "verbs": ["bind"]}])
    ns = rbac_chain.namespace
    binding = {"metadata": {"name": "to-group"}, "subjects": [{"kind": "User", "name": "eve"}],
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "admin"}}
    code, status = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{ns}/rolebindings", binding)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", 'unsupported role reference kind: "Group"')
    assert send(rbac_chain, "admin", "POST", f"{RBAC}/namespaces/{ns}/rolebindings", binding)[0] == 422


def test_binding_yourself_to_cluster_admin_is_refused(rbac_chain):
    """A user allowed only to create rolebindings cannot bind itself to cluster-admin."""
    grant(rbac_chain, BIND_ONLY)
    ns = rbac_chain.namespace
    code, status = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{ns}/rolebindings",
                        {"metadata": {"name": "mine"},
                         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                     "name": "cluster-admin"},
                         "subjects": [{"kind": "User", "name": "alice"}]})
    assert (code, status["reason"]) == (403, "Forbidden")
    assert "attempting to grant RBAC permissions not currently held" in status["message"]
    assert status["message"].startswith('rolebindings.rbac.authorization.k8s.io "mine" is forbidden: user "alice"')
    assert send(rbac_chain, "alice", "GET", f"/api/v1/namespaces/{ns}/secrets")[0] == 403


def test_a_wildcard_role_is_refused(rbac_chain):
    """Creating a `*/*/*` Role grants what the user does not hold: 403."""
    grant(rbac_chain, BIND_ONLY)
    code, status = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{rbac_chain.namespace}/roles",
                        {"metadata": {"name": "all"},
                         "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})
    assert (code, status["reason"]) == (403, "Forbidden")
    assert '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}' in status["message"]



def test_mutating_admission_answers_before_the_escalation_check(registry, rbac_chain):
    """The policy-based storage checks escalation when the handler hands it the admitted object:
    a Role for a namespace that does not exist is NamespaceLifecycle's 404, not an escalation 403."""
    chain = HandlerChain(registry, TokenIsUser(), new_authorizer(RegistrySource(registry)),
                         new_admission_chain(registry), now=lambda: NOW)
    grant_cluster_wide(rbac_chain, BIND_ONLY, "role-writer")
    missing = f"{rbac_chain.namespace[:40]}-missing"
    code, status = send(chain, "alice", "POST", f"{RBAC}/namespaces/{missing}/roles",
                        {"metadata": {"name": "all"},
                         "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})
    assert (code, status["message"]) == (404, f'namespaces "{missing}" not found'), status


def test_the_missing_permissions_are_listed_compacted_sorted_with_resolution_errors(rbac_chain):
    """ConfirmNoEscalation's message: one line per resource with its verbs (CompactRules), lines
    sorted, and the errors met resolving the user's own rules after them."""
    grant(rbac_chain, BIND_ONLY)
    ns = rbac_chain.namespace
    send(rbac_chain, "admin", "POST", f"{RBAC}/namespaces/{ns}/rolebindings",
         {"metadata": {"name": "dangling"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                                        "name": "gone"},
          "subjects": [{"kind": "User", "name": "alice"}]})
    code, status = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{ns}/roles",
                        {"metadata": {"name": "reader"},
                         "rules": [{"apiGroups": [""], "resources": ["secrets", "pods"], "verbs": ["list", "get"]}]})
    assert (code, status["message"]) == (403, (
        'roles.rbac.authorization.k8s.io "reader" is forbidden: user "alice" (groups=["system:authenticated"]) is '
        "attempting to grant RBAC permissions not currently held:\n"
        '{APIGroups:[""], Resources:["pods"], Verbs:["list" "get"]}\n'
        '{APIGroups:[""], Resources:["secrets"], Verbs:["list" "get"]}'
        '; resolution errors: [roles.rbac.authorization.k8s.io "gone" not found]'))

def test_a_role_within_held_permissions_is_allowed(rbac_chain):
    grant(rbac_chain, BIND_ONLY + [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}])
    code, _ = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{rbac_chain.namespace}/roles",
                   {"metadata": {"name": "read-secrets"},
                    "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]})
    assert code == 201


def test_the_escalate_verb_allows_writing_any_role(rbac_chain):
    grant(rbac_chain, BIND_ONLY + [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"],
                                    "verbs": ["escalate"]}])
    code, _ = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{rbac_chain.namespace}/roles",
                   {"metadata": {"name": "all"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})
    assert code == 201



def test_escalate_on_a_named_role_lifts_updates_of_it_not_its_creation(rbac_chain):
    """RoleEscalationAuthorized asks about the request's name: a create (POST to the collection)
    has none, so `escalate` limited by resourceNames helps only once the role exists."""
    grant(rbac_chain, BIND_ONLY + [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"],
                                    "verbs": ["escalate", "update"], "resourceNames": ["all"]}])
    roles = f"{RBAC}/namespaces/{rbac_chain.namespace}/roles"
    everything = {"metadata": {"name": "all"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}
    code, status = send(rbac_chain, "alice", "POST", roles, everything)
    assert (code, status["reason"]) == (403, "Forbidden")
    assert "attempting to grant RBAC permissions not currently held" in status["message"]
    assert send(rbac_chain, "admin", "POST", roles, {"metadata": {"name": "all"}, "rules": []})[0] == 201
    assert send(rbac_chain, "alice", "PUT", f"{roles}/all", everything)[0] == 200

def test_the_bind_verb_allows_binding_that_role(rbac_chain):
    grant(rbac_chain, BIND_ONLY + [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
                                    "verbs": ["bind"], "resourceNames": ["cluster-admin"]}])
    code, _ = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{rbac_chain.namespace}/rolebindings",
                   {"metadata": {"name": "mine"},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                "name": "cluster-admin"},
                    "subjects": [{"kind": "User", "name": "alice"}]})
    assert code == 201



def test_binding_a_missing_role_is_its_not_found(rbac_chain):
    """The policybased RoleBinding storage returns GetRoleReferenceRules' error as it is: the
    role's 404, not a 403 wrapping it."""
    grant(rbac_chain, BIND_ONLY)
    code, status = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{rbac_chain.namespace}/rolebindings",
                        {"metadata": {"name": "ghost"},
                         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "missing"},
                         "subjects": [{"kind": "User", "name": "alice"}]})
    assert (code, status["reason"], status["message"]) == (
        404, "NotFound", 'roles.rbac.authorization.k8s.io "missing" not found')

BIND_SECRET_READER = [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"],
                       "resourceNames": ["secret-reader"]}]


def _bind_secret_reader(chain, api_group):
    """alice, allowed to bind ClusterRole secret-reader (whose rule she does not hold), binds it
    with a roleRef in `api_group`."""
    grant(chain, BIND_ONLY + BIND_SECRET_READER)
    send(chain, "admin", "POST", f"{RBAC}/clusterroles", {
        "metadata": {"name": "secret-reader"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]})
    role_ref = {"kind": "ClusterRole", "name": "secret-reader"}
    if api_group is not None:
        role_ref["apiGroup"] = api_group
    return send(chain, "alice", "POST", f"{RBAC}/namespaces/{chain.namespace}/rolebindings",
                {"metadata": {"name": "reader"}, "roleRef": role_ref, "subjects": [{"kind": "User", "name": "z"}]})


def test_bind_is_asked_in_the_role_refs_api_group(rbac_chain):
    """BindingAuthorized asks about the roleRef's own API group: `bind` granted in RBAC's does not
    cover a roleRef in another, so the binding must pass the held-permissions check (as the real
    1.24 server answers: a 403, before validation would refuse the group with a 422)."""
    code, status = _bind_secret_reader(rbac_chain, "example.com")
    assert (code, status["reason"]) == (403, "Forbidden")
    assert status["message"].endswith('is attempting to grant RBAC permissions not currently held:\n'
                                      '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}')


def test_a_role_ref_without_api_group_is_defaulted_before_bind_is_asked(rbac_chain):
    """v1 defaulting gives an empty roleRef.apiGroup RBAC's before the storage checks `bind`."""
    code, binding = _bind_secret_reader(rbac_chain, None)
    assert (code, binding["roleRef"]["apiGroup"]) == (201, "rbac.authorization.k8s.io")


def test_covers_breaks_rules_down_to_single_permissions():
    """A rule is covered when each (group, resource, name, verb) of it is; names narrow an owner rule."""
    owner = [{"apiGroups": [""], "resources": ["pods", "*/log"], "verbs": ["get", "list"]},
             {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["*"]}]
    assert uncovered(owner, [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get"]}]) == []
    assert uncovered(owner, [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]) == [
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]
    assert uncovered(owner, [{"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"],
                              "verbs": ["delete"]}]) == []



def test_a_role_created_by_generate_name_is_refused_without_a_name(rbac_chain):
    """The escalation check runs before generateName gives the role its name, and NewForbidden
    names no object when the name is empty, as the real 1.24 server's 403 reads."""
    grant(rbac_chain, BIND_ONLY)
    code, status = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{rbac_chain.namespace}/roles",
                        {"metadata": {"generateName": "g-"},
                         "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]})
    assert (code, status["details"]) == (403, {"group": "rbac.authorization.k8s.io", "kind": "roles"})
    assert status["message"].startswith('roles.rbac.authorization.k8s.io is forbidden: user "alice" ')


def test_an_empty_resource_name_is_a_name_to_cover():
    """BreakdownRule keeps `resourceNames: [""]` as a one-name rule: only an owner naming "" (or
    naming nothing) covers it, and the uncovered rule still lists it, as the real 1.24 server's
    403 prints it."""
    wanted = [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": [""], "verbs": ["get"]}]
    starred = [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["*"], "verbs": ["get"]}]
    assert uncovered(starred, wanted) == wanted
    assert uncovered([{**starred[0], "resourceNames": [""]}], wanted) == []


def test_a_resource_slash_star_rule_covers_no_subresource(rbac_chain):
    """resourceCoversAll knows `*`, the exact resource and `*/sub`; `pods/*` is a literal name the
    authorizer never matches, so holding it grants no pods/log to hand on."""
    grant(rbac_chain, BIND_ONLY + [{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["get"]}])
    ns = rbac_chain.namespace
    assert send(rbac_chain, "alice", "GET", f"/api/v1/namespaces/{ns}/pods/web/log")[0] == 403
    code, status = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{ns}/roles",
                        {"metadata": {"name": "logs"},
                         "rules": [{"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}]})
    assert (code, status["reason"]) == (403, "Forbidden")
    assert status["message"].endswith('{APIGroups:[""], Resources:["pods/log"], Verbs:["get"]}')

# --- impersonation (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go) ---

def send_as(chain, user, path, **impersonate):
    headers = {"Authorization": f"Bearer {user}", **{f"Impersonate-{k}": v for k, v in impersonate.items()}}
    response = chain.handle(Request("GET", path, {}, headers, b""))
    return response.code, json.loads(response.body)


@pytest.mark.parametrize("name, message", [
    ('a"b<%d>', 'namespaces is forbidden: User "a\\"b&lt;%!d(MISSING)&gt;" cannot list resource "namespaces" in API '
                'group "" at the cluster scope'),
    ("a%-5.2fb%", 'namespaces is forbidden: User "a%!f(MISSING)b%!"(MISSING) cannot list resource "namespaces" in '
                  'API group "" at the cluster scope'),
])
def test_a_denial_quotes_html_escapes_and_go_formats_its_sentence(rbac_chain, name, message):
    """responsewriters.Forbidden quotes the user with %q, HTML-escapes the sentence and passes it to
    fmt.Errorf as the format, so a `%` in it becomes fmt's complaint: the real 1.24 server's text
    for an impersonated user of that name."""
    code, status = send_as(rbac_chain, "admin", "/api/v1/namespaces", User=name)
    assert (code, status["message"]) == (403, message)


def test_impersonating_without_the_impersonate_verb_is_403(rbac_chain):
    code, status = send_as(rbac_chain, "alice", "/api/v1/namespaces", User="nobody")
    assert (code, status["reason"]) == (403, "Forbidden")
    assert status["message"] == ('users "nobody" is forbidden: User "alice" cannot impersonate resource "users" '
                                 'in API group "" at the cluster scope')


def test_an_impersonated_request_runs_as_the_impersonated_user(rbac_chain):
    """admin (system:masters) may impersonate; `nobody` then holds nothing and is refused."""
    code, status = send_as(rbac_chain, "admin", "/api/v1/namespaces", User="nobody")
    assert code == 403 and 'User "nobody" cannot list resource "namespaces"' in status["message"]
    code, _ = send_as(rbac_chain, "admin", "/api/v1/namespaces", User="nobody", Group="system:masters")
    assert code == 200


def test_impersonating_a_service_account_checks_serviceaccounts(rbac_chain):
    ns = rbac_chain.namespace
    grant(rbac_chain, [{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]}])
    code, status = send_as(rbac_chain, "alice", f"/api/v1/namespaces/{ns}/pods",
                           User=f"system:serviceaccount:{ns}:default")
    assert code == 403 and f'User "system:serviceaccount:{ns}:default" cannot list' in status["message"]



def test_impersonating_extras_and_uids_is_asked_in_the_authentication_group(rbac_chain):
    """UserExtra and UID impersonation requests are authentication.k8s.io kinds, so `impersonate`
    on userextras/KEY and uids is granted in that API group, not in the core one."""
    grant_cluster_wide(rbac_chain, [{"apiGroups": [""], "resources": ["users", "userextras/scopes", "uids"],
                                     "verbs": ["impersonate"]}], "core-group")
    code, status = send_as(rbac_chain, "alice", "/api/v1/namespaces", User="nobody", **{"Extra-Scopes": "view"})
    assert (code, status["message"]) == (403, 'userextras.authentication.k8s.io "view" is forbidden: User "alice" '
                                              'cannot impersonate resource "userextras/scopes" in API group '
                                              '"authentication.k8s.io" at the cluster scope')
    grant_cluster_wide(rbac_chain, [{"apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes", "uids"],
                                     "verbs": ["impersonate"]}], "authentication-group")
    code, status = send_as(rbac_chain, "alice", "/api/v1/namespaces", User="nobody", Uid="42",
                           **{"Extra-Scopes": "view"})
    assert code == 403 and status["message"].startswith('namespaces is forbidden: User "nobody" cannot list')

def test_impersonating_groups_without_a_user_is_the_filters_plain_500(rbac_chain):
    """WithImpersonation answers headers that make no request with responsewriters.InternalError:
    a plain-text 500 naming the request URI, as the real 1.24 server answers (it was a Status 400)."""
    headers = {"Authorization": "Bearer admin", "Impersonate-Group": "system:masters"}
    response = rbac_chain.handle(Request("GET", "/api/v1/namespaces", {}, headers, b""))
    assert (response.code, response.content_type) == (500, "text/plain; charset=utf-8")
    assert response.body == (b'Internal Server Error: "/api/v1/namespaces": requested [{Group  system:masters    }] '
                             b'without impersonating a user\n')


def test_impersonating_without_a_user_names_the_requests_as_upstream_prints_them():
    """buildImpersonationRequests' error prints its []v1.ObjectReference with %v: groups, then
    extras (FieldPath the key), then the uid; the real 1.24 server sends this text in its 500."""
    from email.message import Message

    from reference_impl.apiserver.core.impersonation import ImpersonationRequestError, impersonate

    headers = Message()
    for name, value in (("Impersonate-Group", "g1"), ("Impersonate-Group", "g2"),
                        ("Impersonate-Extra-Scopes", "view"), ("Impersonate-Uid", "1234")):
        headers[name] = value
    with pytest.raises(ImpersonationRequestError) as refused:
        impersonate(USERS["alice"], headers, None)
    assert str(refused.value) == (
        "requested [{Group  g1    } {Group  g2    } {UserExtra  view  authentication.k8s.io/v1  scopes} "
        "{UID  1234  authentication.k8s.io/v1  }] without impersonating a user")



def test_an_empty_impersonate_user_header_impersonates_nobody(rbac_chain):
    """buildImpersonationRequests reads Impersonate-User with headers.Get: an empty value is no
    request at all, so the call runs as its sender."""
    assert send_as(rbac_chain, "admin", "/api/v1/namespaces", User="")[0] == 200


def recorded_impersonation(*headers):
    """The user `impersonate` makes of alice's request with these (name, value) headers, and the
    (resource, name) pairs it asked the authorizer about."""
    from email.message import Message

    from reference_impl.apiserver.core.impersonation import impersonate

    message, seen = Message(), []
    for name, value in headers:
        message[name] = value

    class Recording:
        def authorize(self, attributes):
            seen.append((attributes.resource, attributes.name))
            return True, ""

    return impersonate(USERS["alice"], message, Recording()), seen


def test_of_several_impersonate_user_headers_the_first_counts():
    """headers.Get takes the first Impersonate-User (and Impersonate-Uid); it is the one authorized."""
    user, seen = recorded_impersonation(("Impersonate-User", "bob"), ("Impersonate-User", "carol"),
                                        ("Impersonate-Uid", "1"), ("Impersonate-Uid", "2"))
    assert (user.name, user.uid, seen) == ("bob", "1", [("users", "bob"), ("uids", "1")])


def wire(text: str) -> str:
    """A header value as the adapter reads it off the wire: its UTF-8 bytes, one character a byte."""
    return text.encode().decode("latin-1")


def test_impersonate_headers_are_read_as_utf_8_as_go_strings_print():
    """Go holds a header value as its bytes and prints them as UTF-8: Impersonate-User josé is
    the user "josé", as the real 1.24 server names it in a 403 (ours said "josÃ©"); a byte that is
    no UTF-8 is U+FFFD."""
    user, seen = recorded_impersonation(("Impersonate-User", wire("josé")), ("Impersonate-Group", wire("用户")),
                                        ("Impersonate-Uid", "\xff"), ("Impersonate-Extra-Scope", wire("✓")))
    assert (user.name, user.groups, user.uid, user.extra) == \
        ("josé", ("用户", "system:authenticated"), "\ufffd", {"scope": ("✓",)})
    assert seen == [("users", "josé"), ("groups", "用户"), ("userextras", "✓"), ("uids", "\ufffd")]


@pytest.mark.parametrize("name", ["system:serviceaccount:a:b:c", "system:serviceaccount:Team:bot",
                                  "system:serviceaccount:team:", "system:serviceaccount:"])
def test_a_name_that_is_no_service_account_impersonates_a_user(name):
    """serviceaccount.SplitUsername needs a namespace and a service account name that validate;
    anything else under the prefix is impersonated, and authorized, as a plain user."""
    user, seen = recorded_impersonation(("Impersonate-User", name))
    assert (user.name, user.groups, seen) == (name, ("system:authenticated",), [("users", name)])

@pytest.mark.parametrize("user,groups,expected", [
    ("bob", [], ("system:authenticated",)),
    ("bob", ["dev"], ("dev", "system:authenticated")),
    ("bob", ["system:unauthenticated"], ("system:unauthenticated",)),
    ("system:anonymous", [], ("system:unauthenticated",)),
    ("system:anonymous", ["system:unauthenticated"], ("system:unauthenticated",)),
])
def test_an_impersonated_user_joins_one_all_users_group(user, groups, expected):
    """system:authenticated is added unless either all-users group was asked for; system:anonymous
    gets system:unauthenticated, once."""
    impersonated, _ = recorded_impersonation(("Impersonate-User", user), *(("Impersonate-Group", g) for g in groups))
    assert impersonated.groups == expected

def test_updating_only_gc_fields_needs_no_held_permissions(rbac_chain):
    """IsOnlyMutatingGCFields: owner references and finalizers may change without the rules' rights."""
    ns = rbac_chain.namespace
    send(rbac_chain, "admin", "POST", f"{RBAC}/namespaces/{ns}/roles",
         {"metadata": {"name": "all"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})
    grant(rbac_chain, [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"],
                        "verbs": ["get", "update"]}])
    _, role = send(rbac_chain, "alice", "GET", f"{RBAC}/namespaces/{ns}/roles/all")
    role["metadata"]["finalizers"] = ["example.com/keep"]
    assert send(rbac_chain, "alice", "PUT", f"{RBAC}/namespaces/{ns}/roles/all", role)[0] == 200
    role = send(rbac_chain, "alice", "GET", f"{RBAC}/namespaces/{ns}/roles/all")[1]
    role["metadata"]["labels"] = {"changed": "yes"}
    assert send(rbac_chain, "alice", "PUT", f"{RBAC}/namespaces/{ns}/roles/all", role)[0] == 403


def test_an_aggregated_cluster_role_needs_escalate(rbac_chain):
    grant(rbac_chain, [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
                        "verbs": ["create"]}])
    binding = {"metadata": {"name": f"alice-{rbac_chain.namespace}"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "creator"},
               "subjects": [{"kind": "User", "name": "alice"}]}
    send(rbac_chain, "admin", "POST", f"{RBAC}/clusterroles",
         {"metadata": {"name": "creator"}, "rules": [{"apiGroups": ["rbac.authorization.k8s.io"],
                                                      "resources": ["clusterroles"], "verbs": ["create"]}]})
    send(rbac_chain, "admin", "POST", f"{RBAC}/clusterrolebindings", binding)
    code, status = send(rbac_chain, "alice", "POST", f"{RBAC}/clusterroles",
                        {"metadata": {"name": f"agg-{rbac_chain.namespace}"},
                         "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}})
    assert code == 403 and "must have cluster-admin privileges to use the aggregationRule" in status["message"]



def test_dropping_an_aggregation_rule_needs_cluster_admin_privileges(rbac_chain):
    """ClusterRole updates check the old object's aggregationRule too: without `*` on everything a
    user may not stop an aggregated role (admin, edit, view) from gathering its rules."""
    name = f"agg-{rbac_chain.namespace}"
    assert send(rbac_chain, "admin", "POST", f"{RBAC}/clusterroles",
                {"metadata": {"name": name},
                 "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}})[0] == 201
    send(rbac_chain, "admin", "POST", f"{RBAC}/clusterroles",
         {"metadata": {"name": "updater"}, "rules": [{"apiGroups": ["rbac.authorization.k8s.io"],
                                                      "resources": ["clusterroles"], "verbs": ["get", "update"]}]})
    send(rbac_chain, "admin", "POST", f"{RBAC}/clusterrolebindings",
         {"metadata": {"name": f"alice-{rbac_chain.namespace}"},
          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "updater"},
          "subjects": [{"kind": "User", "name": "alice"}]})
    _, role = send(rbac_chain, "alice", "GET", f"{RBAC}/clusterroles/{name}")
    del role["aggregationRule"]
    code, status = send(rbac_chain, "alice", "PUT", f"{RBAC}/clusterroles/{name}", role)
    assert (code, status["message"]) == (403, f'clusterroles.rbac.authorization.k8s.io "{name}" is forbidden: '
                                               "must have cluster-admin privileges to use the aggregationRule")

def test_impersonated_extras_are_authorized_and_carried(rbac_chain):
    """Impersonate-Extra-KEY asks `impersonate` on userextras/KEY, and the user carries the values."""
    from email.message import Message

    from reference_impl.apiserver.core.impersonation import impersonate

    headers = Message()
    headers["Impersonate-User"] = "nobody"
    headers["Impersonate-Extra-Scopes"] = "view"
    headers["Impersonate-Extra-Scopes"] = "edit"
    seen = []

    class Recording:
        def authorize(self, attributes):
            seen.append((attributes.resource, attributes.subresource, attributes.name))
            return True, ""

    user = impersonate(USERS["alice"], headers, Recording())
    assert user.name == "nobody" and user.extra == {"scopes": ("view", "edit")}
    assert seen == [("users", "", "nobody"), ("userextras", "scopes", "view"), ("userextras", "scopes", "edit")]
    assert user.groups == ("system:authenticated",)


@pytest.mark.parametrize("encoded, key", [
    ("a%2fb", "a/b"), ("%e2%9c%93", "\u2713"), ("a+b", "a+b"), ("%zz", "%zz"), ("%", "%"), ("a%2", "a%2"),
    ("a%2fb%zz", "a%2fb%zz"),
])
def test_an_extra_key_is_percent_decoded_whole_or_not_at_all(encoded, key):
    """unescapeExtraKey: url.PathUnescape of the lower-cased key, and the key as sent when any
    escape in it is malformed; the real 1.24 server records `a%2fb%zz` so, not `a/b%zz`."""
    from email.message import Message

    from reference_impl.apiserver.core.impersonation import impersonate
    from reference_impl.apiserver.core.rbac import AlwaysAllowAuthorizer

    headers = Message()
    headers["Impersonate-User"] = "nobody"
    headers[f"Impersonate-Extra-{encoded}"] = "v"
    assert impersonate(USERS["admin"], headers, AlwaysAllowAuthorizer()).extra == {key: ("v",)}


def test_impersonation_headers_leave_the_request_once_it_is_impersonated():
    """WithImpersonation deletes Impersonate-User, -Group, -Uid and every -Extra- header from a
    request it impersonated, so a pod or kubelet it is proxied to sees none (the real 1.24 server
    forwards only X-Keep here); a request that impersonates no one keeps an empty one, which the
    real server forwards too."""
    from reference_impl.apiserver.adapter.resourceproxy import request_headers
    from reference_impl.apiserver.core.impersonation import impersonate
    from reference_impl.apiserver.core.rbac import AlwaysAllowAuthorizer
    from reference_impl.machinery.httpheaders import Headers

    headers = Headers([("Impersonate-User", "alice"), ("Impersonate-Group", "g"), ("Impersonate-Uid", "u"),
                       ("Impersonate-Extra-Scopes", "x"), ("impersonate-extra-other", "y"), ("X-Keep", "1")])
    assert impersonate(USERS["admin"], headers, AlwaysAllowAuthorizer()).name == "alice"
    assert headers.items() == [("X-Keep", "1")]
    untouched = Headers([("Impersonate-User", ""), ("X-Keep", "1")])
    assert impersonate(USERS["admin"], untouched, AlwaysAllowAuthorizer()) is USERS["admin"]
    assert request_headers(untouched, "10.0.0.1", "/x")[:2] == [("Impersonate-User", ""), ("X-Keep", "1")]


SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"


@pytest.mark.parametrize("body,code,words", [
    ({"spec": {}}, 422, "exactly one of nonResourceAttributes or resourceAttributes must be specified"),
    ({"spec": {"resourceAttributes": {"verb": "get"}, "nonResourceAttributes": {"path": "/x", "verb": "get"}}},
     422, "cannot be specified in combination with resourceAttributes"),
    ({"spec": {"resourceAttributes": {"verb": 5, "resource": "pods"}}}, 400, "cannot be handled"),
    ({"spec": {"resourceAttributes": ["get"]}}, 400, "cannot be handled"),
    ({"apiVersion": "v1", "kind": "Pod", "spec": {"resourceAttributes": {"verb": "get"}}}, 400, "SelfSubjectAccessReview"),
])
def test_a_malformed_self_subject_access_review_is_refused(rbac_chain, body, code, words):
    """A review asks exactly one question, of the right types, as its own kind; `kubectl auth
    can-i` never gets an answer to a question it did not ask."""
    got, status = send(rbac_chain, "alice", "POST", SSAR, body)
    assert (got, status["kind"]) == (code, "Status") and words in status["message"]


def test_a_reviews_create_options_are_validated_before_its_body(rbac_chain):
    """A review is created through createHandler, which validates its CreateOptions first: a
    dryRun other than All is the 422 the real kube-apiserver 1.24 gives, not an answer."""
    response = rbac_chain.handle(Request("POST", SSAR, {"dryRun": ["Bad"]},
                                         {"Authorization": "Bearer alice", "Content-Type": "application/json"},
                                         b'{"spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}}'))
    assert (response.code, json.loads(response.body)["message"]) == (
        422, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Bad"}: supported values: '
             '"All"')


def test_a_self_subject_access_review_answers_for_the_caller(rbac_chain):
    got, review = send(rbac_chain, "alice", "POST", SSAR,
                       {"spec": {"resourceAttributes": {"verb": "get", "resource": "secrets", "namespace": "x"}}})
    assert (got, review["status"]["allowed"]) == (201, False)


def test_a_list_whose_field_selector_names_one_object_is_authorized_by_resource_names(rbac_chain):
    """NewRequestInfo makes a list's or watch's `metadata.name=x` field selector the request's name,
    so a rule limited to resourceNames [x] allows listing x, and nothing else."""
    ns = rbac_chain.namespace
    for name in ("s1", "s2"):
        send(rbac_chain, "admin", "POST", f"/api/v1/namespaces/{ns}/secrets", {"metadata": {"name": name}})
    grant(rbac_chain, [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"], "resourceNames": ["s1"]}])
    path = f"/api/v1/namespaces/{ns}/secrets"

    def list_as_alice(field_selector):
        query = {"fieldSelector": [field_selector]} if field_selector else {}
        response = rbac_chain.handle(Request("GET", path, query, {"Authorization": "Bearer alice"}))
        return response.code, json.loads(response.body)

    code, listed = list_as_alice("metadata.name=s1")
    assert code == 200 and [s["metadata"]["name"] for s in listed["items"]] == ["s1"]
    for selector in ("metadata.name=s2", "", "metadata.name!=s2", "metadata.name==s2"):
        assert list_as_alice(selector)[0] == 403, selector


AUTHZ = "/apis/authorization.k8s.io/v1"
SECRETS_GET = {"verb": "get", "resource": "secrets"}


def test_a_subject_access_review_answers_for_the_user_it_names(rbac_chain):
    """SubjectAccessReview asks the authorizer about spec.user and spec.groups, not the caller."""
    ns = rbac_chain.namespace
    grant(rbac_chain, [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}])
    asked = {"spec": {"user": "alice", "resourceAttributes": {**SECRETS_GET, "namespace": ns}}}
    code, review = send(rbac_chain, "admin", "POST", f"{AUTHZ}/subjectaccessreviews", asked)
    assert (code, review["kind"], review["status"]["allowed"]) == (201, "SubjectAccessReview", True)
    assert review["status"]["reason"].startswith('RBAC: allowed by RoleBinding "alice-rights/')
    asked["spec"]["user"] = "bob"
    assert send(rbac_chain, "admin", "POST", f"{AUTHZ}/subjectaccessreviews", asked)[1]["status"] == \
        {"allowed": False}
    by_group = {"spec": {"groups": ["system:masters"], "nonResourceAttributes": {"path": "/x", "verb": "get"}}}
    assert send(rbac_chain, "admin", "POST", f"{AUTHZ}/subjectaccessreviews", by_group)[1]["status"]["allowed"]


def test_asking_about_another_user_needs_create_on_subject_access_reviews(rbac_chain):
    """Only a caller granted `create` on subjectaccessreviews may learn another user's rights."""
    asked = {"spec": {"user": "admin", "resourceAttributes": SECRETS_GET}}
    code, status = send(rbac_chain, "alice", "POST", f"{AUTHZ}/subjectaccessreviews", asked)
    assert code == 403 and 'cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io"' \
        in status["message"]


@pytest.mark.parametrize("spec,message", [
    ({"resourceAttributes": SECRETS_GET},
     'spec.user: Invalid value: "": at least one of user or group must be specified'),
    ({"user": "a"}, 'spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or '
                    "resourceAttributes must be specified"),
])
def test_a_subject_access_review_names_a_subject_and_one_question(rbac_chain, spec, message):
    code, status = send(rbac_chain, "admin", "POST", f"{AUTHZ}/subjectaccessreviews", {"spec": spec})
    assert (code, status["message"]) == (422, f'.authorization.k8s.io "" is invalid: {message}')


@pytest.mark.parametrize("kind", ["selfsubjectaccessreviews", "subjectaccessreviews", "localsubjectaccessreviews"])
def test_an_access_review_is_invalid_under_the_empty_kind_of_the_decoded_object(rbac_chain, kind):
    """The REST Create calls NewInvalid(Kind(review.Kind), ...) on the internal object, whose
    TypeMeta the decoder cleared: the message and details name the group alone."""
    namespace = f"/namespaces/{rbac_chain.namespace}" if kind.startswith("local") else ""
    code, status = send(rbac_chain, "admin", "POST", f"{AUTHZ}{namespace}/{kind}", {"spec": {"user": "a"}})
    assert code == 422
    assert status["message"].startswith('.authorization.k8s.io "" is invalid: spec.resourceAttributes: ')
    assert {key: value for key, value in status["details"].items() if key != "causes"} == {
        "group": "authorization.k8s.io"}


@pytest.mark.parametrize("kind,spec,message", [
    ("subjectaccessreviews", {"user": "a", "resourceAttributes": SECRETS_GET, "nonResourceAttributes": {"path": "/"}},
     'spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/", Verb:""}: '
     "cannot be specified in combination with resourceAttributes"),
    ("localsubjectaccessreviews", {"user": "a", "nonResourceAttributes": {"path": "/x\"y", "verb": "get"}},
     'spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/x\\"y", Verb:"get"}: '
     "disallowed on this kind of request"),
    ("localsubjectaccessreviews", {"user": "a", "resourceAttributes": {**SECRETS_GET, "namespace": "\u00fc\t"}},
     'spec.resourceAttributes.namespace: Invalid value: "\u00fc\\t": must match metadata.namespace'),
])
def test_a_review_error_shows_the_value_as_go_prints_it(rbac_chain, kind, spec, message):
    """field.Error prints a pointer's struct with %#v (type name, fields in Go's order, strings
    quoted as strconv.Quote does) and a string with %q, not as JSON."""
    namespace = f"/namespaces/{rbac_chain.namespace}" if kind.startswith("local") else ""
    code, status = send(rbac_chain, "admin", "POST", f"{AUTHZ}{namespace}/{kind}", {"spec": spec})
    assert code == 422
    assert status["message"].split(" is invalid: ", 1)[1] == message


@pytest.mark.parametrize("path,kind", [(f"{AUTHZ}/selfsubjectaccessreviews", "SelfSubjectAccessReview"),
                                       ("/apis/authentication.k8s.io/v1/tokenreviews", "TokenReview")])
def test_a_review_body_the_decoder_cannot_read_is_400_naming_the_review_kind(rbac_chain, path, kind):
    """A review is created as any object is: createHandler's transformDecodeError names the kind
    the body must be, with the decoder's error and a summary of the body."""
    code, status = send(rbac_chain, "admin", "POST", path)
    assert (code, status["message"]) == (
        400, f"the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; "
             "json parse error: unexpected end of JSON input (<empty>)")


def managed_by(manager, api_version, fields_v1):
    """The one managedFields entry createHandler's field manager records for a create at NOW."""
    return [{"manager": manager, "operation": "Update", "apiVersion": api_version, "time": "2023-11-14T22:13:20Z",
             "fieldsType": "FieldsV1", "fieldsV1": fields_v1}]


@pytest.mark.parametrize("kind,spec", [
    ("selfsubjectaccessreviews", {"resourceAttributes": {"verb": "get", "resource": "pods"}}),
    ("subjectaccessreviews", {"resourceAttributes": {"verb": "get", "resource": "pods"}, "user": "admin"}),
])
def test_an_access_review_answers_with_its_spec_as_the_go_type_holds_it(rbac_chain, kind, spec):
    """The body is decoded into the review's Go type: fields it does not have are dropped, empty
    omitempty fields are not written back, and the create handler's field manager records who set
    what in metadata.managedFields."""
    body = {"spec": {"user": "admin", "groups": [], "uid": "", "extra": {}, "foo": 1,
                     "resourceAttributes": {"verb": "get", "resource": "pods", "bar": "x", "namespace": ""}}}
    response = rbac_chain.handle(Request("POST", f"{AUTHZ}/{kind}", {}, {
        "Authorization": "Bearer admin", "Content-Type": "application/json", "User-Agent": "probe/1.0"},
        json.dumps(body).encode()))
    review = json.loads(response.body)
    assert (response.code, review["spec"]) == (201, spec)
    fields = {"f:spec": {"f:resourceAttributes": {".": {}, "f:resource": {}, "f:verb": {}},
                         **({"f:user": {}} if "user" in spec else {})}}
    assert review["metadata"] == {"creationTimestamp": None,
                                  "managedFields": managed_by("probe", "authorization.k8s.io/v1", fields)}


def test_a_self_subject_rules_review_answers_with_a_new_object(rbac_chain):
    """SelfSubjectRulesReview's Create returns an object of its own: no spec, no managedFields."""
    code, review = send(rbac_chain, "admin", "POST", f"{AUTHZ}/selfsubjectrulesreviews",
                        {"spec": {"namespace": "default", "x": 1}})
    assert (code, review["metadata"], review["spec"]) == (201, {"creationTimestamp": None}, {})


@pytest.mark.parametrize("spec,message", [
    ({"resourceAttributes": {"verb": 5}}, "json: cannot unmarshal number into Go struct field "
                                          "ResourceAttributes.spec.resourceAttributes.verb of type string"),
    ({"resourceAttributes": ["get"]}, "json: cannot unmarshal array into Go struct field "
                                      "SubjectAccessReviewSpec.spec.resourceAttributes of type v1.ResourceAttributes"),
    ({"extra": {"k": "v"}}, "json: cannot unmarshal string into Go struct field SubjectAccessReviewSpec.spec.extra "
                            "of type v1.ExtraValue"),
    ({"groups": "g"}, "json: cannot unmarshal string into Go struct field SubjectAccessReviewSpec.spec.groups "
                      "of type []string"),
])
def test_a_review_field_of_the_wrong_type_is_the_decoders_400(rbac_chain, spec, message):
    code, status = send(rbac_chain, "admin", "POST", f"{AUTHZ}/subjectaccessreviews", {"spec": spec})
    assert (code, status["message"]) == (
        400, f'SubjectAccessReview in version "v1" cannot be handled as a SubjectAccessReview: {message}')


def test_a_local_subject_access_review_stays_in_its_namespace(rbac_chain):
    """LocalSubjectAccessReview: resource attributes naming the URL's namespace, nothing else."""
    ns = rbac_chain.namespace
    path = f"{AUTHZ}/namespaces/{ns}/localsubjectaccessreviews"
    grant(rbac_chain, [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}])
    code, review = send(rbac_chain, "admin", "POST", path,
                        {"metadata": {"namespace": ns},
                         "spec": {"user": "alice", "resourceAttributes": {**SECRETS_GET, "namespace": ns}}})
    assert (code, review["metadata"]["namespace"], review["status"]["allowed"]) == (201, ns, True)
    code, status = send(rbac_chain, "admin", "POST", path,
                        {"metadata": {"namespace": ns},
                         "spec": {"user": "alice", "resourceAttributes": {**SECRETS_GET, "namespace": "other"}}})
    assert code == 422 and 'spec.resourceAttributes.namespace: Invalid value: "other": must match ' \
        "metadata.namespace" in status["message"]
    code, status = send(rbac_chain, "admin", "POST", path,
                        {"spec": {"user": "alice", "nonResourceAttributes": {"path": "/x", "verb": "get"}}})
    assert code == 422 and "disallowed on this kind of request" in status["message"]
    cluster_wide = send(rbac_chain, "admin", "POST", f"{AUTHZ}/localsubjectaccessreviews",
                        {"spec": {"user": "alice", "resourceAttributes": SECRETS_GET}})
    assert cluster_wide[0] == 404



@pytest.mark.parametrize("metadata,attributes_namespace,answer", [
    (None, "url", (422, "Invalid", '.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: '
                                   'Invalid value: "{url}": must match metadata.namespace')),
    (None, "", (400, "BadRequest", "spec.resourceAttributes.namespace must match namespace: {url}")),
    ({"namespace": "other"}, "other", (400, "BadRequest", "spec.resourceAttributes.namespace must match namespace: "
                                                          "{url}")),
    ({"namespace": "other"}, "url", (422, "Invalid", '.authorization.k8s.io "" is invalid: '
                                                     'spec.resourceAttributes.namespace: Invalid value: "{url}": '
                                                     "must match metadata.namespace")),
])
def test_a_local_subject_access_review_names_the_urls_namespace_in_its_metadata(rbac_chain, metadata,
                                                                                attributes_namespace, answer):
    """The URL's namespace is not copied into the review: validation compares the attributes'
    namespace with metadata.namespace (422), then the REST Create compares metadata.namespace with
    the URL's (400, worded as if it were the attributes')."""
    ns = rbac_chain.namespace
    body = {"spec": {"user": "alice", "resourceAttributes": {
        **SECRETS_GET, "namespace": ns if attributes_namespace == "url" else attributes_namespace}}}
    if metadata is not None:
        body["metadata"] = metadata
    code, status = send(rbac_chain, "admin", "POST", f"{AUTHZ}/namespaces/{ns}/localsubjectaccessreviews", body)
    expected_code, reason, message = answer
    assert (code, status["reason"], status["message"]) == (expected_code, reason, message.format(url=ns))

def test_a_self_subject_rules_review_lists_the_callers_rules_in_a_namespace(rbac_chain):
    """`kubectl auth can-i --list`: the RBAC rules of the caller's bindings, cluster-wide ones
    first, split into resource and non-resource rules."""
    ns = rbac_chain.namespace
    grant(rbac_chain, [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["s1"]}])
    code, review = send(rbac_chain, "alice", "POST", f"{AUTHZ}/selfsubjectrulesreviews", {"spec": {"namespace": ns}})
    assert (code, review["kind"], review["spec"]) == (201, "SelfSubjectRulesReview", {})
    status = review["status"]
    assert status["incomplete"] is False and "evaluationError" not in status
    assert status["resourceRules"][-1] == {"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"],
                                          "resourceNames": ["s1"]}
    assert {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
            "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]} in status["resourceRules"]
    assert {"verbs": ["get"], "nonResourceURLs": sorted(bootstrappolicy.HEALTH_URLS)} in status["nonResourceRules"]
    elsewhere = send(rbac_chain, "alice", "POST", f"{AUTHZ}/selfsubjectrulesreviews", {"spec": {"namespace": "x"}})
    assert status["resourceRules"][-1] not in elsewhere[1]["status"]["resourceRules"]
    code, status = send(rbac_chain, "alice", "POST", f"{AUTHZ}/selfsubjectrulesreviews", {"spec": {}})
    assert (code, status["message"]) == (400, "no namespace on request")


def test_a_binding_to_a_missing_role_is_the_rules_reviews_evaluation_error(rbac_chain):
    ns = rbac_chain.namespace
    send(rbac_chain, "admin", "POST", f"{RBAC}/namespaces/{ns}/rolebindings",
         {"metadata": {"name": "dangling"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                                        "name": "gone"},
          "subjects": [{"kind": "User", "name": "alice"}]})
    status = send(rbac_chain, "alice", "POST", f"{AUTHZ}/selfsubjectrulesreviews", {"spec": {"namespace": ns}})[1]
    assert status["status"]["evaluationError"] == 'role.rbac.authorization.k8s.io "gone" not found'


def put_role(chain, user, name, rules):
    ns = chain.namespace
    return send(chain, user, "PUT", f"{RBAC}/namespaces/{ns}/roles/{name}",
                {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": name},
                 "rules": rules})


READ_CONFIGMAPS = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]


def test_a_put_of_a_missing_role_creates_it(rbac_chain):
    """The RBAC strategies AllowCreateOnUpdate: a PUT of a missing Role creates it (201), as the
    real 1.24 server does; a ConfigMap's strategy does not, so that PUT is still a 404."""
    ns = rbac_chain.namespace
    code, role = put_role(rbac_chain, "admin", "made-by-put", READ_CONFIGMAPS)
    assert (code, role["metadata"]["name"], role["rules"]) == (201, "made-by-put", READ_CONFIGMAPS)
    assert send(rbac_chain, "admin", "GET", f"{RBAC}/namespaces/{ns}/roles/made-by-put")[0] == 200
    assert put_role(rbac_chain, "admin", "made-by-put", READ_CONFIGMAPS)[0] == 200
    code, _ = send(rbac_chain, "admin", "PUT", f"/api/v1/namespaces/{ns}/configmaps/missing",
                   {"metadata": {"name": "missing"}})
    assert code == 404


def test_a_put_that_creates_must_be_allowed_to_create(rbac_chain):
    """The request was authorized as an update; withAuthorization asks for `create` of that name
    once the object is valid, and refuses with the authorizer's reason alone (empty for RBAC).
    Carol, not alice: other tests grant alice `create` on roles everywhere."""
    ns = rbac_chain.namespace
    grant(rbac_chain, [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["update"]},
                       *READ_CONFIGMAPS], user="carol")
    code, status = put_role(rbac_chain, "carol", "not-yet", READ_CONFIGMAPS)
    assert (code, status["message"]) == (403, 'roles.rbac.authorization.k8s.io "not-yet" is forbidden: ')
    assert put_role(rbac_chain, "carol", "not-yet", [{"verbs": ["get"]}])[0] == 422  # validation comes first
    assert send(rbac_chain, "admin", "GET", f"{RBAC}/namespaces/{ns}/roles/not-yet")[0] == 404


def apply(chain, user, path, body):
    response = chain.handle(Request("PATCH", path, {"fieldManager": ["probe"]},
                                    {"Authorization": f"Bearer {user}", "Content-Type": "application/apply-patch+yaml"},
                                    json.dumps(body).encode()))
    return response.code, json.loads(response.body)


def test_an_apply_that_creates_must_be_allowed_to_create(rbac_chain):
    """A server-side apply is authorized as a `patch`; when it finds no object and creates one,
    withAuthorization asks for `create` of that name too, as for a PUT: the real 1.24 server
    refuses carol, who may only patch, with the authorizer's empty reason."""
    ns = rbac_chain.namespace
    grant(rbac_chain, [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["patch", "get"]}],
          name="carol-rights", user="carol")
    path = f"/api/v1/namespaces/{ns}/configmaps/applied"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {"k": "v"}}
    code, status = apply(rbac_chain, "carol", path, body)
    assert (code, status["message"]) == (403, 'configmaps "applied" is forbidden: ')
    assert send(rbac_chain, "admin", "GET", path)[0] == 404
    assert apply(rbac_chain, "admin", path, body)[0] == 201
    assert apply(rbac_chain, "carol", path, {**body, "data": {"k": "w"}})[0] == 200


def test_escalate_on_a_named_role_lets_a_put_create_it(rbac_chain):
    """RoleEscalationAuthorized asks about the URL's name: a POST has none, so `escalate` limited
    to resourceNames never covers it, while a PUT that creates the named role is covered."""
    ns = rbac_chain.namespace
    grant(rbac_chain, [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"],
                        "verbs": ["create", "update"]},
                       {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["escalate"],
                        "resourceNames": ["chosen"]}])
    secrets = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]
    code, _ = send(rbac_chain, "alice", "POST", f"{RBAC}/namespaces/{ns}/roles",
                   {"metadata": {"name": "chosen"}, "rules": secrets})
    assert code == 403
    assert put_role(rbac_chain, "alice", "chosen", secrets)[0] == 201
    assert put_role(rbac_chain, "alice", "other", secrets)[0] == 403


def test_the_kinds_a_put_creates_are_the_real_servers():
    """Of the kinds served, exactly these create a missing object on PUT on the real 1.24 server
    (a PUT with dryRun=All of each kind's valid object under a new name answered 201)."""
    from reference_impl.apiserver import kinds

    creating = {(r.group, r.plural) for r in kinds.RESOURCES if r.allow_create_on_update}
    assert creating == {("", "services"), ("", "endpoints"), ("", "events"), ("events.k8s.io", "events"),
                        ("", "limitranges"), ("coordination.k8s.io", "leases"), ("node.k8s.io", "runtimeclasses"),
                        *(("rbac.authorization.k8s.io", plural) for plural in ("roles", "rolebindings", "clusterroles",
                                                              "clusterrolebindings"))}


def test_a_local_review_is_answered_in_its_go_structs_field_order(rbac_chain):
    """The answer is encoded from the review's Go struct: ObjectMeta's namespace comes before its
    creationTimestamp, byte for byte as the real 1.24 server writes it."""
    ns = rbac_chain.namespace
    response = rbac_chain.handle(Request(
        "POST", f"{AUTHZ}/namespaces/{ns}/localsubjectaccessreviews", {},
        {"Authorization": "Bearer admin", "Content-Type": "application/json", "User-Agent": "probe"},
        json.dumps({"metadata": {"namespace": ns}, "spec": {"user": "bob", "resourceAttributes": {
            "namespace": ns, "verb": "get", "resource": "pods"}}}).encode()))
    assert response.code == 201
    assert response.body.startswith(b'{"kind":"LocalSubjectAccessReview","apiVersion":"authorization.k8s.io/v1",'
                                    b'"metadata":{"namespace":"' + ns.encode() + b'","creationTimestamp":null,')


def test_a_subject_access_review_may_give_an_extra_key_no_values(rbac_chain):
    """spec.extra maps keys to ExtraValue lists; a key given null decodes to a nil list, and the
    review is answered (201) as the real 1.24 server answers it, not a 500."""
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
              "spec": {"user": "alice", "extra": {"scopes": None},
                       "resourceAttributes": {"verb": "get", "resource": "pods", "namespace": rbac_chain.namespace}}}
    code, answer = send(rbac_chain, "admin", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review)
    assert (code, answer["status"]["allowed"]) == (201, False)


def test_a_review_with_metadata_is_refused_naming_the_object_meta_as_go_prints_it(rbac_chain):
    """ValidateSubjectAccessReview's field.Invalid prints the whole v1.ObjectMeta with %#v, with
    the managedFields entry the field manager recorded for the create (its time set by the server,
    in UTC, its FieldsV1 a pointer), as the real 1.24 server words it."""
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "metadata": {"namespace": "n"},
              "spec": {"user": "alice", "resourceAttributes": {"verb": "get", "resource": "pods"}}}
    code, status = send(rbac_chain, "admin", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"] == (
        '.authorization.k8s.io "" is invalid: metadata: Invalid value: v1.ObjectMeta{Name:"", GenerateName:"", '
        'Namespace:"n", SelfLink:"", UID:"", ResourceVersion:"", Generation:0, '
        "CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>, "
        "DeletionGracePeriodSeconds:(*int64)(nil), Labels:map[string]string(nil), Annotations:map[string]string(nil), "
        'OwnerReferences:[]v1.OwnerReference(nil), Finalizers:[]string(nil), ClusterName:"", '
        'ManagedFields:[]v1.ManagedFieldsEntry{v1.ManagedFieldsEntry{Manager:"unknown", Operation:"Update", '
        'APIVersion:"authorization.k8s.io/v1", Time:time.Date(2023, time.November, 14, 22, 13, 20, 0, time.UTC), '
        'FieldsType:"FieldsV1", FieldsV1:(*v1.FieldsV1)(0xc000000000), Subresource:""}}}: must be empty')


def test_a_review_with_a_creation_time_in_year_zero_is_refused_printing_that_time(rbac_chain):
    """metav1.Time decodes any RFC 3339 year into the Local zone; field.Invalid's %#v prints year 0
    as time.Date does (no 500 from a calendar that starts at year 1)."""
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
              "metadata": {"creationTimestamp": "0000-01-01T00:00:00Z"},
              "spec": {"user": "alice", "resourceAttributes": {"verb": "get", "resource": "pods"}}}
    code, status = send(rbac_chain, "admin", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review)
    assert (code, status["reason"]) == (422, "Invalid")
    assert "CreationTimestamp:time.Date(0, time.January, 1, 0, 0, 0, 0, time.Local), " in status["message"]
